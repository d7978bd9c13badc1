/* Unit tests of the OpenAlex parser: fields taken, fields dropped, bad records. */
#include <string.h>

#include "copub/error.h"
#include "sources/openalex.h"

static char *
fixture (const char *name, gsize *length)
{
  g_autofree char *path = g_build_filename ("fixtures", "openalex", name, NULL);
  char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

/* The n-th line (0-based) of works.jsonl. */
static char *
fixture_line (guint n)
{
  g_autofree char *all = fixture ("works.jsonl", NULL);
  g_auto(GStrv) lines = g_strsplit (all, "\n", -1);
  g_assert_cmpuint (n, <, g_strv_length (lines));
  return g_strdup (lines[n]);
}

static void
test_fields (void)
{
  g_autofree char *line = fixture_line (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWork) w = copub_openalex_parse_work (line, strlen (line), &error);
  CopubAuthorship *a;
  CopubInstitution *inst;

  g_assert_no_error (error);
  g_assert_nonnull (w);
  g_assert_cmpstr (w->id, ==, "W1000000001");
  g_assert_cmpstr (w->doi, ==, "10.5555/fixture.1");
  g_assert_cmpstr (w->title, ==, "Heat transfer in porous media");
  g_assert_cmpint (w->year, ==, 2020);
  g_assert_cmpstr (w->type, ==, "article");
  g_assert_false (w->is_retracted);
  g_assert_cmpstr (w->field.id, ==, "22");
  g_assert_cmpstr (w->field.name, ==, "Engineering");
  g_assert_cmpstr (w->domain.id, ==, "3");
  g_assert_cmpstr (w->subfield.id, ==, "2201");
  g_assert_cmpstr (w->topic.id, ==, "T10001");
  g_assert_cmpuint (w->authorships->len, ==, 2);
  a = g_ptr_array_index (w->authorships, 1);
  g_assert_cmpint (a->position, ==, 1);
  g_assert_cmpstr (a->author_position, ==, "last");
  g_assert_cmpstr (a->author_id, ==, "A2");
  g_assert_cmpuint (a->countries->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (a->countries, 0), ==, "US");
  inst = g_ptr_array_index (a->institutions, 0);
  g_assert_cmpstr (inst->id, ==, "I36258959");
  g_assert_cmpstr (inst->ror, ==, "0168r3w48");
  g_assert_cmpstr (inst->country, ==, "US");
  g_assert_cmpstr (inst->type, ==, "education");
  g_assert_cmpuint (a->raw_affiliations->len, ==, 1);
}

static void
test_raw_drops_bulky_fields (void)
{
  g_autofree char *line = fixture_line (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWork) w = copub_openalex_parse_work (line, strlen (line), &error);
  gsize len;
  const char *raw = g_bytes_get_data (w->raw, &len);
  g_autofree char *text = g_strndup (raw, len);

  g_assert_no_error (error);
  g_assert_null (strstr (text, "abstract_inverted_index"));
  g_assert_null (strstr (text, "referenced_works"));
  g_assert_null (strstr (text, "\"locations\""));
  g_assert_nonnull (strstr (text, "\"authorships\""));
  g_assert_nonnull (strstr (text, "\"primary_topic\""));
  /* The kept record parses back to the same work. */
  {
    g_autoptr(CopubWork) again = copub_openalex_parse_work (raw, len, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again->id, ==, w->id);
    g_assert_cmpuint (again->authorships->len, ==, w->authorships->len);
    g_assert_true (g_bytes_equal (again->raw, w->raw));
  }
}

static void
test_nulls_and_flags (void)
{
  g_autofree char *line = fixture_line (8); /* no authorships, null title, doi, topic */
  g_autofree char *trunc = fixture_line (7);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWork) w = copub_openalex_parse_work (line, strlen (line), &error);
  g_autoptr(CopubWork) t = NULL;

  g_assert_no_error (error);
  g_assert_null (w->title);
  g_assert_null (w->doi);
  g_assert_null (w->field.id);
  g_assert_cmpuint (w->authorships->len, ==, 0);
  t = copub_openalex_parse_work (trunc, strlen (trunc), &error);
  g_assert_no_error (error);
  g_assert_true (t->is_authors_truncated);
  g_assert_cmpuint (t->authorships->len, ==, 100);
}

