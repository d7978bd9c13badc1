/* copub: the command table and main(), the one place that prints errors and
 * turns them into exit statuses. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const CopubCommand commands[] = {
  { "affil", "resolve raw affiliation strings to countries and institutions", copub_cmd_affil },
  { "fetch", "harvest works from the OpenAlex or HAL API", copub_cmd_fetch },
  { "check", "compare the store with the source's own counts per year", copub_cmd_check },
  { "import", "load OpenAlex or HAL files into the store", copub_cmd_import },
  { "run", "the nightly job: harvest, analyse, chart and report from a config", copub_cmd_run },
  { "analyse", "compute indicators from the store", copub_cmd_analyse },
  { "plot", "draw the charts with gnuplot (PNG, SVG, PDF)", copub_cmd_plot },
  { "report", "write the report: HTML, Markdown with PNG charts, CSV", copub_cmd_report },
  { "scan", "compute indicators from snapshot files, without a store", copub_cmd_scan },
  { "merge", "combine partial aggregates of copub scan into one table", copub_cmd_merge },
  { "export", "write the co-authorship network for VOSviewer, Gephi, GraphML or CSV",
    copub_cmd_export },
};

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage: copub [--version] [--help] COMMAND [OPTIONS]\n"
           "\n"
           "copub measures international co-publication from OpenAlex and HAL.\n"
           "\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n"
           "Run 'copub COMMAND --help' for a command's options.\n"
           "Exit status: 0 ok, 1 error, 2 usage, 3 network, 4 bad data, 5 locked,\n"
           "6 incomplete (copub check).\n");
}

static const CopubCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const CopubCommand *command;

  /* Numbers are written with '.' whatever the user's locale: CSV and JSON
   * must stay machine-readable. Messages may still be translated later. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_set_prgname ("copub");

  if (argc < 2)
    {
      print_usage (stderr);
      return COPUB_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return copub_cli_finish_stdout (&error) ? COPUB_EXIT_OK : COPUB_EXIT_ERROR;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("copub %s\n", COPUB_VERSION);
      return copub_cli_finish_stdout (&error) ? COPUB_EXIT_OK : COPUB_EXIT_ERROR;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      fprintf (stderr, "copub: unknown command '%s'; see 'copub --help'\n", argv[1]);
      return COPUB_EXIT_USAGE;
    }

  if (!command->run (argc - 1, argv + 1, &error)
      || !copub_cli_finish_stdout (&error))
    {
      g_autofree char *message = copub_cli_error_message (error);
      fprintf (stderr, "copub %s: %s\n", command->name, message);
      return error ? copub_cli_exit_status (error) : COPUB_EXIT_ERROR;
    }
  return COPUB_EXIT_OK;
}
