/* copub: HAL. Parses HAL /search and /ref/structure JSON answers into works and
 * structures, and holds the HAL vocabulary the TEI parser shares: joined `_fs`
 * fields, structures and their countries, document types, level-0 domains. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "copub/hal-rules.h"
#include "copub/work.h"

G_BEGIN_DECLS

/* The literal separators of HAL's joined `_fs` fields. */
#define COPUB_HAL_JOIN_SEP "_JoinSep_"
#define COPUB_HAL_FACET_SEP "_FacetSep_"

/* ---- Structures (AuréHAL) ---------------------------------------------------------- */

/* A HAL structure as a TEI <org>, the JSON struct* fields or /ref/structure describe it. */
typedef struct {
  char *id;           /* "struct-413289" */
  char *name;         /* or NULL */
  char *acronym;      /* or NULL */
  char *type;         /* laboratory, institution, researchteam, department,
                       * regroupinstitution, regrouplaboratory; or NULL */
  char *status;       /* VALID, OLD, INCOMING; or NULL */
  char *country;      /* ISO 3166-1 alpha-2, upper case; NULL when HAL gives none */
  char *ror;          /* short ROR id, or NULL */
  GPtrArray *parents; /* of char*: ids of the direct parents, owned */
} CopubHalStructure;

/* A new structure with id @id (copied) and nothing else. Free with copub_hal_structure_free. */
CopubHalStructure *copub_hal_structure_new (const char *id);
/* NULL-safe. */
void copub_hal_structure_free (CopubHalStructure *structure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubHalStructure, copub_hal_structure_free)

/* A table of structures: char* id -> CopubHalStructure*, owning keys and values. Insert
 * with copub_hal_structures_add. Free with g_hash_table_unref. */
GHashTable *copub_hal_structures_new (void);
/* Adds @structure (ownership taken) to @structures, replacing any with the same id. */
void copub_hal_structures_add (GHashTable *structures, CopubHalStructure *structure);

/* "struct-N" for a HAL structure docid given as "N", "struct-N" or "#struct-N"; NULL when
 * @ref is none of these. Free with g_free. */
char *copub_hal_structure_id (const char *ref);

/* An ISO alpha-2 code upper-cased ("fr" -> "FR"); NULL unless @code is two ASCII
 * letters. Free with g_free. */
char *copub_hal_country_normalise (const char *code);

/* The country of structure @id: its own; for a research team or a department without
 * one, the country that all its direct parents with a country agree on (recursively, a
 * few levels up); NULL otherwise (unknown). The string belongs to @structures. */
const char *copub_hal_structures_country (GHashTable *structures, const char *id);

/* Adds the direct structure @id to @auth: a CopubInstitution (id, name, type, country,
 * ror from @structures; @name when the table lacks one) and, when known, its country
 * to @auth->countries. A structure already in @auth is not added twice. */
void copub_hal_authorship_add_structure (CopubAuthorship *auth, GHashTable *structures,
                                         const char *id, const char *name);

/* The ids ("struct-N") of @work's direct structures whose country is unknown, distinct,
 * in order of appearance: what to look up in /ref/structure. Owned char* array. */
GPtrArray *copub_hal_unresolved_structures (const CopubWork *work);

/* The ids ("struct-N") of all @work's direct structures, distinct, in order of
 * appearance: what the harvest resolves through /ref/structure. Owned char* array. */
GPtrArray *copub_hal_direct_structures (const CopubWork *work);

/* Sets the countries (and missing names, types, RORs) of @work's institutions from
 * @structures, e.g. parsed from /ref/structure with copub_hal_parse_structures: the
 * referential's country wins over the one the record's structure fields gave; a
 * structure the referential does not know keeps the record's. The authorships'
 * countries are then those of their structures. Returns how many institutions went
 * from an unknown country to a known one. */
guint copub_hal_apply_structures (CopubWork *work, GHashTable *structures);

/* ---- Vocabulary -------------------------------------------------------------------- */

/* Splits a joined "<author key>_FacetSep_<author name>_JoinSep_<struct docid>_FacetSep_
 * <struct name>" value (authIdHasPrimaryStructure_fs, authIdHasStructure_fs) on the full
 * tokens. Names may hold commas and underscores. FALSE when @value lacks a part or the
 * docid is not a number. Outputs (any may be NULL) are newly allocated; @out_struct_id
 * is "struct-N". */
gboolean copub_hal_split_author_structure (const char *value, char **out_author_key,
                                           char **out_author_name, char **out_struct_id,
                                           char **out_struct_name);

