/* copub: tests of the HTTP layer against the local test API server (scripts/test-api-server),
 * started once per test with the fixture corpora of fixtures/api/. Run from the source tree
 * top. */
#include "copub/error.h"
#include "sources/http.h"
#include "testlib.h"

#include <jansson.h>
#include <string.h>

#define KEY "s3cr3t+KEY/42"
#define KEY_ESCAPED "s3cr3t%2BKEY%2F42"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

static void
quick_options (CopubHttpOptions *o)
{
  static const char *const secrets[] = { KEY, NULL };
  const CopubHttpOptions init = COPUB_HTTP_OPTIONS_INIT;

  *o = init;
  o->retry_base_ms = 10;
  o->retry_max_ms = 50;
  o->timeout_ms = 10000;
  o->secrets = secrets;
}

/* A client with small delays, so that retries cost milliseconds (@options NULL: those of
 * quick_options()). */
static CopubHttp *
quick_client (CopubHttpOptions *options)
{
  CopubHttpOptions defaults;
  g_autoptr(GError) error = NULL;
  CopubHttp *client;

  quick_options (&defaults);
  client = copub_http_new (options != NULL ? options : &defaults, &error);
  g_assert_no_error (error);
  return client;
}

static gsize
server_requests (TestlibServer *s)
{
  g_autoptr(json_t) log = testlib_server_log (s);

  return json_array_size (log);
}

static double
entry_time (json_t *log, gsize i)
{
  return json_real_value (json_object_get (json_array_get (log, i), "t"));
}

static gint64
entry_status (json_t *log, gsize i)
{
  return json_integer_value (json_object_get (json_array_get (log, i), "status"));
}

#define WORKS_PAGE "/works?filter=authorships.institutions.lineage:I90183372&per_page=5"
#define WORKS_KEYED WORKS_PAGE "&api_key=" KEY_ESCAPED "&mailto=test@example.org"

/* ---- plain GET ------------------------------------------------------------------------------ */

static void
test_get_gzip_keepalive (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autofree char *url = testlib_server_url (s, WORKS_KEYED);
  g_autoptr(json_t) log = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(CopubHttpResponse) r = NULL;
      g_autoptr(json_t) page = NULL;

      g_assert_true (copub_http_get (client, url, &r, &error));
      g_assert_no_error (error);
      if (r == NULL)
        return;
      g_assert_cmpint (r->status, ==, 200);
      g_assert_cmpuint (r->attempts, ==, 1);
      g_assert_cmpstr (r->content_type, ==, "application/json");
      page = json_loadb (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), 0, NULL);
      g_assert_cmpint (json_array_size (json_object_get (page, "results")), ==, 5);
      g_assert_cmpint (r->ratelimit_limit, ==, 100000);
      g_assert_cmpint (r->ratelimit_remaining, ==, 100000 - (i + 1));
      g_assert_cmpint (r->ratelimit_credits_used, ==, 1);
      g_assert_cmpint (r->ratelimit_reset_s, >, 0);
      g_assert_cmpint (r->ratelimit_reset_s, <=, 86400);
      g_assert_cmpint (r->retry_after_s, ==, -1);
      /* The URL handed back is safe to print. */
      g_assert_null (strstr (r->url, "s3cr3t"));
      g_assert_nonnull (strstr (r->url, "api_key=***"));
    }
  log = testlib_server_log (s);
  g_assert_cmpint (json_array_size (log), ==, 3);
  for (gsize i = 0; i < json_array_size (log); i++)
    {
      json_t *e = json_array_get (log, i);

      g_assert_true (json_is_true (json_object_get (e, "gzip")));
      /* Keep-alive: one connection for the three requests. */
      g_assert_cmpint (json_integer_value (json_object_get (e, "conn")), ==,
                       json_integer_value (json_object_get (json_array_get (log, 0), "conn")));
    }
}

static void
test_user_agent (TestlibServer *s, gconstpointer data)
{
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, "/works/W4200000001");
  g_autoptr(json_t) log = NULL;

  (void) data;
  quick_options (&o);
  o.mailto = "team@example.org";
  client = quick_client (&o);
  g_assert_true (copub_http_get (client, url, &r, &error));
  g_assert_no_error (error);
  log = testlib_server_log (s);
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (log, 0), "ua")), ==,
                   "copub/" COPUB_VERSION " (mailto:team@example.org)");
}

