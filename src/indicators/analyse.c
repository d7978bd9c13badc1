/* copub: the indicators, computed in one pass over the store's work summaries.
 * Each work gives a list of values per dimension (its year, its theme, its foreign
 * countries, its partners...); it is counted once in each combination. Counts are
 * additive over years, which makes rolling periods and headline periods sums. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/ids.h"
#include "copub/analyse.h"
#include "copub/countries.h"
#include "copub/error.h"
#include "output/words.h"
#include "copub/table.h"
#include "indicators/counting.h"
#include "store/store-private.h"

/* Normal quantile for a two-sided 95 % interval. */
#define Z95 1.959963984540054

const char *const copub_analyse_default_types[] = { "article", "review", "book-chapter", NULL };


gboolean
copub_analyse_parse_dims (CopubAnalyseOptions *options, const char *list, GError **error)
{
  g_auto(GStrv) names = g_strsplit (list, ",", -1);

  options->n_dims = 0;
  for (char **n = names; *n; n++)
    {
      char *name = g_strstrip (*n);
      guint d;
      for (d = 0; d < COPUB_N_DIMS && strcmp (name, copub_dimension_name ((CopubDimension) d)) != 0; d++)
        ;
      if (d == COPUB_N_DIMS)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                       "unknown dimension '%s': expected year, theme, country, partner, "
                       "source, type, region or institution", name);
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
  if (options->territories_as_home && g_strcmp0 (options->home, "FR") == 0
      && copub_country_is_french_territory (code))
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

/* Bound of a credit's denominator (before the authorship count), for exact rounding. */
#define FRAC_MAX_DEN (G_GUINT64_CONSTANT (1) << 32)

/* A country's credit in one work while it is summed: num / (den * known) exactly, plus
 * @rounded units for the parts that would take the denominator past FRAC_MAX_DEN
 * (authorships with many different numbers of countries: each is rounded alone). */
typedef struct {
  FracWide num;
  guint64 den;
  gint64 rounded;
} Credit;

/* The harmonised countries of a work (distinct), and each one's fractional credit. The
 * arrays grow: every country of a work counts, however many there are. */
typedef struct {
  const char **codes;
  Credit *part;
  gint64 *credit; /* units of 1/FRAC_SCALE of the work */
  guint n;
  guint size;
} WorkCountries;

static void
work_countries_clear (WorkCountries *wc)
{
  g_free (wc->codes);
  g_free (wc->part);
  g_free (wc->credit);
  memset (wc, 0, sizeof *wc);
}

struct _ScanBuffers {
  WorkCountries wc;
  GPtrArray *mine;     /* one authorship's distinct countries */
  GArray *partners;
  GPtrArray *institutions; /* the work's partner institutions (institution dimension) */
  GPtrArray *lists[COPUB_N_DIMS];
  GString *key;
  const char *codes[26 * 26]; /* harmonised and interned, by two-letter code */
};

static ScanBuffers *
scan_buffers_new (void)
{
  ScanBuffers *b = g_new0 (ScanBuffers, 1);

  b->mine = g_ptr_array_new ();
  b->partners = g_array_new (FALSE, FALSE, sizeof (guint));
  b->institutions = g_ptr_array_new ();
  for (guint d = 0; d < COPUB_N_DIMS; d++)
    b->lists[d] = g_ptr_array_new ();
  b->key = g_string_new (NULL);
  return b;
}

static void
scan_buffers_free (ScanBuffers *b)
{
  work_countries_clear (&b->wc);
  g_ptr_array_unref (b->mine);
  g_array_unref (b->partners);
  g_ptr_array_unref (b->institutions);
  for (guint d = 0; d < COPUB_N_DIMS; d++)
    g_ptr_array_unref (b->lists[d]);
  g_string_free (b->key, TRUE);
  g_free (b);
}

/* @code harmonised for the scan's options, interned. Countries are two-letter codes: a
 * table answers for them, where g_intern_string() takes a lock and a hash each time. */
static const char *
harmonised (Scan *scan, const char *code)
{
  const char **slot;

  if (!g_ascii_isupper (code[0]) || !g_ascii_isupper (code[1]) || code[2] != '\0')
    return g_intern_string (copub_analyse_harmonise (scan->options, code));
  slot = &scan->buffers->codes[(code[0] - 'A') * 26 + (code[1] - 'A')];
  if (*slot == NULL)
    *slot = g_intern_string (copub_analyse_harmonise (scan->options, code));
  return *slot;
}

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

/* The slot of @code, interned as every code of @wc is. */
static guint
country_slot (WorkCountries *wc, const char *code)
{
  for (guint i = 0; i < wc->n; i++)
    if (wc->codes[i] == code)
      return i;
  if (wc->n == wc->size)
    {
      wc->size = MAX (16, 2 * wc->size);
      wc->codes = g_renew (const char *, wc->codes, wc->size);
      wc->part = g_renew (Credit, wc->part, wc->size);
      wc->credit = g_renew (gint64, wc->credit, wc->size);
    }
  wc->codes[wc->n] = code;
  wc->part[wc->n] = (Credit) { 0, 1, 0 };
  wc->credit[wc->n] = 0;
  return wc->n++;
}

static gboolean
authorship_counts (const CopubAnalyseOptions *options, const CopubAuthorshipCountries *a)
{
  /* Inferred countries count unless the source's countries alone are asked for. */
  return a->countries[0] != NULL && !(a->inferred && options->source_countries_only);
}

/* Each authorship with a known country carries 1/K of the work (K such authorships),
 * split equally over its distinct harmonised countries; a country's credit is the exact
 * sum of its parts, rounded once. The codes are interned. */
static void
work_countries (Scan *scan, const CopubWorkSummary *s, WorkCountries *wc)
{
  const CopubAnalyseOptions *options = scan->options;
  GPtrArray *mine = scan->buffers->mine;
  guint known = 0;

  wc->n = 0;
  for (guint a = 0; a < s->n_authorship_countries; a++)
    known += authorship_counts (options, &s->authorships[a]);
  for (guint a = 0; a < s->n_authorship_countries; a++)
    {
      const CopubAuthorshipCountries *auth = &s->authorships[a];
      if (!authorship_counts (options, auth))
        continue;
      g_ptr_array_set_size (mine, 0);
      for (const char *const *c = auth->countries; *c; c++)
        {
          const char *h = harmonised (scan, *c);
          if (!g_ptr_array_find (mine, h, NULL))
            g_ptr_array_add (mine, (gpointer) h);
        }
      for (guint i = 0; i < mine->len; i++)
        {
          guint slot = country_slot (wc, mine->pdata[i]); /* may move wc->part */
          credit_add (&wc->part[slot], mine->len, known);
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

static gboolean has_dim (const CopubAnalyseOptions *o, CopubDimension dim);

static void
cell_free (gpointer data)
{
  Cell *cell = data;
  g_strfreev (cell->values);
  g_free (cell);
}

gboolean
copub_counting_is_pair_dim (CopubDimension d)
{
  return d == COPUB_DIM_COUNTRY || d == COPUB_DIM_PARTNER || d == COPUB_DIM_REGION
         || d == COPUB_DIM_INSTITUTION;
}

guint
copub_counting_n_base_values (const CopubAnalyseOptions *o)
{
  guint n = 0;
  for (guint d = 0; d < o->n_dims; d++)
    n += !copub_counting_is_pair_dim (o->dims[d]);
  return n;
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

/* The groups the work is co-authored with: those holding one of its foreign countries
 * (the home country is never foreign) or one of its institutions. */
static void
region_values (const CopubAnalyseOptions *o, const CopubWorkSummary *s,
               const WorkCountries *wc, GPtrArray *out)
{
  g_autoptr(GArray) groups = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) foreign = g_ptr_array_new ();

  for (guint i = 0; i < wc->n; i++)
    if (o->home == NULL || strcmp (wc->codes[i], o->home) != 0)
      g_ptr_array_add (foreign, (gpointer) wc->codes[i]);
  copub_regions_match (o->regions, (const char *const *) foreign->pdata, foreign->len,
                       s->institutions, groups);
  for (guint i = 0; i < groups->len; i++)
    g_ptr_array_add (out, (gpointer) copub_regions_name (o->regions,
                                                         g_array_index (groups, guint, i)));
}

/* A country group's fractional credit in one work: the sum of the credits of the
 * work's foreign countries in the group (0 for a group of institutions). */
static gint64
region_credit (const CopubAnalyseOptions *o, const char *group, const WorkCountries *wc)
{
  int g = copub_regions_index (o->regions, group);
  gint64 sum = 0;

  for (guint i = 0; g >= 0 && i < wc->n; i++)
    if ((o->home == NULL || strcmp (wc->codes[i], o->home) != 0)
        && copub_regions_has_country (o->regions, (guint) g, wc->codes[i]))
      sum += wc->credit[i];
  return sum;
}

/* The values of dimension @d for this work (borrowed or interned strings). */
static void
dim_values (Scan *scan, CopubDimension d, const CopubWorkSummary *s, const WorkCountries *wc,
            GArray *partners, const GPtrArray *institutions, GPtrArray *out, char *year_buf)
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
    case COPUB_DIM_TYPE:
      g_ptr_array_add (out, (gpointer) (s->type && *s->type ? s->type : "(unknown)"));
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
    case COPUB_DIM_REGION:
      region_values (o, s, wc, out);
      break;
    case COPUB_DIM_INSTITUTION:
      for (guint i = 0; i < institutions->len; i++)
        g_ptr_array_add (out, institutions->pdata[i]);
      break;
    case COPUB_N_DIMS:
    default:
      break;
    }
}

Cell *
copub_counting_scan_cell (GHashTable *table, const char *key, char **values, guint n_values)
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
  gint64 institution_credit; /* units: the work's share of each partner institution */
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
      GString *key = scan->buffers->key;
      Cell *c;
      g_string_truncate (key, 0);
      for (guint d = 0; d < o->n_dims; d++)
        {
          g_string_append (key, chosen[d]);
          g_string_append (key, SEP);
        }
      c = copub_counting_scan_cell (scan->cells, key->str, chosen, o->n_dims);
      if (!scan->has_pair)
        {
          count_base (c, f);
          return;
        }
      c->works++;
      c->year = f->year;
      for (guint d = 0; d < o->n_dims; d++)
        {
          if (o->dims[d] == COPUB_DIM_INSTITUTION)
            c->fractional += f->institution_credit;
          if (o->dims[d] != COPUB_DIM_COUNTRY)
            continue;
          for (guint i = 0; i < f->wc->n; i++)
            if (f->wc->codes[i] == chosen[d]) /* both interned */
              c->fractional += f->wc->credit[i];
        }
      /* With a country dimension too, the cell's credit is the country's. */
      for (guint d = 0; d < o->n_dims && !has_dim (o, COPUB_DIM_COUNTRY); d++)
        if (o->dims[d] == COPUB_DIM_REGION)
          c->fractional += region_credit (o, chosen[d], f->wc);
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
  GString *key = scan->buffers->key;
  char *values[COPUB_N_DIMS];
  guint n = 0;

  g_string_truncate (key, 0);
  for (guint d = 0; d < o->n_dims; d++)
    if (!copub_counting_is_pair_dim (o->dims[d]))
      {
        values[n] = g_ptr_array_index (lists[d], 0);
        g_string_append (key, values[n++]);
        g_string_append (key, SEP);
      }
  count_base (copub_counting_scan_cell (scan->base, key->str, values, n), f);
}

/* Adds the countries of @extra (another source's record of the same work) to the work's
 * countries, with no fractional credit: its authorships are not counted. */
static void
add_extra_countries (Scan *scan, const char *const *extra, WorkCountries *wc)
{
  for (const char *const *c = extra; c && *c; c++)
    country_slot (wc, harmonised (scan, *c));
}

/* The work's partner institutions, into @out, and each one's fractional credit: the work
 * shared equally among its distinct top-level institutions, the home institution one of
 * them (1/(P+1) of the work each, P partners), in units rounded once. */
static gint64
work_institutions (const CopubAnalyseOptions *o, const CopubWorkSummary *s, GPtrArray *out)
{
  gboolean asked = FALSE;

  for (guint d = 0; d < o->n_dims; d++)
    asked |= o->dims[d] == COPUB_DIM_INSTITUTION;
  if (!asked || o->institution_tree == NULL)
    return 0;
  copub_institution_tree_partners (o->institution_tree, s->institutions, s->unit_lineages,
                                   o->home_institution, o->home_openalex, out);
  return frac_round (1, (FracWide) out->len + 1);
}

/* Counts one work; @extra holds countries from other sources' records of it. */
static void
count_summary (Scan *scan, const CopubWorkSummary *s, const char *const *extra)
{
  const CopubAnalyseOptions *o = scan->options;
  GArray *partners = scan->buffers->partners;
  GPtrArray *institutions = scan->buffers->institutions;
  GPtrArray **lists = scan->buffers->lists;
  WorkCountries *wc = &scan->buffers->wc;
  char *chosen[COPUB_N_DIMS];
  char year_buf[16];
  WorkFacts f;

  if (!in_corpus (o, s))
    return;
  work_countries (scan, s, wc);
  add_extra_countries (scan, extra, wc);
  if (scan->on_work)
    {
      scan->on_work (s, wc->codes, wc->n, theme_of (o, s), scan->on_work_data);
      return;
    }
  g_array_set_size (partners, 0);
  if (o->partners)
    copub_partners_match (o->partners, s->institutions, partners);
  f.international = is_international (o, wc);
  f.n_authorships = s->n_authorships;
  f.n_known = s->n_known - (o->source_countries_only ? s->n_inferred : 0);
  f.complete = s->n_authorships > 0 && f.n_known == s->n_authorships;
  f.wc = wc;
  f.institution_credit = work_institutions (o, s, institutions);
  f.year = s->year;
  g_snprintf (year_buf, sizeof year_buf, "%d", s->year);
  scan->synthetic |= s->is_synthetic;
  scan->min_year = scan->min_year ? MIN (scan->min_year, s->year) : s->year;
  scan->max_year = MAX (scan->max_year, s->year);

  for (guint d = 0; d < o->n_dims; d++)
    dim_values (scan, o->dims[d], s, wc, partners, institutions, lists[d], year_buf);
  if (scan->has_pair)
    count_in_base (scan, lists, &f);
  expand (scan, lists, 0, chosen, &f);
}

void
copub_counting_scan_count (Scan *scan, const CopubWorkSummary *summary)
{
  count_summary (scan, summary, NULL);
}

/* ---- one work across sources -------------------------------------------------------- */

/* A record kept until every record of its work has been read: an owned copy. */
typedef struct {
  CopubWorkSummary s;
  GStringChunk *strings;
  GPtrArray *arrays; /* the copied string vectors (their strings are in @strings) */
  CopubAuthorshipCountries *authorships;
} Member;

static void
member_free (gpointer data)
{
  Member *m = data;
  g_string_chunk_free (m->strings);
  g_ptr_array_unref (m->arrays);
  g_free (m->authorships);
  g_free (m);
}

static const char *
member_str (Member *m, const char *s)
{
  return s ? g_string_chunk_insert_const (m->strings, s) : NULL;
}

static const char *const *
member_strv (Member *m, const char *const *v)
{
  guint n = v ? g_strv_length ((char **) v) : 0;
  const char **copy = g_new0 (const char *, n + 1);

  for (guint i = 0; i < n; i++)
    copy[i] = member_str (m, v[i]);
  g_ptr_array_add (m->arrays, copy);
  return copy;
}

static Member *
member_new (const CopubWorkSummary *s)
{
  Member *m = g_new0 (Member, 1);

  m->strings = g_string_chunk_new (256);
  m->arrays = g_ptr_array_new_with_free_func (g_free);
  m->s = *s;
  m->s.source = member_str (m, s->source);
  m->s.id = member_str (m, s->id);
  m->s.type = member_str (m, s->type);
  m->s.countries = member_strv (m, s->countries);
  m->s.field_id = member_str (m, s->field_id);
  m->s.field_name = member_str (m, s->field_name);
  m->s.domain_id = member_str (m, s->domain_id);
  m->s.domain_name = member_str (m, s->domain_name);
  m->authorships = g_new0 (CopubAuthorshipCountries, s->n_authorship_countries + 1);
  for (guint i = 0; i < s->n_authorship_countries; i++)
    {
      m->authorships[i].countries = member_strv (m, s->authorships[i].countries);
      m->authorships[i].inferred = s->authorships[i].inferred;
    }
  m->s.authorships = m->authorships;
  m->s.institutions = member_strv (m, s->institutions);
  m->s.unit_lineages = member_strv (m, s->unit_lineages);
  m->s.doi = member_str (m, s->doi);
  m->s.title = member_str (m, s->title);
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

static void
append_strv (GPtrArray *to, const char *const *v)
{
  for (const char *const *p = v; p && *p; p++)
    g_ptr_array_add (to, (gpointer) *p);
}

/* The countries of @m's authorships that count for @o (not the inferred ones with the
 * sources' countries only). */
static void
append_member_countries (const CopubAnalyseOptions *o, const Member *m, GPtrArray *to)
{
  for (guint a = 0; a < m->s.n_authorship_countries; a++)
    if (authorship_counts (o, &m->s.authorships[a]))
      append_strv (to, m->s.authorships[a].countries);
}

/* Counts the records of one work once: the base record's facts, the union of every
 * record's countries and institutions, source "both" when the sources differ. */
static void
count_group (Scan *scan, GPtrArray *members)
{
  const Member *base = pick_base (members);
  CopubWorkSummary merged = base->s;
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();
  g_autoptr(GPtrArray) institutions = g_ptr_array_new ();
  g_autoptr(GPtrArray) units = g_ptr_array_new ();
  gboolean mixed = FALSE;

  append_strv (institutions, base->s.institutions);
  append_strv (units, base->s.unit_lineages);
  for (guint i = 0; i < members->len; i++)
    {
      const Member *m = g_ptr_array_index (members, i);
      if (m == base)
        continue;
      mixed |= strcmp (m->s.source, base->s.source) != 0;
      merged.is_retracted |= m->s.is_retracted;
      merged.is_synthetic |= m->s.is_synthetic;
      append_member_countries (scan->options, m, extra);
      append_strv (institutions, m->s.institutions);
      append_strv (units, m->s.unit_lineages);
    }
  g_ptr_array_add (extra, NULL);
  g_ptr_array_add (institutions, NULL);
  g_ptr_array_add (units, NULL);
  merged.source = mixed ? "both" : base->s.source;
  merged.institutions = (const char *const *) institutions->pdata;
  merged.unit_lineages = (const char *const *) units->pdata;
  count_summary (scan, &merged, (const char *const *) extra->pdata);
}

static gboolean
count_work (const CopubWorkSummary *s, gpointer user_data, GError **error)
{
  Scan *scan = user_data;
  GPtrArray *members;
  const char *group;
  char key[256];
  (void) error;

  if (scan->linked == NULL || g_hash_table_size (scan->linked) == 0)
    {
      count_summary (scan, s, NULL); /* one source: no work has two records */
      return TRUE;
    }
  g_snprintf (key, sizeof key, "%s\x1f%s", s->source, s->id);
  group = g_hash_table_lookup (scan->linked, key);
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

void
copub_counting_scan_cell_add (Cell *to, const Cell *from)
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
          p = copub_counting_scan_cell (out, key->str, c->values, n_values);
          c->values[year_dim] = g_steal_pointer (&orig);
          copub_counting_scan_cell_add (p, c);
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
    if (!copub_counting_is_pair_dim (o->dims[d]))
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
      if (copub_counting_is_pair_dim (o->dims[d]))
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
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == COPUB_DIM_REGION && (cmp = strcmp (a->values[d], b->values[d])) != 0)
      {
        int ia = copub_regions_index (o->regions, a->values[d]);
        int ib = copub_regions_index (o->regions, b->values[d]);
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

static gboolean
has_dim (const CopubAnalyseOptions *o, CopubDimension dim)
{
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == dim)
      return TRUE;
  return FALSE;
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

static int
compare_totals (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const char *a = *(const char *const *) pa, *b = *(const char *const *) pb;
  FracSum ta = *(FracSum *) g_hash_table_lookup (data, a);
  FracSum tb = *(FracSum *) g_hash_table_lookup (data, b);

  if (ta != tb)
    return ta > tb ? -1 : 1;
  return strcmp (a, b);
}

/* The typed cell of @c: its values by dimension, its counts. */
static CopubCell
typed_cell (const CopubAnalyseOptions *o, const Cell *c)
{
  CopubCell cell = { 0 };
  FracWide frac = (FracWide) c->fractional;

  for (guint d = 0; d < o->n_dims; d++)
    switch (o->dims[d])
      {
      case COPUB_DIM_YEAR:
        cell.year = c->year;
        /* A rolling period's value is "first-last". */
        cell.first_year = o->window > 1 ? atoi (c->values[d]) : c->year;
        break;
      case COPUB_DIM_THEME:
        cell.theme = c->values[d];
        break;
      case COPUB_DIM_COUNTRY:
        cell.country = c->values[d];
        break;
      case COPUB_DIM_PARTNER:
        cell.partner = c->values[d];
        break;
      case COPUB_DIM_SOURCE:
        cell.source = c->values[d];
        break;
      case COPUB_DIM_TYPE:
        cell.type = c->values[d];
        break;
      case COPUB_DIM_REGION:
        {
          int g = copub_regions_index (o->regions, c->values[d]);
          cell.region = c->values[d];
          cell.institution_group = g >= 0 && copub_regions_of_institutions (o->regions,
                                                                            (guint) g);
        }
        break;
      case COPUB_DIM_INSTITUTION:
        cell.institution = c->values[d];
        break;
      case COPUB_N_DIMS:
      default:
        break;
      }
  cell.works = c->works;
  cell.international = c->international;
  cell.authorships = c->authorships;
  cell.known = c->known;
  cell.complete = c->complete;
  cell.complete_international = c->complete_international;
  cell.fractional.high = (guint64) (frac >> 64);
  cell.fractional.low = (guint64) frac;
  return cell;
}

static void
seen_institution_free (gpointer data)
{
  SeenInstitution *seen = data;
  g_free (seen->id);
  g_free (seen->name);
  g_free (seen->country);
  g_free (seen);
}

void
copub_counting_learn_institution (Scan *scan, const char *id, const char *ror,
                                  const char *name, const char *country)
{
  SeenInstitution *seen;

  if (id == NULL || ror == NULL || !has_dim (scan->options, COPUB_DIM_INSTITUTION))
    return;
  seen = g_hash_table_lookup (scan->seen_institutions, ror);
  if (seen != NULL && strcmp (seen->id, id) <= 0)
    return;
  seen = g_new0 (SeenInstitution, 1);
  seen->id = g_strdup (id);
  seen->name = g_strdup (name);
  seen->country = g_strdup (country);
  g_hash_table_replace (scan->seen_institutions, g_strdup (ror), seen);
}

/* What the table says of each partner institution: the registry's name and country,
 * else the cited institution's, and the OpenAlex id of the one cited with its ROR. */
static void
describe_institutions (const Scan *scan, CopubIndicators *ind)
{
  const CopubAnalyseOptions *o = scan->options;

  for (guint i = 0; i < copub_indicators_n_cells (ind); i++)
    {
      const char *ror = copub_indicators_cell (ind, i)->institution;
      const SeenInstitution *seen = g_hash_table_lookup (scan->seen_institutions, ror);
      const char *name = copub_institution_tree_name (o->institution_tree, ror, o->lang);
      const char *country = copub_institution_tree_country (o->institution_tree, ror);
      gboolean cited_id = seen && copub_is_openalex_institution_id (seen->id);
      if (seen && !name)
        name = seen->name;
      if (seen && !country)
        country = seen->country;
      copub_indicators_set_institution (ind, ror, cited_id ? seen->id : NULL, name, country);
    }
}

/* The @top institutions of @rows with the most works (fractional credit with fractional
 * counting) over the table, ties by ROR id: a set of the values' strings. */
static GHashTable *
top_institutions (const CopubAnalyseOptions *o, GPtrArray *rows)
{
  g_autoptr(GHashTable) totals = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  GHashTable *kept = g_hash_table_new (g_str_hash, g_str_equal);
  int d = 0;

  while (o->dims[d] != COPUB_DIM_INSTITUTION)
    d++;
  for (guint i = 0; i < rows->len; i++)
    {
      const Cell *c = g_ptr_array_index (rows, i);
      FracSum *total = g_hash_table_lookup (totals, c->values[d]);
      if (total == NULL)
        {
          total = g_new0 (FracSum, 1);
          g_hash_table_insert (totals, c->values[d], total);
          g_ptr_array_add (order, c->values[d]);
        }
      *total += o->counting == COPUB_COUNTING_FRACTIONAL ? c->fractional
                                                         : (FracSum) c->works * FRAC_SCALE;
    }
  g_ptr_array_sort_with_data (order, compare_totals, totals);
  for (guint i = 0; i < order->len && i < o->top; i++)
    g_hash_table_add (kept, order->pdata[i]);
  return kept;
}

CopubIndicators *
copub_counting_scan_indicators (Scan *scan)
{
  const CopubAnalyseOptions *o = scan->options;
  CopubIndicators *ind = copub_indicators_new (o->dims, o->n_dims, o->window, o->counting,
                                               o->home);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  SortContext ctx = { o, scan->base, 0 };
  g_autoptr(GString) buf = g_string_new (NULL);
  g_autofree gint64 *rank = NULL;
  g_autofree gboolean *tied = NULL;
  g_autoptr(GHashTable) top = NULL;
  gboolean ranked = has_dim (o, COPUB_DIM_COUNTRY);
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, scan->cells);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (rows, value);
  g_ptr_array_sort_with_data (rows, compare_cells, &ctx);
  rank = g_new0 (gint64, rows->len + 1);
  tied = g_new0 (gboolean, rows->len + 1);
  rank_rows (o, rows, rank, tied);
  if (o->top > 0 && has_dim (o, COPUB_DIM_INSTITUTION))
    top = top_institutions (o, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      const Cell *c = g_ptr_array_index (rows, i);
      CopubCell cell = typed_cell (o, c);
      if (top && !g_hash_table_contains (top, cell.institution))
        continue;
      if (scan->has_pair)
        {
          const Cell *base = g_hash_table_lookup (scan->base, base_key_of (o, c, buf));
          cell.n = base ? base->works : 0;
          cell.international = cell.authorships = cell.known = 0;
          cell.complete = cell.complete_international = 0;
        }
      if (ranked)
        {
          cell.rank = rank[i];
          cell.tied = tied[i];
        }
      copub_indicators_add_cell (ind, &cell);
    }
  if (has_dim (o, COPUB_DIM_INSTITUTION))
    describe_institutions (scan, ind);
  copub_indicators_set_synthetic (ind, scan->synthetic);
  copub_indicators_set_country_names (ind, o->country_name, o->lang, o->country_name_data);
  return ind;
}

void
copub_counting_scan_init (Scan *scan, const CopubAnalyseOptions *options)
{
  memset (scan, 0, sizeof *scan);
  scan->options = options;
  scan->buffers = scan_buffers_new ();
  for (guint d = 0; d < options->n_dims; d++)
    scan->has_pair |= copub_counting_is_pair_dim (options->dims[d]);
  scan->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cell_free);
  scan->base = scan->has_pair
                   ? g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cell_free)
                   : g_hash_table_ref (scan->cells);
  scan->seen_institutions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   seen_institution_free);
}

