/* copub: the place data behind the affiliation normaliser. Builds one hash table from folded
 * names to places out of what Debian ships (iso-codes JSON and gettext catalogues,
 * libgeonames), copub's own data/gazetteer.tsv, and optional ROR dumps. */
#include <fcntl.h>
#include <geonames.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/datadir.h"
#include "base/l10n.h"
#include "copub/error.h"
#include "affil/gazetteer.h"
#include "affil/registry.h"

#define ISO_CODES_DIR "/usr/share/iso-codes/json"
#define MAX_CITY_PLACES 6     /* cities kept per name, the most populous */
#define MAX_KEY_TOKENS 12     /* longer names are not worth a key */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

#define ENTRY_BLOCK 8192     /* entries allocated at a time */

/* A key's places. Most keys name one place, kept in the entry itself; entries live in
 * blocks and keys in a string chunk, so that loading and freeing a few hundred thousand
 * names costs a few hundred allocations, not a million. */
typedef struct {
  CopubPlace *places; /* &one, or an array of @cap places; NULL when only a prefix */
  guint16 n, cap;
  guint8 prefix;      /* some longer key starts with this one */
  guint8 dirty;       /* changed since the last mark_prefixes() */
  CopubPlace one;
} Entry;

typedef struct {
  const char *key;    /* in CopubGazetteer.keys */
  guint64 head[2];    /* its first 16 bytes, big-endian, zero-padded: sorting, grouping and
                       * indexing the names compare these, and seldom need the key itself */
  guint16 len;        /* its length (at most G_MAXUINT16) */
  guint16 first_len;  /* the length of its first word */
  CopubPlace place;
} RegName;

typedef struct {
  guint start, end; /* the names of reg_names whose key starts with one first word */
} RegRange;

struct _CopubGazetteer {
  GHashTable *entries;      /* folded key (in keys) -> Entry* (in entry_blocks) */
  GStringChunk *keys;       /* the keys of entries */
  GStringChunk *strings;    /* organisations' ids, names and cities */
  GStringChunk *reg_keys;   /* the keys of a registry loaded beside the places, or NULL */
  GPtrArray *entry_blocks;  /* of Entry[ENTRY_BLOCK] */
  guint entry_used;         /* entries used in the last block */
  GHashTable *countries;    /* alpha-2 -> English name */
  GHashTable *stops;        /* folded city names never matched as cities */
  GHashTable *ror_ids;      /* organisation ids already loaded */
  GArray *organisations;    /* of CopubOrganisation */
  GArray *org_parents;      /* of guint: the organisations' parents, each one's in a row */
  /* The registries' names, apart from the rest: sorted, not hashed, with a hash of first
   * words to the range of names starting with each, so that loading tens of thousands of
   * organisations costs a sort instead of a hash entry for every name and every prefix. */
  GArray *reg_names;        /* of RegName, sorted by key (and kind, organisation) */
  GArray *reg_places;       /* of CopubPlace: reg_names' places, in the same order */
  GHashTable *reg_first;    /* first word of a key (in keys) -> RegRange* (in reg_ranges) */
  GArray *reg_ranges;       /* of RegRange */
  GPtrArray *dirty;         /* keys (owned by entries) changed since the last mark_prefixes() */
  CopubTokens scratch;      /* while building only: tokens of the name being keyed */
  GString *key;             /* while building only: the key being built */
};

/* ==== Tokens ==================================================================== */

void
copub_tokens_init (CopubTokens *tokens)
{
  tokens->tokens = g_array_sized_new (FALSE, FALSE, sizeof (CopubToken), 64);
  tokens->folded = g_string_sized_new (256);
}

void
copub_tokens_clear (CopubTokens *tokens)
{
  if (tokens->tokens != NULL)
    g_array_free (tokens->tokens, TRUE);
  if (tokens->folded != NULL)
    g_string_free (tokens->folded, TRUE);
  tokens->tokens = NULL;
  tokens->folded = NULL;
}

/* Letters that neither compatibility decomposition nor lower-casing turn into ASCII. */
static const char *
fold_special (gunichar c)
{
  switch (c)
    {
    case 0x00DF: return "ss";   /* ß */
    case 0x00E6: case 0x00C6: return "ae";
    case 0x0153: case 0x0152: return "oe";
    case 0x00F8: case 0x00D8: return "o";
    case 0x0142: case 0x0141: return "l";
    case 0x0111: case 0x0110: case 0x00F0: case 0x00D0: return "d";
    case 0x00FE: case 0x00DE: return "th";
    case 0x0131: return "i";    /* dotless i */
    case 0x0127: case 0x0126: return "h";
    case 0x0140: case 0x013F: return "l";
    case 0x1E9E: return "ss";
    default: return NULL;
    }
}

/* Appends the folded form of @c to @out. */
static void
fold_append (GString *out, gunichar c)
{
  gunichar decomposed[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
  gsize n;

  if (c < 0x80)
    {
      g_string_append_c (out, g_ascii_tolower ((char) c));
      return;
    }
  n = g_unichar_fully_decompose (c, TRUE, decomposed, G_N_ELEMENTS (decomposed));
  for (gsize i = 0; i < n; i++)
    {
      gunichar d = decomposed[i];
      const char *special = fold_special (d);

      if (special != NULL)
        g_string_append (out, special);
      else if (d < 0x80)
        {
          if (g_ascii_isalnum ((char) d))
            g_string_append_c (out, g_ascii_tolower ((char) d));
        }
      else if (!g_unichar_ismark (d) && g_unichar_isalnum (d))
        g_string_append_unichar (out, g_unichar_tolower (d));
    }
}

static gboolean
is_dash (gunichar c)
{
  return c == '-' || c == 0x2212 || c == 0xFE58 || c == 0xFE63 || c == 0xFF0D
         || g_unichar_type (c) == G_UNICODE_DASH_PUNCTUATION;
}

static gboolean
is_dash_byte (char c)
{
  return c == '-' || (guchar) c >= 0x80;
}

static gboolean
is_space (gunichar c)
{
  return g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR
         || c == 0x200B || c == 0x180E;
}

/* The separator a non-word character @c makes; @prev and @next are its neighbours. */
static CopubSeparator
classify_separator (gunichar c, gunichar prev, gunichar next)
{
  if (is_space (c))
    return (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x2028 || c == 0x2029
            || c == 0x85) ? COPUB_SEP_PART : COPUB_SEP_SPACE;
  if (is_dash (c))
    return (is_space (prev) || is_space (next) || prev == 0 || next == 0)
           ? COPUB_SEP_SEGMENT : COPUB_SEP_JOIN;
  switch (c)
    {
    case ';': case 0xFF1B:
      return COPUB_SEP_PART;
    case '.': case '_': case '\'': case 0x2019: case 0x2018: case 0x02BC: case '`':
    case 0x00B4: case 0x2032:
      return COPUB_SEP_JOIN;
    case ',': case '(': case ')': case '[': case ']': case '{': case '}': case ':':
    case '/': case '\\': case '|': case '"': case '<': case '>': case 0x00AB: case 0x00BB:
    case 0x201C: case 0x201D: case 0x201E: case 0x2022: case 0x00B7: case '*': case 0x2020:
    case 0x2021: case 0x00A7: case '#': case '+': case '=': case '!': case '?': case 0x00BF:
    case 0x00A1: case 0xFF0C: case 0x3001: case 0xFF08: case 0xFF09: case 0x060C: case '&':
      return COPUB_SEP_SEGMENT;
    default:
      /* Format characters (soft hyphen, joiners) do not break a word. */
      return g_unichar_type (c) == G_UNICODE_FORMAT ? COPUB_SEP_NONE : COPUB_SEP_SPACE;
    }
}

typedef struct {
  CopubTokens *out;
  CopubToken current;
  gboolean open;       /* a token is being built */
  guint letters;       /* letters in the current token */
  gboolean last_digit; /* the last character added was a digit */
  gboolean has_upper, has_lower, has_digit, has_letter;
  guint8 pending_sep;  /* separator seen since the last token */
  guint max_tokens;
} Tokenizer;

static void
token_finish (Tokenizer *tz, guint32 end)
{
  CopubToken *t = &tz->current;

  if (!tz->open)
    return;
  tz->open = FALSE;
  t->end = end;
  t->fold_len = (guint16) MIN (tz->out->folded->len - t->fold, G_MAXUINT16);
  if (t->fold_len == 0)
    {
      g_string_truncate (tz->out->folded, t->fold);
      return;
    }
  g_string_append_c (tz->out->folded, '\0');
  if (tz->has_letter && tz->has_upper && !tz->has_lower)
    t->flags |= COPUB_TOKEN_UPPER;
  if (tz->has_digit && !tz->has_letter)
    t->flags |= COPUB_TOKEN_DIGITS;
  if (tz->has_letter && !tz->has_digit)
    t->flags |= COPUB_TOKEN_LETTERS;
  g_array_append_val (tz->out->tokens, *t);
  tz->pending_sep = COPUB_SEP_NONE;
}

static void
token_start (Tokenizer *tz, guint32 start)
{
  memset (&tz->current, 0, sizeof tz->current);
  tz->current.start = start;
  tz->current.fold = (guint32) tz->out->folded->len;
  tz->current.sep = tz->pending_sep;
  tz->open = TRUE;
  tz->letters = 0;
  tz->last_digit = FALSE;
  tz->has_upper = tz->has_lower = tz->has_digit = tz->has_letter = FALSE;
}

/* Adds word character @c at byte @pos, splitting "2CNRS" and "UMR7585" in two. */
static void
token_add (Tokenizer *tz, gunichar c, guint32 pos)
{
  gboolean ascii = c < 0x80;
  gboolean digit = ascii ? g_ascii_isdigit ((char) c)
                         : g_unichar_isdigit (c) || g_unichar_type (c) == G_UNICODE_OTHER_NUMBER;
  gboolean upper = ascii ? g_ascii_isupper ((char) c)
                         : g_unichar_isupper (c) || g_unichar_istitle (c);

  if (!ascii && g_unichar_ismark (c))
    return;  /* a stray combining mark: part of the word, folds to nothing */
  if (tz->open && ((tz->last_digit && !digit)
                   || (!tz->last_digit && digit && tz->letters >= 3 && !tz->has_digit)))
    token_finish (tz, pos);
  if (!tz->open)
    {
      if (tz->out->tokens->len >= tz->max_tokens)
        return;
      token_start (tz, pos);
      if (upper)
        tz->current.flags |= COPUB_TOKEN_CAPITAL;
    }
  if (digit)
    tz->has_digit = TRUE;
  else
    {
      tz->has_letter = TRUE;
      tz->letters++;
      if (upper)
        tz->has_upper = TRUE;
      else if (ascii ? g_ascii_islower ((char) c) : g_unichar_islower (c))
        tz->has_lower = TRUE;
    }
  tz->last_digit = digit;
  fold_append (tz->out->folded, c);
}

void
copub_gazetteer_tokenize (const char *text, gsize len, guint max_tokens, CopubTokens *out)
{
  Tokenizer tz = { .out = out, .max_tokens = max_tokens };
  const char *p = text;
  const char *end = text + len;
  gunichar prev = 0;

  g_array_set_size (out->tokens, 0);
  g_string_truncate (out->folded, 0);
  while (p < end && out->tokens->len < max_tokens)
    {
      gunichar c = (guchar) *p < 0x80 ? (gunichar) *p : g_utf8_get_char (p);
      const char *next_p = g_utf8_next_char (p);
      guint32 pos = (guint32) (p - text);
      gboolean word = c < 0x80 ? g_ascii_isalnum ((char) c)
                               : g_unichar_isalnum (c) || (g_unichar_ismark (c) && tz.open);

      if (word)
        token_add (&tz, c, pos);
      else if (c == ' ' && !(tz.open && next_p < end && is_dash_byte (*next_p)))
        {
          token_finish (&tz, pos);
          tz.pending_sep = MAX (tz.pending_sep, (guint8) COPUB_SEP_SPACE);
        }
      else
        {
          gunichar next = next_p < end ? g_utf8_get_char (next_p) : 0;
          CopubSeparator sep = classify_separator (c, prev, next);

          if (sep != COPUB_SEP_NONE)
            {
              token_finish (&tz, pos);
              tz.pending_sep = MAX (tz.pending_sep, (guint8) sep);
            }
        }
      prev = c;
      p = next_p;
    }
  token_finish (&tz, (guint32) (MIN (p, end) - text));
}

/* What the tokenizer makes of a character below LATIN_END, for key_latin(). */
enum { LATIN_BOUNDARY, LATIN_IGNORED, LATIN_LETTER, LATIN_DIGIT, LATIN_OTHER };

typedef struct {
  guint8 kind;    /* LATIN_*; LATIN_OTHER: leave the name to the tokenizer */
  guint8 len;     /* of fold */
  char fold[6];   /* its folded form (a letter or digit) */
} LatinChar;

#define LATIN_END 0x370 /* up to Greek: Latin, IPA, modifier letters, combining marks */

/* The table of the characters below LATIN_END, made once from the tokenizer's own
 * functions, so that key_latin() cannot fold or split differently. */
static const LatinChar *
latin_chars (void)
{
  static LatinChar table[LATIN_END];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GString) fold = g_string_new (NULL);
      for (gunichar c = 0x80; c < LATIN_END; c++)
        {
          LatinChar *l = &table[c];
          if (g_unichar_ismark (c))
            l->kind = LATIN_IGNORED; /* a mark folds to nothing and never ends a word */
          else if (!g_unichar_isalnum (c))
            l->kind = classify_separator (c, 'a', 'a') == COPUB_SEP_NONE ? LATIN_IGNORED
                                                                           : LATIN_BOUNDARY;
          else
            {
              g_string_truncate (fold, 0);
              fold_append (fold, c);
              l->kind = g_unichar_isdigit (c) || g_unichar_type (c) == G_UNICODE_OTHER_NUMBER
                        ? LATIN_DIGIT : LATIN_LETTER;
              if (fold->len > sizeof l->fold)
                l->kind = LATIN_OTHER;
              else
                memcpy (l->fold, fold->str, l->len = (guint8) fold->len);
            }
        }
      g_once_init_leave (&done, 1);
    }
  return table;
}

