/* Unit tests of the store: migrations, idempotent upsert, rollback, foreign files. */
#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "copub/error.h"
#include "sources/openalex.h"
#include "copub/store.h"
#include "testlib.h"

static CopubWork *
make_work (const char *id, int year, const char *country)
{
  g_autofree char *json = g_strdup_printf (
      "{\"id\":\"https://openalex.org/%s\",\"publication_year\":%d,\"type\":\"article\","
      "\"authorships\":[{\"author_position\":\"first\",\"countries\":[\"FR\"],"
      "\"institutions\":[{\"id\":\"https://openalex.org/I90183372\",\"country_code\":\"FR\"}],"
      "\"raw_affiliation_strings\":[\"Univ \\\"Lorraine\\\"\"]},"
      "{\"countries\":[%s%s%s]}]}",
      id, year, country ? "\"" : "", country ? country : "", country ? "\"" : "");
  g_autoptr(GError) error = NULL;
  CopubWork *w = copub_openalex_parse_work (json, strlen (json), &error);
  g_assert_no_error (error);
  return w;
}

static void
test_migrate_and_reopen (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (copub_store_schema_version (store), ==, COPUB_STORE_SCHEMA_VERSION);
  g_clear_pointer (&store, copub_store_free);
  store = copub_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (copub_store_schema_version (store), ==, COPUB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM pragma_journal_mode()"
                                     " WHERE journal_mode = 'wal'"), ==, 1);
}

static void
test_upsert (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");
  g_autoptr(CopubWork) a2 = make_work ("W1", 2020, "DE");
  g_autoptr(CopubWork) b = make_work ("W2", 2021, NULL);
  CopubPutResult r;

  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, a, &r, &error));
  g_assert_cmpint (r, ==, COPUB_PUT_INSERTED);
  g_assert_true (copub_store_put_work (store, b, &r, &error));
  g_assert_true (copub_store_put_work (store, a, &r, &error));
  g_assert_cmpint (r, ==, COPUB_PUT_UNCHANGED);
  g_assert_true (copub_store_put_work (store, a2, &r, &error));
  g_assert_cmpint (r, ==, COPUB_PUT_UPDATED);
  g_assert_true (copub_store_commit (store, &error));
  g_assert_no_error (error);

  g_assert_cmpint (copub_store_count_works (store, NULL, &error), ==, 2);
  /* The institutions cited, once each. */
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM institutions"), ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM institutions WHERE id = 'I90183372'"
                                     " AND ror IS NULL AND name IS NULL AND country = 'FR'"),
                   ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT sum(n_authorships) FROM works"), ==, 4);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works WHERE countries = 'DE,FR'"),
                   ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT n_known FROM works WHERE source_id = 'W2'"), ==, 1);
  /* The raw record is kept whole. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    g_autoptr(GBytes) stored = NULL;
    sqlite3_open (path, &db);
    sqlite3_prepare_v2 (db, "SELECT raw FROM work_records JOIN works USING (work_key)"
                        " WHERE source_id = 'W2'", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    stored = g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    g_assert_true (g_bytes_equal (stored, b->raw));
  }
}

static void
test_rollback_leaves_store (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");

  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, a, NULL, &error));
  copub_store_rollback (store);
  g_assert_cmpint (copub_store_count_works (store, NULL, &error), ==, 0);
}

static void
test_refuses_foreign_sqlite (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autofree char *text = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  CopubStore *store;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = copub_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_DB);
  g_assert_nonnull (error ? strstr (error->message, "not a copub store") : NULL);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text, "hello, this is not a database at all......."
                                            "...............................................",
                                      -1, NULL));
  store = copub_store_open (text, &error);
  g_assert_null (store);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_DB);
}

static gboolean
collect_summary (const CopubWorkSummary *s, gpointer data, GError **error)
{
  g_autofree char *countries = g_strjoinv (",", (char **) s->countries);
  g_autofree char *institutions = g_strjoinv (" ", (char **) s->institutions);
  g_autoptr(GString) auths = g_string_new (NULL);

  (void) error;
  /* The authorships' countries, decoded by the store: "FR;US", '~' before inferred. */
  for (guint i = 0; i < s->n_authorship_countries; i++)
    {
      g_autofree char *codes = g_strjoinv (",", (char **) s->authorships[i].countries);
      g_string_append_printf (auths, "%s%s%s", i ? ";" : "",
                              s->authorships[i].inferred ? "~" : "", codes);
    }
  g_ptr_array_add (data, g_strdup_printf ("%s %d %s %d/%d [%s] {%s}", s->id, s->year,
                                          countries, s->n_known, s->n_authorships,
                                          auths->str, institutions));
  return TRUE;
}

