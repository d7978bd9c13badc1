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
