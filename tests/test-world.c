/* Unit tests of the world map's geometry (src/output/world.c): the Equal Earth projection,
 * the shipped Natural Earth shapes, the anchors of small and shapeless countries, and the
 * error of a malformed shape file. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "copub/error.h"
#include "output/world.h"
#include "testlib.h"

static CopubWorld *
shipped_world (void)
{
  g_autoptr(GError) error = NULL;
  CopubWorld *world = copub_world_load (&error);
  g_assert_no_error (error);
  g_assert_nonnull (world);
  return world;
}

/* Area of @code's shape, from its gnuplot rings (shoelace). */
static double
shape_area (const CopubWorld *world, const char *code)
{
  g_autoptr(GString) rings = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  double total = 0, ring = 0, px = 0, py = 0;
  gboolean have = FALSE;

  g_assert_true (copub_world_append_rings (world, code, rings));
  lines = g_strsplit (rings->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      double x, y;
      if (lines[i][0] == '\0')
        {
          total += fabs (ring) / 2;
          ring = 0;
          have = FALSE;
          continue;
        }
      g_assert_cmpint (sscanf (lines[i], "%lf %lf", &x, &y), ==, 2);
      if (have)
        ring += px * y - x * py;
      px = x, py = y, have = TRUE;
    }
  return total;
}

static void
test_projection (void)
{
  double x, y, x2, y2;

  copub_world_project (0, 0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (y, 0, 1e-12);
  /* Equal Earth's published extent: x = ±2.7066 at the equator's ends, y = ±1.3173 at the
   * poles (unit sphere). */
  copub_world_project (180, 0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 2.7066, 1e-3);
  copub_world_project (0, 90, &x, &y);
  g_assert_cmpfloat_with_epsilon (y, 1.3173, 1e-3);
  /* symmetric, north up */
  copub_world_project (-30, -45, &x2, &y2);
  copub_world_project (30, 45, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, -x2, 1e-12);
  g_assert_cmpfloat_with_epsilon (y, -y2, 1e-12);
  g_assert_cmpfloat (y, >, 0);
}

static void
test_shapes (void)
{
  g_autoptr(CopubWorld) world = shipped_world ();
  const GPtrArray *codes = copub_world_countries (world);
  double ratio;

  g_assert_cmpuint (codes->len, >=, 170);
  /* largest first: Russia, then Canada */
  g_assert_cmpstr (g_ptr_array_index (codes, 0), ==, "RU");
  g_assert_cmpstr (g_ptr_array_index (codes, 1), ==, "CA");
  /* Equal area: Brazil (8.52 M km²) / metropolitan France and Corsica (0.552 M km²) is
   * 15.4; Natural Earth's 1:110m outlines are coarse, so within 10 %. French Guiana is
   * a shape of its own, not France's. */
  ratio = shape_area (world, "BR") / shape_area (world, "FR");
  g_assert_cmpfloat (ratio, >, 15.4 * 0.9);
  g_assert_cmpfloat (ratio, <, 15.4 * 1.1);
  g_assert_cmpfloat (shape_area (world, "GF"), >, 0);
  g_assert_false (copub_world_append_rings (world, "SG", NULL));
}

static void
test_anchors (void)
{
  g_autoptr(CopubWorld) world = shipped_world ();
  double x, y, fx, fy;

  /* France's anchor is in metropolitan France, not between it and French Guiana */
  g_assert_true (copub_world_anchor (world, "FR", &x, &y));
  copub_world_project (2.5, 46.5, &fx, &fy);
  g_assert_cmpfloat (hypot (x - fx, y - fy), <, 0.05);
  /* Luxembourg has a shape too small to see; Singapore and Malta have none, and are
   * anchored at their most populous city */
  g_assert_true (copub_world_needs_dot (world, "LU"));
  g_assert_true (copub_world_needs_dot (world, "SG"));
  g_assert_true (copub_world_anchor (world, "SG", &x, &y));
  copub_world_project (103.85, 1.29, &fx, &fy);
  g_assert_cmpfloat (hypot (x - fx, y - fy), <, 0.02);
  g_assert_true (copub_world_anchor (world, "MT", &x, &y));
  g_assert_false (copub_world_needs_dot (world, "FR"));
  g_assert_false (copub_world_needs_dot (world, "DE"));
  g_assert_false (copub_world_anchor (world, "ZZ", &x, &y));
}

static void
test_svg_path (void)
{
  g_autoptr(CopubWorld) world = shipped_world ();
  g_autoptr(GString) path = g_string_new (NULL);
  double width = 960, height = copub_world_height (width);
  g_auto(GStrv) words = NULL;

  g_assert_cmpfloat (height, >, 400);
  g_assert_cmpfloat (height, <, 480);
  g_assert_true (copub_world_append_svg_path (world, "FR", width, path));
  g_assert_true (g_str_has_prefix (path->str, "M"));
  g_assert_true (g_str_has_suffix (path->str, " Z"));
  /* every point inside the viewport */
  words = g_strsplit_set (path->str, " ML", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      double x, y;
      if (sscanf (words[i], "%lf,%lf", &x, &y) != 2)
        continue;
      g_assert_cmpfloat (x, >=, 0);
      g_assert_cmpfloat (x, <=, width);
      g_assert_cmpfloat (y, >=, 0);
      g_assert_cmpfloat (y, <=, height);
    }
}

static void
test_bad_file (void)
{
  g_autofree char *path = testlib_temp_path ("copub-world", "world-110m.tsv");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  CopubWorld *world;

  g_assert_true (g_file_set_contents (path, "# shapes\nFR\t2,48 3,49 2,50\nFR 2,48\n", -1, NULL));
  g_setenv ("COPUB_DATA_DIR", dir, TRUE);
  world = copub_world_load (&error);
  g_unsetenv ("COPUB_DATA_DIR");
  g_assert_null (world);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "world-110m.tsv:3:"));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/world/projection", test_projection);
  g_test_add_func ("/world/shapes", test_shapes);
  g_test_add_func ("/world/anchors", test_anchors);
  g_test_add_func ("/world/svg-path", test_svg_path);
  g_test_add_func ("/world/bad-file", test_bad_file);
  return g_test_run ();
}
