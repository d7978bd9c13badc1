/* Unit tests of the indicators on the hand-written fixture corpus, whose expected
 * figures were worked out by hand (see the comments), and of the table output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copub/analyse.h"
#include "copub/error.h"
#include "copub/table.h"
#include "testlib.h"

static char *
table_csv (const CopubTable *table)
{
  g_autofree char *path = testlib_temp_path ("copub-analyse", "analyse-out.csv");
  FILE *f = fopen (path, "w+");
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_nonnull (f);
  g_assert_true (copub_table_write (table, COPUB_TABLE_FORMAT_CSV, f, &error));
  fclose (f);
  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

/* The CSV of @indicators' table. */
static char *
csv_of (const CopubIndicators *indicators)
{
  g_autoptr(CopubTable) table = copub_table_new_from_indicators (indicators);
  return table_csv (table);
}

static void
test_wilson (void)
{
  double low, high;

  copub_analyse_wilson (1, 4, &low, &high);
  g_assert_cmpfloat_with_epsilon (low, 0.045587, 1e-6);
  g_assert_cmpfloat_with_epsilon (high, 0.699358, 1e-6);
  copub_analyse_wilson (0, 10, &low, &high);
  g_assert_cmpfloat (low, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (high, 0.277533, 1e-6);
  copub_analyse_wilson (50, 100, &low, &high);
  g_assert_cmpfloat_with_epsilon (low, 0.403832, 1e-6);
  g_assert_cmpfloat_with_epsilon (high, 0.596168, 1e-6);
  copub_analyse_wilson (0, 0, &low, &high);
  g_assert_true (isnan (low) && isnan (high));
}

/* 2020: W1 FR+US (international), W2 FR, W3 FR + an unknown authorship, W4 FR+RE
 * (RE counts as FR); W5 retracted, W6 paratext, W7 dataset are left out.
 * Coverage 7/8; complete works W1, W2, W4, one international; the ceiling takes W3 as
 * international too: 2/4.
 * 2021: W8 with 100 authorships abroad and at home, W9 without authorships, W10 FR with
 * two unknown authorships: 101/103 known; the ceiling takes W9 and W10 as international.
 * 2022: W11 FR, W12 BE+FR, both complete: the ceiling is the share. */
static void
test_by_year_home_fr (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-analyse", NULL);
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubIndicators) table = copub_analyse_by_year (store, &options, &error);
  g_autofree char *csv = NULL;

  g_assert_no_error (error);
  csv = csv_of (table);
  g_assert_cmpstr (csv, ==,
                   "year,works,international,share,share_low,share_high,coverage,complete,"
                   "share_complete,share_max\n"
                   "2020,4,1,0.2500,0.0456,0.6994,0.8750,3,0.3333,0.5000\n"
                   "2021,3,1,0.3333,0.0615,0.7923,0.9806,1,1.0000,1.0000\n"
                   "2022,2,1,0.5000,0.0945,0.9055,1.0000,2,0.5000,0.5000\n");
}

static void
test_options (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-analyse", NULL);
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  const char *all[] = { "all", NULL };
  const char *datasets[] = { "dataset", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubIndicators) t = NULL;

  /* Without folding the territories, W4 (FR+RE) is international. */
  options.territories_as_home = FALSE;
  options.from = options.to = 2020;
  t = copub_analyse_by_year (store, &options, &error);
  g_assert_cmpuint (copub_indicators_n_cells (t), ==, 1);
  g_assert_cmpint (copub_indicators_cell (t, 0)->international, ==, 2);
  g_clear_pointer (&t, copub_indicators_unref);

  /* No home country: two countries or more (FR+US, FR+RE). */
  options = (CopubAnalyseOptions) COPUB_ANALYSE_OPTIONS_INIT;
  options.home = NULL;
  options.from = options.to = 2020;
  t = copub_analyse_by_year (store, &options, &error);
  g_assert_cmpint (copub_indicators_cell (t, 0)->international, ==, 2);
  g_clear_pointer (&t, copub_indicators_unref);

  /* All types keep the dataset W7 but never the retracted W5 or the paratext W6. */
  options = (CopubAnalyseOptions) COPUB_ANALYSE_OPTIONS_INIT;
  options.types = all;
  options.to = 2020;
  t = copub_analyse_by_year (store, &options, &error);
  g_assert_cmpint (copub_indicators_cell (t, 0)->works, ==, 5);
  g_clear_pointer (&t, copub_indicators_unref);

  options.types = datasets;
  t = copub_analyse_by_year (store, &options, &error);
  g_assert_cmpint (copub_indicators_cell (t, 0)->works, ==, 1);
  g_assert_no_error (error);
}

