/* copub: HAL /search and /ref/structure JSON answers into works and structures, and the
 * HAL vocabulary shared with the TEI parser (joined fields, structures, types, domains). */
#include "sources/hal.h"

#include <stdlib.h>
#include <string.h>

#include "base/ids.h"
#include "copub/error.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* How far up the hierarchy a research team or department looks for a country, and how
 * deep ancestor checks go: AuréHAL hierarchies are a few levels deep; the bound also
 * stops on cycles. */
#define HAL_MAX_HIERARCHY 8

/* ---- Structures -------------------------------------------------------------------- */

CopubHalStructure *
copub_hal_structure_new (const char *id)
{
  CopubHalStructure *structure = g_new0 (CopubHalStructure, 1);

  structure->id = g_strdup (id);
  structure->parents = g_ptr_array_new_with_free_func (g_free);
  return structure;
}

void
copub_hal_structure_free (CopubHalStructure *structure)
{
  if (structure == NULL)
    return;
  g_free (structure->id);
  g_free (structure->name);
  g_free (structure->acronym);
  g_free (structure->type);
  g_free (structure->status);
  g_free (structure->country);
  g_free (structure->ror);
  g_ptr_array_unref (structure->parents);
  g_free (structure);
}

static CopubHalStructure *
structure_copy (const CopubHalStructure *src, const char *id)
{
  CopubHalStructure *copy = copub_hal_structure_new (id);

  copy->name = g_strdup (src->name);
  copy->acronym = g_strdup (src->acronym);
  copy->type = g_strdup (src->type);
  copy->status = g_strdup (src->status);
  copy->country = g_strdup (src->country);
  copy->ror = g_strdup (src->ror);
  for (guint i = 0; i < src->parents->len; i++)
    g_ptr_array_add (copy->parents, g_strdup (src->parents->pdata[i]));
  return copy;
}

GHashTable *
copub_hal_structures_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) copub_hal_structure_free);
}

void
copub_hal_structures_add (GHashTable *structures, CopubHalStructure *structure)
{
  g_hash_table_replace (structures, g_strdup (structure->id), structure);
}

/* The structure @id of @structures, created empty when absent. */
static CopubHalStructure *
structures_ensure (GHashTable *structures, const char *id)
{
  CopubHalStructure *structure = g_hash_table_lookup (structures, id);

  if (structure == NULL)
    {
      structure = copub_hal_structure_new (id);
      copub_hal_structures_add (structures, structure);
    }
  return structure;
}

char *
copub_hal_structure_id (const char *ref)
{
  if (ref == NULL)
    return NULL;
  if (*ref == '#')
    ref++;
  if (g_str_has_prefix (ref, "struct-"))
    ref += strlen ("struct-");
  /* Ten digits at most: AuréHAL docids are far below, and the bound keeps ids sane. */
  if (!copub_is_digits (ref) || strlen (ref) > 10)
    return NULL;
  return g_strconcat ("struct-", ref, NULL);
}

char *
copub_hal_country_normalise (const char *code)
{
  if (code == NULL || !g_ascii_isalpha (code[0]) || !g_ascii_isalpha (code[1])
      || code[2] != '\0')
    return NULL;
  return g_ascii_strup (code, 2);
}

static gboolean
structure_is_subunit (const CopubHalStructure *structure)
{
  return g_strcmp0 (structure->type, "researchteam") == 0
         || g_strcmp0 (structure->type, "department") == 0;
}

static const char *
structures_country_at (GHashTable *structures, const char *id, int depth)
{
  CopubHalStructure *structure = g_hash_table_lookup (structures, id);
  const char *agreed = NULL;

  if (structure == NULL)
    return NULL;
  if (structure->country != NULL)
    return structure->country;
  /* A team or a department sits inside its parent; a laboratory's parents (CNRS, a
   * university) may sit elsewhere, so a laboratory without a country stays unknown. */
  if (!structure_is_subunit (structure) || depth >= HAL_MAX_HIERARCHY)
    return NULL;
  for (guint i = 0; i < structure->parents->len; i++)
    {
      const char *country = structures_country_at (structures, structure->parents->pdata[i],
                                                   depth + 1);
      if (country == NULL)
        continue;
      if (agreed != NULL && strcmp (agreed, country) != 0)
        return NULL;
      agreed = country;
    }
  return agreed;
}

const char *
copub_hal_structures_country (GHashTable *structures, const char *id)
{
  return structures_country_at (structures, id, 0);
}

/* TRUE when @ancestor is a parent of @id, or a parent's ancestor. */
static gboolean
structures_is_ancestor (GHashTable *structures, const char *ancestor, const char *id,
                        int depth)
{
  CopubHalStructure *structure = g_hash_table_lookup (structures, id);

  if (structure == NULL || depth >= HAL_MAX_HIERARCHY)
    return FALSE;
  for (guint i = 0; i < structure->parents->len; i++)
    {
      const char *parent = structure->parents->pdata[i];
      if (strcmp (parent, ancestor) == 0
          || structures_is_ancestor (structures, ancestor, parent, depth + 1))
        return TRUE;
    }
  return FALSE;
}

