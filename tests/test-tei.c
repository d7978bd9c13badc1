/* Tests of the HAL TEI and OAI-PMH parser (src/sources/tei.c) on the fixtures of fixtures/hal/. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "copub/error.h"
#include "sources/hal.h"
#include "sources/tei.h"
#include "testlib.h"

#define FIXTURES "fixtures/hal/"

/* ASan keeps freed memory in quarantine: resident-size checks mean nothing there. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_CHECKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_CHECKS 0
#endif
#endif
#ifndef RSS_CHECKS
#define RSS_CHECKS 1
#endif

static gboolean
collect (CopubWork *work, gpointer user_data, GError **error)
{
  (void) error;
  g_ptr_array_add (user_data, work);
  return TRUE;
}

static GPtrArray *
works_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);
}

/* Parses fixture @name under @rules; NULL with @error on failure. */
static GPtrArray *
parse_fixture_rules (const char *name, CopubTeiResult *out, const CopubHalRules *rules,
                     GError **error)
{
  g_autofree char *path = g_strconcat (FIXTURES, name, NULL);
  g_autoptr(GPtrArray) works = works_new ();

  if (!copub_tei_parse_file (out, path, name, rules, collect, works, error))
    {
      g_assert_cmpuint (works->len, ==, 0);
      return NULL;
    }
  return g_steal_pointer (&works);
}

/* The same under the default rules. */
static GPtrArray *
parse_fixture (const char *name, CopubTeiResult *out, GError **error)
{
  return parse_fixture_rules (name, out, NULL, error);
}

static const CopubHalRules by_publication = { COPUB_HAL_YEAR_PUBLICATION, FALSE };

static CopubWork *
find_work (GPtrArray *works, const char *id)
{
  for (guint i = 0; i < works->len; i++)
    if (g_strcmp0 (((CopubWork *) works->pdata[i])->id, id) == 0)
      return works->pdata[i];
  return NULL;
}

static CopubAuthorship *
authorship (CopubWork *work, guint i)
{
  g_assert_cmpuint (i, <, work->authorships->len);
  return work->authorships->pdata[i];
}

static CopubInstitution *
institution (CopubAuthorship *auth, guint i)
{
  g_assert_cmpuint (i, <, auth->institutions->len);
  return auth->institutions->pdata[i];
}

static void
assert_countries (CopubWork *work, const char *expected)
{
  g_autofree char *countries = copub_work_countries (work);

  g_assert_cmpstr (countries, ==, expected);
}

static long
max_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/* ---- Single document ---------------------------------------------------------------- */

static void
test_single_work (void)
{
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("tei/foreign-coauthor.xml", &result, &error);
  CopubWork *work;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpint (result.kind, ==, COPUB_TEI_KIND_TEI);
  g_assert_cmpuint (result.n_works, ==, 1);
  g_assert_cmpint (result.total_results, ==, -1);
  g_assert_null (result.resumption_token);
  g_assert_cmpuint (works->len, ==, 1);
  work = works->pdata[0];
  g_assert_cmpint (work->source, ==, COPUB_SOURCE_HAL);
  g_assert_cmpstr (work->id, ==, "hal-09000001");
  g_assert_cmpstr (work->doi, ==, "10.1234/copub.test.1");
  g_assert_cmpstr (work->title, ==, "Spin waves in layered crystals, à la Nancy");
  g_assert_cmpstr (work->type, ==, "article");
  g_assert_cmpint (work->year, ==, 2014); /* whenProduced (as HAL counts), not datePub */
  g_assert_cmpstr (work->domain.id, ==, "phys");
  g_assert_cmpstr (work->domain.name, ==, "Physics");
  g_assert_nonnull (work->raw);
  /* The editor (depositor) and the biblStruct duplicates are no authorships. */
  g_assert_cmpuint (work->authorships->len, ==, 6);
  assert_countries (work, "FR,NO");
}

