/* copub CLI: the mapping of the library's error codes to exit statuses, and of the
 * options its errors name to the flags and settings of the command line. */
#include <string.h>

#include "copub/error.h"
#include "cli/exit.h"

int
copub_cli_exit_status (const GError *error)
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
    case COPUB_ERROR_INCOMPLETE:
      return COPUB_EXIT_INCOMPLETE;
    case COPUB_ERROR_FAILED:
    case COPUB_ERROR_DB:
    case COPUB_ERROR_CHILD:
    case COPUB_ERROR_IO:
    default:
      return COPUB_EXIT_ERROR;
    }
}

const char *
copub_cli_error_hint (const GError *error)
{
  static const struct { const char *option, *hint; } hints[] = {
    { "institution", "--institution" },
    { "since", "--since" },
    { "openalex_rematched", "--openalex-rematched" },
    { "window", "--window" },
    { "partners", "--partners FILE" },
    { "groups", "--by region needs copub's data/regions.tsv; --groups FILE adds groups" },
    { "home-institution", "--home-institution ID" },
    { "by", "--by" },
    { "keys", "see copub run --print-config" },
    { "allow_partial", "run with an API key, or --allow-partial" },
    { "allow_partial_key", "run again after the reset, or --allow-partial" },
    { "api_key", "set it in the environment variable COPUB_OPENALEX_API_KEY, or with "
                 "--api-key; copub run reads the variable its [harvest] api-key-env names" },
  };
  const char *option = copub_error_get_option (error);

  for (gsize i = 0; option && i < G_N_ELEMENTS (hints); i++)
    if (strcmp (hints[i].option, option) == 0)
      return hints[i].hint;
  return NULL;
}

char *
copub_cli_error_message (const GError *error)
{
  const char *hint = copub_cli_error_hint (error);

  if (error == NULL)
    return g_strdup ("failed (no reason given)");
  return hint ? g_strdup_printf ("%s (%s)", error->message, hint) : g_strdup (error->message);
}
