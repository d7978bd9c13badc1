/* copub: the harvest engine of the fetch module (see fetch-private.h): slices taken from a
 * queue by worker threads, each page committed with its slice's cursor, resume, refresh
 * window, progress and counts, whatever the API. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "copub/error.h"
#include "sources/fetch-private.h"
#include "base/notify.h"

struct _CopubHarvest {
  const CopubHarvestConfig *config;
  GAsyncQueue *slices;   /* of CopubHarvestSlice*, borrowed from the config */
  gint cancelled;        /* atomic: a job failed, the others stop */
  GMutex lock;           /* guards what follows */
  GError *error;         /* the first failure */
  CopubFetchStats *stats;
  gint64 expected_left;  /* works announced but not yet received, over started slices */
  guint slices_pending;
  gint64 started_us;
  gint64 last_progress_us;
};

CopubHarvestSlice *
copub_harvest_slice_new (const char *name, const char *query, int year)
{
  CopubHarvestSlice *slice = g_new0 (CopubHarvestSlice, 1);

  slice->name = g_strdup (name);
  slice->query = g_strdup (query);
  slice->year = year;
  return slice;
}

void
copub_harvest_slice_free (CopubHarvestSlice *slice)
{
  if (slice == NULL)
    return;
  g_free (slice->name);
  g_free (slice->query);
  g_free (slice);
}

void
copub_harvest_page_clear (CopubHarvestPage *page)
{
  g_clear_pointer (&page->works, g_ptr_array_unref);
  g_clear_pointer (&page->next_cursor, g_free);
  if (page->extra != NULL && page->extra_free != NULL)
    page->extra_free (page->extra);
  page->extra = NULL;
  page->extra_free = NULL;
  page->count = -1;
}

static void
harvest_fail (CopubHarvest *h, GError *error)
{
  g_mutex_lock (&h->lock);
  if (h->error == NULL)
    h->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&h->lock);
  g_atomic_int_set (&h->cancelled, 1);
}

CopubHttp *
copub_harvest_http_new (const CopubHarvestConfig *config, GError **error)
{
  CopubHttpOptions o = COPUB_HTTP_OPTIONS_INIT;

  o.mailto = config->mailto;
  o.rate_limiter = config->limiter;
  o.secrets = config->secrets;
  o.callbacks = config->callbacks;
  if (config->max_attempts)
    o.max_attempts = config->max_attempts;
  if (config->retry_base_ms)
    {
      o.retry_base_ms = config->retry_base_ms;
      o.retry_max_ms = MAX (o.retry_base_ms, 4 * config->retry_base_ms);
    }
  if (config->timeout_ms)
    o.timeout_ms = config->timeout_ms;
  return copub_http_new (&o, error);
}

void
copub_harvest_note_response (CopubHarvest *h, const CopubHttpResponse *response)
{
  g_mutex_lock (&h->lock);
  h->stats->requests += response->attempts;
  if (response->ratelimit_remaining >= 0)
    h->stats->budget_remaining = response->ratelimit_remaining;
  g_mutex_unlock (&h->lock);
}

CopubFetchStats *
copub_harvest_lock_stats (CopubHarvest *h)
{
  g_mutex_lock (&h->lock);
  return h->stats;
}

void
copub_harvest_unlock_stats (CopubHarvest *h)
{
  g_mutex_unlock (&h->lock);
}

/* ---- progress ------------------------------------------------------------------------- */

/* Tells the caller where the harvest stands, at most twice a second. Called with the
 * lock held: the callback is never called from two threads at once. */
static void
show_progress (CopubHarvest *h, gboolean final)
{
  const CopubCallbacks *cb = h->config->callbacks;
  gint64 now = g_get_monotonic_time ();
  double elapsed = (double) (now - h->started_us) / 1e6;
  CopubFetchStats *s = h->stats;
  CopubHarvestProgress p;
  double per_work;

  if (cb == NULL || cb->harvest_progress == NULL
      || (!final && now - h->last_progress_us < 500000))
    return;
  h->last_progress_us = now;
  per_work = s->works > 0 ? elapsed / (double) s->works : 0;
  p.slices = s->slices;
  p.slices_done = s->slices_fetched + s->slices_skipped;
  p.pages = s->pages;
  p.works = s->works;
  p.requests_per_second = elapsed > 0 ? (double) s->requests / elapsed : 0;
  p.budget_remaining = s->budget_remaining;
  p.seconds_left = h->expected_left > 0 && per_work > 0 ? per_work * (double) h->expected_left
                                                        : -1;
  p.more_to_count = h->slices_pending > 0;
  p.final = final;
  cb->harvest_progress (&p, cb->user_data);
}

