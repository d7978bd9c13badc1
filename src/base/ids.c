/* copub: identifier forms shared by the sources and the indicators. */
#include <string.h>

#include "base/ids.h"

gboolean
copub_is_ror_id (const char *id)
{
  if (strlen (id) != 9 || id[0] != '0')
    return FALSE;
  for (const char *c = id; *c; c++)
    if (!g_ascii_isdigit (*c) && !g_ascii_islower (*c))
      return FALSE;
  return TRUE;
}

gboolean
copub_is_digits (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}
