/* Unit tests of partner institutions: the registry's roll-up to top-level parents
 * (several parents, successors, cycles, unknown ids), the home institution's exclusion,
 * names, and the counting by institution from a store and from an aggregate (works, n,
 * the fractional credit 1/(P+1)). */
#include <string.h>

#include "copub/analyse.h"
#include "copub/error.h"
#include "copub/institutions.h"
#include "copub/store.h"
#include "testlib.h"

/* U and C are top-level; L is a unit of both; S a unit of L; H a unit of U alone; O was
 * replaced by U; A and B name each other as parents; A3 is an agency of the state G. */
static CopubInstitutionTree *
sample_tree (void)
{
  CopubInstitutionTree *t = copub_institution_tree_new ();
  const char *const of_l[] = { "0aaaaaa11", "0ccccccc3", NULL };
  const char *const of_s[] = { "0lllllll4", NULL };
  const char *const of_a[] = { "0bbbbbb22", NULL };
  const char *const of_b[] = { "0aaaaaa22", NULL };
  const char *const of_h[] = { "0aaaaaa11", NULL };
  const char *const of_g[] = { "0gggggg88", NULL };

  copub_institution_tree_add (t, "0aaaaaa11", "FR", NULL, NULL, NULL, "University U",
                              "Université U");
  copub_institution_tree_add (t, "0ccccccc3", "FR", NULL, NULL, NULL, "Centre C", NULL);
  copub_institution_tree_add (t, "0lllllll4", "FR", NULL, of_l, NULL, "Lab L", NULL);
  copub_institution_tree_add (t, "0sssssss5", "FR", NULL, of_s, NULL, "Team S", NULL);
  copub_institution_tree_add (t, "0gggggg88", "FR", "government", NULL, NULL, "State G",
                              NULL);
  copub_institution_tree_add (t, "0aaaaaa33", "FR", "government,funder", of_g, NULL,
                              "Agency A3", NULL);
  copub_institution_tree_add (t, "0hhhhhh77", "FR", NULL, of_h, NULL, "Lab H", NULL);
  copub_institution_tree_add (t, "0ooooooo6", "FR", NULL, NULL, "0aaaaaa11", "Old O", NULL);
  copub_institution_tree_add (t, "0aaaaaa22", "DE", NULL, of_a, NULL, "A", NULL);
  copub_institution_tree_add (t, "0bbbbbb22", "DE", NULL, of_b, NULL, "B", NULL);
  return t;
}

/* The tops of @ror, sorted, space-separated. */
static char *
tops_of (const CopubInstitutionTree *t, const char *ror)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  copub_institution_tree_tops (t, ror, out);
  g_ptr_array_sort (out, testlib_strcmp_indirect);
  g_ptr_array_add (out, NULL);
  return g_strjoinv (" ", (char **) out->pdata);
}

static void
test_roll_up (void)
{
  g_autoptr(CopubInstitutionTree) t = sample_tree ();
  g_autofree char *s = tops_of (t, "0sssssss5"), *l = tops_of (t, "0lllllll4");
  g_autofree char *u = tops_of (t, "0aaaaaa11"), *o = tops_of (t, "0ooooooo6");
  g_autofree char *x = tops_of (t, "0xxxxxx99"), *a = tops_of (t, "0aaaaaa22");

  g_assert_cmpstr (s, ==, "0aaaaaa11 0ccccccc3"); /* through L to both of its parents */
  g_assert_cmpstr (l, ==, "0aaaaaa11 0ccccccc3");
  g_assert_cmpstr (u, ==, "0aaaaaa11");
  g_assert_cmpstr (o, ==, "0aaaaaa11");           /* its successor */
  g_assert_cmpstr (x, ==, "0xxxxxx99");           /* unknown: its own top level */
  g_assert_nonnull (a);                           /* a cycle ends */
  g_free (a);
  a = tops_of (t, "0aaaaaa33");
  g_assert_cmpstr (a, ==, "0aaaaaa33");           /* no climbing into a government */
}

/* A work's partners: its RORs rolled up, the home's top levels removed, other ids
 * (OpenAlex, HAL) not partners by themselves. */
