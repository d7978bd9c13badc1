/* copub analyse: indicators from the store, as a table, CSV or JSON, or the headline. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "copub/analyse.h"
#include "copub/countries.h"

typedef struct {
  char *db, *by, *home, *types, *format, *source, *counting, *theme_level, *themes;
  char *partners, *lang, *period, *institution;
  int from, to, window;
  gboolean no_territories, hk_mo_as_cn, headline, source_only;
} Args;

static void
args_clear (Args *a)
{
  g_free (a->db); g_free (a->by); g_free (a->home); g_free (a->types); g_free (a->format);
  g_free (a->source); g_free (a->counting); g_free (a->theme_level); g_free (a->themes);
  g_free (a->partners); g_free (a->lang); g_free (a->period); g_free (a->institution);
}

/* Parses --home: an ISO alpha-2 code (any case) or "none". */
static gboolean
parse_home (const char *value, char out[3], gboolean *none, GError **error)
{
  *none = g_ascii_strcasecmp (value, "none") == 0;
  if (*none)
    return TRUE;
  if (strlen (value) != 2 || !g_ascii_isalpha (value[0]) || !g_ascii_isalpha (value[1]))
    {
      copub_cli_usage_error (error, "--home takes a two-letter country code (FR) or 'none', "
                                    "not '%s'", value);
      return FALSE;
    }
  out[0] = g_ascii_toupper (value[0]);
  out[1] = g_ascii_toupper (value[1]);
  out[2] = '\0';
  return TRUE;
}

static gboolean
check_year (const char *option, int value, GError **error)
{
  if (value != 0 && (value < 1000 || value > 9999))
    {
      copub_cli_usage_error (error, "%s takes a four-digit year, not %d", option, value);
      return FALSE;
    }
  return TRUE;
}

/* "2024" or "2021-2024". */
static gboolean
parse_period (const char *value, int *from, int *to, GError **error)
{
  char *end = NULL;
  long a = strtol (value, &end, 10), b = a;

  if (end && *end == '-')
    b = strtol (end + 1, &end, 10);
  if (end == NULL || *end != '\0' || a < 1000 || b > 9999 || a > b)
    {
      copub_cli_usage_error (error, "--period takes YEAR or YEAR-YEAR, not '%s'", value);
      return FALSE;
    }
  *from = (int) a;
  *to = (int) b;
  return TRUE;
}

static gboolean
parse_choice (const char *option, const char *value, const char *const *choices, int *out,
              GError **error)
{
  for (int i = 0; choices[i]; i++)
    if (strcmp (value, choices[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **) choices);
    copub_cli_usage_error (error, "%s takes one of %s, not '%s'", option, list, value);
  }
  return FALSE;
}

/* Fills @o from the command line; loads the theme map and the partner file. */
static gboolean
build_options (Args *a, CopubAnalyseOptions *o, char home[3], GStrv *types,
               CopubThemeMap **themes, CopubPartners **partners, GError **error)
{
  static const char *const counting[] = { "both", "full", "fractional", NULL };
  static const char *const levels[] = { "field", "domain", NULL };
  static const char *const sources[] = { "all", "openalex", "hal", NULL };
  static const char *const langs[] = { "en", "fr", NULL };
  gboolean home_none = FALSE;
  int choice;

  if ((a->by && !copub_analyse_parse_dims (o, a->by, error))
      || (a->home && !parse_home (a->home, home, &home_none, error))
      || !check_year ("--from", a->from, error) || !check_year ("--to", a->to, error))
    return FALSE;
  if (a->from && a->to && a->from > a->to)
    {
      copub_cli_usage_error (error, "--from %d is after --to %d", a->from, a->to);
      return FALSE;
    }
  if (a->window < 0 || a->window > 50)
    {
      copub_cli_usage_error (error, "--window takes a number of years from 1 to 50");
      return FALSE;
    }
  o->home = home_none ? NULL : home;
  o->from = a->from;
  o->to = a->to;
  o->window = (guint) a->window;
  o->territories_as_home = !a->no_territories;
  o->hk_mo_as_cn = a->hk_mo_as_cn;
  o->source_countries_only = a->source_only;
  if (a->counting && !parse_choice ("--counting", a->counting, counting, &choice, error))
    return FALSE;
  o->counting = a->counting ? (CopubCounting) choice : COPUB_COUNTING_BOTH;
  if (a->theme_level && !parse_choice ("--theme-level", a->theme_level, levels, &choice, error))
    return FALSE;
  o->theme_level = a->theme_level ? (CopubThemeLevel) choice : COPUB_THEME_FIELD;
  if (a->source && !parse_choice ("--source", a->source, sources, &choice, error))
    return FALSE;
  o->source = a->source && strcmp (a->source, "all") != 0 ? a->source : NULL;
  if (a->lang && !parse_choice ("--lang", a->lang, langs, &choice, error))
    return FALSE;
  o->lang = a->lang ? a->lang : "en";
  if (a->types)
    {
      *types = g_strsplit (a->types, ",", -1);
      for (char **t = *types; *t; t++)
        g_strstrip (*t);
      o->types = (const char *const *) *types;
    }
  if (a->themes && (*themes = copub_theme_map_load (a->themes, error)) == NULL)
    return FALSE;
  o->themes = *themes;
  if (a->partners && (*partners = copub_partners_load (a->partners, error)) == NULL)
    return FALSE;
  o->partners = *partners;
  o->country_name = copub_country_name_func;
  return TRUE;
}

