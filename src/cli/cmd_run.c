/* copub run: the nightly job, end to end, from one configuration file. */
#include <stdio.h>

#include "cli.h"
#include "copub/run.h"

static void
print_plan (const CopubConfig *c, const CopubRunPlan *plan)
{
  printf ("copub run %s (dry run: nothing is changed)\n", c->path);
  printf ("  lock     %s\n", plan->lock);
  printf ("  store    %s\n", c->store);
  if (!plan->harvest)
    printf ("  harvest  skipped (--offline)\n");
  if (plan->openalex)
    printf ("  harvest  OpenAlex %s (lineage), years %d-%d, refreshing the last %d, "
            "from %s%s\n", c->openalex, plan->from, plan->to, c->refresh_years,
            c->openalex_url, plan->api_key ? ", with an API key" : ", no API key");
  if (plan->hal)
    printf ("  harvest  HAL %s %s, from %s\n", c->hal_struct ? "structure" : "collection",
            c->hal_struct ? c->hal_struct : c->hal_collection, c->hal_url);
  for (char **f = c->files; f && *f; f++)
    printf ("  import   %s\n", *f);
  printf ("  report   %s (languages:", c->out_dir);
  for (char **l = c->languages; *l; l++)
    printf (" %s", *l);
  printf ("; charts:");
  for (char **f = c->formats; *f; f++)
    printf (" %s", *f);
  printf (")\n");
}

gboolean
copub_cmd_run (int argc, char **argv, GError **error)
{
  gboolean offline = FALSE, dry_run = FALSE, print_config = FALSE;
  gboolean include_xpac = FALSE, allow_partial = FALSE;
  g_autofree char *log = NULL;
  const GOptionEntry entries[] = {
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline,
      "Skip the harvest: report on what the store and the configured files hold", NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Say what would be done; change nothing",
      NULL },
    { "include-xpac", 0, 0, G_OPTION_ARG_NONE, &include_xpac,
      "Keep OpenAlex's xpac works, harvested and imported (as [corpus] include-xpac = true)",
      NULL },
    { "allow-partial", 0, 0, G_OPTION_ARG_NONE, &allow_partial,
      "Harvest even when the day's OpenAlex budget cannot finish it", NULL },
    { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &log,
      "Also append the log to FILE (overrides the config's log-file)", "FILE" },
    { "print-config", 0, 0, G_OPTION_ARG_NONE, &print_config,
      "Print every configuration key with its default, and exit", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "run", "CONFIG",
      "The nightly job: harvest the sources (incrementally), import the configured files,\n"
      "compute the indicators and write the report, charts and tables. The outputs are\n"
      "replaced only when the run succeeds; a second run on the same store exits at once\n"
      "(status 5). Every run is recorded in the store, for the report's history.\n"
      "\n"
      "Exit status: 0 ok, 1 error, 2 bad configuration, 3 network, 4 bad data, 5 locked.\n"
      "\n"
      "Example: copub run examples/lorraine.conf");
  g_autoptr(CopubConfig) config = NULL;
  CopubRunOptions options = COPUB_RUN_OPTIONS_INIT;
  CopubRunResult result;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (print_config)
    {
      fputs (copub_config_reference (), stdout);
      return TRUE;
    }
  if (argc != 2)
    {
      copub_cli_usage_error (error, "expected one configuration file; see 'copub run --help'");
      return FALSE;
    }
  if ((config = copub_config_load (argv[1], error)) == NULL)
    return FALSE;
  if (!dry_run && (log || config->log_file)
      && !copub_cli_log_to_file (log ? log : config->log_file, error))
    return FALSE;
  options.offline = offline;
  options.dry_run = dry_run;
  options.include_xpac = include_xpac;
  options.allow_partial = allow_partial;
  options.callbacks = copub_cli_callbacks (FALSE);
  copub_cli_log_line ("run %s%s started", argv[1], offline ? " (offline)" : "");
  ok = copub_run (config, &options, &result, error);
  if (ok && dry_run)
    print_plan (config, &result.plan);
  if (ok && !dry_run)
    {
      printf ("%s\n", result.headline ? result.headline : "");
      g_message ("run %" G_GINT64_FORMAT " done: report in '%s'", result.run_id, result.out_dir);
    }
  if (!ok)
    copub_cli_log_line ("run failed: %s", (*error)->message);
  copub_run_result_clear (&result);
  return ok;
}
