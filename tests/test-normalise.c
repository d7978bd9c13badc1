/* Unit tests of the affiliation normaliser: one test per rule and per known trap, plus
 * ROR loading, robustness (bad bytes, huge strings, Unicode spaces and dashes) and
 * concurrent use. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "copub/error.h"
#include "affil/gazetteer.h"
#include "copub/normalise.h"

static CopubNormaliser *normaliser;

/* The countries copub finds in @raw, as "DE,FR". */
static char *
countries_of (const char *raw)
{
  CopubAffiliation aff;
  char *out;

  copub_affiliation_init (&aff);
  copub_normaliser_resolve (normaliser, raw, -1, &aff);
  out = copub_affiliation_countries (&aff);
  copub_affiliation_clear (&aff);
  return out;
}

/* Asserts that each pair {string, countries} of @cases resolves as expected. */
static void
check_cases (const char *const cases[][2], gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *got = countries_of (cases[i][0]);
      if (g_strcmp0 (got, cases[i][1]) != 0)
        g_test_message ("'%s': got '%s', expected '%s'", cases[i][0], got, cases[i][1]);
      g_assert_cmpstr (got, ==, cases[i][1]);
    }
}

#define CHECK(cases) check_cases (cases, G_N_ELEMENTS (cases))

/* ---- Countries -------------------------------------------------------------------------- */

static void
test_country_english (void)
{
  static const char *const cases[][2] = {
    { "Department of Chemistry, Humboldt University, Berlin, Germany", "DE" },
    { "Institute of Physics, Polish Academy of Sciences, Warsaw, Poland", "PL" },
    { "Faculty of Medicine, Cairo University, Egypt", "EG" },
    { "Department of Biology, University of Lagos, Nigeria.", "NG" },
  };
  CHECK (cases);
}

static void
test_country_translations (void)
{
  static const char *const cases[][2] = {
    { "Laboratoire de physique, Bruxelles, Belgique", "BE" },      /* French */
    { "Institut für Physik, Graz, Österreich", "AT" },              /* German */
    { "Departamento de Física, Buenos Aires, Argentina", "AR" },    /* Spanish */
    { "Istituto di Fisica, Lugano, Svizzera", "CH" },               /* Italian */
    { "Instituto de Física, São Paulo, Brasil", "BR" },             /* Portuguese */
    { "Faculteit Wiskunde, Utrecht, Nederland", "NL" },             /* native */
    { "Institutionen för fysik, Lund, Sverige", "SE" },             /* native */
    { "Wydział Fizyki, Kraków, Polska", "PL" },                     /* native */
    { "Deutsches Krebsforschungszentrum, Deutschland", "DE" },
    { "Centre de recherche, Allemagne", "DE" },
  };
  CHECK (cases);
}

static void
test_country_abbreviations (void)
{
  static const char *const cases[][2] = {
    { "Dept. of Physics, Boston, MA, USA", "US" },
    { "Dept. of Physics, Boston, U.S.A.", "US" },
    { "School of Chemistry, University of Leeds, Leeds, UK", "GB" },
    { "Institute of Chemistry, Beijing 100190, P.R. China", "CN" },
    { "Coll Chem, Beijing 100871, Peoples R China", "CN" },
    { "Dept Phys, Seoul 08826, Korea Rep.", "KR" },
    { "Hanoi University of Science, Hanoi, Viet Nam", "VN" },
    { "Department of Physics, Ankara, Türkiye", "TR" },
    { "Faculty of Science, Brno, Czechia", "CZ" },
    { "Lebedev Institute, Moscow, Russian Federation", "RU" },
    { "Dept. of Biology, Taipei, Taiwan, ROC", "TW" },
    /* "PRC" is a lab's acronym unless it ends the affiliation */
    { "INRAE, PRC, 37380 Nouzilly, France", "FR" },
  };
  CHECK (cases);
}

static void
test_country_old_names (void)
{
  static const char *const cases[][2] = {
    { "University of Lubumbashi, Zaire", "CD" },
    { "Rangoon University, Rangoon, Burma", "MM" },
    { "University of Ouagadougou, Upper Volta", "BF" },
    { "Mbabane, Swaziland", "SZ" },
  };
  CHECK (cases);
}

