/* Fuzz target for the JSON skim, differential: whatever the input, the skim and yajl
 * (the parser the rest of copub trusts) must agree on whether it is one well-formed
 * JSON value. The only disagreements allowed are the skim's documented strictness:
 * UTF-8 that GLib refuses (overlong forms, surrogates), nesting past its limit, and
 * text after the value that yajl lets by when it is an unfinished token ("true \""). */
#include <stdint.h>
#include <stdlib.h>

#include <yajl/yajl_parse.h>

#include "sources/json-skim.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
yajl_accepts (const uint8_t *data, size_t size)
{
  yajl_handle parser = yajl_alloc (NULL, NULL, NULL);
  yajl_status status = yajl_parse (parser, data, size);

  if (status == yajl_status_ok)
    status = yajl_complete_parse (parser);
  yajl_free (parser);
  return status == yajl_status_ok;
}

/* Whether the skim takes the input as one value; *value_ok: whether a value was read
 * at all, whatever follows it. */
static gboolean
skim_accepts (const uint8_t *data, size_t size, gboolean *value_ok)
{
  g_autoptr(GError) error = NULL;
  gsize pos = 0;

  if (!copub_json_skip_value ((const char *) data, size, &pos, COPUB_JSON_SKIM_MAX_DEPTH,
                              &error))
    {
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "invalid JSON"));
      *value_ok = FALSE;
      return FALSE;
    }
  *value_ok = TRUE;
  g_assert_true (pos <= size);
  return copub_json_skip_blanks ((const char *) data, size, pos) == size;
}

static gboolean
nests_deep (const uint8_t *data, size_t size)
{
  int depth = 0;

  for (size_t i = 0; i < size; i++)
    if ((data[i] == '[' || data[i] == '{') && ++depth > COPUB_JSON_SKIM_MAX_DEPTH)
      return TRUE;
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gboolean value_ok, skim = skim_accepts (data, size, &value_ok), yajl = yajl_accepts (data, size);

  if (skim && !yajl)
    abort (); /* the skim took what yajl refuses */
  if (yajl && !skim && !value_ok && g_utf8_validate_len ((const char *) data, size, NULL)
      && !nests_deep (data, size))
    abort (); /* the skim refused well-formed JSON */
  return 0;
}
