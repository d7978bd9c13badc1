/* Unit tests of the charts: escaping labels for gnuplot (checked against gnuplot itself),
 * labels that try to run commands, the charts' files and sizes, empty data, gnuplot
 * failing or missing. Tests that need gnuplot are skipped when it is not installed. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <zlib.h>

#include "copub/error.h"
#include "copub/plot.h"

#include "testlib.h"

/* Labels that would run a command if they reached gnuplot unescaped, or break it. Each
 * command would create a marker file /tmp/PWNED-<pid>-<what>. */
static const char *const evil_templates[] = {
  "quote ' and '' and '''",
  "double \" quote \"\" and \\\" escaped",
  "back\\slash \\n \\t \\' \\",
  "new\nline\n!touch /tmp/PWNED-bang\r!touch /tmp/PWNED-cr",
  "back`touch /tmp/PWNED-backquote`quote",
  "'; system(\"touch /tmp/PWNED-system\"); print '",
  "\" . system(\"touch /tmp/PWNED-concat\") . \"",
  "`touch /tmp/PWNED-bare`",
  "@ARG0 @ARGV $0 {x} ^2 _y & <b> ]]> %s %n",
  "eval('system(\"touch /tmp/PWNED-eval\")') # comment ; set output '/tmp/PWNED-out'",
  "unicode é 中 \u2028 sep \xff invalid",
};

#define N_EVIL G_N_ELEMENTS (evil_templates)

static char *
evil (guint i)
{
  g_autoptr(GString) label = g_string_new (evil_templates[i]);
  g_autofree char *marker = g_strdup_printf ("PWNED-%d-", (int) getpid ());

  g_string_replace (label, "PWNED-", marker, 0);
  return g_string_free (g_steal_pointer (&label), FALSE);
}

/* The marker files the evil labels would create. */
static guint
count_markers (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/tmp", 0, NULL);
  g_autofree char *prefix = g_strdup_printf ("PWNED-%d-", (int) getpid ());
  const char *name;
  guint n = 0;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, prefix);
  return n;
}

/* ---- quoting ----------------------------------------------------------------------- */

static void
test_quote (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "Germany", "'Germany'" },
    { "", "''" },
    { "it's", "'it''s'" },
    { "l'Université d'Ivoire", "'l''Université d''Ivoire'" },
    { "end'", "'end'''" },
    { "''", "'’’'" },
    { "'a'", "'’a'''" },
    { "a''b", "'a’’b'" },
    { "a\nb\rc\td", "'a b c d'" },
    { "`date`", "'\u02CBdate\u02CB'" },
    { "back\\slash\\", "'back\\slash\\'" },
    { "\"double\"", "'\"double\"'" },
    { "system(\"ls\")", "'system(\"ls\")'" },
    { "sep\u2028x", "'sep x'" },
    { "bad \xff byte", "'bad \uFFFD byte'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *q = copub_plot_quote (cases[i].in);
      g_assert_cmpstr (q, ==, cases[i].out);
    }
  {
    g_autofree char *q = copub_plot_quote (NULL);
    g_assert_cmpstr (q, ==, "''");
  }
}

/* Whatever the input, the result is one single-quoted token: no newline, no backquote,
 * no quote inside the outer ones. */
static void
test_quote_is_one_token (void)
{
  for (guint i = 0; i < N_EVIL; i++)
    {
      g_autofree char *label = evil (i);
      g_autofree char *q = copub_plot_quote (label);
      gsize len = strlen (q);
      g_assert_true (g_utf8_validate (q, -1, NULL));
      g_assert_cmpuint (len, >=, 2);
      g_assert_true (q[0] == '\'' && q[len - 1] == '\'');
      g_autoptr(GString) inner = g_string_new_len (q + 1, (gssize) len - 2);
      g_assert_null (strpbrk (q, "\n\r`"));
      g_string_replace (inner, "''", "", 0);   /* a doubled quote stands for one */
      g_assert_null (strchr (inner->str, '\''));
    }
}

/* gnuplot itself reads each quoted label back as the label (control characters as
 * spaces, quotes and backquotes as their look-alikes) and runs nothing. */
