/* copub: the forms of the identifiers several modules read. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE for a ROR id without its URL: '0', six base-32 characters, two check digits
 * ("04vfs2w97"); the check digits are not verified. */
gboolean copub_is_ror_id (const char *id);

/* TRUE when @s is one ASCII digit or more and nothing else (FALSE for NULL or ""). */
gboolean copub_is_digits (const char *s);

/* TRUE for an OpenAlex institution id without its URL: 'I' and digits ("I90183372"). */
gboolean copub_is_openalex_institution_id (const char *id);

/* TRUE for a calendar date written YYYY-MM-DD ("2026-09-28"), FALSE for NULL. */
gboolean copub_is_date (const char *s);

G_END_DECLS
