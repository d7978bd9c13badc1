/* copub: HAL TEI and OAI-PMH. Streams HAL TEI exports (one document, or the search
 * export whose structures sit in one shared <back>) and OAI-PMH xml-tei pages into works,
 * with libxml2's xmlTextReader: no network, no DTD, no entity expansion. */
#pragma once

#include <glib.h>

#include "copub/hal-rules.h"
#include "copub/work.h"

G_BEGIN_DECLS

typedef enum {
  COPUB_TEI_KIND_UNKNOWN,
  COPUB_TEI_KIND_TEI, /* a <TEI> root: a per-document export or a wt=xml-tei search export */
  COPUB_TEI_KIND_OAI, /* an <OAI-PMH> root: GetRecord or ListRecords */
} CopubTeiKind;

/* What a TEI or OAI-PMH file says besides its documents. */
typedef struct {
  CopubTeiKind kind;
  guint n_works;              /* works handed to the callback */
  guint n_deleted;            /* OAI records whose header says status="deleted" */
  guint n_old_versions;       /* documents left out as older versions */
  guint n_annexes;            /* documents left out as annex deposits */
  gint64 total_results;       /* search export: measure totalSearchResults; -1 if absent */
  char *resumption_token;     /* OAI: the token of the next page; NULL when the list is
                               * complete (no token, or an empty one) */
  gint64 complete_list_size;  /* OAI: resumptionToken/@completeListSize; -1 if absent */
} CopubTeiResult;

#define COPUB_TEI_RESULT_INIT { COPUB_TEI_KIND_UNKNOWN, 0, 0, 0, 0, -1, NULL, -1 }
void copub_tei_result_clear (CopubTeiResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CopubTeiResult, copub_tei_result_clear)

/* Parses the TEI or OAI-PMH file @path and hands each <biblFull> as a work to @func
 * (which takes ownership). Two streaming passes: the first checks the whole file and
 * collects the structures (<org> of every <back>), the second emits the works; so a
 * malformed file emits nothing, and memory holds the structures and one document.
 * A document type declaring entities (billion laughs, external entities) is refused.
 * Works: id = halId, type, year, domain, title, DOI, authorships with their direct
 * structures (<affiliation ref>, not <orgName>) and countries; raw = a standalone TEI
 * holding the <biblFull> and the <org>s it refers to (this parser reads it back).
 * Documents that @rules (NULL: COPUB_HAL_RULES_INIT) leaves out are counted in @out, not
 * emitted: an older version (a later <edition n="vN"> than the current one), an annex
 * deposit (files but no main file) unless annexes are kept. The year follows @rules.
 * @display_name (default @path) names the file in errors: "'x.xml' line 12: ...".
 * @out (may be NULL) gets the kind, counts and OAI resumption token; clear it with
 * copub_tei_result_clear. Errors: COPUB_ERROR_IO (unreadable file), COPUB_ERROR_PARSE
 * (malformed XML, refused DTD, not TEI/OAI, a <biblFull> without halId), COPUB_ERROR_NETWORK
 * (an OAI-PMH <error> other than noRecordsMatch), or the callback's error. */
gboolean copub_tei_parse_file (CopubTeiResult *out, const char *path,
                               const char *display_name, const CopubHalRules *rules,
                               CopubWorkFunc func, gpointer user_data, GError **error);

/* As copub_tei_parse_file, on @size bytes at @data (a fetched page, a fuzz input). */
gboolean copub_tei_parse_bytes (CopubTeiResult *out, const char *data, gsize size,
                                const char *display_name, const CopubHalRules *rules,
                                CopubWorkFunc func, gpointer user_data, GError **error);

/* TRUE when @data (the first bytes of a file will do) looks like XML: after an optional
 * byte order mark and white space, a '<'. */
gboolean copub_tei_sniff (const char *data, gsize size);

G_END_DECLS
