/* copub CLI: what an error becomes for the user: the exit status, and the hint that
 * names the option or setting to change. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses promised by the CLI (copub --help, the man page). */
enum {
  COPUB_EXIT_OK = 0,
  COPUB_EXIT_ERROR = 1,
  COPUB_EXIT_USAGE = 2,
  COPUB_EXIT_NETWORK = 3,
  COPUB_EXIT_DATA = 4,
  COPUB_EXIT_LOCKED = 5,
  COPUB_EXIT_INCOMPLETE = 6, /* copub check: the store differs from the source's counts */
};

/* The exit status for @error: errors of other domains count as COPUB_EXIT_ERROR,
 * except GOptionError, which is a usage error. */
int copub_cli_exit_status (const GError *error);

/* The command-line hint for the option @error is about (copub_error_get_option):
 * "--partners FILE", "see copub run --print-config"; NULL when there is none. */
const char *copub_cli_error_hint (const GError *error);

/* @error's message followed by its hint in brackets, if it has one. Free with g_free. */
char *copub_cli_error_message (const GError *error);

G_END_DECLS
