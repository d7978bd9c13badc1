/* copub: the world map of partner countries, a choropleth of the share of the
 * institution's works co-authored with each country. This module knows the classes,
 * the colours and the drawing (an inline SVG for the HTML report; gnuplot data and
 * plot commands for the PNG/SVG/PDF chart); the caller brings every word (names,
 * tooltips, legend labels, in the report's language) and the numbers. Private to
 * src/output/. */
#pragma once

#include <glib.h>

#include "output/world.h"

G_BEGIN_DECLS

/* At most this many colour classes. */
#define COPUB_MAP_MAX_CLASSES 7

typedef struct {
  const char *code;    /* ISO 3166-1 alpha-2, as harmonised (GF drawn as FR when home) */
  gint64 works;        /* the institution's works co-authored with it */
  double share;        /* works / the institution's works in the period, 0 to 1 */
  double fractional;   /* its fractional count */
  const char *tooltip; /* "Germany: 1,234 works (12.3 %), fractional 456.7" */
} CopubMapCountry;

typedef struct {
  double upper[COPUB_MAP_MAX_CLASSES]; /* class i holds shares in (upper[i-1], upper[i]] */
  guint n;
} CopubMapClasses;

/* The classes for shares up to @max_share: the first of the bounds 0.1 %, 0.5 %, 1 %,
 * 2 %, 5 %, 10 %, 20 %, 50 %, 100 % that cover it, at most COPUB_MAP_MAX_CLASSES (the
 * lowest merged into the first), so that the scale reads in round numbers and the
 * top class holds the largest partner. n is 0 when @max_share is 0. */
void copub_map_classes (double max_share, CopubMapClasses *out);
/* The class of @share (0-based), or -1 for 0 (no co-publication). */
int copub_map_class_of (const CopubMapClasses *classes, double share);
/* The fill colour of class @i of @n ("#rrggbb", static), light to dark. */
const char *copub_map_class_colour (guint i, guint n);

#define COPUB_MAP_COLOUR_NONE "#eeeeee" /* a country with no co-publication */
#define COPUB_MAP_COLOUR_NO_DATA "#ffffff" /* no work in the period: nothing to say */
#define COPUB_MAP_COLOUR_HOME "#e6a23c"   /* the home country, apart */

typedef struct {
  const char *home;                 /* the home country's code, drawn apart */
  const char *const *also_home;     /* NULL-terminated codes drawn as home too (the overseas
                                     * territories when they count as home), or NULL */
  const char *home_tooltip;         /* "France: the home country" */
  const CopubMapCountry *countries; /* the countries to describe: those with co-publications,
                                     * and those without (works 0) that get a tooltip */
  guint n_countries;
  gboolean no_data;                 /* the period has no work: every country "no data" */
  const char *title;                /* the map's accessible name */
  const char *description;          /* one sentence for screen readers */
  const char *none_label;           /* "no co-publication" */
  const char *no_data_label;        /* "no data" */
  const char *home_label;           /* "France (home)" */
  const char *class_labels[COPUB_MAP_MAX_CLASSES]; /* "1 to 2 %", for classes.n */
  CopubMapClasses classes;
} CopubMapSpec;

/* The map as an SVG element for the HTML report, @width pixels wide (the height follows):
 * one <path> per country with a shape, a <circle> for the small and shapeless ones
 * with data, each focusable, with a <title> tooltip and data-code, data-works,
 * data-share and data-fractional attributes; the legend below it. Every text escaped. */
char *copub_map_svg (const CopubWorld *world, const CopubMapSpec *spec, double width);

/* The map's gnuplot data (appended to @data: the countries' rings, one gnuplot index
 * per fill colour, then the dots) and the plot command that draws it from the data file
 * @data_path (a quoted gnuplot string), appended to @script. The caller sets the
 * terminal, the title, the footer and the legend's keys. */
void copub_map_gnuplot (const CopubWorld *world, const CopubMapSpec *spec, const char *data_path,
                        GString *data, GString *script);

G_END_DECLS
