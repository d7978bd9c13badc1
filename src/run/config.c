/* copub: the run configuration. One table describes every key (group, name, type,
 * default, meaning); loading, checking and the printed reference all come from it. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "copub/analyse.h"
#include "copub/config.h"
#include "copub/countries.h"
#include "copub/error.h"
#include "copub/fetch.h"
#include "copub/hal-rules.h"
#include "copub/work.h"
#include "base/ids.h"

typedef enum { K_STRING, K_PATH, K_BOOL, K_INT, K_DOUBLE, K_LIST, K_PATHS } KeyType;

typedef struct {
  const char *group;
  const char *key;
  KeyType type;
  size_t offset;
  const char *fallback;   /* default, as written in the file; NULL = none */
  const char *help;
} KeySpec;

#define F(member) offsetof (CopubConfig, member)

static const KeySpec keys[] = {
  { "institution", "name", K_STRING, F (name), NULL,
    "Name shown in the headline and the report" },
  { "institution", "openalex", K_STRING, F (openalex), NULL,
    "OpenAlex institution id (I90183372) or ROR id (04vfs2w97)" },
  { "institution", "hal-struct", K_STRING, F (hal_struct), NULL,
    "HAL structure id (413289)" },
  { "institution", "hal-collection", K_STRING, F (hal_collection), NULL,
    "HAL collection code (UNIV-LORRAINE), instead of hal-struct" },
  { "institution", "home", K_STRING, F (home), COPUB_DEFAULT_HOME,
    "Home country (ISO 3166-1 alpha-2), or 'none': international = two countries or more" },
  { "sources", "openalex", K_BOOL, F (use_openalex), "true", "Harvest OpenAlex" },
  { "sources", "hal", K_BOOL, F (use_hal), "false", "Harvest HAL" },
  { "sources", "files", K_PATHS, F (files), NULL,
    "Files imported on every run (OpenAlex or HAL exports), ';'-separated" },
  { "sources", "ror", K_PATH, F (ror), NULL,
    "A ROR data dump (v2 JSON) the affiliation normaliser uses to name institutions" },
  { "harvest", "from", K_INT, F (from), "0", "First publication year (0: ten years back)" },
  { "harvest", "to", K_INT, F (to), "0", "Last publication year (0: the current year)" },
  { "harvest", "refresh-years", K_INT, F (refresh_years), "2",
    "Harvest the last N years again on every run" },
  { "harvest", "api-key-env", K_STRING, F (api_key_env), "COPUB_OPENALEX_API_KEY",
    "Environment variable holding the OpenAlex API key (the key never goes in this file)" },
  { "harvest", "mailto", K_STRING, F (mailto), NULL, "Contact address sent to the APIs" },
  { "harvest", "rate", K_DOUBLE, F (rate), "0",
    "Requests per second (0: 20; 8 for a caller without an API key)" },
  { "harvest", "jobs", K_INT, F (jobs), "4", "Years fetched in parallel" },
  { "harvest", "since", K_STRING, F (since), NULL,
    "Only works updated since YYYY-MM-DD (OpenAlex paid plans)" },
  { "harvest", "openalex-rematched", K_STRING, F (openalex_rematched), COPUB_OPENALEX_REMATCHED,
    "When OpenAlex last re-matched affiliations (YYYY-MM-DD), or none: the report and the "
    "run warn about works fetched before" },
  { "harvest", "openalex-url", K_STRING, F (openalex_url), "https://api.openalex.org",
    "OpenAlex API base URL" },
  { "harvest", "hal-url", K_STRING, F (hal_url), "https://api.archives-ouvertes.fr",
    "HAL API base URL" },
  { "corpus", "types", K_LIST, F (types), "article;review;book-chapter",
    "Document types counted, ';'-separated, or 'all'" },
  { "corpus", "hal-year", K_STRING, F (hal_year), "produced",
    "Year of a HAL document, and the harvest's year slices: produced (producedDateY_i, as "
    "HAL's own statistics count) or publication (publicationDateY_i)" },
  { "corpus", "hal-annexes", K_BOOL, F (hal_annexes), "false",
    "Keep HAL annex deposits (submitType_s annex: no main file), which HAL's statistics "
    "leave out; older versions (status_i 111) are always left out" },
  { "corpus", "max-record-size", K_STRING, F (max_record_size), "32M",
    "Largest record imported (bytes, or with k, M, G); a larger one is bad data" },
  { "corpus", "max-field-size", K_STRING, F (max_field_size), "64k",
    "Longest string kept of a record (title, name, affiliation...); beyond, bad data" },
  { "corpus", "include-xpac", K_BOOL, F (include_xpac), "false",
    "Keep OpenAlex's xpac works (datasets, repository items: left out by its API by "
    "default), harvested and imported" },
  { "analysis", "themes", K_PATH, F (themes), NULL,
    "Theme map folding OpenAlex fields/domains and HAL domains into the institution's themes" },
  { "analysis", "theme-level", K_STRING, F (theme_level), "field",
    "Without a theme map: OpenAlex 'field' (26) or 'domain' (4)" },
  { "analysis", "partners", K_PATH, F (partners), NULL,
    "Strategic partners: ID<TAB>NAME lines (ROR, OpenAlex or HAL ids, or name:NAME)" },
  { "analysis", "groups", K_PATH, F (groups), NULL,
    "Country or institution groups beside the built-in regions: MEMBER<TAB>GROUP lines "
    "(ISO codes, or ROR, OpenAlex or HAL ids)" },
  { "analysis", "counting", K_STRING, F (counting), "both",
    "Partner countries: full, fractional or both" },
  { "analysis", "window", K_INT, F (window), "4",
    "Years in the rolling periods of the report's trends by theme and by strategic partner "
    "(tables, CSV and charts; 1: single years)" },
  { "analysis", "territories-as-home", K_BOOL, F (territories_as_home), "true",
    "French overseas territories count as FR when home is FR" },
  { "analysis", "hk-mo-as-cn", K_BOOL, F (hk_mo_as_cn), "false",
    "Hong Kong and Macao count as CN" },
  { "output", "dir", K_PATH, F (out_dir), "out",
    "Where the report, charts and tables go (replaced only when a run succeeds)" },
  { "output", "formats", K_LIST, F (formats), "png;svg", "Chart formats: png, svg, pdf" },
  { "output", "languages", K_LIST, F (languages), "en",
    "Report languages: en, fr (the first is the main one)" },
  { "output", "store", K_PATH, F (store), "copub.db", "The store (SQLite file)" },
  { "output", "log-file", K_PATH, F (log_file), NULL,
    "Also append the log to this file" },
};