static void
test_line_separator_in_title (void)
{
  g_autofree char *line = fixture_line (3);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWork) w = copub_openalex_parse_work (line, strlen (line), &error);

  g_assert_no_error (error);
  g_assert_nonnull (strstr (w->title, "\xE2\x80\xA8"));
}

static void
expect_bad (const char *json, const char *message_part)
{
  g_autoptr(GError) error = NULL;
  /* Without the terminating NUL, as records come from a file's buffer. */
  gsize len = strlen (json);
  g_autofree char *bytes = g_memdup2 (json, len);
  g_autoptr(CopubWork) w = copub_openalex_parse_work (bytes, len, &error);

  g_assert_null (w);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  if (error && !strstr (error->message, message_part))
    g_test_message ("message '%s' lacks '%s'", error->message, message_part);
  g_assert_true (error && strstr (error->message, message_part));
}

static void
test_bad_records (void)
{
  expect_bad ("{\"doi\":null}", "expected an \"id\" string");
  expect_bad ("[1,2]", "expected a work");
  expect_bad ("42", "expected a JSON object");
  expect_bad ("{\"id\":\"W1\",\"publication_year\":\"2020\"}", "publication_year");
  expect_bad ("{\"id\":\"W1\",\"publication_year\":20.5}", "expected a year");
  expect_bad ("{\"id\":\"W1\",\"authorships\":{}}", "expected an array");
  expect_bad ("{\"id\":\"W1\",\"authorships\":[[]]}", "expected objects");
  expect_bad ("{\"id\":{\"x\":1}}", "\"id\": expected a scalar");
  expect_bad ("{\"id\":\"W1\"", "invalid JSON");
  expect_bad ("{\"id\":\"W\xff\"}", "invalid JSON");
  expect_bad ("{\"id\":\"W1\"} {\"id\":\"W2\"}", "invalid JSON");
  /* Faults in the members copub skips unparsed are faults all the same. */
  expect_bad ("{\"id\":\"W1\",\"abstract_inverted_index\":{\"a\":[1,,2]}}", "invalid JSON");
  expect_bad ("{\"id\":\"W1\",\"locations\":[{\"x\":tru}]}", "invalid JSON");
  expect_bad ("{\"id\":\"W1\",\"referenced_works\":[\"W\xff\"]}", "invalid JSON");
  expect_bad ("{\"id\":\"W1\",\"abstract\":\"\xc0\x80\"}", "valid UTF-8");
  expect_bad ("{\"id\":\"W1\",\"ids\":{\"a\":1}", "invalid JSON");
  expect_bad ("{\"id\":\"W1\"} \"", "invalid JSON");
  expect_bad ("{\"doi\":6", "invalid JSON"); /* a number the end of the text completes */
}

/* A member name spelt with escapes is read for what it spells. */
static void
test_escaped_member_name (void)
{
  const char *line = "{\"\\u0069d\":\"https://openalex.org/W7\",\"abstract\":\"x\","
                     " \"title\" : \"T\" }";
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWork) w = copub_openalex_parse_work (line, strlen (line), &error);
  gsize len;
  const char *raw;

  g_assert_no_error (error);
  g_assert_cmpstr (w->id, ==, "W7");
  g_assert_cmpstr (w->title, ==, "T");
  raw = g_bytes_get_data (w->raw, &len);
  g_assert_cmpmem (raw, len, "{\"\\u0069d\":\"https://openalex.org/W7\",\"title\" : \"T\"}", 51);
}

static void
test_deep_nesting (void)
{
  GString *s = g_string_new ("{\"id\":\"W1\",\"x\":");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWork) w = NULL;

  for (int i = 0; i < 10000; i++)
    g_string_append_c (s, '[');
  w = copub_openalex_parse_work (s->str, s->len, &error);
  g_assert_null (w);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_string_free (s, TRUE);
}

typedef struct {
  GPtrArray *works;
  guint bad;
} Collected;

static gboolean
collect (CopubWork *work, gpointer data, GError **error)
{
  (void) error;
  g_ptr_array_add (((Collected *) data)->works, work);
  return TRUE;
}

