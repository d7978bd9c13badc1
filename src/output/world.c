/* copub: the world map's geometry (see world.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <geonames.h>

#include "base/datadir.h"
#include "copub/error.h"
#include "output/world.h"

#define SHAPES "world-110m.tsv"

/* Equal Earth's constants (Šavrič, Patterson, Jenny 2018). */
#define EE_A1 1.340264
#define EE_A2 (-0.081106)
#define EE_A3 0.000893
#define EE_A4 0.003796
#define EE_M (sqrt (3.0) / 2.0)
/* The projection's extent: x at the equator's ends, y at the poles. */
#define EE_X_MAX 2.7066
#define EE_Y_MAX 1.3173
/* The map stops at 60°S: Antarctica holds no institution's partners. */
#define LAT_MIN (-60.0)
/* Under this projected area (about 12,000 km² of the Earth's 510 million), a country
 * is a few pixels wide on a world map: it gets a dot. */
#define DOT_AREA 2.6e-4

typedef struct {
  double *xy; /* projected x, y pairs */
  guint n;    /* points */
} Ring;

typedef struct {
  char code[3];
  GArray *rings; /* Ring */
  double area;    /* projected, all rings */
  double largest; /* projected, the largest ring */
  double anchor_x, anchor_y;
  gboolean has_shape;
  gboolean has_anchor; /* anchor_x, anchor_y hold a place */
} Country;

struct CopubWorld {
  GHashTable *by_code;  /* code -> Country */
  GPtrArray *codes;     /* the countries with a shape, largest first */
};

void
copub_world_project (double lon, double lat, double *x, double *y)
{
  double lambda = lon * G_PI / 180.0, phi = lat * G_PI / 180.0;
  double theta = asin (EE_M * sin (phi));
  double t2 = theta * theta, t6 = t2 * t2 * t2;

  *x = lambda * cos (theta)
       / (EE_M * (EE_A1 + 3 * EE_A2 * t2 + t6 * (7 * EE_A3 + 9 * EE_A4 * t2)));
  *y = theta * (EE_A1 + EE_A2 * t2 + t6 * (EE_A3 + EE_A4 * t2));
}

static void
ring_clear (gpointer p)
{
  g_free (((Ring *) p)->xy);
}

static void
country_free (gpointer p)
{
  Country *c = p;
  if (c->rings)
    g_array_unref (c->rings);
  g_free (c);
}

static Country *
country_get (CopubWorld *world, const char *code)
{
  Country *c = g_hash_table_lookup (world->by_code, code);
  if (c == NULL)
    {
      c = g_new0 (Country, 1);
      g_strlcpy (c->code, code, sizeof c->code);
      c->rings = g_array_new (FALSE, FALSE, sizeof (Ring));
      g_array_set_clear_func (c->rings, ring_clear);
      g_hash_table_insert (world->by_code, c->code, c);
    }
  return c;
}

/* Twice the signed area of a ring (shoelace), and its centroid. */
static double
ring_area (const Ring *r, double *cx, double *cy)
{
  double a = 0, x = 0, y = 0;
  for (guint i = 0; i < r->n; i++)
    {
      const double *p = r->xy + 2 * i, *q = r->xy + 2 * ((i + 1) % r->n);
      double cross = p[0] * q[1] - q[0] * p[1];
      a += cross;
      x += (p[0] + q[0]) * cross;
      y += (p[1] + q[1]) * cross;
    }
  *cx = a != 0 ? x / (3 * a) : r->xy[0];
  *cy = a != 0 ? y / (3 * a) : r->xy[1];
  return a;
}

/* Parses "lon,lat lon,lat …" into a projected ring; the points south of LAT_MIN are
 * clamped to it, and @out_south tells whether they all were (Antarctica). FALSE on a
 * malformed pair. */
