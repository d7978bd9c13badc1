/* Unit tests of the run configuration (src/run/config.c): every key with its default and
 * with a value of its own, paths taken from the file's directory, and the errors: each
 * names the file, the line and what was expected. */
#include <string.h>

#include <glib/gstdio.h>

#include "copub/config.h"
#include "copub/error.h"

#include "testlib.h"

/* The smallest valid configuration: no harvest, one file to import (a.jsonl, which
 * write_config creates beside the file). Its lines 1-3. */
#define MINIMAL "[sources]\nopenalex = false\nfiles = a.jsonl\n"

/* Writes @text as "run.conf" in a new temporary directory, with the files the tests'
 * configurations name (a.jsonl, sub/b.jsonl, ror.json, themes.tsv, partners.tsv). Returns
 * the file's path; free with g_free. */
static char *
write_config (const char *text)
{
  static const char *const inputs[] = { "a.jsonl", "sub/b.jsonl", "ror.json", "themes.tsv",
                                        "partners.tsv", NULL };
  char *path = testlib_temp_path ("copub-config", "run.conf");
  g_autofree char *dir = g_path_get_dirname (path);

  for (guint i = 0; inputs[i]; i++)
    {
      g_autofree char *file = g_build_filename (dir, inputs[i], NULL);
      g_autofree char *parent = g_path_get_dirname (file);
      g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      g_assert_true (g_file_set_contents (file, "", 0, NULL));
    }
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* The path of @name beside the configuration file @conf. */
static char *
beside (const char *conf, const char *name)
{
  g_autofree char *dir = g_path_get_dirname (conf);
  return g_build_filename (dir, name, NULL);
}

static void
assert_strv (char **got, const char *const *want)
{
  g_assert_nonnull (got);
  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length ((char **) want));
  for (guint i = 0; want[i]; i++)
    g_assert_cmpstr (got[i], ==, want[i]);
}

/* Loading @text fails with a usage error whose message begins "'FILE' line LINE: " (or
 * "'FILE'" for line 0: no line in the message) and holds @what. */
static void
assert_refused (const char *text, guint line, const char *what)
{
  g_autofree char *path = write_config (text);
  g_autofree char *where = line ? g_strdup_printf ("'%s' line %u: ", path, line)
                                : g_strdup_printf ("'%s'", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubConfig) c = copub_config_load (path, &error);

  g_assert_null (c);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  if (error == NULL)
    return;
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, where));
  g_assert_nonnull (strstr (error->message, what));
}

/* ---- values ------------------------------------------------------------------------------ */