static void
test_single_authors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("tei/foreign-coauthor.xml", NULL, &error);
  CopubWork *work;
  CopubAuthorship *auth;
  CopubInstitution *inst;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  work = works->pdata[0];

  /* A French laboratory with status OLD counts like any other. */
  auth = authorship (work, 0);
  g_assert_cmpstr (auth->author_name, ==, "Anna Keller");
  g_assert_cmpstr (auth->author_id, ==, "700001");
  g_assert_cmpstr (auth->author_position, ==, "first");
  g_assert_cmpint (auth->position, ==, 0);
  g_assert_cmpuint (auth->institutions->len, ==, 1); /* parents are not counted */
  inst = institution (auth, 0);
  g_assert_cmpstr (inst->id, ==, "struct-900001");
  g_assert_cmpstr (inst->name, ==, "Laboratoire de physique inventée");
  g_assert_cmpstr (inst->type, ==, "laboratory");
  g_assert_cmpstr (inst->country, ==, "FR");
  g_assert_cmpstr (inst->ror, ==, "00invent1");
  g_assert_cmpuint (auth->countries->len, ==, 1);
  g_assert_cmpstr (auth->countries->pdata[0], ==, "FR");

  /* Corresponding author in an INCOMING Norwegian lab; its <orgName> does not count. */
  auth = authorship (work, 1);
  g_assert_cmpstr (auth->author_name, ==, "Lars O. Eriksen");
  g_assert_cmpstr (auth->author_position, ==, "middle");
  g_assert_cmpuint (auth->institutions->len, ==, 1);
  g_assert_cmpstr (institution (auth, 0)->id, ==, "struct-900002");
  g_assert_cmpstr (institution (auth, 0)->country, ==, "NO");

  /* Only an <orgName>: no structure, no country. */
  auth = authorship (work, 2);
  g_assert_cmpstr (auth->author_name, ==, "Marie Dubois");
  g_assert_cmpuint (auth->institutions->len, ==, 0);
  g_assert_cmpuint (auth->countries->len, ==, 0);

  /* A laboratory without country stays unknown, not French like its CNRS parent. */
  auth = authorship (work, 3);
  g_assert_cmpstr (institution (auth, 0)->id, ==, "struct-900003");
  g_assert_null (institution (auth, 0)->country);
  g_assert_cmpuint (auth->countries->len, ==, 0);

  /* A research team without country takes its laboratory's. */
  auth = authorship (work, 4);
  g_assert_cmpstr (institution (auth, 0)->type, ==, "researchteam");
  g_assert_cmpstr (institution (auth, 0)->country, ==, "FR");

  auth = authorship (work, 5);
  g_assert_cmpstr (auth->author_position, ==, "last");
  g_assert_cmpuint (auth->institutions->len, ==, 0);
}

static void
test_single_unresolved (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("tei/foreign-coauthor.xml", NULL, &error);
  g_autoptr(GPtrArray) ids = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  ids = copub_hal_unresolved_structures (works->pdata[0]);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (ids->pdata[0], ==, "struct-900003");
}

