/* copub: charts with gnuplot. The tables come from the analyse module; the numbers go to
 * gnuplot through tab-separated data files, the labels through the script as escaped
 * single-quoted strings, and gnuplot runs with an argv (no shell) and the script on its
 * standard input, in a private directory from which the charts are moved into place. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "copub/countries.h"
#include "copub/error.h"
#include "copub/plot.h"
#include "output/map.h"
#include "output/words.h"

/* gnuplot draws a few charts in well under a second; past this it is stuck. */
#define GNUPLOT_TIMEOUT_SECONDS 120
/* How much of gnuplot's standard error an error message quotes. */
#define STDERR_TAIL 4096

#define TOP_THEMES 8
#define TOP_MAPPED_THEMES 10 /* an institution's own themes are few: show them all */
#define TOP_COUNTRIES 15
#define TOP_INSTITUTIONS 20
#define TOP_TRENDS 6
#define HEAT_THEMES 10
#define HEAT_COUNTRIES 12
#define LABEL_CHARS 34
#define MIN_THEME_WORKS 30  /* a year's share over fewer works is not drawn */
#define MAX_PARTNER_PANELS 15

static const char *const chart_names[COPUB_N_CHARTS] = {
  "share-by-year", "share-by-theme", "partner-countries", "partner-country-trends",
  "strategic-partners", "theme-country-heatmap", "world-map", "links", "region-trends",
  "partner-institutions",
};

/* One palette for every chart: distinct hues of similar weight, readable on white and
 * told apart by most colour-blind readers (after Tableau 10, darkened for lines). */
static const char *const palette[] = {
  "#2f6b9a", "#e0812b", "#3a9a63", "#c8443c", "#7b5aa6",
  "#8c6a4f", "#cf5f9f", "#5f7282", "#a8992e", "#2ba0b3",
};

const char *
copub_chart_name (CopubChartKind kind)
{
  g_return_val_if_fail (kind < COPUB_N_CHARTS, NULL);
  return chart_names[kind];
}

gboolean
copub_chart_kind_from_name (const char *name, CopubChartKind *out)
{
  for (guint i = 0; i < COPUB_N_CHARTS; i++)
    if (g_strcmp0 (name, chart_names[i]) == 0)
      {
        *out = (CopubChartKind) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
copub_plot_format_from_name (const char *name, CopubPlotFormat *out)
{
  static const char *const names[] = { "png", "svg", "pdf" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *out = (CopubPlotFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
copub_plot_format_extension (CopubPlotFormat format)
{
  switch (format)
    {
    case COPUB_PLOT_SVG:
      return "svg";
    case COPUB_PLOT_PDF:
      return "pdf";
    case COPUB_PLOT_PNG:
    default:
      return "png";
    }
}

void
copub_chart_free (CopubChart *chart)
{
  if (chart == NULL)
    return;
  g_free (chart->title);
  g_free (chart->path);
  g_free (chart->note);
  g_free (chart);
}

/* ---- escaping ---------------------------------------------------------------------- */

char *
copub_plot_quote (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid) + 2);

  g_string_append_c (out, '\'');
  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean lone = p > valid && p[-1] != '\'' && p[1] != '\'';
      if (c == '\'' && lone)
        g_string_append (out, "''"); /* gnuplot's quote inside single quotes */
      else if (c == '\'')
        g_string_append_unichar (out, 0x2019); /* RIGHT SINGLE QUOTATION MARK */
      else if (c == '`')
        g_string_append_unichar (out, 0x02CB); /* MODIFIER LETTER GRAVE ACCENT */
      else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

/* @text cut to @max characters with an ellipsis, for tick labels and legends. */
static char *
shorten (const char *text, glong max)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);

  if (g_utf8_strlen (valid, -1) <= max)
    return g_steal_pointer (&valid);
  *g_utf8_offset_to_pointer (valid, max - 1) = '\0';
  g_strchomp (valid);
  return g_strconcat (valid, "…", NULL);
}

/* A quoted label, shortened: what every name from the data becomes in a script. */
static char *
quote_label (const char *text)
{
  g_autofree char *shorter = shorten (text, LABEL_CHARS);
  return copub_plot_quote (shorter);
}

/* ---- running gnuplot --------------------------------------------------------------- */

/* An unlinked temporary file holding @contents, positioned at its start. */
static int
anonymous_file (const char *contents, GError **error)
{
  g_autofree char *path = NULL;
  gsize len = contents ? strlen (contents) : 0, done = 0;
  int fd = g_file_open_tmp ("copub-plot-XXXXXX", &path, error);

  if (fd < 0)
    return -1;
  g_unlink (path);
  while (done < len)
    {
      ssize_t n = write (fd, contents + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                       "writing the gnuplot script: %s", g_strerror (saved));
          return -1;
        }
      done += (gsize) n;
    }
  lseek (fd, 0, SEEK_SET);
  return fd;
}

/* The last lines of what the child wrote to @fd, on one line. */
static char *
stderr_tail (int fd)
{
  char buf[STDERR_TAIL + 1];
  off_t size = lseek (fd, 0, SEEK_END);
  ssize_t n;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autofree char *valid = NULL;

  if (size < 0)
    return g_strdup ("");
  lseek (fd, size > STDERR_TAIL ? size - STDERR_TAIL : 0, SEEK_SET);
  n = read (fd, buf, STDERR_TAIL);
  buf[n > 0 ? n : 0] = '\0';
  valid = g_utf8_make_valid (buf, -1);
  lines = g_strsplit (valid, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      /* gnuplot points at the error with a caret line: it means nothing on one line. */
      char *line = g_strstrip (lines[i]);
      if (*line != '\0' && strspn (line, "^ ") != strlen (line))
        g_ptr_array_add (kept, line);
    }
  if (kept->len > 3)
    g_ptr_array_remove_range (kept, 0, kept->len - 3);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (" / ", (char **) kept->pdata);
}

typedef struct {
  gboolean done;
  gboolean timed_out;
  int status;
} ChildWait;

static void
child_exited (GPid pid, int status, gpointer data)
{
  ChildWait *w = data;

  w->status = status;
  w->done = TRUE;
  g_spawn_close_pid (pid);
}

static gboolean
child_timed_out (gpointer data)
{
  ((ChildWait *) data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for @pid, killing it after the time limit. */
static void
wait_child (GPid pid, ChildWait *w)
{
  GMainContext *context = g_main_context_new ();
  GSource *watch = g_child_watch_source_new (pid);
  GSource *timer = g_timeout_source_new_seconds (GNUPLOT_TIMEOUT_SECONDS);
  gboolean killed = FALSE;

  g_source_set_callback (watch, G_SOURCE_FUNC (child_exited), w, NULL);
  g_source_set_callback (timer, child_timed_out, w, NULL);
  g_source_attach (watch, context);
  g_source_attach (timer, context);
  while (!w->done)
    {
      g_main_context_iteration (context, TRUE);
      if (w->timed_out && !killed)
        {
          kill (pid, SIGKILL);
          killed = TRUE;
        }
    }
  g_source_destroy (timer);
  g_source_unref (timer);
  g_source_destroy (watch);
  g_source_unref (watch);
  g_main_context_unref (context);
}

static gboolean
check_exit (const char *program, const ChildWait *w, int err_fd, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *tail = NULL;

  if (w->timed_out)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_CHILD,
                   "'%s' did not finish within %d s and was stopped", program,
                   GNUPLOT_TIMEOUT_SECONDS);
      return FALSE;
    }
  if (g_spawn_check_wait_status (w->status, &local))
    {
      tail = stderr_tail (err_fd);
      if (*tail)
        g_debug ("gnuplot said: %s", tail);
      return TRUE;
    }
  tail = stderr_tail (err_fd);
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_CHILD, "'%s' failed (%s)%s%s", program,
               local->message, *tail ? ": " : "", tail);
  return FALSE;
}

/* In the child, before exec: gnuplot dies with copub. A run killed while it draws
 * must not leave a gnuplot behind that goes on writing into the staging directory the
 * next run removes. */
static void
die_with_parent (gpointer parent_pid)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != (pid_t) GPOINTER_TO_INT (parent_pid))
    _exit (127); /* copub died before prctl took hold */
}

gboolean
copub_plot_run (const char *program, const char *script, const char *workdir, GError **error)
{
  g_autofree char *path = g_find_program_in_path (program ? program : "gnuplot");
  const char *argv[] = { NULL, "-d", NULL }; /* -d: no user or system init file */
  ChildWait w = { FALSE, FALSE, 0 };
  g_autoptr(GError) local = NULL;
  GPid pid = 0;
  int in_fd = -1, err_fd = -1;
  gboolean ok;

  if (path == NULL)
    {
      if (program == NULL)
        g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_CHILD,
                             "gnuplot not found in PATH: install it to draw charts "
                             "(Debian: apt-get install gnuplot-nox)");
      else
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_CHILD,
                     "'%s' not found or not executable", program);
      return FALSE;
    }
  argv[0] = path;
  if ((in_fd = anonymous_file (script, error)) < 0)
    return FALSE;
  if ((err_fd = anonymous_file (NULL, error)) < 0)
    {
      close (in_fd);
      return FALSE;
    }
  g_debug ("running %s in '%s' with this script:\n%s", path, workdir, script);
  ok = g_spawn_async_with_pipes_and_fds (workdir, argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD
                                             | G_SPAWN_STDOUT_TO_DEV_NULL,
                                         die_with_parent, GINT_TO_POINTER ((int) getpid ()),
                                         in_fd, -1, err_fd, NULL, NULL, 0, &pid,
                                         NULL, NULL, NULL, &local);
  if (ok)
    {
      wait_child (pid, &w);
      ok = check_exit (path, &w, err_fd, error);
    }
  else
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_CHILD, "running '%s': %s", path,
                 local->message);
  close (in_fd);
  close (err_fd);
  return ok;
}

/* ---- the data ---------------------------------------------------------------------- */


static CopubIndicators *
analyse_by (CopubStore *store, const CopubAnalyseOptions *base, CopubDimension d1,
            CopubDimension d2, int from, int to, CopubCounting counting, GError **error)
{
  CopubAnalyseOptions o = *base;

  o.dims[0] = d1;
  o.dims[1] = d2;
  o.n_dims = d2 == COPUB_N_DIMS ? 1 : 2;
  o.window = 0;
  o.counting = counting;
  o.from = from;
  o.to = to;
  o.country_name = copub_country_name_func;
  o.country_name_data = NULL;
  return copub_analyse (store, &o, error);
}

/* @d1 by year, in the rolling periods of @d (single years when its window is 1). */
static CopubIndicators *
analyse_trend (CopubStore *store, const CopubAnalyseOptions *base, const CopubPlotData *d,
               CopubDimension d1, GError **error)
{
  CopubAnalyseOptions o = *base;

  o.dims[0] = d1;
  o.dims[1] = COPUB_DIM_YEAR;
  o.n_dims = 2;
  o.window = d->window;
  o.counting = COPUB_COUNTING_FULL;
  o.country_name = copub_country_name_func;
  o.country_name_data = NULL;
  return copub_analyse (store, &o, error);
}

/* The years of the trend periods: @options' window, at most the corpus' years. */
static void
data_window (CopubPlotData *d, const CopubAnalyseOptions *options)
{
  int span = d->last_year - d->first_year + 1;

  d->window = MAX (options->window, 1);
  if (d->first_year > 0 && (int) d->window > span)
    d->window = (guint) span;
  d->trend_first = d->first_year + (int) d->window - 1;
}