static void
test_country_gb_nations (void)
{
  static const char *const cases[][2] = {
    { "University of Bristol, Bristol, England", "GB" },
    { "University of Glasgow, Glasgow, Scotland", "GB" },
    { "Cardiff University, Cardiff, Wales", "GB" },
    { "Queen's University Belfast, Belfast, Northern Ireland", "GB" },
  };
  CHECK (cases);
}

static void
test_country_several (void)
{
  static const char *const cases[][2] = {
    { "Université Grenoble Alpes, Grenoble, France and Consiglio Nazionale delle Ricerche, "
      "Sesto Fiorentino, Italy", "FR,IT" },
    { "University of Bucharest, Romania#R##N#University of Bordeaux, France", "FR,RO" },
    { "Paris, France; Lyon, France; Berlin, Germany", "DE,FR" },
  };
  CHECK (cases);
}

/* ---- Regions ---------------------------------------------------------------------------- */

static void
test_region_us_states (void)
{
  static const char *const cases[][2] = {
    { "Department of Physics, University of Michigan, Ann Arbor, Michigan", "US" },
    { "Department of Physics, Ann Arbor, MI 48109", "US" },
    { "Dept. of Physics, UC San Diego, La Jolla, CA 92093", "US" },
    { "Mitsubishi Electric Research Laboratories, Cambridge, MA", "US" },
    { "Skillman, NJ", "US" },
    /* a two-letter code alone proves nothing */
    { "Groupe IN", "" },
  };
  CHECK (cases);
}

static void
test_region_provinces (void)
{
  static const char *const cases[][2] = {
    { "McMaster University, Hamilton, Ontario", "CA" },
    { "Université Laval, Québec, QC G1V 0A6", "CA" },
    { "School of Physics, Kensington, NSW 2052", "AU" },
    { "CSIRO, Queensland", "AU" },
    { "South China University of Technology, Guangdong", "CN" },
    { "Tata Institute, Mumbai, Maharashtra", "IN" },
    { "Cochin University, Kerala", "IN" },
    { "Helmholtz Zentrum, Neuherberg, Bayern", "DE" },
    { "Technical University, Bavaria", "DE" },
    { "Laboratoire X, Lorraine", "FR" },
  };
  CHECK (cases);
}

/* ---- Postcodes -------------------------------------------------------------------------- */

static void
test_postcodes (void)
{
  static const char *const cases[][2] = {
    { "LEMTA, F-54000", "FR" },
    { "LEMTA, 54000 Nancy", "FR" },
    { "Department of Genetics, Downing Street, CB2 3EH", "GB" },
    { "Dept. of Chemistry, CB2 0RE", "GB" },
    { "McGill University, H3A 0G4", "CA" },
    { "EPFL, CH-1015", "CH" },
    { "Max-Planck-Institut, D-45470 Mülheim", "DE" },
    { "Epithelix, 18 Chemin des Aulx, CH-1228 Plan-les-Ouates", "CH" },
    { "IRD, F-98800 Nouméa", "NC" },
    /* "UMR 7585" is a unit number, not a postcode next to a town */
    { "UMR 7585", "FR" },
  };
  CHECK (cases);
}

/* ---- Cities ----------------------------------------------------------------------------- */

static void
test_cities (void)
{
  static const char *const cases[][2] = {
    { "LEMTA, Vandœuvre-lès-Nancy", "FR" },
    { "LEMTA, Vandoeuvre-les-Nancy", "FR" },
    { "KU, Leuven, Leuven, Belgium", "BE" },
    { "CNRS-AIST JRL, Tsukuba", "JP" },
    { "Laboratoire X, Paris", "FR" },         /* one candidate dominates by population */
    { "Genes Lab, München", "DE" },           /* native name */
    { "Institute of Physics, Cambridge", "" }, /* GB, US or CA: not decided */
    { "CHU, Clermont-Ferrand", "FR" },        /* "CHU" is not Chu, Kazakhstan */
    { "Université de Montréal", "CA" },       /* a university named after its town */
  };
  CHECK (cases);
}

