/* copub: country names from iso-codes: the JSON list for the English names and its
 * gettext domain iso_3166-1 for the translations, read once into hash tables; copub's
 * data file country-names.tsv replaces the few that ISO gives only in inverted form. */
#include <string.h>

#include <jansson.h>

#include "copub/countries.h"
#include "copub/error.h"
#include "base/datadir.h"
#include "base/l10n.h"

#define ISO_JSON "/usr/share/iso-codes/json/iso_3166-1.json"
#define ISO_DOMAIN "iso_3166-1"
/* copub's own short names where iso-codes has only an inverted form, in the data dir. */
#define OVERRIDES "country-names.tsv"

typedef struct {
  GHashTable *english; /* code -> English name */
  GHashTable *french;  /* code -> French name */
} Names;

/* Replaces names by those of the overrides file: CODE<TAB>en|fr<TAB>NAME lines. */
static void
load_overrides (Names *names)
{
  g_autofree char *dir = copub_data_dir (NULL);
  g_autofree char *path = g_build_filename (dir, OVERRIDES, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    {
      g_warning ("cannot read '%s': some country names stay in their inverted ISO form",
                 path);
      return;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", 3);
      if (lines[i][0] == '#' || g_strv_length (f) != 3 || !g_utf8_validate (f[2], -1, NULL))
        continue;
      if (strcmp (f[1], "en") == 0 || strcmp (f[1], "fr") == 0)
        g_hash_table_replace (strcmp (f[1], "fr") == 0 ? names->french : names->english,
                              g_strdup (f[0]), g_strdup (g_strstrip (f[2])));
    }
}

static void
load_names (Names *names)
{
  json_error_t jerr;
  json_t *root = json_load_file (ISO_JSON, 0, &jerr);
  json_t *list = root ? json_object_get (root, "3166-1") : NULL;
  size_t i;
  json_t *item;

  names->english = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  names->french = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (list == NULL)
    {
      g_warning ("cannot read country names from '%s': %s", ISO_JSON, jerr.text);
      json_decref (root);
      return;
    }
  copub_l10n_bind (ISO_DOMAIN, NULL);
  copub_l10n_begin ("fr");
  json_array_foreach (list, i, item)
    {
      const char *code = json_string_value (json_object_get (item, "alpha_2"));
      const char *name = json_string_value (json_object_get (item, "name"));
      const char *common = json_string_value (json_object_get (item, "common_name"));
      const char *french = NULL;
      if (code == NULL || name == NULL)
        continue;
      french = copub_l10n_lookup_current (ISO_DOMAIN, common ? common : name);
      if (french == NULL)
        french = copub_l10n_lookup_current (ISO_DOMAIN, name);
      g_hash_table_replace (names->english, g_strdup (code), g_strdup (common ? common : name));
      g_hash_table_replace (names->french, g_strdup (code), g_strdup (french ? french : name));
    }
  copub_l10n_end ();
  json_decref (root);
  load_overrides (names);
}

static const Names *
names_get (void)
{
  static Names names;
  static gsize loaded = 0;

  if (g_once_init_enter (&loaded))
    {
      load_names (&names);
      g_once_init_leave (&loaded, 1);
    }
  return &names;
}

const char *
copub_country_name (const char *code, const char *lang)
{
  const Names *names = names_get ();
  const char *name;

  name = g_hash_table_lookup (g_strcmp0 (lang, "fr") == 0 ? names->french : names->english,
                              code);
  return name ? name : code;
}

gboolean
copub_country_known (const char *code)
{
  return code && g_hash_table_contains (names_get ()->english, code);
}

const char *
copub_country_name_func (const char *code, const char *lang, gpointer unused)
{
  (void) unused;
  return copub_country_name (code, lang);
}
