/* copub import: load files into the store. */
#include "cli.h"
#include "copub/import.h"

gboolean
copub_cmd_import (int argc, char **argv, GError **error)
{
  g_autofree char *db = NULL;
  gboolean skip_bad = FALSE, no_normalise = FALSE;
  g_autofree char *ror = NULL;
  int threads = 0;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { "skip-bad", 0, 0, G_OPTION_ARG_NONE, &skip_bad,
      "Skip malformed records (and say how many and where) instead of failing", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads,
      "Parser threads (default: one per CPU; 1: one thread in all)", "N" },
    { "ror", 0, 0, G_OPTION_ARG_FILENAME, &ror,
      "A ROR data dump (v2 JSON) for the affiliation normaliser", "FILE" },
    { "no-normalise", 0, 0, G_OPTION_ARG_NONE, &no_normalise,
      "Do not look for countries in the raw affiliation strings of authorships without one",
      NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "import", "FILE...",
      "Load OpenAlex files into the store: a /works list page, a single work, or JSON Lines\n"
      "(the snapshot's format), each possibly gzip-compressed; the format is detected.\n"
      "All files are imported in one transaction: on any error the store is left as it\n"
      "was. Importing the same records again changes nothing. A store that does not\n"
      "exist yet is built beside its path (STORE.loading-XXXXXX) and put in place at\n"
      "the end.\n"
      "\n"
      "Example: copub import --db lorraine.db works-2024.jsonl.gz");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubNormaliser) normaliser = NULL;
  CopubImportOptions options = COPUB_IMPORT_OPTIONS_INIT;
  CopubImportStats stats;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc < 2)
    {
      copub_cli_usage_error (error, "no file to import; see 'copub import --help'");
      return FALSE;
    }
  if (threads < 0 || threads > 64)
    {
      copub_cli_usage_error (error, "--threads takes a number from 1 to 64");
      return FALSE;
    }
  if (!no_normalise)
    {
      CopubNormaliserOptions nopts = COPUB_NORMALISER_OPTIONS_INIT;
      nopts.ror_path = ror;
      if ((normaliser = copub_normaliser_new (&nopts, error)) == NULL)
        return FALSE;
    }
  /* A first import makes the store whole and puts it in place at the end. */
  store = copub_store_open_for_load (copub_cli_db_path (db), error);
  if (store == NULL)
    return FALSE;

  options.skip_bad = skip_bad;
  options.normaliser = normaliser;
  options.n_threads = (guint) threads;
  copub_import_stats_init (&stats);
  ok = copub_import_files (store, (const char *const *) argv + 1, &options, &stats, error)
       && copub_store_publish (store, error);
  if (ok)
    {
      g_message ("imported %" G_GUINT64_FORMAT " records from %" G_GUINT64_FORMAT
                 " file(s) into '%s': %" G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT
                 " updated, %" G_GUINT64_FORMAT " unchanged, %" G_GUINT64_FORMAT " skipped; %"
                 G_GUINT64_FORMAT " authorships got their country from raw affiliations",
                 stats.records, stats.files, copub_store_path (store), stats.inserted,
                 stats.updated, stats.unchanged, stats.skipped, stats.inferred);
      for (guint i = 0; i < stats.skipped_where->len; i++)
        g_message ("skipped %s", (const char *) g_ptr_array_index (stats.skipped_where, i));
      if (stats.skipped > stats.skipped_where->len)
        g_message ("... and %" G_GUINT64_FORMAT " more skipped records",
                   stats.skipped - stats.skipped_where->len);
    }
  copub_import_stats_clear (&stats);
  return ok;
}