static gboolean
authorship_has_institution (const CopubAuthorship *auth, const char *id)
{
  for (guint i = 0; i < auth->institutions->len; i++)
    {
      const CopubInstitution *inst = auth->institutions->pdata[i];
      if (g_strcmp0 (inst->id, id) == 0)
        return TRUE;
    }
  return FALSE;
}

void
copub_hal_authorship_add_structure (CopubAuthorship *auth, GHashTable *structures,
                                    const char *id, const char *name)
{
  CopubHalStructure *structure;
  const char *country;
  CopubInstitution *inst;

  if (id == NULL || authorship_has_institution (auth, id))
    return;
  structure = g_hash_table_lookup (structures, id);
  country = copub_hal_structures_country (structures, id);
  inst = copub_institution_new ();
  inst->id = g_strdup (id);
  inst->name = g_strdup (structure && structure->name ? structure->name : name);
  inst->country = g_strdup (country);
  if (structure != NULL)
    {
      inst->type = g_strdup (structure->type);
      inst->ror = g_strdup (structure->ror);
    }
  g_ptr_array_add (auth->institutions, inst);
  if (country != NULL)
    copub_authorship_add_country (auth, country);
}

/* The distinct ids of @work's direct structures, in order; only those without a country
 * when @unknown_only. */
static GPtrArray *
structure_ids (const CopubWork *work, gboolean unknown_only)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *auth = work->authorships->pdata[i];
      for (guint j = 0; j < auth->institutions->len; j++)
        {
          const CopubInstitution *inst = auth->institutions->pdata[j];
          if (inst->id == NULL || (unknown_only && inst->country != NULL)
              || !g_hash_table_add (seen, inst->id))
            continue;
          g_ptr_array_add (ids, g_strdup (inst->id));
        }
    }
  return ids;
}

GPtrArray *
copub_hal_unresolved_structures (const CopubWork *work)
{
  return structure_ids (work, TRUE);
}

/* The referential's word on a structure wins over the record's structure fields (which
 * can be stale or misaligned); the record's stays when the referential has none.
 * TRUE when the structure's country was unknown and now is. */
static gboolean
institution_apply (CopubInstitution *inst, GHashTable *structures)
{
  CopubHalStructure *structure = g_hash_table_lookup (structures, inst->id);
  const char *country;
  gboolean was_unknown = inst->country == NULL;

  if (structure == NULL)
    return FALSE;
  if (inst->name == NULL)
    inst->name = g_strdup (structure->name);
  if (inst->type == NULL)
    inst->type = g_strdup (structure->type);
  if (inst->ror == NULL)
    inst->ror = g_strdup (structure->ror);
  country = copub_hal_structures_country (structures, inst->id);
  if (country == NULL || g_strcmp0 (inst->country, country) == 0)
    return FALSE;
  g_free (inst->country);
  inst->country = g_strdup (country);
  return was_unknown;
}

/* An authorship's countries: those of its direct structures, in order. */
static void
recount_countries (CopubAuthorship *auth)
{
  g_ptr_array_set_size (auth->countries, 0);
  for (guint j = 0; j < auth->institutions->len; j++)
    {
      const CopubInstitution *inst = auth->institutions->pdata[j];
      if (inst->country)
        copub_authorship_add_country (auth, inst->country);
    }
}

guint
copub_hal_apply_structures (CopubWork *work, GHashTable *structures)
{
  guint resolved = 0;

  for (guint i = 0; i < work->authorships->len; i++)
    {
      CopubAuthorship *auth = work->authorships->pdata[i];
      for (guint j = 0; j < auth->institutions->len; j++)
        {
          CopubInstitution *inst = auth->institutions->pdata[j];
          if (inst->id != NULL && institution_apply (inst, structures))
            resolved++;
        }
      recount_countries (auth);
    }
  return resolved;
}

GPtrArray *
copub_hal_direct_structures (const CopubWork *work)
{
  return structure_ids (work, FALSE);
}

/* ---- Vocabulary -------------------------------------------------------------------- */

/* Splits "<left>_FacetSep_<right>" into two new strings; FALSE without the token. */
static gboolean
split_facet (const char *value, char **out_left, char **out_right)
{
  const char *sep = strstr (value, COPUB_HAL_FACET_SEP);

  if (sep == NULL)
    return FALSE;
  *out_left = g_strndup (value, sep - value);
  *out_right = g_strdup (sep + strlen (COPUB_HAL_FACET_SEP));
  return TRUE;
}

gboolean
copub_hal_split_author_structure (const char *value, char **out_author_key,
                                  char **out_author_name, char **out_struct_id,
                                  char **out_struct_name)
{
  g_auto(GStrv) halves = NULL;
  g_autofree char *key = NULL, *author = NULL, *docid = NULL, *name = NULL;
  g_autofree char *id = NULL;

  if (value == NULL)
    return FALSE;
  halves = g_strsplit (value, COPUB_HAL_JOIN_SEP, 0);
  if (g_strv_length (halves) != 2 || !split_facet (halves[0], &key, &author)
      || !split_facet (halves[1], &docid, &name))
    return FALSE;
  id = copub_hal_structure_id (docid);
  if (id == NULL)
    return FALSE;
  if (out_author_key)
    *out_author_key = g_steal_pointer (&key);
  if (out_author_name)
    *out_author_name = g_steal_pointer (&author);
  if (out_struct_id)
    *out_struct_id = g_steal_pointer (&id);
  if (out_struct_name)
    *out_struct_name = g_steal_pointer (&name);
  return TRUE;
}

