/* copub CLI: the command table and what every subcommand shares (options, output). */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "copub/analyse.h"
#include "copub/callbacks.h"
#include "copub/error.h"
#include "copub/hal-rules.h"
#include "cli/exit.h"
#include "copub/table.h"

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

/* Writes @table on stdout in @format; with CSV, which has no place for them, its notes
 * ("synthetic data") go to the log, that is stderr. */
gboolean copub_cli_write_table (const CopubTable *table, CopubTableFormat format,
                                GError **error);

/* TRUE when stderr is a terminal (progress output is shown only then). */
gboolean copub_cli_stderr_is_tty (void);

/* The callbacks through which the library's notes reach the log (stderr, the log file),
 * with the harvest's progress line on stderr when @progress. */
const CopubCallbacks *copub_cli_callbacks (gboolean progress);

/* Also appends every log message (time-stamped) to @path. */
gboolean copub_cli_log_to_file (const char *path, GError **error);
/* Appends one time-stamped line to the log file, if there is one. */
void copub_cli_log_line (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* --period: "2024" or "2021-2024" into @from and @to; COPUB_ERROR_USAGE otherwise. */
gboolean copub_cli_parse_period (const char *value, int *from, int *to, GError **error);

/* The HAL rules options fetch hal and import share: --hal-year, --hal-annexes. */
#define COPUB_CLI_HAL_RULES_ENTRIES(year, annexes) \
  { "hal-year", 0, 0, G_OPTION_ARG_STRING, &(year), \
    "Year of a HAL document: produced (producedDateY_i, as HAL's own statistics; the " \
    "default) or publication (publicationDateY_i)", "DATE" }, \
  { "hal-annexes", 0, 0, G_OPTION_ARG_NONE, &(annexes), \
    "Keep HAL annex deposits (submitType_s annex), which HAL's statistics leave out", NULL }
/* @year ("produced", "publication" or NULL: the default) and @annexes into @out;
 * COPUB_ERROR_USAGE naming --hal-year otherwise. */
gboolean copub_cli_hal_rules (const char *year, gboolean annexes, CopubHalRules *out,
                              GError **error);

/* Usage error helper: sets COPUB_ERROR_USAGE with a message. */
void copub_cli_usage_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* The analysis options analyse, scan and merge share (src/cli/analysis-options.c).
 * Stack struct: copub_cli_analysis_init(), add the entries to a context, parse, then
 * copub_cli_analysis_build(); copub_cli_analysis_clear() when done (g_auto works). */
typedef struct {
  /* as parsed */
  char *by, *home, *types, *source, *counting, *theme_level, *themes, *partners, *lang;
  char *format;
  int from, to, window;
  gboolean no_territories, hk_mo_as_cn, source_only;
  /* as built by copub_cli_analysis_build(): the options point into this struct */
  CopubAnalyseOptions options;
  CopubTableFormat table_format;
  char home_code[3];
  GStrv type_list;
  CopubThemeMap *theme_map;
  CopubPartners *partner_list;
  /* --groups FILE; the groups, loaded for the region dimension, the file, or when
   * with_regions is set (plot, report) */
  char *groups;
  gboolean with_regions;
  CopubRegions *region_list;
  /* the institution dimension: --home-institution, --registry, --top */
  char *home_institution, *registry;
  int top;
  char *home_institution_id; /* short ROR or OpenAlex id */
  char *home_openalex_id;    /* short OpenAlex id, when given with a ROR id */
  CopubInstitutionTree *institution_tree;
} CopubCliAnalysis;

void copub_cli_analysis_init (CopubCliAnalysis *analysis);
void copub_cli_analysis_clear (CopubCliAnalysis *analysis);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CopubCliAnalysis, copub_cli_analysis_clear)
/* Adds --by, --home, --from, --to, --window, --types, [--source,] --counting,
 * --theme-level, --themes, --partners, --no-territories-as-home, --hk-mo-as-cn,
 * --source-countries-only, --lang, --home-institution, --registry and --top to @context's
 * main group, in that order. */
void copub_cli_analysis_add_entries (CopubCliAnalysis *analysis, GOptionContext *context,
                                     gboolean with_source);
/* Adds --format (table, csv or json). */
void copub_cli_analysis_add_format_entry (CopubCliAnalysis *analysis, GOptionContext *context);
/* Checks the parsed values and fills @analysis->options (and table_format); loads the
 * theme map, the partner file and the groups. COPUB_ERROR_USAGE for a bad value,
 * COPUB_ERROR_PARSE for a bad line in the groups file. */
gboolean copub_cli_analysis_build (CopubCliAnalysis *analysis, GError **error);
/* TRUE when @path names something an atomic write must not replace: "-", or an existing
 * non-regular file or symbolic link (/dev/stdout, /dev/null, a FIFO): write through it. */
gboolean copub_cli_path_is_stream (const char *path);
/* Writes @aggregate as a partial to @path: atomically to a regular file, through to
 * standard output ("-"), a device, a FIFO or a symbolic link (/dev/stdout). */
gboolean copub_cli_write_partial (CopubAggregate *aggregate, const char *path, GError **error);

/* Commands, one per src/cli/cmd_<verb>.c */
gboolean copub_cmd_import (int argc, char **argv, GError **error);
gboolean copub_cmd_analyse (int argc, char **argv, GError **error);
gboolean copub_cmd_fetch (int argc, char **argv, GError **error);
gboolean copub_cmd_check (int argc, char **argv, GError **error);
gboolean copub_cmd_affil (int argc, char **argv, GError **error);
gboolean copub_cmd_run (int argc, char **argv, GError **error);
gboolean copub_cmd_scan (int argc, char **argv, GError **error);
gboolean copub_cmd_merge (int argc, char **argv, GError **error);
gboolean copub_cmd_plot (int argc, char **argv, GError **error);
gboolean copub_cmd_report (int argc, char **argv, GError **error);
gboolean copub_cmd_export (int argc, char **argv, GError **error);

/* The options plot and report share (src/cli/cmd_plot.c): --db, --out, --lang,
 * --institution-name, --period and the analysis options that matter for charts (--home,
 * --from, --to, --types, --source, --themes, --theme-level, --partners...). */
typedef struct CopubCliCharts CopubCliCharts;
/* Adds the shared options to @context; @default_out is the output directory without
 * --out. */
CopubCliCharts *copub_cli_charts_new (GOptionContext *context, const char *default_out);
void copub_cli_charts_free (CopubCliCharts *charts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubCliCharts, copub_cli_charts_free)
/* After parsing: checks the options (COPUB_ERROR_USAGE), loads the theme map and the
 * partner file, creates the output directory and opens the store. */
gboolean copub_cli_charts_open (CopubCliCharts *charts, GError **error);
/* After copub_cli_charts_open(); everything returned belongs to @charts. */
CopubStore *copub_cli_charts_store (CopubCliCharts *charts);
const CopubAnalyseOptions *copub_cli_charts_options (CopubCliCharts *charts);
const char *copub_cli_charts_out_dir (CopubCliCharts *charts);
const char *copub_cli_charts_institution (CopubCliCharts *charts);
/* --period, or 0, 0: the last complete year. */
void copub_cli_charts_period (CopubCliCharts *charts, int *out_from, int *out_to);

G_END_DECLS
