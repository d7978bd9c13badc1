/* copub: the affiliation normaliser. Reads the places a raw affiliation string names
 * (countries, regions, cities, postcodes), weighs them by where they sit in the address, and
 * falls back on organisations, e-mail domains and hint words when no place is named. */
#include <string.h>

#include "base/datadir.h"
#include "copub/countries.h"
#include "copub/error.h"
#include "affil/gazetteer.h"
#include "copub/normalise.h"

#define MAX_TOKENS 1024
#define MAX_NGRAM 12
#define MAX_CANDIDATES 8
#define MAX_TLDS 4
#define DOMINANCE 5     /* a city is read as its most populous namesake from this ratio on */
#define STRONG_DOMINANCE 20

struct _CopubNormaliser {
  CopubGazetteer *gazetteer;
  gboolean trace;  /* COPUB_TRACE_NORMALISE set: explain each decision (debug log) */
};

/* A name found in the text, with the places it may mean. */
typedef struct {
  guint start, end;                     /* tokens [start, end) */
  guint part, segment;
  CopubPlace cands[MAX_CANDIDATES];
  guint n_cands;
  gboolean address;   /* the rest of its address component is postcodes, numbers, places */
  gboolean final;     /* ends its address component */
  gboolean dropped;   /* ruled out (street name, unvalidated abbreviation...) */
  gboolean embedded;  /* only a city inside a longer name: a last resort */
  char country[3];    /* the country it was resolved to, or "" */
} Mention;

/* What a string says about countries, gathered before the decision. */
typedef enum {
  SOURCE_MENTION,  /* a resolved place mention */
  SOURCE_POSTCODE, /* "F-54000", "CB2 0RE", a ZIP+4 */
  SOURCE_CEDEX,    /* the French "Cedex": France, unless an overseas territory is named */
} Source;

typedef struct {
  char country[3];
  guint part;
  guint token;
  Source source;
  gboolean country_name; /* a country named outright ("France"), absorbable by a territory */
  gboolean dropped;
} Evidence;

typedef struct {
  const CopubGazetteer *gaz;
  gboolean trace;
  char *text;
  gsize len;
  CopubTokens tokens;
  guint n;
  guint *segment;     /* per token */
  guint *part;        /* per token */
  gint *covered;      /* per token: index of the place mention covering it, or -1 */
  gboolean *connector;
  gboolean caseless;
  guint n_parts;
  GArray *places;     /* of Mention */
  GArray *orgs;       /* of Mention: institutions and acronyms */
  GArray *hints;      /* of Mention */
  GArray *evidence;   /* of Evidence */
  char tlds[MAX_TLDS][3];
  guint n_tlds;
  CopubEvidence level;
} Resolve;

/* ==== CopubAffiliation =================================================================== */

void
copub_affiliation_init (CopubAffiliation *aff)
{
  memset (aff, 0, sizeof *aff);
}

void
copub_affiliation_clear (CopubAffiliation *aff)
{
  copub_affiliation_init (aff);
}

char *
copub_affiliation_countries (const CopubAffiliation *aff)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < aff->n_countries; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, aff->countries[i]);
    }
  return g_string_free (out, FALSE);
}

gboolean
copub_affiliation_has_country (const CopubAffiliation *aff, const char *code)
{
  for (guint i = 0; code != NULL && i < aff->n_countries; i++)
    if (strcmp (aff->countries[i], code) == 0)
      return TRUE;
  return FALSE;
}

static void
affiliation_add (CopubAffiliation *aff, const char *code)
{
  guint i = 0;

  if (code == NULL || code[0] == '\0' || copub_affiliation_has_country (aff, code)
      || aff->n_countries >= COPUB_AFFILIATION_MAX_COUNTRIES)
    return;
  while (i < aff->n_countries && strcmp (aff->countries[i], code) < 0)
    i++;
  memmove (aff->countries[i + 1], aff->countries[i], (aff->n_countries - i) * 3);
  g_strlcpy (aff->countries[i], code, 3);
  aff->n_countries++;
}

/* ==== The normaliser ===================================================================== */

CopubNormaliser *
copub_normaliser_new (const CopubNormaliserOptions *options, GError **error)
{
  CopubNormaliserOptions defaults = COPUB_NORMALISER_OPTIONS_INIT;
  g_autoptr(CopubNormaliser) nz = g_new0 (CopubNormaliser, 1);
  g_autofree char *dir = NULL;
  g_autofree char *table = NULL;

  if (options == NULL)
    options = &defaults;
  nz->trace = g_getenv ("COPUB_TRACE_NORMALISE") != NULL;
  dir = copub_data_dir (options->data_dir);
  table = g_build_filename (dir, "ror-registry.tsv", NULL);
  /* the registry table copub ships, read beside the places (0.15 s instead of 0.22), then the
   * dozen records of ror-copub.json (ids already loaded are not loaded twice) */
  if (!options->no_bundled_ror && !options->no_registry
      && g_file_test (table, G_FILE_TEST_IS_REGULAR))
    nz->gazetteer = copub_gazetteer_new_with_ror (dir, table, error);
  else
    nz->gazetteer = copub_gazetteer_new (dir, error);
  if (nz->gazetteer == NULL)
    return NULL;
  if (!options->no_bundled_ror)
    {
      g_autofree char *bundled = g_build_filename (dir, "ror-copub.json", NULL);
      if (g_file_test (bundled, G_FILE_TEST_IS_REGULAR)
          && !copub_gazetteer_load_ror (nz->gazetteer, bundled, error))
        return NULL;
    }
  if (options->ror_path != NULL && !copub_gazetteer_load_ror (nz->gazetteer, options->ror_path,
                                                              error))
    return NULL;
  return g_steal_pointer (&nz);
}

void
copub_normaliser_free (CopubNormaliser *nz)
{
  if (nz == NULL)
    return;
  copub_gazetteer_free (nz->gazetteer);
  g_free (nz);
}

/* ==== Helpers ============================================================================ */

static const CopubToken *
tok (const Resolve *res, guint i)
{
  return &g_array_index (res->tokens.tokens, CopubToken, i);
}

static const char *
fold (const Resolve *res, guint i)
{
  return copub_tokens_fold (&res->tokens, i);
}

static gboolean
fold_is (const Resolve *res, guint i, const char *word)
{
  return i < res->n && strcmp (fold (res, i), word) == 0;
}

static gboolean
is_digits (const Resolve *res, guint i, guint len)
{
  return i < res->n && (tok (res, i)->flags & COPUB_TOKEN_DIGITS)
         && (len == 0 || tok (res, i)->fold_len == len);
}

static gboolean
is_place_kind (guint8 kind)
{
  return kind == COPUB_PLACE_COUNTRY || kind == COPUB_PLACE_REGION
         || kind == COPUB_PLACE_REGION_CODE || kind == COPUB_PLACE_CITY;
}

/* The separator after token @i: what token @i + 1 records, or a segment at the end. */
static guint8
sep_after (const Resolve *res, guint i)
{
  if (i + 1 >= res->n)
    return COPUB_SEP_PART;
  if (res->connector[i + 1])
    return COPUB_SEP_PART;
  return tok (res, i + 1)->sep;
}

static void
add_evidence (Resolve *res, const char *country, guint token, Source source,
              gboolean country_name)
{
  Evidence ev = { .part = res->part[token], .token = token, .source = source,
                  .country_name = country_name };

  g_strlcpy (ev.country, country, sizeof ev.country);
  g_array_append_val (res->evidence, ev);
}

/* ==== Preparing the text ================================================================= */

/* OpenAlex writes line breaks and tabs of its sources as "#N#", "#R#" and "#TAB#". */
static void
unescape_openalex (char *text, gsize len)
{
  for (char *p = memchr (text, '#', len); p != NULL;
       p = memchr (p + 1, '#', len - (gsize) (p + 1 - text)))
    {
      gsize left = len - (gsize) (p - text);
      if (left >= 3 && (p[1] == 'N' || p[1] == 'R') && p[2] == '#')
        p[0] = '\n', p[1] = ' ', p[2] = ' ';
      else if (left >= 5 && memcmp (p, "#TAB#", 5) == 0)
        memset (p, ' ', 5);
      if ((gsize) (p + 1 - text) >= len)
        break;
    }
}

static gboolean
email_char (char c, gboolean domain)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || (!domain && (c == '_' || c == '+'
                                                                     || c == '%'));
}

