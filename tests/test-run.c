/* Unit tests of the nightly run (src/run/run.c) through the library: an offline run over the
 * fixture corpus in a temporary directory, with real SQLite files and real gnuplot. It
 * writes the report and records an "ok" run; a run while another holds the lock fails and
 * touches nothing; a failed step keeps the last report and the store as they were and
 * records the failure; what killed runs left (staging directories, loading files, runs
 * still "running") is cleaned up. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "copub/analyse.h"
#include "copub/config.h"
#include "copub/error.h"
#include "copub/run.h"
#include "copub/store.h"

#include "testlib.h"

#define CORPUS "fixtures/openalex/works.jsonl"
#define CORPUS_WORKS 12 /* records in CORPUS, each a work of its own */

/* An offline configuration over a copy of the fixture corpus, in a new temporary
 * directory: store run.db, outputs in out/. */
static CopubConfig *
offline_config (void)
{
  static const char *const text =
      "[institution]\n"
      "name = Test University\n"
      "openalex = I90183372\n"
      "[sources]\n"
      "openalex = false\n"
      "files = works.jsonl\n"
      "[output]\n"
      "dir = out\n"
      "store = run.db\n"
      "formats = png\n"
      "languages = en;fr\n";
  g_autofree char *path = testlib_temp_path ("copub-run", "run.conf");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *corpus = g_build_filename (dir, "works.jsonl", NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  CopubConfig *c;

  g_assert_true (g_file_get_contents (CORPUS, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (corpus, contents, (gssize) len, NULL));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  c = copub_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  return c;
}

static gboolean
run (const CopubConfig *c, CopubRunResult *result, GError **error)
{
  CopubRunOptions options = COPUB_RUN_OPTIONS_INIT;

  options.offline = TRUE;
  return copub_run (c, &options, result, error);
}

/* The finished runs of the store, oldest first. */
static GPtrArray *
runs_of (const CopubConfig *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (c->store, &error);
  GPtrArray *runs;

  g_assert_no_error (error);
  runs = copub_store_list_runs (store, 0, &error);
  g_assert_no_error (error);
  return runs;
}

/* Every row of every table of the SQLite file @path (read with SQLite itself, not with
 * copub; read-write, so that closing it removes the WAL files as copub does), but those of
 * the table @except (NULL: none), as text. */
static char *
store_dump (const char *path, const char *except)
{
  GString *out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *tables = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = "
                                           "'table' ORDER BY name", -1, &tables, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (tables, 0);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1", name);
      sqlite3_stmt *rows = NULL;
      if (g_strcmp0 (name, except) == 0)
        continue;
      g_string_append_printf (out, "[%s]\n", name);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL), ==, SQLITE_OK);
      while (sqlite3_step (rows) == SQLITE_ROW)
        {
          for (int i = 0; i < sqlite3_column_count (rows); i++)
            {
              const void *v = sqlite3_column_blob (rows, i);
              g_autofree char *hex = g_compute_checksum_for_data (
                  G_CHECKSUM_SHA1, v ? v : (const void *) "", (gsize) sqlite3_column_bytes (rows, i));
              g_string_append_printf (out, "%d:%s|", sqlite3_column_type (rows, i), hex);
            }
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

/* Every file below @dir with a digest of its contents, sorted, as text. */
static void
tree_dump_into (const char *dir, const char *prefix, GPtrArray *lines)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *rel = g_strconcat (prefix, name, NULL);
      g_autofree char *contents = NULL, *sum = NULL;
      gsize len = 0;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autofree char *sub = g_strconcat (rel, "/", NULL);
          tree_dump_into (path, sub, lines);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      sum = g_compute_checksum_for_data (G_CHECKSUM_SHA1, (guchar *) contents, len);
      g_ptr_array_add (lines, g_strdup_printf ("%s %s", rel, sum));
    }
}

static char *
tree_dump (const char *dir)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  tree_dump_into (dir, "", lines);
  g_ptr_array_sort (lines, (GCompareFunc) testlib_strcmp_indirect);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

/* The names in @c's directory that are neither the configuration's own files nor its
 * outputs: what a run left behind. */