void
copub_counting_scan_clear (Scan *scan)
{
  g_hash_table_unref (scan->cells);
  g_hash_table_unref (scan->base);
  g_clear_pointer (&scan->buffers, scan_buffers_free);
  g_clear_pointer (&scan->linked, g_hash_table_unref);
  g_clear_pointer (&scan->group_sizes, g_hash_table_unref);
  g_clear_pointer (&scan->groups, g_hash_table_unref);
  g_hash_table_unref (scan->seen_institutions);
}

/* Reads the store into @scan. Across all sources, the records of one work (same DOI,
 * else same title and year) are counted once. */
static gboolean
run_scan (CopubStore *store, Scan *scan, const CopubSummaryQuery *query, GError **error)
{
  CopubSummaryQuery q = *query;

  /* The institution ids serve the partners, the institution dimension, the groups of
   * institutions of the region dimension and the callers of foreach_work only. */
  q.skip_institutions = scan->options->partners == NULL && scan->on_work == NULL
                        && !has_dim (scan->options, COPUB_DIM_INSTITUTION)
                        && !has_dim (scan->options, COPUB_DIM_REGION);
  if (query->source == NULL)
    {
      scan->linked = copub_store_linked_records (store, &scan->group_sizes, error);
      if (scan->linked == NULL)
        return FALSE;
      scan->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
    }
  if (!copub_store_foreach_summary (store, &q, count_work, scan, error))
    return FALSE;
  flush_groups (scan);
  return TRUE;
}

