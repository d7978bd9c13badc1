/* copub export network: the co-authorship network of the corpus analyse counts, as files
 * for VOSviewer, Gephi (GEXF), GraphML tools or a CSV edge list. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "copub/network.h"

typedef struct {
  char *db, *level, *format, *min_weight, *output, *theme;
} Args;

static void
args_clear (Args *a)
{
  g_free (a->db); g_free (a->level); g_free (a->format); g_free (a->min_weight);
  g_free (a->output); g_free (a->theme);
}

/* A file written beside its destination and renamed over it once complete. */
typedef struct {
  char *path, *tmp;
  FILE *file;
} Staged;

/* Writes through to a device, FIFO or symbolic link (never replaced by a regular file). */
static gboolean
staged_open_stream (Staged *s, const char *path, GError **error)
{
  s->path = g_strdup (path);
  if ((s->file = fopen (path, "w")) == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot write '%s': %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
staged_open (Staged *s, const char *path, GError **error)
{
  int fd;

  if (copub_cli_path_is_stream (path))
    return staged_open_stream (s, path, error);
  s->path = g_strdup (path);
  s->tmp = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (s->tmp, O_WRONLY, 0644);
  if (fd < 0 || (s->file = fdopen (fd, "w")) == NULL)
    {
      int saved = errno;
      if (fd >= 0)
        {
          close (fd);
          g_unlink (s->tmp);
        }
      g_clear_pointer (&s->tmp, g_free);
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot write '%s': %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Closes the file; renames it into place when @commit, else removes it. */
static gboolean
staged_finish (Staged *s, gboolean commit, GError **error)
{
  gboolean ok = TRUE;

  if (s->file && fclose (s->file) != 0 && commit)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing '%s': %s", s->path,
                   g_strerror (saved));
      commit = ok = FALSE;
    }
  s->file = NULL;
  if (s->tmp && commit && g_rename (s->tmp, s->path) != 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot write '%s': %s", s->path,
                   g_strerror (saved));
      commit = ok = FALSE;
    }
  if (s->tmp && !commit)
    g_unlink (s->tmp);
  g_clear_pointer (&s->tmp, g_free);
  g_clear_pointer (&s->path, g_free);
  return ok;
}

/* Writes the files: the VOSviewer pair PREFIX-map.txt and PREFIX-network.txt, or one
 * file (standard output without --output, or with "-"). */
static gboolean
write_files (const CopubNetwork *net, CopubNetworkFormat format,
             const CopubNetworkWriteOptions *wo, const char *output, GError **error)
{
  Staged main_file = { 0 }, links = { 0 };
  gboolean ok;

  if (format == COPUB_NETWORK_VOSVIEWER)
    {
      g_autofree char *map_path = g_strdup_printf ("%s-map.txt", output);
      g_autofree char *net_path = g_strdup_printf ("%s-network.txt", output);
      if (!staged_open (&main_file, map_path, error))
        return FALSE;
      if (!staged_open (&links, net_path, error))
        return staged_finish (&main_file, FALSE, NULL), FALSE;
      ok = copub_network_write (net, format, wo, main_file.file, links.file, error);
      ok = staged_finish (&main_file, ok, ok ? error : NULL) && ok;
      return staged_finish (&links, ok, ok ? error : NULL) && ok;
    }
  if (output == NULL || strcmp (output, "-") == 0)
    return copub_network_write (net, format, wo, stdout, NULL, error);
  if (!staged_open (&main_file, output, error))
    return FALSE;
  ok = copub_network_write (net, format, wo, main_file.file, NULL, error);
  if (!ok)
    g_prefix_error (error, "'%s': ", output);
  return staged_finish (&main_file, ok, ok ? error : NULL) && ok;
}

/* Checks the options that make no sense for a network and reads the network's own. */
static gboolean
check_args (const Args *a, const CopubCliAnalysis *an, CopubNetworkOptions *no,
            CopubNetworkFormat *format, CopubNetworkWriteOptions *wo, GError **error)
{
  char *end = NULL;

  if (an->by || an->window || an->partners)
    {
      copub_cli_usage_error (error, "%s has no meaning for a network",
                             an->by ? "--by" : an->window ? "--window" : "--partners");
      return FALSE;
    }
  if (a->level == NULL || (strcmp (a->level, "country") != 0
                           && strcmp (a->level, "institution") != 0))
    {
      copub_cli_usage_error (error, "--level takes country or institution, not '%s'",
                             a->level ? a->level : "(nothing)");
      return FALSE;
    }
  no->level = strcmp (a->level, "country") == 0 ? COPUB_NETWORK_COUNTRY
                                                 : COPUB_NETWORK_INSTITUTION;
  no->theme = a->theme;
  if (a->format == NULL || !copub_network_format_from_name (a->format, format))
    {
      copub_cli_usage_error (error, "--format takes vosviewer, gexf, graphml or csv, not '%s'",
                             a->format ? a->format : "(nothing)");
      return FALSE;
    }
  if (an->counting && strcmp (an->counting, "both") == 0)
    {
      copub_cli_usage_error (error, "--counting takes full or fractional for a network, "
                                    "not 'both'");
      return FALSE;
    }
  wo->counting = an->counting ? an->options.counting : COPUB_COUNTING_FULL;
  wo->min_weight = 0;
  if (a->min_weight)
    {
      wo->min_weight = g_ascii_strtod (a->min_weight, &end);
      if (end == a->min_weight || *end != '\0' || !(wo->min_weight >= 0)
          || wo->min_weight > 1e15)
        {
          copub_cli_usage_error (error, "--min-weight takes a number 0 or more, not '%s'",
                                 a->min_weight);
          return FALSE;
        }
    }
  if (*format == COPUB_NETWORK_VOSVIEWER && (a->output == NULL || strcmp (a->output, "-") == 0))
    {
      copub_cli_usage_error (error, "--format vosviewer writes two files: give --output PREFIX");
      return FALSE;
    }
  return TRUE;
}

static gboolean
export_network (int argc, char **argv, GError **error)
{
  Args a = { 0 };
  g_auto(CopubCliAnalysis) an = { 0 };
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &a.db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { "level", 0, 0, G_OPTION_ARG_STRING, &a.level, "Nodes: country or institution (required)",
      "LEVEL" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &a.format,
      "vosviewer (PREFIX-map.txt and PREFIX-network.txt), gexf (Gephi), graphml or csv "
      "(required)", "FORMAT" },
    { "min-weight", 0, 0, G_OPTION_ARG_STRING, &a.min_weight,
      "Leave out the links weighing less than N in the counting used (default: 0)", "N" },
    { "theme", 0, 0, G_OPTION_ARG_STRING, &a.theme,
      "Only the works of this theme, as 'copub analyse --by theme' names it", "THEME" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output,
      "Output file (default: standard output), or the PREFIX of the VOSviewer pair",
      "FILE|PREFIX" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "export network", NULL,
      "Write the co-authorship network of the works 'copub analyse' counts (same years,\n"
      "types, source, home and territory rules), between countries or institutions.\n"
      "\n"
      "Nodes: countries (id: ISO code, label: the name in --lang) or institutions (id: ROR,\n"
      "else OpenAlex or HAL id; label: the name; with its country); node weight: works.\n"
      "An institution counts for a work when its id is among the work's institution ids,\n"
      "which include its authors' institutions' parents (OpenAlex lineage), as --by partner.\n"
      "Links: --counting full (default): the number of works the two nodes co-author;\n"
      "--counting fractional (VOSviewer's): a work with k distinct nodes gives each of\n"
      "its k(k-1)/2 links 1/(k-1). The files hold both; GEXF and GraphML say which is the\n"
      "weight in their description. Files are written whole or not at all.\n"
      "\n"
      "Open in VOSviewer: Create... > Create a map based on network data > Read data from\n"
      "VOSviewer files: the map file and the network file. In Gephi: File > Open the GEXF.\n"
      "\n"
      "Examples:\n"
      "  copub export network --level country --format gexf -o countries.gexf\n"
      "  copub export network --level institution --counting fractional --min-weight 2 \\\n"
      "      --format vosviewer -o institutions");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubNetwork) net = NULL;
  CopubNetworkOptions no = { 0 };
  CopubNetworkWriteOptions wo = { 0 };
  CopubNetworkFormat format = COPUB_NETWORK_CSV;
  gboolean ok = FALSE;
  const char *path;

  copub_cli_analysis_init (&an);
  g_option_context_add_main_entries (context, entries, NULL);
  copub_cli_analysis_add_entries (&an, context, TRUE);
  if (!copub_cli_parse (context, &argc, &argv, error))
    goto out;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      goto out;
    }
  if (!copub_cli_analysis_build (&an, error) || !check_args (&a, &an, &no, &format, &wo, error))
    goto out;
  path = copub_cli_db_path (a.db);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                   "store '%s' does not exist: run 'copub import' or 'copub fetch' first", path);
      goto out;
    }
  if ((store = copub_store_open (path, error)) == NULL
      || (net = copub_network_build (store, &an.options, &no, error)) == NULL)
    goto out;
  ok = write_files (net, format, &wo, a.output, error);
out:
  args_clear (&a);
  return ok;
}

static void
print_export_usage (FILE *out)
{
  fprintf (out, "Usage: copub export network [OPTIONS]\n"
                "\n"
                "Write the co-authorship network (VOSviewer, GEXF, GraphML, CSV).\n"
                "Run 'copub export network --help' for its options.\n");
}

gboolean
copub_cmd_export (int argc, char **argv, GError **error)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      print_export_usage (stdout);
      return TRUE;
    }
  if (argc < 2 || strcmp (argv[1], "network") != 0)
    {
      copub_cli_usage_error (error, "expected what to export: 'network', not '%s'",
                             argc < 2 ? "(nothing)" : argv[1]);
      return FALSE;
    }
  return export_network (argc - 1, argv + 1, error);
}
