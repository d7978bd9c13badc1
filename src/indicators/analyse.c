/* copub: the indicators, computed in one pass over the store's work summaries.
 * Each work gives a list of values per dimension (its year, its theme, its foreign
 * countries, its partners...); it is counted once in each combination. Counts are
 * additive over years, which makes rolling periods and headline periods sums. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "copub/analyse.h"
#include "copub/error.h"
#include "output/words.h"

/* Normal quantile for a two-sided 95 % interval. */
#define Z95 1.959963984540054
#define SEP "\x1f" /* joins dimension values into keys */

const char *const copub_analyse_default_types[] = { "article", "review", "book-chapter", NULL };

static const char *const dim_names[COPUB_N_DIMS] = {
  [COPUB_DIM_YEAR] = "year",
  [COPUB_DIM_THEME] = "theme",
  [COPUB_DIM_COUNTRY] = "country",
  [COPUB_DIM_PARTNER] = "partner",
  [COPUB_DIM_SOURCE] = "source",
};

/* French overseas departments, regions and collectivities with their own ISO code. */
static const char *const french_territories[] = {
  "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF", NULL
};

gboolean
copub_analyse_parse_dims (CopubAnalyseOptions *options, const char *list, GError **error)
{
  g_auto(GStrv) names = g_strsplit (list, ",", -1);

  options->n_dims = 0;
  for (char **n = names; *n; n++)
    {
      char *name = g_strstrip (*n);
      guint d;
      for (d = 0; d < COPUB_N_DIMS && strcmp (name, dim_names[d]) != 0; d++)
        ;
      if (d == COPUB_N_DIMS)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                       "unknown dimension '%s': expected year, theme, country, partner or "
                       "source", name);
          return FALSE;
        }
      for (guint i = 0; i < options->n_dims; i++)
        if (options->dims[i] == (CopubDimension) d)
          {
            g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "dimension '%s' given twice",
                         name);
            return FALSE;
          }
      options->dims[options->n_dims++] = (CopubDimension) d;
    }
  if (options->n_dims == 0)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE, "no dimension given");
      return FALSE;
    }
  return TRUE;
}

void
copub_analyse_wilson (gint64 successes, gint64 n, double *out_low, double *out_high)
{
  double p, z2, denom, centre, half;

  if (n <= 0)
    {
      *out_low = *out_high = NAN;
      return;
    }
  p = (double) successes / (double) n;
  z2 = Z95 * Z95;
  denom = 1.0 + z2 / (double) n;
  centre = (p + z2 / (2.0 * (double) n)) / denom;
  half = Z95 * sqrt (p * (1.0 - p) / (double) n + z2 / (4.0 * (double) n * (double) n)) / denom;
  *out_low = MAX (0.0, centre - half);
  *out_high = MIN (1.0, centre + half);
}

const char *
copub_analyse_harmonise (const CopubAnalyseOptions *options, const char *code)
{
  if (options->territories_as_home && g_strcmp0 (options->home, "FR") == 0)
    for (const char *const *t = french_territories; *t; t++)
      if (strcmp (*t, code) == 0)
        return "FR";
  if (options->hk_mo_as_cn && (strcmp (code, "HK") == 0 || strcmp (code, "MO") == 0))
    return "CN";
  return code;
}

static gboolean
type_kept (const CopubAnalyseOptions *options, const char *type)
{
  const char *const *types = options->types ? options->types : copub_analyse_default_types;

  if (types[0] != NULL && strcmp (types[0], "all") == 0)
    return TRUE;
  return type != NULL && g_strv_contains (types, type);
}

static gboolean
in_corpus (const CopubAnalyseOptions *options, const CopubWorkSummary *s)
{
  return s->year > 0 && !s->is_retracted && !s->is_paratext && type_kept (options, s->type);
}

/* ---- one work's countries --------------------------------------------------------- */

/* Fractional counts are integers in units of 1/FRAC_SCALE of a work, FRAC_SCALE being
 * lcm(1..40): a part 1/(K C) (K authorships with a country, C countries in the
 * authorship) is a whole number of units whenever K C divides it (every K C up to 40,
 * and 48, 60, 100, 120, 200, 300...), so equal fractions stay equal. A work's credit to
 * a country is rounded once to the nearest unit (halves up), exact in those cases; sums
 * of integers (128 bits: 3 * 10^22 works) do not depend on the order or the split of
 * the input. */
#define FRAC_SCALE G_GINT64_CONSTANT (5342931457063200)
/* Bound of a credit's denominator (before the authorship count), for exact rounding. */
#define FRAC_MAX_DEN (G_GUINT64_CONSTANT (1) << 32)

__extension__ typedef unsigned __int128 FracWide;
__extension__ typedef __int128 FracSum;

/* A country's credit in one work while it is summed: num / (den * known) exactly, plus
 * @rounded units for the parts that would take the denominator past FRAC_MAX_DEN
 * (authorships with many different numbers of countries: each is rounded alone). */
typedef struct {
  FracWide num;
  guint64 den;
  gint64 rounded;
} Credit;

/* The harmonised countries of a work (distinct), and each one's fractional credit. */
typedef struct {
  const char *codes[64];
  Credit part[64];
  gint64 credit[64]; /* units of 1/FRAC_SCALE of the work */
  guint n;
} WorkCountries;

static guint64
gcd64 (guint64 a, guint64 b)
{
  while (b)
    {
      guint64 t = a % b;
      a = b;
      b = t;
    }
  return a;
}

/* round (FRAC_SCALE * num / den), halves up. */
static gint64
frac_round (FracWide num, FracWide den)
{
  FracWide q = num / den, r = num % den;
  return (gint64) (q * FRAC_SCALE + (2 * r * FRAC_SCALE + den) / (2 * den));
}

/* Adds 1 / (@known * @k) to @c. */
static void
credit_add (Credit *c, guint64 k, guint known)
{
  guint64 g = gcd64 (c->den, k), den = c->den / g * k;

  if (c->den / g > FRAC_MAX_DEN / k)
    {
      c->rounded += frac_round (1, (FracWide) k * known);
      return;
    }
  c->num = c->num * (k / g) + den / k;
  c->den = den;
}

static guint
country_slot (WorkCountries *wc, const char *code)
{
  for (guint i = 0; i < wc->n; i++)
    if (strcmp (wc->codes[i], code) == 0)
      return i;
  if (wc->n == G_N_ELEMENTS (wc->codes))
    return G_MAXUINT; /* more than 64 countries in one work: the rest is not counted */
  wc->codes[wc->n] = code;
  wc->part[wc->n] = (Credit) { 0, 1, 0 };
  wc->credit[wc->n] = 0;
  return wc->n++;
}