/* A table written as text (the aligned table people read). */
static char *
text_of (const CopubIndicators *indicators)
{
  g_autoptr(CopubTable) table = copub_table_new_from_indicators (indicators);
  g_autofree char *path = testlib_temp_path ("copub-analyse", "analyse-out.txt");
  FILE *f = fopen (path, "w+");
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_nonnull (f);
  g_assert_true (copub_table_write (table, COPUB_TABLE_FORMAT_TABLE, f, &error));
  fclose (f);
  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

/* Ties share a rank (competition ranking): in 2021 W8 has BE and US, one work each, so
 * both rank 1; CSV says 1, the text table "1=". */
static void
test_rank_ties (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-analyse", NULL);
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubIndicators) t = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *text = NULL;

  options.dims[0] = COPUB_DIM_YEAR;
  options.dims[1] = COPUB_DIM_COUNTRY;
  options.n_dims = 2;
  t = copub_analyse (store, &options, &error);
  g_assert_no_error (error);
  csv = csv_of (t);
  g_assert_nonnull (strstr (csv, "\n2021,BE,1,3,0.3333,0.0615,0.7923,0.49,0.1633,1\n"
                                 "2021,US,1,3,0.3333,0.0615,0.7923,0.49,0.1633,1\n"));
  text = text_of (t);
  g_assert_nonnull (strstr (text, "    1=\n"));
  g_assert_nonnull (strstr (text, "     1\n")); /* 2020's US and 2022's BE: alone */
}

static void
test_table_formats (void)
{
  g_autoptr(CopubTable) t = copub_table_new ("Title");
  g_autofree char *path = testlib_temp_path ("copub-analyse", "fmt.txt");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  FILE *f;

  copub_table_add_column (t, "name", COPUB_COLUMN_TEXT);
  copub_table_add_column (t, "n", COPUB_COLUMN_INT);
  copub_table_add_column (t, "share", COPUB_COLUMN_SHARE);
  copub_table_add_row (t);
  copub_table_set_text (t, 0, 0, "Université \"de\", Lorraine");
  copub_table_set_int (t, 0, 1, 7);
  copub_table_add_row (t);
  copub_table_set_text (t, 1, 0, "KU");
  copub_table_set_real (t, 1, 2, 0.5);
  copub_table_add_note (t, "a note");

  text = table_csv (t);
  g_assert_cmpstr (text, ==, "name,n,share\n\"Université \"\"de\"\", Lorraine\",7,\n"
                             "KU,,0.5000\n");
  g_clear_pointer (&text, g_free);

  f = fopen (path, "w+");
  g_assert_true (copub_table_write (t, COPUB_TABLE_FORMAT_JSON, f, &error));
  fclose (f);
  g_file_get_contents (path, &text, NULL, NULL);
  g_assert_nonnull (strstr (text, "\"name\": \"KU\""));
  g_assert_nonnull (strstr (text, "\"n\": null"));
  g_assert_nonnull (strstr (text, "\"share\": 0.5"));
  g_assert_nonnull (strstr (text, "\"notes\": [\n    \"a note\""));
  g_clear_pointer (&text, g_free);

  f = fopen (path, "w+");
  g_assert_true (copub_table_write (t, COPUB_TABLE_FORMAT_TABLE, f, &error));
  fclose (f);
  g_file_get_contents (path, &text, NULL, NULL);
  g_assert_nonnull (strstr (text, "50.0%"));
  g_assert_nonnull (strstr (text, "a note"));
}

