/* copub: the HTTP layer: a libcurl client with retries, Retry-After, budget detection and
 * secret redaction, and a rate limiter shared between clients. */
#include "base/notify.h"
#include "sources/http.h"

#include <curl/curl.h>
#include <jansson.h>
#include <string.h>

#include "copub/error.h"

#ifndef COPUB_VERSION
#define COPUB_VERSION "unknown"
#endif

/* Error bodies larger than this are not parsed for a message. */
#define ERROR_BODY_MAX (256 * 1024)
/* Quoted API messages are cut to this many characters. */
#define QUOTE_MAX 300

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* ---- Rate limiter ------------------------------------------------------------------------ */

struct _CopubRateLimiter {
  gatomicrefcount ref;
  GMutex lock;
  double rate;
  gint64 interval_us; /* 0: unlimited */
  gint64 next_slot;   /* monotonic time of the next free slot */
  gint64 paused_until;
};

CopubRateLimiter *
copub_rate_limiter_new (double per_second)
{
  CopubRateLimiter *limiter = g_new0 (CopubRateLimiter, 1);

  g_atomic_ref_count_init (&limiter->ref);
  g_mutex_init (&limiter->lock);
  if (per_second > 0)
    {
      /* Servers count requests per rolling second: spacing them exactly 1/N apart puts
       * every (N+1)th on the window's edge, where jitter makes a 429 (and its pause).
       * A 5 % margin keeps "N per second" true in every second. */
      limiter->rate = per_second;
      limiter->interval_us = (gint64) (G_USEC_PER_SEC / (per_second * 0.95));
    }
  return limiter;
}

CopubRateLimiter *
copub_rate_limiter_ref (CopubRateLimiter *limiter)
{
  g_atomic_ref_count_inc (&limiter->ref);
  return limiter;
}

void
copub_rate_limiter_unref (CopubRateLimiter *limiter)
{
  if (limiter == NULL || !g_atomic_ref_count_dec (&limiter->ref))
    return;
  g_mutex_clear (&limiter->lock);
  g_free (limiter);
}

double
copub_rate_limiter_get_rate (CopubRateLimiter *limiter)
{
  return limiter->rate;
}

/* Slots are handed out evenly spaced from the last one given, not from "now": a sleep that
 * oversleeps does not push the following slots back, so a saturated limiter keeps its rate.
 * An idle limiter does not bank slots (no burst after a quiet spell). */
static gint64
reserve_slot (CopubRateLimiter *limiter, gint64 now)
{
  gint64 slot;

  g_mutex_lock (&limiter->lock);
  slot = MAX (now, limiter->next_slot);
  slot = MAX (slot, limiter->paused_until);
  limiter->next_slot = slot + limiter->interval_us;
  g_mutex_unlock (&limiter->lock);
  return slot;
}

static gboolean
paused_after (CopubRateLimiter *limiter, gint64 slot)
{
  gboolean paused;

  g_mutex_lock (&limiter->lock);
  paused = limiter->paused_until > slot;
  g_mutex_unlock (&limiter->lock);
  return paused;
}

gint64
copub_rate_limiter_wait (CopubRateLimiter *limiter)
{
  gint64 start = g_get_monotonic_time ();
  gint64 now = start;

  /* A pause ordered while we slept (another thread got a 429) moves us behind it. */
  for (;;)
    {
      gint64 slot = reserve_slot (limiter, now);

      if (slot > now)
        g_usleep ((gulong) (slot - now));
      now = g_get_monotonic_time ();
      if (!paused_after (limiter, slot))
        break;
    }
  return now - start;
}

void
copub_rate_limiter_pause (CopubRateLimiter *limiter, double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  g_mutex_lock (&limiter->lock);
  limiter->paused_until = MAX (limiter->paused_until, until);
  g_mutex_unlock (&limiter->lock);
}

/* ---- Redaction --------------------------------------------------------------------------- */

