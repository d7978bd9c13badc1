/* copub CLI: the analysis options that analyse, scan and merge share (--by, --home,
 * --from, --types...), how they appear on the command line and how they become a
 * CopubAnalyseOptions; and how scan and merge write a partial aggregate. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "copub/countries.h"

void
copub_cli_analysis_init (CopubCliAnalysis *a)
{
  const CopubAnalyseOptions defaults = COPUB_ANALYSE_OPTIONS_INIT;

  memset (a, 0, sizeof *a);
  a->options = defaults;
  a->table_format = COPUB_TABLE_FORMAT_TABLE;
  g_strlcpy (a->home_code, COPUB_DEFAULT_HOME, sizeof a->home_code);
}

void
copub_cli_analysis_clear (CopubCliAnalysis *a)
{
  g_free (a->by); g_free (a->home); g_free (a->types); g_free (a->source);
  g_free (a->counting); g_free (a->theme_level); g_free (a->themes); g_free (a->partners);
  g_free (a->lang); g_free (a->format);
  g_strfreev (a->type_list);
  copub_theme_map_free (a->theme_map);
  copub_partners_free (a->partner_list);
  g_free (a->groups);
  copub_regions_free (a->region_list);
  g_free (a->home_institution); g_free (a->registry); g_free (a->home_institution_id);
  g_free (a->home_openalex_id);
  copub_institution_tree_free (a->institution_tree);
  memset (a, 0, sizeof *a);
}

void
copub_cli_analysis_add_entries (CopubCliAnalysis *a, GOptionContext *context,
                                gboolean with_source)
{
  /* The help lists them in this order; --source sits among them in copub analyse. */
  const GOptionEntry before_source[] = {
    { "by", 0, 0, G_OPTION_ARG_STRING, &a->by,
      "Dimensions, comma-separated: year, theme, country, partner, source, type, region "
      "(default: year)",
      "DIMS" },
    { "home", 0, 0, G_OPTION_ARG_STRING, &a->home,
      "Home country, ISO 3166-1 alpha-2 (default: " COPUB_DEFAULT_HOME "); 'none': international = two "
      "countries or more", "CC" },
    { "from", 0, 0, G_OPTION_ARG_INT, &a->from, "First publication year", "YEAR" },
    { "to", 0, 0, G_OPTION_ARG_INT, &a->to, "Last publication year", "YEAR" },
    { "window", 0, 0, G_OPTION_ARG_INT, &a->window,
      "Rolling periods of N years instead of single years (Leiden uses 4)", "N" },
    { "types", 0, 0, G_OPTION_ARG_STRING, &a->types,
      "OpenAlex document types, comma-separated (default: article,review,book-chapter), "
      "or 'all'; an unknown type is an error listing the valid ones", "LIST" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  const GOptionEntry source[] = {
    { "source", 0, 0, G_OPTION_ARG_STRING, &a->source, "openalex, hal or all (default: all)",
      "SOURCE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  const GOptionEntry after_source[] = {
    { "counting", 0, 0, G_OPTION_ARG_STRING, &a->counting,
      "Partner countries: full, fractional or both (default: both)", "METHOD" },
    { "theme-level", 0, 0, G_OPTION_ARG_STRING, &a->theme_level,
      "Themes from OpenAlex 'field' (26, default) or 'domain' (4)", "LEVEL" },
    { "themes", 0, 0, G_OPTION_ARG_FILENAME, &a->themes,
      "Theme map folding fields and domains into the institution's themes", "FILE" },
    { "partners", 0, 0, G_OPTION_ARG_FILENAME, &a->partners,
      "Strategic partners: ROR, OpenAlex or HAL ids (or name:NAME) with a name", "FILE" },
    { "groups", 0, 0, G_OPTION_ARG_FILENAME, &a->groups,
      "Country or institution groups beside the built-in regions: MEMBER<TAB>GROUP lines",
      "FILE" },
    { "no-territories-as-home", 0, 0, G_OPTION_ARG_NONE, &a->no_territories,
      "Do not count French overseas territories as FR when home is FR", NULL },
    { "hk-mo-as-cn", 0, 0, G_OPTION_ARG_NONE, &a->hk_mo_as_cn,
      "Count Hong Kong and Macao as China", NULL },
    { "source-countries-only", 0, 0, G_OPTION_ARG_NONE, &a->source_only,
      "Ignore the countries copub's normaliser found in raw affiliation strings", NULL },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &a->lang, "Language of names and the headline: en, fr",
      "LANG" },
    { "home-institution", 0, 0, G_OPTION_ARG_STRING, &a->home_institution,
      "--by institution: the home institution, a ROR id, an OpenAlex id the store knows, or "
      "both (ROR,OPENALEX): its top-level parents and the units naming it in their OpenAlex "
      "lineage are not partners", "ID" },
    { "registry", 0, 0, G_OPTION_ARG_FILENAME, &a->registry,
      "--by institution: the registry rolling institutions up to their top-level parents "
      "(copub's table or a ROR dump; default: copub's data/ror-registry.tsv)", "FILE" },
    { "top", 0, 0, G_OPTION_ARG_INT, &a->top,
      "--by institution: only the N partner institutions with the most works", "N" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };

  /* GLib copies the entries; the strings are static and the targets live in @a. */
  g_option_context_add_main_entries (context, before_source, NULL);
  if (with_source)
    g_option_context_add_main_entries (context, source, NULL);
  g_option_context_add_main_entries (context, after_source, NULL);
}

void
copub_cli_analysis_add_format_entry (CopubCliAnalysis *a, GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &a->format, "table, csv or json (default: table)",
      "FORMAT" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

/* --home-institution: a ROR id, an OpenAlex id, or both ("04vfs2w97,I90183372"). */
static gboolean
parse_home_institution (CopubCliAnalysis *a, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (a->home_institution, ",", 3);
  gboolean pair = parts[0] && parts[1];
  g_autofree char *first = parts[0] ? copub_institution_short_id (g_strstrip (parts[0])) : NULL;
  g_autofree char *second = pair ? copub_institution_short_id (g_strstrip (parts[1])) : NULL;

  if (first == NULL || (pair && (parts[2] || second == NULL))
      || (pair && copub_institution_is_ror (first) == copub_institution_is_ror (second)))
    {
      copub_cli_usage_error (error, "--home-institution takes a ROR id (04vfs2w97), an "
                                    "OpenAlex institution id (I90183372) or both, "
                                    "comma-separated, not '%s'", a->home_institution);
      return FALSE;
    }
  if (pair && !copub_institution_is_ror (first))
    {
      char *t = first;
      first = second;
      second = t;
    }
  a->home_institution_id = g_steal_pointer (&first);
  a->home_openalex_id = g_steal_pointer (&second);
  return TRUE;
}

/* --home-institution, --registry and --top, for the institution dimension. */
static gboolean
build_institutions (CopubCliAnalysis *a, GError **error)
{
  CopubAnalyseOptions *o = &a->options;
  gboolean asked = FALSE;

  for (guint d = 0; d < o->n_dims; d++)
    asked |= o->dims[d] == COPUB_DIM_INSTITUTION;
  if (a->top < 0)
    {
      copub_cli_usage_error (error, "--top takes a positive number of institutions");
      return FALSE;
    }
  o->top = (guint) a->top;
  if (a->home_institution && !parse_home_institution (a, error))
    return FALSE;
  o->home_institution = a->home_institution_id;
  o->home_openalex = a->home_openalex_id;
  if (asked && a->home_institution_id == NULL)
    {
      copub_cli_usage_error (error, "--by institution needs --home-institution: the home "
                                    "institution's ROR id (or its OpenAlex id)");
      return FALSE;
    }
  /* plot and report have no --by: a home institution asks for partner institutions */
  if (a->home_institution_id == NULL)
    return TRUE;
  a->institution_tree = copub_institution_tree_load (a->registry, error);
  o->institution_tree = a->institution_tree;
  return a->institution_tree != NULL;
}

/* Parses --home: an ISO alpha-2 code (any case) or "none". */
static gboolean
parse_home (const char *value, char out[3], gboolean *none, GError **error)
{
  *none = g_ascii_strcasecmp (value, "none") == 0;
  if (*none)
    return TRUE;
  if (strlen (value) == 2)
    {
      out[0] = g_ascii_toupper (value[0]);
      out[1] = g_ascii_toupper (value[1]);
      out[2] = '\0';
    }
  if (strlen (value) != 2 || !copub_country_known (out))
    {
      copub_cli_usage_error (error, "--home takes an ISO 3166-1 alpha-2 country code (FR, DE, "
                                    "US...) or 'none', not '%s'", value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_year (const char *option, int value, GError **error)
{
  if (value != 0 && (value < 1000 || value > 9999))
    {
      copub_cli_usage_error (error, "%s takes a four-digit year, not %d", option, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_choice (const char *option, const char *value, const char *const *choices, int *out,
              GError **error)
{
  for (int i = 0; choices[i]; i++)
    if (strcmp (value, choices[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **) choices);
    copub_cli_usage_error (error, "%s takes one of %s, not '%s'", option, list, value);
  }
  return FALSE;
}

/* The groups of the region dimension: built-in, and --groups's. */
static gboolean
load_regions (CopubCliAnalysis *a, GError **error)
{
  CopubAnalyseOptions *o = &a->options;
  gboolean wanted = a->groups != NULL || a->with_regions;

  for (guint d = 0; d < o->n_dims; d++)
    wanted |= o->dims[d] == COPUB_DIM_REGION;
  if (!wanted)
    return TRUE;
  a->region_list = copub_regions_load (NULL, a->groups, error);
  o->regions = a->region_list;
  return a->region_list != NULL;
}

gboolean
copub_cli_analysis_build (CopubCliAnalysis *a, GError **error)
{
  static const char *const counting[] = { "both", "full", "fractional", NULL };
  static const char *const levels[] = { "field", "domain", NULL };
  static const char *const sources[] = { "all", "openalex", "hal", NULL };
  static const char *const langs[] = { "en", "fr", NULL };
  CopubAnalyseOptions *o = &a->options;
  gboolean home_none = FALSE;
  int choice;

  if (a->format && !copub_table_format_from_name (a->format, &a->table_format))
    {
      copub_cli_usage_error (error, "--format takes table, csv or json, not '%s'", a->format);
      return FALSE;
    }
  if ((a->by && !copub_analyse_parse_dims (o, a->by, error))
      || (a->home && !parse_home (a->home, a->home_code, &home_none, error))
      || !check_year ("--from", a->from, error) || !check_year ("--to", a->to, error))
    return FALSE;
  if (a->from && a->to && a->from > a->to)
    {
      copub_cli_usage_error (error, "--from %d is after --to %d", a->from, a->to);
      return FALSE;
    }
  if (a->window < 0 || a->window > 50)
    {
      copub_cli_usage_error (error, "--window takes a number of years from 1 to 50");
      return FALSE;
    }
  o->home = home_none ? NULL : a->home_code;
  o->from = a->from;
  o->to = a->to;
  o->window = (guint) a->window;
  o->territories_as_home = !a->no_territories;
  o->hk_mo_as_cn = a->hk_mo_as_cn;
  o->source_countries_only = a->source_only;
  if (a->counting && !parse_choice ("--counting", a->counting, counting, &choice, error))
    return FALSE;
  o->counting = a->counting ? (CopubCounting) choice : COPUB_COUNTING_BOTH;
  if (a->theme_level && !parse_choice ("--theme-level", a->theme_level, levels, &choice, error))
    return FALSE;
  o->theme_level = a->theme_level ? (CopubThemeLevel) choice : COPUB_THEME_FIELD;
  if (a->source && !parse_choice ("--source", a->source, sources, &choice, error))
    return FALSE;
  o->source = a->source && strcmp (a->source, "all") != 0 ? a->source : NULL;
  if (a->lang && !parse_choice ("--lang", a->lang, langs, &choice, error))
    return FALSE;
  o->lang = a->lang ? a->lang : "en";
  if (a->types)
    {
      a->type_list = g_strsplit (a->types, ",", -1);
      for (char **t = a->type_list; *t; t++)
        g_strstrip (*t);
      o->types = (const char *const *) a->type_list;
      if (!copub_analyse_check_types (o->types, error))
        {
          g_prefix_error (error, "--types: ");
          return FALSE;
        }
    }
  if (a->themes && (a->theme_map = copub_theme_map_load (a->themes, error)) == NULL)
    return FALSE;
  o->themes = a->theme_map;
  if (a->partners && (a->partner_list = copub_partners_load (a->partners, error)) == NULL)
    return FALSE;
  o->partners = a->partner_list;
  if (!load_regions (a, error))
    return FALSE;
  o->country_name = copub_country_name_func;
  return build_institutions (a, error);
}

/* ---- partial aggregates ----------------------------------------------------------------- */

/* TRUE when @path names something an atomic write must not replace: standard output
 * ("-"), or an existing non-regular file or symbolic link (/dev/stdout, a FIFO), which
 * an atomic write would replace by a regular file instead of writing through. */
gboolean
copub_cli_path_is_stream (const char *path)
{
  GStatBuf st;

  if (strcmp (path, "-") == 0)
    return TRUE;
  return g_lstat (path, &st) == 0 && !S_ISREG (st.st_mode);
}

/* Writes through to standard output or the stream @path names. */
static gboolean
write_partial_stream (CopubAggregate *agg, const char *path, GError **error)
{
  FILE *out;
  gboolean ok;

  if (strcmp (path, "-") == 0)
    {
      if (copub_aggregate_write (agg, stdout, error))
        return TRUE;
      g_prefix_error (error, "standard output: ");
      return FALSE;
    }
  if ((out = fopen (path, "w")) == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot write '%s': %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  ok = copub_aggregate_write (agg, out, error);
  if (fclose (out) != 0 && ok)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing '%s': %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  if (!ok)
    g_prefix_error (error, "'%s': ", path);
  return ok;
}

/* Writes a regular file atomically: a temporary file beside it, renamed over it once
 * complete; a failure removes the temporary file. */
static gboolean
write_partial_file (CopubAggregate *agg, const char *path, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  int fd = g_mkstemp_full (tmp, O_WRONLY, 0644);
  FILE *out;
  gboolean ok;

  if (fd < 0 || (out = fdopen (fd, "w")) == NULL)
    {
      int saved = errno;
      if (fd >= 0)
        {
          close (fd);
          g_unlink (tmp);
        }
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot write '%s': %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  ok = copub_aggregate_write (agg, out, error) && fsync (fileno (out)) == 0;
  if (fclose (out) != 0 || !ok || g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      if (error && *error)
        g_prefix_error (error, "'%s': ", path);
      else
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing '%s': %s", path,
                     g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
copub_cli_write_partial (CopubAggregate *aggregate, const char *path, GError **error)
{
  if (copub_cli_path_is_stream (path))
    return write_partial_stream (aggregate, path, error);
  return write_partial_file (aggregate, path, error);
}