static void
test_email_domains (void)
{
  static const char *const cases[][2] = {
    { "J. Doe, jane.doe@uni-heidelberg.de", "DE" },
    { "Dept. of Zoology (j.doe@zoo.ox.ac.uk)", "GB" },
    { "Chercheuse associée, jane@gmail.com", "" },
    /* a town in an address wins over the mail domain; the address itself is no town */
    { "paris@example.fr, Bern, Switzerland", "CH" },
  };
  CHECK (cases);
}

static void
test_hints (void)
{
  static const char *const cases[][2] = {
    { "Laboratoire de Chimie des Polymères Organiques", "FR" },
    { "Troubles cognitifs dégénératifs - U 1171", "FR" },
    { "Dipartimento di Scienze Chimiche", "IT" },
    { "Chinese Academy of Sciences", "CN" },
    { "EDF R&D", "" },
  };
  CopubAffiliation aff;

  CHECK (cases);
  copub_affiliation_init (&aff);
  /* (not "Laboratoire de Chimie": the registry knows a laboratory of that name) */
  copub_normaliser_resolve (normaliser, "Laboratoire de Chimie Organique Appliquée", -1, &aff);
  g_assert_cmpint (aff.evidence, ==, COPUB_EVIDENCE_WEAK);
  copub_normaliser_resolve (normaliser, "Laboratoire de Chimie, Nancy, France", -1, &aff);
  g_assert_cmpint (aff.evidence, ==, COPUB_EVIDENCE_PLACE);
  copub_affiliation_clear (&aff);
}

static void
test_territories (void)
{
  static const char *const cases[][2] = {
    { "Department of Physics, Hong Kong University, Hong Kong, China", "HK" },
    { "University of Macau, Taipa, Macao", "MO" },
    { "Academia Sinica, Taipei, Taiwan", "TW" },
    { "IRD, Nouméa, New Caledonia, France", "NC" },
    { "SAS Cyroi, 97490 Sainte Clotilde, La Réunion, France", "RE" },
    { "Université des Antilles, Pointe-à-Pitre, Guadeloupe", "GP" },
    { "CIRAD, 97285 Le Lamentin cedex 2, Martinique, France", "MQ" },
    { "Shenzhen University, Shenzhen, China", "CN" },
  };
  CHECK (cases);
}

/* ---- Traps ------------------------------------------------------------------------------ */

static void
test_trap_georgia (void)
{
  static const char *const cases[][2] = {
    { "School of ECE, Georgia Institute of Technology, Atlanta, GA 30332, USA", "US" },
    { "Georgia Institute of Technology", "US" },
    { "Emory University, Atlanta, Georgia", "US" },
    { "University of Georgia, Athens, GA", "US" },
    { "Tbilisi State University, Tbilisi, Georgia", "GE" },
    { "Ilia State University, Georgia", "GE" },
    { "Georgia", "GE" },
    { "Georgia Tech Lorraine, Metz, France", "FR" },
  };
  CHECK (cases);
}

static void
test_trap_new_names (void)
{
  static const char *const cases[][2] = {
    { "University of New Mexico, Albuquerque, NM", "US" },
    { "Theoretical Division, Los Alamos, New Mexico 87545", "US" },
    { "UNSW, Sydney, New South Wales, Australia", "AU" },
    { "New England Biolabs, Ipswich, MA 01938, USA", "US" },
    { "University of New England, Armidale, Australia", "AU" },
    { "Universidad Nacional Autónoma de México, Mexico City, Mexico", "MX" },
  };
  CHECK (cases);
}

static void
test_trap_jersey (void)
{
  static const char *const cases[][2] = {
    { "General Hospital, St Helier, Jersey", "JE" },
    { "Princeton University, Princeton, New Jersey 08544", "US" },
    { "Rutgers University, New Jersey", "US" },
  };
  CHECK (cases);
}

static void
test_trap_guinea (void)
{
  static const char *const cases[][2] = {
    { "Université Gamal Abdel Nasser, Conakry, Guinea", "GN" },
    { "University of Papua New Guinea, Port Moresby, Papua New Guinea", "PG" },
    { "Universidad Nacional, Malabo, Equatorial Guinea", "GQ" },
    { "Instituto Nacional, Bissau, Guinea-Bissau", "GW" },
  };
  CHECK (cases);
}

