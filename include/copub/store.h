/* copub: the store. One SQLite file holding works, their authorships and the raw
 * source records, with versioned schema migrations. Every write happens inside a
 * transaction the caller opens, so a failed step leaves the store as it was. */
#pragma once

#include <glib.h>

#include "copub/callbacks.h"
#include "copub/work.h"

G_BEGIN_DECLS

typedef struct CopubStore CopubStore;

/* The schema version this build writes. */
#define COPUB_STORE_SCHEMA_VERSION 5

/* Opens (creating it if needed) the store at @path and migrates its schema.
 * Fails with COPUB_ERROR_DB when the file is not a copub store or is newer than
 * this build. Free with copub_store_free. */
CopubStore *copub_store_open (const char *path, GError **error);
void copub_store_free (CopubStore *store);

/* For a bulk load: when nothing is at @path yet, the store is built in a temporary
 * file beside it ("PATH.loading-PID-XXXXXX") with each page written once (no WAL copy, no
 * sync) and copub_store_publish() puts it in place; freed unpublished, it vanishes,
 * leaving @path as it was: absent. When @path exists, this is copub_store_open(). What a
 * killed load left is removed first (copub_store_remove_stale), with a note to @callbacks
 * (or NULL). */
CopubStore *copub_store_open_for_load (const char *path, const CopubCallbacks *callbacks,
                                       GError **error);
/* Syncs the loaded store and moves it to its path (never over a file that appeared
 * there meanwhile), then reopens it as copub_store_open() does. TRUE at once for a
 * store opened otherwise. */
gboolean copub_store_publish (CopubStore *store, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubStore, copub_store_free)

/* The lock of the processes that write to the store for long (copub run, copub fetch):
 * an exclusive flock() on "PATH.lock", which holds the holder's pid. Returns the
 * descriptor that holds it (close it to let go), or -1 with COPUB_ERROR_LOCKED when
 * another process holds it (the message names its pid and @what is not started). */
int copub_store_lock (const char *path, const char *what, GError **error);

/* Removes the "PATH.loading-PID-XXXXXX" files that a killed first import left (their
 * process is gone), saying so in a note to @callbacks (or NULL); never one whose import
 * still runs. */
void copub_store_remove_stale (const char *path, const CopubCallbacks *callbacks);

/* Marks as "killed" the runs still "running": call it holding copub_store_lock(), when
 * no run of another process can be running. Returns how many, or -1 on error. */
gint64 copub_store_mark_killed_runs (CopubStore *store, GError **error);

const char *copub_store_path (const CopubStore *store);
int copub_store_schema_version (CopubStore *store);

/* Transactions: begin takes the write lock at once (BEGIN IMMEDIATE). */
gboolean copub_store_begin (CopubStore *store, GError **error);
gboolean copub_store_commit (CopubStore *store, GError **error);
/* Rolls back the open transaction, if any. Never fails. */
void copub_store_rollback (CopubStore *store);

/* A savepoint inside the transaction: what follows can be undone alone. */
gboolean copub_store_savepoint (CopubStore *store, GError **error);
gboolean copub_store_release (CopubStore *store, GError **error);
/* Undoes what was written since the savepoint, and drops it. */
gboolean copub_store_rollback_to_savepoint (CopubStore *store, GError **error);

typedef enum {
  COPUB_PUT_INSERTED,
  COPUB_PUT_UPDATED,
  COPUB_PUT_UNCHANGED, /* same raw record as stored: nothing written */
} CopubPutResult;

/* Inserts or replaces the work keyed by (source, id), with its authorships.
 * Must be called inside a transaction. */
gboolean copub_store_put_work (CopubStore *store, const CopubWork *work,
                               CopubPutResult *out_result, GError **error);

/* The same in two steps, so that a thread other than the writer's can compute what
 * the store derives from a work (country strings, JSON columns, hash). The prepared
 * work borrows @work, which must outlive it. Thread-safe; needs no store. */
typedef struct CopubPreparedWork CopubPreparedWork;
CopubPreparedWork *copub_store_prepare_work (const CopubWork *work);
void copub_prepared_work_free (CopubPreparedWork *prepared);
gboolean copub_store_put_prepared (CopubStore *store, const CopubPreparedWork *prepared,
                                   CopubPutResult *out_result, GError **error);

/* Records that @work, received again from its source, is unchanged: its fetched_at
 * becomes the transaction's time (a new or changed record gets it from the put). A file
 * imported again is no new word from the source: copub import does not call it. Inside a
 * transaction. */
gboolean copub_store_touch_work (CopubStore *store, const CopubWork *work, GError **error);