static gboolean
check_institution_options (const CopubAnalyseOptions *o, GError **error)
{
  if (!has_dim (o, COPUB_DIM_INSTITUTION))
    return TRUE;
  if (has_dim (o, COPUB_DIM_COUNTRY) || has_dim (o, COPUB_DIM_PARTNER))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "the institution dimension does not combine with the country or "
                           "partner dimension: one partner dimension at a time");
      copub_error_set_option (error ? *error : NULL, "by");
      return FALSE;
    }
  if (o->home_institution == NULL || o->institution_tree == NULL)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "the institution dimension needs the home institution (its ROR "
                           "id, or an OpenAlex id the store knows) and a registry");
      copub_error_set_option (error ? *error : NULL, "home-institution");
      return FALSE;
    }
  return TRUE;
}

gboolean
copub_counting_check_options (const CopubAnalyseOptions *o, GError **error)
{
  if (has_dim (o, COPUB_DIM_PARTNER) && o->partners == NULL)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "the partner dimension needs a partner file");
      copub_error_set_option (error ? *error : NULL, "partners");
      return FALSE;
    }
  if (has_dim (o, COPUB_DIM_REGION) && o->regions == NULL)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "the region dimension needs the country groups");
      copub_error_set_option (error ? *error : NULL, "groups");
      return FALSE;
    }
  if (!check_institution_options (o, error))
    return FALSE;
  if (o->window > 1 && !has_dim (o, COPUB_DIM_YEAR))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "a rolling window needs the year dimension");
      copub_error_set_option (error ? *error : NULL, "window");
      return FALSE;
    }
  return TRUE;
}

