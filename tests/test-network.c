/* Unit tests of the co-authorship network (src/indicators/network.c) and its files
 * (src/output/network.c), on a small corpus whose network is counted by hand. */
#include <stdio.h>
#include <string.h>

#include "copub/analyse.h"
#include "copub/error.h"
#include "copub/network.h"
#include "testlib.h"

/* Five works: FR+DE+US (institutions UL, X, Y), FR+DE (UL, X), FR alone, FR with a
 * territory (RE: counted as FR), and a retracted FR+IT (left out). */
static const char *const works[] = {
  "{\"id\":\"W1\",\"publication_year\":2020,\"type\":\"article\",\"authorships\":["
  "{\"countries\":[\"FR\"],\"institutions\":[{\"id\":\"I1\",\"ror\":\"https://ror.org/04vfs2w97\","
  "\"display_name\":\"UL\",\"country_code\":\"FR\"}]},"
  "{\"countries\":[\"DE\"],\"institutions\":[{\"id\":\"I2\",\"display_name\":\"X <&>\","
  "\"country_code\":\"DE\"}]},"
  "{\"countries\":[\"US\"],\"institutions\":[{\"id\":\"I3\",\"display_name\":\"Y\","
  "\"country_code\":\"US\"}]}]}",
  "{\"id\":\"W2\",\"publication_year\":2020,\"type\":\"article\",\"authorships\":["
  "{\"countries\":[\"FR\"],\"institutions\":[{\"id\":\"I1\",\"ror\":\"https://ror.org/04vfs2w97\","
  "\"display_name\":\"UL\",\"country_code\":\"FR\"}]},"
  "{\"countries\":[\"DE\"],\"institutions\":[{\"id\":\"I2\",\"display_name\":\"X <&>\","
  "\"country_code\":\"DE\"}]}]}",
  "{\"id\":\"W3\",\"publication_year\":2021,\"type\":\"article\",\"authorships\":["
  "{\"countries\":[\"FR\"]}]}",
  "{\"id\":\"W4\",\"publication_year\":2021,\"type\":\"article\",\"authorships\":["
  "{\"countries\":[\"FR\"]},{\"countries\":[\"RE\"]}]}",
  "{\"id\":\"W5\",\"publication_year\":2021,\"type\":\"article\",\"is_retracted\":true,"
  "\"authorships\":[{\"countries\":[\"FR\"]},{\"countries\":[\"IT\"]}]}",
};

/* A store of the works, in file order or reversed. */
static CopubStore *
corpus_store (gboolean reversed)
{
  g_autofree char *path = testlib_temp_path ("copub-network", "works.jsonl");
  GString *text = g_string_new (NULL);
  CopubStore *store;

  for (guint i = 0; i < G_N_ELEMENTS (works); i++)
    g_string_append_printf (text, "%s\n", works[reversed ? G_N_ELEMENTS (works) - 1 - i : i]);
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  g_string_free (text, TRUE);
  {
    const char *files[] = { path, NULL };
    store = testlib_fixture_store ("copub-network", files);
  }
  return store;
}

static CopubNetwork *
build (CopubStore *store, CopubNetworkLevel level, const char *theme)
{
  CopubAnalyseOptions o = COPUB_ANALYSE_OPTIONS_INIT;
  CopubNetworkOptions no = { level, theme };
  g_autoptr(GError) error = NULL;
  CopubNetwork *net = copub_network_build (store, &o, &no, &error);

  g_assert_no_error (error);
  return net;
}

/* The network written in @format, as text. */
static char *
written (const CopubNetwork *net, CopubNetworkFormat format, CopubCounting counting,
         double min_weight)
{
  CopubNetworkWriteOptions wo = { counting, min_weight, NULL };
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&text, &len);
  g_autoptr(GError) error = NULL;

  g_assert_true (copub_network_write (net, format, &wo, out, out, &error));
  g_assert_no_error (error);
  fclose (out);
  return text;
}