struct _CopubHttp {
  CURL *curl;
  struct curl_slist *headers;
  char *user_agent;
  GPtrArray *secrets; /* of char*: each secret and its URL-escaped form */
  CopubRateLimiter *limiter;
  CopubHttpOptions options; /* string members are not used after copub_http_new() */
  GRand *rand;
  GByteArray *body;
  gboolean body_too_big;
  char errbuf[CURL_ERROR_SIZE];
};

static GRegex *
key_param_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      GRegex *r = g_regex_new ("([?&;]api[_-]?key=)[^&#\\s'\"]*", G_REGEX_CASELESS, 0, NULL);
      g_once_init_leave (&regex, r);
    }
  return regex;
}

char *
copub_http_redact (CopubHttp *client, const char *text)
{
  g_autoptr(GString) out = NULL;
  char *replaced;

  if (text == NULL)
    return NULL;
  replaced = g_regex_replace (key_param_regex (), text, -1, 0, "\\1***", 0, NULL);
  if (replaced == NULL)
    return g_strdup ("***");
  out = g_string_new (replaced);
  g_free (replaced);
  if (client != NULL)
    for (guint i = 0; i < client->secrets->len; i++)
      g_string_replace (out, g_ptr_array_index (client->secrets, i), "***", 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- Client setup ------------------------------------------------------------------------ */

static gsize
on_body (char *data, size_t size, size_t nmemb, void *user_data)
{
  CopubHttp *client = user_data;
  gsize n = size * nmemb;
  gsize cap = client->options.max_body_size;

  if (cap > 0 && (client->body->len > cap || n > cap - client->body->len))
    {
      client->body_too_big = TRUE;
      return 0; /* libcurl stops the transfer with CURLE_WRITE_ERROR */
    }
  g_byte_array_append (client->body, (const guint8 *) data, (guint) n);
  return n;
}

static gpointer
init_curl (gpointer data)
{
  (void) data;
  return GINT_TO_POINTER (curl_global_init (CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

static void
add_secret (CopubHttp *client, const char *secret)
{
  g_autofree char *escaped = NULL;

  if (secret == NULL || *secret == '\0')
    return;
  /* Longest first would matter only for overlapping secrets; escaped forms are never shorter. */
  escaped = g_uri_escape_string (secret, NULL, FALSE);
  if (strcmp (escaped, secret) != 0)
    g_ptr_array_add (client->secrets, g_steal_pointer (&escaped));
  g_ptr_array_add (client->secrets, g_strdup (secret));
}

static gboolean
check_options (const CopubHttpOptions *options, GError **error)
{
  if (options->max_attempts == 0)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "http: max_attempts must be >= 1");
      return FALSE;
    }
  if (options->retry_max_ms < options->retry_base_ms)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "http: retry_max_ms (%u) is below retry_base_ms (%u)",
                   options->retry_max_ms, options->retry_base_ms);
      return FALSE;
    }
  return TRUE;
}

static char *
make_user_agent (const CopubHttpOptions *options)
{
  if (options->user_agent != NULL && *options->user_agent != '\0')
    return g_strdup (options->user_agent);
  if (options->mailto != NULL && *options->mailto != '\0')
    return g_strdup_printf ("copub/%s (mailto:%s)", COPUB_VERSION, options->mailto);
  return g_strdup ("copub/" COPUB_VERSION);
}

static gboolean
append_header (CopubHttp *client, const char *header)
{
  struct curl_slist *more = curl_slist_append (client->headers, header);

  if (more == NULL)
    return FALSE;
  client->headers = more;
  return TRUE;
}

/* The caller's headers, and "Accept: application/json" unless they name another. */
static gboolean
setup_headers (CopubHttp *client, const CopubHttpOptions *options)
{
  gboolean has_accept = FALSE;

  for (gsize i = 0; options->headers != NULL && options->headers[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (options->headers[i], "Accept:", 7) == 0)
        has_accept = TRUE;
      if (!append_header (client, options->headers[i]))
        return FALSE;
    }
  return has_accept || append_header (client, "Accept: application/json");
}

static gboolean
setup_curl (CopubHttp *client)
{
  const CopubHttpOptions *o = &client->options;
  CURL *c = client->curl;
  CURLcode rc = CURLE_OK;

  /* Each call is checked through rc; the first failure sticks. */
#define SET(opt, val) (rc = rc != CURLE_OK ? rc : curl_easy_setopt (c, opt, val))
  SET (CURLOPT_NOSIGNAL, 1L);
  SET (CURLOPT_PROTOCOLS_STR, "http,https");
  SET (CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  SET (CURLOPT_FOLLOWLOCATION, 1L);
  SET (CURLOPT_MAXREDIRS, 5L);
  SET (CURLOPT_ACCEPT_ENCODING, "");
  SET (CURLOPT_TCP_KEEPALIVE, 1L);
  SET (CURLOPT_USERAGENT, client->user_agent);
  SET (CURLOPT_HTTPHEADER, client->headers);
  SET (CURLOPT_CONNECTTIMEOUT_MS, (long) o->connect_timeout_ms);
  SET (CURLOPT_TIMEOUT_MS, (long) o->timeout_ms);
  SET (CURLOPT_LOW_SPEED_LIMIT, (long) o->low_speed_bytes);
  SET (CURLOPT_LOW_SPEED_TIME, (long) o->low_speed_seconds);
  SET (CURLOPT_WRITEFUNCTION, on_body);
  SET (CURLOPT_WRITEDATA, client);
  SET (CURLOPT_ERRORBUFFER, client->errbuf);
#undef SET
  return rc == CURLE_OK;
}

CopubHttp *
copub_http_new (const CopubHttpOptions *options, GError **error)
{
  static GOnce curl_once = G_ONCE_INIT;
  const CopubHttpOptions defaults = COPUB_HTTP_OPTIONS_INIT;
  g_autoptr(CopubHttp) client = NULL;

  if (options == NULL)
    options = &defaults;
  if (!check_options (options, error))
    return NULL;
  if (!GPOINTER_TO_INT (g_once (&curl_once, init_curl, NULL)))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "http: libcurl failed to start");
      return NULL;
    }
  client = g_new0 (CopubHttp, 1);
  client->options = *options;
  client->options.user_agent = client->options.mailto = NULL;
  client->options.headers = client->options.secrets = NULL;
  client->secrets = g_ptr_array_new_with_free_func (g_free);
  for (gsize i = 0; options->secrets != NULL && options->secrets[i] != NULL; i++)
    add_secret (client, options->secrets[i]);
  client->user_agent = make_user_agent (options);
  client->limiter = options->rate_limiter ? copub_rate_limiter_ref (options->rate_limiter)
                                          : NULL;
  client->rand = g_rand_new ();
  client->body = g_byte_array_new ();
  client->curl = curl_easy_init ();
  if (client->curl == NULL || !setup_headers (client, options) || !setup_curl (client))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "http: cannot set up libcurl");
      return NULL;
    }
  return g_steal_pointer (&client);
}

