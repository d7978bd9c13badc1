/* copub: which HAL records are works and which year they belong to, the one rule that
 * the HAL harvest (its year slices and filters) and the import of HAL files (JSON, TEI,
 * OAI-PMH) share, so that both give the corpus HAL itself counts.
 *
 * HAL's own statistics (and VizuHAL) count documents by their production date
 * (producedDateY_i) and leave out two kinds of index records:
 * - older versions: every version of a deposit is a record of its own (its own docid,
 *   the same halId_s, version_i 1, 2...); the current one has status_i 11, the ones it
 *   replaced status_i 111. They are the same work: copub always leaves them out.
 * - annexes: submitType_s "annex", a deposit whose only files are annexes (no main
 *   file: "file" has one, "notice" has none). Left out by default, kept on request. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  COPUB_HAL_YEAR_PRODUCED,    /* producedDateY_i, as HAL's statistics (the default) */
  COPUB_HAL_YEAR_PUBLICATION, /* publicationDateY_i */
} CopubHalYear;

typedef struct {
  CopubHalYear year;     /* the date that gives a document its year (and slices a harvest) */
  gboolean keep_annexes; /* keep submitType_s "annex" deposits */
} CopubHalRules;

#define COPUB_HAL_RULES_INIT { COPUB_HAL_YEAR_PRODUCED, FALSE }

/* The Solr field holding the year: "producedDateY_i" or "publicationDateY_i". Static. */
const char *copub_hal_year_field (CopubHalYear year);
/* "produced" or "publication". Static. */
const char *copub_hal_year_name (CopubHalYear year);
/* Parses "produced" / "publication"; FALSE for anything else. */
gboolean copub_hal_year_from_name (const char *name, CopubHalYear *out);

/* The filters (Solr fq) that leave out what @rules leaves out, NULL-terminated, static:
 * "-status_i:111", then "-submitType_s:annex" unless annexes are kept. */
const char *const *copub_hal_rules_filters (const CopubHalRules *rules);

G_END_DECLS