#define MEMBER(config, spec, type) ((type *) ((char *) (config) + (spec)->offset))

void
copub_config_hal_rules (const CopubConfig *c, CopubHalRules *out)
{
  *out = (CopubHalRules) COPUB_HAL_RULES_INIT;
  copub_hal_year_from_name (c->hal_year, &out->year); /* checked when read */
  out->keep_annexes = c->hal_annexes;
}

void
copub_config_free (CopubConfig *c)
{
  if (c == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const KeySpec *k = &keys[i];
      if (k->type == K_STRING || k->type == K_PATH)
        g_free (*MEMBER (c, k, char *));
      else if (k->type == K_LIST || k->type == K_PATHS)
        g_strfreev (*MEMBER (c, k, char **));
    }
  g_free (c->path);
  g_free (c);
}

/* The line of "key =" in [group] of @text, for messages; 0 when not found. The last one
 * when the key is given twice: its value is the one GKeyFile keeps. */
static guint
line_of (const char *text, const char *group, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *header = g_strdup_printf ("[%s]", group);
  gboolean in_group = FALSE;
  guint found = 0;

  for (guint i = 0; lines[i]; i++)
    {
      char *l = g_strstrip (lines[i]);
      if (*l == '[')
        in_group = strcmp (l, header) == 0;
      else if (in_group && g_str_has_prefix (l, key)
               && (l[strlen (key)] == '=' || l[strlen (key)] == ' '))
        found = i + 1;
    }
  return found;
}

static const KeySpec *
find_key (const char *group, const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    if (strcmp (keys[i].group, group) == 0 && strcmp (keys[i].key, key) == 0)
      return &keys[i];
  return NULL;
}

static gboolean
known_group (const char *group)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    if (strcmp (keys[i].group, group) == 0)
      return TRUE;
  return FALSE;
}

