/* copub: skimming JSON. Finds where a JSON value ends and checks its syntax without
 * building anything or calling back per token. The OpenAlex parser uses it to pass
 * over the members of a work it does not read (abstract, references, locations: most
 * of a full record's bytes) before yajl parses the rest.
 *
 * The syntax is RFC 8259's, with the two liberties yajl takes so that a record is
 * accepted or refused alike whichever part of it holds the fault: vertical tab and
 * form feed count as blanks. Strings must be valid UTF-8 (GLib's check, which also
 * refuses the overlong forms and surrogates yajl lets through). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The deepest nesting copub_json_skip_value accepts, whatever it is asked. */
#define COPUB_JSON_SKIM_MAX_DEPTH 256

/* The offset of the first byte at or after @pos that is not a blank. */
gsize copub_json_skip_blanks (const char *text, gsize len, gsize pos);

/* Skims the string that starts at @text[*pos] (a '"'), leaving *pos just past its
 * closing quote. FALSE with COPUB_ERROR_PARSE, naming the byte offset, when it is not
 * a well-formed string; *has_escapes (may be NULL) tells whether it holds a '\'. */
gboolean copub_json_skip_string (const char *text, gsize len, gsize *pos,
                                 gboolean *has_escapes, GError **error);

/* Skims the value that starts at @text[*pos] (blanks first are skipped), leaving *pos
 * just past it. Containers nested deeper than @max_depth (at most
 * COPUB_JSON_SKIM_MAX_DEPTH) are refused. FALSE with
 * COPUB_ERROR_PARSE, naming the byte offset and what was expected, when the value is
 * not well-formed JSON or is cut short. */
gboolean copub_json_skip_value (const char *text, gsize len, gsize *pos, int max_depth,
                                GError **error);

G_END_DECLS