/* The key of a name written in characters below U+0370 (ASCII, the Latin supplements and
 * extensions, IPA, modifier letters, combining marks), without the tokenizer, by its rules: any other character ends a word
 * (but format characters and marks); a digit after letters splits the word when three
 * letters or more came first and no digit, a letter after a digit always does; a word that
 * folds to nothing is dropped; at most 64 words. Nineteen names in twenty of the registry
 * are such, and tokenizing them was most of its loading. FALSE for any other name. */
static gboolean
key_latin (const char *name, GString *key)
{
  const LatinChar *latin = NULL;
  gsize len = strlen (name);
  guint n_words = 0, letters = 0;
  gboolean in_word = FALSE, last_digit = FALSE, has_digit = FALSE;
  char *out, *word = NULL, *space = NULL;

  /* at most 6 bytes of fold for 2 of name, and a space before each */
  g_string_set_size (key, 4 * len + 8);
  out = key->str;
  for (const guchar *p = (const guchar *) name; *p != '\0'; p++)
    {
      guint kind = LATIN_BOUNDARY, fold_len = 1;
      char one = (char) *p;
      const char *fold = &one;
      gboolean digit;

      if (*p >= 0x80)
        {
          guint c = (guint) (*p & 0x1F) << 6 | (p[1] & 0x3F);
          if (*p < 0xC2 || *p > 0xDF || (p[1] & 0xC0) != 0x80 || c >= LATIN_END)
            return FALSE;
          latin = latin != NULL ? latin : latin_chars ();
          kind = latin[c].kind, fold = latin[c].fold, fold_len = latin[c].len;
          p++;
        }
      else if (g_ascii_isalpha (one))
        kind = LATIN_LETTER, one = (char) (one | 0x20); /* lower case */
      else if (g_ascii_isdigit (one))
        kind = LATIN_DIGIT;
      if (kind == LATIN_OTHER)
        return FALSE;
      if (kind == LATIN_IGNORED)
        continue;
      digit = kind == LATIN_DIGIT;
      if (in_word && (kind == LATIN_BOUNDARY
                      || (last_digit && !digit)
                      || (!last_digit && digit && letters >= 3 && !has_digit)))
        {
          in_word = FALSE;
          if (out == word)
            out = space, n_words--; /* it folded to nothing */
        }
      if (kind == LATIN_BOUNDARY || (!in_word && n_words == 64))
        continue;
      if (!in_word)
        {
          space = out;
          if (n_words++ > 0)
            *out++ = ' ';
          word = out;
          in_word = TRUE, letters = 0, has_digit = FALSE;
        }
      letters += !digit, has_digit = has_digit || digit, last_digit = digit;
      for (guint i = 0; i < fold_len; i++)
        *out++ = fold[i];
    }
  if (in_word && out == word)
    out = space;
  g_string_truncate (key, (gsize) (out - key->str));
  return TRUE;
}

static void
key_into (const char *name, CopubTokens *tokens, GString *key)
{
  if (key_latin (name, key))
    return;
  copub_gazetteer_tokenize (name, strlen (name), 64, tokens);
  g_string_truncate (key, 0);
  for (guint i = 0; i < tokens->tokens->len; i++)
    {
      if (i > 0)
        g_string_append_c (key, ' ');
      g_string_append (key, copub_tokens_fold (tokens, i));
    }
}

char *
copub_gazetteer_key (const char *name)
{
  CopubTokens tokens;
  GString *key = g_string_new (NULL);

  copub_tokens_init (&tokens);
  key_into (name, &tokens, key);
  copub_tokens_clear (&tokens);
  return g_string_free (key, FALSE);
}

/* ==== The table ========================================================================= */

static void
entry_block_free (gpointer data)
{
  Entry *block = data;

  for (guint i = 0; i < ENTRY_BLOCK; i++)
    if (block[i].cap > 1)
      g_free (block[i].places);
  g_free (block);
}

/* The entry of @key, created (only a prefix, no place) when there is none. */
static Entry *
entry_find_or_add (CopubGazetteer *gaz, const char *key, const char **stored_out)
{
  gpointer stored = NULL, value = NULL;

  if (!g_hash_table_lookup_extended (gaz->entries, key, &stored, &value))
    {
      if (gaz->entry_blocks->len == 0 || gaz->entry_used == ENTRY_BLOCK)
        {
          g_ptr_array_add (gaz->entry_blocks, g_new0 (Entry, ENTRY_BLOCK));
          gaz->entry_used = 0;
        }
      value = (Entry *) g_ptr_array_index (gaz->entry_blocks, gaz->entry_blocks->len - 1)
              + gaz->entry_used++;
      stored = g_string_chunk_insert (gaz->keys, key);
      g_hash_table_insert (gaz->entries, stored, value);
    }
  if (stored_out != NULL)
    *stored_out = stored;
  return value;
}

static Entry *
entry_get (CopubGazetteer *gaz, const char *key)
{
  const char *stored;
  Entry *entry = entry_find_or_add (gaz, key, &stored);

  if (!entry->dirty)
    {
      entry->dirty = TRUE;
      g_ptr_array_add (gaz->dirty, (gpointer) stored);
    }
  return entry;
}

