/* copub: the completeness check of a harvest (see completeness.h): the source's own counts
 * per year into the store, and the comparison with what the store holds. */
#include <string.h>

#include "sources/completeness.h"

#include "copub/fetch.h"
#include "copub/store.h"
#include "base/notify.h"

static const char *
source_label (const char *source)
{
  return g_strcmp0 (source, "openalex") == 0 ? "OpenAlex" : g_strcmp0 (source, "hal") == 0
                                                                ? "HAL" : source;
}

char *
copub_completeness_differences (GPtrArray *counts)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; counts && i < counts->len; i++)
    {
      const CopubSourceCount *c = counts->pdata[i];
      if (c->counted == c->held)
        continue;
      g_string_append_printf (s, "%s%d (%s %" G_GINT64_FORMAT ", store %" G_GINT64_FORMAT ")",
                              s->len ? ", " : "", c->year, source_label (c->source),
                              c->counted, c->held);
    }
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

static void
note_comparison (const char *source, int from, int to, GPtrArray *counts,
                 const CopubCallbacks *callbacks)
{
  g_autofree char *differences = copub_completeness_differences (counts);
  gint64 total = 0;

  if (differences)
    {
      copub_note (callbacks, COPUB_NOTE_WARNING,
                  "%s's own counts per year differ from what the store holds in %s: the "
                  "store is not the corpus %s counts for these years", source_label (source),
                  differences, source_label (source));
      return;
    }
  for (guint i = 0; i < counts->len; i++)
    total += ((const CopubSourceCount *) counts->pdata[i])->counted;
  copub_note (callbacks, COPUB_NOTE_MESSAGE,
              "the store holds what %s counts, every year from %d to %d (%" G_GINT64_FORMAT
              " works)", source_label (source), from, to, total);
}

void
copub_year_counts_zero (CopubYearCounts *yc)
{
  memset (yc->counts, 0, sizeof (gint64) * (gsize) (yc->to - yc->from + 1));
}

gboolean
copub_year_counts_set (CopubYearCounts *yc, const char *key, gint64 count)
{
  const char *slash = key ? strrchr (key, '/') : NULL;
  gint64 year;

  if (key == NULL || !g_ascii_string_to_signed (slash ? slash + 1 : key, 10, 0, 9999, &year,
                                                NULL))
    return FALSE;
  if (year >= yc->from && year <= yc->to)
    yc->counts[year - yc->from] = count;
  return TRUE;
}

gboolean
copub_completeness_record (const char *db_path, const char *source, const char *const *types,
                           int from, int to, const gint64 *counts,
                           const CopubCallbacks *callbacks, GPtrArray **out_counts,
                           GError **error)
{
  g_autoptr(CopubStore) store = copub_store_open (db_path, error);
  g_autoptr(GPtrArray) rows = NULL;

  if (out_counts)
    *out_counts = NULL;
  if (store == NULL || !copub_store_begin (store, error))
    return FALSE;
  if (!copub_store_put_source_counts (store, source, types, from, to, counts, error)
      || !copub_store_commit (store, error))
    {
      copub_store_rollback (store);
      return FALSE;
    }
  rows = copub_store_source_counts (store, source, error);
  if (rows == NULL)
    return FALSE;
  if (out_counts)
    *out_counts = g_steal_pointer (&rows); /* a check: its caller says what they show */
  else
    note_comparison (source, from, to, rows, callbacks);
  return TRUE;
}
