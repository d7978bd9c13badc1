/* copub: the world map of partner countries (see map.h). */
#include <math.h>
#include <string.h>

#include "output/map.h"

/* Round bounds, as shares; the scale uses those that cover the largest share. */
static const double bounds[] = { 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0 };

/* ColorBrewer's sequential "Blues" (Cynthia Brewer, Apache-2.0 licensed scheme), seven
 * steps; fewer classes take evenly spaced steps so that the top class is the darkest. */
static const char *const blues[COPUB_MAP_MAX_CLASSES] = {
  "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594",
};

/* Radius of a small country's dot, in pixels of a 960-pixel-wide map. */
#define DOT_RADIUS 3.0

void
copub_map_classes (double max_share, CopubMapClasses *out)
{
  guint top = 0, first;

  memset (out, 0, sizeof *out);
  if (!(max_share > 0))
    return;
  while (top + 1 < G_N_ELEMENTS (bounds) && bounds[top] < max_share)
    top++;
  first = top + 1 > COPUB_MAP_MAX_CLASSES ? top + 1 - COPUB_MAP_MAX_CLASSES : 0;
  for (guint i = first; i <= top; i++)
    out->upper[out->n++] = bounds[i];
}

int
copub_map_class_of (const CopubMapClasses *classes, double share)
{
  if (!(share > 0) || classes->n == 0)
    return -1;
  for (guint i = 0; i < classes->n; i++)
    if (share <= classes->upper[i])
      return (int) i;
  return (int) classes->n - 1;
}

const char *
copub_map_class_colour (guint i, guint n)
{
  guint step;
  if (n <= 1)
    return blues[COPUB_MAP_MAX_CLASSES - 1];
  step = (i * (COPUB_MAP_MAX_CLASSES - 1) + (n - 1) / 2) / (n - 1);
  return blues[MIN (step, COPUB_MAP_MAX_CLASSES - 1)];
}

/* The entry of @code in @spec, or NULL. */
static const CopubMapCountry *
entry_of (const CopubMapSpec *spec, const char *code)
{
  for (guint i = 0; i < spec->n_countries; i++)
    if (g_strcmp0 (spec->countries[i].code, code) == 0)
      return &spec->countries[i];
  return NULL;
}

static gboolean
is_home (const CopubMapSpec *spec, const char *code)
{
  if (spec->home != NULL && g_strcmp0 (code, spec->home) == 0)
    return TRUE;
  return spec->also_home != NULL && code != NULL
         && g_strv_contains ((const char *const *) spec->also_home, code);
}

static const char *
fill_of (const CopubMapSpec *spec, const char *code, const CopubMapCountry *e)
{
  int k;
  if (is_home (spec, code))
    return COPUB_MAP_COLOUR_HOME;
  if (spec->no_data)
    return COPUB_MAP_COLOUR_NO_DATA;
  k = e != NULL ? copub_map_class_of (&spec->classes, e->share) : -1;
  return k < 0 ? COPUB_MAP_COLOUR_NONE : copub_map_class_colour ((guint) k, spec->classes.n);
}

static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  g_autofree char *escaped = g_markup_escape_text (valid, -1);
  g_string_append (out, escaped);
}

static void
append_double (GString *out, const char *format, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, v));
}

/* The attributes and tooltip every country element carries. */
static void
append_country_attributes (GString *out, const CopubMapSpec *spec, const char *code,
                           const CopubMapCountry *e)
{
  const char *tooltip = e ? e->tooltip : NULL;
  if (is_home (spec, code) && tooltip == NULL)
    tooltip = spec->home_tooltip;
  g_string_append_printf (out, " fill=\"%s\" data-code=\"", fill_of (spec, code, e));
  append_escaped (out, code);
  g_string_append_c (out, '"');
  if (e != NULL)
    {
      g_string_append_printf (out, " data-works=\"%" G_GINT64_FORMAT "\" data-share=\"", e->works);
      append_double (out, "%.6f", e->share);
      g_string_append (out, "\" data-fractional=\"");
      append_double (out, "%.2f", e->fractional);
      g_string_append_c (out, '"');
    }
  if (tooltip != NULL)
    {
      g_string_append (out, " tabindex=\"0\" role=\"img\" aria-label=\"");
      append_escaped (out, tooltip);
      g_string_append (out, "\"><title>");
      append_escaped (out, tooltip);
      g_string_append (out, "</title>");
    }
  else
    g_string_append (out, " aria-hidden=\"true\">");
}

