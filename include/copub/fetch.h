/* copub: harvesting from the OpenAlex API into the store. The year range is cut into
 * slices (one per publication year) fetched in parallel under one request-rate limit;
 * each page's works and the slice's next cursor are committed together, so a fetch
 * killed at any moment resumes where it stopped. */
#pragma once

#include <glib.h>

#include "copub/callbacks.h"
#include "copub/hal-rules.h"
#include "copub/normalise.h"

G_BEGIN_DECLS

#define COPUB_OPENALEX_BASE_URL "https://api.openalex.org"
/* OpenAlex's last re-match of affiliations to institutions: its matcher v3, switched on
 * 2026-09-28, changed about 118 M institution assignments without changing the works'
 * updated_date. A work fetched before it may keep the old institutions and countries. */
#define COPUB_OPENALEX_REMATCHED "2026-09-28"

typedef struct {
  const char *base_url;        /* NULL: COPUB_OPENALEX_BASE_URL */
  const char *institution;     /* OpenAlex id ("I90183372", or its URL) or ROR id */
  int from;                    /* first publication year; 0: ten years back */
  int to;                      /* last publication year; 0: the current year */
  const char *const *types;    /* NULL: article, review, book-chapter; {"all"}: every type */
  const char *api_key;         /* or NULL; never logged */
  const char *mailto;          /* or NULL */
  double rate;                 /* requests per second; 0: what the API allows (see .c) */
  guint jobs;                  /* slices fetched at once; 0: 4 */
  guint refresh_years;         /* done slices of the last N years are harvested again */
  const char *since;           /* "YYYY-MM-DD": fetch only works updated since (paid plans) */
  const CopubCallbacks *callbacks; /* notes and progress for the caller, or NULL */
  guint max_attempts;          /* 0: the HTTP layer's default */
  guint retry_base_ms;         /* 0: the HTTP layer's default */
  guint timeout_ms;            /* per request; 0: the HTTP layer's default */
  guint per_page;              /* 0: 100 (the documented maximum), or 200 when the budget
                                * preflight shows the server takes it */
  const CopubNormaliser *normaliser; /* fills in authorships without a country, or NULL */
  gboolean full;               /* harvest every slice again from its start, whatever the
                                * saved state, the refresh window and @since */
  gboolean include_xpac;       /* also harvest OpenAlex's xpac works (include_xpac=true) */
  gboolean allow_partial;      /* harvest even when the preflight says the day's budget
                                * cannot finish it (it stops when the budget is spent) */
  gboolean dry_run;            /* the preflight only: fill the stats' plan, change nothing */
} CopubFetchOptions;

#define COPUB_FETCH_OPTIONS_INIT \
  { NULL, NULL, 0, 0, NULL, NULL, NULL, 0, 0, 2, NULL, NULL, 0, 0, 0, 0, NULL, FALSE, FALSE, \
    FALSE, FALSE }

/* One slice in the preflight's plan. */
typedef struct {
  int year;
  gint64 count;          /* the API's count of the year's works (the filter's) */
  gint64 works_done;     /* already in the store (a slice resumed), or 0 */
  gboolean skipped;      /* complete and outside the refresh window: not fetched */
  guint64 calls;         /* list calls it needs (0 when skipped) */
} CopubFetchPlanSlice;

typedef struct {
  guint slices;          /* slices in the range */
  guint slices_fetched;  /* fetched (or resumed) in this run */
  guint slices_skipped;  /* already complete and outside the refresh window */
  guint64 pages;
  guint64 works;         /* works received */
  guint64 inserted;
  guint64 updated;
  guint64 unchanged;
  guint64 refetched;     /* works with truncated author lists fetched again one by one */
  guint64 requests;
  gint64 budget_remaining; /* X-RateLimit-Remaining of the last answer, -1 when unknown */
  double seconds;
  char *institution_id;  /* the OpenAlex id harvested (a ROR id resolved) */
  /* The budget preflight (OpenAlex): one group_by=publication_year call before any page. */
  GArray *plan;          /* of CopubFetchPlanSlice, newest year first; NULL without one */
  guint per_page;        /* the page size used */
  guint64 planned_calls; /* list calls the slices to fetch need */
  gint64 budget_left;    /* list calls left today before the harvest, -1 when unknown */
  gint64 budget_reset_s; /* seconds until the budget resets, -1 when unknown */
  double planned_seconds; /* the calls at the request rate */
  gboolean over_budget;  /* the calls exceed what is left (a dry run, --allow-partial) */
} CopubFetchStats;