static void
entry_append (Entry *entry, const CopubPlace *place)
{
  if (entry->n == entry->cap)
    {
      guint16 cap = entry->cap == 0 ? 1 : (guint16) (entry->cap * 2);
      CopubPlace *places = cap == 1 ? &entry->one : g_new (CopubPlace, cap);
      if (entry->n > 0 && places != entry->places)
        memcpy (places, entry->places, entry->n * sizeof *places);
      if (entry->cap > 1)
        g_free (entry->places);
      entry->places = places, entry->cap = cap;
    }
  entry->places[entry->n++] = *place;
}

static void
entry_remove (Entry *entry, guint i)
{
  memmove (&entry->places[i], &entry->places[i + 1], (entry->n - i - 1) * sizeof (CopubPlace));
  entry->n--;
}

static gboolean
same_place (const CopubPlace *a, const CopubPlace *b)
{
  return a->kind == b->kind && strcmp (a->country, b->country) == 0
         && strcmp (a->region, b->region) == 0
         && (a->kind != COPUB_PLACE_INSTITUTION && a->kind != COPUB_PLACE_ACRONYM
             ? TRUE : a->value == b->value);
}

/* Country names compete: a better-ranked name (ISO before translations) for one country
 * hides worse-ranked ones for others; equal ranks stay side by side (ambiguous). */
static gboolean
country_competes (Entry *entry, const CopubPlace *place)
{
  for (guint i = 0; i < entry->n; i++)
    {
      CopubPlace *p = &entry->places[i];
      if (p->kind != COPUB_PLACE_COUNTRY || strcmp (p->country, place->country) == 0)
        continue;
      if (p->priority < place->priority)
        return FALSE;
      if (p->priority > place->priority)
        entry_remove (entry, i--);
    }
  return TRUE;
}

/* Records that @key names @place. */
/* Whether @key is worth keeping: not empty, not longer than MAX_KEY_TOKENS words. */
static gboolean
key_usable (const char *key)
{
  guint n_tokens = 1;

  for (const char *p = key; *p != '\0'; p++)
    n_tokens += *p == ' ';
  return *key != '\0' && n_tokens <= MAX_KEY_TOKENS;
}

static void
add_key (CopubGazetteer *gaz, const char *key, const CopubPlace *place)
{
  Entry *entry;

  if (!key_usable (key))
    return;
  entry = entry_get (gaz, key);
  for (guint i = 0; i < entry->n; i++)
    {
      CopubPlace *p = &entry->places[i];
      if (same_place (p, place))
        {
          /* restrictions written in gazetteer.tsv ("final", "upper") hold for every source */
          p->priority = MIN (p->priority, place->priority);
          p->flags |= place->flags;
          p->value = MAX (p->value, place->value);
          return;
        }
    }
  if (place->kind == COPUB_PLACE_COUNTRY && !country_competes (entry, place))
    return;
  entry_append (entry, place);
}

/* The key of @name, in the gazetteer's scratch buffer: valid until the next call. */
static const char *
build_key (CopubGazetteer *gaz, const char *name)
{
  key_into (name, &gaz->scratch, gaz->key);
  return gaz->key->str;
}

static void
add_name (CopubGazetteer *gaz, const char *name, const CopubPlace *place)
{
  if (name == NULL || *name == '\0')
    return;
  add_key (gaz, build_key (gaz, name), place);
}

static CopubPlace
make_place (CopubPlaceKind kind, const char *country, const char *region, guint8 priority)
{
  CopubPlace place = { .kind = (guint8) kind, .priority = priority };

  g_strlcpy (place.country, country, sizeof place.country);
  if (region != NULL)
    g_strlcpy (place.region, region, sizeof place.region);
  return place;
}

/* Adds @name and the forms derived from it: without a bracketed part ("Holy See (Vatican
 * City State)"), with the bracket's content, and "Korea, Republic of" read both as
 * "Republic of Korea" and as "Korea". */
static void
add_name_forms (CopubGazetteer *gaz, const char *name, const CopubPlace *place)
{
  CopubPlace derived = *place;
  g_autofree char *base = g_strdup (name);
  char *bracket = strpbrk (base, "([");
  char *comma;

  derived.priority = MAX (place->priority, 1);
  add_name (gaz, name, place);
  if (bracket != NULL)
    {
      char *close = strpbrk (bracket + 1, ")]");
      if (close != NULL)
        {
          g_autofree char *inner = g_strndup (bracket + 1, (gsize) (close - bracket - 1));
          add_name (gaz, inner, &derived);
        }
      *bracket = '\0';
      g_strchomp (base);
      add_name (gaz, base, &derived);
    }
  comma = strstr (base, ", ");
  if (comma != NULL && strchr (comma + 2, ',') == NULL)
    {
      g_autofree char *head = g_strndup (base, (gsize) (comma - base));
      g_autofree char *inverted = g_strconcat (comma + 2, " ", head, NULL);
      add_name (gaz, inverted, &derived);
      add_name (gaz, head, &derived);
    }
}

/* ==== Countries: iso-codes ============================================================= */

/* Languages whose country and city names affiliations use whatever the country. */
static const char *const general_locales[] = { "fr", "de", "es", "it", "pt", "pt_BR", "nl" };

/* Native languages: names of a country and of its cities in the languages spoken there. */
static const struct {
  const char *country;
  const char *locales;
} native_locales[] = {
  { "AT", "de" }, { "BE", "nl,fr,de" }, { "BR", "pt_BR" }, { "CH", "de,fr,it" },
  { "CZ", "cs" }, { "DE", "de" }, { "DK", "da" }, { "EE", "et" }, { "ES", "es,ca,gl,eu" },
  { "FI", "fi,sv" }, { "FR", "fr" }, { "GR", "el" }, { "HR", "hr" }, { "HU", "hu" },
  { "ID", "id" }, { "IS", "is" }, { "IT", "it" }, { "JP", "ja" }, { "KR", "ko" },
  { "CN", "zh_CN" }, { "TW", "zh_TW" }, { "HK", "zh_HK" }, { "LT", "lt" }, { "LU", "fr,de" },
  { "LV", "lv" }, { "NL", "nl" }, { "NO", "nb,nn" }, { "PL", "pl" }, { "PT", "pt" },
  { "RO", "ro" }, { "RU", "ru" }, { "SE", "sv" }, { "SI", "sl" }, { "SK", "sk" },
  { "TR", "tr" }, { "UA", "uk" }, { "VN", "vi" }, { "MY", "ms" }, { "IL", "he" },
  { "IR", "fa" }, { "RS", "sr@latin,sr" }, { "BG", "bg" }, { "TH", "th" }, { "BA", "bs" },
  { "AL", "sq" }, { "MK", "mk" }, { "GE", "ka" }, { "AM", "hy" }, { "AZ", "az" },
  { "KZ", "kk" }, { "ZA", "af" }, { "IE", "ga" }, { "MT", "mt" }, { "CY", "el,tr" },
  { "AR", "es" }, { "MX", "es" }, { "CL", "es" }, { "CO", "es" }, { "PE", "es" },
  { "VE", "es" }, { "EC", "es" }, { "UY", "es" }, { "CU", "es" }, { "SA", "ar" },
  { "EG", "ar" }, { "MA", "ar" }, { "DZ", "ar" }, { "TN", "ar" }, { "LB", "ar" },
  { "JO", "ar" }, { "AE", "ar" }, { "QA", "ar" }, { "IQ", "ar" }, { "SY", "ar" },
};

/* Scripts not worth indexing city names in: affiliations write cities in Latin letters. */
static gboolean
latin_locale (const char *locale)
{
  static const char *const other[] = { "ja", "ko", "zh_CN", "zh_TW", "zh_HK", "ru", "uk", "el",
                                       "he", "fa", "sr", "bg", "th", "mk", "ka", "hy", "kk",
                                       "ar" };
  for (gsize i = 0; i < G_N_ELEMENTS (other); i++)
    if (strcmp (locale, other[i]) == 0)
      return FALSE;
  return TRUE;
}

/* The catalogues of one gettext domain, and which locales have one. */
typedef struct {
  GHashTable *present; /* locale -> itself, when its catalogue exists */
  GHashTable *checked; /* locale -> itself */
  const char *domain;
} Catalogues;

static void
catalogues_init (Catalogues *cat, const char *domain)
{
  cat->present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  cat->checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  cat->domain = domain;
  copub_l10n_bind (domain, NULL);
}

static void
catalogues_clear (Catalogues *cat)
{
  g_clear_pointer (&cat->present, g_hash_table_unref);
  g_clear_pointer (&cat->checked, g_hash_table_unref);
}

/* TRUE when @locale has a catalogue of its own (gettext would otherwise answer from the
 * language's: "pt" for "pt_BR"). */
static gboolean
catalogues_has (Catalogues *cat, const char *locale)
{
  if (!g_hash_table_contains (cat->checked, locale))
    {
      g_hash_table_add (cat->checked, g_strdup (locale));
      if (copub_l10n_has_catalogue (cat->domain, NULL, locale))
        g_hash_table_add (cat->present, g_strdup (locale));
    }
  return g_hash_table_contains (cat->present, locale);
}

/* The translation of @msgid in @locale, or NULL when there is none or it is the same. */
static const char *
catalogues_lookup (Catalogues *cat, const char *locale, const char *msgid)
{
  const char *t = catalogues_has (cat, locale) ? copub_l10n_lookup (cat->domain, locale, msgid)
                                               : NULL;

  return t != NULL && strcmp (t, msgid) != 0 ? t : NULL;
}

/* The native locales of @country, as a NULL-terminated vector (free with g_strfreev). */
static char **
native_locales_of (const char *country)
{
  for (gsize i = 0; i < G_N_ELEMENTS (native_locales); i++)
    if (strcmp (native_locales[i].country, country) == 0)
      return g_strsplit (native_locales[i].locales, ",", -1);
  return g_new0 (char *, 1);
}