static gboolean
parse_ring (const char *text, Ring *out, gboolean *out_south)
{
  g_auto(GStrv) pairs = g_strsplit (text, " ", -1);
  guint n = g_strv_length (pairs);

  out->xy = g_new (double, 2 * (n ? n : 1));
  out->n = 0;
  *out_south = TRUE;
  for (guint i = 0; i < n; i++)
    {
      char *end;
      double lon = g_ascii_strtod (pairs[i], &end), lat;
      if (*end != ',')
        return FALSE;
      lat = g_ascii_strtod (end + 1, &end);
      if (*end != '\0' || fabs (lon) > 180 || fabs (lat) > 90)
        return FALSE;
      *out_south = *out_south && lat <= LAT_MIN;
      copub_world_project (lon, MAX (lat, LAT_MIN), &out->xy[2 * out->n], &out->xy[2 * out->n + 1]);
      out->n++;
    }
  return out->n >= 3 || out->n == 1;
}

static gboolean
load_shapes (CopubWorld *world, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *tab = strchr (lines[i], '\t');
      Ring ring = { 0 };
      gboolean south;
      Country *c;
      double cx, cy;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      if (tab == NULL || tab - lines[i] != 2 || !parse_ring (tab + 1, &ring, &south))
        {
          g_free (ring.xy);
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "%s:%u: expected a country code, a TAB and longitude,latitude pairs",
                       path, i + 1);
          return FALSE;
        }
      *tab = '\0';
      if (south) /* off the map */
        {
          g_free (ring.xy);
          continue;
        }
      c = country_get (world, lines[i]);
      if (ring.n == 1) /* a dot's place, for a country without a shape */
        {
          c->anchor_x = ring.xy[0];
          c->anchor_y = ring.xy[1];
          c->has_anchor = TRUE;
          g_free (ring.xy);
          continue;
        }
      g_array_append_val (c->rings, ring);
      double a = fabs (ring_area (&ring, &cx, &cy)) / 2;
      if (a > c->largest) /* the anchor: the centre of the largest ring */
        {
          c->largest = a;
          c->anchor_x = cx;
          c->anchor_y = cy;
        }
      c->area += a;
      c->has_anchor = TRUE;
      c->has_shape = TRUE;
    }
  return TRUE;
}

/* The countries without a shape get their most populous city as anchor. */
static void
add_city_anchors (CopubWorld *world)
{
  g_autoptr(GHashTable) population = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint n = geonames_get_n_cities ();

  for (gint i = 0; i < n; i++)
    {
      g_autoptr(GeonamesCity) city = geonames_get_city (i);
      const char *code = geonames_city_get_country_code (city);
      guint people = geonames_city_get_population (city);
      Country *c;

      if (code == NULL || strlen (code) != 2)
        continue;
      c = g_hash_table_lookup (world->by_code, code);
      if (c != NULL && c->has_anchor)
        continue; /* a shape, or a place of the shape file */
      if (c != NULL && GPOINTER_TO_UINT (g_hash_table_lookup (population, code)) >= people)
        continue;
      c = country_get (world, code);
      copub_world_project (geonames_city_get_longitude (city), geonames_city_get_latitude (city),
                           &c->anchor_x, &c->anchor_y);
      g_hash_table_insert (population, g_strdup (code), GUINT_TO_POINTER (MAX (people, 1)));
    }
}

static int
compare_area (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const Country *a = g_hash_table_lookup (data, *(const char *const *) pa);
  const Country *b = g_hash_table_lookup (data, *(const char *const *) pb);
  if (a->area != b->area)
    return a->area > b->area ? -1 : 1;
  return strcmp (a->code, b->code);
}

CopubWorld *
copub_world_load (GError **error)
{
  g_autofree char *dir = copub_data_dir (NULL);
  g_autofree char *path = g_build_filename (dir, SHAPES, NULL);
  CopubWorld *world = g_new0 (CopubWorld, 1);
  GHashTableIter it;
  gpointer key, value;

  world->by_code = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, country_free);
  world->codes = g_ptr_array_new ();
  if (!load_shapes (world, path, error))
    {
      copub_world_free (world);
      return NULL;
    }
  add_city_anchors (world);
  g_hash_table_iter_init (&it, world->by_code);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (((Country *) value)->has_shape)
      g_ptr_array_add (world->codes, key);
  g_ptr_array_sort_with_data (world->codes, compare_area, world->by_code);
  return world;
}