/* The headline and the last period; a corpus without a complete year keeps its last. */
static void
data_headline (CopubPlotData *d, CopubStore *store, const CopubAnalyseOptions *o, int from,
               int to)
{
  g_autoptr(GError) local = NULL;

  d->has_headline = copub_analyse_headline (store, o, from, to, &d->headline, &local);
  if (d->has_headline)
    {
      d->period_from = d->headline.from;
      d->period_to = d->headline.to;
      d->synthetic |= d->headline.synthetic;
      return;
    }
  d->headline_problem = g_strdup (local->message);
  d->period_from = from ? from : d->last_year;
  d->period_to = to ? to : d->period_from;
}

static void
data_years (CopubPlotData *d)
{
  for (guint r = 0; r < copub_indicators_n_cells (d->years); r++)
    {
      const CopubCell *c = copub_indicators_cell (d->years, r);
      d->works += c->works;
      if (d->first_year == 0 || c->year < d->first_year)
        d->first_year = c->year;
      d->last_year = MAX (d->last_year, c->year);
    }
  d->synthetic |= copub_indicators_synthetic (d->years);
}

/* Keeps the stats of the sources the analysis reads. */
static GPtrArray *
data_sources (CopubStore *store, const CopubAnalyseOptions *o, GError **error)
{
  g_autoptr(GPtrArray) all = copub_store_source_stats (store, error);

  if (all == NULL)
    return NULL;
  for (guint i = all->len; o->source && i-- > 0;)
    if (g_strcmp0 (((CopubSourceStats *) all->pdata[i])->source, o->source) != 0)
      g_ptr_array_remove_index (all, i);
  return g_steal_pointer (&all);
}

CopubPlotData *
copub_plot_data_compute (CopubStore *store, const CopubAnalyseOptions *options,
                         int period_from, int period_to, GError **error)
{
  g_autoptr(CopubPlotData) d = g_new0 (CopubPlotData, 1);
  const CopubAnalyseOptions *o = options;
  const CopubDimension none = COPUB_N_DIMS; /* analyse_by(): no second dimension */

  d->lang = g_strcmp0 (options->lang, "fr") == 0 ? "fr" : "en";
  d->themes_mapped = options->themes != NULL;
  d->territories_home = options->territories_as_home;
  d->hk_mo_as_cn = options->hk_mo_as_cn;
  if (!(d->years = analyse_by (store, o, COPUB_DIM_YEAR, none, o->from, o->to,
                               COPUB_COUNTING_FULL, error)))
    return NULL;
  data_years (d);
  data_window (d, o);
  data_headline (d, store, o, period_from, period_to);
  if (!(d->themes = analyse_by (store, o, COPUB_DIM_THEME, none, o->from, o->to,
                                COPUB_COUNTING_FULL, error))
      || !(d->theme_years = analyse_trend (store, o, d, COPUB_DIM_THEME, error))
      || !(d->countries = analyse_by (store, o, COPUB_DIM_COUNTRY, none, d->period_from,
                                      d->period_to, COPUB_COUNTING_BOTH, error))
      || !(d->countries_all = analyse_by (store, o, COPUB_DIM_COUNTRY, none, o->from, o->to,
                                          COPUB_COUNTING_BOTH, error))
      || !(d->country_years = analyse_by (store, o, COPUB_DIM_COUNTRY, COPUB_DIM_YEAR,
                                          o->from, o->to, COPUB_COUNTING_FULL, error))
      || !(d->theme_countries = analyse_by (store, o, COPUB_DIM_THEME, COPUB_DIM_COUNTRY,
                                            o->from, o->to, COPUB_COUNTING_FULL, error))
      || !(d->sources = analyse_by (store, o, COPUB_DIM_SOURCE, none, o->from, o->to,
                                    COPUB_COUNTING_FULL, error))
      || !(d->source_stats = data_sources (store, o, error)))
    return NULL;
  if (o->partners
      && (!(d->partner_years = analyse_trend (store, o, d, COPUB_DIM_PARTNER, error))
          || !(d->partner_totals = analyse_by (store, o, COPUB_DIM_PARTNER, none, o->from,
                                               o->to, COPUB_COUNTING_FULL, error))))
    return NULL;
  if (o->regions
      && !(d->region_years = analyse_by (store, o, COPUB_DIM_REGION, COPUB_DIM_YEAR, o->from,
                                         o->to, COPUB_COUNTING_FULL, error)))
    return NULL;
  if (o->regions)
    {
      d->regions = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < copub_regions_count (o->regions); i++)
        g_ptr_array_add (d->regions, g_strdup (copub_regions_name (o->regions, i)));
    }
  if (o->home_institution && o->institution_tree
      && !(d->institutions = analyse_by (store, o, COPUB_DIM_INSTITUTION, none,
                                         d->period_from, d->period_to, COPUB_COUNTING_BOTH,
                                         error)))
    return NULL;
  if (o->partners)
    {
      d->partners = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < copub_partners_count (o->partners); i++)
        g_ptr_array_add (d->partners, g_strdup (copub_partners_name (o->partners, i)));
    }
  return g_steal_pointer (&d);
}

void
copub_plot_data_free (CopubPlotData *d)
{
  if (d == NULL)
    return;
  copub_indicators_unref (d->years);
  copub_indicators_unref (d->themes);
  copub_indicators_unref (d->theme_years);
  copub_indicators_unref (d->countries);
  copub_indicators_unref (d->countries_all);
  copub_indicators_unref (d->country_years);
  copub_indicators_unref (d->theme_countries);
  copub_indicators_unref (d->partner_years);
  copub_indicators_unref (d->partner_totals);
  copub_indicators_unref (d->sources);
  if (d->region_years)
    copub_indicators_unref (d->region_years);
  if (d->regions)
    g_ptr_array_unref (d->regions);
  copub_indicators_unref (d->institutions);
  if (d->source_stats)
    g_ptr_array_unref (d->source_stats);
  if (d->partners)
    g_ptr_array_unref (d->partners);
  g_free (d->headline_problem);
  g_free (d);
}

gint64
copub_plot_partner_works (const CopubPlotData *d, const char *partner, int year)
{
  const CopubIndicators *t = d->partner_years;

  for (guint r = 0; t && r < copub_indicators_n_cells (t); r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      if (c->year == year && g_strcmp0 (c->partner, partner) == 0)
        return c->works;
    }
  return 0;
}

gint64
copub_plot_partner_total (const CopubPlotData *d, const char *partner)
{
  const CopubIndicators *t = d->partner_totals ? d->partner_totals : d->partner_years;
  gint64 total = 0;

  /* Single years add up; overlapping periods do not, hence partner_totals. */
  g_return_val_if_fail (d->partner_totals || d->window <= 1, 0);
  for (guint r = 0; t && r < copub_indicators_n_cells (t); r++)
    if (g_strcmp0 (copub_indicators_cell (t, r)->partner, partner) == 0)
      total += copub_indicators_cell (t, r)->works;
  return total;
}

typedef struct {
  const char *name;
  gint64 total;
} PartnerTotal;

static int
compare_partner_totals (gconstpointer pa, gconstpointer pb)
{
  const PartnerTotal *a = pa, *b = pb;

  if (a->total != b->total)
    return a->total > b->total ? -1 : 1;
  return g_utf8_collate (a->name, b->name);
}

GPtrArray *
copub_plot_partners_by_total (const CopubPlotData *d)
{
  g_autoptr(GArray) totals = g_array_new (FALSE, FALSE, sizeof (PartnerTotal));
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; d->partners && i < d->partners->len; i++)
    {
      PartnerTotal p = { d->partners->pdata[i], 0 };
      p.total = copub_plot_partner_total (d, p.name);
      g_array_append_val (totals, p);
    }
  g_array_sort (totals, compare_partner_totals);
  for (guint i = 0; i < totals->len; i++)
    g_ptr_array_add (names, (gpointer) g_array_index (totals, PartnerTotal, i).name);
  return names;
}

/* "2024-05-02", or "2024-05-02 (OpenAlex), 2024-05-03 (HAL)" when they differ. */
static char *
harvest_dates (const GPtrArray *stats)
{
  GString *out = g_string_new (NULL);
  gboolean same = TRUE;

  for (guint i = 1; i < stats->len; i++)
    same &= strncmp (((CopubSourceStats *) stats->pdata[i])->last_stored,
                     ((CopubSourceStats *) stats->pdata[0])->last_stored, 10) == 0;
  for (guint i = 0; i < stats->len; i++)
    {
      const CopubSourceStats *s = stats->pdata[i];
      if (same && i > 0)
        break;
      g_string_append_printf (out, "%s%.10s", i ? ", " : "", s->last_stored);
      if (!same)
        g_string_append_printf (out, " (%s)", copub_words_source_name (s->source));
    }
  return g_string_free (out, FALSE);
}

char *
copub_plot_source_line (const CopubPlotData *data, gint64 works)
{
  const char *previous = copub_words_use (data->lang);
  GString *line = g_string_new (_("Source: "));
  g_autofree char *n = copub_words_count (works);
  const GPtrArray *stats = data->source_stats;

  for (guint i = 0; stats && i < stats->len; i++)
    g_string_append_printf (line, "%s%s", i ? ", " : "",
                            copub_words_source_name (((CopubSourceStats *) stats->pdata[i])->source));
  if (stats && stats->len > 0)
    {
      g_autofree char *dates = harvest_dates (stats);
      g_string_append_printf (line, _("; harvested on %s"), dates);
    }
  else
    g_string_append (line, C_("no source", "none"));
  g_string_append_printf (line, _("; n = %s works"), n);
  if (data->synthetic)
    g_string_append (line, _("; synthetic data"));
  copub_words_use (previous);
  return g_string_free (line, FALSE);
}

/* ---- chart scripts ----------------------------------------------------------------- */

typedef struct {
  const CopubPlotData *data;
  const CopubPlotOptions *options;
  const char *workdir;
  GString *script;
  guint width, height;
  double font; /* base font size, points */
  CopubChartKind kind;                  /* the chart being written */
  GPtrArray *hover[COPUB_N_CHARTS];     /* each chart's plot clauses' names, in order */
  CopubWorld *world;                    /* the map's shapes, loaded by the first map */
} Ctx;

/* Names the next plot clause of the current chart: what hovering it in the SVG shows. */
static void
hover (Ctx *ctx, const char *name)
{
  char *text = g_utf8_make_valid (name ? name : "", -1);

  /* XML 1.0 has no place for control characters, even escaped. */
  for (char *p = text; *p; p = g_utf8_next_char (p))
    if ((guchar) *p < 0x20 || *p == 0x7F)
      *p = ' ';
  g_ptr_array_add (ctx->hover[ctx->kind], text);
}

/* A number for a data file: '.' as decimal separator whatever the locale; NaN when
 * missing (the data files declare it as their missing value). */
static void
append_number (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    g_string_append (out, "NaN");
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.4f", v));
}

static void
append_row (GString *out, guint n, const double *values)
{
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, '\t');
      append_number (out, values[i]);
    }
  g_string_append_c (out, '\n');
}

/* Writes @path atomically; errors in COPUB_ERROR_IO. */
static gboolean
set_contents (const char *path, const char *contents, gssize len, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                &local))
    return TRUE;
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "%s", local->message);
  return FALSE;
}

static gboolean
write_data (const Ctx *ctx, CopubChartKind kind, const GString *contents, GError **error)
{
  g_autofree char *name = g_strconcat (chart_names[kind], ".dat", NULL);
  g_autofree char *path = g_build_filename (ctx->workdir, name, NULL);

  return set_contents (path, contents->str, (gssize) contents->len, error);
}

/* Appends "set NAME 'text' ..." style commands with one quoted string. */
static void
append_quoted (GString *s, const char *before, const char *value, const char *after)
{
  g_autofree char *q = copub_plot_quote (value);
  g_string_append_printf (s, "%s%s%s\n", before, q, after);
}