static void
test_write_failure (void)
{
  g_autoptr(CopubTable) t = copub_table_new (NULL);
  g_autoptr(GError) error = NULL;
  FILE *full = fopen ("/dev/full", "w");

  if (full == NULL)
    {
      g_test_skip ("no /dev/full");
      return;
    }
  copub_table_add_column (t, "x", COPUB_COLUMN_INT);
  copub_table_add_row (t);
  g_assert_false (copub_table_write (t, COPUB_TABLE_FORMAT_CSV, full, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  fclose (full);
}

static void
test_types_in_words (void)
{
  const char *const some[] = { "article", "conference-paper", "libguides", NULL };
  const char *const one[] = { "preprint", NULL };
  const char *const all[] = { "all", NULL };
  g_autofree char *en = copub_analyse_types_in_words (NULL, "en");
  g_autofree char *fr = copub_analyse_types_in_words (NULL, "fr");
  g_autofree char *mixed = copub_analyse_types_in_words (some, "fr");
  g_autofree char *single = copub_analyse_types_in_words (one, NULL);
  g_autofree char *every = copub_analyse_types_in_words (all, "fr");

  g_assert_cmpstr (en, ==, "articles, reviews and book chapters");
  g_assert_cmpstr (fr, ==, "articles, revues et chapitres d'ouvrage");
  g_assert_cmpstr (mixed, ==, "articles, communications de conférence et libguides");
  g_assert_cmpstr (single, ==, "preprints");
  g_assert_cmpstr (every, ==, "tous types de documents");
}

/* The cells carry typed values and counts: 2021's BE cell (W8, one of the year's three
 * works; W8 has 100 authorships abroad and at home) by year and country, the fixture's
 * sources. */
static void
test_cells (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-analyse", NULL);
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubIndicators) t = NULL;
  g_autoptr(CopubIndicators) years = NULL;
  g_autoptr(CopubIndicators) sources = NULL;
  const CopubCell *be, *y2020;
  guint n_dims;
  const CopubDimension *dims;
  double low, high;

  options.dims[0] = COPUB_DIM_YEAR;
  options.dims[1] = COPUB_DIM_COUNTRY;
  options.n_dims = 2;
  t = copub_analyse (store, &options, &error);
  g_assert_no_error (error);
  dims = copub_indicators_dims (t, &n_dims);
  g_assert_cmpuint (n_dims, ==, 2);
  g_assert_cmpint (dims[1], ==, COPUB_DIM_COUNTRY);
  g_assert_true (copub_indicators_by_pair (t));
  g_assert_cmpuint (copub_indicators_window (t), ==, 1);
  g_assert_cmpstr (copub_indicators_home (t), ==, "FR");
  be = copub_indicators_find (t, &(CopubCell) { .year = 2021, .country = "BE" });
  g_assert_nonnull (be);
  g_assert_cmpint (be->year, ==, 2021);
  g_assert_cmpint (be->first_year, ==, 2021);
  g_assert_cmpstr (be->country, ==, "BE");
  g_assert_null (be->theme);
  g_assert_cmpint (be->works, ==, 1);
  g_assert_cmpint (be->n, ==, 3);
  g_assert_cmpfloat_with_epsilon (copub_cell_share (be), 1.0 / 3, 1e-12);
  copub_cell_share_interval (be, &low, &high);
  g_assert_cmpfloat_with_epsilon (low, 0.0615, 1e-4);
  g_assert_cmpint (copub_fraction_hundredths (be->fractional), ==, 49);
  g_assert_cmpint (be->rank, ==, 1);
  g_assert_true (be->tied);
  g_assert_null (copub_indicators_find (t, &(CopubCell) { .year = 2021, .country = "ZZ" }));

  years = copub_analyse_by_year (store, &options, &error);
  g_assert_no_error (error);
  g_assert_false (copub_indicators_by_pair (years));
  y2020 = copub_indicators_cell (years, 0);
  g_assert_cmpint (y2020->year, ==, 2020);
  g_assert_cmpint (y2020->works, ==, 4);
  g_assert_cmpint (y2020->n, ==, 4);
  g_assert_cmpint (y2020->international, ==, 1);
  g_assert_cmpint (y2020->complete, ==, 3);
  g_assert_cmpfloat_with_epsilon (copub_cell_coverage (y2020), 0.875, 1e-12);
  g_assert_cmpfloat_with_epsilon (copub_cell_share_max (y2020), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (copub_cell_share_complete (y2020), 1.0 / 3, 1e-12);

  options.dims[0] = COPUB_DIM_SOURCE;
  options.n_dims = 1;
  sources = copub_analyse (store, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (copub_indicators_n_cells (sources), ==, 1);
  g_assert_cmpstr (copub_indicators_cell (sources, 0)->source, ==, "openalex");
  g_assert_cmpint (copub_indicators_cell (sources, 0)->works, ==, 9);
}

/* A work of @n_foreign authorships, each in its own country, and one in France. */
static CopubWork *
many_countries_work (guint n_foreign)
{
  CopubWork *w = copub_work_new (COPUB_SOURCE_OPENALEX);
  CopubAuthorship *home = copub_authorship_new ();

  w->id = g_strdup ("W1");
  w->year = 2020;
  w->type = g_strdup ("article");
  copub_authorship_add_country (home, "FR");
  g_ptr_array_add (w->authorships, home);
  for (guint i = 0; i < n_foreign; i++)
    {
      CopubAuthorship *a = copub_authorship_new ();
      char code[3] = { (char) ('A' + i / 26), (char) ('A' + i % 26), '\0' };
      a->position = (int) i + 1;
      copub_authorship_add_country (a, code);
      g_ptr_array_add (w->authorships, a);
    }
  return w;
}

/* Every country of the work counted, 1/71 of a work each: 64 were the old cap. */
static void
check_many_countries (const CopubIndicators *t, guint n_foreign)
{
  CopubFraction total = { 0, 0 };

  g_assert_cmpuint (copub_indicators_n_cells (t), ==, n_foreign);
  for (guint i = 0; i < copub_indicators_n_cells (t); i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      g_assert_cmpint (c->works, ==, 1);
      g_assert_cmpint (c->n, ==, 1);
      g_assert_cmpfloat_with_epsilon (copub_fraction_to_double (c->fractional),
                                      1.0 / (n_foreign + 1), 1e-9);
      total.low += c->fractional.low;
    }
  g_assert_nonnull (copub_indicators_find (t, &(CopubCell) { .country = "CR" })); /* the 70th */
  g_assert_cmpfloat_with_epsilon (copub_fraction_to_double (total),
                                  (double) n_foreign / (n_foreign + 1), 1e-9);
}

static void
test_many_countries (void)
{
  const guint n_foreign = 70;
  g_autofree char *path = testlib_temp_db ("copub-analyse");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubWork) work = many_countries_work (n_foreign);
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(CopubAggregate) agg = NULL;
  g_autoptr(CopubIndicators) from_store = NULL;
  g_autoptr(CopubIndicators) from_scan = NULL;
  g_autoptr(GError) error = NULL;

  store = copub_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, work, NULL, &error));
  g_assert_true (copub_store_commit (store, &error));
  g_assert_no_error (error);
  options.territories_as_home = FALSE; /* BL, one of the codes, is a French territory */
  options.dims[0] = COPUB_DIM_COUNTRY;
  options.n_dims = 1;
  from_store = copub_analyse (store, &options, &error);
  g_assert_no_error (error);
  check_many_countries (from_store, n_foreign);

  agg = copub_aggregate_new (&options, &error);
  g_assert_no_error (error);
  copub_aggregate_add_work (agg, work);
  from_scan = copub_aggregate_indicators (agg);
  check_many_countries (from_scan, n_foreign);
}

