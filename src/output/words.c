/* copub: the words of the outputs (see words.h): the language, the catalogue lookups,
 * numbers as people read them, and the sentences the analysis says. */
#include "output/words.h"

#include <math.h>
#include <string.h>

#include "copub/analyse.h"
#include "base/datadir.h"
#include "base/l10n.h"

static struct {
  const char *lang;  /* "en" or a language with a catalogue */
  char *locale_dir;  /* NULL: copub_locale_dir() */
  gboolean bound;
  gboolean warned;
} words = { "en", NULL, FALSE, FALSE };

void
copub_words_set_locale_dir (const char *dir)
{
  g_free (words.locale_dir);
  words.locale_dir = g_strdup (dir);
  words.bound = FALSE;
  words.warned = FALSE;
}

/* Binds the text domain once; TRUE when @lang has a catalogue there. */
static gboolean
catalogue_found (const char *lang)
{
  g_autofree char *dir = words.locale_dir ? g_strdup (words.locale_dir) : copub_locale_dir ();

  if (!words.bound)
    {
      copub_l10n_bind (COPUB_TEXT_DOMAIN, dir);
      words.bound = TRUE;
    }
  if (copub_l10n_has_catalogue (COPUB_TEXT_DOMAIN, dir, lang))
    return TRUE;
  if (!words.warned)
    g_warning ("no '%s' catalogue of copub in '%s' (copub.mo): the text stays in English",
               lang, dir);
  words.warned = TRUE;
  return FALSE;
}

const char *
copub_words_use (const char *lang)
{
  const char *previous = words.lang;

  if (g_strcmp0 (lang, "fr") == 0 && (strcmp (previous, "fr") == 0 || catalogue_found ("fr")))
    words.lang = "fr";
  else
    words.lang = "en";
  return previous;
}

const char *
copub_words_lang (void)
{
  return words.lang;
}

const char *
copub_words_gettext (const char *msgid)
{
  const char *t;

  if (strcmp (words.lang, "en") == 0)
    return msgid;
  t = copub_l10n_lookup (COPUB_TEXT_DOMAIN, words.lang, msgid);
  return t ? t : msgid;
}

const char *
copub_words_pgettext (const char *key, const char *msgid)
{
  const char *t;

  if (strcmp (words.lang, "en") == 0)
    return msgid;
  t = copub_l10n_lookup (COPUB_TEXT_DOMAIN, words.lang, key);
  return t ? t : msgid;
}

/* ---- numbers ------------------------------------------------------------------------ */

const char *
copub_words_decimal_sign (void)
{
  return C_("decimal sign", ".");
}

char *
copub_words_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                             n < 0 ? -(guint64) n : (guint64) n);
  const char *separator = C_("thousands separator", ",");
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

char *
copub_words_real (double v, int decimals)
{
  char format[16];
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  GString *out;

  if (!isfinite (v))
    return g_strdup ("–");
  g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 9));
  g_ascii_formatd (buf, sizeof buf, format, v);
  out = g_string_new (buf);
  g_string_replace (out, ".", copub_words_decimal_sign (), 1);
  return g_string_free (out, FALSE);
}

char *
copub_words_percent (double share)
{
  g_autofree char *number = copub_words_real (100 * share, 1);

  if (!isfinite (share))
    return g_strdup ("–");
  /* TRANSLATORS: a percentage; %s is the number. */
  return g_strdup_printf (C_("percentage", "%s%%"), number);
}

char *
copub_words_interval (double low, double high)
{
  g_autofree char *a = copub_words_real (100 * low, 1);
  g_autofree char *b = copub_words_percent (high);

  if (!isfinite (low) || !isfinite (high))
    return g_strdup ("–");
  return g_strdup_printf ("%s–%s", a, b);
}

char *
copub_words_period (int from, int to)
{
  return from == to ? g_strdup_printf ("%d", from) : g_strdup_printf ("%d–%d", from, to);
}

char *
copub_words_percent_format (const char *number_format)
{
  g_autofree char *shown = g_strdup_printf (C_("percentage", "%s%%"), number_format);
  GString *out = g_string_new (shown);

  /* The number's own format stays; the percent sign becomes "%%" again. */
  g_string_replace (out, "%", "%%", 0);
  g_string_replace (out, "%%g", "%g", 1);
  return g_string_free (out, FALSE);
}

/* ---- names -------------------------------------------------------------------------- */

