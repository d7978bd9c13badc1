/* copub: country and institution groups (include/copub/regions.h), read from the
 * built-in data/regions.tsv and a groups file, both in the partner file's form. */
#include <string.h>

#include "base/datadir.h"
#include "copub/countries.h"
#include "copub/error.h"
#include "copub/partners.h"
#include "copub/regions.h"
#include "indicators/tsv.h"

#define BUILTIN_FILE "regions.tsv"

typedef struct {
  char *name;
  gboolean institutions; /* a group of institutions, else of countries */
  gboolean builtin;
  gboolean has_members;
} Group;

struct CopubRegions {
  GArray *groups;     /* Group */
  GHashTable *member; /* "MEMBER\x1fINDEX" -> itself: the memberships */
  GHashTable *by_member; /* MEMBER -> GArray of guint: the groups holding it */
  gboolean loading_builtin;
  char *digest;
};

static void
group_clear (gpointer data)
{
  g_free (((Group *) data)->name);
}

void
copub_regions_free (CopubRegions *r)
{
  if (r == NULL)
    return;
  g_array_unref (r->groups);
  g_hash_table_unref (r->member);
  g_hash_table_unref (r->by_member);
  g_free (r->digest);
  g_free (r);
}

static CopubRegions *
regions_new (void)
{
  CopubRegions *r = g_new0 (CopubRegions, 1);

  r->groups = g_array_new (FALSE, TRUE, sizeof (Group));
  g_array_set_clear_func (r->groups, group_clear);
  r->member = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->by_member = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_array_unref);
  return r;
}

/* The member in canonical form: an upper-case country code, or an institution id;
 * NULL when it is neither. */
static char *
member_of (const char *field, gboolean *out_institution)
{
  g_autofree char *upper = g_ascii_strup (field, -1);

  *out_institution = FALSE;
  if (strlen (upper) == 2 && copub_country_known (upper))
    return g_steal_pointer (&upper);
  *out_institution = TRUE;
  return copub_partner_id_normalise (field);
}

/* The index of group @name, added if new; -1 (and an error) when it cannot be. */
static int
group_index (CopubRegions *r, const char *name, gboolean institutions, GError **error)
{
  int index = copub_regions_index (r, name);
  Group g = { 0 };

  if (index >= 0)
    {
      Group *old = &g_array_index (r->groups, Group, index);
      if (old->builtin && !r->loading_builtin)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "'%s' is a built-in group: expected another group name", name);
          return -1;
        }
      if (old->institutions != institutions)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "group '%s' holds %s: expected %s here too", name,
                       old->institutions ? "institutions" : "countries",
                       old->institutions ? "an institution id" : "a country code");
          return -1;
        }
      return index;
    }
  g.name = g_strdup (name);
  g.institutions = institutions;
  g.builtin = r->loading_builtin;
  g_array_append_val (r->groups, g);
  return (int) r->groups->len - 1;
}

static gboolean
add_member (char **fields, guint n, gpointer data, GError **error)
{
  CopubRegions *r = data;
  g_autofree char *member = NULL;
  gboolean institution;
  GArray *list;
  guint value;
  int index;
  char *key;

  if (n != 2 || *fields[0] == '\0' || *fields[1] == '\0')
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "expected MEMBER<TAB>GROUP, got %u field(s)", n);
      return FALSE;
    }
  member = member_of (fields[0], &institution);
  if (member == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s' is not an ISO 3166-1 country code (\"DE\"), nor a ROR, OpenAlex "
                   "institution or HAL structure id", fields[0]);
      return FALSE;
    }
  if ((index = group_index (r, fields[1], institution, error)) < 0)
    return FALSE;
  g_array_index (r->groups, Group, index).has_members = TRUE;
  key = g_strdup_printf ("%s\x1f%d", member, index);
  if (!g_hash_table_add (r->member, key))
    return TRUE; /* said twice */
  list = g_hash_table_lookup (r->by_member, member);
  if (list == NULL)
    {
      list = g_array_new (FALSE, FALSE, sizeof (guint));
      g_hash_table_insert (r->by_member, g_strdup (member), list);
    }
  value = (guint) index;
  g_array_append_val (list, value);
  return TRUE;
}

