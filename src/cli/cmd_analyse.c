/* copub analyse: indicators from the store, as a table, CSV or JSON. */
#include <string.h>

#include "cli.h"
#include "copub/analyse.h"

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
parse_year (const char *option, int value, GError **error)
{
  if (value != 0 && (value < 1000 || value > 9999))
    {
      copub_cli_usage_error (error, "%s takes a four-digit year, not %d", option, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_dims (const char *by, GError **error)
{
  if (g_strcmp0 (by, "year") != 0)
    {
      copub_cli_usage_error (error, "--by '%s': this version of copub computes --by year "
                                    "only", by);
      return FALSE;
    }
  return TRUE;
}

gboolean
copub_cmd_analyse (int argc, char **argv, GError **error)
{
  g_autofree char *db = NULL, *by = NULL, *home = NULL, *types = NULL, *format = NULL;
  g_autofree char *source = NULL;
  int from = 0, to = 0;
  gboolean no_territories = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, "Dimensions (default: year)", "DIMS" },
    { "home", 0, 0, G_OPTION_ARG_STRING, &home,
      "Home country (default: FR); 'none': international = two countries or more", "CC" },
    { "from", 0, 0, G_OPTION_ARG_INT, &from, "First publication year", "YEAR" },
    { "to", 0, 0, G_OPTION_ARG_INT, &to, "Last publication year", "YEAR" },
    { "types", 0, 0, G_OPTION_ARG_STRING, &types,
      "Document types, comma-separated (default: article,review,book-chapter), or 'all'",
      "LIST" },
    { "source", 0, 0, G_OPTION_ARG_STRING, &source, "openalex, hal or all (default: all)",
      "SOURCE" },
    { "no-territories-as-home", 0, 0, G_OPTION_ARG_NONE, &no_territories,
      "Do not count French overseas territories as FR when home is FR", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "table, csv or json (default: table)",
      "FORMAT" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "analyse", NULL,
      "Compute the international co-publication share from the store.\n"
      "\n"
      "A work is international when its authors' countries include one other than the\n"
      "home country. share = international works / works, with a Wilson 95 % interval;\n"
      "coverage = share of authorships whose country is known.\n"
      "\n"
      "Example: copub analyse --by year --from 2015 --to 2024 --format csv");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubTable) table = NULL;
  g_auto(GStrv) type_list = NULL;
  CopubAnalyseOptions options = COPUB_ANALYSE_OPTIONS_INIT;
  CopubTableFormat table_format = COPUB_TABLE_FORMAT_TABLE;
  char home_code[3] = "FR";
  gboolean home_none = FALSE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      return FALSE;
    }
  if (!check_dims (by ? by : "year", error)
      || (home && !parse_home (home, home_code, &home_none, error))
      || !parse_year ("--from", from, error) || !parse_year ("--to", to, error))
    return FALSE;
  if (from && to && from > to)
    {
      copub_cli_usage_error (error, "--from %d is after --to %d", from, to);
      return FALSE;
    }
  if (format && !copub_table_format_from_name (format, &table_format))
    {
      copub_cli_usage_error (error, "--format takes table, csv or json, not '%s'", format);
      return FALSE;
    }
  if (source && strcmp (source, "all") != 0 && strcmp (source, "openalex") != 0
      && strcmp (source, "hal") != 0)
    {
      copub_cli_usage_error (error, "--source takes openalex, hal or all, not '%s'", source);
      return FALSE;
    }
  if (types)
    {
      type_list = g_strsplit (types, ",", -1);
      for (char **t = type_list; *t; t++)
        g_strstrip (*t);
      options.types = (const char *const *) type_list;
    }
  options.home = home_none ? NULL : home_code;
  options.from = from;
  options.to = to;
  options.territories_as_home = !no_territories;
  options.source = (source && strcmp (source, "all") != 0) ? source : NULL;

  if (!g_file_test (copub_cli_db_path (db), G_FILE_TEST_EXISTS))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                   "store '%s' does not exist: run 'copub import' or 'copub fetch' first",
                   copub_cli_db_path (db));
      return FALSE;
    }
  store = copub_store_open (copub_cli_db_path (db), error);
  if (store == NULL)
    return FALSE;
  table = copub_analyse_by_year (store, &options, error);
  if (table == NULL)
    return FALSE;
  return copub_table_write (table, table_format, stdout, error);
}