void
copub_http_free (CopubHttp *client)
{
  if (client == NULL)
    return;
  if (client->curl != NULL)
    curl_easy_cleanup (client->curl);
  curl_slist_free_all (client->headers);
  g_free (client->user_agent);
  g_ptr_array_unref (client->secrets);
  copub_rate_limiter_unref (client->limiter);
  if (client->rand != NULL)
    g_rand_free (client->rand);
  if (client->body != NULL)
    g_byte_array_unref (client->body);
  g_free (client);
}

void
copub_http_response_free (CopubHttpResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->content_type);
  g_free (response->url);
  g_free (response);
}

/* ---- One attempt ------------------------------------------------------------------------- */

/* What one attempt brought back. */
typedef struct {
  CURLcode code;
  long status;
  GBytes *body;
  char *content_type;
  char *curl_message; /* lower-cased libcurl error, when code != CURLE_OK */
  gint64 retry_after_s;
  gint64 rl_limit, rl_remaining, rl_used, rl_reset;
} Attempt;

static void
attempt_clear (Attempt *a)
{
  g_clear_pointer (&a->body, g_bytes_unref);
  g_clear_pointer (&a->content_type, g_free);
  g_clear_pointer (&a->curl_message, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Attempt, attempt_clear)

static const char *
header_value (CURL *curl, const char *name)
{
  struct curl_header *h = NULL;

  if (curl_easy_header (curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == NULL)
    return NULL;
  return h->value;
}

static gint64
header_int (CURL *curl, const char *name)
{
  const char *value = header_value (curl, name);
  char *end = NULL;
  gint64 n;

  if (value == NULL)
    return -1;
  n = g_ascii_strtoll (value, &end, 10);
  if (end == value || n < 0)
    return -1;
  return n;
}

/* Retry-After is delta-seconds or an HTTP date; -1 when absent or unreadable. */
static gint64
header_retry_after (CURL *curl)
{
  const char *value = header_value (curl, "Retry-After");
  char *end = NULL;
  gint64 n;
  time_t when;

  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_isdigit (*value))
    {
      n = g_ascii_strtoll (value, &end, 10);
      return end != value ? MIN (n, G_MAXINT32) : -1;
    }
  when = curl_getdate (value, NULL);
  if (when < 0)
    return -1;
  n = (gint64) when - g_get_real_time () / G_USEC_PER_SEC;
  return CLAMP (n, 0, G_MAXINT32);
}

static void
read_headers (CopubHttp *client, Attempt *a)
{
  CURL *c = client->curl;
  char *ctype = NULL;

  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &a->status);
  if (curl_easy_getinfo (c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype != NULL)
    a->content_type = g_strdup (ctype);
  a->retry_after_s = header_retry_after (c);
  a->rl_limit = header_int (c, "X-RateLimit-Limit");
  a->rl_remaining = header_int (c, "X-RateLimit-Remaining");
  a->rl_used = header_int (c, "X-RateLimit-Credits-Used");
  a->rl_reset = header_int (c, "X-RateLimit-Reset");
}

static void
perform (CopubHttp *client, const char *url, Attempt *a)
{
  const char *msg;

  g_byte_array_set_size (client->body, 0);
  client->body_too_big = FALSE;
  client->errbuf[0] = '\0';
  a->retry_after_s = a->rl_limit = a->rl_remaining = a->rl_used = a->rl_reset = -1;
  a->code = curl_easy_setopt (client->curl, CURLOPT_URL, url);
  if (a->code == CURLE_OK)
    a->code = curl_easy_perform (client->curl);
  read_headers (client, a);
  /* Hand the buffer over rather than copy it: pages run to megabytes. */
  a->body = g_byte_array_free_to_bytes (client->body);
  client->body = g_byte_array_new ();
  if (a->code == CURLE_OK)
    return;
  msg = client->errbuf[0] != '\0' ? client->errbuf : curl_easy_strerror (a->code);
  a->curl_message = g_strdup (msg);
  a->curl_message[0] = g_ascii_tolower (a->curl_message[0]);
  g_strchomp (a->curl_message);
}

/* ---- Reading error bodies ---------------------------------------------------------------- */

/* One line, control characters flattened, at most QUOTE_MAX characters. */
static char *
one_line (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autoptr(GString) out = g_string_new (NULL);
  glong len = g_utf8_strlen (valid, -1);
  g_autofree char *cut = g_utf8_substring (valid, 0, MIN (len, QUOTE_MAX));

  for (const char *p = cut; *p != '\0'; p++)
    g_string_append_c (out, (guchar) *p < 0x20 ? ' ' : *p);
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (len > QUOTE_MAX)
    g_string_append (out, "...");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The API's own words from an error body: OpenAlex {"error","message"}, Solr
 * {"error":{"msg"}}. Sets @title to the "error" string when there is one. */
static char *
api_message (GBytes *body, char **title)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr(json_t) root = NULL;
  json_t *err, *msg;

  if (title != NULL)
    *title = NULL;
  if (data == NULL || size == 0 || size > ERROR_BODY_MAX)
    return NULL;
  root = json_loadb (data, size, 0, NULL);
  if (!json_is_object (root))
    return NULL;
  err = json_object_get (root, "error");
  if (title != NULL && json_is_string (err))
    *title = g_strdup (json_string_value (err));
  msg = json_object_get (root, "message");
  if (json_is_string (msg))
    return one_line (json_string_value (msg));
  if (json_is_object (err) && json_is_string (json_object_get (err, "msg")))
    return one_line (json_string_value (json_object_get (err, "msg")));
  if (json_is_string (err))
    return one_line (json_string_value (err));
  return NULL;
}

/* ---- Deciding what an attempt means ------------------------------------------------------ */

typedef enum { VERDICT_OK, VERDICT_RETRY, VERDICT_FAIL } Verdict;

/* A transfer error worth another try: the network, not the request, went wrong. */
static gboolean
curl_code_retryable (CURLcode code)
{
  switch (code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
status_retryable (long status)
{
  return status == 403 || status == 408 || status == 429 || status == 500 || status == 502
         || status == 503 || status == 504;
}

/* "2026-03-03 00:00 UTC (in 5 h 12 min)" for a time @seconds from now, to the nearest
 * minute (a reset at midnight must not read 23:59). */
static char *
describe_reset (gint64 seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) at = g_date_time_add_seconds (now, (gdouble) seconds + 30);
  g_autofree char *when = g_date_time_format (at, "%Y-%m-%d %H:%M UTC");
  gint64 minutes = (seconds + 30) / 60;

  return g_strdup_printf ("%s (in %" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min)", when,
                          minutes / 60, minutes % 60);
}

static gint64
seconds_to_utc_midnight (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  return 86400 - now % 86400;
}

static void
set_budget_error (const char *rurl, const Attempt *a, const char *message, GError **error)
{
  gint64 reset = a->retry_after_s > 0   ? a->retry_after_s
                 : a->rl_reset > 0      ? a->rl_reset
                                        : seconds_to_utc_midnight ();
  g_autofree char *when = describe_reset (reset);

  g_set_error (error, COPUB_ERROR, COPUB_ERROR_RATE_LIMITED,
               "GET '%s': the API's daily budget is spent (HTTP 429%s%s%s); it resets at %s",
               rurl, message ? ": \"" : "", message ? message : "", message ? "\"" : "", when);
}

static gboolean
is_plan_upgrade (const char *title, const char *message)
{
  return (title != NULL && strstr (title, "Plan upgrade required") != NULL)
         || (message != NULL && strstr (message, "Plan upgrade required") != NULL);
}

static gboolean
is_budget_spent (CopubHttp *client, const Attempt *a, const char *message)
{
  if (a->retry_after_s >= 0 && (guint64) a->retry_after_s > client->options.max_retry_after_s)
    return TRUE;
  return message != NULL && (strstr (message, "Insufficient budget") != NULL
                             || strstr (message, "Insufficient credits") != NULL);
}

/* HTTP answers other than 2xx. Sets @reason (retry) or @error (fail). */
static Verdict
judge_status (CopubHttp *client, const CopubHttpRequest *request, const char *rurl,
              const Attempt *a, char **reason, GError **error)
{
  g_autofree char *title = NULL;
  g_autofree char *message = api_message (a->body, &title);

  if (a->status == 429 && is_budget_spent (client, a, message))
    {
      set_budget_error (rurl, a, message, error);
      return VERDICT_FAIL;
    }
  if (is_plan_upgrade (title, message))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK,
                   "GET '%s' failed: HTTP %ld: plan upgrade required: \"%s\"", rurl, a->status,
                   message ? message : "(no message)");
      return VERDICT_FAIL;
    }
  if (status_retryable (a->status))
    {
      if (a->retry_after_s >= 0 && (guint64) a->retry_after_s > client->options.max_retry_after_s)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK,
                       "GET '%s' failed: HTTP %ld and the server asks to wait %" G_GINT64_FORMAT
                       " s", rurl, a->status, a->retry_after_s);
          return VERDICT_FAIL;
        }
      *reason = message ? g_strdup_printf ("HTTP %ld: \"%s\"", a->status, message)
                        : g_strdup_printf ("HTTP %ld", a->status);
      return VERDICT_RETRY;
    }
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK, "GET '%s' failed: HTTP %ld%s%s%s", rurl,
               a->status, message ? ": \"" : "", message ? message : "", message ? "\"" : "");
  /* The caller may act on the answer (a key to ask for, a page size to lower). */
  if (request->failed_status != NULL)
    *request->failed_status = a->status;
  if (request->failed_message != NULL && message != NULL)
    {
      g_free (*request->failed_message);
      *request->failed_message = copub_http_redact (client, message);
    }
  return VERDICT_FAIL;
}