static void
test_trap_niger_nigeria (void)
{
  static const char *const cases[][2] = {
    { "Université Abdou Moumouni, Niamey, Niger", "NE" },
    { "University of Lagos, Lagos, Nigeria", "NG" },
    { "Aspergillus niger culture collection, Wageningen, Netherlands", "NL" },
  };
  CHECK (cases);
}

static void
test_trap_sudan (void)
{
  static const char *const cases[][2] = {
    { "University of Khartoum, Khartoum, Sudan", "SD" },
    { "University of Juba, Juba, South Sudan", "SS" },
  };
  CHECK (cases);
}

static void
test_trap_dominica (void)
{
  static const char *const cases[][2] = {
    { "Ross University School of Medicine, Portsmouth, Dominica", "DM" },
    { "Universidad Autónoma, Santo Domingo, Dominican Republic", "DO" },
    { "Instituto Tecnológico, Santo Domingo, República Dominicana", "DO" },
  };
  CHECK (cases);
}

static void
test_trap_india_indiana (void)
{
  static const char *const cases[][2] = {
    { "Indiana University, Bloomington, Indiana", "US" },
    { "Purdue University, West Lafayette, IN 47907", "US" },
    { "Indian Institute of Technology Bombay, Mumbai, India", "IN" },
  };
  CHECK (cases);
}

static void
test_trap_paris_texas (void)
{
  static const char *const cases[][2] = {
    { "Paris Junior College, Paris, TX 75460", "US" },
    { "Paris, Texas", "US" },
    { "Paris, TX", "US" },
    { "Sorbonne Université, Paris, France", "FR" },
  };
  CHECK (cases);
}

static void
test_trap_streets (void)
{
  static const char *const cases[][2] = {
    { "Ascométal CREAS, Avenue de France, 57301 Hagondange, France", "FR" },
    { "DownUnder GeoSolutions, 80 Victoria Street, London, SW1E 5JL, UK", "GB" },
    { "Nestlé Research, Route du Jorat 57, 1000 Lausanne 26, Switzerland", "CH" },
    { "Institut Camille Jordan, Université Lyon 1, Villeurbanne, France", "FR" },
  };
  CHECK (cases);
}

/* ---- Institutions ----------------------------------------------------------------------- */

static void
test_institution_bundled (void)
{
  CopubAffiliation aff;

  copub_affiliation_init (&aff);
  copub_normaliser_resolve (normaliser, "LEMTA, Université de Lorraine, CNRS, "
                            "Vandœuvre-lès-Nancy", -1, &aff);
  g_assert_cmpstr (aff.institution_id, ==, "04vfs2w97");
  g_assert_cmpstr (aff.institution_name, ==, "Université de Lorraine");
  g_assert_cmpstr (aff.institution_country, ==, "FR");
  g_assert_true (copub_affiliation_has_country (&aff, "FR"));

  /* a name alone gives the institution and its country */
  copub_normaliser_resolve (normaliser, "Tohoku University", -1, &aff);
  g_assert_cmpstr (aff.institution_id, ==, "01dq60k83");
  g_assert_true (copub_affiliation_has_country (&aff, "JP"));
  g_assert_cmpint (aff.evidence, ==, COPUB_EVIDENCE_INSTITUTION);

  /* labels in other languages */
  copub_normaliser_resolve (normaliser, "Universität des Saarlandes, Saarbrücken", -1, &aff);
  g_assert_cmpstr (aff.institution_id, ==, "01jdpyv68");
  copub_affiliation_clear (&aff);
}

static void
test_institution_acronym (void)
{
  CopubAffiliation aff;

  copub_affiliation_init (&aff);
  /* an acronym alone is not enough */
  copub_normaliser_resolve (normaliser, "UCSD", -1, &aff);
  g_assert_null (aff.institution_id);
  g_assert_cmpuint (aff.n_countries, ==, 0);
  /* with corroborating context it is */
  copub_normaliser_resolve (normaliser, "Dept. of Physics, UCSD, La Jolla, CA 92093", -1, &aff);
  g_assert_cmpstr (aff.institution_id, ==, "0168r3w48");
  g_assert_cmpstr (aff.countries[0], ==, "US");
  /* an acronym in the wrong country is somebody else */
  copub_normaliser_resolve (normaliser, "Dept. of Physics, UCSD, Bangalore, India", -1, &aff);
  g_assert_null (aff.institution_id);
  copub_affiliation_clear (&aff);
}

