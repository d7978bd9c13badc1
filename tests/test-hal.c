/* Tests of the HAL JSON parser and HAL vocabulary (src/sources/hal.c) on fixtures/hal/. */
#include <string.h>

#include "copub/error.h"
#include "sources/hal.h"

#define FIXTURES "fixtures/hal/"

static gboolean
collect (CopubWork *work, gpointer user_data, GError **error)
{
  (void) error;
  g_ptr_array_add (user_data, work);
  return TRUE;
}

/* Parses fixture @name as a /search answer under @rules; NULL with @error on failure. */
static GPtrArray *
parse_fixture_rules (const char *name, CopubHalPage *out, const CopubHalRules *rules,
                     GError **error)
{
  g_autofree char *path = g_strconcat (FIXTURES, name, NULL);
  g_autofree char *data = NULL;
  gsize size = 0;
  g_autoptr(GPtrArray) works = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);

  if (!g_file_get_contents (path, &data, &size, error))
    return NULL;
  if (!copub_hal_parse_json (out, data, size, name, rules, collect, works, error))
    {
      g_assert_cmpuint (works->len, ==, 0);
      return NULL;
    }
  return g_steal_pointer (&works);
}

/* The same under the default rules (NULL). */
static GPtrArray *
parse_fixture (const char *name, CopubHalPage *out, GError **error)
{
  return parse_fixture_rules (name, out, NULL, error);
}

static const CopubHalRules by_publication = { COPUB_HAL_YEAR_PUBLICATION, FALSE };

static CopubAuthorship *
authorship (CopubWork *work, guint i)
{
  g_assert_cmpuint (i, <, work->authorships->len);
  return work->authorships->pdata[i];
}

static CopubInstitution *
institution (CopubAuthorship *auth, guint i)
{
  g_assert_cmpuint (i, <, auth->institutions->len);
  return auth->institutions->pdata[i];
}

static void
assert_countries (CopubWork *work, const char *expected)
{
  g_autofree char *countries = copub_work_countries (work);

  g_assert_cmpstr (countries, ==, expected);
}

/* ---- Vocabulary --------------------------------------------------------------------- */

static void
test_split (void)
{
  g_autofree char *key = NULL, *author = NULL, *id = NULL, *name = NULL;

  g_assert_true (copub_hal_split_author_structure (
    "1375936-1063453_FacetSep_Marlène Dulaurans_JoinSep_136101_FacetSep_Médiation, "
    "Information, Communication_Art", &key, &author, &id, &name));
  g_assert_cmpstr (key, ==, "1375936-1063453");
  g_assert_cmpstr (author, ==, "Marlène Dulaurans");
  g_assert_cmpstr (id, ==, "struct-136101");
  g_assert_cmpstr (name, ==, "Médiation, Information, Communication_Art");
  /* Outputs are optional. */
  g_assert_true (copub_hal_split_author_structure ("1-0_FacetSep_A_JoinSep_2_FacetSep_B", NULL,
                                                   NULL, NULL, NULL));
  /* The bare words, a missing part, a second join, a non-numeric docid: refused. */
  g_assert_false (copub_hal_split_author_structure ("1-0FacetSepAJoinSep2FacetSepB", NULL, NULL,
                                                    NULL, NULL));
  g_assert_false (copub_hal_split_author_structure ("1-0_FacetSep_A_JoinSep_2", NULL, NULL,
                                                    NULL, NULL));
  g_assert_false (copub_hal_split_author_structure (
    "1-0_FacetSep_A_JoinSep_2_FacetSep_B_JoinSep_3_FacetSep_C", NULL, NULL, NULL, NULL));
  g_assert_false (copub_hal_split_author_structure ("1-0_FacetSep_A_JoinSep_x2_FacetSep_B", NULL,
                                                    NULL, NULL, NULL));
  g_assert_false (copub_hal_split_author_structure (NULL, NULL, NULL, NULL, NULL));
  g_assert_false (copub_hal_split_author_structure ("", NULL, NULL, NULL, NULL));
}