static char *
resolve (const char *dir, const char *path)
{
  return g_canonicalize_filename (path, dir);
}

static char **
split_list (const char *value, const char *dir, gboolean paths)
{
  g_auto(GStrv) parts = g_strsplit (value, ";", -1);
  GPtrArray *out = g_ptr_array_new ();

  for (char **p = parts; *p; p++)
    {
      char *item = g_strstrip (*p);
      if (*item)
        g_ptr_array_add (out, paths ? resolve (dir, item) : g_strdup (item));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Parses @value for @k into the config; FALSE with a short reason in *why. */
static gboolean
set_value (CopubConfig *c, const KeySpec *k, const char *value, const char *dir, char **why)
{
  char *end = NULL;

  switch (k->type)
    {
    case K_STRING:
      g_free (*MEMBER (c, k, char *));
      *MEMBER (c, k, char *) = *value ? g_strdup (value) : NULL;
      return TRUE;
    case K_PATH:
      g_free (*MEMBER (c, k, char *));
      *MEMBER (c, k, char *) = *value ? resolve (dir, value) : NULL;
      return TRUE;
    case K_BOOL:
      if (strcmp (value, "true") != 0 && strcmp (value, "false") != 0)
        {
          *why = g_strdup_printf ("expected true or false, got '%s'", value);
          return FALSE;
        }
      *MEMBER (c, k, gboolean) = strcmp (value, "true") == 0;
      return TRUE;
    case K_INT:
      {
        long v = strtol (value, &end, 10);
        if (*value == '\0' || *end != '\0' || v < 0 || v > 100000)
          {
            *why = g_strdup_printf ("expected a whole number, got '%s'", value);
            return FALSE;
          }
        *MEMBER (c, k, int) = (int) v;
        return TRUE;
      }
    case K_DOUBLE:
      {
        double v = g_ascii_strtod (value, &end);
        if (*value == '\0' || *end != '\0' || v < 0)
          {
            *why = g_strdup_printf ("expected a positive number, got '%s'", value);
            return FALSE;
          }
        *MEMBER (c, k, double) = v;
        return TRUE;
      }
    case K_LIST:
    case K_PATHS:
      g_strfreev (*MEMBER (c, k, char **));
      *MEMBER (c, k, char **) = split_list (value, dir, k->type == K_PATHS);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
in_set (const char *value, const char *const *set)
{
  return value && g_strv_contains (set, value);
}

/* Checks values against each other and their vocabularies; @k names the bad key. */
static char *
check (const CopubConfig *c, const char **bad_group, const char **bad_key)
{
  static const char *const levels[] = { "field", "domain", NULL };
  static const char *const counting[] = { "both", "full", "fractional", NULL };
  static const char *const formats[] = { "png", "svg", "pdf", NULL };
  static const char *const langs[] = { "en", "fr", NULL };

#define BAD(g, k, ...) (*bad_group = g, *bad_key = k, g_strdup_printf (__VA_ARGS__))
  g_autoptr(GError) types_error = NULL;

  if (c->home && !copub_country_known (c->home))
    return BAD ("institution", "home", "expected an ISO 3166-1 alpha-2 country code in upper "
                "case (FR, DE, US...) or none, not '%s'", c->home);
  if (c->types == NULL || c->types[0] == NULL)
    return BAD ("corpus", "types", "at least one document type, or all");
  if (!copub_analyse_check_types ((const char *const *) c->types, &types_error))
    return BAD ("corpus", "types", "%s", types_error->message);
  if (!copub_hal_year_from_name (c->hal_year, &(CopubHalYear) { 0 }))
    return BAD ("corpus", "hal-year", "expected produced (producedDateY_i, as HAL's own "
                "statistics) or publication (publicationDateY_i), not '%s'",
                c->hal_year ? c->hal_year : "");
  if (!copub_limits_parse_size (c->max_record_size, &(gsize) { 0 }))
    return BAD ("corpus", "max-record-size", "expected a size in bytes, or with k, M or G "
                "(32M), not '%s'", c->max_record_size ? c->max_record_size : "");
  if (!copub_limits_parse_size (c->max_field_size, &(gsize) { 0 }))
    return BAD ("corpus", "max-field-size", "expected a size in bytes, or with k, M or G "
                "(64k), not '%s'", c->max_field_size ? c->max_field_size : "");
  if (!in_set (c->theme_level, levels))
    return BAD ("analysis", "theme-level", "expected field or domain");
  if (!in_set (c->counting, counting))
    return BAD ("analysis", "counting", "expected both, full or fractional");
  for (char **f = c->formats; f && *f; f++)
    if (!in_set (*f, formats))
      return BAD ("output", "formats", "unknown chart format '%s' (png, svg, pdf)", *f);
  for (char **l = c->languages; l && *l; l++)
    if (!in_set (*l, langs))
      return BAD ("output", "languages", "unknown language '%s' (en, fr)", *l);
  if (c->languages == NULL || c->languages[0] == NULL)
    return BAD ("output", "languages", "at least one language");
  if (c->from && c->to && c->from > c->to)
    return BAD ("harvest", "from", "from %d is after to %d", c->from, c->to);
  if (g_strcmp0 (c->openalex_rematched, "none") != 0 && !copub_is_date (c->openalex_rematched))
    return BAD ("harvest", "openalex-rematched", "expected a date YYYY-MM-DD or none, not '%s'",
                c->openalex_rematched ? c->openalex_rematched : "");
  if (c->jobs < 1 || c->jobs > 32)
    return BAD ("harvest", "jobs", "expected 1 to 32");
  if (c->use_openalex && c->openalex == NULL)
    return BAD ("institution", "openalex", "OpenAlex is a source but no institution id is given");
  if (c->use_hal && c->hal_struct == NULL && c->hal_collection == NULL)
    return BAD ("institution", "hal-struct", "HAL is a source but neither hal-struct nor "
                "hal-collection is given");
  if (!c->use_openalex && !c->use_hal && (c->files == NULL || c->files[0] == NULL))
    return BAD ("sources", "openalex", "no source: enable openalex or hal, or list files");
#undef BAD
  return NULL;
}

/* Why the file @path cannot be read, or NULL when it can. */
static char *
unreadable (const char *path)
{
  if (g_access (path, R_OK) != 0)
    {
      int saved = errno;
      return g_strdup_printf ("cannot read '%s': %s", path, g_strerror (saved));
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf ("'%s' is not a file", path);
  return NULL;
}

/* Why @path (a file, or a directory when @is_dir) cannot be written or created, or NULL:
 * it exists as such and is writable, or its nearest existing parent is a writable
 * directory. */
static char *
unwritable (const char *path, gboolean is_dir)
{
  g_autofree char *up = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (is_dir != g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_strdup_printf ("'%s' is not a %s", path, is_dir ? "directory" : "file");
      if (g_access (path, is_dir ? W_OK | X_OK : R_OK | W_OK) != 0)
        {
          int saved = errno;
          return g_strdup_printf ("cannot write '%s': %s", path, g_strerror (saved));
        }
      return NULL;
    }
  up = g_path_get_dirname (path);
  while (!g_file_test (up, G_FILE_TEST_EXISTS))
    {
      char *next = g_path_get_dirname (up);
      g_free (up);
      up = next;
    }
  if (!g_file_test (up, G_FILE_TEST_IS_DIR) || g_access (up, W_OK | X_OK) != 0)
    return g_strdup_printf ("cannot create '%s': '%s' is not a writable directory", path, up);
  return NULL;
}

/* Checks every file the configuration reads and every place it writes, before any work. */
static char *
check_paths (const CopubConfig *c, const char **bad_group, const char **bad_key)
{
  const struct { const char *group, *key, *path; } inputs[] = {
    { "sources", "ror", c->ror },
    { "analysis", "themes", c->themes },
    { "analysis", "partners", c->partners },
    { "analysis", "groups", c->groups },
  };
  g_autofree char *out_parent = g_path_get_dirname (c->out_dir);
  char *why;

#define BAD(g, k, text) (*bad_group = g, *bad_key = k, (text))
  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    if (inputs[i].path && (why = unreadable (inputs[i].path)))
      return BAD (inputs[i].group, inputs[i].key, why);
  for (char **f = c->files; f && *f; f++)
    if ((why = unreadable (*f)))
      return BAD ("sources", "files", why);
  if ((why = unwritable (c->store, FALSE)))
    return BAD ("output", "store", why);
  if ((why = unwritable (out_parent, TRUE)))
    return BAD ("output", "dir", why);
  if (g_file_test (c->out_dir, G_FILE_TEST_EXISTS) && !g_file_test (c->out_dir, G_FILE_TEST_IS_DIR))
    return BAD ("output", "dir", g_strdup_printf ("'%s' is not a directory", c->out_dir));
  if (c->log_file && (why = unwritable (c->log_file, FALSE)))
    return BAD ("output", "log-file", why);
#undef BAD
  return NULL;
}

static gboolean
load_defaults (CopubConfig *c, const char *dir)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *why = NULL;
      if (keys[i].fallback && !set_value (c, &keys[i], keys[i].fallback, dir, &why))
        return FALSE;
    }
  return TRUE;
}

/* Reads every key of @file into @c, refusing unknown groups and keys. */
static gboolean
read_keys (CopubConfig *c, GKeyFile *file, const char *text, const char *dir, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);

  for (char **g = groups; *g; g++)
    {
      g_auto(GStrv) names = NULL;
      if (!known_group (*g))
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "'%s': unknown group [%s]",
                       c->path, *g);
          copub_error_set_option (error ? *error : NULL, "keys");
          return FALSE;
        }
      names = g_key_file_get_keys (file, *g, NULL, NULL);
      for (char **k = names; k && *k; k++)
        {
          const KeySpec *spec = find_key (*g, *k);
          g_autofree char *value = g_key_file_get_value (file, *g, *k, NULL);
          g_autofree char *why = NULL;
          if (spec == NULL)
            {
              g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "'%s' line %u: unknown key '%s' in [%s]", c->path,
                           line_of (text, *g, *k), *k, *g);
              return FALSE;
            }
          g_strstrip (value);
          if (!set_value (c, spec, value, dir, &why))
            {
              g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "'%s' line %u: [%s] %s: %s",
                           c->path, line_of (text, *g, *k), *g, *k, why);
              return FALSE;
            }
        }
    }
  return TRUE;
}