static void
test_quote_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  g_autoptr(GString) script = g_string_new ("set print 'labels.txt'\n");
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "labels.txt", NULL);
  g_autofree char *got = NULL;

  if (testlib_gnuplot_missing ())
    return;
  for (guint i = 0; i < N_EVIL; i++)
    {
      g_autofree char *label = evil (i);
      g_autofree char *q = copub_plot_quote (label);
      g_autoptr(GString) inner = g_string_new_len (q + 1, (gssize) strlen (q) - 2);
      g_string_replace (inner, "''", "'", 0);
      g_string_append_printf (script, "print %s\n", q);
      g_string_append_printf (expected, "%s\n", inner->str);
    }
  g_assert_true (copub_plot_run (NULL, script->str, dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, expected->str);
  /* and the sanitising is what it says: the first label, quotes aside, is intact */
  g_assert_true (g_str_has_prefix (got, "quote ' and ’’ and ’’’\n"));
  g_assert_cmpuint (count_markers (), ==, 0);
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- hand-made chart data ---------------------------------------------------------- */

/* Real countries, for the world map and the links, named by evil labels (the large, the
 * small drawn as dots, the shapeless). */
static const char *const evil_codes[] = { "US", "DE", "BR", "LU", "SG", "MT", "CN", "NZ" };
static char **evil_country_names;

/* Countries are named by their code (the tests' codes are the labels themselves), the
 * real ones above by an evil label when evil_data() set them. */
static const char *
name_is_code (const char *code, const char *lang, gpointer unused)
{
  (void) lang, (void) unused;
  for (guint i = 0; evil_country_names && i < G_N_ELEMENTS (evil_codes); i++)
    if (g_strcmp0 (code, evil_codes[i]) == 0)
      return evil_country_names[i % N_EVIL];
  return code;
}

static CopubIndicators *
new_indicators (CopubDimension d1, CopubDimension d2, guint window)
{
  CopubDimension dims[] = { d1, d2 };
  CopubIndicators *ind = copub_indicators_new (dims, d2 == COPUB_N_DIMS ? 1 : 2, window,
                                               COPUB_COUNTING_BOTH, "FR");

  copub_indicators_set_country_names (ind, name_is_code, "en", NULL);
  return ind;
}

/* Empty indicators with the dimensions copub_plot_data_compute() gives them. */
static CopubPlotData *
empty_data (void)
{
  CopubPlotData *d = g_new0 (CopubPlotData, 1);

  d->years = new_indicators (COPUB_DIM_YEAR, COPUB_N_DIMS, 1);
  d->themes = new_indicators (COPUB_DIM_THEME, COPUB_N_DIMS, 1);
  d->theme_years = new_indicators (COPUB_DIM_THEME, COPUB_DIM_YEAR, 1);
  d->countries = new_indicators (COPUB_DIM_COUNTRY, COPUB_N_DIMS, 1);
  d->countries_all = new_indicators (COPUB_DIM_COUNTRY, COPUB_N_DIMS, 1);
  d->country_years = new_indicators (COPUB_DIM_COUNTRY, COPUB_DIM_YEAR, 1);
  d->theme_countries = new_indicators (COPUB_DIM_THEME, COPUB_DIM_COUNTRY, 1);
  d->partner_years = new_indicators (COPUB_DIM_PARTNER, COPUB_DIM_YEAR, 1);
  d->sources = new_indicators (COPUB_DIM_SOURCE, COPUB_N_DIMS, 1);
  d->region_years = new_indicators (COPUB_DIM_REGION, COPUB_DIM_YEAR, 1);
  d->institutions = new_indicators (COPUB_DIM_INSTITUTION, COPUB_N_DIMS, 1);
  d->source_stats = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_source_stats_free);
  d->lang = "en";
  return d;
}

/* A year cell: @works, @international of them, @complete works whose every authorship
 * has a country, @complete_international of those international. */
static void
add_year (CopubIndicators *ind, int year, gint64 works, gint64 international,
          gint64 complete, gint64 complete_international)
{
  CopubCell c = { .year = year, .works = works, .international = international,
                  .authorships = 2 * works, .known = 2 * works - (works - complete),
                  .complete = complete, .complete_international = complete_international };
  copub_indicators_add_cell (ind, &c);
}

/* Three years of data whose every name is an evil label; the first theme has
 * @first_theme_works works a year. */
