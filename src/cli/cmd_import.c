/* copub import: load files into the store. */
#include "cli.h"
#include "copub/import.h"
#include "copub/snapshot.h"

/* Parses a size option: bytes, or with a suffix k, M or G (powers of 1024). */
static gboolean
parse_size (const char *option, const char *text, gsize *out, GError **error)
{
  if (text == NULL || copub_limits_parse_size (text, out))
    return TRUE;
  copub_cli_usage_error (error, "%s takes a size in bytes, or with k, M or G: '%s'",
                         option, text);
  return FALSE;
}

gboolean
copub_cmd_import (int argc, char **argv, GError **error)
{
  g_autofree char *db = NULL;
  gboolean skip_bad = FALSE, no_normalise = FALSE, include_xpac = FALSE;
  g_autofree char *ror = NULL, *snapshot_dir = NULL, *max_record = NULL, *max_field = NULL;
  g_autofree char *hal_year = NULL;
  gboolean hal_annexes = FALSE;
  int threads = 0;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { "skip-bad", 0, 0, G_OPTION_ARG_NONE, &skip_bad,
      "Skip malformed records (and say how many and where) instead of failing", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads,
      "Parser threads (default: one per CPU; 1: one thread in all)", "N" },
    { "include-xpac", 0, 0, G_OPTION_ARG_NONE, &include_xpac,
      "Keep OpenAlex's xpac works (\"is_xpac\": true: datasets, repository items), which "
      "are left out by default, as the OpenAlex API does", NULL },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot_dir,
      "Import the works of the OpenAlex snapshot downloaded in DIR (the folder holding data/): "
      "the partitions newer than the store's last sync, checked against the manifest", "DIR" },
    { "ror", 0, 0, G_OPTION_ARG_FILENAME, &ror,
      "A ROR data dump (v2 JSON) for the affiliation normaliser", "FILE" },
    { "no-normalise", 0, 0, G_OPTION_ARG_NONE, &no_normalise,
      "Do not look for countries in the raw affiliation strings of authorships without one",
      NULL },
    COPUB_CLI_HAL_RULES_ENTRIES (hal_year, hal_annexes),
    { "max-record-size", 0, 0, G_OPTION_ARG_STRING, &max_record,
      "A larger record (JSON Lines line, work) is bad data (default: 32M)", "SIZE" },
    { "max-field-size", 0, 0, G_OPTION_ARG_STRING, &max_field,
      "A record with a longer title, name, affiliation string... is bad data (default: 64k)",
      "SIZE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "import", "FILE... | --snapshot DIR",
      "Load OpenAlex files into the store: a /works list page, a single work, or JSON Lines\n"
      "(the snapshot's format), each possibly gzip-compressed; the format is detected.\n"
      "All files are imported in one transaction: on any error the store is left as it\n"
      "was. Importing the same records again changes nothing. A store that does not\n"
      "exist yet is built beside its path (STORE.loading-PID-XXXXXX) and put in place at\n"
      "the end.\n"
      "HAL files (a /search JSON answer, TEI, OAI-PMH) follow HAL's own counts: a\n"
      "document's year is its production date (--hal-year publication: its publication\n"
      "date), older versions and annex deposits (--hal-annexes keeps them) are left out.\n"
      "A record larger than --max-record-size (never read whole: memory stays flat), or\n"
      "with a string copub keeps (title, author name, affiliation...) longer than\n"
      "--max-field-size, is bad data: exit 4, or skipped with --skip-bad. SIZE is in\n"
      "bytes, or with k, M or G.\n"
      "\n"
      "--snapshot DIR reads a downloaded OpenAlex snapshot instead (the 2026 layout:\n"
      "DIR/data/jsonl/works/updated_date=.../part_*.gz and its manifest.json): only the\n"
      "parts the manifest lists, in the updated_date= partitions newer than the last one\n"
      "this store imported (all at the first import). Each part must hold the records the\n"
      "manifest says (else exit status 4, naming it: fetch it again). Works deleted\n"
      "(data/jsonl/works/deleted_ids.csv) or merged into others (legacy-data/merged_ids/)\n"
      "are left out, and removed from the store.\n"
      "\n"
      "Examples:\n"
      "  copub import --db lorraine.db works-2024.jsonl.gz\n"
      "  copub import --db france.db --snapshot openalex-snapshot");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubNormaliser) normaliser = NULL;
  CopubImportOptions options = COPUB_IMPORT_OPTIONS_INIT;
  CopubImportStats stats;
  CopubSnapshotImportStats snap_stats = { 0 };
  g_autoptr(CopubSnapshot) snapshot = NULL;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc < 2 && snapshot_dir == NULL)
    {
      copub_cli_usage_error (error, "no file to import; see 'copub import --help'");
      return FALSE;
    }
  if (argc >= 2 && snapshot_dir != NULL)
    {
      copub_cli_usage_error (error, "give files or --snapshot DIR, not both");
      return FALSE;
    }
  if (threads < 0 || threads > 64)
    {
      copub_cli_usage_error (error, "--threads takes a number from 1 to 64");
      return FALSE;
    }
  if (!copub_cli_hal_rules (hal_year, hal_annexes, &options.hal, error))
    return FALSE;
  if (!parse_size ("--max-record-size", max_record, &options.limits.max_record, error)
      || !parse_size ("--max-field-size", max_field, &options.limits.max_field, error))
    return FALSE;
  if (!no_normalise)
    {
      CopubNormaliserOptions nopts = COPUB_NORMALISER_OPTIONS_INIT;
      nopts.ror_path = ror;
      if ((normaliser = copub_normaliser_new (&nopts, error)) == NULL)
        return FALSE;
    }
  if (snapshot_dir && (snapshot = copub_snapshot_open (snapshot_dir, error)) == NULL)
    return FALSE;
  /* A first import makes the store whole and puts it in place at the end. */
  options.callbacks = copub_cli_callbacks (FALSE);
  store = copub_store_open_for_load (copub_cli_db_path (db), options.callbacks, error);
  if (store == NULL)
    return FALSE;

  options.skip_bad = skip_bad;
  options.include_xpac = include_xpac;
  options.normaliser = normaliser;
  options.n_threads = (guint) threads;
  copub_import_stats_init (&stats);
  ok = (snapshot ? copub_snapshot_import (snapshot, store, &options, &stats, &snap_stats, error)
              : copub_import_files (store, (const char *const *) argv + 1, &options, &stats,
                                    error))
       && copub_store_publish (store, error);
  if (ok && snapshot)
    {
      g_message ("snapshot '%s' (manifest of %s): %u part(s) read, of the partitions newer "
                 "than %s; the store is synced to updated_date=%s",
                 snapshot_dir, copub_snapshot_date (snapshot) ? copub_snapshot_date (snapshot)
                                                               : "no date",
                 snap_stats.parts, snap_stats.since ? snap_stats.since : "none (all read)",
                 snap_stats.synced ? snap_stats.synced
                                   : snap_stats.since ? snap_stats.since : "none");
      g_message ("%u merged or deleted works listed: %" G_GUINT64_FORMAT " left out of this "
                 "import, %" G_GUINT64_FORMAT " removed from the store",
                 copub_snapshot_n_dead (snapshot), stats.left_out, snap_stats.removed);
    }
  copub_snapshot_import_stats_clear (&snap_stats);
  if (ok)
    {
      g_message ("imported %" G_GUINT64_FORMAT " records from %" G_GUINT64_FORMAT
                 " file(s) into '%s': %" G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT
                 " updated, %" G_GUINT64_FORMAT " unchanged, %" G_GUINT64_FORMAT " skipped; %"
                 G_GUINT64_FORMAT " authorships got their country from raw affiliations",
                 stats.records, stats.files, copub_store_path (store), stats.inserted,
                 stats.updated, stats.unchanged, stats.skipped, stats.inferred);
      if (stats.hal_old_versions + stats.hal_annexes > 0)
        g_message ("HAL records left out, as HAL's own counts do: %" G_GUINT64_FORMAT
                   " older versions (status_i 111), %" G_GUINT64_FORMAT " annex deposits "
                   "(submitType_s annex)", stats.hal_old_versions, stats.hal_annexes);
      for (guint i = 0; i < stats.skipped_where->len; i++)
        g_message ("skipped %s", (const char *) g_ptr_array_index (stats.skipped_where, i));
      if (stats.skipped > stats.skipped_where->len)
        g_message ("... and %" G_GUINT64_FORMAT " more skipped records",
                   stats.skipped - stats.skipped_where->len);
    }
  copub_import_stats_clear (&stats);
  return ok;
}
