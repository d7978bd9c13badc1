/* copub: the indicators, computed in one pass over the store's work summaries. */
#include <math.h>
#include <string.h>

#include "copub/analyse.h"
#include "copub/error.h"

/* Normal quantile for a two-sided 95 % interval. */
#define Z95 1.959963984540054

const char *const copub_analyse_default_types[] = { "article", "review", "book-chapter", NULL };

/* French overseas departments, regions and collectivities with their own ISO code. */
static const char *const french_territories[] = {
  "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF", NULL
};

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
  return code;
}

/* Is a work with these countries ("DE,FR,US") international? */
static gboolean
is_international (const CopubAnalyseOptions *options, const char *countries)
{
  g_auto(GStrv) codes = NULL;
  const char *first = NULL;

  if (countries == NULL || *countries == '\0')
    return FALSE;
  codes = g_strsplit (countries, ",", -1);
  for (char **c = codes; *c; c++)
    {
      const char *code = copub_analyse_harmonise (options, *c);
      if (options->home != NULL)
        {
          if (strcmp (code, options->home) != 0)
            return TRUE;
        }
      else if (first == NULL)
        first = code;
      else if (strcmp (first, code) != 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
type_kept (const CopubAnalyseOptions *options, const char *type)
{
  const char *const *types = options->types ? options->types : copub_analyse_default_types;

  if (types[0] != NULL && strcmp (types[0], "all") == 0)
    return TRUE;
  if (type == NULL)
    return FALSE;
  for (const char *const *t = types; *t; t++)
    if (strcmp (*t, type) == 0)
      return TRUE;
  return FALSE;
}

/* Counts for one period. */
typedef struct {
  gint64 works;
  gint64 international;
  gint64 authorships;
  gint64 known;
  gint64 complete;
  gint64 complete_international;
} Counts;

typedef struct {
  const CopubAnalyseOptions *options;
  GArray *years;     /* of Counts, indexed by year - first_year */
  int first_year;
  gboolean synthetic;
} YearScan;

static Counts *
year_counts (YearScan *scan, int year)
{
  if (scan->years->len == 0)
    scan->first_year = year;
  /* Summaries come in year order: a new year is always at the end. */
  if (year - scan->first_year >= (int) scan->years->len)
    g_array_set_size (scan->years, (guint) (year - scan->first_year + 1));
  return &g_array_index (scan->years, Counts, year - scan->first_year);
}

static gboolean
in_corpus (const CopubAnalyseOptions *options, const CopubWorkSummary *s)
{
  return s->year > 0 && !s->is_retracted && !s->is_paratext && type_kept (options, s->type);
}

static gboolean
count_work (const CopubWorkSummary *s, gpointer user_data, GError **error)
{
  YearScan *scan = user_data;
  Counts *c;
  gboolean international;
  (void) error;

  if (!in_corpus (scan->options, s))
    return TRUE;
  c = year_counts (scan, s->year);
  international = is_international (scan->options, s->countries);
  c->works++;
  c->international += international;
  c->authorships += s->n_authorships;
  c->known += s->n_known;
  if (s->n_authorships > 0 && s->n_known == s->n_authorships)
    {
      c->complete++;
      c->complete_international += international;
    }
  scan->synthetic |= s->is_synthetic;
  return TRUE;
}

static void
set_share (CopubTable *t, guint row, guint col, gint64 part, gint64 whole)
{
  if (whole > 0)
    copub_table_set_real (t, row, col, (double) part / (double) whole);
}

/* Adds one row of year-table measures for @c. Columns start at @col. */
static void
fill_row (CopubTable *t, guint row, guint col, const Counts *c)
{
  double low, high;

  copub_analyse_wilson (c->international, c->works, &low, &high);
  copub_table_set_int (t, row, col, c->works);
  copub_table_set_int (t, row, col + 1, c->international);
  set_share (t, row, col + 2, c->international, c->works);
  copub_table_set_real (t, row, col + 3, low);
  copub_table_set_real (t, row, col + 4, high);
  set_share (t, row, col + 5, c->known, c->authorships);
  copub_table_set_int (t, row, col + 6, c->complete);
  set_share (t, row, col + 7, c->complete_international, c->complete);
}

static void
add_year_columns (CopubTable *t)
{
  copub_table_add_column (t, "works", COPUB_COLUMN_INT);
  copub_table_add_column (t, "international", COPUB_COLUMN_INT);
  copub_table_add_column (t, "share", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_low", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_high", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "coverage", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "complete", COPUB_COLUMN_INT);
  copub_table_add_column (t, "share_complete", COPUB_COLUMN_SHARE);
}

static char *
describe (const CopubAnalyseOptions *options)
{
  if (options->home == NULL)
    return g_strdup ("International co-publication by year (works with authors in two "
                     "countries or more)");
  return g_strdup_printf ("International co-publication by year (home country %s; "
                          "international = a co-author outside %s)",
                          options->home, options->home);
}

CopubTable *
copub_analyse_by_year (CopubStore *store, const CopubAnalyseOptions *options, GError **error)
{
  CopubSummaryQuery query = { options->source, options->from, options->to };
  YearScan scan = { options, g_array_new (FALSE, TRUE, sizeof (Counts)), 0, FALSE };
  g_autofree char *title = describe (options);
  g_autoptr(CopubTable) table = copub_table_new (title);

  if (!copub_store_foreach_summary (store, &query, count_work, &scan, error))
    {
      g_array_unref (scan.years);
      return NULL;
    }
  copub_table_add_column (table, "year", COPUB_COLUMN_INT);
  add_year_columns (table);
  for (guint i = 0; i < scan.years->len; i++)
    {
      const Counts *c = &g_array_index (scan.years, Counts, i);
      guint row;
      if (c->works == 0)
        continue;
      row = copub_table_add_row (table);
      copub_table_set_int (table, row, 0, scan.first_year + (int) i);
      fill_row (table, row, 1, c);
    }
  if (scan.synthetic)
    copub_table_add_note (table, "Note: synthetic data (copub's generated sample corpus), "
                                 "not real publications.");
  g_array_unref (scan.years);
  return g_steal_pointer (&table);
}
