/* Tests of the words module: both languages, numbers, percentages and periods, the
 * sentences, gettext lookups whatever the user's locale, and a missing catalogue. */
#include <locale.h>
#include <math.h>

#include <glib.h>

#include "copub/analyse.h"
#include "base/l10n.h"
#include "output/words.h"

/* Gives the words module's language back at the end of a test. */
typedef struct {
  const char *previous;
} Lang;

static void
lang_use (Lang *l, const char *lang)
{
  l->previous = copub_words_use (lang);
}

static void
lang_done (Lang *l)
{
  copub_words_use (l->previous);
}

static void
test_numbers (void)
{
  static const struct {
    const char *lang;
    const char *count, *negative, *small, *real, *percent, *interval, *pct_format, *sign;
  } cases[] = {
    { "en", "1,234,567", "-12,345", "999", "47.2", "47.2%", "41.0–53.5%", "%g%%", "." },
    { "fr", "1\u202f234\u202f567", "-12\u202f345", "999", "47,2", "47,2\u202f%",
      "41,0–53,5\u202f%", "%g\u202f%%", "," },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Lang l;
      lang_use (&l, cases[i].lang);
      g_assert_cmpstr (copub_words_lang (), ==, cases[i].lang);
      g_autofree char *count = copub_words_count (1234567);
      g_autofree char *negative = copub_words_count (-12345);
      g_autofree char *small = copub_words_count (999);
      g_autofree char *real = copub_words_real (47.21, 1);
      g_autofree char *percent = copub_words_percent (0.4721);
      g_autofree char *interval = copub_words_interval (0.41, 0.535);
      g_autofree char *pct_format = copub_words_percent_format ("%g");
      g_autofree char *nan = copub_words_percent (NAN);
      g_autofree char *nan_real = copub_words_real (NAN, 1);
      g_autofree char *nan_interval = copub_words_interval (0.1, NAN);
      g_autofree char *zero = copub_words_count (0);
      g_autofree char *min = copub_words_count (G_MININT64);

      g_assert_cmpstr (count, ==, cases[i].count);
      g_assert_cmpstr (negative, ==, cases[i].negative);
      g_assert_cmpstr (small, ==, cases[i].small);
      g_assert_cmpstr (real, ==, cases[i].real);
      g_assert_cmpstr (percent, ==, cases[i].percent);
      g_assert_cmpstr (interval, ==, cases[i].interval);
      g_assert_cmpstr (pct_format, ==, cases[i].pct_format);
      g_assert_cmpstr (copub_words_decimal_sign (), ==, cases[i].sign);
      g_assert_cmpstr (nan, ==, "–");
      g_assert_cmpstr (nan_real, ==, "–");
      g_assert_cmpstr (nan_interval, ==, "–");
      g_assert_cmpstr (zero, ==, "0");
      g_assert_true (g_str_has_prefix (min, "-9"));
      lang_done (&l);
    }
}

static void
test_periods (void)
{
  g_autofree char *one = copub_words_period (2023, 2023);
  g_autofree char *span = copub_words_period (2021, 2023);

  g_assert_cmpstr (one, ==, "2023");
  g_assert_cmpstr (span, ==, "2021–2023");
}

/* The numbers come from the words, not from the user's LC_NUMERIC. */
static void
test_numbers_ignore_locale (void)
{
  Lang l;
  g_autofree char *real = NULL;

  setlocale (LC_ALL, "C.UTF-8");
  lang_use (&l, "en");
  real = copub_words_real (1234.56, 2);
  g_assert_cmpstr (real, ==, "1234.56");
  lang_done (&l);
  setlocale (LC_ALL, "C");
}