static const char ror_dump[] =
  "[\n"
  " {\"id\": \"https://ror.org/05test001\", \"status\": \"active\", \"types\": [\"education\"],\n"
  "  \"names\": [{\"value\": \"Universidad Imaginaria de Ejemplo\", \"types\": [\"ror_display\","
  " \"label\"], \"lang\": \"es\"},\n"
  "             {\"value\": \"Imaginary Example University\", \"types\": [\"label\"],"
  " \"lang\": \"en\"},\n"
  "             {\"value\": \"UIDE\", \"types\": [\"acronym\"], \"lang\": null}],\n"
  "  \"locations\": [{\"geonames_id\": 3435910, \"geonames_details\": {\"country_code\": \"AR\","
  " \"name\": \"Buenos Aires\"}}]},\n"
  " {\"id\": \"https://ror.org/05test002\", \"status\": \"withdrawn\","
  "  \"names\": [{\"value\": \"Withdrawn Example Institute\", \"types\": [\"ror_display\"]}],"
  "  \"locations\": [{\"geonames_details\": {\"country_code\": \"FR\"}}]}\n"
  "]\n";

static void
test_ror_dump (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-ror-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "ror.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);
  CopubNormaliserOptions options = COPUB_NORMALISER_OPTIONS_INIT;
  g_autoptr(CopubNormaliser) nz = NULL;
  g_autoptr(GError) error = NULL;
  CopubAffiliation aff;

  g_assert_true (g_file_set_contents (path, ror_dump, -1, NULL));
  g_assert_true (g_file_set_contents (bad, "[{\"id\": \"https://ror.org/x\", ", -1, NULL));
  options.ror_path = path;
  nz = copub_normaliser_new (&options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (nz);

  copub_affiliation_init (&aff);
  copub_normaliser_resolve (nz, "Facultad de Ciencias, Imaginary Example University", -1, &aff);
  g_assert_cmpstr (aff.institution_id, ==, "05test001");
  g_assert_cmpstr (aff.institution_name, ==, "Universidad Imaginaria de Ejemplo");
  g_assert_cmpstr (aff.countries[0], ==, "AR");
  copub_normaliser_resolve (nz, "Withdrawn Example Institute", -1, &aff);
  g_assert_null (aff.institution_id);
  /* the bundled organisations are still there */
  copub_normaliser_resolve (nz, "Wuhan University", -1, &aff);
  g_assert_cmpstr (aff.institution_id, ==, "033vjfk17");
  copub_affiliation_clear (&aff);
  g_clear_pointer (&nz, copub_normaliser_free);

  options.ror_path = bad;
  nz = copub_normaliser_new (&options, &error);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_null (nz);
  g_clear_error (&error);

  options.ror_path = "/nonexistent/ror.json";
  nz = copub_normaliser_new (&options, &error);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_assert_null (nz);

  g_unlink (path);
  g_unlink (bad);
  g_rmdir (dir);
}

static void
test_missing_data_dir (void)
{
  CopubNormaliserOptions options = COPUB_NORMALISER_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubNormaliser) nz = NULL;

  options.data_dir = "/nonexistent/copub-data";
  nz = copub_normaliser_new (&options, &error);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_assert_null (nz);
}

/* ---- Robustness ------------------------------------------------------------------------- */

static void
test_invalid_input (void)
{
  static const char bad[] = "Universit\xe9 de Lorraine, Nancy, Fran\xc3\x28\xff\xfe";
  static const char nul[] = "Nancy\0France";
  CopubAffiliation aff;

  copub_affiliation_init (&aff);
  g_assert_false (copub_normaliser_resolve (normaliser, NULL, -1, &aff));
  g_assert_false (copub_normaliser_resolve (normaliser, "", 0, &aff));
  g_assert_false (copub_normaliser_resolve (normaliser, "\xff\xfe\xfd", -1, &aff));
  g_assert_true (copub_normaliser_resolve (normaliser, bad, -1, &aff));
  g_assert_true (copub_affiliation_has_country (&aff, "FR"));
  /* an embedded NUL does not end the string */
  g_assert_true (copub_normaliser_resolve (normaliser, nul, sizeof nul - 1, &aff));
  g_assert_true (copub_affiliation_has_country (&aff, "FR"));
  copub_affiliation_clear (&aff);
}

