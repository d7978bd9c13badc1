/* copub: the error domain shared by every module. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define COPUB_ERROR (copub_error_quark ())

/* Error codes callers act on (a program maps them to its exit statuses). */
typedef enum {
  COPUB_ERROR_FAILED,       /* anything else */
  COPUB_ERROR_USAGE,        /* bad option, bad config value */
  COPUB_ERROR_NETWORK,      /* connection, HTTP or API failure */
  COPUB_ERROR_RATE_LIMITED, /* the API's budget is spent */
  COPUB_ERROR_PARSE,        /* malformed input data */
  COPUB_ERROR_DB,           /* the store failed */
  COPUB_ERROR_CHILD,        /* a child process (gnuplot) failed */
  COPUB_ERROR_IO,           /* reading or writing a file failed */
  COPUB_ERROR_LOCKED,       /* another run holds the lock */
  COPUB_ERROR_INCOMPLETE,   /* the store is not what the source counts */
} CopubErrorCode;

GQuark copub_error_quark (void);

/* A COPUB_ERROR_USAGE error about one option names it, by the name of its field in
 * the options struct ("institution", "since", "window", "partners"), or "keys" for a
 * configuration whose groups or keys are wrong (copub_config_reference() lists them):
 * a program can then say which of its own options or settings to change. NULL when
 * the error is about no option in particular, or is not of the COPUB_ERROR domain. */
const char *copub_error_get_option (const GError *error);
/* Sets the option @error (of the COPUB_ERROR domain) is about; does nothing for NULL. */
void copub_error_set_option (GError *error, const char *option);

G_END_DECLS
