/* copub: the OpenAlex harvest, one publication year per slice, paged with the API's
 * cursor through the harvest engine (fetch-private.h). A page is parsed while it is
 * validated (so a cut or garbled body is retried like a network fault); works whose
 * author list the API truncated are fetched again on their own. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/ids.h"
#include "copub/error.h"
#include "copub/fetch.h"
#include "sources/http.h"
#include "sources/openalex.h"
#include "copub/store.h"
#include "sources/fetch-private.h"
#include "sources/completeness.h"
#include "base/notify.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

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

/* ---- the harvest's settings ---------------------------------------------------------- */

typedef struct {
  const CopubFetchOptions *options;
  char *base_url;
  char *institution;     /* short OpenAlex id */
  char *filter_rest;     /* filters after the lineage and year: types (what is harvested) */
  char *filter_since;    /* ",from_updated_date:DATE" or "" (what is fetched again) */
  char *select;
  const char *secrets[2]; /* the API key, never shown */
} Openalex;

static char *
escape (const char *s)
{
  return g_uri_escape_string (s, ":,|", FALSE);
}

/* The harvest's filter for the publication years @years ("2020", "2012-2026"): the one
 * place it is built, for the pages and for the source's count per year. The count leaves
 * out the since filter, which chooses what to fetch again, not what the source holds. */
static char *
harvest_filter (const Openalex *oa, const char *years, gboolean with_since)
{
  return g_strdup_printf ("authorships.institutions.lineage:%s,publication_year:%s%s%s",
                          oa->institution, years, oa->filter_rest,
                          with_since ? oa->filter_since : "");
}

/* A /works URL with @params, then what every request carries: the API key goes in the
 * query (the documented way) and the HTTP layer redacts it wherever the URL is shown. */
static char *
works_url (const Openalex *oa, const char *params)
{
  const CopubFetchOptions *o = oa->options;
  GString *url = g_string_new (oa->base_url);

  g_string_append_printf (url, "/works?%s", params);
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

/* The URL of one page of a year. */
static char *
page_url (Openalex *oa, int year, const char *cursor)
{
  const CopubFetchOptions *o = oa->options;
  g_autofree char *y = g_strdup_printf ("%d", year);
  g_autofree char *filter = harvest_filter (oa, y, TRUE);
  g_autofree char *f = escape (filter), *c = escape (cursor), *sel = escape (oa->select);
  g_autofree char *params = g_strdup_printf ("filter=%s&select=%s&per_page=%u&cursor=%s", f,
                                             sel, o->per_page ? o->per_page : PER_PAGE, c);

  return works_url (oa, params);
}

/* The URL of the source's count per year of the harvest's works (one list call). */
static char *
count_url (Openalex *oa, int from, int to)
{
  g_autofree char *years = g_strdup_printf ("%d-%d", from, to);
  g_autofree char *filter = harvest_filter (oa, years, FALSE);
  g_autofree char *f = escape (filter);
  g_autofree char *params = g_strdup_printf ("filter=%s&group_by=publication_year", f);

  return works_url (oa, params);
}

static char *
work_url (Openalex *oa, const char *id)
{
  const CopubFetchOptions *o = oa->options;
  GString *url = g_string_new (oa->base_url);
  g_autofree char *sel = escape (oa->select);

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

/* The HTTP layer's validator: a page is accepted only when it parses completely, so a
 * cut or garbled body is retried like a network fault. */
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

/* Replaces the works of @page whose author list the API cut at 100 by the full work,
 * fetched on its own (single works are never cut, and cost nothing). */
static gboolean
refetch_truncated (Openalex *oa, CopubHarvestJob *job, Page *page, GError **error)
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
      url = work_url (oa, w->id);
      request.validate = parse_single;
      request.validate_data = &full;
      if (!copub_http_get_full (job->http, url, &request, &response, error))
        {
          copub_work_free (full);
          return FALSE;
        }
      copub_harvest_note_response (job->harvest, response);
      /* The full record says is_authors_truncated no more; keep the flag false. */
      g_ptr_array_index (page->works, i) = full;
      copub_work_free (w);
      copub_harvest_lock_stats (job->harvest)->refetched++;
      copub_harvest_unlock_stats (job->harvest);
    }
  return TRUE;
}

/* The engine's fetch function: one /works page of a year, its truncated works fetched
 * again. */