/* HAL document types (https://api.archives-ouvertes.fr/ref/doctype) to copub's types,
 * which follow OpenAlex's vocabulary, plus "conference-paper" for HAL's COMM. */
static const struct {
  const char *code;
  const char *type;
} hal_types[] = {
  { "ART", "article" },
  { "COMM", "conference-paper" },
  { "COUV", "book-chapter" },
  { "OUV", "book" },
  { "DOUV", "book" },        /* edited book, proceedings volume */
  { "PROCEEDINGS", "book" },
  { "THESE", "dissertation" },
  { "HDR", "dissertation" },
  { "ETABTHESE", "dissertation" },
  { "MEM", "dissertation" }, /* student dissertation */
  { "UNDEFINED", "preprint" }, /* "Preprints, working papers" */
  { "PREPRINT", "preprint" },
  { "WORKINGPAPER", "preprint" },
  { "REPORT", "report" },
  { "OTHERREPORT", "report" },
  { "REPACT", "report" },
  { "CREPORT", "report" },
  { "NOTICE", "reference-entry" }, /* encyclopedia or dictionary entry */
};

/* docSubType_s values that refine the type. */
static const struct {
  const char *code;
  const char *type;
} hal_sub_types[] = {
  { "ARTREV", "review" },
  { "PREPRINT", "preprint" },
  { "WORKINGPAPER", "preprint" },
  { "RESREPORT", "report" },
  { "TECHREPORT", "report" },
  { "FUNDREPORT", "report" },
  { "EXPERTREPORT", "report" },
};

const char *
copub_hal_map_type (const char *doc_type, const char *sub_type)
{
  if (doc_type == NULL || *doc_type == '\0')
    return NULL;
  for (gsize i = 0; sub_type != NULL && i < G_N_ELEMENTS (hal_sub_types); i++)
    if (g_ascii_strcasecmp (sub_type, hal_sub_types[i].code) == 0)
      return hal_sub_types[i].type;
  for (gsize i = 0; i < G_N_ELEMENTS (hal_types); i++)
    if (g_ascii_strcasecmp (doc_type, hal_types[i].code) == 0)
      return hal_types[i].type;
  /* REPORT_LABO, REPORT_MAST...: the report variants of some portals. */
  if (g_ascii_strncasecmp (doc_type, "REPORT", strlen ("REPORT")) == 0)
    return "report";
  /* POSTER, PRESCONF, LECTURE, PATENT, SOFTWARE, IMG, VIDEO, SON, MAP, NOTE, OTHER... */
  return "other";
}

/* The 13 level-0 domains of HAL (/ref/domain), with their English labels without the
 * arXiv code HAL appends ("Physics [physics]"). */
static const struct {
  const char *code;
  const char *label;
} hal_domains[] = {
  { "chim", "Chemical Sciences" },
  { "info", "Computer Science" },
  { "math", "Mathematics" },
  { "nlin", "Nonlinear Sciences" },
  { "phys", "Physics" },
  { "qfin", "Quantitative Finance" },
  { "scco", "Cognitive Science" },
  { "sde", "Environmental Sciences" },
  { "sdu", "Sciences of the Universe" },
  { "sdv", "Life Sciences" },
  { "shs", "Humanities and Social Sciences" },
  { "spi", "Engineering Sciences" },
  { "stat", "Statistics" },
};

char *
copub_hal_domain_level0 (const char *code)
{
  const char *start, *end;

  if (code == NULL)
    return NULL;
  start = code;
  /* domain_s prefixes the depth: "1.phys.hist". */
  while (g_ascii_isdigit (*start))
    start++;
  if (start != code && *start == '.')
    start++;
  else
    start = code;
  for (end = start; g_ascii_isalnum (*end) || *end == '-'; end++)
    ;
  if (end == start || (*end != '\0' && *end != '.'))
    return NULL;
  return g_ascii_strdown (start, end - start);
}

const char *
copub_hal_domain_label (const char *level0)
{
  for (gsize i = 0; level0 != NULL && i < G_N_ELEMENTS (hal_domains); i++)
    if (strcmp (level0, hal_domains[i].code) == 0)
      return hal_domains[i].label;
  return NULL;
}

void
copub_hal_work_set_domain (CopubWork *work, const char *code)
{
  g_autofree char *level0 = NULL;
  const char *label;

  if (work->domain.id != NULL)
    return;
  level0 = copub_hal_domain_level0 (code);
  if (level0 == NULL)
    return;
  label = copub_hal_domain_label (level0);
  work->domain.name = g_strdup (label ? label : level0);
  work->domain.id = g_steal_pointer (&level0);
}

int
copub_hal_year_from_date (const char *date)
{
  int year = 0;

  if (date == NULL)
    return 0;
  while (g_ascii_isspace (*date))
    date++;
  for (int i = 0; i < 4; i++)
    {
      if (!g_ascii_isdigit (date[i]))
        return 0;
      year = year * 10 + (date[i] - '0');
    }
  if (g_ascii_isdigit (date[4]) || year < 1000 || year > 2999)
    return 0;
  return year;
}