static gboolean
count_bad (guint64 index, const GError *problem, gpointer data, GError **error)
{
  (void) index; (void) problem; (void) error;
  ((Collected *) data)->bad++;
  return TRUE;
}

/* Feeds @text to a stream in chunks of @chunk bytes. */
static gboolean
stream_parse (const char *text, gsize len, gsize chunk, Collected *c, gboolean lenient,
              CopubOpenalexStream **out, GError **error)
{
  CopubOpenalexStream *s = copub_openalex_stream_new (collect, c);

  if (lenient)
    copub_openalex_stream_set_bad_record_func (s, count_bad);
  *out = s;
  for (gsize off = 0; off < len; off += chunk)
    if (!copub_openalex_stream_feed (s, text + off, MIN (chunk, len - off), error))
      return FALSE;
  return copub_openalex_stream_finish (s, error);
}

static void
test_stream_page_any_chunking (void)
{
  gsize len;
  g_autofree char *page = fixture ("page.json", &len);
  gsize chunks[] = { 1, 7, 4096, len };

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      Collected c = { g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free), 0 };
      g_autoptr(GError) error = NULL;
      CopubOpenalexStream *s = NULL;
      gboolean ok = stream_parse (page, len, chunks[i], &c, FALSE, &s, &error);

      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (c.works->len, ==, 12);
      g_assert_true (copub_openalex_stream_is_page (s));
      g_assert_cmpint (copub_openalex_stream_meta_count (s), ==, 12);
      g_assert_null (copub_openalex_stream_next_cursor (s));
      copub_openalex_stream_free (s);
      g_ptr_array_unref (c.works);
    }
}

static void
test_stream_single_work (void)
{
  gsize len;
  g_autofree char *single = fixture ("single.json", &len);
  Collected c = { g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free), 0 };
  g_autoptr(GError) error = NULL;
  CopubOpenalexStream *s = NULL;

  g_assert_true (stream_parse (single, len, 100, &c, FALSE, &s, &error));
  g_assert_no_error (error);
  g_assert_false (copub_openalex_stream_is_page (s));
  g_assert_cmpuint (c.works->len, ==, 1);
  g_assert_cmpstr (((CopubWork *) g_ptr_array_index (c.works, 0))->id, ==, "W1000000001");
  copub_openalex_stream_free (s);
  g_ptr_array_unref (c.works);
}

