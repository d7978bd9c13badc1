/* Unit tests of the OpenAlex harvest (src/sources/fetch.c) through its library API, against the
 * local test API server serving fixtures/api/openalex-works.jsonl, into real SQLite stores:
 * the statistics a harvest reports and what it stores (counted here from the fixture, not
 * by copub's code), the refresh window, resuming after an injected fault, ROR ids, the
 * error kinds, and the API key kept out of the store and of error messages.
 * tests/cli/fetch-openalex.sh covers the command line (faults, kill -9, --since). */
#include <string.h>

#include <jansson.h>

#include "copub/error.h"
#include "copub/fetch.h"
#include "testlib.h"

#define INST "I90183372"
#define CORPUS "fixtures/api/openalex-works.jsonl"
#define FROM 2012
#define LAST_YEAR 2024 /* the fixture's last publication year */
#define KEY "SECRET-xyz-123+/"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* ---- what the fixture holds, read here ------------------------------------------------------ */

static gboolean
in_lineage (json_t *work, const char *inst)
{
  gsize i, j, k;
  json_t *a, *institution, *x;

  json_array_foreach (json_object_get (work, "authorships"), i, a)
    json_array_foreach (json_object_get (a, "institutions"), j, institution)
      json_array_foreach (json_object_get (institution, "lineage"), k, x)
        {
          const char *id = json_string_value (x);
          const char *slash = id != NULL ? strrchr (id, '/') : NULL;
          if (g_strcmp0 (slash != NULL ? slash + 1 : id, inst) == 0)
            return TRUE;
        }
  return FALSE;
}

/* The number of works of the fixture one of whose institutions has @inst in its lineage,
 * published from @from to @to, of the types in @types (NULL: any). */
static gint64
fixture_count (const char *inst, int from, int to, const char *const *types)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 n = 0;

  g_assert_true (g_file_get_contents (CORPUS, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(json_t) w = json_loads (lines[i], 0, NULL);
      json_int_t year;

      if (w == NULL)
        continue;
      year = json_integer_value (json_object_get (w, "publication_year"));
      if (year < from || year > to || !in_lineage (w, inst))
        continue;
      if (types != NULL
          && !g_strv_contains (types, json_string_value (json_object_get (w, "type"))))
        continue;
      n++;
    }
  return n;
}

static int
this_year (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_get_year (now);
}

/* TRUE when the @len bytes at @data hold @needle. */
static gboolean
bytes_contain (const char *data, gsize len, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* TRUE when @needle is in one of the files of the store at @path (the database and its
 * -wal and -shm companions), read as bytes. */
static gboolean
store_files_contain (const char *path, const char *needle)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_file_get_contents (file, &data, &len, NULL)
          && bytes_contain (data, len, needle))
        return TRUE;
    }
  return FALSE;
}

/* ---- the harvest ---------------------------------------------------------------------------- */

/* Options for a fast harvest of the whole fixture: every type, several pages a slice
 * (7 works a page, 7 or 8 works a year), no politeness delay toward our own server. */
static void
quick_options (CopubFetchOptions *o, const TestlibServer *s)
{
  static const char *const all[] = { "all", NULL };
  const CopubFetchOptions init = COPUB_FETCH_OPTIONS_INIT;

  *o = init;
  o->base_url = s->base;
  o->institution = INST;
  o->from = FROM;
  o->to = this_year ();
  o->types = all;
  o->per_page = 7;
  o->rate = 500;
  o->retry_base_ms = 20;
  o->jobs = 2;
}

static gsize
server_requests (const TestlibServer *s)
{
  g_autoptr(json_t) log = testlib_server_log (s);
  return json_array_size (log);
}

/* The requests of the server's log whose path starts with @prefix. */
static gsize
requests_to (const TestlibServer *s, const char *prefix)
{
  g_autoptr(json_t) log = testlib_server_log (s);
  gsize i, n = 0;
  json_t *e;

  json_array_foreach (log, i, e)
    n += g_str_has_prefix (json_string_value (json_object_get (e, "path")), prefix);
  return n;
}

static void
test_select (void)
{
  g_autofree char *select = copub_fetch_openalex_select ();
  g_auto(GStrv) fields = g_strsplit (select, ",", -1);

  for (const char *need[] = { "id", "publication_year", "type", "authorships",
                              "is_authors_truncated", NULL }, **f = need; *f; f++)
    g_assert_true (g_strv_contains ((const char *const *) fields, *f));
  g_assert_false (g_strv_contains ((const char *const *) fields, "copub_synthetic"));
  for (gsize i = 0; fields[i] != NULL; i++)
    {
      g_assert_cmpstr (fields[i], !=, "");
      g_assert_null (strpbrk (fields[i], " &=?"));
    }
}