/* Number of works from @source (all sources when @source is NULL). */
gint64 copub_store_count_works (CopubStore *store, const char *source, GError **error);

/* What the store holds from one source. */
typedef struct {
  char *source;        /* "openalex", "hal" */
  gint64 works;
  char *first_stored;  /* ISO 8601 UTC time of the oldest and newest write */
  char *last_stored;
} CopubSourceStats;

void copub_source_stats_free (CopubSourceStats *stats);

/* One CopubSourceStats per source present, by name. Free with g_ptr_array_unref. */
GPtrArray *copub_store_source_stats (CopubStore *store, GError **error);

/* The countries of one authorship. */
typedef struct {
  const char *const *countries; /* NULL-terminated ISO codes; empty when none is known */
  gboolean inferred;            /* found by copub's normaliser: the source gave none */
} CopubAuthorshipCountries;

/* What the indicators need of a work, read in one pass over the works table. */
typedef struct {
  const char *source;
  const char *id;
  int year;
  const char *type;
  gboolean is_retracted;
  gboolean is_paratext;
  gboolean is_synthetic;
  const char *const *countries; /* union, sorted, distinct; NULL-terminated */
  int n_authorships;
  int n_known;                /* authorships with at least one known country */
  int n_inferred;             /* ... known only through copub's normaliser */
  const char *field_id;       /* primary topic's field, or NULL */
  const char *field_name;
  const char *domain_id;
  const char *domain_name;
  const CopubAuthorshipCountries *authorships; /* per authorship, in order */
  guint n_authorship_countries; /* entries of @authorships (n_authorships in a
                                 * consistent store; authorships without a country
                                 * at the end may be missing) */
  const char *const *institutions; /* ids, lineage ids and RORs; NULL-terminated */
  const char *const *unit_lineages; /* "ROR>ID": a cited ROR id and an OpenAlex id of its
                                     * institution's own id or lineage (see
                                     * copub_work_unit_lineages()); NULL-terminated */
  const char *doi;            /* normalised, or NULL */
  const char *title;          /* or NULL */
} CopubWorkSummary;

typedef struct {
  const char *source; /* NULL: every source */
  int from;           /* 0: no lower bound */
  int to;             /* 0: no upper bound */
  gboolean skip_institutions; /* TRUE: the summaries' institutions are left empty (the
                               * longest column, not read) */
} CopubSummaryQuery;

#define COPUB_SUMMARY_QUERY_INIT { NULL, 0, 0, FALSE }

/* Calls @func for each institution the stored works cite (@ror and @name may be NULL). */
typedef void (*CopubInstitutionFunc) (const char *id, const char *ror, const char *name,
                                      gpointer user_data);
gboolean copub_store_foreach_institution (CopubStore *store, CopubInstitutionFunc func,
                                          gpointer user_data, GError **error);

/* The same with the institution's country (ISO alpha-2 as the source gives it, or NULL). */
typedef void (*CopubInstitutionRowFunc) (const char *id, const char *ror, const char *name,
                                         const char *country, gpointer user_data);
gboolean copub_store_foreach_institution_row (CopubStore *store, CopubInstitutionRowFunc func,
                                              gpointer user_data, GError **error);

typedef gboolean (*CopubSummaryFunc) (const CopubWorkSummary *summary, gpointer user_data,
                                      GError **error);

/* Calls @func for each work matching @query, in no particular order. The summary's
 * strings and arrays live until @func returns. */
gboolean copub_store_foreach_summary (CopubStore *store, const CopubSummaryQuery *query,
                                      CopubSummaryFunc func, gpointer user_data,
                                      GError **error);

/* ---- metadata and removals ------------------------------------------------------------ */

/* The store's metadata value for @key (NULL in *@out_value when there is none). */
gboolean copub_store_get_meta (CopubStore *store, const char *key, char **out_value,
                               GError **error);
/* Sets it; inside a transaction, so that it moves with the works it describes. */
gboolean copub_store_set_meta (CopubStore *store, const char *key, const char *value,
                               GError **error);

/* Records how OpenAlex's xpac works came into the store: the meta "openalex-xpac" becomes
 * "excluded" or "included" (or "mixed" when steps differed), and, when @left_out >= 0,
 * "openalex-xpac-left-out" the xpac works this step left out. Call it inside the step's
 * transaction when it has one. */
gboolean copub_store_note_xpac (CopubStore *store, gboolean included, gint64 left_out,
                                GError **error);

/* Says whether the work @source_id is to be removed. */
typedef gboolean (*CopubWorkIdPredicate) (const char *source_id, gpointer user_data);
/* Removes the works of @source for which @func says TRUE (their raw records too);
 * *@out_removed gets their number. Inside a transaction. Reads the store's ids, so its
 * cost is the store's size, whatever the predicate's set. */
