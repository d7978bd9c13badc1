/* copub: helpers shared by the unit tests; see testlib.h. */
#include "testlib.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "sources/http.h"
#include "copub/import.h"

/* ---- stores ------------------------------------------------------------------------------ */

char *
testlib_temp_path (const char *prefix, const char *name)
{
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", prefix);
  g_autofree char *dir = g_dir_make_tmp (template, NULL);

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

char *
testlib_temp_db (const char *prefix)
{
  return testlib_temp_path (prefix, "store.db");
}

CopubStore *
testlib_fixture_store (const char *prefix, const char *const *files)
{
  static const char *const fixture[] = { "fixtures/openalex/works.jsonl", NULL };
  g_autofree char *path = testlib_temp_db (prefix);
  CopubImportOptions options = COPUB_IMPORT_OPTIONS_INIT;
  CopubImportStats stats;
  g_autoptr(GError) error = NULL;
  CopubStore *store = copub_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  copub_import_stats_init (&stats);
  g_assert_true (copub_import_files (store, files != NULL ? files : fixture, &options, &stats,
                                     &error));
  g_assert_no_error (error);
  copub_import_stats_clear (&stats);
  return store;
}

/* Opens @path (which must exist) and prepares @sql, asserting that both work. */
static sqlite3_stmt *
sql_prepare (const char *path, const char *sql, sqlite3 **db)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (*db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  return stmt;
}

gint64
testlib_sql_int (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = sql_prepare (path, sql, &db);
  gint64 n = -1;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

char *
testlib_sql_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = sql_prepare (path, sql, &db);
  char *text = NULL;

  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

/* ---- other programs and small things ------------------------------------------------------ */

void
testlib_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        testlib_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

gboolean
testlib_gnuplot_missing (void)
{
  g_autofree char *path = g_find_program_in_path ("gnuplot");

  if (path == NULL)
    g_test_skip ("gnuplot is not installed");
  return path == NULL;
}

int
testlib_strcmp_indirect (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* ---- the test API server ------------------------------------------------------------------- */

/* Reads the server's first line, "PORT=<n>", waiting up to 15 s. */
static gboolean
read_port_line (int fd, int *port)
{
  char line[64] = { 0 };
  gsize len = 0;
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (len < sizeof line - 1 && g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      char c;

      if (poll (&pfd, 1, 200) <= 0)
        continue;
      if (read (fd, &c, 1) != 1)
        return FALSE;
      if (c == '\n')
        break;
      line[len++] = c;
    }
  return sscanf (line, "PORT=%d", port) == 1 && *port > 0;
}

void
testlib_server_start (TestlibServer *s, gconstpointer unused)
{
  const char *python = g_getenv ("PYTHON");
  const char *argv[] = {
    python != NULL && *python != '\0' ? python : "python3", "scripts/test-api-server",
    "--port", "0", "--max-seconds", "120", "--stop-on-eof",
    "--corpus-openalex", "fixtures/api/openalex-works.jsonl",
    "--corpus-hal", "fixtures/api/hal-docs.json",
    "--structures", "fixtures/api/hal-structures.json", NULL
  };
  g_autoptr(GError) error = NULL;
  int port = 0;

  (void) unused;
  memset (s, 0, sizeof *s);
  s->in_fd = s->out_fd = -1;
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                            G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &s->pid, &s->in_fd, &s->out_fd, NULL, &error);
  g_assert_no_error (error);
  if (error == NULL && read_port_line (s->out_fd, &port))
    s->base = g_strdup_printf ("http://127.0.0.1:%d", port);
  g_assert_nonnull (s->base);
}

void
testlib_server_stop (TestlibServer *s, gconstpointer unused)
{
  (void) unused;
  if (s->pid > 0)
    {
      kill (s->pid, SIGTERM);
      waitpid (s->pid, NULL, 0);
      g_spawn_close_pid (s->pid);
    }
  if (s->in_fd >= 0)
    close (s->in_fd);
  if (s->out_fd >= 0)
    close (s->out_fd);
  g_free (s->base);
  memset (s, 0, sizeof *s);
  s->in_fd = s->out_fd = -1;
}

char *
testlib_server_url (const TestlibServer *s, const char *path_query)
{
  return g_strdup_printf ("%s%s", s->base, path_query);
}

json_t *
testlib_server_json (const TestlibServer *s, const char *path_query)
{
  CopubHttpOptions o = COPUB_HTTP_OPTIONS_INIT;
  g_autoptr(CopubHttp) client = NULL;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, path_query);
  gsize size = 0;
  const char *data;

  o.max_attempts = 1;
  client = copub_http_new (&o, &error);
  g_assert_no_error (error);
  if (client == NULL || !copub_http_get (client, url, &r, &error))
    {
      g_assert_no_error (error);
      return NULL;
    }
  data = g_bytes_get_data (r->body, &size);
  return json_loadb (data, size, 0, NULL);
}

void
testlib_server_control (const TestlibServer *s, const char *query)
{
  g_autofree char *pq = g_strdup_printf ("/_control?%s", query);
  json_t *answer = testlib_server_json (s, pq);

  g_assert_true (json_is_true (json_object_get (answer, "ok")));
  json_decref (answer);
}

json_t *
testlib_server_log (const TestlibServer *s)
{
  json_t *stats = testlib_server_json (s, "/_stats");
  json_t *log = json_incref (json_object_get (stats, "log"));

  g_assert_true (json_is_array (log));
  json_decref (stats);
  return log;
}
