/* copub: reading organisation registries. A ROR v2 data dump as ROR distributes it (one JSON
 * array, plain, gzipped, or inside ROR's release .zip), or copub's own compact table of it
 * (data/ror-registry.tsv, made by scripts/make-ror-table), read as a stream into records. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  COPUB_ROR_ACTIVE,
  COPUB_ROR_INACTIVE,
  COPUB_ROR_WITHDRAWN,
} CopubRorStatus;

/* The kinds of a name, as ROR's `types` (a name may have several). */
enum {
  COPUB_ROR_NAME_DISPLAY = 1 << 0, /* ror_display */
  COPUB_ROR_NAME_LABEL = 1 << 1,   /* label */
  COPUB_ROR_NAME_ALIAS = 1 << 2,   /* alias */
  COPUB_ROR_NAME_ACRONYM = 1 << 3, /* acronym */
  COPUB_ROR_NAME_GENERIC = 1 << 4, /* (copub's table) every word of it is common to many
                                    * countries' organisations: it decides no country alone */
};

typedef struct {
  char *value;
  char lang[4];   /* ISO 639-1 code, or "" */
  guint8 types;   /* COPUB_ROR_NAME_* */
} CopubRorName;

typedef struct {
  char *id;            /* short ROR id ("013meh722") */
  CopubRorStatus status;
  char country[3];     /* ISO 3166-1 alpha-2 of its first location */
  char *city;          /* GeoNames name of its first location, or NULL */
  char *types;         /* ROR organisation types, comma-separated ("education,funder") */
  char *successor;     /* short id of its successor, or NULL */
  GPtrArray *parents;  /* short ids (char*) of its parents */
  GArray *names;       /* of CopubRorName */
} CopubRorRecord;

void copub_ror_record_free (CopubRorRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubRorRecord, copub_ror_record_free)

/* Reads every record of @path: a ROR v2 dump (`.json`, `.json.gz`, or a `.zip` holding one),
 * or a copub registry table (`.tsv`, `.tsv.gz`). The file is read as a stream, one record in
 * memory at a time. Returns an array of CopubRorRecord* (withdrawn and inactive records
 * included: the caller decides), or NULL with @error set: COPUB_ERROR_IO when the file cannot
 * be read, COPUB_ERROR_PARSE when it is not a registry (truncated, malformed, another schema,
 * a record without an id, names or country), naming the file and the record. */
GPtrArray *copub_registry_read (const char *path, GError **error);

G_END_DECLS
