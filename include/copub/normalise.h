/* copub: the affiliation normaliser. Turns a raw affiliation string ("Dept. of Physics, UC San
 * Diego, La Jolla, CA 92093") into the countries it names and, when it can, the research
 * organisation (ROR) it belongs to. */
#pragma once

#include <glib.h>

#include "copub/work.h"

G_BEGIN_DECLS

typedef struct {
  const char *ror_path;  /* a ROR v2 data dump to load, or NULL for none */
  const char *data_dir;  /* copub's data directory, or NULL: copub_gazetteer_data_dir (NULL) */
  gboolean no_bundled_ror; /* TRUE: load neither data_dir/ror-registry.tsv nor ror-copub.json */
  gboolean no_registry;    /* TRUE: do not load data_dir/ror-registry.tsv */
} CopubNormaliserOptions;

#define COPUB_NORMALISER_OPTIONS_INIT { NULL, NULL, FALSE, FALSE }

/* How the countries of an affiliation were found, from the most to the least reliable. */
typedef enum {
  COPUB_EVIDENCE_NONE,        /* no country found */
  COPUB_EVIDENCE_WEAK,        /* only a city inside a name ("CHU de Nantes") or hint words
                               * (language, national research bodies: "Laboratoire", "UMR") */
  COPUB_EVIDENCE_INSTITUTION, /* a known organisation's country, or an e-mail domain */
  COPUB_EVIDENCE_PLACE,       /* a country, region, city or postcode of the address */
} CopubEvidence;

#define COPUB_AFFILIATION_MAX_COUNTRIES 16

/* The result of resolving one string. Stack struct: copub_affiliation_init() first,
 * copub_affiliation_clear() when done. The institution strings belong to the normaliser
 * and live as long as it does. */
typedef struct {
  char countries[COPUB_AFFILIATION_MAX_COUNTRIES][3]; /* ISO 3166-1 alpha-2, sorted, distinct */
  guint n_countries;
  CopubEvidence evidence;
  const char *institution_id;      /* short ROR id ("04vfs2w97"), or NULL */
  const char *institution_name;    /* its display name, or NULL */
  const char *institution_country; /* its ISO country code, or NULL when unknown */
} CopubAffiliation;

void copub_affiliation_init (CopubAffiliation *affiliation);
void copub_affiliation_clear (CopubAffiliation *affiliation);

/* The countries as one comma-separated string ("DE,FR"; "" when none). Free with g_free. */
char *copub_affiliation_countries (const CopubAffiliation *affiliation);

/* TRUE if @code is one of the affiliation's countries. */
gboolean copub_affiliation_has_country (const CopubAffiliation *affiliation, const char *code);

typedef struct _CopubNormaliser CopubNormaliser;

/* Loads the place data (see copub_gazetteer_new()), the registry table copub ships
 * (data/ror-registry.tsv), the bundled ROR file and @options->ror_path (a ROR v2 dump as
 * .json, .json.gz or release .zip, or a registry table). @options may be NULL for the defaults. Returns NULL with @error set
 * when data is missing or malformed. The normaliser is read-only once built: any number of
 * threads may call copub_normaliser_resolve() at once. Free with copub_normaliser_free(). */
CopubNormaliser *copub_normaliser_new (const CopubNormaliserOptions *options, GError **error);
void copub_normaliser_free (CopubNormaliser *normaliser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubNormaliser, copub_normaliser_free)

/* Resolves @raw (@len bytes, or -1 when NUL-terminated; NULL counts as empty) into @out,
 * which is cleared first. Any bytes are accepted: invalid UTF-8 is replaced, strings longer
 * than COPUB_NORMALISE_MAX_BYTES are cut there. Returns TRUE when at least one country was
 * found. Never fails otherwise. Thread-safe. */
gboolean copub_normaliser_resolve (const CopubNormaliser *normaliser, const char *raw,
                                   gssize len, CopubAffiliation *out);

#define COPUB_NORMALISE_MAX_BYTES 8192

/* Fills in the authorships of @work that reach copub without a country: for each, the
 * countries found in its raw affiliation strings (or, without any, in its institutions'
 * names) go to its `inferred` list. Returns how many authorships got a country.
 * Thread-safe like copub_normaliser_resolve. */
guint copub_normaliser_fill_work (const CopubNormaliser *normaliser, CopubWork *work);

G_END_DECLS