/* An aggregate written to a memory stream and read back gives the same indicators;
 * partials of two halves add up to the whole. */
static void
test_aggregate_stream (void)
{
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubAggregate) whole = NULL;
  g_autoptr(CopubAggregate) merged = NULL;
  g_autoptr(CopubIndicators) want = NULL;
  g_autoptr(CopubIndicators) got = NULL;
  g_autofree char *want_csv = NULL, *got_csv = NULL;
  char *parts[2] = { NULL, NULL };
  size_t sizes[2] = { 0, 0 };

  options.dims[0] = COPUB_DIM_YEAR;
  options.dims[1] = COPUB_DIM_COUNTRY;
  options.n_dims = 2;
  whole = copub_aggregate_new (&options, &error);
  merged = copub_aggregate_new (&options, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(CopubAggregate) half = copub_aggregate_new (&options, &error);
      FILE *out = open_memstream (&parts[k], &sizes[k]);
      FILE *in;
      for (guint i = 0; i < 3; i++)
        {
          g_autoptr(CopubWork) w = many_countries_work (1 + 40 * k + i);
          w->year = 2020 + (int) i;
          copub_aggregate_add_work (half, w);
          copub_aggregate_add_work (whole, w);
        }
      g_assert_true (copub_aggregate_write (half, out, &error));
      g_assert_no_error (error);
      fclose (out);
      g_assert_true (g_str_has_prefix (parts[k], "copub-partial 2\nsignature\t"));
      in = fmemopen (parts[k], sizes[k], "r");
      g_assert_true (copub_aggregate_merge_stream (merged, in, "memory", &error));
      g_assert_no_error (error);
      fclose (in);
    }
  want = copub_aggregate_indicators (whole);
  got = copub_aggregate_indicators (merged);
  g_assert_cmpuint (copub_indicators_n_cells (got), ==, copub_indicators_n_cells (want));
  want_csv = csv_of (want);
  got_csv = csv_of (got);
  g_assert_cmpstr (got_csv, ==, want_csv);
  free (parts[0]);
  free (parts[1]);
}