static void
append_shapes (GString *out, const CopubWorld *world, const CopubMapSpec *spec, double width)
{
  const GPtrArray *codes = copub_world_countries (world);

  g_string_append (out, "<g class=\"countries\" stroke=\"#ffffff\" stroke-width=\"0.5\">\n");
  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);
      g_string_append (out, "<path d=\"");
      copub_world_append_svg_path (world, code, width, out);
      g_string_append_c (out, '"');
      append_country_attributes (out, spec, code, entry_of (spec, code));
      g_string_append (out, "</path>\n");
    }
  g_string_append (out, "</g>\n");
}

/* Whether @e is drawn as a dot (a small or shapeless country with co-publications, or
 * home), and where. */
static gboolean
has_dot (const CopubWorld *world, const CopubMapSpec *spec, const CopubMapCountry *e, double *x,
         double *y)
{
  if (e->works == 0 && !is_home (spec, e->code))
    return FALSE;
  return copub_world_needs_dot (world, e->code) && copub_world_anchor (world, e->code, x, y);
}

/* The dots of the small and shapeless countries that have co-publications (or are home). */
static void
append_dots (GString *out, const CopubWorld *world, const CopubMapSpec *spec, double width)
{
  double r = DOT_RADIUS * width / 960;

  g_string_append (out, "<g class=\"small-countries\" stroke=\"#555555\" stroke-width=\"0.6\">\n");
  for (guint i = 0; i < spec->n_countries; i++)
    {
      const CopubMapCountry *e = &spec->countries[i];
      double x, y, px, py;
      if (!has_dot (world, spec, e, &x, &y))
        continue;
      copub_world_to_pixels (x, y, width, &px, &py);
      g_string_append (out, "<circle cx=\"");
      append_double (out, "%.1f", px);
      g_string_append (out, "\" cy=\"");
      append_double (out, "%.1f", py);
      g_string_append (out, "\" r=\"");
      append_double (out, "%.1f", r);
      g_string_append_c (out, '"');
      append_country_attributes (out, spec, e->code, e);
      g_string_append (out, "</circle>\n");
    }
  g_string_append (out, "</g>\n");
}

static void
append_legend_key (GString *out, double x, double y, const char *fill, const char *label)
{
  g_string_append (out, "<rect x=\"");
  append_double (out, "%.1f", x);
  g_string_append (out, "\" y=\"");
  append_double (out, "%.1f", y);
  g_string_append_printf (out, "\" width=\"14\" height=\"10\" fill=\"%s\" stroke=\"#999999\" "
                               "stroke-width=\"0.5\"/><text x=\"", fill);
  append_double (out, "%.1f", x + 18);
  g_string_append (out, "\" y=\"");
  append_double (out, "%.1f", y + 9);
  g_string_append (out, "\">");
  append_escaped (out, label);
  g_string_append (out, "</text>\n");
}

/* The legend: the classes light to dark, then "no co-publication", "no data", home. */
static void
append_legend (GString *out, const CopubMapSpec *spec, double top)
{
  double x = 8, y = top + 6;

  g_string_append (out, "<g class=\"legend\" font-size=\"11\" fill=\"#333333\">\n");
  for (guint i = 0; i < spec->classes.n && !spec->no_data; i++, y += 15)
    append_legend_key (out, x, y, copub_map_class_colour (i, spec->classes.n),
                       spec->class_labels[i] ? spec->class_labels[i] : "");
  x = 240, y = top + 6;
  append_legend_key (out, x, y, COPUB_MAP_COLOUR_NONE, spec->none_label);
  append_legend_key (out, x, y + 15, COPUB_MAP_COLOUR_NO_DATA, spec->no_data_label);
  if (spec->home != NULL)
    append_legend_key (out, x, y + 30, COPUB_MAP_COLOUR_HOME, spec->home_label);
  g_string_append (out, "</g>\n");
}

