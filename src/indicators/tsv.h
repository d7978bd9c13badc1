/* copub: the small tab-separated files of the institution's vocabularies (theme map,
 * partner file, country and institution groups), read one way. Private. */
#pragma once

#include <glib.h>

/* One line's fields, blanks around them stripped. */
typedef gboolean (*CopubTsvLineFunc) (char **fields, guint n_fields, gpointer data,
                                      GError **error);

/* Calls @func for each line of @path that is not blank nor a '#' comment, split on tabs;
 * @func's error gets the prefix "'PATH' line N: ". An unreadable file or one that is not
 * UTF-8 is COPUB_ERROR_USAGE. *out_digest (16 hex digits, free with g_free): a digest of
 * those lines, blanks around fields aside. */
gboolean copub_tsv_read (const char *path, CopubTsvLineFunc func, gpointer data,
                         char **out_digest, GError **error);