gboolean copub_store_remove_works (CopubStore *store, const char *source,
                                   CopubWorkIdPredicate func, gpointer user_data,
                                   guint64 *out_removed, GError **error);

/* ---- harvest state -------------------------------------------------------------------- */

/* Where a harvest slice stands. */
typedef struct {
  char *cursor;      /* the API cursor to resume from, or NULL */
  gboolean done;
  gint64 pages;
  gint64 works;
  gint64 expected;   /* the API's count for the slice, -1 when unknown */
  char *updated_at;  /* ISO 8601 UTC, or NULL */
} CopubSliceState;

void copub_slice_state_clear (CopubSliceState *state);

/* Reads the state of (@harvest, @slice); *@found says whether there is one. */
gboolean copub_store_get_slice (CopubStore *store, const char *harvest, const char *slice,
                                CopubSliceState *out, gboolean *found, GError **error);
/* Writes it; call it in the transaction that stores the slice's page, so that the
 * works and the cursor move together. */
gboolean copub_store_put_slice (CopubStore *store, const char *harvest, const char *slice,
                                const CopubSliceState *state, GError **error);

/* ---- run history ----------------------------------------------------------------------- */

typedef struct {
  gint64 run_id;
  char *started_at;
  char *finished_at;
  char *status;       /* "running", "ok", "failed" */
  char *message;
  gint64 works_openalex, works_hal, works_linked;
  int headline_from, headline_to;
  gint64 headline_works, headline_international;
  double headline_share, headline_low, headline_high, coverage;
} CopubRun;

void copub_run_free (CopubRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubRun, copub_run_free)

/* Records the start of a run; returns its id, or -1 with @error set. */
gint64 copub_store_begin_run (CopubStore *store, GError **error);
/* Records how run @run->run_id ended (status, message, counts, headline). */
gboolean copub_store_finish_run (CopubStore *store, const CopubRun *run, GError **error);
/* The finished runs, oldest first (at most @limit, the latest ones; 0 = all).
 * Free with g_ptr_array_unref. */
GPtrArray *copub_store_list_runs (CopubStore *store, guint limit, GError **error);

/* ---- HAL structure cache ------------------------------------------------------------- */

/* Cached structure records older than this are asked again (and used when that fails). */
#define COPUB_STRUCTURE_MAX_AGE_DAYS 180

/* The cached /ref/structure record (JSON text) of structure @id ("struct-N"); *@out_record
 * is NULL when not cached. Free it with g_free. *@out_stale (may be NULL): whether it was
 * fetched more than COPUB_STRUCTURE_MAX_AGE_DAYS days ago. */
gboolean copub_store_get_structure (CopubStore *store, const char *id, char **out_record,
                                    gboolean *out_stale, GError **error);
/* Caches it (replacing any). Call inside a transaction. */
gboolean copub_store_put_structure (CopubStore *store, const char *id, const char *record,
                                    GError **error);

/* ---- the sources' own counts (the completeness check) ---------------------------------- */

/* One year of a source: what the source counted after a harvest, with the harvest's own
 * filter, and what the store holds under that filter. */
typedef struct {
  char *source;      /* "openalex", "hal" */
  int year;
  gint64 counted;    /* the source's count */
  gint64 held;       /* the store's works from @source with that year and, when the
                      * harvest asked for some types only, one of them: before any
                      * selection of copub's own (the corpus's types, retracted works,
                      * paratext) */
  char *types;       /* the harvest's types, ','-separated, or NULL: every type */
  char *counted_at;  /* ISO 8601 UTC */
} CopubSourceCount;

void copub_source_count_free (CopubSourceCount *count);

/* Replaces the counts of @source by @counts, one per year from @from to @to, taken with
 * a filter on @types (NULL or {"all"}: every type). Inside a transaction. */
gboolean copub_store_put_source_counts (CopubStore *store, const char *source,
                                        const char *const *types, int from, int to,
                                        const gint64 *counts, GError **error);
/* The counts of @source (every source when NULL), by source ("openalex" first) and year,
 * each with what the store holds now. Free with g_ptr_array_unref. */
GPtrArray *copub_store_source_counts (CopubStore *store, const char *source, GError **error);

/* How many works from @source in the corpus (a year within @from..@to, 0: no bound; not
 * retracted nor paratext; one of @types, NULL or {"all"}: every type) were last received
 * before the day @date ("YYYY-MM-DD"). */
gboolean copub_store_count_fetched_before (CopubStore *store, const char *source,
                                           const char *date, int from, int to,
                                           const char *const *types, gint64 *out_count,
                                           GError **error);

G_END_DECLS
