/* copub: the OpenAlex harvest. Worker threads take publication-year slices from a queue;
 * each has its own HTTP client (a kept-alive connection) and store connection, and all
 * share one rate limiter. A page is parsed while it is validated (so a cut or garbled
 * body is retried like a network fault), then its works and the slice's next cursor
 * are written in one transaction. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "copub/error.h"
#include "copub/fetch.h"
#include "copub/http.h"
#include "copub/openalex.h"
#include "copub/store.h"

#define PER_PAGE 200
/* Requests per second when none is given: the API's per-second cap for a free key
 * (30/s) with headroom, and the anonymous cap (10/s) without a key. */
#define DEFAULT_RATE_KEY 20.0
#define DEFAULT_RATE_ANONYMOUS 8.0
#define DEFAULT_JOBS 4
static const char *const default_types[] = { "article", "review", "book-chapter", NULL };

void
copub_fetch_stats_clear (CopubFetchStats *stats)
{
  g_clear_pointer (&stats->institution_id, g_free);
}

char *
copub_fetch_openalex_select (void)
{
  GString *s = g_string_new (NULL);

  for (const char *const *f = copub_openalex_kept_fields; *f; f++)
    {
      if (strcmp (*f, "copub_synthetic") == 0)
        continue; /* copub's own marker, not an API field */
      if (s->len)
        g_string_append_c (s, ',');
      g_string_append (s, *f);
    }
  return g_string_free (s, FALSE);
}

/* ---- shared state of one harvest ---------------------------------------------------- */

typedef struct {
  const CopubFetchOptions *options;
  const char *db_path;
  char *base_url;
  char *institution;     /* short OpenAlex id */
  char *harvest;         /* the store's key for this harvest */
  char *filter_rest;     /* filters after the lineage and year: types, since */
  char *select;
  CopubRateLimiter *limiter;
  GAsyncQueue *slices;   /* of GINT_TO_POINTER (year) */
  int refresh_from;      /* done slices from this year on are harvested again */
  gint cancelled;        /* atomic: a job failed, the others stop */
  GMutex lock;           /* guards what follows */
  GError *error;         /* the first failure */
  CopubFetchStats *stats;
  gint64 expected_left;  /* works announced but not yet received, over started slices */
  guint slices_pending;
  gint64 started_us;
  gint64 last_progress_us;
} Harvest;

static void
harvest_fail (Harvest *h, GError *error)
{
  g_mutex_lock (&h->lock);
  if (h->error == NULL)
    h->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&h->lock);
  g_atomic_int_set (&h->cancelled, 1);
}

static char *
escape (const char *s)
{
  return g_uri_escape_string (s, ":,|", FALSE);
}

/* The URL of one page; the API key goes in the query (the documented way) and the
 * HTTP layer redacts it wherever the URL is shown. */
static char *
page_url (Harvest *h, int year, const char *cursor)
{
  const CopubFetchOptions *o = h->options;
  g_autofree char *filter = g_strdup_printf ("authorships.institutions.lineage:%s,"
                                             "publication_year:%d%s", h->institution, year,
                                             h->filter_rest);
  g_autofree char *f = escape (filter), *c = escape (cursor), *sel = escape (h->select);
  GString *url = g_string_new (h->base_url);

  g_string_append_printf (url, "/works?filter=%s&select=%s&per_page=%u&cursor=%s", f, sel,
                          o->per_page ? o->per_page : PER_PAGE, c);
  if (o->api_key && *o->api_key)
    {
      g_autofree char *k = escape (o->api_key);
      g_string_append_printf (url, "&api_key=%s", k);
    }
  if (o->mailto && *o->mailto)
    {
      g_autofree char *m = escape (o->mailto);
      g_string_append_printf (url, "&mailto=%s", m);
    }
  return g_string_free (url, FALSE);
}

static char *
work_url (Harvest *h, const char *id)
{
  const CopubFetchOptions *o = h->options;
  GString *url = g_string_new (h->base_url);
  g_autofree char *sel = escape (h->select);

  g_string_append_printf (url, "/works/%s?select=%s", id, sel);
  if (o->api_key && *o->api_key)
    {
      g_autofree char *k = escape (o->api_key);
      g_string_append_printf (url, "&api_key=%s", k);
    }
  return g_string_free (url, FALSE);
}

/* ---- one page ------------------------------------------------------------------------- */

