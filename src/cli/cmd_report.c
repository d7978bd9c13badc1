/* copub report: the report of the corpus: HTML (self-contained), Markdown with PNG
 * charts, and the tables as CSV, in one directory. */
#include "cli.h"
#include "copub/fetch.h"
#include "copub/report.h"

gboolean
copub_cmd_report (int argc, char **argv, GError **error)
{
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "report", NULL,
      "Write the report: report.html (one self-contained file: inline SVG charts, tables),\n"
      "report.md (the same, with the charts as PNG files beside it) and the tables as CSV.\n"
      "It opens with the headline sentence for the last period, then the definitions, the\n"
      "corpus, the coverage, the tables, the charts and the warnings. The charts are\n"
      "those of copub plot, the world map and the links over all the years: in the HTML\n"
      "the map is one element per country, each focusable with its tooltip (works,\n"
      "share, fractional count), and its values in a table. Without gnuplot the\n"
      "report and the CSV files are still written, and the command fails (exit 1).\n"
      "Prints the files written.\n"
      "\n"
      "Examples:\n"
      "  copub report --out report --institution-name \"Université de Lorraine\"\n"
      "  copub report --lang fr --partners partners.tsv --themes themes.tsv --period 2023");
  g_autoptr(CopubCliCharts) charts = copub_cli_charts_new (context, "report");
  g_autoptr(GPtrArray) files = NULL;
  CopubReportOptions options = COPUB_REPORT_OPTIONS_INIT;
  g_autofree char *rematched = NULL;
  const GOptionEntry entries[] = {
    { "openalex-rematched", 0, 0, G_OPTION_ARG_STRING, &rematched,
      "When OpenAlex last re-matched affiliations (default: " COPUB_OPENALEX_REMATCHED
      "), or none: the report counts the works fetched before", "DATE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      return FALSE;
    }
  if (!copub_cli_charts_open (charts, error))
    return FALSE;
  options.institution = copub_cli_charts_institution (charts);
  copub_cli_charts_period (charts, &options.period_from, &options.period_to);
  options.openalex_rematched = g_strcmp0 (rematched, "none") == 0 ? "" : rematched;
  /* No run history yet: the store has no table of past runs. */
  ok = copub_report_write (copub_cli_charts_store (charts), copub_cli_charts_options (charts),
                           &options, copub_cli_charts_out_dir (charts), &files, error);
  for (guint i = 0; files && i < files->len; i++)
    printf ("%s\n", (const char *) files->pdata[i]);
  return ok;
}