static void
test_redirect (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, "/works/W4200000001?api_key=" KEY_ESCAPED);
  g_autoptr(json_t) work = NULL;

  (void) data;
  testlib_server_control (s, "redirect=W4200000001:W4200000002");
  g_assert_true (copub_http_get (client, url, &r, &error));
  g_assert_no_error (error);
  if (r == NULL)
    return;
  g_assert_cmpint (r->status, ==, 200);
  work = json_loadb (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), 0, NULL);
  g_assert_cmpstr (json_string_value (json_object_get (work, "id")), ==,
                   "https://openalex.org/W4200000002");
  g_assert_nonnull (strstr (r->url, "/works/W4200000002"));
  g_assert_null (strstr (r->url, "s3cr3t"));
}

/* ---- retries -------------------------------------------------------------------------------- */

/* One GET that should succeed after @attempts attempts. */
static void
get_ok (TestlibServer *s, CopubHttp *client, const char *path_query, const CopubHttpRequest *req,
        guint attempts)
{
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, path_query);

  g_assert_true (copub_http_get_full (client, url, req, &r, &error));
  g_assert_no_error (error);
  if (r == NULL)
    return;
  g_assert_cmpint (r->status, ==, 200);
  g_assert_cmpuint (r->attempts, ==, attempts);
}

static void
test_retry_after_429 (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(json_t) log = NULL;

  (void) data;
  testlib_server_control (s, "fault=429&retry_after=1");
  get_ok (s, client, WORKS_KEYED, NULL, 2);
  log = testlib_server_log (s);
  g_assert_cmpint (json_array_size (log), ==, 2);
  g_assert_cmpint (entry_status (log, 0), ==, 429);
  /* Retry-After: 1 is honoured even though the backoff base is 10 ms. */
  g_assert_cmpfloat (entry_time (log, 1) - entry_time (log, 0), >=, 0.95);
  g_assert_cmpfloat (entry_time (log, 1) - entry_time (log, 0), <, 3.0);
}

static void
test_retry_after_503_date (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(json_t) log = NULL;

  (void) data;
  /* Retry-After as an HTTP date, 2 s ahead (whole seconds: 1 to 2 s of wait). */
  testlib_server_control (s, "fault=503&retry_after=2&retry_after_date=1");
  get_ok (s, client, WORKS_PAGE, NULL, 2);
  log = testlib_server_log (s);
  g_assert_cmpint (json_array_size (log), ==, 2);
  g_assert_cmpint (entry_status (log, 0), ==, 503);
  g_assert_cmpfloat (entry_time (log, 1) - entry_time (log, 0), >=, 0.9);
}

static void
test_retry_server_errors (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(json_t) log = NULL;
  const gint64 want[] = { 500, 502, 504, 403, 200 };

  (void) data;
  testlib_server_control (s, "fault=500");
  testlib_server_control (s, "fault=502");
  testlib_server_control (s, "fault=504");
  testlib_server_control (s, "fault=403");
  get_ok (s, client, WORKS_PAGE, NULL, 5);
  log = testlib_server_log (s);
  g_assert_cmpint (json_array_size (log), ==, 5);
  for (gsize i = 0; i < G_N_ELEMENTS (want) && i < json_array_size (log); i++)
    g_assert_cmpint (entry_status (log, i), ==, want[i]);
}

static void
test_retries_exhausted (TestlibServer *s, gconstpointer data)
{
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, WORKS_KEYED);

  (void) data;
  quick_options (&o);
  o.max_attempts = 3;
  client = quick_client (&o);
  testlib_server_control (s, "fault=503&count=all");
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  g_assert_null (r);
  if (error == NULL)
    return;
  g_test_message ("error: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "GET 'http://127.0.0.1:"));
  g_assert_nonnull (strstr (error->message, "api_key=***&mailto=test@example.org"));
  g_assert_nonnull (strstr (error->message, "' failed after 3 attempts: HTTP 503"));
  g_assert_null (strstr (error->message, "s3cr3t"));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_cmpint (server_requests (s), ==, 3);
}

