/* copub: where copub's data files (gazetteer, ROR subset, ...) are found. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The directory holding copub's data files, newly allocated (free with g_free):
 *   1. @override, when not NULL nor empty;
 *   2. $COPUB_DATA_DIR, when set and not empty;
 *   3. the source tree's data/, when the running program is the one built there
 *      (build/copub, build/tests/...), so an uninstalled copub needs no setting;
 *   4. the data directory next to the installed program (BINDIR/../share/copub for the
 *      default layout), so an installed tree can be moved as a whole;
 *   5. the data directory configured at build time (DATADIR/copub).
 * The first of 3-5 that holds gazetteer.tsv wins; when none does, 5 is returned, so an
 * error names the place copub was installed for. Nothing else is searched. */
char *copub_data_dir (const char *override);

/* The directory of copub's message catalogues (<dir>/fr/LC_MESSAGES/copub.mo), newly
 * allocated: the build directory's locale/ for a program built there, otherwise locale/
 * beside the data directory (DATADIR/locale for DATADIR/copub, $COPUB_DATA_DIR/../locale
 * when that is set). */
char *copub_locale_dir (void);

G_END_DECLS
