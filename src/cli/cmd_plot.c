/* copub plot: the charts, drawn with gnuplot. Also the options plot and report share
 * (copub_cli_charts_*): the store, the analysis options and where the output goes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "copub/plot.h"

/* ---- the options plot and report share --------------------------------------------- */

struct CopubCliCharts {
  CopubCliAnalysis analysis; /* --home, --from, --to, --types, --themes... */
  char *db, *out, *period, *institution;
  const char *default_out;
  CopubStore *store;
  int period_from, period_to;
};

CopubCliCharts *
copub_cli_charts_new (GOptionContext *context, const char *default_out)
{
  CopubCliCharts *c = g_new0 (CopubCliCharts, 1);
  CopubCliAnalysis *a = &c->analysis;
  /* The analysis options that matter for charts: no --by or --counting, which the charts
   * fix themselves. */
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &c->db,
      "Store file (default: $COPUB_DB or ./copub.db)", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &c->out, "Output directory (created if needed)",
      "DIR" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &a->lang, "Language: en (default) or fr", "LANG" },
    { "institution-name", 0, 0, G_OPTION_ARG_STRING, &c->institution,
      "Institution named in titles and the headline", "NAME" },
    { "home", 0, 0, G_OPTION_ARG_STRING, &a->home,
      "Home country, ISO 3166-1 alpha-2 (default: " COPUB_DEFAULT_HOME "); 'none': international = two "
      "countries or more", "CC" },
    { "from", 0, 0, G_OPTION_ARG_INT, &a->from, "First publication year", "YEAR" },
    { "to", 0, 0, G_OPTION_ARG_INT, &a->to, "Last publication year", "YEAR" },
    { "period", 0, 0, G_OPTION_ARG_STRING, &c->period,
      "Last period, for the headline, the top countries and plot's world map and links: "
      "YEAR or YEAR-YEAR "
      "(default: the last complete year)", "PERIOD" },
    { "window", 0, 0, G_OPTION_ARG_INT, &a->window,
      "Rolling periods of N years for the trends by theme and by strategic partner, small "
      "samples (default: 1, single years)", "N" },
    { "types", 0, 0, G_OPTION_ARG_STRING, &a->types,
      "OpenAlex document types, comma-separated (default: article,review,book-chapter), "
      "or 'all'; an unknown type is an error listing the valid ones", "LIST" },
    { "source", 0, 0, G_OPTION_ARG_STRING, &a->source, "openalex, hal or all (default: all)",
      "SOURCE" },
    { "themes", 0, 0, G_OPTION_ARG_FILENAME, &a->themes,
      "Theme map folding fields and domains into the institution's themes", "FILE" },
    { "theme-level", 0, 0, G_OPTION_ARG_STRING, &a->theme_level,
      "Themes from OpenAlex 'field' (26, default) or 'domain' (4)", "LEVEL" },
    { "partners", 0, 0, G_OPTION_ARG_FILENAME, &a->partners,
      "Strategic partners: ROR, OpenAlex or HAL ids (or name:NAME) with a name", "FILE" },
    { "groups", 0, 0, G_OPTION_ARG_FILENAME, &a->groups,
      "Country or institution groups beside the built-in regions: MEMBER<TAB>GROUP lines",
      "FILE" },
    { "no-territories-as-home", 0, 0, G_OPTION_ARG_NONE, &a->no_territories,
      "Do not count French overseas territories as FR when home is FR", NULL },
    { "hk-mo-as-cn", 0, 0, G_OPTION_ARG_NONE, &a->hk_mo_as_cn,
      "Count Hong Kong and Macao as China", NULL },
    { "source-countries-only", 0, 0, G_OPTION_ARG_NONE, &a->source_only,
      "Ignore the countries copub's normaliser found in raw affiliation strings", NULL },
    { "home-institution", 0, 0, G_OPTION_ARG_STRING, &a->home_institution,
      "The home institution (ROR id, or an OpenAlex id the store knows): adds its partner "
      "institutions, rolled up to their top-level parents", "ID" },
    { "registry", 0, 0, G_OPTION_ARG_FILENAME, &a->registry,
      "The registry rolling institutions up (default: copub's data/ror-registry.tsv)",
      "FILE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };

  copub_cli_analysis_init (a);
  a->with_regions = TRUE;
  c->default_out = default_out;
  g_option_context_add_main_entries (context, entries, NULL);
  return c;
}

