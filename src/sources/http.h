/* copub: the HTTP layer the fetch commands share. A client (one libcurl easy handle, so one
 * kept-alive connection per client) that retries what is worth retrying, stops on what is not,
 * never lets an API key reach an error or a log, and a rate limiter shared between clients. */
#pragma once

#include <glib.h>

#include "copub/callbacks.h"

G_BEGIN_DECLS

/* ---- Rate limiter ------------------------------------------------------------------------ */

/* At most N requests per second over every client that shares it, and a pause that holds
 * every one of them back (after a 429 or 503 with Retry-After). Thread-safe; refcounted
 * because several clients, each on its own thread, hold it. */
typedef struct _CopubRateLimiter CopubRateLimiter;

/* A limiter allowing @per_second requests per second, spaced evenly (no bursts); @per_second
 * <= 0 means no limit, but pauses still apply. Free with copub_rate_limiter_unref(). */
CopubRateLimiter *copub_rate_limiter_new (double per_second);
/* Takes a reference; returns @limiter. */
CopubRateLimiter *copub_rate_limiter_ref (CopubRateLimiter *limiter);
/* Drops a reference; NULL-safe. */
void copub_rate_limiter_unref (CopubRateLimiter *limiter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubRateLimiter, copub_rate_limiter_unref)

/* The configured rate in requests per second (0 when unlimited). */
double copub_rate_limiter_get_rate (CopubRateLimiter *limiter);
/* Blocks until the caller may send one request; returns the time waited, in microseconds. */
gint64 copub_rate_limiter_wait (CopubRateLimiter *limiter);
/* Holds every caller of copub_rate_limiter_wait() back for @seconds from now (a longer pause
 * already in force is kept). */
void copub_rate_limiter_pause (CopubRateLimiter *limiter, double seconds);

/* ---- Client ------------------------------------------------------------------------------ */

/* Checks a 2xx body before copub_http_get() accepts it: returns FALSE with @error set when the
 * body is not what the caller expects (cut short, not JSON, an HTML challenge page...); the
 * request is then retried like a network fault. It may also parse the body and keep the result
 * in @user_data, so that a page is parsed once. It is called once per attempt. */
typedef gboolean (*CopubHttpValidateFunc) (GBytes *body, gpointer user_data, GError **error);

/* Client options. Start from COPUB_HTTP_OPTIONS_INIT and change what you need; strings are
 * copied by copub_http_new(). */
typedef struct {
  const char *user_agent;       /* NULL: "copub/VERSION", or "copub/VERSION (mailto:M)" */
  const char *mailto;           /* contact address for the user agent, or NULL */
  const char *const *headers;   /* extra request headers ("Name: value"), NULL-terminated;
                                 * "Accept: application/json" is sent unless one is given */
  guint connect_timeout_ms;     /* per attempt; 0: libcurl's default */
  guint timeout_ms;             /* whole transfer, per attempt; 0: none */
  guint low_speed_bytes;        /* a transfer slower than this many bytes/s ... */
  guint low_speed_seconds;      /* ... for this many seconds is a stall (0: no check) */
  gsize max_body_size;          /* a larger body is an error, never retried; 0: no cap */
  guint max_attempts;           /* attempts per request, first one included (>= 1) */
  guint retry_base_ms;          /* backoff: attempt n waits U(0, min(max, base * 2^(n-1))) */
  guint retry_max_ms;
  guint max_retry_after_s;      /* a Retry-After longer than this is not waited for: a 429
                                 * then means the daily budget is spent (RATE_LIMITED) */
  CopubRateLimiter *rate_limiter; /* shared limiter or NULL; the client takes a reference */
  const char *const *secrets;   /* strings never to show (API keys), NULL-terminated */
  const CopubCallbacks *callbacks; /* a note for each retry, or NULL; must outlive the client */
} CopubHttpOptions;

#define COPUB_HTTP_OPTIONS_INIT                                                               \
  {                                                                                           \
    .user_agent = NULL, .mailto = NULL, .headers = NULL, .connect_timeout_ms = 15000,         \
    .timeout_ms = 300000, .low_speed_bytes = 100, .low_speed_seconds = 60,                    \
    .max_body_size = 64 * 1024 * 1024, .max_attempts = 5, .retry_base_ms = 1000,              \
    .retry_max_ms = 60000, .max_retry_after_s = 3600, .rate_limiter = NULL, .secrets = NULL,  \
    .callbacks = NULL,                                                                        \
  }