static void
test_map_type (void)
{
  static const struct {
    const char *code, *sub, *type;
  } cases[] = {
    { "ART", NULL, "article" },
    { "ART", "ARTREV", "review" },
    { "ART", "DATAPAPER", "article" },
    { "COMM", NULL, "conference-paper" },
    { "COUV", NULL, "book-chapter" },
    { "OUV", NULL, "book" },
    { "DOUV", NULL, "book" },
    { "THESE", NULL, "dissertation" },
    { "HDR", NULL, "dissertation" },
    { "MEM", NULL, "dissertation" },
    { "UNDEFINED", NULL, "preprint" },
    { "UNDEFINED", "WORKINGPAPER", "preprint" },
    { "REPORT", "TECHREPORT", "report" },
    { "REPORT_LABO", NULL, "report" },
    { "NOTICE", NULL, "reference-entry" },
    { "POSTER", NULL, "other" },
    { "SOFTWARE", NULL, "other" },
    { "art", NULL, "article" },
    { "NEWTYPE", NULL, "other" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (copub_hal_map_type (cases[i].code, cases[i].sub), ==, cases[i].type);
  g_assert_null (copub_hal_map_type (NULL, NULL));
  g_assert_null (copub_hal_map_type ("", "ARTREV"));
}

static void
test_domain (void)
{
  static const struct {
    const char *code, *level0;
  } cases[] = {
    { "phys", "phys" },        { "phys.hist", "phys" },    { "0.phys", "phys" },
    { "1.phys.hist", "phys" }, { "info.info-ni", "info" }, { "sdv.sp.med", "sdv" },
    { "SHS", "shs" },          { "", NULL },               { "1.", NULL },
    { ".phys", NULL },         { "phys hist", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *level0 = copub_hal_domain_level0 (cases[i].code);
      g_assert_cmpstr (level0, ==, cases[i].level0);
    }
  g_assert_null (copub_hal_domain_level0 (NULL));
  g_assert_cmpstr (copub_hal_domain_label ("info"), ==, "Computer Science");
  g_assert_cmpstr (copub_hal_domain_label ("shs"), ==, "Humanities and Social Sciences");
  g_assert_null (copub_hal_domain_label ("zzz"));
  g_assert_null (copub_hal_domain_label (NULL));
}

static void
test_work_domain (void)
{
  g_autoptr(CopubWork) work = copub_work_new (COPUB_SOURCE_HAL);

  copub_hal_work_set_domain (work, "1.sdu.astr");
  g_assert_cmpstr (work->domain.id, ==, "sdu");
  g_assert_cmpstr (work->domain.name, ==, "Sciences of the Universe");
  copub_hal_work_set_domain (work, "phys"); /* the first domain wins */
  g_assert_cmpstr (work->domain.id, ==, "sdu");
  g_clear_pointer (&work->domain.id, g_free);
  g_clear_pointer (&work->domain.name, g_free);
  copub_hal_work_set_domain (work, "newdomain.sub"); /* unknown: the code as name */
  g_assert_cmpstr (work->domain.id, ==, "newdomain");
  g_assert_cmpstr (work->domain.name, ==, "newdomain");
}

static void
test_year (void)
{
  g_assert_cmpint (copub_hal_year_from_date ("2014"), ==, 2014);
  g_assert_cmpint (copub_hal_year_from_date ("2014-06-30"), ==, 2014);
  g_assert_cmpint (copub_hal_year_from_date (" 2020-03-04 15:38:30"), ==, 2020);
  g_assert_cmpint (copub_hal_year_from_date ("20140"), ==, 0);
  g_assert_cmpint (copub_hal_year_from_date ("214"), ==, 0);
  g_assert_cmpint (copub_hal_year_from_date ("0999"), ==, 0);
  g_assert_cmpint (copub_hal_year_from_date ("June 2014"), ==, 0);
  g_assert_cmpint (copub_hal_year_from_date (""), ==, 0);
  g_assert_cmpint (copub_hal_year_from_date (NULL), ==, 0);
}

static void
test_ids_and_countries (void)
{
  static const struct {
    const char *in, *out;
  } ids[] = {
    { "413289", "struct-413289" }, { "struct-413289", "struct-413289" },
    { "#struct-413289", "struct-413289" }, { "localStruct-1", NULL }, { "", NULL },
    { "struct-", NULL }, { "12a", NULL }, { "12345678901", NULL },
  };
  static const struct {
    const char *in, *out;
  } countries[] = {
    { "fr", "FR" }, { "NO", "NO" }, { "Fr", "FR" }, { "fra", NULL }, { "f", NULL },
    { "", NULL }, { "1a", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *id = copub_hal_structure_id (ids[i].in);
      g_assert_cmpstr (id, ==, ids[i].out);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (countries); i++)
    {
      g_autofree char *code = copub_hal_country_normalise (countries[i].in);
      g_assert_cmpstr (code, ==, countries[i].out);
    }
  g_assert_null (copub_hal_country_normalise (NULL));
}

static void
test_roles (void)
{
  g_assert_true (copub_hal_role_is_author ("aut"));
  g_assert_true (copub_hal_role_is_author ("crp"));
  g_assert_true (copub_hal_role_is_author (NULL));
  g_assert_false (copub_hal_role_is_author ("edt"));
  g_assert_false (copub_hal_role_is_author ("sad"));
}

/* ---- Structures and countries ------------------------------------------------------- */

static void
add (GHashTable *table, const char *id, const char *type, const char *country,
     const char *parent1, const char *parent2)
{
  CopubHalStructure *s = copub_hal_structure_new (id);

  s->type = g_strdup (type);
  s->country = g_strdup (country);
  if (parent1)
    g_ptr_array_add (s->parents, g_strdup (parent1));
  if (parent2)
    g_ptr_array_add (s->parents, g_strdup (parent2));
  copub_hal_structures_add (table, s);
}

static void
test_structures_country (void)
{
  g_autoptr(GHashTable) t = copub_hal_structures_new ();

  add (t, "cnrs", "institution", "FR", NULL, NULL);
  add (t, "geneva", "institution", "CH", NULL, NULL);
  add (t, "lab", "laboratory", "FR", "cnrs", NULL);
  add (t, "lab-nc", "laboratory", NULL, "cnrs", NULL);
  add (t, "team", "researchteam", NULL, "lab", NULL);
  add (t, "dept", "department", NULL, "lab", "cnrs");
  add (t, "team-in-dept", "researchteam", NULL, "dept", NULL);
  add (t, "team-mixed", "researchteam", NULL, "cnrs", "geneva");
  add (t, "team-orphan", "researchteam", NULL, "nowhere", NULL);
  add (t, "loop-a", "researchteam", NULL, "loop-b", NULL);
  add (t, "loop-b", "department", NULL, "loop-a", NULL);

  g_assert_cmpstr (copub_hal_structures_country (t, "lab"), ==, "FR");
  /* A laboratory without country stays unknown, whatever its parents. */
  g_assert_null (copub_hal_structures_country (t, "lab-nc"));
  g_assert_cmpstr (copub_hal_structures_country (t, "team"), ==, "FR");
  g_assert_cmpstr (copub_hal_structures_country (t, "dept"), ==, "FR");
  g_assert_cmpstr (copub_hal_structures_country (t, "team-in-dept"), ==, "FR");
  g_assert_null (copub_hal_structures_country (t, "team-mixed"));
  g_assert_null (copub_hal_structures_country (t, "team-orphan"));
  g_assert_null (copub_hal_structures_country (t, "loop-a"));
  g_assert_null (copub_hal_structures_country (t, "absent"));
}

static void
test_authorship_add_structure (void)
{
  g_autoptr(GHashTable) t = copub_hal_structures_new ();
  g_autoptr(CopubAuthorship) auth = copub_authorship_new ();

  add (t, "struct-1", "laboratory", "DE", NULL, NULL);
  copub_hal_authorship_add_structure (auth, t, "struct-1", "Fallback name");
  copub_hal_authorship_add_structure (auth, t, "struct-1", NULL); /* not twice */
  copub_hal_authorship_add_structure (auth, t, "struct-2", "Unknown lab");
  copub_hal_authorship_add_structure (auth, t, NULL, "No id");
  g_assert_cmpuint (auth->institutions->len, ==, 2);
  g_assert_cmpstr (institution (auth, 0)->name, ==, "Fallback name");
  g_assert_cmpstr (institution (auth, 0)->type, ==, "laboratory");
  g_assert_cmpstr (institution (auth, 0)->country, ==, "DE");
  g_assert_cmpstr (institution (auth, 1)->name, ==, "Unknown lab");
  g_assert_null (institution (auth, 1)->country);
  g_assert_cmpuint (auth->countries->len, ==, 1);
}

/* ---- /search answers ---------------------------------------------------------------- */

static void
test_json_page (void)
{
  g_auto(CopubHalPage) page = COPUB_HAL_PAGE_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("json/search-fs.json", &page, &error);

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpint (page.num_found, ==, 3);
  g_assert_cmpstr (page.next_cursor_mark, ==, "AoE/aGFsLTA5MzAwMDAz");
  g_assert_cmpuint (page.n_works, ==, 3);
  g_assert_cmpuint (works->len, ==, 3);
}

static void
test_json_fs_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("json/search-fs.json", NULL, &error);
  CopubWork *work;
  CopubAuthorship *auth;
  CopubInstitution *inst;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  work = works->pdata[0];
  g_assert_cmpint (work->source, ==, COPUB_SOURCE_HAL);
  g_assert_cmpstr (work->id, ==, "hal-09300001");
  g_assert_cmpstr (work->doi, ==, "10.5555/json.one");
  g_assert_cmpstr (work->title, ==, "Invented magnets, with commas, and_underscores");
  g_assert_cmpstr (work->type, ==, "article");
  g_assert_cmpint (work->year, ==, 2019); /* production (as HAL counts), not publication */
  g_assert_cmpstr (work->domain.id, ==, "phys");
  g_assert_cmpstr (work->domain.name, ==, "Physics");
  /* country_s ("it", the conference's country) is no affiliation. */
  assert_countries (work, "DE,FR");
  g_assert_cmpuint (work->authorships->len, ==, 3);

  auth = authorship (work, 0);
  g_assert_cmpstr (auth->author_name, ==, "Anne Lambert");
  g_assert_cmpstr (auth->author_id, ==, "1100001");
  g_assert_cmpstr (auth->author_position, ==, "first");
  /* The direct structure only: its parent (the university) is not added. */
  g_assert_cmpuint (auth->institutions->len, ==, 1);
  inst = institution (auth, 0);
  g_assert_cmpstr (inst->id, ==, "struct-930001");
  g_assert_cmpstr (inst->name, ==, "Laboratoire des aimants, Nancy_Est");
  g_assert_cmpstr (inst->type, ==, "laboratory");
  g_assert_cmpstr (inst->country, ==, "FR");

  auth = authorship (work, 1);
  g_assert_null (auth->author_id); /* person 0 */
  g_assert_cmpstr (institution (auth, 0)->country, ==, "DE");
  auth = authorship (work, 2);
  g_assert_cmpstr (auth->author_name, ==, "Zoé Aucune");
  g_assert_cmpstr (auth->author_position, ==, "last");
  g_assert_cmpuint (auth->institutions->len, ==, 0);
}

/* Struct arrays of different lengths are not zipped: those countries stay unknown,
 * listed for /ref/structure, then filled from its answer. */
static void
test_json_misaligned (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("json/search-fs.json", NULL, &error);
  g_autoptr(GPtrArray) unresolved = NULL;
  g_autoptr(GHashTable) structures = copub_hal_structures_new ();
  g_autofree char *data = NULL;
  gsize size;
  CopubWork *work;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  work = works->pdata[1];
  g_assert_cmpstr (work->id, ==, "hal-09300002"); /* docid was a number */
  g_assert_cmpstr (work->title, ==, "A scalar title");
  g_assert_cmpstr (work->type, ==, "conference-paper");
  g_assert_cmpint (work->year, ==, 2019); /* producedDate_s */
  g_assert_cmpstr (work->domain.id, ==, "info");
  g_assert_null (work->doi);
  g_assert_cmpuint (work->authorships->len, ==, 2); /* the editor is left out */
  g_assert_cmpstr (institution (authorship (work, 0), 0)->type, ==, "laboratory");
  assert_countries (work, "");
  unresolved = copub_hal_unresolved_structures (work);
  g_assert_cmpuint (unresolved->len, ==, 2);
  g_assert_cmpstr (unresolved->pdata[0], ==, "struct-930004");
  g_assert_cmpstr (unresolved->pdata[1], ==, "struct-930005");

  g_assert_true (g_file_get_contents (FIXTURES "json/ref-structure.json", &data, &size, NULL));
  g_assert_true (copub_hal_parse_structures (structures, data, size, "ref-structure.json",
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpuint (copub_hal_apply_structures (work, structures), ==, 2);
  assert_countries (work, "CZ,FR");
  g_assert_cmpstr (institution (authorship (work, 0), 0)->ror, ==, "00invent4");
  g_assert_cmpuint (copub_hal_apply_structures (work, structures), ==, 0);
  g_clear_pointer (&unresolved, g_ptr_array_unref);
  unresolved = copub_hal_unresolved_structures (work);
  g_assert_cmpuint (unresolved->len, ==, 0);
}

/* Without authIdHasPrimaryStructure_fs, authIdHasStructure_fs minus the ancestors. */
static void
test_json_ancestors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("json/search-fs.json", NULL, &error);
  CopubWork *work;
  CopubAuthorship *auth;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  work = works->pdata[2];
  g_assert_cmpstr (work->id, ==, "hal-09300003"); /* halId_s as an array */
  g_assert_cmpstr (work->type, ==, "preprint");
  g_assert_cmpint (work->year, ==, 2018);
  g_assert_cmpstr (work->domain.id, ==, "math");
  auth = authorship (work, 0);
  g_assert_cmpuint (auth->institutions->len, ==, 1);
  g_assert_cmpstr (institution (auth, 0)->id, ==, "struct-930010");
  g_assert_cmpstr (institution (auth, 0)->type, ==, "researchteam");
  /* The team has no country: it takes its laboratory's (labStructCountry_s lines up). */
  g_assert_cmpstr (institution (auth, 0)->country, ==, "FR");
  auth = authorship (work, 1);
  g_assert_cmpstr (institution (auth, 0)->country, ==, "PT");
  assert_countries (work, "FR,PT");
}

static void
test_json_bare_array (void)
{
  g_auto(CopubHalPage) page = COPUB_HAL_PAGE_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("json/bare-array.json", &page, &error);
  CopubWork *work;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpint (page.num_found, ==, -1);
  g_assert_null (page.next_cursor_mark);
  g_assert_cmpuint (works->len, ==, 2);
  work = works->pdata[0];
  g_assert_cmpstr (work->id, ==, "tel-09300101");
  g_assert_cmpstr (work->type, ==, "dissertation");
  g_assert_cmpint (work->year, ==, 2021); /* production date, by default */
  g_assert_cmpstr (work->domain.id, ==, "sdv");
  assert_countries (work, "GP"); /* as the source gives it; harmonised later */

  /* Authors from authFullNameFormIDPersonIDIDHal_fs, roles from authQuality_s. */
  work = works->pdata[1];
  g_assert_cmpstr (work->type, ==, "review");
  g_assert_cmpint (work->year, ==, 2016);
  g_assert_null (work->domain.id);
  g_assert_cmpuint (work->authorships->len, ==, 1);
  g_assert_cmpstr (authorship (work, 0)->author_name, ==, "Violette Sebastien");
  g_assert_cmpstr (authorship (work, 0)->author_id, ==, "10227");
  assert_countries (work, "FR");
}

static void
test_json_single_doc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("json/single-doc.json", NULL, &error);
  CopubWork *work;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  g_assert_cmpuint (works->len, ==, 1);
  work = works->pdata[0];
  g_assert_cmpstr (work->type, ==, "book-chapter");
  g_assert_cmpint (work->year, ==, 2017);
  g_assert_cmpstr (work->domain.name, ==, "Humanities and Social Sciences");
  /* No authFullName_s: the authors come from the joined field. */
  g_assert_cmpuint (work->authorships->len, ==, 2);
  g_assert_cmpstr (authorship (work, 1)->author_name, ==, "Tomás Ruiz");
  assert_countries (work, "ES,FR");
}

/* The raw record is the doc itself: parsing it again gives the same work. */
static void
test_json_raw (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture ("json/search-fs.json", NULL, &error);
  g_autoptr(CopubWork) again = NULL;
  json_t *doc;
  json_error_t jerror;
  gsize size;
  const char *raw;

  g_assert_no_error (error);
  g_assert_nonnull (works);
  raw = g_bytes_get_data (((CopubWork *) works->pdata[0])->raw, &size);
  doc = json_loadb (raw, size, 0, &jerror);
  g_assert_nonnull (doc);
  g_assert_cmpstr (json_string_value (json_object_get (doc, "halId_s")), ==, "hal-09300001");
  again = copub_hal_parse_doc (doc, NULL, &error);
  json_decref (doc);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  assert_countries (again, "DE,FR");
}

/* ---- Bad input ---------------------------------------------------------------------- */

static void
expect_failure (const char *name, int code, const char *fragment1, const char *fragment2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) works = parse_fixture (name, NULL, &error);

  g_assert_null (works);
  g_assert_error (error, COPUB_ERROR, code);
  if (error == NULL)
    return;
  g_test_message ("%s: %s", name, error->message);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, fragment1));
  if (fragment2 != NULL)
    g_assert_nonnull (strstr (error->message, fragment2));
}