static CopubPlotData *
evil_data (char **labels, gint64 first_theme_works)
{
  CopubPlotData *d = empty_data ();
  CopubSourceStats *src = g_new0 (CopubSourceStats, 1);

  d->first_year = 2020;
  d->last_year = 2022;
  d->period_from = d->period_to = 2022;
  d->works = 300;
  d->headline.works = 100;
  for (int y = 2020; y <= 2022; y++)
    add_year (d->years, y, 100, 40 + 2 * (y - 2020), 80, 36);
  for (guint i = 0; i < N_EVIL; i++)
    {
      const char *l = labels[i];
      CopubCell theme = { .theme = l, .works = 100 - (gint64) i, .international = 30 };
      /* 10 - 0.5 i works of fractional credit */
      CopubCell country = { .country = l, .works = 2 * N_EVIL - (gint64) i, .n = 100,
                            .fractional = { 0, (guint64) (20 - i) * (COPUB_FRACTION_UNITS / 2) } };
      CopubCell partner = { .partner = l, .year = 2021, .works = 5 + (gint64) i, .n = 100 };
      CopubCell heat = { .theme = l, .country = l, .works = 3 + (gint64) i, .n = 100 };
      copub_indicators_add_cell (d->themes, &theme);
      copub_indicators_add_cell (d->countries, &country);
      copub_indicators_add_cell (d->partner_years, &partner);
      copub_indicators_add_cell (d->theme_countries, &heat);
      for (int y = 2020; y <= 2022; y++)
        {
          gint64 works = i == 0 ? first_theme_works : 40;
          CopubCell ty = { .theme = l, .year = y, .works = works,
                           .international = works * (10 + (gint64) i) / 40 };
          CopubCell cy = { .country = l, .year = y, .works = 5 + (gint64) i, .n = 100 };
          CopubCell ry = { .region = l, .year = y, .works = 10 + (gint64) i, .n = 100 };
          copub_indicators_add_cell (d->theme_years, &ty);
          copub_indicators_add_cell (d->country_years, &cy);
          copub_indicators_add_cell (d->region_years, &ry);
        }
    }
  evil_country_names = labels;
  for (guint i = 0; i < G_N_ELEMENTS (evil_codes); i++)
    {
      CopubCell country = { .country = evil_codes[i], .works = 20 - (gint64) i, .n = 100,
                            .fractional = { 0, (guint64) (10 - i) * COPUB_FRACTION_UNITS } };
      copub_indicators_add_cell (d->countries, &country);
      country.n = 300;
      copub_indicators_add_cell (d->countries_all, &country);
    }
  d->partners = g_ptr_array_new_with_free_func (g_free);
  d->regions = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < N_EVIL; i++)
    {
      g_ptr_array_add (d->partners, g_strdup (labels[i]));
      g_ptr_array_add (d->regions, g_strdup (labels[i]));
    }
  /* Partner institutions named by the evil labels (names come from the works). */
  for (guint i = 0; i < N_EVIL; i++)
    {
      g_autofree char *ror = g_strdup_printf ("0evil%04u", i);
      guint64 rank_from_last = N_EVIL - i;
      CopubCell inst = { .institution = ror, .works = (gint64) (10 + rank_from_last), .n = 100,
                         .fractional = { 0, rank_from_last * COPUB_FRACTION_UNITS } };
      copub_indicators_set_institution (d->institutions, ror, NULL, labels[i], "DE");
      copub_indicators_add_cell (d->institutions, &inst);
    }
  src->source = g_strdup (labels[5]);
  src->works = 300;
  src->first_stored = g_strdup ("2024-05-01T10:00:00Z");
  src->last_stored = g_strdup ("2024-05-02T10:00:00Z");
  g_ptr_array_add (d->source_stats, src);
  return d;
}

/* ---- checking the files ------------------------------------------------------------ */