/* Reads "FR;FR,US;;DE": each authorship with a known country carries 1/K of the work
 * (K such authorships), split equally over its distinct harmonised countries; a
 * country's credit is the exact sum of its parts, rounded once. The codes point into
 * @buf, a writable copy of the string. */
static void
work_countries (const CopubAnalyseOptions *options, char *buf, WorkCountries *wc)
{
  g_auto(GStrv) auths = g_strsplit (buf, ";", -1);
  guint known = 0;

  wc->n = 0;
  /* Inferred entries ("~DE") count unless the source's countries alone are asked for. */
  for (char **a = auths; *a; a++)
    if (**a == '~' && options->source_countries_only)
      **a = '\0';
  for (char **a = auths; *a; a++)
    known += **a != '\0';
  for (char **a = auths; *a; a++)
    {
      const char *mine[64];
      guint n_mine = 0;
      char *save = NULL;
      if (**a == '\0')
        continue;
      for (char *c = strtok_r (*a, ",", &save); c; c = strtok_r (NULL, ",", &save))
        {
          const char *h = copub_analyse_harmonise (options, c[0] == '~' ? c + 1 : c);
          gboolean dup = FALSE;
          for (guint i = 0; i < n_mine; i++)
            dup |= strcmp (mine[i], h) == 0;
          if (!dup && n_mine < G_N_ELEMENTS (mine))
            mine[n_mine++] = g_intern_string (h);
        }
      for (guint i = 0; i < n_mine; i++)
        {
          guint slot = country_slot (wc, mine[i]);
          if (slot != G_MAXUINT)
            credit_add (&wc->part[slot], n_mine, known);
        }
    }
  for (guint i = 0; i < wc->n; i++)
    wc->credit[i] = wc->part[i].rounded
                    + (wc->part[i].num ? frac_round (wc->part[i].num,
                                                     (FracWide) wc->part[i].den * known)
                                       : 0);
}

static gboolean
is_international (const CopubAnalyseOptions *options, const WorkCountries *wc)
{
  if (options->home == NULL)
    return wc->n >= 2;
  for (guint i = 0; i < wc->n; i++)
    if (strcmp (wc->codes[i], options->home) != 0)
      return TRUE;
  return FALSE;
}

/* ---- counting ------------------------------------------------------------------------ */

typedef struct {
  gint64 works;
  gint64 international;
  gint64 authorships;
  gint64 known;
  gint64 complete;
  gint64 complete_international;
  FracSum fractional; /* units of 1/FRAC_SCALE of a work */
  char **values;      /* the cell's dimension values, in options->dims order */
  int year;           /* for the year dimension: the year (periods: the last year) */
  guint partner;      /* for ordering partners as in their file */
} Cell;

static void
cell_free (gpointer data)
{
  Cell *cell = data;
  g_strfreev (cell->values);
  g_free (cell);
}

typedef struct {
  const CopubAnalyseOptions *options;
  gboolean has_pair;       /* a country or partner dimension */
  GHashTable *base;        /* key of the non-pair dimensions -> Cell */
  GHashTable *cells;       /* full key -> Cell (== base when !has_pair) */
  gboolean synthetic;
  int min_year, max_year;
  GHashTable *linked;      /* "source\x1fid" -> group, for works held by several sources */
  GHashTable *group_sizes; /* group -> its number of records */
  GHashTable *groups;      /* group -> GPtrArray of Member read so far */
} Scan;

static gboolean
is_pair_dim (CopubDimension d)
{
  return d == COPUB_DIM_COUNTRY || d == COPUB_DIM_PARTNER;
}

static const char *
theme_of (const CopubAnalyseOptions *options, const CopubWorkSummary *s)
{
  gboolean hal = g_strcmp0 (s->source, "hal") == 0;

  if (options->themes)
    return copub_theme_map_lookup (options->themes, hal ? NULL : s->field_id,
                                   hal ? NULL : s->domain_id, hal ? s->domain_id : NULL);
  if (hal || options->theme_level == COPUB_THEME_DOMAIN)
    return s->domain_name ? s->domain_name : "(unknown)";
  return s->field_name ? s->field_name : "(unknown)";
}

/* The values of dimension @d for this work (borrowed or interned strings). */
static void
dim_values (Scan *scan, CopubDimension d, const CopubWorkSummary *s, const WorkCountries *wc,
            GArray *partners, GPtrArray *out, char *year_buf)
{
  const CopubAnalyseOptions *o = scan->options;

  g_ptr_array_set_size (out, 0);
  switch (d)
    {
    case COPUB_DIM_YEAR:
      g_ptr_array_add (out, year_buf);
      break;
    case COPUB_DIM_THEME:
      g_ptr_array_add (out, (gpointer) theme_of (o, s));
      break;
    case COPUB_DIM_SOURCE:
      g_ptr_array_add (out, (gpointer) s->source);
      break;
    case COPUB_DIM_COUNTRY:
      for (guint i = 0; i < wc->n; i++)
        if (o->home == NULL || strcmp (wc->codes[i], o->home) != 0)
          g_ptr_array_add (out, (gpointer) wc->codes[i]);
      break;
    case COPUB_DIM_PARTNER:
      for (guint i = 0; i < partners->len; i++)
        g_ptr_array_add (out, (gpointer) copub_partners_name (o->partners,
                                                              g_array_index (partners, guint,
                                                                             i)));
      break;
    case COPUB_N_DIMS:
    default:
      break;
    }
}

static Cell *
cell_get (GHashTable *table, const char *key, char **values, guint n_values)
{
  Cell *cell = g_hash_table_lookup (table, key);

  if (cell == NULL)
    {
      cell = g_new0 (Cell, 1);
      cell->values = g_new0 (char *, n_values + 1);
      for (guint i = 0; i < n_values; i++)
        cell->values[i] = g_strdup (values[i]);
      g_hash_table_insert (table, g_strdup (key), cell);
    }
  return cell;
}

typedef struct {
  gboolean international;
  gboolean complete;
  int n_authorships;
  int n_known;
  const WorkCountries *wc;
  int year;
} WorkFacts;

static void
count_base (Cell *c, const WorkFacts *f)
{
  c->works++;
  c->international += f->international;
  c->authorships += f->n_authorships;
  c->known += f->n_known;
  c->complete += f->complete;
  c->complete_international += f->complete && f->international;
  c->year = f->year;
}

/* Counts the work in every combination of its values. @lists[d] are the values of
 * options->dims[d]; @at is the dimension being expanded; @chosen the values so far. */