/* The country of a domain's last label, unless the label is one used worldwide. */
static void
note_domain (Resolve *res, const char *domain, gsize len)
{
  static const char *const generic[] = { "io", "co", "me", "tv", "ai", "ly", "fm", "am", "cc",
                                         "ws", "to", "nu", "tk", "gg", "la", "md", "ac" };
  const char *dot;
  char label[4] = "";
  char code[3];

  while (len > 0 && domain[len - 1] == '.')
    len--;
  dot = g_strrstr_len (domain, (gssize) len, ".");
  if (dot == NULL || len - (gsize) (dot + 1 - domain) > 3)
    return;
  memcpy (label, dot + 1, len - (gsize) (dot + 1 - domain));
  for (gsize i = 0; i < G_N_ELEMENTS (generic); i++)
    if (g_ascii_strcasecmp (label, generic[i]) == 0)
      return;
  if (g_ascii_strcasecmp (label, "edu") == 0 || g_ascii_strcasecmp (label, "gov") == 0)
    g_strlcpy (code, "US", sizeof code);
  else if (g_ascii_strcasecmp (label, "uk") == 0)
    g_strlcpy (code, "GB", sizeof code);
  else if (strlen (label) == 2)
    code[0] = g_ascii_toupper (label[0]), code[1] = g_ascii_toupper (label[1]), code[2] = 0;
  else
    return;
  if (copub_gazetteer_is_country (res->gaz, code) && res->n_tlds < MAX_TLDS)
    g_strlcpy (res->tlds[res->n_tlds++], code, 3);
}

/* Notes the country domain of every e-mail address and web address, then blanks them:
 * "paris@univ-x.fr" must not read as Paris. */
static void
strip_addresses (Resolve *res)
{
  char *text = res->text;
  gsize len = res->len;

  for (gsize i = 0; i < len; i++)
    {
      gsize start = i, end = i;
      gboolean web = (i + 4 <= len && g_ascii_strncasecmp (text + i, "www.", 4) == 0)
                     || (i + 7 <= len && g_ascii_strncasecmp (text + i, "http", 4) == 0
                         && (text[i + 4] == ':' || text[i + 5] == ':'));

      if (text[i] != '@' && !web)
        continue;
      if (text[i] == '@')
        while (start > 0 && email_char (text[start - 1], FALSE))
          start--;
      end = web ? i : i + 1;
      while (end < len && (email_char (text[end], TRUE) || (web && text[end] != ' '
                                                            && (guchar) text[end] >= 0x21
                                                            && text[end] != ',')))
        end++;
      if (text[i] == '@')
        note_domain (res, text + i + 1, end - i - 1);
      else
        {
          const char *host = strstr (text + i, "//");
          gsize hs = host != NULL && (gsize) (host - text) < end ? (gsize) (host + 2 - text) : i;
          gsize he = hs;
          while (he < end && email_char (text[he], TRUE))
            he++;
          note_domain (res, text + hs, he - hs);
        }
      memset (text + start, ' ', end - start);
      i = end;
    }
}

static void
prepare (Resolve *res, const char *raw, gssize len)
{
  gsize n;

  if (raw == NULL)
    raw = "", len = 0;
  n = len < 0 ? strlen (raw) : (gsize) len;
  if (n > COPUB_NORMALISE_MAX_BYTES)
    n = COPUB_NORMALISE_MAX_BYTES;
  /* make_valid also drops a character the cut went through, and NULs become U+FFFD. */
  res->text = g_utf8_make_valid (raw, (gssize) n);
  res->len = strlen (res->text);
  unescape_openalex (res->text, res->len);
  strip_addresses (res);
}

/* ==== Structure: segments, parts, connectors ============================================= */

static gboolean
connector_word (const Resolve *res, guint i)
{
  static const char *const words[] = { "and", "et", "und", "e", "y" };
  const CopubToken *t = tok (res, i);

  if (t->flags & (COPUB_TOKEN_CAPITAL | COPUB_TOKEN_UPPER | COPUB_TOKEN_DIGITS))
    return FALSE;
  for (gsize k = 0; k < G_N_ELEMENTS (words); k++)
    if (strcmp (fold (res, i), words[k]) == 0)
      return TRUE;
  return FALSE;
}

static void
structure (Resolve *res)
{
  guint segment = 0, part = 0;
  gboolean upper = FALSE, lower = FALSE;

  res->segment = g_new0 (guint, res->n + 1);
  res->part = g_new0 (guint, res->n + 1);
  res->covered = g_new (gint, res->n + 1);
  res->connector = g_new0 (gboolean, res->n + 1);
  for (guint i = 0; i < res->n; i++)
    {
      const CopubToken *t = tok (res, i);
      if (i > 0 && t->sep >= COPUB_SEP_SEGMENT)
        segment++;
      if (i > 0 && (t->sep == COPUB_SEP_PART || res->connector[i - 1]))
        part++, segment += res->connector[i - 1];
      res->connector[i] = connector_word (res, i);
      res->segment[i] = segment;
      res->part[i] = part;
      res->covered[i] = -1;
      upper |= (t->flags & (COPUB_TOKEN_UPPER | COPUB_TOKEN_CAPITAL)) != 0;
      lower |= (t->flags & COPUB_TOKEN_LETTERS) && !(t->flags & COPUB_TOKEN_UPPER);
    }
  res->caseless = !upper || !lower;
  res->n_parts = part + 1;
}

/* ==== Matching names ===================================================================== */

/* Case rules: abbreviations in capitals; places and single-word names capitalised. */
static gboolean
case_ok (const Resolve *res, guint start, guint end, const CopubPlace *p)
{
  const CopubToken *first = tok (res, start);

  if (p->flags & COPUB_PLACE_UPPER)
    {
      if (res->caseless)
        return p->kind != COPUB_PLACE_ACRONYM;
      for (guint k = start; k < end; k++)
        if (!(tok (res, k)->flags & COPUB_TOKEN_UPPER))
          return FALSE;
      return TRUE;
    }
  if (p->kind == COPUB_PLACE_HINT || res->caseless
      || (first->flags & (COPUB_TOKEN_CAPITAL | COPUB_TOKEN_UPPER | COPUB_TOKEN_DIGITS)))
    return TRUE;
  /* "république tchèque", "université de lorraine": lower case is fine for long names */
  return p->kind != COPUB_PLACE_CITY && end - start >= 2
         && tok (res, end - 1)->end - first->start >= 8;
}

static gboolean
final_ok (const Resolve *res, guint end, const CopubPlace *p)
{
  if ((p->flags & COPUB_PLACE_FINAL) && sep_after (res, end - 1) < COPUB_SEP_SEGMENT)
    return FALSE;
  if (p->flags & COPUB_PLACE_LAST)
    for (guint k = end; k < res->n && res->part[k] == res->part[end - 1]; k++)
      if (!(tok (res, k)->flags & COPUB_TOKEN_DIGITS))
        return FALSE;
  return TRUE;
}

typedef struct {
  guint end;
  CopubPlace cands[MAX_CANDIDATES];
  guint n;
} Match;

/* "Montbonnot-Saint-Martin" names a town, not Saint Martin: a country never starts inside a
 * hyphenated word. */
static gboolean
inside_compound (const Resolve *res, guint start)
{
  const CopubToken *t = tok (res, start);

  gunichar before;

  if (start == 0 || t->sep != COPUB_SEP_JOIN || t->start == 0
      || !(tok (res, start - 1)->flags & COPUB_TOKEN_LETTERS))
    return FALSE;
  before = g_utf8_get_char (g_utf8_prev_char (res->text + t->start));
  return before == '-' || g_unichar_type (before) == G_UNICODE_DASH_PUNCTUATION;
}

/* Keeps the candidates of @places that suit the track (places, organisations or hints). */
static void
consider (const Resolve *res, guint start, guint end, const CopubPlace *places, guint n,
          gboolean crossing, Match tracks[3])
{
  Match found[3] = { { 0 } };

  for (guint k = 0; k < n; k++)
    {
      const CopubPlace *p = &places[k];
      guint track = is_place_kind (p->kind) ? 0 : p->kind == COPUB_PLACE_HINT ? 2 : 1;

      if ((track == 0 && crossing) || !case_ok (res, start, end, p) || !final_ok (res, end, p)
          || (p->kind == COPUB_PLACE_COUNTRY && inside_compound (res, start))
          || found[track].n >= MAX_CANDIDATES)
        continue;
      found[track].cands[found[track].n++] = *p;
    }
  for (guint t = 0; t < 3; t++)
    if (found[t].n > 0)
      {
        found[t].end = end;
        tracks[t] = found[t];
      }
}

