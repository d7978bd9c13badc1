/* copub CLI: option parsing, verbosity and output checks shared by every command. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int verbosity = 0;
static FILE *log_file = NULL;

/* -v, -vv and --verbose may repeat; GOption only says whether one was given. */
static int
count_verbosity (int argc, char **argv)
{
  int n = 0;

  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--verbose") == 0)
        n++;
      else if (argv[i][0] == '-' && argv[i][1] == 'v'
               && strspn (argv[i] + 1, "v") == strlen (argv[i] + 1))
        n += (int) strlen (argv[i] + 1);
    }
  return n;
}

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *message = NULL;
  const char *prefix = "";
  (void) data;

  if ((level & G_LOG_LEVEL_DEBUG) && verbosity < 2)
    return G_LOG_WRITER_HANDLED;
  if ((level & G_LOG_LEVEL_INFO) && verbosity < 1)
    return G_LOG_WRITER_HANDLED;

  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    prefix = "warning: ";
  fprintf (stderr, "copub: %s%s\n", prefix, message ? message : "");
  if (log_file)
    copub_cli_log_line ("%s%s", prefix, message ? message : "");
  return G_LOG_WRITER_HANDLED;
}

/* The library's notes go to the log, like the CLI's own messages (-v shows the details). */
static void
cli_note (CopubNoteLevel level, const char *message, void *data)
{
  (void) data;
  switch (level)
    {
    case COPUB_NOTE_INFO:
      g_info ("%s", message);
      break;
    case COPUB_NOTE_MESSAGE:
      g_message ("%s", message);
      break;
    case COPUB_NOTE_WARNING:
    default:
      g_warning ("%s", message);
      break;
    }
}

/* One line on stderr, rewritten in place. */
static void
cli_harvest_progress (const CopubHarvestProgress *p, void *data)
{
  g_autofree char *eta = NULL;
  g_autofree char *budget = NULL;
  (void) data;

  eta = p->seconds_left >= 0
            ? g_strdup_printf (", ~%.0f s left%s", p->seconds_left, p->more_to_count ? "+" : "")
            : g_strdup ("");
  budget = p->budget_remaining >= 0
               ? g_strdup_printf (", budget %" G_GINT64_FORMAT " left", p->budget_remaining)
               : g_strdup ("");
  fprintf (stderr, "\rcopub fetch: %u/%u slices, %" G_GUINT64_FORMAT " pages, %"
           G_GUINT64_FORMAT " works, %.1f req/s%s%s\033[K%s", p->slices_done, p->slices,
           p->pages, p->works, p->requests_per_second, budget, eta, p->final ? "\n" : "");
  fflush (stderr);
}

const CopubCallbacks *
copub_cli_callbacks (gboolean progress)
{
  static const CopubCallbacks notes = { cli_note, NULL, NULL, NULL };
  static const CopubCallbacks notes_and_progress = { cli_note, cli_harvest_progress, NULL,
                                                     NULL };

  return progress ? &notes_and_progress : &notes;
}

GOptionContext *
copub_cli_context_new (const char *command, const char *parameter_string, const char *summary)
{
  g_autofree char *name = g_strdup_printf ("copub %s", command);
  GOptionContext *context = g_option_context_new (parameter_string);

  /* "Usage: copub import [OPTION…] FILE..." */
  g_set_prgname (name);
  g_option_context_set_summary (context, summary);
  return context;
}

gboolean
copub_cli_parse (GOptionContext *context, int *argc, char ***argv, GError **error)
{
  static gboolean verbose_given;
  const GOptionEntry shared[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose_given,
      "Show progress details (-vv for debugging)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GError) local = NULL;

  verbosity = count_verbosity (*argc, *argv);
  g_option_context_add_main_entries (context, shared, NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  if (!g_option_context_parse (context, argc, argv, &local))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

const char *
copub_cli_db_path (const char *option)
{
  const char *env;

  if (option != NULL && *option != '\0')
    return option;
  env = g_getenv ("COPUB_DB");
  if (env != NULL && *env != '\0')
    return env;
  return "copub.db";
}

gboolean
copub_cli_finish_stdout (GError **error)
{
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing to standard output: %s",
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
copub_cli_stderr_is_tty (void)
{
  return isatty (STDERR_FILENO) == 1;
}

void
copub_cli_usage_error (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE, message);
}

gboolean
copub_cli_hal_rules (const char *year, gboolean annexes, CopubHalRules *out, GError **error)
{
  *out = (CopubHalRules) COPUB_HAL_RULES_INIT;
  out->keep_annexes = annexes;
  if (year == NULL || copub_hal_year_from_name (year, &out->year))
    return TRUE;
  copub_cli_usage_error (error, "--hal-year takes produced or publication, not '%s'", year);
  return FALSE;
}

gboolean
copub_cli_log_to_file (const char *path, GError **error)
{
  FILE *f = fopen (path, "a");

  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot open the log file '%s': %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  setvbuf (f, NULL, _IOLBF, 0);
  log_file = f;
  return TRUE;
}

void
copub_cli_log_line (const char *format, ...)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL, *message = NULL;
  va_list args;

  if (log_file == NULL)
    return;
  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (log_file, "%s copub[%ld]: %s\n", stamp, (long) getpid (), message);
}

gboolean
copub_cli_write_table (const CopubTable *table, CopubTableFormat format, GError **error)
{
  const char *const *notes;
  guint n = 0;

  if (!copub_table_write (table, format, stdout, error))
    return FALSE;
  notes = copub_table_notes (table, &n);
  for (guint i = 0; format == COPUB_TABLE_FORMAT_CSV && i < n; i++)
    g_message ("%s", notes[i]);
  return TRUE;
}

gboolean
copub_cli_parse_period (const char *value, int *from, int *to, GError **error)
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
