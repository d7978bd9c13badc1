/* copub: the institution's own vocabularies: the theme map that folds OpenAlex fields
 * and domains and HAL domains into the institution's themes, and the list of
 * strategic partner institutions. Both are small tab-separated files. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ---- themes ------------------------------------------------------------------------ */

typedef struct CopubThemeMap CopubThemeMap;

/* Loads a theme map: one mapping a line, "KIND<TAB>ID<TAB>THEME", where KIND is
 * openalex-field, openalex-domain or hal-domain, ID the source's id (27, 4, "phys")
 * and THEME the institution's theme; '#' starts a comment. An optional line
 * "default<TAB><TAB>THEME" names the theme of unmapped works (default "Other").
 * Errors (COPUB_ERROR_USAGE) name the file, line and what was expected. */
CopubThemeMap *copub_theme_map_load (const char *path, GError **error);
void copub_theme_map_free (CopubThemeMap *map);
/* What the file says, as 16 hex digits: equal for files with the same lines, comments
 * and blanks aside. The string belongs to the map. */
const char *copub_theme_map_digest (const CopubThemeMap *map);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubThemeMap, copub_theme_map_free)

/* The theme of a work with this OpenAlex field/domain (either may be NULL) or HAL
 * domain: the first mapping found in the order field, domain, HAL domain; else the
 * default theme. The string belongs to the map. */
const char *copub_theme_map_lookup (const CopubThemeMap *map, const char *field_id,
                                    const char *domain_id, const char *hal_domain);

/* ---- strategic partners --------------------------------------------------------------- */

typedef struct CopubPartners CopubPartners;

/* Loads a partner file: "ID<TAB>NAME" a line, '#' comments. ID is a ROR id
 * ("0168r3w48", "https://ror.org/0168r3w48", "ror:0168r3w48"), an OpenAlex institution
 * id ("I36258959" or its URL), a HAL structure ("struct-1039", "hal:1039"), or, for an
 * institution whose id is not known, "name:" and its name as the sources spell it
 * ("name:Université Internationale de Rabat"), compared folded (case, accents and
 * punctuation aside) with the names of the institutions the works cite. Lines with the
 * same NAME are one partner with several ids or names. */
CopubPartners *copub_partners_load (const char *path, GError **error);
void copub_partners_free (CopubPartners *partners);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubPartners, copub_partners_free)

guint copub_partners_count (const CopubPartners *partners);
/* As copub_theme_map_digest(), for the partner file. */
const char *copub_partners_digest (const CopubPartners *partners);
/* The partners' names, in file order. */
const char *copub_partners_name (const CopubPartners *partners, guint index);

/* Whether some lines of the file give names rather than ids. */
gboolean copub_partners_has_names (const CopubPartners *partners);

/* Tells @partners of an institution the works cite: when @name is one of the file's
 * "name:" lines, its @id and @ror (either may be NULL) count for that partner from then
 * on, unless the file gives them to a partner of its own. */
void copub_partners_learn (CopubPartners *partners, const char *id, const char *ror,
                           const char *name);

/* Appends to @out (guint indexes) the partners found among @institutions (a work's
 * ids, lineage ids and RORs, NULL-terminated), each once. */
void copub_partners_match (const CopubPartners *partners, const char *const *institutions,
                           GArray *out);

/* Calls @func with each id of the file (and learned from "name:" lines) and its partner's
 * index, in no particular order. */
typedef void (*CopubPartnerIdFunc) (const char *id, guint index, gpointer user_data);
void copub_partners_foreach_id (const CopubPartners *partners, CopubPartnerIdFunc func,
                                gpointer user_data);

/* The id in canonical form ("0168r3w48", "I36258959", "struct-1039"); NULL when @id
 * is none of the accepted forms. Free with g_free. */
char *copub_partner_id_normalise (const char *id);

G_END_DECLS
