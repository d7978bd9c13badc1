/* copub: charts. Computes the tables the charts and the report are drawn from, and
 * draws them with gnuplot, run as a child process (an argv, no shell) with the script
 * on its standard input, numbers in data files and every label escaped. */
#pragma once

#include <glib.h>

#include "copub/analyse.h"
#include "copub/store.h"
#include "copub/table.h"

G_BEGIN_DECLS

typedef enum {
  COPUB_PLOT_PNG, /* pngcairo */
  COPUB_PLOT_SVG, /* svg */
  COPUB_PLOT_PDF, /* pdfcairo */
} CopubPlotFormat;

/* Parses "png", "svg" or "pdf". */
gboolean copub_plot_format_from_name (const char *name, CopubPlotFormat *out);
/* "png", "svg", "pdf". */
const char *copub_plot_format_extension (CopubPlotFormat format);

typedef enum {
  COPUB_CHART_SHARE,          /* (a) share per year, its interval, share among complete works */
  COPUB_CHART_THEMES,         /* (b) share per theme over the years */
  COPUB_CHART_COUNTRIES,      /* (c) top partner countries in the last period, both countings */
  COPUB_CHART_COUNTRY_TRENDS, /* (d) share of works with each top partner country, per year */
  COPUB_CHART_PARTNERS,       /* (e) co-publications with each strategic partner, per year */
  COPUB_CHART_HEATMAP,        /* (f) theme x partner country */
  COPUB_CHART_WORLD_MAP,      /* (g) world map: share of the works with each country */
  COPUB_CHART_LINKS,          /* (h) the home country's links to its top partner countries */
  COPUB_CHART_REGIONS,        /* (i) share of works co-authored with each country group */
  COPUB_CHART_INSTITUTIONS,   /* (i) top partner institutions in the last period, both
                               * countings (with a home institution) */
  COPUB_N_CHARTS
} CopubChartKind;

/* The chart's file name without extension ("share-by-year"). Static. */
const char *copub_chart_name (CopubChartKind kind);
/* The kind named @name ("world-map"); FALSE for an unknown name. */
gboolean copub_chart_kind_from_name (const char *name, CopubChartKind *out);

/* What the charts and the report are drawn from: copub_analyse() indicators for one set
 * of analysis options (the cells name their countries in @lang). */
typedef struct {
  CopubIndicators *years;           /* by year */
  CopubIndicators *themes;          /* by theme over all years */
  CopubIndicators *theme_years;     /* by theme, year (rolling periods: see window) */
  CopubIndicators *countries;       /* by country over the last period, full and fractional */
  CopubIndicators *countries_all;   /* by country over all years, full and fractional */
  CopubIndicators *country_years;   /* by country, year (full counting) */
  CopubIndicators *theme_countries; /* by theme, country over all years (full counting) */
  CopubIndicators *partner_years;   /* by partner, year (rolling periods: see window); NULL
                               * without a partner file */
  CopubIndicators *partner_totals;  /* by partner over all years; NULL without a partner file,
                                * or when partner_years' single years are to be added up */
  GPtrArray *partners;         /* every partner of the file (names), in file order; or NULL */
  CopubIndicators *sources;         /* by source */
  CopubIndicators *region_years;    /* by region (country and institution groups), year
                                     * (full counting); NULL without the groups */
  GPtrArray *regions;               /* the groups' names in their order; NULL without */
  CopubIndicators *institutions;    /* by partner institution over the last period, full
                                     * and fractional; NULL without a home institution */
  GPtrArray *source_stats;     /* CopubSourceStats of the sources in the corpus */
  gboolean has_headline;       /* FALSE when the last period has no work */
  CopubHeadline headline;      /* the headline figure for the last period */
  char *headline_problem;      /* why there is no headline, or NULL */
  int first_year, last_year;   /* the years with works; 0 when the corpus is empty */
  guint window;                /* years in theme_years' and partner_years' rolling periods
                                * (cells from first_year to year); 1: single years */
  int trend_first;             /* their first year, or the last year of their first period */
  int period_from, period_to;  /* the last period: the headline's */
  gint64 works;                /* works in the corpus */
  gboolean synthetic;          /* the corpus holds copub's generated sample data */
  gboolean themes_mapped;      /* themes come from the institution's theme map */
  const char *lang;            /* "en" or "fr": country and theme names, the text */
  gboolean territories_home;   /* French overseas territories count as the home country */
  gboolean hk_mo_as_cn;        /* Hong Kong and Macao count as China */
} CopubPlotData;