static Verdict
judge_body (const CopubHttpRequest *request, const Attempt *a, char **reason)
{
  g_autoptr(GError) local = NULL;

  if (request->validate == NULL || request->validate (a->body, request->validate_data, &local))
    return VERDICT_OK;
  *reason = g_strdup_printf ("invalid body (%s, %" G_GSIZE_FORMAT " bytes): %s",
                             a->content_type ? a->content_type : "no content type",
                             g_bytes_get_size (a->body), local ? local->message : "refused");
  return VERDICT_RETRY;
}

static Verdict
judge (CopubHttp *client, const CopubHttpRequest *request, const char *rurl, const Attempt *a,
       char **reason, GError **error)
{
  if (client->body_too_big)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK,
                   "GET '%s' failed: the answer is larger than %" G_GSIZE_FORMAT " bytes", rurl,
                   client->options.max_body_size);
      return VERDICT_FAIL;
    }
  if (a->code != CURLE_OK)
    {
      if (curl_code_retryable (a->code))
        {
          *reason = g_strdup (a->curl_message);
          return VERDICT_RETRY;
        }
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK, "GET '%s' failed: %s", rurl,
                   a->curl_message);
      return VERDICT_FAIL;
    }
  if (a->status >= 200 && a->status < 300)
    return judge_body (request, a, reason);
  if (request->not_found_ok && (a->status == 404 || a->status == 410))
    return VERDICT_OK;
  return judge_status (client, request, rurl, a, reason, error);
}

