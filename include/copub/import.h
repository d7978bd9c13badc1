/* copub: importing files into the store. Detects each file's format (OpenAlex list
 * page, single work, JSON Lines; HAL JSON, TEI, OAI-PMH; gzip-compressed or not),
 * parses it as a stream and
 * writes every work in one transaction: a failed import leaves the store as it was. */
#pragma once

#include <glib.h>

#include "copub/callbacks.h"
#include "copub/hal-rules.h"
#include "copub/normalise.h"
#include "copub/store.h"

G_BEGIN_DECLS

typedef struct {
  gboolean skip_bad; /* skip malformed records (counted, and where) instead of failing */
  guint n_threads;   /* parser threads for JSON Lines; 0 = one per processor */
  const CopubNormaliser *normaliser; /* fills in authorships without a country; or NULL */
  CopubWorkIdPredicate leave_out; /* TRUE for works not to import (by source id); or NULL */
  gpointer leave_out_data;
  CopubLimits limits; /* a record over them is bad (a JSON Lines line is never read whole
                       * beyond max_record bytes) */
  const CopubCallbacks *callbacks; /* notes for the caller (each file read), or NULL */
  CopubHalRules hal;  /* HAL records' year and which are works (copub/hal-rules.h) */
  gboolean include_xpac; /* keep OpenAlex's xpac works ("is_xpac": true); FALSE: they are
                          * left out and counted, as the API leaves them out by default */
} CopubImportOptions;

#define COPUB_IMPORT_OPTIONS_INIT \
  { FALSE, 0, NULL, NULL, NULL, COPUB_LIMITS_INIT, NULL, COPUB_HAL_RULES_INIT, FALSE }

typedef enum {
  COPUB_FORMAT_UNKNOWN,
  COPUB_FORMAT_OPENALEX_JSONL,     /* one work per line (the snapshot's format) */
  COPUB_FORMAT_OPENALEX_DOCUMENT,  /* a /works list page, a single work, or an array */
  COPUB_FORMAT_HAL_JSON,           /* a HAL /search answer, an array of docs, or one doc */
  COPUB_FORMAT_HAL_XML,            /* HAL TEI (one document or a search export), OAI-PMH */
} CopubFormat;

const char *copub_format_name (CopubFormat format);

typedef struct {
  guint64 files;
  guint64 records;    /* good records read (imported); bad ones are in skipped */
  guint64 inserted;
  guint64 updated;
  guint64 unchanged;
  guint64 skipped;    /* bad records skipped (with skip_bad); a HAL file that does not
                       * parse counts as one */
  guint64 inferred;   /* authorships whose country copub's normaliser found */
  guint64 left_out;   /* records options->leave_out kept out of the store */
  guint64 hal_old_versions; /* HAL records left out as older versions (status_i 111) */
  guint64 hal_annexes;      /* HAL records left out as annex deposits */
  guint64 xpac;       /* OpenAlex xpac works left out (without options->include_xpac) */
  GPtrArray *skipped_where; /* of char*: "'FILE' line N: problem", the first 100 */
} CopubImportStats;

void copub_import_stats_init (CopubImportStats *stats);
void copub_import_stats_clear (CopubImportStats *stats);

/* Imports @paths (NULL-terminated) into @store in one transaction. Errors name the
 * file and the line or record: COPUB_ERROR_PARSE for bad data (the transaction is
 * rolled back), COPUB_ERROR_IO for unreadable files. */
gboolean copub_import_files (CopubStore *store, const char *const *paths,
                             const CopubImportOptions *options, CopubImportStats *stats,
                             GError **error);

/* Imports the file @path into @store inside the transaction the caller opened
 * (copub_store_begin), which is left open whatever happens: the caller commits or rolls
 * back. @out_records (optional) gets the records the file held (for JSON Lines: its
 * non-blank lines), bad and left out ones included. */
gboolean copub_import_file (CopubStore *store, const char *path,
                            const CopubImportOptions *options, CopubImportStats *stats,
                            guint64 *out_records, GError **error);

/* ---- reading JSON Lines without a store ------------------------------------------------ */

/* Decides from the raw line whether to parse it (a cheap pre-filter); TRUE: parse. */
typedef gboolean (*CopubLineFilter) (const char *line, gsize length, gpointer user_data);

/* Receives each parsed line in order: a work (borrowed: freed after the call), or NULL
 * with the @problem of a malformed line. FALSE (with @error) stops the reading. */
typedef gboolean (*CopubJsonlFunc) (CopubWork *work, const GError *problem, guint64 line,
                                    gpointer user_data, GError **error);

typedef struct {
  guint n_threads;                   /* parser threads; 0 = one per processor */
  const CopubNormaliser *normaliser; /* or NULL */
  CopubLineFilter filter;            /* or NULL: every line */
  gpointer filter_data;
  const CopubLimits *limits;         /* or NULL: the defaults. A longer line is a bad
                                      * record, skipped without being kept in memory */
} CopubJsonlOptions;

/* Streams the OpenAlex JSON Lines file @path (plain or gzip): lines are parsed by a
 * pool of threads and handed to @func in order on the calling thread. @out_bytes
 * (optional) gets the bytes read from the file (compressed size for gzip). */
gboolean copub_jsonl_read (const char *path, const CopubJsonlOptions *options,
                           CopubJsonlFunc func, gpointer user_data, guint64 *out_bytes,
                           GError **error);
/* The same, and @out_records (optional) gets the file's records: its non-blank lines,
 * those the filter let pass or not. */
gboolean copub_jsonl_read_counted (const char *path, const CopubJsonlOptions *options,
                                   CopubJsonlFunc func, gpointer user_data,
                                   guint64 *out_bytes, guint64 *out_records, GError **error);

G_END_DECLS