void copub_fetch_stats_clear (CopubFetchStats *stats);

/* Harvests the works of @options->institution (its lineage: units and predecessors
 * included) into the store at @db_path. Before any list page, a preflight asks the API
 * for the filter's count per year (one group_by call, at per_page=200: a 400 naming
 * per_page there means pages of 100) and the day's budget (/rate-limit with a key, the
 * X-RateLimit-* headers otherwise); a harvest that needs more list calls than are left
 * fails with COPUB_ERROR_RATE_LIMITED (option "allow_partial" or "allow_partial_key")
 * before it starts, unless @options->allow_partial. A page refused with a 400 naming
 * per_page is asked again at 100, once. A 401 is COPUB_ERROR_USAGE (option "api_key").
 * After the harvest, the preflight's counts are kept in the store with what the store
 * holds (copub_store_source_counts); a difference is a warning to the callbacks naming
 * the years. Errors: COPUB_ERROR_USAGE (bad options),
 * COPUB_ERROR_NETWORK and COPUB_ERROR_RATE_LIMITED (from the HTTP layer; what was
 * committed stays), COPUB_ERROR_PARSE, COPUB_ERROR_DB. */
gboolean copub_fetch_openalex (const char *db_path, const CopubFetchOptions *options,
                               CopubFetchStats *stats, GError **error);

#define COPUB_HAL_BASE_URL "https://api.archives-ouvertes.fr"

typedef struct {
  const char *base_url;        /* NULL: COPUB_HAL_BASE_URL */
  const char *structure;       /* HAL structure id ("413289" or "struct-413289"), or NULL */
  const char *collection;      /* HAL collection code ("UNIV-LORRAINE"), or NULL */
  int from;                    /* first year (by the rules' date); 0: ten years back */
  int to;                      /* last year; 0: the current year */
  const char *mailto;          /* or NULL */
  double rate;                 /* requests per second; 0: a polite default */
  guint jobs;                  /* slices fetched at once; 0: 2 */
  guint refresh_years;         /* done slices of the last N years are harvested again */
  const CopubCallbacks *callbacks; /* notes and progress for the caller, or NULL */
  guint max_attempts, retry_base_ms, timeout_ms, rows; /* 0: defaults (tests change them) */
  const CopubNormaliser *normaliser; /* fills in authorships without a country, or NULL */
  const CopubHalRules *rules;  /* year slices and filters (copub/hal-rules.h); NULL: defaults */
} CopubFetchHalOptions;

#define COPUB_FETCH_HAL_OPTIONS_INIT \
  { NULL, NULL, NULL, 0, 0, NULL, 0, 0, 2, NULL, 0, 0, 0, 0, NULL, NULL }

/* Harvests a HAL structure's or collection's documents into the store at @db_path,
 * with cursorMark paging per year slice (by @options->rules' date; older versions and,
 * unless kept, annexes filtered out with fq), resumable like the OpenAlex
 * harvest, resolving structures without a country through /ref/structure (cached in
 * the store), then takes HAL's own counts per year (facet counts on the year field of
 * the slices, with the harvest's query) as copub_fetch_openalex does. Same errors as
 * copub_fetch_openalex. */
gboolean copub_fetch_hal (const char *db_path, const CopubFetchHalOptions *options,
                          CopubFetchStats *stats, GError **error);

/* The completeness check on demand: asks the source for its count per year with the
 * filter a harvest with these options uses, keeps it in the store at @db_path and gives
 * the rows (CopubSourceCount: counted and held per year; free with g_ptr_array_unref)
 * in *@out_counts: the caller says what they show. Fails as the harvest's requests do
 * (COPUB_ERROR_NETWORK...), the store's counts unchanged. */
gboolean copub_check_openalex (const char *db_path, const CopubFetchOptions *options,
                               GPtrArray **out_counts, GError **error);
gboolean copub_check_hal (const char *db_path, const CopubFetchHalOptions *options,
                          GPtrArray **out_counts, GError **error);

/* The select= list copub asks the API for: the fields it keeps. Free with g_free. */
char *copub_fetch_openalex_select (void);

G_END_DECLS
