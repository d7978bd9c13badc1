/* copub: the report. Its content is built once as a list of blocks (headings,
 * paragraphs, lists, tables, figures) holding plain text, then rendered twice: as one
 * self-contained HTML file with the charts as inline SVG, and as Markdown with the
 * charts as PNG files beside it. Every string from the data is escaped by the renderer
 * of the syntax it enters; the tables also go out as CSV. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "copub/countries.h"
#include "copub/error.h"
#include "copub/fetch.h"
#include "copub/plot.h"
#include "copub/report.h"
#include "output/map.h"
#include "output/words.h"
#include "base/ids.h"

#ifndef COPUB_VERSION
#define COPUB_VERSION "unknown"
#endif

/* Below these, the report warns. */
#define SMALL_HEADLINE_N 100 /* works behind the headline */
#define SMALL_YEAR_N 50      /* works in a year */
#define SMALL_COUNTRY_N 10   /* co-publications with a top country */
#define LOW_COVERAGE 0.80    /* share of authorships with a known country */
#define TOP_COUNTRY_ROWS 20
#define TOP_INSTITUTION_ROWS 20 /* the partner institutions' table */
#define STRATEGIC_RANK 50       /* strategic partners ranked below are named */
/* The SVG charts inlined in the HTML: sized for a page column. */
#define SVG_WIDTH 960
#define SVG_HEIGHT 540

/* ---- escaping ---------------------------------------------------------------------- */

char *
copub_report_html_escape (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid) + 16);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      switch (c)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&#39;"); break;
        default:
          if (c < 0x20 || (c >= 0x7F && c < 0xA0))
            g_string_append_c (out, ' ');
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
    }
  return g_string_free (out, FALSE);
}

char *
copub_report_markdown_escape (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid) + 16);
  const char *p = valid;

  /* What would start a block at the start of a line: a heading, list, quote, rule. */
  if (strchr ("#+-=>", *p) && *p)
    g_string_append_c (out, '\\');
  else if (g_ascii_isdigit (*p))
    {
      gsize digits = strspn (p, "0123456789");
      if ((p[digits] == '.' || p[digits] == ')')
          && (p[digits + 1] == ' ' || p[digits + 1] == '\0'))
        {
          g_string_append_len (out, p, (gssize) digits);
          g_string_append_c (out, '\\');
          p += digits;
        }
    }
  for (; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x20 || (c >= 0x7F && c < 0xA0))
        g_string_append_c (out, ' ');
      else if (c < 0x80 && strchr ("\\`*_[]<>|~&!{}", (int) c))
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