/* A whole harvest: what it reports and what it stores. */
static void
test_harvest (TestlibServer *s, gconstpointer data)
{
  g_autofree char *path = testlib_temp_db ("copub-fetch");
  int to = this_year ();
  gint64 want = fixture_count (INST, FROM, to, NULL);
  guint slices = (guint) (to - FROM + 1);
  CopubFetchOptions o;
  CopubFetchStats stats;
  g_autoptr(GError) error = NULL;

  (void) data;
  g_assert_cmpint (want, >=, 60); /* test sanity: the fixture has works of the lineage */
  quick_options (&o, s);
  g_assert_true (copub_fetch_openalex (path, &o, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stats.institution_id, ==, INST);
  g_assert_cmpuint (stats.slices, ==, slices);
  g_assert_cmpuint (stats.slices_fetched, ==, slices);
  g_assert_cmpuint (stats.slices_skipped, ==, 0);
  g_assert_cmpuint (stats.works, ==, (guint64) want);
  g_assert_cmpuint (stats.inserted, ==, (guint64) want);
  g_assert_cmpuint (stats.updated, ==, 0);
  g_assert_cmpuint (stats.unchanged, ==, 0);
  /* One work of 120 authors comes cut at 100 in the list and is fetched alone. */
  g_assert_cmpuint (stats.refetched, ==, 1);
  g_assert_cmpuint (requests_to (s, "/works/"), ==, 1);
  /* Every request counted, one a page (no retry was needed), plus the re-fetch. */
  g_assert_cmpuint (stats.requests, ==, server_requests (s));
  g_assert_cmpuint (stats.pages + 1, ==, stats.requests);
  g_assert_cmpuint (stats.pages, >, slices); /* some slices took several pages */
  g_assert_cmpint (stats.budget_remaining, >=, 0);
  g_assert_cmpfloat (stats.seconds, >, 0);
  copub_fetch_stats_clear (&stats);
  g_assert_null (stats.institution_id);
  /* The store, read with SQLite: each work once, each slice done with its works. */
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(DISTINCT source_id) FROM works"
                                    " WHERE source = 'openalex'"), ==, want);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works"), ==, want);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM harvest_slices WHERE done = 1"
                                    " AND cursor IS NULL AND harvest = 'openalex works"
                                    " lineage:" INST "'"), ==, slices);
  g_assert_cmpint (testlib_sql_int (path, "SELECT sum(works) FROM harvest_slices"), ==, want);
  g_assert_cmpint (testlib_sql_int (path, "SELECT n_authorships FROM works"
                                    " WHERE is_authors_truncated = 0"
                                    " ORDER BY n_authorships DESC LIMIT 1"), ==, 120);
}

/* A second run asks again only the slices of the refresh window; 0 years asks nothing. */
static void
test_refresh (TestlibServer *s, gconstpointer data)
{
  g_autofree char *path = testlib_temp_db ("copub-fetch");
  int to = this_year ();
  guint slices = (guint) (to - FROM + 1);
  CopubFetchOptions o;
  CopubFetchStats stats;
  g_autoptr(GError) error = NULL;
  gsize before;

  (void) data;
  quick_options (&o, s);
  g_assert_true (copub_fetch_openalex (path, &o, &stats, &error));
  g_assert_no_error (error);
  copub_fetch_stats_clear (&stats);
  for (guint years = 0; years <= 3; years++)
    {
      gint64 recent = years ? fixture_count (INST, to - (int) years + 1, to, NULL) : 0;

      g_test_message ("refresh_years %u: %" G_GINT64_FORMAT " works", years, recent);
      o.refresh_years = years;
      before = server_requests (s);
      g_assert_true (copub_fetch_openalex (path, &o, &stats, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (stats.slices, ==, slices);
      g_assert_cmpuint (stats.slices_fetched, ==, years);
      g_assert_cmpuint (stats.slices_skipped, ==, slices - years);
      g_assert_cmpuint (stats.inserted, ==, 0);
      g_assert_cmpuint (stats.updated, ==, 0);
      g_assert_cmpuint (stats.unchanged, ==, (guint64) recent);
      g_assert_cmpuint (stats.works, ==, (guint64) recent);
      g_assert_cmpuint (server_requests (s) - before, ==, stats.requests);
      if (years == 0)
        g_assert_cmpuint (stats.requests, ==, 0);
      copub_fetch_stats_clear (&stats);
    }
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works"), ==,
                   fixture_count (INST, FROM, to, NULL));
}

/* The default types ask type:article|review|book-chapter and store those only. */
static void
test_default_types (TestlibServer *s, gconstpointer data)
{
  static const char *const types[] = { "article", "review", "book-chapter", NULL };
  g_autofree char *path = testlib_temp_db ("copub-fetch");
  gint64 want = fixture_count (INST, FROM, this_year (), types);
  CopubFetchOptions o;
  CopubFetchStats stats;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) log = NULL;
  gsize i;
  json_t *e;

  (void) data;
  quick_options (&o, s);
  o.types = NULL;
  g_assert_cmpint (want, <, fixture_count (INST, FROM, this_year (), NULL)); /* sanity */
  g_assert_true (copub_fetch_openalex (path, &o, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.inserted, ==, (guint64) want);
  copub_fetch_stats_clear (&stats);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works"
                                    " WHERE type NOT IN ('article', 'review', 'book-chapter')"),
                   ==, 0);
  log = testlib_server_log (s);
  json_array_foreach (log, i, e)
    if (g_strcmp0 (json_string_value (json_object_get (e, "path")), "/works") == 0)
      g_assert_nonnull (strstr (json_string_value (json_object_get (e, "target")),
                                ",type:article|review|book-chapter&"));
}