/* Replaces the single years by rolling periods when asked. */
void
copub_counting_scan_apply_window (Scan *scan)
{
  const CopubAnalyseOptions *o = scan->options;
  int yd = year_dim_index (o);
  int first = o->from ? o->from : scan->min_year, last = o->to ? o->to : scan->max_year;
  guint n_base = 0;

  if (o->window <= 1)
    return;
  for (guint d = 0; d < o->n_dims; d++)
    n_base += !copub_counting_is_pair_dim (o->dims[d]);
  scan->cells = roll (scan->cells, o->n_dims, yd, o->window, first, last);
  if (scan->has_pair)
    {
      int base_yd = 0;
      for (int d = 0; d < yd; d++)
        base_yd += !copub_counting_is_pair_dim (o->dims[d]);
      scan->base = roll (scan->base, n_base, base_yd, o->window, first, last);
    }
  else
    {
      g_hash_table_unref (scan->base);
      scan->base = g_hash_table_ref (scan->cells);
    }
}

void
copub_counting_default_dims (CopubAnalyseOptions *o)
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

static void
see_institution (const char *id, const char *ror, const char *name, const char *country,
                 gpointer user_data)
{
  copub_counting_learn_institution (user_data, id, ror, name, country);
}

/* One pass over the store's institutions: the ROR id of the OpenAlex or HAL id @id, or
 * the smallest OpenAlex id of the institutions with the ROR id @ror (one, in OpenAlex). */
