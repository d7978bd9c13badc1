/* Fuzz target: HAL /search and /ref/structure JSON answers (src/sources/hal.c). Every work the
 * parser emits must carry an id and a raw doc that parses again to the same id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/hal.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
check_work (CopubWork *work, gpointer user_data, GError **error)
{
  g_autoptr(CopubWork) owned = work;
  g_autoptr(CopubWork) again = NULL;
  g_autoptr(GPtrArray) unresolved = copub_hal_unresolved_structures (work);
  json_error_t jerror;
  json_t *doc;
  gsize size;
  const char *raw;

  (void) user_data;
  (void) error;
  if (work->id == NULL || work->raw == NULL)
    abort ();
  raw = g_bytes_get_data (work->raw, &size);
  doc = json_loadb (raw, size, 0, &jerror);
  if (doc == NULL)
    abort ();
  again = copub_hal_parse_doc (doc, NULL, NULL);
  json_decref (doc);
  if (again == NULL || strcmp (again->id, work->id) != 0)
    abort ();
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto(CopubHalPage) page = COPUB_HAL_PAGE_INIT;
  g_autoptr(GHashTable) structures = copub_hal_structures_new ();

  copub_hal_json_sniff ((const char *) data, size);
  copub_hal_parse_json (&page, (const char *) data, size, "fuzz", NULL, check_work, NULL, NULL);
  copub_hal_parse_structures (structures, (const char *) data, size, "fuzz", NULL);
  return 0;
}
