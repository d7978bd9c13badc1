/* Unit tests of the partner file: id forms, names, errors, matching and learning. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "copub/error.h"
#include "copub/partners.h"

static char *
write_file (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("copub-partners-XXXXXX.tsv", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  return path;
}

static CopubPartners *
load (const char *contents, GError **error)
{
  g_autofree char *path = write_file (contents);
  CopubPartners *partners = copub_partners_load (path, error);

  g_unlink (path);
  return partners;
}

/* The partners' names matched by @institutions (space-separated), comma-separated. */
static char *
matched (const CopubPartners *partners, const char *institutions)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (guint));
  GString *names = g_string_new (NULL);
  g_auto(GStrv) ids = g_strsplit (institutions, " ", -1);

  copub_partners_match (partners, (const char *const *) ids, out);
  for (guint i = 0; i < out->len; i++)
    g_string_append_printf (names, "%s%s", i ? "," : "",
                            copub_partners_name (partners, g_array_index (out, guint, i)));
  return g_string_free (names, FALSE);
}

static void
test_id_forms (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubPartners) p = load ("# comment\n"
                                     "https://ror.org/0168r3w48\tUCSD\n"
                                     "ror:01zkghx44\tGT\n"
                                     "https://openalex.org/I130701444\tGT\n"
                                     "hal:1039\tLab\n"
                                     "struct-7\tLab\n", &error);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (copub_partners_count (p), ==, 3);
  g_assert_false (copub_partners_has_names (p));
  a = matched (p, "I1 0168r3w48 I130701444 01zkghx44");
  g_assert_cmpstr (a, ==, "UCSD,GT");
  b = matched (p, "struct-1039 struct-7");
  g_assert_cmpstr (b, ==, "Lab");
  c = matched (p, "I13070144 struct-10390");
  g_assert_cmpstr (c, ==, "");
}

static void
test_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubPartners) p = load ("name:Université Internationale de Rabat\tUIR\n"
                                     "name:International University of Rabat\tUIR\n"
                                     "I5\tOther\n"
                                     "name:Beijing Forestry University\tBFU\n", &error);
  g_autofree char *before = NULL, *after = NULL, *kept = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (copub_partners_count (p), ==, 3);
  g_assert_true (copub_partners_has_names (p));
  before = matched (p, "I77 I88");
  g_assert_cmpstr (before, ==, "");
  /* Case, accents and punctuation aside. */
  copub_partners_learn (p, "https://openalex.org/I77", "https://ror.org/0abcdef12",
                        "UNIVERSITE INTERNATIONALE DE RABAT");
  copub_partners_learn (p, "I88", NULL, "International University of Rabat.");
  copub_partners_learn (p, "I99", NULL, "Université Mohammed V de Rabat");
  copub_partners_learn (p, "I5", NULL, "Beijing Forestry University"); /* I5 is Other's */
  copub_partners_learn (p, NULL, NULL, NULL);
  after = matched (p, "I77 I88 I99 0abcdef12");
  g_assert_cmpstr (after, ==, "UIR");
  kept = matched (p, "I5");
  g_assert_cmpstr (kept, ==, "Other");
}

static void
expect_refused (const char *contents, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubPartners) p = load (contents, &error);

  g_assert_null (p);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  if (strstr (error->message, fragment) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, fragment);
}

static void
test_errors (void)
{
  expect_refused ("0168r3w48\n", "line 1: expected ID<TAB>NAME");
  expect_refused ("# c\nW123\tA work\n", "line 2: 'W123' is not a ROR");
  expect_refused ("name: -- \tNobody\n", "expected an institution name after \"name:\"");
  expect_refused ("0168r3w48\t\n", "expected ID<TAB>NAME");
  expect_refused ("# nothing but comments\n", "no partner in the file");
}

/* The digest tells what a file says, not how it is laid out. */
static void
test_digest (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubPartners) a = load ("0168r3w48\tUCSD\nname:Rabat U\tUIR\n", &error);
  g_autoptr(CopubPartners) b = load ("# partners\n  0168r3w48 \t UCSD\n\nname:Rabat U\tUIR", &error);
  g_autoptr(CopubPartners) c = load ("0168r3w48\tUCSD\nname:Rabat Univ\tUIR\n", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (copub_partners_digest (a)), ==, 16);
  g_assert_cmpstr (copub_partners_digest (a), ==, copub_partners_digest (b));
  g_assert_cmpstr (copub_partners_digest (a), !=, copub_partners_digest (c));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/partners/id-forms", test_id_forms);
  g_test_add_func ("/partners/names", test_names);
  g_test_add_func ("/partners/errors", test_errors);
  g_test_add_func ("/partners/digest", test_digest);
  return g_test_run ();
}