static void
expand (Scan *scan, GPtrArray **lists, guint at, char **chosen, const WorkFacts *f)
{
  const CopubAnalyseOptions *o = scan->options;

  if (at == o->n_dims)
    {
      GString *key = g_string_new (NULL);
      Cell *c;
      for (guint d = 0; d < o->n_dims; d++)
        g_string_append_printf (key, "%s" SEP, chosen[d]);
      c = cell_get (scan->cells, key->str, chosen, o->n_dims);
      g_string_free (key, TRUE);
      if (!scan->has_pair)
        {
          count_base (c, f);
          return;
        }
      c->works++;
      c->year = f->year;
      for (guint d = 0; d < o->n_dims; d++)
        if (o->dims[d] == COPUB_DIM_COUNTRY)
          for (guint i = 0; i < f->wc->n; i++)
            if (strcmp (f->wc->codes[i], chosen[d]) == 0)
              c->fractional += f->wc->credit[i];
      return;
    }
  for (guint i = 0; i < lists[at]->len; i++)
    {
      chosen[at] = g_ptr_array_index (lists[at], i);
      expand (scan, lists, at + 1, chosen, f);
    }
}

/* The base cell of the work (its non-pair dimension values): every work counts there,
 * with or without a partner country or partner. */
static void
count_in_base (Scan *scan, GPtrArray **lists, const WorkFacts *f)
{
  const CopubAnalyseOptions *o = scan->options;
  GString *key = g_string_new (NULL);
  char *values[COPUB_N_DIMS];
  guint n = 0;

  for (guint d = 0; d < o->n_dims; d++)
    if (!is_pair_dim (o->dims[d]))
      {
        values[n] = g_ptr_array_index (lists[d], 0);
        g_string_append (key, values[n++]);
        g_string_append (key, SEP);
      }
  count_base (cell_get (scan->base, key->str, values, n), f);
  g_string_free (key, TRUE);
}

/* Adds the countries of @extra ("DE,FR": another source's record of the same work)
 * to the work's countries, with no fractional credit: its authorships are not counted. */
static void
add_extra_countries (const CopubAnalyseOptions *o, const char *extra, WorkCountries *wc)
{
  g_auto(GStrv) codes = NULL;

  if (extra == NULL || *extra == '\0')
    return;
  codes = g_strsplit (extra, ",", -1);
  for (char **c = codes; *c; c++)
    {
      if (**c == '~' && o->source_countries_only)
        continue;
      country_slot (wc, g_intern_string (copub_analyse_harmonise (o, **c == '~' ? *c + 1 : *c)));
    }
}

/* Counts one work; @extra holds countries from other sources' records of it. */
static void
count_summary (Scan *scan, const CopubWorkSummary *s, const char *extra)
{
  const CopubAnalyseOptions *o = scan->options;
  g_autofree char *buf = g_strdup (s->auth_countries ? s->auth_countries : "");
  g_autoptr(GArray) partners = g_array_new (FALSE, FALSE, sizeof (guint));
  GPtrArray *lists[COPUB_N_DIMS] = { NULL };
  char *chosen[COPUB_N_DIMS];
  char year_buf[16];
  WorkCountries wc;
  WorkFacts f;

  if (!in_corpus (o, s))
    return;
  work_countries (o, buf, &wc);
  add_extra_countries (o, extra, &wc);
  if (o->partners)
    copub_partners_match (o->partners, s->institutions, partners);
  f.international = is_international (o, &wc);
  f.n_authorships = s->n_authorships;
  f.n_known = s->n_known - (o->source_countries_only ? s->n_inferred : 0);
  f.complete = s->n_authorships > 0 && f.n_known == s->n_authorships;
  f.wc = &wc;
  f.year = s->year;
  g_snprintf (year_buf, sizeof year_buf, "%d", s->year);
  scan->synthetic |= s->is_synthetic;
  scan->min_year = scan->min_year ? MIN (scan->min_year, s->year) : s->year;
  scan->max_year = MAX (scan->max_year, s->year);

  for (guint d = 0; d < o->n_dims; d++)
    {
      lists[d] = g_ptr_array_new ();
      dim_values (scan, o->dims[d], s, &wc, partners, lists[d], year_buf);
    }
  if (scan->has_pair)
    count_in_base (scan, lists, &f);
  expand (scan, lists, 0, chosen, &f);
  for (guint d = 0; d < o->n_dims; d++)
    g_ptr_array_unref (lists[d]);
}

/* ---- one work across sources -------------------------------------------------------- */

/* A record kept until every record of its work has been read. */
typedef struct {
  CopubWorkSummary s;  /* its strings are owned copies */
} Member;

static void
member_free (gpointer data)
{
  Member *m = data;
  g_free ((char *) m->s.source);
  g_free ((char *) m->s.id);
  g_free ((char *) m->s.type);
  g_free ((char *) m->s.countries);
  g_free ((char *) m->s.field_id);
  g_free ((char *) m->s.field_name);
  g_free ((char *) m->s.domain_id);
  g_free ((char *) m->s.domain_name);
  g_free ((char *) m->s.auth_countries);
  g_free ((char *) m->s.institutions);
  g_free ((char *) m->s.doi);
  g_free ((char *) m->s.title);
  g_free (m);
}

static Member *
member_new (const CopubWorkSummary *s)
{
  Member *m = g_new0 (Member, 1);

  m->s = *s;
  m->s.source = g_strdup (s->source);
  m->s.id = g_strdup (s->id);
  m->s.type = g_strdup (s->type);
  m->s.countries = g_strdup (s->countries);
  m->s.field_id = g_strdup (s->field_id);
  m->s.field_name = g_strdup (s->field_name);
  m->s.domain_id = g_strdup (s->domain_id);
  m->s.domain_name = g_strdup (s->domain_name);
  m->s.auth_countries = g_strdup (s->auth_countries);
  m->s.institutions = g_strdup (s->institutions);
  m->s.doi = g_strdup (s->doi);
  m->s.title = g_strdup (s->title);
  return m;
}

/* The record that speaks for the work: OpenAlex's when there is one (its types and
 * topics are the vocabulary of the analysis), then the one with more known countries. */
static const Member *
pick_base (GPtrArray *members)
{
  const Member *best = g_ptr_array_index (members, 0);

  for (guint i = 1; i < members->len; i++)
    {
      const Member *m = g_ptr_array_index (members, i);
      gboolean m_oa = strcmp (m->s.source, "openalex") == 0;
      gboolean b_oa = strcmp (best->s.source, "openalex") == 0;
      if ((m_oa && !b_oa) || (m_oa == b_oa && m->s.n_known > best->s.n_known))
        best = m;
    }
  return best;
}

