/* Unit tests of the callbacks (include/copub/callbacks.h): the library's notes reach the
 * caller's callback, and the library itself writes nothing to standard output or standard
 * error, with callbacks or without. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "copub/import.h"
#include "copub/run.h"
#include "copub/store.h"
#include "testlib.h"

#define FIXTURE "fixtures/openalex/works.jsonl"
#define DEAD_PID "4194305" /* above Linux's largest pid_max: never a live process */

/* ---- what the library writes to fds 1 and 2 ------------------------------------------ */

typedef struct {
  int saved_out, saved_err;
  char *path;
} Capture;

/* From now on, fds 1 and 2 go to a file. */
static void
capture_begin (Capture *c)
{
  int fd;

  c->path = testlib_temp_path ("copub-callbacks", "output");
  fflush (stdout);
  fflush (stderr);
  fd = open (c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  c->saved_out = dup (STDOUT_FILENO);
  c->saved_err = dup (STDERR_FILENO);
  g_assert_cmpint (dup2 (fd, STDOUT_FILENO), ==, STDOUT_FILENO);
  g_assert_cmpint (dup2 (fd, STDERR_FILENO), ==, STDERR_FILENO);
  close (fd);
}

/* Puts fds 1 and 2 back and asserts that nothing was written to them. */
static void
capture_end_empty (Capture *c)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  fflush (stdout);
  fflush (stderr);
  dup2 (c->saved_out, STDOUT_FILENO);
  dup2 (c->saved_err, STDERR_FILENO);
  close (c->saved_out);
  close (c->saved_err);
  g_assert_true (g_file_get_contents (c->path, &text, &length, NULL));
  g_assert_cmpstr (text, ==, "");
  g_free (c->path);
}

/* ---- a callback that keeps the notes ------------------------------------------------- */

static void
keep_note (CopubNoteLevel level, const char *message, void *data)
{
  GPtrArray *notes = data;

  g_assert_true (level <= COPUB_NOTE_WARNING);
  g_assert_null (strchr (message, '\n'));
  g_ptr_array_add (notes, g_strdup_printf ("%d %s", (int) level, message));
}

static gboolean
has_note (GPtrArray *notes, CopubNoteLevel level, const char *start)
{
  g_autofree char *prefix = g_strdup_printf ("%d %s", (int) level, start);

  for (guint i = 0; i < notes->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (notes, i), prefix))
      return TRUE;
  return FALSE;
}

/* A first load that was killed left its temporary store: the next one removes it and
 * says so through the callback; without callbacks it says nothing, anywhere. */