static void
test_connection_reset (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, WORKS_PAGE);

  (void) data;
  testlib_server_control (s, "fault=reset");
  g_assert_true (copub_http_get (client, url, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (server_requests (s), ==, 2);
  /* Reset every time: the failure says so. */
  testlib_server_control (s, "fault=reset&count=all");
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    {
      g_test_message ("error: %s", error->message);
      g_assert_nonnull (strstr (error->message, "failed after 5 attempts"));
    }
}

static void
test_truncated_body (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  CopubHttpRequest req = COPUB_HTTP_REQUEST_INIT;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, WORKS_PAGE);

  (void) data;
  /* Content-Length promises more than comes: libcurl sees it, retried. */
  testlib_server_control (s, "fault=truncate");
  get_ok (s, client, WORKS_PAGE, NULL, 2);

  /* A complete HTTP answer whose JSON is cut: only a validator can tell. */
  testlib_server_control (s, "fault=cut-json");
  g_assert_true (copub_http_get (client, url, &r, &error));
  g_assert_false (copub_http_validate_json (r->body, NULL, NULL));
  g_clear_pointer (&r, copub_http_response_free);

  req.validate = copub_http_validate_json;
  testlib_server_control (s, "fault=cut-json");
  get_ok (s, client, WORKS_PAGE, &req, 2);
}

static void
test_slow_answer_timeout (TestlibServer *s, gconstpointer data)
{
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, WORKS_PAGE);

  (void) data;
  quick_options (&o);
  o.timeout_ms = 500;
  o.max_attempts = 2;
  client = quick_client (&o);
  testlib_server_control (s, "fault=slow&seconds=1.5");
  get_ok (s, client, WORKS_PAGE, NULL, 2);

  testlib_server_control (s, "fault=slow&seconds=1&count=all");
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    {
      g_test_message ("error: %s", error->message);
      g_assert_nonnull (strstr (error->message, "failed after 2 attempts: operation timed out"));
    }
}

static void
test_invalid_json (TestlibServer *s, gconstpointer data)
{
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  CopubHttpRequest req = COPUB_HTTP_REQUEST_INIT;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, WORKS_KEYED);

  (void) data;
  quick_options (&o);
  o.max_attempts = 3;
  client = quick_client (&o);
  req.validate = copub_http_validate_json;

  /* An anti-bot page once, then the real answer. */
  testlib_server_control (s, "fault=html");
  get_ok (s, client, WORKS_PAGE, &req, 2);

  testlib_server_control (s, "reset_stats=1&fault=invalid-json&count=all");
  g_assert_false (copub_http_get_full (client, url, &req, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    {
      g_test_message ("error: %s", error->message);
      g_assert_nonnull (strstr (error->message, "/works?filter="));
      g_assert_nonnull (strstr (error->message, "failed after 3 attempts: invalid body "
                                                "(application/json"));
      g_assert_nonnull (strstr (error->message, "invalid JSON at line 1"));
      g_assert_null (strstr (error->message, "s3cr3t"));
    }
  g_assert_cmpint (server_requests (s), ==, 3);
}

/* ---- stop at once --------------------------------------------------------------------------- */

static void
test_budget_spent (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, WORKS_KEYED);

  (void) data;
  testlib_server_control (s, "fault=budget");
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_RATE_LIMITED);
  if (error != NULL)
    {
      g_test_message ("error: %s", error->message);
      g_assert_nonnull (strstr (error->message, "daily budget is spent"));
      g_assert_nonnull (strstr (error->message, "Insufficient budget"));
      g_assert_nonnull (strstr (error->message, "00:00 UTC (in "));
      g_assert_nonnull (strstr (error->message, " min)"));
      g_assert_null (strstr (error->message, "s3cr3t"));
    }
  g_assert_cmpint (server_requests (s), ==, 1);
  g_clear_error (&error);

  /* The budget running out for real: two list calls allowed, the third refused. */
  testlib_server_control (s, "reset_stats=1&daily_budget=2");
  g_assert_true (copub_http_get (client, url, &r, NULL));
  g_clear_pointer (&r, copub_http_response_free);
  g_assert_true (copub_http_get (client, url, &r, NULL));
  g_assert_cmpint (r->ratelimit_remaining, ==, 0);
  g_clear_pointer (&r, copub_http_response_free);
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_RATE_LIMITED);
  g_assert_cmpint (server_requests (s), ==, 3);
  g_clear_error (&error);

  /* A per-second 429 whose Retry-After is two hours is not waited for either. */
  testlib_server_control (s, "reset_stats=1&daily_budget=none&fault=429&retry_after=7200");
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_RATE_LIMITED);
  if (error != NULL)
    g_assert_nonnull (strstr (error->message, "(in 2 h 0 min)"));
  g_assert_cmpint (server_requests (s), ==, 1);
}

