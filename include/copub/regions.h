/* copub: country groups and institution groups for the region dimension: copub's
 * built-in groups (data/regions.tsv: EU-27, the UN M49 continents, the UN's least
 * developed countries) and the institution's own from a groups file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct CopubRegions CopubRegions;

/* The built-in groups, from regions.tsv in @data_dir (NULL: copub's data directory),
 * then, when @path is not NULL, the groups of the file @path: "MEMBER<TAB>GROUP" a line,
 * '#' comments, as the partner file. MEMBER is an ISO 3166-1 alpha-2 country code
 * ("DE") or an institution id in one of the partner file's forms (ROR, OpenAlex
 * institution, HAL structure); a group holds countries or institutions, not both; its
 * lines may be anywhere in the file. A group may not take a built-in group's name.
 * An unreadable file is COPUB_ERROR_USAGE; a bad line COPUB_ERROR_PARSE naming the file,
 * the line and what was expected. */
CopubRegions *copub_regions_load (const char *data_dir, const char *path, GError **error);
void copub_regions_free (CopubRegions *regions);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubRegions, copub_regions_free)

/* The groups: the built-in ones first, in regions.tsv's order, then the file's. */
guint copub_regions_count (const CopubRegions *regions);
/* The name of group @index (the file's spelling; built-in names are English: words.c
 * translates them). Belongs to @regions. */
const char *copub_regions_name (const CopubRegions *regions, guint index);
/* The index of the group called @name, or -1. */
int copub_regions_index (const CopubRegions *regions, const char *name);
/* Whether group @index is built in; whether it is a group of institutions. */
gboolean copub_regions_builtin (const CopubRegions *regions, guint index);
gboolean copub_regions_of_institutions (const CopubRegions *regions, guint index);
/* Whether the country @code is in group @index. */
gboolean copub_regions_has_country (const CopubRegions *regions, guint index,
                                    const char *code);
/* 16 hex digits saying what the groups are (built-in and file lines). Belongs to @regions. */
const char *copub_regions_digest (const CopubRegions *regions);

/* Appends to @out (guint indexes, ascending, each once) the groups a work is co-authored
 * with: a country group holding one of @countries (the work's foreign countries: the
 * caller leaves the home country out), an institution group holding one of
 * @institutions (the work's canonical ids, NULL-terminated; may be NULL). */
void copub_regions_match (const CopubRegions *regions, const char *const *countries,
                          guint n_countries, const char *const *institutions, GArray *out);

G_END_DECLS
