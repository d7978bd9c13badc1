/* copub: partner institutions. The registry's tree of organisations (ROR's parent and
 * successor relationships, from copub's registry table or a ROR dump) rolls a cited
 * institution up to its top-level parents, names them in English and French and gives
 * their country; copub_institution_tree_partners() turns a work's institution list into
 * its partner institutions, the home institution's own excluded. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct CopubInstitutionTree CopubInstitutionTree;

/* The short form of a ROR or OpenAlex institution id ("https://ror.org/04vfs2w97",
 * "ror:04vfs2w97", "https://openalex.org/I90183372"), newly allocated; NULL when @value
 * is neither. */
char *copub_institution_short_id (const char *value);
/* TRUE when @id is a short ROR id ("04vfs2w97"). */
gboolean copub_institution_is_ror (const char *id);

/* An empty tree (fill it with copub_institution_tree_add()). */
CopubInstitutionTree *copub_institution_tree_new (void);
void copub_institution_tree_free (CopubInstitutionTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubInstitutionTree, copub_institution_tree_free)

/* Adds the organisation @ror (short ROR id, copied, like every string here): its ISO
 * alpha-2 @country (or NULL), its ROR @types ("education,funder", or NULL), its @parents
 * (NULL-terminated short ids, or NULL), its
 * @successor (or NULL: withdrawn and inactive records that name one are followed to it),
 * its names in English and French (or NULL). A second record of one id replaces the
 * first. */
void copub_institution_tree_add (CopubInstitutionTree *tree, const char *ror,
                                 const char *country, const char *types,
                                 const char *const *parents,
                                 const char *successor, const char *name_en,
                                 const char *name_fr);

/* The tree of the registry @path (copub's table or a ROR v2 dump, see
 * copub_registry_read()), or of copub's own data/ror-registry.tsv when @path is NULL.
 * NULL with COPUB_ERROR_IO or COPUB_ERROR_PARSE naming the file (and the record). */
CopubInstitutionTree *copub_institution_tree_load (const char *path, GError **error);

/* Appends to @out (a GPtrArray of interned strings, kept distinct) the top-level
 * organisations @ror rolls up to: its successor's, else itself when it has no known
 * parent, else those of each parent (a unit of two institutions has two). Parents typed
 * "government" alone are not climbed into: below one, an organisation is its own top
 * level. An id the tree does not hold is its own top level. */
void copub_institution_tree_tops (const CopubInstitutionTree *tree, const char *ror,
                                  GPtrArray *out);

/* The partner institutions of a work: the top levels of the ROR ids among @institutions
 * (a work summary's list: ids, lineage ids and RORs; NULL-terminated), without those of
 * @home (a short ROR id; NULL: none excluded) nor the home's units by OpenAlex's lineage:
 * the ROR ids of @unit_lineages (the summary's "ROR>ID" pairs, or NULL) paired with
 * @home_openalex (the home's OpenAlex id, or NULL), successors followed. The other top
 * levels of a home unit (a joint unit's other parent) stay partners. Into @out,
 * interned, sorted, distinct. */
void copub_institution_tree_partners (const CopubInstitutionTree *tree,
                                      const char *const *institutions,
                                      const char *const *unit_lineages, const char *home,
                                      const char *home_openalex, GPtrArray *out);

/* The registry's name of @ror in @lang ("fr": its French label when it has one), its
 * English name otherwise; NULL when the tree does not hold it. Owned by the tree. */
const char *copub_institution_tree_name (const CopubInstitutionTree *tree, const char *ror,
                                         const char *lang);
/* The registry's country of @ror, or NULL. Owned by the tree. */
const char *copub_institution_tree_country (const CopubInstitutionTree *tree,
                                            const char *ror);
/* A digest of the relationships the roll-up follows (partial aggregates of trees that
 * differ do not add up). Owned by the tree. */
const char *copub_institution_tree_digest (const CopubInstitutionTree *tree);

G_END_DECLS