char *
copub_map_svg (const CopubWorld *world, const CopubMapSpec *spec, double width)
{
  double height = copub_world_height (width);
  guint rows = MAX (spec->classes.n, 3);
  double total = height + 12 + 15.0 * rows;
  GString *out = g_string_new (NULL);

  g_string_append (out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"world-map\" viewBox=\"0 0 ");
  append_double (out, "%.0f", width);
  g_string_append_c (out, ' ');
  append_double (out, "%.0f", total);
  g_string_append (out, "\" role=\"group\" aria-labelledby=\"world-map-title\" "
                        "aria-describedby=\"world-map-desc\">\n<title id=\"world-map-title\">");
  append_escaped (out, spec->title);
  g_string_append (out, "</title>\n<desc id=\"world-map-desc\">");
  append_escaped (out, spec->description);
  g_string_append (out, "</desc>\n<rect width=\"100%\" height=\"100%\" fill=\"#f7fbff\" "
                        "opacity=\"0\"/>\n");
  append_shapes (out, world, spec, width);
  append_dots (out, world, spec, width);
  append_legend (out, spec, height);
  g_string_append (out, "</svg>\n");
  return g_string_free (out, FALSE);
}

/* The group a country is drawn in: one per fill colour, so that gnuplot draws each
 * group with one "filledcurves" clause. */
typedef struct {
  const char *fill;
  GString *rings;
} FillGroup;

static FillGroup *
group_for (GPtrArray *groups, const char *fill)
{
  FillGroup *g;
  for (guint i = 0; i < groups->len; i++)
    if (strcmp (((FillGroup *) g_ptr_array_index (groups, i))->fill, fill) == 0)
      return g_ptr_array_index (groups, i);
  g = g_new0 (FillGroup, 1);
  g->fill = fill;
  g->rings = g_string_new (NULL);
  g_ptr_array_add (groups, g);
  return g;
}

static void
fill_group_free (gpointer p)
{
  FillGroup *g = p;
  g_string_free (g->rings, TRUE);
  g_free (g);
}

void
copub_map_gnuplot (const CopubWorld *world, const CopubMapSpec *spec, const char *data_path,
                   GString *data, GString *script)
{
  const GPtrArray *codes = copub_world_countries (world);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (fill_group_free);
  g_autoptr(GString) dots = g_string_new (NULL);
  guint index = 0;

  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);
      FillGroup *g = group_for (groups, fill_of (spec, code, entry_of (spec, code)));
      copub_world_append_rings (world, code, g->rings);
    }
  for (guint i = 0; i < spec->n_countries; i++)
    {
      const CopubMapCountry *e = &spec->countries[i];
      double x, y;
      if (!has_dot (world, spec, e, &x, &y))
        continue;
      append_double (dots, "%.4f", x);
      g_string_append_c (dots, ' ');
      append_double (dots, "%.4f", y);
      g_string_append_printf (dots, " 0x%s\n", fill_of (spec, e->code, e) + 1);
    }
  double x_max, y_min, y_max;
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];

  copub_world_extent (&x_max, &y_min, &y_max);
  g_string_append_printf (script, "set size ratio -1\nunset border\nunset xtics\nunset ytics\n"
                                  "set xrange [-%s:%s]\nset yrange [%s:%s]\nplot ",
                          g_ascii_formatd (a, sizeof a, "%.4f", x_max), a,
                          g_ascii_formatd (b, sizeof b, "%.4f", y_min),
                          g_ascii_formatd (c, sizeof c, "%.4f", y_max));
  for (guint i = 0; i < groups->len; i++, index++)
    {
      FillGroup *g = g_ptr_array_index (groups, i);
      /* one data block per group: two blank lines end it */
      g_string_append (data, g->rings->str);
      g_string_append (data, "\n\n");
      g_string_append_printf (script, "%s%s index %u with filledcurves closed "
                                      "fillcolor rgb '%s' fillstyle solid 1.0 border "
                                      "linecolor rgb '#ffffff' linewidth 0.5 notitle",
                              i ? ", \\\n     " : "", data_path, index, g->fill);
    }
  if (dots->len > 0)
    {
      g_string_append (data, dots->str);
      g_string_append (data, "\n\n");
      g_string_append_printf (script, "%s%s index %u using 1:2:3 with points pointtype 7 "
                                      "pointsize 0.7 linecolor rgb variable notitle, \\\n"
                                      "     %s index %u using 1:2 with points pointtype 6 "
                                      "pointsize 0.7 linecolor rgb '#555555' notitle",
                              index ? ", \\\n     " : "", data_path, index, data_path, index);
    }
  g_string_append_c (script, '\n');
}
