/* copub: a downloaded OpenAlex snapshot, in the layout of 2026 (doc/scaling.md):
 *
 *   ROOT/data/jsonl/manifest.json                     every entity's parts, combined
 *   ROOT/data/jsonl/works/manifest.json               the works' parts
 *   ROOT/data/jsonl/works/updated_date=D/part_NNNN.gz gzip JSON Lines
 *   ROOT/data/jsonl/works/deleted_ids.csv[.gz]        work_id,deleted_date
 *   ROOT/legacy-data/merged_ids/works/D.csv.gz        merge_date,id,merge_into_id
 *
 * (the Parquet copy under data/parquet/ and the pre-2026 layout under legacy-data/ are
 * not read; a pre-2026 copy, ROOT/data/works/manifest, is). The manifest lists the parts
 * with their record counts: the parts read are those it lists, each checked against it.
 * Works merged into others or deleted are "dead": left out of the tables and the store. */
#pragma once

#include <glib.h>

#include "copub/import.h"
#include "copub/store.h"

G_BEGIN_DECLS

typedef struct {
  char *path;           /* the local file */
  char *updated_date;   /* "YYYY-MM-DD", the partition's */
  guint64 record_count; /* as the manifest says */
  gint64 content_length; /* bytes, as the manifest says; -1 when it does not */
} CopubSnapshotPart;

typedef struct CopubSnapshot CopubSnapshot;

/* Reads the manifest of the snapshot whose root (the folder holding data/) is @root, and
 * its lists of merged and deleted works. COPUB_ERROR_IO when there is no manifest or a
 * list cannot be read, COPUB_ERROR_PARSE (naming the file, and the line) when one is
 * malformed. Free with copub_snapshot_free. */
CopubSnapshot *copub_snapshot_open (const char *root, GError **error);
void copub_snapshot_free (CopubSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubSnapshot, copub_snapshot_free)

/* The manifest's path, and its date ("YYYY-MM-DD", or NULL when it has none). */
const char *copub_snapshot_manifest (const CopubSnapshot *snapshot);
const char *copub_snapshot_date (const CopubSnapshot *snapshot);

/* The works' parts in partitions newer than @since ("YYYY-MM-DD"; NULL: all), by
 * partition then name. The array and its parts belong to the snapshot. Free the array
 * with g_ptr_array_unref. */
GPtrArray *copub_snapshot_parts (const CopubSnapshot *snapshot, const char *since);

/* The number of dead works listed (merged into others, deleted), and whether the work
 * @id ("W123", or its URL) is one. */
guint copub_snapshot_n_dead (const CopubSnapshot *snapshot);
gboolean copub_snapshot_is_dead (const char *id, gpointer snapshot);

/* Before reading @part: COPUB_ERROR_IO when it is missing, COPUB_ERROR_PARSE when its
 * size is not the manifest's (a truncated or unfinished download). */
gboolean copub_snapshot_check_size (const CopubSnapshotPart *part, GError **error);
/* After reading it: COPUB_ERROR_PARSE when @found records are not the manifest's. */
gboolean copub_snapshot_check_records (const CopubSnapshotPart *part, guint64 found,
                                       GError **error);

/* The store's metadata key holding the newest partition imported. */
#define COPUB_SNAPSHOT_SYNC_KEY "openalex_snapshot_updated_date"

typedef struct {
  char *since;        /* the partitions read were newer than this (NULL: all) */
  char *synced;       /* the newest partition imported now (the store's new sync date) */
  guint parts;        /* parts read */
  guint64 removed;    /* dead works removed from the store */
} CopubSnapshotImportStats;

void copub_snapshot_import_stats_clear (CopubSnapshotImportStats *stats);

/* Imports into @store, in one transaction, the parts in partitions newer than the
 * store's last sync (COPUB_SNAPSHOT_SYNC_KEY), checking each against the manifest,
 * leaves the dead works out and removes those the store held, and records the newest
 * partition read as the sync date. On any error nothing is committed. @options'
 * leave_out is set here. */
gboolean copub_snapshot_import (CopubSnapshot *snapshot, CopubStore *store,
                                const CopubImportOptions *options, CopubImportStats *stats,
                                CopubSnapshotImportStats *out, GError **error);

G_END_DECLS