/* Per-request options; COPUB_HTTP_REQUEST_INIT gives the defaults. */
typedef struct {
  CopubHttpValidateFunc validate; /* body check for 2xx answers, or NULL */
  gpointer validate_data;
  gboolean not_found_ok;          /* 404 and 410 are answers (returned), not errors */
  long *failed_status;            /* or NULL: the HTTP status of an answer the request failed
                                   * on (401, 400...), left alone otherwise */
  char **failed_message;          /* or NULL: that answer's "message" (redacted; free it) */
} CopubHttpRequest;

#define COPUB_HTTP_REQUEST_INIT                                                               \
  { .validate = NULL, .validate_data = NULL, .not_found_ok = FALSE, .failed_status = NULL,    \
    .failed_message = NULL }

/* What a successful request brings back. Header fields are -1 when the header was absent. */
typedef struct {
  long status;                  /* final HTTP status, after redirects: 2xx (or 404/410) */
  GBytes *body;                 /* decoded body (gzip undone), never NULL */
  char *content_type;           /* Content-Type, or NULL */
  char *url;                    /* effective URL after redirects, secrets redacted */
  gint64 retry_after_s;         /* Retry-After in seconds (an HTTP date is converted) */
  gint64 ratelimit_limit;       /* X-RateLimit-Limit */
  gint64 ratelimit_remaining;   /* X-RateLimit-Remaining */
  gint64 ratelimit_credits_used; /* X-RateLimit-Credits-Used */
  gint64 ratelimit_reset_s;     /* X-RateLimit-Reset: seconds until the budget resets */
  guint attempts;               /* attempts made, the successful one included */
  double wait_seconds;          /* time spent waiting: rate limiter, Retry-After, backoff */
  double elapsed_seconds;       /* whole call, waits included */
} CopubHttpResponse;

void copub_http_response_free (CopubHttpResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubHttpResponse, copub_http_response_free)

/* One client per thread (or per parallel job): it is not thread-safe, but clients may share a
 * CopubRateLimiter. Connections are kept alive between requests of one client. */
typedef struct _CopubHttp CopubHttp;

/* A client; @options NULL means COPUB_HTTP_OPTIONS_INIT. Returns NULL with @error set
 * (COPUB_ERROR_USAGE) on invalid options or when libcurl cannot start. */
CopubHttp *copub_http_new (const CopubHttpOptions *options, GError **error);
/* NULL-safe. */
void copub_http_free (CopubHttp *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubHttp, copub_http_free)

/* GET @url (http or https only; redirects followed; gzip accepted) and store the answer in
 * @out (owned by the caller) on success. Retries with backoff on timeouts, connection
 * failures, cut transfers, HTTP 403, 408, 429, 500, 502, 503 and 504 (Retry-After honoured)
 * and bodies the validator refuses, up to max_attempts. Errors, all naming the redacted URL:
 *  - COPUB_ERROR_RATE_LIMITED: a 429 saying the daily budget is spent ("Insufficient budget",
 *    or Retry-After over max_retry_after_s); the message says when it resets (UTC, and in how
 *    long). Not retried.
 *  - COPUB_ERROR_NETWORK: anything else: retries exhausted, "Plan upgrade required" (not
 *    retried), other 4xx (not retried; the API's "message" is quoted), body over the cap. */
gboolean copub_http_get (CopubHttp *client, const char *url, CopubHttpResponse **out,
                         GError **error);
/* The same with per-request options (@request NULL: defaults). */
gboolean copub_http_get_full (CopubHttp *client, const char *url, const CopubHttpRequest *request,
                              CopubHttpResponse **out, GError **error);

/* A copy of @text (a URL, or a message holding URLs) with the values of api_key / api-key
 * query parameters and every configured secret (raw or URL-escaped) replaced by "***".
 * @client may be NULL (parameters only). Free with g_free(). */
char *copub_http_redact (CopubHttp *client, const char *text);

/* A ready-made CopubHttpValidateFunc: the body must be one complete JSON document
 * (COPUB_ERROR_PARSE otherwise, saying where it breaks). @user_data is ignored. */
gboolean copub_http_validate_json (GBytes *body, gpointer user_data, GError **error);

G_END_DECLS