/* ---- The retry loop ---------------------------------------------------------------------- */

static gint64
backoff_us (CopubHttp *client, guint attempt)
{
  double cap = client->options.retry_base_ms;

  for (guint i = 1; i < attempt && cap < client->options.retry_max_ms; i++)
    cap *= 2;
  cap = MIN (cap, (double) client->options.retry_max_ms);
  /* Full jitter: clients that failed together do not come back together. */
  return (gint64) (g_rand_double_range (client->rand, 0, cap) * 1000);
}

/* Waits before the next attempt; returns the time waited in microseconds. With a shared
 * limiter, a Retry-After holds every client back, not only this one. */
static gint64
wait_before_retry (CopubHttp *client, const Attempt *a, guint attempt)
{
  gint64 delay;

  if (a->retry_after_s >= 0 && a->code == CURLE_OK)
    {
      delay = a->retry_after_s * G_USEC_PER_SEC;
      if (client->limiter != NULL)
        {
          copub_rate_limiter_pause (client->limiter, (double) a->retry_after_s);
          return 0; /* the limiter's wait does the sleeping */
        }
    }
  else
    delay = backoff_us (client, attempt);
  if (delay > 0)
    g_usleep ((gulong) delay);
  return delay;
}

static CopubHttpResponse *
make_response (CopubHttp *client, Attempt *a, guint attempts)
{
  CopubHttpResponse *r = g_new0 (CopubHttpResponse, 1);
  char *url = NULL;

  r->status = a->status;
  r->body = g_steal_pointer (&a->body);
  r->content_type = g_steal_pointer (&a->content_type);
  curl_easy_getinfo (client->curl, CURLINFO_EFFECTIVE_URL, &url);
  r->url = copub_http_redact (client, url);
  r->retry_after_s = a->retry_after_s;
  r->ratelimit_limit = a->rl_limit;
  r->ratelimit_remaining = a->rl_remaining;
  r->ratelimit_credits_used = a->rl_used;
  r->ratelimit_reset_s = a->rl_reset;
  r->attempts = attempts;
  return r;
}

