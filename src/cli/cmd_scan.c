/* copub scan: the indicators straight from OpenAlex snapshot files (gzip JSON Lines), with
 * no store: the works of an institution, of a country or all of them, counted as they
 * stream past. With --partial, the counts go to a partial aggregate that copub merge adds
 * up with others: the map side of a map/merge split (doc/scaling.md). */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "copub/normalise.h"
#include "copub/scan.h"

/* Which works to keep, from --institution, --country or --all (one of them). */
static CopubScanSelection *
build_selection (const char *institution, const char *country, gboolean all,
                 gboolean inferred, GError **error)
{
  if ((institution != NULL) + (country != NULL) + (all != FALSE) != 1)
    {
      copub_cli_usage_error (error, "say which works to keep: --institution ID, --country CC "
                                    "or --all (one of them)");
      return NULL;
    }
  return all ? copub_scan_selection_new (COPUB_SCAN_ALL, NULL, FALSE, error)
         : institution ? copub_scan_selection_new (COPUB_SCAN_INSTITUTION, institution, FALSE,
                                                   error)
                       : copub_scan_selection_new (COPUB_SCAN_COUNTRY, country, inferred,
                                                   error);
}

/* The line that shows where the scan is, on stderr (a terminal), erased after each file. */
static void
show_progress (const CopubScanProgress *p, void *data)
{
  (void) data;
  if (p->done)
    fprintf (stderr, "\r\033[K");
  else
    fprintf (stderr, "\r\033[Kscan: '%s' line %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
             " works kept", p->path, p->line, p->kept);
}

/* ---- the command ------------------------------------------------------------------- */