/* Adds the translations of @msgid in the general and the native languages of @country. */
static void
add_translations (CopubGazetteer *gaz, Catalogues *cat, const char *msgid, const char *country,
                  const CopubPlace *place, gboolean latin_only)
{
  g_auto(GStrv) natives = native_locales_of (country);

  for (gsize i = 0; i < G_N_ELEMENTS (general_locales); i++)
    {
      const char *t = catalogues_lookup (cat, general_locales[i], msgid);
      if (t != NULL)
        add_name_forms (gaz, t, place);
    }
  for (gsize i = 0; natives[i] != NULL; i++)
    {
      const char *t;
      if (latin_only && !latin_locale (natives[i]))
        continue;
      t = catalogues_lookup (cat, natives[i], msgid);
      if (t != NULL)
        add_name_forms (gaz, t, place);
    }
}

static json_t *
load_iso_json (const char *file, const char *member, GError **error)
{
  g_autofree char *path = g_build_filename (ISO_CODES_DIR, file, NULL);
  json_error_t jerr;
  g_autoptr(json_t) root = json_load_file (path, 0, &jerr);
  json_t *array;

  if (root == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                   "'%s' line %d: %s (is the iso-codes package installed?)", path, jerr.line,
                   jerr.text);
      return NULL;
    }
  array = json_object_get (root, member);
  if (!json_is_array (array))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s': no '%s' array", path, member);
      return NULL;
    }
  return json_incref (array);
}

static const char *
json_str (json_t *object, const char *member)
{
  return json_string_value (json_object_get (object, member));
}

static gboolean
load_countries (CopubGazetteer *gaz, GError **error)
{
  g_autoptr(json_t) array = load_iso_json ("iso_3166-1.json", "3166-1", error);
  static const char *const fields[] = { "name", "official_name", "common_name" };
  Catalogues cat;
  gsize i;
  json_t *item;

  if (array == NULL)
    return FALSE;
  catalogues_init (&cat, "iso_3166-1");
  json_array_foreach (array, i, item)
    {
      const char *code = json_str (item, "alpha_2");
      const char *display = json_str (item, "common_name");
      CopubPlace place;

      if (code == NULL || strlen (code) != 2)
        continue;
      display = display != NULL ? display : json_str (item, "name");
      g_hash_table_insert (gaz->countries, g_strdup (code), g_strdup (display ? display : code));
      place = make_place (COPUB_PLACE_COUNTRY, code, NULL, 0);
      for (gsize f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          const char *name = json_str (item, fields[f]);
          CopubPlace translated = place;

          if (name == NULL)
            continue;
          add_name_forms (gaz, name, &place);
          translated.priority = 2;
          add_translations (gaz, &cat, name, code, &translated, FALSE);
        }
    }
  catalogues_clear (&cat);
  return TRUE;
}

/* Withdrawn names ("Zaire", "Burma") point to the country that replaced them when the last
 * two letters of their alpha-4 code name one. */
static gboolean
load_former_countries (CopubGazetteer *gaz, GError **error)
{
  g_autoptr(json_t) array = load_iso_json ("iso_3166-3.json", "3166-3", error);
  gsize i;
  json_t *item;

  if (array == NULL)
    return FALSE;
  json_array_foreach (array, i, item)
    {
      const char *alpha4 = json_str (item, "alpha_4");
      const char *name = json_str (item, "name");
      CopubPlace place;

      if (alpha4 == NULL || name == NULL || strlen (alpha4) != 4
          || !g_hash_table_contains (gaz->countries, alpha4 + 2))
        continue;
      place = make_place (COPUB_PLACE_COUNTRY, alpha4 + 2, NULL, 1);
      add_name_forms (gaz, name, &place);
    }
  return TRUE;
}

/* ==== Subdivisions: ISO 3166-2 =========================================================== */

/* Countries whose first-level subdivisions affiliations name, with their postal codes. */
static const struct {
  const char *country;
  gboolean codes;  /* the subdivision codes are the postal abbreviations */
} region_countries[] = {
  { "US", TRUE }, { "CA", TRUE }, { "AU", TRUE }, { "CN", FALSE }, { "IN", FALSE },
  { "DE", FALSE }, { "FR", FALSE }, { "GB", FALSE }, { "IT", FALSE }, { "ES", FALSE },
  { "BR", FALSE }, { "MX", FALSE }, { "JP", FALSE }, { "CH", FALSE }, { "AT", FALSE },
  { "BE", FALSE }, { "NL", FALSE }, { "AR", FALSE }, { "PK", FALSE }, { "KR", FALSE },
  { "ZA", FALSE },
};

/* Generic words that end romanised subdivision names ("Anhui Sheng", "Gyeonggi-do"). */
static const char *const region_suffixes[] = {
  " sheng", " shi", " zizhiqu", " zhuangzu", " huizu", " weiwuer", " zangzu", " do",
  " teukbyeolsi", " gwangyeoksi", " teukbyeoljachisi", " teukbyeoljachido", " province",
};

static gint
region_country_index (const char *country)
{
  for (gsize i = 0; i < G_N_ELEMENTS (region_countries); i++)
    if (strcmp (region_countries[i].country, country) == 0)
      return (gint) i;
  return -1;
}

/* Subdivisions that are countries of their own in ISO 3166-1, or overseas, stay out. */
static gboolean
region_wanted (const char *code, const char *type, gboolean has_parent)
{
  static const char *const skipped_types[] = {
    "Outlying area", "Special administrative region", "Overseas department",
    "Overseas region", "Overseas collectivity", "Overseas territory", "Dependency",
    "Country", "Special municipality", "Overseas collectivity with special status",
    "Overseas territorial collectivity",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (skipped_types); i++)
    if (type != NULL && strcmp (type, skipped_types[i]) == 0
        && strncmp (code, "GB", 2) != 0)
      return FALSE;
  if (strcmp (code, "CN-TW") == 0)
    return FALSE;
  if (!has_parent)
    return TRUE;
  return strncmp (code, "FR-", 3) == 0 && type != NULL
         && strcmp (type, "Metropolitan department") == 0;
}

/* Adds a region name unless it already names a country: "Georgia" the state comes back
 * through gazetteer.tsv, which says so explicitly. */
static void
add_region_name (CopubGazetteer *gaz, const char *name, const CopubPlace *place)
{
  g_autofree char *key = g_strdup (build_key (gaz, name));
  guint n = 0;
  const CopubPlace *existing = copub_gazetteer_lookup (gaz, key, &n, NULL);

  for (guint i = 0; i < n; i++)
    if (existing[i].kind == COPUB_PLACE_COUNTRY && strcmp (existing[i].country, place->country))
      return;
  add_key (gaz, key, place);
  for (gsize i = 0; i < G_N_ELEMENTS (region_suffixes); i++)
    if (g_str_has_suffix (key, region_suffixes[i]) && strlen (key) > strlen (region_suffixes[i]))
      {
        key[strlen (key) - strlen (region_suffixes[i])] = '\0';
        add_key (gaz, key, place);
      }
}

/* Adds @name, the alternative in its brackets ("Catalunya [Cataluña]") and its inversion. */
static void
add_region_forms (CopubGazetteer *gaz, const char *name, const CopubPlace *place)
{
  g_autofree char *base = g_strdup (name);
  char *bracket = strchr (base, '[');
  char *comma;

  if (bracket != NULL)
    {
      char *close = strchr (bracket, ']');
      if (close != NULL)
        {
          g_autofree char *inner = g_strndup (bracket + 1, (gsize) (close - bracket - 1));
          char *code = strstr (inner, " ");
          /* "Sir Ynys Môn GB-YNM": drop the trailing code */
          if (code != NULL && strchr (code, '-') != NULL && g_ascii_isupper (code[1]))
            *code = '\0';
          add_region_name (gaz, inner, place);
        }
      *bracket = '\0';
      g_strchomp (base);
    }
  add_region_name (gaz, base, place);
  comma = strstr (base, ", ");
  if (comma != NULL)
    {
      g_autofree char *head = g_strndup (base, (gsize) (comma - base));
      g_autofree char *inverted = g_strconcat (comma + 2, " ", head, NULL);
      add_region_name (gaz, inverted, place);
      add_region_name (gaz, head, place);
    }
}

static void
add_region (CopubGazetteer *gaz, Catalogues *cat, json_t *item)
{
  static const char *const locales[] = { "en", "fr", "de", "es", "it" };
  const char *code = json_str (item, "code");
  const char *name = json_str (item, "name");
  const char *type = json_str (item, "type");
  g_autofree char *country = NULL;
  const char *sub;
  gint index;
  CopubPlace place;

  if (code == NULL || name == NULL || strlen (code) < 4 || code[2] != '-')
    return;
  country = g_strndup (code, 2);
  index = region_country_index (country);
  if (index < 0 || !region_wanted (code, type, json_object_get (item, "parent") != NULL))
    return;
  sub = code + 3;
  place = make_place (COPUB_PLACE_REGION, country, strlen (sub) < 4 ? sub : NULL, 0);
  if (json_object_get (item, "parent") != NULL)
    {
      /* "Lot", "Var", "Ain", "Nord": short département names are common words */
      if (strlen (name) <= 4)
        return;
      place.flags |= COPUB_PLACE_SECONDARY;
    }
  add_region_forms (gaz, name, &place);
  for (gsize i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      const char *t = catalogues_lookup (cat, locales[i], name);
      if (t != NULL)
        add_region_forms (gaz, t, &place);
    }
  if (region_countries[index].codes && strlen (sub) <= 3)
    {
      CopubPlace abbr = make_place (COPUB_PLACE_REGION_CODE, country, sub, 0);
      abbr.flags = COPUB_PLACE_UPPER;
      add_name (gaz, sub, &abbr);
    }
}

