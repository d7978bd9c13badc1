/* Unit tests of the scan (include/copub/scan.h): which works a selection keeps, the
 * pre-filter on raw lines, and the reading of a file into an aggregate, through the
 * library's API only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copub/error.h"
#include "copub/scan.h"
#include "copub/table.h"
#include "testlib.h"

#define FIXTURE "fixtures/openalex/works.jsonl"

/* Scans the fixture corpus with @selection; returns the works kept. */
static guint64
scan_fixture (const CopubScanSelection *selection, CopubScanStats *stats)
{
  CopubAnalyseOptions ao = COPUB_ANALYSE_OPTIONS_INIT;
  CopubScanOptions o = COPUB_SCAN_OPTIONS_INIT;
  g_autoptr(CopubAggregate) aggregate = NULL;
  g_autoptr(GError) error = NULL;

  ao.home = "none";
  aggregate = copub_aggregate_new (&ao, &error);
  g_assert_no_error (error);
  o.selection = selection;
  o.n_threads = 2;
  copub_scan_stats_init (stats);
  g_assert_true (copub_scan_file (FIXTURE, NULL, &o, aggregate, stats, &error));
  g_assert_no_error (error);
  return stats->kept;
}

static void
test_selections (void)
{
  static const struct { CopubScanKind kind; const char *value; guint64 kept; } cases[] = {
    { COPUB_SCAN_ALL, NULL, 12 },
    /* by id or in an institution's lineage (W…011 has it in the lineage only) */
    { COPUB_SCAN_INSTITUTION, "I90183372", 11 },
    { COPUB_SCAN_INSTITUTION, "https://openalex.org/I90183372", 11 },
    { COPUB_SCAN_INSTITUTION, "I36258959", 2 },
    { COPUB_SCAN_COUNTRY, "BE", 4 },
    { COPUB_SCAN_COUNTRY, "us", 2 },
    { COPUB_SCAN_COUNTRY, "JP", 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CopubScanSelection) s = copub_scan_selection_new (cases[i].kind,
                                                                  cases[i].value, FALSE,
                                                                  &error);
      CopubScanStats stats;
      g_assert_no_error (error);
      g_assert_cmpuint (scan_fixture (s, &stats), ==, cases[i].kept);
      g_assert_cmpuint (stats.bad, ==, 0);
      /* the pre-filter skips lines that cannot match: fewer parsed, never fewer kept */
      if (cases[i].kind == COPUB_SCAN_ALL)
        g_assert_cmpuint (stats.parsed, ==, 12);
      else
        g_assert_cmpuint (stats.parsed, <, 12);
      g_assert_true (copub_scan_selection_prefilters (s) == (cases[i].kind != COPUB_SCAN_ALL));
      copub_scan_stats_clear (&stats);
    }
}

/* The raw-line test: a hit wherever the line spells the id or the code as a JSON string
 * value, or may spell them with a \u escape; never for a key nor a longer string. */
