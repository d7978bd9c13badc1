/* copub: the indicators straight from OpenAlex JSON Lines files, with no store: which
 * works a scan keeps (an institution's, a country's or all), a cheap test on each raw
 * line that skips most records that cannot be kept before they are parsed, and the
 * reading of a file into a CopubAggregate. */
#pragma once

#include <glib.h>

#include "copub/analyse.h"
#include "copub/callbacks.h"
#include "copub/import.h"
#include "copub/snapshot.h"
#include "copub/work.h"

G_BEGIN_DECLS

typedef enum {
  COPUB_SCAN_ALL,         /* every work */
  COPUB_SCAN_INSTITUTION, /* an authorship's institution, or one in its lineage, is the id */
  COPUB_SCAN_COUNTRY,     /* the code is among the authorships' countries */
} CopubScanKind;

/* Which works a scan keeps. */
typedef struct CopubScanSelection CopubScanSelection;

/* A selection of @kind: @value is the OpenAlex institution id ("I90183372" or its URL)
 * or the ISO 3166-1 alpha-2 code (any case); NULL for COPUB_SCAN_ALL. With @inferred, a
 * country selection also keeps the works whose authorship without a country has the
 * code among its inferred countries (the normaliser's). COPUB_ERROR_USAGE, naming the
 * option "institution" or "country" (copub_error_get_option), for a bad @value. */
CopubScanSelection *copub_scan_selection_new (CopubScanKind kind, const char *value,
                                              gboolean inferred, GError **error);
void copub_scan_selection_free (CopubScanSelection *selection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubScanSelection, copub_scan_selection_free)

/* TRUE when @selection keeps @work (the exact test, on the parsed work). */
gboolean copub_scan_selection_keeps (const CopubScanSelection *selection,
                                     const CopubWork *work);

/* TRUE when the raw lines can be tested before they are parsed: an institution, or a
 * country without inferred countries (those come from raw strings the line does not
 * spell as a code). */
gboolean copub_scan_selection_prefilters (const CopubScanSelection *selection);

/* The pre-filter, as a CopubLineFilter with the selection as its data: FALSE only when
 * the raw JSON line @line cannot hold a kept work. Thread-safe. */
gboolean copub_scan_line_may_match (const char *line, gsize length, gpointer selection);

typedef struct {
  const CopubScanSelection *selection; /* required */
  guint n_threads;                     /* parser threads; 0 = one per processor */
  const CopubNormaliser *normaliser;   /* or NULL */
  gboolean skip_bad;                   /* count malformed records instead of failing */
  CopubSnapshot *snapshot;             /* its dead works are left out; or NULL */
  const CopubCallbacks *callbacks;     /* notes and scan progress, or NULL */
  gboolean include_xpac;               /* keep OpenAlex's xpac works; FALSE: left out and
                                        * counted, as the API leaves them out by default */
} CopubScanOptions;

#define COPUB_SCAN_OPTIONS_INIT { NULL, 0, NULL, FALSE, NULL, NULL, FALSE }

/* The first malformed records are listed, at most this many. */
#define COPUB_SCAN_MAX_PROBLEMS 10

typedef struct {
  guint64 parsed;      /* works parsed (the pre-filter skipped the others) */
  guint64 kept;        /* added to the aggregate */
  guint64 bad;         /* malformed records skipped */
  guint64 dead;        /* kept works left out as merged or deleted in the snapshot */
  guint64 xpac;        /* works the selection keeps left out as xpac works */
  GPtrArray *problems; /* of char*: the first bad records, "'FILE' line N: problem" */
} CopubScanStats;

void copub_scan_stats_init (CopubScanStats *stats);
void copub_scan_stats_clear (CopubScanStats *stats);

/* Reads the JSON Lines file @path (plain or gzip; NULL: standard input) and adds the
 * works @options->selection keeps to @aggregate, counting into @stats. With @part (of
 * @options->snapshot), the file is checked against the manifest: its size before,
 * its records after (COPUB_ERROR_PARSE, naming it). A malformed record fails with
 * COPUB_ERROR_PARSE naming file and line, unless @options->skip_bad. */
gboolean copub_scan_file (const char *path, const CopubSnapshotPart *part,
                          const CopubScanOptions *options, CopubAggregate *aggregate,
                          CopubScanStats *stats, GError **error);

G_END_DECLS