static char *
font_spec (const Ctx *ctx, double scale, gboolean bold)
{
  char size[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (size, sizeof size, "%.1f", ctx->font * scale);
  return g_strdup_printf ("'sans-serif%s,%s'", bold ? ":Bold" : "", size);
}

/* The canvas width in the unit the cairo terminals size fonts in: pixels, or points
 * on the 8-inch PDF page. */
static double
canvas_width (const Ctx *ctx)
{
  return ctx->options->format == COPUB_PLOT_PDF ? 8 * 72.0 : ctx->width;
}

/* The characters of text at @scale that fit across the canvas: cairo's DejaVu Sans
 * averages about 0.65 em a character, more with capitals; browsers draw SVG text with
 * their own, usually narrower, sans-serif. Err on the wide side. */
static glong
chars_across (const Ctx *ctx, double scale)
{
  double em = ctx->options->format == COPUB_PLOT_SVG ? 0.62 : 0.7;
  return (glong) (0.97 * canvas_width (ctx) / (em * ctx->font * scale));
}

/* Splits @text in two at a space when it is wider than the canvas; *@rest is NULL when it
 * fits on one line, and is shortened with an ellipsis when it does not. */
static char *
wrap_line (const Ctx *ctx, const char *text, double scale, char **rest)
{
  glong fit = chars_across (ctx, scale);
  const char *cut = NULL;

  *rest = NULL;
  if (g_utf8_strlen (text, -1) <= fit)
    return g_strdup (text);
  for (const char *p = text; *p && g_utf8_pointer_to_offset (text, p) <= fit;
       p = g_utf8_next_char (p))
    if (*p == ' ')
      cut = p;
  if (cut == NULL)
    cut = g_utf8_offset_to_pointer (text, fit - 1);
  *rest = shorten (*cut == ' ' ? cut + 1 : cut, fit);
  return g_strndup (text, (gsize) (cut - text));
}

/* "set label N 'text' at screen X, Y left font F textcolor C". */
static void
add_label (Ctx *ctx, guint tag, const char *text, double y, double scale, gboolean bold,
           const char *colour)
{
  g_autofree char *quoted = copub_plot_quote (text);
  g_autofree char *font = font_spec (ctx, scale, bold);
  char ybuf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (ctx->script, "set label %u %s at screen 0.012, %s left font %s "
                                       "textcolor rgb '%s'\n", tag, quoted,
                          g_ascii_formatd (ybuf, sizeof ybuf, "%.3f", y), font, colour);
}

/* What every chart starts with: a clean state, its output, the house style, its title,
 * subtitle (on two lines when it is long), @extra (a line of its own under the subtitle,
 * or NULL) and source line. Returns the top of the plot area, in screen coordinates. */
static double
begin_chart (Ctx *ctx, CopubChartKind kind, const char *title, const char *subtitle,
             const char *extra, gint64 works)
{
  GString *s = ctx->script;
  g_autofree char *source = copub_plot_source_line (ctx->data, works);
  g_autofree char *rest = NULL;
  g_autofree char *first = wrap_line (ctx, subtitle, 0.95, &rest);
  guint lines = 1 + (rest != NULL) + (extra != NULL);
  double top = 0.85 - 0.05 * lines;
  char topbuf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, "\n# %s\nreset\nset output '%s.%s'\n", chart_names[kind],
                          chart_names[kind],
                          copub_plot_format_extension (ctx->options->format));
  g_string_append (s, "set encoding utf8\n"
                      "set datafile separator \"\\t\"\n"
                      "set datafile missing 'NaN'\n"
                      "set border 3 front lw 1 lc rgb '#8a8a8a'\n"
                      "set tics nomirror out scale 0.5 textcolor rgb '#333333'\n"
                      "set grid back ytics lt 1 lw 1 lc rgb '#e6e6e6'\n"
                      "set key noautotitle textcolor rgb '#333333' samplen 2.5 spacing 1.25\n"
                      "set style fill solid 1 noborder\n"
                      "set bmargin at screen 0.17\n");
  g_string_append_printf (s, "set tmargin at screen %s\n",
                          g_ascii_formatd (topbuf, sizeof topbuf, "%.2f", top));
  if (strcmp (copub_words_decimal_sign (), ".") != 0)
    g_string_append_printf (s, "set decimalsign '%s'\n", copub_words_decimal_sign ());
  add_label (ctx, 1, title, 0.935, 1.45, TRUE, "#1a1a1a");
  add_label (ctx, 2, first, 0.865, 0.95, FALSE, "#555555");
  if (rest)
    add_label (ctx, 4, rest, 0.815, 0.95, FALSE, "#555555");
  if (extra)
    add_label (ctx, 5, extra, rest ? 0.765 : 0.815, 0.95, FALSE, "#555555");
  add_label (ctx, 3, source, 0.035, 0.78, FALSE, "#7a7a7a");
  return top;
}

/* "Université de Lorraine · " or "". */
static char *
institution_prefix (const Ctx *ctx)
{
  const char *name = ctx->options->institution;
  return name && *name ? g_strconcat (name, " · ", NULL) : g_strdup ("");
}

/* Years on the x axis; every other one when they are many, or when a legend beside the
 * plot leaves it @narrow. */
static void
year_axis (Ctx *ctx, gboolean narrow)
{
  int first = ctx->data->first_year, last = ctx->data->last_year;
  int step = last - first > (narrow ? 6 : 12) ? 2 : 1;

  g_string_append_printf (ctx->script, "set xrange [%d.5:%d.5]\nset xtics %d\n"
                                       "set format x '%%.0f'\n",
                          first - 1, last, step);
}

static void
percent_axis (Ctx *ctx, gboolean full_range)
{
  g_autofree char *format = copub_words_percent_format ("%g");

  g_string_append_printf (ctx->script, "set yrange [0:%s]\nset format y '%s'\n",
                          full_range ? "100" : "*", format);
}

static void
set_note (CopubChart *chart, const char *note)
{
  g_free (chart->note);
  chart->note = g_strdup (note);
}

/* The percent range of the year chart, from the data: the intervals and the ceilings,
 * with margins (the legend's above), on multiples of 5 points within 0-100. */
static void
share_range (const CopubIndicators *t, int *out_low, int *out_high)
{
  double low = 100, high = 0;

  for (guint r = 0; r < copub_indicators_n_cells (t); r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      double values[] = { 0, 0, copub_cell_share_max (c) };
      copub_cell_share_interval (c, &values[0], &values[1]);
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        if (isfinite (values[i]))
          {
            low = MIN (low, 100 * values[i]);
            high = MAX (high, 100 * values[i]);
          }
    }
  if (low > high)
    low = 0, high = 100;
  /* room above the data for the legend's four lines */
  *out_low = MAX (0, 5 * (int) floor ((low - 3) / 5));
  *out_high = MIN (100, 5 * (int) ceil ((high + 3 + 0.6 * (high - low + 6)) / 5));
}

/* Year tics with each year's n beneath: ("2016\nn = 422" 2016, ...). Numbers only. */
static void
year_n_tics (Ctx *ctx, const CopubIndicators *t)
{
  GString *s = ctx->script;
  int first = ctx->data->first_year, last = ctx->data->last_year;
  int step = last - first > 12 ? 2 : 1;

  g_string_append (s, "set xtics (");
  for (guint r = 0; r < copub_indicators_n_cells (t); r++)
    {
      int year = copub_indicators_cell (t, r)->year;
      g_autofree char *n = copub_words_count (copub_indicators_cell (t, r)->works);
      if ((year - first) % step != 0)
        continue;
      g_string_append_printf (s, "%s\"%d\\nn = %s\" %d", s->str[s->len - 1] == '(' ? "" : ", ",
                              year, n, year);
    }
  g_string_append (s, ")\n");
}

/* (a) The headline share per year with its interval, and the ceiling: the share if every
 * work with an authorship of unknown country were international. */
static gboolean
chart_share (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubIndicators *t = ctx->data->years;
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;
  g_autofree char *label_font = font_spec (ctx, 0.8, FALSE);
  g_autofree char *percent = copub_words_percent_format ("%g");
  int low, high;

  chart->title = g_strdup (_("International co-publication share per year"));
  if (copub_indicators_n_cells (t) == 0)
    {
      set_note (chart, _("no work in the corpus"));
      return TRUE;
    }
  for (guint r = 0; r < copub_indicators_n_cells (t); r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      double lo, hi;
      copub_cell_share_interval (c, &lo, &hi);
      double row[] = { c->year, 100 * copub_cell_share (c), 100 * lo, 100 * hi,
                       100 * copub_cell_share_max (c) };
      append_row (dat, G_N_ELEMENTS (row), row);
    }
  if (!write_data (ctx, COPUB_CHART_SHARE, dat, error))
    return FALSE;
  share_range (t, &low, &high);
  subtitle = g_strdup_printf (_("%sshare of the works with a co-author abroad (n per "
                                       "year below); axis from %d to %d %%, not from 0"),
                              inst, low, high);
  begin_chart (ctx, COPUB_CHART_SHARE, chart->title, subtitle, NULL, ctx->data->works);
  g_string_append_printf (ctx->script, "set xrange [%d.5:%d.5]\n", ctx->data->first_year - 1,
                          ctx->data->last_year);
  year_n_tics (ctx, t);
  g_string_append_printf (ctx->script, "set yrange [%d:%d]\nset ytics %d, %d\n"
                                       "set format y '%s'\n",
                          low, high, low, high - low > 50 ? 10 : 5, percent);
  g_string_append (ctx->script, "set key top left vertical Left reverse opaque "
                                "box lc rgb '#ffffff' width -3\n");
  const char *names[] = {
    _("floor to ceiling: unknown countries all at home, or all abroad"),
    /* xgettext:no-c-format */ _("95 % confidence interval of the share"),
    _("share, all works (the headline figure; the floor)"),
    _("ceiling"),
    _("share per year: values"),
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    hover (ctx, names[i]);
  append_quoted (ctx->script, "plot 'share-by-year.dat' using 1:2:5 with filledcurves "
                              "fc rgb '#e08a2c' fs transparent pattern 4 border lc rgb "
                              "'#e08a2c' title ", names[0], ", \\");
  append_quoted (ctx->script, "  '' using 1:3:4 with filledcurves "
                              "fc rgb '#2f6b9a' fs transparent solid 0.22 title ",
                 names[1], ", \\");
  append_quoted (ctx->script, "  '' using 1:2 with linespoints lt 1 title ", names[2], ", \\");
  append_quoted (ctx->script, "  '' using 1:5 with linespoints lt 2 dt (5,3) pt 5 ps 0.9 title ",
                 names[3], ", \\");
  g_string_append_printf (ctx->script, "  '' using 1:2:(gprintf('%%.1f', $2)) with labels "
                                       "offset 0,-1.3 font %s textcolor lt 1 notitle\n",
                          label_font);
  return TRUE;
}

/* A value of a table's text column and its total of a measure over the table's rows. */
typedef struct {
  const char *key;
  double total;
} Ranked;

static int
compare_ranked (gconstpointer pa, gconstpointer pb)
{
  const Ranked *a = pa, *b = pb;

  if (a->total != b->total)
    return a->total > b->total ? -1 : 1;
  return g_strcmp0 (a->key, b->key);
}

/* The cell's value of dimension @dim (a text dimension), or NULL. */
static const char *
cell_text (const CopubCell *c, CopubDimension dim)
{
  switch (dim)
    {
    case COPUB_DIM_THEME:
      return c->theme;
    case COPUB_DIM_COUNTRY:
      return c->country;
    case COPUB_DIM_PARTNER:
      return c->partner;
    case COPUB_DIM_SOURCE:
      return c->source;
    case COPUB_DIM_TYPE:
      return c->type;
    case COPUB_DIM_REGION:
      return c->region;
    case COPUB_DIM_YEAR:
    case COPUB_N_DIMS:
    default:
      return NULL;
    }
}

/* The values of dimension @key with their works summed over their cells, largest first
 * (ties by name, so that charts do not change from run to run). At most @max of them,
 * "(unknown)" left out. Returns the keys (borrowed from @t). */
static GPtrArray *
top_keys (const CopubIndicators *t, CopubDimension key_dim, guint max)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
  GPtrArray *keys = g_ptr_array_new ();

  for (guint r = 0; r < copub_indicators_n_cells (t); r++)
    {
      const char *key = cell_text (copub_indicators_cell (t, r), key_dim);
      gpointer at;
      double v = (double) copub_indicators_cell (t, r)->works;
      if (key == NULL || strcmp (key, "(unknown)") == 0)
        continue;
      if (!g_hash_table_lookup_extended (index, key, NULL, &at))
        {
          Ranked fresh = { key, 0 };
          at = GUINT_TO_POINTER (ranked->len);
          g_array_append_val (ranked, fresh);
          g_hash_table_insert (index, (gpointer) key, at);
        }
      g_array_index (ranked, Ranked, GPOINTER_TO_UINT (at)).total += isfinite (v) ? v : 0;
    }
  g_array_sort (ranked, compare_ranked);
  for (guint i = 0; i < ranked->len && i < max; i++)
    g_ptr_array_add (keys, (gpointer) g_array_index (ranked, Ranked, i).key);
  return keys;
}