typedef struct {
  GPtrArray *works;      /* of CopubWork* */
  gint64 count;          /* meta.count */
  char *next_cursor;
} Page;

static void
page_clear (Page *page)
{
  g_clear_pointer (&page->works, g_ptr_array_unref);
  g_clear_pointer (&page->next_cursor, g_free);
}

static gboolean
collect_work (CopubWork *work, gpointer user_data, GError **error)
{
  (void) error;
  g_ptr_array_add (((Page *) user_data)->works, work);
  return TRUE;
}

/* The HTTP layer's validator: a page is accepted only when it parses completely. */
static gboolean
parse_page (GBytes *body, gpointer user_data, GError **error)
{
  Page *page = user_data;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr(CopubOpenalexStream) stream = NULL;

  page_clear (page);
  page->works = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);
  stream = copub_openalex_stream_new (collect_work, page);
  if (!copub_openalex_stream_feed (stream, data, len, error)
      || !copub_openalex_stream_finish (stream, error))
    return FALSE;
  if (!copub_openalex_stream_is_page (stream))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "expected a /works list page (\"meta\" and \"results\")");
      return FALSE;
    }
  page->count = copub_openalex_stream_meta_count (stream);
  page->next_cursor = g_strdup (copub_openalex_stream_next_cursor (stream));
  return TRUE;
}

static gboolean
parse_single (GBytes *body, gpointer user_data, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  CopubWork **out = user_data;

  copub_work_free (*out);
  *out = copub_openalex_parse_work (data, len, error);
  return *out != NULL;
}

static void
note_response (Harvest *h, const CopubHttpResponse *response)
{
  g_mutex_lock (&h->lock);
  h->stats->requests += response->attempts;
  if (response->ratelimit_remaining >= 0)
    h->stats->budget_remaining = response->ratelimit_remaining;
  g_mutex_unlock (&h->lock);
}

/* Replaces the works of @page whose author list the API cut at 100 by the full work,
 * fetched on its own (single works are never cut, and cost nothing). */
static gboolean
refetch_truncated (Harvest *h, CopubHttp *http, Page *page, GError **error)
{
  for (guint i = 0; i < page->works->len; i++)
    {
      CopubWork *w = g_ptr_array_index (page->works, i);
      g_autofree char *url = NULL;
      g_autoptr(CopubHttpResponse) response = NULL;
      CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
      CopubWork *full = NULL;

      if (!w->is_authors_truncated)
        continue;
      url = work_url (h, w->id);
      request.validate = parse_single;
      request.validate_data = &full;
      if (!copub_http_get_full (http, url, &request, &response, error))
        {
          copub_work_free (full);
          return FALSE;
        }
      note_response (h, response);
      /* The full record says is_authors_truncated no more; keep the flag false. */
      g_ptr_array_index (page->works, i) = full;
      copub_work_free (w);
      g_mutex_lock (&h->lock);
      h->stats->refetched++;
      g_mutex_unlock (&h->lock);
    }
  return TRUE;
}

/* Writes the page's works and the slice's new state in one transaction. */
static gboolean
store_page (Harvest *h, CopubStore *store, const char *slice, const Page *page,
            const CopubSliceState *state, GError **error)
{
  guint64 counts[3] = { 0, 0, 0 };

  if (!copub_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < page->works->len; i++)
    {
      CopubPutResult r;
      if (!copub_store_put_work (store, g_ptr_array_index (page->works, i), &r, error))
        goto fail;
      counts[r]++;
    }
  if (!copub_store_put_slice (store, h->harvest, slice, state, error)
      || !copub_store_commit (store, error))
    goto fail;
  g_mutex_lock (&h->lock);
  h->stats->inserted += counts[COPUB_PUT_INSERTED];
  h->stats->updated += counts[COPUB_PUT_UPDATED];
  h->stats->unchanged += counts[COPUB_PUT_UNCHANGED];
  g_mutex_unlock (&h->lock);
  return TRUE;
fail:
  copub_store_rollback (store);
  return FALSE;
}

/* ---- progress ------------------------------------------------------------------------- */