void
copub_harvest_note (CopubHarvest *h, CopubNoteLevel level, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  copub_notev (h->config->callbacks, level, format, args);
  va_end (args);
}

static void
count_page (CopubHarvest *h, guint n_works, gint64 expected_new)
{
  g_mutex_lock (&h->lock);
  h->stats->pages++;
  h->stats->works += n_works;
  h->expected_left += expected_new;
  h->expected_left = MAX (0, h->expected_left - (gint64) n_works);
  show_progress (h, FALSE);
  g_mutex_unlock (&h->lock);
}

/* ---- one slice ---------------------------------------------------------------------- */

/* Writes the page's works, the source's extra data and the slice's new state in one
 * transaction. */
static gboolean
store_page (CopubHarvestJob *job, const CopubHarvestSlice *slice, const CopubHarvestPage *page,
            const CopubSliceState *state, GError **error)
{
  CopubHarvest *h = job->harvest;
  guint64 counts[3] = { 0, 0, 0 };

  if (!copub_store_begin (job->store, error))
    return FALSE;
  for (guint i = 0; i < page->works->len; i++)
    {
      CopubPutResult r;
      /* A record over the size limits is bad data, as in copub import. */
      if (!copub_work_check_limits (g_ptr_array_index (page->works, i), NULL, error))
        goto fail;
      if (job->config->normaliser)
        copub_normaliser_fill_work (job->config->normaliser, g_ptr_array_index (page->works, i));
      if (!copub_store_put_work (job->store, g_ptr_array_index (page->works, i), &r, error)
          || (r == COPUB_PUT_UNCHANGED
              && !copub_store_touch_work (job->store, g_ptr_array_index (page->works, i),
                                          error)))
        goto fail;
      counts[r]++;
    }
  if ((job->config->write_page != NULL && !job->config->write_page (job, page, error))
      || !copub_store_put_slice (job->store, job->config->key, slice->name, state, error)
      || !copub_store_commit (job->store, error))
    goto fail;
  g_mutex_lock (&h->lock);
  h->stats->inserted += counts[COPUB_PUT_INSERTED];
  h->stats->updated += counts[COPUB_PUT_UPDATED];
  h->stats->unchanged += counts[COPUB_PUT_UNCHANGED];
  g_mutex_unlock (&h->lock);
  return TRUE;
fail:
  copub_store_rollback (job->store);
  return FALSE;
}

gboolean
copub_harvest_slice_pending (CopubStore *store, const CopubHarvestConfig *config,
                             const CopubHarvestSlice *slice, gboolean *pending,
                             gint64 *works_done, GError **error)
{
  CopubSliceState state = { 0 };
  gboolean found;

  *pending = TRUE;
  *works_done = 0;
  if (!copub_store_get_slice (store, config->key, slice->name, &state, &found, error))
    return FALSE;
  if (found && !state.done && state.cursor)
    *works_done = state.works;
  else if (found && state.done && slice->year < config->refresh_from)
    *pending = FALSE;
  copub_slice_state_clear (&state);
  return TRUE;
}

/* Where the slice starts: its saved cursor, "*" for a new or refreshed slice, or NULL
 * when it is complete and outside the refresh window (or on error); the same rule as
 * copub_harvest_slice_pending(). */
static char *
slice_start (CopubHarvestJob *job, const CopubHarvestSlice *slice, CopubSliceState *state,
             GError **error)
{
  gboolean found;

  if (!copub_store_get_slice (job->store, job->config->key, slice->name, state, &found, error))
    return NULL;
  if (found && !state->done && state->cursor && !job->config->full)
    {
      copub_harvest_note (job->harvest, COPUB_NOTE_INFO,
                          "slice %s: resuming after %" G_GINT64_FORMAT " works", slice->name,
                          state->works);
      return g_strdup (state->cursor);
    }
  if (found && state->done && slice->year < job->config->refresh_from && !job->config->full)
    return NULL;
  copub_slice_state_clear (state);
  state->done = FALSE;
  state->pages = state->works = 0;
  state->expected = -1;
  return g_strdup ("*");
}