/* Matches @pattern at @p (inside a tag) and the id it introduces. */
static const char *
svg_id_ref (const char *p, const char *start)
{
  static const char *const patterns[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    if (g_str_has_prefix (p, patterns[i]))
      {
        /* "id=" must be a whole attribute name, not the end of another. */
        if (i < 2 && p > start && !g_ascii_isspace (p[-1]))
          return NULL;
        return patterns[i];
      }
  return NULL;
}

char *
copub_report_inline_svg (const char *svg, const char *id_prefix, const char *title)
{
  const char *start = svg ? strstr (svg, "<svg") : NULL;
  g_autofree char *escaped = copub_report_html_escape (title);
  g_autofree char *label = g_strdup_printf ("<svg role=\"img\" aria-label=\"%s\"", escaped);
  g_autofree char *title_element = g_strdup_printf ("<title>%s</title>", escaped);
  g_autoptr(GString) out = NULL;
  gboolean in_tag = TRUE; /* in the <svg ...> tag itself */

  if (start == NULL)
    return NULL;
  out = g_string_sized_new (strlen (start) + 256);
  g_string_append (out, label);
  for (const char *p = start + 4; *p;)
    {
      const char *pattern = in_tag ? svg_id_ref (p, start) : NULL;
      if (pattern)
        {
          g_string_append (out, pattern);
          g_string_append (out, id_prefix);
          p += strlen (pattern);
          continue;
        }
      if (*p == '<')
        in_tag = TRUE;
      else if (*p == '>')
        in_tag = FALSE;
      g_string_append_c (out, *p++);
    }
  g_string_replace (out, "<title>Gnuplot</title>", title_element, 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- table cells ------------------------------------------------------------------- */


/* ---- the document ------------------------------------------------------------------ */

typedef enum {
  BLOCK_HEADING,
  BLOCK_PARAGRAPH,
  BLOCK_LIST,
  BLOCK_DEFS,
  BLOCK_TABLE,
  BLOCK_FIGURE,
} BlockKind;

typedef struct {
  BlockKind kind;
  char *id;        /* headings and figures: the HTML anchor */
  char *style;     /* paragraphs and lists: "headline", "note", "warnings"... or NULL */
  char *text;      /* a heading, a paragraph, a table's or a figure's caption */
  GPtrArray *items; /* list items; term, definition pairs; table rows (GStrv, header first) */
  guint64 numeric; /* a table's columns aligned right, one bit each */
  char *svg;       /* a figure's inline SVG, or NULL */
  char *png;       /* a figure's PNG file name, or NULL */
  gboolean raw_svg; /* a figure's SVG is ours (the world map): inlined as it is */
  char *details;   /* a table shown in the HTML only, folded under this summary */
  char *caption;   /* under a figure of ours: its source line */
} Block;

static void
block_free (Block *b)
{
  g_free (b->id);
  g_free (b->style);
  g_free (b->text);
  if (b->items)
    g_ptr_array_unref (b->items);
  g_free (b->svg);
  g_free (b->png);
  g_free (b->details);
  g_free (b->caption);
  g_free (b);
}

typedef struct {
  const CopubPlotData *data;
  const CopubAnalyseOptions *options;
  const CopubReportOptions *report;
  char *headline;                      /* the sentence */
  GPtrArray *blocks;                   /* of Block */
  GPtrArray *charts;                   /* CopubChart (PNG) from copub_plot_draw, or NULL */
  char *svg[COPUB_N_CHARTS];           /* the same charts as SVG, or NULL */
  char *chart_error;                   /* why there are no charts, or NULL */
  CopubHeadline variants[COPUB_N_VARIANTS]; /* the headline under other definitions */
  gboolean has_variant[COPUB_N_VARIANTS];   /* FALSE: the variant does not apply */
  GPtrArray *files;                    /* paths written */
  GPtrArray *counts;                   /* CopubSourceCount: the sources' counts per year */
  const char *rematched;               /* OpenAlex's last re-match (YYYY-MM-DD), or NULL */
  gint64 stale;                        /* OpenAlex works of the corpus fetched before it */
  char *xpac;                          /* the store's "openalex-xpac", or NULL */
  gint64 xpac_left_out;                /* the last import's xpac works left out, or -1 */
} Report;

static Block *
add_block (Report *r, BlockKind kind, const char *style, char *text)
{
  Block *b = g_new0 (Block, 1);

  b->kind = kind;
  b->style = g_strdup (style);
  b->text = text;
  if (kind == BLOCK_LIST || kind == BLOCK_DEFS || kind == BLOCK_TABLE)
    b->items = g_ptr_array_new_with_free_func (kind == BLOCK_TABLE ? (GDestroyNotify) g_strfreev
                                                                   : g_free);
  g_ptr_array_add (r->blocks, b);
  return b;
}

static void
heading (Report *r, const char *id, const char *title)
{
  Block *b = add_block (r, BLOCK_HEADING, NULL, g_strdup (title));
  b->id = g_strdup (id);
}

static void G_GNUC_PRINTF (3, 4)
para (Report *r, const char *style, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  add_block (r, BLOCK_PARAGRAPH, style, g_strdup_vprintf (format, args));
  va_end (args);
}

static void G_GNUC_PRINTF (2, 3)
item (Block *b, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (b->items, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
definition (Block *b, const char *term, char *definition_text)
{
  g_ptr_array_add (b->items, g_strdup (term));
  g_ptr_array_add (b->items, definition_text);
}

/* Adds a row of cells from @cells (owned), NULL-terminating it. */
static void
row_array (Block *b, GPtrArray *cells)
{
  g_ptr_array_add (cells, NULL);
  g_ptr_array_add (b->items, g_ptr_array_free (cells, FALSE));
}

/* Adds a row of owned strings; the arguments end with NULL. */
static void G_GNUC_NULL_TERMINATED
row (Block *b, char *first, ...)
{
  GPtrArray *cells = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (char *cell = first; cell; cell = va_arg (args, char *))
    g_ptr_array_add (cells, cell);
  va_end (args);
  row_array (b, cells);
}

static Block *
table (Report *r, char *caption, guint64 numeric)
{
  Block *b = add_block (r, BLOCK_TABLE, NULL, caption);
  b->numeric = numeric;
  return b;
}

/* ---- the content ------------------------------------------------------------------- */

static const char *
home_name (const Report *r)
{
  return r->options->home ? copub_country_name (r->options->home, r->data->lang) : NULL;
}

static char *
types_text (const Report *r)
{
  return copub_analyse_types_in_words (r->options->types, r->data->lang);
}

static char *
years_text (const Report *r)
{
  const CopubPlotData *d = r->data;
  int from = r->options->from ? r->options->from : d->first_year;
  int to = r->options->to ? r->options->to : d->last_year;

  return copub_words_period (from, to);
}

static void
section_headline (Report *r)
{
  const char *inst = r->report->institution;
  g_autofree char *title = NULL;

  if (inst && *inst)
    title = g_strdup_printf (_("International co-publication: %s"), inst);
  else
    title = g_strdup (_("International co-publication"));
  add_block (r, BLOCK_HEADING, "title", g_steal_pointer (&title));
  add_block (r, BLOCK_PARAGRAPH, "headline", g_strdup (r->headline));
}

static void
section_definitions (Report *r)
{
  Block *b;
  const char *home = home_name (r);
  g_autofree char *types = types_text (r);
  g_autofree char *years = years_text (r);

  heading (r, "definitions", _("What the figures mean"));
  b = add_block (r, BLOCK_DEFS, NULL, NULL);
  definition (b, _("Corpus"), g_strdup_printf (
      _("the works the sources attribute to the institution, published in %s, of these "
             "types: %s. Retracted works and paratext (tables of contents, front matter) are "
             "left out."), years, types));
  definition (b, _("Countries of a work"), g_strdup (
      _("the countries of all its authors' affiliations, put together.")));
  if (home)
    definition (b, C_("definition", "International"), g_strdup_printf (
        /* TRANSLATORS: the home country's name, then its code (unsaid in English). */
        _("a work with at least one co-author affiliated outside %s.%.0s"),
        home, r->options->home));
  else
    definition (b, C_("definition", "International"), g_strdup (
        _("a work whose authors are affiliated in two countries or more.")));
  definition (b, _("Share"), g_strdup (
      _("international works divided by all the works of the corpus (n). A work whose "
             "foreign co-authors are not identified counts as not international, as in the "
             "Leiden Ranking and InCites: missing data can only lower the share.")));
  definition (b, /* xgettext:no-c-format */ _("95 % interval"), g_strdup (
      _("the Wilson score interval of the share: its uncertainty from n alone, the "
             "year's works taken as a sample of what the institution publishes. It is wide "
             "when n is small. It does not cover the unknown countries: the ceiling does.")));
  definition (b, _("Ceiling"), g_strdup (
      _("the share if every work with an authorship of unknown country were "
             "international. The share (the floor) and the ceiling bound what complete "
             "country data would give.")));
  definition (b, _("Coverage"), g_strdup (
      _("the share of authorships whose country is known. Below 100 %, the share may "
             "be underestimated, by at most the gap to the ceiling.")));
  definition (b, _("Full and fractional counting"),
              g_strdup (
      _("full: a work counts once for every country among its co-authors; fractional: "
             "each work counts 1 in all, shared equally between its authorships with a known "
             "country, and each authorship's part between its countries.")));
  definition (b, _("Theme"), g_strdup (
      r->data->themes_mapped
          ? _("the institution's theme, from its theme map over the OpenAlex field or "
                   "domain of the work's primary topic (HAL: its domain).")
          : _("the OpenAlex field of the work's primary topic (HAL: its domain).")));
  if (r->counts->len > 0)
    {
      definition (b, _("Counted by the source"), g_strdup (
          _("the source's own count of the works of a publication year, asked of it after "
                 "the harvest with the harvest's own filter (the institution, the years, the "
                 "document types it asked for): OpenAlex's group_by=publication_year, HAL's "
                 "facet counts on the year field the harvest slices by.")));
      definition (b, _("Held by copub"), g_strdup (
          _("the works the store keeps from that source with that publication year and, "
                 "when the harvest asked for some document types only, one of them: counted "
                 "before copub's own selection (the corpus's types, retracted works and "
                 "paratext left out, the sources' records of one work linked), so that it "
                 "is the number the source's count should equal. A HAL document without a "
                 "value in the year field takes its year from its other dates in the store, "
                 "and counts there but not in HAL's count.")));
    }
  if (r->options->partners)
    definition (b, _("Strategic partners"), g_strdup (
        _("the institutions of the partner file; a co-publication has at least one "
               "author affiliated with the partner.")));
  if (r->data->region_years)
    definition (b, _("Groups of countries"), g_strdup (
        _("EU-27, the continents of the UN M49 standard and the UN's least developed "
               "countries (data/regions.tsv), and the groups file's; a work is co-authored "
               "with a group when an author is in one of its countries, the home country "
               "never counting, or institutions.")));
}

/* "2020, 2021": the years of @source whose counts differ; NULL when none does. */
static char *
differing_years (const Report *r, const char *source)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < r->counts->len; i++)
    {
      const CopubSourceCount *c = r->counts->pdata[i];
      if (strcmp (c->source, source) == 0 && c->counted != c->held)
        g_string_append_printf (s, "%s%d", s->len ? ", " : "", c->year);
    }
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

/* One sentence for the counts of @source, from its row @first on: totals and whether
 * every year agrees. Returns the index after its last row. */
static guint
completeness_sentence (Report *r, guint first)
{
  const CopubSourceCount *c0 = r->counts->pdata[first];
  const char *name = copub_words_source_name (c0->source);
  gint64 counted = 0, held = 0;
  int from = c0->year, to = c0->year;
  guint i;
  g_autofree char *years = NULL, *period = NULL, *n_counted = NULL, *n_held = NULL;
  g_autofree char *when = g_strndup (c0->counted_at, 10);

  for (i = first; i < r->counts->len; i++)
    {
      const CopubSourceCount *c = r->counts->pdata[i];
      if (strcmp (c->source, c0->source) != 0)
        break;
      counted += c->counted;
      held += c->held;
      to = c->year;
    }
  years = differing_years (r, c0->source);
  period = copub_words_period (from, to);
  n_counted = copub_words_count (counted);
  n_held = copub_words_count (held);
  if (years)
    /* TRANSLATORS: source, its count, the years, copub's count, the date, the years. */
    para (r, NULL, _("%s counts %s works in %s, copub holds %s (counted on %s): they "
                          "differ in %s."), name, n_counted, period, n_held, when, years);
  else
    para (r, NULL, _("%s counts %s works in %s, copub holds %s (counted on %s): the same "
                          "in every year."), name, n_counted, period, n_held, when);
  return i;
}

/* The sources' own counts per year beside what the store holds. */
static void
completeness_table (Report *r)
{
  Block *b;

  if (r->counts->len == 0)
    {
      para (r, "note", "%s", _("The sources' own counts per year were not taken (the store "
                                    "was filled from files, or by an older copub): copub "
                                    "check compares them with the store."));
      return;
    }
  for (guint i = 0; i < r->counts->len;)
    i = completeness_sentence (r, i);
  b = table (r, g_strdup (_("The sources' counts and what copub holds")), 0x1e);
  row (b, g_strdup (_("Source")), g_strdup (_("Year")), g_strdup (_("Counted by the source")),
       g_strdup (_("Held by copub")), g_strdup (_("Difference")), NULL);
  for (guint i = 0; i < r->counts->len; i++)
    {
      const CopubSourceCount *c = r->counts->pdata[i];
      row (b, g_strdup (copub_words_source_name (c->source)), g_strdup_printf ("%d", c->year),
           copub_words_count (c->counted), copub_words_count (c->held),
           c->held == c->counted ? g_strdup ("0")
                                 : g_strdup_printf ("%s%" G_GINT64_FORMAT,
                                                    c->held > c->counted ? "+" : "",
                                                    c->held - c->counted), NULL);
    }
}

/* The works of the corpus from @source. */
static gint64
corpus_works (const Report *r, const char *source)
{
  const CopubIndicators *t = r->data->sources;

  for (guint i = 0; i < copub_indicators_n_cells (t); i++)
    if (g_strcmp0 (copub_indicators_cell (t, i)->source, source) == 0)
      return copub_indicators_cell (t, i)->works;
  return 0;
}

/* Whether OpenAlex's xpac works are in, as the store recorded its harvests and imports. */
static void
corpus_xpac (Report *r)
{
  g_autofree char *n = NULL;

  if (r->xpac == NULL)
    return;
  if (strcmp (r->xpac, "included") == 0)
    para (r, NULL, "%s", _("OpenAlex's xpac works (datasets and repository items, which its "
                           "API leaves out by default) are included."));
  else if (strcmp (r->xpac, "excluded") != 0)
    para (r, NULL, "%s", _("OpenAlex's xpac works (datasets and repository items, which its "
                           "API leaves out by default) were left out by some harvests or "
                           "imports of this store and included by others."));
  else if (r->xpac_left_out > 0)
    {
      n = copub_words_count (r->xpac_left_out);
      para (r, NULL, _("OpenAlex's xpac works (datasets and repository items, which its API "
                       "leaves out by default) are left out: %s of them in the last import."),
            n);
    }
  else
    para (r, NULL, "%s", _("OpenAlex's xpac works (datasets and repository items, which its "
                           "API leaves out by default) are left out."));
}

static void
section_corpus (Report *r)
{
  const CopubPlotData *d = r->data;
  g_autofree char *types = types_text (r);
  g_autofree char *years = years_text (r);
  g_autofree char *n = copub_words_count (d->works);
  Block *b;

  heading (r, "corpus", _("The corpus"));
  para (r, NULL, _("%s works published in %s, of these types: %s."), n, years, types);
  b = table (r, g_strdup (_("Sources")), 0x6);
  row (b, g_strdup (_("Source")),
       g_strdup (_("In the corpus")),
       g_strdup (_("In the store")),
       g_strdup (_("Harvested")), NULL);
  for (guint i = 0; d->source_stats && i < d->source_stats->len; i++)
    {
      const CopubSourceStats *s = d->source_stats->pdata[i];
      char *dates = strncmp (s->first_stored, s->last_stored, 10) == 0
                        ? g_strndup (s->last_stored, 10)
                        : g_strdup_printf ("%.10s – %.10s", s->first_stored, s->last_stored);
      row (b, g_strdup (copub_words_source_name (s->source)), copub_words_count (corpus_works (r, s->source)),
           copub_words_count (s->works), dates, NULL);
    }
  completeness_table (r);
  corpus_xpac (r);
}

/* The year cell of @year, or NULL. */
static const CopubCell *
year_cell (const Report *r, int year)
{
  for (guint i = 0; i < copub_indicators_n_cells (r->data->years); i++)
    if (copub_indicators_cell (r->data->years, i)->year == year)
      return copub_indicators_cell (r->data->years, i);
  return NULL;
}

/* The headline period's counts from the year table: its works, the complete ones (every
 * authorship with a known country), how many of those are international, and the works
 * the ceiling counts as international (international or not complete). */
typedef struct {
  gint64 works, international, complete, complete_international, ceiling;
} PeriodCounts;

static void
period_counts (const Report *r, PeriodCounts *out)
{
  memset (out, 0, sizeof *out);
  for (int y = r->data->period_from; y <= r->data->period_to; y++)
    {
      const CopubCell *c = year_cell (r, y);
      if (c == NULL)
        continue;
      out->works += c->works;
      out->international += c->international;
      out->complete += c->complete;
      out->complete_international += c->complete_international;
      out->ceiling += c->works - c->complete + c->complete_international;
    }
}

static double
ratio (gint64 part, gint64 whole)
{
  return whole > 0 ? (double) part / (double) whole : NAN;
}

/* The floor, the ceiling and the works with gaps. */
static void
coverage_bounds (Report *r, const PeriodCounts *c)
{
  const CopubHeadline *h = &r->data->headline;
  const char *home = home_name (r);
  g_autofree char *period = copub_words_period (h->from, h->to);
  g_autofree char *coverage = copub_words_percent (h->coverage);
  g_autofree char *floor = copub_words_percent (h->share);
  g_autofree char *ceiling = copub_words_percent (ratio (c->ceiling, c->works));
  g_autofree char *gaps_share = copub_words_percent (ratio (c->works - c->complete, c->works));
  g_autofree char *gaps = copub_words_count (c->works - c->complete);
  g_autofree char *works = copub_words_count (c->works);
  g_autofree char *ci = copub_words_interval (h->low, h->high);
  g_autofree char *as_home = home
      ? g_strdup_printf (_("every unknown country taken as the home country, %s"), home)
      : g_strdup (_("every unknown country taken as one already known"));

  if (c->complete == c->works)
    {
      para (r, NULL, _("In %s, every authorship of the %s works has a known country: "
                            "the share of %s has no gap to bound."),
            period, works, floor);
      return;
    }
  para (r, NULL, _("In %s, %s of the authorships have a known country, but %s of the "
                        "works (%s of %s) have at least one authorship whose country is "
                        "unknown (or no authorship listed). The share counts them as not "
                        "international unless a foreign country is known, so %s is a floor "
                        "(%s). If all %s were international, the share would be %s: the "
                        "ceiling. With complete data, and the known countries right, the share "
                        "would lie between %s and %s."),
        period, coverage, gaps_share, gaps, works, floor, as_home, gaps, ceiling, floor,
        ceiling);
  para (r, NULL, _("The 95 %% interval, %s, is the floor's: it measures the uncertainty "
                        "that comes from n, not the one from the unknown countries."), ci);
}

/* The share among complete works, for what it is. */
static void
coverage_complete (Report *r, const PeriodCounts *c)
{
  double among_complete = ratio (c->complete_international, c->complete);
  double among_gaps = ratio (c->international - c->complete_international,
                             c->works - c->complete);
  g_autofree char *complete_n = copub_words_count (c->complete);
  g_autofree char *complete_share = copub_words_percent (among_complete);
  g_autofree char *gaps_n = copub_words_count (c->works - c->complete);
  g_autofree char *gaps_share = copub_words_percent (among_gaps);

  if (c->complete == 0 || c->complete == c->works)
    return;
  para (r, NULL, _("Among the %s works all of whose authorships have a known country, "
                        "the share is %s; among the %s others, counting only their known "
                        "countries, it is %s%s. The share among complete works describes "
                        "those works only: it is neither a bound nor an estimate of the share "
                        "with complete data."),
        complete_n, complete_share, gaps_n, gaps_share,
        among_gaps > among_complete
            ? _(" (already higher: the works with gaps are not like the others)")
            : "");
}

static void
section_coverage (Report *r)
{
  PeriodCounts c;

  period_counts (r, &c);
  heading (r, "coverage", _("Coverage"));
  coverage_bounds (r, &c);
  coverage_complete (r, &c);
}

/* ---- how the figure moves with its definition -------------------------------------- */

/* The variants' names, in the order of CopubVariant. */
static const char *const variant_names[COPUB_N_VARIANTS] = {
  [COPUB_VARIANT_HEADLINE] = N_("The headline's definition"),
  [COPUB_VARIANT_ARTICLES] = N_("Articles only"),
  [COPUB_VARIANT_ALL_TYPES] = N_("All document types, conference papers included"),
  [COPUB_VARIANT_OPENALEX] = N_("OpenAlex alone"),
  [COPUB_VARIANT_HAL] = N_("HAL alone"),
  [COPUB_VARIANT_BOTH_SOURCES] = N_("Both sources together"),
  [COPUB_VARIANT_SOURCE_COUNTRIES] = N_("The sources' countries only, without copub's "
                                        "normaliser"),
  [COPUB_VARIANT_TERRITORIES_ABROAD] = N_("French overseas territories counted as abroad"),
};

/* Appends the quoted name of variant @v to the list @s of @n names so far, @last: it
 * ends the list. */
static void
append_variant (GString *s, guint n, gboolean last, CopubVariant v)
{
  if (n > 0)
    g_string_append (s, last ? C_("the last of a list", " and ") : ", ");
  g_string_append_printf (s, C_("quoted name", "“%s”"), _(variant_names[v]));
}

typedef enum { VERDICT_NO_WORK, VERDICT_HOLDS, VERDICT_FAILS } Verdict;

static Verdict
verdict_of (const CopubHeadline *h)
{
  if (h->works == 0)
    return VERDICT_NO_WORK;
  return copub_analyse_about_half (h) ? VERDICT_HOLDS : VERDICT_FAILS;
}

/* The names of the variants that apply and whose verdict is @verdict; their number in
 * @out_n. */
static char *
variants_where (const Report *r, Verdict verdict, guint *out_n)
{
  GString *s = g_string_new (NULL);
  guint total = 0, n = 0;

  for (guint v = 0; v < COPUB_N_VARIANTS; v++)
    total += r->has_variant[v] && verdict_of (&r->variants[v]) == verdict;
  for (guint v = 0; v < COPUB_N_VARIANTS; v++)
    if (r->has_variant[v] && verdict_of (&r->variants[v]) == verdict)
      {
        append_variant (s, n, n + 1 == total, (CopubVariant) v);
        n++;
      }
  *out_n = n;
  return g_string_free (s, FALSE);
}

/* The sentence under the table: where "about one in two" holds and where it does not. */
static void
variants_verdict (Report *r)
{
  guint n_yes, n_no, n_empty;
  g_autofree char *yes = variants_where (r, VERDICT_HOLDS, &n_yes);
  g_autofree char *no = variants_where (r, VERDICT_FAILS, &n_no);
  g_autofree char *empty = variants_where (r, VERDICT_NO_WORK, &n_empty);
  g_autofree char *none = n_empty ? g_strdup_printf (_(" No work in the period for %s."), empty)
                                  : g_strdup ("");

  /* The headline itself has works: n_yes + n_no >= 1. */
  if (n_no == 0 && n_empty == 0)
    para (r, NULL, "%s", _("“About one in two” holds under every one of these definitions."));
  else if (n_no == 0)
    para (r, NULL, _("“About one in two” holds under every one of these definitions that "
                     "has works.%s"), none);
  else if (n_yes == 0)
    para (r, NULL, _("“About one in two” holds under none of these definitions.%s"), none);
  else
    para (r, NULL, _("“About one in two” holds for %s; it does not for %s.%s"), yes, no, none);
}

static void
section_variants (Report *r)
{
  const CopubHeadline *h = &r->data->headline;
  g_autofree char *period = copub_words_period (h->from, h->to);
  Block *b;

  heading (r, "variants", _("How the figure moves"));
  para (r, NULL, _("The headline's share for %s, counted again with one change "
                   "to its definition at a time. “About one in two” means here a share "
                   "between %d%% and %d%%, both included."),
        period, COPUB_ABOUT_HALF_LOW, COPUB_ABOUT_HALF_HIGH);
  b = table (r, g_strdup_printf (_("The headline under other definitions, %s"), period), 0x1E);
  row (b, g_strdup (_("Definition")), g_strdup (_("Works (n)")),
       g_strdup (C_("table header", "International")), g_strdup (_("Share")),
       g_strdup (/* xgettext:no-c-format */ _("95 % interval")),
       g_strdup (_("About one in two")), NULL);
  for (guint v = 0; v < COPUB_N_VARIANTS; v++)
    {
      const CopubHeadline *c = &r->variants[v];
      if (!r->has_variant[v])
        continue;
      row (b, g_strdup (_(variant_names[v])), copub_words_count (c->works),
           copub_words_count (c->international), copub_words_percent (c->share),
           copub_words_interval (c->low, c->high),
           g_strdup (c->works == 0 ? _("no work")
                     : copub_analyse_about_half (c) ? _("yes") : _("no")), NULL);
    }
  variants_verdict (r);
}

/* The headline under each variant that applies. */
static gboolean
compute_variants (Report *r, CopubStore *store, GError **error)
{
  const CopubHeadline *h = &r->data->headline;

  for (guint v = 0; v < COPUB_N_VARIANTS; v++)
    {
      CopubAnalyseOptions o;
      r->has_variant[v] = copub_analyse_variant_options (r->options, (CopubVariant) v, &o);
      if (r->has_variant[v]
          && !copub_analyse_variant_headline (store, r->options, (CopubVariant) v, h->from,
                                              h->to, &r->variants[v], error))
        return FALSE;
    }
  return TRUE;
}

static void
table_years (Report *r)
{
  const CopubIndicators *t = r->data->years;
  Block *b = table (r, g_strdup (_("International co-publication per year")), 0x1FE);

  row (b, g_strdup (_("Year")), g_strdup (_("Works (n)")),
       g_strdup (C_("table header", "International")), g_strdup (_("Share")),
       g_strdup (/* xgettext:no-c-format */ _("95 % interval")),
       g_strdup (_("Coverage")),
       g_strdup (_("Complete works")),
       g_strdup (_("Share among complete")),
       g_strdup (_("Ceiling")), NULL);
  for (guint i = 0; i < copub_indicators_n_cells (t); i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      double low, high;
      copub_cell_share_interval (c, &low, &high);
      row (b, g_strdup_printf ("%d", c->year), copub_words_count (c->works),
           copub_words_count (c->international), copub_words_percent (copub_cell_share (c)),
           copub_words_interval (low, high), copub_words_percent (copub_cell_coverage (c)),
           copub_words_count (c->complete), copub_words_percent (copub_cell_share_complete (c)),
           copub_words_percent (copub_cell_share_max (c)), NULL);
    }
}

static void
table_countries (Report *r)
{
  const CopubIndicators *t = r->data->countries;
  g_autofree char *period = copub_words_period (r->data->period_from, r->data->period_to);
  guint n = MIN (copub_indicators_n_cells (t), TOP_COUNTRY_ROWS);
  Block *b;

  if (n == 0)
    return;
  b = table (r, g_strdup_printf (_("Top partner countries, %s"), period), 0x3D);
  row (b, g_strdup (_("Rank")), g_strdup (_("Country")),
       g_strdup (_("Works")),
       g_strdup (_("Share of all works")),
       g_strdup (_("Fractional count")),
       g_strdup (_("Fractional share")), NULL);
  for (guint i = 0; i < n; i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      row (b, copub_rank_text (c->rank, c->tied),
           g_strdup (copub_indicators_country_name (t, c)), copub_words_count (c->works),
           copub_words_percent (copub_cell_share (c)),
           copub_words_real (copub_fraction_to_double (c->fractional), 1),
           copub_words_percent (copub_cell_fractional_share (c)), NULL);
    }
}

static void
table_themes (Report *r)
{
  const CopubIndicators *t = r->data->themes;
  g_autofree char *years = years_text (r);
  Block *b;

  if (copub_indicators_n_cells (t) == 0)
    return;
  b = table (r, g_strdup_printf (_("International co-publication by theme, %s"), years),
             0x3E);
  row (b, g_strdup (_("Theme")), g_strdup (_("Works (n)")),
       g_strdup (C_("table header", "International")), g_strdup (_("Share")),
       g_strdup (/* xgettext:no-c-format */ _("95 % interval")),
       g_strdup (_("Coverage")), NULL);
  for (guint i = 0; i < copub_indicators_n_cells (t); i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      double low, high;
      copub_cell_share_interval (c, &low, &high);
      row (b, g_strdup (c->theme), copub_words_count (c->works),
           copub_words_count (c->international), copub_words_percent (copub_cell_share (c)),
           copub_words_interval (low, high), copub_words_percent (copub_cell_coverage (c)), NULL);
    }
}

/* Strategic partners by year or rolling period, one row a partner: all of them, the most
 * co-publications over all years first; the total (over single years only: periods
 * overlap). */
static void
table_partners (Report *r)
{
  const CopubPlotData *d = r->data;
  const CopubIndicators *t = d->partner_years;
  gboolean rolling = d->window > 1;
  g_autoptr(GPtrArray) names = NULL;
  GPtrArray *header;
  Block *b;

  if (t == NULL || copub_indicators_n_cells (t) == 0 || d->last_year - d->first_year > 60)
    return;
  names = copub_plot_partners_by_total (d);
  b = table (r, rolling ? g_strdup_printf (_("Co-publications with the strategic partners, "
                                                  "rolling %u-year periods; the most "
                                                  "co-publications over all years first"),
                                           d->window)
                        : g_strdup (_("Co-publications with the strategic partners; the "
                                           "most co-publications first")),
             ~(guint64) 1);
  header = g_ptr_array_new ();
  g_ptr_array_add (header, g_strdup (_("Partner")));
  for (int y = d->trend_first; y <= d->last_year; y++)
    g_ptr_array_add (header, copub_words_period (y - (int) d->window + 1, y));
  if (!rolling)
    g_ptr_array_add (header, g_strdup (_("Total")));
  row_array (b, header);
  for (guint p = 0; p < names->len; p++)
    {
      GPtrArray *cells = g_ptr_array_new ();
      gint64 total = 0;
      g_ptr_array_add (cells, g_strdup (names->pdata[p]));
      for (int y = d->trend_first; y <= d->last_year; y++)
        {
          gint64 works = copub_plot_partner_works (d, names->pdata[p], y);
          total += works;
          g_ptr_array_add (cells, copub_words_count (works));
        }
      if (!rolling)
        g_ptr_array_add (cells, copub_words_count (total));
      row_array (b, cells);
    }
}

/* The share of each year's works co-authored with each group of countries (or of
 * institutions); the last row gives each year's n. */
static void
table_regions (Report *r)
{
  const CopubPlotData *d = r->data;
  const CopubIndicators *t = d->region_years;
  GPtrArray *cells;
  Block *b;

  if (t == NULL || copub_indicators_n_cells (t) == 0 || d->last_year - d->first_year > 60)
    return;
  b = table (r, g_strdup (_("Share of the works co-authored with each group of countries, "
                                 "by year")), ~(guint64) 1);
  cells = g_ptr_array_new ();
  g_ptr_array_add (cells, g_strdup (_("Group")));
  for (int y = d->first_year; y <= d->last_year; y++)
    g_ptr_array_add (cells, g_strdup_printf ("%d", y));
  row_array (b, cells);
  for (guint g = 0; g < d->regions->len; g++)
    {
      cells = g_ptr_array_new ();
      g_ptr_array_add (cells, g_strdup (copub_words_region_name (d->regions->pdata[g])));
      for (int y = d->first_year; y <= d->last_year; y++)
        {
          CopubCell key = { .year = y, .region = d->regions->pdata[g] };
          const CopubCell *c = copub_indicators_find (t, &key);
          CopubCell year = { .year = y };
          const CopubCell *all = copub_indicators_find (d->years, &year);
          gint64 n = all ? all->works : 0;
          g_ptr_array_add (cells, copub_words_percent (n ? (double) (c ? c->works : 0)
                                                              / (double) n
                                                         : NAN));
        }
      row_array (b, cells);
    }
  cells = g_ptr_array_new ();
  g_ptr_array_add (cells, g_strdup (_("Works (n)")));
  for (int y = d->first_year; y <= d->last_year; y++)
    {
      CopubCell year = { .year = y };
      const CopubCell *all = copub_indicators_find (d->years, &year);
      g_ptr_array_add (cells, copub_words_count (all ? all->works : 0));
    }
  row_array (b, cells);
}

/* The competition ranks ("1224") of the partner institutions, by works (their order). */
static gint64 *
institution_ranks (const CopubIndicators *t)
{
  guint n = copub_indicators_n_cells (t);
  gint64 *rank = g_new0 (gint64, n + 1);

  for (guint i = 0; i < n; i++)
    rank[i] = i > 0 && copub_indicators_cell (t, i)->works
                           == copub_indicators_cell (t, i - 1)->works
                  ? rank[i - 1] : (gint64) i + 1;
  return rank;
}

typedef struct {
  const CopubInstitutionTree *tree;
  GHashTable *by_top; /* top-level ROR id -> GArray of partner indexes */
} PartnerTops;

/* A strategic partner's ROR id rolled up: the partner counts at its top levels. */
static void
add_partner_tops (const char *id, guint index, gpointer user_data)
{
  PartnerTops *pt = user_data;
  g_autoptr(GPtrArray) tops = g_ptr_array_new ();

  if (!copub_institution_is_ror (id))
    return;
  copub_institution_tree_tops (pt->tree, id, tops);
  for (guint i = 0; i < tops->len; i++)
    {
      GArray *list = g_hash_table_lookup (pt->by_top, tops->pdata[i]);
      if (list == NULL)
        {
          list = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (pt->by_top, tops->pdata[i], list);
        }
      g_array_append_val (list, index);
    }
}

/* top-level ROR id -> the strategic partners (GArray of indexes) it holds: a partner
 * the file gives by a unit's ROR id is found at its top-level parents. */
static GHashTable *
partners_by_top (const Report *r)
{
  PartnerTops pt = { r->options->institution_tree,
                     g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) g_array_unref) };

  if (r->options->partners && pt.tree)
    copub_partners_foreach_id (r->options->partners, add_partner_tops, &pt);
  return pt.by_top;
}

/* The strategic partners' indexes the institution of @c is or holds (by its ROR or
 * OpenAlex id, or a unit's ROR id rolled up to it), each once. */
static void
institution_partners (const Report *r, GHashTable *by_top, const CopubIndicators *t,
                      const CopubCell *c, GArray *out)
{
  CopubInstitutionInfo info = copub_indicators_institution (t, c);
  const char *ids[] = { c->institution, info.openalex, NULL };
  const GArray *held = g_hash_table_lookup (by_top, c->institution);

  g_array_set_size (out, 0);
  if (r->options->partners)
    copub_partners_match (r->options->partners, ids, out);
  for (guint k = 0; held && k < held->len; k++)
    {
      guint p = g_array_index (held, guint, k), i;
      for (i = 0; i < out->len && g_array_index (out, guint, i) != p; i++)
        ;
      if (i == out->len)
        g_array_append_val (out, p);
    }
}

static char *
institution_name (const CopubIndicators *t, const CopubCell *c)
{
  CopubInstitutionInfo info = copub_indicators_institution (t, c);

  return g_strdup (info.name ? info.name : c->institution);
}

/* The names of the strategic partners @matched, comma-separated, or a dash. */
static char *
partner_names (const Report *r, const GArray *matched)
{
  GString *names = g_string_new (matched->len ? NULL : "—");

  for (guint k = 0; k < matched->len; k++)
    g_string_append_printf (names, "%s%s", k ? ", " : "",
                            copub_partners_name (r->options->partners,
                                                 g_array_index (matched, guint, k)));
  return g_string_free (names, FALSE);
}

/* Top partner institutions of the last period, each with the strategic partner it is. */
static void
table_institutions (Report *r, GHashTable *by_top, const gint64 *rank)
{
  const CopubIndicators *t = r->data->institutions;
  g_autofree char *period = copub_words_period (r->data->period_from, r->data->period_to);
  g_autoptr(GArray) matched = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n = MIN (copub_indicators_n_cells (t), TOP_INSTITUTION_ROWS);
  Block *b = table (r, g_strdup_printf (_("Top partner institutions, %s"), period), 0x39);

  row (b, g_strdup (_("Rank")), g_strdup (_("Institution")), g_strdup (_("Country")),
       g_strdup (_("Works")), g_strdup (_("Share of all works")),
       g_strdup (_("Fractional count")), g_strdup (_("Strategic partner")), NULL);
  for (guint i = 0; i < n; i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      CopubInstitutionInfo info = copub_indicators_institution (t, c);
      const char *country = info.country ? copub_country_name (info.country, r->data->lang)
                                         : NULL;
      institution_partners (r, by_top, t, c, matched);
      row (b, copub_rank_text (rank[i], (i > 0 && rank[i] == rank[i - 1])
                                            || (i + 1 < copub_indicators_n_cells (t)
                                                && rank[i + 1] == rank[i])),
           institution_name (t, c), g_strdup (country ? country : "—"),
           copub_words_count (c->works), copub_words_percent (copub_cell_share (c)),
           copub_words_real (copub_fraction_to_double (c->fractional), 1),
           partner_names (r, matched), NULL);
    }
}

/* The strategic partners below rank STRATEGIC_RANK or with no co-publication, and the
 * top partner institutions that are not strategic partners (the candidates). */
static void
institutions_beside_partners (Report *r, GHashTable *by_top, const gint64 *rank)
{
  const CopubIndicators *t = r->data->institutions;
  const CopubPartners *partners = r->options->partners;
  guint n_partners = copub_partners_count (partners), n = copub_indicators_n_cells (t);
  g_autofree gint64 *best = g_new0 (gint64, n_partners + 1);
  g_autofree gint64 *works = g_new0 (gint64, n_partners + 1);
  g_autoptr(GArray) matched = g_array_new (FALSE, FALSE, sizeof (guint));
  Block *below = NULL, *candidates = NULL;

  for (guint i = 0; i < n; i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      institution_partners (r, by_top, t, c, matched);
      for (guint k = 0; k < matched->len; k++)
        {
          guint p = g_array_index (matched, guint, k);
          if (best[p] == 0)
            best[p] = rank[i], works[p] = c->works;
        }
      if (matched->len == 0 && i < TOP_INSTITUTION_ROWS)
        {
          if (candidates == NULL)
            {
              para (r, NULL, "%s", _("Candidates: frequent partner institutions (in the top "
                                     "20) that the strategic list does not name."));
              candidates = add_block (r, BLOCK_LIST, NULL, NULL);
            }
          g_autofree char *name = institution_name (t, c);
          g_autofree char *count = copub_words_count (c->works);
          g_autofree char *place = copub_words_count (rank[i]);
          item (candidates, _("%s: rank %s, works: %s"), name, place, count);
        }
    }
  for (guint p = 0; p < n_partners; p++)
    {
      g_autofree char *count = copub_words_count (works[p]);
      g_autofree char *place = copub_words_count (best[p]);
      if (best[p] > 0 && best[p] <= STRATEGIC_RANK)
        continue;
      if (below == NULL)
        {
          para (r, NULL, "%s", _("Strategic partners outside the top 50 partner "
                                 "institutions:"));
          below = add_block (r, BLOCK_LIST, NULL, NULL);
        }
      if (best[p] == 0)
        item (below, _("%s: no co-publication in the period"),
              copub_partners_name (partners, p));
      else
        item (below, _("%s: rank %s, works: %s"), copub_partners_name (partners, p), place,
              count);
    }
  if (candidates == NULL && below == NULL)
    para (r, NULL, "%s", _("Every strategic partner is among the top 50 partner "
                           "institutions, and every top 20 partner institution is a "
                           "strategic partner."));
}

/* Partner institutions, found: the top 20 of the last period beside the strategic list. */
static void
section_institutions (Report *r)
{
  const CopubIndicators *t = r->data->institutions;
  g_autofree gint64 *rank = NULL;
  g_autoptr(GHashTable) by_top = NULL;

  if (t == NULL)
    return;
  heading (r, "institutions", _("Partner institutions"));
  para (r, NULL, "%s", _("The institutions the works are co-authored with, rolled up to "
                         "their top-level parents in the ROR registry; the home "
                         "institution's own are left out. Full count: works co-authored "
                         "with the institution; fractional count: each work shared out "
                         "equally over its institutions, the home one included."));
  if (copub_indicators_n_cells (t) == 0)
    {
      para (r, "note", "%s", _("No work of the last period has a partner institution."));
      return;
    }
  rank = institution_ranks (t);
  by_top = partners_by_top (r);
  table_institutions (r, by_top, rank);
  if (r->options->partners)
    institutions_beside_partners (r, by_top, rank);
}

static void
section_tables (Report *r)
{
  heading (r, "tables", _("Tables"));
  para (r, "note", "%s", _("The same tables, and a few more, are in the CSV files beside "
                                "this report."));
  table_years (r);
  table_countries (r);
  table_themes (r);
  table_partners (r);
  table_regions (r);
}

/* The world map's values as a table, for readers who do not see the map: every
 * country with a co-publication, in the map's order (the most first). */
static void
map_table (Report *r, const CopubMapData *m)
{
  g_autofree char *period = copub_words_period (m->from, m->to);
  Block *b = table (r, g_strdup_printf (_("The map's values, %s"), period), 0x1E);

  b->details = g_strdup_printf (_("The map as a table (%u countries)"), m->spec.n_countries);
  row (b, g_strdup (_("Country")), g_strdup (_("Works")), g_strdup (_("Share of all works")),
       g_strdup (_("Fractional count")), g_strdup (_("Fractional share")), NULL);
  for (guint i = 0; i < m->spec.n_countries; i++)
    {
      const CopubMapCountry *e = &m->spec.countries[i];
      if (e->works == 0)
        continue;
      row (b, g_strdup (copub_country_name (e->code, r->data->lang)), copub_words_count (e->works),
           copub_words_percent (e->share), copub_words_real (e->fractional, 2),
           copub_words_percent (m->n > 0 ? e->fractional / (double) m->n : NAN), NULL);
    }
  g_free (b->details);
  b->details = g_strdup_printf (_("The map as a table (%u countries)"), b->items->len - 1);
}

/* The world map as our own SVG, one element per country with its tooltip, over all
 * years; FALSE (and a note) when the map's shapes cannot be read. */
static gboolean
map_figure (Report *r, Block *b)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(CopubWorld) world = copub_world_load (&local);
  g_autoptr(CopubMapData) m = NULL;

  if (world == NULL)
    {
      para (r, "warning", _("The world map could not be drawn: %s"), local->message);
      return FALSE;
    }
  m = copub_map_data_new (r->data, world, TRUE, FALSE, TRUE);
  g_free (b->svg);
  b->svg = copub_map_svg (world, &m->spec, SVG_WIDTH);
  b->raw_svg = TRUE;
  b->caption = copub_plot_source_line (r->data, m->n);
  map_table (r, m);
  return TRUE;
}

static void
section_charts (Report *r)
{
  heading (r, "charts", _("Charts"));
  if (r->charts == NULL)
    {
      para (r, "warning", _("The charts could not be drawn: %s"), r->chart_error);
      return;
    }
  for (guint k = 0; k < r->charts->len; k++)
    {
      const CopubChart *c = r->charts->pdata[k];
      Block *b;
      /* Without a partner file there is no partner chart to speak of. */
      if (c->path == NULL && (c->kind != COPUB_CHART_PARTNERS || r->options->partners)
          && (c->kind != COPUB_CHART_INSTITUTIONS || r->data->institutions))
        para (r, "note", _("Chart not drawn, “%s”: %s."), c->title, c->note);
      if (c->path == NULL)
        continue;
      b = add_block (r, BLOCK_FIGURE, NULL, g_strdup (c->title));
      b->id = g_strconcat ("chart-", copub_chart_name (c->kind), NULL);
      b->svg = g_strdup (r->svg[c->kind]);
      b->png = g_path_get_basename (c->path);
      if (c->kind == COPUB_CHART_WORLD_MAP)
        map_figure (r, b);
    }
}

static void
warn_years (Report *r, Block *b)
{
  const CopubIndicators *t = r->data->years;
  g_autoptr(GString) small = g_string_new (NULL);
  g_autoptr(GString) low = g_string_new (NULL);

  for (guint i = 0; i < copub_indicators_n_cells (t); i++)
    {
      const CopubCell *cell = copub_indicators_cell (t, i);
      int year = cell->year;
      if (cell->works < SMALL_YEAR_N)
        g_string_append_printf (small, "%s%d (n = %d)", small->len ? ", " : "", year,
                                (int) cell->works);
      if (copub_cell_coverage (cell) < LOW_COVERAGE)
        {
          g_autofree char *c = copub_words_percent (copub_cell_coverage (cell));
          g_string_append_printf (low, "%s%d (%s)", low->len ? ", " : "", year, c);
        }
    }
  if (small->len)
    item (b, _("Few works in %s: fewer than %d, so the yearly share moves by chance and "
                    "its interval is wide."), small->str, SMALL_YEAR_N);
  if (low->len)
    item (b, _("Low coverage in %s: the share of these years is probably "
                    "underestimated."), low->str);
}

static void
warn_headline (Report *r, Block *b)
{
  const CopubHeadline *h = &r->data->headline;
  g_autofree char *width = copub_words_real (100 * (h->high - h->low), 1);
  g_autofree char *coverage = copub_words_percent (h->coverage);
  g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, h->works);

  if (h->works < SMALL_HEADLINE_N)
    item (b, _("The headline rests on only %s works: its 95 %% interval spans %s points."), n, width);
  if (h->coverage < LOW_COVERAGE)
    item (b, _("Only %s of the headline period's authorships have a known country: the "
                    "headline share is probably underestimated."), coverage);
}