static void
test_plan_upgrade (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, "/works?filter=from_updated_date:2024-01-01"
                                     "&api_key=" KEY_ESCAPED);

  (void) data;
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    {
      g_test_message ("error: %s", error->message);
      g_assert_nonnull (strstr (error->message, "failed: HTTP 429: plan upgrade required: "));
      g_assert_nonnull (strstr (error->message, "requires a Premium, Institutional, or Partner"));
      g_assert_null (strstr (error->message, "s3cr3t"));
    }
  g_assert_cmpint (server_requests (s), ==, 1);
}

static void
test_bad_request (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, "/works?per_page=500&api_key=" KEY_ESCAPED);
  g_autofree char *url2 = testlib_server_url (s, "/works?filter=no_such_filter:1");

  (void) data;
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    {
      g_test_message ("error: %s", error->message);
      g_assert_true (g_str_has_suffix (error->message, "' failed: HTTP 400: \"per-page "
                                                       "parameter must be between 1 and 200\""));
    }
  g_assert_cmpint (server_requests (s), ==, 1);
  g_clear_error (&error);

  /* Long API messages are cut, on one line. */
  g_assert_false (copub_http_get (client, url2, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    {
      g_assert_nonnull (strstr (error->message, "HTTP 400: \"no_such_filter is not a valid "
                                                "field."));
      g_assert_true (g_str_has_suffix (error->message, "...\""));
    }
  g_assert_cmpint (server_requests (s), ==, 2);
}

static void
test_not_found (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  CopubHttpRequest req = COPUB_HTTP_REQUEST_INIT;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, "/institutions/ror:00nosuch0");

  (void) data;
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    g_assert_nonnull (strstr (error->message, "failed: HTTP 404: \"'ror:00nosuch0' is not a "
                                              "known institution\""));
  req.not_found_ok = TRUE;
  g_assert_true (copub_http_get_full (client, url, &req, &r, NULL));
  if (r != NULL)
    g_assert_cmpint (r->status, ==, 404);
  g_assert_cmpint (server_requests (s), ==, 2);
}