void
copub_hal_set_author_positions (CopubWork *work)
{
  guint n = work->authorships->len;

  for (guint i = 0; i < n; i++)
    {
      CopubAuthorship *auth = work->authorships->pdata[i];
      const char *position = i == 0 ? "first" : i + 1 == n ? "last" : "middle";
      g_free (auth->author_position);
      auth->author_position = g_strdup (position);
      auth->position = (int) i;
    }
}

gboolean
copub_hal_role_is_author (const char *role)
{
  return role == NULL || *role == '\0' || strcmp (role, "aut") == 0
         || strcmp (role, "crp") == 0;
}

/* ---- JSON helpers ------------------------------------------------------------------ */

static char *
json_scalar_string (json_t *value)
{
  if (json_is_string (value))
    return g_strdup (json_string_value (value));
  if (json_is_integer (value))
    return g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (value));
  return NULL;
}

/* The values of field @key of @doc as strings: HAL gives a field as a scalar in one
 * answer and as an array in another. Empty when absent. */
static GPtrArray *
doc_strings (json_t *doc, const char *key)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  json_t *value = json_object_get (doc, key);
  json_t *item;
  size_t i;

  if (json_is_array (value))
    {
      json_array_foreach (value, i, item)
        {
          char *s = json_scalar_string (item);
          if (s != NULL)
            g_ptr_array_add (out, s);
        }
    }
  else if (value != NULL)
    {
      char *s = json_scalar_string (value);
      if (s != NULL)
        g_ptr_array_add (out, s);
    }
  return out;
}

/* The first value of field @key, or NULL. */
static char *
doc_string (json_t *doc, const char *key)
{
  g_autoptr(GPtrArray) values = doc_strings (doc, key);

  if (values->len == 0 || *(char *) values->pdata[0] == '\0')
    return NULL;
  return g_strdup (values->pdata[0]);
}

/* Field @prefix@suffix of @doc when it has exactly @n values (Solr omits missing values,
 * so arrays of another length do not line up with the ids); NULL otherwise. */
static GPtrArray *
doc_aligned (json_t *doc, const char *prefix, const char *suffix, guint n)
{
  g_autofree char *key = g_strconcat (prefix, suffix, NULL);
  g_autoptr(GPtrArray) values = doc_strings (doc, key);

  if (values->len != n)
    return NULL;
  return g_steal_pointer (&values);
}

static void
set_if_unset (char **field, const char *value)
{
  if (*field == NULL && value != NULL && *value != '\0')
    *field = g_strdup (value);
}

/* The struct* field families: all structures, then the typed subsets. */
static const struct {
  const char *prefix;
  const char *type;
} struct_families[] = {
  { "struct", NULL },
  { "labStruct", "laboratory" },
  { "instStruct", "institution" },
  { "rteamStruct", "researchteam" },
  { "deptStruct", "department" },
  { "rgrpInstStruct", "regroupinstitution" },
  { "rgrpLabStruct", "regrouplaboratory" },
};

static void
structures_from_family (GHashTable *structures, json_t *doc, const char *prefix,
                        const char *type)
{
  g_autofree char *ids_key = g_strconcat (prefix, "Id_i", NULL);
  g_autoptr(GPtrArray) ids = doc_strings (doc, ids_key);
  guint n = ids->len;
  g_autoptr(GPtrArray) countries = doc_aligned (doc, prefix, "Country_s", n);
  g_autoptr(GPtrArray) types = doc_aligned (doc, prefix, "Type_s", n);
  g_autoptr(GPtrArray) names = doc_aligned (doc, prefix, "Name_s", n);
  g_autoptr(GPtrArray) valids = doc_aligned (doc, prefix, "Valid_s", n);
  g_autoptr(GPtrArray) rors = doc_aligned (doc, prefix, "RorIdExt_s", n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = copub_hal_structure_id (ids->pdata[i]);
      CopubHalStructure *s;
      if (id == NULL)
        continue;
      s = structures_ensure (structures, id);
      set_if_unset (&s->type, type ? type : types ? types->pdata[i] : NULL);
      set_if_unset (&s->name, names ? names->pdata[i] : NULL);
      set_if_unset (&s->status, valids ? valids->pdata[i] : NULL);
      if (s->country == NULL && countries != NULL)
        s->country = copub_hal_country_normalise (countries->pdata[i]);
      if (s->ror == NULL && rors != NULL)
        s->ror = copub_short_id (rors->pdata[i]);
    }
}

/* Names from structIdName_fs ("<docid>_FacetSep_<name>"), joined hence reliable. */
static void
structures_names_from_fs (GHashTable *structures, json_t *doc)
{
  g_autoptr(GPtrArray) values = doc_strings (doc, "structIdName_fs");

  for (guint i = 0; i < values->len; i++)
    {
      g_autofree char *docid = NULL, *name = NULL, *id = NULL;
      if (!split_facet (values->pdata[i], &docid, &name))
        continue;
      id = copub_hal_structure_id (docid);
      if (id != NULL)
        set_if_unset (&structures_ensure (structures, id)->name, name);
    }
}

