/* copub: the COPUB_ERROR domain, an extended GError that may name the option it is
 * about. */
#include "copub/error.h"

typedef struct {
  char *option;
} CopubErrorPrivate;

static void
copub_error_private_init (CopubErrorPrivate *priv)
{
  priv->option = NULL;
}

static void
copub_error_private_copy (const CopubErrorPrivate *src, CopubErrorPrivate *dest)
{
  dest->option = g_strdup (src->option);
}

static void
copub_error_private_clear (CopubErrorPrivate *priv)
{
  g_clear_pointer (&priv->option, g_free);
}

G_DEFINE_EXTENDED_ERROR (CopubError, copub_error)

const char *
copub_error_get_option (const GError *error)
{
  CopubErrorPrivate *priv = error && error->domain == COPUB_ERROR
                                ? copub_error_get_private (error) : NULL;

  return priv ? priv->option : NULL;
}

void
copub_error_set_option (GError *error, const char *option)
{
  CopubErrorPrivate *priv = error && error->domain == COPUB_ERROR
                                ? copub_error_get_private (error) : NULL;

  if (priv == NULL)
    return;
  g_free (priv->option);
  priv->option = g_strdup (option);
}
