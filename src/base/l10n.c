/* copub: gettext lookups in a language chosen per call (see l10n.h for why so). */
#include "base/l10n.h"

#include <libintl.h>
#include <locale.h>
#include <string.h>

#define SYSTEM_LOCALE_DIR "/usr/share/locale"

/* glibc's (and GNU libintl's) catalogue generation counter: bumping it makes gettext
 * forget the translations it cached, which it keys without LANGUAGE. */
extern int _nl_msg_cat_cntr;

static struct {
  locale_t messages;   /* LC_CTYPE and LC_MESSAGES of C.UTF-8 */
  locale_t saved;      /* the thread's locale during a batch */
  char *saved_language; /* $LANGUAGE during a batch */
  gboolean had_language;
  gboolean active;
} batch;

static locale_t
messages_locale (void)
{
  static const char *const names[] = { "C.UTF-8", "C.utf8" };

  for (gsize i = 0; batch.messages == (locale_t) 0 && i < G_N_ELEMENTS (names); i++)
    batch.messages = newlocale (LC_CTYPE_MASK | LC_MESSAGES_MASK, names[i], (locale_t) 0);
  return batch.messages;
}

void
copub_l10n_bind (const char *domain, const char *dir)
{
  if (dir != NULL)
    bindtextdomain (domain, dir);
  bind_textdomain_codeset (domain, "UTF-8");
}

gboolean
copub_l10n_has_catalogue (const char *domain, const char *dir, const char *lang)
{
  g_autofree char *name = g_strconcat (domain, ".mo", NULL);
  g_autofree char *path = g_build_filename (dir ? dir : SYSTEM_LOCALE_DIR, lang,
                                            "LC_MESSAGES", name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

void
copub_l10n_begin (const char *lang)
{
  locale_t loc = messages_locale ();

  g_return_if_fail (!batch.active);
  batch.active = TRUE;
  batch.had_language = g_getenv ("LANGUAGE") != NULL;
  batch.saved_language = g_strdup (g_getenv ("LANGUAGE"));
  /* Without C.UTF-8 (not a Debian system), the process's own LC_MESSAGES is used: gettext
   * then honours LANGUAGE unless that locale is "C". */
  batch.saved = loc != (locale_t) 0 ? uselocale (loc) : (locale_t) 0;
  g_setenv ("LANGUAGE", lang, TRUE);
  _nl_msg_cat_cntr++;
}

void
copub_l10n_end (void)
{
  g_return_if_fail (batch.active);
  if (batch.had_language)
    g_setenv ("LANGUAGE", batch.saved_language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  g_clear_pointer (&batch.saved_language, g_free);
  if (batch.saved != (locale_t) 0)
    uselocale (batch.saved);
  _nl_msg_cat_cntr++;
  batch.active = FALSE;
}

const char *
copub_l10n_lookup_current (const char *domain, const char *msgid)
{
  const char *t = dgettext (domain, msgid);

  /* gettext gives @msgid itself back when it has no entry. */
  return t != msgid && *t != '\0' ? t : NULL;
}

const char *
copub_l10n_lookup (const char *domain, const char *lang, const char *msgid)
{
  const char *t;

  copub_l10n_begin (lang);
  t = copub_l10n_lookup_current (domain, msgid);
  copub_l10n_end ();
  return t;
}

/* ==== Reading a catalogue file (GNU .mo) ================================================== */

#define MO_MAGIC 0x950412deu

static guint32
mo_word (const guchar *data, gsize offset, gboolean swap)
{
  guint32 w;

  memcpy (&w, data + offset, sizeof w);
  return swap ? GUINT32_SWAP_LE_BE (w) : w;
}

/* The string entry @i of the table at @table: NULL unless it lies inside the file and ends
 * with a NUL. */
static const char *
mo_string (const guchar *data, gsize size, guint32 table, guint32 i, gboolean swap)
{
  gsize at = (gsize) table + (gsize) i * 8;
  guint32 len, offset;

  if (at + 8 > size)
    return NULL;
  len = mo_word (data, at, swap);
  offset = mo_word (data, at + 4, swap);
  if ((gsize) offset + len >= size || data[offset + len] != '\0')
    return NULL;
  return (const char *) data + offset;
}

gboolean
copub_l10n_catalogue_foreach (const char *domain, const char *dir, const char *lang,
                              CopubCatalogueFunc func, gpointer data)
{
  g_autofree char *name = g_strconcat (domain, ".mo", NULL);
  g_autofree char *path = g_build_filename (dir ? dir : SYSTEM_LOCALE_DIR, lang,
                                            "LC_MESSAGES", name, NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  const guchar *bytes;
  gsize size;
  guint32 n, originals, translations;
  gboolean swap;
  const char *header;

  if (file == NULL || (size = g_mapped_file_get_length (file)) < 28)
    return FALSE;
  bytes = (const guchar *) g_mapped_file_get_contents (file);
  swap = mo_word (bytes, 0, FALSE) != MO_MAGIC;
  if (mo_word (bytes, 0, swap) != MO_MAGIC)
    return FALSE;
  n = mo_word (bytes, 8, swap);
  originals = mo_word (bytes, 12, swap);
  translations = mo_word (bytes, 16, swap);
  /* the header (msgid "") says the charset; a catalogue in another would need iconv */
  header = n > 0 ? mo_string (bytes, size, translations, 0, swap) : NULL;
  if (header == NULL || strstr (header, "charset=UTF-8") == NULL)
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    if (mo_string (bytes, size, originals, i, swap) == NULL
        || mo_string (bytes, size, translations, i, swap) == NULL)
      return FALSE;
  for (guint32 i = 1; i < n; i++)
    func (mo_string (bytes, size, originals, i, swap),
          mo_string (bytes, size, translations, i, swap), data);
  return TRUE;
}
