/* copub: the indicators. Reads work summaries from the store and computes the
 * international co-publication share and its companions, as defined in README.md:
 * by year (or rolling periods), theme, partner country, strategic partner and source. */
#pragma once

#include <glib.h>

#include <stdio.h>

#include "copub/indicators.h"
#include "copub/institutions.h"
#include "copub/partners.h"
#include "copub/regions.h"
#include "copub/store.h"
#include "copub/work.h"

G_BEGIN_DECLS

typedef enum {
  COPUB_THEME_FIELD,  /* OpenAlex primary_topic.field (26) */
  COPUB_THEME_DOMAIN, /* OpenAlex primary_topic.domain (4) */
} CopubThemeLevel;

typedef struct {
  const char *home;             /* ISO alpha-2 home country, or NULL: no home country
                                 * (international = two countries or more) */
  int from;                     /* first publication year, 0 = no bound */
  int to;                       /* last publication year, 0 = no bound */
  const char *const *types;     /* document types kept; NULL = the default set
                                 * (article, review, book-chapter); {"all"} = every type */
  gboolean territories_as_home; /* French overseas territories count as FR when home is FR */
  gboolean hk_mo_as_cn;         /* Hong Kong and Macao count as CN */
  gboolean source_countries_only; /* ignore the countries copub's normaliser inferred */
  const char *source;           /* "openalex", "hal", or NULL for every source */
  CopubDimension dims[COPUB_N_DIMS]; /* the table's dimensions, in column order */
  guint n_dims;                 /* 0 = by year */
  guint window;                 /* > 1: rolling periods of that many years instead of years */
  CopubCounting counting;       /* for partner countries */
  CopubThemeLevel theme_level;
  const CopubThemeMap *themes;  /* NULL: themes are OpenAlex fields/domains, HAL domains */
  CopubPartners *partners; /* required for COPUB_DIM_PARTNER; learns the ids of its
                            * "name:" lines from the store or the works scanned */
  const char *lang;             /* language of names: "en" (default) or "fr" */
  CopubCountryNameFunc country_name; /* NULL: no country_name column */
  gpointer country_name_data;
  const CopubRegions *regions;  /* the groups of COPUB_DIM_REGION (required for it) */
  /* The institution dimension: partner institutions are the top-level parents
   * (@institution_tree, required) of the works' ROR ids but @home_institution's own
   * (a short ROR id; required). @top > 0 keeps the @top partners with the most works
   * (fractional credit with fractional counting) over the whole table. */
  const char *home_institution;
  const CopubInstitutionTree *institution_tree;
  guint top;
  /* The home institution's OpenAlex id (or NULL): a cited ROR id whose OpenAlex
   * institution has it in its lineage, in the work's record, is a home unit, not a
   * partner. copub_analyse() finds it in the store when NULL (the OpenAlex institution
   * of @home_institution's ROR id, or @home_institution itself when it is one). */
  const char *home_openalex;
} CopubAnalyseOptions;

/* The home country when none is given. */
#define COPUB_DEFAULT_HOME "FR"

#define COPUB_ANALYSE_OPTIONS_INIT \
  { COPUB_DEFAULT_HOME, 0, 0, NULL, TRUE, FALSE, FALSE, NULL, { COPUB_DIM_YEAR }, 0, 0, COPUB_COUNTING_BOTH, \
    COPUB_THEME_FIELD, NULL, NULL, "en", NULL, NULL, \
    NULL /* regions */, NULL, NULL, 0 /* institution dimension */, NULL }

/* The document types kept by default. NULL-terminated, static. */
extern const char *const copub_analyse_default_types[];

/* Parses a comma list of dimension names ("year,country", "institution,year") into
 * @options->dims.
 * COPUB_ERROR_USAGE names an unknown or repeated dimension. */
gboolean copub_analyse_parse_dims (CopubAnalyseOptions *options, const char *list,
                                   GError **error);

/* Wilson score interval for @successes out of @n at 95 %; n = 0 gives NaN bounds. */
void copub_analyse_wilson (gint64 successes, gint64 n, double *out_low, double *out_high);

/* The country code @code counts as for @options (overseas territories folded into FR,
 * Hong Kong and Macao into CN, when asked). Returns a static string or @code itself. */
const char *copub_analyse_harmonise (const CopubAnalyseOptions *options, const char *code);

/* Counts the store's works for @options' dimensions: one cell per combination of values
 * (see indicators.h). Without a country or partner dimension a cell holds the works, the
 * international ones, the authorships with a known country and the complete works. With
 * one: works co-authored with that country or partner, n (the institution's works in the
 * cell's other dimensions), the fractional credit, and the rank. The cells name their
 * countries through @options' country_name. Free with copub_indicators_unref. */
CopubIndicators *copub_analyse (CopubStore *store, const CopubAnalyseOptions *options,
                                GError **error);

/* The ROR id of the home institution @id: @id itself when it is one, else the ROR id of
 * the institution of that id (OpenAlex, HAL) the store's works cite; NULL in *@out_ror
 * when the store knows none (free it with g_free). FALSE only when the store fails. */
gboolean copub_analyse_home_ror (CopubStore *store, const char *id, char **out_ror,
                                 GError **error);

/* copub_analyse() by year. */
CopubIndicators *copub_analyse_by_year (CopubStore *store, const CopubAnalyseOptions *options,
                                        GError **error);

/* ---- aggregates without a store ------------------------------------------------------ */