/* Computes the tables for @options (its dimensions are ignored; its window, at most the
 * corpus' years, gives the rolling periods of the per-theme and per-partner trends, the
 * small samples, while the yearly share and the countries keep single years). The last
 * period is [@period_from, @period_to]; 0, 0 = the last complete year, as for
 * copub_analyse_headline(). An empty corpus is not an error: the tables are empty.
 * Free with copub_plot_data_free. */
CopubPlotData *copub_plot_data_compute (CopubStore *store, const CopubAnalyseOptions *options,
                                        int period_from, int period_to, GError **error);
void copub_plot_data_free (CopubPlotData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubPlotData, copub_plot_data_free)

/* Every partner of the partner file, those without a co-publication too: the most
 * co-publications over all years first (copub_plot_partner_total), ties by name. The
 * names are borrowed from @data; empty without a partner file. Free with
 * g_ptr_array_unref. */
GPtrArray *copub_plot_partners_by_total (const CopubPlotData *data);
/* The co-publications with @partner in @year, or in the rolling period ending then (0
 * when none). */
gint64 copub_plot_partner_works (const CopubPlotData *data, const char *partner, int year);
/* The co-publications with @partner over all years (each work once). */
gint64 copub_plot_partner_total (const CopubPlotData *data, const char *partner);

/* The source line under a chart: "Source: OpenAlex, HAL; harvested on 2024-05-02;
 * n = 2,871 works", in @data's language, for @works works. Free with g_free. */
char *copub_plot_source_line (const CopubPlotData *data, gint64 works);

typedef struct {
  CopubPlotFormat format;
  const char *institution; /* named under the titles, or NULL */
  guint width, height;     /* PNG and SVG size in pixels; 0: 1280 x 720 (PDF: 8 x 4.5 in) */
  const char *gnuplot;     /* the program; NULL: "gnuplot" from PATH */
  const char *only;        /* draw only the chart of this name; NULL: every chart */
  gboolean map_fractional; /* the world map's shares by fractional counting, not full */
  gboolean map_all_years;  /* the map and links over all years (the report), not the last
                            * period */
} CopubPlotOptions;

#define COPUB_PLOT_OPTIONS_INIT { COPUB_PLOT_PNG, NULL, 0, 0, NULL, NULL, FALSE, FALSE }

/* One chart, drawn or skipped. */
typedef struct {
  CopubChartKind kind;
  char *title;   /* in the data's language */
  char *path;    /* the file written, or NULL when the chart was skipped */
  char *note;    /* why it was skipped, or NULL */
} CopubChart;

void copub_chart_free (CopubChart *chart);

/* Draws the charts into @out_dir (which must exist) as NAME.EXT, replacing older files
 * atomically; gnuplot works in a private directory inside @out_dir, removed afterwards.
 * Returns one CopubChart per kind, in CopubChartKind order (only @options->only's when
 * set); the world map and the links need the map data (data/world-110m.tsv) and fail
 * with COPUB_ERROR_IO naming it when it is missing or malformed; charts without data are
 * skipped with a note (gnuplot is not run when every chart is). Fails with
 * COPUB_ERROR_CHILD when gnuplot is missing, fails (the end of its standard error in the
 * message) or writes no chart, and then replaces no chart file; COPUB_ERROR_IO when a file
 * cannot be written. Free with g_ptr_array_unref. */
GPtrArray *copub_plot_draw (const CopubPlotData *data, const CopubPlotOptions *options,
                            const char *out_dir, GError **error);

/* ---- gnuplot, safely --------------------------------------------------------------- */

/* @text as a gnuplot single-quoted string literal, quotes included, in which gnuplot does
 * no backslash, macro or backquote processing. Inside it: a quote between two other
 * characters ("Lorraine's", "l'Université") is doubled, as gnuplot reads it back; one at
 * the start or in a run becomes U+2019 (’), since gnuplot 5.4 misreads doubled quotes
 * there ('''' or '''a'''); control characters (newlines) become spaces, since a gnuplot command ends at
 * a newline; backquotes become U+02CB (ˋ), since gnuplot substitutes `commands` in
 * command lines (inside double quotes in 5.4; everywhere in older versions); invalid
 * UTF-8 is replaced. The result is always one string token. Free with g_free. */
char *copub_plot_quote (const char *text);

/* Runs @program (NULL: "gnuplot" from PATH) in @workdir with @script on its standard
 * input and no shell. Fails with COPUB_ERROR_CHILD when the program is missing, is
 * killed after a time limit, or exits with a status other than 0; the message then
 * quotes the end of its standard error. */
gboolean copub_plot_run (const char *program, const char *script, const char *workdir,
                         GError **error);

G_END_DECLS