static void
warn_countries (Report *r, Block *b)
{
  const CopubIndicators *t = r->data->countries;
  guint n = MIN (copub_indicators_n_cells (t), TOP_COUNTRY_ROWS), few = 0;
  g_autofree char *period = copub_words_period (r->data->period_from, r->data->period_to);

  for (guint i = 0; i < n; i++)
    few += copub_indicators_cell (t, i)->works < SMALL_COUNTRY_N;
  if (few > 0)
    item (b, _("%u of the top partner countries of %s have fewer than %d co-publications: "
                    "their rank is fragile."), few, period, SMALL_COUNTRY_N);
}

/* The years whose counts differ, and the works fetched before OpenAlex's re-match. */
static void
warn_sources (Report *r, Block *b)
{
  for (guint i = 0; i < r->counts->len; i++)
    {
      const CopubSourceCount *c = r->counts->pdata[i];
      g_autofree char *years = NULL;
      if (i > 0 && strcmp (c->source, ((CopubSourceCount *) r->counts->pdata[i - 1])->source) == 0)
        continue;
      years = differing_years (r, c->source);
      if (years)
        item (b, _("%s's own counts differ from what copub holds in %s: the corpus is not "
                        "the one the source counts in these years (see the table of the "
                        "corpus; harvest them again)."), copub_words_source_name (c->source),
              years);
    }
  if (r->stale > 0)
    {
      g_autofree char *n = copub_words_count (r->stale);
      item (b, _("%s works were fetched before OpenAlex re-matched affiliations on %s; run "
                      "copub fetch openalex --full."), n, r->rematched);
    }
}