/* Reads @path into @r; the digest of its lines goes into @sum. */
static gboolean
read_groups (CopubRegions *r, const char *path, gboolean builtin, GChecksum *sum,
             GError **error)
{
  g_autofree char *digest = NULL;
  guint before = r->groups->len;

  r->loading_builtin = builtin;
  if (!copub_tsv_read (path, add_member, r, &digest, error))
    return FALSE;
  if (!builtin && r->groups->len == before)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s': no group in the file", path);
      return FALSE;
    }
  g_checksum_update (sum, (const guchar *) digest, -1);
  return TRUE;
}

CopubRegions *
copub_regions_load (const char *data_dir, const char *path, GError **error)
{
  g_autoptr(CopubRegions) r = regions_new ();
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *dir = copub_data_dir (data_dir);
  g_autofree char *builtin = g_build_filename (dir, BUILTIN_FILE, NULL);

  if (!read_groups (r, builtin, TRUE, sum, error))
    return NULL;
  if (path && !read_groups (r, path, FALSE, sum, error))
    return NULL;
  r->digest = g_strndup (g_checksum_get_string (sum), 16);
  return g_steal_pointer (&r);
}

guint
copub_regions_count (const CopubRegions *r)
{
  return r->groups->len;
}

const char *
copub_regions_name (const CopubRegions *r, guint index)
{
  g_return_val_if_fail (index < r->groups->len, NULL);
  return g_array_index (r->groups, Group, index).name;
}

int
copub_regions_index (const CopubRegions *r, const char *name)
{
  for (guint i = 0; i < r->groups->len; i++)
    if (strcmp (g_array_index (r->groups, Group, i).name, name) == 0)
      return (int) i;
  return -1;
}

gboolean
copub_regions_builtin (const CopubRegions *r, guint index)
{
  g_return_val_if_fail (index < r->groups->len, FALSE);
  return g_array_index (r->groups, Group, index).builtin;
}

gboolean
copub_regions_of_institutions (const CopubRegions *r, guint index)
{
  g_return_val_if_fail (index < r->groups->len, FALSE);
  return g_array_index (r->groups, Group, index).institutions;
}

gboolean
copub_regions_has_country (const CopubRegions *r, guint index, const char *code)
{
  char key[32];

  g_snprintf (key, sizeof key, "%s\x1f%u", code, index);
  return !copub_regions_of_institutions (r, index) && g_hash_table_contains (r->member, key);
}

const char *
copub_regions_digest (const CopubRegions *r)
{
  return r->digest;
}

/* Marks in @seen the groups holding @member of the kind asked for. */
static void
mark_groups (const CopubRegions *r, const char *member, gboolean institutions, gboolean *seen)
{
  GArray *list = g_hash_table_lookup (r->by_member, member);

  for (guint i = 0; list && i < list->len; i++)
    {
      guint g = g_array_index (list, guint, i);
      if (g_array_index (r->groups, Group, g).institutions == institutions)
        seen[g] = TRUE;
    }
}

void
copub_regions_match (const CopubRegions *r, const char *const *countries, guint n_countries,
                     const char *const *institutions, GArray *out)
{
  g_autofree gboolean *seen = g_new0 (gboolean, r->groups->len + 1);

  for (guint i = 0; i < n_countries; i++)
    mark_groups (r, countries[i], FALSE, seen);
  for (const char *const *id = institutions; id && *id; id++)
    mark_groups (r, *id, TRUE, seen);
  for (guint g = 0; g < r->groups->len; g++)
    if (seen[g])
      g_array_append_val (out, g);
}