/* A file that sets almost nothing: every other key has its documented default. */
static void
test_defaults (void)
{
  static const char *const types[] = { "article", "review", "book-chapter", NULL };
  static const char *const formats[] = { "png", "svg", NULL };
  static const char *const languages[] = { "en", NULL };
  g_autofree char *path = write_config (MINIMAL);
  g_autofree char *a = beside (path, "a.jsonl");
  g_autofree char *out = beside (path, "out");
  g_autofree char *store = beside (path, "copub.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubConfig) c = copub_config_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->path, ==, path);
  g_assert_null (c->name);
  g_assert_null (c->openalex);
  g_assert_null (c->hal_struct);
  g_assert_null (c->hal_collection);
  g_assert_cmpstr (c->home, ==, "FR");
  g_assert_false (c->use_openalex);
  g_assert_false (c->use_hal);
  assert_strv (c->files, (const char *[]) { a, NULL });
  g_assert_null (c->ror);
  g_assert_cmpint (c->from, ==, 0);
  g_assert_cmpint (c->to, ==, 0);
  g_assert_cmpint (c->refresh_years, ==, 2);
  g_assert_cmpstr (c->api_key_env, ==, "COPUB_OPENALEX_API_KEY");
  g_assert_null (c->mailto);
  g_assert_cmpfloat (c->rate, ==, 0);
  g_assert_cmpint (c->jobs, ==, 4);
  g_assert_null (c->since);
  g_assert_cmpstr (c->openalex_url, ==, "https://api.openalex.org");
  g_assert_cmpstr (c->hal_url, ==, "https://api.archives-ouvertes.fr");
  assert_strv (c->types, types);
  g_assert_cmpstr (c->max_record_size, ==, "32M");
  g_assert_cmpstr (c->max_field_size, ==, "64k");
  g_assert_null (c->themes);
  g_assert_cmpstr (c->theme_level, ==, "field");
  g_assert_null (c->partners);
  g_assert_cmpstr (c->counting, ==, "both");
  g_assert_cmpint (c->window, ==, 4);
  g_assert_true (c->territories_as_home);
  g_assert_false (c->hk_mo_as_cn);
  g_assert_cmpstr (c->out_dir, ==, out);
  assert_strv (c->formats, formats);
  assert_strv (c->languages, languages);
  g_assert_cmpstr (c->store, ==, store);
  g_assert_null (c->log_file);
}

/* OpenAlex is a source unless the file says otherwise. */
static void
test_openalex_by_default (void)
{
  g_autofree char *path = write_config ("[institution]\nopenalex = I90183372\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubConfig) c = copub_config_load (path, &error);

  g_assert_no_error (error);
  g_assert_true (c->use_openalex);
  g_assert_false (c->use_hal);
  g_assert_cmpstr (c->openalex, ==, "I90183372");
  g_assert_null (c->files);
}

/* Every key given a value of its own: each lands in its member, lists are split on ';'
 * with blanks and empty items dropped, paths are taken from the file's directory. */
static void
test_every_key (void)
{
  static const char *const text =
      "[institution]\n"
      "name = Université de Lorraine\n"
      "openalex = 04vfs2w97\n"
      "hal-struct = 413289\n"
      "hal-collection = UNIV-LORRAINE\n"
      "home = DE\n"
      "[sources]\n"
      "openalex = true\n"
      "hal = true\n"
      "files = a.jsonl ; sub/b.jsonl;;\n"
      "ror = ror.json\n"
      "[harvest]\n"
      "from = 2015\n"
      "to = 2024\n"
      "refresh-years = 3\n"
      "api-key-env = MY_KEY\n"
      "mailto = someone@example.org\n"
      "rate = 2.5\n"
      "jobs = 32\n"
      "since = 2024-01-31\n"
      "openalex-url = http://127.0.0.1:1\n"
      "hal-url = http://127.0.0.1:2\n"
      "[corpus]\n"
      "types = article; preprint\n"
      "max-record-size = 1G\n"
      "max-field-size = 100\n"
      "[analysis]\n"
      "themes = themes.tsv\n"
      "theme-level = domain\n"
      "partners = partners.tsv\n"
      "counting = fractional\n"
      "window = 1\n"
      "territories-as-home = false\n"
      "hk-mo-as-cn = true\n"
      "[output]\n"
      "dir = reports/nightly\n"
      "formats = pdf\n"
      "languages = fr;en\n"
      "store = data/ul.db\n"
      "log-file = logs/run.log\n";
  g_autofree char *path = write_config (text);
  g_autofree char *a = beside (path, "a.jsonl");
  g_autofree char *b = beside (path, "sub/b.jsonl");
  g_autofree char *ror = beside (path, "ror.json");
  g_autofree char *themes = beside (path, "themes.tsv");
  g_autofree char *partners = beside (path, "partners.tsv");
  g_autofree char *out = beside (path, "reports/nightly");
  g_autofree char *store = beside (path, "data/ul.db");
  g_autofree char *log = beside (path, "logs/run.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubConfig) c = copub_config_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->name, ==, "Université de Lorraine");
  g_assert_cmpstr (c->openalex, ==, "04vfs2w97");
  g_assert_cmpstr (c->hal_struct, ==, "413289");
  g_assert_cmpstr (c->hal_collection, ==, "UNIV-LORRAINE");
  g_assert_cmpstr (c->home, ==, "DE");
  g_assert_true (c->use_openalex);
  g_assert_true (c->use_hal);
  assert_strv (c->files, (const char *[]) { a, b, NULL });
  g_assert_cmpstr (c->ror, ==, ror);
  g_assert_cmpint (c->from, ==, 2015);
  g_assert_cmpint (c->to, ==, 2024);
  g_assert_cmpint (c->refresh_years, ==, 3);
  g_assert_cmpstr (c->api_key_env, ==, "MY_KEY");
  g_assert_cmpstr (c->mailto, ==, "someone@example.org");
  g_assert_cmpfloat (c->rate, ==, 2.5);
  g_assert_cmpint (c->jobs, ==, 32);
  g_assert_cmpstr (c->since, ==, "2024-01-31");
  g_assert_cmpstr (c->openalex_url, ==, "http://127.0.0.1:1");
  g_assert_cmpstr (c->hal_url, ==, "http://127.0.0.1:2");
  assert_strv (c->types, (const char *[]) { "article", "preprint", NULL });
  g_assert_cmpstr (c->max_record_size, ==, "1G");
  g_assert_cmpstr (c->max_field_size, ==, "100");
  g_assert_cmpstr (c->themes, ==, themes);
  g_assert_cmpstr (c->theme_level, ==, "domain");
  g_assert_cmpstr (c->partners, ==, partners);
  g_assert_cmpstr (c->counting, ==, "fractional");
  g_assert_cmpint (c->window, ==, 1);
  g_assert_false (c->territories_as_home);
  g_assert_true (c->hk_mo_as_cn);
  g_assert_cmpstr (c->out_dir, ==, out);
  assert_strv (c->formats, (const char *[]) { "pdf", NULL });
  assert_strv (c->languages, (const char *[]) { "fr", "en", NULL });
  g_assert_cmpstr (c->store, ==, store);
  g_assert_cmpstr (c->log_file, ==, log);
}

/* Paths are taken from the configuration file's directory, not from the working
 * directory, even when the file itself is named by a relative path; an absolute path is
 * kept, ".." is folded. */
static void
test_relative_paths (void)
{
  g_autofree char *path = write_config (MINIMAL "[output]\ndir = ../elsewhere/out\n"
                                        "store = /var/tmp/copub-test.db\n");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *top = g_path_get_dirname (dir);
  g_autofree char *name = g_path_get_basename (dir);
  g_autofree char *relative = g_build_filename (name, "run.conf", NULL);
  g_autofree char *a = beside (path, "a.jsonl");
  g_autofree char *out = g_build_filename (top, "elsewhere", "out", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubConfig) c = NULL;

  g_assert_cmpint (g_chdir (top), ==, 0);
  c = copub_config_load (relative, &error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  assert_strv (c->files, (const char *[]) { a, NULL });
  g_assert_cmpstr (c->out_dir, ==, out);
  g_assert_cmpstr (c->store, ==, "/var/tmp/copub-test.db");
}

/* "none" (in any case) means no home country; "all" alone stands for every type. */
static void
test_home_none_types_all (void)
{
  static const char *const homes[] = { "none", "NONE", "None" };

  for (guint i = 0; i < G_N_ELEMENTS (homes); i++)
    {
      g_autofree char *text = g_strdup_printf (MINIMAL "[institution]\nhome = %s\n"
                                               "[corpus]\ntypes = all\n", homes[i]);
      g_autofree char *path = write_config (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(CopubConfig) c = copub_config_load (path, &error);

      g_assert_no_error (error);
      g_assert_null (c->home);
      assert_strv (c->types, (const char *[]) { "all", NULL });
    }
}

/* The reference that `copub run --print-config` prints names every group and gives each
 * key's default. */
static void
test_reference (void)
{
  const char *ref = copub_config_reference ();
  static const char *const lines[] = {
    "[institution]\n", "[sources]\n", "[harvest]\n", "[corpus]\n", "[analysis]\n",
    "[output]\n", "\nhome = FR\n", "\nrefresh-years = 2\n", "\njobs = 4\n",
    "\ntypes = article;review;book-chapter\n", "\nmax-record-size = 32M\n",
    "\nwindow = 4\n", "\nformats = png;svg\n", "\nstore = copub.db\n", "\n# name = \n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    g_assert_nonnull (strstr (ref, lines[i]));
}

/* ---- errors ------------------------------------------------------------------------------ */

/* Unknown groups and keys are refused, named with their line. */
static void
test_unknown (void)
{
  assert_refused (MINIMAL "[output]\ncolour = blue\n", 5, "unknown key 'colour' in [output]");
  /* a key of another group */
  assert_refused (MINIMAL "[output]\nwindow = 4\n", 5, "unknown key 'window' in [output]");
  assert_refused (MINIMAL "[wrong]\nx = 1\n", 0, "unknown group [wrong]");
}

/* A bad value names its group, key and line, and says what was expected. */
static void
test_bad_values (void)
{
  static const struct {
    const char *lines;  /* from line 4 */
    guint line;
    const char *what;
  } cases[] = {
    { "[sources]\nhal = yes\n", 5, "[sources] hal: expected true or false, got 'yes'" },
    { "[harvest]\nfrom = 20x5\n", 5, "[harvest] from: expected a whole number, got '20x5'" },
    { "[harvest]\nto = -1\n", 5, "[harvest] to: expected a whole number, got '-1'" },
    { "[harvest]\nto =\n", 5, "[harvest] to: expected a whole number, got ''" },
    { "[harvest]\nrate = fast\n", 5, "[harvest] rate: expected a positive number, got 'fast'" },
    { "[harvest]\nrate = -2\n", 5, "[harvest] rate: expected a positive number, got '-2'" },
    { "[harvest]\njobs = 0\n", 5, "[harvest] jobs: expected 1 to 32" },
    { "[harvest]\njobs = 33\n", 5, "[harvest] jobs: expected 1 to 32" },
    { "[harvest]\nfrom = 2024\nto = 2015\n", 5, "[harvest] from: from 2024 is after to 2015" },
    { "[corpus]\nmax-record-size = 12 MB\n", 5,
      "[corpus] max-record-size: expected a size in bytes, or with k, M or G (32M), not "
      "'12 MB'" },
    { "[corpus]\nmax-field-size = big\n", 5,
      "[corpus] max-field-size: expected a size in bytes, or with k, M or G (64k), not 'big'" },
    { "[analysis]\ntheme-level = topic\n", 5, "[analysis] theme-level: expected field or domain" },
    { "[analysis]\ncounting = half\n", 5, "[analysis] counting: expected both, full or fractional" },
    { "[analysis]\nwindow = four\n", 5, "[analysis] window: expected a whole number, got 'four'" },
    { "[output]\nformats = png;gif\n", 5,
      "[output] formats: unknown chart format 'gif' (png, svg, pdf)" },
    { "[output]\nlanguages = en;de\n", 5, "[output] languages: unknown language 'de' (en, fr)" },
    { "[output]\nlanguages = ;\n", 5, "[output] languages: at least one language" },
    /* the last of a key given twice is the one read, and named */
    { "[analysis]\ncounting = full\ncounting = some\n", 6,
      "[analysis] counting: expected both, full or fractional" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (MINIMAL, cases[i].lines, NULL);
      assert_refused (text, cases[i].line, cases[i].what);
    }
}

/* The home country is an ISO 3166-1 alpha-2 code in upper case; the types are copub's. */
static void
test_home_and_types (void)
{
  static const char *const homes[] = { "France", "XX", "fr", "FRA" };

  for (guint i = 0; i < G_N_ELEMENTS (homes); i++)
    {
      g_autofree char *text = g_strdup_printf (MINIMAL "[institution]\nhome = %s\n", homes[i]);
      g_autofree char *what = g_strdup_printf ("[institution] home: expected an ISO 3166-1 "
                                               "alpha-2 country code in upper case (FR, DE, "
                                               "US...) or none, not '%s'", homes[i]);
      assert_refused (text, 5, what);
    }
  assert_refused (MINIMAL "[corpus]\ntypes = article;artcle\n", 5,
                  "[corpus] types: unknown document type 'artcle': expected article, review");
  assert_refused (MINIMAL "[corpus]\ntypes = article;all\n", 5,
                  "[corpus] types: unknown document type 'all'");
  assert_refused (MINIMAL "[corpus]\ntypes = ;\n", 5,
                  "[corpus] types: at least one document type, or all");
}

/* A source without what it needs, or no source at all. */
static void
test_sources (void)
{
  assert_refused ("[sources]\nopenalex = true\n", 0,
                  "[institution] openalex: OpenAlex is a source but no institution id is given");
  assert_refused ("[institution]\nopenalex = I1\n[sources]\nhal = true\n", 0,
                  "[institution] hal-struct: HAL is a source but neither hal-struct nor "
                  "hal-collection is given");
  assert_refused ("[sources]\nopenalex = false\n", 2,
                  "[sources] openalex: no source: enable openalex or hal, or list files");
}

/* Every file read and every place written is checked before any work. */
static void
test_paths (void)
{
  assert_refused ("[sources]\nopenalex = false\nfiles = a.jsonl;missing.jsonl\n", 3,
                  "[sources] files: cannot read '");
  assert_refused (MINIMAL "[analysis]\nthemes = /nonexistent/themes.tsv\n", 5,
                  "[analysis] themes: cannot read '/nonexistent/themes.tsv': ");
  assert_refused (MINIMAL "[analysis]\npartners = sub\n", 5, "[analysis] partners: '");
  assert_refused (MINIMAL "[sources]\nror = nothing.json\n", 5, "[sources] ror: cannot read '");
  /* a.jsonl is a file: nothing can be created below it */
  assert_refused (MINIMAL "[output]\nstore = a.jsonl/copub.db\n", 5,
                  "[output] store: cannot create '");
  assert_refused (MINIMAL "[output]\nstore = sub\n", 5, "[output] store: '");
  assert_refused (MINIMAL "[output]\ndir = a.jsonl\n", 5, "[output] dir: '");
  assert_refused (MINIMAL "[output]\nlog-file = sub\n", 5, "[output] log-file: '");
}

/* An empty file, one of comments only, a missing one and one that is no INI file. */
static void
test_empty_and_unreadable (void)
{
  g_autofree char *path = write_config ("");
  g_autofree char *missing = beside (path, "none.conf");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubConfig) c = NULL;

  assert_refused ("", 0, "is empty (copub run --print-config shows every key)");
  assert_refused ("# nothing but a comment\n\n", 0, "is empty");
  assert_refused ("[sources]\nopenalex false\n", 0, "openalex false");
  c = copub_config_load (missing, &error);
  g_assert_null (c);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  g_assert_nonnull (error ? strstr (error->message, missing) : NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/openalex-by-default", test_openalex_by_default);
  g_test_add_func ("/config/every-key", test_every_key);
  g_test_add_func ("/config/relative-paths", test_relative_paths);
  g_test_add_func ("/config/home-none-types-all", test_home_none_types_all);
  g_test_add_func ("/config/reference", test_reference);
  g_test_add_func ("/config/unknown", test_unknown);
  g_test_add_func ("/config/bad-values", test_bad_values);
  g_test_add_func ("/config/home-and-types", test_home_and_types);
  g_test_add_func ("/config/sources", test_sources);
  g_test_add_func ("/config/paths", test_paths);
  g_test_add_func ("/config/empty-and-unreadable", test_empty_and_unreadable);
  return g_test_run ();
}