static void
test_bad_json (void)
{
  expect_failure ("bad/truncated.json", COPUB_ERROR_PARSE, "'bad/truncated.json' line 8 ",
                  "expected");
  expect_failure ("bad/trailing-comma.json", COPUB_ERROR_PARSE,
                  "'bad/trailing-comma.json' line 2 ", NULL);
  expect_failure ("bad/docs-not-array.json", COPUB_ERROR_PARSE, "'bad/docs-not-array.json': ",
                  "expected a HAL answer");
  /* The first doc is fine, the second lacks its id: nothing is emitted. */
  expect_failure ("bad/doc-without-id.json", COPUB_ERROR_PARSE, "'bad/doc-without-id.json' doc 2",
                  "expected a \"halId_s\" field");
  expect_failure ("json/solr-error.json", COPUB_ERROR_NETWORK, "HAL API error 400",
                  "undefined field foo_s");
}

static void
test_bad_json_memory (void)
{
  static const struct {
    const char *data, *fragment;
  } cases[] = {
    { "", "'mem' line 1 " },
    { "not json", "'mem' line 1 " },
    { "42", "'mem' line 1 " },
    { "{\"response\": {\"docs\": [1]}}", "'mem' doc 1: expected a HAL doc object" },
    { "[{\"docid\": 1}]", "'mem' doc 1: expected a \"halId_s\"" },
    { "{\"response\": 3}", "'mem': expected a HAL answer" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) works = NULL;
      works = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);
      g_assert_false (copub_hal_parse_json (NULL, cases[i].data, strlen (cases[i].data), "mem",
                                            NULL, collect, works, &error));
      g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
      if (error != NULL && strstr (error->message, cases[i].fragment) == NULL)
        g_test_message ("case %zu: %s", i, error->message);
      g_assert_nonnull (error ? strstr (error->message, cases[i].fragment) : NULL);
      g_assert_cmpuint (works->len, ==, 0);
    }
}

