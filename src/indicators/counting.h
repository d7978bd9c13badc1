/* copub: the counting's cells while they are summed, shared by the store's analysis
 * (analyse.c) and the aggregates of scans and partial files (aggregate.c). Private. */
#pragma once

#include <glib.h>

#include "copub/analyse.h"
#include "copub/indicators.h"

/* Fractional counts are integers in units of 1/FRAC_SCALE of a work, FRAC_SCALE being
 * lcm(1..40): a part 1/(K C) (K authorships with a country, C countries in the
 * authorship) is a whole number of units whenever K C divides it (every K C up to 40,
 * and 48, 60, 100, 120, 200, 300...), so equal fractions stay equal. A work's credit to
 * a country is rounded once to the nearest unit (halves up), exact in those cases; sums
 * of integers (128 bits: 3 * 10^22 works) do not depend on the order or the split of
 * the input. */
#define FRAC_SCALE COPUB_FRACTION_UNITS

__extension__ typedef unsigned __int128 FracWide;
__extension__ typedef __int128 FracSum;

#define SEP "\x1f" /* joins dimension values into keys */

typedef struct {
  gint64 works;
  gint64 international;
  gint64 authorships;
  gint64 known;
  gint64 complete;
  gint64 complete_international;
  FracSum fractional; /* units of 1/FRAC_SCALE of a work */
  char **values;      /* the cell's dimension values, in options->dims order */
  int year;           /* for the year dimension: the year (periods: the last year) */
  guint partner;      /* for ordering partners as in their file */
} Cell;

/* Called for each work of the corpus, once (records of one work in several sources
 * merged), with its harmonised distinct countries (the home country among them) and its
 * theme as the analysis names it. */
typedef void (*CopubCountingWorkFunc) (const CopubWorkSummary *summary,
                                       const char *const *countries, guint n_countries,
                                       const char *theme, gpointer user_data);

/* The per-work loop's buffers, reused from one work to the next (analyse.c). */
typedef struct _ScanBuffers ScanBuffers;

typedef struct {
  const CopubAnalyseOptions *options;
  ScanBuffers *buffers;
  CopubCountingWorkFunc on_work; /* set: works go to it instead of the cells */
  gpointer on_work_data;
  gboolean has_pair;       /* a country or partner dimension */
  GHashTable *base;        /* key of the non-pair dimensions -> Cell */
  GHashTable *cells;       /* full key -> Cell (== base when !has_pair) */
  gboolean synthetic;
  int min_year, max_year;
  GHashTable *linked;      /* "source\x1fid" -> group, for works held by several sources */
  GHashTable *group_sizes; /* group -> its number of records */
  GHashTable *groups;      /* group -> GPtrArray of Member read so far */
  GHashTable *seen_institutions; /* ROR -> SeenInstitution: of the cited institutions
                                  * with that ROR, the one of the smallest id */
} Scan;

/* A cited institution, as the store or a work gives it. */
typedef struct {
  char *id, *name, *country;
} SeenInstitution;

gboolean copub_counting_is_pair_dim (CopubDimension d);
/* The number of non-pair dimensions of @o: the values of a base cell. */
guint copub_counting_n_base_values (const CopubAnalyseOptions *o);
void copub_counting_default_dims (CopubAnalyseOptions *o);
gboolean copub_counting_check_options (const CopubAnalyseOptions *o, GError **error);

void copub_counting_scan_init (Scan *scan, const CopubAnalyseOptions *options);
void copub_counting_scan_clear (Scan *scan);
/* Counts one work (if it is in the corpus). */
void copub_counting_scan_count (Scan *scan, const CopubWorkSummary *summary);
/* The cell of @key (dimension values joined with SEP, each followed by it) in @table,
 * created with @values when absent. */
Cell *copub_counting_scan_cell (GHashTable *table, const char *key, char **values, guint n_values);
void copub_counting_scan_cell_add (Cell *to, const Cell *from);
/* Replaces the single years by rolling periods when the options ask for them. */
void copub_counting_scan_apply_window (Scan *scan);
/* Calls @func for each work of the store in the corpus @options define, exactly as
 * copub_analyse() counts them (same filter, same merging of a work's records). */
gboolean copub_counting_foreach_work (CopubStore *store, const CopubAnalyseOptions *options,
                                      CopubCountingWorkFunc func, gpointer user_data,
                                      GError **error);
/* Tells @scan of a cited institution (what the institution dimension's tables say of a
 * ROR id: the cited institution of the smallest id with it, whatever the order). */
void copub_counting_learn_institution (Scan *scan, const char *id, const char *ror,
                                       const char *name, const char *country);
/* The indicators of the scan, sorted and ranked. */
CopubIndicators *copub_counting_scan_indicators (Scan *scan);