/* "W2 ..." before "W1 ...": the order the assertions use. */
static int
sort_strings_desc (gconstpointer a, gconstpointer b)
{
  return -strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A store at @path holding W1 (2020, FR and US) and W2 (2019, FR and an authorship
 * without a country). */
static CopubStore *
open_with_two_works (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");
  g_autoptr(CopubWork) b = make_work ("W2", 2019, NULL);

  copub_store_begin (store, &error);
  copub_store_put_work (store, a, NULL, &error);
  copub_store_put_work (store, b, NULL, &error);
  copub_store_commit (store, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

static void
test_summaries (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = open_with_two_works (path);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  CopubSummaryQuery q = COPUB_SUMMARY_QUERY_INIT;

  g_assert_true (copub_store_foreach_summary (store, &q, collect_summary, out, &error));
  g_assert_cmpuint (out->len, ==, 2);
  g_ptr_array_sort (out, sort_strings_desc);
  g_assert_cmpstr (g_ptr_array_index (out, 0), ==, "W2 2019 FR 1/2 [FR;] {I90183372}");
  g_assert_cmpstr (g_ptr_array_index (out, 1), ==, "W1 2020 FR,US 2/2 [FR;US] {I90183372}");
  g_ptr_array_set_size (out, 0);
  q.from = 2020;
  g_assert_true (copub_store_foreach_summary (store, &q, collect_summary, out, &error));
  g_assert_cmpuint (out->len, ==, 1);
}

static void
exec_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The summary columns as an older or a foreign writer may leave them (empty parts,
 * trailing separators, a mark before each inferred code), decoded one work after a longer
 * one into the same buffers; without the institutions when they are skipped. */
static void
test_summary_decoding (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = open_with_two_works (path);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  CopubSummaryQuery q = COPUB_SUMMARY_QUERY_INIT;

  exec_sql (path, "UPDATE works SET countries = ',DE,,FR,', auth_countries = ';~DE,,~FR;;US,',"
                  " institutions = ' I1  https://ror.org/04vfs2w97 ' WHERE source_id = 'W1';"
                  "UPDATE works SET countries = 'US', auth_countries = 'US',"
                  " institutions = '' WHERE source_id = 'W2';");
  for (int pass = 0; pass < 2; pass++)
    {
      g_assert_true (copub_store_foreach_summary (store, &q, collect_summary, out, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (out->len, ==, 2);
      g_ptr_array_sort (out, sort_strings_desc);
      g_assert_cmpstr (g_ptr_array_index (out, 0), ==, "W2 2019 US 1/2 [US] {}");
      g_assert_cmpstr (g_ptr_array_index (out, 1), ==,
                       pass == 0 ? "W1 2020 DE,FR 2/2 [;~DE,FR;;US] {I1 https://ror.org/04vfs2w97}"
                                 : "W1 2020 DE,FR 2/2 [;~DE,FR;;US] {}");
      g_ptr_array_set_size (out, 0);
      q.skip_institutions = TRUE;
    }
}

/* Turns a current store back into what copub wrote at schema 2: authorships a row each,
 * with their institutions as JSON; no institutions table. */
static void
downgrade_to_2 (const char *path)
{
  exec_sql (path,
            "DROP TABLE institutions;"
            "CREATE TABLE authorships (work_key INTEGER NOT NULL, position INTEGER NOT NULL,"
            " author_position TEXT, author_id TEXT, author_name TEXT, raw_affiliations TEXT,"
            " countries TEXT NOT NULL DEFAULT '', inferred_countries TEXT NOT NULL DEFAULT '',"
            " institutions TEXT, PRIMARY KEY (work_key, position)) WITHOUT ROWID;"
            "INSERT INTO authorships (work_key, position, institutions) VALUES"
            " (1, 0, '[{\"id\":\"I1\",\"ror\":\"0168r3w48\",\"name\":\"UC San Diego\","
            "\"country\":\"US\",\"type\":\"education\",\"lineage\":[]}]'),"
            " (1, 1, NULL),"
            " (1, 2, '[{\"id\":\"I1\",\"ror\":\"0168r3w48\",\"name\":\"UC San Diego\","
            "\"country\":\"US\",\"type\":\"education\",\"lineage\":[]},"
            "{\"id\":\"struct-7\",\"ror\":null,\"name\":\"LORIA\",\"country\":\"FR\","
            "\"type\":\"laboratory\",\"lineage\":[]}]');"
            "PRAGMA user_version = 2;");
}

/* Turns a current store back into what copub wrote at schema 3: no fetch times, no
 * source counts. */
static void
downgrade_to_3 (const char *path)
{
  exec_sql (path, "ALTER TABLE works DROP COLUMN unit_lineages;"
                  " DROP TABLE source_counts; ALTER TABLE works DROP COLUMN fetched_at;"
                  " PRAGMA user_version = 3;");
}

/* Schema 5 fills each OpenAlex work's "ROR>ID" pairs from its raw record, as the import
 * writes them: the institution's own OpenAlex id and its lineage, for institutions with a
 * ROR id only. */
static void
test_migrate_unit_lineages (void)
{
  static const char json[] =
    "{\"id\":\"https://openalex.org/W9\",\"publication_year\":2021,\"type\":\"article\","
    "\"authorships\":[{\"institutions\":[{\"id\":\"https://openalex.org/I4210\","
    "\"ror\":\"https://ror.org/04xxxxx11\",\"lineage\":[\"https://openalex.org/I4210\","
    "\"https://openalex.org/I90183372\"]},{\"id\":\"https://openalex.org/I5\","
    "\"lineage\":[\"https://openalex.org/I5\"]}]},{\"institutions\":[{\"id\":"
    "\"https://openalex.org/I7\",\"ror\":\"https://ror.org/02yyyyy22\"}]}]}";
  const char *expected = "02yyyyy22>I7 04xxxxx11>I4210 04xxxxx11>I90183372";
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autofree char *query = g_strdup_printf ("SELECT count(*) FROM works WHERE unit_lineages"
                                            " = '%s'", expected);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_autoptr(CopubWork) w = copub_openalex_parse_work (json, strlen (json), &error);

  g_assert_no_error (error);
  copub_store_begin (store, &error);
  copub_store_put_work (store, w, NULL, &error);
  copub_store_commit (store, &error);
  g_assert_no_error (error);
  g_clear_pointer (&store, copub_store_free);
  g_assert_cmpint (testlib_sql_int (path, query), ==, 1);
  exec_sql (path, "ALTER TABLE works DROP COLUMN unit_lineages; PRAGMA user_version = 4;");
  store = copub_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (testlib_sql_int (path, query), ==, 1);
}

/* Stores left at schema 1 or 2 (as older copubs wrote them) keep their works and gain
 * the later tables; schema 3 keeps the institutions the authorship rows named. */
static void
test_migrate_from_old (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");

  copub_store_begin (store, &error);
  copub_store_put_work (store, a, NULL, &error);
  copub_store_commit (store, &error);
  g_clear_pointer (&store, copub_store_free);
  exec_sql (path, "DELETE FROM institutions;"
                  " UPDATE works SET stored_at = '2026-03-01T10:00:00Z';");
  downgrade_to_3 (path);
  downgrade_to_2 (path);
  exec_sql (path, "DROP TABLE harvest_slices; DROP TABLE runs; DROP TABLE hal_structures;"
                  " PRAGMA user_version = 1;");
  store = copub_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (copub_store_schema_version (store), ==, COPUB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (copub_store_count_works (store, NULL, &error), ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM runs"), ==, 0);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM sqlite_schema"
                                     " WHERE name = 'authorships'"), ==, 0);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM institutions"), ==, 2);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM institutions WHERE id = 'I1'"
                                     " AND ror = '0168r3w48' AND name = 'UC San Diego'"
                                     " AND country = 'US' AND type = 'education'"), ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM institutions"
                                     " WHERE id = 'struct-7' AND name = 'LORIA'"), ==, 1);
  /* Schema 4: a work was fetched when it was last written, as far as the store knew. */
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works"
                                     " WHERE fetched_at = '2026-03-01T10:00:00Z'"), ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM source_counts"), ==, 0);
  g_clear_pointer (&store, copub_store_free);

  /* A store from a newer copub is refused, not damaged. */
  exec_sql (path, "PRAGMA user_version = 99;");
  store = copub_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_DB);
}

