/* copub: the OpenAlex record parser. A streaming (yajl event) parser that takes the
 * fields copub uses from OpenAlex works and skips the rest without building it. */
#pragma once

#include <glib.h>

#include "copub/work.h"

G_BEGIN_DECLS

/* The top-level fields of a work that copub reads or may read: those it asks the API
 * for (select=) and keeps in the raw record. The rest (abstract, references,
 * locations...) makes up most of a full record's bytes and is skipped unbuilt.
 * NULL-terminated, static. */
extern const char *const copub_openalex_kept_fields[];

/* Parses one work: a JSON object such as one line of a JSON Lines file or a whole
 * single-work answer. The returned work's @raw is the record restricted to the kept
 * fields, as compact JSON. Returns NULL with COPUB_ERROR_PARSE when @json is not a
 * JSON object, is not valid UTF-8, or lacks a string "id". Free with copub_work_free. */
CopubWork *copub_openalex_parse_work (const char *json, gsize length, GError **error);

typedef struct CopubOpenalexStream CopubOpenalexStream;

/* A push parser over a JSON document that is either a /works list page
 * ({"meta":…,"results":[…]}), a single work, or a JSON array of works. Each work is
 * passed to @func (which takes ownership) as soon as it is complete. */
CopubOpenalexStream *copub_openalex_stream_new (CopubWorkFunc func, gpointer user_data);
void copub_openalex_stream_free (CopubOpenalexStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubOpenalexStream, copub_openalex_stream_free)

/* Feeds the next bytes. Errors (COPUB_ERROR_PARSE) name the line and, inside
 * "results", the record's index; errors from @func are passed through. */
gboolean copub_openalex_stream_feed (CopubOpenalexStream *stream, const char *data,
                                     gsize length, GError **error);
/* Ends the document: fails when it is incomplete (a truncated download). */
gboolean copub_openalex_stream_finish (CopubOpenalexStream *stream, GError **error);

/* Called for a record that is well-formed JSON but not a usable work (no id, a
 * field of the wrong type...); @index is the record's 1-based index in the document.
 * Return TRUE to go on without it, FALSE (with @error) to stop. Without such a
 * function, a bad record stops the parser with its problem as the error. */
typedef gboolean (*CopubBadRecordFunc) (guint64 index, const GError *problem,
                                        gpointer user_data, GError **error);
void copub_openalex_stream_set_bad_record_func (CopubOpenalexStream *stream,
                                                CopubBadRecordFunc func);

/* Works delivered so far. */
guint64 copub_openalex_stream_n_works (const CopubOpenalexStream *stream);
/* The page's meta.count (-1 when absent) and meta.next_cursor (NULL when null or
 * absent; owned by the stream). Valid after finish. */
gint64 copub_openalex_stream_meta_count (const CopubOpenalexStream *stream);
const char *copub_openalex_stream_next_cursor (const CopubOpenalexStream *stream);
/* TRUE when the document was a list page (had "meta" or "results"). */
gboolean copub_openalex_stream_is_page (const CopubOpenalexStream *stream);

G_END_DECLS
