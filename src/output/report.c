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
#include "copub/plot.h"
#include "copub/report.h"

#ifndef COPUB_VERSION
#define COPUB_VERSION "unknown"
#endif

/* Below these, the report warns. */
#define SMALL_HEADLINE_N 100 /* works behind the headline */
#define SMALL_YEAR_N 50      /* works in a year */
#define SMALL_COUNTRY_N 10   /* co-publications with a top country */
#define LOW_COVERAGE 0.80    /* share of authorships with a known country */
#define TOP_COUNTRY_ROWS 20
/* The SVG charts inlined in the HTML: sized for a page column. */
#define SVG_WIDTH 960
#define SVG_HEIGHT 540

/* The English or French text; a macro so that the compiler checks both as formats. */
#define tr(r, en_text, fr_text) ((r)->fr ? (fr_text) : (en_text))

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

/* ---- numbers as people read them ---------------------------------------------------- */

static char *
fmt_int (gint64 n, gboolean fr)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, fr ? "\u202f" : ",");
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static char *
fmt_real (double v, int decimals, gboolean fr)
{
  char *s;

  if (!isfinite (v))
    return g_strdup ("–");
  s = g_strdup_printf ("%.*f", decimals, v);
  if (fr)
    g_strdelimit (s, ".", ',');
  return s;
}

/* 0.4721 -> "47.2%" or "47,2 %". */
static char *
fmt_pct (double share, gboolean fr)
{
  g_autofree char *number = fmt_real (100 * share, 1, fr);

  if (!isfinite (share))
    return g_strdup ("–");
  return g_strconcat (number, fr ? "\u202f%" : "%", NULL);
}

static char *
fmt_interval (double low, double high, gboolean fr)
{
  g_autofree char *a = fmt_real (100 * low, 1, fr);
  g_autofree char *b = fmt_pct (high, fr);

  if (!isfinite (low) || !isfinite (high))
    return g_strdup ("–");
  return g_strdup_printf ("%s–%s", a, b);
}

static char *
fmt_period (int from, int to)
{
  return from == to ? g_strdup_printf ("%d", from) : g_strdup_printf ("%d–%d", from, to);
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
  g_free (b);
}

typedef struct {
  const CopubPlotData *data;
  const CopubAnalyseOptions *options;
  const CopubReportOptions *report;
  gboolean fr;
  char *headline;                      /* the sentence */
  GPtrArray *blocks;                   /* of Block */
  GPtrArray *charts;                   /* CopubChart (PNG) from copub_plot_draw, or NULL */
  char *svg[COPUB_N_CHARTS];           /* the same charts as SVG, or NULL */
  char *chart_error;                   /* why there are no charts, or NULL */
  GPtrArray *files;                    /* paths written */
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
  return copub_analyse_types_in_words (r->options->types, r->fr ? "fr" : "en");
}

static char *
years_text (const Report *r)
{
  const CopubPlotData *d = r->data;
  int from = r->options->from ? r->options->from : d->first_year;
  int to = r->options->to ? r->options->to : d->last_year;

  return fmt_period (from, to);
}