static gboolean
fetch_slice (CopubHarvestJob *job, const CopubHarvestSlice *slice, GError **error)
{
  CopubHarvest *h = job->harvest;
  CopubSliceState state = { 0 };
  g_autofree char *cursor = slice_start (job, slice, &state, error);
  gboolean ok = TRUE;

  if (cursor == NULL)
    {
      copub_slice_state_clear (&state);
      if (error && *error)
        return FALSE;
      g_mutex_lock (&h->lock);
      h->stats->slices_skipped++;
      show_progress (h, FALSE);
      g_mutex_unlock (&h->lock);
      return TRUE;
    }
  while (ok && !state.done && !g_atomic_int_get (&h->cancelled))
    {
      CopubHarvestPage page = COPUB_HARVEST_PAGE_INIT;
      gint64 newly_expected = 0;

      ok = job->config->fetch_page (job, slice, cursor, &page, error);
      if (ok && page.works == NULL)
        page.works = g_ptr_array_new ();
      if (ok)
        {
          if (state.expected < 0 && page.count >= 0)
            {
              state.expected = page.count;
              newly_expected = page.count - state.works;
            }
          state.pages++;
          state.works += page.works->len;
          /* A cursor that does not move would loop for ever: it ends the slice. */
          state.done = page.next_cursor == NULL || strcmp (page.next_cursor, cursor) == 0;
          g_free (state.cursor);
          state.cursor = state.done ? NULL : g_strdup (page.next_cursor);
          ok = store_page (job, slice, &page, &state, error);
          if (ok)
            {
              count_page (h, page.works->len, newly_expected);
              g_free (cursor);
              cursor = g_strdup (state.cursor);
            }
        }
      copub_harvest_page_clear (&page);
    }
  if (ok && state.done && state.expected >= 0 && state.works != state.expected)
    copub_harvest_note (h, COPUB_NOTE_WARNING, "slice %s: received %" G_GINT64_FORMAT
                        " works where the API counted %" G_GINT64_FORMAT
                        " (works changed during the harvest?)", slice->name, state.works,
                        state.expected);
  if (ok && state.done)
    {
      g_mutex_lock (&h->lock);
      h->stats->slices_fetched++;
      g_mutex_unlock (&h->lock);
    }
  copub_slice_state_clear (&state);
  return ok;
}

/* ---- workers -------------------------------------------------------------------------- */

static gpointer
worker (gpointer data)
{
  CopubHarvest *h = data;
  GError *error = NULL;
  g_autoptr(CopubHttp) http = copub_harvest_http_new (h->config, &error);
  g_autoptr(CopubStore) store = http ? copub_store_open (h->config->db_path, &error) : NULL;
  CopubHarvestJob job = { h->config, h, http, store };
  gpointer item;

  while (store && !g_atomic_int_get (&h->cancelled)
         && (item = g_async_queue_try_pop (h->slices)) != NULL)
    {
      g_mutex_lock (&h->lock);
      h->slices_pending--;
      g_mutex_unlock (&h->lock);
      if (!fetch_slice (&job, item, &error))
        break;
    }
  if (error)
    harvest_fail (h, error);
  return NULL;
}

gboolean
copub_harvest_run (const CopubHarvestConfig *config, CopubFetchStats *stats, GError **error)
{
  CopubHarvest h = { 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  guint jobs = MAX (config->jobs, 1);

  g_return_val_if_fail (config->fetch_page != NULL && config->slices != NULL, FALSE);
  h.config = config;
  h.stats = stats;
  h.started_us = g_get_monotonic_time ();
  g_mutex_init (&h.lock);
  {
    /* Create or migrate the store once, before the jobs open it. */
    g_autoptr(CopubStore) store = copub_store_open (config->db_path, error);
    if (store == NULL)
      {
        g_mutex_clear (&h.lock);
        return FALSE;
      }
  }
  h.slices = g_async_queue_new ();
  for (guint i = 0; i < config->slices->len; i++)
    g_async_queue_push (h.slices, g_ptr_array_index (config->slices, i));
  stats->slices = h.slices_pending = config->slices->len;
  for (guint i = 0; i < MIN (jobs, stats->slices); i++)
    g_ptr_array_add (threads, g_thread_new ("copub-fetch", worker, &h));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  stats->seconds = (double) (g_get_monotonic_time () - h.started_us) / 1e6;
  g_mutex_lock (&h.lock);
  show_progress (&h, TRUE);
  g_mutex_unlock (&h.lock);
  g_async_queue_unref (h.slices);
  g_mutex_clear (&h.lock);
  if (h.error)
    {
      g_propagate_error (error, h.error);
      return FALSE;
    }
  return TRUE;
}