static void
test_store_notes (void)
{
  g_autofree char *db = testlib_temp_db ("copub-callbacks");
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *left = g_strconcat (db, ".loading-" DEAD_PID "-abcdef", NULL);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  CopubCallbacks cb = { keep_note, NULL, NULL, notes };
  g_autoptr(GError) error = NULL;
  Capture c;

  for (int with_callbacks = 1; with_callbacks >= 0; with_callbacks--)
    {
      g_autoptr(CopubStore) store = NULL;
      g_autofree char *expected = g_strdup_printf ("removed '%s', left by an import that was "
                                                   "killed (pid " DEAD_PID ")", left);
      g_assert_true (g_file_set_contents (left, "", 0, NULL));
      g_ptr_array_set_size (notes, 0);
      capture_begin (&c);
      store = copub_store_open_for_load (db, with_callbacks ? &cb : NULL, &error);
      capture_end_empty (&c);
      g_assert_no_error (error);
      g_assert_false (g_file_test (left, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (notes->len, ==, with_callbacks ? 1 : 0);
      if (with_callbacks)
        g_assert_true (has_note (notes, COPUB_NOTE_MESSAGE, expected));
    }
}

/* Each file imported is a detail note. */
static void
test_import_notes (void)
{
  g_autofree char *db = testlib_temp_db ("copub-callbacks");
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  CopubCallbacks cb = { keep_note, NULL, NULL, notes };
  CopubImportOptions o = COPUB_IMPORT_OPTIONS_INIT;
  const char *files[] = { FIXTURE, NULL };
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(GError) error = NULL;
  CopubImportStats stats;
  Capture c;

  o.callbacks = &cb;
  copub_import_stats_init (&stats);
  capture_begin (&c);
  store = copub_store_open_for_load (db, &cb, &error);
  g_assert_true (store && copub_import_files (store, files, &o, &stats, &error));
  capture_end_empty (&c);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.records, ==, 12);
  g_assert_true (has_note (notes, COPUB_NOTE_INFO, "importing '" FIXTURE "' (OpenAlex"));
  copub_import_stats_clear (&stats);
}

/* A configuration for an offline run over the fixture corpus, in a new directory. */
static char *
write_config (void)
{
  g_autofree char *conf = testlib_temp_path ("copub-callbacks", "run.conf");
  g_autofree char *fixture = g_canonicalize_filename (FIXTURE, NULL);
  g_autofree char *text = g_strdup_printf (
      "[institution]\nname = Test University\nopenalex = I90183372\n"
      "[sources]\nopenalex = false\nfiles = %s\n"
      "[output]\ndir = out\nstore = run.db\nformats = png\nlanguages = en\n", fixture);

  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  return g_steal_pointer (&conf);
}

/* A dry run returns its plan and writes nothing; a real run tells what it did (the
 * debris of a killed run removed, the files imported) through the callback only. */
static void
test_run_notes (void)
{
  g_autofree char *conf = write_config ();
  g_autofree char *dir = g_path_get_dirname (conf);
  g_autofree char *debris = g_build_filename (dir, ".out.staging-" DEAD_PID "-abcdef", NULL);
  g_autofree char *report = g_build_filename (dir, "out", "report.html", NULL);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  CopubCallbacks cb = { keep_note, NULL, NULL, notes };
  g_autoptr(CopubConfig) config = copub_config_load (conf, NULL);
  CopubRunOptions o = COPUB_RUN_OPTIONS_INIT;
  CopubRunResult result;
  g_autoptr(GError) error = NULL;
  g_autofree char *removed = g_strdup_printf ("removed '%s', left by a run that was killed",
                                              debris);
  Capture c;

  g_assert_nonnull (config);
  o.callbacks = &cb;
  o.dry_run = TRUE;
  capture_begin (&c);
  g_assert_true (copub_run (config, &o, &result, &error));
  capture_end_empty (&c);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (result.plan.lock, "run.db.lock"));
  g_assert_true (result.plan.harvest);
  g_assert_false (result.plan.openalex);
  g_assert_cmpuint (notes->len, ==, 0);
  g_assert_false (g_file_test (result.plan.lock, G_FILE_TEST_EXISTS));
  copub_run_result_clear (&result);

  g_assert_cmpint (g_mkdir (debris, 0755), ==, 0);
  o.dry_run = FALSE;
  o.offline = TRUE;
  capture_begin (&c);
  g_assert_true (copub_run (config, &o, &result, &error));
  capture_end_empty (&c);
  g_assert_no_error (error);
  g_assert_true (has_note (notes, COPUB_NOTE_MESSAGE, removed));
  g_assert_true (has_note (notes, COPUB_NOTE_MESSAGE, "imported 12 records from 1 file(s): 12 new"));
  g_assert_true (has_note (notes, COPUB_NOTE_INFO, "importing '"));
  g_assert_false (g_file_test (debris, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (report, G_FILE_TEST_EXISTS));
  g_assert_nonnull (result.headline);
  copub_run_result_clear (&result);
}

/* Debugging messages may stay in the library (shown with -vv); anything else logged goes
 * to stderr, where the capture sees it. */
static GLogWriterOutput
drop_debug (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_standard_streams (level, fields, n_fields, data);
}

static void
drop_debug_handler (const char *domain, GLogLevelFlags level, const char *message,
                    gpointer data)
{
  if (!(level & G_LOG_LEVEL_DEBUG))
    g_log_default_handler (domain, level, message, data);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (drop_debug, NULL, NULL);
  g_log_set_default_handler (drop_debug_handler, NULL);
  g_test_add_func ("/callbacks/store-notes", test_store_notes);
  g_test_add_func ("/callbacks/import-notes", test_import_notes);
  g_test_add_func ("/callbacks/run-notes", test_run_notes);
  return g_test_run ();
}
