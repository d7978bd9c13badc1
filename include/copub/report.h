/* copub: the report. One self-contained HTML file (inline SVG charts, tables, no
 * external resource), the same content in Markdown with PNG charts beside it, and the
 * tables as CSV, all in one directory, each file replaced atomically. */
#pragma once

#include <glib.h>

#include "copub/analyse.h"
#include "copub/store.h"

G_BEGIN_DECLS

/* The file names the report writes in its directory, besides the charts
 * (copub_chart_name() + ".png"). */
#define COPUB_REPORT_HTML "report.html"
#define COPUB_REPORT_MARKDOWN "report.md"

/* A headline figure of a past run. */
typedef struct {
  const char *date; /* when the run was: an ISO 8601 date or time ("2024-05-02") */
  double share;     /* its headline share, in [0, 1] */
  gint64 works;     /* its n */
  gint64 stored;    /* the records in the store then (all sources), or 0 when unknown */
} CopubReportRun;

typedef struct {
  const char *institution;       /* named in the title and the headline, or NULL */
  int period_from, period_to;    /* the headline period; 0, 0 = the last complete year */
  const CopubReportRun *history; /* past runs, oldest first, or NULL: the section "how the
                                  * figure moved" appears only when there are some */
  gsize n_history;
  const char *gnuplot;           /* the program; NULL: "gnuplot" from PATH */
  const char *openalex_rematched; /* OpenAlex's last re-match of affiliations (YYYY-MM-DD):
                                   * the report counts the works of the corpus fetched
                                   * before it. NULL: COPUB_OPENALEX_REMATCHED; "": none */
} CopubReportOptions;

#define COPUB_REPORT_OPTIONS_INIT { NULL, 0, 0, NULL, 0, NULL, NULL }

/* Writes the report for the corpus @options select into @out_dir (which must exist), in
 * @options->lang: report.html, report.md, the charts as PNG and the tables as CSV
 * (year.csv, theme.csv, theme-year.csv, country.csv, country-year.csv,
 * theme-country.csv, source.csv, with partners partner-year.csv, and with a home
 * institution (@options->home_institution) institution.csv). When @out_files is
 * not NULL it receives the paths written (free with g_ptr_array_unref).
 *
 * Fails (nothing written) when the corpus has no work in the headline period or the store
 * fails. When gnuplot is missing or fails, the report, its tables and the CSV files are
 * still written, without charts and saying why, and the function returns FALSE with
 * COPUB_ERROR_CHILD. */
gboolean copub_report_write (CopubStore *store, const CopubAnalyseOptions *options,
                             const CopubReportOptions *report, const char *out_dir,
                             GPtrArray **out_files, GError **error);

/* @text escaped for HTML text and attribute values; control characters become spaces and
 * invalid UTF-8 is replaced. Free with g_free. */
char *copub_report_html_escape (const char *text);

/* @text escaped for Markdown inline text: it can neither start a block, nor open
 * emphasis, a link, code, raw HTML or a table cell. Free with g_free. */
char *copub_report_markdown_escape (const char *text);

/* A gnuplot SVG made fit for inlining in HTML: the XML prolog and anything before <svg>
 * dropped, ids and the references to them prefixed with @id_prefix (several charts share
 * gnuplot's ids), the <title> replaced with @title (escaped), role="img" added. NULL when
 * @svg holds no <svg> element. Free with g_free. */
char *copub_report_inline_svg (const char *svg, const char *id_prefix, const char *title);

G_END_DECLS