typedef struct {
  const char *id;
  char *ror;
  const char *by_ror;
  char *openalex;
} HomeLookup;

static void
find_home (const char *id, const char *ror, const char *name, const char *country,
           gpointer user_data)
{
  HomeLookup *home = user_data;
  (void) name, (void) country;

  if (ror && home->id && home->ror == NULL && strcmp (id, home->id) == 0)
    home->ror = g_strdup (ror);
  if (ror && home->by_ror && strcmp (ror, home->by_ror) == 0
      && copub_is_openalex_institution_id (id)
      && (home->openalex == NULL || strcmp (id, home->openalex) < 0))
    {
      g_free (home->openalex);
      home->openalex = g_strdup (id);
    }
}

gboolean
copub_analyse_home_ror (CopubStore *store, const char *id, char **out_ror, GError **error)
{
  HomeLookup home = { id, NULL, NULL, NULL };

  *out_ror = NULL;
  if (copub_institution_is_ror (id))
    {
      *out_ror = g_strdup (id);
      return TRUE;
    }
  if (!copub_store_foreach_institution_row (store, find_home, &home, error))
    return FALSE;
  *out_ror = home.ror;
  return TRUE;
}

/* The home institution's OpenAlex id, when not given: @o->home_institution itself when it
 * is one, else the store's OpenAlex institution of its ROR id (none: no lineage rule). */
