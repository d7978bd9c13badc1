/* copub: the nightly run. One configuration, end to end: harvest (incrementally),
 * import the configured files, then write the report, charts and tables into a
 * staging directory that replaces the output directory only when everything worked.
 * One run at a time per store (an exclusive lock); every run is recorded in the store. */
#pragma once

#include <glib.h>

#include "copub/config.h"

G_BEGIN_DECLS

typedef struct {
  gboolean offline;   /* skip the harvest: use what the store holds and the files */
  gboolean dry_run;   /* print what would be done, change nothing */
} CopubRunOptions;

#define COPUB_RUN_OPTIONS_INIT { FALSE, FALSE }

/* What a run did. */
typedef struct {
  gint64 run_id;
  gint64 works_openalex, works_hal, works_linked;
  char *headline;       /* the sentence, in the first language */
  char *out_dir;
} CopubRunResult;

void copub_run_result_clear (CopubRunResult *result);

/* Runs @config. Errors: COPUB_ERROR_LOCKED when another run holds the lock (the store
 * is not touched), COPUB_ERROR_NETWORK / RATE_LIMITED from the harvest (what was
 * fetched is kept, the outputs are not replaced), COPUB_ERROR_PARSE from the files,
 * COPUB_ERROR_CHILD from gnuplot, COPUB_ERROR_DB, COPUB_ERROR_IO. Each failure is
 * recorded in the store's run history when the store could be opened. With
 * @options->dry_run, the plan is printed on stdout and nothing is changed. */
gboolean copub_run (const CopubConfig *config, const CopubRunOptions *options,
                    CopubRunResult *out, GError **error);

G_END_DECLS
