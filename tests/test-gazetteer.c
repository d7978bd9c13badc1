/* Unit tests of the place data (src/affil/gazetteer.c), the country names (src/affil/countries.c) and
 * the data directory (src/base/datadir.c): lookups of countries, regions and cities by their
 * names in several languages, ambiguous names and their order, the flags that restrict a
 * name, ROR dumps, the data directory override and the errors of bad data files.
 * The expected places are those of Debian's iso-codes and libgeonames with data/. */
#include <glib/gstdio.h>
#include <string.h>

#include "copub/countries.h"
#include "base/datadir.h"
#include "copub/error.h"
#include "affil/gazetteer.h"
#include "testlib.h"

static CopubGazetteer *gazetteer; /* the default one, loaded once */

static const char *const kind_names[] = {
  [COPUB_PLACE_COUNTRY] = "country",         [COPUB_PLACE_REGION] = "region",
  [COPUB_PLACE_REGION_CODE] = "regioncode",  [COPUB_PLACE_CITY] = "city",
  [COPUB_PLACE_INSTITUTION] = "institution", [COPUB_PLACE_ACRONYM] = "acronym",
  [COPUB_PLACE_HINT] = "hint",
};

/* The places @gaz knows by @name, in their order, as "city:FR city:US-TX", each with its
 * flags ("+upper", "+final", "+last", "+secondary") and " (derived)" or " (translated)"
 * for a country name of priority 1 or 2; "" when none. */
static char *
places (const CopubGazetteer *gaz, const char *name)
{
  g_autofree char *key = copub_gazetteer_key (name);
  GString *out = g_string_new (NULL);
  guint n = 0;
  const CopubPlace *p = copub_gazetteer_lookup (gaz, key, &n, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (p[i].kind, >=, COPUB_PLACE_COUNTRY);
      g_assert_cmpuint (p[i].kind, <=, COPUB_PLACE_HINT);
      g_string_append_printf (out, "%s%s:%s%s%s", i ? " " : "", kind_names[p[i].kind],
                              p[i].country, p[i].region[0] ? "-" : "", p[i].region);
      if (p[i].flags & COPUB_PLACE_UPPER)
        g_string_append (out, "+upper");
      if (p[i].flags & COPUB_PLACE_FINAL)
        g_string_append (out, "+final");
      if (p[i].flags & COPUB_PLACE_LAST)
        g_string_append (out, "+last");
      if (p[i].flags & COPUB_PLACE_SECONDARY)
        g_string_append (out, "+secondary");
      if (p[i].kind == COPUB_PLACE_COUNTRY && p[i].priority > 0)
        g_string_append (out, p[i].priority == 1 ? " (derived)" : " (translated)");
    }
  return g_string_free (out, FALSE);
}

static void
check_places (const CopubGazetteer *gaz, const char *const cases[][2], gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *got = places (gaz, cases[i][0]);
      g_test_message ("%s -> %s", cases[i][0], got);
      g_assert_cmpstr (got, ==, cases[i][1]);
    }
}

/* ---- countries ------------------------------------------------------------------------------ */

static void
test_countries (void)
{
  static const char *const cases[][2] = {
    { "France", "country:FR" },
    { "FRANCE", "country:FR" },
    { "Allemagne", "country:DE" },        /* a translation of ISO's name */
    { "Deutschland", "country:DE" },      /* the native name */
    { "Niger", "country:NE" },
    { "Nigeria", "country:NG" },
    { "Korea, Republic of", "country:KR" },
    { "Republic of Korea", "country:KR" },
    { "Holy See", "country:VA (derived)" }, /* ISO "Holy See (Vatican City State)" */
    { "Vatican City State", "country:VA (derived)" },
    { "united states", "country:US" },
    { "USA", "country:US+upper" },        /* counts only in capitals */
    { "Jordan", "country:JO+final" },     /* only at the end of a component */
    { "PRC", "country:CN+upper+last" },
    { "India", "country:IN" },
    { "Indiana", "region:US-IN" },
    { "xyzzy", "" },
    { "", "" },
  };

  check_places (gazetteer, cases, G_N_ELEMENTS (cases));
}

/* ---- regions and cities --------------------------------------------------------------------- */