const char *
copub_words_source_name (const char *source)
{
  if (g_strcmp0 (source, "openalex") == 0)
    return "OpenAlex";
  if (g_strcmp0 (source, "hal") == 0)
    return "HAL";
  return source;
}

/* OpenAlex's document types (HAL's are mapped to them), in the plural. */
static const struct { const char *type, *words; } type_words[] = {
  { "article", N_("articles") },
  { "review", N_("reviews") },
  { "book-chapter", N_("book chapters") },
  { "book", N_("books") },
  { "conference-paper", N_("conference papers") },
  { "preprint", N_("preprints") },
  { "dissertation", N_("theses") },
  { "dataset", N_("datasets") },
  { "report", N_("reports") },
  { "letter", N_("letters") },
  { "editorial", N_("editorials") },
  { "erratum", N_("errata") },
  { "peer-review", N_("peer reviews") },
  { "standard", N_("standards") },
  { "reference-entry", N_("reference entries") },
  { "supplementary-materials", N_("supplementary materials") },
  { "grant", N_("grants") },
  { "other", N_("other works") },
};

const char *const copub_words_document_types[] = {
  "article", "review", "book-chapter", "book", "conference-paper", "preprint",
  "dissertation", "dataset", "report", "letter", "editorial", "erratum", "peer-review",
  "standard", "reference-entry", "supplementary-materials", "grant", "other", NULL,
};

const char *
copub_words_document_type (const char *type)
{
  for (gsize k = 0; k < G_N_ELEMENTS (type_words); k++)
    if (g_strcmp0 (type, type_words[k].type) == 0)
      return _(type_words[k].words);
  return NULL;
}

static char *
types_in_words (const char *const *types)
{
  GString *out = g_string_new (NULL);
  guint n;

  if (types == NULL)
    types = copub_analyse_default_types;
  if (types[0] && strcmp (types[0], "all") == 0)
    {
      g_string_free (out, TRUE);
      return g_strdup (_("all document types"));
    }
  n = g_strv_length ((char **) types);
  for (guint i = 0; i < n; i++)
    {
      const char *word = copub_words_document_type (types[i]);
      if (i > 0)
        g_string_append (out, i + 1 < n ? ", " : C_("the last of a list", " and "));
      g_string_append (out, word ? word : types[i]);
    }
  return g_string_free (out, FALSE);
}

char *
copub_analyse_types_in_words (const char *const *types, const char *lang)
{
  const char *previous = copub_words_use (lang);
  char *text = types_in_words (types);

  copub_words_use (previous);
  return text;
}

/* ---- the share in words ------------------------------------------------------------- */

/* The simple fractions a share is said as, each about, nearly and more than. */
typedef struct {
  double value;
  gboolean singular; /* the phrase takes a singular verb */
  const char *about, *nearly, *more;
} Fraction;

static const Fraction fractions[] = {
  { 1.0 / 10, TRUE, N_("about one publication in ten"), N_("nearly one publication in ten"),
    N_("more than one publication in ten") },
  { 1.0 / 5, TRUE, N_("about one publication in five"), N_("nearly one publication in five"),
    N_("more than one publication in five") },
  { 1.0 / 4, TRUE, N_("about one publication in four"), N_("nearly one publication in four"),
    N_("more than one publication in four") },
  { 1.0 / 3, TRUE, N_("about one publication in three"),
    N_("nearly one publication in three"), N_("more than one publication in three") },
  { 2.0 / 5, FALSE, N_("about two publications in five"),
    N_("nearly two publications in five"), N_("more than two publications in five") },
  { 1.0 / 2, TRUE, N_("about one publication in two"), N_("nearly one publication in two"),
    N_("more than one publication in two") },
  { 3.0 / 5, FALSE, N_("about three publications in five"),
    N_("nearly three publications in five"), N_("more than three publications in five") },
  { 2.0 / 3, FALSE, N_("about two publications in three"),
    N_("nearly two publications in three"), N_("more than two publications in three") },
  { 3.0 / 4, FALSE, N_("about three publications in four"),
    N_("nearly three publications in four"), N_("more than three publications in four") },
  { 4.0 / 5, FALSE, N_("about four publications in five"),
    N_("nearly four publications in five"), N_("more than four publications in five") },
  { 9.0 / 10, FALSE, N_("about nine publications in ten"),
    N_("nearly nine publications in ten"), N_("more than nine publications in ten") },
};