static void
add_parent (CopubHalStructure *child, const char *parent)
{
  for (guint i = 0; i < child->parents->len; i++)
    if (strcmp (child->parents->pdata[i], parent) == 0)
      return;
  g_ptr_array_add (child->parents, g_strdup (parent));
}

/* Parents from structIsChildOf_fs: "<child docid>_<type or name>_JoinSep_<parent docid>
 * _FacetSep_<parent name>". */
static void
structures_parents_from_fs (GHashTable *structures, json_t *doc)
{
  g_autoptr(GPtrArray) values = doc_strings (doc, "structIsChildOf_fs");

  for (guint i = 0; i < values->len; i++)
    {
      const char *value = values->pdata[i];
      const char *join = strstr (value, COPUB_HAL_JOIN_SEP);
      const char *under = strchr (value, '_');
      g_autofree char *child_docid = NULL, *parent_docid = NULL, *parent_name = NULL;
      g_autofree char *child = NULL, *parent = NULL;
      if (join == NULL || under == NULL || under > join
          || !split_facet (join + strlen (COPUB_HAL_JOIN_SEP), &parent_docid, &parent_name))
        continue;
      child_docid = g_strndup (value, under - value);
      child = copub_hal_structure_id (child_docid);
      parent = copub_hal_structure_id (parent_docid);
      if (child == NULL || parent == NULL || strcmp (child, parent) == 0)
        continue;
      add_parent (structures_ensure (structures, child), parent);
      set_if_unset (&structures_ensure (structures, parent)->name, parent_name);
    }
}

static GHashTable *
doc_structures (json_t *doc)
{
  GHashTable *structures = copub_hal_structures_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (struct_families); i++)
    structures_from_family (structures, doc, struct_families[i].prefix,
                            struct_families[i].type);
  structures_names_from_fs (structures, doc);
  structures_parents_from_fs (structures, doc);
  return structures;
}

/* ---- JSON docs --------------------------------------------------------------------- */

/* One parsed authIdHas*Structure_fs value. */
typedef struct {
  char *author_key;
  char *author_name;
  char *struct_id;
  char *struct_name;
} HalLink;

static void
hal_link_free (HalLink *link)
{
  g_free (link->author_key);
  g_free (link->author_name);
  g_free (link->struct_id);
  g_free (link->struct_name);
  g_free (link);
}

/* The author-structure links of @doc, and whether they are the direct ones only. */
static GPtrArray *
doc_links (json_t *doc, gboolean *out_direct)
{
  GPtrArray *links = g_ptr_array_new_with_free_func ((GDestroyNotify) hal_link_free);
  g_autoptr(GPtrArray) values = doc_strings (doc, "authIdHasPrimaryStructure_fs");

  *out_direct = TRUE;
  if (json_object_get (doc, "authIdHasPrimaryStructure_fs") == NULL)
    {
      /* Older answers: all structures, ancestors included; authorship_add_links drops
       * the ancestors. */
      g_ptr_array_unref (values);
      values = doc_strings (doc, "authIdHasStructure_fs");
      *out_direct = FALSE;
    }
  for (guint i = 0; i < values->len; i++)
    {
      HalLink *link = g_new0 (HalLink, 1);
      if (!copub_hal_split_author_structure (values->pdata[i], &link->author_key,
                                             &link->author_name, &link->struct_id,
                                             &link->struct_name))
        {
          hal_link_free (link);
          continue;
        }
      g_ptr_array_add (links, link);
    }
  return links;
}

static gboolean
link_matches (const HalLink *link, const char *key, const char *name)
{
  if (key != NULL)
    return g_strcmp0 (link->author_key, key) == 0;
  return g_strcmp0 (link->author_name, name) == 0;
}

/* Adds to @auth the structures its links name; without @direct, only those that are no
 * ancestor of another of its structures. */
static void
authorship_add_links (CopubAuthorship *auth, GPtrArray *links, GHashTable *structures,
                      const char *key, const char *name, gboolean direct)
{
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();

  for (guint i = 0; i < links->len; i++)
    if (link_matches (links->pdata[i], key, name))
      g_ptr_array_add (mine, links->pdata[i]);
  for (guint i = 0; i < mine->len; i++)
    {
      const HalLink *link = mine->pdata[i];
      gboolean ancestor = FALSE;
      for (guint j = 0; !direct && !ancestor && j < mine->len; j++)
        ancestor = structures_is_ancestor (structures, link->struct_id,
                                           ((HalLink *) mine->pdata[j])->struct_id, 0);
      if (!ancestor)
        copub_hal_authorship_add_structure (auth, structures, link->struct_id,
                                            link->struct_name);
    }
}

/* "1375936-1063453" -> "1063453"; NULL for person 0 or a malformed key. */
static char *
author_id_from_key (const char *key)
{
  const char *dash = key ? strrchr (key, '-') : NULL;

  if (dash == NULL || !copub_is_digits (dash + 1) || strcmp (dash + 1, "0") == 0)
    return NULL;
  return g_strdup (dash + 1);
}

/* Authors from authFullNameFormIDPersonIDIDHal_fs ("<name>_FacetSep_<form>-<person>
 * _FacetSep_<idHal>"), for answers without authFullName_s. */
