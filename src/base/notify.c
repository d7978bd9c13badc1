/* copub: notes to the caller's callbacks (the library never prints). */
#include "base/notify.h"

void
copub_notev (const CopubCallbacks *callbacks, CopubNoteLevel level, const char *format,
             va_list args)
{
  /* The harvest's jobs note from their threads: one note at a time (recursive, should a
   * callback call the library). */
  static GRecMutex lock;
  g_autofree char *message = NULL;

  if (callbacks == NULL || callbacks->note == NULL)
    return;
  message = g_strdup_vprintf (format, args);
  g_rec_mutex_lock (&lock);
  callbacks->note (level, message, callbacks->user_data);
  g_rec_mutex_unlock (&lock);
}

void
copub_note (const CopubCallbacks *callbacks, CopubNoteLevel level, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  copub_notev (callbacks, level, format, args);
  va_end (args);
}