static void
test_huge_input (void)
{
  GString *huge = g_string_new (NULL);
  CopubAffiliation aff;
  gint64 start;

  while (huge->len < 1024 * 1024)
    g_string_append (huge, "Department of Physics, Paris, France; ");
  copub_affiliation_init (&aff);
  start = g_get_monotonic_time ();
  g_assert_true (copub_normaliser_resolve (normaliser, huge->str, (gssize) huge->len, &aff));
  g_assert_cmpstr (aff.countries[0], ==, "FR");
  /* the work is capped: a megabyte costs about what a few kilobytes do */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  /* a string of one endless word */
  memset (huge->str, 'a', huge->len);
  copub_normaliser_resolve (normaliser, huge->str, (gssize) huge->len, &aff);
  g_assert_cmpuint (aff.n_countries, ==, 0);
  copub_affiliation_clear (&aff);
  g_string_free (huge, TRUE);
}

static void
test_unicode_spaces_and_dashes (void)
{
  static const gunichar spaces[] = { 0x0009, 0x0020, 0x00A0, 0x1680, 0x2000, 0x2001, 0x2002,
                                     0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
                                     0x200A, 0x200B, 0x202F, 0x205F, 0x3000, 0x2028, 0x2029,
                                     0x0085, 0x180E, 0xFEFF };
  static const gunichar dashes[] = { '-', 0x058A, 0x05BE, 0x1400, 0x1806, 0x2010, 0x2011,
                                     0x2012, 0x2013, 0x2014, 0x2015, 0x2E17, 0x2E1A, 0x2E3A,
                                     0x2E3B, 0x2E40, 0x301C, 0x3030, 0x30A0, 0xFE31, 0xFE32,
                                     0xFE58, 0xFE63, 0xFF0D, 0x2212 };

  for (gsize i = 0; i < G_N_ELEMENTS (spaces); i++)
    {
      char sp[8] = { 0 };
      g_autofree char *raw = NULL;
      g_autofree char *got = NULL;
      g_unichar_to_utf8 (spaces[i], sp);
      raw = g_strdup_printf ("Institut%sJean%sLamour,%sNancy,%sFrance", sp, sp, sp, sp);
      got = countries_of (raw);
      g_assert_cmpstr (got, ==, "FR");
    }
  for (gsize i = 0; i < G_N_ELEMENTS (dashes); i++)
    {
      char d[8] = { 0 };
      g_autofree char *raw = NULL;
      g_autofree char *got = NULL;
      g_unichar_to_utf8 (dashes[i], d);
      /* joined ("Vandœuvre-lès-Nancy") and spaced ("LEMTA - Nancy") */
      raw = g_strdup_printf ("LEMTA %s UMR 7563, Vand\xc5\x93uvre%sl\xc3\xa8s%sNancy %s France",
                             d, d, d, d);
      got = countries_of (raw);
      g_assert_cmpstr (got, ==, "FR");
    }
}

static void
test_sorted_distinct (void)
{
  CopubAffiliation aff;
  g_autofree char *text = NULL;

  copub_affiliation_init (&aff);
  copub_normaliser_resolve (normaliser, "Tokyo, Japan; Berlin, Germany; Paris, France; "
                            "Munich, Germany; Zurich, Switzerland; Osaka, Japan", -1, &aff);
  text = copub_affiliation_countries (&aff);
  g_assert_cmpstr (text, ==, "CH,DE,FR,JP");
  g_assert_cmpuint (aff.n_countries, ==, 4);
  copub_affiliation_clear (&aff);
}

static const char *const threaded_inputs[] = {
  "Georgia Institute of Technology, Atlanta, GA 30332",
  "Tbilisi State University, Tbilisi, Georgia",
  "LEMTA, Vandœuvre-lès-Nancy",
  "Paris, TX",
  "Hong Kong, China",
  "University of Lagos, Lagos, Nigeria",
};

