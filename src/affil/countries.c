/* copub: country names from iso-codes: the JSON list for the English names and the
 * gettext catalogue for the translations, read once into hash tables; copub's data file
 * country-names.tsv replaces the few that ISO gives only in inverted form. */
#include <string.h>

#include <jansson.h>

#include "copub/countries.h"
#include "copub/error.h"
#include "base/datadir.h"

#define ISO_JSON "/usr/share/iso-codes/json/iso_3166-1.json"
#define MO_PATH "/usr/share/locale/%s/LC_MESSAGES/iso_3166-1.mo"
#define MO_MAGIC 0x950412deu
/* copub's own short names where iso-codes has only an inverted form, in the data dir. */
#define OVERRIDES "country-names.tsv"

static guint32
mo_word (const guchar *data, gsize off, gboolean swap)
{
  guint32 w;
  memcpy (&w, data + off, 4);
  return swap ? GUINT32_SWAP_LE_BE (w) : w;
}

GHashTable *
copub_mo_load (const char *path, GError **error)
{
  g_autofree guchar *data = NULL;
  gsize len = 0;
  guint32 n, orig, trans;
  gboolean swap;
  GHashTable *table;

  if (!g_file_get_contents (path, (char **) &data, &len, error))
    return NULL;
  if (len < 20 || (mo_word (data, 0, FALSE) != MO_MAGIC && mo_word (data, 0, TRUE) != MO_MAGIC))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "'%s' is not a gettext catalogue", path);
      return NULL;
    }
  swap = mo_word (data, 0, FALSE) != MO_MAGIC;
  n = mo_word (data, 8, swap);
  orig = mo_word (data, 12, swap);
  trans = mo_word (data, 16, swap);
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint32 i = 0; i < n; i++)
    {
      gsize o = (gsize) orig + 8 * (gsize) i, t = (gsize) trans + 8 * (gsize) i;
      guint32 olen, ooff, tlen, toff;
      if (o + 8 > len || t + 8 > len)
        break;
      olen = mo_word (data, o, swap);
      ooff = mo_word (data, o + 4, swap);
      tlen = mo_word (data, t, swap);
      toff = mo_word (data, t + 4, swap);
      /* Lengths and offsets come from the file: check them before use. */
      if ((gsize) ooff + olen >= len || (gsize) toff + tlen >= len || olen == 0)
        continue;
      g_hash_table_replace (table, g_strndup ((const char *) data + ooff, olen),
                            g_strndup ((const char *) data + toff, tlen));
    }
  return table;
}

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
  g_autoptr(GHashTable) mo = NULL;
  g_autofree char *mo_path = g_strdup_printf (MO_PATH, "fr");
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
  mo = copub_mo_load (mo_path, NULL);
  json_array_foreach (list, i, item)
    {
      const char *code = json_string_value (json_object_get (item, "alpha_2"));
      const char *name = json_string_value (json_object_get (item, "name"));
      const char *common = json_string_value (json_object_get (item, "common_name"));
      const char *fr = NULL;
      if (code == NULL || name == NULL)
        continue;
      if (mo)
        fr = g_hash_table_lookup (mo, common ? common : name);
      if (mo && fr == NULL)
        fr = g_hash_table_lookup (mo, name);
      g_hash_table_replace (names->english, g_strdup (code), g_strdup (common ? common : name));
      g_hash_table_replace (names->french, g_strdup (code), g_strdup (fr ? fr : name));
    }
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