static gboolean
resolve_home_openalex (CopubStore *store, CopubAnalyseOptions *o, char **out_openalex,
                       GError **error)
{
  HomeLookup home = { NULL, NULL, o->home_institution, NULL };

  if (o->home_openalex || o->home_institution == NULL)
    return TRUE;
  if (!copub_institution_is_ror (o->home_institution))
    {
      o->home_openalex = o->home_institution;
      return TRUE;
    }
  if (!copub_store_foreach_institution_row (store, find_home, &home, error))
    return FALSE;
  o->home_openalex = *out_openalex = home.openalex;
  return TRUE;
}

/* The home institution as a ROR id: given as one, or the ROR id of the OpenAlex
 * institution the store knows (*@out_ror is set to it, freed by the caller); and its
 * OpenAlex id (*@out_openalex when found in the store). */
static gboolean
resolve_home (CopubStore *store, CopubAnalyseOptions *o, char **out_ror, char **out_openalex,
              GError **error)
{
  if (!has_dim (o, COPUB_DIM_INSTITUTION))
    return TRUE;
  if (!resolve_home_openalex (store, o, out_openalex, error))
    return FALSE;
  if (copub_institution_is_ror (o->home_institution))
    return TRUE;
  if (!copub_analyse_home_ror (store, o->home_institution, out_ror, error))
    return FALSE;
  if (*out_ror == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "home institution '%s': no institution of the store has this id and a "
                   "ROR id; give its ROR id", o->home_institution);
      copub_error_set_option (error ? *error : NULL, "home-institution");
      return FALSE;
    }
  o->home_institution = *out_ror;
  return TRUE;
}