/* Counts the records of one work once: the base record's facts, the union of every
 * record's countries and institutions, source "both" when the sources differ. */
static void
count_group (Scan *scan, GPtrArray *members)
{
  const Member *base = pick_base (members);
  CopubWorkSummary merged = base->s;
  GString *extra = g_string_new (NULL), *institutions = g_string_new (base->s.institutions);
  gboolean mixed = FALSE;

  for (guint i = 0; i < members->len; i++)
    {
      const Member *m = g_ptr_array_index (members, i);
      if (m == base)
        continue;
      mixed |= strcmp (m->s.source, base->s.source) != 0;
      merged.is_retracted |= m->s.is_retracted;
      merged.is_synthetic |= m->s.is_synthetic;
      if (m->s.countries && *m->s.countries)
        g_string_append_printf (extra, "%s%s", extra->len ? "," : "", m->s.countries);
      if (m->s.institutions && *m->s.institutions)
        g_string_append_printf (institutions, " %s", m->s.institutions);
    }
  merged.source = mixed ? "both" : base->s.source;
  merged.institutions = institutions->str;
  count_summary (scan, &merged, extra->str);
  g_string_free (extra, TRUE);
  g_string_free (institutions, TRUE);
}

static gboolean
count_work (const CopubWorkSummary *s, gpointer user_data, GError **error)
{
  Scan *scan = user_data;
  GPtrArray *members;
  const char *group;
  char key[256];
  (void) error;

  g_snprintf (key, sizeof key, "%s\x1f%s", s->source, s->id);
  group = scan->linked ? g_hash_table_lookup (scan->linked, key) : NULL;
  if (group == NULL)
    {
      count_summary (scan, s, NULL);
      return TRUE;
    }
  members = g_hash_table_lookup (scan->groups, group);
  if (members == NULL)
    {
      members = g_ptr_array_new_with_free_func (member_free);
      g_hash_table_insert (scan->groups, g_strdup (group), members);
    }
  g_ptr_array_add (members, member_new (s));
  if (members->len == (guint) GPOINTER_TO_INT (g_hash_table_lookup (scan->group_sizes, group)))
    {
      count_group (scan, members);
      g_hash_table_remove (scan->groups, group);
    }
  return TRUE;
}

/* Groups still open after the scan lost records to the year range: count what came. */
static void
flush_groups (Scan *scan)
{
  GHashTableIter it;
  gpointer value;

  if (scan->groups == NULL)
    return;
  g_hash_table_iter_init (&it, scan->groups);
  while (g_hash_table_iter_next (&it, NULL, &value))
    count_group (scan, value);
  g_hash_table_remove_all (scan->groups);
}

/* ---- rolling periods --------------------------------------------------------------- */

static int
year_dim_index (const CopubAnalyseOptions *o)
{
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == COPUB_DIM_YEAR)
      return (int) d;
  return -1;
}

static void
cell_add (Cell *to, const Cell *from)
{
  to->works += from->works;
  to->international += from->international;
  to->authorships += from->authorships;
  to->known += from->known;
  to->complete += from->complete;
  to->complete_international += from->complete_international;
  to->fractional += from->fractional;
}

/* Replaces single-year cells by rolling periods "2015-2018" of @window years that lie
 * inside the corpus' years: a cell of year Y adds to the periods ending Y..Y+window-1. */
static GHashTable *
roll (GHashTable *cells, guint n_values, int year_dim, guint window, int first, int last)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cell_free);
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, cells);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const Cell *c = value;
      int year = atoi (c->values[year_dim]);
      for (int end = year; end < year + (int) window; end++)
        {
          g_autofree char *period = NULL;
          g_autofree char *orig = NULL;
          GString *key = g_string_new (NULL);
          Cell *p;
          if (end - (int) window + 1 < first || end > last)
            {
              g_string_free (key, TRUE);
              continue;
            }
          period = g_strdup_printf ("%d-%d", end - (int) window + 1, end);
          orig = c->values[year_dim];
          c->values[year_dim] = period;
          for (guint d = 0; d < n_values; d++)
            g_string_append_printf (key, "%s" SEP, c->values[d]);
          p = cell_get (out, key->str, c->values, n_values);
          c->values[year_dim] = g_steal_pointer (&orig);
          cell_add (p, c);
          p->year = end;
          p->partner = c->partner;
          g_string_free (key, TRUE);
        }
    }
  g_hash_table_unref (cells);
  return out;
}

/* ---- the table ------------------------------------------------------------------------ */

typedef struct {
  const CopubAnalyseOptions *options;
  GHashTable *base;
  guint n_base_values;
} SortContext;

/* The values of every dimension but the country: rows that share them are ranked
 * together. */
static const char *
rank_key_of (const CopubAnalyseOptions *o, const Cell *c, GString *buf)
{
  g_string_truncate (buf, 0);
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] != COPUB_DIM_COUNTRY)
      g_string_append_printf (buf, "%s" SEP, c->values[d]);
  return buf->str;
}

static const char *
base_key_of (const CopubAnalyseOptions *o, const Cell *c, GString *buf)
{
  g_string_truncate (buf, 0);
  for (guint d = 0; d < o->n_dims; d++)
    if (!is_pair_dim (o->dims[d]))
      g_string_append_printf (buf, "%s" SEP, c->values[d]);
  return buf->str;
}

static int
compare_cells (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const SortContext *ctx = data;
  const CopubAnalyseOptions *o = ctx->options;
  const Cell *a = *(Cell *const *) pa, *b = *(Cell *const *) pb;
  int cmp;

  /* Non-pair dimensions in column order (years numerically), then partners in file
   * order, then countries by works, most first. */
  for (guint d = 0; d < o->n_dims; d++)
    {
      if (is_pair_dim (o->dims[d]))
        continue;
      cmp = o->dims[d] == COPUB_DIM_YEAR ? (a->year > b->year) - (a->year < b->year)
                                         : g_utf8_collate (a->values[d], b->values[d]);
      if (cmp != 0)
        return cmp;
    }
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == COPUB_DIM_PARTNER && (cmp = strcmp (a->values[d], b->values[d])) != 0)
      {
        guint ia = 0, ib = 0;
        for (guint i = 0; i < copub_partners_count (o->partners); i++)
          {
            if (strcmp (copub_partners_name (o->partners, i), a->values[d]) == 0)
              ia = i;
            if (strcmp (copub_partners_name (o->partners, i), b->values[d]) == 0)
              ib = i;
          }
        return (ia > ib) - (ia < ib);
      }
  /* Within a group: the counting's measure, most first, then the values. */
  if (o->counting == COPUB_COUNTING_FRACTIONAL)
    {
      if (a->fractional != b->fractional)
        return a->fractional > b->fractional ? -1 : 1;
    }
  else if (a->works != b->works)
    return a->works > b->works ? -1 : 1;
  for (guint d = 0; d < o->n_dims; d++)
    if ((cmp = strcmp (a->values[d], b->values[d])) != 0)
      return cmp;
  return 0;
}

