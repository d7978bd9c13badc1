/* Unit tests of the report: escaping for HTML and Markdown, inlining gnuplot's SVG, the
 * files written from the fixture store, their content and language, the history
 * section, hostile names, and a report written without gnuplot. */
#include <string.h>

#include <glib/gstdio.h>
#include <jansson.h>

#include "copub/countries.h"
#include "copub/error.h"
#include "copub/plot.h"
#include "copub/report.h"

#include "testlib.h"

static const char *const csv_files[] = {
  "year.csv", "theme.csv", "theme-year.csv", "country.csv", "country-year.csv",
  "theme-country.csv", "source.csv", NULL,
};

static char *
read_out (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static gboolean
exists (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = haystack; p && (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

/* No country name in the inverted ISO form ("Russie, Fédération de", "Iran, République
 * islamique d'"), in English or French: every code iso-codes knows. Only the names that
 * are lists ("Bonaire, Sint Eustatius and Saba") keep a comma. */
static void
test_country_names (void)
{
  static const char *const lists[] = { "BQ", "SH", NULL };
  json_error_t jerr;
  json_t *root = json_load_file ("/usr/share/iso-codes/json/iso_3166-1.json", 0, &jerr);
  json_t *list = json_object_get (root, "3166-1"), *item;
  size_t i;

  g_assert_nonnull (list);
  json_array_foreach (list, i, item)
    {
      const char *code = json_string_value (json_object_get (item, "alpha_2"));
      if (g_strv_contains (lists, code))
        continue;
      for (guint l = 0; l < 2; l++)
        {
          const char *name = copub_country_name (code, l ? "fr" : "en");
          if (strchr (name, ',') != NULL)
            g_test_message ("%s (%s): %s", code, l ? "fr" : "en", name);
          g_assert_null (strchr (name, ','));
        }
    }
  g_assert_cmpstr (copub_country_name ("RU", "fr"), ==, "Russie");
  g_assert_cmpstr (copub_country_name ("IR", "fr"), ==, "Iran");
  g_assert_cmpstr (copub_country_name ("KR", "fr"), ==, "Corée du Sud");
  g_assert_cmpstr (copub_country_name ("KR", "en"), ==, "South Korea");
  json_decref (root);
}

/* ---- escaping ---------------------------------------------------------------------- */

static void
test_html_escape (void)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "Université de Lorraine", "Université de Lorraine" },
    { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
    { "a & b \"c\" 'd'", "a &amp; b &quot;c&quot; &#39;d&#39;" },
    { "line\nbreak\x01", "line break " },
    { "bad \xff", "bad \uFFFD" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = copub_report_html_escape (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

static void
test_markdown_escape (void)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
    { "Germany", "Germany" },
    { "47.2%", "47.2%" },
    { "# not a heading", "\\# not a heading" },
    { "- not a list", "\\- not a list" },
    { "2024. not a list", "2024\\. not a list" },
    { "a|b", "a\\|b" },
    { "*em* _em_ `code`", "\\*em\\* \\_em\\_ \\`code\\`" },
    { "[x](http://e.org) ![i](j)", "\\[x\\](http://e.org) \\!\\[i\\](j)" },
    { "<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>" },
    { "a & b", "a \\& b" },
    { "two\nlines", "two lines" },
    { "back\\slash", "back\\\\slash" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = copub_report_markdown_escape (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

static void
test_inline_svg (void)
{
  const char *svg =
      "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n"
      "<svg \n width=\"960\" height=\"540\" viewBox=\"0 0 960 540\"\n"
      " xmlns=\"http://www.w3.org/2000/svg\" id=\"gnuplot_svg\">\n"
      "<title>Gnuplot</title>\n<g id=\"gnuplot_canvas\">\n"
      "<circle id='gpDot' r='0.5'/>\n<use xlink:href='#gpDot' filter='url(#textbox)'/>\n"
      "<text>id='label' href='#x'</text>\n</g></svg>\n";
  g_autofree char *got = copub_report_inline_svg (svg, "c1-", "Share <per> year");

  g_assert_nonnull (got);
  g_assert_true (g_str_has_prefix (got, "<svg role=\"img\" "
                                        "aria-label=\"Share &lt;per&gt; year\""));
  g_assert_null (strstr (got, "<?xml"));
  g_assert_nonnull (strstr (got, "id=\"c1-gnuplot_svg\""));
  g_assert_nonnull (strstr (got, "<g id=\"c1-gnuplot_canvas\">"));
  g_assert_nonnull (strstr (got, "<circle id='c1-gpDot'"));
  g_assert_nonnull (strstr (got, "xlink:href='#c1-gpDot' filter='url(#c1-textbox)'"));
  /* Text is text: not rewritten. */
  g_assert_nonnull (strstr (got, "<text>id='label' href='#x'</text>"));
  g_assert_nonnull (strstr (got, "<title>Share &lt;per&gt; year</title>"));
  g_assert_null (copub_report_inline_svg ("<html></html>", "x", "t"));
  g_assert_null (copub_report_inline_svg (NULL, "x", "t"));
}

/* ---- writing ----------------------------------------------------------------------- */

/* The report of the fixture store: every file, the headline first, the sections in
 * order, the charts inline, nothing external, the Markdown linking the PNG charts. */
static void
test_write (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubReportOptions report = COPUB_REPORT_OPTIONS_INIT;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *md = NULL;
  g_autofree char *csv = NULL;
  const char *sections[] = { "id=\"headline\"", "id=\"definitions\"", "id=\"corpus\"",
                             "id=\"coverage\"", "id=\"tables\"", "id=\"charts\"",
                             "id=\"warnings\"", NULL };
  const char *at;

  if (testlib_gnuplot_missing ())
    return;
  report.institution = "Université de Lorraine";
  g_assert_true (copub_report_write (store, &analyse, &report, dir, &files, &error));
  g_assert_no_error (error);
  for (guint i = 0; csv_files[i]; i++)
    g_assert_true (exists (dir, csv_files[i]));
  g_assert_false (exists (dir, "partner-year.csv"));
  html = read_out (dir, "report.html");
  md = read_out (dir, "report.md");
  csv = read_out (dir, "year.csv");
  g_assert_nonnull (html);
  g_assert_nonnull (md);
  g_assert_true (g_str_has_prefix (csv, "year,works,international,share,"));
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>\n<html lang=\"en\">"));
  at = html;
  for (guint i = 0; sections[i]; i++)
    {
      const char *next = strstr (html, sections[i]);
      g_assert_nonnull (next);
      g_assert_true (next >= at);
      at = next ? next : at;
    }
  g_assert_nonnull (strstr (html, "In 2022, about one publication in two of Université de "
                                  "Lorraine was co-authored with an international partner"));
  /* (e) needs a partner file, (b) years of 10 works or more: five gnuplot charts and the
   * world map, all inline, no file or script reference. */
  g_assert_cmpuint (count (html, "<figure class=\"chart\""), ==, 5);
  g_assert_cmpuint (count (html, "<svg role=\"img\""), ==, 5);
  /* The map is copub's own SVG: one element per country (177 shapes at least), each
   * described one focusable, with its tooltip; its values in a table after it. */
  g_assert_cmpuint (count (html, "<figure class=\"chart map\" id=\"chart-world-map\">"), ==, 1);
  g_assert_cmpuint (count (html, " data-code=\""), >=, 177);
  g_assert_cmpuint (count (html, " tabindex=\"0\" role=\"img\" aria-label=\""), >=, 177);
  g_assert_nonnull (strstr (html, "<details class=\"map-table\"><summary>The map as a table"));
  g_assert_cmpuint (count (md, "](world-map.png)"), ==, 1);
  g_assert_null (strstr (md, "The map as a table"));
  g_assert_null (strstr (html, "<?xml"));
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, " src="));
  g_assert_null (strstr (html, "<link"));
  g_assert_null (strstr (html, "How the figure moved"));
  g_assert_null (strstr (html, "strategic partners"));
  g_assert_nonnull (strstr (html, "Chart not drawn, “International share by theme”: no theme "
                                  "has a year with enough works."));
  g_assert_true (g_str_has_prefix (md, "# International co-publication: Université de "
                                       "Lorraine\n\n> **In 2022, about one publication"));
  g_assert_cmpuint (count (md, "](share-by-year.png)"), ==, 1);
  for (guint k = 0; k < COPUB_N_CHARTS; k++)
    if (k != COPUB_CHART_PARTNERS && k != COPUB_CHART_THEMES
        && k != COPUB_CHART_REGIONS       /* the options have no groups: tests/cli/report.sh */
        && k != COPUB_CHART_INSTITUTIONS) /* no partner file, no home institution */
      {
        g_autofree char *png = g_strconcat (copub_chart_name (k), ".png", NULL);
        g_assert_true (exists (dir, png));
      }
  /* 6 charts, 7 CSV files, 2 documents */
  g_assert_cmpuint (files->len, ==, 15);
  testlib_remove_tree (dir);
}

/* In French: the language attribute, the headline, the sections, the numbers. */
static void
test_write_french (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;

  if (testlib_gnuplot_missing ())
    return;
  analyse.lang = "fr";
  g_assert_true (copub_report_write (store, &analyse, NULL, dir, NULL, &error));
  g_assert_no_error (error);
  html = read_out (dir, "report.html");
  g_assert_nonnull (strstr (html, "<html lang=\"fr\">"));
  g_assert_nonnull (strstr (html, "En 2022, environ une publication sur deux"));
  g_assert_nonnull (strstr (html, "Ce que mesurent les chiffres"));
  g_assert_nonnull (strstr (html, "Part des co-publications internationales par année"));
  g_assert_nonnull (strstr (html, "<td class=\"n\">50,0\u202f%</td>"));
  testlib_remove_tree (dir);
}

/* Past runs: the section appears, with each run and this one, and the move in points. */
static void
test_history (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubReportOptions report = COPUB_REPORT_OPTIONS_INIT;
  const CopubReportRun runs[] = { { "2024-01-05", 0.40, 2, 0 },
                                  { "2024-02-05T03:15:09Z", 0.45, 2, 0 } };
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *md = NULL;

  if (testlib_gnuplot_missing ())
    return;
  report.history = runs;
  report.n_history = G_N_ELEMENTS (runs);
  g_assert_true (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_no_error (error);
  html = read_out (dir, "report.html");
  md = read_out (dir, "report.md");
  g_assert_nonnull (strstr (html, "<h2 id=\"history\">How the figure moved</h2>"));
  g_assert_nonnull (strstr (html, "Since the run of 2024-01-05, the headline moved from 40.0% "
                                  "to 50.0% (+10.0 points). Its n is the same"));
  g_assert_nonnull (strstr (html, "<td>2024-02-05 03:15</td><td class=\"n\">45.0%</td>"));
  g_assert_nonnull (strstr (md, "## How the figure moved"));
  g_assert_nonnull (strstr (md, "| this report | 50.0% | 2 |"));
  testlib_remove_tree (dir);
}

/* A headline that did not move says so, and names only what changed. */
static void
test_history_unmoved (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubReportOptions report = COPUB_REPORT_OPTIONS_INIT;
  CopubReportRun runs[] = { { "2024-01-05", 0.50, 2, 0 } };
  g_autoptr(GError) error = NULL;
  g_autofree char *md = NULL;

  if (testlib_gnuplot_missing ())
    return;
  report.history = runs;
  report.n_history = 1;
  g_assert_true (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_no_error (error);
  md = read_out (dir, "report.md");
  g_assert_nonnull (strstr (md, "Since the run of 2024-01-05, the headline has not moved: "
                                "50.0%.\n"));
  g_assert_null (strstr (md, "moved from"));
  g_assert_null (strstr (md, "changed"));
  g_clear_pointer (&md, g_free);

  /* Same share, another n and another store: both said, in French too. */
  runs[0].works = 3;
  runs[0].stored = 1;
  analyse.lang = "fr";
  g_assert_true (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_no_error (error);
  md = read_out (dir, "report.md");
  g_assert_nonnull (strstr (md, "Depuis le calcul du 2024-01-05, le chiffre clé n'a pas "
                                "bougé : 50,0\u202f%. Son n est passé de 3 à 2. La base est "
                                "passée de 1 à "));
  testlib_remove_tree (dir);
}

/* The coverage section bounds the share: 2020 has 4 works, one international, one (W3)
 * with an authorship of unknown country: floor 25 %, ceiling 50 %. */
static void
test_coverage_bounds (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubReportOptions report = COPUB_REPORT_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *md = NULL;

  if (testlib_gnuplot_missing ())
    return;
  report.period_from = report.period_to = 2020;
  g_assert_true (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_no_error (error);
  md = read_out (dir, "report.md");
  g_assert_nonnull (strstr (md, "In 2020, 87.5% of the authorships have a known country, but "
                                "25.0% of the works (1 of 4) have at least one authorship "
                                "whose country is unknown"));
  g_assert_nonnull (strstr (md, "so 25.0% is a floor (every unknown country taken as the "
                                "home country, France). If all 1 were international, the "
                                "share would be 50.0%: the ceiling."));
  g_assert_nonnull (strstr (md, "The 95 % interval, 4.6–69.9%, is the floor's"));
  g_assert_nonnull (strstr (md, "| 2020 | 4 | 1 | 25.0% | 4.6–69.9% | 87.5% | 3 | 33.3% | "
                                "50.0% |"));
  g_assert_null (strstr (md, "floor more than a ceiling"));
  g_assert_null (strstr (md, "would reach with complete data"));
  g_clear_pointer (&md, g_free);

  analyse.lang = "fr";
  g_assert_true (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_no_error (error);
  md = read_out (dir, "report.md");
  g_assert_nonnull (strstr (md, "mais 25,0\u202f% des publications (1 sur 4) ont au moins une "
                                "signature de pays inconnu"));
  g_assert_nonnull (strstr (md, "la part serait de 50,0\u202f% : le plafond"));
  testlib_remove_tree (dir);
}

/* The report's Markdown for @period_from-@period_to with @types (NULL: the default). */
static char *
variants_md (CopubStore *store, const char *dir, int period_from, int period_to,
             const char *const *types, const char *lang)
{
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubReportOptions report = COPUB_REPORT_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;

  analyse.types = types;
  analyse.lang = lang;
  report.period_from = period_from;
  report.period_to = period_to;
  g_assert_true (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_no_error (error);
  return read_out (dir, "report.md");
}

/* How the figure moves: every row the counting with one option changed, and the
 * sentence under the table for many, one, none and every definition where "about one
 * in two" holds. The fixture (OpenAlex only, no normaliser): 2020 holds W1 (FR, US), W2
 * (FR), W3 (FR and an unknown country), the chapter W4 (FR, Réunion), the dataset W7
 * (BE, FR); 2021 W8 (BE, US), W9, W10 (FR); 2022 W11 (FR), W12 (BE). */
static void
test_variants (void)
{
  static const char *const article_review[] = { "article", "review", NULL };
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  char *md;

  if (testlib_gnuplot_missing ())
    return;
  /* 2020: 1 of 4; articles 1 of 2; every type 2 of 5; Réunion abroad 2 of 4. */
  md = variants_md (store, dir, 2020, 2020, NULL, "en");
  g_assert_nonnull (strstr (md, "## How the figure moves\n"));
  g_assert_nonnull (strstr (md, "**The headline under other definitions, 2020**"));
  g_assert_nonnull (strstr (md, "| The headline's definition | 4 | 1 | 25.0% | 4.6–69.9% | no |"));
  g_assert_nonnull (strstr (md, "| Articles only | 2 | 1 | 50.0% | 9.5–90.5% | yes |"));
  g_assert_nonnull (strstr (md, "| All document types, conference papers included | 5 | 2 | "
                                "40.0% |"));
  g_assert_nonnull (strstr (md, "| OpenAlex alone | 4 | 1 | 25.0% |"));
  g_assert_nonnull (strstr (md, "| HAL alone | 0 | 0 | – | – | no work |"));
  g_assert_nonnull (strstr (md, "| French overseas territories counted as abroad | 4 | 2 | "
                                "50.0% |"));
  g_assert_nonnull (strstr (md, "“About one in two” holds for “Articles only” and “French "
                                "overseas territories counted as abroad”; it does not for "
                                "“The headline's definition”, “All document types, "
                                "conference papers included”, “OpenAlex alone”, “Both "
                                "sources together” and “The sources' countries only, "
                                "without copub's normaliser”. No work in the period for "
                                "“HAL alone”."));
  g_free (md);
  md = variants_md (store, dir, 2020, 2020, NULL, "fr");
  g_assert_nonnull (strstr (md, "## Comment le chiffre varie selon sa définition\n"));
  g_assert_nonnull (strstr (md, "« Environ une sur deux » est vrai pour « Articles seuls » et "
                                "« Outre-mer français compté comme étranger » ; ce n'est pas "
                                "le cas pour "));
  g_free (md);
  /* One: articles and reviews, 1 of 3; articles alone 1 of 2. */
  md = variants_md (store, dir, 2020, 2020, article_review, "en");
  g_assert_nonnull (strstr (md, "“About one in two” holds for “Articles only”; it does not "
                                "for “The headline's definition”, “All"));
  g_free (md);
  /* None: 1 of 3 whatever the definition. */
  md = variants_md (store, dir, 2021, 2021, NULL, "en");
  g_assert_nonnull (strstr (md, "“About one in two” holds under none of these definitions. "
                                "No work in the period for “HAL alone”."));
  g_free (md);
  /* Every one with works: 1 of 2. */
  md = variants_md (store, dir, 2022, 2022, NULL, "en");
  g_assert_nonnull (strstr (md, "“About one in two” holds under every one of these "
                                "definitions that has works. No work in the period for "
                                "“HAL alone”."));
  g_free (md);
  testlib_remove_tree (dir);
}

/* A hostile institution name reaches the title, the headline and every chart: escaped in
 * HTML and Markdown, harmless in gnuplot. */
static void
test_hostile_names (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubReportOptions report = COPUB_REPORT_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *md = NULL;

  if (testlib_gnuplot_missing ())
    return;
  report.institution = "</svg><script>alert('x')</script>\n# `touch /tmp/copub-x` [l](j) |";
  g_assert_true (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_no_error (error);
  html = read_out (dir, "report.html");
  md = read_out (dir, "report.md");
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "</svg><script"));
  g_assert_nonnull (strstr (html, "&lt;/svg&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                                  "# `touch /tmp/copub-x`"));
  g_assert_nonnull (strstr (md, "\\</svg\\>\\<script\\>alert('x')\\</script\\> # \\`touch "
                                "/tmp/copub-x\\` \\[l\\](j) \\|"));
  g_assert_null (strstr (md, "\n# `"));
  g_assert_false (g_file_test ("/tmp/copub-x", G_FILE_TEST_EXISTS));
  testlib_remove_tree (dir);
}

/* Without gnuplot: COPUB_ERROR_CHILD saying so, and the report, its tables and the CSV
 * files written all the same, saying why there are no charts. */
static void
test_missing_gnuplot (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  g_autofree char *empty = g_dir_make_tmp ("copub-empty-XXXXXX", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("PATH"));
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *md = NULL;
  gboolean ok;

  g_setenv ("PATH", empty, TRUE);
  ok = copub_report_write (store, &analyse, NULL, dir, &files, &error);
  g_setenv ("PATH", saved, TRUE);
  g_assert_false (ok);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_CHILD);
  g_assert_nonnull (error ? strstr (error->message, "gnuplot not found") : NULL);
  for (guint i = 0; csv_files[i]; i++)
    g_assert_true (exists (dir, csv_files[i]));
  md = read_out (dir, "report.md");
  html = read_out (dir, "report.html");
  g_assert_nonnull (md);
  g_assert_nonnull (html);
  g_assert_nonnull (strstr (md, "The charts could not be drawn: gnuplot not found"));
  g_assert_null (strstr (md, ".png)"));
  g_assert_nonnull (strstr (html, "id=\"headline\""));
  g_assert_cmpuint (count (html, "<figure"), ==, 0);
  g_assert_cmpuint (files->len, ==, 9);
  testlib_remove_tree (dir);
  g_rmdir (empty);
}

/* A period without works: an error, and nothing written. */
static void
test_empty_period (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-report", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-report-XXXXXX", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  CopubReportOptions report = COPUB_REPORT_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;

  report.period_from = report.period_to = 1999;
  g_assert_false (copub_report_write (store, &analyse, &report, dir, NULL, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_FAILED);
  g_assert_false (exists (dir, "report.html"));
  g_assert_false (exists (dir, "year.csv"));
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/report/country-names", test_country_names);
  g_test_add_func ("/report/html-escape", test_html_escape);
  g_test_add_func ("/report/markdown-escape", test_markdown_escape);
  g_test_add_func ("/report/inline-svg", test_inline_svg);
  g_test_add_func ("/report/write", test_write);
  g_test_add_func ("/report/write-french", test_write_french);
  g_test_add_func ("/report/history", test_history);
  g_test_add_func ("/report/history-unmoved", test_history_unmoved);
  g_test_add_func ("/report/coverage-bounds", test_coverage_bounds);
  g_test_add_func ("/report/variants", test_variants);
  g_test_add_func ("/report/hostile-names", test_hostile_names);
  g_test_add_func ("/report/missing-gnuplot", test_missing_gnuplot);
  g_test_add_func ("/report/empty-period", test_empty_period);
  return g_test_run ();
}