static void
section_warnings (Report *r)
{
  Block *b;

  heading (r, "warnings", _("Warnings"));
  b = add_block (r, BLOCK_LIST, "warnings", NULL);
  if (r->data->synthetic)
    item (b, "%s", _("Synthetic data: copub's generated sample corpus, not real "
                          "publications."));
  warn_headline (r, b);
  warn_years (r, b);
  warn_countries (r, b);
  warn_sources (r, b);
  if (r->charts == NULL)
    item (b, _("No charts: %s"), r->chart_error);
  if (b->items->len == 0)
    {
      g_ptr_array_remove (r->blocks, b);
      para (r, "note", _("None: every year has at least %d works and a coverage of at "
                             "least %d %%."),
            SMALL_YEAR_N, (int) (100 * LOW_COVERAGE));
    }
}

/* A run's date as people read it: "2024-05-02" or "2024-05-02 03:15" (from ISO 8601). */
static char *
fmt_run_date (const char *date)
{
  char *text = g_strndup (date ? date : "", 16);

  if (strlen (text) > 10 && text[10] == 'T')
    text[10] = ' ';
  return text;
}

/* The records in the store now, all sources. */
static gint64
stored_now (const Report *r)
{
  gint64 n = 0;

  for (guint i = 0; r->data->source_stats && i < r->data->source_stats->len; i++)
    n += ((const CopubSourceStats *) r->data->source_stats->pdata[i])->works;
  return n;
}