static void
section_headline (Report *r)
{
  const char *inst = r->report->institution;
  g_autofree char *title = NULL;

  if (inst && *inst)
    title = g_strdup_printf (tr (r, "International co-publication: %s",
                                 "Co-publications internationales : %s"), inst);
  else
    title = g_strdup (tr (r, "International co-publication", "Co-publications internationales"));
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

  heading (r, "definitions", tr (r, "What the figures mean", "Ce que mesurent les chiffres"));
  b = add_block (r, BLOCK_DEFS, NULL, NULL);
  definition (b, tr (r, "Corpus", "Corpus"), g_strdup_printf (
      tr (r, "the works the sources attribute to the institution, published in %s, of these "
             "types: %s. Retracted works and paratext (tables of contents, front matter) are "
             "left out.",
          "les publications que les sources attribuent à l'établissement, parues en %s, de "
          "ces types : %s. Les publications rétractées et le paratexte (sommaires, pages "
          "liminaires) sont exclus."), years, types));
  definition (b, tr (r, "Countries of a work", "Pays d'une publication"), g_strdup (
      tr (r, "the countries of all its authors' affiliations, put together.",
          "les pays de toutes les affiliations de ses auteurs, réunis.")));
  if (home)
    definition (b, tr (r, "International", "Internationale"), g_strdup_printf (
        tr (r, "a work with at least one co-author affiliated outside %s.",
            "une publication dont au moins un co-auteur est affilié hors de %s (%s)."),
        home, r->options->home));
  else
    definition (b, tr (r, "International", "Internationale"), g_strdup (
        tr (r, "a work whose authors are affiliated in two countries or more.",
            "une publication dont les auteurs sont affiliés dans au moins deux pays.")));
  definition (b, tr (r, "Share", "Part"), g_strdup (
      tr (r, "international works divided by all the works of the corpus (n). A work whose "
             "foreign co-authors are not identified counts as not international, as in the "
             "Leiden Ranking and InCites: missing data can only lower the share.",
          "publications internationales divisées par toutes les publications du corpus (n). "
          "Une publication dont les co-auteurs étrangers ne sont pas identifiés compte comme "
          "non internationale, comme dans le classement de Leyde et InCites : les données "
          "manquantes ne peuvent que faire baisser la part.")));
  definition (b, tr (r, "95 % interval", "Intervalle à 95 %"), g_strdup (
      tr (r, "the Wilson score interval of the share: its uncertainty from n alone, the "
             "year's works taken as a sample of what the institution publishes. It is wide "
             "when n is small. It does not cover the unknown countries: the ceiling does.",
          "l'intervalle de Wilson de la part : son incertitude due à n seul, les publications "
          "de l'année vues comme un échantillon de ce que publie l'établissement. Il est "
          "large quand n est petit. Il ne couvre pas les pays inconnus : le plafond s'en "
          "charge.")));
  definition (b, tr (r, "Ceiling", "Plafond"), g_strdup (
      tr (r, "the share if every work with an authorship of unknown country were "
             "international. The share (the floor) and the ceiling bound what complete "
             "country data would give.",
          "la part si toutes les publications ayant une signature de pays inconnu étaient "
          "internationales. La part (le plancher) et le plafond encadrent ce que donneraient "
          "des pays tous connus.")));
  definition (b, tr (r, "Coverage", "Couverture"), g_strdup (
      tr (r, "the share of authorships whose country is known. Below 100 %, the share may "
             "be underestimated, by at most the gap to the ceiling.",
          "la part des signatures dont le pays est connu. En dessous de 100 %, la part peut "
          "être sous-estimée, au plus de l'écart au plafond.")));
  definition (b, tr (r, "Full and fractional counting", "Comptes entier et fractionnaire"),
              g_strdup (
      tr (r, "full: a work counts once for every country among its co-authors; fractional: "
             "each work counts 1 in all, shared equally between its authorships with a known "
             "country, and each authorship's part between its countries.",
          "entier : une publication compte une fois pour chaque pays de ses co-auteurs ; "
          "fractionnaire : chaque publication compte 1 au total, partagé également entre ses "
          "signatures de pays connu, et la part de chaque signature entre ses pays.")));
  definition (b, tr (r, "Theme", "Thème"), g_strdup (
      r->data->themes_mapped
          ? tr (r, "the institution's theme, from its theme map over the OpenAlex field or "
                   "domain of the work's primary topic (HAL: its domain).",
                "le thème de l'établissement, d'après sa table de correspondance avec le "
                "champ ou le domaine OpenAlex du sujet principal (HAL : son domaine).")
          : tr (r, "the OpenAlex field of the work's primary topic (HAL: its domain).",
                "le champ OpenAlex du sujet principal de la publication (HAL : son domaine).")));
  if (r->options->partners)
    definition (b, tr (r, "Strategic partners", "Partenaires stratégiques"), g_strdup (
        tr (r, "the institutions of the partner file; a co-publication has at least one "
               "author affiliated with the partner.",
            "les établissements du fichier de partenaires ; une co-publication a au moins "
            "un auteur affilié au partenaire.")));
}