static gboolean
fetch_page (CopubHarvestJob *job, const CopubHarvestSlice *slice, const char *cursor,
            CopubHarvestPage *out, GError **error)
{
  Openalex *oa = job->config->user_data;
  g_autofree char *url = page_url (oa, slice->year, cursor);
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  Page page = { NULL, -1, NULL };

  request.validate = parse_page;
  request.validate_data = &page;
  if (!copub_http_get_full (job->http, url, &request, &response, error)
      || !refetch_truncated (oa, job, &page, error))
    {
      page_clear (&page);
      return FALSE;
    }
  copub_harvest_note_response (job->harvest, response);
  out->count = page.count;
  /* The end: a null cursor or an empty page (older servers send one more). */
  if (page.works->len > 0)
    out->next_cursor = g_steal_pointer (&page.next_cursor);
  out->works = g_steal_pointer (&page.works);
  page_clear (&page);
  return TRUE;
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

/* The OpenAlex id of a ROR id, asked of /institutions/ror:ID. */
static char *
resolve_ror (Openalex *oa, const CopubHarvestConfig *config, const char *ror, GError **error)
{
  g_autoptr(CopubHttp) http = copub_harvest_http_new (config, error);
  g_autofree char *url = NULL;
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  gsize len;
  const char *body;
  g_autofree char *text = NULL;
  char *id, *end;

  if (http == NULL)
    return NULL;
  url = g_strdup_printf ("%s/institutions/ror:%s%s%s", oa->base_url, ror,
                         oa->options->api_key ? "?api_key=" : "",
                         oa->options->api_key ? oa->options->api_key : "");
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
resolve_institution (Openalex *oa, const CopubHarvestConfig *config, const char *given,
                     GError **error)
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
  if (copub_is_ror_id (tail))
    return resolve_ror (oa, config, tail, error);
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
               "institution '%s': expected an OpenAlex institution id (I90183372) or a "
               "ROR id (04vfs2w97)", given);
  copub_error_set_option (error ? *error : NULL, "institution");
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
                       "since '%s': expected a date YYYY-MM-DD", o->since);
          copub_error_set_option (error ? *error : NULL, "since");
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
openalex_clear (Openalex *oa)
{
  g_free (oa->base_url);
  g_free (oa->institution);
  g_free (oa->filter_rest);
  g_free (oa->filter_since);
  g_free (oa->select);
}

/* Checks the options, fills @oa and what @config takes from the options, resolves the
 * institution, and returns the harvest's key in the store. */
static char *
prepare (Openalex *oa, CopubHarvestConfig *config, int *from, int *to, GError **error)
{
  const CopubFetchOptions *o = oa->options;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int year = g_date_time_get_year (now);
  g_autofree char *types = type_filter (o);
  double rate = o->rate > 0 ? o->rate
                            : (o->api_key ? DEFAULT_RATE_KEY : DEFAULT_RATE_ANONYMOUS);

  *to = o->to ? o->to : year;
  *from = o->from ? o->from : *to - 9;
  if (!check_options (o, *from, *to, error))
    return NULL;
  oa->base_url = g_strdup (o->base_url ? o->base_url : COPUB_OPENALEX_BASE_URL);
  while (g_str_has_suffix (oa->base_url, "/"))
    oa->base_url[strlen (oa->base_url) - 1] = '\0';
  oa->secrets[0] = o->api_key;
  config->limiter = copub_rate_limiter_new (rate);
  config->mailto = o->mailto;
  config->secrets = o->api_key ? oa->secrets : NULL;
  config->max_attempts = o->max_attempts;
  config->retry_base_ms = o->retry_base_ms;
  config->timeout_ms = o->timeout_ms;
  oa->institution = resolve_institution (oa, config, o->institution, error);
  if (oa->institution == NULL)
    return NULL;
  /* A full harvest fetches everything again: no since filter, no saved state. */
  oa->filter_rest = g_strdup (types);
  oa->filter_since = o->since && !o->full ? g_strdup_printf (",from_updated_date:%s", o->since)
                                          : g_strdup ("");
  oa->select = copub_fetch_openalex_select ();
  config->refresh_from = *oa->filter_since ? G_MAXINT : year - (int) o->refresh_years + 1;
  config->full = o->full;
  return g_strdup_printf ("openalex works lineage:%s%s%s", oa->institution, oa->filter_rest,
                          oa->filter_since);
}

/* ---- the source's own count per year ------------------------------------------------ */

typedef struct {
  int from, to;
  gint64 *counts; /* to - from + 1 */
} YearCounts;

/* Validator of a group_by=publication_year answer: the counts of the years asked. */
static gboolean
parse_groups (GBytes *body, gpointer user_data, GError **error)
{
  YearCounts *yc = user_data;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  json_error_t jerror;
  g_autoptr(json_t) root = json_loadb (data, len, 0, &jerror);
  json_t *groups = root ? json_object_get (root, "group_by") : NULL;
  json_t *group;
  size_t i;

  if (root == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "group_by answer line %d column %d: %s", jerror.line, jerror.column,
                   jerror.text);
      return FALSE;
    }
  if (!json_is_array (groups))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "expected a group_by answer (\"group_by\": [...])");
      return FALSE;
    }
  /* A page holds 200 groups: a longer range would lose years, counted 0. */
  if (json_integer_value (json_object_get (json_object_get (root, "meta"), "groups_count"))
      > (json_int_t) json_array_size (groups))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "the group_by answer holds only some of its groups (more than "
                           "200 years?)");
      return FALSE;
    }
  memset (yc->counts, 0, sizeof (gint64) * (gsize) (yc->to - yc->from + 1));
  json_array_foreach (groups, i, group)
    {
      const char *key = json_string_value (json_object_get (group, "key"));
      json_t *count = json_object_get (group, "count");
      gint64 year;
      if (key == NULL || !json_is_integer (count)
          || !g_ascii_string_to_signed (key, 10, 0, 9999, &year, NULL))
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "group_by answer, group %zu: expected a year key and a count", i + 1);
          return FALSE;
        }
      if (year >= yc->from && year <= yc->to)
        yc->counts[year - yc->from] = json_integer_value (count);
    }
  return TRUE;
}