/* A stream that is not a partial is refused, named as the caller calls it. */
static void
test_aggregate_stream_bad (void)
{
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubAggregate) agg = copub_aggregate_new (&options, &error);
  char text[] = "year,works\n2020,1\n";
  FILE *in = fmemopen (text, strlen (text), "r");

  g_assert_false (copub_aggregate_merge_stream (agg, in, "table.csv", &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "'table.csv'"));
  fclose (in);
}

/* An article of 2020 with DOI 10.1/x from @source: a French authorship and one whose
 * country is @code, given by the source or (@inferred) found by copub's normaliser. */
static CopubWork *
linked_work (CopubSource source, const char *id, const char *code, gboolean inferred)
{
  CopubWork *w = copub_work_new (source);
  CopubAuthorship *home = copub_authorship_new (), *other = copub_authorship_new ();

  w->id = g_strdup (id);
  w->doi = g_strdup ("10.1/x");
  w->year = 2020;
  w->type = g_strdup ("article");
  copub_authorship_add_country (home, "FR");
  other->position = 1;
  if (inferred)
    g_ptr_array_add (other->inferred, g_strdup (code));
  else
    copub_authorship_add_country (other, code);
  g_ptr_array_add (w->authorships, home);
  g_ptr_array_add (w->authorships, other);
  return w;
}

/* With the sources' countries only, the country copub inferred for the HAL record of a
 * work OpenAlex holds too does not make it international. */
