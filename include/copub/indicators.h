/* copub: what the counting returns. A CopubIndicators is a list of cells, one per
 * combination of dimension values (a year, a theme, a partner country...), each with the
 * integer counts behind the indicators and the exact fractional sum. Shares and their
 * intervals are computed from the counts by the copub_cell_*() functions, so every figure
 * comes with its n. Tables (text, CSV, JSON) are built from indicators at the edges
 * (copub_table_new_from_indicators() in table.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  COPUB_DIM_YEAR,
  COPUB_DIM_THEME,
  COPUB_DIM_COUNTRY,
  COPUB_DIM_PARTNER,
  COPUB_DIM_SOURCE,
  COPUB_DIM_TYPE,
  COPUB_DIM_REGION, /* a group of countries or institutions (copub/regions.h) */
  COPUB_DIM_INSTITUTION, /* partner institutions: top-level ROR ids (copub/institutions.h) */
  COPUB_N_DIMS
} CopubDimension;

typedef enum {
  COPUB_COUNTING_BOTH,
  COPUB_COUNTING_FULL,
  COPUB_COUNTING_FRACTIONAL,
} CopubCounting;

/* Returns the display name of an ISO country code in @lang ("en", "fr"), or NULL. */
typedef const char *(*CopubCountryNameFunc) (const char *code, const char *lang,
                                             gpointer user_data);

/* The name of dimension @dim ("year", "theme", "country", "partner", "source", "type",
 * "region", "institution"). Static. */
const char *copub_dimension_name (CopubDimension dim);

/* Fractional counts are exact: whole numbers of units of 1/COPUB_FRACTION_UNITS of a
 * work, COPUB_FRACTION_UNITS being lcm(1..40), so that sums do not depend on the order or
 * the split of the input. A sum is an unsigned 128-bit number: high * 2^64 + low. */
#define COPUB_FRACTION_UNITS G_GINT64_CONSTANT (5342931457063200)
typedef struct {
  guint64 high;
  guint64 low;
} CopubFraction;

/* The fraction in works (a double: for charts and JSON). */
double copub_fraction_to_double (CopubFraction fraction);
/* The fraction in hundredths of a work, rounded once, halves up. */
gint64 copub_fraction_hundredths (CopubFraction fraction);

/* One cell. Only the values of the indicators' dimensions are set (the others are 0 or
 * NULL); strings belong to the indicators. */
typedef struct {
  /* Dimension values. */
  int year;           /* COPUB_DIM_YEAR: the year, or the last year of a rolling period */
  int first_year;     /* the rolling period's first year; == year for single years */
  const char *theme;   /* COPUB_DIM_THEME: the theme's name */
  const char *country; /* COPUB_DIM_COUNTRY: a harmonised ISO 3166-1 alpha-2 code */
  const char *partner; /* COPUB_DIM_PARTNER: the partner's name in the partner file */
  const char *source;  /* COPUB_DIM_SOURCE: "openalex", "hal" or "both" */
  const char *type;    /* COPUB_DIM_TYPE: the OpenAlex document type ("article"), or
                        * "(unknown)" (with every type kept) */
  const char *region;  /* COPUB_DIM_REGION: the group's name ("EU-27", a groups file's) */
  gboolean institution_group; /* ... a group of institutions: no fractional count */
  const char *institution; /* COPUB_DIM_INSTITUTION: a partner institution's top-level
                            * short ROR id */

  /* Counts. Without a country, partner or region dimension: the works of the cell and
   * their authorships. With one: works = the works co-authored with the country, partner
   * or group,
   * n = the institution's works in the cell's other dimensions; the authorship counts
   * are 0. */
  gint64 works;
  gint64 n;                      /* == works without a country or partner dimension */
  gint64 international;          /* works with a co-author abroad */
  gint64 authorships;
  gint64 known;                  /* authorships with a known country */
  gint64 complete;               /* works whose every authorship has a country */
  gint64 complete_international; /* ... of them international */
  CopubFraction fractional;      /* country (institution) dimension: the country's (the
                                  * institution's) fractional credit; region (country
                                  * groups): the sum of the credits of the work's foreign
                                  * countries in the group */

  /* Country dimension: the competition rank among the cells sharing the other values,
   * by the counting's measure ("1224"); tied when another cell shares it. */
  gint64 rank;
  gboolean tied;

  gboolean pair; /* set by copub_indicators_add_cell(): a country or partner dimension */
} CopubCell;