/* What changed since the run @then, in words ("" when nothing we record did). */
static char *
history_changes (const Report *r, const CopubReportRun *then, gboolean moved)
{
  const CopubHeadline *h = &r->data->headline;
  gint64 stored = stored_now (r);
  GString *s = g_string_new (NULL);

  if (then->works != h->works)
    {
      g_autofree char *a = copub_words_count (then->works);
      g_autofree char *b = copub_words_count (h->works);
      g_string_append_printf (s, _(" Its n went from %s to %s."), a, b);
    }
  if (then->stored > 0 && then->stored != stored)
    {
      g_autofree char *a = copub_words_count (then->stored);
      g_autofree char *b = copub_words_count (stored);
      g_string_append_printf (s, _(" The store went from %s to %s records."), a, b);
    }
  if (moved && s->len == 0 && then->stored > 0)
    g_string_append (s, _(" Its n and the number of records in the store are the same: "
                               "records were updated, affiliations matched to countries anew, "
                               "or the options changed."));
  else if (moved && s->len == 0)
    g_string_append (s, _(" Its n is the same: records were added or updated, "
                               "affiliations matched to countries anew, or the options "
                               "changed."));
  return g_string_free (s, FALSE);
}

static void
section_history (Report *r)
{
  const CopubReportOptions *o = r->report;
  const CopubHeadline *h = &r->data->headline;
  g_autofree char *first = NULL;
  g_autofree char *now = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *since = NULL;
  g_autofree char *changes = NULL;
  gboolean moved;
  Block *b;

  if (o->history == NULL || o->n_history == 0)
    return;
  since = fmt_run_date (o->history[0].date);
  heading (r, "history", _("How the figure moved"));
  first = copub_words_percent (o->history[0].share);
  now = copub_words_percent (h->share);
  diff = copub_words_real (100 * (h->share - o->history[0].share), 1);
  moved = strcmp (first, now) != 0;
  changes = history_changes (r, &o->history[0], moved);
  if (moved)
    para (r, NULL, _("Since the run of %s, the headline moved from %s to %s (%s%s "
                          "points).%s"),
          since, first, now, h->share >= o->history[0].share ? "+" : "", diff, changes);
  else
    para (r, NULL, _("Since the run of %s, the headline has not moved: %s.%s"),
          since, now, changes);
  b = table (r, g_strdup (_("Headline of past runs")), 0x6);
  row (b, g_strdup (_("Run")), g_strdup (_("Share")),
       g_strdup ("n"), NULL);
  for (gsize i = 0; i < o->n_history; i++)
    row (b, fmt_run_date (o->history[i].date), copub_words_percent (o->history[i].share),
         copub_words_count (o->history[i].works), NULL);
  row (b, g_strdup (_("this report")), copub_words_percent (h->share),
       copub_words_count (h->works), NULL);
}