static gboolean
fail_first (CopubWork *work, gpointer user_data, GError **error)
{
  (void) user_data;
  copub_work_free (work);
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB, "store full");
  return FALSE;
}

static void
test_callback_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize size;

  g_assert_true (g_file_get_contents (FIXTURES "json/search-fs.json", &data, &size, NULL));
  g_assert_false (copub_hal_parse_json (NULL, data, size, "x", NULL, fail_first, NULL, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_DB);
}

/* ---- /ref/structure ----------------------------------------------------------------- */

static void
test_ref_structure (void)
{
  g_autoptr(GHashTable) structures = copub_hal_structures_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize size;
  CopubHalStructure *s;

  g_assert_true (g_file_get_contents (FIXTURES "json/ref-structure.json", &data, &size, NULL));
  g_assert_true (copub_hal_parse_structures (structures, data, size, "ref", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (structures), ==, 4); /* 3 + one alias */
  s = g_hash_table_lookup (structures, "struct-930004");
  g_assert_nonnull (s);
  g_assert_cmpstr (s->name, ==, "Laboratoire lorrain d'informatique inventée");
  g_assert_cmpstr (s->acronym, ==, "LLII");
  g_assert_cmpstr (s->status, ==, "VALID");
  g_assert_cmpstr (s->country, ==, "FR");
  g_assert_cmpuint (s->parents->len, ==, 1);
  g_assert_cmpstr (s->parents->pdata[0], ==, "struct-930006");
  s = g_hash_table_lookup (structures, "struct-930055");
  g_assert_nonnull (s);
  g_assert_cmpstr (s->country, ==, "CZ");
  g_assert_null (copub_hal_structures_country (structures, "struct-930006"));

  g_assert_false (copub_hal_parse_structures (structures, "{\"response\":{\"docs\":[3]}}", 26,
                                              "ref", &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
}

static void
test_sniff (void)
{
  static const char hal[] = "{\"response\":{\"numFound\":1,\"docs\":[{\"docid\":\"1\"}]}}";
  static const char openalex[] = "{\"meta\":{\"count\":1},\"results\":[{\"id\":\"W1\"}]}";

  g_assert_true (copub_hal_json_sniff (hal, strlen (hal)));
  g_assert_false (copub_hal_json_sniff (openalex, strlen (openalex)));
  g_assert_false (copub_hal_json_sniff ("", 0));
}


/* HAL's own counts: by production year, without older versions (status_i 111) nor annex
 * deposits (submitType_s annex); the publication year and annexes on request. */
static const char rules_page[] =
  "{\"response\": {\"numFound\": 5, \"docs\": ["
  "{\"docid\": 11, \"halId_s\": \"hal-1\", \"version_i\": 1, \"status_i\": 111,"
  " \"submitType_s\": \"file\", \"producedDateY_i\": 2017, \"publicationDateY_i\": 2017},"
  "{\"docid\": 12, \"halId_s\": \"hal-1\", \"version_i\": 2, \"status_i\": 11,"
  " \"submitType_s\": \"file\", \"producedDateY_i\": 2019, \"publicationDateY_i\": 2020},"
  "{\"docid\": 13, \"halId_s\": \"hal-2\", \"status_i\": \"11\", \"submitType_s\": \"annex\","
  " \"producedDateY_i\": 2019},"
  "{\"docid\": 14, \"halId_s\": \"hal-3\", \"submitType_s\": \"notice\","
  " \"publicationDate_s\": \"2018-05-01\", \"producedDate_s\": \"2017-12-30\"},"
  "{\"docid\": 15, \"halId_s\": \"hal-4\", \"publicationDateY_i\": 2016}"
  "]}, \"nextCursorMark\": \"AoE\"}";

static GPtrArray *
parse_rules_page (const CopubHalRules *rules, CopubHalPage *page)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *works = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);

  g_assert_true (copub_hal_parse_json (page, rules_page, strlen (rules_page), "rules", rules,
                                       collect, works, &error));
  g_assert_no_error (error);
  return works;
}

static void
assert_work_years (GPtrArray *works, const char *want)
{
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = 0; i < works->len; i++)
    {
      const CopubWork *w = works->pdata[i];
      g_string_append_printf (got, "%s%s:%d", i ? " " : "", w->id, w->year);
    }
  g_assert_cmpstr (got->str, ==, want);
}