static void
test_line_filter (void)
{
  g_autoptr(CopubScanSelection) inst
      = copub_scan_selection_new (COPUB_SCAN_INSTITUTION, "I90183372", FALSE, NULL);
  g_autoptr(CopubScanSelection) de = copub_scan_selection_new (COPUB_SCAN_COUNTRY, "DE", FALSE,
                                                               NULL);
  static const struct { const char *line; gboolean inst, de; } cases[] = {
    { "{\"institutions\":[{\"id\":\"https://openalex.org/I90183372\"}]}", TRUE, FALSE },
    { "{\"lineage\":[\"https://openalex.org/I1\"]}", FALSE, FALSE },
    { "{\"countries\":[\"de\"]}", FALSE, TRUE },
    { "{\"countries\":[\"FR\", \"De\" ]}", FALSE, TRUE },
    { "{\"abstract_inverted_index\":{\"de\": [3]}}", FALSE, FALSE },
    { "{\"countries\":[\"DEU\"]}", FALSE, FALSE },
    { "{\"countries\":[\"\\u0044E\"]}", TRUE, TRUE }, /* may be "DE": parse it */
    { "", FALSE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *l = cases[i].line;
      g_assert_true (copub_scan_line_may_match (l, strlen (l), inst) == cases[i].inst);
      g_assert_true (copub_scan_line_may_match (l, strlen (l), de) == cases[i].de);
    }
}

/* A country selection with the normaliser's countries cannot be decided on raw lines. */
static void
test_inferred_has_no_prefilter (void)
{
  g_autoptr(CopubScanSelection) s = copub_scan_selection_new (COPUB_SCAN_COUNTRY, "fr", TRUE,
                                                              NULL);
  g_assert_false (copub_scan_selection_prefilters (s));
}

static void
test_bad_values (void)
{
  static const struct { CopubScanKind kind; const char *value, *option; } cases[] = {
    { COPUB_SCAN_INSTITUTION, "I", "institution" },
    { COPUB_SCAN_INSTITUTION, "I9 0", "institution" },
    { COPUB_SCAN_INSTITUTION, "I9\"0", "institution" },
    { COPUB_SCAN_COUNTRY, "FRA", "country" },
    { COPUB_SCAN_COUNTRY, "F1", "country" },
    { COPUB_SCAN_COUNTRY, NULL, "country" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_null (copub_scan_selection_new (cases[i].kind, cases[i].value, FALSE, &error));
      g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
      g_assert_cmpstr (copub_error_get_option (error), ==, cases[i].option);
      /* the library's message names no command-line flag */
      g_assert_null (strstr (error->message, "--"));
    }
}

/* A malformed line fails naming file and line, or is counted with skip_bad. */
static void
test_bad_record (void)
{
  g_autoptr(CopubScanSelection) all = copub_scan_selection_new (COPUB_SCAN_ALL, NULL, FALSE,
                                                                NULL);
  CopubAnalyseOptions ao = COPUB_ANALYSE_OPTIONS_INIT;
  CopubScanOptions o = COPUB_SCAN_OPTIONS_INIT;
  g_autoptr(CopubAggregate) aggregate = copub_aggregate_new (&ao, NULL);
  g_autoptr(GError) error = NULL;
  CopubScanStats stats;

  o.selection = all;
  copub_scan_stats_init (&stats);
  g_assert_false (copub_scan_file ("fixtures/openalex/bad-syntax.jsonl", NULL, &o, aggregate,
                                   &stats, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "'fixtures/openalex/bad-syntax.jsonl' line "));
  g_clear_error (&error);
  copub_scan_stats_clear (&stats);

  o.skip_bad = TRUE;
  copub_scan_stats_init (&stats);
  g_assert_true (copub_scan_file ("fixtures/openalex/bad-syntax.jsonl", NULL, &o, aggregate,
                                  &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.bad, >, 0);
  g_assert_cmpuint (stats.problems->len, ==, MIN (stats.bad, COPUB_SCAN_MAX_PROBLEMS));
  copub_scan_stats_clear (&stats);
}

/* The CSV table of @ind. */
static char *
csv_of (const CopubIndicators *ind)
{
  g_autoptr(CopubTable) t = copub_table_new_from_indicators (ind);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  g_autoptr(GError) error = NULL;
  char *text;

  g_assert_true (copub_table_write (t, COPUB_TABLE_FORMAT_CSV, f, &error));
  g_assert_no_error (error);
  fclose (f);
  text = g_strdup (buf);
  free (buf);
  return text;
}

/* Scans @path into a new aggregate for @ao. */
static CopubAggregate *
scan_into (const char *path, const CopubAnalyseOptions *ao)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubScanSelection) s = copub_scan_selection_new (COPUB_SCAN_ALL, NULL, FALSE,
                                                              &error);
  CopubScanOptions o = COPUB_SCAN_OPTIONS_INIT;
  CopubAggregate *agg = copub_aggregate_new (ao, &error);
  CopubScanStats stats;

  g_assert_no_error (error);
  o.selection = s;
  o.n_threads = 1;
  copub_scan_stats_init (&stats);
  g_assert_true (copub_scan_file (path, NULL, &o, agg, &stats, &error));
  g_assert_no_error (error);
  copub_scan_stats_clear (&stats);
  return agg;
}

/* Adds @part's counts to @into through a partial file, as copub merge does. */
static void
merge_through_partial (CopubAggregate *into, const CopubAggregate *part)
{
  g_autoptr(GError) error = NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  g_assert_true (copub_aggregate_write (part, f, &error));
  fclose (f);
  f = fmemopen (buf, len, "r");
  g_assert_true (copub_aggregate_merge_stream (into, f, "part", &error));
  g_assert_no_error (error);
  fclose (f);
  free (buf);
}

/* By document type (and year): the store's analysis, the scan of the file and the sum
 * of the partials of its two halves are the same table; the type in words beside it. */
static void
test_by_type (void)
{
  static const char *const all[] = { "all", NULL };
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-scan", NULL);
  CopubAnalyseOptions ao = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubIndicators) from_store = NULL, from_scan = NULL, from_parts = NULL;
  g_autoptr(CopubAggregate) whole = NULL, merged = NULL, first = NULL, second = NULL;
  g_autofree char *text = NULL, *want = NULL, *got_scan = NULL, *got_parts = NULL;
  g_autofree char *half1 = testlib_temp_path ("copub-scan", "half1.jsonl");
  g_autofree char *half2 = testlib_temp_path ("copub-scan", "half2.jsonl");
  const CopubCell *c;
  char *cut;

  ao.types = all;
  g_assert_true (copub_analyse_parse_dims (&ao, "type,year", &error));
  g_assert_no_error (error);
  from_store = copub_analyse (store, &ao, &error);
  g_assert_no_error (error);
  /* 2020: two articles (W1 with US; W5 is retracted), a chapter with Réunion (home), a
   * dataset with BE. */
  c = copub_indicators_find (from_store, &(CopubCell) { .type = "article", .year = 2020 });
  g_assert_nonnull (c);
  g_assert_cmpint (c->works, ==, 2);
  g_assert_cmpint (c->international, ==, 1);
  c = copub_indicators_find (from_store, &(CopubCell) { .type = "book-chapter", .year = 2020 });
  g_assert_nonnull (c);
  g_assert_cmpint (c->works, ==, 1);
  g_assert_cmpint (c->international, ==, 0);
  c = copub_indicators_find (from_store, &(CopubCell) { .type = "dataset", .year = 2020 });
  g_assert_nonnull (c);
  g_assert_cmpint (c->international, ==, 1);
  want = csv_of (from_store);
  g_assert_true (g_str_has_prefix (want, "type,type_name,year,works,international,share,"));
  g_assert_nonnull (strstr (want, "\nbook-chapter,book chapters,2020,1,0,"));

  whole = scan_into (FIXTURE, &ao);
  from_scan = copub_aggregate_indicators (whole);
  got_scan = csv_of (from_scan);
  g_assert_cmpstr (got_scan, ==, want);

  /* The file cut in two after its fifth line: the partials add up to the whole. */
  g_assert_true (g_file_get_contents (FIXTURE, &text, NULL, NULL));
  cut = text;
  for (int i = 0; i < 5; i++)
    cut = strchr (cut, '\n') + 1;
  g_assert_true (g_file_set_contents (half2, cut, -1, &error));
  *cut = '\0';
  g_assert_true (g_file_set_contents (half1, text, -1, &error));
  g_assert_no_error (error);
  first = scan_into (half1, &ao);
  second = scan_into (half2, &ao);
  merged = copub_aggregate_new (&ao, &error);
  g_assert_no_error (error);
  merge_through_partial (merged, first);
  merge_through_partial (merged, second);
  from_parts = copub_aggregate_indicators (merged);
  got_parts = csv_of (from_parts);
  g_assert_cmpstr (got_parts, ==, want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scan/selections", test_selections);
  g_test_add_func ("/scan/line-filter", test_line_filter);
  g_test_add_func ("/scan/inferred-has-no-prefilter", test_inferred_has_no_prefilter);
  g_test_add_func ("/scan/bad-values", test_bad_values);
  g_test_add_func ("/scan/bad-record", test_bad_record);
  g_test_add_func ("/scan/by-type", test_by_type);
  return g_test_run ();
}
