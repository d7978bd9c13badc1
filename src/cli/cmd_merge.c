/* copub merge: adds up partial aggregates written by copub scan --partial (the merge side
 * of the map/merge split, doc/scaling.md) and prints the table copub analyse would, or
 * writes the sum as one partial again (a tree of merges). */
#include <string.h>

#include "cli.h"

gboolean
copub_cmd_merge (int argc, char **argv, GError **error)
{
  g_autofree char *partial = NULL;
  g_auto(CopubCliAnalysis) an = { 0 };
  const GOptionEntry entries[] = {
    { "partial", 0, 0, G_OPTION_ARG_FILENAME, &partial,
      "Write the sum as one partial aggregate to OUT ('-': standard output) instead of the "
      "table", "OUT" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "merge", "PARTIAL...",
      "Add up partial aggregates written by 'copub scan --partial' over disjoint inputs\n"
      "and print the table, as 'copub scan' on all the inputs at once would. Give the\n"
      "analysis options the partials were computed with (--by, --home, --from, --to,\n"
      "--types, --partners...): a partial records them and merge refuses others.\n"
      "Options that only shape the table (--window, --counting, --lang, --format) may\n"
      "differ. '-' reads a partial from standard input.\n"
      "\n"
      "Example:\n"
      "  copub merge --by year,country --format csv part-*.partial");
  g_autoptr(CopubAggregate) aggregate = NULL;
  g_autoptr(CopubIndicators) indicators = NULL;
  g_autoptr(CopubTable) table = NULL;

  copub_cli_analysis_init (&an);
  copub_cli_analysis_add_entries (&an, context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  copub_cli_analysis_add_format_entry (&an, context);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc < 2)
    {
      copub_cli_usage_error (error, "no partial to merge; see 'copub merge --help'");
      return FALSE;
    }
  if (!copub_cli_analysis_build (&an, error)
      || (aggregate = copub_aggregate_new (&an.options, error)) == NULL)
    return FALSE;
  for (int i = 1; i < argc; i++)
    {
      const char *path = strcmp (argv[i], "-") == 0 ? "/dev/stdin" : argv[i];
      g_autoptr(GError) local = NULL;

      if (copub_aggregate_merge_file (aggregate, path, &local))
        continue;
      /* The message names both option sets: say what to do about it. */
      if (g_error_matches (local, COPUB_ERROR, COPUB_ERROR_USAGE))
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "%s; give merge the analysis "
                     "options of the scans that wrote the partials", local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (partial)
    return copub_cli_write_partial (aggregate, partial, error);
  indicators = copub_aggregate_indicators (aggregate);
  table = copub_table_new_from_indicators (indicators);
  return copub_table_write (table, an.table_format, stdout, error);
}
