/* copub: translations through libc's gettext, in a language chosen per call.
 *
 * copub writes French and English in one process, on machines that may have no French
 * locale installed, so the language never comes from setlocale(). A lookup runs with a
 * thread locale whose LC_MESSAGES is C.UTF-8 (always present on Debian; gettext ignores
 * LANGUAGE only under the "C" locale) and LANGUAGE set to the language wanted, then
 * gives both back; glibc caches translations without LANGUAGE in the key, so every
 * switch bumps _nl_msg_cat_cntr, as the gettext manual says. Single-threaded: LANGUAGE
 * is the process's environment. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The catalogues of text domain @domain in @lang ("fr", "pt_BR", "sr@latin"...) are
 * under @dir (NULL: the system's, /usr/share/locale), as UTF-8. Call before the first
 * lookup in that domain. */
void copub_l10n_bind (const char *domain, const char *dir);

/* The translation of @msgid in @lang from @domain, or NULL when there is none (no
 * catalogue, no entry, or an empty one); it may be the same text as @msgid. The string belongs to
 * gettext and lives as long as the process. Note that gettext also tries the language
 * without its territory or modifier ("pt_BR", then "pt"). */
const char *copub_l10n_lookup (const char *domain, const char *lang, const char *msgid);

/* Many lookups in one language: between copub_l10n_begin() and copub_l10n_end(),
 * copub_l10n_lookup_current() uses @lang without switching each time. Not nested. */
void copub_l10n_begin (const char *lang);
const char *copub_l10n_lookup_current (const char *domain, const char *msgid);
void copub_l10n_end (void);

/* TRUE when the catalogue file of @domain for @lang exists under @dir (NULL: the
 * system's directory). */
gboolean copub_l10n_has_catalogue (const char *domain, const char *dir, const char *lang);

/* Calls @func on every entry of the catalogue of @domain for @lang under @dir (NULL: the
 * system's), in the catalogue's order (msgids sorted), with its msgid and its (first)
 * translation, read from the file itself: tens of thousands of lookups through gettext
 * cost far more. Returns FALSE, calling nothing, when the file is missing, is not a
 * UTF-8 catalogue, or is damaged. */
typedef void (*CopubCatalogueFunc) (const char *msgid, const char *msgstr, gpointer data);
gboolean copub_l10n_catalogue_foreach (const char *domain, const char *dir, const char *lang,
                                       CopubCatalogueFunc func, gpointer data);

G_END_DECLS