static void
test_json_rules (void)
{
  static const CopubHalRules annexes = { COPUB_HAL_YEAR_PRODUCED, TRUE };
  g_auto(CopubHalPage) page = COPUB_HAL_PAGE_INIT;
  g_autoptr(GPtrArray) works = parse_rules_page (NULL, &page);
  g_autoptr(GPtrArray) by_pub = NULL, with_annexes = NULL, fixture = NULL;
  g_autoptr(GError) error = NULL;

  /* hal-1 v1 replaced by v2 (status_i 111) and the annex hal-2 are left out and
   * counted; hal-1 counts in its production year, hal-4 (no production date) in its
   * publication year. */
  assert_work_years (works, "hal-1:2019 hal-3:2017 hal-4:2016");
  g_assert_cmpuint (page.n_works, ==, 3);
  g_assert_cmpuint (page.n_old_versions, ==, 1);
  g_assert_cmpuint (page.n_annexes, ==, 1);
  g_assert_cmpint (page.num_found, ==, 5);
  copub_hal_page_clear (&page);

  by_pub = parse_rules_page (&by_publication, &page);
  assert_work_years (by_pub, "hal-1:2020 hal-3:2018 hal-4:2016");
  copub_hal_page_clear (&page);

  with_annexes = parse_rules_page (&annexes, &page);
  assert_work_years (with_annexes, "hal-1:2019 hal-2:2019 hal-3:2017 hal-4:2016");
  g_assert_cmpuint (page.n_old_versions, ==, 1);
  g_assert_cmpuint (page.n_annexes, ==, 0);

  /* The fixtures whose dates differ, by the publication rule. */
  fixture = parse_fixture_rules ("json/search-fs.json", NULL, &by_publication, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((CopubWork *) fixture->pdata[0])->year, ==, 2020);
  g_clear_pointer (&fixture, g_ptr_array_unref);
  fixture = parse_fixture_rules ("json/bare-array.json", NULL, &by_publication, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((CopubWork *) fixture->pdata[0])->year, ==, 2022); /* defence date */
}

