/* Unit tests of the country and institution groups: the built-in table, the groups
 * file's forms and errors, membership and matching. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "copub/error.h"
#include "copub/regions.h"

static char *
write_file (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("copub-groups-XXXXXX.tsv", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  return path;
}

static CopubRegions *
load (const char *contents, GError **error)
{
  g_autofree char *path = contents ? write_file (contents) : NULL;
  CopubRegions *r = copub_regions_load (NULL, path, error);

  if (path)
    g_unlink (path);
  return r;
}

/* The groups' names matched by @countries and @institutions (space-separated). */
static char *
matched (const CopubRegions *r, const char *countries, const char *institutions)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) c = g_strsplit (countries, " ", -1);
  g_auto(GStrv) i = g_strsplit (institutions, " ", -1);
  GString *names = g_string_new (NULL);

  copub_regions_match (r, (const char *const *) c, *countries ? g_strv_length (c) : 0,
                       (const char *const *) i, out);
  for (guint k = 0; k < out->len; k++)
    g_string_append_printf (names, "%s%s", k ? "," : "",
                            copub_regions_name (r, g_array_index (out, guint, k)));
  return g_string_free (names, FALSE);
}

static guint
members (const CopubRegions *r, const char *group)
{
  int g = copub_regions_index (r, group);
  guint n = 0;

  g_assert_cmpint (g, >=, 0);
  /* Every ISO code of two capital letters that the group holds. */
  for (char a = 'A'; a <= 'Z'; a++)
    for (char b = 'A'; b <= 'Z'; b++)
      {
        char code[3] = { a, b, '\0' };
        n += copub_regions_has_country (r, (guint) g, code);
      }
  return n;
}

static void
test_builtin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubRegions) r = load (NULL, &error);
  const char *const names[] = { "EU-27", "Africa", "Americas", "Asia", "Europe", "Oceania",
                                "Least developed countries" };
  int eu;

  g_assert_no_error (error);
  g_assert_cmpuint (copub_regions_count (r), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (copub_regions_name (r, i), ==, names[i]);
      g_assert_true (copub_regions_builtin (r, i));
      g_assert_false (copub_regions_of_institutions (r, i));
    }
  g_assert_cmpuint (members (r, "EU-27"), ==, 27);
  g_assert_cmpuint (members (r, "Least developed countries"), ==, 44);
  eu = copub_regions_index (r, "EU-27");
  g_assert_true (copub_regions_has_country (r, (guint) eu, "GR"));
  g_assert_false (copub_regions_has_country (r, (guint) eu, "GB"));
  g_assert_false (copub_regions_has_country (r, (guint) eu, "CH"));
  /* Graduated from the LDC list: Bhutan (2023), Sao Tome and Principe (2024). */
  g_assert_false (copub_regions_has_country (r, 6, "BT"));
  g_assert_false (copub_regions_has_country (r, 6, "ST"));
  g_assert_true (copub_regions_has_country (r, 6, "NP"));
  g_assert_cmpint (copub_regions_index (r, "Nowhere"), ==, -1);
}

static void
test_match (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubRegions) r = load ("# the institution's own groups\n"
                                    "https://ror.org/02feahw73\tUniGR\n"
                                    "I90183372\tUniGR\n"
                                    "de\tFranco-German\n"
                                    "DE\tFranco-German\n"
                                    "LU\tGreater Region\n"
                                    "BE\tGreater Region\n", &error);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (copub_regions_count (r), ==, 10);
  g_assert_false (copub_regions_builtin (r, 7));
  g_assert_true (copub_regions_of_institutions (r, 7));
  a = matched (r, "DE", "");
  g_assert_cmpstr (a, ==, "EU-27,Europe,Franco-German");
  b = matched (r, "US NP", "");
  g_assert_cmpstr (b, ==, "Americas,Asia,Least developed countries");
  c = matched (r, "", "02feahw73 I90183372");
  g_assert_cmpstr (c, ==, "UniGR"); /* once */
  /* Country codes never match institution groups, nor ids country groups. */
  d = matched (r, "I90183372", "DE");
  g_assert_cmpstr (d, ==, "");
  e = matched (r, "BE LU", "");
  g_assert_cmpstr (e, ==, "EU-27,Europe,Greater Region");
}

static void
expect_error (const char *contents, int code, const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubRegions) r = load (contents, &error);

  g_assert_null (r);
  g_assert_error (error, COPUB_ERROR, code);
  if (error && strstr (error->message, part) == NULL)
    g_error ("'%s' not in '%s'", part, error->message);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubRegions) r = NULL;

  expect_error ("DE\tOK\nDE\n", COPUB_ERROR_PARSE, "line 2: expected MEMBER<TAB>GROUP");
  expect_error ("ZZ\tX\n", COPUB_ERROR_PARSE, "line 1: 'ZZ' is not an ISO 3166-1 country");
  expect_error ("DE\tX\n\n02feahw73\tX\n", COPUB_ERROR_PARSE,
                "line 3: group 'X' holds countries: expected a country code");
  expect_error ("DE\tEurope\n", COPUB_ERROR_PARSE, "'Europe' is a built-in group");
  expect_error ("# nothing\n", COPUB_ERROR_PARSE, "no group in the file");
  expect_error ("DE\tA\tB\n", COPUB_ERROR_PARSE, "got 3 field(s)");
  r = copub_regions_load (NULL, "/nonexistent/groups.tsv", &error);
  g_assert_null (r);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
}

static void
test_digest (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubRegions) a = load ("DE\tX\n", &error);
  g_autoptr(CopubRegions) b = load ("# same\n  DE \t X\n", &error);
  g_autoptr(CopubRegions) c = load ("AT\tX\n", &error);
  g_autoptr(CopubRegions) none = load (NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (copub_regions_digest (a), ==, copub_regions_digest (b));
  g_assert_cmpstr (copub_regions_digest (a), !=, copub_regions_digest (c));
  g_assert_cmpstr (copub_regions_digest (a), !=, copub_regions_digest (none));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/regions/builtin", test_builtin);
  g_test_add_func ("/regions/match", test_match);
  g_test_add_func ("/regions/errors", test_errors);
  g_test_add_func ("/regions/digest", test_digest);
  return g_test_run ();
}
