/* Tests of the completeness module: reading a source's count per year, naming the years
 * where it and the store differ, and recording the counts in a real store. */
#include <glib.h>

#include "copub/store.h"
#include "sources/completeness.h"
#include "testlib.h"

static void
test_year_counts (void)
{
  gint64 counts[3] = { 7, 7, 7 };
  CopubYearCounts yc = { 2020, 2022, counts };

  copub_year_counts_zero (&yc);
  g_assert_cmpint (counts[0] + counts[1] + counts[2], ==, 0);
  g_assert_true (copub_year_counts_set (&yc, "2021", 5));
  g_assert_true (copub_year_counts_set (&yc, "https://openalex.org/years/2022", 9));
  /* A year outside the range is a year, not kept. */
  g_assert_true (copub_year_counts_set (&yc, "2019", 3));
  g_assert_true (copub_year_counts_set (&yc, "2023", 3));
  g_assert_cmpint (counts[0], ==, 0);
  g_assert_cmpint (counts[1], ==, 5);
  g_assert_cmpint (counts[2], ==, 9);
  for (guint i = 0; i < 5; i++)
    {
      static const char *const bad[] = { "", "20x1", "unknown", "12345", "-3" };
      g_assert_false (copub_year_counts_set (&yc, bad[i], 1));
    }
  g_assert_false (copub_year_counts_set (&yc, NULL, 1));
  g_assert_cmpint (counts[0] + counts[1] + counts[2], ==, 14);
}

static CopubSourceCount *
count_new (const char *source, int year, gint64 counted, gint64 held)
{
  CopubSourceCount *c = g_new0 (CopubSourceCount, 1);

  c->source = g_strdup (source);
  c->year = year;
  c->counted = counted;
  c->held = held;
  return c;
}

static void
test_differences (void)
{
  g_autoptr(GPtrArray) counts =
      g_ptr_array_new_with_free_func ((GDestroyNotify) copub_source_count_free);
  g_autofree char *none = NULL, *some = NULL;

  g_assert_null (copub_completeness_differences (NULL));
  g_ptr_array_add (counts, count_new ("openalex", 2020, 8, 8));
  none = copub_completeness_differences (counts);
  g_assert_null (none);
  g_ptr_array_add (counts, count_new ("openalex", 2021, 8, 7));
  g_ptr_array_add (counts, count_new ("hal", 2021, 0, 2));
  some = copub_completeness_differences (counts);
  g_assert_cmpstr (some, ==, "2021 (OpenAlex 8, store 7), 2021 (HAL 0, store 2)");
}

static void
test_record (void)
{
  g_autofree char *db = testlib_temp_db ("copub-completeness");
  g_autofree char *dir = g_path_get_dirname (db);
  const gint64 counts[2] = { 3, 0 };
  const char *const types[] = { "article", NULL };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (copub_completeness_record (db, "openalex", types, 2020, 2021, counts, NULL,
                                            &rows, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  {
    const CopubSourceCount *c = rows->pdata[0];
    g_assert_cmpstr (c->source, ==, "openalex");
    g_assert_cmpint (c->year, ==, 2020);
    g_assert_cmpint (c->counted, ==, 3);
    g_assert_cmpint (c->held, ==, 0); /* an empty store holds nothing */
    g_assert_cmpstr (c->types, ==, "article");
  }
  testlib_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/completeness/year-counts", test_year_counts);
  g_test_add_func ("/completeness/differences", test_differences);
  g_test_add_func ("/completeness/record", test_record);
  return g_test_run ();
}
