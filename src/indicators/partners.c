/* copub: theme maps and partner lists, read from small tab-separated files. */
#include <string.h>

#include "base/ids.h"
#include "copub/error.h"
#include "affil/gazetteer.h"
#include "copub/partners.h"
#include "indicators/tsv.h"

typedef CopubTsvLineFunc LineFunc;

/* Calls @func for each non-comment line of @path split on tabs; errors name the line.
 * *out_digest: a digest of those lines, blanks around fields aside, so that two files
 * saying the same thing have the same digest. */
static gboolean
read_tsv (const char *path, LineFunc func, gpointer data, char **out_digest, GError **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "%s", local->message);
      return FALSE;
    }
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "'%s': not valid UTF-8 text", path);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = NULL;
      char *line = g_strstrip (lines[i]);
      if (*line == '\0' || *line == '#')
        continue;
      fields = g_strsplit (line, "\t", -1);
      for (char **f = fields; *f; f++)
        {
          g_strstrip (*f);
          g_checksum_update (sum, (const guchar *) *f, -1);
          g_checksum_update (sum, (const guchar *) (f[1] ? "\t" : "\n"), 1);
        }
      if (!func (fields, g_strv_length (fields), data, error))
        {
          g_prefix_error (error, "'%s' line %u: ", path, i + 1);
          return FALSE;
        }
    }
  *out_digest = g_strndup (g_checksum_get_string (sum), 16);
  return TRUE;
}

/* ---- themes ------------------------------------------------------------------------ */

struct CopubThemeMap {
  GHashTable *by_key; /* "openalex-field:27" -> theme */
  char *fallback;
  char *digest;
};

static gboolean
add_theme (char **fields, guint n, gpointer data, GError **error)
{
  CopubThemeMap *map = data;
  const char *kinds[] = { "openalex-field", "openalex-domain", "hal-domain", NULL };

  if (n != 3 || *fields[2] == '\0')
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "expected KIND<TAB>ID<TAB>THEME, got %u field(s)", n);
      return FALSE;
    }
  if (strcmp (fields[0], "default") == 0)
    {
      g_free (map->fallback);
      map->fallback = g_strdup (fields[2]);
      return TRUE;
    }
  if (!g_strv_contains (kinds, fields[0]) || *fields[1] == '\0')
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "unknown kind '%s': expected openalex-field, openalex-domain, hal-domain "
                   "or default", fields[0]);
      return FALSE;
    }
  g_hash_table_replace (map->by_key, g_strdup_printf ("%s:%s", fields[0], fields[1]),
                        g_strdup (fields[2]));
  return TRUE;
}

CopubThemeMap *
copub_theme_map_load (const char *path, GError **error)
{
  g_autoptr(CopubThemeMap) map = g_new0 (CopubThemeMap, 1);

  map->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  map->fallback = g_strdup ("Other");
  if (!read_tsv (path, add_theme, map, &map->digest, error))
    return NULL;
  return g_steal_pointer (&map);
}

void
copub_theme_map_free (CopubThemeMap *map)
{
  if (map == NULL)
    return;
  g_hash_table_unref (map->by_key);
  g_free (map->fallback);
  g_free (map->digest);
  g_free (map);
}

static const char *
theme_of (const CopubThemeMap *map, const char *kind, const char *id)
{
  char key[96];

  if (id == NULL)
    return NULL;
  g_snprintf (key, sizeof key, "%s:%s", kind, id);
  return g_hash_table_lookup (map->by_key, key);
}

const char *
copub_theme_map_lookup (const CopubThemeMap *map, const char *field_id, const char *domain_id,
                        const char *hal_domain)
{
  const char *theme = theme_of (map, "openalex-field", field_id);

  if (theme == NULL)
    theme = theme_of (map, "openalex-domain", domain_id);
  if (theme == NULL)
    theme = theme_of (map, "hal-domain", hal_domain);
  return theme ? theme : map->fallback;
}

/* ---- partners ------------------------------------------------------------------------ */

struct CopubPartners {
  GPtrArray *names;   /* of char*, in file order */
  GHashTable *by_id;  /* canonical id -> GUINT_TO_POINTER (index + 1) */
  GHashTable *by_name; /* folded institution name ("name:" lines) -> index + 1 */
  char *digest;
};

#define NAME_PREFIX "name:"

char *
copub_partner_id_normalise (const char *id)
{
  const char *slash = strrchr (id, '/');
  const char *tail = slash ? slash + 1 : id;

  if (g_str_has_prefix (id, "ror:"))
    tail = id + 4;
  if (g_str_has_prefix (id, "hal:") && copub_is_digits (id + 4))
    return g_strdup_printf ("struct-%s", id + 4);
  if (g_str_has_prefix (tail, "struct-") && copub_is_digits (tail + 7))
    return g_strdup (tail);
  if (copub_is_ror_id (tail))
    return g_strdup (tail);
  if ((tail[0] == 'I' || tail[0] == 'i') && copub_is_digits (tail + 1))
    return g_strdup_printf ("I%s", tail + 1);
  return NULL;
}