CopubConfig *
copub_config_load (const char *path, GError **error)
{
  g_autoptr(CopubConfig) c = g_new0 (CopubConfig, 1);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *problem = NULL;
  g_autoptr(GError) local = NULL;
  const char *bad_group = NULL, *bad_key = NULL;

  c->path = g_strdup (path);
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "%s", local->message);
      return NULL;
    }
  if (!g_key_file_load_from_data (file, text, (gsize) -1, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "'%s': %s", path, local->message);
      return NULL;
    }
  {
    g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);
    if (groups[0] == NULL)
      {
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "'%s' is empty", path);
        copub_error_set_option (error ? *error : NULL, "keys");
        return NULL;
      }
  }
  {
    g_autofree char *relative = g_path_get_dirname (path);
    dir = g_canonicalize_filename (relative, NULL);
  }
  if (!load_defaults (c, dir) || !read_keys (c, file, text, dir, error))
    return NULL;
  if (c->home && g_ascii_strcasecmp (c->home, "none") == 0)
    g_clear_pointer (&c->home, g_free);
  problem = check (c, &bad_group, &bad_key);
  if (problem == NULL)
    problem = check_paths (c, &bad_group, &bad_key);
  if (problem)
    {
      guint line = line_of (text, bad_group, bad_key);
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "'%s'%s%.0u: [%s] %s: %s", path,
                   line ? " line " : "", line, bad_group, bad_key, problem);
      return NULL;
    }
  return g_steal_pointer (&c);
}

const char *
copub_config_reference (void)
{
  static char *text = NULL;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      GString *s = g_string_new ("# copub run configuration: every key, with its default.\n"
                                 "# Relative paths are taken from this file's directory.\n");
      const char *group = "";
      for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          if (strcmp (group, keys[i].group) != 0)
            g_string_append_printf (s, "\n[%s]\n", group = keys[i].group);
          g_string_append_printf (s, "# %s\n%s%s = %s\n", keys[i].help,
                                  keys[i].fallback ? "" : "# ", keys[i].key,
                                  keys[i].fallback ? keys[i].fallback : "");
        }
      text = g_string_free (s, FALSE);
      g_once_init_leave (&done, 1);
    }
  return text;
}
