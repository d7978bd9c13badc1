/* copub affil: resolves raw affiliation strings to countries and institutions, one output
 * line (or JSON object) per input string, in the input's order. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "copub/normalise.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

typedef enum {
  FORMAT_TSV,
  FORMAT_JSON,
} Format;

typedef struct {
  const CopubNormaliser *normaliser;
  Format format;
  guint64 count;
} Printer;

static const char *
evidence_name (CopubEvidence evidence)
{
  switch (evidence)
    {
    case COPUB_EVIDENCE_PLACE: return "place";
    case COPUB_EVIDENCE_INSTITUTION: return "institution";
    case COPUB_EVIDENCE_WEAK: return "weak";
    case COPUB_EVIDENCE_NONE:
    default: return "none";
    }
}

/* TSV fields hold no tab or line break: they become spaces. */
static void
put_field (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    putchar (*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

static void
print_tsv (const CopubAffiliation *aff, const char *input)
{
  g_autofree char *countries = copub_affiliation_countries (aff);

  fputs (countries, stdout);
  putchar ('\t');
  put_field (aff->institution_id ? aff->institution_id : "");
  putchar ('\t');
  put_field (aff->institution_name ? aff->institution_name : "");
  putchar ('\t');
  put_field (input);
  putchar ('\n');
}

static void
print_json (Printer *printer, const CopubAffiliation *aff, const char *input)
{
  g_autoptr(json_t) object = json_object ();
  json_t *countries = json_array ();
  g_autofree char *text = NULL;

  for (guint i = 0; i < aff->n_countries; i++)
    json_array_append_new (countries, json_string (aff->countries[i]));
  json_object_set_new (object, "input", json_string (input));
  json_object_set_new (object, "countries", countries);
  json_object_set_new (object, "evidence", json_string (evidence_name (aff->evidence)));
  if (aff->institution_id != NULL)
    json_object_set_new (object, "institution",
                         json_pack ("{s:s, s:s, s:s?}", "id", aff->institution_id,
                                    "name", aff->institution_name, "country",
                                    aff->institution_country));
  else
    json_object_set_new (object, "institution", json_null ());
  text = json_dumps (object, JSON_COMPACT | JSON_PRESERVE_ORDER);
  printf ("%s  %s", printer->count == 0 ? "[\n" : ",\n", text ? text : "{}");
}

static void
resolve_one (Printer *printer, const char *raw, gsize len)
{
  CopubAffiliation aff;
  g_autofree char *input = g_utf8_make_valid (raw, (gssize) len);

  copub_affiliation_init (&aff);
  copub_normaliser_resolve (printer->normaliser, raw, (gssize) len, &aff);
  if (printer->format == FORMAT_JSON)
    print_json (printer, &aff, input);
  else
    print_tsv (&aff, input);
  copub_affiliation_clear (&aff);
  printer->count++;
}

static gboolean
resolve_stdin (Printer *printer, GError **error)
{
  char *line = NULL;
  size_t size = 0;
  ssize_t n;

  while ((n = getline (&line, &size, stdin)) >= 0)
    {
      gsize len = (gsize) n;
      if (len > 0 && line[len - 1] == '\n')
        len--;
      if (len > 0 && line[len - 1] == '\r')
        len--;
      resolve_one (printer, line, len);
    }
  free (line);
  if (ferror (stdin))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "reading standard input failed");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_format (const char *name, Format *out, GError **error)
{
  if (name == NULL || strcmp (name, "tsv") == 0)
    *out = FORMAT_TSV;
  else if (strcmp (name, "json") == 0)
    *out = FORMAT_JSON;
  else
    {
      copub_cli_usage_error (error, "unknown format '%s' (expected tsv or json)", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
copub_cmd_affil (int argc, char **argv, GError **error)
{
  g_autofree char *format_name = NULL;
  g_autofree char *ror_path = NULL;
  gboolean no_registry = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, "Output format: tsv or json",
      "FORMAT" },
    { "ror", 0, 0, G_OPTION_ARG_FILENAME, &ror_path,
      "Also load a ROR v2 data dump (.json, .json.gz or ROR's release .zip)", "FILE" },
    { "no-registry", 0, 0, G_OPTION_ARG_NONE, &no_registry,
      "Do not load the institution registry copub ships (data/ror-registry.tsv)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
    "affil", "[STRING...]", "Resolve raw affiliation strings to countries and institutions.\n"
    "Without STRING, reads one string per line from standard input. Prints per string:\n"
    "countries<TAB>institution_id<TAB>institution_name<TAB>input");
  CopubNormaliserOptions options = COPUB_NORMALISER_OPTIONS_INIT;
  g_autoptr(CopubNormaliser) normaliser = NULL;
  Printer printer = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error)
      || !parse_format (format_name, &printer.format, error))
    return FALSE;
  options.ror_path = ror_path;
  options.no_registry = no_registry;
  normaliser = copub_normaliser_new (&options, error);
  if (normaliser == NULL)
    return FALSE;
  printer.normaliser = normaliser;
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      resolve_one (&printer, argv[i], strlen (argv[i]));
  else if (!resolve_stdin (&printer, error))
    return FALSE;
  if (printer.format == FORMAT_JSON)
    fputs (printer.count == 0 ? "[]\n" : "\n]\n", stdout);
  return TRUE;
}