static gboolean
load_regions (CopubGazetteer *gaz, GError **error)
{
  g_autoptr(json_t) array = load_iso_json ("iso_3166-2.json", "3166-2", error);
  Catalogues cat;
  gsize i;
  json_t *item;

  if (array == NULL)
    return FALSE;
  catalogues_init (&cat, "iso_3166-2");
  json_array_foreach (array, i, item)
    add_region (gaz, &cat, item);
  catalogues_clear (&cat);
  return TRUE;
}

/* ==== Cities: libgeonames ================================================================ */

/* GeoNames' first-level codes for Canada and Australia are numbers; addresses use these. */
static const char *
postal_region (const char *country, const char *admin1)
{
  static const char *const ca[] = { NULL, "AB", "BC", "MB", "NB", "NL", NULL, "NS", "ON",
                                    "PE", "QC", "SK", "YT", "NT", "NU" };
  static const char *const au[] = { NULL, "ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA" };
  guint64 n;

  if (strcmp (country, "US") == 0)
    return strlen (admin1) == 2 ? admin1 : NULL;
  if (!g_ascii_string_to_unsigned (admin1, 10, 0, 99, &n, NULL))
    return NULL;
  if (strcmp (country, "CA") == 0 && n < G_N_ELEMENTS (ca))
    return ca[n];
  if (strcmp (country, "AU") == 0 && n < G_N_ELEMENTS (au))
    return au[n];
  return NULL;
}

/* Adds a city name, with "Saint"/"St" and "Sainte"/"Ste" spelt both ways. */
static void
add_city_name (CopubGazetteer *gaz, const char *name, const CopubPlace *place)
{
  static const char *const pairs[][2] = {
    { "saint ", "st " }, { "sainte ", "ste " }, { "st ", "saint " }, { "mount ", "mt " },
    { "fort ", "ft " },
  };
  const char *key = build_key (gaz, name);

  if (strlen (key) < 3 || g_hash_table_contains (gaz->stops, key))
    return;
  add_key (gaz, key, place);
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    if (g_str_has_prefix (key, pairs[i][0]))
      {
        g_autofree char *other = g_strconcat (pairs[i][1], key + strlen (pairs[i][0]), NULL);
        add_key (gaz, other, place);
        break;
      }
}

typedef struct {
  char country[3];
  char region[4];
  guint32 population;
} City;

/* A GeoNames id ("2988507"), or 0 when @s is not one. */
static guint32
parse_id (const char *s)
{
  guint64 n = 0;

  if (s == NULL || *s == '\0')
    return 0;
  for (; *s != '\0'; s++)
    {
      if (*s < '0' || *s > '9' || n > G_MAXUINT32 / 10)
        return 0;
      n = n * 10 + (guint64) (*s - '0');
    }
  return n <= G_MAXUINT32 ? (guint32) n : 0;
}

/* Reads one city; GeonamesCity is a GVariant, and its GeoNames id, which the translation
 * catalogues are keyed by, is only in the variant. Returns the id, or 0. */
static guint32
read_city (CopubGazetteer *gaz, GeonamesCity *city, City *out)
{
  const char *id = NULL, *name = NULL, *admin1 = NULL, *country = NULL;
  guint32 population = 0;
  const char *region;
  CopubPlace place;
  g_autoptr(GVariant) v_id = NULL;
  g_autoptr(GVariant) v_name = NULL;
  g_autoptr(GVariant) v_admin1 = NULL;
  g_autoptr(GVariant) v_country = NULL;
  g_autoptr(GVariant) v_population = NULL;

  /* Child by child: much faster than g_variant_get() with a format string. */
  if (strcmp (g_variant_get_type_string (city), "(sssssssudd)") == 0)
    {
      v_id = g_variant_get_child_value (city, 0);
      v_name = g_variant_get_child_value (city, 1);
      v_admin1 = g_variant_get_child_value (city, 2);
      v_country = g_variant_get_child_value (city, 4);
      v_population = g_variant_get_child_value (city, 7);
      id = g_variant_get_string (v_id, NULL);
      name = g_variant_get_string (v_name, NULL);
      admin1 = g_variant_get_string (v_admin1, NULL);
      country = g_variant_get_string (v_country, NULL);
      population = g_variant_get_uint32 (v_population);
    }
  else
    {
      name = geonames_city_get_name (city);
      country = geonames_city_get_country_code (city);
      population = geonames_city_get_population (city);
    }
  if (name == NULL || country == NULL || strlen (country) != 2)
    return 0;
  region = admin1 != NULL ? postal_region (country, admin1) : NULL;
  place = make_place (COPUB_PLACE_CITY, country, region, 0);
  place.value = population;
  add_city_name (gaz, name, &place);
  memset (out, 0, sizeof *out);
  g_strlcpy (out->country, country, sizeof out->country);
  g_strlcpy (out->region, region ? region : "", sizeof out->region);
  out->population = population;
  return parse_id (id);
}

/* The countries whose cities @locale names, as concatenated codes ("BECHFRLU"), or "*" for
 * the general languages. Free with g_free. */
static char *
locale_countries (const char *locale)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (general_locales); i++)
    if (strcmp (locale, general_locales[i]) == 0)
      {
        g_string_assign (out, "*");
        return g_string_free (out, FALSE);
      }
  for (gsize i = 0; i < G_N_ELEMENTS (native_locales); i++)
    {
      g_auto(GStrv) list = g_strsplit (native_locales[i].locales, ",", -1);
      if (g_strv_contains ((const char *const *) list, locale))
        g_string_append (out, native_locales[i].country);
    }
  return g_string_free (out, FALSE);
}

static gboolean
countries_contain (const char *countries, const char *country)
{
  if (countries[0] == '*')
    return TRUE;
  for (const char *p = countries; p[0] != '\0' && p[1] != '\0'; p += 2)
    if (p[0] == country[0] && p[1] == country[1])
      return TRUE;
  return FALSE;
}

typedef struct {
  CopubGazetteer *gaz;
  GHashTable *ids;        /* GeoNames id -> City* */
  const char *countries;  /* the countries whose cities the catalogue may name */
} CityCatalogue;

static void
add_city_translation (const char *msgid, const char *msgstr, gpointer data)
{
  CityCatalogue *cc = data;
  const City *city = g_hash_table_lookup (cc->ids, GUINT_TO_POINTER (parse_id (msgid)));
  CopubPlace place;

  if (city == NULL || *msgstr == '\0' || strcmp (msgstr, msgid) == 0
      || !countries_contain (cc->countries, city->country))
    return;
  place = make_place (COPUB_PLACE_CITY, city->country, city->region, 0);
  place.value = city->population;
  add_city_name (cc->gaz, msgstr, &place);
}

/* Adds the names catalogue @locale gives the cities in @ids (GeoNames id -> City*),
 * @ids_sorted in the catalogue's order (their ids as text, sorted). The catalogue file is
 * read directly when it can be (a lookup through gettext for each city cost a quarter of
 * copub's start-up). */
static void
add_city_translations (CopubGazetteer *gaz, Catalogues *cat, const char *locale,
                       GHashTable *ids, GPtrArray *ids_sorted)
{
  g_autofree char *countries = locale_countries (locale);
  CityCatalogue cc = { gaz, ids, countries };

  if (!catalogues_has (cat, locale))
    return;
  if (copub_l10n_catalogue_foreach (cat->domain, NULL, locale, add_city_translation, &cc))
    return;
  copub_l10n_begin (locale);
  for (guint i = 0; i < ids_sorted->len; i++)
    {
      const char *msgid = ids_sorted->pdata[i];
      const char *msgstr = copub_l10n_lookup_current (cat->domain, msgid);
      if (msgstr != NULL)
        add_city_translation (msgid, msgstr, &cc);
    }
  copub_l10n_end ();
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
load_cities (CopubGazetteer *gaz)
{
  gint n = geonames_get_n_cities ();
  g_autofree City *cities = g_new0 (City, MAX (n, 1));
  g_autoptr(GHashTable) ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) locales = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) ids_sorted = g_ptr_array_new_with_free_func (g_free);
  Catalogues cat;
  GHashTableIter iter;
  gpointer locale;

  for (gint i = 0; i < n; i++)
    {
      g_autoptr(GeonamesCity) city = geonames_get_city (i);
      guint32 id = city != NULL ? read_city (gaz, city, &cities[i]) : 0;
      if (id != 0 && g_hash_table_insert (ids, GUINT_TO_POINTER (id), &cities[i]))
        g_ptr_array_add (ids_sorted, g_strdup_printf ("%" G_GUINT32_FORMAT, id));
    }
  g_ptr_array_sort (ids_sorted, compare_strings);
  for (gsize i = 0; i < G_N_ELEMENTS (general_locales); i++)
    g_hash_table_add (locales, (gpointer) general_locales[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (native_locales); i++)
    {
      g_auto(GStrv) list = g_strsplit (native_locales[i].locales, ",", -1);
      for (gsize k = 0; list[k] != NULL; k++)
        if (latin_locale (list[k]))
          g_hash_table_add (locales, (gpointer) g_intern_string (list[k]));
    }
  catalogues_init (&cat, "geonames");
  g_hash_table_iter_init (&iter, locales);
  while (g_hash_table_iter_next (&iter, &locale, NULL))
    add_city_translations (gaz, &cat, locale, ids, ids_sorted);
  catalogues_clear (&cat);
}

/* ==== copub's own additions: data/gazetteer.tsv ========================================== */

static gboolean
parse_kind (const char *word, CopubPlaceKind *kind)
{
  static const struct { const char *name; CopubPlaceKind kind; } kinds[] = {
    { "country", COPUB_PLACE_COUNTRY }, { "region", COPUB_PLACE_REGION },
    { "regioncode", COPUB_PLACE_REGION_CODE }, { "city", COPUB_PLACE_CITY },
    { "hint", COPUB_PLACE_HINT },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (word, kinds[i].name) == 0)
      {
        *kind = kinds[i].kind;
        return TRUE;
      }
  return FALSE;
}

