/* copub: country names for people, from the iso-codes data Debian ships (ISO 3166-1
 * names and their gettext translations). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The name of ISO 3166-1 alpha-2 @code in @lang ("en" or "fr"; others fall back to
 * English): the common name where ISO has one ("South Korea", "Taiwan"), translated; where
 * ISO has only an inverted form ("Russie, Fédération de"), the usual short name from the
 * data file country-names.tsv ("Russie"). Returns @code
 * itself when unknown, never NULL. Loads the data on first use; thread-safe. The
 * string lives as long as the process. */
const char *copub_country_name (const char *code, const char *lang);

/* TRUE when @code is an ISO 3166-1 alpha-2 code (upper case) in iso-codes' list. */
gboolean copub_country_known (const char *code);

/* TRUE when @code is one of the French overseas departments, regions and collectivities
 * that have an ISO code of their own (GP, MQ, GF, RE, YT, PM, BL, MF, WF, PF, NC, TF). */
gboolean copub_country_is_french_territory (const char *code);

/* The same as a CopubCountryNameFunc for CopubAnalyseOptions. */
const char *copub_country_name_func (const char *code, const char *lang, gpointer unused);

G_END_DECLS