static const char *
source_name (const char *source)
{
  if (g_strcmp0 (source, "openalex") == 0)
    return "OpenAlex";
  if (g_strcmp0 (source, "hal") == 0)
    return "HAL";
  return source;
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

static void
section_corpus (Report *r)
{
  const CopubPlotData *d = r->data;
  g_autofree char *types = types_text (r);
  g_autofree char *years = years_text (r);
  g_autofree char *n = fmt_int (d->works, r->fr);
  Block *b;

  heading (r, "corpus", tr (r, "The corpus", "Le corpus"));
  para (r, NULL, tr (r, "%s works published in %s, of these types: %s.",
                     "%s publications parues en %s, de ces types : %s."), n, years, types);
  b = table (r, g_strdup (tr (r, "Sources", "Sources")), 0x6);
  row (b, g_strdup (tr (r, "Source", "Source")),
       g_strdup (tr (r, "In the corpus", "Dans le corpus")),
       g_strdup (tr (r, "In the store", "Dans la base")),
       g_strdup (tr (r, "Harvested", "Moissonné")), NULL);
  for (guint i = 0; d->source_stats && i < d->source_stats->len; i++)
    {
      const CopubSourceStats *s = d->source_stats->pdata[i];
      char *dates = strncmp (s->first_stored, s->last_stored, 10) == 0
                        ? g_strndup (s->last_stored, 10)
                        : g_strdup_printf ("%.10s – %.10s", s->first_stored, s->last_stored);
      row (b, g_strdup (source_name (s->source)), fmt_int (corpus_works (r, s->source), r->fr),
           fmt_int (s->works, r->fr), dates, NULL);
    }
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
  g_autofree char *period = fmt_period (h->from, h->to);
  g_autofree char *coverage = fmt_pct (h->coverage, r->fr);
  g_autofree char *floor = fmt_pct (h->share, r->fr);
  g_autofree char *ceiling = fmt_pct (ratio (c->ceiling, c->works), r->fr);
  g_autofree char *gaps_share = fmt_pct (ratio (c->works - c->complete, c->works), r->fr);
  g_autofree char *gaps = fmt_int (c->works - c->complete, r->fr);
  g_autofree char *works = fmt_int (c->works, r->fr);
  g_autofree char *ci = fmt_interval (h->low, h->high, r->fr);
  g_autofree char *as_home = home
      ? g_strdup_printf (tr (r, "every unknown country taken as the home country, %s",
                                "chaque pays inconnu supposé être celui de l'établissement, "
                                "%s"), home)
      : g_strdup (tr (r, "every unknown country taken as one already known",
                      "chaque pays inconnu compté comme l'un de ceux déjà connus"));

  if (c->complete == c->works)
    {
      para (r, NULL, tr (r, "In %s, every authorship of the %s works has a known country: "
                            "the share of %s has no gap to bound.",
                         "En %s, toutes les signatures des %s publications ont un pays "
                         "connu : la part de %s n'a pas de lacune à borner."),
            period, works, floor);
      return;
    }
  para (r, NULL, tr (r, "In %s, %s of the authorships have a known country, but %s of the "
                        "works (%s of %s) have at least one authorship whose country is "
                        "unknown (or no authorship listed). The share counts them as not "
                        "international unless a foreign country is known, so %s is a floor "
                        "(%s). If all %s were international, the share would be %s: the "
                        "ceiling. With complete data, and the known countries right, the share "
                        "would lie between %s and %s.",
                     "En %s, %s des signatures ont un pays connu, mais %s des publications "
                     "(%s sur %s) ont au moins une signature de pays inconnu (ou aucune "
                     "signature). La part les compte comme non internationales sauf si un pays "
                     "étranger est connu : %s est donc un plancher (%s). Si ces %s étaient "
                     "toutes internationales, la part serait de %s : le plafond. Avec des "
                     "données complètes, et les pays connus exacts, la part serait comprise "
                     "entre %s et %s."),
        period, coverage, gaps_share, gaps, works, floor, as_home, gaps, ceiling, floor,
        ceiling);
  para (r, NULL, tr (r, "The 95 %% interval, %s, is the floor's: it measures the uncertainty "
                        "that comes from n, not the one from the unknown countries.",
                     "L'intervalle à 95 %%, %s, est celui du plancher : il mesure "
                     "l'incertitude due à n, pas celle due aux pays inconnus."), ci);
}

/* The share among complete works, for what it is. */
static void
coverage_complete (Report *r, const PeriodCounts *c)
{
  double among_complete = ratio (c->complete_international, c->complete);
  double among_gaps = ratio (c->international - c->complete_international,
                             c->works - c->complete);
  g_autofree char *complete_n = fmt_int (c->complete, r->fr);
  g_autofree char *complete_share = fmt_pct (among_complete, r->fr);
  g_autofree char *gaps_n = fmt_int (c->works - c->complete, r->fr);
  g_autofree char *gaps_share = fmt_pct (among_gaps, r->fr);

  if (c->complete == 0 || c->complete == c->works)
    return;
  para (r, NULL, tr (r, "Among the %s works all of whose authorships have a known country, "
                        "the share is %s; among the %s others, counting only their known "
                        "countries, it is %s%s. The share among complete works describes "
                        "those works only: it is neither a bound nor an estimate of the share "
                        "with complete data.",
                     "Parmi les %s publications dont toutes les signatures ont un pays connu, "
                     "la part est de %s ; parmi les %s autres, en ne comptant que leurs pays "
                     "connus, elle est de %s%s. La part parmi les publications "
                     "complètes ne décrit qu'elles : ce n'est ni une borne ni une estimation "
                     "de la part avec des données complètes."),
        complete_n, complete_share, gaps_n, gaps_share,
        among_gaps > among_complete
            ? tr (r, " (already higher: the works with gaps are not like the others)",
                  " (déjà plus élevée : les publications lacunaires ne ressemblent pas aux "
                  "autres)")
            : "");
}

static void
section_coverage (Report *r)
{
  PeriodCounts c;

  period_counts (r, &c);
  heading (r, "coverage", tr (r, "Coverage", "Couverture"));
  coverage_bounds (r, &c);
  coverage_complete (r, &c);
}

static void
table_years (Report *r)
{
  const CopubIndicators *t = r->data->years;
  Block *b = table (r, g_strdup (tr (r, "International co-publication per year",
                                     "Co-publications internationales par année")), 0x1FE);

  row (b, g_strdup (tr (r, "Year", "Année")), g_strdup (tr (r, "Works (n)", "Publications (n)")),
       g_strdup (tr (r, "International", "Internationales")), g_strdup (tr (r, "Share", "Part")),
       g_strdup (tr (r, "95 % interval", "Intervalle à 95 %")),
       g_strdup (tr (r, "Coverage", "Couverture")),
       g_strdup (tr (r, "Complete works", "Publications complètes")),
       g_strdup (tr (r, "Share among complete", "Part parmi les complètes")),
       g_strdup (tr (r, "Ceiling", "Plafond")), NULL);
  for (guint i = 0; i < copub_indicators_n_cells (t); i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      double low, high;
      copub_cell_share_interval (c, &low, &high);
      row (b, g_strdup_printf ("%d", c->year), fmt_int (c->works, r->fr),
           fmt_int (c->international, r->fr), fmt_pct (copub_cell_share (c), r->fr),
           fmt_interval (low, high, r->fr), fmt_pct (copub_cell_coverage (c), r->fr),
           fmt_int (c->complete, r->fr), fmt_pct (copub_cell_share_complete (c), r->fr),
           fmt_pct (copub_cell_share_max (c), r->fr), NULL);
    }
}

static void
table_countries (Report *r)
{
  const CopubIndicators *t = r->data->countries;
  g_autofree char *period = fmt_period (r->data->period_from, r->data->period_to);
  guint n = MIN (copub_indicators_n_cells (t), TOP_COUNTRY_ROWS);
  Block *b;

  if (n == 0)
    return;
  b = table (r, g_strdup_printf (tr (r, "Top partner countries, %s", "Principaux pays "
                                     "partenaires, %s"), period), 0x3D);
  row (b, g_strdup (tr (r, "Rank", "Rang")), g_strdup (tr (r, "Country", "Pays")),
       g_strdup (tr (r, "Works", "Publications")),
       g_strdup (tr (r, "Share of all works", "Part de toutes les publications")),
       g_strdup (tr (r, "Fractional count", "Compte fractionnaire")),
       g_strdup (tr (r, "Fractional share", "Part fractionnaire")), NULL);
  for (guint i = 0; i < n; i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      row (b, copub_rank_text (c->rank, c->tied),
           g_strdup (copub_indicators_country_name (t, c)), fmt_int (c->works, r->fr),
           fmt_pct (copub_cell_share (c), r->fr),
           fmt_real (copub_fraction_to_double (c->fractional), 1, r->fr),
           fmt_pct (copub_cell_fractional_share (c), r->fr), NULL);
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
  b = table (r, g_strdup_printf (tr (r, "International co-publication by theme, %s",
                                     "Co-publications internationales par thème, %s"), years),
             0x3E);
  row (b, g_strdup (tr (r, "Theme", "Thème")), g_strdup (tr (r, "Works (n)", "Publications (n)")),
       g_strdup (tr (r, "International", "Internationales")), g_strdup (tr (r, "Share", "Part")),
       g_strdup (tr (r, "95 % interval", "Intervalle à 95 %")),
       g_strdup (tr (r, "Coverage", "Couverture")), NULL);
  for (guint i = 0; i < copub_indicators_n_cells (t); i++)
    {
      const CopubCell *c = copub_indicators_cell (t, i);
      double low, high;
      copub_cell_share_interval (c, &low, &high);
      row (b, g_strdup (c->theme), fmt_int (c->works, r->fr),
           fmt_int (c->international, r->fr), fmt_pct (copub_cell_share (c), r->fr),
           fmt_interval (low, high, r->fr), fmt_pct (copub_cell_coverage (c), r->fr), NULL);
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
  b = table (r, rolling ? g_strdup_printf (tr (r, "Co-publications with the strategic partners, "
                                                  "rolling %u-year periods; the most "
                                                  "co-publications over all years first",
                                               "Co-publications avec les partenaires "
                                               "stratégiques, périodes glissantes de %u ans ; "
                                               "par co-publications sur toutes les années, "
                                               "décroissantes"),
                                           d->window)
                        : g_strdup (tr (r, "Co-publications with the strategic partners; the "
                                           "most co-publications first",
                                        "Co-publications avec les partenaires stratégiques ; "
                                        "par co-publications, décroissantes")),
             ~(guint64) 1);
  header = g_ptr_array_new ();
  g_ptr_array_add (header, g_strdup (tr (r, "Partner", "Partenaire")));
  for (int y = d->trend_first; y <= d->last_year; y++)
    g_ptr_array_add (header, fmt_period (y - (int) d->window + 1, y));
  if (!rolling)
    g_ptr_array_add (header, g_strdup (tr (r, "Total", "Total")));
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
          g_ptr_array_add (cells, fmt_int (works, r->fr));
        }
      if (!rolling)
        g_ptr_array_add (cells, fmt_int (total, r->fr));
      row_array (b, cells);
    }
}

static void
section_tables (Report *r)
{
  heading (r, "tables", tr (r, "Tables", "Tableaux"));
  para (r, "note", "%s", tr (r, "The same tables, and a few more, are in the CSV files beside "
                                "this report.",
                             "Les mêmes tableaux, et quelques autres, sont dans les fichiers CSV "
                             "à côté de ce rapport."));
  table_years (r);
  table_countries (r);
  table_themes (r);
  table_partners (r);
}

static void
section_charts (Report *r)
{
  heading (r, "charts", tr (r, "Charts", "Graphiques"));
  if (r->charts == NULL)
    {
      para (r, "warning", tr (r, "The charts could not be drawn: %s",
                              "Les graphiques n'ont pas pu être tracés : %s"), r->chart_error);
      return;
    }
  for (guint k = 0; k < r->charts->len; k++)
    {
      const CopubChart *c = r->charts->pdata[k];
      Block *b;
      /* Without a partner file there is no partner chart to speak of. */
      if (c->path == NULL && (c->kind != COPUB_CHART_PARTNERS || r->options->partners))
        para (r, "note", tr (r, "Chart not drawn, “%s”: %s.",
                             "Graphique non tracé, « %s » : %s."), c->title, c->note);
      if (c->path == NULL)
        continue;
      b = add_block (r, BLOCK_FIGURE, NULL, g_strdup (c->title));
      b->id = g_strconcat ("chart-", copub_chart_name (c->kind), NULL);
      b->svg = g_strdup (r->svg[c->kind]);
      b->png = g_path_get_basename (c->path);
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
          g_autofree char *c = fmt_pct (copub_cell_coverage (cell), r->fr);
          g_string_append_printf (low, "%s%d (%s)", low->len ? ", " : "", year, c);
        }
    }
  if (small->len)
    item (b, tr (r, "Few works in %s: fewer than %d, so the yearly share moves by chance and "
                    "its interval is wide.",
                 "Peu de publications en %s : moins de %d, la part annuelle varie donc au "
                 "hasard et son intervalle est large."), small->str, SMALL_YEAR_N);
  if (low->len)
    item (b, tr (r, "Low coverage in %s: the share of these years is probably "
                    "underestimated.",
                 "Couverture faible en %s : la part de ces années est probablement "
                 "sous-estimée."), low->str);
}