/* The counts behind copub_analyse(), built from works as they are read (a scan of
 * snapshot files) and from partial aggregates written by other processes. Counts are
 * sums, so partials of disjoint inputs add up to the aggregate of the whole. */
typedef struct CopubAggregate CopubAggregate;

/* @options (copied; the strings, type list, theme map and partner list it points to
 * must outlive the aggregate). COPUB_ERROR_USAGE for inconsistent options. */
CopubAggregate *copub_aggregate_new (const CopubAnalyseOptions *options, GError **error);
void copub_aggregate_free (CopubAggregate *aggregate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubAggregate, copub_aggregate_free)

/* Counts @work (if it is in the corpus the options define). */
void copub_aggregate_add_work (CopubAggregate *aggregate, const CopubWork *work);
/* Writes the counts as a partial aggregate (text) to @out and flushes it; COPUB_ERROR_IO
 * when writing fails. Atomic replacement of a file is the caller's. */
gboolean copub_aggregate_write (const CopubAggregate *aggregate, FILE *out, GError **error);
/* Adds the partial aggregate read from @in (to its end); @name (a file name) is quoted in
 * errors. COPUB_ERROR_USAGE when it was computed with other options, COPUB_ERROR_PARSE
 * when it is not a partial, COPUB_ERROR_IO when reading fails. */
gboolean copub_aggregate_merge_stream (CopubAggregate *aggregate, FILE *in, const char *name,
                                       GError **error);
/* copub_aggregate_merge_stream() of the file @path. */
gboolean copub_aggregate_merge_file (CopubAggregate *aggregate, const char *path,
                                     GError **error);
/* The indicators, as copub_analyse() would give them. Call once. Free with
 * copub_indicators_unref. */
CopubIndicators *copub_aggregate_indicators (CopubAggregate *aggregate);

/* The headline figure for a period: counts summed over [from, to]. */
typedef struct {
  int from;
  int to;
  gint64 works;
  gint64 international;
  double share;
  double low;
  double high;
  double coverage;
  gboolean synthetic;
} CopubHeadline;

/* Computes the headline for [period_from, period_to]; 0, 0 = the last complete year:
 * the latest year with works before the current one. FALSE with COPUB_ERROR_FAILED
 * when the corpus has no work in the period. */
gboolean copub_analyse_headline (CopubStore *store, const CopubAnalyseOptions *options,
                                 int period_from, int period_to, CopubHeadline *out,
                                 GError **error);

/* How the headline depends on its definition: the same period, one part of the
 * definition changed at a time. */
typedef enum {
  COPUB_VARIANT_HEADLINE,           /* the options as given */
  COPUB_VARIANT_ARTICLES,           /* articles only */
  COPUB_VARIANT_ALL_TYPES,          /* every document type, conference papers included */
  COPUB_VARIANT_OPENALEX,           /* OpenAlex's works alone */
  COPUB_VARIANT_HAL,                /* HAL's works alone */
  COPUB_VARIANT_BOTH_SOURCES,       /* both sources, their records of a work counted once */
  COPUB_VARIANT_SOURCE_COUNTRIES,   /* the sources' countries only (--source-countries-only) */
  COPUB_VARIANT_TERRITORIES_ABROAD, /* French overseas territories abroad (home FR only) */
  COPUB_N_VARIANTS
} CopubVariant;

/* @options with @variant's change, in @out (which may point into @options' strings and
 * copub's static type lists). FALSE when the variant does not apply (territories abroad
 * with a home country other than FR). */
gboolean copub_analyse_variant_options (const CopubAnalyseOptions *options,
                                        CopubVariant variant, CopubAnalyseOptions *out);

/* The headline's counts for [@from, @to] under @variant of @options, by the same
 * counting as copub_analyse_headline(); out->works is 0 (and the share NaN) when the
 * variant has no work in the period. FALSE only when the store fails. */
gboolean copub_analyse_variant_headline (CopubStore *store, const CopubAnalyseOptions *options,
                                         CopubVariant variant, int from, int to,
                                         CopubHeadline *out, GError **error);

/* "About one in two", as copub's report uses it: the share lies between 45 % and 55 %,
 * both included (exactly, from the counts). FALSE without works. */
#define COPUB_ABOUT_HALF_LOW 45
#define COPUB_ABOUT_HALF_HIGH 55
gboolean copub_analyse_about_half (const CopubHeadline *headline);

/* "nearly one in two", "more than one in three"...: the share in words, honest to the
 * number (under, about or over the nearest simple fraction), in @lang ("en", "fr").
 * @noun is the counted thing's singular and plural ("publication", "publications").
 * Free with g_free. */
char *copub_analyse_share_in_words (double share, const char *lang);
/* The document types (NULL: the default ones; "all") in words, in English or French
 * (@lang "fr"): "articles, reviews and book chapters". Free with g_free. */
char *copub_analyse_types_in_words (const char *const *types, const char *lang);
/* FALSE with COPUB_ERROR_USAGE naming the first of @types that is not one of OpenAlex's
 * document types (HAL's are mapped to them) nor "all" alone, and listing the valid ones. */
gboolean copub_analyse_check_types (const char *const *types, GError **error);

/* The sentence a report quotes: the share in words, the percentage with its interval,
 * n, the period, and the definition in a few words. Free with g_free. */
char *copub_analyse_headline_sentence (const CopubHeadline *headline,
                                       const CopubAnalyseOptions *options,
                                       const char *institution_name);

G_END_DECLS
