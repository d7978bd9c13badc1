/* copub: the OpenAlex harvest, one publication year per slice, paged with the API's
 * cursor through the harvest engine (fetch-private.h). A page is parsed while it is
 * validated (so a cut or garbled body is retried like a network fault); works whose
 * author list the API truncated are fetched again on their own. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/ids.h"
#include "copub/error.h"
#include "copub/fetch.h"
#include "sources/http.h"
#include "sources/openalex.h"
#include "copub/store.h"
#include "sources/fetch-private.h"
#include "sources/completeness.h"
#include "base/notify.h"

/* Works a page: the documented range is 1-100 since 2026; the server still took 200 in
 * late 2026, and the preflight probes for it (PER_PAGE_MAX). */
#define PER_PAGE 100
#define PER_PAGE_MAX 200
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
  g_clear_pointer (&stats->plan, g_array_unref);
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
  gint per_page;         /* works a page; lowered to PER_PAGE by a 400 (atomic) */
} Openalex;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

static char *
escape (const char *s)
{
  return g_uri_escape_string (s, ":,|", FALSE);
}

/* The harvest's filter for the publication years @years ("2020", "2012-2026"): the one
 * place it is built, for the pages, the preflight and the source's count per year. The
 * count leaves out the since filter, which chooses what to fetch again, not what the
 * source holds. */
static char *
harvest_filter (const Openalex *oa, const char *years, gboolean with_since)
{
  return g_strdup_printf ("authorships.institutions.lineage:%s,publication_year:%s%s%s",
                          oa->institution, years, oa->filter_rest,
                          with_since ? oa->filter_since : "");
}

/* A /works URL with @params, then what every list request of the harvest carries: xpac
 * works asked for (or not: the API's default leaves them out), the key and the contact
 * address. The API key goes in the query (the documented way) and the HTTP layer redacts
 * it wherever a URL is shown. */