static char *
partners_of (const CopubInstitutionTree *t, const char *institutions, const char *home)
{
  g_auto(GStrv) ids = g_strsplit (institutions, " ", -1);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  copub_institution_tree_partners (t, (const char *const *) ids, NULL, home, NULL, out);
  g_ptr_array_add (out, NULL);
  return g_strjoinv (" ", (char **) out->pdata);
}

/* The same with the work's "ROR>ID" pairs and the home's OpenAlex id. */
static char *
partners_by_lineage (const CopubInstitutionTree *t, const char *institutions,
                     const char *units, const char *home, const char *home_openalex)
{
  g_auto(GStrv) ids = g_strsplit (institutions, " ", -1);
  g_auto(GStrv) pairs = g_strsplit (units, " ", -1);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  copub_institution_tree_partners (t, (const char *const *) ids, (const char *const *) pairs,
                                   home, home_openalex, out);
  g_ptr_array_add (out, NULL);
  return g_strjoinv (" ", (char **) out->pdata);
}

/* OpenAlex's lineage names the home's units the registry does not hold (0xxxxxx99 and
 * 0yyyyyy98 are unknown to it): a unit whose lineage names the home (I1) is not a partner,
 * one whose lineage does not is; a home unit's other registry parent stays one; without
 * the home's OpenAlex id, nothing changes. */
static void
test_exclusion_by_lineage (void)
{
  g_autoptr(CopubInstitutionTree) t = sample_tree ();
  const char *work = "I1 I5 I6 I7 0xxxxxx99 0yyyyyy98 0aaaaaa11";
  const char *units = "0aaaaaa11>I1 0xxxxxx99>I1 0xxxxxx99>I5 0yyyyyy98>I6";
  g_autofree char *by_lineage = partners_by_lineage (t, work, units, "0aaaaaa11", "I1");
  g_autofree char *no_id = partners_by_lineage (t, work, units, "0aaaaaa11", NULL);
  g_autofree char *other = partners_by_lineage (t, work, units, "0aaaaaa11", "I6");
  g_autofree char *joint = partners_by_lineage (t, "I5 0lllllll4", "0lllllll4>I5 0lllllll4>I1",
                                                "0aaaaaa11", "I1");
  g_autofree char *renamed = partners_by_lineage (t, "I8 0ooooooo6", "0ooooooo6>I8",
                                                  "0ccccccc3", "I8");

  g_assert_cmpstr (by_lineage, ==, "0yyyyyy98");           /* X names I1, Y does not */
  g_assert_cmpstr (no_id, ==, "0xxxxxx99 0yyyyyy98");      /* the registry alone */
  g_assert_cmpstr (other, ==, "0xxxxxx99");                /* Y is I6's unit */
  g_assert_cmpstr (joint, ==, "0ccccccc3");                /* L's other parent, C */
  g_assert_cmpstr (renamed, ==, "");                       /* O's successor, U */
}

static void
test_exclusion (void)
{
  g_autoptr(CopubInstitutionTree) t = sample_tree ();
  const char *work = "I1 struct-7 0sssssss5 0xxxxxx99 0aaaaaa11";
  g_autofree char *by_u = partners_of (t, work, "0aaaaaa11");
  g_autofree char *by_l = partners_of (t, work, "0lllllll4");
  g_autofree char *by_o = partners_of (t, work, "0ooooooo6");
  g_autofree char *none = partners_of (t, work, NULL);
  g_autofree char *alone = partners_of (t, "I1 0sssssss5", "0aaaaaa11");

  g_assert_cmpstr (by_u, ==, "0ccccccc3 0xxxxxx99"); /* S's other parent is a partner */
  g_assert_cmpstr (by_l, ==, "0xxxxxx99");           /* L's lineage: U and C */
  g_assert_cmpstr (by_o, ==, "0ccccccc3 0xxxxxx99"); /* a home known by its old id */
  g_assert_cmpstr (none, ==, "0aaaaaa11 0ccccccc3 0xxxxxx99");
  g_assert_cmpstr (alone, ==, "0ccccccc3");
}