static gboolean
print_headline (CopubStore *store, Args *a, const CopubAnalyseOptions *o, GError **error)
{
  CopubHeadline h;
  int from = 0, to = 0;
  g_autofree char *sentence = NULL;

  if (a->period && !parse_period (a->period, &from, &to, error))
    return FALSE;
  if (!copub_analyse_headline (store, o, from, to, &h, error))
    return FALSE;
  sentence = copub_analyse_headline_sentence (&h, o, a->institution);
  printf ("%s\n", sentence);
  return TRUE;
}

gboolean
copub_cmd_analyse (int argc, char **argv, GError **error)
{
  Args a = { 0 };
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &a.db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &a.by,
      "Dimensions, comma-separated: year, theme, country, partner, source (default: year)",
      "DIMS" },
    { "home", 0, 0, G_OPTION_ARG_STRING, &a.home,
      "Home country (default: FR); 'none': international = two countries or more", "CC" },
    { "from", 0, 0, G_OPTION_ARG_INT, &a.from, "First publication year", "YEAR" },
    { "to", 0, 0, G_OPTION_ARG_INT, &a.to, "Last publication year", "YEAR" },
    { "window", 0, 0, G_OPTION_ARG_INT, &a.window,
      "Rolling periods of N years instead of single years (Leiden uses 4)", "N" },
    { "types", 0, 0, G_OPTION_ARG_STRING, &a.types,
      "Document types, comma-separated (default: article,review,book-chapter), or 'all'",
      "LIST" },
    { "source", 0, 0, G_OPTION_ARG_STRING, &a.source, "openalex, hal or all (default: all)",
      "SOURCE" },
    { "counting", 0, 0, G_OPTION_ARG_STRING, &a.counting,
      "Partner countries: full, fractional or both (default: both)", "METHOD" },
    { "theme-level", 0, 0, G_OPTION_ARG_STRING, &a.theme_level,
      "Themes from OpenAlex 'field' (26, default) or 'domain' (4)", "LEVEL" },
    { "themes", 0, 0, G_OPTION_ARG_FILENAME, &a.themes,
      "Theme map folding fields and domains into the institution's themes", "FILE" },
    { "partners", 0, 0, G_OPTION_ARG_FILENAME, &a.partners,
      "Strategic partners: ROR, OpenAlex or HAL ids with a name", "FILE" },
    { "no-territories-as-home", 0, 0, G_OPTION_ARG_NONE, &a.no_territories,
      "Do not count French overseas territories as FR when home is FR", NULL },
    { "hk-mo-as-cn", 0, 0, G_OPTION_ARG_NONE, &a.hk_mo_as_cn,
      "Count Hong Kong and Macao as China", NULL },
    { "source-countries-only", 0, 0, G_OPTION_ARG_NONE, &a.source_only,
      "Ignore the countries copub's normaliser found in raw affiliation strings", NULL },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &a.lang, "Language of names and the headline: en, fr",
      "LANG" },
    { "headline", 0, 0, G_OPTION_ARG_NONE, &a.headline,
      "Print the sentence a report quotes, for the last complete year", NULL },
    { "period", 0, 0, G_OPTION_ARG_STRING, &a.period,
      "Headline period: YEAR or YEAR-YEAR (default: the last complete year)", "PERIOD" },
    { "institution-name", 0, 0, G_OPTION_ARG_STRING, &a.institution,
      "Institution named in the headline", "NAME" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &a.format, "table, csv or json (default: table)",
      "FORMAT" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "analyse", NULL,
      "Compute the international co-publication share from the store.\n"
      "\n"
      "A work is international when its authors' countries include one other than the\n"
      "home country. share = international works / works, with a Wilson 95 % interval;\n"
      "coverage = share of authorships whose country is known. By country or partner:\n"
      "works co-authored with it, n = the institution's works, share = works / n.\n"
      "\n"
      "Examples:\n"
      "  copub analyse --by year --from 2015 --to 2024 --format csv\n"
      "  copub analyse --by year,country --counting both --lang fr\n"
      "  copub analyse --by partner,year --partners examples/lorraine-partners.tsv\n"
      "  copub analyse --headline --institution-name \"Université de Lorraine\"");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubTable) table = NULL;
  g_autoptr(CopubThemeMap) themes = NULL;
  g_autoptr(CopubPartners) partners = NULL;
  g_auto(GStrv) types = NULL;
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  CopubTableFormat format = COPUB_TABLE_FORMAT_TABLE;
  char home[3] = "FR";
  gboolean ok = FALSE;
  const char *path;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    goto out;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      goto out;
    }
  if (a.format && !copub_table_format_from_name (a.format, &format))
    {
      copub_cli_usage_error (error, "--format takes table, csv or json, not '%s'", a.format);
      goto out;
    }
  if (!build_options (&a, &options, home, &types, &themes, &partners, error))
    goto out;
  path = copub_cli_db_path (a.db);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                   "store '%s' does not exist: run 'copub import' or 'copub fetch' first", path);
      goto out;
    }
  if ((store = copub_store_open (path, error)) == NULL)
    goto out;
  if (a.headline)
    ok = print_headline (store, &a, &options, error);
  else if ((table = copub_analyse (store, &options, error)) != NULL)
    ok = copub_table_write (table, format, stdout, error);
out:
  args_clear (&a);
  return ok;
}
