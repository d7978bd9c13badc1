/* copub: how the library's modules hand a note to the caller's callbacks. */
#pragma once

#include <stdarg.h>

#include "copub/callbacks.h"

G_BEGIN_DECLS

/* Formats a note and passes it to @callbacks->note, one note at a time whatever the
 * thread; nothing when @callbacks or its note member is NULL. */
void copub_note (const CopubCallbacks *callbacks, CopubNoteLevel level, const char *format,
                 ...) G_GNUC_PRINTF (3, 4);
void copub_notev (const CopubCallbacks *callbacks, CopubNoteLevel level, const char *format,
                  va_list args) G_GNUC_PRINTF (3, 0);

G_END_DECLS