static void
warn_headline (Report *r, Block *b)
{
  const CopubHeadline *h = &r->data->headline;
  g_autofree char *width = fmt_real (100 * (h->high - h->low), 1, r->fr);
  g_autofree char *coverage = fmt_pct (h->coverage, r->fr);

  if (h->works < SMALL_HEADLINE_N)
    item (b, tr (r, "The headline rests on only %" G_GINT64_FORMAT " works: its 95 %% interval "
                    "spans %s points.",
                 "Le chiffre clé ne repose que sur %" G_GINT64_FORMAT " publications : son "
                 "intervalle à 95 %% couvre %s points."), h->works, width);
  if (h->coverage < LOW_COVERAGE)
    item (b, tr (r, "Only %s of the headline period's authorships have a known country: the "
                    "headline share is probably underestimated.",
                 "Seules %s des signatures de la période ont un pays connu : la part est "
                 "probablement sous-estimée."), coverage);
}

static void
warn_countries (Report *r, Block *b)
{
  const CopubIndicators *t = r->data->countries;
  guint n = MIN (copub_indicators_n_cells (t), TOP_COUNTRY_ROWS), few = 0;
  g_autofree char *period = fmt_period (r->data->period_from, r->data->period_to);

  for (guint i = 0; i < n; i++)
    few += copub_indicators_cell (t, i)->works < SMALL_COUNTRY_N;
  if (few > 0)
    item (b, tr (r, "%u of the top partner countries of %s have fewer than %d co-publications: "
                    "their rank is fragile.",
                 "%u des principaux pays partenaires de %s ont moins de %d co-publications : "
                 "leur rang est fragile."), few, period, SMALL_COUNTRY_N);
}