void
copub_cli_charts_free (CopubCliCharts *c)
{
  if (c == NULL)
    return;
  copub_cli_analysis_clear (&c->analysis);
  g_free (c->db);
  g_free (c->out);
  g_free (c->period);
  g_free (c->institution);
  copub_store_free (c->store);
  g_free (c);
}

gboolean
copub_cli_charts_open (CopubCliCharts *c, GError **error)
{
  const char *path;

  if (!copub_cli_analysis_build (&c->analysis, error) || (c->period && !copub_cli_parse_period (c->period, &c->period_from,
                                                  &c->period_to, error)))
    return FALSE;
  path = copub_cli_db_path (c->db);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                   "store '%s' does not exist: run 'copub import' or 'copub fetch' first", path);
      return FALSE;
    }
  if (g_mkdir_with_parents (copub_cli_charts_out_dir (c), 0777) != 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "creating '%s': %s",
                   copub_cli_charts_out_dir (c), g_strerror (saved));
      return FALSE;
    }
  return (c->store = copub_store_open (path, error)) != NULL;
}

CopubStore *
copub_cli_charts_store (CopubCliCharts *c)
{
  return c->store;
}

const CopubAnalyseOptions *
copub_cli_charts_options (CopubCliCharts *c)
{
  return &c->analysis.options;
}

const char *
copub_cli_charts_out_dir (CopubCliCharts *c)
{
  return c->out ? c->out : c->default_out;
}

const char *
copub_cli_charts_institution (CopubCliCharts *c)
{
  return c->institution;
}

void
copub_cli_charts_period (CopubCliCharts *c, int *out_from, int *out_to)
{
  *out_from = c->period_from;
  *out_to = c->period_to;
}

/* ---- copub plot -------------------------------------------------------------------- */

/* --by DIM names the one chart drawn for that dimension: region or institution, without
 * --chart (or with --chart naming that same chart). */
static gboolean
plot_by_chart (const char *by, char **chart_name, GError **error)
{
  const char *chart;

  if (strcmp (by, "region") == 0)
    chart = copub_chart_name (COPUB_CHART_REGIONS);
  else if (strcmp (by, "institution") == 0)
    chart = copub_chart_name (COPUB_CHART_INSTITUTIONS);
  else
    {
      copub_cli_usage_error (error, "plot --by takes region or institution (the other charts "
                                    "choose their own dimensions), not '%s'", by);
      return FALSE;
    }
  if (*chart_name && strcmp (*chart_name, chart) != 0)
    {
      copub_cli_usage_error (error, "--by %s draws %s, not --chart %s", by, chart, *chart_name);
      return FALSE;
    }
  if (*chart_name == NULL)
    *chart_name = g_strdup (chart);
  return TRUE;
}