static void
build_document (Report *r)
{
  section_headline (r);
  section_definitions (r);
  section_corpus (r);
  section_coverage (r);
  section_variants (r);
  section_tables (r);
  section_institutions (r);
  section_charts (r);
  section_warnings (r);
  section_history (r);
}

/* ---- HTML -------------------------------------------------------------------------- */

static const char html_style[] =
    ":root{--ink:#1f2933;--muted:#5c6770;--line:#dde2e6;--accent:#2f6b9a}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:#eef1f4;color:var(--ink);"
    "font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}"
    "main{max-width:66rem;margin:0 auto;padding:2.5rem 2.5rem 3rem;background:#fff}"
    "h1{font-size:1.9rem;line-height:1.2;margin:0 0 1rem}"
    "h2{font-size:1.35rem;margin:2.6rem 0 .8rem;padding-bottom:.3rem;"
    "border-bottom:1px solid var(--line)}"
    "p.headline{font-size:1.3rem;line-height:1.45;border-left:5px solid var(--accent);"
    "padding:.8rem 1.1rem;background:#eef4fa;margin:1.2rem 0}"
    "p.note,figcaption,footer{color:var(--muted);font-size:.92rem}"
    "p.warning,ul.warnings li{background:#fff5dc;border-left:4px solid #d99a00;"
    "padding:.45rem .9rem;list-style:none;margin:.5rem 0}"
    "ul.warnings{padding:0}"
    "dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.45rem 1.4rem}"
    "dt{font-weight:600}dd{margin:0}"
    ".table-wrap{overflow-x:auto;margin:1.2rem 0 1.8rem}"
    "table{border-collapse:collapse;font-size:.92rem}"
    "caption{text-align:left;font-weight:600;padding-bottom:.45rem}"
    "th,td{padding:.35rem .75rem;border-bottom:1px solid var(--line);text-align:left}"
    "th{background:#f1f3f5;font-weight:600;vertical-align:bottom}"
    "th.n,td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tbody tr:nth-child(even){background:#f9fafb}"
    "figure.chart{margin:1.6rem 0 2.4rem}"
    "figure.chart svg{display:block;width:100%;height:auto;border:1px solid var(--line)}"
    "figure.map figcaption{margin:.3rem .2rem}figure.map figcaption b{color:var(--ink)}"
    "svg.world-map [tabindex]:hover,svg.world-map [tabindex]:focus{stroke:#1a1a1a;"
    "stroke-width:1.2;outline:none}"
    "details.map-table summary{cursor:pointer;color:var(--accent);margin:.3rem 0}"
    "footer{margin-top:3rem;border-top:1px solid var(--line);padding-top:1rem}"
    "@media print{body{background:#fff}main{padding:0}figure.chart{break-inside:avoid}}";