static void
test_max_body (TestlibServer *s, gconstpointer data)
{
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = testlib_server_url (s, WORKS_PAGE);

  (void) data;
  quick_options (&o);
  o.max_body_size = 1024;
  client = quick_client (&o);
  g_assert_false (copub_http_get (client, url, &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error != NULL)
    g_assert_nonnull (strstr (error->message, "failed: the answer is larger than 1024 bytes"));
  g_assert_cmpint (server_requests (s), ==, 1);
}

static void
test_connection_refused (void)
{
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GError) error = NULL;

  quick_options (&o);
  o.max_attempts = 2;
  client = quick_client (&o);
  /* Port 1 on the loopback: nothing listens there. */
  g_assert_false (copub_http_get (client, "http://127.0.0.1:1/works?api_key=" KEY_ESCAPED,
                                  &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
  if (error == NULL)
    return;
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "GET 'http://127.0.0.1:1/works?api_key=***' failed "
                                            "after 2 attempts: failed to connect"));
  g_assert_null (strstr (error->message, "s3cr3t"));
  g_clear_error (&error);

  /* Not a protocol we speak: refused at once. */
  g_assert_false (copub_http_get (client, "file:///etc/passwd", &r, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK);
}

/* ---- redaction ------------------------------------------------------------------------------ */

static void
test_redact (void)
{
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  const struct {
    const char *in, *out;
  } cases[] = {
    { "https://api.openalex.org/works?api_key=abc&per_page=200",
      "https://api.openalex.org/works?api_key=***&per_page=200" },
    { "https://x/works?filter=a:b&API_KEY=abc", "https://x/works?filter=a:b&API_KEY=***" },
    { "https://x/works?api-key=abc#frag", "https://x/works?api-key=***#frag" },
    { "GET 'https://x/?a=1&apikey=zz' failed", "GET 'https://x/?a=1&apikey=***' failed" },
    { "https://x/works?my_api_key=keep", "https://x/works?my_api_key=keep" },
    { "https://x/" KEY "/works", "https://x/***/works" },
    { "https://x/works?token=" KEY_ESCAPED, "https://x/works?token=***" },
    { "no secrets here", "no secrets here" },
  };

  quick_options (&o);
  client = quick_client (&o);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = copub_http_redact (client, cases[i].in);

      g_assert_cmpstr (got, ==, cases[i].out);
    }
  /* Without a client, only the parameters. */
  {
    g_autofree char *got = copub_http_redact (NULL, "https://x/?api_key=" KEY);

    g_assert_cmpstr (got, ==, "https://x/?api_key=***");
  }
  g_assert_null (copub_http_redact (client, NULL));
}

static void
capture_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain;
  (void) level;
  g_string_append_printf (data, "%s\n", message);
}

static void
capture_note (CopubNoteLevel level, const char *message, void *data)
{
  (void) level;
  g_string_append_printf (data, "%s\n", message);
}

/* What -v and -vv would print: the retry notes (through the callbacks) and every attempt
 * (debug log), never the key. */
static void
test_logs_redacted (TestlibServer *s, gconstpointer data)
{
  CopubHttpOptions o;
  CopubCallbacks callbacks = { 0 };
  g_autoptr(CopubHttp) client = NULL;
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autoptr(GString) logged = g_string_new (NULL);
  g_autofree char *url = testlib_server_url (s, WORKS_KEYED);
  guint handler;

  (void) data;
  quick_options (&o);
  callbacks.note = capture_note;
  callbacks.user_data = logged;
  o.callbacks = &callbacks;
  client = quick_client (&o);
  testlib_server_control (s, "fault=503");
  handler = g_log_set_handler (NULL, G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, capture_log, logged);
  g_assert_true (copub_http_get (client, url, &r, NULL));
  g_log_remove_handler (NULL, handler);
  g_test_message ("logged: %s", logged->str);
  g_assert_nonnull (strstr (logged->str, "HTTP 503"));
  g_assert_nonnull (strstr (logged->str, "retrying (attempt 2 of 5)"));
  g_assert_nonnull (strstr (logged->str, "api_key=***"));
  g_assert_null (strstr (logged->str, "s3cr3t"));
}

static void
test_options_checked (void)
{
  CopubHttpOptions o = COPUB_HTTP_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  CopubHttp *client;

  o.max_attempts = 0;
  client = copub_http_new (&o, &error);
  g_assert_null (client);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  copub_http_free (client);
}

/* ---- rate limiting -------------------------------------------------------------------------- */

typedef struct {
  TestlibServer *server;
  CopubRateLimiter *limiter;
  gint64 until;
  guint ok, failed;
} Burst;

static gpointer
burst_thread (gpointer data)
{
  Burst *b = data;
  CopubHttpOptions o;
  g_autoptr(CopubHttp) client = NULL;
  g_autofree char *url = testlib_server_url (b->server, "/works/W4200000003");

  quick_options (&o);
  o.rate_limiter = b->limiter;
  client = copub_http_new (&o, NULL);
  while (client != NULL && g_get_monotonic_time () < b->until)
    {
      g_autoptr(CopubHttpResponse) r = NULL;

      if (copub_http_get (client, url, &r, NULL))
        g_atomic_int_inc (&b->ok);
      else
        g_atomic_int_inc (&b->failed);
    }
  return NULL;
}

