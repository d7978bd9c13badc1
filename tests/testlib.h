/* copub: helpers shared by the unit tests (tests/test-*.c), linked into each of them:
 * temporary stores, the store of the fixture corpus, and the local test API server
 * (scripts/test-api-server). The tests run from the source tree's top. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "copub/store.h"

G_BEGIN_DECLS

/* ---- stores ------------------------------------------------------------------------------ */

/* The path of @name in a new temporary directory named after @prefix ("copub-X"): two
 * runs of a test at once never share a file. Free with g_free. */
char *testlib_temp_path (const char *prefix, const char *name);

/* The path of "store.db" in a new temporary directory named after @prefix ("copub-X"), so
 * that tests never share files. Free with g_free. */
char *testlib_temp_db (const char *prefix);

/* A new store at testlib_temp_db (@prefix) with @files imported (NULL-terminated; NULL:
 * fixtures/openalex/works.jsonl, the hand-written corpus whose figures the tests know).
 * Asserts that the import succeeds. Free with copub_store_free. */
CopubStore *testlib_fixture_store (const char *prefix, const char *const *files);

/* ---- other programs and small things ------------------------------------------------------ */

/* Removes @path and everything below it (links are removed, not followed). */
void testlib_remove_tree (const char *path);

/* TRUE, marking the test skipped, when gnuplot is not on PATH. */
gboolean testlib_gnuplot_missing (void);

/* strcmp of two strings given by their addresses: for qsort and g_ptr_array_sort over
 * arrays of strings. */
int testlib_strcmp_indirect (const void *a, const void *b);

/* The first column of the first row that @sql gives on the SQLite file @path, read with
 * SQLite itself (not with copub's store code): as an integer (-1 without a row), or as
 * text (NULL without a row or for NULL; free with g_free). */
gint64 testlib_sql_int (const char *path, const char *sql);
char *testlib_sql_text (const char *path, const char *sql);

/* ---- the test API server ------------------------------------------------------------------- */

typedef struct {
  GPid pid;
  int in_fd;
  int out_fd;
  char *base; /* "http://127.0.0.1:PORT" */
} TestlibServer;

/* A GTestFixtureFunc: starts scripts/test-api-server ($PYTHON or python3) on 127.0.0.1 with
 * a port the system picks, serving the corpora of fixtures/api/ (OpenAlex works, HAL
 * documents and structures), and waits up to 15 s for the "PORT=" line it prints when it
 * listens. Asserts that it started. The server stops at testlib_server_stop(), when its
 * stdin closes (the test process died) or after 120 s. */
void testlib_server_start (TestlibServer *s, gconstpointer unused);

/* A GTestFixtureFunc: stops the server and frees @s's contents. */
void testlib_server_stop (TestlibServer *s, gconstpointer unused);

/* The URL of @path_query on the server. Free with g_free. */
char *testlib_server_url (const TestlibServer *s, const char *path_query);

/* GET @path_query on the server with a plain client (one attempt); its parsed JSON
 * answer, or NULL (after a failed assertion). */
json_t *testlib_server_json (const TestlibServer *s, const char *path_query);

/* GET /_control?@query (see scripts/test-api-server), asserting that it says "ok". */
void testlib_server_control (const TestlibServer *s, const char *query);

/* The server's request log (/_stats "log": one object per request, with "path",
 * "target", "status", "t"...). Free with json_decref. */
json_t *testlib_server_log (const TestlibServer *s);

G_END_DECLS