static void
doc_authors_from_fs (json_t *doc, GPtrArray *names, GPtrArray *keys)
{
  g_autoptr(GPtrArray) values = doc_strings (doc, "authFullNameFormIDPersonIDIDHal_fs");

  for (guint i = 0; i < values->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (values->pdata[i], COPUB_HAL_FACET_SEP, 3);
      if (g_strv_length (parts) < 2)
        {
          g_ptr_array_set_size (names, 0);
          g_ptr_array_set_size (keys, 0);
          return;
        }
      g_ptr_array_add (names, g_strdup (parts[0]));
      g_ptr_array_add (keys, g_strdup (parts[1]));
    }
}

/* Authors named by the links alone, for answers without any author list. */
static void
doc_authors_from_links (GPtrArray *names, GPtrArray *keys, GPtrArray *links)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < links->len; i++)
    {
      const HalLink *link = links->pdata[i];
      if (!g_hash_table_add (seen, link->author_key))
        continue;
      g_ptr_array_add (names, g_strdup (link->author_name));
      g_ptr_array_add (keys, g_strdup (link->author_key));
    }
}

static void
doc_add_authorships (CopubWork *work, json_t *doc, GHashTable *structures)
{
  gboolean direct;
  g_autoptr(GPtrArray) links = doc_links (doc, &direct);
  g_autoptr(GPtrArray) names = doc_strings (doc, "authFullName_s");
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) roles = NULL;

  if (names->len > 0)
    keys = doc_aligned (doc, "authIdFormPerson", "_s", names->len);
  else
    {
      keys = g_ptr_array_new_with_free_func (g_free);
      doc_authors_from_fs (doc, names, keys);
    }
  if (names->len > 0)
    roles = doc_aligned (doc, "authQuality", "_s", names->len);
  else
    doc_authors_from_links (names, keys, links);
  for (guint i = 0; i < names->len; i++)
    {
      const char *key = keys ? keys->pdata[i] : NULL;
      CopubAuthorship *auth;
      if (roles != NULL && !copub_hal_role_is_author (roles->pdata[i]))
        continue;
      auth = copub_authorship_new ();
      auth->author_name = g_strdup (names->pdata[i]);
      auth->author_id = author_id_from_key (key);
      authorship_add_links (auth, links, structures, key, names->pdata[i], direct);
      g_ptr_array_add (work->authorships, auth);
    }
  copub_hal_set_author_positions (work);
}

/* The year by @rules' date (its year field, then its full date), else the other dates in
 * HAL's order: publication, e-publication, defence, production. */
static int
doc_year (json_t *doc, const CopubHalRules *rules)
{
  static const char *const produced[] = { "producedDateY_i", "producedDate_s" };
  static const char *const others[] = {
    "publicationDateY_i", "publicationDate_s", "ePublicationDate_s", "defenseDate_s",
    "producedDateY_i", "producedDate_s",
  };

  for (gsize i = 0; rules->year == COPUB_HAL_YEAR_PRODUCED && i < G_N_ELEMENTS (produced);
       i++)
    {
      g_autofree char *value = doc_string (doc, produced[i]);
      int year = copub_hal_year_from_date (value);
      if (year != 0)
        return year;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autofree char *value = doc_string (doc, others[i]);
      int year = copub_hal_year_from_date (value);
      if (year != 0)
        return year;
    }
  return 0;
}

static void
doc_set_domain (CopubWork *work, json_t *doc)
{
  static const char *const fields[] = {
    "primaryDomain_s", "level0_domain_s", "domain_s", "domainAllCode_s",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (fields) && work->domain.id == NULL; i++)
    {
      g_autofree char *code = doc_string (doc, fields[i]);
      copub_hal_work_set_domain (work, code);
    }
}

/* halId_s, else the last segment of uri_s ("https://hal.science/hal-02498602"). */
static char *
doc_hal_id (json_t *doc)
{
  char *id = doc_string (doc, "halId_s");
  g_autofree char *uri = NULL;
  const char *slash;

  if (id != NULL)
    return id;
  uri = doc_string (doc, "uri_s");
  slash = uri ? strrchr (uri, '/') : NULL;
  if (slash == NULL || slash[1] == '\0' || strchr (slash + 1, '-') == NULL)
    return NULL;
  return g_strdup (slash + 1);
}

static GBytes *
doc_raw (json_t *doc)
{
  char *text = json_dumps (doc, JSON_COMPACT);
  GBytes *raw;

  if (text == NULL)
    return NULL;
  raw = g_bytes_new (text, strlen (text));
  free (text);
  return raw;
}