/* The share in words, and whether the phrase takes a singular verb. */
static const char *
share_in_words (double share, gboolean *singular)
{
  const Fraction *nearest = &fractions[0], *below = NULL;

  *singular = FALSE;
  if (!isfinite (share))
    return _("an unknown share of publications");
  *singular = TRUE;
  if (share < 0.075)
    return _("fewer than one publication in ten");
  *singular = FALSE;
  if (share > 0.95)
    return _("almost all publications");
  for (guint i = 0; i < G_N_ELEMENTS (fractions); i++)
    {
      if (fabs (fractions[i].value - share) < fabs (nearest->value - share))
        nearest = &fractions[i];
      if (fractions[i].value <= share)
        below = &fractions[i];
    }
  /* Within a percentage point: "about"; a little under: "nearly"; otherwise say it
   * exceeds the largest fraction it passes: "more than". Never round up silently. */
  *singular = nearest->singular;
  if (fabs (nearest->value - share) <= 0.01)
    return _(nearest->about);
  if (nearest->value > share && nearest->value - share <= 0.05)
    return _(nearest->nearly);
  if (below == NULL)
    below = &fractions[0];
  *singular = below->singular;
  return _(below->more);
}

char *
copub_analyse_share_in_words (double share, const char *lang)
{
  const char *previous = copub_words_use (lang);
  gboolean singular;
  char *text = g_strdup (share_in_words (share, &singular));

  copub_words_use (previous);
  return text;
}

/* ---- the headline ------------------------------------------------------------------- */

static char *
headline_sentence (const CopubHeadline *h, const CopubAnalyseOptions *o,
                   const char *institution)
{
  gboolean singular;
  const char *words_text = share_in_words (h->share, &singular);
  g_autofree char *pct = copub_words_real (100 * h->share, 1);
  g_autofree char *low = copub_words_real (100 * h->low, 1);
  g_autofree char *high = copub_words_real (100 * h->high, 1);
  /* The headline's period has a hyphen, the tables' an en dash. */
  g_autofree char *period = h->from == h->to ? g_strdup_printf ("%d", h->from)
                                             : g_strdup_printf ("%d-%d", h->from, h->to);
  g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, h->works);
  g_autofree char *types = types_in_words (o->types);
  g_autofree char *of = institution ? g_strdup_printf (_(" of %s"), institution) : g_strdup ("");
  g_autofree char *definition
      = o->home ? g_strdup_printf (_("at least one co-author outside %s"), o->home)
                : g_strdup (_("authors in two countries or more"));
  gboolean one_year = h->from == h->to;
  /* One form for each of a year or a period, and a singular or plural subject. */
  char *sentence = g_strdup_printf (
      one_year && singular
          ? C_("headline, one year, singular",
               "In %s, %s%s was co-authored with an international partner: %s%% "
               "(95%% CI %s–%s%%, n = %s; %s; international = %s).%s")
      : one_year
          ? C_("headline, one year, plural",
               "In %s, %s%s were co-authored with an international partner: %s%% "
               "(95%% CI %s–%s%%, n = %s; %s; international = %s).%s")
      : singular
          ? C_("headline, period, singular",
               "In %s, %s%s was co-authored with an international partner: %s%% "
               "(95%% CI %s–%s%%, n = %s; %s; international = %s).%s")
          : C_("headline, period, plural",
               "In %s, %s%s were co-authored with an international partner: %s%% "
               "(95%% CI %s–%s%%, n = %s; %s; international = %s).%s"),
      period, words_text, of, pct, low, high, n, types, definition,
      h->synthetic ? _(" Synthetic data.") : "");

  sentence[0] = g_ascii_toupper (sentence[0]);
  return sentence;
}

char *
copub_analyse_headline_sentence (const CopubHeadline *h, const CopubAnalyseOptions *o,
                                 const char *institution)
{
  const char *previous = copub_words_use (o->lang);
  char *sentence = headline_sentence (h, o, institution);

  copub_words_use (previous);
  return sentence;
}

/* The built-in country groups (data/regions.tsv), as the file names them. */
static const char *const region_words[] = {
  N_("EU-27"), N_("Africa"), N_("Americas"), N_("Asia"), N_("Europe"), N_("Oceania"),
  N_("Least developed countries"),
};

const char *
copub_words_region_name (const char *name)
{
  for (gsize k = 0; k < G_N_ELEMENTS (region_words); k++)
    if (g_strcmp0 (name, region_words[k]) == 0)
      return _(region_words[k]);
  return name;
}