/* A fetch that fails midway keeps the pages it committed, with the cursor of the slice it
 * was in; run again, it resumes from there and ends with the whole corpus, each work once. */
static void
test_resume_after_fault (TestlibServer *s, gconstpointer data)
{
  g_autofree char *path = testlib_temp_db ("copub-fetch");
  gint64 want = fixture_count (INST, FROM, LAST_YEAR, NULL);
  guint slices = (guint) (LAST_YEAR - FROM + 1);
  CopubFetchOptions o;
  CopubFetchStats first, second;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) log = NULL;
  g_autofree char *partial = NULL, *cursor = NULL, *sent = NULL;
  gint64 kept, done;
  gsize i;
  json_t *e;

  (void) data;
  quick_options (&o, s);
  o.to = LAST_YEAR;    /* the same pages whatever the year of the run */
  o.jobs = 1;          /* newest year first, one page at a time */
  o.max_attempts = 2;
  o.refresh_years = 0; /* the second run asks only what the first did not finish */
  /* Three pages pass (a year of 7 or 8 works takes two: the second one empty or short),
   * then every /works request fails: the first page of the second year is committed
   * with its cursor, its second page never comes. */
  testlib_server_control (s, "fault=500&count=all&skip=3&path=/works");
  g_assert_false (copub_fetch_openalex (path, &o, &first, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  g_test_message ("%s", error != NULL ? error->message : "");
  g_clear_error (&error);
  kept = testlib_sql_int (path, "SELECT count(*) FROM works");
  done = testlib_sql_int (path, "SELECT count(*) FROM harvest_slices WHERE done = 1");
  partial = testlib_sql_text (path, "SELECT slice FROM harvest_slices"
                              " WHERE done = 0 AND cursor IS NOT NULL");
  cursor = testlib_sql_text (path, "SELECT cursor FROM harvest_slices"
                             " WHERE done = 0 AND cursor IS NOT NULL");
  g_test_message ("kept %" G_GINT64_FORMAT " works, %" G_GINT64_FORMAT " slices done, "
                  "partial slice %s", kept, done, partial);
  g_assert_cmpint (kept, >, 0);
  g_assert_cmpint (kept, <, want);
  g_assert_cmpuint (first.inserted, ==, (guint64) kept);
  g_assert_cmpint (testlib_sql_int (path, "SELECT sum(works) FROM harvest_slices"), ==, kept);
  g_assert_cmpint (done, >=, 1);
  g_assert_nonnull (partial);
  g_assert_nonnull (cursor);
  copub_fetch_stats_clear (&first);

  testlib_server_control (s, "clear=1&reset_stats=1");
  g_assert_true (copub_fetch_openalex (path, &o, &second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (second.slices_skipped, ==, (guint) done);
  g_assert_cmpuint (second.slices_fetched, ==, slices - (guint) done);
  g_assert_cmpuint (second.inserted, ==, (guint64) (want - kept));
  g_assert_cmpuint (second.updated + second.unchanged, ==, 0);
  copub_fetch_stats_clear (&second);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works"), ==, want);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(DISTINCT source_id) FROM works"), ==, want);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM harvest_slices WHERE done = 1"), ==,
                   slices);
  /* The partial slice was asked again from its saved cursor, not from the start. */
  log = testlib_server_log (s);
  json_array_foreach (log, i, e)
    {
      const char *target = json_string_value (json_object_get (e, "target"));
      g_autofree char *year = g_strdup_printf ("publication_year:%s", partial);
      g_autoptr(GHashTable) params = NULL;
      const char *query = strchr (target, '?');

      if (g_strcmp0 (json_string_value (json_object_get (e, "path")), "/works") != 0
          || query == NULL)
        continue;
      params = g_uri_parse_params (query + 1, -1, "&", G_URI_PARAMS_NONE, NULL);
      if (params == NULL || g_hash_table_lookup (params, "filter") == NULL
          || strstr (g_hash_table_lookup (params, "filter"), year) == NULL)
        continue;
      sent = g_strdup (g_hash_table_lookup (params, "cursor"));
      break;
    }
  g_assert_cmpstr (sent, ==, cursor);
}