gboolean
copub_cmd_plot (int argc, char **argv, GError **error)
{
  g_autofree char *format_name = NULL;
  g_autofree char *chart_name = NULL;
  g_autofree char *counting = NULL;
  g_autofree char *by = NULL;
  const GOptionEntry entries[] = {
    { "by", 0, 0, G_OPTION_ARG_STRING, &by,
      "region: the share co-authored with each group of countries alone (as --chart "
      "region-trends; built-in groups and --groups FILE's); institution: the partner "
      "institutions' chart alone (as --chart partner-institutions; needs --home-institution)",
      "DIM" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, "png (default), svg or pdf",
      "FORMAT" },
    { "chart", 0, 0, G_OPTION_ARG_STRING, &chart_name,
      "Draw only this chart: share-by-year, share-by-theme, partner-countries, "
      "partner-country-trends, strategic-partners, theme-country-heatmap, "
      "partner-institutions, world-map, links or region-trends", "NAME" },
    { "counting", 0, 0, G_OPTION_ARG_STRING, &counting,
      "The world map's shares: full (default) or fractional", "METHOD" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "plot", NULL,
      "Draw the charts with gnuplot: (a) the international share per year with its\n"
      "95 % interval, its ceiling (unknown countries all abroad) and each year's n, on\n"
      "an axis fitted to the data; (b) the share per theme, one panel per theme on the\n"
      "same scale with its interval and n (points under 30 works left out); (c) the top\n"
      "partner countries of the last period, full and fractional counts; (d) their\n"
      "trend; (e) co-publications with each strategic partner, one panel per partner of\n"
      "the file (with --partners); (f) a theme x partner-country heat map; (g) a\n"
      "world map of the share of the works co-authored with each country in the last\n"
      "period (--counting fractional: fractional shares), with its colour scale, the\n"
      "home country apart, small countries as dots; (h) the links from the home\n"
      "country to its top 15 partner countries, as wide as their co-publications; (i) the\n"
      "share of the works co-authored with each group of countries (EU-27, the UN M49\n"
      "continents, the least developed countries, --groups FILE's) per year (--by region:\n"
      "that chart alone); (j) with --home-institution, the top 20 partner institutions of\n"
      "the last period, full and fractional counts (--by institution: that chart alone). With\n"
      "--window N > 1, (b) and (e) show rolling N-year periods, each point at its\n"
      "period's last year with the period's n. Charts without data are\n"
      "skipped with a note. Prints the files written.\n"
      "\n"
      "Examples:\n"
      "  copub plot --out charts --lang fr --institution-name \"Université de Lorraine\"\n"
      "  copub plot --format svg --themes themes.tsv --partners partners.tsv\n"
      "  copub plot --chart world-map --period 2020-2024 --counting fractional\n"
      "  copub plot --by region --groups groups.tsv");
  g_autoptr(CopubCliCharts) charts = copub_cli_charts_new (context, "charts");
  g_autoptr(CopubPlotData) data = NULL;
  g_autoptr(GPtrArray) drawn = NULL;
  CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;
  gboolean has_partners, has_institutions;
  int from, to;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      return FALSE;
    }
  if (format_name && !copub_plot_format_from_name (format_name, &options.format))
    {
      copub_cli_usage_error (error, "--format takes png, svg or pdf, not '%s'", format_name);
      return FALSE;
    }
  if (chart_name && !copub_chart_kind_from_name (chart_name, &(CopubChartKind){ 0 }))
    {
      copub_cli_usage_error (error, "--chart takes share-by-year, share-by-theme, "
                             "partner-countries, partner-country-trends, strategic-partners, "
                             "theme-country-heatmap, partner-institutions, world-map, links or "
                             "region-trends, not '%s'", chart_name);
      return FALSE;
    }
  if (by && !plot_by_chart (by, &chart_name, error))
    return FALSE;
  if (counting && strcmp (counting, "full") != 0 && strcmp (counting, "fractional") != 0)
    {
      copub_cli_usage_error (error, "--counting takes full or fractional, not '%s'", counting);
      return FALSE;
    }
  options.only = chart_name;
  options.map_fractional = g_strcmp0 (counting, "fractional") == 0;
  if (!copub_cli_charts_open (charts, error))
    return FALSE;
  copub_cli_charts_period (charts, &from, &to);
  data = copub_plot_data_compute (copub_cli_charts_store (charts),
                                  copub_cli_charts_options (charts), from, to, error);
  if (data == NULL)
    return FALSE;
  options.institution = copub_cli_charts_institution (charts);
  has_partners = copub_cli_charts_options (charts)->partners != NULL;
  has_institutions = copub_cli_charts_options (charts)->home_institution != NULL;
  drawn = copub_plot_draw (data, &options, copub_cli_charts_out_dir (charts), error);
  if (drawn == NULL)
    return FALSE;
  for (guint i = 0; i < drawn->len; i++)
    {
      const CopubChart *chart = drawn->pdata[i];
      if (chart->path)
        printf ("%s\n", chart->path);
      else
        g_message ("skipped chart '%s': %s%s", copub_chart_name (chart->kind), chart->note,
                   chart->kind == COPUB_CHART_PARTNERS && !has_partners ? " (--partners)"
                   : chart->kind == COPUB_CHART_INSTITUTIONS && !has_institutions
                       ? " (--home-institution)" : "");
    }
  return TRUE;
}