static void
html_text (GString *out, const char *text)
{
  g_autofree char *escaped = copub_report_html_escape (text);
  g_string_append (out, escaped);
}

static void
html_table (GString *out, const Block *b)
{
  if (b->details)
    {
      g_string_append (out, "<details class=\"map-table\"><summary>");
      html_text (out, b->details);
      g_string_append (out, "</summary>\n");
    }
  g_string_append (out, "<div class=\"table-wrap\"><table>\n<caption>");
  html_text (out, b->text);
  g_string_append (out, "</caption>\n");
  for (guint i = 0; i < b->items->len; i++)
    {
      char **cells = b->items->pdata[i];
      const char *tag = i == 0 ? "th" : "td";
      g_string_append (out, i == 0 ? "<thead><tr>" : "<tr>");
      for (guint c = 0; cells[c]; c++)
        {
          gboolean numeric = c < 64 && (b->numeric >> c) & 1;
          g_string_append_printf (out, "<%s%s%s>", tag, numeric ? " class=\"n\"" : "",
                                  i == 0 ? " scope=\"col\"" : "");
          html_text (out, cells[c]);
          g_string_append_printf (out, "</%s>", tag);
        }
      g_string_append (out, i == 0 ? "</tr></thead>\n<tbody>\n" : "</tr>\n");
    }
  g_string_append (out, "</tbody></table></div>\n");
  if (b->details)
    g_string_append (out, "</details>\n");
}

static void
html_figure (GString *out, const Block *b)
{
  g_autofree char *id = copub_report_html_escape (b->id);
  g_autofree char *prefix = g_strconcat (b->id, "-", NULL);
  g_autofree char *svg = b->raw_svg ? g_strdup (b->svg)
                                    : copub_report_inline_svg (b->svg, prefix, b->text);

  g_string_append_printf (out, "<figure class=\"chart%s\" id=\"%s\">\n",
                          b->raw_svg ? " map" : "", id);
  if (b->raw_svg)
    {
      /* Our map says neither its title nor its source: the caption does. */
      g_string_append (out, "<figcaption><b>");
      html_text (out, b->text);
      g_string_append (out, "</b></figcaption>\n");
    }
  if (svg)
    g_string_append (out, svg);
  if (b->caption)
    {
      g_string_append (out, "<figcaption>");
      html_text (out, b->caption);
      g_string_append (out, "</figcaption>");
    }
  /* No caption for gnuplot's: the chart says its title, source and n itself. */
  g_string_append (out, "\n</figure>\n");
}

static void
html_block (GString *out, const Block *b)
{
  switch (b->kind)
    {
    case BLOCK_HEADING:
      g_string_append (out, g_strcmp0 (b->style, "title") == 0 ? "<h1" : "<h2");
      if (b->id)
        g_string_append_printf (out, " id=\"%s\"", b->id);
      g_string_append_c (out, '>');
      html_text (out, b->text);
      g_string_append (out, g_strcmp0 (b->style, "title") == 0 ? "</h1>\n" : "</h2>\n");
      break;
    case BLOCK_PARAGRAPH:
      if (b->style)
        g_string_append_printf (out, "<p class=\"%s\"%s>", b->style,
                                strcmp (b->style, "headline") == 0 ? " id=\"headline\"" : "");
      else
        g_string_append (out, "<p>");
      html_text (out, b->text);
      g_string_append (out, "</p>\n");
      break;
    case BLOCK_LIST:
      g_string_append_printf (out, "<ul%s%s%s>\n", b->style ? " class=\"" : "",
                              b->style ? b->style : "", b->style ? "\"" : "");
      for (guint i = 0; i < b->items->len; i++)
        {
          g_string_append (out, "<li>");
          html_text (out, b->items->pdata[i]);
          g_string_append (out, "</li>\n");
        }
      g_string_append (out, "</ul>\n");
      break;
    case BLOCK_DEFS:
      g_string_append (out, "<dl>\n");
      for (guint i = 0; i + 1 < b->items->len; i += 2)
        {
          g_string_append (out, "<dt>");
          html_text (out, b->items->pdata[i]);
          g_string_append (out, "</dt><dd>");
          html_text (out, b->items->pdata[i + 1]);
          g_string_append (out, "</dd>\n");
        }
      g_string_append (out, "</dl>\n");
      break;
    case BLOCK_TABLE:
      html_table (out, b);
      break;
    case BLOCK_FIGURE:
      html_figure (out, b);
      break;
    default:
      break;
    }
}

static char *
generated_line (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");

  return g_strdup_printf (_("Generated by copub %s on %s."),
                          COPUB_VERSION, date);
}

static char *
render_html (const Report *r)
{
  GString *out = g_string_new (NULL);
  const Block *title = r->blocks->pdata[0];
  g_autofree char *footer = generated_line ();

  g_string_append_printf (out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
                               "<meta charset=\"utf-8\">\n"
                               "<meta name=\"viewport\" content=\"width=device-width, "
                               "initial-scale=1\">\n"
                               "<meta http-equiv=\"Content-Security-Policy\" "
                               "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                               "img-src data:\">\n<title>", r->data->lang);
  html_text (out, title->text);
  g_string_append_printf (out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n",
                          html_style);
  for (guint i = 0; i < r->blocks->len; i++)
    html_block (out, r->blocks->pdata[i]);
  g_string_append (out, "<footer>");
  html_text (out, footer);
  g_string_append (out, "</footer>\n</main>\n</body>\n</html>\n");
  return g_string_free (out, FALSE);
}

/* ---- Markdown ---------------------------------------------------------------------- */

static void
md_text (GString *out, const char *text)
{
  g_autofree char *escaped = copub_report_markdown_escape (text);
  g_string_append (out, escaped);
}

static void
md_table (GString *out, const Block *b)
{
  g_string_append (out, "**");
  md_text (out, b->text);
  g_string_append (out, "**\n\n");
  for (guint i = 0; i < b->items->len; i++)
    {
      char **cells = b->items->pdata[i];
      for (guint c = 0; cells[c]; c++)
        {
          g_string_append (out, "| ");
          md_text (out, cells[c]);
          g_string_append_c (out, ' ');
        }
      g_string_append (out, "|\n");
      if (i == 0)
        {
          for (guint c = 0; cells[c]; c++)
            g_string_append (out, c < 64 && (b->numeric >> c) & 1 ? "| ---: " : "| --- ");
          g_string_append (out, "|\n");
        }
    }
  g_string_append_c (out, '\n');
}

static void
md_block (GString *out, const Block *b)
{
  switch (b->kind)
    {
    case BLOCK_HEADING:
      g_string_append (out, g_strcmp0 (b->style, "title") == 0 ? "# " : "## ");
      md_text (out, b->text);
      g_string_append (out, "\n\n");
      break;
    case BLOCK_PARAGRAPH:
      if (g_strcmp0 (b->style, "headline") == 0)
        g_string_append (out, "> **");
      else if (g_strcmp0 (b->style, "warning") == 0)
        g_string_append (out, "> ⚠ ");
      else if (g_strcmp0 (b->style, "note") == 0)
        g_string_append (out, "*");
      md_text (out, b->text);
      if (g_strcmp0 (b->style, "headline") == 0)
        g_string_append (out, "**");
      else if (g_strcmp0 (b->style, "note") == 0)
        g_string_append (out, "*");
      g_string_append (out, "\n\n");
      break;
    case BLOCK_LIST:
      for (guint i = 0; i < b->items->len; i++)
        {
          g_string_append (out, "- ");
          md_text (out, b->items->pdata[i]);
          g_string_append_c (out, '\n');
        }
      g_string_append_c (out, '\n');
      break;
    case BLOCK_DEFS:
      for (guint i = 0; i + 1 < b->items->len; i += 2)
        {
          g_string_append (out, "- **");
          md_text (out, b->items->pdata[i]);
          g_string_append (out, "**: ");
          md_text (out, b->items->pdata[i + 1]);
          g_string_append_c (out, '\n');
        }
      g_string_append_c (out, '\n');
      break;
    case BLOCK_TABLE:
      if (b->details == NULL) /* the HTML's text alternatives: Markdown has the PNG */
        md_table (out, b);
      break;
    case BLOCK_FIGURE:
      g_string_append (out, "![");
      md_text (out, b->text);
      /* The file name is ours: a chart name and ".png", nothing to escape. */
      g_string_append_printf (out, "](%s)\n\n", b->png);
      break;
    default:
      break;
    }
}