static void
set_share (CopubTable *t, guint row, guint col, double part, gint64 whole)
{
  if (whole > 0)
    copub_table_set_real (t, row, col, part / (double) whole);
}

static void
add_dim_columns (CopubTable *t, const CopubAnalyseOptions *o)
{
  for (guint d = 0; d < o->n_dims; d++)
    {
      CopubDimension dim = o->dims[d];
      const char *name = dim == COPUB_DIM_YEAR && o->window > 1 ? "period" : dim_names[dim];
      copub_table_add_column (t, name, dim == COPUB_DIM_YEAR && o->window <= 1
                                           ? COPUB_COLUMN_INT : COPUB_COLUMN_TEXT);
      if (dim == COPUB_DIM_COUNTRY && o->country_name)
        copub_table_add_column (t, "country_name", COPUB_COLUMN_TEXT);
    }
}

/* Measures of a table without partner dimensions. */
static void
add_share_columns (CopubTable *t)
{
  copub_table_add_column (t, "works", COPUB_COLUMN_INT);
  copub_table_add_column (t, "international", COPUB_COLUMN_INT);
  copub_table_add_column (t, "share", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_low", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_high", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "coverage", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "complete", COPUB_COLUMN_INT);
  copub_table_add_column (t, "share_complete", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_max", COPUB_COLUMN_SHARE);
}

static gboolean
has_dim (const CopubAnalyseOptions *o, CopubDimension dim)
{
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == dim)
      return TRUE;
  return FALSE;
}

/* Measures of a table by partner country or partner. */
static void
add_pair_columns (CopubTable *t, const CopubAnalyseOptions *o)
{
  gboolean full = o->counting != COPUB_COUNTING_FRACTIONAL;
  gboolean frac = o->counting != COPUB_COUNTING_FULL && has_dim (o, COPUB_DIM_COUNTRY);

  copub_table_add_column (t, "works", COPUB_COLUMN_INT);
  copub_table_add_column (t, "n", COPUB_COLUMN_INT);
  if (full)
    {
      copub_table_add_column (t, "share", COPUB_COLUMN_SHARE);
      copub_table_add_column (t, "share_low", COPUB_COLUMN_SHARE);
      copub_table_add_column (t, "share_high", COPUB_COLUMN_SHARE);
    }
  if (frac)
    {
      copub_table_add_column (t, "fractional", COPUB_COLUMN_REAL);
      copub_table_add_column (t, "fractional_share", COPUB_COLUMN_SHARE);
    }
  if (has_dim (o, COPUB_DIM_COUNTRY))
    copub_table_add_column (t, "rank", COPUB_COLUMN_RANK);
}

static guint
fill_dims (CopubTable *t, guint row, const CopubAnalyseOptions *o, const Cell *c)
{
  guint col = 0;

  for (guint d = 0; d < o->n_dims; d++)
    {
      if (o->dims[d] == COPUB_DIM_YEAR && o->window <= 1)
        copub_table_set_int (t, row, col++, c->year);
      else
        copub_table_set_text (t, row, col++, c->values[d]);
      if (o->dims[d] == COPUB_DIM_COUNTRY && o->country_name)
        copub_table_set_text (t, row, col++,
                              o->country_name (c->values[d], o->lang, o->country_name_data));
    }
  return col;
}

static void
fill_share_row (CopubTable *t, guint row, guint col, const Cell *c)
{
  double low, high;

  copub_analyse_wilson (c->international, c->works, &low, &high);
  copub_table_set_int (t, row, col, c->works);
  copub_table_set_int (t, row, col + 1, c->international);
  set_share (t, row, col + 2, (double) c->international, c->works);
  copub_table_set_real (t, row, col + 3, low);
  copub_table_set_real (t, row, col + 4, high);
  set_share (t, row, col + 5, (double) c->known, c->authorships);
  copub_table_set_int (t, row, col + 6, c->complete);
  set_share (t, row, col + 7, (double) c->complete_international, c->complete);
  /* The ceiling: every work not complete taken as international. */
  set_share (t, row, col + 8, (double) (c->works - c->complete + c->complete_international),
             c->works);
}

static void
fill_pair_row (CopubTable *t, guint row, guint col, const CopubAnalyseOptions *o,
               const Cell *c, gint64 n, gint64 rank, gboolean tied)
{
  double low, high;

  copub_table_set_int (t, row, col++, c->works);
  copub_table_set_int (t, row, col++, n);
  if (o->counting != COPUB_COUNTING_FRACTIONAL)
    {
      copub_analyse_wilson (c->works, n, &low, &high);
      set_share (t, row, col++, (double) c->works, n);
      copub_table_set_real (t, row, col++, low);
      copub_table_set_real (t, row, col++, high);
    }
  if (o->counting != COPUB_COUNTING_FULL && has_dim (o, COPUB_DIM_COUNTRY))
    {
      double frac = (double) c->fractional / (double) FRAC_SCALE;
      /* The one rounding of the output: to hundredths, halves up, from the integer. */
      gint64 hundredths = (gint64) ((200 * c->fractional + FRAC_SCALE) / (2 * FRAC_SCALE));
      copub_table_set_rounded (t, row, col++, frac, hundredths);
      set_share (t, row, col++, frac, n);
    }
  if (has_dim (o, COPUB_DIM_COUNTRY))
    copub_table_set_rank (t, row, col, rank, tied);
}

static char *
describe (const CopubAnalyseOptions *o)
{
  GString *s = g_string_new ("International co-publication");

  for (guint d = 0; d < o->n_dims; d++)
    g_string_append_printf (s, "%s%s", d == 0 ? " by " : ", ",
                            o->dims[d] == COPUB_DIM_YEAR && o->window > 1 ? "rolling period"
                                                                         : dim_names[o->dims[d]]);
  if (o->home)
    g_string_append_printf (s, " (home country %s; international = a co-author outside %s)",
                            o->home, o->home);
  else
    g_string_append (s, " (international = authors in two countries or more)");
  return g_string_free (s, FALSE);
}

/* The rows' competition ranks within their groups (the values of every dimension but
 * the country), by the counting's measure: the order compare_cells() sorted them in. */
