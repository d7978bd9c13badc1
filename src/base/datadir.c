/* copub: where copub's data files are found. The three paths below come from the
 * Makefile (through BUILDDIR/COPUB-PATHS, so a new PREFIX rebuilds this file only):
 *   COPUB_DATADIR         DATADIR/copub, where `make install` puts the data;
 *   COPUB_BIN_TO_DATADIR  that directory relative to BINDIR ("../share/copub");
 *   COPUB_BUILD_DIR, COPUB_SOURCE_DATADIR  the build directory and the tree's data/.
 * The message catalogues are built into BUILDDIR/locale and installed into DATADIR/locale,
 * beside the data directory. */
#include "base/datadir.h"

#include <string.h>

#ifndef COPUB_DATADIR
#define COPUB_DATADIR "/usr/local/share/copub"
#endif
#ifndef COPUB_BIN_TO_DATADIR
#define COPUB_BIN_TO_DATADIR "../share/copub"
#endif

static gboolean
data_dir_usable (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "gazetteer.tsv", NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

#if defined(COPUB_BUILD_DIR)
/* TRUE when @path lies inside directory @dir. */
static gboolean
path_is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  return strncmp (path, dir, n) == 0 && path[n] == '/';
}
#endif

char *
copub_data_dir (const char *override)
{
  const char *env = g_getenv ("COPUB_DATA_DIR");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (override != NULL && *override != '\0')
    return g_strdup (override);
  if (env != NULL && *env != '\0')
    return g_strdup (env);
#if defined(COPUB_BUILD_DIR) && defined(COPUB_SOURCE_DATADIR)
  if (exe != NULL && path_is_under (exe, COPUB_BUILD_DIR) && data_dir_usable (COPUB_SOURCE_DATADIR))
    return g_strdup (COPUB_SOURCE_DATADIR);
#endif
  if (exe != NULL)
    {
      g_autofree char *bindir = g_path_get_dirname (exe);
      g_autofree char *beside = g_build_filename (bindir, COPUB_BIN_TO_DATADIR, NULL);
      g_autofree char *canonical = g_canonicalize_filename (beside, NULL);
      if (data_dir_usable (canonical))
        return g_steal_pointer (&canonical);
    }
  return g_strdup (COPUB_DATADIR);
}

char *
copub_locale_dir (void)
{
  g_autofree char *data = NULL;
  g_autofree char *parent = NULL;
#if defined(COPUB_BUILD_DIR)
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL && path_is_under (exe, COPUB_BUILD_DIR))
    return g_build_filename (COPUB_BUILD_DIR, "locale", NULL);
#endif
  data = copub_data_dir (NULL);
  parent = g_path_get_dirname (data);
  return g_build_filename (parent, "locale", NULL);
}