static void
test_countries (void)
{
  g_autoptr(CopubStore) store = corpus_store (FALSE);
  g_autoptr(CopubNetwork) net = build (store, COPUB_NETWORK_COUNTRY, NULL);
  g_autofree char *full = written (net, COPUB_NETWORK_CSV, COPUB_COUNTING_FULL, 0);
  g_autofree char *frac = written (net, COPUB_NETWORK_CSV, COPUB_COUNTING_FRACTIONAL, 0);
  g_autofree char *strong = written (net, COPUB_NETWORK_CSV, COPUB_COUNTING_FRACTIONAL, 1.5);

  g_assert_cmpint (copub_network_n_works (net), ==, 4);
  g_assert_cmpuint (copub_network_n_nodes (net), ==, 3); /* no RE, no IT */
  g_assert_cmpstr (copub_network_node (net, 0)->id, ==, "FR");
  g_assert_cmpint (copub_network_node (net, 0)->works, ==, 4);
  g_assert_cmpstr (copub_network_node (net, 1)->label, ==, "Germany");
  g_assert_cmpint (copub_network_node (net, 2)->works, ==, 1);
  g_assert_cmpuint (copub_network_n_links (net), ==, 3);
  g_assert_cmpint (copub_network_link (net, 0)->works, ==, 2);
  g_assert_cmpfloat (copub_network_link (net, 0)->fractional, ==, 1.5);
  g_assert_cmpstr (full, ==, "source,target,weight\nFR,DE,2\nFR,US,1\nDE,US,1\n");
  g_assert_cmpstr (frac, ==,
                   "source,target,weight\nFR,DE,1.500000\nFR,US,0.500000\nDE,US,0.500000\n");
  g_assert_cmpstr (strong, ==, "source,target,weight\nFR,DE,1.500000\n");
}

/* The order of the works never changes the network. */
static void
test_order (void)
{
  g_autoptr(CopubStore) a = corpus_store (FALSE);
  g_autoptr(CopubStore) b = corpus_store (TRUE);
  g_autoptr(CopubNetwork) na = build (a, COPUB_NETWORK_INSTITUTION, NULL);
  g_autoptr(CopubNetwork) nb = build (b, COPUB_NETWORK_INSTITUTION, NULL);
  g_autofree char *ga = written (na, COPUB_NETWORK_GRAPHML, COPUB_COUNTING_FRACTIONAL, 0);
  g_autofree char *gb = written (nb, COPUB_NETWORK_GRAPHML, COPUB_COUNTING_FRACTIONAL, 0);

  g_assert_cmpstr (ga, ==, gb);
}

static void
test_institutions (void)
{
  g_autoptr(CopubStore) store = corpus_store (FALSE);
  g_autoptr(CopubNetwork) net = build (store, COPUB_NETWORK_INSTITUTION, NULL);
  g_autofree char *gexf = written (net, COPUB_NETWORK_GEXF, COPUB_COUNTING_FULL, 0);
  const CopubNetworkNode *ul = copub_network_node (net, 0);

  g_assert_cmpuint (copub_network_n_nodes (net), ==, 3);
  g_assert_cmpstr (ul->id, ==, "04vfs2w97"); /* the ROR id when there is one */
  g_assert_cmpstr (ul->source_id, ==, "I1");
  g_assert_cmpstr (ul->country, ==, "FR");
  g_assert_cmpint (ul->works, ==, 2);
  g_assert_cmpstr (copub_network_node (net, 1)->id, ==, "I2");
  g_assert_cmpuint (copub_network_n_links (net), ==, 3);
  g_assert_nonnull (strstr (gexf, "label=\"X &lt;&amp;&gt;\""));
  g_assert_nonnull (strstr (gexf, "<edge id=\"0\" source=\"04vfs2w97\" target=\"I2\" weight=\"2\">"));
}

static void
test_empty (void)
{
  g_autoptr(CopubStore) store = corpus_store (FALSE);
  g_autoptr(CopubNetwork) net = build (store, COPUB_NETWORK_COUNTRY, "No such theme");
  g_autofree char *vos = written (net, COPUB_NETWORK_VOSVIEWER, COPUB_COUNTING_FULL, 0);
  g_autofree char *gexf = written (net, COPUB_NETWORK_GEXF, COPUB_COUNTING_FULL, 0);

  g_assert_cmpint (copub_network_n_works (net), ==, 0);
  g_assert_cmpuint (copub_network_n_nodes (net), ==, 0);
  g_assert_cmpstr (vos, ==, "id\tlabel\tdescription\tweight<Works>\n");
  g_assert_nonnull (strstr (gexf, "<nodes count=\"0\"/>"));
}

/* A full disk is an error of the writer, not a short file said to be complete. */
static void
test_write_failure (void)
{
  g_autoptr(CopubStore) store = corpus_store (FALSE);
  g_autoptr(CopubNetwork) net = build (store, COPUB_NETWORK_COUNTRY, NULL);
  CopubNetworkWriteOptions wo = { COPUB_COUNTING_FULL, 0, NULL };
  g_autoptr(GError) error = NULL;
  FILE *full = fopen ("/dev/full", "w");

  if (full == NULL)
    {
      g_test_skip ("no /dev/full");
      return;
    }
  g_assert_false (copub_network_write (net, COPUB_NETWORK_GRAPHML, &wo, full, NULL, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "No space left")); /* libxml2's word, kept */
  fclose (full);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/network/countries", test_countries);
  g_test_add_func ("/network/order", test_order);
  g_test_add_func ("/network/institutions", test_institutions);
  g_test_add_func ("/network/empty", test_empty);
  g_test_add_func ("/network/write-failure", test_write_failure);
  return g_test_run ();
}