static void
test_names (void)
{
  g_autoptr(CopubInstitutionTree) t = sample_tree ();
  g_autoptr(CopubInstitutionTree) shipped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ror = copub_institution_short_id ("https://ror.org/04vfs2w97");
  g_autofree char *oa = copub_institution_short_id ("https://openalex.org/I90183372");
  g_autofree char *bad = copub_institution_short_id ("Lorraine");
  g_autofree char *lab = NULL;

  g_assert_cmpstr (copub_institution_tree_name (t, "0aaaaaa11", "fr"), ==, "Université U");
  g_assert_cmpstr (copub_institution_tree_name (t, "0aaaaaa11", "en"), ==, "University U");
  g_assert_cmpstr (copub_institution_tree_name (t, "0ccccccc3", "fr"), ==, "Centre C");
  g_assert_null (copub_institution_tree_name (t, "0xxxxxx99", "en"));
  g_assert_cmpstr (copub_institution_tree_country (t, "0aaaaaa22"), ==, "DE");
  g_assert_cmpstr (ror, ==, "04vfs2w97");
  g_assert_cmpstr (oa, ==, "I90183372");
  g_assert_null (bad);

  /* The shipped registry: a CNRS and Université Grenoble Alpes laboratory (CERMAV) rolls
   * up to both; CNRS is named in French and in English. */
  shipped = copub_institution_tree_load (NULL, &error);
  g_assert_no_error (error);
  lab = tops_of (shipped, "0003ege03");
  g_assert_cmpstr (lab, ==, "02feahw73 02rx3b187");
  g_assert_cmpstr (copub_institution_tree_name (shipped, "02feahw73", "fr"), ==,
                   "Centre National de la Recherche Scientifique");
  g_assert_cmpstr (copub_institution_tree_name (shipped, "02feahw73", "en"), ==,
                   "French National Centre for Scientific Research");
  g_assert_cmpstr (copub_institution_tree_country (shipped, "02feahw73"), ==, "FR");
}

static void
test_bad_registry (void)
{
  g_autofree char *path = testlib_temp_path ("copub-institutions", "bad.tsv");
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubInstitutionTree) t = NULL;

  g_assert_true (g_file_set_contents (path, "0aaaaaa11\tactive\t\t\t\t\t\tD:en:X\n", -1,
                                      NULL));
  t = copub_institution_tree_load (path, &error);
  g_assert_null (t);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (error ? strstr (error->message, "bad.tsv") : NULL);
}

/* A work of the home institution (the lab H of U) with @partners (CopubInstitution
 * RORs), one authorship each; OpenAlex ids I<n>. */
static CopubWork *
work_with (const char *id, int year, const char *const *partners)
{
  CopubWork *w = copub_work_new (COPUB_SOURCE_OPENALEX);
  const char *const home[] = { "0hhhhhh77", NULL };

  w->id = g_strdup (id);
  w->year = year;
  w->type = g_strdup ("article");
  for (guint k = 0; k < 2; k++)
    for (const char *const *r = k == 0 ? home : partners; *r; r++)
      {
        CopubAuthorship *a = copub_authorship_new ();
        CopubInstitution *inst = copub_institution_new ();
        inst->id = g_strdup_printf ("I%u", (guint) (r[0][1] - 'a' + 1));
        inst->ror = g_strdup (*r);
        inst->name = g_strdup ("as cited");
        inst->country = g_strdup ("FR");
        g_ptr_array_add (inst->lineage, g_strdup (inst->id));
        g_ptr_array_add (a->institutions, inst);
        copub_authorship_add_country (a, "FR");
        a->position = (int) w->authorships->len;
        g_ptr_array_add (w->authorships, a);
      }
  return w;
}