void
copub_world_free (CopubWorld *world)
{
  if (world == NULL)
    return;
  g_ptr_array_unref (world->codes);
  g_hash_table_unref (world->by_code);
  g_free (world);
}

const GPtrArray *
copub_world_countries (const CopubWorld *world)
{
  return world->codes;
}

static const Country *
shape_of (const CopubWorld *world, const char *code)
{
  const Country *c = code ? g_hash_table_lookup (world->by_code, code) : NULL;
  return c != NULL && c->has_shape ? c : NULL;
}

gboolean
copub_world_append_rings (const CopubWorld *world, const char *code, GString *out)
{
  const Country *c = shape_of (world, code);
  if (c == NULL)
    return FALSE;
  for (guint r = 0; r < c->rings->len; r++)
    {
      const Ring *ring = &g_array_index (c->rings, Ring, r);
      for (guint i = 0; i <= ring->n; i++) /* closed: back to the first point */
        {
          char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
          const double *p = ring->xy + 2 * (i % ring->n);
          g_string_append_printf (out, "%s %s\n", g_ascii_formatd (x, sizeof x, "%.4f", p[0]),
                                  g_ascii_formatd (y, sizeof y, "%.4f", p[1]));
        }
      g_string_append_c (out, '\n');
    }
  return TRUE;
}

/* The map's vertical extent, projected: from the north pole down to LAT_MIN. */
static double
y_bottom (void)
{
  double x, y;
  copub_world_project (0, LAT_MIN, &x, &y);
  return y;
}

double
copub_world_height (double width)
{
  return width * (EE_Y_MAX - y_bottom ()) / (2 * EE_X_MAX);
}

void
copub_world_extent (double *x_max, double *y_min, double *y_max)
{
  *x_max = EE_X_MAX;
  *y_min = y_bottom ();
  *y_max = EE_Y_MAX;
}

void
copub_world_to_pixels (double x, double y, double width, double *px, double *py)
{
  double scale = width / (2 * EE_X_MAX);
  *px = (x + EE_X_MAX) * scale;
  *py = (EE_Y_MAX - y) * scale;
}

gboolean
copub_world_append_svg_path (const CopubWorld *world, const char *code, double width,
                             GString *out)
{
  const Country *c = shape_of (world, code);

  if (c == NULL)
    return FALSE;
  for (guint r = 0; r < c->rings->len; r++)
    {
      const Ring *ring = &g_array_index (c->rings, Ring, r);
      for (guint i = 0; i < ring->n; i++)
        {
          char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
          double px, py;
          copub_world_to_pixels (ring->xy[2 * i], ring->xy[2 * i + 1], width, &px, &py);
          g_string_append_printf (out, "%s%s,%s", i == 0 ? (r == 0 ? "M" : " M") : " L",
                                  g_ascii_formatd (x, sizeof x, "%.1f", px),
                                  g_ascii_formatd (y, sizeof y, "%.1f", py));
        }
      g_string_append (out, " Z");
    }
  return TRUE;
}

gboolean
copub_world_anchor (const CopubWorld *world, const char *code, double *x, double *y)
{
  const Country *c = code ? g_hash_table_lookup (world->by_code, code) : NULL;
  if (c == NULL)
    return FALSE;
  *x = c->anchor_x;
  *y = c->anchor_y;
  return TRUE;
}

gboolean
copub_world_needs_dot (const CopubWorld *world, const char *code)
{
  const Country *c = code ? g_hash_table_lookup (world->by_code, code) : NULL;
  return c != NULL && (!c->has_shape || c->area < DOT_AREA);
}