static guint8
parse_flags (const char *word)
{
  g_auto(GStrv) flags = g_strsplit (word, ",", -1);
  guint8 out = 0;

  for (gsize i = 0; flags[i] != NULL; i++)
    {
      if (strcmp (flags[i], "upper") == 0)
        out |= COPUB_PLACE_UPPER;
      else if (strcmp (flags[i], "final") == 0)
        out |= COPUB_PLACE_FINAL;
      else if (strcmp (flags[i], "last") == 0)
        out |= COPUB_PLACE_LAST;
    }
  return out;
}

/* One line: kind, code ("US" or "US-GA"), flags ("upper,final" or "-"), names ('|'). */
static gboolean
parse_tsv_line (CopubGazetteer *gaz, const char *line, gboolean stops_only, GError **error)
{
  g_auto(GStrv) fields = g_strsplit (line, "\t", 4);
  g_auto(GStrv) names = NULL;
  CopubPlaceKind kind;
  CopubPlace place;

  if (g_strv_length (fields) != 4)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE, "expected 4 fields");
      return FALSE;
    }
  names = g_strsplit (fields[3], "|", -1);
  if (strcmp (fields[0], "stop") == 0)
    {
      for (gsize i = 0; stops_only && names[i] != NULL; i++)
        g_hash_table_add (gaz->stops, g_strdup (build_key (gaz, names[i])));
      return TRUE;
    }
  if (!parse_kind (fields[0], &kind) || strlen (fields[1]) < 2)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "unknown kind '%s'", fields[0]);
      return FALSE;
    }
  if (stops_only)
    return TRUE;
  place = make_place (kind, fields[1], fields[1][2] == '-' ? fields[1] + 3 : NULL, 0);
  place.country[2] = '\0';
  place.flags = parse_flags (fields[2]);
  for (gsize i = 0; names[i] != NULL; i++)
    add_name (gaz, g_strstrip (names[i]), &place);
  return TRUE;
}