/* Server side, in the server's clock: requests per second over the burst. */
static double
achieved_rate (json_t *log, gsize *n_429)
{
  gsize n = json_array_size (log);

  *n_429 = 0;
  for (gsize i = 0; i < n; i++)
    if (entry_status (log, i) == 429)
      (*n_429)++;
  if (n < 2)
    return 0;
  return (double) (n - 1) / (entry_time (log, n - 1) - entry_time (log, 0));
}

static void
test_rate_limiter_rate (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubRateLimiter) limiter = copub_rate_limiter_new (20);
  Burst b = { s, limiter, g_get_monotonic_time () + 2 * G_USEC_PER_SEC, 0, 0 };
  GThread *threads[3];
  g_autoptr(json_t) log = NULL;
  gsize n_429 = 0;
  double rate;

  (void) data;
  /* The server refuses more than 25/s: a limiter letting bursts through would be caught. */
  testlib_server_control (s, "rate=25");
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("burst", burst_thread, &b);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  log = testlib_server_log (s);
  rate = achieved_rate (log, &n_429);
  g_test_message ("3 clients, limiter at 20/s for 2 s: %zu requests, %.2f/s server-side "
                  "(%.1f%% of the rate), %zu refused",
                  json_array_size (log), rate, rate / 20 * 100, n_429);
  g_assert_cmpuint (b.failed, ==, 0);
  g_assert_cmpuint (n_429, ==, 0);
  /* A floor only against a stalled limiter: how close it comes to its rate is measured by
   * scripts/bench-fetch (>= 0.9 R); on a loaded machine the clients themselves lag. */
  g_assert_cmpfloat (rate, >=, 0.5 * 20);
  g_assert_cmpfloat (rate, <=, 1.05 * 20);
}

static void
test_rate_limiter_pause (void)
{
  g_autoptr(CopubRateLimiter) limiter = copub_rate_limiter_new (1000);
  gint64 start, waited;

  g_assert_cmpfloat (copub_rate_limiter_get_rate (limiter), ==, 1000);
  copub_rate_limiter_wait (limiter);
  copub_rate_limiter_pause (limiter, 0.3);
  /* A shorter pause does not shorten the one in force. */
  copub_rate_limiter_pause (limiter, 0.1);
  start = g_get_monotonic_time ();
  waited = copub_rate_limiter_wait (limiter);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 290000);
  g_assert_cmpint (waited, >=, 290000);
  /* Unlimited: no wait at all. */
  {
    g_autoptr(CopubRateLimiter) free_limiter = copub_rate_limiter_new (0);

    for (int i = 0; i < 100; i++)
      g_assert_cmpint (copub_rate_limiter_wait (free_limiter), <, 50000);
  }
}

/* A 429 seen by one client holds back every client sharing the limiter. */
static void
test_retry_after_pauses_everyone (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubRateLimiter) limiter = copub_rate_limiter_new (20);
  Burst b = { s, limiter, g_get_monotonic_time () + 2 * G_USEC_PER_SEC, 0, 0 };
  GThread *threads[2];
  g_autoptr(json_t) log = NULL;
  double t429 = -1, next = -1;

  (void) data;
  testlib_server_control (s, "fault=429&retry_after=1&skip=5");
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("burst", burst_thread, &b);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  log = testlib_server_log (s);
  for (gsize i = 0; i < json_array_size (log); i++)
    {
      if (t429 < 0 && entry_status (log, i) == 429)
        t429 = entry_time (log, i);
      else if (t429 >= 0 && next < 0)
        next = entry_time (log, i);
    }
  g_test_message ("429 at %.3f s, next request at %.3f s", t429, next);
  g_assert_cmpuint (b.failed, ==, 0);
  g_assert_cmpfloat (t429, >=, 0);
  g_assert_cmpfloat (next - t429, >=, 0.95);
}