static void
show_progress (Harvest *h, gboolean final)
{
  gint64 now = g_get_monotonic_time ();
  double elapsed = (double) (now - h->started_us) / 1e6;
  CopubFetchStats *s = h->stats;
  double rate, per_work;
  g_autofree char *eta = NULL;
  g_autofree char *budget = NULL;

  if (!h->options->progress || (!final && now - h->last_progress_us < 500000))
    return;
  h->last_progress_us = now;
  rate = elapsed > 0 ? (double) s->requests / elapsed : 0;
  per_work = s->works > 0 ? elapsed / (double) s->works : 0;
  eta = h->expected_left > 0 && per_work > 0
            ? g_strdup_printf (", ~%.0f s left%s", per_work * (double) h->expected_left,
                               h->slices_pending ? "+" : "")
            : g_strdup ("");
  budget = s->budget_remaining >= 0
               ? g_strdup_printf (", budget %" G_GINT64_FORMAT " left", s->budget_remaining)
               : g_strdup ("");
  fprintf (stderr, "\rcopub fetch: %u/%u slices, %" G_GUINT64_FORMAT " pages, %"
           G_GUINT64_FORMAT " works, %.1f req/s%s%s\033[K%s",
           s->slices_fetched + s->slices_skipped, s->slices, s->pages, s->works, rate, budget,
           eta, final ? "\n" : "");
  fflush (stderr);
}

static void
count_page (Harvest *h, guint n_works, gint64 expected_new)
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

/* Where the slice starts: its saved cursor, "*" for a new or refreshed slice, or NULL
 * when it is complete and outside the refresh window. */
static char *
slice_start (Harvest *h, CopubStore *store, int year, const char *slice,
             CopubSliceState *state, GError **error)
{
  gboolean found;

  if (!copub_store_get_slice (store, h->harvest, slice, state, &found, error))
    return NULL;
  if (found && !state->done && state->cursor)
    {
      g_info ("slice %s: resuming after %" G_GINT64_FORMAT " works", slice, state->works);
      return g_strdup (state->cursor);
    }
  if (found && state->done && year < h->refresh_from)
    return NULL;
  copub_slice_state_clear (state);
  state->done = FALSE;
  state->pages = state->works = 0;
  state->expected = -1;
  return g_strdup ("*");
}

