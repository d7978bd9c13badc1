/* Unit tests of the world map (src/output/map.c): its colour classes, the inline SVG
 * (well-formed, one element per country, the data in its attributes, every text
 * escaped) and the gnuplot drawing, through real gnuplot. */
#include <string.h>

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "copub/plot.h"
#include "output/map.h"
#include "testlib.h"

static void
test_classes (void)
{
  CopubMapClasses c;

  copub_map_classes (0, &c);
  g_assert_cmpuint (c.n, ==, 0);
  g_assert_cmpint (copub_map_class_of (&c, 0.2), ==, -1);
  /* 37 %: bounds up to 50 %, eight of them, the lowest (0.1 %) merged into the next */
  copub_map_classes (0.37, &c);
  g_assert_cmpuint (c.n, ==, 7);
  g_assert_cmpfloat (c.upper[0], ==, 0.005);
  g_assert_cmpfloat (c.upper[6], ==, 0.5);
  g_assert_cmpint (copub_map_class_of (&c, 0), ==, -1);
  g_assert_cmpint (copub_map_class_of (&c, 0.0001), ==, 0);
  g_assert_cmpint (copub_map_class_of (&c, 0.005), ==, 0);
  g_assert_cmpint (copub_map_class_of (&c, 0.0051), ==, 1);
  g_assert_cmpint (copub_map_class_of (&c, 0.37), ==, 6);
  /* 3 %: 0.1, 0.5, 1, 2, 5 % */
  copub_map_classes (0.03, &c);
  g_assert_cmpuint (c.n, ==, 5);
  g_assert_cmpfloat (c.upper[4], ==, 0.05);
  /* light to dark, the top class the darkest whatever their number */
  g_assert_cmpstr (copub_map_class_colour (4, 5), ==, copub_map_class_colour (6, 7));
  g_assert_cmpstr (copub_map_class_colour (0, 5), ==, copub_map_class_colour (0, 7));
  g_assert_cmpstr (copub_map_class_colour (0, 1), ==, copub_map_class_colour (6, 7));
}

static const char *const territories[] = { "GF", "RE", NULL };

static CopubMapSpec
sample_spec (const CopubMapCountry *countries, guint n)
{
  CopubMapSpec spec = {
    .home = "FR", .also_home = territories, .home_tooltip = "France: the home country", .countries = countries,
    .n_countries = n, .title = "Partner countries, 2025", .description = "A world map.",
    .none_label = "no co-publication", .no_data_label = "no data", .home_label = "France (home)",
  };
  copub_map_classes (0.2, &spec.classes);
  for (guint i = 0; i < spec.classes.n; i++)
    spec.class_labels[i] = "a class";
  return spec;
}

static const CopubMapCountry sample[] = {
  { "DE", 120, 0.2, 60.5, "Germany: 120 works (20 %)" },
  { "US", 50, 0.0833, 20.25, "United States: 50 works" },
  { "LU", 7, 0.0117, 2.0, "Luxembourg: 7 works" },
  { "SG", 3, 0.005, 1.0, "Singapore <b>&amp; \"3\"</b>" },
  { "CL", 0, 0, 0, "Chile: no co-publication" },
  { "FR", 600, 1.0, 400.0, NULL },
};