/* ---- options and errors --------------------------------------------------------------------- */

static void
test_bad_options (TestlibServer *s, gconstpointer data)
{
  static const struct { const char *institution; int from, to; guint per_page;
                        const char *since; const char *message; } cases[] = {
    { NULL, 2020, 2021, 0, NULL, "no institution given" },
    { "", 2020, 2021, 0, NULL, "no institution given" },
    { "foo", 2020, 2021, 0, NULL,
      "--institution 'foo': expected an OpenAlex institution id (I90183372) or a ROR id "
      "(04vfs2w97)" },
    { "I12x", 2020, 2021, 0, NULL, "--institution 'I12x': expected" },
    { "04vfs2w9", 2020, 2021, 0, NULL, "--institution '04vfs2w9': expected" },
    { INST, 2021, 2020, 0, NULL, "bad year range 2021-2020" },
    { INST, 999, 2020, 0, NULL, "bad year range 999-2020" },
    { INST, 2020, 2021, 201, NULL, "at most 200 works a page" },
    { INST, 2020, 2021, 0, "2024-13-01", "--since '2024-13-01': expected a date YYYY-MM-DD" },
    { INST, 2020, 2021, 0, "2024-02-30", "--since '2024-02-30': expected" },
    { INST, 2020, 2021, 0, "2024-1-01", "--since '2024-1-01': expected" },
  };
  g_autofree char *path = testlib_temp_db ("copub-fetch");

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CopubFetchOptions o;
      CopubFetchStats stats;
      g_autoptr(GError) error = NULL;

      quick_options (&o, s);
      o.institution = cases[i].institution;
      o.from = cases[i].from;
      o.to = cases[i].to;
      o.per_page = cases[i].per_page;
      o.since = cases[i].since;
      g_assert_false (copub_fetch_openalex (path, &o, &stats, &error));
      g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
      g_assert_true (error != NULL && g_str_has_prefix (error->message, cases[i].message));
      g_assert_null (stats.institution_id);
      copub_fetch_stats_clear (&stats);
    }
  g_assert_cmpuint (server_requests (s), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* Every spelling of the institution harvests the same works; a ROR id is resolved once. */
static void
test_institution_forms (TestlibServer *s, gconstpointer data)
{
  static const char *const forms[] = { "https://openalex.org/" INST, "i90183372",
                                       "04vfs2w97", "ror:04vfs2w97", "https://ror.org/04vfs2w97" };
  gint64 want = fixture_count (INST, FROM, this_year (), NULL);

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *path = testlib_temp_db ("copub-fetch");
      CopubFetchOptions o;
      CopubFetchStats stats;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", forms[i]);
      testlib_server_control (s, "reset_stats=1");
      quick_options (&o, s);
      o.institution = forms[i];
      g_assert_true (copub_fetch_openalex (path, &o, &stats, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (stats.institution_id, ==, INST);
      g_assert_cmpuint (stats.inserted, ==, (guint64) want);
      g_assert_cmpuint (requests_to (s, "/institutions/ror:04vfs2w97"), ==,
                        strstr (forms[i], "04vfs2w97") != NULL ? 1 : 0);
      copub_fetch_stats_clear (&stats);
    }
}

static void
test_unknown_ror (TestlibServer *s, gconstpointer data)
{
  g_autofree char *path = testlib_temp_db ("copub-fetch");
  CopubFetchOptions o;
  CopubFetchStats stats;
  g_autoptr(GError) error = NULL;

  (void) data;
  quick_options (&o, s);
  o.institution = "0abcdefgh";
  g_assert_false (copub_fetch_openalex (path, &o, &stats, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  g_assert_true (error != NULL && strstr (error->message, "/institutions/ror:0abcdefgh"));
  g_assert_cmpuint (requests_to (s, "/works"), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  copub_fetch_stats_clear (&stats);
}

/* A spent daily budget: COPUB_ERROR_RATE_LIMITED, what was fetched before stays. */
static void
test_budget_spent (TestlibServer *s, gconstpointer data)
{
  g_autofree char *path = testlib_temp_db ("copub-fetch");
  CopubFetchOptions o;
  CopubFetchStats stats;
  g_autoptr(GError) error = NULL;

  (void) data;
  testlib_server_control (s, "daily_budget=6");
  quick_options (&o, s);
  o.to = LAST_YEAR; /* six pages of works, whatever the year of the run */
  o.jobs = 1;
  g_assert_false (copub_fetch_openalex (path, &o, &stats, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_RATE_LIMITED);
  g_assert_true (error != NULL && strstr (error->message, "daily budget is spent"));
  g_assert_cmpint (stats.budget_remaining, ==, 0);
  g_assert_cmpint (testlib_sql_int (path, "SELECT count(*) FROM works"), ==, (gint64) stats.inserted);
  g_assert_cmpuint (stats.inserted, >, 0);
  copub_fetch_stats_clear (&stats);
}

/* The key reaches the server, but neither the store nor any error message: not through a
 * failed ROR lookup, not through failed pages. */
static void
test_key_kept_secret (TestlibServer *s, gconstpointer data)
{
  g_autofree char *path = testlib_temp_db ("copub-fetch");
  g_autofree char *failed = testlib_temp_db ("copub-fetch");
  CopubFetchOptions o;
  CopubFetchStats stats;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) log = NULL;
  g_autofree char *dumped = NULL;

  (void) data;
  quick_options (&o, s);
  o.api_key = KEY;
  o.institution = "04vfs2w97";
  testlib_server_control (s, "fault=503&count=1&path=/institutions");
  testlib_server_control (s, "fault=500&count=2&path=/works");
  g_assert_true (copub_fetch_openalex (path, &o, &stats, &error));
  g_assert_no_error (error);
  copub_fetch_stats_clear (&stats);
  log = testlib_server_log (s);
  dumped = json_dumps (log, 0);
  g_assert_nonnull (strstr (dumped, "SECRET-xyz-123")); /* sanity: the server got it */
  g_assert_false (store_files_contain (path, "SECRET-xyz-123"));
  g_assert_false (store_files_contain (path, "xyz-123"));

  /* Failures: the ROR lookup, then the pages, each message naming its URL. */
  testlib_server_control (s, "clear=1&reset_stats=1");
  testlib_server_control (s, "fault=503&count=all&path=/institutions");
  o.max_attempts = 2;
  g_assert_false (copub_fetch_openalex (failed, &o, &stats, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  g_test_message ("%s", error != NULL ? error->message : "");
  g_assert_true (error != NULL && strstr (error->message, "/institutions/ror:04vfs2w97"));
  g_assert_true (error != NULL && strstr (error->message, "xyz-123") == NULL);
  g_clear_error (&error);
  copub_fetch_stats_clear (&stats);

  testlib_server_control (s, "clear=1&reset_stats=1");
  testlib_server_control (s, "fault=502&count=all&skip=3&path=/works");
  o.institution = INST;
  o.to = LAST_YEAR; /* the pages that pass hold works, whatever the year of the run */
  o.jobs = 1;
  g_assert_false (copub_fetch_openalex (failed, &o, &stats, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  g_test_message ("%s", error != NULL ? error->message : "");
  g_assert_true (error != NULL && strstr (error->message, "/works?filter=") != NULL);
  g_assert_true (error != NULL && strstr (error->message, "api_key=***") != NULL);
  g_assert_true (error != NULL && strstr (error->message, "xyz-123") == NULL);
  g_assert_cmpint (testlib_sql_int (failed, "SELECT count(*) FROM works"), >, 0);
  g_assert_false (store_files_contain (failed, "xyz-123"));
  copub_fetch_stats_clear (&stats);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/fetch/select", test_select);
#define ADD(path, fn) g_test_add ("/fetch/" path, TestlibServer, NULL, testlib_server_start, fn, \
                                  testlib_server_stop)
  ADD ("harvest", test_harvest);
  ADD ("refresh", test_refresh);
  ADD ("default-types", test_default_types);
  ADD ("resume-after-fault", test_resume_after_fault);
  ADD ("bad-options", test_bad_options);
  ADD ("institution-forms", test_institution_forms);
  ADD ("unknown-ror", test_unknown_ror);
  ADD ("budget-spent", test_budget_spent);
  ADD ("key-kept-secret", test_key_kept_secret);
#undef ADD
  return g_test_run ();
}