/* Secrets can come back inside the API's own messages: clean the error as a whole. */
static void
redact_error (CopubHttp *client, GError *error)
{
  char *clean;

  if (error == NULL)
    return;
  clean = copub_http_redact (client, error->message);
  g_free (error->message);
  error->message = clean;
}

static gboolean
get_loop (CopubHttp *client, const char *url, const CopubHttpRequest *request,
          CopubHttpResponse **out, GError **error)
{
  g_autofree char *rurl = copub_http_redact (client, url);
  gint64 start = g_get_monotonic_time ();
  gint64 waited = 0;

  for (guint attempt = 1;; attempt++)
    {
      g_auto(Attempt) a = { 0 };
      g_autofree char *reason = NULL;
      Verdict verdict;

      if (client->limiter != NULL)
        waited += copub_rate_limiter_wait (client->limiter);
      g_debug ("GET %s (attempt %u)", rurl, attempt);
      perform (client, url, &a);
      verdict = judge (client, request, rurl, &a, &reason, error);
      if (verdict == VERDICT_FAIL)
        return FALSE;
      if (verdict == VERDICT_OK)
        {
          *out = make_response (client, &a, attempt);
          (*out)->wait_seconds = (double) waited / G_USEC_PER_SEC;
          (*out)->elapsed_seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
          return TRUE;
        }
      if (attempt >= client->options.max_attempts)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK,
                       "GET '%s' failed after %u attempt%s: %s", rurl, attempt,
                       attempt == 1 ? "" : "s", reason);
          return FALSE;
        }
      copub_note (client->options.callbacks, COPUB_NOTE_INFO,
                  "GET '%s': %s; retrying (attempt %u of %u)", rurl, reason, attempt + 1,
                  client->options.max_attempts);
      waited += wait_before_retry (client, &a, attempt);
    }
}