/* Asks the source for its count per year of the harvest's works, and records it with
 * what the store holds (completeness.h). */
static gboolean
count_years (Openalex *oa, const CopubHarvestConfig *config, const char *db_path, int from,
             int to, CopubFetchStats *stats, GPtrArray **out_counts, GError **error)
{
  const CopubFetchOptions *o = oa->options;
  const char *const *types = o->types ? o->types : default_types;
  g_autoptr(CopubHttp) http = copub_harvest_http_new (config, error);
  g_autofree char *url = count_url (oa, from, to);
  g_autofree gint64 *counts = g_new0 (gint64, to - from + 1);
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  YearCounts yc = { from, to, counts };

  if (http == NULL)
    return FALSE;
  request.validate = parse_groups;
  request.validate_data = &yc;
  if (!copub_http_get_full (http, url, &request, &response, error))
    return FALSE;
  stats->requests += response->attempts;
  if (response->ratelimit_remaining >= 0)
    stats->budget_remaining = response->ratelimit_remaining;
  if (strcmp (types[0], "all") == 0)
    types = NULL;
  return copub_completeness_record (db_path, "openalex", types, from, to, counts,
                                    o->callbacks, out_counts, error);
}

gboolean
copub_fetch_openalex (const char *db_path, const CopubFetchOptions *options,
                      CopubFetchStats *stats, GError **error)
{
  Openalex oa = { 0 };
  CopubHarvestConfig config = { 0 };
  g_autoptr(GPtrArray) slices =
      g_ptr_array_new_with_free_func ((GDestroyNotify) copub_harvest_slice_free);
  g_autofree char *key = NULL;
  int from, to;
  gboolean ok = FALSE;

  memset (stats, 0, sizeof *stats);
  stats->budget_remaining = -1;
  oa.options = options;
  key = prepare (&oa, &config, &from, &to, error);
  if (key != NULL)
    {
      stats->institution_id = g_strdup (oa.institution);
      /* Newest years first: they change most and matter most to a nightly run. */
      for (int y = to; y >= from; y--)
        {
          g_autofree char *name = g_strdup_printf ("%d", y);
          g_ptr_array_add (slices, copub_harvest_slice_new (name, NULL, y));
        }
      config.db_path = db_path;
      config.key = key;
      config.slices = slices;
      config.jobs = options->jobs ? options->jobs : DEFAULT_JOBS;
      config.callbacks = options->callbacks;
      config.normaliser = options->normaliser;
      config.fetch_page = fetch_page;
      config.user_data = &oa;
      ok = copub_harvest_run (&config, stats, error);
    }
  if (ok)
    {
      /* A failed count leaves the store's earlier counts and does not fail the harvest. */
      g_autoptr(GError) count_error = NULL;
      if (!count_years (&oa, &config, db_path, from, to, stats, NULL, &count_error))
        copub_note (options->callbacks, COPUB_NOTE_WARNING,
                    "OpenAlex's own counts per year could not be read (%s): the store keeps "
                    "the counts it had, and the completeness of this harvest is not checked",
                    count_error->message);
    }
  if (config.limiter)
    copub_rate_limiter_unref (config.limiter);
  openalex_clear (&oa);
  return ok;
}

gboolean
copub_check_openalex (const char *db_path, const CopubFetchOptions *options,
                      GPtrArray **out_counts, GError **error)
{
  Openalex oa = { 0 };
  CopubHarvestConfig config = { 0 };
  CopubFetchStats stats = { 0 };
  g_autofree char *key = NULL;
  int from, to;
  gboolean ok = FALSE;

  *out_counts = NULL;
  oa.options = options;
  key = prepare (&oa, &config, &from, &to, error);
  if (key != NULL)
    {
      /* The store is created or migrated first, as a harvest does. */
      g_autoptr(CopubStore) store = copub_store_open (db_path, error);
      config.callbacks = options->callbacks;
      ok = store != NULL
           && count_years (&oa, &config, db_path, from, to, &stats, out_counts, error);
    }
  if (config.limiter)
    copub_rate_limiter_unref (config.limiter);
  openalex_clear (&oa);
  return ok;
}