/* The raw record is a standalone TEI this parser reads back to the same work. */
static void
test_raw_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("tei/foreign-coauthor.xml", NULL, &error);
  g_autoptr(GPtrArray) again = works_new ();
  CopubWork *work;
  gsize size;
  const char *raw;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  work = works->pdata[0];
  raw = g_bytes_get_data (work->raw, &size);
  text = g_strndup (raw, size);
  g_assert_nonnull (strstr (text, "xml:id=\"struct-900010\"")); /* ancestors kept */
  g_assert_null (strstr (text, "projanr-90001"));              /* projects are not */
  g_assert_nonnull (strstr (text, "à la Nancy"));              /* UTF-8, not escaped */
  g_assert_true (copub_tei_parse_bytes (NULL, raw, size, "raw", NULL, collect, again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpstr (((CopubWork *) again->pdata[0])->id, ==, work->id);
  g_assert_cmpint (((CopubWork *) again->pdata[0])->year, ==, work->year);
  assert_countries (again->pdata[0], "FR,NO");
  g_assert_cmpstr (institution (authorship (again->pdata[0], 4), 0)->country, ==, "FR");
}

/* ---- Multi-document export ---------------------------------------------------------- */

static void
test_multi_export (void)
{
  static const struct {
    const char *id, *type, *countries;
    int year, produced;
  } expected[] = {
    { "hal-09100001", "article", "FR", 2019, 2015 },       /* the editor's DE is left out */
    { "hal-09100002", "conference-paper", "DE,FR", 2016, 2016 }, /* whenProduced only */
    { "hal-09100003", "book-chapter", "FR,GP", 2021, 2017 },
    { "hal-09100004", "preprint", "FR", 2018, 2018 },      /* + a structure without country */
    { "hal-09100005", "dissertation", "US", 2022, 2019 },  /* team -> its US lab */
    { "hal-09100006", "article", "FR", 2018, 2020 },       /* <orgName> in BE not counted */
    { "hal-09100007", "book", "", 2017, 2021 },            /* parents disagree; missing org */
    { "hal-09100008", "article", "FR,GB", 2016, 2022 },    /* OLD structure counts */
  };
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("tei/export-multi.xml", &result, &error);
  g_autoptr(GPtrArray) by_pub = parse_fixture_rules ("tei/export-multi.xml", NULL,
                                                     &by_publication, &error);

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpint (result.kind, ==, COPUB_TEI_KIND_TEI);
  g_assert_cmpint (result.total_results, ==, 8);
  g_assert_cmpuint (result.n_works, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (works->len, ==, G_N_ELEMENTS (expected));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      CopubWork *work = works->pdata[i];
      g_assert_cmpstr (work->id, ==, expected[i].id);
      g_assert_cmpstr (work->type, ==, expected[i].type);
      g_assert_cmpint (work->year, ==, expected[i].produced);
      g_assert_cmpint (((CopubWork *) by_pub->pdata[i])->year, ==, expected[i].year);
      assert_countries (work, expected[i].countries);
    }
  g_assert_cmpstr (((CopubWork *) works->pdata[0])->doi, ==, "10.5555/multi.1");
  g_assert_cmpstr (((CopubWork *) works->pdata[5])->doi, ==, "10.5555/multi.6");
  g_assert_cmpstr (((CopubWork *) works->pdata[4])->domain.id, ==, "sdv");
  g_assert_cmpuint (((CopubWork *) works->pdata[0])->authorships->len, ==, 2);
}

static gboolean
is_overseas_fr (const char *code)
{
  static const char *const overseas[] = {
    "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (overseas); i++)
    if (strcmp (code, overseas[i]) == 0)
      return TRUE;
  return FALSE;
}

/* International for home FR: a country other than FR, overseas territories counting as FR. */
static gboolean
is_international_fr (const CopubWork *work)
{
  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *auth = work->authorships->pdata[i];
      for (guint j = 0; j < auth->countries->len; j++)
        {
          const char *code = auth->countries->pdata[j];
          if (strcmp (code, "FR") != 0 && !is_overseas_fr (code))
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_multi_crosscheck (void)
{
  const char *python = g_getenv ("PYTHON") ? g_getenv ("PYTHON") : "python3";
  g_autofree char *python_path = g_find_program_in_path (python);
  const char *fixture = FIXTURES "tei/export-multi.xml";
  g_autofree char *out = NULL, *errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *mine = NULL;
  int status = 0;
  guint international = 0;

  if (python_path == NULL)
    {
      g_test_skip ("python3 not found");
      return;
    }
  {
    const char *argv[] = { python_path, "tests/crosscheck-tei.py", fixture, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                 &errors, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", 0);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  g_assert_cmpstr (lines[0], ==, "works,international");

  works = parse_fixture ("tei/export-multi.xml", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (works);
  for (guint i = 0; i < works->len; i++)
    international += is_international_fr (works->pdata[i]);
  mine = g_strdup_printf ("%u,%u", works->len, international);
  g_assert_cmpstr (mine, ==, lines[1]);
  g_assert_cmpstr (mine, ==, "8,3");
}

/* ---- OAI-PMH ------------------------------------------------------------------------ */

static void
test_oai_list_records (void)
{
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("oai/listrecords-page1.xml", &result, &error);
  CopubWork *work;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpint (result.kind, ==, COPUB_TEI_KIND_OAI);
  g_assert_cmpuint (result.n_works, ==, 2);
  g_assert_cmpuint (result.n_deleted, ==, 1);
  g_assert_cmpstr (result.resumption_token, ==, "a1b2c3!!5!!xml-tei!!collection:UNIV-LORRAINE");
  g_assert_cmpint (result.complete_list_size, ==, 5);
  g_assert_cmpuint (works->len, ==, 2);
  work = find_work (works, "hal-09200001");
  g_assert_nonnull (work);
  assert_countries (work, "FR,IT");
  g_assert_cmpstr (work->type, ==, "article");
  g_assert_cmpint (work->year, ==, 2023);
  g_assert_cmpstr (work->domain.id, ==, "chim");
  work = find_work (works, "hal-09200003");
  g_assert_nonnull (work);
  assert_countries (work, "FR,NC");
  g_assert_cmpstr (work->type, ==, "conference-paper");
  g_assert_cmpuint (authorship (work, 1)->institutions->len, ==, 2);
  g_assert_null (institution (authorship (work, 1), 1)->country);
}

/* The raw of an OAI record (tei: prefix) is a standalone TEI too. */
static void
test_oai_raw (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("oai/listrecords-page1.xml", NULL, &error);
  g_autoptr(GPtrArray) again = works_new ();
  CopubWork *work;
  gsize size;
  const char *raw;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  work = find_work (works, "hal-09200003");
  raw = g_bytes_get_data (work->raw, &size);
  g_assert_true (copub_tei_parse_bytes (NULL, raw, size, "raw", NULL, collect, again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 1);
  assert_countries (again->pdata[0], "FR,NC");
}

static void
test_oai_last_page (void)
{
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("oai/listrecords-last.xml", &result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpuint (works->len, ==, 2);
  g_assert_null (result.resumption_token); /* an empty token ends the list */
  g_assert_cmpint (result.complete_list_size, ==, 5);
  g_assert_cmpstr (((CopubWork *) works->pdata[0])->type, ==, "dissertation");
  g_assert_cmpstr (((CopubWork *) works->pdata[1])->type, ==, "other"); /* POSTER */
}

static void
test_oai_get_record (void)
{
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("oai/getrecord.xml", &result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpuint (works->len, ==, 1);
  g_assert_cmpint (result.kind, ==, COPUB_TEI_KIND_OAI);
  g_assert_null (result.resumption_token);
  g_assert_cmpint (result.complete_list_size, ==, -1);
  assert_countries (works->pdata[0], "FR,IT");
}

static void
test_oai_no_records (void)
{
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("oai/no-records.xml", &result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpuint (works->len, ==, 0);
  g_assert_null (result.resumption_token);
}

static void
test_oai_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("oai/bad-token.xml", NULL, &error);

  g_assert_null (works);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "'oai/bad-token.xml'"));
  g_assert_nonnull (strstr (error->message, "badResumptionToken"));
}

static void
test_oai_dc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("oai/oai-dc.xml", NULL, &error);

  g_assert_null (works);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "'oai/oai-dc.xml' line 15"));
  g_assert_nonnull (strstr (error->message, "metadataPrefix=xml-tei"));
  g_assert_nonnull (strstr (error->message, "<oai_dc:dc>"));
}

/* ---- Bad input ---------------------------------------------------------------------- */

/* Parses @name, expecting @code and @fragments (NULL-terminated) in the message. */
static void
expect_failure (const char *name, int code, ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture (name, NULL, &error);
  va_list ap;
  const char *fragment;

  g_assert_null (works); /* and parse_fixture checked that nothing was emitted */
  g_assert_error (error, COPUB_ERROR, code);
  if (error == NULL)
    return;
  g_test_message ("%s: %s", name, error->message);
  g_assert_null (strchr (error->message, '\n'));
  va_start (ap, code);
  while ((fragment = va_arg (ap, const char *)) != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
  va_end (ap);
}

static void
test_bad_mismatch (void)
{
  expect_failure ("bad/mismatch.xml", COPUB_ERROR_PARSE, "'bad/mismatch.xml' line 11: ",
                  "mismatch", "author", NULL);
}

static void
test_bad_truncated (void)
{
  expect_failure ("bad/truncated.xml", COPUB_ERROR_PARSE, "'bad/truncated.xml' line 44: ",
                  "unexpected end of file", "truncated", NULL);
  /* Cut after two complete documents: nothing is emitted all the same. */
  expect_failure ("bad/truncated-export.xml", COPUB_ERROR_PARSE, "line 137: ",
                  "unexpected end of file", NULL);
  expect_failure ("bad/empty.xml", COPUB_ERROR_PARSE, "'bad/empty.xml': empty file", NULL);
}

static void
test_bad_root (void)
{
  expect_failure ("bad/not-tei.xml", COPUB_ERROR_PARSE, "'bad/not-tei.xml' line 2: ",
                  "expected a <TEI> or <OAI-PMH> root element, found <html>", NULL);
}

static void
test_bad_no_hal_id (void)
{
  expect_failure ("bad/no-halid.xml", COPUB_ERROR_PARSE, "'bad/no-halid.xml' line 6: ",
                  "expected <idno type=\"halId\">", NULL);
}

static void
test_bad_namespace (void)
{
  expect_failure ("bad/undeclared-prefix.xml", COPUB_ERROR_PARSE, "line 6", "tei", NULL);
}

/* A conversion error is reported in the error, not printed on stderr by libxml2. */
static void
test_bad_encoding (void)
{
  static const char ucs4[] = "\0\0\0<\0\0\0T\0\0\0E\0\0\0I\0\0\0>\0\0\0\0\xff\xff\xff\xff";
  g_autoptr(GPtrArray) works = works_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (copub_tei_parse_bytes (NULL, ucs4, sizeof ucs4 - 1, "ucs4", NULL, collect, works,
                                         &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (error ? strstr (error->message, "'ucs4' line 1: ") : NULL);
  g_assert_nonnull (error ? strstr (error->message, "conversion failed") : NULL);
  g_assert_cmpuint (works->len, ==, 0);
}

static void
test_bad_missing_file (void)
{
  expect_failure ("no-such-file.xml", COPUB_ERROR_IO, "'no-such-file.xml': cannot open", NULL);
}

/* The callback stops the parse with its own error. */
static gboolean
fail_second (CopubWork *work, gpointer user_data, GError **error)
{
  guint *calls = user_data;

  copub_work_free (work);
  if (++*calls < 2)
    return TRUE;
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB, "store full");
  return FALSE;
}

static void
test_bad_callback_error (void)
{
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  g_assert_false (copub_tei_parse_file (NULL, FIXTURES "tei/export-multi.xml", NULL, NULL,
                                        fail_second, &calls, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_DB);
  g_assert_cmpuint (calls, ==, 2);
}

/* ---- Entities ----------------------------------------------------------------------- */

static void
expect_refused (const char *name)
{
  long rss_before = max_rss_kb ();
  g_autoptr(GTimer) timer = g_timer_new ();

  expect_failure (name, COPUB_ERROR_PARSE, "refused a document type that declares entities",
                  NULL);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 1.0);
  if (RSS_CHECKS)
    g_assert_cmpint (max_rss_kb () - rss_before, <, 8 * 1024);
}

static void
test_entities_billion_laughs (void)
{
  expect_refused ("bad/billion-laughs.xml");
  expect_refused ("bad/billion-laughs-utf16.xml");
  expect_refused ("bad/parameter-entities.xml");
}

static void
test_entities_xxe (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("bad/xxe.xml", NULL, &error);

  expect_refused ("bad/xxe.xml");
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "root:"));
  g_assert_nonnull (strstr (error->message, "line 3"));
}

/* An entity declaration anywhere around the reader's chunk boundaries is seen. */
static void
test_entities_chunk_boundaries (void)
{
  /* The declaration on line 6, the root on line 10: the line in the message shows that
   * the byte scan, not a later check, refused the input. */
  static const char doctype[] = "<!DOCTYPE TEI [\n\n\n<!ENTITY a \"b\">\n\n\n]>\n\n\n"
                                "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">&a;</TEI>\n";
  /* libxml2 reads 4 bytes, then 4096 at a time: these paddings put "<!ENTITY" across the
   * first two chunk boundaries at every offset. */
  static const gsize pads[] = { 0, 500, 4030, 8126 };

  for (gsize i = 0; i < G_N_ELEMENTS (pads); i++)
    for (gsize shift = 0; shift < 32; shift++)
      {
        g_autoptr(GString) doc = g_string_new ("<?xml version=\"1.0\"?>\n<!--");
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) works = works_new ();
        gsize pad = pads[i] + shift;
        for (gsize j = 0; j < pad; j++)
          g_string_append_c (doc, 'x');
        g_string_append (doc, "-->\n");
        g_string_append (doc, doctype);
        g_assert_false (copub_tei_parse_bytes (NULL, doc->str, doc->len, "pad", NULL, collect, works,
                                               &error));
        g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
        if (strstr (error->message, "'pad' line 6: refused") == NULL)
          g_test_message ("pad %zu: %s", pad, error->message);
        g_assert_nonnull (strstr (error->message, "'pad' line 6: refused"));
      }
}

static void
test_entities_external_dtd (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GPtrArray) works = parse_fixture ("tei/external-dtd.xml", NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 1.0); /* nothing fetched */
  g_assert_cmpuint (works->len, ==, 1);
  g_assert_cmpstr (((CopubWork *) works->pdata[0])->type, ==, "report");
  assert_countries (works->pdata[0], "FR"); /* key="fr" upper-cased */
}

/* ---- Streaming ---------------------------------------------------------------------- */

static void
write_large_export (FILE *file, guint n_docs)
{
  fputs ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><text><body><listBibl>\n", file);
  for (guint i = 0; i < n_docs; i++)
    {
      fprintf (file,
               "<biblFull><titleStmt><title xml:lang=\"en\">Large export document %u, "
               "with a title long enough to weigh like a real one</title>"
               "<author role=\"aut\"><persName><forename>A%u</forename><surname>Author</surname>"
               "</persName><affiliation ref=\"#struct-%u\"/></author>"
               "<author role=\"aut\"><persName><forename>B%u</forename><surname>Author</surname>"
               "</persName><affiliation ref=\"#struct-%u\"/></author></titleStmt>"
               "<publicationStmt><idno type=\"halId\">hal-1%07u</idno></publicationStmt>"
               "<profileDesc><abstract xml:lang=\"en\">", i, i, 1 + i % 50, i, 1 + (i * 7) % 50,
               i);
      for (int k = 0; k < 12; k++)
        fputs ("An abstract sentence that repeats to give each document a realistic size. ",
               file);
      fputs ("</abstract><textClass><classCode scheme=\"halTypology\" n=\"ART\">Articles"
             "</classCode></textClass></profileDesc></biblFull>\n", file);
    }
  fputs ("</listBibl></body><back><listOrg type=\"structures\">\n", file);
  for (guint s = 1; s <= 50; s++)
    fprintf (file, "<org type=\"laboratory\" xml:id=\"struct-%u\"><orgName>Lab %u</orgName>"
             "<desc><address><country key=\"%s\"/></address></desc></org>\n", s, s,
             s % 5 == 0 ? "DE" : "FR");
  fputs ("</listOrg></back></text></TEI>\n", file);
}

static gboolean
count_and_free (CopubWork *work, gpointer user_data, GError **error)
{
  guint *count = user_data;

  (void) error;
  if (*count == 0)
    g_assert_cmpstr (work->type, ==, "article");
  (*count)++;
  copub_work_free (work);
  return TRUE;
}

static void
test_stream_large (void)
{
  guint n_docs = g_test_slow () ? 200000 : 20000;
  g_autofree char *path = testlib_temp_path ("copub-tei", "large-export.xml");
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GError) error = NULL;
  FILE *file = fopen (path, "w");
  long rss_before;
  guint count = 0;
  GStatBuf st;

  g_assert_nonnull (file);
  write_large_export (file, n_docs);
  g_assert_cmpint (fclose (file), ==, 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("large export: %u documents, %ld bytes", n_docs, (long) st.st_size);
  rss_before = max_rss_kb ();
  g_assert_true (copub_tei_parse_file (&result, path, "large.xml", NULL, count_and_free, &count,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, n_docs);
  g_assert_cmpuint (result.n_works, ==, n_docs);
  /* A tree of the whole file would take several times its size. */
  if (RSS_CHECKS)
    g_assert_cmpint ((max_rss_kb () - rss_before) * 1024, <, st.st_size / 4);
  g_remove (path);
}

static void
test_sniff (void)
{
  g_assert_true (copub_tei_sniff ("<?xml version=\"1.0\"?>", 21));
  g_assert_true (copub_tei_sniff ("\xef\xbb\xbf  \n<TEI/>", 11));
  g_assert_true (copub_tei_sniff ("\xff\xfe<\0", 4));
  g_assert_false (copub_tei_sniff ("{\"response\": {}}", 16));
  g_assert_false (copub_tei_sniff ("   ", 3));
  g_assert_false (copub_tei_sniff ("", 0));
}


/* One <biblFull> of id @id with @edition_stmt, a 2020 datePub and a typology. */
#define RULES_BIBL(id, edition_stmt) \
  "<biblFull><titleStmt><title>T</title></titleStmt><editionStmt>" edition_stmt \
  "</editionStmt><publicationStmt><idno type=\"halId\">" id "</idno></publicationStmt>" \
  "<sourceDesc><biblStruct><monogr><imprint><date type=\"datePub\">2020</date></imprint>" \
  "</monogr></biblStruct></sourceDesc><profileDesc><textClass><classCode " \
  "scheme=\"halTypology\" n=\"ART\">Articles</classCode></textClass></profileDesc></biblFull>"
#define PRODUCED "<date type=\"whenProduced\">2019-12-30</date>"
#define MAIN_FILE "<ref type=\"file\" target=\"https://hal.science/x/document\"/>"

/* HAL's TEI: every version of a deposit is an <edition n="vN">, the record's own one
 * type="current"; an annex deposit has files but no main file. */
static const char rules_tei[] =
  "<?xml version=\"1.0\"?><TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><text><body><listBibl>"
  /* the current version (v2 of 2) with its main file */
  RULES_BIBL ("hal-1", "<edition n=\"v1\"/><edition n=\"v2\" type=\"current\">" PRODUCED
              MAIN_FILE "<ref type=\"file\" subtype=\"author\" n=\"1\" target=\"f.pdf\"/>"
              "</edition>")
  /* its older version, as HAL exports it: v1 current, v2 after it */
  RULES_BIBL ("hal-1", "<edition n=\"v1\" type=\"current\">" PRODUCED MAIN_FILE
              "</edition><edition n=\"v2\"/>")
  /* an annex deposit: an annex file, no main file */
  RULES_BIBL ("hal-2", "<edition n=\"v1\" type=\"current\">" PRODUCED
              "<ref type=\"annex\" subtype=\"\" n=\"0\" target=\"slides.pdf\"/></edition>")
  /* a notice: no file at all, no version list */
  RULES_BIBL ("hal-3", "<edition type=\"current\">" PRODUCED "</edition>")
  "</listBibl></body><back><listOrg type=\"structures\"/></back></text></TEI>";

static GPtrArray *
parse_rules_tei (const CopubHalRules *rules, CopubTeiResult *result)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *works = works_new ();

  g_assert_true (copub_tei_parse_bytes (result, rules_tei, strlen (rules_tei), "rules", rules,
                                        collect, works, &error));
  g_assert_no_error (error);
  return works;
}

static void
assert_work_years (GPtrArray *works, const char *want)
{
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = 0; i < works->len; i++)
    {
      const CopubWork *w = works->pdata[i];
      g_string_append_printf (got, "%s%s:%d", i ? " " : "", w->id, w->year);
    }
  g_assert_cmpstr (got->str, ==, want);
}

static void
test_rules (void)
{
  static const CopubHalRules annexes = { COPUB_HAL_YEAR_PRODUCED, TRUE };
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;
  g_autoptr(GPtrArray) works = parse_rules_tei (NULL, &result);
  g_autoptr(GPtrArray) by_pub = NULL, with_annexes = NULL, fixture = NULL;
  g_autoptr(GError) error = NULL;

  assert_work_years (works, "hal-1:2019 hal-3:2019");
  g_assert_cmpuint (result.n_works, ==, 2);
  g_assert_cmpuint (result.n_old_versions, ==, 1);
  g_assert_cmpuint (result.n_annexes, ==, 1);
  copub_tei_result_clear (&result);

  by_pub = parse_rules_tei (&by_publication, &result);
  assert_work_years (by_pub, "hal-1:2020 hal-3:2020");
  copub_tei_result_clear (&result);

  with_annexes = parse_rules_tei (&annexes, &result);
  assert_work_years (with_annexes, "hal-1:2019 hal-2:2019 hal-3:2019");
  g_assert_cmpuint (result.n_old_versions, ==, 1);
  g_assert_cmpuint (result.n_annexes, ==, 0);

  fixture = parse_fixture_rules ("tei/foreign-coauthor.xml", NULL, &by_publication, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((CopubWork *) fixture->pdata[0])->year, ==, 2015); /* datePub */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/tei/single/work", test_single_work);
  g_test_add_func ("/tei/single/authors", test_single_authors);
  g_test_add_func ("/tei/single/unresolved", test_single_unresolved);
  g_test_add_func ("/tei/single/raw-roundtrip", test_raw_roundtrip);
  g_test_add_func ("/tei/multi/export", test_multi_export);
  g_test_add_func ("/tei/multi/crosscheck", test_multi_crosscheck);
  g_test_add_func ("/tei/oai/list-records", test_oai_list_records);
  g_test_add_func ("/tei/oai/raw", test_oai_raw);
  g_test_add_func ("/tei/oai/last-page", test_oai_last_page);
  g_test_add_func ("/tei/oai/get-record", test_oai_get_record);
  g_test_add_func ("/tei/oai/no-records", test_oai_no_records);
  g_test_add_func ("/tei/oai/error", test_oai_error);
  g_test_add_func ("/tei/oai/oai-dc", test_oai_dc);
  g_test_add_func ("/tei/bad/mismatch", test_bad_mismatch);
  g_test_add_func ("/tei/bad/truncated", test_bad_truncated);
  g_test_add_func ("/tei/bad/root", test_bad_root);
  g_test_add_func ("/tei/bad/no-hal-id", test_bad_no_hal_id);
  g_test_add_func ("/tei/bad/namespace", test_bad_namespace);
  g_test_add_func ("/tei/bad/encoding", test_bad_encoding);
  g_test_add_func ("/tei/bad/missing-file", test_bad_missing_file);
  g_test_add_func ("/tei/bad/callback-error", test_bad_callback_error);
  g_test_add_func ("/tei/entities/billion-laughs", test_entities_billion_laughs);
  g_test_add_func ("/tei/entities/xxe", test_entities_xxe);
  g_test_add_func ("/tei/entities/chunk-boundaries", test_entities_chunk_boundaries);
  g_test_add_func ("/tei/entities/external-dtd", test_entities_external_dtd);
  g_test_add_func ("/tei/stream/large", test_stream_large);
  g_test_add_func ("/tei/sniff", test_sniff);
  g_test_add_func ("/tei/rules", test_rules);
  return g_test_run ();
}