static void
rank_rows (const CopubAnalyseOptions *o, GPtrArray *rows, gint64 *rank, gboolean *tied)
{
  g_autofree double *measure = g_new (double, rows->len + 1);
  g_autofree guint *group = g_new (guint, rows->len + 1);
  g_autoptr(GString) buf = g_string_new (NULL);
  g_autoptr(GString) prev = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      const Cell *c = g_ptr_array_index (rows, i);
      const char *key = rank_key_of (o, c, buf);
      measure[i] = o->counting == COPUB_COUNTING_FRACTIONAL ? c->fractional : (double) c->works;
      group[i] = i == 0 ? 0 : group[i - 1] + (strcmp (key, prev->str) != 0);
      g_string_assign (prev, key);
    }
  copub_rank_competition (measure, group, rows->len, rank, tied);
}

static CopubTable *
build_table (Scan *scan)
{
  const CopubAnalyseOptions *o = scan->options;
  g_autofree char *title = describe (o);
  CopubTable *t = copub_table_new (title);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  SortContext ctx = { o, scan->base, 0 };
  GString *buf = g_string_new (NULL);
  g_autofree gint64 *rank = NULL;
  g_autofree gboolean *tied = NULL;

  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, scan->cells);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (rows, value);
  add_dim_columns (t, o);
  if (scan->has_pair)
    add_pair_columns (t, o);
  else
    add_share_columns (t);
  g_ptr_array_sort_with_data (rows, compare_cells, &ctx);
  rank = g_new0 (gint64, rows->len + 1);
  tied = g_new0 (gboolean, rows->len + 1);
  rank_rows (o, rows, rank, tied);
  for (guint i = 0; i < rows->len; i++)
    {
      const Cell *c = g_ptr_array_index (rows, i);
      guint row = copub_table_add_row (t);
      guint col = fill_dims (t, row, o, c);
      if (scan->has_pair)
        {
          const Cell *base = g_hash_table_lookup (scan->base, base_key_of (o, c, buf));
          fill_pair_row (t, row, col, o, c, base ? base->works : 0, rank[i], tied[i]);
        }
      else
        fill_share_row (t, row, col, c);
    }
  if (scan->synthetic)
    copub_table_add_note (t, "Note: synthetic data (copub's generated sample corpus), "
                             "not real publications.");
  g_string_free (buf, TRUE);
  return t;
}

static void
scan_init (Scan *scan, const CopubAnalyseOptions *options)
{
  memset (scan, 0, sizeof *scan);
  scan->options = options;
  for (guint d = 0; d < options->n_dims; d++)
    scan->has_pair |= is_pair_dim (options->dims[d]);
  scan->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cell_free);
  scan->base = scan->has_pair
                   ? g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cell_free)
                   : g_hash_table_ref (scan->cells);
}

static void
scan_clear (Scan *scan)
{
  g_hash_table_unref (scan->cells);
  g_hash_table_unref (scan->base);
  g_clear_pointer (&scan->linked, g_hash_table_unref);
  g_clear_pointer (&scan->group_sizes, g_hash_table_unref);
  g_clear_pointer (&scan->groups, g_hash_table_unref);
}

/* Reads the store into @scan. Across all sources, the records of one work (same DOI,
 * else same title and year) are counted once. */
static gboolean
run_scan (CopubStore *store, Scan *scan, const CopubSummaryQuery *query, GError **error)
{
  if (query->source == NULL)
    {
      scan->linked = copub_store_linked_records (store, &scan->group_sizes, error);
      if (scan->linked == NULL)
        return FALSE;
      scan->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
    }
  if (!copub_store_foreach_summary (store, query, count_work, scan, error))
    return FALSE;
  flush_groups (scan);
  return TRUE;
}

static gboolean
check_options (const CopubAnalyseOptions *o, GError **error)
{
  if (has_dim (o, COPUB_DIM_PARTNER) && o->partners == NULL)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "--by partner needs a partner file (--partners FILE)");
      return FALSE;
    }
  if (o->window > 1 && !has_dim (o, COPUB_DIM_YEAR))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "--window needs the year dimension");
      return FALSE;
    }
  return TRUE;
}

/* Replaces the single years by rolling periods when asked. */
static void
apply_window (Scan *scan)
{
  const CopubAnalyseOptions *o = scan->options;
  int yd = year_dim_index (o);
  int first = o->from ? o->from : scan->min_year, last = o->to ? o->to : scan->max_year;
  guint n_base = 0;

  if (o->window <= 1)
    return;
  for (guint d = 0; d < o->n_dims; d++)
    n_base += !is_pair_dim (o->dims[d]);
  scan->cells = roll (scan->cells, o->n_dims, yd, o->window, first, last);
  if (scan->has_pair)
    {
      int base_yd = 0;
      for (int d = 0; d < yd; d++)
        base_yd += !is_pair_dim (o->dims[d]);
      scan->base = roll (scan->base, n_base, base_yd, o->window, first, last);
    }
  else
    {
      g_hash_table_unref (scan->base);
      scan->base = g_hash_table_ref (scan->cells);
    }
}

static void
default_dims (CopubAnalyseOptions *o)
{
  if (o->n_dims == 0)
    {
      o->dims[0] = COPUB_DIM_YEAR;
      o->n_dims = 1;
    }
}

static void
learn_institution (const char *id, const char *ror, const char *name, gpointer user_data)
{
  copub_partners_learn (user_data, id, ror, name);
}

CopubTable *
copub_analyse (CopubStore *store, const CopubAnalyseOptions *options, GError **error)
{
  CopubAnalyseOptions o = *options;
  CopubSummaryQuery query = { options->source, options->from, options->to };
  Scan scan;
  CopubTable *table;

  default_dims (&o);
  if (!check_options (&o, error))
    return NULL;
  if (o.partners && copub_partners_has_names (o.partners)
      && !copub_store_foreach_institution (store, learn_institution, o.partners, error))
    return NULL;
  scan_init (&scan, &o);
  if (!run_scan (store, &scan, &query, error))
    {
      scan_clear (&scan);
      return NULL;
    }
  apply_window (&scan);
  table = build_table (&scan);
  scan_clear (&scan);
  return table;
}

/* ---- aggregates without a store: scans of snapshot files, partial results ------------- */

struct CopubAggregate {
  CopubAnalyseOptions options;
  Scan scan;
  char *signature;
};

