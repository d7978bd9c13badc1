/* copub analyse: indicators from the store, as a table, CSV or JSON, or the headline. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "copub/analyse.h"

typedef struct {
  char *db, *period, *institution;
  gboolean headline;
} Args;

static void
args_clear (Args *a)
{
  g_free (a->db); g_free (a->period); g_free (a->institution);
}

static gboolean
print_headline (CopubStore *store, Args *a, const CopubAnalyseOptions *o, GError **error)
{
  CopubHeadline h;
  int from = 0, to = 0;
  g_autofree char *sentence = NULL;

  if (a->period && !copub_cli_parse_period (a->period, &from, &to, error))
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
  g_auto(CopubCliAnalysis) an = { 0 };
  const GOptionEntry db_entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &a.db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  const GOptionEntry entries[] = {
    { "headline", 0, 0, G_OPTION_ARG_NONE, &a.headline,
      "Print the sentence a report quotes, for the last complete year", NULL },
    { "period", 0, 0, G_OPTION_ARG_STRING, &a.period,
      "Headline period: YEAR or YEAR-YEAR (default: the last complete year)", "PERIOD" },
    { "institution-name", 0, 0, G_OPTION_ARG_STRING, &a.institution,
      "Institution named in the headline", "NAME" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "analyse", NULL,
      "Compute the international co-publication share from the store.\n"
      "\n"
      "A work is international when its authors' countries include one other than the\n"
      "home country. share = international works / works, with a Wilson 95 % interval;\n"
      "coverage = share of authorships whose country is known. By country, partner or\n"
      "region (a group of countries or institutions: EU-27, the UN M49 continents, the\n"
      "least developed countries, --groups FILE's): works co-authored with it, n = the\n"
      "institution's works, share = works / n.\n"
      "\n"
      "Examples:\n"
      "  copub analyse --by year --from 2015 --to 2024 --format csv\n"
      "  copub analyse --by year,country --counting both --lang fr\n"
      "  copub analyse --by partner,year --partners examples/lorraine-partners.tsv\n"
      "  copub analyse --by type,year --types all\n"      "  copub analyse --by region,year --groups examples/lorraine-groups.tsv\n"
      "  copub analyse --headline --institution-name \"Université de Lorraine\"");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubIndicators) indicators = NULL;
  g_autoptr(CopubTable) table = NULL;
  gboolean ok = FALSE;
  const char *path;

  copub_cli_analysis_init (&an);
  g_option_context_add_main_entries (context, db_entries, NULL);
  copub_cli_analysis_add_entries (&an, context, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  copub_cli_analysis_add_format_entry (&an, context);
  if (!copub_cli_parse (context, &argc, &argv, error))
    goto out;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      goto out;
    }
  if (!copub_cli_analysis_build (&an, error))
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
    ok = print_headline (store, &a, &an.options, error);
  else if ((indicators = copub_analyse (store, &an.options, error)) != NULL)
    {
      table = copub_table_new_from_indicators (indicators);
      ok = copub_cli_write_table (table, an.table_format, error);
    }
out:
  args_clear (&a);
  return ok;
}