static void
check_counts (const CopubIndicators *ind)
{
  const CopubCell *c = copub_indicators_find (ind, &(CopubCell) { .institution = "0ccccccc3" });
  const CopubCell *x = copub_indicators_find (ind, &(CopubCell) { .institution = "0xxxxxx99" });
  CopubInstitutionInfo info;

  /* Works: W1 with C (through L) and X, W2 with C, W3 with U only (home: no partner).
   * (Had the home authorships been in S, a unit of U and C, C would be a partner of
   * every work: a joint unit makes its other parent a partner.) */
  g_assert_cmpuint (copub_indicators_n_cells (ind), ==, 2);
  g_assert_nonnull (c);
  g_assert_nonnull (x);
  if (c == NULL || x == NULL)
    return;
  g_assert_cmpint (c->works, ==, 2);
  g_assert_cmpint (c->n, ==, 3);
  /* 1/3 (W1: home, C, X) + 1/2 (W2: home, C) */
  g_assert_cmpfloat_with_epsilon (copub_fraction_to_double (c->fractional), 5.0 / 6, 1e-12);
  g_assert_cmpint (copub_fraction_hundredths (c->fractional), ==, 83);
  g_assert_cmpint (x->works, ==, 1);
  g_assert_cmpfloat_with_epsilon (copub_fraction_to_double (x->fractional), 1.0 / 3, 1e-12);
  g_assert_true (copub_indicators_cell (ind, 0) == c); /* most works first */
  info = copub_indicators_institution (ind, c);
  g_assert_cmpstr (info.name, ==, "Centre C");   /* the registry's name */
  g_assert_cmpstr (info.openalex, ==, "I3");     /* W2 cites C itself */
  info = copub_indicators_institution (ind, x);
  g_assert_cmpstr (info.name, ==, "as cited");   /* not in the registry: the work's */
  g_assert_cmpstr (info.openalex, ==, "I24");
  g_assert_cmpstr (info.country, ==, "FR");
}