/* The largest themes, by works. */
static GPtrArray *
top_themes (const CopubPlotData *d, guint max)
{
  return top_keys (d->themes, COPUB_DIM_THEME, max);
}

/* Appends one "plot" clause per series: data set @i of @file drawn with linetype i+1. */
static void
plot_series (Ctx *ctx, const char *file, GPtrArray *titles, const char *style)
{
  for (guint i = 0; i < titles->len; i++)
    {
      g_autofree char *title = quote_label (titles->pdata[i]);
      hover (ctx, titles->pdata[i]);
      g_string_append_printf (ctx->script, "%s'%s' index %u using 1:2 with %s lt %u title %s%s\n",
                              i == 0 ? "plot " : "  ", i == 0 ? file : "", i, style, i + 1,
                              title, i + 1 < titles->len ? ", \\" : "");
    }
}

/* The legend right of the plot; gnuplot widens the right margin to hold it. */
static void
legend_right (Ctx *ctx)
{
  g_string_append (ctx->script, "set key outside right center vertical Left reverse width -2\n");
}

/* The first year with a point in the trend charts: the last year of the first period. */
static int
trend_start (const CopubPlotData *d)
{
  return MAX (d->trend_first, d->first_year);
}

/* "rolling 4-year periods, each at its last year", or NULL for single years: a line of
 * its own under the trend charts' subtitles. */
static char *
trend_note (const Ctx *ctx)
{
  if (ctx->data->window <= 1)
    return NULL;
  return g_strdup_printf (_("rolling %u-year periods, each at its last year"),
                          ctx->data->window);
}

/* ---- small multiples: one panel per series, same scales --------------------------- */

/* A panel's place on the canvas, in screen coordinates. */
typedef struct {
  double left, right, bottom, top;
  gboolean first_column, bottom_row;
} Panel;

/* The columns for @n panels: rows of at most 4 (5 past 12 panels). */
static guint
panel_columns (guint n)
{
  return n <= 4 ? MAX (n, 1) : n <= 12 ? 4 : 5;
}

/* Panel @i of @n, between the subtitle (@top) and the source line. */
static Panel
panel_at (guint i, guint n, double top)
{
  guint cols = panel_columns (n), rows = (n + cols - 1) / cols;
  double x0 = 0.075, x1 = 0.985, y0 = 0.10, w = (x1 - x0) / cols, h = (top - y0) / rows;
  Panel p;

  p.left = x0 + (i % cols) * w + 0.006;
  p.right = x0 + (i % cols + 1) * w - 0.018;
  p.top = top - (i / cols) * h - 0.055;
  p.bottom = top - (i / cols + 1) * h + 0.035;
  p.first_column = i % cols == 0;
  p.bottom_row = i + cols >= n;
  return p;
}

/* Starts panel @p titled @title: its margins, tick labels on the outer panels only, and
 * the page's title lines dropped after the first panel has drawn them. */
static void
begin_panel (Ctx *ctx, guint i, const Panel *p, const char *title, const char *y_format)
{
  g_autofree char *font = font_spec (ctx, 0.78, TRUE);
  g_autofree char *after = g_strdup_printf (" font %s textcolor rgb '#1a1a1a' offset 0,-0.4",
                                            font);
  char l[G_ASCII_DTOSTR_BUF_SIZE], r[G_ASCII_DTOSTR_BUF_SIZE];
  char b[G_ASCII_DTOSTR_BUF_SIZE], t[G_ASCII_DTOSTR_BUF_SIZE];

  if (i > 0)
    g_string_append (ctx->script, "unset label\n");
  g_string_append_printf (ctx->script,
                          "set lmargin at screen %s\nset rmargin at screen %s\n"
                          "set bmargin at screen %s\nset tmargin at screen %s\n"
                          "set format x '%s'\nset format y '%s'\n",
                          g_ascii_formatd (l, sizeof l, "%.4f", p->left),
                          g_ascii_formatd (r, sizeof r, "%.4f", p->right),
                          g_ascii_formatd (b, sizeof b, "%.4f", p->bottom),
                          g_ascii_formatd (t, sizeof t, "%.4f", p->top),
                          p->bottom_row ? "%.0f" : "", p->first_column ? y_format : "");
  append_quoted (ctx->script, "set title ", title, after);
}

/* The years on a trend panel's x axis, from its first point: about four tick labels. */
static void
panel_year_axis (Ctx *ctx)
{
  int first = trend_start (ctx->data), last = ctx->data->last_year;
  int step = MAX (1, (last - first + 3) / 4);
  g_autofree char *font = font_spec (ctx, 0.72, FALSE);

  g_string_append_printf (ctx->script, "set xrange [%d.6:%d.4]\nset xtics %d, %d\n"
                                       "set tics font %s\n",
                          first - 1, last, first, step, font);
}

/* A panel's title with its n, "Materials · n = 1,050", the name shortened to fit @p. */
static char *
panel_title (const Ctx *ctx, const Panel *p, const char *name, gint64 n)
{
  g_autofree char *count = copub_words_count (n);
  g_autofree char *tail = g_strdup_printf (" · n = %s", count);
  double em = ctx->options->format == COPUB_PLOT_SVG ? 0.66 : 0.72;
  glong fit = (glong) ((p->right - p->left) * canvas_width (ctx) / (em * ctx->font * 0.78));
  g_autofree char *shorter = shorten (name, MAX (6, fit - g_utf8_strlen (tail, -1)));

  return g_strconcat (shorter, tail, NULL);
}

/* The works of @theme in @year (or the rolling period ending then), and its share with
 * the interval (percent). */
static double
theme_year (const CopubPlotData *d, const char *theme, int year, double *share, double *low,
            double *high)
{
  const CopubIndicators *t = d->theme_years;

  for (guint r = 0; r < copub_indicators_n_cells (t); r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      if (c->year == year && g_strcmp0 (c->theme, theme) == 0)
        {
          *share = 100 * copub_cell_share (c);
          copub_cell_share_interval (c, low, high);
          *low *= 100;
          *high *= 100;
          return (double) c->works;
        }
    }
  return 0;
}

/* One theme's shares per year (or rolling period, at its last year) with their
 * intervals and n as a data set, ended by two blank lines. A share over fewer than
 * MIN_THEME_WORKS works is noise: such points are left out, and a blank line breaks the
 * line there rather than join the points around. Returns the number of points. */
static guint
theme_series (const CopubPlotData *d, const char *theme, GString *dat)
{
  gboolean gap = FALSE;
  guint points = 0;

  for (int year = trend_start (d); year <= d->last_year; year++)
    {
      double share = NAN, low = NAN, high = NAN;
      double works = theme_year (d, theme, year, &share, &low, &high);
      if (works >= MIN_THEME_WORKS && isfinite (share))
        {
          double row[] = { year, share, low, high, works };
          append_row (dat, G_N_ELEMENTS (row), row);
          points++;
          gap = FALSE;
        }
      else if (points > 0 && !gap)
        {
          g_string_append_c (dat, '\n');
          gap = TRUE;
        }
    }
  if (points == 0) /* a placeholder, so that the data set numbers stay the themes' */
    g_string_append (dat, "NaN\tNaN\tNaN\tNaN\tNaN\n");
  g_string_append (dat, gap ? "\n" : "\n\n");
  return points;
}

/* The works of @theme over all years. */
static double
theme_total (const CopubPlotData *d, const char *theme)
{
  for (guint r = 0; r < copub_indicators_n_cells (d->themes); r++)
    if (g_strcmp0 (copub_indicators_cell (d->themes, r)->theme, theme) == 0)
      return (double) copub_indicators_cell (d->themes, r)->works;
  return 0;
}

/* A theme's panel: the band, the line, and n under each point; or, when no year (or
 * period) reaches the minimum, the empty axes saying so in grey. */
static void
theme_panel (Ctx *ctx, guint i, const char *theme, gboolean drawn)
{
  gboolean rolling = ctx->data->window > 1;
  g_autofree char *small = font_spec (ctx, 0.52, FALSE);
  g_autofree char *note_font = font_spec (ctx, 0.72, FALSE);
  g_autofree char *band = g_strdup_printf (_("%s: 95 %% interval"), theme);
  g_autofree char *ns = g_strdup_printf (rolling ? _("%s: n per period")
                                                 : _("%s: n per year"), theme);

  if (!drawn)
    {
      g_autofree char *why = g_strdup_printf (rolling ? _("n < %d every period")
                                                      : _("n < %d every year"),
                                              MIN_THEME_WORKS);
      g_autofree char *at = g_strdup_printf (" at graph 0.5, 0.5 center font %s "
                                             "textcolor rgb '#8a8a8a'", note_font);
      append_quoted (ctx->script, "set label 10 ", why, at);
      hover (ctx, why);
      g_string_append (ctx->script, "plot NaN notitle\nunset label 10\n");
      return;
    }
  hover (ctx, band);
  hover (ctx, theme);
  hover (ctx, ns);
  g_string_append_printf (ctx->script,
                          "plot 'share-by-theme.dat' index %u using 1:3:4 with filledcurves "
                          "fc rgb '#2f6b9a' fs transparent solid 0.18 notitle, \\\n"
                          "  '' index %u using 1:2 with linespoints lt 1 pt 7 ps 0.6 notitle, \\\n"
                          "  '' index %u using 1:(7):(sprintf('%%d', $5)) with labels "
                          "font %s textcolor rgb '#7a7a7a' notitle\n",
                          i, i, i, small);
}

/* (b) The share per theme over the years (or rolling periods): one panel per theme, on
 * the same scale. */
