/* copub: the nightly run. One configuration, end to end: harvest (incrementally),
 * import the configured files, then write the report, charts and tables into a
 * staging directory that replaces the output directory only when everything worked.
 * One run at a time per store (an exclusive lock); every run is recorded in the store. */
#pragma once

#include <glib.h>

#include "copub/callbacks.h"
#include "copub/config.h"

G_BEGIN_DECLS

typedef struct {
  gboolean offline;   /* skip the harvest: use what the store holds and the files */
  gboolean dry_run;   /* say what would be done (CopubRunResult's plan), change nothing */
  const CopubCallbacks *callbacks; /* notes (and harvest progress) for the caller, or NULL */
  gboolean include_xpac;  /* keep OpenAlex's xpac works, whatever the configuration says */
  gboolean allow_partial; /* harvest even when the day's API budget cannot finish it */
} CopubRunOptions;

#define COPUB_RUN_OPTIONS_INIT { FALSE, FALSE, NULL, FALSE, FALSE }

/* What a dry run would do; the rest (imports, languages, formats) is the configuration's. */
typedef struct {
  char *lock;                 /* the lock file */
  gboolean harvest;           /* FALSE when offline */
  gboolean openalex, hal;     /* the sources harvested */
  int from, to;               /* the publication years harvested */
  gboolean api_key;           /* an OpenAlex API key is set */
} CopubRunPlan;

/* What a run did. */
typedef struct {
  gint64 run_id;
  gint64 works_openalex, works_hal, works_linked;
  char *headline;       /* the sentence, in the first language */
  char *out_dir;
  CopubRunPlan plan;    /* with options->dry_run only */
} CopubRunResult;

void copub_run_result_clear (CopubRunResult *result);

/* Runs @config. Errors: COPUB_ERROR_LOCKED when another run holds the lock (the store
 * is not touched), COPUB_ERROR_NETWORK / RATE_LIMITED from the harvest (what was
 * fetched is kept, the outputs are not replaced), COPUB_ERROR_PARSE from the files,
 * COPUB_ERROR_CHILD from gnuplot, COPUB_ERROR_DB, COPUB_ERROR_IO. Each failure is
 * recorded in the store's run history when the store could be opened. With
 * @options->dry_run, @out->plan says what would be done and nothing is changed. */
gboolean copub_run (const CopubConfig *config, const CopubRunOptions *options,
                    CopubRunResult *out, GError **error);

G_END_DECLS