static void
push_mention (Resolve *res, GArray *array, guint start, const Match *m)
{
  Mention mention = { .start = start, .end = m->end, .part = res->part[start],
                      .segment = res->segment[start], .n_cands = m->n };

  memcpy (mention.cands, m->cands, m->n * sizeof (CopubPlace));
  g_array_append_val (array, mention);
  if (array == res->places)
    for (guint k = start; k < m->end; k++)
      res->covered[k] = (gint) array->len - 1;
}

/* Leftmost-longest matching on three tracks: places (never across a comma), organisations
 * and hints (across commas: "University of California, San Diego"). */
static void
match_names (Resolve *res)
{
  GString *key = g_string_sized_new (128);
  guint next[3] = { 0, 0, 0 };
  GArray *arrays[3] = { res->places, res->orgs, res->hints };

  for (guint i = 0; i < res->n; i++)
    {
      Match tracks[3] = { { 0 } };
      gboolean crossing = FALSE;

      if (res->connector[i] || (i < next[0] && i < next[1] && i < next[2]))
        continue;
      g_string_truncate (key, 0);
      for (guint j = i; j < res->n && j < i + MAX_NGRAM; j++)
        {
          const CopubToken *t = tok (res, j);
          const CopubPlace *places;
          guint n_places;
          gboolean prefix;

          if (j > i)
            {
              if (t->sep == COPUB_SEP_PART)
                break;
              crossing |= t->sep >= COPUB_SEP_SEGMENT;
              g_string_append_c (key, ' ');
            }
          g_string_append_len (key, fold (res, j), t->fold_len);
          places = copub_gazetteer_lookup (res->gaz, key->str, &n_places, &prefix);
          if (n_places > 0)
            consider (res, i, j + 1, places, n_places, crossing, tracks);
          if (!prefix)
            break;
        }
      for (guint t = 0; t < 3; t++)
        if (tracks[t].end > 0 && i >= next[t])
          {
            push_mention (res, arrays[t], i, &tracks[t]);
            next[t] = tracks[t].end;
          }
    }
  g_string_free (key, TRUE);
}

/* ==== Postcodes and other patterns ======================================================= */

static const struct {
  const char *prefix;
  guint digits;
  const char *country;
} postcode_prefixes[] = {
  { "f", 5, "FR" }, { "fr", 5, "FR" }, { "d", 5, "DE" }, { "de", 5, "DE" }, { "ch", 4, "CH" },
  { "b", 4, "BE" }, { "be", 4, "BE" }, { "a", 4, "AT" }, { "at", 4, "AT" }, { "i", 5, "IT" },
  { "it", 5, "IT" }, { "e", 5, "ES" }, { "es", 5, "ES" }, { "nl", 4, "NL" }, { "l", 4, "LU" },
  { "lu", 4, "LU" }, { "s", 5, "SE" }, { "se", 3, "SE" }, { "dk", 4, "DK" }, { "n", 4, "NO" },
  { "no", 4, "NO" }, { "fin", 5, "FI" }, { "fi", 5, "FI" }, { "p", 4, "PT" }, { "pt", 4, "PT" },
  { "h", 4, "HU" }, { "hu", 4, "HU" }, { "gr", 5, "GR" }, { "si", 4, "SI" }, { "hr", 5, "HR" },
  { "mc", 5, "MC" }, { "cz", 3, "CZ" }, { "sk", 3, "SK" }, { "lt", 5, "LT" }, { "lv", 4, "LV" },
  { "ee", 5, "EE" }, { "bg", 4, "BG" }, { "ro", 6, "RO" }, { "cy", 4, "CY" }, { "is", 3, "IS" },
};

/* French overseas postcodes keep the territory's own code. */
static const char *
french_territory (const char *digits)
{
  static const struct { const char *prefix; const char *code; } territories[] = {
    { "971", "GP" }, { "972", "MQ" }, { "973", "GF" }, { "974", "RE" }, { "975", "PM" },
    { "976", "YT" }, { "977", "BL" }, { "978", "MF" }, { "986", "WF" }, { "987", "PF" },
    { "988", "NC" }, { "980", "MC" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (territories); i++)
    if (g_str_has_prefix (digits, territories[i].prefix))
      return territories[i].code;
  return "FR";
}

static const char *
prefixed_postcode (const char *prefix, gsize prefix_len, const char *digits, gsize n_digits)
{
  for (gsize i = 0; i < G_N_ELEMENTS (postcode_prefixes); i++)
    if (strlen (postcode_prefixes[i].prefix) == prefix_len
        && strncmp (postcode_prefixes[i].prefix, prefix, prefix_len) == 0
        && postcode_prefixes[i].digits == n_digits)
      return strcmp (postcode_prefixes[i].country, "FR") == 0 ? french_territory (digits)
                                                              : postcode_prefixes[i].country;
  return NULL;
}

/* "F-54000", "CH-1015", "D45470": a country letter code glued or hyphened to a postcode. */
static void
detect_prefixed_postcode (Resolve *res, guint i)
{
  const CopubToken *t = tok (res, i);
  const char *f = fold (res, i);
  const char *country = NULL;
  gsize letters = 0;

  while (g_ascii_isalpha (f[letters]))
    letters++;
  if (letters == 0 || letters > 3)
    return;
  if ((t->flags & COPUB_TOKEN_LETTERS) && (t->flags & COPUB_TOKEN_UPPER)
      && is_digits (res, i + 1, 0) && tok (res, i + 1)->sep <= COPUB_SEP_JOIN
      && tok (res, i + 1)->start - t->end <= 3)
    country = prefixed_postcode (f, letters, fold (res, i + 1), tok (res, i + 1)->fold_len);
  else if (!(t->flags & (COPUB_TOKEN_LETTERS | COPUB_TOKEN_DIGITS))
           && g_ascii_isupper (res->text[t->start]) && f[letters] != '\0')
    {
      gsize digits = strspn (f + letters, "0123456789");
      if (f[letters + digits] == '\0')
        country = prefixed_postcode (f, letters, f + letters, digits);
    }
  if (country != NULL)
    add_evidence (res, country, i, SOURCE_POSTCODE, FALSE);
}

static gboolean
upper_in (char c, const char *excluded)
{
  return g_ascii_isupper (c) && strchr (excluded, c) == NULL;
}

/* A British postcode ("CB2 0RE", "SW7 2AZ") at @p; the inward code never uses CIKMOV. */
static gboolean
uk_postcode_at (const char *p, const char *end)
{
  const char *q = p;

  if (!upper_in (*q, "QVX"))
    return FALSE;
  q++;
  if (q < end && g_ascii_isupper (*q))
    q++;
  if (q >= end || !g_ascii_isdigit (*q))
    return FALSE;
  q++;
  if (q < end && (g_ascii_isdigit (*q) || g_ascii_isupper (*q)))
    q++;
  if (q >= end || *q != ' ')
    return FALSE;
  q++;
  return q + 3 <= end && g_ascii_isdigit (q[0]) && upper_in (q[1], "CIKMOV")
         && upper_in (q[2], "CIKMOV") && (q + 3 == end || !g_ascii_isalnum (q[3]));
}

/* A Canadian postcode ("H3A 0G4") at @p. */
static gboolean
ca_postcode_at (const char *p, const char *end)
{
  const char *q = p;

  if (end - p < 6 || !upper_in (q[0], "DFIOQUWZ") || !g_ascii_isdigit (q[1])
      || !upper_in (q[2], "DFIOQU"))
    return FALSE;
  q += 3;
  if (*q == ' ' || *q == '-')
    q++;
  return q + 3 <= end && g_ascii_isdigit (q[0]) && upper_in (q[1], "DFIOQU")
         && g_ascii_isdigit (q[2]) && (q + 3 == end || !g_ascii_isalnum (q[3]));
}

/* "U 1171", "U1016", "EA 4711": a French research unit (Inserm unit, équipe d'accueil). */
static gboolean
unit_number (const Resolve *res, guint i)
{
  const CopubToken *t = tok (res, i);
  const char *f = fold (res, i);

  if (!(t->flags & COPUB_TOKEN_UPPER) && !(t->flags & COPUB_TOKEN_CAPITAL))
    return FALSE;
  if ((strcmp (f, "u") == 0 || strcmp (f, "ea") == 0) && is_digits (res, i + 1, 0)
      && tok (res, i + 1)->fold_len >= 3 && tok (res, i + 1)->fold_len <= 4)
    return TRUE;
  return (f[0] == 'u' || (f[0] == 'e' && f[1] == 'a')) && strlen (f) >= 4 && strlen (f) <= 6
         && strspn (f + (f[0] == 'u' ? 1 : 2), "0123456789") == strlen (f) - (f[0] == 'u' ? 1 : 2);
}

static void
add_unit_hint (Resolve *res, guint i)
{
  Mention hint = { .start = i, .end = i + 1, .part = res->part[i], .segment = res->segment[i],
                   .n_cands = 1 };

  hint.cands[0].kind = COPUB_PLACE_HINT;
  g_strlcpy (hint.cands[0].country, "FR", 3);
  g_array_append_val (res->hints, hint);
}

/* Whether the place named just before token @i can be in the United States. */
static gboolean
us_place_before (const Resolve *res, guint i)
{
  for (guint k = i; k-- > 0 && res->part[k] == res->part[i];)
    if (res->covered[k] >= 0)
      {
        const Mention *m = &g_array_index (res->places, Mention, res->covered[k]);
        for (guint c = 0; c < m->n_cands; c++)
          if (strcmp (m->cands[c].country, "US") == 0)
            return TRUE;
        return FALSE;
      }
  return FALSE;
}

static void
detect_patterns (Resolve *res)
{
  const char *end = res->text + res->len;

  for (guint i = 0; i < res->n; i++)
    {
      const CopubToken *t = tok (res, i);
      const char *p = res->text + t->start;
      gboolean word_start = t->start == 0 || !g_ascii_isalnum (p[-1]);

      detect_prefixed_postcode (res, i);
      if (is_digits (res, i, 5) && is_digits (res, i + 1, 4)
          && tok (res, i + 1)->sep == COPUB_SEP_JOIN && copub_gazetteer_zip_state (fold (res, i))
          && us_place_before (res, i))
        add_evidence (res, "US", i, SOURCE_POSTCODE, FALSE);
      if (word_start && g_ascii_isupper (*p) && uk_postcode_at (p, end))
        add_evidence (res, "GB", i, SOURCE_POSTCODE, FALSE);
      if (word_start && g_ascii_isupper (*p) && ca_postcode_at (p, end))
        add_evidence (res, "CA", i, SOURCE_POSTCODE, FALSE);
      if (fold_is (res, i, "cedex"))
        add_evidence (res, "FR", i, SOURCE_CEDEX, FALSE);
      if (unit_number (res, i))
        add_unit_hint (res, i);
    }
}

/* ==== Reading the mentions =============================================================== */

/* A number that may be a postcode: four digits or more, not a research unit's number
 * ("UMR 7585", "U1172", "EA 4711"). */
static gboolean
postcode_like (const Resolve *res, guint k)
{
  static const char *const units[] = { "umr", "umi", "upr", "ea", "u", "ur", "ulr", "ums", "usr",
                                       "fre", "ifr", "sfr", "uar", "inserm", "cnrs", "bp", "cs",
                                       "unit", "unite", "no", "n", "box", "inra", "umrs" };
  if (!is_digits (res, k, 0) || tok (res, k)->fold_len < 4)
    return FALSE;
  if (k == 0)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (fold_is (res, k - 1, units[i]))
      return FALSE;
  return TRUE;
}

static gboolean
street_word (const char *w)
{
  static const char *const words[] = {
    "rue", "avenue", "av", "ave", "boulevard", "bd", "blvd", "bvd", "quai", "allee", "chemin",
    "route", "impasse", "place", "cours", "street", "road", "rd", "lane", "via", "viale",
    "calle", "avenida", "avda", "rua", "strasse", "ulica", "ul", "piazza", "piazzale", "plaza",
    "square", "parvis", "esplanade", "faubourg", "rte", "str",
  };
  static const char *const suffixes[] = { "strasse", "straat", "gasse", "platz", "weg", "laan",
                                          "vej", "gatan", "gade", "veien" };
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (strcmp (w, words[i]) == 0)
      return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (w, suffixes[i]) && strlen (w) > strlen (suffixes[i]) + 2)
      return TRUE;
  return FALSE;
}

