/* copub: partner institutions: the registry's tree of organisations and the roll-up of a
 * cited institution to its top-level parents. The roll-up reads the registry only (ROR's
 * parent and successor relationships), never the works: a work's partners depend on its
 * own record, so that any split of the input gives the same counts. It does not climb into
 * an organisation typed "government" alone (the Government of the United States, the
 * Gouvernement de la République française, the Board of the Swiss Federal Institutes of
 * Technology): a government is not a partner one co-publishes with, and climbing there
 * would make NASA and NIH, or ETH and EPFL, one partner. The home institution's units are
 * known through the registry (its top levels) and through OpenAlex's lineage as the work's
 * own record gives it (a cited ROR whose OpenAlex institution has the home in its lineage
 * is not a partner), so a home lab the registry does not hold is not counted. */
#include <string.h>

#include "affil/registry.h"
#include "base/datadir.h"
#include "base/ids.h"
#include "copub/error.h"
#include "copub/institutions.h"

/* Successor and parent chains longer than this are taken as cycles. */
#define MAX_DEPTH 32

typedef struct {
  char country[3];
  gboolean government; /* ROR types: "government" alone */
  char **parents;
  char *successor;
  char *name_en;
  char *name_fr;
} Node;

struct CopubInstitutionTree {
  GHashTable *nodes; /* short ROR id -> Node */
  GChecksum *checksum;
  char *digest;
};

static void
node_free (gpointer data)
{
  Node *n = data;
  g_strfreev (n->parents);
  g_free (n->successor);
  g_free (n->name_en);
  g_free (n->name_fr);
  g_free (n);
}

CopubInstitutionTree *
copub_institution_tree_new (void)
{
  CopubInstitutionTree *tree = g_new0 (CopubInstitutionTree, 1);

  tree->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, node_free);
  tree->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  return tree;
}

void
copub_institution_tree_free (CopubInstitutionTree *tree)
{
  if (tree == NULL)
    return;
  g_hash_table_unref (tree->nodes);
  g_clear_pointer (&tree->checksum, g_checksum_free);
  g_free (tree->digest);
  g_free (tree);
}

void
copub_institution_tree_add (CopubInstitutionTree *tree, const char *ror, const char *country,
                            const char *types, const char *const *parents,
                            const char *successor, const char *name_en, const char *name_fr)
{
  Node *n = g_new0 (Node, 1);

  n->government = g_strcmp0 (types, "government") == 0;
  if (country)
    g_strlcpy (n->country, country, sizeof n->country);
  n->parents = g_strdupv ((char **) parents);
  n->successor = g_strdup (successor);
  n->name_en = g_strdup (name_en);
  n->name_fr = g_strdup (name_fr);
  g_hash_table_replace (tree->nodes, g_strdup (ror), n);
  if (tree->checksum)
    {
      g_checksum_update (tree->checksum, (const guchar *) ror, -1);
      g_checksum_update (tree->checksum, (const guchar *) (n->government ? "!" : ""), -1);
      for (const char *const *p = parents; p && *p; p++)
        {
          g_checksum_update (tree->checksum, (const guchar *) " ", 1);
          g_checksum_update (tree->checksum, (const guchar *) *p, -1);
        }
      g_checksum_update (tree->checksum, (const guchar *) ">", 1);
      g_checksum_update (tree->checksum, (const guchar *) (successor ? successor : ""), -1);
      g_checksum_update (tree->checksum, (const guchar *) "\n", 1);
    }
}

/* The record's name in @lang: its display name when in that language (or in none, for
 * English), else a label in it; NULL when it has neither. */
static const char *
name_in (const CopubRorRecord *r, const char *lang)
{
  const char *label = NULL;

  for (guint i = 0; i < r->n_names; i++)
    {
      const CopubRorName *name = &r->names[i];
      gboolean same = strcmp (name->lang, lang) == 0
                      || (name->lang[0] == '\0' && strcmp (lang, "en") == 0);
      if ((name->types & COPUB_ROR_NAME_DISPLAY) && same)
        return name->value;
      if ((name->types & COPUB_ROR_NAME_LABEL) && same && label == NULL)
        label = name->value;
    }
  return label;
}

static const char *
display_name (const CopubRorRecord *r)
{
  for (guint i = 0; i < r->n_names; i++)
    if (r->names[i].types & COPUB_ROR_NAME_DISPLAY)
      return r->names[i].value;
  return r->names[0].value;
}

static void
add_record (CopubInstitutionTree *tree, const CopubRorRecord *r)
{
  g_autoptr(GPtrArray) parents = g_ptr_array_new ();
  const char *en = name_in (r, "en"), *fr = name_in (r, "fr");

  for (guint i = 0; i < r->n_parents; i++)
    g_ptr_array_add (parents, (gpointer) r->parents[i]);
  g_ptr_array_add (parents, NULL);
  copub_institution_tree_add (tree, r->id, r->country, r->types,
                              (const char *const *) parents->pdata,
                              r->successor, en ? en : display_name (r), fr);
}

CopubInstitutionTree *
copub_institution_tree_load (const char *path, GError **error)
{
  g_autofree char *dir = path ? NULL : copub_data_dir (NULL);
  g_autofree char *bundled = dir ? g_build_filename (dir, "ror-registry.tsv", NULL) : NULL;
  g_autoptr(CopubRegistry) reg = copub_registry_read (path ? path : bundled, error);
  g_autoptr(CopubInstitutionTree) tree = NULL;

  if (reg == NULL)
    return NULL;
  tree = copub_institution_tree_new ();
  for (guint i = 0; i < reg->records->len; i++)
    add_record (tree, &g_array_index (reg->records, CopubRorRecord, i));
  return g_steal_pointer (&tree);
}