CopubWork *
copub_hal_parse_doc (json_t *doc, const CopubHalRules *rules, GError **error)
{
  static const CopubHalRules defaults = COPUB_HAL_RULES_INIT;
  g_autoptr(CopubWork) work = NULL;
  g_autoptr(GHashTable) structures = NULL;
  g_autofree char *doi = NULL, *doc_type = NULL, *sub_type = NULL;

  if (!json_is_object (doc))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "expected a HAL doc object");
      return NULL;
    }
  work = copub_work_new (COPUB_SOURCE_HAL);
  work->id = doc_hal_id (doc);
  if (work->id == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "expected a \"halId_s\" field (request it with fl=halId_s)");
      return NULL;
    }
  doi = doc_string (doc, "doiId_s");
  work->doi = copub_doi_normalise (doi);
  work->title = doc_string (doc, "title_s");
  doc_type = doc_string (doc, "docType_s");
  sub_type = doc_string (doc, "docSubType_s");
  work->type = g_strdup (copub_hal_map_type (doc_type, sub_type));
  work->year = doc_year (doc, rules ? rules : &defaults);
  doc_set_domain (work, doc);
  structures = doc_structures (doc);
  doc_add_authorships (work, doc, structures);
  work->raw = doc_raw (doc);
  return g_steal_pointer (&work);
}

/* ---- JSON answers ------------------------------------------------------------------ */

void
copub_hal_page_clear (CopubHalPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->next_cursor_mark, g_free);
  page->num_found = -1;
  page->n_works = 0;
}

static gboolean
json_load_answer (json_t **out, const char *data, gsize size, const char *name,
                  GError **error)
{
  json_error_t jerror;

  *out = json_loadb (data, size, 0, &jerror);
  if (*out == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %d column %d: %s",
                   name, jerror.line, jerror.column, jerror.text);
      return FALSE;
    }
  return TRUE;
}

/* A Solr error answer: {"error": {"msg": "...", "code": 400}}. */
static gboolean
check_solr_error (json_t *root, const char *name, GError **error)
{
  json_t *err = json_object_get (root, "error");
  const char *msg;

  if (err == NULL)
    return TRUE;
  msg = json_string_value (json_object_get (err, "msg"));
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK, "'%s': HAL API error %" JSON_INTEGER_FORMAT
               ": %s", name, json_integer_value (json_object_get (err, "code")),
               msg ? msg : "no message");
  return FALSE;
}

static gboolean
looks_like_doc (json_t *value)
{
  return json_object_get (value, "halId_s") != NULL || json_object_get (value, "docid") != NULL;
}

/* The docs array of an answer (borrowed), filling @out's paging fields. */
static json_t *
answer_docs (json_t *root, CopubHalPage *out, const char *name, GError **error)
{
  json_t *response, *docs;

  if (json_is_array (root))
    return root;
  if (!check_solr_error (root, name, error))
    return NULL;
  response = json_object_get (root, "response");
  if (response == NULL && looks_like_doc (root))
    return root;
  docs = json_object_get (response, "docs");
  if (!json_is_array (docs))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s': expected a HAL answer with \"response\": {\"docs\": [...]}, "
                   "a docs array or a doc", name);
      return NULL;
    }
  if (json_is_integer (json_object_get (response, "numFound")))
    out->num_found = json_integer_value (json_object_get (response, "numFound"));
  if (json_is_string (json_object_get (root, "nextCursorMark")))
    out->next_cursor_mark = g_strdup (json_string_value (json_object_get (root,
                                                                          "nextCursorMark")));
  return docs;
}

/* ---- which records are works (copub/hal-rules.h) ----------------------------------- */

const char *
copub_hal_year_field (CopubHalYear year)
{
  return year == COPUB_HAL_YEAR_PUBLICATION ? "publicationDateY_i" : "producedDateY_i";
}

const char *
copub_hal_year_name (CopubHalYear year)
{
  return year == COPUB_HAL_YEAR_PUBLICATION ? "publication" : "produced";
}

gboolean
copub_hal_year_from_name (const char *name, CopubHalYear *out)
{
  if (g_strcmp0 (name, "produced") == 0)
    *out = COPUB_HAL_YEAR_PRODUCED;
  else if (g_strcmp0 (name, "publication") == 0)
    *out = COPUB_HAL_YEAR_PUBLICATION;
  else
    return FALSE;
  return TRUE;
}

const char *const *
copub_hal_rules_filters (const CopubHalRules *rules)
{
  static const char *const all[] = { "-status_i:111", "-submitType_s:annex", NULL };
  static const char *const versions[] = { "-status_i:111", NULL };

  return rules != NULL && rules->keep_annexes ? versions : all;
}

/* Counts @doc in @page when @rules leaves it out (see copub_hal_parse_json). */
static gboolean
doc_left_out (json_t *doc, const CopubHalRules *rules, CopubHalPage *page)
{
  g_autofree char *status = doc_string (doc, "status_i");
  g_autofree char *submit = NULL;

  if (g_strcmp0 (status, "111") == 0)
    {
      page->n_old_versions++;
      return TRUE;
    }
  if (rules != NULL && rules->keep_annexes)
    return FALSE;
  submit = doc_string (doc, "submitType_s");
  if (g_strcmp0 (submit, "annex") != 0)
    return FALSE;
  page->n_annexes++;
  return TRUE;
}

/* Converts every doc of @docs (an array, or one doc object) that @rules keeps before any
 * is emitted. */
