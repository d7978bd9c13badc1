/* copub CLI: the command table and what every subcommand shares (options, output). */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "copub/error.h"

G_BEGIN_DECLS

/* One subcommand. @run gets argv with argv[0] = the command name and returns FALSE
 * with @error set on failure; only main() prints the error. */
typedef struct {
  const char *name;
  const char *summary;
  gboolean (*run) (int argc, char **argv, GError **error);
} CopubCommand;

/* Parses a subcommand's options: adds the shared entries (-v/--verbose), sets the
 * verbosity, and turns option errors into COPUB_ERROR_USAGE. @argc/@argv lose the
 * parsed options. */
gboolean copub_cli_parse (GOptionContext *context, int *argc, char ***argv, GError **error);

/* A GOptionContext for @command with @parameter_string ("FILE...") and @summary. */
GOptionContext *copub_cli_context_new (const char *command, const char *parameter_string,
                                       const char *summary);

/* The store path: @option if set, else $COPUB_DB, else "copub.db". Static or owned by caller's option. */
const char *copub_cli_db_path (const char *option);

/* Flushes and checks stdout; FALSE with an error when writing failed (disk full, closed pipe). */
gboolean copub_cli_finish_stdout (GError **error);

/* TRUE when stderr is a terminal (progress output is shown only then). */
gboolean copub_cli_stderr_is_tty (void);

/* Also appends every log message (time-stamped) to @path. */
gboolean copub_cli_log_to_file (const char *path, GError **error);
/* Appends one time-stamped line to the log file, if there is one. */
void copub_cli_log_line (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Usage error helper: sets COPUB_ERROR_USAGE with a message. */
void copub_cli_usage_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Commands, one per src/cli/cmd_<verb>.c */
gboolean copub_cmd_import (int argc, char **argv, GError **error);
gboolean copub_cmd_analyse (int argc, char **argv, GError **error);
gboolean copub_cmd_fetch (int argc, char **argv, GError **error);
gboolean copub_cmd_affil (int argc, char **argv, GError **error);
gboolean copub_cmd_run (int argc, char **argv, GError **error);

G_END_DECLS
