/* Unit tests of the CLI's mapping of the library's errors (src/cli/exit.c): the exit
 * statuses copub promises, and the flag hints for the options errors name. */
#include "copub/error.h"
#include "cli/exit.h"

static void
test_exit_statuses (void)
{
  static const struct { CopubErrorCode code; int status; } cases[] = {
    { COPUB_ERROR_FAILED, COPUB_EXIT_ERROR },     { COPUB_ERROR_USAGE, COPUB_EXIT_USAGE },
    { COPUB_ERROR_NETWORK, COPUB_EXIT_NETWORK },  { COPUB_ERROR_RATE_LIMITED, COPUB_EXIT_NETWORK },
    { COPUB_ERROR_PARSE, COPUB_EXIT_DATA },       { COPUB_ERROR_DB, COPUB_EXIT_ERROR },
    { COPUB_ERROR_CHILD, COPUB_EXIT_ERROR },      { COPUB_ERROR_IO, COPUB_EXIT_ERROR },
    { COPUB_ERROR_LOCKED, COPUB_EXIT_LOCKED },    { COPUB_ERROR_INCOMPLETE, COPUB_EXIT_INCOMPLETE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) e = g_error_new_literal (COPUB_ERROR, cases[i].code, "x");
      g_assert_cmpint (copub_cli_exit_status (e), ==, cases[i].status);
    }
  /* the numbers are promised by copub --help and the man page */
  g_assert_cmpint (COPUB_EXIT_USAGE, ==, 2);
  g_assert_cmpint (COPUB_EXIT_NETWORK, ==, 3);
  g_assert_cmpint (COPUB_EXIT_DATA, ==, 4);
  g_assert_cmpint (COPUB_EXIT_LOCKED, ==, 5);
  g_assert_cmpint (COPUB_EXIT_INCOMPLETE, ==, 6);
  g_assert_cmpint (copub_cli_exit_status (NULL), ==, COPUB_EXIT_OK);
  {
    g_autoptr(GError) option = g_error_new_literal (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "x");
    g_autoptr(GError) other = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "x");
    g_autoptr(GError) unknown = g_error_new_literal (COPUB_ERROR, 999, "x");
    g_assert_cmpint (copub_cli_exit_status (option), ==, COPUB_EXIT_USAGE);
    g_assert_cmpint (copub_cli_exit_status (other), ==, COPUB_EXIT_ERROR);
    g_assert_cmpint (copub_cli_exit_status (unknown), ==, COPUB_EXIT_ERROR);
  }
}

/* The library's error names its option; the CLI's message adds the flag. */
static void
test_hints (void)
{
  static const struct { const char *option, *message; } cases[] = {
    { "institution", "institution 'foo': expected an id (--institution)" },
    { "partners", "institution 'foo': expected an id (--partners FILE)" },
    { "keys", "institution 'foo': expected an id (see copub run --print-config)" },
    { "no-such-option", "institution 'foo': expected an id" },
    { NULL, "institution 'foo': expected an id" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) e = g_error_new_literal (COPUB_ERROR, COPUB_ERROR_USAGE,
                                                 "institution 'foo': expected an id");
      g_autoptr(GError) copy = NULL;
      g_autofree char *message = NULL;
      copub_error_set_option (e, cases[i].option);
      g_prefix_error (&e, "%s", ""); /* prefixing keeps the option */
      copy = g_error_copy (e);       /* so does copying */
      message = copub_cli_error_message (copy);
      g_assert_cmpstr (message, ==, cases[i].message);
    }
  {
    g_autoptr(GError) other = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "gone");
    g_autofree char *message = NULL;
    copub_error_set_option (other, "institution"); /* not of the domain: ignored */
    g_assert_null (copub_error_get_option (other));
    message = copub_cli_error_message (other);
    g_assert_cmpstr (message, ==, "gone");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-exit/statuses", test_exit_statuses);
  g_test_add_func ("/cli-exit/hints", test_hints);
  return g_test_run ();
}
