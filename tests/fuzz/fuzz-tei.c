/* Fuzz target: HAL TEI exports (src/sources/tei.c). Every work the parser emits must carry an
 * id and a raw TEI that parses again to one work with the same id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/tei.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
collect (CopubWork *work, gpointer user_data, GError **error)
{
  (void) error;
  g_ptr_array_add (user_data, work);
  return TRUE;
}

static gboolean
check_work (CopubWork *work, gpointer user_data, GError **error)
{
  g_autoptr(CopubWork) owned = work;
  g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);
  gsize size;
  const char *raw;

  (void) owned;      /* freed on return */
  (void) user_data;
  (void) error;
  if (work->id == NULL || work->raw == NULL)
    abort ();
  raw = g_bytes_get_data (work->raw, &size);
  if (!copub_tei_parse_bytes (NULL, raw, size, "raw", NULL, collect, again, NULL) || again->len != 1
      || strcmp (((CopubWork *) again->pdata[0])->id, work->id) != 0)
    abort ();
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto(CopubTeiResult) result = COPUB_TEI_RESULT_INIT;

  copub_tei_sniff ((const char *) data, size);
  copub_tei_parse_bytes (&result, (const char *) data, size, "fuzz", NULL, check_work, NULL, NULL);
  return 0;
}