/* The index of the partner called @name, added if new. */
static guint
partner_index (CopubPartners *partners, const char *name)
{
  guint index;

  for (index = 0; index < partners->names->len; index++)
    if (strcmp (g_ptr_array_index (partners->names, index), name) == 0)
      return index;
  g_ptr_array_add (partners->names, g_strdup (name));
  return index;
}

static gboolean
add_partner (char **fields, guint n, gpointer data, GError **error)
{
  CopubPartners *partners = data;
  g_autofree char *id = NULL;

  if (n != 2 || *fields[1] == '\0')
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "expected ID<TAB>NAME, got %u field(s)", n);
      return FALSE;
    }
  if (g_str_has_prefix (fields[0], NAME_PREFIX))
    {
      g_autofree char *key = copub_gazetteer_key (fields[0] + strlen (NAME_PREFIX));
      if (*key == '\0')
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                       "'%s': expected an institution name after \"name:\"", fields[0]);
          return FALSE;
        }
      g_hash_table_replace (partners->by_name, g_steal_pointer (&key),
                            GUINT_TO_POINTER (partner_index (partners, fields[1]) + 1));
      return TRUE;
    }
  id = copub_partner_id_normalise (fields[0]);
  if (id == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "'%s' is not a ROR, OpenAlex institution or HAL structure id, nor"
                   " \"name:\" and an institution name", fields[0]);
      return FALSE;
    }
  g_hash_table_replace (partners->by_id, g_steal_pointer (&id),
                        GUINT_TO_POINTER (partner_index (partners, fields[1]) + 1));
  return TRUE;
}

CopubPartners *
copub_partners_load (const char *path, GError **error)
{
  g_autoptr(CopubPartners) partners = g_new0 (CopubPartners, 1);

  partners->names = g_ptr_array_new_with_free_func (g_free);
  partners->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  partners->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!read_tsv (path, add_partner, partners, &partners->digest, error))
    return NULL;
  if (partners->names->len == 0)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "'%s': no partner in the file", path);
      return NULL;
    }
  return g_steal_pointer (&partners);
}

void
copub_partners_free (CopubPartners *partners)
{
  if (partners == NULL)
    return;
  g_ptr_array_unref (partners->names);
  g_hash_table_unref (partners->by_id);
  g_hash_table_unref (partners->by_name);
  g_free (partners->digest);
  g_free (partners);
}

const char *
copub_theme_map_digest (const CopubThemeMap *map)
{
  return map->digest;
}

const char *
copub_partners_digest (const CopubPartners *partners)
{
  return partners->digest;
}

guint
copub_partners_count (const CopubPartners *partners)
{
  return partners->names->len;
}

const char *
copub_partners_name (const CopubPartners *partners, guint index)
{
  return g_ptr_array_index (partners->names, index);
}

gboolean
copub_partners_has_names (const CopubPartners *partners)
{
  return g_hash_table_size (partners->by_name) > 0;
}

/* Adds @id to the partner of @index unless the file gave it to a partner already. */
static void
learn_id (CopubPartners *partners, const char *id, guint index)
{
  char *canonical = id ? copub_partner_id_normalise (id) : NULL;

  if (canonical == NULL)
    return;
  if (g_hash_table_contains (partners->by_id, canonical))
    {
      g_free (canonical);
      return;
    }
  g_hash_table_insert (partners->by_id, canonical, GUINT_TO_POINTER (index + 1));
}

void
copub_partners_learn (CopubPartners *partners, const char *id, const char *ror,
                      const char *name)
{
  g_autofree char *key = NULL;
  guint index;

  if (name == NULL || g_hash_table_size (partners->by_name) == 0)
    return;
  key = copub_gazetteer_key (name);
  index = GPOINTER_TO_UINT (g_hash_table_lookup (partners->by_name, key));
  if (index == 0)
    return;
  learn_id (partners, id, index - 1);
  learn_id (partners, ror, index - 1);
}

void
copub_partners_match (const CopubPartners *partners, const char *const *institutions,
                      GArray *out)
{
  for (const char *const *id = institutions; id && *id; id++)
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (partners->by_id, *id));
      gboolean seen = FALSE;
      if (index == 0)
        continue;
      for (guint i = 0; i < out->len; i++)
        seen |= g_array_index (out, guint, i) == index - 1;
      if (!seen)
        {
          guint value = index - 1;
          g_array_append_val (out, value);
        }
    }
}

gboolean
copub_tsv_read (const char *path, CopubTsvLineFunc func, gpointer data, char **out_digest,
                GError **error)
{
  return read_tsv (path, func, data, out_digest, error);
}

void
copub_partners_foreach_id (const CopubPartners *partners, CopubPartnerIdFunc func,
                           gpointer user_data)
{
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, partners->by_id);
  while (g_hash_table_iter_next (&it, &key, &value))
    func (key, GPOINTER_TO_UINT (value) - 1, user_data);
}