/* The short form of a ROR or OpenAlex institution id ("https://ror.org/04vfs2w97",
 * "ror:04vfs2w97", "https://openalex.org/I90183372"); NULL when it is neither. */
char *
copub_institution_short_id (const char *value)
{
  static const char *const prefixes[] = { "https://ror.org/", "http://ror.org/", "ror.org/",
                                          "ror:", "https://openalex.org/", "openalex:", NULL };
  const char *id = value;

  for (guint i = 0; prefixes[i]; i++)
    if (g_str_has_prefix (value, prefixes[i]))
      id = value + strlen (prefixes[i]);
  if (copub_is_ror_id (id) || copub_is_openalex_institution_id (id))
    return g_strdup (id);
  return NULL;
}

static void
add_distinct (GPtrArray *out, const char *ror)
{
  const char *interned = g_intern_string (ror);

  if (!g_ptr_array_find (out, interned, NULL))
    g_ptr_array_add (out, (gpointer) interned);
}

/* @ror's successor, followed to the end (a cycle stops where it closes). */
static const char *
current_id (const CopubInstitutionTree *tree, const char *ror)
{
  for (guint depth = 0; depth < MAX_DEPTH; depth++)
    {
      const Node *n = g_hash_table_lookup (tree->nodes, ror);
      if (n == NULL || n->successor == NULL || strcmp (n->successor, ror) == 0)
        break;
      ror = n->successor;
    }
  return ror;
}

static gboolean
is_government (const CopubInstitutionTree *tree, const char *ror)
{
  const Node *n = g_hash_table_lookup (tree->nodes, current_id (tree, ror));

  return n != NULL && n->government;
}

static void
tops_at (const CopubInstitutionTree *tree, const char *ror, guint depth, GPtrArray *out)
{
  const Node *n;
  gboolean climbed = FALSE;

  ror = current_id (tree, ror);
  n = g_hash_table_lookup (tree->nodes, ror);
  for (char **p = n && depth < MAX_DEPTH ? n->parents : NULL; p && *p; p++)
    if (!is_government (tree, *p))
      {
        tops_at (tree, *p, depth + 1, out);
        climbed = TRUE;
      }
  if (!climbed)
    add_distinct (out, ror);
}

void
copub_institution_tree_tops (const CopubInstitutionTree *tree, const char *ror,
                             GPtrArray *out)
{
  tops_at (tree, ror, 0, out);
}

static int
compare_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The units of @home_openalex among @unit_lineages ("ROR>ID" pairs), as the ids the
 * roll-up reaches (successors followed), into @out. */
static void
home_units (const CopubInstitutionTree *tree, const char *const *unit_lineages,
            const char *home_openalex, GPtrArray *out)
{
  for (const char *const *pair = unit_lineages; home_openalex && pair && *pair; pair++)
    {
      const char *sep = strchr (*pair, '>');
      if (sep && strcmp (sep + 1, home_openalex) == 0)
        {
          g_autofree char *ror = g_strndup (*pair, (gsize) (sep - *pair));
          add_distinct (out, current_id (tree, ror));
        }
    }
}

void
copub_institution_tree_partners (const CopubInstitutionTree *tree,
                                 const char *const *institutions,
                                 const char *const *unit_lineages, const char *home,
                                 const char *home_openalex, GPtrArray *out)
{
  g_autoptr(GPtrArray) excluded = g_ptr_array_new ();
  guint kept = 0;

  g_ptr_array_set_size (out, 0);
  if (home)
    copub_institution_tree_tops (tree, home, excluded);
  home_units (tree, unit_lineages, home_openalex, excluded);
  for (const char *const *id = institutions; id && *id; id++)
    if (copub_is_ror_id (*id))
      copub_institution_tree_tops (tree, *id, out);
  for (guint i = 0; i < out->len; i++)
    if (!g_ptr_array_find (excluded, out->pdata[i], NULL))
      out->pdata[kept++] = out->pdata[i];
  g_ptr_array_set_size (out, kept);
  g_ptr_array_sort (out, compare_str);
}

const char *
copub_institution_tree_name (const CopubInstitutionTree *tree, const char *ror,
                             const char *lang)
{
  const Node *n = g_hash_table_lookup (tree->nodes, ror);

  if (n == NULL)
    return NULL;
  if (g_strcmp0 (lang, "fr") == 0 && n->name_fr)
    return n->name_fr;
  return n->name_en;
}

const char *
copub_institution_tree_country (const CopubInstitutionTree *tree, const char *ror)
{
  const Node *n = g_hash_table_lookup (tree->nodes, ror);

  return n && n->country[0] ? n->country : NULL;
}

const char *
copub_institution_tree_digest (const CopubInstitutionTree *tree)
{
  CopubInstitutionTree *t = (CopubInstitutionTree *) tree;

  /* The digest closes the checksum: computed once, on first use. */
  if (t->digest == NULL)
    {
      t->digest = g_strndup (g_checksum_get_string (t->checksum), 16);
      g_clear_pointer (&t->checksum, g_checksum_free);
    }
  return t->digest;
}

gboolean
copub_institution_is_ror (const char *id)
{
  return id != NULL && copub_is_ror_id (id);
}
