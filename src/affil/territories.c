/* copub: the territories with an ISO 3166-1 code of their own that belong to a country:
 * the one list the normaliser and the analysis share. */
#include <string.h>

#include "copub/countries.h"

/* French overseas departments, regions and collectivities with their own ISO code. */
static const char *const french_territories[] = {
  "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF",
};

gboolean
copub_country_is_french_territory (const char *code)
{
  for (gsize i = 0; code && i < G_N_ELEMENTS (french_territories); i++)
    if (strcmp (code, french_territories[i]) == 0)
      return TRUE;
  return FALSE;
}
