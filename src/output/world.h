/* copub: the world map's geometry. Country shapes from data/world-110m.tsv (Natural Earth
 * 1:110m, see scripts/make-world-map), in the Equal Earth projection (Šavrič, Patterson
 * and Jenny 2018: equal-area, so a country's colour covers its true share of the map),
 * and an anchor point for every country: where a dot is drawn for the countries too
 * small to see at that scale (Luxembourg) or absent from it (Singapore, Malta), and
 * where a link from the home country ends. Private to src/output/. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct CopubWorld CopubWorld;

/* Loads the shapes from the data directory (copub_data_dir), and the anchors of the
 * countries without a shape from libgeonames (their most populous city). A missing or
 * malformed file is an error naming the file and the line. */
CopubWorld *copub_world_load (GError **error);
void copub_world_free (CopubWorld *world);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubWorld, copub_world_free)

/* The Equal Earth projection of @lon, @lat (degrees) into @x (about -2.71 to 2.71) and
 * @y (about -1.32 to 1.32, north up). */
void copub_world_project (double lon, double lat, double *x, double *y);

/* The countries with a shape, by ISO 3166-1 alpha-2 code, largest first (so that a
 * country inside another, Lesotho in South Africa, is drawn over it). Owned by @world. */
const GPtrArray *copub_world_countries (const CopubWorld *world);

/* The projected rings of @code's shape, appended to @out as gnuplot data: "x y" lines,
 * one blank line after each ring. FALSE when the country has no shape. */
gboolean copub_world_append_rings (const CopubWorld *world, const char *code, GString *out);

/* The same rings as SVG path data ("M x,y L … Z", one subpath a ring) in a viewport
 * @width pixels wide (height: copub_world_height), coordinates to one decimal. */
gboolean copub_world_append_svg_path (const CopubWorld *world, const char *code, double width,
                                      GString *out);
/* The height of the map for @width pixels. */
double copub_world_height (double width);
/* The map's extent in projected coordinates (the whole width; from the north pole down
 * to the southern edge of the inhabited world). */
void copub_world_extent (double *x_max, double *y_min, double *y_max);
/* Projected @x, @y in the pixels of a map @width wide, y down (SVG). */
void copub_world_to_pixels (double x, double y, double width, double *px, double *py);

/* Where @code is drawn as a point (projected): the centre of its largest ring, or its
 * most populous city when it has no shape. FALSE for a code with neither. */
gboolean copub_world_anchor (const CopubWorld *world, const char *code, double *x, double *y);

/* TRUE when @code has no shape, or one too small to see on a map of the world (under
 * about 12,000 km²): the map draws a dot at its anchor. */
gboolean copub_world_needs_dot (const CopubWorld *world, const char *code);

G_END_DECLS