CopubIndicators *
copub_analyse (CopubStore *store, const CopubAnalyseOptions *options, GError **error)
{
  g_autofree char *home_ror = NULL, *home_openalex = NULL;
  CopubAnalyseOptions o = *options;
  CopubSummaryQuery query = { options->source, options->from, options->to, FALSE };
  Scan scan;
  CopubIndicators *indicators;

  copub_counting_default_dims (&o);
  if (!copub_counting_check_options (&o, error)
      || !resolve_home (store, &o, &home_ror, &home_openalex, error))
    return NULL;
  if (o.partners && copub_partners_has_names (o.partners)
      && !copub_store_foreach_institution (store, learn_institution, o.partners, error))
    return NULL;
  copub_counting_scan_init (&scan, &o);
  if ((has_dim (&o, COPUB_DIM_INSTITUTION)
       && !copub_store_foreach_institution_row (store, see_institution, &scan, error))
      || !run_scan (store, &scan, &query, error))
    {
      copub_counting_scan_clear (&scan);
      return NULL;
    }
  copub_counting_scan_apply_window (&scan);
  indicators = copub_counting_scan_indicators (&scan);
  copub_counting_scan_clear (&scan);
  return indicators;
}

gboolean
copub_counting_foreach_work (CopubStore *store, const CopubAnalyseOptions *options,
                             CopubCountingWorkFunc func, gpointer user_data, GError **error)
{
  CopubAnalyseOptions o = *options;
  CopubSummaryQuery query = { options->source, options->from, options->to, FALSE };
  Scan scan;
  gboolean ok;

  o.n_dims = 0;
  o.window = 0;
  o.partners = NULL;
  copub_counting_default_dims (&o);
  copub_counting_scan_init (&scan, &o);
  scan.on_work = func;
  scan.on_work_data = user_data;
  ok = run_scan (store, &scan, &query, error);
  copub_counting_scan_clear (&scan);
  return ok;
}