static void
test_sentences (void)
{
  Lang l;

  lang_use (&l, "fr");
  g_assert_cmpstr (_("What the figures mean"), ==, "Ce que mesurent les chiffres");
  g_assert_cmpstr (C_("definition", "International"), ==, "Internationale");
  g_assert_cmpstr (C_("table header", "International"), ==, "Internationales");
  g_assert_cmpstr (copub_words_document_type ("book-chapter"), ==, "chapitres d'ouvrage");
  /* Not in the catalogue: the English text. */
  g_assert_cmpstr (_("no such sentence"), ==, "no such sentence");
  lang_done (&l);
  lang_use (&l, "en");
  g_assert_cmpstr (_("What the figures mean"), ==, "What the figures mean");
  g_assert_cmpstr (copub_words_document_type ("book-chapter"), ==, "book chapters");
  g_assert_null (copub_words_document_type ("poem"));
  lang_done (&l);
  /* Anything but French is English. */
  lang_use (&l, "de");
  g_assert_cmpstr (copub_words_lang (), ==, "en");
  lang_done (&l);
  g_assert_cmpstr (copub_words_source_name ("openalex"), ==, "OpenAlex");
  g_assert_cmpstr (copub_words_source_name ("hal"), ==, "HAL");
  g_assert_cmpstr (copub_words_source_name ("crossref"), ==, "crossref");
}

/* Back and forth in one process: gettext's cache must not answer in the other language. */
static void
test_switching (void)
{
  for (int i = 0; i < 6; i++)
    {
      const char *lang = i % 2 ? "en" : "fr";
      g_autofree char *share = copub_analyse_share_in_words (0.5, lang);
      g_autofree char *types = copub_analyse_types_in_words (NULL, lang);

      g_assert_cmpstr (share, ==, i % 2 ? "about one publication in two"
                                        : "environ une publication sur deux");
      g_assert_cmpstr (types, ==, i % 2 ? "articles, reviews and book chapters"
                                        : "articles, revues et chapitres d'ouvrage");
      g_assert_cmpstr (copub_words_lang (), ==, "en");
    }
}