gboolean
copub_http_get_full (CopubHttp *client, const char *url, const CopubHttpRequest *request,
                     CopubHttpResponse **out, GError **error)
{
  const CopubHttpRequest defaults = COPUB_HTTP_REQUEST_INIT;
  GError *local = NULL;

  g_return_val_if_fail (client != NULL && url != NULL && out != NULL, FALSE);
  if (request == NULL)
    request = &defaults;
  if (get_loop (client, url, request, out, &local))
    return TRUE;
  redact_error (client, local);
  g_propagate_error (error, local);
  return FALSE;
}

gboolean
copub_http_get (CopubHttp *client, const char *url, CopubHttpResponse **out, GError **error)
{
  return copub_http_get_full (client, url, NULL, out, error);
}

/* ---- Validators -------------------------------------------------------------------------- */

gboolean
copub_http_validate_json (GBytes *body, gpointer user_data, GError **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  json_error_t jerr;
  g_autoptr(json_t) root = NULL;

  (void) user_data;
  if (data == NULL || size == 0)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "empty body, expected JSON");
      return FALSE;
    }
  root = json_loadb (data, size, JSON_ALLOW_NUL, &jerr);
  if (root == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "invalid JSON at line %d column %d: %s",
                   jerr.line, jerr.column, jerr.text);
      return FALSE;
    }
  return TRUE;
}