static char *
works_url (const Openalex *oa, const char *params)
{
  const CopubFetchOptions *o = oa->options;
  GString *url = g_string_new (oa->base_url);

  g_string_append_printf (url, "/works?%s", params);
  if (o->include_xpac)
    g_string_append (url, "&include_xpac=true");
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

/* The URL of one page of a year, @per_page works. */
static char *
page_url (const Openalex *oa, int year, const char *cursor, guint per_page)
{
  g_autofree char *y = g_strdup_printf ("%d", year);
  g_autofree char *filter = harvest_filter (oa, y, TRUE);
  g_autofree char *f = escape (filter), *c = escape (cursor), *sel = escape (oa->select);
  g_autofree char *params = g_strdup_printf ("filter=%s&select=%s&per_page=%u&cursor=%s", f,
                                             sel, per_page, c);

  return works_url (oa, params);
}

/* The URL of the source's count per year of the harvest's works, @from to @to (one list
 * call): with the since filter for the preflight (what will be fetched), without for the
 * count the store is compared with; with per_page when it is not 0 (the preflight's
 * probe of the page size). */
static char *
groups_url (const Openalex *oa, int from, int to, gboolean with_since, guint per_page)
{
  g_autofree char *years = g_strdup_printf ("%d-%d", from, to);
  g_autofree char *filter = harvest_filter (oa, years, with_since);
  g_autofree char *f = escape (filter);
  GString *params = g_string_new (NULL);
  g_autofree char *p = NULL;

  g_string_append_printf (params, "filter=%s&group_by=publication_year", f);
  if (per_page)
    g_string_append_printf (params, "&per_page=%u", per_page);
  p = g_string_free (params, FALSE);
  return works_url (oa, p);
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

/* TRUE when the API's message about a 400 is about the page size. */
static gboolean
names_per_page (const char *message)
{
  return message != NULL && (strstr (message, "per_page") != NULL
                             || strstr (message, "per-page") != NULL);
}

/* A 401 becomes an error that says what to do: OpenAlex wants a key. */
static void
explain_401 (Openalex *oa, long status, const char *message, GError **error)
{
  if (status != 401 || error == NULL || *error == NULL)
    return;
  g_clear_error (error);
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
               "OpenAlex refused the request (HTTP 401%s%s%s): %s; keys are free at "
               "https://openalex.org/settings/api", message ? ": \"" : "",
               message ? message : "", message ? "\"" : "",
               oa->options->api_key && *oa->options->api_key
                   ? "the API key given is not valid" : "an API key is needed");
  copub_error_set_option (*error, "api_key");
}

/* GET @url for the harvest; a 401 says what to do, and *@status gets the status of an
 * answer the request failed on (and *@message its message), for the caller to act on. */
static gboolean
get_json (Openalex *oa, CopubHttp *http, const char *url, CopubHttpRequest *request,
          CopubHttpResponse **response, long *status, char **message, GError **error)
{
  *status = 0;
  request->failed_status = status;
  request->failed_message = message;
  if (copub_http_get_full (http, url, request, response, error))
    return TRUE;
  explain_401 (oa, *status, *message, error);
  return FALSE;
}

/* The engine's fetch function: one /works page of a year, its truncated works fetched
 * again. A 400 naming per_page lowers the page size to PER_PAGE for the rest of the
 * harvest and asks again, once. */
static gboolean
fetch_page (CopubHarvestJob *job, const CopubHarvestSlice *slice, const char *cursor,
            CopubHarvestPage *out, GError **error)
{
  Openalex *oa = job->config->user_data;
  guint per_page = (guint) g_atomic_int_get (&oa->per_page);
  g_autofree char *url = page_url (oa, slice->year, cursor, per_page);
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  Page page = { NULL, -1, NULL };
  g_autofree char *message = NULL;
  long status;
  gboolean ok;

  request.validate = parse_page;
  request.validate_data = &page;
  ok = get_json (oa, job->http, url, &request, &response, &status, &message, error);
  if (!ok && status == 400 && per_page > PER_PAGE && names_per_page (message))
    {
      g_atomic_int_set (&oa->per_page, PER_PAGE);
      copub_harvest_note (job->harvest, COPUB_NOTE_MESSAGE,
                          "slice %s: the API refused %u works a page (HTTP 400: \"%s\"); "
                          "asking again at %d", slice->name, per_page, message, PER_PAGE);
      g_clear_error (error);
      g_clear_pointer (&message, g_free);
      g_free (url);
      url = page_url (oa, slice->year, cursor, PER_PAGE);
      ok = get_json (oa, job->http, url, &request, &response, &status, &message, error);
    }
  if (!ok || !refetch_truncated (oa, job, &page, error))
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
  if (copub_is_openalex_institution_id (tail))
    return g_steal_pointer (&tail);
  if (tail[0] == 'i')
    {
      tail[0] = 'I';
      if (copub_is_openalex_institution_id (tail))
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
  if (o->per_page > PER_PAGE_MAX)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "at most %d works a page",
                   PER_PAGE_MAX);
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
  oa->per_page = (gint) (o->per_page ? o->per_page : PER_PAGE);
  if (!o->api_key || !*o->api_key)
    copub_note (o->callbacks, COPUB_NOTE_INFO,
                "no OpenAlex API key: OpenAlex requires one since 13 Feb 2026 (free at "
                "https://openalex.org/settings/api); without, it allows about 1,000 list "
                "calls a day");
  /* A harvest with the xpac works is another harvest: its slices are its own. */
  return g_strdup_printf ("openalex works lineage:%s%s%s%s", oa->institution, oa->filter_rest,
                          oa->filter_since, o->include_xpac ? " include_xpac" : "");
}

/* ---- the source's count per year ------------------------------------------------------ */

/* Validator of a group_by=publication_year answer: the counts of the years asked. */
static gboolean
parse_groups (GBytes *body, gpointer user_data, GError **error)
{
  CopubYearCounts *yc = user_data;
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
  copub_year_counts_zero (yc);
  json_array_foreach (groups, i, group)
    {
      const char *key = json_string_value (json_object_get (group, "key"));
      json_t *count = json_object_get (group, "count");
      if (!json_is_integer (count)
          || !copub_year_counts_set (yc, key, json_integer_value (count)))
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "group_by answer, group %zu: expected a year key and a count", i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

/* Asks the source for its count per year of the harvest's works (one group_by call,
 * without the since filter) into @yc. */
static gboolean
count_years (Openalex *oa, const CopubHarvestConfig *config, CopubYearCounts *yc,
             CopubFetchStats *stats, GError **error)
{
  g_autoptr(CopubHttp) http = copub_harvest_http_new (config, error);
  g_autofree char *url = groups_url (oa, yc->from, yc->to, FALSE, 0);
  g_autofree char *message = NULL;
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  long status;

  if (http == NULL)
    return FALSE;
  request.validate = parse_groups;
  request.validate_data = yc;
  if (!get_json (oa, http, url, &request, &response, &status, &message, error))
    return FALSE;
  stats->requests += response->attempts;
  if (response->ratelimit_remaining >= 0)
    stats->budget_remaining = response->ratelimit_remaining;
  return TRUE;
}

/* Records the source's counts @yc with what the store holds (completeness.h). */
static gboolean
record_counts (Openalex *oa, const char *db_path, const CopubYearCounts *yc,
               GPtrArray **out_counts, GError **error)
{
  const CopubFetchOptions *o = oa->options;
  const char *const *types = o->types ? o->types : default_types;

  if (strcmp (types[0], "all") == 0)
    types = NULL;
  return copub_completeness_record (db_path, "openalex", types, yc->from, yc->to, yc->counts,
                                    o->callbacks, out_counts, error);
}

/* One group_by call for the whole range. Unless the options fix the page size, it asks
 * for per_page=200: accepted, the harvest uses pages of 200; a 400 naming per_page, it
 * asks again without and the harvest uses pages of 100. */
static gboolean
count_by_year (Openalex *oa, CopubHttp *http, CopubYearCounts *g, CopubHttpResponse **response,
               GError **error)
{
  guint probe = oa->options->per_page ? 0 : PER_PAGE_MAX;
  g_autofree char *url = groups_url (oa, g->from, g->to, TRUE, probe);
  g_autofree char *message = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  long status;

  request.validate = parse_groups;
  request.validate_data = g;
  if (get_json (oa, http, url, &request, response, &status, &message, error))
    {
      if (probe)
        oa->per_page = (gint) probe;
      return TRUE;
    }
  if (!(probe && status == 400 && names_per_page (message)))
    return FALSE;
  copub_note (oa->options->callbacks, COPUB_NOTE_MESSAGE,
              "the API takes no more than %d works a page (HTTP 400: \"%s\"): pages of %d",
              PER_PAGE, message, PER_PAGE);
  g_clear_error (error);
  g_clear_pointer (&message, g_free);
  g_free (url);
  url = groups_url (oa, g->from, g->to, TRUE, 0);
  return get_json (oa, http, url, &request, response, &status, &message, error);
}

/* The list calls left today and the seconds to the reset: /rate-limit with a key (its
 * USD budget over the price of a list call), else the preflight answer's headers. */
static void
read_budget (Openalex *oa, CopubHttp *http, const CopubHttpResponse *preflight,
             CopubFetchStats *stats)
{
  const CopubFetchOptions *o = oa->options;
  g_autofree char *url = NULL, *k = NULL;
  g_autoptr(CopubHttpResponse) response = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(json_t) root = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  json_t *rl, *left, *cost, *reset;
  gsize len;
  const char *data;

  stats->budget_left = preflight->ratelimit_remaining;
  stats->budget_reset_s = preflight->ratelimit_reset_s;
  if (o->api_key == NULL || *o->api_key == '\0')
    return;
  k = escape (o->api_key);
  url = g_strdup_printf ("%s/rate-limit?api_key=%s", oa->base_url, k);
  request.validate = copub_http_validate_json;
  if (!copub_http_get_full (http, url, &request, &response, &local))
    {
      copub_note (o->callbacks, COPUB_NOTE_INFO, "the budget from the answer's headers: %s",
                  local->message);
      return;
    }
  data = g_bytes_get_data (response->body, &len);
  root = json_loadb (data, len, 0, NULL);
  rl = json_object_get (root, "rate_limit");
  left = json_object_get (rl, "daily_remaining_usd");
  cost = json_object_get (json_object_get (rl, "endpoint_costs_usd"), "list");
  reset = json_object_get (rl, "resets_in_seconds");
  if (!json_is_number (left) || !json_is_number (cost) || json_number_value (cost) <= 0)
    return;
  /* The budget is in dollars: a hair over the quotient, for 0.998 / 0.0001 = 9979.99... */
  stats->budget_left = (gint64) floor (json_number_value (left) / json_number_value (cost)
                                       + 1e-6);
  if (json_is_integer (reset))
    stats->budget_reset_s = json_integer_value (reset);
}

/* "1,220". */
static char *
thousands (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* "00:00 UTC, in 5 h 12 min", or "midnight UTC" when the server did not say. */
static char *
describe_reset (gint64 seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) at = NULL;
  g_autofree char *when = NULL;
  gint64 minutes = (seconds + 30) / 60;

  if (seconds < 0)
    return g_strdup ("midnight UTC");
  at = g_date_time_add_seconds (now, (gdouble) seconds + 30);
  when = g_date_time_format (at, "%H:%M UTC");
  return g_strdup_printf ("%s, in %" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", when,
                          minutes / 60, minutes % 60);
}

/* The plan of every slice, from the store when it exists (never created here): done and
 * skipped, or the works it holds already (a resumed slice). Returns the slices to fetch
 * (-1 on error). */
static gint
plan_slices (const CopubHarvestConfig *config, CopubFetchStats *stats, GError **error)
{
  g_autoptr(CopubStore) store = NULL;
  gint pending_slices = 0;

  if (g_file_test (config->db_path, G_FILE_TEST_EXISTS)
      && (store = copub_store_open (config->db_path, error)) == NULL)
    return -1;
  stats->plan = g_array_new (FALSE, TRUE, sizeof (CopubFetchPlanSlice));
  for (guint i = 0; i < config->slices->len; i++)
    {
      const CopubHarvestSlice *slice = g_ptr_array_index (config->slices, i);
      CopubFetchPlanSlice p = { slice->year, 0, 0, FALSE, 0 };
      gboolean pending = TRUE;

      if (store && !copub_harvest_slice_pending (store, config, slice, &pending,
                                                 &p.works_done, error))
        return -1;
      p.skipped = !pending;
      pending_slices += pending;
      g_array_append_val (stats->plan, p);
    }
  return pending_slices;
}

/* The API's counts into the plan, and the list calls the slices to fetch need: one a
 * page, and the last one (short or empty) that says the slice is over. */
static void
plan_calls (const CopubYearCounts *g, guint per_page, CopubFetchStats *stats)
{
  stats->per_page = per_page;
  for (guint i = 0; i < stats->plan->len; i++)
    {
      CopubFetchPlanSlice *p = &g_array_index (stats->plan, CopubFetchPlanSlice, i);

      p->count = g->counts[p->year - g->from];
      if (!p->skipped)
        p->calls = (guint64) (MAX (0, p->count - p->works_done) / per_page) + 1;
      stats->planned_calls += p->calls;
    }
}

/* Before any list page: the counts (into @yc, *@counted TRUE), the calls they need, the
 * budget left; a harvest that cannot finish today fails here (unless allow_partial), the
 * store untouched. With every slice complete, nothing is asked. */
static gboolean
preflight (const CopubHarvestConfig *config, CopubYearCounts *yc, gboolean *counted,
           CopubFetchStats *stats, GError **error)
{
  Openalex *oa = config->user_data;
  const CopubFetchOptions *o = oa->options;
  g_autoptr(CopubHttp) http = NULL;
  g_autoptr(CopubHttpResponse) response = NULL;
  g_autofree char *need = NULL, *left = NULL, *reset = NULL;
  double rate = copub_rate_limiter_get_rate (config->limiter);

  gint pending = plan_slices (config, stats, error);

  if (pending <= 0) /* nothing to fetch (every slice complete), or an error */
    return pending == 0;
  if ((http = copub_harvest_http_new (config, error)) == NULL
      || !count_by_year (oa, http, yc, &response, error))
    return FALSE;
  *counted = TRUE;
  stats->requests += response->attempts;
  read_budget (oa, http, response, stats);
  plan_calls (yc, (guint) oa->per_page, stats);
  stats->planned_seconds = rate > 0 ? (double) stats->planned_calls / rate : 0;
  stats->over_budget = stats->budget_left >= 0
                       && stats->planned_calls > (guint64) stats->budget_left;
  if (!stats->over_budget)
    return TRUE;
  need = thousands (stats->planned_calls);
  left = thousands ((guint64) stats->budget_left);
  reset = describe_reset (stats->budget_reset_s);
  if (o->dry_run)
    return TRUE;
  if (o->allow_partial)
    {
      copub_note (o->callbacks, COPUB_NOTE_WARNING,
                  "the harvest needs ~%s list calls, %s left today, resetting at %s: going "
                  "on as asked; it stops when the budget is spent, and resumes after the reset",
                  need, left, reset);
      return TRUE;
    }
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_RATE_LIMITED,
               "the harvest needs ~%s list calls, %s left today, resetting at %s", need, left,
               reset);
  copub_error_set_option (*error, o->api_key && *o->api_key ? "allow_partial_key"
                                                            : "allow_partial");
  return FALSE;
}

/* After a harvest: the source's counts per year (the preflight's, unless it had a since
 * filter or did not ask) kept with what the store holds. A failed count leaves the
 * store's earlier counts and does not fail the harvest. */
static void
check_completeness (Openalex *oa, const CopubHarvestConfig *config, CopubYearCounts *yc,
                    gboolean counted, CopubFetchStats *stats)
{
  g_autoptr(GError) error = NULL;

  if ((counted && !*oa->filter_since) || count_years (oa, config, yc, stats, &error))
    if (record_counts (oa, config->db_path, yc, NULL, &error))
      return;
  copub_note (oa->options->callbacks, COPUB_NOTE_WARNING,
              "OpenAlex's own counts per year could not be read (%s): the store keeps the "
              "counts it had, and the completeness of this harvest is not checked",
              error->message);
}

/* The store says whether its OpenAlex works include the xpac works (for the report). */
static gboolean
note_xpac (const char *db_path, const CopubFetchOptions *o, GError **error)
{
  g_autoptr(CopubStore) store = copub_store_open (db_path, error);

  return store != NULL && copub_store_note_xpac (store, o->include_xpac, -1, error);
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
  CopubYearCounts yc = { 0, 0, NULL };
  gboolean ok = FALSE, counted = FALSE;

  memset (stats, 0, sizeof *stats);
  stats->budget_remaining = stats->budget_left = stats->budget_reset_s = -1;
  oa.options = options;
  key = prepare (&oa, &config, &from, &to, error);
  if (key != NULL)
    {
      stats->institution_id = g_strdup (oa.institution);
      yc = (CopubYearCounts) { from, to, g_new0 (gint64, to - from + 1) };
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
      ok = preflight (&config, &yc, &counted, stats, error);
      if (ok && !options->dry_run)
        {
          ok = copub_harvest_run (&config, stats, error) && note_xpac (db_path, options, error);
          stats->per_page = (guint) oa.per_page;
        }
      if (ok && !options->dry_run)
        check_completeness (&oa, &config, &yc, counted, stats);
    }
  g_free (yc.counts);
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
      g_autofree gint64 *counts = g_new0 (gint64, to - from + 1);
      CopubYearCounts yc = { from, to, counts };
      config.callbacks = options->callbacks;
      ok = store != NULL && count_years (&oa, &config, &yc, &stats, error)
           && record_counts (&oa, db_path, &yc, out_counts, error);
    }
  if (config.limiter)
    copub_rate_limiter_unref (config.limiter);
  openalex_clear (&oa);
  return ok;
}