static void
section_warnings (Report *r)
{
  Block *b;

  heading (r, "warnings", tr (r, "Warnings", "Avertissements"));
  b = add_block (r, BLOCK_LIST, "warnings", NULL);
  if (r->data->synthetic)
    item (b, "%s", tr (r, "Synthetic data: copub's generated sample corpus, not real "
                          "publications.",
                       "Données synthétiques : le corpus d'exemple généré par copub, pas des "
                       "publications réelles."));
  warn_headline (r, b);
  warn_years (r, b);
  warn_countries (r, b);
  if (r->charts == NULL)
    item (b, tr (r, "No charts: %s", "Pas de graphiques : %s"), r->chart_error);
  if (b->items->len == 0)
    {
      g_ptr_array_remove (r->blocks, b);
      para (r, "note", tr (r, "None: every year has at least %d works and a coverage of at "
                             "least %d %%.",
                           "Aucun : chaque année compte au moins %d publications et une "
                           "couverture d'au moins %d %%."),
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
      g_autofree char *a = fmt_int (then->works, r->fr);
      g_autofree char *b = fmt_int (h->works, r->fr);
      g_string_append_printf (s, tr (r, " Its n went from %s to %s.", " Son n est passé de %s "
                                     "à %s."), a, b);
    }
  if (then->stored > 0 && then->stored != stored)
    {
      g_autofree char *a = fmt_int (then->stored, r->fr);
      g_autofree char *b = fmt_int (stored, r->fr);
      g_string_append_printf (s, tr (r, " The store went from %s to %s records.",
                                     " La base est passée de %s à %s notices."), a, b);
    }
  if (moved && s->len == 0 && then->stored > 0)
    g_string_append (s, tr (r, " Its n and the number of records in the store are the same: "
                               "records were updated, affiliations matched to countries anew, "
                               "or the options changed.",
                            " Son n et le nombre de notices de la base sont les mêmes : des "
                            "notices ont été mises à jour, des affiliations rattachées "
                            "autrement à leur pays, ou les options ont changé."));
  else if (moved && s->len == 0)
    g_string_append (s, tr (r, " Its n is the same: records were added or updated, "
                               "affiliations matched to countries anew, or the options "
                               "changed.",
                            " Son n est le même : des notices ont été ajoutées ou mises à "
                            "jour, des affiliations rattachées autrement à leur pays, ou les "
                            "options ont changé."));
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
  heading (r, "history", tr (r, "How the figure moved", "L'évolution du chiffre"));
  first = fmt_pct (o->history[0].share, r->fr);
  now = fmt_pct (h->share, r->fr);
  diff = fmt_real (100 * (h->share - o->history[0].share), 1, r->fr);
  moved = strcmp (first, now) != 0;
  changes = history_changes (r, &o->history[0], moved);
  if (moved)
    para (r, NULL, tr (r, "Since the run of %s, the headline moved from %s to %s (%s%s "
                          "points).%s",
                       "Depuis le calcul du %s, le chiffre clé est passé de %s à %s (%s%s "
                       "points).%s"),
          since, first, now, h->share >= o->history[0].share ? "+" : "", diff, changes);
  else
    para (r, NULL, tr (r, "Since the run of %s, the headline has not moved: %s.%s",
                       "Depuis le calcul du %s, le chiffre clé n'a pas bougé : %s.%s"),
          since, now, changes);
  b = table (r, g_strdup (tr (r, "Headline of past runs",
                              "Chiffre clé des calculs précédents")), 0x6);
  row (b, g_strdup (tr (r, "Run", "Calcul")), g_strdup (tr (r, "Share", "Part")),
       g_strdup ("n"), NULL);
  for (gsize i = 0; i < o->n_history; i++)
    row (b, fmt_run_date (o->history[i].date), fmt_pct (o->history[i].share, r->fr),
         fmt_int (o->history[i].works, r->fr), NULL);
  row (b, g_strdup (tr (r, "this report", "ce rapport")), fmt_pct (h->share, r->fr),
       fmt_int (h->works, r->fr), NULL);
}

static void
build_document (Report *r)
{
  section_headline (r);
  section_definitions (r);
  section_corpus (r);
  section_coverage (r);
  section_tables (r);
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
}

static void
html_figure (GString *out, const Block *b)
{
  g_autofree char *id = copub_report_html_escape (b->id);
  g_autofree char *prefix = g_strconcat (b->id, "-", NULL);
  g_autofree char *svg = copub_report_inline_svg (b->svg, prefix, b->text);

  g_string_append_printf (out, "<figure class=\"chart\" id=\"%s\">\n", id);
  if (svg)
    g_string_append (out, svg);
  /* No caption: the chart says its title, source and n itself. */
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
generated_line (const Report *r)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");

  return g_strdup_printf (tr (r, "Generated by copub %s on %s.", "Produit par copub %s le %s."),
                          COPUB_VERSION, date);
}

static char *
render_html (const Report *r)
{
  GString *out = g_string_new (NULL);
  const Block *title = r->blocks->pdata[0];
  g_autofree char *footer = generated_line (r);

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
  g_autofree char *footer = generated_line (r);

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

static void
drop_message (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain, (void) level, (void) message, (void) data;
}

static gboolean
write_csvs (Report *r, const char *dir, GError **error)
{
  const CopubPlotData *d = r->data;
  gboolean ok;
  /* copub_table_write() repeats each table's notes ("synthetic data") as messages for a
   * user reading CSV on stdout; eight files would say it eight times, and the report
   * says it already. */
  guint handler = g_log_set_handler (NULL, G_LOG_LEVEL_MESSAGE, drop_message, NULL);

  ok = write_csv (r, dir, "year.csv", d->years, error)
         && write_csv (r, dir, "theme.csv", d->themes, error)
         && write_csv (r, dir, "theme-year.csv", d->theme_years, error)
         && write_csv (r, dir, "country.csv", d->countries, error)
         && write_csv (r, dir, "country-year.csv", d->country_years, error)
         && write_csv (r, dir, "theme-country.csv", d->theme_countries, error)
         && write_csv (r, dir, "source.csv", d->sources, error)
         && (d->partner_years == NULL
             || write_csv (r, dir, "partner-year.csv", d->partner_years, error));
  g_log_remove_handler (NULL, handler);
  return ok;
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
  g_ptr_array_unref (r->blocks);
  if (r->charts)
    g_ptr_array_unref (r->charts);
  for (guint k = 0; k < COPUB_N_CHARTS; k++)
    g_free (r->svg[k]);
  g_free (r->chart_error);
  g_ptr_array_unref (r->files);
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

gboolean
copub_report_write (CopubStore *store, const CopubAnalyseOptions *options,
                    const CopubReportOptions *report, const char *out_dir,
                    GPtrArray **out_files, GError **error)
{
  const CopubReportOptions defaults = COPUB_REPORT_OPTIONS_INIT;
  g_autoptr(CopubPlotData) data = NULL;
  g_autoptr(GError) chart_error = NULL;
  Report r = { 0 };
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
  r.fr = g_strcmp0 (data->lang, "fr") == 0;
  r.headline = copub_analyse_headline_sentence (&data->headline, options, report->institution);
  r.blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  r.files = g_ptr_array_new_with_free_func (g_free);
  if (!draw_charts (&r, out_dir, &chart_error))
    r.chart_error = g_strdup (chart_error->message);
  ok = write_csvs (&r, out_dir, error) && write_documents (&r, out_dir, error);
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
