/* Unit tests of the scan (include/copub/scan.h): which works a selection keeps, the
 * pre-filter on raw lines, and the reading of a file into an aggregate, through the
 * library's API only. */
#include <string.h>

#include "copub/error.h"
#include "copub/scan.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scan/selections", test_selections);
  g_test_add_func ("/scan/line-filter", test_line_filter);
  g_test_add_func ("/scan/inferred-has-no-prefilter", test_inferred_has_no_prefilter);
  g_test_add_func ("/scan/bad-values", test_bad_values);
  g_test_add_func ("/scan/bad-record", test_bad_record);
  return g_test_run ();
}
