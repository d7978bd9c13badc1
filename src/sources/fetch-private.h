/* copub: the harvest engine of the fetch module, private to src/. A harvest is a list of
 * slices (publication years) that parallel jobs take from a queue, each job with its own
 * HTTP client and store connection, all under one rate limiter. A slice is walked page by
 * page with the API's cursor; each page's works and the slice's next cursor are committed
 * in one transaction, so a harvest killed at any moment resumes where it stopped. The
 * source (OpenAlex, HAL) only says how to fetch one page; the engine does the rest:
 * resume, refresh window, progress, counts and the first error. */
#pragma once

#include <glib.h>

#include "copub/fetch.h"
#include "sources/http.h"
#include "copub/normalise.h"
#include "copub/store.h"

G_BEGIN_DECLS

typedef struct _CopubHarvest CopubHarvest;
typedef struct _CopubHarvestConfig CopubHarvestConfig;

/* One slice: fetched, committed and resumed on its own. */
typedef struct {
  char *name;  /* its key in the store, under the harvest's key ("2020") */
  char *query; /* the source's filter for it ("publicationDateY_i:2020"), or NULL */
  int year;    /* the year that puts it in the refresh window */
} CopubHarvestSlice;

/* A new slice (strings copied). Free with copub_harvest_slice_free. */
CopubHarvestSlice *copub_harvest_slice_new (const char *name, const char *query, int year);
/* NULL-safe. */
void copub_harvest_slice_free (CopubHarvestSlice *slice);

/* What one job works with; valid while the source's fetch and write functions run. */
typedef struct {
  const CopubHarvestConfig *config;
  CopubHarvest *harvest;
  CopubHttp *http;   /* the job's own client (one kept-alive connection) */
  CopubStore *store; /* the job's own store connection */
} CopubHarvestJob;

/* One page of a slice, as the source's fetch function fills it. */
typedef struct {
  GPtrArray *works;         /* of CopubWork*, to store; owned */
  gint64 count;             /* the API's count of the slice's works; -1 when unknown */
  char *next_cursor;        /* where the next page starts; NULL when the slice is complete */
  gpointer extra;           /* source data for the write function, or NULL */
  GDestroyNotify extra_free;
} CopubHarvestPage;

#define COPUB_HARVEST_PAGE_INIT { NULL, -1, NULL, NULL, NULL }
void copub_harvest_page_clear (CopubHarvestPage *page);

/* Fetches the page of @slice that starts at @cursor ("*" for the first page) into @page
 * (cleared, count -1). A page whose next cursor equals @cursor ends the slice. */
typedef gboolean (*CopubHarvestFetchFunc) (CopubHarvestJob *job, const CopubHarvestSlice *slice,
                                           const char *cursor, CopubHarvestPage *page,
                                           GError **error);
/* Writes what the source keeps besides the works (a cache), inside the page's
 * transaction, through @job->store. */
typedef gboolean (*CopubHarvestWriteFunc) (CopubHarvestJob *job, const CopubHarvestPage *page,
                                           GError **error);

struct _CopubHarvestConfig {
  const char *db_path;
  const char *key;              /* the store's key of this harvest
                                 * ("hal docs struct:413289 year:produced") */
  GPtrArray *slices;            /* of CopubHarvestSlice*, in the order to fetch them */
  int refresh_from;             /* done slices of this year and later are fetched again */
  gboolean full;                /* every slice is fetched again from its start */
  guint jobs;                   /* slices fetched at once (>= 1) */
  CopubRateLimiter *limiter;    /* shared by every client of the harvest */
  const char *mailto;           /* for the user agent, or NULL */
  const char *const *secrets;   /* never shown (API keys), NULL-terminated, or NULL */
  guint max_attempts;           /* 0: the HTTP layer's defaults */
  guint retry_base_ms;
  guint timeout_ms;
  const CopubCallbacks *callbacks; /* notes and progress, or NULL */
  CopubHarvestFetchFunc fetch_page;
  CopubHarvestWriteFunc write_page; /* or NULL */
  const CopubNormaliser *normaliser; /* fills in authorships without a country, or NULL */
  gpointer user_data;           /* the source's, for its functions */
};

/* A client configured as @config says (rate limiter, retries, timeouts, user agent), for
 * the jobs and for requests made before the harvest (resolving an id). */
CopubHttp *copub_harvest_http_new (const CopubHarvestConfig *config, GError **error);

/* Counts a response's attempts as requests and keeps its X-RateLimit-Remaining. Call it
 * for every request a fetch function makes. Thread-safe. */
void copub_harvest_note_response (CopubHarvest *harvest, const CopubHttpResponse *response);

/* Passes a note to the caller's callbacks (copub_note: never two at once). Thread-safe. */
void copub_harvest_note (CopubHarvest *harvest, CopubNoteLevel level, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* The harvest's stats, locked for the caller to update source counts (OpenAlex's
 * refetched works); unlock at once. */
CopubFetchStats *copub_harvest_lock_stats (CopubHarvest *harvest);
void copub_harvest_unlock_stats (CopubHarvest *harvest);

/* What copub_harvest_run() will do with @slice, read from @store (the harvest's, opened
 * by the caller): *@pending FALSE when it is complete and outside the refresh window,
 * *@works_done the works a resumed slice holds already (0 otherwise). */
gboolean copub_harvest_slice_pending (CopubStore *store, const CopubHarvestConfig *config,
                                      const CopubHarvestSlice *slice, gboolean *pending,
                                      gint64 *works_done, GError **error);

/* Runs the harvest: creates or migrates the store, then fetches the slices in their
 * order, @config->jobs at once (a slice with a saved cursor resumes from it; a done slice
 * is skipped unless its year is in the refresh window), and fills @stats (zeroed by the
 * caller, with budget_remaining -1). Fails with the first job's error, the other jobs
 * stopping after their current page; what was committed stays. */
gboolean copub_harvest_run (const CopubHarvestConfig *config, CopubFetchStats *stats,
                            GError **error);

G_END_DECLS