/* The common type of a HAL document type code (docType_s, TEI halTypology) and optional
 * sub-type (docSubType_s): "article", "review", "conference-paper", "book-chapter",
 * "book", "dissertation", "preprint", "report", "reference-entry" or "other". NULL for
 * a NULL or empty @doc_type. Static string. */
const char *copub_hal_map_type (const char *doc_type, const char *sub_type);

/* The level-0 domain of a HAL domain code: "phys" for "phys", "phys.hist", "0.phys" or
 * "1.phys.hist"; NULL when @code holds no letter code. Free with g_free. */
char *copub_hal_domain_level0 (const char *code);

/* The English label of a level-0 domain ("phys" -> "Physics"); NULL for an unknown code.
 * Static string. */
const char *copub_hal_domain_label (const char *level0);

/* Sets @work->domain from any HAL domain code (see copub_hal_domain_level0): id = the
 * level-0 code, name = its English label (the code itself when unknown). Does nothing
 * when @work->domain.id is already set or @code has no level-0 code. */
void copub_hal_work_set_domain (CopubWork *work, const char *code);

/* The year of a HAL date ("2014", "2014-06-30", "2020-03-04 15:38:30"); 0 when @date
 * does not start with a plausible year (1000-2999). */
int copub_hal_year_from_date (const char *date);

/* Sets the authorships' author_position ("first", "middle", "last") from their order. */
void copub_hal_set_author_positions (CopubWork *work);

/* TRUE for the author roles copub counts as authorships: "aut" (author), "crp"
 * (corresponding author), and a missing role. */
gboolean copub_hal_role_is_author (const char *role);

/* ---- JSON -------------------------------------------------------------------------- */

/* What a /search answer says besides its documents. */
typedef struct {
  gint64 num_found;       /* response.numFound; -1 when absent (bare array or doc) */
  char *next_cursor_mark; /* nextCursorMark, or NULL */
  guint n_works;          /* works handed to the callback */
  guint n_old_versions;   /* docs left out as older versions (status_i 111) */
  guint n_annexes;        /* docs left out as annexes (submitType_s annex) */
} CopubHalPage;

#define COPUB_HAL_PAGE_INIT { -1, NULL, 0, 0, 0 }
void copub_hal_page_clear (CopubHalPage *page);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CopubHalPage, copub_hal_page_clear)

/* Parses a HAL /search JSON answer ({"response":{"docs":[...]}}), a bare array of docs or
 * a single doc, and hands each work to @func (which takes ownership). Every doc is
 * converted before the first call, so a malformed answer emits nothing. Docs that
 * @rules (NULL: COPUB_HAL_RULES_INIT) leaves out are counted in @out, not emitted: an
 * older version (status_i 111), an annex (submitType_s "annex") unless kept; docs
 * without these fields are kept. @display_name
 * names the input in errors ("'page.json' line 3 column 5: ..."). @out (may be NULL) gets
 * the paging fields; clear it with copub_hal_page_clear. COPUB_ERROR_PARSE for malformed
 * data, COPUB_ERROR_NETWORK for a Solr error answer, or the callback's error. */
gboolean copub_hal_parse_json (CopubHalPage *out, const char *data, gsize size,
                               const char *display_name, const CopubHalRules *rules,
                               CopubWorkFunc func, gpointer user_data, GError **error);

/* One /search doc as a work: id = halId_s, type, year (by @rules' date, else the other
 * dates; NULL: COPUB_HAL_RULES_INIT), domain, title, DOI, authorships
 * with their direct structures (authIdHasPrimaryStructure_fs; authIdHasStructure_fs
 * without ancestors when absent) and their countries from the struct* fields when those
 * line up; raw = the doc re-serialised. NULL with COPUB_ERROR_PARSE when @doc is not an
 * object or has no halId_s (nor uri_s). Free with copub_work_free. */
CopubWork *copub_hal_parse_doc (json_t *doc, const CopubHalRules *rules, GError **error);

/* Parses a /ref/structure JSON answer (docid, name_s or label_s, acronym_s, type_s,
 * country_s, valid_s, parentDocid_i, ror_s, aliasDocid_i) into @structures (alias ids
 * get a copy). COPUB_ERROR_PARSE for malformed data. */
gboolean copub_hal_parse_structures (GHashTable *structures, const char *data, gsize size,
                                     const char *display_name, GError **error);

/* TRUE when @data (the first bytes of a file will do) looks like a HAL JSON answer rather
 * than an OpenAlex one: it names HAL fields (halId_s, docid, docType_s). */
gboolean copub_hal_json_sniff (const char *data, gsize size);

G_END_DECLS