/* Without a client-side limiter, the server's own limit is met with Retry-After. */
static void
test_server_rate_limit (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(json_t) stats = NULL;
  json_t *by_status;

  (void) data;
  testlib_server_control (s, "rate=5");
  for (int i = 0; i < 8; i++)
    {
      g_autoptr(CopubHttpResponse) r = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *url = testlib_server_url (s, "/works/W4200000004");

      g_assert_true (copub_http_get (client, url, &r, &error));
      g_assert_no_error (error);
    }
  stats = testlib_server_json (s, "/_stats?log=0");
  by_status = json_object_get (stats, "by_status");
  g_assert_cmpint (json_integer_value (json_object_get (by_status, "200")), ==, 8);
  g_assert_cmpint (json_integer_value (json_object_get (by_status, "429")), >=, 1);
}

/* ---- paging through the server -------------------------------------------------------------- */

/* Walks a cursor over /works; returns the works seen, sets the requests made. */
static gsize
walk_openalex (TestlibServer *s, CopubHttp *client, int per_page, gsize *requests, gsize *truncated)
{
  g_autofree char *cursor = g_strdup ("*");
  gsize seen = 0;

  *requests = *truncated = 0;
  while (cursor != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (cursor, NULL, FALSE);
      g_autofree char *url = g_strdup_printf (
        "%s/works?filter=authorships.institutions.lineage:I90183372"
        "&select=id,authorships,is_authors_truncated&per_page=%d&cursor=%s",
        s->base, per_page, escaped);
      g_autoptr(CopubHttpResponse) r = NULL;
      g_autoptr(json_t) page = NULL;
      json_t *results, *next, *w;
      gsize i;

      if (!copub_http_get (client, url, &r, NULL) || ++*requests > 50)
        return 0;
      page = json_loadb (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), 0, NULL);
      results = json_object_get (page, "results");
      g_assert_cmpint (json_integer_value (json_object_get (json_object_get (page, "meta"),
                                                            "count")), ==, 71);
      json_array_foreach (results, i, w)
        {
          if (json_is_true (json_object_get (w, "is_authors_truncated")))
            {
              (*truncated)++;
              g_assert_cmpint (json_array_size (json_object_get (w, "authorships")), ==, 100);
            }
        }
      seen += json_array_size (results);
      next = json_object_get (json_object_get (page, "meta"), "next_cursor");
      g_free (cursor);
      /* The robust end rule: a null cursor or an empty page. */
      cursor = json_is_string (next) && json_array_size (results) > 0
                 ? g_strdup (json_string_value (next)) : NULL;
    }
  return seen;
}

static void
test_cursor_walk_openalex (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  gsize requests, truncated;

  (void) data;
  /* 71 works: per_page 25 ends on a short page, which ends the walk (new style) ... */
  g_assert_cmpint (walk_openalex (s, client, 25, &requests, &truncated), ==, 71);
  g_assert_cmpint (requests, ==, 3);
  g_assert_cmpint (truncated, ==, 1);
  /* ... or is followed by an empty one (old style). */
  testlib_server_control (s, "cursor_style=old");
  g_assert_cmpint (walk_openalex (s, client, 25, &requests, &truncated), ==, 71);
  g_assert_cmpint (requests, ==, 4);
  /* A full last page is followed by an empty page in both styles (71 = 1 page of 71). */
  g_assert_cmpint (walk_openalex (s, client, 71, &requests, &truncated), ==, 71);
  g_assert_cmpint (requests, ==, 2);
  testlib_server_control (s, "cursor_style=new");
  g_assert_cmpint (walk_openalex (s, client, 71, &requests, &truncated), ==, 71);
  g_assert_cmpint (requests, ==, 2);
}

static void
test_single_work_not_truncated (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autoptr(CopubHttpResponse) r = NULL;
  g_autofree char *url = testlib_server_url (s, "/works/https://openalex.org/W4200000071");
  g_autoptr(json_t) work = NULL;

  (void) data;
  g_assert_true (copub_http_get (client, url, &r, NULL));
  if (r == NULL)
    return;
  work = json_loadb (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), 0, NULL);
  g_assert_cmpint (json_array_size (json_object_get (work, "authorships")), ==, 120);
  g_assert_false (json_is_true (json_object_get (work, "is_authors_truncated")));
}