static char *
leftovers (const CopubConfig *c)
{
  static const char *const mine[] = { "run.conf", "works.jsonl", "run.db", "run.db.lock",
                                      "out", NULL };
  g_autofree char *dir = g_path_get_dirname (c->path);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GString) found = g_string_new (NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    if (!g_strv_contains (mine, name))
      g_string_append_printf (found, "%s ", name);
  return g_strdup (found->str);
}

/* A pid that no process has: a child's, once it has exited and been reaped. */
static pid_t
dead_pid (void)
{
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
  g_assert_true (kill (pid, 0) != 0 && errno == ESRCH);
  return pid;
}

/* ---- tests -------------------------------------------------------------------------------- */

/* An offline run imports the files, writes the report in every language and records an
 * "ok" run with the headline's figures; a second run replaces the outputs and adds a run. */
static void
test_offline_run (void)
{
  g_autoptr(CopubConfig) c = NULL;
  CopubRunResult result;
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubHeadline h;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(CopubStore) store = NULL;
  g_autofree char *left = NULL;
  const CopubRun *r;

  if (testlib_gnuplot_missing ())
    return;
  c = offline_config ();
  g_assert_true (run (c, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.run_id, >, 0);
  g_assert_cmpint (result.works_openalex, ==, CORPUS_WORKS);
  g_assert_cmpint (result.works_hal, ==, 0);
  g_assert_cmpstr (result.out_dir, ==, c->out_dir);
  g_assert_nonnull (result.headline);
  g_assert_nonnull (strstr (result.headline, "Test University"));
  for (guint i = 0; i < 2; i++)
    {
      const char *names[] = { "report.html", "report.md", "year.csv", "country.csv" };
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        {
          g_autofree char *path = g_build_filename (c->out_dir, i ? "fr" : "", names[k], NULL);
          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
        }
    }
  left = leftovers (c);
  g_assert_cmpstr (left, ==, "");

  /* The run as recorded: the headline of the store's contents (computed here again). */
  runs = runs_of (c);
  g_assert_cmpuint (runs->len, ==, 1);
  r = runs->pdata[0];
  g_assert_cmpint (r->run_id, ==, result.run_id);
  g_assert_cmpstr (r->status, ==, "ok");
  g_assert_null (r->message);
  g_assert_nonnull (r->finished_at);
  g_assert_cmpint (r->works_openalex, ==, CORPUS_WORKS);
  store = copub_store_open (c->store, &error);
  g_assert_no_error (error);
  g_assert_true (copub_analyse_headline (store, &analyse, 0, 0, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (h.works, >, 0);
  g_assert_cmpint (r->headline_works, ==, h.works);
  g_assert_cmpint (r->headline_international, ==, h.international);
  g_assert_cmpint (r->headline_from, ==, h.from);
  g_assert_cmpint (r->headline_to, ==, h.to);
  g_assert_cmpfloat_with_epsilon (r->headline_share, h.share, 1e-12);
  g_clear_pointer (&store, copub_store_free);
  copub_run_result_clear (&result);

  /* Again: nothing new to import, one more run, outputs replaced whole. */
  g_assert_true (run (c, &result, &error));
  g_assert_no_error (error);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = runs_of (c);
  g_assert_cmpuint (runs->len, ==, 2);
  g_assert_cmpstr (((CopubRun *) runs->pdata[1])->status, ==, "ok");
  g_assert_cmpint (((CopubRun *) runs->pdata[1])->run_id, ==, result.run_id);
  g_free (left);
  left = leftovers (c);
  g_assert_cmpstr (left, ==, "");
  copub_run_result_clear (&result);
}

/* While another holds the store's lock, a run fails with COPUB_ERROR_LOCKED naming the
 * holder, and neither the store nor the outputs change; once it is let go, a run works. */
static void
test_locked (void)
{
  g_autoptr(CopubConfig) c = NULL;
  CopubRunResult result;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_before = NULL, *store_after = NULL;
  g_autofree char *out_before = NULL, *out_after = NULL;
  g_autofree char *holder = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  int lock;

  if (testlib_gnuplot_missing ())
    return;
  c = offline_config ();
  g_assert_true (run (c, &result, &error));
  g_assert_no_error (error);
  copub_run_result_clear (&result);
  store_before = store_dump (c->store, NULL);
  out_before = tree_dump (c->out_dir);

  lock = copub_store_lock (c->store, "the test", &error);
  g_assert_no_error (error);
  g_assert_cmpint (lock, >=, 0);
  g_assert_false (run (c, &result, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_LOCKED);
  holder = g_strdup_printf ("(pid %ld)", (long) getpid ());
  g_assert_nonnull (error ? strstr (error->message, holder) : NULL);
  g_assert_null (result.headline);
  g_clear_error (&error);
  store_after = store_dump (c->store, NULL);
  out_after = tree_dump (c->out_dir);
  g_assert_cmpstr (store_after, ==, store_before);
  g_assert_cmpstr (out_after, ==, out_before);
  close (lock);

  g_assert_true (run (c, &result, &error));
  g_assert_no_error (error);
  copub_run_result_clear (&result);
  runs = runs_of (c);
  g_assert_cmpuint (runs->len, ==, 2);
}

/* Runs the configuration once, damages its input (or PATH) with @damage, runs it again
 * (then restores PATH): the second run fails with @code and a message holding @what, leaves the report and every table but
 * the run history as they were, and records the failure with that message. */
static void
assert_failed_step_keeps_all (void (*damage) (const char *corpus), GQuark domain, int code,
                              const char *what)
{
  g_autoptr(CopubConfig) c = NULL;
  CopubRunResult result;
  g_autoptr(GError) error = NULL;
  g_autofree char *store_before = NULL, *store_after = NULL;
  g_autofree char *out_before = NULL, *out_after = NULL;
  g_autofree char *left = NULL;
  g_autofree char *path = g_strdup (g_getenv ("PATH"));
  g_autoptr(GPtrArray) runs = NULL;
  const CopubRun *r;

  c = offline_config ();
  g_assert_true (run (c, &result, &error));
  g_assert_no_error (error);
  copub_run_result_clear (&result);
  store_before = store_dump (c->store, "runs");
  out_before = tree_dump (c->out_dir);

  damage (c->files[0]);
  g_assert_false (run (c, &result, &error));
  g_setenv ("PATH", path, TRUE);
  g_assert_error (error, domain, code);
  g_assert_nonnull (error ? strstr (error->message, what) : NULL);
  store_after = store_dump (c->store, "runs");
  out_after = tree_dump (c->out_dir);
  g_assert_cmpstr (store_after, ==, store_before);
  g_assert_cmpstr (out_after, ==, out_before);
  left = leftovers (c);
  g_assert_cmpstr (left, ==, "");

  runs = runs_of (c);
  g_assert_cmpuint (runs->len, ==, 2);
  r = runs->pdata[1];
  g_assert_cmpstr (r->status, ==, "failed");
  g_assert_cmpstr (r->message, ==, error ? error->message : NULL);
  g_assert_cmpstr (((CopubRun *) runs->pdata[0])->status, ==, "ok");
  copub_run_result_clear (&result);
}

static void
remove_file (const char *corpus)
{
  g_assert_cmpint (g_unlink (corpus), ==, 0);
}

/* A new work first (which the import stores before it meets the bad line), then a line
 * that is no JSON. */
static void
new_work_then_bad_line (const char *corpus)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) damaged = NULL;

  g_assert_true (g_file_get_contents (corpus, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", 2);
  damaged = g_string_new (lines[0]);
  g_assert_cmpuint (g_string_replace (damaged, "W1000000001", "W1999999999", 0), ==, 1);
  g_string_append (damaged, "\n{\"id\": \"https://openalex.org/W1999999998\", \n");
  g_assert_true (g_file_set_contents (corpus, damaged->str, -1, NULL));
}

/* No gnuplot on PATH any more. */
static void
no_gnuplot (const char *corpus)
{
  g_autofree char *file = testlib_temp_path ("copub-empty", "none");
  g_autofree char *empty = g_path_get_dirname (file);

  (void) corpus;
  g_setenv ("PATH", empty, TRUE);
}

/* An input that went missing between the configuration check and the import. */
static void
test_failed_import_missing (void)
{
  if (testlib_gnuplot_missing ())
    return;
  assert_failed_step_keeps_all (remove_file, COPUB_ERROR, COPUB_ERROR_IO,
                                "importing: cannot open '");
}

/* An input with bad data after a new work: the new work is not kept either. */
static void
test_failed_import_bad_line (void)
{
  if (testlib_gnuplot_missing ())
    return;
  assert_failed_step_keeps_all (new_work_then_bad_line, COPUB_ERROR, COPUB_ERROR_PARSE,
                                "works.jsonl' line 2");
}

/* The report cannot be drawn (the store's contents are as before: the import changes
 * nothing); the staging directory goes too. */
static void
test_failed_report (void)
{
  if (testlib_gnuplot_missing ())
    return;
  assert_failed_step_keeps_all (no_gnuplot, COPUB_ERROR, COPUB_ERROR_CHILD,
                                "writing the report: ");
}

/* What killed runs left: staging and old output directories of processes that are gone,
 * a half-loaded store file, a run still "running". The next run removes or records them,
 * and leaves alone what a live process or another output directory owns. */
static void
test_stale_debris (void)
{
  g_autoptr(CopubConfig) c = NULL;
  CopubRunResult result;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *dir = NULL, *left = NULL, *want = NULL;
  long dead = 0, live = (long) getpid ();
  gint64 killed;

  if (testlib_gnuplot_missing ())
    return;
  c = offline_config ();
  dir = g_path_get_dirname (c->path);
  dead = (long) dead_pid ();
  {
    g_autoptr(CopubStore) store = copub_store_open (c->store, &error);
    g_assert_no_error (error);
    killed = copub_store_begin_run (store, &error); /* and never finished */
    g_assert_no_error (error);
  }
  {
    char *stale[] = {
      g_strdup_printf (".out.staging-%ld-abcdef/report.html", dead),
      g_strdup_printf ("out.old-%ld/report.html", dead),
      g_strdup (".out.staging-abcdef/report.html"),     /* an older copub's, without a pid */
      g_strdup_printf (".out.staging-%ld-ghijkl/report.html", live),
      g_strdup_printf (".other.staging-%ld-abcdef/report.html", dead),
      g_strdup_printf ("run.db.loading-%ld-abcdef", dead),
      g_strdup_printf ("out.old-%ld", dead + 1), /* a file, not a directory */
      g_strdup_printf ("out.old-%ldx/report.html", dead),           /* not copub's names */
      g_strdup_printf (".out.staging-%ld-abcdefg/report.html", dead),
    };
    for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
      {
        g_autofree char *path = g_build_filename (dir, stale[i], NULL);
        g_autofree char *parent = g_path_get_dirname (path);
        g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
        g_assert_true (g_file_set_contents (path, "stale", -1, NULL));
        g_free (stale[i]);
      }
  }

  g_assert_true (run (c, &result, &error));
  g_assert_no_error (error);
  copub_run_result_clear (&result);
  left = leftovers (c);
  want = g_strdup_printf (".out.staging-%ld-ghijkl .other.staging-%ld-abcdef out.old-%ld "
                          "out.old-%ldx .out.staging-%ld-abcdefg", live, dead, dead + 1, dead,
                          dead);
  {
    /* the directory's order is the file system's: compare sorted */
    g_auto(GStrv) got_names = g_strsplit (g_strstrip (left), " ", -1);
    g_auto(GStrv) want_names = g_strsplit (g_strstrip (want), " ", -1);
    g_autofree char *got_sorted = NULL, *want_sorted = NULL;
    qsort (got_names, g_strv_length (got_names), sizeof *got_names, testlib_strcmp_indirect);
    qsort (want_names, g_strv_length (want_names), sizeof *want_names, testlib_strcmp_indirect);
    got_sorted = g_strjoinv (" ", got_names);
    want_sorted = g_strjoinv (" ", want_names);
    g_assert_cmpstr (got_sorted, ==, want_sorted);
  }

  runs = runs_of (c);
  g_assert_cmpuint (runs->len, ==, 2);
  g_assert_cmpint (((CopubRun *) runs->pdata[0])->run_id, ==, killed);
  g_assert_cmpstr (((CopubRun *) runs->pdata[0])->status, ==, "killed");
  g_assert_cmpstr (((CopubRun *) runs->pdata[1])->status, ==, "ok");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/run/offline", test_offline_run);
  g_test_add_func ("/run/locked", test_locked);
  g_test_add_func ("/run/failed-import-missing", test_failed_import_missing);
  g_test_add_func ("/run/failed-import-bad-line", test_failed_import_bad_line);
  g_test_add_func ("/run/failed-report", test_failed_report);
  g_test_add_func ("/run/stale-debris", test_stale_debris);
  return g_test_run ();
}