/* What makes two partial aggregates addable: every option that changes the counts. */
static char *
signature_of (const CopubAnalyseOptions *o)
{
  GString *s = g_string_new (NULL);
  const char *const *types = o->types ? o->types : copub_analyse_default_types;

  for (guint d = 0; d < o->n_dims; d++)
    g_string_append_printf (s, "%s%s", d ? "," : "by=", dim_names[o->dims[d]]);
  g_string_append_printf (s, ";home=%s;from=%d;to=%d;types=", o->home ? o->home : "none",
                          o->from, o->to);
  for (const char *const *t = types; *t; t++)
    g_string_append_printf (s, "%s%s", t == types ? "" : "|", *t);
  g_string_append_printf (s, ";territories=%d;hkmo=%d;source-only=%d;theme-level=%d;"
                          "themes=%s;partners=%s", o->territories_as_home, o->hk_mo_as_cn,
                          o->source_countries_only, o->theme_level,
                          o->themes ? copub_theme_map_digest (o->themes) : "none",
                          o->partners ? copub_partners_digest (o->partners) : "none");
  return g_string_free (s, FALSE);
}

CopubAggregate *
copub_aggregate_new (const CopubAnalyseOptions *options, GError **error)
{
  CopubAggregate *agg = g_new0 (CopubAggregate, 1);

  agg->options = *options;
  default_dims (&agg->options);
  if (!check_options (&agg->options, error))
    {
      g_free (agg);
      return NULL;
    }
  scan_init (&agg->scan, &agg->options);
  agg->signature = signature_of (&agg->options);
  return agg;
}

void
copub_aggregate_free (CopubAggregate *agg)
{
  if (agg == NULL)
    return;
  scan_clear (&agg->scan);
  g_free (agg->signature);
  g_free (agg);
}

void
copub_aggregate_add_work (CopubAggregate *agg, const CopubWork *work)
{
  g_autofree char *countries = copub_work_countries (work);
  g_autofree char *auth = copub_work_authorship_countries (work);
  g_autofree char *institutions = copub_work_institutions (work);
  CopubWorkSummary s = { 0 };

  if (agg->options.partners && copub_partners_has_names (agg->options.partners))
    for (guint i = 0; i < work->authorships->len; i++)
      {
        const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
        for (guint j = 0; j < a->institutions->len; j++)
          {
            const CopubInstitution *inst = g_ptr_array_index (a->institutions, j);
            copub_partners_learn (agg->options.partners, inst->id, inst->ror, inst->name);
          }
      }
  s.source = copub_source_name (work->source);
  s.id = work->id;
  s.year = work->year;
  s.type = work->type;
  s.is_retracted = work->is_retracted;
  s.is_paratext = work->is_paratext;
  s.is_synthetic = work->is_synthetic;
  s.countries = countries;
  s.n_authorships = (int) work->authorships->len;
  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      s.n_known += a->countries->len > 0 || a->inferred->len > 0;
      s.n_inferred += a->countries->len == 0 && a->inferred->len > 0;
    }
  s.field_id = work->field.id;
  s.field_name = work->field.name;
  s.domain_id = work->domain.id;
  s.domain_name = work->domain.name;
  s.auth_countries = auth;
  s.institutions = institutions;
  s.doi = work->doi;
  s.title = work->title;
  if ((agg->options.from && s.year < agg->options.from)
      || (agg->options.to && s.year > agg->options.to))
    return;
  count_summary (&agg->scan, &s, NULL);
}

/* Version 2: fractional counts are integers in units of 1/FRAC_SCALE of a work (version
 * 1 held them as decimal doubles, whose sums depend on the order of the additions). */
#define PARTIAL_MAGIC "copub-partial 2"

/* A dimension value as a partial file holds it: no tab, no line break. */
static void
append_value (GString *out, const char *value)
{
  for (const char *c = value; *c; c++)
    g_string_append_c (out, *c == '\t' || *c == '\n' || *c == '\x1f' ? ' ' : *c);
}

/* A fractional count in decimal (no printf for 128 bits). */
static void
append_frac (GString *out, FracSum value)
{
  char digits[48];
  guint n = 0;
  FracWide v = (FracWide) value;

  do
    digits[n++] = (char) ('0' + (int) (v % 10));
  while ((v /= 10) != 0);
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

/* Parses a fractional count: decimal digits only, at most 37 of them. */
static gboolean
parse_frac (const char *text, FracSum *out)
{
  FracWide v = 0;
  guint n = 0;

  for (const char *p = text; *p; p++, n++)
    {
      if (*p < '0' || *p > '9' || n >= 37)
        return FALSE;
      v = v * 10 + (FracWide) (*p - '0');
    }
  *out = (FracSum) v;
  return n > 0;
}

static void
write_cells (GString *out, char tag, GHashTable *cells, guint n_values)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, cells);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const Cell *c = value;
      g_string_append_printf (out, "%c\t", tag);
      for (guint i = 0; i < n_values; i++)
        {
          if (i)
            g_string_append_c (out, '\x1f');
          append_value (out, c->values[i]);
        }
      g_string_append_printf (out, "\t%d\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%"
                              G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%"
                              G_GINT64_FORMAT "\t", c->year, c->works, c->international,
                              c->authorships, c->known, c->complete, c->complete_international);
      append_frac (out, c->fractional);
      g_string_append_c (out, '\n');
    }
}

static guint
n_base_values (const CopubAnalyseOptions *o)
{
  guint n = 0;
  for (guint d = 0; d < o->n_dims; d++)
    n += !is_pair_dim (o->dims[d]);
  return n;
}

gboolean
copub_aggregate_write (const CopubAggregate *agg, const char *path, GError **error)
{
  g_autoptr(GString) out = g_string_new (PARTIAL_MAGIC "\n");
  g_autoptr(GError) local = NULL;

  g_string_append_printf (out, "signature\t%s\nyears\t%d\t%d\nsynthetic\t%d\n",
                          agg->signature, agg->scan.min_year, agg->scan.max_year,
                          agg->scan.synthetic);
  write_cells (out, 'C', agg->scan.cells, agg->options.n_dims);
  if (agg->scan.has_pair)
    write_cells (out, 'B', agg->scan.base, n_base_values (&agg->options));
  if (!g_file_set_contents_full (path, out->str, (gssize) out->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

/* Adds one "C"/"B" line of a partial file. */
static gboolean
merge_line (CopubAggregate *agg, char *line, GError **error)
{
  g_auto(GStrv) f = g_strsplit (line, "\t", -1);
  g_auto(GStrv) values = NULL;
  gboolean base = line[0] == 'B';
  guint n_values = base ? n_base_values (&agg->options) : agg->options.n_dims;
  GHashTable *table = base ? agg->scan.base : agg->scan.cells;
  GString *key;
  Cell add = { 0 }, *c;

  if (g_strv_length (f) != 10)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE, "expected 10 fields");
      return FALSE;
    }
  values = g_strsplit (f[1], "\x1f", -1);
  if (g_strv_length (values) != n_values)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "wrong number of dimension values");
      return FALSE;
    }
  key = g_string_new (NULL);
  for (guint i = 0; i < n_values; i++)
    g_string_append_printf (key, "%s" SEP, values[i]);
  c = cell_get (table, key->str, values, n_values);
  g_string_free (key, TRUE);
  add.works = g_ascii_strtoll (f[3], NULL, 10);
  add.international = g_ascii_strtoll (f[4], NULL, 10);
  add.authorships = g_ascii_strtoll (f[5], NULL, 10);
  add.known = g_ascii_strtoll (f[6], NULL, 10);
  add.complete = g_ascii_strtoll (f[7], NULL, 10);
  add.complete_international = g_ascii_strtoll (f[8], NULL, 10);
  if (!parse_frac (f[9], &add.fractional))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "fractional count '%s': expected a whole number (of 1/%" G_GINT64_FORMAT
                   " of a work)", f[9], FRAC_SCALE);
      return FALSE;
    }
  cell_add (c, &add);
  c->year = atoi (f[2]);
  return TRUE;
}

