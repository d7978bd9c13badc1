/* Unit tests of the JSON skim: where values end, what is refused and how it is said. */
#include <string.h>

#include "copub/error.h"
#include "sources/json-skim.h"

/* Skims @text whole; returns the end offset, or -1 with the message in *message. */
static gssize
skim (const char *text, char **message)
{
  g_autoptr(GError) error = NULL;
  gsize pos = 0;

  if (copub_json_skip_value (text, strlen (text), &pos, 64, &error))
    return (gssize) pos;
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  if (message)
    *message = g_strdup (error->message);
  return -1;
}

static void
expect_end (const char *text, gssize end)
{
  g_assert_cmpint (skim (text, NULL), ==, end);
}

static void
expect_refused (const char *text, const char *fragment)
{
  g_autofree char *message = NULL;

  g_assert_cmpint (skim (text, &message), ==, -1);
  if (strstr (message, fragment) == NULL)
    g_error ("skimming %s: \"%s\" does not say \"%s\"", text, message, fragment);
}

static void
test_values_end (void)
{
  expect_end ("true,", 4);
  expect_end ("null]", 4);
  expect_end ("-12.5e+3 ", 8);
  expect_end ("0}", 1);
  expect_end ("\"a\\\"b\\u00e9\"x", 12);
  expect_end ("  {\"a\" : [1, {\"b\":[]}, \"c\"] } tail", 29);
  expect_end ("[[[[]]]]", 8);
  expect_end ("{}", 2);
  expect_end ("\"caf\xc3\xa9 au lait, long enough for the wide path\"", 46);
  expect_end ("\v[\f1\r\n]", 7); /* yajl's blanks too */
}

static void
test_refusals (void)
{
  expect_refused ("{\"a\":1,}", "expected a member name");
  expect_refused ("[1,]", "byte 4: expected a value");
  expect_refused ("{\"a\" 1}", "expected ':'");
  expect_refused ("{\"a\":1 \"b\":2}", "expected ',' or '}'");
  expect_refused ("[1 2]", "expected ',' or ']'");
  expect_refused ("[1}", "expected ',' or ']'");
  expect_end ("01", 1); /* the number is 0; what follows is the caller's */
  expect_refused ("-x", "byte 2: expected a digit");
  expect_refused ("1.]", "a digit after the decimal point");
  expect_refused ("1e", "a digit in the exponent");
  expect_refused ("tru", "expected a value");
  expect_refused ("nul", "expected a value");
  expect_refused ("'a'", "expected a value");
  expect_refused ("\"a\\q\"", "an escape");
  expect_refused ("\"\\u12\"", "four hexadecimal digits");
  expect_refused ("\"a\tb\"", "not a control character");
  expect_refused ("\"caf\xc3\"", "valid UTF-8");
  expect_refused ("\"\xc0\x80\"", "valid UTF-8"); /* overlong: yajl lets it by */
  expect_refused ("\"\xed\xa0\x80\"", "valid UTF-8"); /* a surrogate */
  /* each run of high bytes is validated: a bad one after good ones and ASCII */
  expect_end ("\"\xc3\xa9t\xc3\xa9 \xe2\x82\xac\"", 11);
  expect_refused ("\"\xc3\xa9t\xc3\xa9 \xc3 \xe2\x82\xac\"", "valid UTF-8");
  expect_refused ("\"\xc3\xa9\xa9\"", "valid UTF-8");
  /* the string's other faults win over its UTF-8, as when it was validated whole */
  expect_refused ("\"\xc3 a\tb\"", "not a control character");
  expect_refused ("\"\xc3 a", "the text ends where '\"' closing a string");
  expect_refused ("{\"a\":[1,2", "the text ends where");
  expect_refused ("\"abc", "the text ends where '\"' closing a string");
  expect_refused ("", "the text ends where a value was expected");
}

static void
test_depth_limit (void)
{
  GString *deep = g_string_new (NULL);

  for (int i = 0; i < 64; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 64; i++)
    g_string_append_c (deep, ']');
  expect_end (deep->str, 128);
  g_string_prepend_c (deep, '[');
  g_string_append_c (deep, ']');
  expect_refused (deep->str, "no deeper nesting");
  g_string_free (deep, TRUE);
}

/* A plain run stops exactly at its first special byte, wherever it falls in a word. */
static void
test_every_offset (void)
{
  const char specials[] = { '"', '\\', '\x01', '\xc3' };

  for (gsize n = 0; n < 40; n++)
    for (gsize s = 0; s < G_N_ELEMENTS (specials); s++)
      {
        GString *text = g_string_new ("\"");
        g_autofree char *message = NULL;
        gssize end;

        for (gsize i = 0; i < n; i++)
          g_string_append_c (text, (char) ('a' + i % 26));
        g_string_append_c (text, specials[s]);
        if (specials[s] == '\\')
          g_string_append (text, "n\"");
        else if (specials[s] == '\xc3')
          g_string_append (text, "\xa9\"");
        else if (specials[s] != '"')
          g_string_append_c (text, '"');
        end = skim (text->str, &message);
        if (specials[s] == '\x01')
          g_assert_cmpint (end, ==, -1);
        else
          g_assert_cmpint (end, ==, (gssize) text->len);
        g_string_free (text, TRUE);
      }
}

static void
test_string_and_blanks (void)
{
  g_autoptr(GError) error = NULL;
  const char *text = "\"na\\u006De\" : 1";
  gsize pos = 0;
  gboolean escapes = FALSE;

  g_assert_true (copub_json_skip_string (text, strlen (text), &pos, &escapes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pos, ==, 11);
  g_assert_true (escapes);
  g_assert_cmpuint (copub_json_skip_blanks (text, strlen (text), pos), ==, 12);
  pos = 12;
  g_assert_false (copub_json_skip_string (text, strlen (text), &pos, NULL, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_cmpuint (pos, ==, 12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-skim/values-end", test_values_end);
  g_test_add_func ("/json-skim/refusals", test_refusals);
  g_test_add_func ("/json-skim/depth-limit", test_depth_limit);
  g_test_add_func ("/json-skim/every-offset", test_every_offset);
  g_test_add_func ("/json-skim/string-and-blanks", test_string_and_blanks);
  return g_test_run ();
}
