/* copub: identifier forms shared by the sources and the indicators. */
#include <stdlib.h>
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

gboolean
copub_is_openalex_institution_id (const char *id)
{
  return id != NULL && id[0] == 'I' && copub_is_digits (id + 1);
}

gboolean
copub_is_date (const char *s)
{
  if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  return g_date_valid_dmy ((GDateDay) atoi (s + 8), (GDateMonth) atoi (s + 5),
                           (GDateYear) atoi (s));
}