static gboolean
merge_header (CopubAggregate *agg, char **lines, GError **error)
{
  if (lines[0] && strcmp (lines[0], "copub-partial 1") == 0)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "line 1: a partial of an older copub (version 1, inexact "
                           "fractional counts): scan its input again with this copub");
      return FALSE;
    }
  if (lines[0] == NULL || strcmp (lines[0], PARTIAL_MAGIC) != 0)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "line 1: expected \"" PARTIAL_MAGIC "\": not a copub partial");
      return FALSE;
    }
  if (lines[1] == NULL || !g_str_has_prefix (lines[1], "signature\t")
      || strcmp (lines[1] + strlen ("signature\t"), agg->signature) != 0)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "line 2: computed with other options (%s) than these (%s)",
                   lines[1] ? lines[1] : "none", agg->signature);
      return FALSE;
    }
  if (lines[2] && g_str_has_prefix (lines[2], "years\t"))
    {
      int lo = 0, hi = 0;
      if (sscanf (lines[2] + 6, "%d\t%d", &lo, &hi) == 2 && lo > 0)
        {
          agg->scan.min_year = agg->scan.min_year ? MIN (agg->scan.min_year, lo) : lo;
          agg->scan.max_year = MAX (agg->scan.max_year, hi);
        }
    }
  if (lines[2] && lines[3] && strcmp (lines[3], "synthetic\t1") == 0)
    agg->scan.synthetic = TRUE;
  return TRUE;
}

gboolean
copub_aggregate_merge_file (CopubAggregate *agg, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  lines = g_strsplit (text, "\n", -1);
  if (!merge_header (agg, lines, error))
    {
      g_prefix_error (error, "'%s' ", path);
      return FALSE;
    }
  for (guint i = 4; lines[i]; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      if ((lines[i][0] != 'C' && lines[i][0] != 'B') || !merge_line (agg, lines[i], error))
        {
          if (error && *error == NULL)
            g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                                 "expected a C or B line");
          g_prefix_error (error, "'%s' line %u: ", path, i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

CopubTable *
copub_aggregate_table (CopubAggregate *agg)
{
  /* Call once: the cells become rolling periods. */
  apply_window (&agg->scan);
  return build_table (&agg->scan);
}

CopubTable *
copub_analyse_by_year (CopubStore *store, const CopubAnalyseOptions *options, GError **error)
{
  CopubAnalyseOptions o = *options;

  o.dims[0] = COPUB_DIM_YEAR;
  o.n_dims = 1;
  return copub_analyse (store, &o, error);
}

/* ---- the headline ------------------------------------------------------------------- */

/* The latest year with works before the current one, or 0. */
static int
last_complete_year (CopubStore *store, const CopubAnalyseOptions *options, GError **error)
{
  CopubAnalyseOptions single = *options;
  g_autoptr(CopubTable) years = NULL;

  single.window = 0; /* single years, whatever the tables use */
  years = copub_analyse_by_year (store, &single, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int current = g_date_time_get_year (now), last = 0;

  if (years == NULL)
    return -1;
  for (guint r = 0; r < copub_table_n_rows (years); r++)
    {
      gint64 y;
      if (copub_table_get_int (years, r, 0, &y) && y < current)
        last = (int) y;
    }
  return last;
}

gboolean
copub_analyse_headline (CopubStore *store, const CopubAnalyseOptions *options,
                        int period_from, int period_to, CopubHeadline *out, GError **error)
{
  CopubAnalyseOptions o = *options;
  CopubSummaryQuery query = { options->source, 0, 0 };
  Scan scan;
  const Cell *all;

  memset (out, 0, sizeof *out);
  if (period_from == 0)
    {
      period_from = period_to = last_complete_year (store, options, error);
      if (period_from < 0)
        return FALSE;
    }
  out->from = period_from;
  out->to = period_to ? period_to : period_from;
  /* No dimension: the whole period is one cell. */
  o.n_dims = 0;
  o.window = 0;
  query.from = o.from = out->from;
  query.to = o.to = out->to;
  scan_init (&scan, &o);
  if (!run_scan (store, &scan, &query, error))
    {
      scan_clear (&scan);
      return FALSE;
    }
  all = g_hash_table_lookup (scan.cells, "");
  if (all == NULL || all->works == 0)
    {
      scan_clear (&scan);
      if (out->from == 0)
        g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_FAILED,
                             "the corpus has no work before this year: nothing to quote");
      else
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_FAILED,
                     "the corpus has no work in %d-%d: nothing to quote", out->from, out->to);
      return FALSE;
    }
  out->works = all->works;
  out->international = all->international;
  out->share = (double) all->international / (double) all->works;
  copub_analyse_wilson (all->international, all->works, &out->low, &out->high);
  out->coverage = all->authorships > 0 ? (double) all->known / (double) all->authorships : NAN;
  out->synthetic = scan.synthetic;
  scan_clear (&scan);
  return TRUE;
}

gboolean
copub_analyse_check_types (const char *const *types, GError **error)
{
  for (const char *const *t = types; t && *t; t++)
    {
      gboolean known = strcmp (*t, "all") == 0 && t == types && t[1] == NULL;
      for (gsize k = 0; !known && copub_words_document_types[k]; k++)
        known = strcmp (*t, copub_words_document_types[k]) == 0;
      if (!known)
        {
          GString *list = g_string_new (NULL);
          for (gsize k = 0; copub_words_document_types[k]; k++)
            g_string_append_printf (list, "%s, ", copub_words_document_types[k]);
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                       "unknown document type '%s': expected %sor 'all' alone", *t, list->str);
          g_string_free (list, TRUE);
          return FALSE;
        }
    }
  return TRUE;
}