static void
test_stream_truncated_and_bad (void)
{
  gsize len;
  g_autofree char *page = fixture ("page.json", &len);
  g_autofree char *bad = fixture ("bad-noid-page.json", NULL);
  Collected c = { g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free), 0 };
  g_autoptr(GError) error = NULL;
  CopubOpenalexStream *s = NULL;

  /* A download cut in the middle: the complete records came through, then an error. */
  g_assert_false (stream_parse (page, len / 2, 4096, &c, FALSE, &s, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_assert_cmpuint (c.works->len, >, 0);
  g_assert_cmpuint (c.works->len, <, 12);
  copub_openalex_stream_free (s);
  g_clear_error (&error);

  g_ptr_array_set_size (c.works, 0);
  g_assert_false (stream_parse (bad, strlen (bad), 4096, &c, FALSE, &s, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "record 2"));
  copub_openalex_stream_free (s);
  g_clear_error (&error);

  g_ptr_array_set_size (c.works, 0);
  g_assert_true (stream_parse (bad, strlen (bad), 4096, &c, TRUE, &s, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.works->len, ==, 2);
  g_assert_cmpuint (c.bad, ==, 1);
  copub_openalex_stream_free (s);
  g_ptr_array_unref (c.works);
}

static void
test_stream_not_objects_in_results (void)
{
  const char *doc = "{\"meta\":{\"count\":3},\"results\":[1,{\"id\":\"W5\"},[2]]}";
  Collected c = { g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free), 0 };
  g_autoptr(GError) error = NULL;
  CopubOpenalexStream *s = NULL;

  g_assert_true (stream_parse (doc, strlen (doc), 5, &c, TRUE, &s, &error));
  g_assert_cmpuint (c.works->len, ==, 1);
  g_assert_cmpuint (c.bad, ==, 2);
  copub_openalex_stream_free (s);
  g_ptr_array_unref (c.works);
}

static void
test_doi_normalise (void)
{
  g_autofree char *a = copub_doi_normalise ("https://doi.org/10.1000/ABC");
  g_autofree char *b = copub_doi_normalise ("doi:10.1000/abc ");
  g_autofree char *c = copub_doi_normalise ("10.1000/\xEF\xAC\x81sh"); /* U+FB01 ligature */
  g_autofree char *d = copub_doi_normalise ("not a doi");

  g_assert_cmpstr (a, ==, "10.1000/abc");
  g_assert_cmpstr (b, ==, "10.1000/abc");
  g_assert_cmpstr (c, ==, "10.1000/fish");
  g_assert_null (d);
}

/* An ASCII DOI is lowered byte by byte, the others through Unicode: the same answers. */
static void
test_doi_ascii_and_unicode (void)
{
  g_autofree char *ascii = copub_doi_normalise (" DOI:10.5555/Ab-Cd_(Z)\t");
  g_autofree char *upper_i = copub_doi_normalise ("10.5555/ISBN");
  g_autofree char *wide = copub_doi_normalise ("10.5555/\xEF\xBC\xA1" "b-Cd_(Z)"); /* U+FF21 */

  g_assert_cmpstr (ascii, ==, "10.5555/ab-cd_(z)");
  g_assert_cmpstr (wide, ==, "10.5555/ab-cd_(z)");
  g_assert_cmpstr (upper_i, ==, "10.5555/isbn");
}

/* The title key of an ASCII title (read byte by byte) and of the same title with
 * characters that are neither letters nor digits (read through Unicode) agree. */
static void
test_title_key_ascii_and_unicode (void)
{
  g_autoptr(CopubWork) w = copub_work_new (COPUB_SOURCE_OPENALEX);
  g_autofree char *ascii = NULL, *unicode = NULL, *accented = NULL, *shortk = NULL;

  w->year = 2021;
  w->title = g_strdup ("COVID-19 and Co-Authorship: 12 Lessons (Part II).");
  ascii = copub_work_title_key (w);
  g_free (w->title);
  w->title = g_strdup ("COVID-19 and Co-Authorship \xE2\x80\x94 12 Lessons (Part II).");
  unicode = copub_work_title_key (w);
  g_free (w->title);
  w->title = g_strdup ("\xC3\x89TUDE des r\xC3\xA9seaux de co-publication, 2020");
  accented = copub_work_title_key (w);
  g_free (w->title);
  w->title = g_strdup ("Editorial: Preface!!");
  shortk = copub_work_title_key (w);

  g_assert_cmpstr (ascii, ==, "covid19andcoauthorship12lessonspartii:2021");
  g_assert_cmpstr (unicode, ==, ascii);
  g_assert_cmpstr (accented, ==, "\xC3\xA9tudedesr\xC3\xA9seauxdecopublication2020:2021");
  g_assert_null (shortk);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/openalex/fields", test_fields);
  g_test_add_func ("/openalex/raw-drops-bulky-fields", test_raw_drops_bulky_fields);
  g_test_add_func ("/openalex/nulls-and-flags", test_nulls_and_flags);
  g_test_add_func ("/openalex/line-separator-in-title", test_line_separator_in_title);
  g_test_add_func ("/openalex/bad-records", test_bad_records);
  g_test_add_func ("/openalex/escaped-member-name", test_escaped_member_name);
  g_test_add_func ("/openalex/deep-nesting", test_deep_nesting);
  g_test_add_func ("/openalex/stream-page-any-chunking", test_stream_page_any_chunking);
  g_test_add_func ("/openalex/stream-single-work", test_stream_single_work);
  g_test_add_func ("/openalex/stream-truncated-and-bad", test_stream_truncated_and_bad);
  g_test_add_func ("/openalex/stream-not-objects-in-results", test_stream_not_objects_in_results);
  g_test_add_func ("/openalex/doi-normalise", test_doi_normalise);
  g_test_add_func ("/openalex/doi-ascii-and-unicode", test_doi_ascii_and_unicode);
  g_test_add_func ("/openalex/title-key-ascii-and-unicode", test_title_key_ascii_and_unicode);
  return g_test_run ();
}
