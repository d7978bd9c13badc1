/* copub: what the store offers the other modules of the library only. */
#pragma once

#include <glib.h>

#include "copub/store.h"

G_BEGIN_DECLS

/* The records that other sources hold too (same DOI; else same title and year when
 * one has no DOI): a table "source\x1fid" -> the id of its group, and in *@out_sizes
 * group id -> its number of records. Records of a group are one work. Free both with
 * g_hash_table_unref. */
GHashTable *copub_store_linked_records (CopubStore *store, GHashTable **out_sizes,
                                        GError **error);

G_END_DECLS