static void
test_regions_and_cities (void)
{
  static const char *const cases[][2] = {
    { "Nancy", "city:FR" },
    { "Metz", "city:FR" },
    { "Saint-Dié-des-Vosges", "city:FR" },
    { "saint die des vosges", "city:FR" },
    { "München", "city:DE" },
    { "Munchen", "city:DE" },
    { "Köln", "city:DE" },
    { "Cologne", "city:DE" },             /* a translated city name */
    { "Londres", "city:GB" },
    { "Lorraine", "region:FR" },          /* data/gazetteer.tsv: a former region */
    { "Grand Est", "region:FR-GES" },     /* ISO 3166-2 */
    { "Bayern", "region:DE-BY" },
    { "GA", "regioncode:US-GA+upper" },
    { "NSW", "regioncode:AU-NSW+upper" },
    { "CNRS", "hint:FR" },
  };

  check_places (gazetteer, cases, G_N_ELEMENTS (cases));
}

/* A name of several places gives them all: countries, then regions, then cities, the most
 * populous city first, at most six cities; a French département whose name names a place
 * abroad is dropped ("Vienne": Austria's Wien, not the département). */
static void
test_ambiguous (void)
{
  static const char *const cases[][2] = {
    { "Georgia", "country:GE region:US-GA" },
    { "Paris", "city:FR city:US-TX" },
    { "Vienna", "region:AT-9 city:AT city:US-VA" },
    { "Vienne", "region:AT-9 city:AT city:FR" },
    { "Québec", "region:CA-QC city:CA-QC" },
    { "Beijing", "region:CN-BJ city:CN" },
    { "Cambridge", "city:GB city:CA-ON city:US-MA city:NZ" },
    { "Córdoba", "region:AR-X city:AR city:ES city:MX" },
    { "Santiago", "city:CL city:DO city:PH city:PE city:BR city:PA" },
    { "new york", "region:US-NY city:US-NY" },
  };
  g_autofree char *key = copub_gazetteer_key ("Cambridge");
  guint n = 0;
  const CopubPlace *p;

  check_places (gazetteer, cases, G_N_ELEMENTS (cases));
  p = copub_gazetteer_lookup (gazetteer, key, &n, NULL);
  g_assert_cmpuint (n, ==, 4);
  for (guint i = 0; p != NULL && i + 1 < n; i++)
    g_assert_cmpuint (p[i].value, >, p[i + 1].value); /* populations */
  g_assert_cmpuint (p[0].value, >, 100000);
}