/* A place named after a street word in its component is the street's name ("avenue de
 * France"), until a postcode starts the town part ("12 rue X 75005 Paris"). */
static gboolean
in_street_name (const Resolve *res, const Mention *m)
{
  gboolean street = FALSE;

  for (guint k = m->start; k-- > 0 && res->segment[k] == m->segment;)
    {
      if (is_digits (res, k, 0) && tok (res, k)->fold_len >= 4)
        return FALSE;
      if (street_word (fold (res, k)))
        street = TRUE;
    }
  return street;
}

/* Words an address component may hold besides its place: numbers, postcodes, "Cedex". */
static gboolean
filler (const Resolve *res, guint k)
{
  static const char *const words[] = { "cedex", "bp", "cs", "po", "box", "the", "of", "de",
                                       "la", "le", "les", "du", "d", "l", "city", "cdx" };
  const CopubToken *t = tok (res, k);

  if (!(t->flags & COPUB_TOKEN_LETTERS) || t->fold_len == 1 || res->covered[k] >= 0
      || res->connector[k])
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (strcmp (fold (res, k), words[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_kind (const Mention *m, guint8 kind)
{
  for (guint i = 0; i < m->n_cands; i++)
    if (m->cands[i].kind == kind)
      return TRUE;
  return FALSE;
}

static gboolean
shares_country (const Mention *a, const Mention *b)
{
  for (guint i = 0; i < a->n_cands; i++)
    for (guint j = 0; j < b->n_cands; j++)
      if (strcmp (a->cands[i].country, b->cands[j].country) == 0)
        return TRUE;
  return FALSE;
}

/* An address component: the rest of the mention's segment is filler, or it sits right
 * before a country, right next to a postcode, or before "Cedex". */
static gboolean
address_like (const Resolve *res, const Mention *m)
{
  gboolean all_filler = TRUE;

  for (guint k = m->start; k-- > 0 && res->segment[k] == m->segment;)
    all_filler &= filler (res, k);
  for (guint k = m->end; k < res->n && res->segment[k] == m->segment; k++)
    all_filler &= filler (res, k);
  if (m->end < res->n && res->segment[m->end] == m->segment)
    {
      gint next = res->covered[m->end];
      const Mention *n = next >= 0 ? &g_array_index (res->places, Mention, next) : NULL;
      /* "INSA Rouen": of two cities in a row, the second is the town */
      if (n != NULL && has_kind (n, COPUB_PLACE_CITY) && has_kind (m, COPUB_PLACE_CITY))
        return FALSE;
      if ((n != NULL && shares_country (m, n)) || postcode_like (res, m->end)
          || fold_is (res, m->end, "cedex"))
        return TRUE;
    }
  if (all_filler)
    return TRUE;
  return m->start > 0 && res->segment[m->start - 1] == m->segment
         && postcode_like (res, m->start - 1);
}

static void
remove_candidates (Mention *m, guint8 kind, guint8 flags)
{
  guint kept = 0;

  for (guint c = 0; c < m->n_cands; c++)
    if (!(m->cands[c].kind == kind && (flags == 0 || (m->cands[c].flags & flags))))
      m->cands[kept++] = m->cands[c];
  m->n_cands = kept;
  if (kept == 0)
    m->dropped = TRUE;
}

static gboolean
next_to_postcode (const Resolve *res, const Mention *m)
{
  return (m->start > 0 && res->segment[m->start - 1] == m->segment
          && postcode_like (res, m->start - 1))
         || (m->end < res->n && res->segment[m->end] == m->segment
             && fold_is (res, m->end, "cedex"));
}

/* A city in capitals ("CHU", "INSA", "SUEZ") is an acronym, unless a postcode stands by it
 * or the text is all in capitals. */
static gboolean
acronym_city (const Resolve *res, const Mention *m)
{
  guint letters = 0;

  for (guint k = m->start; k < m->end; k++)
    {
      if (!(tok (res, k)->flags & COPUB_TOKEN_UPPER))
        return FALSE;
      letters += tok (res, k)->fold_len;
    }
  return letters <= 5 && !res->caseless && !next_to_postcode (res, m);
}

/* "Victoria Street", "London Road": a street named after a place. */
static gboolean
street_after (const Resolve *res, const Mention *m)
{
  static const char *const words[] = { "street", "road", "avenue", "ave", "lane", "drive",
                                       "boulevard", "blvd", "way", "square", "st", "rd" };
  if (m->end >= res->n || res->segment[m->end] != m->segment)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (fold_is (res, m->end, words[i]))
      return TRUE;
  return FALSE;
}

/* "Université de Lyon", "University of Edinburgh", "CHU de Nantes": a university or a
 * hospital named after its town says where it is. */
static gboolean
after_university (const Resolve *res, const Mention *m)
{
  static const char *const names[] = {
    "university", "universite", "universidad", "universita", "universitat", "universitet",
    "universiteit", "universidade", "uniwersytet", "univerzita", "universitas",
    "universitatea", "univ", "uni",
  };
  static const char *const hospitals[] = { "chu", "hopital", "hospital", "chr", "ch" };
  static const char *const links[] = { "of", "de", "d", "di", "degli", "studi", "del",
                                       "della", "do", "da", "du", "des", "van", "la", "le",
                                       "the", "at", "in" };
  for (guint k = m->start; k-- > 0 && res->segment[k] == m->segment;)
    {
      const char *w = fold (res, k);
      gboolean link = FALSE;
      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (strcmp (w, names[i]) == 0)
          return TRUE;
      /* "CHU de Nantes", but not "CHU Cochin": hospitals are named after people too */
      for (gsize i = 0; i < G_N_ELEMENTS (hospitals); i++)
        if (strcmp (w, hospitals[i]) == 0)
          return k + 1 < m->start;
      for (gsize i = 0; i < G_N_ELEMENTS (links); i++)
        link |= strcmp (w, links[i]) == 0;
      if (!link)
        return FALSE;
    }
  return FALSE;
}

static void
classify_mentions (Resolve *res)
{
  for (guint i = 0; i < res->places->len; i++)
    {
      Mention *m = &g_array_index (res->places, Mention, i);
      m->final = sep_after (res, m->end - 1) >= COPUB_SEP_SEGMENT;
      m->address = address_like (res, m) || after_university (res, m);
      if (in_street_name (res, m) || street_after (res, m))
        m->dropped = TRUE;
      if (!m->address)
        remove_candidates (m, COPUB_PLACE_COUNTRY, COPUB_PLACE_FINAL);
      if (!m->dropped && acronym_city (res, m))
        remove_candidates (m, COPUB_PLACE_CITY, 0);
    }
}

/* The single country a mention can only mean, or NULL. */
static const char *
only_country (const Mention *m)
{
  for (guint i = 1; i < m->n_cands; i++)
    if (strcmp (m->cands[i].country, m->cands[0].country) != 0)
      return NULL;
  return m->n_cands > 0 ? m->cands[0].country : NULL;
}

/* "Saint Gilles, France", "Camden, NSW": a town followed by a country or region it is not
 * in is a namesake missing from the gazetteer; it yields to what follows. */
static void
drop_contradicted (Resolve *res)
{
  for (guint i = 0; i + 1 < res->places->len; i++)
    {
      Mention *m = &g_array_index (res->places, Mention, i);
      const Mention *n = NULL;
      const char *country;

      /* the next country or region of the affiliation, past other towns */
      for (guint j = i + 1; j < res->places->len && n == NULL; j++)
        {
          const Mention *c = &g_array_index (res->places, Mention, j);
          if (!c->dropped && !(has_kind (c, COPUB_PLACE_CITY) && c->segment != m->segment))
            n = c;
        }
      if (m->dropped || n == NULL || n->part != m->part || has_kind (m, COPUB_PLACE_COUNTRY)
          || has_kind (n, COPUB_PLACE_CITY))
        continue;
      country = only_country (n);
      if (country != NULL && !shares_country (m, n))
        m->dropped = TRUE;
    }
}

/* ==== Region abbreviations ("GA", "NSW", "QC") =========================================== */

/* Abbreviations that are also words or country codes need more than a place before them. */
static gboolean
code_needs_context (const char *region)
{
  static const char *const risky[] = {
    "AL", "AR", "AZ", "CA", "CO", "DE", "GA", "ID", "IL", "IN", "KY", "LA", "MA", "MD", "ME",
    "MN", "MO", "MS", "MT", "NC", "NE", "PA", "SC", "SD", "TN", "VA", "HI", "OR", "OK", "ON",
    "AB", "BC", "MB", "NB", "NL", "NS", "PE", "SK", "NT", "NU", "YT", "SA", "WA", "ACT", "DC",
    "QC",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (risky); i++)
    if (strcmp (region, risky[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The place mention just before @m in the same part, or NULL. */
static const Mention *
previous_mention (const Resolve *res, const Mention *m)
{
  for (guint k = m->start; k-- > 0 && res->part[k] == m->part;)
    if (res->covered[k] >= 0)
      return &g_array_index (res->places, Mention, res->covered[k]);
    else if (!(tok (res, k)->flags & COPUB_TOKEN_LETTERS) || tok (res, k)->fold_len == 1)
      continue;
    else
      return NULL;
  return NULL;
}

static gboolean
country_named_in_part (const Resolve *res, guint part, const char *country)
{
  for (guint i = 0; i < res->places->len; i++)
    {
      const Mention *m = &g_array_index (res->places, Mention, i);
      if (m->part != part || m->dropped || m->n_cands == 0)
        continue;
      for (guint c = 0; c < m->n_cands; c++)
        if (m->cands[c].kind == COPUB_PLACE_COUNTRY && strcmp (m->cands[c].country, country))
          goto next;
      for (guint c = 0; c < m->n_cands; c++)
        if (m->cands[c].kind == COPUB_PLACE_COUNTRY)
          return TRUE;
    next:;
    }
  return FALSE;
}

/* Whether abbreviation @c of mention @m is backed: a matching ZIP or postcode after it, a
 * city of that state before it, the country named in the same affiliation, or (for the
 * unambiguous ones) being the last word of the affiliation after a town. */
static gboolean
code_backed (const Resolve *res, const Mention *m, const CopubPlace *c)
{
  const Mention *prev = previous_mention (res, m);
  guint next = m->end;

  if (next < res->n && res->part[next] == m->part)
    {
      const char *zip = is_digits (res, next, 5) ? fold (res, next) : NULL;
      if (zip != NULL && strcmp (c->country, "US") == 0
          && g_strcmp0 (copub_gazetteer_zip_state (zip), c->region) == 0)
        return TRUE;
      if (strcmp (c->country, "AU") == 0 && is_digits (res, next, 4))
        return TRUE;
      if (strcmp (c->country, "CA") == 0
          && ca_postcode_at (res->text + tok (res, next)->start, res->text + res->len))
        return TRUE;
    }
  for (guint i = 0; prev != NULL && i < prev->n_cands; i++)
    if (prev->cands[i].kind == COPUB_PLACE_CITY && strcmp (prev->cands[i].country, c->country) == 0
        && strcmp (prev->cands[i].region, c->region) == 0)
      return TRUE;
  if (country_named_in_part (res, m->part, c->country))
    return TRUE;
  return !res->caseless && !code_needs_context (c->region) && m->final && m->start > 0
         && sep_after (res, m->end - 1) == COPUB_SEP_PART
         && (tok (res, m->start - 1)->flags & (COPUB_TOKEN_CAPITAL | COPUB_TOKEN_UPPER));
}

/* Keeps a region abbreviation only when backed; drops its other readings either way. */
static void
validate_codes (Resolve *res)
{
  for (guint i = 0; i < res->places->len; i++)
    {
      Mention *m = &g_array_index (res->places, Mention, i);
      guint kept = 0;

      if (m->dropped || !has_kind (m, COPUB_PLACE_REGION_CODE))
        continue;
      for (guint c = 0; c < m->n_cands; c++)
        {
          if (m->cands[c].kind == COPUB_PLACE_REGION_CODE
              && !code_backed (res, m, &m->cands[c]))
            continue;
          m->cands[kept++] = m->cands[c];
        }
      m->n_cands = kept;
      m->dropped = kept == 0;
    }
}

/* ==== Deciding =========================================================================== */

/* The readings of a mention: one per country, the strongest kind first. */
typedef struct {
  char country[3];
  guint8 kind;
  guint32 population;
} Reading;

typedef struct {
  Reading r[MAX_CANDIDATES];
  guint n;
  gint fallback;     /* index of the reading to take without context, or -1 */
  gboolean strong;   /* the fallback holds even against other places of the affiliation */
} Readings;

static void
readings_add (Readings *rs, const CopubPlace *p)
{
  for (guint i = 0; i < rs->n; i++)
    if (strcmp (rs->r[i].country, p->country) == 0)
      {
        if (p->kind < rs->r[i].kind)
          rs->r[i].kind = p->kind;
        rs->r[i].population = MAX (rs->r[i].population, p->value);
        return;
      }
  if (rs->n >= MAX_CANDIDATES)
    return;
  g_strlcpy (rs->r[rs->n].country, p->country, 3);
  rs->r[rs->n].kind = p->kind;
  rs->r[rs->n].population = p->value;
  rs->n++;
}

static gint
readings_find (const Readings *rs, guint8 kind, guint *count)
{
  gint found = -1;

  *count = 0;
  for (guint i = 0; i < rs->n; i++)
    if (rs->r[i].kind == kind)
      {
        if (found < 0)
          found = (gint) i;
        (*count)++;
      }
  return found;
}

/* Which reading to take when nothing else in the string decides. A country named outright
 * wins, except that a name inside an institution's name ("Georgia Institute of Technology")
 * is read as the region; a city goes to its far most populous namesake. */
static void
readings_fallback (const Mention *m, Readings *rs)
{
  guint n_countries, n_regions, n_cities;
  gint country = readings_find (rs, COPUB_PLACE_COUNTRY, &n_countries);
  gint region = readings_find (rs, COPUB_PLACE_REGION, &n_regions);
  gint city = readings_find (rs, COPUB_PLACE_CITY, &n_cities);

  rs->fallback = -1;
  rs->strong = FALSE;
  if (n_countries == 1 && region >= 0 && n_regions == 1 && !m->address)
    rs->fallback = region;
  else if (n_countries == 1)
    rs->fallback = country, rs->strong = m->address || m->final;
  else if (n_countries == 0 && n_regions == 1)
    rs->fallback = region;
  else if (n_countries == 0 && n_regions == 0 && n_cities > 0)
    {
      guint32 best = 0, second = 0;
      for (guint i = 0; i < rs->n; i++)
        if (rs->r[i].population > best)
          second = best, best = rs->r[i].population, city = (gint) i;
        else if (rs->r[i].population > second)
          second = rs->r[i].population;
      if (best >= (guint64) second * DOMINANCE)
        rs->fallback = city, rs->strong = best >= (guint64) second * STRONG_DOMINANCE;
    }
}

static void
mention_readings (const Mention *m, Readings *rs)
{
  memset (rs, 0, sizeof *rs);
  for (guint i = 0; i < m->n_cands; i++)
    readings_add (rs, &m->cands[i]);
  readings_fallback (m, rs);
}

/* Mentions that speak for a place: everything but a city inside a longer name. */
static void
mark_embedded (Resolve *res)
{
  for (guint i = 0; i < res->places->len; i++)
    {
      Mention *m = &g_array_index (res->places, Mention, i);
      m->embedded = !m->address && !has_kind (m, COPUB_PLACE_COUNTRY)
                    && !has_kind (m, COPUB_PLACE_REGION) && !has_kind (m, COPUB_PLACE_REGION_CODE);
    }
}

typedef struct {
  char codes[32][3];
  guint n;
} CountrySet;

static gboolean
set_has (const CountrySet *set, const char *code)
{
  for (guint i = 0; i < set->n; i++)
    if (strcmp (set->codes[i], code) == 0)
      return TRUE;
  return FALSE;
}

static void
set_add (CountrySet *set, const char *code)
{
  if (!set_has (set, code) && set->n < G_N_ELEMENTS (set->codes))
    g_strlcpy (set->codes[set->n++], code, 3);
}

/* The countries a part (or, with @part < 0, the string) states without ambiguity. */
static void
certain_countries (const Resolve *res, gint part, gboolean embedded, CountrySet *out)
{
  memset (out, 0, sizeof *out);
  for (guint i = 0; i < res->places->len; i++)
    {
      const Mention *m = &g_array_index (res->places, Mention, i);
      Readings rs;
      if (m->dropped || m->embedded != embedded || (part >= 0 && m->part != (guint) part))
        continue;
      mention_readings (m, &rs);
      if (rs.n == 1)
        set_add (out, rs.r[0].country);
    }
  for (guint i = 0; !embedded && i < res->evidence->len; i++)
    {
      const Evidence *ev = &g_array_index (res->evidence, Evidence, i);
      if (part < 0 || ev->part == (guint) part)
        set_add (out, ev->country);
    }
}

static gint
readings_pick (const Readings *rs, const CountrySet *support)
{
  if (rs->fallback >= 0 && set_has (support, rs->r[rs->fallback].country))
    return rs->fallback;
  for (guint i = 0; i < rs->n; i++)
    if (set_has (support, rs->r[i].country))
      return (gint) i;
  return -1;
}

/* Two ambiguous names that share a reading settle each other: "Athens, Georgia". Writes
 * the shared country, or "", to @out. */
static void
shared_reading (const Resolve *res, guint part, gboolean embedded, char out[3])
{
  CountrySet seen = { 0 };
  guint counts[32] = { 0 };
  guint best = 0;

  for (guint i = 0; i < res->places->len; i++)
    {
      const Mention *m = &g_array_index (res->places, Mention, i);
      Readings rs;
      if (m->dropped || m->embedded != embedded || m->part != part || m->country[0] != '\0')
        continue;
      mention_readings (m, &rs);
      for (guint r = 0; rs.n > 1 && r < rs.n; r++)
        {
          set_add (&seen, rs.r[r].country);
          for (guint s = 0; s < seen.n; s++)
            if (strcmp (seen.codes[s], rs.r[r].country) == 0)
              counts[s]++;
        }
    }
  for (guint s = 1; s < seen.n; s++)
    if (counts[s] > counts[best])
      best = s;
  g_strlcpy (out, seen.n > 0 && counts[best] >= 2 ? seen.codes[best] : "", 3);
}

static void
resolve_mention (Mention *m, const CountrySet *part_support, const CountrySet *all_support,
                 const char *shared)
{
  Readings rs;
  gint pick;

  mention_readings (m, &rs);
  if (rs.n == 0)
    {
      m->dropped = TRUE;
      return;
    }
  pick = rs.n == 1 ? 0 : readings_pick (&rs, part_support);
  if (pick < 0)
    pick = readings_pick (&rs, all_support);
  for (guint i = 0; pick < 0 && shared[0] != '\0' && i < rs.n; i++)
    if (strcmp (rs.r[i].country, shared) == 0)
      pick = (gint) i;
  if (pick < 0 && rs.fallback >= 0 && (rs.strong || part_support->n == 0))
    pick = rs.fallback;
  if (pick < 0)
    m->dropped = TRUE;
  else
    g_strlcpy (m->country, rs.r[pick].country, 3);
}

static void
resolve_part (Resolve *res, guint part, gboolean embedded)
{
  CountrySet part_support, all_support;
  char shared[3];

  certain_countries (res, (gint) part, embedded, &part_support);
  certain_countries (res, -1, embedded, &all_support);
  shared_reading (res, part, embedded, shared);
  for (guint i = 0; i < res->places->len; i++)
    {
      Mention *m = &g_array_index (res->places, Mention, i);
      if (!m->dropped && m->embedded == embedded && m->part == part)
        resolve_mention (m, &part_support, &all_support, shared);
    }
}

/* ==== Territories ======================================================================== */

/* Territories with their own ISO code keep it: "Hong Kong, China" is HK, "Nouméa, New
 * Caledonia, France" is NC. Harmonising them is the analyser's business. */
static const char *
sovereign_of (const char *territory)
{
  if (strcmp (territory, "HK") == 0 || strcmp (territory, "MO") == 0
      || strcmp (territory, "TW") == 0)
    return "CN";
  return copub_country_is_french_territory (territory) ? "FR" : NULL;
}

static void
collect_mention_evidence (Resolve *res)
{
  for (guint i = 0; i < res->places->len; i++)
    {
      const Mention *m = &g_array_index (res->places, Mention, i);
      Readings rs;
      if (m->dropped || m->embedded || m->country[0] == '\0')
        continue;
      mention_readings (m, &rs);
      add_evidence (res, m->country, m->start, SOURCE_MENTION,
                    has_kind (m, COPUB_PLACE_COUNTRY) && rs.n == 1);
    }
}

static void
absorb_territories (Resolve *res)
{
  for (guint i = 0; i < res->evidence->len; i++)
    {
      const Evidence *t = &g_array_index (res->evidence, Evidence, i);
      const char *sovereign = sovereign_of (t->country);

      for (guint j = 0; sovereign != NULL && j < res->evidence->len; j++)
        {
          Evidence *ev = &g_array_index (res->evidence, Evidence, j);
          if (ev->part == t->part && strcmp (ev->country, sovereign) == 0
              && (ev->country_name || ev->source == SOURCE_CEDEX)
              && (ev->token > t->token || ev->source == SOURCE_CEDEX))
            ev->dropped = TRUE;
        }
    }
}

/* ==== Institutions, e-mail, hints ======================================================== */

/* Whether organisation @index is a parent or a child of an organisation another mention of
 * the string names: "Laboratoire X, Université de Lorraine". */
static gboolean
related_elsewhere (const Resolve *res, const Mention *m, guint index)
{
  for (guint i = 0; i < res->orgs->len; i++)
    {
      const Mention *other = &g_array_index (res->orgs, Mention, i);
      for (guint c = 0; other != m && c < other->n_cands; c++)
        {
          guint o = other->cands[c].value;
          if (other->cands[c].kind == COPUB_PLACE_INSTITUTION && o != index
              && (copub_gazetteer_is_parent (res->gaz, index, o)
                  || copub_gazetteer_is_parent (res->gaz, o, index)))
            return TRUE;
        }
    }
  return FALSE;
}

/* Whether a name mention is the whole of its address components: "University of Cambridge"
 * is, "Xavier Institute of Engineering" holds a shorter name that is not. */
static gboolean
whole_components (const Resolve *res, const Mention *m)
{
  guint start = m->start;

  while (start > 0 && res->segment[start - 1] == res->segment[start]
         && (fold_is (res, start - 1, "the") || is_digits (res, start - 1, 0)))
    start--;
  return (start == 0 || res->segment[start - 1] != res->segment[start])
         && (m->end >= res->n || res->segment[m->end] != res->segment[m->end - 1]);
}

/* Whether a name mention ends its address component and is long enough (three words) to be
 * a name rather than a phrase: "Department of Chemistry University of Cambridge". */
static gboolean
ends_component (const Resolve *res, const Mention *m)
{
  return m->end - m->start >= 3
         && (m->end >= res->n || res->segment[m->end] != res->segment[m->end - 1]);
}

/* The organisation a name mention designates: its only one, or the only one in @countries. */
static const CopubOrganisation *
mention_organisation (const Resolve *res, const Mention *m, const CopubAffiliation *aff,
                      gboolean acronym)
{
  const CopubOrganisation *found = NULL;

  for (guint i = 0; i < m->n_cands; i++)
    {
      const CopubPlace *p = &m->cands[i];
      const CopubOrganisation *org;
      if ((p->kind == COPUB_PLACE_ACRONYM) != acronym)
        continue;
      /* in any country, a name many countries' organisations share designates none */
      if (aff == NULL && (p->flags & COPUB_PLACE_GENERIC))
        continue;
      org = copub_gazetteer_organisation (res->gaz, p->value);
      if (org == NULL || (aff != NULL && !copub_affiliation_has_country (aff, org->country)))
        continue;
      /* "Laboratoire de Chimie Organique Appliquée" is not the "Laboratoire de Chimie" */
      if (!whole_components (res, m) && !related_elsewhere (res, m, p->value))
        continue;
      if (found != NULL && found != org)
        return NULL;
      found = org;
    }
  return found;
}

/* A one-word name decides nothing on its own unless it is long and not in capitals (those
 * are acronyms in all but name). */
static gboolean
name_specific (const Resolve *res, const Mention *m)
{
  return m->end - m->start >= 2
         || (tok (res, m->start)->fold_len >= 6 && !(tok (res, m->start)->flags
                                                     & COPUB_TOKEN_UPPER));
}

/* The country all the organisations of a mention share, or NULL. A name several
 * organisations bear decides only when they share a country, or when the string names the
 * parent or a child of just one country's; a name that is only part of its address
 * component, or a single word, needs such a relative named beside it. */
static const char *
mention_org_country (const Resolve *res, const Mention *m)
{
  const char *country = NULL, *related = NULL;
  gboolean ambiguous = FALSE, related_ambiguous = FALSE;
  gboolean alone = (whole_components (res, m) || ends_component (res, m))
                   && name_specific (res, m);

  for (guint i = 0; i < m->n_cands; i++)
    {
      const CopubOrganisation *org;
      if (m->cands[i].kind != COPUB_PLACE_INSTITUTION)
        continue;
      org = copub_gazetteer_organisation (res->gaz, m->cands[i].value);
      if (org == NULL || org->country[0] == '\0')
        continue;
      if (related_elsewhere (res, m, m->cands[i].value))
        {
          related_ambiguous |= related != NULL && strcmp (related, org->country) != 0;
          related = org->country;
        }
      ambiguous |= country != NULL && strcmp (country, org->country) != 0;
      alone &= !(m->cands[i].flags & COPUB_PLACE_GENERIC);
      country = org->country;
    }
  if (related != NULL && !related_ambiguous)
    return related;
  return alone && !ambiguous ? country : NULL;
}

/* Whether the string names a place anywhere: then organisations add no country (their
 * names are homonyms, or the address already says where they are). */
static gboolean
has_place_evidence (const Resolve *res)
{
  for (guint i = 0; i < res->evidence->len; i++)
    if (!g_array_index (res->evidence, Evidence, i).dropped)
      return TRUE;
  return FALSE;
}

static void
pick_institution (const Resolve *res, CopubAffiliation *aff)
{
  const CopubOrganisation *org = NULL;

  for (guint pass = 0; pass < 3 && org == NULL; pass++)
    for (guint i = 0; i < res->orgs->len && org == NULL; i++)
      {
        const Mention *m = &g_array_index (res->orgs, Mention, i);
        /* names in the affiliation's countries, then any name, then corroborated acronyms */
        org = mention_organisation (res, m, pass == 1 ? NULL : aff, pass == 2);
      }
  if (org == NULL)
    return;
  aff->institution_id = org->id;
  aff->institution_name = org->name;
  aff->institution_country = org->country[0] != '\0' ? org->country : NULL;
}

/* Hint words vote; the most voted country wins, ties are all kept (at most two). */
static void
apply_hints (const Resolve *res, CopubAffiliation *aff)
{
  CountrySet seen = { 0 };
  guint votes[32] = { 0 };
  guint best = 0, n_best = 0;

  for (guint i = 0; i < res->hints->len; i++)
    {
      const Mention *m = &g_array_index (res->hints, Mention, i);
      for (guint c = 0; c < m->n_cands; c++)
        {
          set_add (&seen, m->cands[c].country);
          for (guint s = 0; s < seen.n; s++)
            votes[s] += strcmp (seen.codes[s], m->cands[c].country) == 0;
        }
    }
  for (guint s = 0; s < seen.n; s++)
    best = MAX (best, votes[s]);
  for (guint s = 0; s < seen.n; s++)
    n_best += votes[s] == best;
  for (guint s = 0; best > 0 && n_best <= 2 && s < seen.n; s++)
    if (votes[s] == best)
      affiliation_add (aff, seen.codes[s]);
}

/* ==== Putting it together ================================================================ */

static guint32
mention_population (const Mention *m)
{
  guint32 population = 0;

  for (guint c = 0; c < m->n_cands; c++)
    if (strcmp (m->cands[c].country, m->country) == 0)
      population = MAX (population, m->cands[c].value);
  return population;
}

/* Cities inside names, as a last resort. When they disagree ("Saint Jerome Catholic
 * University of Douala"), the hint words decide, else the largest city. */
static void
add_embedded (Resolve *res, CopubAffiliation *aff)
{
  CountrySet hinted = { 0 }, found = { 0 };
  const Mention *best = NULL;

  for (guint i = 0; i < res->hints->len; i++)
    {
      const Mention *h = &g_array_index (res->hints, Mention, i);
      for (guint c = 0; c < h->n_cands; c++)
        set_add (&hinted, h->cands[c].country);
    }
  for (guint pass = 0; pass < 2 && found.n == 0; pass++)
    for (guint i = 0; i < res->places->len; i++)
      {
        const Mention *m = &g_array_index (res->places, Mention, i);
        if (!m->embedded || m->dropped || m->country[0] == '\0'
            || (pass == 0 && !set_has (&hinted, m->country))
            || (pass == 1 && hinted.n > 0 && !m->final))
          continue;
        set_add (&found, m->country);
        if (best == NULL || mention_population (m) > mention_population (best))
          best = m;
      }
  if (found.n == 0)
    return;
  if (found.n == 1)
    affiliation_add (aff, found.codes[0]);
  else
    affiliation_add (aff, best->country);
  res->level = MAX (res->level, COPUB_EVIDENCE_WEAK);
}

static void
decide_part (Resolve *res, guint part, CopubAffiliation *aff)
{
  CopubAffiliation local;
  gboolean any = FALSE;

  copub_affiliation_init (&local);
  for (guint i = 0; i < res->evidence->len; i++)
    {
      const Evidence *ev = &g_array_index (res->evidence, Evidence, i);
      if (ev->part == part && !ev->dropped)
        affiliation_add (aff, ev->country), any = TRUE;
    }
  if (any)
    {
      res->level = MAX (res->level, COPUB_EVIDENCE_PLACE);
      return;
    }
  for (guint i = 0; !has_place_evidence (res) && i < res->orgs->len; i++)
    {
      const Mention *m = &g_array_index (res->orgs, Mention, i);
      const char *country = m->part == part ? mention_org_country (res, m) : NULL;
      if (country != NULL)
        affiliation_add (aff, country), any = TRUE;
    }
  if (any)
    res->level = MAX (res->level, COPUB_EVIDENCE_INSTITUTION);
}

static void
decide (Resolve *res, CopubAffiliation *aff)
{
  for (guint part = 0; part < res->n_parts; part++)
    resolve_part (res, part, FALSE);
  collect_mention_evidence (res);
  absorb_territories (res);
  for (guint part = 0; part < res->n_parts; part++)
    decide_part (res, part, aff);
  if (aff->n_countries == 0)
    {
      for (guint i = 0; i < res->n_tlds; i++)
        affiliation_add (aff, res->tlds[i]);
      if (aff->n_countries > 0)
        res->level = COPUB_EVIDENCE_INSTITUTION;
    }
  for (guint part = 0; aff->n_countries == 0 && part < res->n_parts; part++)
    resolve_part (res, part, TRUE);
  if (aff->n_countries == 0)
    add_embedded (res, aff);
  if (aff->n_countries == 0)
    {
      apply_hints (res, aff);
      if (aff->n_countries > 0)
        res->level = COPUB_EVIDENCE_WEAK;
    }
  aff->evidence = aff->n_countries > 0 ? res->level : COPUB_EVIDENCE_NONE;
  pick_institution (res, aff);
}

static void
trace_mentions (const Resolve *res, GArray *array, const char *what)
{
  for (guint i = 0; i < array->len; i++)
    {
      const Mention *m = &g_array_index (array, Mention, i);
      GString *line = g_string_new (NULL);
      g_string_append_printf (line, "%s [%.*s] part %u seg %u%s%s%s%s ->%s:", what,
                              (int) (tok (res, m->end - 1)->end - tok (res, m->start)->start),
                              res->text + tok (res, m->start)->start, m->part, m->segment,
                              m->address ? " address" : "", m->final ? " final" : "",
                              m->dropped ? " dropped" : "", m->embedded ? " embedded" : "",
                              m->country);
      for (guint c = 0; c < m->n_cands; c++)
        g_string_append_printf (line, " %d/%s/%s/%u", m->cands[c].kind, m->cands[c].country,
                                m->cands[c].region, m->cands[c].value);
      g_debug ("%s", line->str);
      g_string_free (line, TRUE);
    }
}

static void
trace (const Resolve *res)
{
  trace_mentions (res, res->places, "place");
  trace_mentions (res, res->orgs, "org");
  trace_mentions (res, res->hints, "hint");
  for (guint i = 0; i < res->evidence->len; i++)
    {
      const Evidence *ev = &g_array_index (res->evidence, Evidence, i);
      g_debug ("evidence %s part %u token %u source %d%s", ev->country, ev->part, ev->token,
               ev->source, ev->dropped ? " dropped" : "");
    }
}

static void
resolve_clear (Resolve *res)
{
  g_free (res->text);
  copub_tokens_clear (&res->tokens);
  g_free (res->segment);
  g_free (res->part);
  g_free (res->covered);
  g_free (res->connector);
  g_array_free (res->places, TRUE);
  g_array_free (res->orgs, TRUE);
  g_array_free (res->hints, TRUE);
  g_array_free (res->evidence, TRUE);
}

gboolean
copub_normaliser_resolve (const CopubNormaliser *nz, const char *raw, gssize len,
                          CopubAffiliation *out)
{
  Resolve res = { .gaz = nz->gazetteer, .trace = nz->trace };

  copub_affiliation_clear (out);
  copub_tokens_init (&res.tokens);
  res.places = g_array_new (FALSE, FALSE, sizeof (Mention));
  res.orgs = g_array_new (FALSE, FALSE, sizeof (Mention));
  res.hints = g_array_new (FALSE, FALSE, sizeof (Mention));
  res.evidence = g_array_new (FALSE, FALSE, sizeof (Evidence));
  prepare (&res, raw, len);
  copub_gazetteer_tokenize (res.text, res.len, MAX_TOKENS, &res.tokens);
  res.n = res.tokens.tokens->len;
  structure (&res);
  match_names (&res);
  detect_patterns (&res);
  classify_mentions (&res);
  validate_codes (&res);
  drop_contradicted (&res);
  mark_embedded (&res);
  decide (&res, out);
  if (res.trace)
    trace (&res);
  resolve_clear (&res);
  return out->n_countries > 0;
}

/* ---- filling in works --------------------------------------------------------------------- */

static void
add_inferred (CopubAuthorship *auth, const CopubAffiliation *aff)
{
  for (guint i = 0; i < aff->n_countries; i++)
    {
      gboolean seen = FALSE;
      for (guint j = 0; j < auth->inferred->len; j++)
        seen |= strcmp (g_ptr_array_index (auth->inferred, j), aff->countries[i]) == 0;
      if (!seen)
        g_ptr_array_add (auth->inferred, g_strdup (aff->countries[i]));
    }
}

static int
compare_codes (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

guint
copub_normaliser_fill_work (const CopubNormaliser *normaliser, CopubWork *work)
{
  guint filled = 0;

  for (guint i = 0; i < work->authorships->len; i++)
    {
      CopubAuthorship *auth = g_ptr_array_index (work->authorships, i);
      if (auth->countries->len > 0)
        continue;
      g_ptr_array_set_size (auth->inferred, 0);
      for (guint j = 0; j < auth->raw_affiliations->len; j++)
        {
          CopubAffiliation aff;
          copub_affiliation_init (&aff);
          if (copub_normaliser_resolve (normaliser, g_ptr_array_index (auth->raw_affiliations, j),
                                        -1, &aff))
            add_inferred (auth, &aff);
          copub_affiliation_clear (&aff);
        }
      /* HAL structures without a country: the registry's country for their ROR id, else
       * their names are all there is. */
      for (guint j = 0; auth->raw_affiliations->len == 0 && j < auth->institutions->len; j++)
        {
          const CopubInstitution *inst = g_ptr_array_index (auth->institutions, j);
          const CopubOrganisation *org = NULL;
          CopubAffiliation aff;
          guint index;
          if (inst->ror != NULL && copub_gazetteer_ror_index (normaliser->gazetteer, inst->ror,
                                                              &index))
            org = copub_gazetteer_organisation (normaliser->gazetteer, index);
          if (org != NULL && org->country[0] != '\0')
            {
              copub_affiliation_init (&aff);
              affiliation_add (&aff, org->country);
              add_inferred (auth, &aff);
              continue;
            }
          if (inst->name == NULL)
            continue;
          copub_affiliation_init (&aff);
          if (copub_normaliser_resolve (normaliser, inst->name, -1, &aff))
            add_inferred (auth, &aff);
          copub_affiliation_clear (&aff);
        }
      g_ptr_array_sort (auth->inferred, compare_codes);
      filled += auth->inferred->len > 0;
    }
  return filled;
}