static gboolean
fetch_slice (Harvest *h, CopubHttp *http, CopubStore *store, int year, GError **error)
{
  g_autofree char *slice = g_strdup_printf ("%d", year);
  CopubSliceState state = { 0 };
  g_autofree char *cursor = slice_start (h, store, year, slice, &state, error);
  gboolean ok = TRUE;

  if (cursor == NULL)
    {
      copub_slice_state_clear (&state);
      if (error && *error)
        return FALSE;
      g_mutex_lock (&h->lock);
      h->stats->slices_skipped++;
      g_mutex_unlock (&h->lock);
      return TRUE;
    }
  while (ok && !state.done && !g_atomic_int_get (&h->cancelled))
    {
      g_autofree char *url = page_url (h, year, cursor);
      g_autoptr(CopubHttpResponse) response = NULL;
      CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
      Page page = { NULL, -1, NULL };
      gint64 newly_expected = 0;

      request.validate = parse_page;
      request.validate_data = &page;
      ok = copub_http_get_full (http, url, &request, &response, error)
           && refetch_truncated (h, http, &page, error);
      if (ok)
        {
          note_response (h, response);
          if (state.expected < 0 && page.count >= 0)
            {
              state.expected = page.count;
              newly_expected = page.count - state.works;
            }
          state.pages++;
          state.works += page.works->len;
          /* The end: a null cursor or an empty page (older servers send one more). */
          state.done = page.next_cursor == NULL || page.works->len == 0;
          g_free (state.cursor);
          state.cursor = state.done ? NULL : g_strdup (page.next_cursor);
          ok = store_page (h, store, slice, &page, &state, error);
          if (ok)
            {
              count_page (h, page.works->len, newly_expected);
              g_free (cursor);
              cursor = g_strdup (state.cursor);
            }
        }
      page_clear (&page);
    }
  if (ok && state.done && state.expected >= 0 && state.works != state.expected)
    g_warning ("slice %s: received %" G_GINT64_FORMAT " works where the API counted %"
               G_GINT64_FORMAT " (works changed during the harvest?)", slice, state.works,
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

static CopubHttp *
make_client (Harvest *h, GError **error)
{
  CopubHttpOptions o = COPUB_HTTP_OPTIONS_INIT;
  const char *secrets[] = { h->options->api_key, NULL };

  o.mailto = h->options->mailto;
  o.rate_limiter = h->limiter;
  o.secrets = h->options->api_key ? secrets : NULL;
  if (h->options->max_attempts)
    o.max_attempts = h->options->max_attempts;
  if (h->options->retry_base_ms)
    {
      o.retry_base_ms = h->options->retry_base_ms;
      o.retry_max_ms = MAX (o.retry_base_ms, 4 * h->options->retry_base_ms);
    }
  if (h->options->timeout_ms)
    o.timeout_ms = h->options->timeout_ms;
  return copub_http_new (&o, error);
}

static gpointer
worker (gpointer data)
{
  Harvest *h = data;
  GError *error = NULL;
  g_autoptr(CopubHttp) http = make_client (h, &error);
  g_autoptr(CopubStore) store = http ? copub_store_open (h->db_path, &error) : NULL;
  gpointer item;

  while (store && !g_atomic_int_get (&h->cancelled)
         && (item = g_async_queue_try_pop (h->slices)) != NULL)
    {
      int year = GPOINTER_TO_INT (item);
      g_mutex_lock (&h->lock);
      h->slices_pending--;
      g_mutex_unlock (&h->lock);
      if (!fetch_slice (h, http, store, year, &error))
        break;
    }
  if (error)
    harvest_fail (h, error);
  return NULL;
}

/* ---- setting up ------------------------------------------------------------------------- */

static gboolean
is_openalex_institution (const char *id)
{
  if (id[0] != 'I' || id[1] == '\0')
    return FALSE;
  for (const char *c = id + 1; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

static gboolean
is_ror_id (const char *id)
{
  if (strlen (id) != 9 || id[0] != '0')
    return FALSE;
  for (const char *c = id; *c; c++)
    if (!g_ascii_isdigit (*c) && !g_ascii_islower (*c))
      return FALSE;
  return TRUE;
}

/* The OpenAlex id of a ROR id, asked of /institutions/ror:ID. */
static char *
resolve_ror (Harvest *h, const char *ror, GError **error)
{
  g_autoptr(CopubHttp) http = make_client (h, error);
  g_autofree char *url = NULL;
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  gsize len;
  const char *body;
  g_autofree char *text = NULL;
  char *id, *end;

  if (http == NULL)
    return NULL;
  url = g_strdup_printf ("%s/institutions/ror:%s%s%s", h->base_url, ror,
                         h->options->api_key ? "?api_key=" : "",
                         h->options->api_key ? h->options->api_key : "");
  request.validate = copub_http_validate_json;
  if (!copub_http_get_full (http, url, &request, &response, error))
    return NULL;
  body = g_bytes_get_data (response->body, &len);
  text = g_strndup (body, len);
  /* {"id":"https://openalex.org/I90183372",...}: the first "id" is the institution's. */
  id = strstr (text, "\"id\"");
  id = id ? strstr (id, "openalex.org/I") : NULL;
  if (id == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK,
                   "ROR id '%s': the API's answer names no OpenAlex institution", ror);
      return NULL;
    }
  id += strlen ("openalex.org/");
  for (end = id + 1; g_ascii_isdigit (*end); end++)
    ;
  return g_strndup (id, (gsize) (end - id));
}

static char *
resolve_institution (Harvest *h, const char *given, GError **error)
{
  g_autofree char *tail = NULL;
  const char *slash = strrchr (given, '/');

  tail = g_strdup (slash ? slash + 1 : given);
  if (g_str_has_prefix (tail, "ror:"))
    memmove (tail, tail + 4, strlen (tail + 4) + 1);
  if (is_openalex_institution (tail))
    return g_steal_pointer (&tail);
  if (tail[0] == 'i' && is_openalex_institution (tail) == FALSE)
    {
      tail[0] = 'I';
      if (is_openalex_institution (tail))
        return g_steal_pointer (&tail);
    }
  if (is_ror_id (tail))
    return resolve_ror (h, tail, error);
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
               "--institution '%s': expected an OpenAlex institution id (I90183372) or a "
               "ROR id (04vfs2w97)", given);
  return NULL;
}

static gboolean
check_options (const CopubFetchOptions *o, int from, int to, GError **error)
{
  if (o->institution == NULL || *o->institution == '\0')
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE, "no institution given");
      return FALSE;
    }
  if (o->per_page > PER_PAGE)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "at most %d works a page", PER_PAGE);
      return FALSE;
    }
  if (from > to || from < 1000 || to > 9999)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "bad year range %d-%d", from, to);
      return FALSE;
    }
  if (o->since)
    {
      int y, m, d;
      if (sscanf (o->since, "%4d-%2d-%2d", &y, &m, &d) != 3 || strlen (o->since) != 10
          || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                       "--since '%s': expected a date YYYY-MM-DD", o->since);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
type_filter (const CopubFetchOptions *o)
{
  const char *const *types = o->types ? o->types : default_types;

  if (types[0] && strcmp (types[0], "all") == 0)
    return g_strdup ("");
  {
    g_autofree char *joined = g_strjoinv ("|", (char **) types);
    return g_strdup_printf (",type:%s", joined);
  }
}

static void
harvest_clear (Harvest *h)
{
  g_free (h->base_url);
  g_free (h->institution);
  g_free (h->harvest);
  g_free (h->filter_rest);
  g_free (h->select);
  if (h->limiter)
    copub_rate_limiter_unref (h->limiter);
  if (h->slices)
    g_async_queue_unref (h->slices);
  g_mutex_clear (&h->lock);
  g_clear_error (&h->error);
}

static gboolean
prepare (Harvest *h, int *from, int *to, GError **error)
{
  const CopubFetchOptions *o = h->options;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int year = g_date_time_get_year (now);
  g_autofree char *types = type_filter (o);
  double rate = o->rate > 0 ? o->rate
                            : (o->api_key ? DEFAULT_RATE_KEY : DEFAULT_RATE_ANONYMOUS);

  *to = o->to ? o->to : year;
  *from = o->from ? o->from : *to - 9;
  if (!check_options (o, *from, *to, error))
    return FALSE;
  h->base_url = g_strdup (o->base_url ? o->base_url : COPUB_OPENALEX_BASE_URL);
  while (g_str_has_suffix (h->base_url, "/"))
    h->base_url[strlen (h->base_url) - 1] = '\0';
  h->limiter = copub_rate_limiter_new (rate);
  h->institution = resolve_institution (h, o->institution, error);
  if (h->institution == NULL)
    return FALSE;
  h->filter_rest = o->since ? g_strdup_printf ("%s,from_updated_date:%s", types, o->since)
                            : g_strdup (types);
  h->harvest = g_strdup_printf ("openalex works lineage:%s%s", h->institution, h->filter_rest);
  h->select = copub_fetch_openalex_select ();
  h->refresh_from = o->since ? G_MAXINT : year - (int) o->refresh_years + 1;
  return TRUE;
}

gboolean
copub_fetch_openalex (const char *db_path, const CopubFetchOptions *options,
                      CopubFetchStats *stats, GError **error)
{
  Harvest h = { 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  int from, to;
  guint jobs = options->jobs ? options->jobs : DEFAULT_JOBS;

  memset (stats, 0, sizeof *stats);
  stats->budget_remaining = -1;
  h.options = options;
  h.db_path = db_path;
  h.stats = stats;
  h.started_us = g_get_monotonic_time ();
  g_mutex_init (&h.lock);
  if (!prepare (&h, &from, &to, error))
    {
      harvest_clear (&h);
      return FALSE;
    }
  stats->institution_id = g_strdup (h.institution);
  {
    /* Create or migrate the store once, before the workers open it. */
    g_autoptr(CopubStore) store = copub_store_open (db_path, error);
    if (store == NULL)
      {
        harvest_clear (&h);
        return FALSE;
      }
  }
  h.slices = g_async_queue_new ();
  /* Newest years first: they change most and matter most to a nightly run. */
  for (int y = to; y >= from; y--)
    g_async_queue_push (h.slices, GINT_TO_POINTER (y));
  stats->slices = h.slices_pending = (guint) (to - from + 1);
  for (guint i = 0; i < MIN (jobs, stats->slices); i++)
    g_ptr_array_add (threads, g_thread_new ("copub-fetch", worker, &h));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  stats->seconds = (double) (g_get_monotonic_time () - h.started_us) / 1e6;
  show_progress (&h, TRUE);
  if (h.error)
    {
      g_propagate_error (error, g_steal_pointer (&h.error));
      harvest_clear (&h);
      return FALSE;
    }
  harvest_clear (&h);
  return TRUE;
}
