/* Unit tests of the importer: format detection, gzip, idempotence, all-or-nothing. */
#include <string.h>

#include "copub/error.h"
#include "copub/import.h"
#include "testlib.h"

/* Imports @files into a new store at @path; returns the stats' counts as
 * "records/inserted/updated/unchanged/skipped". */
static char *
import (const char *path, const char *const *files, gboolean skip_bad, guint threads,
        GError **error)
{
  g_autoptr(CopubStore) store = copub_store_open (path, error);
  CopubImportOptions options = COPUB_IMPORT_OPTIONS_INIT;
  CopubImportStats stats;
  char *out = NULL;

  if (store == NULL)
    return NULL;
  options.skip_bad = skip_bad;
  options.n_threads = threads;
  copub_import_stats_init (&stats);
  if (copub_import_files (store, files, &options, &stats, error))
    out = g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                           "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                           stats.records, stats.inserted, stats.updated, stats.unchanged,
                           stats.skipped);
  copub_import_stats_clear (&stats);
  return out;
}

static gint64
count_works (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_assert_no_error (error);
  return copub_store_count_works (store, NULL, &error);
}

static void
test_formats (void)
{
  const char *cases[][2] = {
    { "fixtures/openalex/works.jsonl", "12/12/0/0/0" },
    { "fixtures/openalex/works.jsonl.gz", "12/12/0/0/0" },
    { "fixtures/openalex/page.json", "12/12/0/0/0" },
    { "fixtures/openalex/page.json.gz", "12/12/0/0/0" },
    { "fixtures/openalex/single.json", "1/1/0/0/0" },
    { "fixtures/openalex/page-empty.json", "0/0/0/0/0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = testlib_temp_db ("copub-import");
      const char *files[] = { cases[i][0], NULL };
      g_autoptr(GError) error = NULL;
      g_autofree char *got = import (path, files, FALSE, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, cases[i][1]);
    }
}

static void
test_idempotent (void)
{
  g_autofree char *path = testlib_temp_db ("copub-import");
  const char *files[] = { "fixtures/openalex/works.jsonl", NULL };
  const char *gz[] = { "fixtures/openalex/works.jsonl.gz", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *first = import (path, files, FALSE, 0, &error);
  g_autofree char *second = import (path, files, FALSE, 0, &error);
  g_autofree char *third = import (path, gz, FALSE, 1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "12/12/0/0/0");
  g_assert_cmpstr (second, ==, "12/0/0/12/0");
  g_assert_cmpstr (third, ==, "12/0/0/12/0");
}

static void
test_bad_file_rolls_back (void)
{
  g_autofree char *path = testlib_temp_db ("copub-import");
  const char *good[] = { "fixtures/openalex/single.json", NULL };
  const char *files[] = { "fixtures/openalex/works.jsonl", "fixtures/openalex/bad-syntax.jsonl",
                          NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *first = import (path, good, FALSE, 0, &error);
  g_autofree char *got = NULL;

  g_assert_no_error (error);
  got = import (path, files, FALSE, 0, &error);
  g_assert_null (got);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (error ? strstr (error->message, "bad-syntax.jsonl' line 3:") : NULL);
  g_assert_cmpint (count_works (path), ==, 1);
}

static void
test_skip_bad (void)
{
  const char *cases[][3] = {
    { "fixtures/openalex/bad-syntax.jsonl", "3/3/0/0/1", "line 3" },
    { "fixtures/openalex/bad-year.jsonl", "2/2/0/0/1", "line 2" },
    { "fixtures/openalex/bad-utf8.jsonl", "1/1/0/0/1", "line 2" },
    { "fixtures/openalex/bad-noid-page.json", "2/2/0/0/1", "record 2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = testlib_temp_db ("copub-import");
      const char *files[] = { cases[i][0], NULL };
      g_autoptr(GError) error = NULL;
      g_autofree char *strict = import (path, files, FALSE, 0, &error);
      g_autofree char *got = NULL;

      g_assert_null (strict);
      g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
      g_assert_nonnull (error ? strstr (error->message, cases[i][2]) : NULL);
      g_clear_error (&error);
      got = import (path, files, TRUE, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, cases[i][1]);
    }
}

static void
test_truncated_gzip (void)
{
  g_autofree char *path = testlib_temp_db ("copub-import");
  const char *files[] = { "fixtures/openalex/truncated.jsonl.gz", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *got = import (path, files, TRUE, 0, &error);

  g_assert_null (got);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (error ? strstr (error->message, "truncated") : NULL);
  g_assert_cmpint (count_works (path), ==, 0);
}

static void
test_unreadable_and_unknown (void)
{
  g_autofree char *path = testlib_temp_db ("copub-import");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *csv = g_build_filename (dir, "x.csv", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.json", NULL);
  const char *missing[] = { "fixtures/openalex/no-such-file.jsonl", NULL };
  const char *unknown[] = { csv, NULL };
  const char *empties[] = { empty, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (csv, "a,b\n1,2\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "  \n", -1, NULL));
  g_assert_null (import (path, missing, FALSE, 0, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (import (path, unknown, FALSE, 0, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (error ? strstr (error->message, "unknown format") : NULL);
  g_clear_error (&error);
  g_assert_null (import (path, empties, FALSE, 0, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
}

/* Many batches through the thread pool: order and counts survive. */
static void
test_many_lines_threads (void)
{
  g_autofree char *path = testlib_temp_db ("copub-import");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *big = g_build_filename (dir, "big.jsonl", NULL);
  GString *s = g_string_new (NULL);
  const char *files[] = { big, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  g_autofree char *expected = NULL;
  const int n = 30000;

  for (int i = 0; i < n; i++)
    g_string_append_printf (s, "{\"id\":\"https://openalex.org/W%d\",\"publication_year\":%d,"
                               "\"title\":\"%0200d\"}\n", i % (n - 10), 2000 + i % 20, i);
  g_assert_true (g_file_set_contents (big, s->str, (gssize) s->len, NULL));
  g_string_free (s, TRUE);
  got = import (path, files, FALSE, 2, &error);
  g_assert_no_error (error);
  /* The last 10 lines repeat the first ids with other titles: updates. */
  expected = g_strdup_printf ("%d/%d/10/0/0", n, n - 10);
  g_assert_cmpstr (got, ==, expected);
}

/* Imports @file with @limits and --skip-bad: "records/skipped", or NULL with @error. */
static char *
import_limited (const char *file, CopubLimits limits, GError **error)
{
  g_autofree char *path = testlib_temp_db ("copub-import");
  g_autoptr(CopubStore) store = copub_store_open (path, error);
  CopubImportOptions options = COPUB_IMPORT_OPTIONS_INIT;
  const char *files[] = { file, NULL };
  CopubImportStats stats;
  char *out = NULL;

  options.limits = limits;
  options.skip_bad = TRUE;
  copub_import_stats_init (&stats);
  if (store && copub_import_files (store, files, &options, &stats, error))
    out = g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, stats.records,
                           stats.skipped);
  copub_import_stats_clear (&stats);
  return out;
}

/* A line of exactly the record limit is read; one byte more and it is bad, wherever
 * the line falls: first, within a batch, or beyond the reader's buffer. */
static void
test_record_limit (void)
{
  g_autofree char *text = NULL;
  gsize len;
  g_auto(GStrv) lines = NULL;
  g_autofree char *dir = g_dir_make_tmp ("copub-limit-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "w.jsonl", NULL);
  gsize longest = 0;

  g_assert_true (g_file_get_contents ("fixtures/openalex/works.jsonl", &text, &len, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    longest = MAX (longest, strlen (*l));
  g_assert_true (g_file_set_contents (file, text, (gssize) len, NULL));
  for (int extra = 0; extra <= 1; extra++)
    {
      CopubLimits limits = COPUB_LIMITS_INIT;
      g_autoptr(GError) error = NULL;
      g_autofree char *got = NULL;
      limits.max_record = longest - (gsize) extra;
      got = import_limited (file, limits, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, extra ? "11/1" : "12/0");
    }
  {
    CopubLimits limits = COPUB_LIMITS_INIT;
    g_autoptr(GError) error = NULL;
    g_autofree char *got = NULL;
    limits.max_record = 100; /* every line over it, the first included */
    got = import_limited (file, limits, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (got, ==, "0/12");
  }
}

/* Every string copub keeps is held to the field limit. */
static void
test_field_limit (void)
{
  CopubLimits limits = COPUB_LIMITS_INIT;
  g_autoptr(CopubWork) work = copub_work_new (COPUB_SOURCE_OPENALEX);
  CopubAuthorship *a = copub_authorship_new ();
  g_autoptr(GError) error = NULL;

  work->id = g_strdup ("W1");
  work->title = g_strdup ("A title");
  g_ptr_array_add (work->authorships, a);
  g_ptr_array_add (a->raw_affiliations, g_strdup ("Universite de Lorraine, Nancy"));
  limits.max_field = 29;
  g_assert_true (copub_work_check_limits (work, &limits, &error));
  limits.max_field = 28;
  g_assert_false (copub_work_check_limits (work, &limits, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_cmpstr (error ? error->message : NULL, ==, "work W1: a raw affiliation string is "
                   "29 bytes, over the limit of 28 (max-field-size)");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/import/formats", test_formats);
  g_test_add_func ("/import/idempotent", test_idempotent);
  g_test_add_func ("/import/bad-file-rolls-back", test_bad_file_rolls_back);
  g_test_add_func ("/import/skip-bad", test_skip_bad);
  g_test_add_func ("/import/truncated-gzip", test_truncated_gzip);
  g_test_add_func ("/import/unreadable-and-unknown", test_unreadable_and_unknown);
  g_test_add_func ("/import/many-lines-threads", test_many_lines_threads);
  g_test_add_func ("/import/record-limit", test_record_limit);
  g_test_add_func ("/import/field-limit", test_field_limit);
  return g_test_run ();
}