/* The share: international / works without a country or partner dimension, works / n
 * with one. NaN when the denominator is 0. */
double copub_cell_share (const CopubCell *cell);
/* The share's Wilson 95 % interval (NaN bounds when the denominator is 0). */
void copub_cell_share_interval (const CopubCell *cell, double *out_low, double *out_high);
/* known / authorships (NaN when 0). */
double copub_cell_coverage (const CopubCell *cell);
/* complete_international / complete: the share among complete works (NaN when 0). */
double copub_cell_share_complete (const CopubCell *cell);
/* The ceiling: every work not complete taken as international, over works (NaN when 0). */
double copub_cell_share_max (const CopubCell *cell);
/* The fractional credit over n (NaN when n is 0). */
double copub_cell_fractional_share (const CopubCell *cell);

typedef struct CopubIndicators CopubIndicators;

/* An empty set of indicators with dimensions @dims, for callers that hold counts from
 * elsewhere (tests, other tools): fill it with copub_indicators_add_cell(). @window > 1:
 * the year dimension holds rolling periods. @home is the home country or NULL. */
CopubIndicators *copub_indicators_new (const CopubDimension *dims, guint n_dims,
                                       guint window, CopubCounting counting,
                                       const char *home);
CopubIndicators *copub_indicators_ref (CopubIndicators *indicators);
void copub_indicators_unref (CopubIndicators *indicators);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubIndicators, copub_indicators_unref)

/* Appends a copy of @cell (its strings are copied). Returns the copy. */
const CopubCell *copub_indicators_add_cell (CopubIndicators *indicators,
                                            const CopubCell *cell);

/* The cells, in the order of the tables: non-pair dimensions in column order (years
 * ascending), partners in their file's order, then countries by the counting's measure,
 * most first. */
guint copub_indicators_n_cells (const CopubIndicators *indicators);
const CopubCell *copub_indicators_cell (const CopubIndicators *indicators, guint i);
/* The first cell whose values of the indicators' dimensions equal @key's, or NULL. */
const CopubCell *copub_indicators_find (const CopubIndicators *indicators,
                                        const CopubCell *key);

/* The dimensions, in column order. */
const CopubDimension *copub_indicators_dims (const CopubIndicators *indicators,
                                             guint *n_dims);
gboolean copub_indicators_has_dim (const CopubIndicators *indicators, CopubDimension dim);
/* TRUE with a country, partner or institution dimension (cells have n, not authorship
 * counts). */
gboolean copub_indicators_by_pair (const CopubIndicators *indicators);
/* Years in a rolling period; 1 for single years. */
guint copub_indicators_window (const CopubIndicators *indicators);
CopubCounting copub_indicators_counting (const CopubIndicators *indicators);
/* The home country, or NULL (international = two countries or more). */
const char *copub_indicators_home (const CopubIndicators *indicators);
/* TRUE when a counted work is copub's generated sample data. */
gboolean copub_indicators_synthetic (const CopubIndicators *indicators);
void copub_indicators_set_synthetic (CopubIndicators *indicators, gboolean synthetic);

/* How country codes are named (the tables' country_name column); @lang is copied. */
void copub_indicators_set_country_names (CopubIndicators *indicators,
                                         CopubCountryNameFunc func, const char *lang,
                                         gpointer user_data);
/* The name of @cell's country, or NULL (no name function, or no name). */
const char *copub_indicators_country_name (const CopubIndicators *indicators,
                                           const CopubCell *cell);
gboolean copub_indicators_has_country_names (const CopubIndicators *indicators);
/* The language names are given in ("en" unless set with the country names). */
const char *copub_indicators_lang (const CopubIndicators *indicators);

/* What a table says of a partner institution besides its ROR id. */
typedef struct {
  const char *openalex; /* its OpenAlex id ("I90183372"), or NULL when no work cites it */
  const char *name;     /* in the indicators' language, or NULL */
  const char *country;  /* ISO alpha-2, or NULL */
} CopubInstitutionInfo;

/* Records what is known of the institution @ror (strings copied; NULL: unknown). */
void copub_indicators_set_institution (CopubIndicators *indicators, const char *ror,
                                       const char *openalex, const char *name,
                                       const char *country);
/* What is known of @cell's institution (every member NULL when nothing is). Static
 * members, owned by the indicators. */
CopubInstitutionInfo copub_indicators_institution (const CopubIndicators *indicators,
                                                   const CopubCell *cell);

G_END_DECLS