static void
test_institution_by_ror (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  const char *forms[] = { "/institutions/ror:04vfs2w97",
                          "/institutions/https://ror.org/04vfs2w97" };

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(CopubHttpResponse) r = NULL;
      g_autofree char *url = testlib_server_url (s, forms[i]);
      g_autoptr(json_t) inst = NULL;

      g_assert_true (copub_http_get (client, url, &r, NULL));
      if (r == NULL)
        continue;
      inst = json_loadb (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), 0, NULL);
      g_assert_cmpstr (json_string_value (json_object_get (inst, "id")), ==,
                       "https://openalex.org/I90183372");
    }
}

static void
test_cursor_walk_hal (TestlibServer *s, gconstpointer data)
{
  g_autoptr(CopubHttp) client = quick_client (NULL);
  g_autofree char *mark = g_strdup ("*");
  gint64 found = -1;
  gsize seen = 0, requests = 0;

  (void) data;
  for (;;)
    {
      g_autofree char *escaped = g_uri_escape_string (mark, NULL, FALSE);
      g_autofree char *url = g_strdup_printf (
        "%s/search/?q=*:*&fq=structId_i:413289&fq=publicationDateY_i:%%5B2016%%20TO%%202023%%5D"
        "&fl=docid,halId_s&rows=7&sort=docid%%20asc&cursorMark=%s&wt=json", s->base, escaped);
      g_autoptr(CopubHttpResponse) r = NULL;
      g_autoptr(json_t) answer = NULL;
      const char *next;

      if (!copub_http_get (client, url, &r, NULL) || ++requests > 20)
        break;
      answer = json_loadb (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), 0,
                           NULL);
      found = json_integer_value (json_object_get (json_object_get (answer, "response"),
                                                   "numFound"));
      seen += json_array_size (json_object_get (json_object_get (answer, "response"), "docs"));
      next = json_string_value (json_object_get (answer, "nextCursorMark"));
      if (next == NULL || strcmp (next, mark) == 0)
        break;
      g_free (mark);
      mark = g_strdup (next);
    }
  g_assert_cmpint (found, >, 7);
  g_assert_cmpint ((gint64) seen, ==, found);
  /* Every page with docs, then the one that echoes the mark back. */
  g_assert_cmpint ((gint64) requests, ==, (found + 6) / 7 + 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, fn) g_test_add ("/http/" path, TestlibServer, NULL, testlib_server_start, fn, \
                                testlib_server_stop)
  ADD ("get-gzip-keepalive", test_get_gzip_keepalive);
  ADD ("user-agent", test_user_agent);
  ADD ("redirect", test_redirect);
  ADD ("retry-after-429", test_retry_after_429);
  ADD ("retry-after-503-date", test_retry_after_503_date);
  ADD ("retry-server-errors", test_retry_server_errors);
  ADD ("retries-exhausted", test_retries_exhausted);
  ADD ("connection-reset", test_connection_reset);
  ADD ("truncated-body", test_truncated_body);
  ADD ("slow-answer-timeout", test_slow_answer_timeout);
  ADD ("invalid-json", test_invalid_json);
  ADD ("budget-spent", test_budget_spent);
  ADD ("plan-upgrade", test_plan_upgrade);
  ADD ("bad-request", test_bad_request);
  ADD ("not-found", test_not_found);
  ADD ("max-body", test_max_body);
  ADD ("logs-redacted", test_logs_redacted);
  ADD ("rate-limiter-rate", test_rate_limiter_rate);
  ADD ("retry-after-pauses-everyone", test_retry_after_pauses_everyone);
  ADD ("server-rate-limit", test_server_rate_limit);
  ADD ("cursor-walk-openalex", test_cursor_walk_openalex);
  ADD ("single-work-not-truncated", test_single_work_not_truncated);
  ADD ("institution-by-ror", test_institution_by_ror);
  ADD ("cursor-walk-hal", test_cursor_walk_hal);
#undef ADD
  g_test_add_func ("/http/connection-refused", test_connection_refused);
  g_test_add_func ("/http/redact", test_redact);
  g_test_add_func ("/http/options-checked", test_options_checked);
  g_test_add_func ("/http/rate-limiter-pause", test_rate_limiter_pause);
  return g_test_run ();
}