static void
test_slices_and_runs (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  CopubSliceState st = { g_strdup ("abc=="), FALSE, 3, 600, 1000, NULL };
  CopubSliceState got;
  CopubRun run = { 0 };
  g_autoptr(GPtrArray) runs = NULL;
  gboolean found;

  g_assert_true (copub_store_get_slice (store, "h", "2020", &got, &found, &error));
  g_assert_false (found);
  copub_store_begin (store, &error);
  g_assert_true (copub_store_put_slice (store, "h", "2020", &st, &error));
  copub_store_commit (store, &error);
  g_assert_true (copub_store_get_slice (store, "h", "2020", &got, &found, &error));
  g_assert_true (found);
  g_assert_cmpstr (got.cursor, ==, "abc==");
  g_assert_cmpint (got.works, ==, 600);
  g_assert_cmpint (got.expected, ==, 1000);
  copub_slice_state_clear (&got);
  copub_slice_state_clear (&st);

  run.run_id = copub_store_begin_run (store, &error);
  g_assert_cmpint (run.run_id, >, 0);
  run.status = (char *) "ok";
  run.headline_share = 0.47;
  run.headline_works = 100;
  run.headline_low = NAN;
  g_assert_true (copub_store_finish_run (store, &run, &error));
  g_assert_cmpint (copub_store_begin_run (store, &error), >, run.run_id); /* still running */
  runs = copub_store_list_runs (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpfloat (((CopubRun *) runs->pdata[0])->headline_share, ==, 0.47);
  g_assert_true (isnan (((CopubRun *) runs->pdata[0])->headline_low));
}

/* The files of @path's directory, sorted, space-separated. */
static char *
dir_listing (const char *path)
{
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autoptr(GDir) dir = g_dir_open (dirname, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, sort_strings_desc);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* A first import builds the store aside and puts it in place only when published. */
static void
test_load_then_publish (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open_for_load (path, NULL, &error);
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");
  g_autofree char *during = NULL, *after = NULL;

  g_assert_no_error (error);
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, a, NULL, &error));
  g_assert_true (copub_store_commit (store, &error));
  during = dir_listing (path);
  g_assert_true (g_str_has_prefix (during, "store.db.loading-"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (copub_store_publish (store, &error));
  g_assert_no_error (error);
  after = dir_listing (path);
  g_assert_true (g_str_has_suffix (after, "store.db")); /* beside its -wal and -shm */
  g_assert_null (strstr (after, "loading"));
  /* Published: a store like any other, still open. */
  g_assert_cmpint (copub_store_count_works (store, NULL, &error), ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM pragma_journal_mode()"
                                     " WHERE journal_mode = 'wal'"), ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM institutions"), ==, 1);
  g_clear_pointer (&store, copub_store_free);

  /* Once the store exists, loading into it is opening it. */
  store = copub_store_open_for_load (path, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = dir_listing (path);
  g_assert_true (g_str_has_prefix (after, "store.db"));
  g_assert_null (strstr (after, "loading"));
  g_assert_true (copub_store_publish (store, &error));
}

/* Unpublished, a load leaves nothing; a store made meanwhile is never replaced. */
static void
test_load_abandoned_or_raced (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open_for_load (path, NULL, &error);
  g_autoptr(CopubStore) other = NULL;
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");
  g_autofree char *listing = NULL;

  g_assert_no_error (error);
  copub_store_begin (store, &error);
  copub_store_put_work (store, a, NULL, &error);
  g_clear_pointer (&store, copub_store_free);
  listing = dir_listing (path);
  g_assert_cmpstr (listing, ==, "");

  store = copub_store_open_for_load (path, NULL, &error);
  copub_store_begin (store, &error);
  copub_store_put_work (store, a, NULL, &error);
  copub_store_commit (store, &error);
  g_assert_no_error (error);
  other = copub_store_open (path, &error); /* another process makes the store */
  g_assert_no_error (error);
  g_assert_false (copub_store_publish (store, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_DB);
  g_clear_pointer (&store, copub_store_free);
  g_assert_cmpint (copub_store_count_works (other, NULL, NULL), ==, 0);
  g_clear_pointer (&listing, g_free);
  listing = dir_listing (path);
  g_assert_null (strstr (listing, "loading"));
}

/* Metadata moves with its transaction; works removed by id take their raw records. */
static gboolean
is_w2 (const char *source_id, gpointer user_data)
{
  (void) user_data;
  return strcmp (source_id, "W2") == 0;
}

static void
test_meta_and_removal (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");
  g_autoptr(CopubWork) b = make_work ("W2", 2021, NULL);
  g_autofree char *value = NULL;
  CopubPutResult r;
  guint64 removed = 99;

  g_assert_no_error (error);
  g_assert_true (copub_store_get_meta (store, "k", &value, &error));
  g_assert_null (value);
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_set_meta (store, "k", "2026-03-01", &error));
  copub_store_rollback (store);
  g_assert_true (copub_store_get_meta (store, "k", &value, &error));
  g_assert_null (value);
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_set_meta (store, "k", "2026-03-01", &error));
  g_assert_true (copub_store_put_work (store, a, &r, &error));
  g_assert_true (copub_store_put_work (store, b, &r, &error));
  g_assert_true (copub_store_remove_works (store, "hal", is_w2, NULL, &removed, &error));
  g_assert_cmpuint (removed, ==, 0);
  g_assert_true (copub_store_remove_works (store, "openalex", is_w2, NULL, &removed, &error));
  g_assert_cmpuint (removed, ==, 1);
  g_assert_true (copub_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_true (copub_store_get_meta (store, "k", &value, &error));
  g_assert_cmpstr (value, ==, "2026-03-01");
  g_assert_cmpint (copub_store_count_works (store, NULL, &error), ==, 1);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works WHERE source_id = 'W2'"), ==, 0);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM work_records"), ==, 1);
}

/* A work received again unchanged is touched (fetched_at), not rewritten (stored_at); the
 * stale count follows the corpus's selection; the source counts are replaced whole and
 * read with what the store holds under the harvest's types. */
static void
test_fetched_and_counts (void)
{
  g_autofree char *path = testlib_temp_db ("copub-store");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubStore) store = copub_store_open (path, &error);
  g_autoptr(CopubWork) a = make_work ("W1", 2020, "US");
  g_autoptr(CopubWork) b = make_work ("W2", 2020, NULL);
  g_autoptr(CopubWork) c = make_work ("W3", 2021, NULL);
  g_autoptr(GPtrArray) counts = NULL;
  const char *const article[] = { "article", NULL };
  const char *const review[] = { "review", NULL };
  const gint64 first[] = { 2, 5 }, second[] = { 3 };
  CopubPutResult r;
  gint64 n = -1;

  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, a, NULL, &error));
  g_assert_true (copub_store_put_work (store, b, NULL, &error));
  g_assert_true (copub_store_put_work (store, c, NULL, &error));
  g_assert_true (copub_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works"
                                     " WHERE fetched_at = stored_at"), ==, 3);
  exec_sql (path, "UPDATE works SET fetched_at = '2026-09-27T23:59:59Z',"
                  " stored_at = '2026-09-27T23:59:59Z';"
                  " UPDATE works SET fetched_at = '2026-09-28T00:00:00Z' WHERE source_id = 'W3';");
  /* Before the day: W1 and W2 (W3 was fetched on the day itself). */
  g_assert_true (copub_store_count_fetched_before (store, "openalex", "2026-09-28", 0, 0, NULL,
                                                   &n, &error));
  g_assert_cmpint (n, ==, 2);
  g_assert_true (copub_store_count_fetched_before (store, "openalex", "2026-09-28", 2021, 0,
                                                   NULL, &n, &error));
  g_assert_cmpint (n, ==, 0);
  g_assert_true (copub_store_count_fetched_before (store, "openalex", "2026-09-28", 0, 0, review,
                                                   &n, &error));
  g_assert_cmpint (n, ==, 0);
  g_assert_true (copub_store_count_fetched_before (store, "hal", "2026-09-28", 0, 0, NULL, &n,
                                                   &error));
  g_assert_cmpint (n, ==, 0);
  exec_sql (path, "UPDATE works SET is_retracted = 1 WHERE source_id = 'W2'");
  g_assert_true (copub_store_count_fetched_before (store, "openalex", "2026-09-29", 0, 0,
                                                   article, &n, &error));
  g_assert_cmpint (n, ==, 2);
  /* Received again unchanged: fresh, but not rewritten. */
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, a, &r, &error));
  g_assert_cmpint (r, ==, COPUB_PUT_UNCHANGED);
  g_assert_true (copub_store_touch_work (store, a, &error));
  g_assert_true (copub_store_commit (store, &error));
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works WHERE source_id = 'W1'"
                                     " AND stored_at = '2026-09-27T23:59:59Z'"
                                     " AND fetched_at > '2026-09-28'"), ==, 1);
  g_assert_true (copub_store_count_fetched_before (store, "openalex", "2026-09-28", 0, 0, NULL,
                                                   &n, &error));
  g_assert_cmpint (n, ==, 0); /* W1 is fresh, W2 retracted */

  /* Counts: replaced whole; held under the harvest's types. */
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_source_counts (store, "openalex", article, 2020, 2021, first,
                                                &error));
  g_assert_true (copub_store_commit (store, &error));
  counts = copub_store_source_counts (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts->len, ==, 2);
  {
    const CopubSourceCount *y0 = counts->pdata[0], *y1 = counts->pdata[1];
    g_assert_cmpstr (y0->source, ==, "openalex");
    g_assert_cmpint (y0->year, ==, 2020);
    g_assert_cmpint (y0->counted, ==, 2);
    g_assert_cmpint (y0->held, ==, 2); /* retracted works count: the source counts them */
    g_assert_cmpstr (y0->types, ==, "article");
    g_assert_nonnull (y0->counted_at);
    g_assert_cmpint (y1->year, ==, 2021);
    g_assert_cmpint (y1->counted, ==, 5);
    g_assert_cmpint (y1->held, ==, 1);
  }
  g_clear_pointer (&counts, g_ptr_array_unref);
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_source_counts (store, "openalex", review, 2020, 2020, second,
                                                &error));
  g_assert_true (copub_store_commit (store, &error));
  counts = copub_store_source_counts (store, "openalex", &error);
  g_assert_cmpuint (counts->len, ==, 1);
  g_assert_cmpint (((CopubSourceCount *) counts->pdata[0])->counted, ==, 3);
  g_assert_cmpint (((CopubSourceCount *) counts->pdata[0])->held, ==, 0); /* no review */
  g_clear_pointer (&counts, g_ptr_array_unref);
  counts = copub_store_source_counts (store, "hal", &error);
  g_assert_cmpuint (counts->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/store/migrate-and-reopen", test_migrate_and_reopen);
  g_test_add_func ("/store/upsert", test_upsert);
  g_test_add_func ("/store/rollback-leaves-store", test_rollback_leaves_store);
  g_test_add_func ("/store/refuses-foreign-sqlite", test_refuses_foreign_sqlite);
  g_test_add_func ("/store/summaries", test_summaries);
  g_test_add_func ("/store/summary-decoding", test_summary_decoding);
  g_test_add_func ("/store/migrate-from-old", test_migrate_from_old);
  g_test_add_func ("/store/migrate-unit-lineages", test_migrate_unit_lineages);
  g_test_add_func ("/store/slices-and-runs", test_slices_and_runs);
  g_test_add_func ("/store/load-then-publish", test_load_then_publish);
  g_test_add_func ("/store/load-abandoned-or-raced", test_load_abandoned_or_raced);
  g_test_add_func ("/store/meta-and-removal", test_meta_and_removal);
  g_test_add_func ("/store/fetched-and-counts", test_fetched_and_counts);
  return g_test_run ();
}
