/* copub: the error domain shared by every module, and how its codes map to exit statuses. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define COPUB_ERROR (copub_error_quark ())

/* Error codes callers act on. The CLI maps them to exit statuses with
 * copub_error_exit_status(). */
typedef enum {
  COPUB_ERROR_FAILED,       /* anything else: exit 1 */
  COPUB_ERROR_USAGE,        /* bad option, bad config value: exit 2 */
  COPUB_ERROR_NETWORK,      /* connection, HTTP or API failure: exit 3 */
  COPUB_ERROR_RATE_LIMITED, /* the API's budget is spent: exit 3 */
  COPUB_ERROR_PARSE,        /* malformed input data: exit 4 */
  COPUB_ERROR_DB,           /* the store failed: exit 1 */
  COPUB_ERROR_CHILD,        /* a child process (gnuplot) failed: exit 1 */
  COPUB_ERROR_IO,           /* reading or writing a file failed: exit 1 */
  COPUB_ERROR_LOCKED,       /* another run holds the lock: exit 5 */
} CopubErrorCode;

/* Exit statuses promised by the CLI. */
enum {
  COPUB_EXIT_OK = 0,
  COPUB_EXIT_ERROR = 1,
  COPUB_EXIT_USAGE = 2,
  COPUB_EXIT_NETWORK = 3,
  COPUB_EXIT_DATA = 4,
  COPUB_EXIT_LOCKED = 5,
};

GQuark copub_error_quark (void);

/* The exit status for @error: errors of other domains count as COPUB_EXIT_ERROR,
 * except GOptionError, which is a usage error. */
int copub_error_exit_status (const GError *error);

G_END_DECLS