/* With --snapshot: the snapshot, its parts to read, and their paths (NULL-terminated). */
static gboolean
snapshot_paths (const char *dir, const char *since, int argc, CopubSnapshot **out_snapshot,
                GPtrArray **out_parts, GPtrArray *paths, GError **error)
{
  if (dir == NULL)
    {
      if (since == NULL)
        return TRUE;
      copub_cli_usage_error (error, "--since goes with --snapshot DIR");
      return FALSE;
    }
  if (argc > 1)
    {
      copub_cli_usage_error (error, "give files or --snapshot DIR, not both");
      return FALSE;
    }
  if (since && !g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", since, 0, 0))
    {
      copub_cli_usage_error (error, "--since takes a date (YYYY-MM-DD), not '%s'", since);
      return FALSE;
    }
  if ((*out_snapshot = copub_snapshot_open (dir, error)) == NULL)
    return FALSE;
  *out_parts = copub_snapshot_parts (*out_snapshot, since);
  for (guint i = 0; i < (*out_parts)->len; i++)
    g_ptr_array_add (paths, ((CopubSnapshotPart *) g_ptr_array_index (*out_parts, i))->path);
  g_ptr_array_add (paths, NULL);
  return TRUE;
}

gboolean
copub_cmd_scan (int argc, char **argv, GError **error)
{
  g_autofree char *institution = NULL, *country = NULL, *partial = NULL, *ror = NULL;
  g_autofree char *snapshot_dir = NULL, *since = NULL;
  gboolean all = FALSE, normalise = FALSE, skip_bad = FALSE, include_xpac = FALSE;
  int threads = 0;
  g_auto(CopubCliAnalysis) an = { 0 };
  const GOptionEntry entries[] = {
    { "institution", 0, 0, G_OPTION_ARG_STRING, &institution,
      "Keep the works of this OpenAlex institution or of those below it (its id in an "
      "authorship's institution or lineage)", "ID" },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country,
      "Keep the works with this country among their authorships' countries", "CC" },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Keep every work", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  const GOptionEntry more[] = {
    { "normalise", 0, 0, G_OPTION_ARG_NONE, &normalise,
      "Find countries in the raw affiliation strings of authorships without one, as "
      "copub import does (slower)", NULL },
    { "ror", 0, 0, G_OPTION_ARG_FILENAME, &ror,
      "A ROR data dump (v2 JSON) for the affiliation normaliser", "FILE" },
    { "skip-bad", 0, 0, G_OPTION_ARG_NONE, &skip_bad,
      "Skip malformed records (and say how many and where) instead of failing", NULL },
    { "include-xpac", 0, 0, G_OPTION_ARG_NONE, &include_xpac,
      "Keep OpenAlex's xpac works (\"is_xpac\": true: datasets, repository items), which "
      "are left out by default, as the OpenAlex API does", NULL },
    { "partial", 0, 0, G_OPTION_ARG_FILENAME, &partial,
      "Write a partial aggregate for copub merge to OUT ('-': standard output) instead of "
      "the table", "OUT" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads,
      "Parser threads per file (default: one per CPU; 1: one thread in all)", "N" },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot_dir,
      "Scan the works of the OpenAlex snapshot downloaded in DIR (the folder holding data/), "
      "checked against its manifest, merged and deleted works left out", "DIR" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      "With --snapshot: only the updated_date= partitions newer than DATE", "YYYY-MM-DD" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "scan", "[FILE...] | --snapshot DIR",
      "Compute the indicators of copub analyse straight from OpenAlex JSON Lines files\n"
      "(the snapshot's gzip files, or plain), without a store. '-' or no FILE reads\n"
      "standard input. A cheap test on each raw line skips most records that cannot\n"
      "match before they are parsed.\n"
      "\n"
      "With --partial, writes the counts as a partial aggregate instead; copub merge adds\n"
      "partials up into the same table (see doc/scaling.md).\n"
      "\n"
      "--snapshot DIR reads the parts that the manifest of the OpenAlex snapshot in DIR\n"
      "lists (DIR/data/jsonl/works/...; with --since, those of newer partitions): a part\n"
      "that does not hold the manifest's number of records stops the scan (exit status 4,\n"
      "naming it). Works deleted or merged into others are left out of the tables.\n"
      "\n"
      "Examples:\n"
      "  copub scan --institution I90183372 --by year,country part_0*.gz\n"
      "  copub scan --country FR --home none --by year --format csv works/*.gz\n"
      "  zcat part_000.gz | copub scan --institution I90183372 --partial p000.partial -");
  g_autoptr(CopubNormaliser) normaliser = NULL;
  g_autoptr(CopubAggregate) aggregate = NULL;
  g_autoptr(CopubIndicators) indicators = NULL;
  g_autoptr(CopubTable) table = NULL;
  g_autoptr(CopubSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) snapshot_files = g_ptr_array_new ();
  g_autoptr(CopubScanSelection) selection = NULL;
  CopubScanOptions scan = COPUB_SCAN_OPTIONS_INIT;
  CopubCallbacks callbacks = *copub_cli_callbacks (FALSE);
  CopubScanStats stats;
  const char *stdin_only[] = { "-", NULL };
  const char *const *files;
  gboolean ok = FALSE;

  copub_scan_stats_init (&stats);
  copub_cli_analysis_init (&an);
  g_option_context_add_main_entries (context, entries, NULL);
  copub_cli_analysis_add_entries (&an, context, FALSE);
  g_option_context_add_main_entries (context, more, NULL);
  copub_cli_analysis_add_format_entry (&an, context);
  if (!copub_cli_parse (context, &argc, &argv, error))
    goto out;
  normalise = normalise || ror != NULL;
  selection = build_selection (institution, country, all, normalise && !an.source_only, error);
  if (selection == NULL)
    goto out;
  if (threads < 0 || threads > 64)
    {
      copub_cli_usage_error (error, "--threads takes a number from 1 to 64");
      goto out;
    }
  if (!snapshot_paths (snapshot_dir, since, argc, &snapshot, &parts, snapshot_files, error))
    goto out;
  files = snapshot ? (const char *const *) snapshot_files->pdata
          : argc > 1 ? (const char *const *) argv + 1 : stdin_only;
  if (argc <= 1 && !snapshot && isatty (STDIN_FILENO))
    {
      copub_cli_usage_error (error, "no file to scan, and standard input is a terminal; "
                                    "see 'copub scan --help'");
      goto out;
    }
  if (!copub_cli_analysis_build (&an, error)
      || (aggregate = copub_aggregate_new (&an.options, error)) == NULL)
    goto out;
  if (normalise || ror)
    {
      CopubNormaliserOptions nopts = COPUB_NORMALISER_OPTIONS_INIT;
      nopts.ror_path = ror;
      if ((normaliser = copub_normaliser_new (&nopts, error)) == NULL)
        goto out;
    }

  if (country && !copub_scan_selection_prefilters (selection))
    g_info ("--country with --normalise: every record is parsed (its countries may come from "
            "raw affiliation strings)");
  if (copub_cli_stderr_is_tty ())
    callbacks.scan_progress = show_progress;
  scan.selection = selection;
  scan.n_threads = (guint) threads;
  scan.normaliser = normaliser;
  scan.skip_bad = skip_bad;
  scan.include_xpac = include_xpac;
  scan.snapshot = snapshot;
  scan.callbacks = &callbacks;
  for (const char *const *f = files; *f; f++)
    {
      const CopubSnapshotPart *part = snapshot ? g_ptr_array_index (parts, f - files) : NULL;
      if (!copub_scan_file (strcmp (*f, "-") == 0 ? NULL : *f, part, &scan, aggregate, &stats,
                            error))
        goto out;
    }
  g_info ("%" G_GUINT64_FORMAT " works parsed, %" G_GUINT64_FORMAT " kept, %" G_GUINT64_FORMAT
          " malformed skipped, %" G_GUINT64_FORMAT " xpac works left out", stats.parsed,
          stats.kept, stats.bad, stats.xpac);
  if (snapshot)
    g_message ("snapshot '%s': %u part(s) read%s%s; %" G_GUINT64_FORMAT " merged or deleted "
               "works left out (of %u listed)", snapshot_dir, parts->len,
               since ? ", of the partitions newer than " : "", since ? since : "", stats.dead,
               copub_snapshot_n_dead (snapshot));
  if (stats.bad > 0)
    {
      g_message ("skipped %" G_GUINT64_FORMAT " malformed record(s)", stats.bad);
      for (guint i = 0; i < stats.problems->len; i++)
        g_message ("skipped %s", (const char *) g_ptr_array_index (stats.problems, i));
    }
  if (partial)
    ok = copub_cli_write_partial (aggregate, partial, error);
  else
    {
      indicators = copub_aggregate_indicators (aggregate);
      table = copub_table_new_from_indicators (indicators);
      ok = copub_cli_write_table (table, an.table_format, error);
    }
out:
  copub_scan_stats_clear (&stats);
  return ok;
}