/* @is_prefix says whether a longer key goes on with this one, even with no place. */
static void
test_prefixes (void)
{
  static const struct { const char *key; guint n; gboolean prefix; } cases[] = {
    { "united", 0, TRUE },        /* "united states", "united kingdom" */
    { "united states", 1, TRUE }, /* "united states of america" */
    { "new", 0, TRUE },
    { "france", 1, TRUE },
    { "nancy", 1, FALSE },
    { "xyzzy", 0, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint n = 99;
      gboolean prefix = !cases[i].prefix;
      const CopubPlace *p = copub_gazetteer_lookup (gazetteer, cases[i].key, &n, &prefix);

      g_test_message ("%s", cases[i].key);
      g_assert_cmpuint (n, ==, cases[i].n);
      g_assert_true ((p != NULL) == (cases[i].n > 0));
      g_assert_cmpint (prefix, ==, cases[i].prefix);
    }
  /* Keys are looked up as given: folding is the caller's job. */
  {
    guint n = 99;
    g_assert_null (copub_gazetteer_lookup (gazetteer, "France", &n, NULL));
    g_assert_cmpuint (n, ==, 0);
  }
}

/* ---- country codes and names ---------------------------------------------------------------- */

static void
test_country_codes (void)
{
  g_assert_true (copub_gazetteer_is_country (gazetteer, "FR"));
  g_assert_true (copub_gazetteer_is_country (gazetteer, "VA"));
  g_assert_false (copub_gazetteer_is_country (gazetteer, "fr"));
  g_assert_false (copub_gazetteer_is_country (gazetteer, "ZZ"));
  g_assert_false (copub_gazetteer_is_country (gazetteer, "XK"));
  g_assert_false (copub_gazetteer_is_country (gazetteer, "FRA"));
  g_assert_false (copub_gazetteer_is_country (gazetteer, ""));
  g_assert_false (copub_gazetteer_is_country (gazetteer, NULL));
  /* The gazetteer's English names: the common name where ISO has one. */
  g_assert_cmpstr (copub_gazetteer_country_name (gazetteer, "FR"), ==, "France");
  g_assert_cmpstr (copub_gazetteer_country_name (gazetteer, "KR"), ==, "South Korea");
  g_assert_cmpstr (copub_gazetteer_country_name (gazetteer, "TW"), ==, "Taiwan");
  g_assert_cmpstr (copub_gazetteer_country_name (gazetteer, "VA"), ==,
                   "Holy See (Vatican City State)");
  g_assert_null (copub_gazetteer_country_name (gazetteer, "ZZ"));
  g_assert_null (copub_gazetteer_country_name (gazetteer, NULL));
}

static void
test_country_names (void)
{
  static const char *const cases[][4] = {
    /* code, "en", "fr", another language (falls back to English) */
    { "FR", "France", "France", "France" },
    { "DE", "Germany", "Allemagne", "Germany" },
    { "KR", "South Korea", "Corée du Sud", "South Korea" },
    { "US", "United States", "États-Unis", "United States" },
    { "GB", "United Kingdom", "Royaume-Uni", "United Kingdom" },
    { "CZ", "Czechia", "Tchéquie", "Czechia" },
    { "TW", "Taiwan", "Taïwan", "Taiwan" },
    { "ZZ", "ZZ", "ZZ", "ZZ" },           /* unknown: the code itself */
    { "fr", "fr", "fr", "fr" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (copub_country_name (cases[i][0], "en"), ==, cases[i][1]);
      g_assert_cmpstr (copub_country_name (cases[i][0], "fr"), ==, cases[i][2]);
      g_assert_cmpstr (copub_country_name (cases[i][0], "de"), ==, cases[i][3]);
      g_assert_cmpstr (copub_country_name (cases[i][0], NULL), ==, cases[i][1]);
      g_assert_cmpstr (copub_country_name_func (cases[i][0], "fr", NULL), ==, cases[i][2]);
    }
  /* The strings live as long as the process: the same pointer each time. */
  g_assert_true (copub_country_name ("DE", "fr") == copub_country_name ("DE", "fr"));
}

static char *
write_temp (const char *name, const void *data, gsize len)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-gazetteer-XXXXXX", NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
  return path;
}

/* ---- ROR dumps ------------------------------------------------------------------------------ */

static void
test_ror (void)
{
  static const char dump[] =
      "[{\"id\":\"https://ror.org/0zzzzzz01\",\"status\":\"active\","
      "\"names\":[{\"value\":\"Zyx Institute of Tests\",\"types\":[\"label\"]},"
      "{\"value\":\"Institut Zyx des Essais\",\"types\":[\"ror_display\"]},"
      "{\"value\":\"ZYXIT\",\"types\":[\"acronym\"]}],"
      "\"locations\":[{\"geonames_details\":{\"country_code\":\"NO\"}}]},\n"
      " {\"id\":\"https://ror.org/0zzzzzz02\",\"status\":\"withdrawn\","
      "\"names\":[{\"value\":\"Withdrawn Zyx Lab\",\"types\":[\"ror_display\"]}],"
      "\"locations\":[{\"geonames_details\":{\"country_code\":\"NO\"}}]},\n"
      " {\"id\":\"https://ror.org/0zzzzzz01\",\"status\":\"active\","
      "\"names\":[{\"value\":\"Zyx Duplicate\",\"types\":[\"ror_display\"]}],"
      "\"locations\":[{\"geonames_details\":{\"country_code\":\"NO\"}}]}]\n";
  g_autofree char *path = write_temp ("ror.json", dump, sizeof dump - 1);
  g_autofree char *bad = write_temp ("bad.json", "[{\"id\": }]", 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubGazetteer) gaz = copub_gazetteer_new (NULL, &error);
  guint before, n = 0;
  const CopubPlace *p;
  const CopubOrganisation *org;

  g_assert_no_error (error);
  before = copub_gazetteer_n_organisations (gaz);
  g_assert_true (copub_gazetteer_load_ror (gaz, path, &error));
  g_assert_no_error (error);
  /* The withdrawn record and the repeated id are not loaded. */
  g_assert_cmpuint (copub_gazetteer_n_organisations (gaz), ==, before + 1);
  p = copub_gazetteer_lookup (gaz, "zyx institute of tests", &n, NULL);
  g_assert_cmpuint (n, ==, 1);
  if (p == NULL)
    return;
  g_assert_cmpuint (p->kind, ==, COPUB_PLACE_INSTITUTION);
  g_assert_cmpstr (p->country, ==, "NO");
  org = copub_gazetteer_organisation (gaz, p->value);
  g_assert_cmpstr (org->id, ==, "0zzzzzz01");
  g_assert_cmpstr (org->name, ==, "Institut Zyx des Essais"); /* the ror_display name */
  g_assert_cmpstr (org->country, ==, "NO");
  g_autofree char *acronym = places (gaz, "ZYXIT");
  g_assert_cmpstr (acronym, ==, "acronym:NO+upper");
  g_autofree char *withdrawn = places (gaz, "Withdrawn Zyx Lab");
  g_autofree char *duplicate = places (gaz, "Zyx Duplicate");
  g_assert_cmpstr (withdrawn, ==, "");
  g_assert_cmpstr (duplicate, ==, "");
  g_assert_null (copub_gazetteer_organisation (gaz, copub_gazetteer_n_organisations (gaz)));
  /* A broken dump: COPUB_ERROR_PARSE naming the file and the record; a missing one: IO. */
  g_assert_false (copub_gazetteer_load_ror (gaz, bad, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_true (error != NULL && g_str_has_prefix (error->message, "'"));
  g_assert_true (error != NULL && strstr (error->message, "bad.json' record 1") != NULL);
  g_clear_error (&error);
  g_assert_false (copub_gazetteer_load_ror (gaz, "/nonexistent/ror.json", &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_assert_true (error != NULL && g_str_has_prefix (error->message, "reading ROR data '"));
}

/* The shipped table read beside the places gives the gazetteer that loading it after them
 * gives: the same organisations, names, places and parents; and the same errors. */
static void
test_ror_beside_places (void)
{
  g_autofree char *dir = copub_data_dir (NULL);
  g_autofree char *table = g_build_filename (dir, "ror-registry.tsv", NULL);
  g_autofree char *bad = write_temp ("bad-table.tsv", "not a table\n", 12);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubGazetteer) after = copub_gazetteer_new (NULL, &error);
  g_autoptr(CopubGazetteer) beside = NULL;
  guint n;

  g_assert_no_error (error);
  g_assert_true (copub_gazetteer_load_ror (after, table, &error));
  g_assert_no_error (error);
  beside = copub_gazetteer_new_with_ror (NULL, table, &error);
  g_assert_no_error (error);
  n = copub_gazetteer_n_organisations (after);
  g_assert_cmpuint (n, >, 40000);
  g_assert_cmpuint (copub_gazetteer_n_organisations (beside), ==, n);
  for (guint i = 0; i < n; i += 37)
    {
      const CopubOrganisation *a = copub_gazetteer_organisation (after, i);
      const CopubOrganisation *b = copub_gazetteer_organisation (beside, i);
      g_autofree char *places_a = places (after, a->name);
      g_autofree char *places_b = places (beside, b->name);
      g_assert_cmpstr (a->id, ==, b->id);
      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpstr (a->country, ==, b->country);
      g_assert_cmpstr (places_a, ==, places_b);
      g_assert_cmpuint (a->n_parents, ==, b->n_parents);
      for (guint j = 0; j < n; j += 4099)
        g_assert_cmpint (copub_gazetteer_is_parent (after, i, j), ==,
                         copub_gazetteer_is_parent (beside, i, j));
    }
  /* a name that is a place too ("Georgia"), a city, an acronym */
  for (guint i = 0; i < 3; i++)
    {
      static const char *const names[] = { "Georgia", "Nancy", "CNRS" };
      g_autofree char *places_a = places (after, names[i]);
      g_autofree char *places_b = places (beside, names[i]);
      g_assert_cmpstr (places_a, ==, places_b);
    }
  g_clear_pointer (&beside, copub_gazetteer_free);
  beside = copub_gazetteer_new_with_ror (NULL, bad, &error);
  g_assert_null (beside);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_true (error != NULL && strstr (error->message, "bad-table.tsv") != NULL);
  g_clear_error (&error);
  beside = copub_gazetteer_new_with_ror ("/nonexistent", table, &error);
  g_assert_null (beside);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_clear_error (&error);
  /* a table that does not open is read after the places: the same error */
  beside = copub_gazetteer_new_with_ror (NULL, "/nonexistent/table.tsv", &error);
  g_assert_null (beside);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_assert_true (error != NULL && g_str_has_prefix (error->message, "reading ROR data '"));
}

/* ---- the data directory --------------------------------------------------------------------- */

static void
test_data_dir (void)
{
  g_autofree char *source = g_canonicalize_filename ("data", NULL);
  g_autofree char *found = NULL, *env = NULL, *override = NULL, *empty = NULL;

  /* A test program of the build tree reads the source tree's data/. */
  g_unsetenv ("COPUB_DATA_DIR");
  found = copub_data_dir (NULL);
  g_assert_cmpstr (found, ==, source);
  empty = copub_data_dir ("");
  g_assert_cmpstr (empty, ==, source);
  /* $COPUB_DATA_DIR wins over the build tree, used as given (not checked)... */
  g_setenv ("COPUB_DATA_DIR", "/nonexistent/env-data", TRUE);
  env = copub_data_dir (NULL);
  g_assert_cmpstr (env, ==, "/nonexistent/env-data");
  /* ... and an override wins over $COPUB_DATA_DIR. */
  override = copub_data_dir ("/nonexistent/override");
  g_assert_cmpstr (override, ==, "/nonexistent/override");
  g_setenv ("COPUB_DATA_DIR", "", TRUE);
  g_free (found);
  found = copub_data_dir (NULL);
  g_assert_cmpstr (found, ==, source);
  g_unsetenv ("COPUB_DATA_DIR");
}

/* A data directory of one's own: its gazetteer.tsv is read instead of data/'s. */
static void
test_own_data_dir (void)
{
  static const char tsv[] = "# test data\n"
                            "city\tNO\t-\tZyxville|Zyx-sur-Mer\n"
                            "region\tNO-03\t-\tZyxland\n"
                            "country\tNO\tupper,final\tZYXN\n"
                            "hint\tNO\t-\tzyxish\n"
                            "stop\t-\t-\tOslo\n";
  g_autofree char *path = write_temp ("gazetteer.tsv", tsv, sizeof tsv - 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  static const char *const cases[][2] = {
    { "Zyxville", "city:NO" },
    { "zyx sur mer", "city:NO" },
    { "Zyxland", "region:NO-03" },
    { "ZYXN", "country:NO+upper+final" },
    { "zyxish", "hint:NO" },
    { "Oslo", "" },        /* a stop word is never a city */
    { "Lorraine", "" },    /* data/gazetteer.tsv was not read */
    { "Nancy", "city:FR" }, /* the cities of libgeonames still are */
  };

  {
    g_autoptr(CopubGazetteer) gaz = copub_gazetteer_new (dir, &error);
    g_assert_no_error (error);
    if (gaz != NULL)
      check_places (gaz, cases, G_N_ELEMENTS (cases));
  }
  {
    /* The same through $COPUB_DATA_DIR. */
    g_autoptr(CopubGazetteer) gaz = NULL;
    g_setenv ("COPUB_DATA_DIR", dir, TRUE);
    gaz = copub_gazetteer_new (NULL, &error);
    g_unsetenv ("COPUB_DATA_DIR");
    g_assert_no_error (error);
    if (gaz != NULL)
      check_places (gaz, cases, G_N_ELEMENTS (cases));
  }
}

static void
test_bad_data_dir (void)
{
  static const struct { const char *tsv; int code; const char *message; }
  cases[] = {
    { "city\tNO\tZyxville\n", COPUB_ERROR_PARSE, "line 1: expected 4 fields" },
    { "# comment\n\ntown\tNO\t-\tZyxville\n", COPUB_ERROR_PARSE,
      "line 3: unknown kind 'town'" },
    /* A code of one letter is refused under the same message as an unknown kind. */
    { "city\tN\t-\tZyxville\n", COPUB_ERROR_PARSE, "line 1: unknown kind 'city'" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubGazetteer) missing = copub_gazetteer_new ("/nonexistent/copub-data", &error);

  g_assert_null (missing);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_assert_true (error != NULL
                 && strstr (error->message, "/nonexistent/copub-data/gazetteer.tsv") != NULL);
  g_assert_true (error != NULL
                 && g_str_has_suffix (error->message,
                                      "(copub's data directory; set COPUB_DATA_DIR)"));
  g_clear_error (&error);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_temp ("gazetteer.tsv", cases[i].tsv, strlen (cases[i].tsv));
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *expected = g_strdup_printf ("'%s' %s", path, cases[i].message);
      g_autoptr(CopubGazetteer) gaz = copub_gazetteer_new (dir, &error);

      g_assert_null (gaz);
      g_assert_error (error, COPUB_ERROR, cases[i].code);
      g_assert_cmpstr (error != NULL ? error->message : NULL, ==, expected);
      g_clear_error (&error);
    }
}

/* Keys: a name of ASCII letters and spaces (keyed without the tokenizer) and any other name
 * (through it) fold alike. */
static void
test_keys (void)
{
  static const struct { const char *name, *key; } cases[] = {
    { "University of Cambridge", "university of cambridge" },
    { "  Two   SPACES  here ", "two spaces here" },
    { "A", "a" },
    { "", "" },
    { "Vandœuvre-lès-Nancy", "vandoeuvre les nancy" },
    { "UMR7585 Paris-Diderot", "umr 7585 paris diderot" },
    { "University of Cambridge.", "university of cambridge" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = copub_gazetteer_key (cases[i].name);
      g_assert_cmpstr (key, ==, cases[i].key);
    }
}

/* The key of a name is its tokens' folds joined by spaces, whichever way it is built (names
 * in Latin characters are keyed without the tokenizer): digits split from letters, marks,
 * soft hyphens, ligatures, letters that fold to nothing or to two, separators of all kinds,
 * the 64-token cap. */
static void
test_keys_as_tokens (void)
{
  static const char *const names[] = {
    "abc1def 2CNRS UMR7585 a1b ab1 1abc AB12cd34 a1b2c3d4", "Saint-Dié-des-Vosges",
    "École\u00adNormale", "e\u0301cole \u0301x", "ǅurđevac ŉ ß Æther Øresund ĸ ǀ", "x²y ½",
    "Universität Zürich (UZH); Institut für Physik", "Łódź – Kraków — Gdańsk", "İstanbul",
    "Azərbaycan Dövlət İqtisad Universiteti", "l’Université d'Évry", "A\tB\nC\u00a0D",
    "Instytut Łączności – Państwowy Instytut Badawczy", "ÅÄÖ åäö", "1st 2nd 3rd", "",
    "Москва and Latin", "ΑΘΗΝΑ",
  };
  g_autoptr(GString) many = g_string_new (NULL);
  CopubTokens tokens;

  for (guint i = 0; i < 70; i++)
    g_string_append (many, i % 2 ? "é " : "w ");
  copub_tokens_init (&tokens);
  for (gsize i = 0; i <= G_N_ELEMENTS (names); i++)
    {
      const char *name = i < G_N_ELEMENTS (names) ? names[i] : many->str;
      g_autofree char *key = copub_gazetteer_key (name);
      g_autoptr(GString) joined = g_string_new (NULL);
      copub_gazetteer_tokenize (name, strlen (name), 64, &tokens);
      for (guint k = 0; k < tokens.tokens->len; k++)
        g_string_append_printf (joined, "%s%s", k > 0 ? " " : "", copub_tokens_fold (&tokens, k));
      g_assert_cmpstr (key, ==, joined->str);
    }
  copub_tokens_clear (&tokens);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_unsetenv ("COPUB_DATA_DIR");
  gazetteer = copub_gazetteer_new (NULL, &error);
  g_assert_no_error (error);
  g_test_add_func ("/gazetteer/keys", test_keys);
  g_test_add_func ("/gazetteer/keys-as-tokens", test_keys_as_tokens);
  g_test_add_func ("/gazetteer/countries", test_countries);
  g_test_add_func ("/gazetteer/regions-and-cities", test_regions_and_cities);
  g_test_add_func ("/gazetteer/ambiguous", test_ambiguous);
  g_test_add_func ("/gazetteer/prefixes", test_prefixes);
  g_test_add_func ("/gazetteer/country-codes", test_country_codes);
  g_test_add_func ("/gazetteer/country-names", test_country_names);
  g_test_add_func ("/gazetteer/ror", test_ror);
  g_test_add_func ("/gazetteer/ror-beside-places", test_ror_beside_places);
  g_test_add_func ("/gazetteer/data-dir", test_data_dir);
  g_test_add_func ("/gazetteer/own-data-dir", test_own_data_dir);
  g_test_add_func ("/gazetteer/bad-data-dir", test_bad_data_dir);
  status = g_test_run ();
  copub_gazetteer_free (gazetteer);
  return status;
}