static void
test_rules_names (void)
{
  static const CopubHalRules annexes = { COPUB_HAL_YEAR_PRODUCED, TRUE };
  CopubHalYear year = COPUB_HAL_YEAR_PUBLICATION;
  const char *const *filters;

  g_assert_cmpstr (copub_hal_year_field (COPUB_HAL_YEAR_PRODUCED), ==, "producedDateY_i");
  g_assert_cmpstr (copub_hal_year_field (COPUB_HAL_YEAR_PUBLICATION), ==, "publicationDateY_i");
  g_assert_true (copub_hal_year_from_name ("produced", &year));
  g_assert_cmpint (year, ==, COPUB_HAL_YEAR_PRODUCED);
  g_assert_true (copub_hal_year_from_name ("publication", &year));
  g_assert_cmpint (year, ==, COPUB_HAL_YEAR_PUBLICATION);
  g_assert_false (copub_hal_year_from_name ("Produced", &year));
  g_assert_false (copub_hal_year_from_name (NULL, &year));
  g_assert_cmpstr (copub_hal_year_name (year), ==, "publication");
  filters = copub_hal_rules_filters (NULL);
  g_assert_cmpstr (filters[0], ==, "-status_i:111");
  g_assert_cmpstr (filters[1], ==, "-submitType_s:annex");
  g_assert_null (filters[2]);
  filters = copub_hal_rules_filters (&annexes);
  g_assert_cmpstr (filters[0], ==, "-status_i:111");
  g_assert_null (filters[1]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/hal/split", test_split);
  g_test_add_func ("/hal/map-type", test_map_type);
  g_test_add_func ("/hal/domain", test_domain);
  g_test_add_func ("/hal/work-domain", test_work_domain);
  g_test_add_func ("/hal/year", test_year);
  g_test_add_func ("/hal/ids-and-countries", test_ids_and_countries);
  g_test_add_func ("/hal/roles", test_roles);
  g_test_add_func ("/hal/structures-country", test_structures_country);
  g_test_add_func ("/hal/authorship-add-structure", test_authorship_add_structure);
  g_test_add_func ("/hal/json/page", test_json_page);
  g_test_add_func ("/hal/json/fs-fields", test_json_fs_fields);
  g_test_add_func ("/hal/json/misaligned", test_json_misaligned);
  g_test_add_func ("/hal/json/ancestors", test_json_ancestors);
  g_test_add_func ("/hal/json/bare-array", test_json_bare_array);
  g_test_add_func ("/hal/json/rules", test_json_rules);
  g_test_add_func ("/hal/rules-names", test_rules_names);
  g_test_add_func ("/hal/json/single-doc", test_json_single_doc);
  g_test_add_func ("/hal/json/raw", test_json_raw);
  g_test_add_func ("/hal/json/bad", test_bad_json);
  g_test_add_func ("/hal/json/bad-memory", test_bad_json_memory);
  g_test_add_func ("/hal/json/callback-error", test_callback_error);
  g_test_add_func ("/hal/ref-structure", test_ref_structure);
  g_test_add_func ("/hal/sniff", test_sniff);
  return g_test_run ();
}