static gboolean
chart_themes (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  g_autoptr(GPtrArray) themes = top_themes (d, d->themes_mapped ? TOP_MAPPED_THEMES : TOP_THEMES);
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autofree gboolean *drawn = NULL;
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;
  g_autofree char *note = trend_note (ctx);
  g_autofree char *more = NULL;
  g_autofree char *percent = copub_words_percent_format ("%g");
  gboolean rolling = d->window > 1;
  guint n_themes, n_drawn = 0;
  double top;

  chart->title = g_strdup (_("International share by theme"));
  if (themes->len == 0)
    {
      set_note (chart, _("no work with a known theme"));
      return TRUE;
    }
  drawn = g_new0 (gboolean, themes->len);
  for (guint i = 0; i < themes->len; i++)
    n_drawn += drawn[i] = theme_series (d, themes->pdata[i], dat) > 0;
  if (n_drawn == 0)
    {
      set_note (chart, rolling ? _("no theme has a period with enough works")
                               : _("no theme has a year with enough works"));
      return TRUE;
    }
  if (!write_data (ctx, COPUB_CHART_THEMES, dat, error))
    return FALSE;
  n_themes = copub_indicators_n_cells (d->themes);
  more = themes->len < n_themes
             ? g_strdup_printf (_("; the %u largest of %u themes"),
                                themes->len, n_themes)
             : g_strdup ("");
  subtitle = g_strdup_printf (
      rolling ? _("%sshare of the theme's works with a co-author abroad; band: 95 %% "
                         "interval; grey figures: n of the period; periods with fewer than %d "
                         "works left out%s")
              : _("%sshare of the theme's works with a co-author abroad; band: 95 %% "
                         "interval; grey figures: n of the year; years with fewer than %d "
                         "works left out%s"),
      inst, MIN_THEME_WORKS, more);
  top = begin_chart (ctx, COPUB_CHART_THEMES, chart->title, subtitle, note, d->works);
  panel_year_axis (ctx);
  g_string_append_printf (ctx->script, "set yrange [0:100]\nset ytics 0, 50\nunset key\n"
                                       "set multiplot\n");
  for (guint i = 0; i < themes->len; i++)
    {
      Panel p = panel_at (i, themes->len, MIN (0.74, top - 0.01));
      g_autofree char *title = panel_title (ctx, &p, themes->pdata[i],
                                            (gint64) theme_total (d, themes->pdata[i]));
      begin_panel (ctx, i, &p, title, percent);
      theme_panel (ctx, i, themes->pdata[i], drawn[i]);
    }
  g_string_append (ctx->script, "unset multiplot\n");
  return TRUE;
}

/* A tick step of 1, 2 or 5 times a power of ten, at least @raw and at least 1 (works). */
static double
round_step (double raw)
{
  double mag = pow (10, floor (log10 (MAX (raw, 1))));
  double f = raw / mag;

  return MAX (1, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag);
}

/* (e) Co-publications with each strategic partner per year (or rolling period): one panel
 * per partner, on the same scale, every partner of the file (those without a
 * co-publication too), titled with its works over all years. */
static gboolean
chart_partners (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;
  g_autofree char *more = NULL;
  g_autofree char *note = trend_note (ctx);
  g_autofree char *label_font = font_spec (ctx, 0.6, FALSE);
  gboolean rolling = d->window > 1;
  guint shown;
  double top, step;
  double max = 1;

  chart->title = g_strdup (_("Co-publications with the strategic partners"));
  if (d->partner_years == NULL)
    {
      set_note (chart, _("no partner file given"));
      return TRUE;
    }
  names = copub_plot_partners_by_total (d);
  if (copub_indicators_n_cells (d->partner_years) == 0 || names->len == 0)
    {
      set_note (chart, _("no co-publication with the strategic partners"));
      return TRUE;
    }
  shown = MIN (names->len, MAX_PARTNER_PANELS);
  for (guint i = 0; i < shown; i++)
    {
      for (int year = trend_start (d); year <= d->last_year; year++)
        {
          double row[] = { year, copub_plot_partner_works (d, names->pdata[i], year) };
          append_row (dat, 2, row);
          max = MAX (max, row[1]);
        }
      g_string_append (dat, "\n\n");
    }
  if (!write_data (ctx, COPUB_CHART_PARTNERS, dat, error))
    return FALSE;
  more = shown < names->len
             ? g_strdup_printf (_("; %u more partners with fewer in the tables"), names->len - shown)
             : g_strdup ("");
  if (rolling)
    subtitle = g_strdup_printf (_("%sworks co-authored with each partner in each "
                                         "%u-year period, on the same scale; n: all years%s"),
                                inst, d->window, more);
  else
    subtitle = g_strdup_printf (_("%sworks co-authored with each partner, per "
                                         "publication year, on the same scale; n: all years%s"),
                                inst, more);
  top = begin_chart (ctx, COPUB_CHART_PARTNERS, chart->title, subtitle, note, d->works);
  panel_year_axis (ctx);
  step = round_step (max * 1.25 / 3);
  g_string_append_printf (ctx->script, "set yrange [0:%g]\nset ytics 0, %g\nunset key\n"
                                       "set multiplot\n",
                          step * ceil (max * 1.25 / step), step);
  for (guint i = 0; i < shown; i++)
    {
      Panel p = panel_at (i, shown, MIN (0.74, top - 0.01));
      g_autofree char *title = NULL;
      g_autofree char *ns = g_strdup_printf (rolling ? _("%s: works per period")
                                                     : _("%s: works per year"),
                                             (const char *) names->pdata[i]);
      title = panel_title (ctx, &p, names->pdata[i],
                           copub_plot_partner_total (d, names->pdata[i]));
      begin_panel (ctx, i, &p, title, "%g");
      hover (ctx, names->pdata[i]);
      hover (ctx, ns);
      g_string_append_printf (ctx->script,
                              "plot 'strategic-partners.dat' index %u using 1:2 with linespoints "
                              "lt 1 pt 7 ps 0.6 notitle, \\\n"
                              "  '' index %u using 1:2:(sprintf('%%d', $2)) with labels "
                              "offset 0,0.7 font %s textcolor rgb '#7a7a7a' notitle\n",
                              i, i, label_font);
    }
  g_string_append (ctx->script, "unset multiplot\n");
  return TRUE;
}

/* The label of a bar: a country's or an institution's name. */
typedef const char *(*BarLabelFunc) (const CopubIndicators *t, const CopubCell *c);

/* Bars of the first @n cells of @t, full and fractional counts side by side, labelled
 * with @label_of; the data in @kind's file. */
static gboolean
count_bars (Ctx *ctx, CopubChartKind kind, const CopubIndicators *t, guint n,
            BarLabelFunc label_of, const char *title, const char *subtitle, GError **error)
{
  const CopubPlotData *d = ctx->data;
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autoptr(GString) tics = g_string_new ("set ytics (");
  g_autoptr(GString) plot = g_string_new (NULL);
  g_autofree char *label_font = font_spec (ctx, 0.8, FALSE);
  double max = 1;

  for (guint r = 0; r < n; r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      double row[] = { n - 1 - r, (double) c->works, copub_fraction_to_double (c->fractional) };
      g_autofree char *name = quote_label (label_of (t, c));
      append_row (dat, 3, row);
      max = MAX (max, row[1]);
      g_string_append_printf (tics, "%s%s %u", r ? ", " : "", name, n - 1 - r);
    }
  if (!write_data (ctx, kind, dat, error))
    return FALSE;
  begin_chart (ctx, kind, title, subtitle, NULL, d->headline.works);
  g_string_append_printf (ctx->script, "%s) scale 0\nset yrange [-0.7:%u.7]\n"
                                       "set xrange [0:%g]\n"
                                       "set border 1 front lw 1 lc rgb '#8a8a8a'\n"
                                       "unset grid\n"
                                       "set grid back xtics lt 1 lw 1 lc rgb '#e6e6e6'\n"
                                       "set key bottom right vertical Left reverse\n",
                          tics->str, n - 1, ceil (max * 1.12));
  /* The fractional bars are not works: the axis says both counts. */
  append_quoted (ctx->script, "set xlabel ",
                 _("works (full counting) or fractional count"), "");
  hover (ctx, _("full counting (works)"));
  hover (ctx, _("fractional counting"));
  hover (ctx, _("full counting: values"));
  hover (ctx, _("fractional counting: values"));
  g_string_printf (plot, "plot '%s.dat' using ($2/2):($1+0.19):($2/2):(0.17) "
                         "with boxxyerror lt 1 fc rgb '#2f6b9a' title ", chart_names[kind]);
  append_quoted (ctx->script, plot->str, _("full counting (works)"), ", \\");
  append_quoted (ctx->script, "  '' using ($3/2):($1-0.19):($3/2):(0.17) with boxxyerror "
                              "fc rgb '#e0812b' title ",
                 _("fractional counting"), ", \\");
  g_string_append_printf (ctx->script,
                          "  '' using 2:($1+0.19):(sprintf('%%d', $2)) with labels left "
                          "offset 0.4,0 font %s textcolor rgb '#333333' notitle, \\\n"
                          "  '' using 3:($1-0.19):(gprintf('%%.1f', $3)) with labels left "
                          "offset 0.4,0 font %s textcolor rgb '#333333' notitle\n",
                          label_font, label_font);
  return TRUE;
}

/* (c) The top partner countries of the last period, full and fractional counts. */
static gboolean
chart_countries (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  const CopubIndicators *t = d->countries;
  guint n = MIN (copub_indicators_n_cells (t), TOP_COUNTRIES);
  g_autofree char *period = copub_words_period (d->period_from, d->period_to);
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;

  chart->title = g_strdup_printf (_("Top partner countries, %s"), period);
  if (n == 0)
    {
      set_note (chart, _("no work with a foreign co-author in the last period"));
      return TRUE;
    }
  subtitle = g_strdup_printf (
      _("%sfull: works co-authored with the country; fractional: each work "
               "shared out over its authorships' countries"), inst);
  return count_bars (ctx, COPUB_CHART_COUNTRIES, t, n, copub_indicators_country_name,
                     chart->title, subtitle, error);
}

static const char *
institution_label (const CopubIndicators *t, const CopubCell *c)
{
  CopubInstitutionInfo info = copub_indicators_institution (t, c);

  return info.name ? info.name : c->institution;
}

/* (i) The top partner institutions of the last period, full and fractional counts. */
static gboolean
chart_institutions (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  const CopubIndicators *t = d->institutions;
  guint n = t ? MIN (copub_indicators_n_cells (t), TOP_INSTITUTIONS) : 0;
  g_autofree char *period = copub_words_period (d->period_from, d->period_to);
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;

  chart->title = g_strdup_printf (_("Top partner institutions, %s"), period);
  if (t == NULL)
    {
      set_note (chart, _("no home institution given: partner institutions are not known"));
      return TRUE;
    }
  if (n == 0)
    {
      set_note (chart, _("no work with a partner institution in the last period"));
      return TRUE;
    }
  subtitle = g_strdup_printf (
      _("%sfull: works co-authored with the institution (its units included); fractional: "
        "each work shared out equally over its institutions, the home one included"), inst);
  return count_bars (ctx, COPUB_CHART_INSTITUTIONS, t, n, institution_label, chart->title,
                     subtitle, error);
}

/* The institution's works per year (the n of the yearly country shares). */
static double
works_in_year (const CopubPlotData *d, int year)
{
  for (guint r = 0; r < copub_indicators_n_cells (d->years); r++)
    if (copub_indicators_cell (d->years, r)->year == year)
      return (double) copub_indicators_cell (d->years, r)->works;
  return 0;
}