static guint32
be32 (const guchar *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* The PNG's size from its IHDR, and whether it has more than a handful of colours. */
static gboolean
read_png (const char *path, guint32 *width, guint32 *height, gboolean *blank)
{
  g_autofree guchar *data = NULL;
  g_autoptr(GByteArray) idat = g_byte_array_new ();
  g_autofree guchar *pixels = NULL;
  gboolean seen[256] = { FALSE };
  guint distinct = 0;
  uLongf size;
  gsize len = 0, at = 8;

  if (!g_file_get_contents (path, (char **) &data, &len, NULL) || len < 33
      || memcmp (data, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp (data + 12, "IHDR", 4) != 0)
    return FALSE;
  *width = be32 (data + 16);
  *height = be32 (data + 20);
  while (at + 12 <= len)
    {
      guint32 n = be32 (data + at);
      if (n > len - at - 12)
        return FALSE;
      if (memcmp (data + at + 4, "IDAT", 4) == 0)
        g_byte_array_append (idat, data + at + 8, n);
      at += 12 + (gsize) n;
    }
  size = (uLongf) *height * (1 + (uLongf) *width * 4);
  pixels = g_malloc (size);
  if (uncompress (pixels, &size, idat->data, idat->len) != Z_OK)
    return FALSE;
  for (uLongf i = 0; i < size; i += 3)
    if (!seen[pixels[i]])
      {
        seen[pixels[i]] = TRUE;
        distinct++;
      }
  *blank = distinct < 16;
  return TRUE;
}

static void
assert_png (const char *path, guint32 want_width, guint32 want_height)
{
  guint32 w = 0, h = 0;
  gboolean blank = TRUE;

  g_assert_true (read_png (path, &w, &h, &blank));
  g_assert_cmpuint (w, ==, want_width);
  g_assert_cmpuint (h, ==, want_height);
  g_assert_false (blank);
}

static void
assert_well_formed_xml (const char *path)
{
  xmlDocPtr doc = xmlReadFile (path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR
                                               | XML_PARSE_NOWARNING);
  g_assert_nonnull (doc);
  xmlFreeDoc (doc);
}

/* No work directory left behind. */
static void
assert_only_charts (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    g_assert_false (name[0] == '.');
}

/* ---- drawing ----------------------------------------------------------------------- */

static void
draw_evil (CopubPlotFormat format)
{
  char *labels[N_EVIL + 1] = { NULL };
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  g_autofree char *institution = NULL;
  g_autoptr(CopubPlotData) data = NULL;
  g_autoptr(GPtrArray) charts = NULL;
  g_autoptr(GError) error = NULL;
  CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;

  for (guint i = 0; i < N_EVIL; i++)
    labels[i] = evil (i);
  institution = g_strjoinv (" | ", labels);
  data = evil_data (labels, 40);
  options.format = format;
  options.institution = institution;
  options.width = 800;
  options.height = 450;
  charts = copub_plot_draw (data, &options, dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (charts);
  g_assert_cmpuint (charts ? charts->len : 0, ==, COPUB_N_CHARTS);
  for (guint k = 0; charts && k < charts->len; k++)
    {
      const CopubChart *c = charts->pdata[k];
      g_assert_null (c->note);
      g_assert_nonnull (c->path);
      if (format == COPUB_PLOT_PNG)
        assert_png (c->path, 800, 450);
      else
        {
          g_autofree char *svg = NULL;
          assert_well_formed_xml (c->path);
          /* Hovering a series shows its name, not gnuplot's number for it. */
          g_assert_true (g_file_get_contents (c->path, &svg, NULL, NULL));
          g_assert_null (strstr (svg, "<title>gnuplot_plot_"));
          /* The links name their countries: the evil names reached gnuplot, as text. */
          if (c->kind == COPUB_CHART_LINKS)
            g_assert_nonnull (strstr (svg, "back\\slash \\n \\t"));
        }
    }
  g_assert_cmpuint (count_markers (), ==, 0);
  assert_only_charts (dir);
  testlib_remove_tree (dir);
  evil_country_names = NULL;
  for (guint i = 0; i < N_EVIL; i++)
    g_free (labels[i]);
}

/* Names holding quotes, backslashes, newlines, backquotes and system() calls in every
 * place a label goes (titles, ticks, legends, the source line): nothing runs and every
 * chart is drawn. */
static void
test_injection_png (void)
{
  if (testlib_gnuplot_missing ())
    return;
  draw_evil (COPUB_PLOT_PNG);
}

/* The same as SVG: still well-formed XML ("]]>" and "<" in a label). */
static void
test_injection_svg (void)
{
  if (testlib_gnuplot_missing ())
    return;
  draw_evil (COPUB_PLOT_SVG);
}


static guint
occurrences (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = haystack; p && (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

/* The SVG of chart @kind drawn from @data (freed by the caller). */
static char *
draw_svg (const CopubPlotData *data, CopubChartKind kind, const char *institution)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  g_autoptr(GPtrArray) charts = NULL;
  g_autoptr(GError) error = NULL;
  CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;
  char *svg = NULL;

  options.format = COPUB_PLOT_SVG;
  options.institution = institution;
  charts = copub_plot_draw (data, &options, dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (((CopubChart *) charts->pdata[kind])->path);
  g_assert_true (g_file_get_contents (((CopubChart *) charts->pdata[kind])->path, &svg, NULL,
                                      NULL));
  testlib_remove_tree (dir);
  return svg;
}

/* Plain names, one per evil template's place; the first theme has @first_theme_works
 * works a year. */
static CopubPlotData *
named_data_with (char **labels, gint64 first_theme_works)
{
  for (guint i = 0; i < N_EVIL; i++)
    labels[i] = g_strdup_printf ("Name%u of King's & Côte d’Azur", i);
  return evil_data (labels, first_theme_works);
}

static CopubPlotData *
named_data (char **labels)
{
  return named_data_with (labels, 40);
}

static void
free_labels (char **labels)
{
  for (guint i = 0; i < N_EVIL; i++)
    g_free (labels[i]);
}

/* The theme chart: one panel per theme (its title with its n), the interval as a band,
 * every series named for hovering; a theme under the minimum n is said to be. */
static void
test_theme_panels (void)
{
  char *labels[N_EVIL + 1] = { NULL };
  g_autoptr(CopubPlotData) data = NULL;
  g_autofree char *svg = NULL;

  if (testlib_gnuplot_missing ())
    return;
  /* The largest theme: 10 works a year, under the minimum. */
  data = named_data_with (labels, 10);
  data->themes_mapped = TRUE; /* up to 10 themes */
  svg = draw_svg (data, COPUB_CHART_THEMES, "King's College");
  g_assert_cmpuint (occurrences (svg, " · n = "), ==, MIN (N_EVIL, 10));
  g_assert_cmpuint (occurrences (svg, "95 % interval</title>"), ==, MIN (N_EVIL, 10) - 1);
  g_assert_nonnull (strstr (svg, "n &lt; 30 every year"));
  g_assert_nonnull (strstr (svg, "<title>Name1 of King&apos;s &amp; Côte d’Azur</title>"));
  /* An apostrophe stays itself, in labels and titles alike. */
  g_assert_true (strstr (svg, "King's College") || strstr (svg, "King&apos;s College"));
  g_assert_null (strstr (svg, "King’s College"));
  g_assert_null (strstr (svg, "\xc3\xa2\xe2\x82\xac"));
  g_assert_null (strstr (svg, "&#"));
  free_labels (labels);
}

/* Every partner of the file is charted, those without a co-publication too. */
static void
test_all_partners (void)
{
  char *labels[N_EVIL + 1] = { NULL };
  g_autoptr(CopubPlotData) data = NULL;
  g_autoptr(GPtrArray) order = NULL;
  g_autofree char *svg = NULL;

  if (testlib_gnuplot_missing ())
    return;
  data = named_data (labels);
  g_ptr_array_add (data->partners, g_strdup ("Alpha, without co-publication"));
  g_ptr_array_add (data->partners, g_strdup ("Zeta, without co-publication"));
  order = copub_plot_partners_by_total (data);
  g_assert_cmpuint (order->len, ==, N_EVIL + 2);
  /* By total, most first (the last label has the most), ties by name. */
  g_assert_cmpstr (order->pdata[0], ==, labels[N_EVIL - 1]);
  g_assert_cmpstr (order->pdata[N_EVIL], ==, "Alpha, without co-publication");
  g_assert_cmpstr (order->pdata[N_EVIL + 1], ==, "Zeta, without co-publication");
  svg = draw_svg (data, COPUB_CHART_PARTNERS, NULL);
  g_assert_cmpuint (occurrences (svg, " · n = "), ==, N_EVIL + 2);
  g_assert_nonnull (strstr (svg, "Zeta, without co-publication"));
  free_labels (labels);
}

/* With rolling periods the partners go by their works over all years, not by the sum of
 * their overlapping periods, and the panels say what their points are. */
static void
test_partner_periods (void)
{
  /* A: 0, 9, 9, 0 works in 2020-2023 (18; periods 9, 18, 9); B: 10, 0, 0, 10 (20; periods
   * 10, 0, 10). Summed periods would put A first. */
  static const char *const partner[] = { "A", "A", "A", "B", "B", "B" };
  static const int end[] = { 2021, 2022, 2023, 2021, 2022, 2023 };
  static const gint64 works[] = { 9, 18, 9, 10, 0, 10 };
  g_autoptr(CopubPlotData) data = empty_data ();
  g_autoptr(GPtrArray) order = NULL;
  g_autofree char *svg = NULL;

  data->first_year = 2020;
  data->last_year = 2023;
  data->window = 2;
  data->trend_first = 2021;
  copub_indicators_unref (data->partner_years);
  data->partner_years = new_indicators (COPUB_DIM_PARTNER, COPUB_DIM_YEAR, 2);
  data->partner_totals = new_indicators (COPUB_DIM_PARTNER, COPUB_N_DIMS, 1);
  for (guint i = 0; i < G_N_ELEMENTS (works); i++)
    {
      CopubCell c = { .partner = partner[i], .year = end[i], .first_year = end[i] - 1,
                      .works = works[i], .n = 40 };
      copub_indicators_add_cell (data->partner_years, &c);
    }
  copub_indicators_add_cell (data->partner_totals,
                             &(CopubCell) { .partner = "A", .works = 18, .n = 80 });
  copub_indicators_add_cell (data->partner_totals,
                             &(CopubCell) { .partner = "B", .works = 20, .n = 80 });
  data->partners = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (data->partners, g_strdup ("A"));
  g_ptr_array_add (data->partners, g_strdup ("B"));
  g_assert_cmpint (copub_plot_partner_works (data, "A", 2022), ==, 18);
  g_assert_cmpint (copub_plot_partner_total (data, "A"), ==, 18);
  order = copub_plot_partners_by_total (data);
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (order->pdata[0], ==, "B");
  if (testlib_gnuplot_missing ())
    return;
  svg = draw_svg (data, COPUB_CHART_PARTNERS, NULL);
  g_assert_nonnull (strstr (svg, "B · n = 20"));
  g_assert_nonnull (strstr (svg, "A · n = 18"));
  g_assert_nonnull (strstr (svg, "rolling 2-year periods, each at its last year"));
  g_assert_nonnull (strstr (svg, "<title>A: works per period</title>"));
}

/* Fractional counts are not drawn on an axis that says "works" alone. */
static void
test_fractional_axis (void)
{
  char *labels[N_EVIL + 1] = { NULL };
  g_autoptr(CopubPlotData) data = NULL;
  g_autofree char *svg = NULL;

  if (testlib_gnuplot_missing ())
    return;
  data = named_data (labels);
  svg = draw_svg (data, COPUB_CHART_COUNTRIES, NULL);
  g_assert_null (strstr (svg, ">works</text>"));
  g_assert_nonnull (strstr (svg, "fractional count</text>"));
  free_labels (labels);
}

/* From a store: the tables, the period, the source line; the charts in each format. */
static void
test_store_formats (void)
{
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-plot", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubPlotData) data = copub_plot_data_compute (store, &analyse, 0, 0, &error);
  g_autofree char *line = NULL;
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (data->first_year, ==, 2020);
  g_assert_cmpint (data->last_year, ==, 2022);
  g_assert_cmpint (data->period_from, ==, 2022);
  g_assert_cmpint (data->works, ==, 9);
  g_assert_true (data->has_headline);
  g_assert_null (data->partner_years);
  line = copub_plot_source_line (data, data->works);
  g_assert_true (g_str_has_prefix (line, "Source: OpenAlex; harvested on "));
  g_assert_true (g_str_has_suffix (line, "; n = 9 works"));
  if (testlib_gnuplot_missing ())
    return;
  for (CopubPlotFormat f = COPUB_PLOT_PNG; f <= COPUB_PLOT_PDF; f++)
    {
      CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;
      g_autoptr(GPtrArray) charts = NULL;
      options.format = f;
      charts = copub_plot_draw (data, &options, dir, &error);
      g_assert_no_error (error);
      g_assert_nonnull (charts);
      if (charts == NULL)
        return;
      /* No partner file: (e) is skipped with a note. */
      g_assert_null (((CopubChart *) charts->pdata[COPUB_CHART_PARTNERS])->path);
      g_assert_nonnull (strstr (((CopubChart *) charts->pdata[COPUB_CHART_PARTNERS])->note,
                                "no partner file"));
      for (guint k = 0; k < charts->len; k++)
        {
          const CopubChart *c = charts->pdata[k];
          g_autofree char *contents = NULL;
          if (c->path == NULL)
            continue;
          g_assert_true (g_str_has_suffix (c->path, copub_plot_format_extension (f)));
          if (f == COPUB_PLOT_PNG)
            assert_png (c->path, 1280, 720);
          else if (f == COPUB_PLOT_SVG)
            assert_well_formed_xml (c->path);
          else
            {
              g_assert_true (g_file_get_contents (c->path, &contents, NULL, NULL));
              g_assert_true (g_str_has_prefix (contents, "%PDF"));
            }
        }
    }
  testlib_remove_tree (dir);
}

/* The year chart: a 43-56 % trend (intervals from 38 %, ceilings to 64 %) on an axis
 * fitted to it (and said), each year's n under it, the ceiling drawn. */
static void
test_share_axis (void)
{
  g_autoptr(CopubPlotData) data = empty_data ();
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "share-by-year.svg", NULL);
  g_autofree char *svg = NULL;
  CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;
  g_autoptr(GPtrArray) charts = NULL;
  g_autoptr(GError) error = NULL;

  if (testlib_gnuplot_missing ())
    return;
  data->first_year = 2020;
  data->last_year = 2022;
  data->period_from = data->period_to = 2022;
  data->works = 1500;
  /* 43, 49 and 56 %; the ceilings 51, 58 and 64 %. */
  add_year (data->years, 2020, 400, 172, 368, 172);
  add_year (data->years, 2021, 401, 198, 368, 198);
  add_year (data->years, 2022, 402, 225, 370, 225);
  options.format = COPUB_PLOT_SVG;
  charts = copub_plot_draw (data, &options, dir, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &svg, NULL, NULL));
  /* 38-64 % with margins and room for the legend: 35 to 90 %. */
  g_assert_nonnull (strstr (svg, "axis from 35 to 90 %, not from 0"));
  g_assert_nonnull (strstr (svg, ">35%<"));
  g_assert_nonnull (strstr (svg, ">85%<"));
  g_assert_null (strstr (svg, ">100%<"));
  g_assert_null (strstr (svg, ">0%<"));
  g_assert_nonnull (strstr (svg, "n = 400"));
  g_assert_nonnull (strstr (svg, "n = 402"));
  g_assert_nonnull (strstr (svg, ">ceiling<"));
  testlib_remove_tree (dir);
}

/* Nothing to draw: every chart but the world map is skipped with a note; the map says
 * "no data" everywhere. Without it, gnuplot is not even needed. */
static void
test_empty (void)
{
  g_autoptr(CopubPlotData) data = empty_data ();
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;
  g_autoptr(GPtrArray) charts = NULL;
  g_autoptr(GError) error = NULL;

  if (!testlib_gnuplot_missing ())
    {
      charts = copub_plot_draw (data, &options, dir, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (charts ? charts->len : 0, ==, COPUB_N_CHARTS);
      for (guint k = 0; charts && k < charts->len; k++)
        {
          const CopubChart *c = charts->pdata[k];
          g_assert_cmpint (c->path != NULL, ==, k == COPUB_CHART_WORLD_MAP);
          g_assert_cmpint (c->note == NULL, ==, k == COPUB_CHART_WORLD_MAP);
          g_assert_nonnull (c->title);
          if (c->path)
            g_unlink (c->path);
        }
      g_clear_pointer (&charts, g_ptr_array_unref);
    }
  options.gnuplot = "/nonexistent/gnuplot";
  options.only = "share-by-year";
  charts = copub_plot_draw (data, &options, dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (charts ? charts->len : 0, ==, 1);
  for (guint k = 0; charts && k < charts->len; k++)
    {
      const CopubChart *c = charts->pdata[k];
      g_assert_null (c->path);
      g_assert_nonnull (c->note);
      g_assert_nonnull (c->title);
    }
  assert_only_charts (dir);
  g_rmdir (dir);
}

/* A period without co-publication: an empty but valid map (every country "no
 * co-publication", no colour class), drawn alone with --chart's option; the links
 * chart skipped with a note; a period without works: every country "no data". */
static void
test_world_map_empty (void)
{
  g_autoptr(CopubPlotData) data = empty_data ();
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;

  if (testlib_gnuplot_missing ())
    return;
  data->first_year = 2020;
  data->last_year = 2021;
  data->period_from = data->period_to = 2021;
  data->works = 200;
  add_year (data->years, 2020, 100, 0, 100, 0);
  add_year (data->years, 2021, 100, 0, 100, 0);
  options.format = COPUB_PLOT_SVG;
  for (int period = 2021; period <= 2022; period++)
    {
      g_autoptr(GPtrArray) charts = NULL;
      g_autofree char *svg = NULL;
      const CopubChart *c;
      data->period_from = data->period_to = period;
      options.only = "world-map";
      charts = copub_plot_draw (data, &options, dir, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (charts ? charts->len : 0, ==, 1);
      if (charts == NULL || charts->len != 1)
        return;
      c = charts->pdata[0];
      g_assert_cmpint (c->kind, ==, COPUB_CHART_WORLD_MAP);
      g_assert_nonnull (c->path);
      assert_well_formed_xml (c->path);
      g_assert_true (g_file_get_contents (c->path, &svg, NULL, NULL));
      g_assert_nonnull (strstr (svg, ">no co-publication<"));
      g_assert_null (strstr (svg, "up to"));
      g_assert_nonnull (strstr (svg, period == 2021 ? "n = 100 works" : "n = 0 works"));
      /* no data: every country white, the no-co-publication grey nowhere but its key */
      g_assert_cmpuint (occurrences (svg, "fill = 'rgb(238, 238, 238)'") > 1, ==, period == 2021);
      g_ptr_array_unref (g_steal_pointer (&charts));
      options.only = "links";
      charts = copub_plot_draw (data, &options, dir, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (charts ? charts->len : 0, ==, 1);
      g_assert_nonnull (charts ? ((CopubChart *) charts->pdata[0])->note : NULL);
    }
  testlib_remove_tree (dir);
}

/* gnuplot missing from PATH: a clear error, no chart, nothing left behind. */
static void
test_missing_gnuplot (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("PATH"));
  g_autofree char *empty = g_dir_make_tmp ("copub-empty-XXXXXX", NULL);
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  g_autoptr(CopubStore) store = testlib_fixture_store ("copub-plot", NULL);
  CopubAnalyseOptions analyse = COPUB_ANALYSE_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubPlotData) data = copub_plot_data_compute (store, &analyse, 0, 0, &error);
  CopubPlotOptions options = COPUB_PLOT_OPTIONS_INIT;
  GPtrArray *charts;

  g_assert_no_error (error);
  g_setenv ("PATH", empty, TRUE);
  charts = copub_plot_draw (data, &options, dir, &error);
  g_setenv ("PATH", saved, TRUE);
  g_assert_null (charts);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_CHILD);
  g_assert_nonnull (strstr (error->message, "gnuplot not found"));
  g_clear_error (&error);
  g_assert_false (copub_plot_run ("/nonexistent/gnuplot", "", dir, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_CHILD);
  assert_only_charts (dir);
  g_rmdir (dir);
  g_rmdir (empty);
}

/* A script gnuplot rejects: COPUB_ERROR_CHILD quoting what gnuplot said. */
static void
test_gnuplot_error (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-plot-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;

  if (testlib_gnuplot_missing ())
    return;
  g_assert_false (copub_plot_run (NULL, "set terminal nosuchterminal\n", dir, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_CHILD);
  g_assert_nonnull (strstr (error->message, "unknown or ambiguous terminal"));
  g_assert_null (strchr (error->message, '\n'));
  g_rmdir (dir);
}

static void
test_formats (void)
{
  CopubPlotFormat f;

  g_assert_true (copub_plot_format_from_name ("svg", &f));
  g_assert_cmpint (f, ==, COPUB_PLOT_SVG);
  g_assert_true (copub_plot_format_from_name ("pdf", &f));
  g_assert_cmpint (f, ==, COPUB_PLOT_PDF);
  g_assert_false (copub_plot_format_from_name ("jpeg", &f));
  g_assert_cmpstr (copub_plot_format_extension (COPUB_PLOT_PNG), ==, "png");
  g_assert_cmpstr (copub_chart_name (COPUB_CHART_HEATMAP), ==, "theme-country-heatmap");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/plot/quote", test_quote);
  g_test_add_func ("/plot/quote-is-one-token", test_quote_is_one_token);
  g_test_add_func ("/plot/quote-round-trip", test_quote_round_trip);
  g_test_add_func ("/plot/injection-png", test_injection_png);
  g_test_add_func ("/plot/injection-svg", test_injection_svg);
  g_test_add_func ("/plot/theme-panels", test_theme_panels);
  g_test_add_func ("/plot/all-partners", test_all_partners);
  g_test_add_func ("/plot/partner-periods", test_partner_periods);
  g_test_add_func ("/plot/fractional-axis", test_fractional_axis);
  g_test_add_func ("/plot/store-formats", test_store_formats);
  g_test_add_func ("/plot/share-axis", test_share_axis);
  g_test_add_func ("/plot/empty", test_empty);
  g_test_add_func ("/plot/world-map-empty", test_world_map_empty);
  g_test_add_func ("/plot/missing-gnuplot", test_missing_gnuplot);
  g_test_add_func ("/plot/gnuplot-error", test_gnuplot_error);
  g_test_add_func ("/plot/formats", test_formats);
  return g_test_run ();
}