static gboolean
load_tsv (CopubGazetteer *gaz, const char *data_dir, gboolean stops_only, GError **error)
{
  g_autofree char *path = g_build_filename (data_dir, "gazetteer.tsv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                   "%s (copub's data directory; set COPUB_DATA_DIR)", local->message);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      if (!parse_tsv_line (gaz, lines[i], stops_only, error))
        {
          g_prefix_error (error, "'%s' line %" G_GSIZE_FORMAT ": ", path, i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

/* ==== Finishing ========================================================================== */

static gint
compare_population (gconstpointer a, gconstpointer b)
{
  const CopubPlace *pa = a, *pb = b;

  if (pa->kind != pb->kind)
    return (gint) pa->kind - (gint) pb->kind;
  return pa->value < pb->value ? 1 : pa->value > pb->value ? -1 : 0;
}

/* Drops French départements whose name also names a place elsewhere ("Vienne"), keeps the
 * most populous cities of a name, and sorts cities by population. */
static void
finish_entry (Entry *entry)
{
  guint cities = 0;

  for (guint i = 0; i < entry->n; i++)
    {
      CopubPlace *p = &entry->places[i];
      if (!(p->flags & COPUB_PLACE_SECONDARY))
        continue;
      for (guint j = 0; j < entry->n; j++)
        {
          CopubPlace *q = &entry->places[j];
          if (strcmp (q->country, p->country) != 0 && q->kind != COPUB_PLACE_HINT)
            {
              entry_remove (entry, i--);
              break;
            }
        }
    }
  if (entry->n > 1)
    qsort (entry->places, entry->n, sizeof (CopubPlace), compare_population);
  for (guint i = 0; i < entry->n; i++)
    {
      CopubPlace *p = &entry->places[i];
      if (p->kind == COPUB_PLACE_CITY && ++cities > MAX_CITY_PLACES)
        entry_remove (entry, i--);
    }
}

/* Puts the places of every key changed since the last call in order and marks every proper
 * prefix of it, so that lookups know when to go on. */
static void
mark_prefixes (CopubGazetteer *gaz)
{
  g_autoptr(GString) prefix = g_string_sized_new (128);

  for (guint i = 0; i < gaz->dirty->len; i++)
    {
      const char *key = gaz->dirty->pdata[i];
      Entry *entry = g_hash_table_lookup (gaz->entries, key);

      entry->dirty = FALSE;
      finish_entry (entry);
      for (const char *sp = strchr (key, ' '); sp != NULL; sp = strchr (sp + 1, ' '))
        {
          g_string_truncate (prefix, 0);
          g_string_append_len (prefix, key, sp - key);
          entry_find_or_add (gaz, prefix->str, NULL)->prefix = TRUE;
        }
    }
  g_ptr_array_set_size (gaz->dirty, 0);
}

/* ==== Public ============================================================================= */

/* An empty gazetteer. */
static CopubGazetteer *
gazetteer_alloc (void)
{
  CopubGazetteer *gaz = g_new0 (CopubGazetteer, 1);

  gaz->entries = g_hash_table_new (g_str_hash, g_str_equal);
  gaz->keys = g_string_chunk_new (1 << 20);
  gaz->strings = g_string_chunk_new (1 << 18);
  gaz->entry_blocks = g_ptr_array_new_with_free_func (entry_block_free);
  gaz->countries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gaz->stops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gaz->ror_ids = g_hash_table_new (g_str_hash, g_str_equal); /* keys: organisations' ids */
  gaz->organisations = g_array_new (FALSE, TRUE, sizeof (CopubOrganisation));
  gaz->org_parents = g_array_new (FALSE, FALSE, sizeof (guint));
  gaz->reg_names = g_array_new (FALSE, FALSE, sizeof (RegName));
  gaz->reg_places = g_array_new (FALSE, FALSE, sizeof (CopubPlace));
  gaz->reg_first = g_hash_table_new (g_str_hash, g_str_equal);
  gaz->reg_ranges = g_array_new (FALSE, FALSE, sizeof (RegRange));
  gaz->dirty = g_ptr_array_new ();
  copub_tokens_init (&gaz->scratch);
  gaz->key = g_string_sized_new (128);
  return gaz;
}

static gboolean
load_places (CopubGazetteer *gaz, const char *dir, GError **error)
{
  if (!load_tsv (gaz, dir, TRUE, error) || !load_countries (gaz, error)
      || !load_former_countries (gaz, error) || !load_regions (gaz, error))
    return FALSE;
  load_cities (gaz);
  if (!load_tsv (gaz, dir, FALSE, error))
    return FALSE;
  mark_prefixes (gaz);
  return TRUE;
}

CopubGazetteer *
copub_gazetteer_new (const char *data_dir, GError **error)
{
  g_autoptr(CopubGazetteer) gaz = gazetteer_alloc ();
  g_autofree char *dir = copub_data_dir (data_dir);

  if (!load_places (gaz, dir, error))
    return NULL;
  return g_steal_pointer (&gaz);
}

void
copub_gazetteer_free (CopubGazetteer *gaz)
{
  if (gaz == NULL)
    return;
  g_clear_pointer (&gaz->entries, g_hash_table_unref);
  g_clear_pointer (&gaz->entry_blocks, g_ptr_array_unref);
  g_clear_pointer (&gaz->keys, g_string_chunk_free);
  g_clear_pointer (&gaz->strings, g_string_chunk_free);
  g_clear_pointer (&gaz->reg_keys, g_string_chunk_free);
  g_clear_pointer (&gaz->countries, g_hash_table_unref);
  g_clear_pointer (&gaz->stops, g_hash_table_unref);
  g_clear_pointer (&gaz->ror_ids, g_hash_table_unref);
  g_clear_pointer (&gaz->organisations, g_array_unref);
  g_clear_pointer (&gaz->org_parents, g_array_unref);
  g_clear_pointer (&gaz->reg_names, g_array_unref);
  g_clear_pointer (&gaz->reg_places, g_array_unref);
  g_clear_pointer (&gaz->reg_first, g_hash_table_unref);
  g_clear_pointer (&gaz->reg_ranges, g_array_unref);
  g_clear_pointer (&gaz->dirty, g_ptr_array_unref);
  copub_tokens_clear (&gaz->scratch);
  if (gaz->key != NULL)
    g_string_free (gaz->key, TRUE);
  g_free (gaz);
}

/* The registry names of @key: their places (and number), and whether a longer name starts
 * with @key and a space. */
static const CopubPlace *
reg_lookup (const CopubGazetteer *gaz, const char *key, guint *n_places, gboolean *is_prefix)
{
  const char *space = strchr (key, ' ');
  gsize first_len = space != NULL ? (gsize) (space - key) : strlen (key), key_len;
  char first[128];
  const RegRange *range;
  const RegName *names = (const RegName *) (gpointer) gaz->reg_names->data;
  guint lo, hi, end;

  *n_places = 0, *is_prefix = FALSE;
  if (first_len >= sizeof first)
    return NULL;
  memcpy (first, key, first_len);
  first[first_len] = '\0';
  range = g_hash_table_lookup (gaz->reg_first, first);
  if (range == NULL)
    return NULL;
  /* the first name not before @key: the range's first for a single word (the word itself
   * sorts before the longer names starting with it); the names of a range all start with
   * its first word, so comparisons start after it */
  lo = range->start, hi = space != NULL ? range->end : range->start;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (strcmp (names[mid].key + first_len, key + first_len) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (end = lo; end < range->end && strcmp (names[end].key + first_len, key + first_len) == 0;
       end++)
    ;
  key_len = space != NULL ? strlen (key) : first_len;
  *is_prefix = end < range->end && strncmp (names[end].key, key, key_len) == 0
               && names[end].key[key_len] == ' ';
  *n_places = end - lo;
  return end > lo ? &g_array_index (gaz->reg_places, CopubPlace, lo) : NULL;
}

const CopubPlace *
copub_gazetteer_lookup (const CopubGazetteer *gaz, const char *key, guint *n_places,
                        gboolean *is_prefix)
{
  Entry *entry = g_hash_table_lookup (gaz->entries, key);
  const CopubPlace *reg = NULL;
  guint n_reg = 0;
  gboolean reg_prefix = FALSE;

  if (gaz->reg_names->len > 0)
    reg = reg_lookup (gaz, key, &n_reg, &reg_prefix);
  if (is_prefix != NULL)
    *is_prefix = (entry != NULL && entry->prefix) || reg_prefix;
  /* a registry name that is also another kind of place was moved into the entry */
  *n_places = entry != NULL && entry->n > 0 ? entry->n : n_reg;
  return entry != NULL && entry->n > 0 ? entry->places : reg;
}

const CopubOrganisation *
copub_gazetteer_organisation (const CopubGazetteer *gaz, guint index)
{
  return index < gaz->organisations->len
         ? &g_array_index (gaz->organisations, CopubOrganisation, index) : NULL;
}

guint
copub_gazetteer_n_organisations (const CopubGazetteer *gaz)
{
  return gaz->organisations->len;
}

gboolean
copub_gazetteer_is_country (const CopubGazetteer *gaz, const char *code)
{
  return code != NULL && g_hash_table_contains (gaz->countries, code);
}

const char *
copub_gazetteer_country_name (const CopubGazetteer *gaz, const char *code)
{
  return code != NULL ? g_hash_table_lookup (gaz->countries, code) : NULL;
}

const char *
copub_gazetteer_zip_state (const char *zip)
{
  /* First three digits of a ZIP code -> state (USPS prefix ranges). */
  static const struct { guint16 lo, hi; const char *state; } ranges[] = {
    { 5, 5, "NY" }, { 10, 27, "MA" }, { 28, 29, "RI" }, { 30, 38, "NH" }, { 39, 49, "ME" },
    { 50, 54, "VT" }, { 55, 55, "MA" }, { 56, 59, "VT" }, { 60, 69, "CT" }, { 70, 89, "NJ" },
    { 100, 149, "NY" }, { 150, 196, "PA" }, { 197, 199, "DE" }, { 200, 200, "DC" },
    { 201, 201, "VA" }, { 202, 205, "DC" }, { 206, 219, "MD" }, { 220, 246, "VA" },
    { 247, 268, "WV" }, { 270, 289, "NC" }, { 290, 299, "SC" }, { 300, 319, "GA" },
    { 320, 339, "FL" }, { 341, 349, "FL" }, { 350, 369, "AL" }, { 370, 385, "TN" },
    { 386, 397, "MS" }, { 398, 399, "GA" }, { 400, 427, "KY" }, { 430, 459, "OH" },
    { 460, 479, "IN" }, { 480, 499, "MI" }, { 500, 528, "IA" }, { 530, 549, "WI" },
    { 550, 567, "MN" }, { 569, 569, "DC" }, { 570, 577, "SD" }, { 580, 588, "ND" },
    { 590, 599, "MT" }, { 600, 629, "IL" }, { 630, 658, "MO" }, { 660, 679, "KS" },
    { 680, 693, "NE" }, { 700, 715, "LA" }, { 716, 729, "AR" }, { 730, 749, "OK" },
    { 750, 799, "TX" }, { 800, 816, "CO" }, { 820, 831, "WY" }, { 832, 838, "ID" },
    { 840, 847, "UT" }, { 850, 865, "AZ" }, { 870, 884, "NM" }, { 885, 885, "TX" },
    { 889, 898, "NV" }, { 900, 961, "CA" }, { 967, 968, "HI" }, { 970, 979, "OR" },
    { 980, 994, "WA" }, { 995, 999, "AK" },
  };
  guint prefix;

  if (zip == NULL || !g_ascii_isdigit (zip[0]) || !g_ascii_isdigit (zip[1])
      || !g_ascii_isdigit (zip[2]))
    return NULL;
  prefix = (guint) ((zip[0] - '0') * 100 + (zip[1] - '0') * 10 + (zip[2] - '0'));
  for (gsize i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (prefix >= ranges[i].lo && prefix <= ranges[i].hi)
      return ranges[i].state;
  return NULL;
}

/* ==== ROR ================================================================================ */

/* The organisation an id stands for, following successors (a merged or renamed record's
 * names find the organisation that replaced it), or -1 when none is active. */
static gint
ror_target (CopubGazetteer *gaz, GHashTable *by_id, const CopubRorRecord *r)
{
  for (guint hops = 0; hops < 8; hops++)
    {
      const char *id = r != NULL ? r->id : NULL;
      gpointer index;

      if (r != NULL && r->status != COPUB_ROR_ACTIVE)
        {
          if (r->successor == NULL)
            return -1;
          id = r->successor;
          r = g_hash_table_lookup (by_id, id);
          if (r != NULL)
            continue;
        }
      /* an active record, or a successor loaded from another file */
      return id != NULL && g_hash_table_lookup_extended (gaz->ror_ids, id, NULL, &index)
             ? GPOINTER_TO_INT (index) - 1 : -1;
    }
  return -1;
}

/* Files @name under its key among the registry names (sorted later by reg_finish). */
static void
reg_add_name (CopubGazetteer *gaz, const char *name, const CopubPlace *place)
{
  RegName reg = { .place = *place };
  const char *key = build_key (gaz, name);

  if (!key_usable (key))
    return;
  reg.key = g_string_chunk_insert_len (gaz->keys, key, (gssize) gaz->key->len);
  reg.len = (guint16) MIN (gaz->key->len, G_MAXUINT16);
  reg.first_len = (guint16) MIN (strcspn (key, " "), G_MAXUINT16);
  for (guint i = 0, ended = 0; i < 16; i++)
    {
      ended = ended || key[i] == '\0';
      reg.head[i / 8] = reg.head[i / 8] << 8 | (ended ? 0 : (guchar) key[i]);
    }
  g_array_append_val (gaz->reg_names, reg);
}

/* strcmp() of two names' keys, from their heads when these differ or hold the whole key. */
static gint
reg_key_compare (const RegName *a, const RegName *b)
{
  for (guint i = 0; i < 2; i++)
    if (a->head[i] != b->head[i])
      return a->head[i] < b->head[i] ? -1 : 1;
  /* equal heads: both keys end inside them, at the same byte, or neither does */
  return a->len < 16 ? 0 : strcmp (a->key + 16, b->key + 16);
}

/* Whether two names' keys have the same first word. */
static gboolean
reg_same_first_word (const RegName *a, const RegName *b)
{
  guint len = a->first_len;

  if (len != b->first_len)
    return FALSE;
  if (len == 0 || len > 16)
    return memcmp (a->key, b->key, len) == 0;
  if (len <= 8)
    return a->head[0] >> (8 * (8 - len)) == b->head[0] >> (8 * (8 - len));
  return a->head[0] == b->head[0]
         && a->head[1] >> (8 * (16 - len)) == b->head[1] >> (8 * (16 - len));
}

static gint
compare_reg_names (gconstpointer a, gconstpointer b)
{
  const RegName *ra = a, *rb = b;
  gint c = reg_key_compare (ra, rb);

  if (c != 0)
    return c;
  if (ra->place.kind != rb->place.kind)
    return (gint) ra->place.kind - (gint) rb->place.kind;
  /* the order finish_entry gives places (the normaliser's choices depend on it) */
  return ra->place.value > rb->place.value ? -1 : ra->place.value < rb->place.value;
}

/* Sorts the registry names added since @first, moves those that are also another kind of
 * place ("Georgia", a country and a college) into the place table, and merges them with the
 * names sorted before. */
static void
reg_sort_new (CopubGazetteer *gaz, guint first, gboolean sorted)
{
  RegName *names = (RegName *) (gpointer) gaz->reg_names->data;
  guint out = first, n = gaz->reg_names->len;
  g_autoptr(GArray) merged = NULL;

  if (!sorted)
    qsort (names + first, n - first, sizeof (RegName), compare_reg_names);
  for (guint i = first; i < n;)
    {
      guint end = i + 1;
      Entry *entry;
      while (end < n && reg_key_compare (&names[end], &names[i]) == 0)
        end++;
      entry = g_hash_table_lookup (gaz->entries, names[i].key);
      for (guint k = i; k < end; k++)
        if (entry != NULL && entry->n > 0)
          add_key (gaz, names[k].key, &names[k].place);
        else
          names[out++] = names[k];
      i = end;
    }
  g_array_set_size (gaz->reg_names, out);
  if (first == 0 || first == out)
    return;
  merged = g_array_sized_new (FALSE, FALSE, sizeof (RegName), out);
  names = (RegName *) (gpointer) gaz->reg_names->data;
  for (guint a = 0, b = first; a < first || b < out;)
    {
      gboolean take_a = b >= out || (a < first && compare_reg_names (&names[a], &names[b]) <= 0);
      g_array_append_val (merged, names[take_a ? a++ : b++]);
    }
  memcpy (names, merged->data, out * sizeof (RegName));
}

/* Sorts the registry names added since @first (unless they are @sorted already), merges
 * repeats (one organisation's name given twice: they are side by side once sorted), and
 * indexes them all by first word. */
static void
reg_finish (CopubGazetteer *gaz, guint first, gboolean sorted)
{
  RegName *names;
  guint out = 0, n;

  reg_sort_new (gaz, first, sorted);
  names = (RegName *) (gpointer) gaz->reg_names->data;
  n = gaz->reg_names->len;
  for (guint k = 0; k < n; k++)
    if (out > 0 && reg_key_compare (&names[out - 1], &names[k]) == 0
        && same_place (&names[out - 1].place, &names[k].place))
      names[out - 1].place.flags |= names[k].place.flags;
    else
      names[out++] = names[k];
  g_array_set_size (gaz->reg_names, out);
  g_array_set_size (gaz->reg_places, out);
  g_array_set_size (gaz->reg_ranges, 0);
  g_hash_table_remove_all (gaz->reg_first);
  for (guint i = 0; i < out; i++)
    {
      RegRange *last = gaz->reg_ranges->len > 0
        ? &g_array_index (gaz->reg_ranges, RegRange, gaz->reg_ranges->len - 1) : NULL;

      g_array_index (gaz->reg_places, CopubPlace, i) = names[i].place;
      if (last != NULL && reg_same_first_word (&names[last->start], &names[i]))
        last->end = i + 1;
      else
        {
          RegRange range = { i, i + 1 };
          g_array_append_val (gaz->reg_ranges, range);
        }
    }
  for (guint i = 0; i < gaz->reg_ranges->len; i++)
    {
      RegRange *range = &g_array_index (gaz->reg_ranges, RegRange, i);
      const char *key = names[range->start].key, *space = strchr (key, ' ');
      g_hash_table_insert (gaz->reg_first,
                           g_string_chunk_insert_len (gaz->keys, key, space != NULL
                                                      ? space - key : -1), range);
    }
}

static void
ror_add_names (CopubGazetteer *gaz, const CopubRorRecord *r, guint index)
{
  const CopubOrganisation *org = &g_array_index (gaz->organisations, CopubOrganisation, index);
  CopubPlace place = make_place (COPUB_PLACE_INSTITUTION, org->country, NULL, 0);

  place.value = index;
  for (guint i = 0; i < r->n_names; i++)
    {
      const CopubRorName *name = &r->names[i];
      CopubPlace p = place;
      if (name->types & COPUB_ROR_NAME_ACRONYM)
        p.kind = COPUB_PLACE_ACRONYM, p.flags = COPUB_PLACE_UPPER;
      else if (name->types & COPUB_ROR_NAME_GENERIC)
        p.flags = COPUB_PLACE_GENERIC;
      reg_add_name (gaz, name->value, &p);
    }
}

static const char *
ror_display_name (const CopubRorRecord *r)
{
  for (guint i = 0; i < r->n_names; i++)
    if (r->names[i].types & COPUB_ROR_NAME_DISPLAY)
      return r->names[i].value;
  return r->names[0].value;
}

/* The active records not loaded yet become organisations; then parents are linked and every
 * name is keyed, an inactive or withdrawn record's under its successor. */
static void
ror_add_records (CopubGazetteer *gaz, const CopubRegistry *reg)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  guint first = gaz->organisations->len;

  for (guint i = 0; i < reg->records->len; i++)
    {
      const CopubRorRecord *r = &g_array_index (reg->records, CopubRorRecord, i);
      CopubOrganisation org = { 0 };
      if (!g_hash_table_contains (by_id, r->id))
        g_hash_table_insert (by_id, (gpointer) r->id, (gpointer) r);
      if (r->status != COPUB_ROR_ACTIVE || g_hash_table_contains (gaz->ror_ids, r->id))
        continue;
      org.id = g_string_chunk_insert (gaz->strings, r->id);
      org.name = g_string_chunk_insert (gaz->strings, ror_display_name (r));
      org.city = r->city != NULL ? g_string_chunk_insert_const (gaz->strings, r->city) : NULL;
      g_strlcpy (org.country, r->country, sizeof org.country);
      g_hash_table_insert (gaz->ror_ids, org.id, GUINT_TO_POINTER (gaz->organisations->len + 1));
      g_array_append_val (gaz->organisations, org);
    }
  for (guint i = 0; i < reg->records->len; i++)
    {
      const CopubRorRecord *r = &g_array_index (reg->records, CopubRorRecord, i);
      gint target = ror_target (gaz, by_id, r);
      /* an id repeated in the file is read once; one an earlier file loaded gets the names
       * this file adds (copub's own records complete the table's) */
      if (target < 0 || g_hash_table_lookup (by_id, r->id) != r)
        continue;
      if (r->status == COPUB_ROR_ACTIVE && (guint) target >= first)
        {
          CopubOrganisation *org = &g_array_index (gaz->organisations, CopubOrganisation,
                                                   target);
          org->parents = gaz->org_parents->len, org->n_parents = 0;
          for (guint k = 0; k < r->n_parents; k++)
            {
              gpointer index;
              guint parent;
              if (!g_hash_table_lookup_extended (gaz->ror_ids, r->parents[k], NULL,
                                                 &index))
                continue;
              parent = GPOINTER_TO_UINT (index) - 1;
              g_array_append_val (gaz->org_parents, parent);
              org->n_parents++;
            }
        }
      ror_add_names (gaz, r, (guint) target);
    }
}

gboolean
copub_gazetteer_load_ror (CopubGazetteer *gaz, const char *path, GError **error)
{
  g_autoptr(CopubRegistry) reg = copub_registry_read (path, error);
  guint first = gaz->reg_names->len;

  if (reg == NULL)
    return FALSE;
  /* room for every name at once, not a doubling and a copy of them all every so often */
  g_array_set_size (gaz->reg_names, first + reg->names->len);
  g_array_set_size (gaz->reg_names, first);
  ror_add_records (gaz, reg);
  reg_finish (gaz, first, FALSE);
  mark_prefixes (gaz);
  return TRUE;
}

/* ---- a registry loaded beside the places ---- */

/* What the second thread of copub_gazetteer_new_with_ror() makes: the registry's
 * organisations and names, keyed and sorted, in a gazetteer of its own without places
 * (the keys of names do not depend on the places; what does is done after). */
typedef struct {
  const char *path;
  CopubGazetteer *registry;
  GError *error;
} RegistryLoad;

static gpointer
load_registry_apart (gpointer data)
{
  RegistryLoad *load = data;
  g_autoptr(CopubRegistry) reg = copub_registry_read (load->path, &load->error);
  CopubGazetteer *apart;

  if (reg == NULL)
    return NULL;
  apart = gazetteer_alloc ();
  g_array_set_size (apart->reg_names, reg->names->len);
  g_array_set_size (apart->reg_names, 0);
  ror_add_records (apart, reg);
  qsort (apart->reg_names->data, apart->reg_names->len, sizeof (RegName), compare_reg_names);
  load->registry = apart;
  return NULL;
}

/* Whether @path can be opened for reading. */
static gboolean
opens (const char *path)
{
  int fd = g_open (path, O_RDONLY, 0);

  if (fd < 0)
    return FALSE;
  g_close (fd, NULL);
  return TRUE;
}

/* The places, then the registry @path, one after the other. */
static CopubGazetteer *
gazetteer_new_then_ror (const char *data_dir, const char *path, GError **error)
{
  g_autoptr(CopubGazetteer) gaz = copub_gazetteer_new (data_dir, error);

  if (gaz == NULL || !copub_gazetteer_load_ror (gaz, path, error))
    return NULL;
  return g_steal_pointer (&gaz);
}

#define SWAP_FIELD(a, b, field) \
  G_STMT_START { gpointer t_ = (a)->field; (a)->field = (b)->field; (b)->field = t_; } G_STMT_END

CopubGazetteer *
copub_gazetteer_new_with_ror (const char *data_dir, const char *path, GError **error)
{
  g_autoptr(CopubGazetteer) gaz = NULL;
  g_autoptr(CopubGazetteer) apart = NULL;
  g_autofree char *dir = NULL;
  RegistryLoad load = { path, NULL, NULL };
  GThread *thread;
  gboolean placed;

  /* The places' loading sets LANGUAGE while it runs (base/l10n.c), so the second thread
   * must not read the environment. Reading and keying a table does not; the message of a
   * file that cannot be opened does (g_strerror): such a table is read after the places. */
  if (!opens (path))
    return gazetteer_new_then_ror (data_dir, path, error);
  gaz = gazetteer_alloc ();
  dir = copub_data_dir (data_dir);
  thread = g_thread_new ("copub-registry", load_registry_apart, &load);
  placed = load_places (gaz, dir, error);

  g_thread_join (thread);
  apart = load.registry;
  /* the errors in the order the files are read one after the other */
  if (!placed || load.error != NULL)
    {
      if (placed)
        g_propagate_error (error, load.error);
      else
        g_clear_error (&load.error);
      return NULL;
    }
  /* the places hold no organisation yet: the registry's tables become the gazetteer's */
  SWAP_FIELD (gaz, apart, ror_ids);
  SWAP_FIELD (gaz, apart, organisations);
  SWAP_FIELD (gaz, apart, org_parents);
  SWAP_FIELD (gaz, apart, reg_names);
  SWAP_FIELD (gaz, apart, strings);
  gaz->reg_keys = g_steal_pointer (&apart->keys);
  reg_finish (gaz, 0, TRUE);
  mark_prefixes (gaz);
  return g_steal_pointer (&gaz);
}

gboolean
copub_gazetteer_is_parent (const CopubGazetteer *gaz, guint child, guint parent)
{
  const CopubOrganisation *org = copub_gazetteer_organisation (gaz, child);

  for (guint depth = 0; org != NULL && depth < 4; depth++)
    {
      guint next = G_MAXUINT;
      for (guint i = 0; i < org->n_parents; i++)
        {
          guint p = g_array_index (gaz->org_parents, guint, org->parents + i);
          if (p == parent)
            return TRUE;
          next = p;
        }
      org = next != G_MAXUINT ? copub_gazetteer_organisation (gaz, next) : NULL;
    }
  return FALSE;
}

gboolean
copub_gazetteer_ror_index (const CopubGazetteer *gaz, const char *id, guint *index)
{
  gpointer value;

  if (id == NULL || !g_hash_table_lookup_extended (gaz->ror_ids, id, NULL, &value))
    return FALSE;
  *index = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}