/* (d) The trend of the top partner countries. */
static gboolean
chart_trends (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  const CopubIndicators *t = d->country_years;
  guint n = MIN (copub_indicators_n_cells (d->countries), TOP_TRENDS);
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;

  chart->title = g_strdup (_("Top partner countries over the years"));
  if (n == 0)
    {
      set_note (chart, _("no partner country in the last period"));
      return TRUE;
    }
  for (guint i = 0; i < n; i++)
    {
      const CopubCell *country = copub_indicators_cell (d->countries, i);
      const char *code = country->country;
      g_ptr_array_add (names, (gpointer) copub_indicators_country_name (d->countries, country));
      for (int year = d->first_year; year <= d->last_year; year++)
        {
          double works = 0, all = works_in_year (d, year);
          for (guint r = 0; r < copub_indicators_n_cells (t); r++)
            if (copub_indicators_cell (t, r)->year == year
                && g_strcmp0 (copub_indicators_cell (t, r)->country, code) == 0)
              works = (double) copub_indicators_cell (t, r)->works;
          double row[] = { year, all > 0 ? 100 * works / all : NAN };
          append_row (dat, 2, row);
        }
      g_string_append (dat, "\n\n");
    }
  if (!write_data (ctx, COPUB_CHART_COUNTRY_TRENDS, dat, error))
    return FALSE;
  subtitle = g_strdup_printf (_("%sshare of all works co-authored with the country; "
                                       "the %u first partners of the last period"), inst, n);
  begin_chart (ctx, COPUB_CHART_COUNTRY_TRENDS, chart->title, subtitle, NULL, d->works);
  year_axis (ctx, TRUE);
  percent_axis (ctx, FALSE);
  legend_right (ctx);
  plot_series (ctx, "partner-country-trends.dat", names, "linespoints pt 7 ps 0.8");
  return TRUE;
}

static double
heat_value (const CopubIndicators *t, const char *theme, const char *country)
{
  for (guint r = 0; r < copub_indicators_n_cells (t); r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      if (g_strcmp0 (c->theme, theme) == 0 && g_strcmp0 (c->country, country) == 0)
        return 100 * copub_cell_share (c);
    }
  return 0;
}

/* The heat map's data and its tick labels; returns the largest value. */
static double
heat_data (Ctx *ctx, GPtrArray *themes, GPtrArray *countries, GString *dat, GString *tics)
{
  const CopubIndicators *t = ctx->data->theme_countries;
  double max = 1;

  for (guint i = 0; i < themes->len; i++)
    {
      for (guint j = 0; j < countries->len; j++)
        {
          double row[] = { j, themes->len - 1 - i,
                           heat_value (t, themes->pdata[i], countries->pdata[j]) };
          append_row (dat, 3, row);
          max = MAX (max, row[2]);
        }
      g_string_append_c (dat, '\n');
    }
  g_string_append (tics, "set ytics (");
  for (guint i = 0; i < themes->len; i++)
    {
      g_autofree char *q = quote_label (themes->pdata[i]);
      g_string_append_printf (tics, "%s%s %u", i ? ", " : "", q, themes->len - 1 - i);
    }
  g_string_append (tics, ") scale 0\nset xtics (");
  for (guint j = 0; j < countries->len; j++)
    {
      g_autofree char *q =
          quote_label (copub_country_name (countries->pdata[j], ctx->data->lang));
      g_string_append_printf (tics, "%s%s %u", j ? ", " : "", q, j);
    }
  g_string_append (tics, ") scale 0 rotate by 45 right\n");
  return max;
}

/* (f) The theme x partner-country heat map. */
static gboolean
chart_heatmap (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  g_autoptr(GPtrArray) themes = top_themes (d, HEAT_THEMES);
  g_autoptr(GPtrArray) countries = top_keys (d->theme_countries, COPUB_DIM_COUNTRY,
                                              HEAT_COUNTRIES);
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autoptr(GString) tics = g_string_new (NULL);
  g_autofree char *period = copub_words_period (d->first_year, d->last_year);
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;
  g_autofree char *label_font = font_spec (ctx, 0.78, FALSE);
  double max;

  chart->title = g_strdup_printf (_("Themes and partner countries, %s"), period);
  if (themes->len == 0 || countries->len == 0)
    {
      set_note (chart, _("no work with both a known theme and a foreign co-author"));
      return TRUE;
    }
  max = heat_data (ctx, themes, countries, dat, tics);
  if (!write_data (ctx, COPUB_CHART_HEATMAP, dat, error))
    return FALSE;
  subtitle = g_strdup_printf ("%s%s", inst,
                              _("share of the theme's works co-authored with the "
                                       "country (%)"));
  begin_chart (ctx, COPUB_CHART_HEATMAP, chart->title, subtitle, NULL, d->works);
  g_string_append_printf (ctx->script,
                          "%sset xrange [-0.5:%u.5]\nset yrange [-0.5:%u.5]\n"
                          "set border 0\nunset grid\nset bmargin at screen 0.30\n"
                          "set rmargin at screen 0.88\nset cbrange [0:%g]\n"
                          "set format cb '%%g'\nset cbtics scale 0.5\n"
                          "set palette defined (0 '#f7fbff', 0.35 '#a6cbe3', 0.7 '#3f83bd', "
                          "1 '#0b3a6b')\nunset key\n",
                          tics->str, countries->len - 1, themes->len - 1, ceil (max));
  hover (ctx, subtitle + strlen (inst));
  hover (ctx, _("values"));
  hover (ctx, _("values"));
  g_string_append_printf (ctx->script,
                          "plot 'theme-country-heatmap.dat' using 1:2:(0.505):(0.505):3 "
                          "with boxxyerror fs solid 1 noborder fc palette, \\\n"
                          "  '' using 1:2:($3 > %g ? '' : gprintf('%%.0f', $3)) with labels "
                          "font %s textcolor rgb '#1a1a1a', \\\n"
                          "  '' using 1:2:($3 > %g ? gprintf('%%.0f', $3) : '') with labels "
                          "font %s textcolor rgb '#ffffff'\n",
                          ceil (max) * 0.55, label_font, ceil (max) * 0.55, label_font);
  return TRUE;
}

/* ---- the world map and the links (g, h) -------------------------------------------- */

#define TOP_LINKS 15

static const char *const french_territories[] = {
  "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF", NULL,
};
static const char *const hk_mo[] = { "HK", "MO", NULL };

void
copub_map_data_free (CopubMapData *m)
{
  if (m == NULL)
    return;
  g_array_unref (m->countries);
  g_ptr_array_unref (m->strings);
  g_free (m);
}

/* Keeps @s in @m and returns it. */
static const char *
map_keep (CopubMapData *m, char *s)
{
  g_ptr_array_add (m->strings, s);
  return s;
}

/* The institution's works in @from..@to, from the yearly table. */
static gint64
works_between (const CopubPlotData *d, int from, int to)
{
  gint64 n = 0;

  for (guint r = 0; d->years && r < copub_indicators_n_cells (d->years); r++)
    {
      const CopubCell *c = copub_indicators_cell (d->years, r);
      if (c->year >= from && c->year <= to)
        n += c->works;
    }
  return n;
}

/* "Germany: 41 works (7.4%), fractional count 11.85". */
static char *
map_tooltip (const char *name, gint64 works, double share, double fractional)
{
  g_autofree char *count = copub_words_count (works);
  g_autofree char *percent = copub_words_percent (share);
  g_autofree char *frac = copub_words_real (fractional, 2);

  return g_strdup_printf (_("%s: %s works co-authored (%s of the institution's works), "
                            "fractional count %s"), name, count, percent, frac);
}

/* "0.5–1%", or "up to 0.5%" for the first class. */
static char *
class_label (const CopubMapClasses *classes, guint i)
{
  double hi = classes->upper[i], lo = i ? classes->upper[i - 1] : 0;
  g_autofree char *high = copub_words_real (100 * hi, 100 * hi < 1 ? 1 : 0);
  g_autofree char *low = copub_words_real (100 * lo, 100 * lo < 1 ? 1 : 0);
  g_autofree char *percent = g_strdup_printf (C_("percentage", "%s%%"), high);

  if (i == 0)
    return g_strdup_printf (_("up to %s"), percent);
  return g_strdup_printf ("%s–%s", low, percent);
}

static void
map_add (CopubMapData *m, const char *code, gint64 works, double share, double fractional,
         const char *tooltip)
{
  CopubMapCountry e = { map_keep (m, g_strdup (code)), works, share, fractional, tooltip };
  g_array_append_val (m->countries, e);
}

static gboolean
map_has (const CopubMapData *m, const char *code)
{
  for (guint i = 0; i < m->countries->len; i++)
    if (strcmp (g_array_index (m->countries, CopubMapCountry, i).code, code) == 0)
      return TRUE;
  return FALSE;
}

/* The countries of @t with a co-publication; returns the largest share. */
static double
map_add_cells (CopubMapData *m, const CopubIndicators *t, gboolean fractional,
               const CopubPlotData *d)
{
  double max = 0;

  for (guint r = 0; t && r < copub_indicators_n_cells (t); r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      double share = fractional ? copub_cell_fractional_share (c) : copub_cell_share (c);
      /* in hundredths, rounded once as the tables round it */
      double frac = (double) copub_fraction_hundredths (c->fractional) / 100.0;
      const char *name = copub_indicators_country_name (t, c);
      if (c->country == NULL || strcmp (c->country, "(unknown)") == 0 || !isfinite (share))
        continue;
      if (name == NULL)
        name = copub_country_name (c->country, d->lang);
      map_add (m, c->country, c->works, share, frac,
               map_keep (m, map_tooltip (name, c->works, copub_cell_share (c), frac)));
      max = MAX (max, share);
      if (d->hk_mo_as_cn && strcmp (c->country, "CN") == 0)
        for (guint k = 0; hk_mo[k]; k++)
          {
            g_autofree char *what = g_strdup_printf (_("%s, counted as %s"),
                                                     copub_country_name (hk_mo[k], d->lang),
                                                     name);
            map_add (m, hk_mo[k], c->works, share, frac,
                     map_keep (m, map_tooltip (what, c->works, copub_cell_share (c), frac)));
          }
    }
  return max;
}

/* The home country's and its territories' tooltips. */
static void
map_add_home (CopubMapData *m, const CopubPlotData *d, const char *home)
{
  const char *home_name = copub_country_name (home, d->lang);

  m->spec.home = home;
  m->spec.home_tooltip = map_keep (m, g_strdup_printf (_("%s: the home country"), home_name));
  m->spec.home_label = map_keep (m, g_strdup_printf (_("%s (home)"), home_name));
  if (strcmp (home, "FR") != 0 || !d->territories_home)
    return;
  m->spec.also_home = french_territories;
  for (guint k = 0; french_territories[k]; k++)
    map_add (m, french_territories[k], 0, 0, 0,
             map_keep (m, g_strdup_printf (_("%s: counted as %s, the home country"),
                                           copub_country_name (french_territories[k], d->lang),
                                           home_name)));
}

/* The countries of @world not yet described: no co-publication (or no data). */
static void
map_add_others (CopubMapData *m, const CopubWorld *world, const CopubPlotData *d)
{
  const GPtrArray *codes = copub_world_countries (world);

  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = codes->pdata[i];
      if ((m->spec.home && strcmp (code, m->spec.home) == 0) || map_has (m, code))
        continue;
      map_add (m, code, 0, 0, 0,
               map_keep (m, g_strdup_printf (m->spec.no_data ? _("%s: no data")
                                                             : _("%s: no co-publication"),
                                             copub_country_name (code, d->lang))));
    }
}

