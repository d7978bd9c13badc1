/* copub: the COPUB_ERROR domain and its mapping to exit statuses. */
#include "copub/error.h"

G_DEFINE_QUARK (copub-error-quark, copub_error)

int
copub_error_exit_status (const GError *error)
{
  if (error == NULL)
    return COPUB_EXIT_OK;
  if (error->domain == G_OPTION_ERROR)
    return COPUB_EXIT_USAGE;
  if (error->domain != COPUB_ERROR)
    return COPUB_EXIT_ERROR;

  switch ((CopubErrorCode) error->code)
    {
    case COPUB_ERROR_USAGE:
      return COPUB_EXIT_USAGE;
    case COPUB_ERROR_NETWORK:
    case COPUB_ERROR_RATE_LIMITED:
      return COPUB_EXIT_NETWORK;
    case COPUB_ERROR_PARSE:
      return COPUB_EXIT_DATA;
    case COPUB_ERROR_LOCKED:
      return COPUB_EXIT_LOCKED;
    case COPUB_ERROR_FAILED:
    case COPUB_ERROR_DB:
    case COPUB_ERROR_CHILD:
    case COPUB_ERROR_IO:
    default:
      return COPUB_EXIT_ERROR;
    }
}
