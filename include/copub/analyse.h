/* copub: the indicators. Reads work summaries from the store and computes the
 * international co-publication share and its companions, as defined in README.md. */
#pragma once

#include <glib.h>

#include "copub/store.h"
#include "copub/table.h"

G_BEGIN_DECLS

typedef struct {
  const char *home;            /* ISO alpha-2 home country, or NULL: no home country
                                * (international = two countries or more) */
  int from;                    /* first publication year, 0 = no bound */
  int to;                      /* last publication year, 0 = no bound */
  const char *const *types;    /* document types kept; NULL = the default set
                                * (article, review, book-chapter); {"all"} = every type */
  gboolean territories_as_home; /* French overseas territories count as FR when home is FR */
  const char *source;          /* "openalex", "hal", or NULL for every source */
} CopubAnalyseOptions;

#define COPUB_ANALYSE_OPTIONS_INIT { "FR", 0, 0, NULL, TRUE, NULL }

/* The document types kept by default. NULL-terminated, static. */
extern const char *const copub_analyse_default_types[];

/* Wilson score interval for @successes out of @n at 95 %; n = 0 gives NaN bounds. */
void copub_analyse_wilson (gint64 successes, gint64 n, double *out_low, double *out_high);

/* The country code @code counts as for @options (overseas territories folded into FR
 * when asked). Returns a static string or @code itself. */
const char *copub_analyse_harmonise (const CopubAnalyseOptions *options, const char *code);

/* One row per publication year with works: year, works, international, share,
 * share_low, share_high (Wilson 95 %), coverage (authorships with a known country),
 * complete (works whose every authorship has a country), share_complete. */
CopubTable *copub_analyse_by_year (CopubStore *store, const CopubAnalyseOptions *options,
                                   GError **error);

G_END_DECLS