CopubMapData *
copub_map_data_new (const CopubPlotData *d, const CopubWorld *world, gboolean all_years,
                    gboolean fractional, gboolean every_country)
{
  CopubMapData *m = g_new0 (CopubMapData, 1);
  const CopubIndicators *t = all_years ? d->countries_all : d->countries;
  const char *home = t ? copub_indicators_home (t) : NULL;
  g_autofree char *period = NULL;
  g_autofree char *n = NULL;
  double max;

  m->countries = g_array_new (FALSE, FALSE, sizeof (CopubMapCountry));
  m->strings = g_ptr_array_new_with_free_func (g_free);
  m->from = all_years ? d->first_year : d->period_from;
  m->to = all_years ? d->last_year : d->period_to;
  m->n = works_between (d, m->from, m->to);
  period = copub_words_period (m->from, m->to);
  n = copub_words_count (m->n);
  max = map_add_cells (m, t, fractional, d);
  if (home)
    map_add_home (m, d, map_keep (m, g_strdup (home)));
  m->spec.no_data = m->n == 0;
  if (every_country)
    map_add_others (m, world, d);
  copub_map_classes (max, &m->spec.classes);
  for (guint i = 0; i < m->spec.classes.n; i++)
    m->spec.class_labels[i] = map_keep (m, class_label (&m->spec.classes, i));
  m->spec.countries = (const CopubMapCountry *) (void *) m->countries->data;
  m->spec.n_countries = m->countries->len;
  m->spec.none_label = _("no co-publication");
  m->spec.no_data_label = _("no data");
  m->spec.title = map_keep (m, g_strdup_printf (_("Partner countries on the world map, %s"),
                                                period));
  m->spec.description = map_keep (
      m, g_strdup_printf (fractional
                              ? _("Each country's fractional share of the institution's "
                                  "works of %s (n = %s); the table below gives every value.")
                              : _("Each country's share of the institution's works of %s "
                                  "(n = %s) co-authored with it; the table below gives "
                                  "every value."),
                          period, n));
  return m;
}

/* Loads the world's shapes once for every chart that needs them. */
static const CopubWorld *
ctx_world (Ctx *ctx, GError **error)
{
  if (ctx->world == NULL)
    ctx->world = copub_world_load (error);
  return ctx->world;
}

/* Drops the newline ending the plot command in @s, so that more clauses follow. */
static void
continue_plot (GString *s)
{
  if (s->len > 0 && s->str[s->len - 1] == '\n')
    g_string_truncate (s, s->len - 1);
}

/* One legend key, a filled box of @fill titled @label. */
static void
map_key (Ctx *ctx, const char *fill, const char *label)
{
  g_autofree char *q = copub_plot_quote (label);

  hover (ctx, label);
  g_string_append_printf (ctx->script, ", \\\n     keyentry with boxes fc rgb '%s' "
                                       "fs solid 1.0 border lc rgb '#999999' title %s",
                          fill, q);
}

/* A plot clause per map group copub_map_gnuplot() wrote into @script from @from: named
 * after the chart, for the SVG's hover. */
static void
hover_map_clauses (Ctx *ctx, const GString *script, gsize from, const char *name)
{
  for (const char *p = script->str + from; (p = strstr (p, " index ")) != NULL; p++)
    hover (ctx, name);
}

/* The map's plot area: left of the legend, between the subtitle and the source. */
static void
map_margins (Ctx *ctx, double top)
{
  char t[G_ASCII_DTOSTR_BUF_SIZE];

  g_autofree char *font = font_spec (ctx, 0.8, FALSE);

  g_string_append_printf (ctx->script, "set lmargin at screen 0.01\nset rmargin at screen 0.76\n"
                                       "set bmargin at screen 0.08\nset tmargin at screen %s\n"
                                       "set key at screen 0.77, %s left top vertical Left "
                                       "reverse samplen 1.2 spacing 1.1 width 0 font %s\n"
                                       "unset grid\nset datafile separator whitespace\n",
                          g_ascii_formatd (t, sizeof t, "%.3f", top), t, font);
}

/* (g) The share of the institution's works co-authored with each country, on the map:
 * drawn whatever the data (a period without works shows every country as "no data"). */
static gboolean
chart_world_map (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  const CopubWorld *world = ctx_world (ctx, error);
  g_autoptr(CopubMapData) m = NULL;
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;
  gboolean fractional = ctx->options->map_fractional;
  const CopubMapSpec *spec;
  gsize from;
  double top;

  if (world == NULL)
    return FALSE;
  m = copub_map_data_new (d, world, ctx->options->map_all_years, fractional, FALSE);
  spec = &m->spec;
  chart->title = g_strdup (spec->title);
  subtitle = g_strdup_printf (fractional
                                  ? _("%sfractional share of the works: each work shared out "
                                      "over its authorships' countries")
                                  : _("%sshare of the works co-authored with the country "
                                      "(full counting)"),
                              inst);
  top = begin_chart (ctx, COPUB_CHART_WORLD_MAP, chart->title, subtitle, NULL, m->n);
  map_margins (ctx, top);
  from = ctx->script->len;
  copub_map_gnuplot (world, spec, "'world-map.dat'", dat, ctx->script);
  hover_map_clauses (ctx, ctx->script, from, chart->title);
  continue_plot (ctx->script);
  for (guint i = 0; i < spec->classes.n && !spec->no_data; i++)
    map_key (ctx, copub_map_class_colour (i, spec->classes.n), spec->class_labels[i]);
  map_key (ctx, COPUB_MAP_COLOUR_NONE, spec->none_label);
  map_key (ctx, COPUB_MAP_COLOUR_NO_DATA, spec->no_data_label);
  if (spec->home)
    map_key (ctx, COPUB_MAP_COLOUR_HOME, spec->home_label);
  g_string_append_c (ctx->script, '\n');
  return write_data (ctx, COPUB_CHART_WORLD_MAP, dat, error);
}

/* A link's curve from @x0, @y0 to @x1, @y1: a quadratic Bézier bent to the left of the
 * way, as gnuplot data ("x y" lines and a blank line). */
static void
append_arc (GString *dat, double x0, double y0, double x1, double y1)
{
  double mx = (x0 + x1) / 2, my = (y0 + y1) / 2, dx = x1 - x0, dy = y1 - y0;
  double cx = mx - 0.18 * dy, cy = my + 0.18 * dx;

  if (dx < 0) /* bend upwards whichever way the link runs */
    cx = mx + 0.18 * dy, cy = my - 0.18 * dx;
  for (int i = 0; i <= 24; i++)
    {
      double t = i / 24.0, u = 1 - t;
      double row[] = { u * u * x0 + 2 * u * t * cx + t * t * x1,
                       u * u * y0 + 2 * u * t * cy + t * t * y1 };
      append_row (dat, 2, row);
    }
  g_string_append (dat, "\n\n");
}

/* A link's label beside its end: "United States · 47" when the end is far enough from
 * the home country for the name to fit, its rank otherwise (the list right of the map
 * names them all). */
static void
link_label (Ctx *ctx, guint rank, const char *name, gint64 works, double x, double y,
            gboolean far, gboolean crowded)
{
  g_autofree char *count = copub_words_count (works);
  g_autofree char *text = far ? g_strdup_printf ("%u %s · %s", rank, name, count)
                              : g_strdup_printf ("%u", rank);
  g_autofree char *quoted = copub_plot_quote (text);
  g_autofree char *font = font_spec (ctx, 0.62, FALSE);
  char xb[G_ASCII_DTOSTR_BUF_SIZE], yb[G_ASCII_DTOSTR_BUF_SIZE];

  /* a rank next to another's name goes above its end */
  g_string_append_printf (ctx->script, "set label %u %s at %s, %s %s font %s "
                                       "textcolor rgb '#1a1a1a' front\n", 20 + rank, quoted,
                          g_ascii_formatd (xb, sizeof xb, "%.4f", x),
                          g_ascii_formatd (yb, sizeof yb, "%.4f", y),
                          crowded ? "center offset 0,0.8" : "left offset 0.5,0", font);
}

/* Whether a named label at @x, @y would run into the name of one of the first @i ends
 * (named when far from home; a name runs about a unit of the map to the right). */
static gboolean
label_crowded (const CopubCell *const *ends, guint i, const CopubWorld *world, double x,
               double y)
{
  for (guint k = 0; k < i; k++)
    {
      double kx, ky;
      copub_world_anchor (world, ends[k]->country, &kx, &ky);
      if (fabs (ky - y) < 0.09 && fabs (kx - x) < 1.0)
        return TRUE;
    }
  return FALSE;
}

/* The ranked list of the links right of the map: "1 United States · 47". */
static void
link_list (Ctx *ctx, guint rank, const char *name, gint64 works, double top)
{
  g_autofree char *count = copub_words_count (works);
  g_autofree char *text = g_strdup_printf ("%u  %s · %s", rank, name, count);
  g_autofree char *quoted = copub_plot_quote (text);
  g_autofree char *font = font_spec (ctx, 0.7, FALSE);
  char yb[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (ctx->script, "set label %u %s at screen 0.77, %s left font %s "
                                       "textcolor rgb '#333333'\n", 40 + rank, quoted,
                          g_ascii_formatd (yb, sizeof yb, "%.4f", top - 0.04 * (rank - 1)),
                          font);
}

/* The top partners of the map's table that have a place on the map, and the largest. */
static guint
link_ends (const CopubWorld *world, const CopubIndicators *t, const CopubCell **out,
           gint64 *max)
{
  guint n = 0;

  *max = 1;
  for (guint r = 0; t && r < copub_indicators_n_cells (t) && n < TOP_LINKS; r++)
    {
      const CopubCell *c = copub_indicators_cell (t, r);
      double x, y;
      if (c->country && c->works > 0 && copub_world_anchor (world, c->country, &x, &y))
        {
          out[n++] = c;
          *max = MAX (*max, c->works);
        }
    }
  return n;
}

/* (h) The home country's links to its top partner countries, as wide as their
 * co-publications, on a plain map. */
static gboolean
chart_links (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  const CopubWorld *world = NULL;
  const CopubIndicators *t = ctx->options->map_all_years ? d->countries_all : d->countries;
  const char *home = t ? copub_indicators_home (t) : NULL;
  const CopubCell *ends[TOP_LINKS] = { NULL };
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autoptr(GString) arcs = g_string_new (NULL);
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;
  g_autofree char *period = NULL;
  CopubMapSpec plain = { 0 };
  double hx, hy, top;
  gint64 max;
  guint n, first_index = 0;
  gsize at;
  int from = ctx->options->map_all_years ? d->first_year : d->period_from;
  int to = ctx->options->map_all_years ? d->last_year : d->period_to;

  period = copub_words_period (from, to);
  chart->title = g_strdup_printf (_("Links to the top partner countries, %s"), period);
  if (home == NULL)
    {
      set_note (chart, _("no home country to draw the links from"));
      return TRUE;
    }
  if (t == NULL || copub_indicators_n_cells (t) == 0)
    {
      set_note (chart, _("no co-publication with a partner country in the period"));
      return TRUE;
    }
  if ((world = ctx_world (ctx, error)) == NULL)
    return FALSE;
  if (!copub_world_anchor (world, home, &hx, &hy))
    {
      set_note (chart, _("no home country to draw the links from"));
      return TRUE;
    }
  n = link_ends (world, t, ends, &max);
  if (n == 0)
    {
      set_note (chart, _("no co-publication with a partner country in the period"));
      return TRUE;
    }
  plain.home = home;
  plain.also_home = d->territories_home && strcmp (home, "FR") == 0 ? french_territories : NULL;
  subtitle = g_strdup_printf (_("%sline width: works co-authored with the country; the %u "
                                "first partners of the period"), inst, n);
  top = begin_chart (ctx, COPUB_CHART_LINKS, chart->title, subtitle, NULL,
                     works_between (d, from, to));
  map_margins (ctx, top);
  g_string_append (ctx->script, "unset key\n");
  for (guint i = 0; i < n; i++)
    {
      double x, y;
      gboolean crowded;
      const char *name = copub_indicators_country_name (t, ends[i]);
      copub_world_anchor (world, ends[i]->country, &x, &y);
      append_arc (arcs, hx, hy, x, y);
      name = name ? name : ends[i]->country;
      crowded = label_crowded (ends, i, world, x, y);
      link_label (ctx, i + 1, name, ends[i]->works, x, y,
                  hypot (x - hx, y - hy) > 0.5 && !crowded, crowded && hypot (x - hx, y - hy) > 0.5);
      link_list (ctx, i + 1, name, ends[i]->works, top - 0.02);
    }
  at = ctx->script->len;
  copub_map_gnuplot (world, &plain, "'links.dat'", dat, ctx->script);
  hover_map_clauses (ctx, ctx->script, at, chart->title);
  for (const char *p = dat->str; (p = strstr (p, "\n\n\n")) != NULL; p += 3)
    first_index++;
  continue_plot (ctx->script);
  for (guint i = 0; i < n; i++)
    {
      double lw = 1 + 7.0 * (double) ends[i]->works / (double) max;
      char w[G_ASCII_DTOSTR_BUF_SIZE];
      const char *name = copub_indicators_country_name (t, ends[i]);
      hover (ctx, name ? name : ends[i]->country);
      g_string_append_printf (ctx->script, ", \\\n     'links.dat' index %u with lines "
                                           "lw %s lc rgb '#302f6b9a' notitle",
                              first_index + i, g_ascii_formatd (w, sizeof w, "%.2f", lw));
    }
  g_string_append (ctx->script, "\n");
  g_string_append (dat, arcs->str);
  return write_data (ctx, COPUB_CHART_LINKS, dat, error);
}

/* The groups with a co-publication in @t (by region, year), in the groups' order. */
static GPtrArray *
region_names (const CopubPlotData *d, const CopubIndicators *t)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < d->regions->len; i++)
    for (guint r = 0; r < copub_indicators_n_cells (t); r++)
      if (g_strcmp0 (copub_indicators_cell (t, r)->region, d->regions->pdata[i]) == 0)
        {
          g_ptr_array_add (names, d->regions->pdata[i]);
          break;
        }
  return names;
}