static gpointer
resolve_many (gpointer data)
{
  GPtrArray *expected = data;
  guint errors = 0;

  for (guint round = 0; round < 200; round++)
    for (guint i = 0; i < G_N_ELEMENTS (threaded_inputs); i++)
      {
        g_autofree char *got = countries_of (threaded_inputs[i]);
        errors += g_strcmp0 (got, expected->pdata[i]) != 0;
      }
  return GUINT_TO_POINTER (errors);
}

static void
test_threads (void)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threaded_inputs); i++)
    g_ptr_array_add (expected, countries_of (threaded_inputs[i]));
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("resolve", resolve_many, expected);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[t])), ==, 0);
}

static void
test_gazetteer_basics (void)
{
  g_autofree char *key = copub_gazetteer_key ("Vandœuvre-lès-Nancy");
  g_autofree char *key2 = copub_gazetteer_key ("STRAßE  Ĳssel ﬁnal");

  g_assert_cmpstr (key, ==, "vandoeuvre les nancy");
  g_assert_cmpstr (key2, ==, "strasse ijssel final");
  g_assert_cmpstr (copub_gazetteer_zip_state ("30332"), ==, "GA");
  g_assert_cmpstr (copub_gazetteer_zip_state ("92093"), ==, "CA");
  g_assert_cmpstr (copub_gazetteer_zip_state ("08544"), ==, "NJ");
  g_assert_null (copub_gazetteer_zip_state ("abc"));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  normaliser = copub_normaliser_new (NULL, &error);
  g_assert_no_error (error);
  if (normaliser == NULL)
    return 1;

  g_test_add_func ("/normalise/gazetteer", test_gazetteer_basics);
  g_test_add_func ("/normalise/country/english", test_country_english);
  g_test_add_func ("/normalise/country/translations", test_country_translations);
  g_test_add_func ("/normalise/country/abbreviations", test_country_abbreviations);
  g_test_add_func ("/normalise/country/old-names", test_country_old_names);
  g_test_add_func ("/normalise/country/gb-nations", test_country_gb_nations);
  g_test_add_func ("/normalise/country/several", test_country_several);
  g_test_add_func ("/normalise/region/us-states", test_region_us_states);
  g_test_add_func ("/normalise/region/provinces", test_region_provinces);
  g_test_add_func ("/normalise/postcodes", test_postcodes);
  g_test_add_func ("/normalise/cities", test_cities);
  g_test_add_func ("/normalise/email-domains", test_email_domains);
  g_test_add_func ("/normalise/hints", test_hints);
  g_test_add_func ("/normalise/territories", test_territories);
  g_test_add_func ("/normalise/trap/georgia", test_trap_georgia);
  g_test_add_func ("/normalise/trap/new-names", test_trap_new_names);
  g_test_add_func ("/normalise/trap/jersey", test_trap_jersey);
  g_test_add_func ("/normalise/trap/guinea", test_trap_guinea);
  g_test_add_func ("/normalise/trap/niger-nigeria", test_trap_niger_nigeria);
  g_test_add_func ("/normalise/trap/sudan", test_trap_sudan);
  g_test_add_func ("/normalise/trap/dominica", test_trap_dominica);
  g_test_add_func ("/normalise/trap/india-indiana", test_trap_india_indiana);
  g_test_add_func ("/normalise/trap/paris-texas", test_trap_paris_texas);
  g_test_add_func ("/normalise/trap/streets", test_trap_streets);
  g_test_add_func ("/normalise/institution/bundled", test_institution_bundled);
  g_test_add_func ("/normalise/institution/acronym", test_institution_acronym);
  g_test_add_func ("/normalise/institution/ror-dump", test_ror_dump);
  g_test_add_func ("/normalise/missing-data-dir", test_missing_data_dir);
  g_test_add_func ("/normalise/robust/invalid-utf8", test_invalid_input);
  g_test_add_func ("/normalise/robust/huge", test_huge_input);
  g_test_add_func ("/normalise/robust/spaces-and-dashes", test_unicode_spaces_and_dashes);
  g_test_add_func ("/normalise/sorted-distinct", test_sorted_distinct);
  g_test_add_func ("/normalise/threads", test_threads);

  status = g_test_run ();
  copub_normaliser_free (normaliser);
  return status;
}