static void
test_share_in_words (void)
{
  static const struct { double share; const char *en, *fr; } cases[] = {
    { 0.05, "fewer than one publication in ten", "moins d'une publication sur dix" },
    { 0.48, "nearly one publication in two", "près d'une publication sur deux" },
    { 0.36, "more than one publication in three", "plus d'une publication sur trois" },
    { 0.62, "more than three publications in five", "plus de trois publications sur cinq" },
    { 0.39, "nearly two publications in five", "près de deux publications sur cinq" },
    { 0.97, "almost all publications", "presque toutes les publications" },
    { NAN, "an unknown share of publications", "une part inconnue des publications" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *en = copub_analyse_share_in_words (cases[i].share, "en");
      g_autofree char *fr = copub_analyse_share_in_words (cases[i].share, "fr");
      g_assert_cmpstr (en, ==, cases[i].en);
      g_assert_cmpstr (fr, ==, cases[i].fr);
    }
}

static void
test_headline (void)
{
  CopubHeadline h = { .from = 2023, .to = 2023, .works = 1234, .international = 617,
                      .share = 0.5, .low = 0.472, .high = 0.528, .synthetic = TRUE };
  CopubAnalyseOptions o = COPUB_ANALYSE_OPTIONS_INIT;
  g_autofree char *en = NULL, *fr = NULL, *fr_period = NULL;

  o.home = "FR";
  o.lang = "en";
  en = copub_analyse_headline_sentence (&h, &o, "Université de Lorraine");
  g_assert_cmpstr (en, ==, "In 2023, about one publication in two of Université de Lorraine was "
                           "co-authored with an international partner: 50.0% (95% CI "
                           "47.2–52.8%, n = 1234; articles, reviews and book chapters; "
                           "international = at least one co-author outside FR). Synthetic "
                           "data.");
  o.lang = "fr";
  fr = copub_analyse_headline_sentence (&h, &o, "Université de Lorraine");
  g_assert_cmpstr (fr, ==, "En 2023, environ une publication sur deux de Université de "
                           "Lorraine est co-signée avec un partenaire international : 50,0 % "
                           "(IC 95 % 47,2–52,8 %, n = 1234 ; articles, revues et chapitres "
                           "d'ouvrage ; international = au moins un co-auteur hors de FR). "
                           "Données synthétiques.");
  h.from = 2021;
  h.share = 0.7;
  h.synthetic = FALSE;
  o.home = NULL;
  fr_period = copub_analyse_headline_sentence (&h, &o, NULL);
  g_assert_cmpstr (fr_period, ==, "Sur la période 2021-2023, plus de deux publications sur "
                                  "trois sont co-signées avec un partenaire international : "
                                  "70,0 % (IC 95 % 47,2–52,8 %, n = 1234 ; articles, revues "
                                  "et chapitres d'ouvrage ; international = des auteurs dans "
                                  "au moins deux pays).");
}

/* gettext under the "C" locale and a user's LANGUAGE: the language asked for all the same,
 * and the user's LANGUAGE given back. */
static void
test_l10n_whatever_the_locale (void)
{
  static const char *const locales[] = { "C", "C.UTF-8", "" };

  copub_l10n_bind ("iso_3166-1", NULL);
  g_setenv ("LANGUAGE", "it", TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      setlocale (LC_ALL, locales[i]);
      g_assert_cmpstr (copub_l10n_lookup ("iso_3166-1", "fr", "Germany"), ==, "Allemagne");
      g_assert_cmpstr (copub_l10n_lookup ("iso_3166-1", "de", "Germany"), ==, "Deutschland");
      g_assert_cmpstr (copub_l10n_lookup ("iso_3166-1", "pt_BR", "Germany"), ==, "Alemanha");
      g_assert_null (copub_l10n_lookup ("iso_3166-1", "fr", "Nowhere Land"));
      g_assert_null (copub_l10n_lookup ("no-such-domain", "fr", "Germany"));
      g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "it");
    }
  g_unsetenv ("LANGUAGE");
  g_assert_null (copub_l10n_lookup ("iso_3166-1", "xx", "Germany"));
  g_assert_null (g_getenv ("LANGUAGE"));
  g_assert_true (copub_l10n_has_catalogue ("iso_3166-1", NULL, "fr"));
  g_assert_false (copub_l10n_has_catalogue ("iso_3166-1", NULL, "xx"));
  setlocale (LC_ALL, "C");
}

/* Without the French catalogue: English, and a warning that says where it looked. */
static void
test_missing_catalogue (void)
{
  g_autofree char *dir = g_build_filename (g_get_tmp_dir (), "copub-no-locale", NULL);
  g_autofree char *share = NULL;
  Lang l;

  copub_words_set_locale_dir (dir);
  g_test_expect_message (NULL, G_LOG_LEVEL_WARNING,
                         "no 'fr' catalogue of copub in '*copub-no-locale' (copub.mo): the "
                         "text stays in English");
  lang_use (&l, "fr");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (copub_words_lang (), ==, "en");
  g_assert_cmpstr (_("What the figures mean"), ==, "What the figures mean");
  lang_done (&l);
  /* Said once, not at every piece of output. */
  share = copub_analyse_share_in_words (0.5, "fr");
  g_assert_cmpstr (share, ==, "about one publication in two");
  copub_words_set_locale_dir (NULL);
  lang_use (&l, "fr");
  g_assert_cmpstr (_("What the figures mean"), ==, "Ce que mesurent les chiffres");
  lang_done (&l);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/words/numbers", test_numbers);
  g_test_add_func ("/words/periods", test_periods);
  g_test_add_func ("/words/numbers-ignore-locale", test_numbers_ignore_locale);
  g_test_add_func ("/words/sentences", test_sentences);
  g_test_add_func ("/words/switching", test_switching);
  g_test_add_func ("/words/share-in-words", test_share_in_words);
  g_test_add_func ("/words/headline", test_headline);
  g_test_add_func ("/words/l10n-whatever-the-locale", test_l10n_whatever_the_locale);
  g_test_add_func ("/words/missing-catalogue", test_missing_catalogue);
  return g_test_run ();
}
