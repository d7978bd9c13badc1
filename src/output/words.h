/* copub: the words of the outputs, in one place: sentences, document-type and source
 * names, and numbers, percentages and periods as people read them. English is written in
 * the sources (the msgids); other languages come from gettext catalogues, po/<lang>.po
 * compiled into <locale dir>/<lang>/LC_MESSAGES/copub.mo (base/datadir.h finds it).
 *
 * The language is a state of this module, set around each piece of output with
 * copub_words_use(); it never depends on the user's locale (see base/l10n.h). Numbers
 * never depend on it either: the decimal sign and the separators are words of the
 * catalogue ("," and a narrow no-break space in French). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define COPUB_TEXT_DOMAIN "copub"

/* In the gi18n style: _() translates into the current language, N_() marks a string
 * translated later, C_() one with a context telling two same English texts apart. */
#define _(text) copub_words_gettext (text)
#define N_(text) (text)
#define C_(context, text) copub_words_pgettext (context "\004" text, text)

/* Makes @lang ("en", "fr"; anything else or NULL: English) the current language and
 * returns the previous one, to give back with copub_words_use() at the end. Falls back to
 * English, with one warning, when @lang has no catalogue. */
const char *copub_words_use (const char *lang);
/* The current language: "en" or "fr". */
const char *copub_words_lang (void);

/* Where the catalogues are looked for (<dir>/<lang>/LC_MESSAGES/copub.mo); by default
 * copub_locale_dir(). For tests. */
void copub_words_set_locale_dir (const char *dir);

const char *copub_words_gettext (const char *msgid) G_GNUC_FORMAT (1);
const char *copub_words_pgettext (const char *key, const char *msgid) G_GNUC_FORMAT (2);

/* 12345 -> "12,345" or "12 345" (narrow no-break space). */
char *copub_words_count (gint64 n);
/* 47.21 with 1 decimal -> "47.2" or "47,2"; "–" when not finite. */
char *copub_words_real (double v, int decimals);
/* 0.4721 -> "47.2%" or "47,2 %"; "–" when not finite. */
char *copub_words_percent (double share);
/* 0.41, 0.53 -> "41.0–53.0%"; "–" when either is not finite. */
char *copub_words_interval (double low, double high);
/* "2023" or "2021–2023" (en dash). */
char *copub_words_period (int from, int to);
/* The decimal sign, "." or ",". */
const char *copub_words_decimal_sign (void);
/* A gnuplot/printf format showing @number_format as a percentage: "%g" -> "%g%%" or
 * "%g %%". */
char *copub_words_percent_format (const char *number_format);

/* "OpenAlex", "HAL", or @source itself. */
const char *copub_words_source_name (const char *source);
/* The document type @type in the plural ("book chapters"), or NULL when unknown. */
const char *copub_words_document_type (const char *type);
/* A country group's name in the current language: the built-in groups' ("EU-27",
 * "Least developed countries") translated, a groups file's as the file spells it. */
const char *copub_words_region_name (const char *name);
/* The document types copub knows (OpenAlex's), NULL-terminated. */
extern const char *const copub_words_document_types[];

G_END_DECLS
