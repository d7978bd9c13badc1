/* Fuzz target for the OpenAlex parser: the input as one record, and as a document
 * fed in two chunks split where its first byte says. */
#include <stdint.h>

#include "sources/openalex.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
drop_work (CopubWork *work, gpointer user_data, GError **error)
{
  (void) user_data; (void) error;
  copub_work_free (work);
  return TRUE;
}

static gboolean
skip_bad (guint64 index, const GError *problem, gpointer user_data, GError **error)
{
  (void) index; (void) problem; (void) user_data; (void) error;
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubOpenalexStream) stream = copub_openalex_stream_new (drop_work, NULL);
  size_t split = size > 0 ? data[0] % (size + 1) : 0;

  copub_work_free (copub_openalex_parse_work ((const char *) data, size, NULL));
  copub_openalex_stream_set_bad_record_func (stream, skip_bad);
  if (copub_openalex_stream_feed (stream, (const char *) data, split, &error)
      && copub_openalex_stream_feed (stream, (const char *) data + split, size - split, &error))
    copub_openalex_stream_finish (stream, &error);
  return 0;
}