static void
test_counting (void)
{
  const char *const w1[] = { "0lllllll4", "0xxxxxx99", NULL };
  const char *const w2[] = { "0ccccccc3", NULL };
  const char *const w3[] = { "0aaaaaa11", NULL };
  g_autoptr(CopubInstitutionTree) tree = sample_tree ();
  g_autofree char *path = testlib_temp_db ("copub-institutions");
  g_autoptr(CopubStore) store = NULL;
  g_autoptr(CopubAggregate) agg = NULL;
  g_autoptr(CopubIndicators) from_store = NULL, from_scan = NULL, top = NULL;
  g_autoptr(GError) error = NULL;
  CopubAnalyseOptions o = COPUB_ANALYSE_OPTIONS_INIT;
  CopubWork *works[3] = { work_with ("W1", 2020, w1), work_with ("W2", 2021, w2),
                          work_with ("W3", 2021, w3) };

  o.dims[0] = COPUB_DIM_INSTITUTION;
  o.n_dims = 1;
  o.home_institution = "0aaaaaa11";
  o.institution_tree = tree;
  store = copub_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (copub_store_begin (store, &error));
  for (guint i = 0; i < 3; i++)
    g_assert_true (copub_store_put_work (store, works[i], NULL, &error));
  g_assert_true (copub_store_commit (store, &error));
  from_store = copub_analyse (store, &o, &error);
  g_assert_no_error (error);
  check_counts (from_store);

  /* Without a store, the home's OpenAlex id is given: the one analyse found for its ROR. */
  o.home_openalex = "I1";
  agg = copub_aggregate_new (&o, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    copub_aggregate_add_work (agg, works[i]);
  from_scan = copub_aggregate_indicators (agg);
  check_counts (from_scan);

  o.top = 1;
  top = copub_analyse (store, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (copub_indicators_n_cells (top), ==, 1);
  g_assert_cmpstr (copub_indicators_cell (top, 0)->institution, ==, "0ccccccc3");

  /* An OpenAlex id is resolved through the store: I8 is H, a unit of U. */
  o.top = 0;
  o.home_institution = "I8";
  g_clear_pointer (&top, copub_indicators_unref);
  top = copub_analyse (store, &o, &error);
  g_assert_no_error (error);
  if (top)
    check_counts (top);
  for (guint i = 0; i < 3; i++)
    copub_work_free (works[i]);
}

/* An OpenAlex institution and a HAL structure with the same ROR id are one partner; the
 * two sources' records of one work (same DOI) count once. */
static void
test_hal_and_openalex (void)
{
  const char *const with_c[] = { "0ccccccc3", NULL };
  g_autoptr(CopubInstitutionTree) tree = sample_tree ();
  g_autofree char *path = testlib_temp_db ("copub-institutions");
  g_autoptr(CopubStore) store = copub_store_open (path, NULL);
  g_autoptr(CopubIndicators) ind = NULL;
  g_autoptr(GError) error = NULL;
  CopubAnalyseOptions o = COPUB_ANALYSE_OPTIONS_INIT;
  CopubWork *oa = work_with ("W1", 2020, with_c), *hal = work_with ("1", 2020, with_c);
  CopubWork *hal_only = work_with ("2", 2021, with_c);
  const CopubCell *c;

  hal->source = hal_only->source = COPUB_SOURCE_HAL;
  oa->doi = g_strdup ("10.1/same");
  hal->doi = g_strdup ("10.1/same");
  for (guint k = 0; k < 2; k++)
    {
      CopubWork *w = k ? hal_only : hal;
      for (guint i = 0; i < w->authorships->len; i++)
        {
          CopubAuthorship *a = g_ptr_array_index (w->authorships, i);
          CopubInstitution *inst = g_ptr_array_index (a->institutions, 0);
          g_free (inst->id);
          inst->id = g_strdup_printf ("struct-%u", i + 1);
        }
    }
  o.dims[0] = COPUB_DIM_INSTITUTION;
  o.n_dims = 1;
  o.home_institution = "0aaaaaa11";
  o.institution_tree = tree;
  g_assert_true (copub_store_begin (store, &error));
  g_assert_true (copub_store_put_work (store, oa, NULL, &error));
  g_assert_true (copub_store_put_work (store, hal, NULL, &error));
  g_assert_true (copub_store_put_work (store, hal_only, NULL, &error));
  g_assert_true (copub_store_commit (store, &error));
  ind = copub_analyse (store, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ind ? copub_indicators_n_cells (ind) : 0, ==, 1);
  c = ind ? copub_indicators_cell (ind, 0) : NULL;
  if (c)
    {
      g_assert_cmpstr (c->institution, ==, "0ccccccc3");
      g_assert_cmpint (c->works, ==, 2); /* W1 and its HAL record once, HAL's 2 */
      g_assert_cmpint (c->n, ==, 2);
      g_assert_cmpstr (copub_indicators_institution (ind, c).openalex, ==, "I3");
    }
  copub_work_free (oa);
  copub_work_free (hal);
  copub_work_free (hal_only);
}

static void
test_options (void)
{
  g_autoptr(CopubInstitutionTree) tree = sample_tree ();
  g_autofree char *path = testlib_temp_db ("copub-institutions");
  g_autoptr(CopubStore) store = copub_store_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubIndicators) ind = NULL;
  g_autoptr(CopubAggregate) agg = NULL;
  CopubAnalyseOptions o = COPUB_ANALYSE_OPTIONS_INIT;

  g_assert_true (copub_analyse_parse_dims (&o, "institution,year", &error));
  g_assert_no_error (error);
  ind = copub_analyse (store, &o, &error); /* no home institution */
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  g_clear_error (&error);
  o.home_institution = "0aaaaaa11";
  o.institution_tree = tree;
  g_assert_true (copub_analyse_parse_dims (&o, "institution,country", &error));
  ind = copub_analyse (store, &o, &error);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  g_clear_error (&error);
  g_assert_true (copub_analyse_parse_dims (&o, "institution", &error));
  o.home_institution = "I404"; /* unknown to the store */
  ind = copub_analyse (store, &o, &error);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
  g_clear_error (&error);
  agg = copub_aggregate_new (&o, &error); /* no store: a ROR id only */
  g_assert_null (agg);
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_USAGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/institutions/roll-up", test_roll_up);
  g_test_add_func ("/institutions/exclusion", test_exclusion);
  g_test_add_func ("/institutions/exclusion-by-lineage", test_exclusion_by_lineage);
  g_test_add_func ("/institutions/names", test_names);
  g_test_add_func ("/institutions/bad-registry", test_bad_registry);
  g_test_add_func ("/institutions/counting", test_counting);
  g_test_add_func ("/institutions/hal-and-openalex", test_hal_and_openalex);
  g_test_add_func ("/institutions/options", test_options);
  return g_test_run ();
}
