/* copub: the completeness check of a harvest, private to src/sources. After a harvest the
 * source is asked for its own count per publication year, with the harvest's filter
 * (OpenAlex group_by=publication_year, HAL facet counts on the year field); this module
 * keeps those counts in the store and compares them with what the store holds. */
#pragma once

#include <glib.h>

#include "copub/callbacks.h"

G_BEGIN_DECLS

/* A source's count per year, from @from to @to: what the OpenAlex group_by answer and
 * HAL's facets are read into. */
typedef struct {
  int from, to;
  gint64 *counts; /* [year - from], to - from + 1 of them */
} CopubYearCounts;

/* Every count to 0, before an answer is read. */
void copub_year_counts_zero (CopubYearCounts *yc);

/* Sets the count of the year @key names ("2020", or an id ending in "/2020") when the year
 * is in the range; FALSE when @key names no year. */
gboolean copub_year_counts_set (CopubYearCounts *yc, const char *key, gint64 count);

/* Replaces the store's counts of @source ("openalex", "hal") by @counts (one per year from
 * @from to @to, taken with a filter on @types: NULL for every type) in one transaction,
 * then compares them with what the store holds. With @out_counts NULL (a harvest), a
 * warning to @callbacks names the years that differ, a message says when none does;
 * otherwise (a check) *@out_counts gets the rows (CopubSourceCount, copub/store.h) and
 * the caller says what they show. */
gboolean copub_completeness_record (const char *db_path, const char *source,
                                    const char *const *types, int from, int to,
                                    const gint64 *counts, const CopubCallbacks *callbacks,
                                    GPtrArray **out_counts, GError **error);

/* The years of @counts (CopubSourceCount) where the source and the store differ, as
 * "2020 (OpenAlex 8, store 7), 2021 (...)", or NULL when none does. */
char *copub_completeness_differences (GPtrArray *counts);

G_END_DECLS