static GPtrArray *
docs_to_works (json_t *docs, const CopubHalRules *rules, CopubHalPage *page, const char *name,
               GError **error)
{
  g_autoptr(GPtrArray) works = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);
  json_t *doc;
  size_t i;

  if (!json_is_array (docs))
    {
      CopubWork *work;
      if (json_is_object (docs) && doc_left_out (docs, rules, page))
        return g_steal_pointer (&works);
      work = copub_hal_parse_doc (docs, rules, error);
      if (work == NULL)
        {
          g_prefix_error (error, "'%s': ", name);
          return NULL;
        }
      g_ptr_array_add (works, work);
      return g_steal_pointer (&works);
    }
  json_array_foreach (docs, i, doc)
    {
      CopubWork *work;
      if (json_is_object (doc) && doc_left_out (doc, rules, page))
        continue;
      work = copub_hal_parse_doc (doc, rules, error);
      if (work == NULL)
        {
          g_prefix_error (error, "'%s' doc %zu: ", name, i + 1);
          return NULL;
        }
      g_ptr_array_add (works, work);
    }
  return g_steal_pointer (&works);
}

gboolean
copub_hal_parse_json (CopubHalPage *out, const char *data, gsize size,
                      const char *display_name, const CopubHalRules *rules, CopubWorkFunc func,
                      gpointer user_data, GError **error)
{
  g_auto(CopubHalPage) page = COPUB_HAL_PAGE_INIT;
  g_autoptr(json_t) root = NULL;
  g_autoptr(GPtrArray) works = NULL;
  const char *name = display_name ? display_name : "input";
  json_t *docs;

  if (!json_load_answer (&root, data, size, name, error))
    return FALSE;
  docs = answer_docs (root, &page, name, error);
  if (docs == NULL)
    return FALSE;
  works = docs_to_works (docs, rules, &page, name, error);
  if (works == NULL)
    return FALSE;
  for (guint i = 0; i < works->len; i++)
    {
      CopubWork *work = g_steal_pointer (&works->pdata[i]);
      if (!func (work, user_data, error))
        return FALSE;
      page.n_works++;
    }
  if (out != NULL)
    {
      copub_hal_page_clear (out);
      *out = page;
      page.next_cursor_mark = NULL;
    }
  return TRUE;
}

/* ---- /ref/structure ---------------------------------------------------------------- */

static CopubHalStructure *
ref_structure (json_t *doc)
{
  g_autofree char *docid = doc_string (doc, "docid");
  g_autofree char *id = copub_hal_structure_id (docid);
  g_autofree char *country = NULL, *ror = NULL;
  g_autoptr(GPtrArray) parents = NULL;
  CopubHalStructure *s;

  if (id == NULL)
    return NULL;
  s = copub_hal_structure_new (id);
  s->name = doc_string (doc, "name_s");
  if (s->name == NULL)
    s->name = doc_string (doc, "label_s");
  s->acronym = doc_string (doc, "acronym_s");
  s->type = doc_string (doc, "type_s");
  s->status = doc_string (doc, "valid_s");
  country = doc_string (doc, "country_s");
  s->country = copub_hal_country_normalise (country);
  ror = doc_string (doc, "ror_s");
  s->ror = copub_short_id (ror);
  parents = doc_strings (doc, "parentDocid_i");
  for (guint i = 0; i < parents->len; i++)
    {
      g_autofree char *parent = copub_hal_structure_id (parents->pdata[i]);
      if (parent != NULL && strcmp (parent, id) != 0)
        add_parent (s, parent);
    }
  return s;
}

static void
ref_add_structure (GHashTable *structures, json_t *doc)
{
  CopubHalStructure *s = ref_structure (doc);
  g_autoptr(GPtrArray) aliases = NULL;

  if (s == NULL)
    return;
  /* Merged duplicates keep their docids in aliasDocid_i: map them to this record. */
  aliases = doc_strings (doc, "aliasDocid_i");
  for (guint i = 0; i < aliases->len; i++)
    {
      g_autofree char *alias = copub_hal_structure_id (aliases->pdata[i]);
      if (alias != NULL && strcmp (alias, s->id) != 0)
        copub_hal_structures_add (structures, structure_copy (s, alias));
    }
  copub_hal_structures_add (structures, s);
}

gboolean
copub_hal_parse_structures (GHashTable *structures, const char *data, gsize size,
                            const char *display_name, GError **error)
{
  g_auto(CopubHalPage) page = COPUB_HAL_PAGE_INIT;
  g_autoptr(json_t) root = NULL;
  const char *name = display_name ? display_name : "input";
  json_t *docs, *doc;
  size_t i;

  if (!json_load_answer (&root, data, size, name, error))
    return FALSE;
  docs = answer_docs (root, &page, name, error);
  if (docs == NULL)
    return FALSE;
  if (!json_is_array (docs))
    {
      ref_add_structure (structures, docs);
      return TRUE;
    }
  json_array_foreach (docs, i, doc)
    {
      if (!json_is_object (doc))
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "'%s' doc %zu: expected a structure object", name, i + 1);
          return FALSE;
        }
      ref_add_structure (structures, doc);
    }
  return TRUE;
}

gboolean
copub_hal_json_sniff (const char *data, gsize size)
{
  static const char *const markers[] = { "\"halId_s\"", "\"docid\"", "\"docType_s\"",
                                          "\"responseHeader\"" };
  gsize len = MIN (size, 65536);

  for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
    if (g_strstr_len (data, len, markers[i]) != NULL)
      return TRUE;
  return FALSE;
}