static char *
xpath_string (xmlDocPtr doc, const char *expression)
{
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr r;
  char *text;

  xmlXPathRegisterNs (ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
  r = xmlXPathEvalExpression (BAD_CAST expression, ctx);
  g_assert_nonnull (r);
  text = (char *) xmlXPathCastToString (r);
  xmlXPathFreeObject (r);
  xmlXPathFreeContext (ctx);
  return text;
}

static void
test_svg (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWorld) world = copub_world_load (&error);
  CopubMapSpec spec = sample_spec (sample, G_N_ELEMENTS (sample));
  g_autofree char *svg = NULL;
  xmlDocPtr doc;
  char *s;

  g_assert_no_error (error);
  svg = copub_map_svg (world, &spec, 960);
  doc = xmlReadMemory (svg, (int) strlen (svg), "map.svg", NULL, XML_PARSE_NONET);
  g_assert_nonnull (doc);
  /* one path a country with a shape */
  s = xpath_string (doc, "count(//s:g[@class='countries']/s:path)");
  g_assert_cmpint (atoi (s), ==, (int) copub_world_countries (world)->len);
  xmlFree (s);
  /* the data, as given */
  s = xpath_string (doc, "string(//s:path[@data-code='DE']/@data-share)");
  g_assert_cmpstr (s, ==, "0.200000");
  xmlFree (s);
  s = xpath_string (doc, "string(//s:path[@data-code='DE']/@data-works)");
  g_assert_cmpstr (s, ==, "120");
  xmlFree (s);
  s = xpath_string (doc, "string(//s:path[@data-code='US']/s:title)");
  g_assert_cmpstr (s, ==, "United States: 50 works");
  xmlFree (s);
  /* home apart, "no co-publication" apart from the classes */
  s = xpath_string (doc, "string(//s:path[@data-code='FR']/@fill)");
  g_assert_cmpstr (s, ==, COPUB_MAP_COLOUR_HOME);
  xmlFree (s);
  s = xpath_string (doc, "string(//s:path[@data-code='GF']/@fill)"); /* as harmonised */
  g_assert_cmpstr (s, ==, COPUB_MAP_COLOUR_HOME);
  xmlFree (s);
  s = xpath_string (doc, "string(//s:path[@data-code='CL']/@fill)");
  g_assert_cmpstr (s, ==, COPUB_MAP_COLOUR_NONE);
  xmlFree (s);
  s = xpath_string (doc, "string(//s:path[@data-code='DE']/@fill)");
  g_assert_cmpstr (s, ==, copub_map_class_colour (spec.classes.n - 1, spec.classes.n));
  xmlFree (s);
  /* the small and shapeless get a focusable dot; the escaped text reads back as given */
  s = xpath_string (doc, "count(//s:circle[@data-code='LU' or @data-code='SG'][@tabindex='0'])");
  g_assert_cmpstr (s, ==, "2");
  xmlFree (s);
  s = xpath_string (doc, "string(//s:circle[@data-code='SG']/s:title)");
  g_assert_cmpstr (s, ==, "Singapore <b>&amp; \"3\"</b>");
  xmlFree (s);
  g_assert_null (strstr (svg, "<b>"));
  /* the legend names the classes and the three other keys */
  s = xpath_string (doc, "count(//s:g[@class='legend']/s:text)");
  g_assert_cmpint (atoi (s), ==, (int) spec.classes.n + 3);
  xmlFree (s);
  xmlFreeDoc (doc);
}

static void
test_no_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWorld) world = copub_world_load (&error);
  CopubMapSpec spec = sample_spec (NULL, 0);
  g_autofree char *svg = NULL;

  spec.no_data = TRUE;
  copub_map_classes (0, &spec.classes);
  svg = copub_map_svg (world, &spec, 600);
  g_assert_nonnull (strstr (svg, "fill=\"" COPUB_MAP_COLOUR_NO_DATA "\" data-code=\"DE\""));
  g_assert_null (strstr (svg, "<circle"));
}

static void
test_gnuplot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubWorld) world = copub_world_load (&error);
  CopubMapSpec spec = sample_spec (sample, G_N_ELEMENTS (sample));
  g_autofree char *png = testlib_temp_path ("copub-map", "map.png");
  g_autofree char *dir = g_path_get_dirname (png);
  g_autofree char *dat = g_build_filename (dir, "map.dat", NULL);
  g_autoptr(GString) data = g_string_new (NULL);
  g_autoptr(GString) script = g_string_new ("set terminal pngcairo size 960,520\n");
  g_autofree char *quoted_png = copub_plot_quote (png);
  g_autofree char *quoted_dat = copub_plot_quote (dat);
  GStatBuf st;

  g_string_append_printf (script, "set output %s\n", quoted_png);
  copub_map_gnuplot (world, &spec, quoted_dat, data, script);
  g_assert_true (g_file_set_contents (dat, data->str, (gssize) data->len, NULL));
  g_assert_true (copub_plot_run (NULL, script->str, dir, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (png, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 10000);
  if (g_getenv ("COPUB_KEEP_MAP") == NULL)
    {
      g_unlink (png);
      g_unlink (dat);
      g_rmdir (dir);
    }
  else
    g_test_message ("map kept: %s", png);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/map/classes", test_classes);
  g_test_add_func ("/map/svg", test_svg);
  g_test_add_func ("/map/no-data", test_no_data);
  g_test_add_func ("/map/gnuplot", test_gnuplot);
  return g_test_run ();
}