static void
test_linked_source_countries (void)
{
  g_autofree char *path = testlib_temp_db ("copub-analyse");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubWork) oa = linked_work (COPUB_SOURCE_OPENALEX, "W1", "FR", FALSE);
  g_autoptr(CopubWork) hal = linked_work (COPUB_SOURCE_HAL, "hal-1", "US", TRUE);
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  CopubHeadline h;

  store = copub_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, oa, NULL, &error));
  g_assert_true (copub_store_put_work (store, hal, NULL, &error));
  g_assert_true (copub_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_true (copub_analyse_headline (store, &options, 2020, 2020, &h, &error));
  g_assert_cmpint (h.works, ==, 1);
  g_assert_cmpint (h.international, ==, 1);
  options.source_countries_only = TRUE;
  g_assert_true (copub_analyse_headline (store, &options, 2020, 2020, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (h.works, ==, 1);
  g_assert_cmpint (h.international, ==, 0);
}

/* "About one in two": 45 % to 55 %, both bounds exact; the territories variant applies
 * with home FR only; each variant changes one option. */
static void
test_about_half (void)
{
  static const struct { gint64 works, international; gboolean holds; } cases[] = {
    { 20, 9, TRUE }, { 20, 11, TRUE }, { 20, 8, FALSE }, { 20, 12, FALSE },
    { 100000, 44999, FALSE }, { 100000, 55001, FALSE }, { 2, 1, TRUE }, { 0, 0, FALSE },
  };
  CopubAnalyseOptions o = COPUB_ANALYSE_OPTIONS_INIT, v;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CopubHeadline h = { .works = cases[i].works, .international = cases[i].international };
      g_assert_true (copub_analyse_about_half (&h) == cases[i].holds);
    }
  g_assert_true (copub_analyse_variant_options (&o, COPUB_VARIANT_TERRITORIES_ABROAD, &v));
  g_assert_false (v.territories_as_home);
  g_assert_true (copub_analyse_variant_options (&o, COPUB_VARIANT_ARTICLES, &v));
  g_assert_cmpstr (v.types[0], ==, "article");
  g_assert_null (v.types[1]);
  g_assert_true (v.territories_as_home);
  g_assert_true (copub_analyse_variant_options (&o, COPUB_VARIANT_HAL, &v));
  g_assert_cmpstr (v.source, ==, "hal");
  g_assert_true (copub_analyse_variant_options (&o, COPUB_VARIANT_SOURCE_COUNTRIES, &v));
  g_assert_true (v.source_countries_only);
  o.home = "DE";
  g_assert_false (copub_analyse_variant_options (&o, COPUB_VARIANT_TERRITORIES_ABROAD, &v));
}

__extension__ typedef unsigned __int128 Wide;

static Wide
wide (CopubFraction f)
{
  return (Wide) f.high << 64 | f.low;
}

/* By region: a country group's works are at most the sum of its countries' and at least
 * the largest; its fractional count is exactly the sum of its foreign countries' (the
 * home country never counts); n is the institution's works. Without groups the
 * dimension is a usage error. */
static void
test_regions (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-analyse", NULL);
  g_autoptr(CopubRegions) regions = copub_regions_load (NULL, NULL, NULL);
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubIndicators) by_region = NULL;
  g_autoptr(CopubIndicators) by_country = NULL;
  guint checked = 0;

  options.dims[0] = COPUB_DIM_REGION;
  options.n_dims = 1;
  g_assert_null (copub_analyse (store, &options, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  g_clear_error (&error);
  options.regions = regions;
  by_region = copub_analyse (store, &options, &error);
  g_assert_no_error (error);
  options.dims[0] = COPUB_DIM_COUNTRY;
  by_country = copub_analyse (store, &options, &error);
  g_assert_no_error (error);
  for (guint g = 0; by_region && g < copub_indicators_n_cells (by_region); g++)
    {
      const CopubCell *cell = copub_indicators_cell (by_region, g);
      int index = copub_regions_index (regions, cell->region);
      Wide sum = 0;
      gint64 works = 0, most = 0;
      for (guint c = 0; c < copub_indicators_n_cells (by_country); c++)
        {
          const CopubCell *country = copub_indicators_cell (by_country, c);
          if (!copub_regions_has_country (regions, (guint) index, country->country))
            continue;
          g_assert_cmpstr (country->country, !=, "FR");
          sum += wide (country->fractional);
          works += country->works;
          most = MAX (most, country->works);
        }
      g_assert_true (wide (cell->fractional) == sum);
      g_assert_cmpint (cell->works, <=, works);
      g_assert_cmpint (cell->works, >=, most);
      g_assert_cmpint (cell->works, >, 0);
      g_assert_cmpint (cell->n, ==, copub_indicators_cell (by_country, 0)->n);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/analyse/wilson", test_wilson);
  g_test_add_func ("/analyse/by-year-home-fr", test_by_year_home_fr);
  g_test_add_func ("/analyse/options", test_options);
  g_test_add_func ("/analyse/table-formats", test_table_formats);
  g_test_add_func ("/analyse/rank-ties", test_rank_ties);
  g_test_add_func ("/analyse/write-failure", test_write_failure);
  g_test_add_func ("/analyse/types-in-words", test_types_in_words);
  g_test_add_func ("/analyse/cells", test_cells);
  g_test_add_func ("/analyse/many-countries", test_many_countries);
  g_test_add_func ("/analyse/aggregate-stream", test_aggregate_stream);
  g_test_add_func ("/analyse/aggregate-stream-bad", test_aggregate_stream_bad);
  g_test_add_func ("/analyse/about-half", test_about_half);
  g_test_add_func ("/analyse/linked-source-countries", test_linked_source_countries);
  g_test_add_func ("/analyse/regions", test_regions);
  return g_test_run ();
}
