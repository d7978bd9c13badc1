/* copub: reading organisation registries. A ROR v2 data dump as ROR distributes it (one JSON
 * array, plain, gzipped, or inside ROR's release .zip), or copub's own compact table of it
 * (data/ror-registry.tsv, made by scripts/make-ror-table), read into records. */
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
  const char *value; /* owned by the CopubRegistry */
  char lang[4];      /* ISO 639-1 code, or "" */
  guint8 types;      /* COPUB_ROR_NAME_* */
} CopubRorName;

/* One record; its strings and arrays belong to the CopubRegistry that holds it. */
typedef struct {
  const char *id;            /* short ROR id ("013meh722") */
  CopubRorStatus status;
  char country[3];           /* ISO 3166-1 alpha-2 of its first location */
  const char *city;          /* GeoNames name of its first location, or NULL */
  const char *types;         /* ROR organisation types, comma-separated ("education,funder") */
  const char *successor;     /* short id of its successor, or NULL */
  const char *const *parents; /* short ids of its parents */
  guint n_parents;
  const CopubRorName *names;
  guint n_names;
} CopubRorRecord;

/* The records of one file. Their strings point into one copy of the table's text, or into
 * a string chunk for a dump, and their names and parents into two arrays for all: reading
 * fifty thousand records costs a few allocations, not half a million. */
typedef struct {
  GArray *records;       /* of CopubRorRecord, in the order of the file */
  /* private */
  GArray *names;         /* of CopubRorName: every record's, in the order of the records */
  GPtrArray *parents;    /* of const char *: likewise */
  GStringChunk *strings; /* a dump's strings */
  char *text;            /* a table's text, cut in place */
} CopubRegistry;

void copub_registry_free (CopubRegistry *registry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubRegistry, copub_registry_free)

/* Reads every record of @path: a ROR v2 dump (`.json`, `.json.gz`, or a `.zip` holding one),
 * or a copub registry table (`.tsv`, `.tsv.gz`). A dump is read as a stream, one record of
 * its JSON in memory at a time; a table's text is read whole and cut in place. Returns the
 * records (withdrawn and inactive records included: the caller decides), or NULL with @error
 * set: COPUB_ERROR_IO when the file cannot be read, COPUB_ERROR_PARSE when it is not a
 * registry (truncated, malformed, another schema, a record without an id, names or country),
 * naming the file and the record. Free with copub_registry_free(). */
CopubRegistry *copub_registry_read (const char *path, GError **error);

G_END_DECLS