/* (i) The share of the works co-authored with each country (or institution) group, per
 * year: works with the group over the year's works. */
static gboolean
chart_regions (Ctx *ctx, CopubChart *chart, GError **error)
{
  const CopubPlotData *d = ctx->data;
  const CopubIndicators *t = d->region_years;
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autofree char *inst = institution_prefix (ctx);
  g_autofree char *subtitle = NULL;

  chart->title = g_strdup (_("Co-publication with groups of countries over the years"));
  if (t == NULL || copub_indicators_n_cells (t) == 0)
    {
      set_note (chart, _("no co-publication with a group of countries"));
      return TRUE;
    }
  groups = region_names (d, t);
  for (guint i = 0; i < groups->len; i++)
    {
      g_ptr_array_add (labels, (gpointer) copub_words_region_name (groups->pdata[i]));
      for (int year = d->first_year; year <= d->last_year; year++)
        {
          CopubCell key = { .year = year, .region = groups->pdata[i] };
          const CopubCell *c = copub_indicators_find (t, &key);
          double all = works_in_year (d, year);
          double row[] = { year, all > 0 ? 100 * (c ? (double) c->works : 0) / all : NAN };
          append_row (dat, 2, row);
        }
      g_string_append (dat, "\n\n");
    }
  if (!write_data (ctx, COPUB_CHART_REGIONS, dat, error))
    return FALSE;
  subtitle = g_strdup_printf (_("%sshare of all works co-authored with the group (a "
                                "co-author in one of its countries, the home country "
                                "aside, or institutions)"), inst);
  begin_chart (ctx, COPUB_CHART_REGIONS, chart->title, subtitle, NULL, d->works);
  year_axis (ctx, TRUE);
  percent_axis (ctx, FALSE);
  legend_right (ctx);
  plot_series (ctx, "region-trends.dat", labels, "linespoints pt 7 ps 0.8");
  return TRUE;
}

typedef gboolean (*ChartFunc) (Ctx *ctx, CopubChart *chart, GError **error);

static const ChartFunc chart_funcs[COPUB_N_CHARTS] = {
  chart_share, chart_themes, chart_countries, chart_trends, chart_partners, chart_heatmap,
  chart_world_map, chart_links, chart_regions, chart_institutions,
};

/* ---- drawing ----------------------------------------------------------------------- */

static void
terminal (Ctx *ctx)
{
  char font[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (font, sizeof font, "%.1f", ctx->font);
  switch (ctx->options->format)
    {
    case COPUB_PLOT_SVG:
      g_string_append_printf (ctx->script, "set terminal svg size %u,%u fixed noenhanced "
                                           "font 'sans-serif,%s' linewidth 1.4 rounded "
                                           "background '#ffffff'\n",
                              ctx->width, ctx->height, font);
      break;
    case COPUB_PLOT_PDF:
      g_string_append_printf (ctx->script, "set terminal pdfcairo size 8in,4.5in noenhanced "
                                           "font 'sans-serif,%s' linewidth 1.5 rounded "
                                           "background '#ffffff'\n", font);
      break;
    case COPUB_PLOT_PNG:
    default:
      g_string_append_printf (ctx->script, "set terminal pngcairo size %u,%u noenhanced "
                                           "font 'sans-serif,%s' linewidth 1.6 rounded "
                                           "background '#ffffff'\n",
                              ctx->width, ctx->height, font);
      break;
    }
  for (guint i = 0; i < G_N_ELEMENTS (palette); i++)
    g_string_append_printf (ctx->script, "set linetype %u lc rgb '%s' lw 2 pt 7 ps 1.1\n",
                            i + 1, palette[i]);
}

/* Removes @dir and the files in it (gnuplot's inputs and outputs: no subdirectory). */
static void
remove_workdir (char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (dir == NULL)
    return;
  if ((d = g_dir_open (dir, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
  g_rmdir (dir);
  g_free (dir);
}

typedef char WorkDir;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WorkDir, remove_workdir)

/* gnuplot's SVG names a bold font "sans-serif:Bold", which browsers do not know, and
 * writes text as it is, where "]]>" is not allowed in XML: fix both. gnuplot 5.4 also
 * titles each plot clause's group "gnuplot_plot_N", which is what hovering it shows:
 * give them the @names of the clauses, in order (past them, @fallback), escaped for XML. */
static char *
fix_svg (const char *svg, const GPtrArray *names, const char *fallback)
{
  static const char open[] = "<title>gnuplot_plot_";
  g_autoptr(GString) s = g_string_sized_new (strlen (svg) + 256);
  guint k = 0;

  for (const char *p = svg, *at; *p; p = at)
    {
      const char *end;
      at = strstr (p, open);
      end = at ? strstr (at, "</title>") : NULL;
      if (end == NULL)
        {
          g_string_append (s, p);
          break;
        }
      g_string_append_len (s, p, at - p);
      {
        /* A clause the chart did not name: the chart's title rather than a number. */
        g_autofree char *escaped =
            g_markup_escape_text (k < names->len ? names->pdata[k] : fallback, -1);
        g_string_append_printf (s, "<title>%s", escaped);
      }
      k++;
      at = end;
    }
  g_string_replace (s, "font-family=\"sans-serif:Bold\"",
                    "font-family=\"sans-serif\" font-weight=\"bold\"", 0);
  g_string_replace (s, "]]>", "]]&gt;", 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The file gnuplot wrote for @chart in the work directory; NULL when it wrote none. */
static char *
written_chart (const Ctx *ctx, const CopubChart *chart)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", chart_names[chart->kind],
                                           copub_plot_format_extension (ctx->options->format));
  g_autofree char *path = g_build_filename (ctx->workdir, name, NULL);
  GStatBuf st;

  if (g_stat (path, &st) != 0 || st.st_size == 0)
    return NULL;
  return g_steal_pointer (&path);
}

/* Moves a chart gnuplot wrote in the work directory into @out_dir (SVG fixed on the
 * way), replacing any older one atomically. */
static gboolean
install_chart (const Ctx *ctx, CopubChart *chart, const char *out_dir, GError **error)
{
  g_autofree char *from = written_chart (ctx, chart);
  g_autofree char *name = g_path_get_basename (from);
  g_autofree char *to = g_build_filename (out_dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *fixed = NULL;

  if (ctx->options->format == COPUB_PLOT_SVG)
    {
      if (!g_file_get_contents (from, &contents, NULL, NULL))
        contents = g_strdup ("");
      fixed = fix_svg (contents, ctx->hover[chart->kind], chart->title);
      if (!set_contents (to, fixed, -1, error))
        return FALSE;
    }
  else if (g_rename (from, to) != 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "moving the chart to '%s': %s", to,
                   g_strerror (saved));
      return FALSE;
    }
  chart->path = g_steal_pointer (&to);
  return TRUE;
}

/* Installs the charts drawn, once gnuplot has written them all. */
static gboolean
install_charts (const Ctx *ctx, GPtrArray *charts, const char *out_dir, GError **error)
{
  for (guint k = 0; k < charts->len; k++)
    {
      const CopubChart *chart = charts->pdata[k];
      g_autofree char *path = chart->note ? NULL : written_chart (ctx, chart);
      if (chart->note == NULL && path == NULL)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_CHILD, "gnuplot wrote no chart '%s'",
                       chart_names[chart->kind]);
          return FALSE;
        }
    }
  for (guint k = 0; k < charts->len; k++)
    {
      CopubChart *chart = charts->pdata[k];
      if (chart->note == NULL && !install_chart (ctx, chart, out_dir, error))
        return FALSE;
    }
  return TRUE;
}

static void
ctx_init (Ctx *ctx, const CopubPlotData *data, const CopubPlotOptions *options)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->data = data;
  ctx->options = options;
  ctx->width = options->width ? options->width : 1280;
  ctx->height = options->height ? options->height : 720;
  /* Sized to the image: about 17 pt at 720 pixels; 10 pt on an 8 x 4.5 in page. SVG is
   * for HTML pages, where it is shown about as wide as it is drawn: a little larger. */
  ctx->font = ctx->height / (options->format == COPUB_PLOT_SVG ? 36.0 : 42.0);
  if (options->format == COPUB_PLOT_PDF)
    ctx->font = 10.0;
  ctx->script = g_string_new (NULL);
  for (guint k = 0; k < COPUB_N_CHARTS; k++)
    ctx->hover[k] = g_ptr_array_new_with_free_func (g_free);
}

GPtrArray *
copub_plot_draw (const CopubPlotData *data, const CopubPlotOptions *options,
                 const char *out_dir, GError **error)
{
  g_autoptr(GPtrArray) charts = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_chart_free);
  g_autofree char *template = g_build_filename (out_dir, ".copub-plot-XXXXXX", NULL);
  g_autoptr(WorkDir) workdir = NULL;
  Ctx ctx;
  const char *previous_lang;
  guint drawn = 0;
  gboolean ok = TRUE;

  if (g_mkdtemp (template) == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "creating a directory in '%s': %s",
                   out_dir, g_strerror (saved));
      return NULL;
    }
  workdir = g_steal_pointer (&template);
  previous_lang = copub_words_use (data->lang);
  ctx_init (&ctx, data, options);
  ctx.workdir = workdir;
  terminal (&ctx);
  for (guint k = 0; k < COPUB_N_CHARTS && ok; k++)
    {
      CopubChart *chart;
      if (options->only && strcmp (options->only, chart_names[k]) != 0)
        continue;
      chart = g_new0 (CopubChart, 1);
      chart->kind = ctx.kind = (CopubChartKind) k;
      g_ptr_array_add (charts, chart);
      ok = chart_funcs[k](&ctx, chart, error);
      drawn += chart->note == NULL;
    }
  g_string_append (ctx.script, "unset output\n");
  copub_words_use (previous_lang);
  if (ok && drawn > 0)
    ok = copub_plot_run (options->gnuplot, ctx.script->str, workdir, error)
         && install_charts (&ctx, charts, out_dir, error);
  g_string_free (ctx.script, TRUE);
  for (guint k = 0; k < COPUB_N_CHARTS; k++)
    g_ptr_array_unref (ctx.hover[k]);
  copub_world_free (ctx.world);
  return ok ? g_steal_pointer (&charts) : NULL;
}