static char *
render_markdown (const Report *r)
{
  GString *out = g_string_new (NULL);
  g_autofree char *footer = generated_line ();

  for (guint i = 0; i < r->blocks->len; i++)
    md_block (out, r->blocks->pdata[i]);
  g_string_append (out, "---\n\n");
  md_text (out, footer);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* ---- files ------------------------------------------------------------------------- */

static gboolean
write_file (Report *r, const char *dir, const char *name, const char *contents, gssize len,
            GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (!g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 error))
    {
      if (error && *error && (*error)->domain != COPUB_ERROR)
        {
          g_autoptr(GError) local = g_steal_pointer (error);
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "%s", local->message);
        }
      return FALSE;
    }
  g_ptr_array_add (r->files, g_steal_pointer (&path));
  return TRUE;
}

static gboolean
write_csv (Report *r, const char *dir, const char *name, const CopubIndicators *indicators,
           GError **error)
{
  g_autoptr(CopubTable) t = copub_table_new_from_indicators (indicators);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  gboolean ok;

  if (f == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing '%s': out of memory", name);
      return FALSE;
    }
  ok = copub_table_write (t, COPUB_TABLE_FORMAT_CSV, f, error);
  if (fclose (f) != 0 && ok)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing '%s': %s", name,
                   g_strerror (errno));
      ok = FALSE;
    }
  ok = ok && write_file (r, dir, name, buf, (gssize) len, error);
  free (buf);
  return ok;
}

static gboolean
write_csvs (Report *r, const char *dir, GError **error)
{
  const CopubPlotData *d = r->data;

  return write_csv (r, dir, "year.csv", d->years, error)
         && write_csv (r, dir, "theme.csv", d->themes, error)
         && write_csv (r, dir, "theme-year.csv", d->theme_years, error)
         && write_csv (r, dir, "country.csv", d->countries, error)
         && write_csv (r, dir, "country-year.csv", d->country_years, error)
         && write_csv (r, dir, "theme-country.csv", d->theme_countries, error)
         && write_csv (r, dir, "source.csv", d->sources, error)
         && (d->partner_years == NULL
             || write_csv (r, dir, "partner-year.csv", d->partner_years, error))
         && (d->region_years == NULL
             || write_csv (r, dir, "region-year.csv", d->region_years, error))
         && (d->institutions == NULL
             || write_csv (r, dir, "institution.csv", d->institutions, error));
}

/* Draws the SVG charts in a private directory and keeps their text. */
static gboolean
draw_svgs (Report *r, const char *out_dir, GError **error)
{
  CopubPlotOptions o = COPUB_PLOT_OPTIONS_INIT;
  g_autofree char *dir = g_build_filename (out_dir, ".copub-svg-XXXXXX", NULL);
  g_autoptr(GPtrArray) charts = NULL;

  if (g_mkdtemp (dir) == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "creating a directory in '%s': %s",
                   out_dir, g_strerror (saved));
      return FALSE;
    }
  o.format = COPUB_PLOT_SVG;
  o.map_all_years = TRUE;
  o.institution = r->report->institution;
  o.width = SVG_WIDTH;
  o.height = SVG_HEIGHT;
  o.gnuplot = r->report->gnuplot;
  charts = copub_plot_draw (r->data, &o, dir, error);
  for (guint k = 0; charts && k < charts->len; k++)
    {
      const CopubChart *c = charts->pdata[k];
      if (c->path)
        {
          g_file_get_contents (c->path, &r->svg[c->kind], NULL, NULL);
          g_unlink (c->path);
        }
    }
  g_rmdir (dir);
  return charts != NULL;
}

/* The PNG charts beside the report, then the SVG ones for the HTML. */
static gboolean
draw_charts (Report *r, const char *out_dir, GError **error)
{
  CopubPlotOptions o = COPUB_PLOT_OPTIONS_INIT;

  o.format = COPUB_PLOT_PNG;
  o.map_all_years = TRUE;
  o.institution = r->report->institution;
  o.gnuplot = r->report->gnuplot;
  r->charts = copub_plot_draw (r->data, &o, out_dir, error);
  if (r->charts == NULL)
    return FALSE;
  for (guint k = 0; k < r->charts->len; k++)
    {
      const CopubChart *c = r->charts->pdata[k];
      if (c->path)
        g_ptr_array_add (r->files, g_strdup (c->path));
    }
  if (draw_svgs (r, out_dir, error))
    return TRUE;
  g_clear_pointer (&r->charts, g_ptr_array_unref);
  return FALSE;
}

static void
report_clear (Report *r)
{
  g_free (r->headline);
  g_free (r->xpac);
  g_ptr_array_unref (r->blocks);
  if (r->charts)
    g_ptr_array_unref (r->charts);
  for (guint k = 0; k < COPUB_N_CHARTS; k++)
    g_free (r->svg[k]);
  g_free (r->chart_error);
  g_ptr_array_unref (r->files);
  if (r->counts)
    g_ptr_array_unref (r->counts);
}

static gboolean
write_documents (Report *r, const char *out_dir, GError **error)
{
  g_autofree char *html = NULL;
  g_autofree char *md = NULL;

  build_document (r);
  html = render_html (r);
  md = render_markdown (r);
  return write_file (r, out_dir, COPUB_REPORT_HTML, html, -1, error)
         && write_file (r, out_dir, COPUB_REPORT_MARKDOWN, md, -1, error);
}

/* The sources' counts per year (of the corpus's source), the works of the corpus
 * fetched from OpenAlex before its last re-match, and whether xpac works are in it. */
static gboolean
source_facts (Report *r, CopubStore *store, GError **error)
{
  const CopubAnalyseOptions *o = r->options;
  const char *date = r->report->openalex_rematched;
  g_autofree char *xpac_left_out = NULL;

  if (!copub_store_get_meta (store, "openalex-xpac", &r->xpac, error)
      || !copub_store_get_meta (store, "openalex-xpac-left-out", &xpac_left_out, error))
    return FALSE;
  r->xpac_left_out = xpac_left_out ? g_ascii_strtoll (xpac_left_out, NULL, 10) : -1;

  if (date && *date && !copub_is_date (date))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "OpenAlex's re-match date '%s': expected a date YYYY-MM-DD", date);
      copub_error_set_option (error ? *error : NULL, "openalex_rematched");
      return FALSE;
    }
  r->counts = copub_store_source_counts (store, o->source, error);
  if (r->counts == NULL)
    return FALSE;
  r->rematched = date == NULL ? COPUB_OPENALEX_REMATCHED : *date ? date : NULL;
  if (r->rematched && (o->source == NULL || strcmp (o->source, "openalex") == 0)
      && !copub_store_count_fetched_before (store, "openalex", r->rematched, o->from, o->to,
                                            o->types ? o->types
                                                     : copub_analyse_default_types,
                                            &r->stale, error))
    {
      g_clear_pointer (&r->counts, g_ptr_array_unref);
      return FALSE;
    }
  return TRUE;
}

gboolean
copub_report_write (CopubStore *store, const CopubAnalyseOptions *options,
                    const CopubReportOptions *report, const char *out_dir,
                    GPtrArray **out_files, GError **error)
{
  const CopubReportOptions defaults = COPUB_REPORT_OPTIONS_INIT;
  g_autoptr(CopubPlotData) data = NULL;
  g_autoptr(GError) chart_error = NULL;
  Report r = { 0 };
  const char *previous_lang;
  gboolean ok;

  if (out_files)
    *out_files = NULL;
  report = report ? report : &defaults;
  data = copub_plot_data_compute (store, options, report->period_from, report->period_to,
                                  error);
  if (data == NULL)
    return FALSE;
  if (!data->has_headline)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_FAILED, "%s", data->headline_problem);
      return FALSE;
    }
  r.data = data;
  r.options = options;
  r.report = report;
  r.headline = copub_analyse_headline_sentence (&data->headline, options, report->institution);
  r.blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  r.files = g_ptr_array_new_with_free_func (g_free);
  if (!source_facts (&r, store, error) || !compute_variants (&r, store, error))
    {
      report_clear (&r);
      return FALSE;
    }
  if (!draw_charts (&r, out_dir, &chart_error))
    r.chart_error = g_strdup (chart_error->message);
  previous_lang = copub_words_use (data->lang);
  ok = write_csvs (&r, out_dir, error) && write_documents (&r, out_dir, error);
  copub_words_use (previous_lang);
  if (ok && chart_error)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&chart_error),
                                  "the report was written without charts: ");
      ok = FALSE;
    }
  if (out_files)
    *out_files = g_ptr_array_ref (r.files);
  report_clear (&r);
  return ok;
}