CopubIndicators *
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
  g_autoptr(CopubIndicators) years = NULL;

  single.window = 0; /* single years, whatever the tables use */
  years = copub_analyse_by_year (store, &single, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int current = g_date_time_get_year (now), last = 0;

  if (years == NULL)
    return -1;
  for (guint r = 0; r < copub_indicators_n_cells (years); r++)
    if (copub_indicators_cell (years, r)->year < current)
      last = copub_indicators_cell (years, r)->year;
  return last;
}

/* The counts of [out->from, out->to] as one cell, into @out (works 0 when none). */
static gboolean
period_counts (CopubStore *store, const CopubAnalyseOptions *options, CopubHeadline *out,
               GError **error)
{
  CopubAnalyseOptions o = *options;
  CopubSummaryQuery query = { options->source, out->from, out->to, FALSE };
  Scan scan;
  const Cell *all;

  /* No dimension: the whole period is one cell. */
  o.n_dims = 0;
  o.window = 0;
  o.from = out->from;
  o.to = out->to;
  copub_counting_scan_init (&scan, &o);
  if (!run_scan (store, &scan, &query, error))
    {
      copub_counting_scan_clear (&scan);
      return FALSE;
    }
  all = g_hash_table_lookup (scan.cells, "");
  out->works = all ? all->works : 0;
  out->international = all ? all->international : 0;
  out->share = out->works ? (double) out->international / (double) out->works : NAN;
  copub_analyse_wilson (out->international, out->works, &out->low, &out->high);
  out->coverage = all && all->authorships > 0 ? (double) all->known / (double) all->authorships
                                              : NAN;
  out->synthetic = scan.synthetic;
  copub_counting_scan_clear (&scan);
  return TRUE;
}

gboolean
copub_analyse_headline (CopubStore *store, const CopubAnalyseOptions *options,
                        int period_from, int period_to, CopubHeadline *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (period_from == 0)
    {
      period_from = period_to = last_complete_year (store, options, error);
      if (period_from < 0)
        return FALSE;
    }
  out->from = period_from;
  out->to = period_to ? period_to : period_from;
  if (!period_counts (store, options, out, error))
    return FALSE;
  if (out->works == 0)
    {
      if (out->from == 0)
        g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_FAILED,
                             "the corpus has no work before this year: nothing to quote");
      else
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_FAILED,
                     "the corpus has no work in %d-%d: nothing to quote", out->from, out->to);
      return FALSE;
    }
  return TRUE;
}

/* ---- the headline under other definitions ------------------------------------------- */

static const char *const articles_only[] = { "article", NULL };
static const char *const every_type[] = { "all", NULL };

gboolean
copub_analyse_variant_options (const CopubAnalyseOptions *options, CopubVariant variant,
                               CopubAnalyseOptions *out)
{
  *out = *options;
  switch (variant)
    {
    case COPUB_VARIANT_ARTICLES:
      out->types = articles_only;
      break;
    case COPUB_VARIANT_ALL_TYPES:
      out->types = every_type;
      break;
    case COPUB_VARIANT_OPENALEX:
      out->source = "openalex";
      break;
    case COPUB_VARIANT_HAL:
      out->source = "hal";
      break;
    case COPUB_VARIANT_BOTH_SOURCES:
      out->source = NULL;
      break;
    case COPUB_VARIANT_SOURCE_COUNTRIES:
      out->source_countries_only = TRUE;
      break;
    case COPUB_VARIANT_TERRITORIES_ABROAD:
      /* Territories fold into FR only: elsewhere the variant is the headline. */
      out->territories_as_home = FALSE;
      return g_strcmp0 (options->home, "FR") == 0;
    case COPUB_VARIANT_HEADLINE:
    case COPUB_N_VARIANTS:
    default:
      break;
    }
  return TRUE;
}

gboolean
copub_analyse_variant_headline (CopubStore *store, const CopubAnalyseOptions *options,
                                CopubVariant variant, int from, int to, CopubHeadline *out,
                                GError **error)
{
  CopubAnalyseOptions o;

  memset (out, 0, sizeof *out);
  out->from = from;
  out->to = to ? to : from;
  copub_analyse_variant_options (options, variant, &o);
  return period_counts (store, &o, out, error);
}

gboolean
copub_analyse_about_half (const CopubHeadline *h)
{
  /* LOW/100 <= international/works <= HIGH/100, in integers. */
  return h->works > 0 && 100 * h->international >= COPUB_ABOUT_HALF_LOW * h->works
         && 100 * h->international <= COPUB_ABOUT_HALF_HIGH * h->works;
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
