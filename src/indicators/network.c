/* copub: the co-authorship network, counted in one pass over the corpus of the analysis
 * (indicators/analyse.c gives each work once, records of several sources merged). Link
 * strengths are summed exactly, in units of 1/FRAC_SCALE of a work, so that the order of
 * the works never changes a figure. */
#include <string.h>

#include "copub/countries.h"
#include "copub/error.h"
#include "copub/network.h"
#include "indicators/counting.h"

typedef struct {
  char *ror, *name, *country;
} Institution;

typedef struct {
  gint64 works;
  FracSum units;
} LinkSum;

struct CopubNetwork {
  CopubNetworkLevel level;
  const char *theme;
  const char *lang;
  gint64 n_works;
  GHashTable *institutions; /* id -> Institution (institution level) */
  GHashTable *node_index;   /* node id -> index + 1 */
  GArray *nodes;            /* CopubNetworkNode, strings owned by @strings */
  GStringChunk *strings;
  GHashTable *link_sums;    /* (a << 32 | b), a < b -> LinkSum */
  GArray *links;            /* CopubNetworkLink, once built */
  GArray *work_nodes;       /* scratch: one work's node indexes */
};

static void
institution_free (gpointer data)
{
  Institution *inst = data;
  g_free (inst->ror);
  g_free (inst->name);
  g_free (inst->country);
  g_free (inst);
}

static void
keep_institution (const char *id, const char *ror, const char *name, const char *country,
                  gpointer user_data)
{
  Institution *inst = g_new0 (Institution, 1);

  inst->ror = g_strdup (ror);
  inst->name = g_strdup (name);
  inst->country = g_strdup (country);
  g_hash_table_replace (user_data, g_strdup (id), inst);
}

/* The index of the node @id, added when new. */
static guint
node_of (CopubNetwork *net, const char *id, const char *source_id, const Institution *inst)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (net->node_index, id));
  CopubNetworkNode node = { 0 };

  if (index > 0)
    return index - 1;
  node.id = g_string_chunk_insert_const (net->strings, id);
  if (inst == NULL)
    {
      node.country = node.id;
      node.label = g_string_chunk_insert_const (net->strings,
                                                copub_country_name (id, net->lang));
    }
  else
    {
      node.label = g_string_chunk_insert_const (net->strings, inst->name ? inst->name : id);
      node.country = inst->country ? g_string_chunk_insert_const (net->strings, inst->country)
                                   : NULL;
      node.ror = inst->ror ? g_string_chunk_insert_const (net->strings, inst->ror) : NULL;
      node.source_id = g_string_chunk_insert_const (net->strings, source_id);
    }
  g_array_append_val (net->nodes, node);
  g_hash_table_insert (net->node_index, (gpointer) node.id, GUINT_TO_POINTER (net->nodes->len));
  return net->nodes->len - 1;
}

/* Adds @index to the work's nodes unless it is there. */
static void
add_work_node (CopubNetwork *net, guint index)
{
  for (guint i = 0; i < net->work_nodes->len; i++)
    if (g_array_index (net->work_nodes, guint, i) == index)
      return;
  g_array_append_val (net->work_nodes, index);
}

/* The work's institutions: the ids of its list that the institution table knows (an
 * institution cited by an authorship), one node per ROR id when it has one, so that an
 * OpenAlex institution and a HAL structure with the same ROR are one node. */
static void
institution_nodes (CopubNetwork *net, const CopubWorkSummary *s)
{
  for (const char *const *id = s->institutions; id && *id; id++)
    {
      const Institution *inst = g_hash_table_lookup (net->institutions, *id);
      if (inst != NULL)
        add_work_node (net, node_of (net, inst->ror ? inst->ror : *id, *id, inst));
    }
}

static void
count_links (CopubNetwork *net)
{
  guint k = net->work_nodes->len;
  /* 1/(k-1) of a work, rounded once to the unit: exact for k-1 <= 40 and its multiples */
  gint64 share = k > 1 ? (gint64) ((FRAC_SCALE + (k - 1) / 2) / (k - 1)) : 0;

  for (guint i = 0; i < k; i++)
    for (guint j = i + 1; j < k; j++)
      {
        guint a = g_array_index (net->work_nodes, guint, i);
        guint b = g_array_index (net->work_nodes, guint, j);
        guint64 key = a < b ? ((guint64) a << 32 | b) : ((guint64) b << 32 | a);
        LinkSum *sum = g_hash_table_lookup (net->link_sums, &key);
        if (sum == NULL)
          {
            guint64 *k64 = g_new (guint64, 1);
            *k64 = key;
            sum = g_new0 (LinkSum, 1);
            g_hash_table_insert (net->link_sums, k64, sum);
          }
        sum->works++;
        sum->units += share;
      }
}

static void
count_work (const CopubWorkSummary *s, const char *const *countries, guint n_countries,
            const char *theme, gpointer user_data)
{
  CopubNetwork *net = user_data;

  if (net->theme && g_strcmp0 (theme, net->theme) != 0)
    return;
  net->n_works++;
  g_array_set_size (net->work_nodes, 0);
  if (net->level == COPUB_NETWORK_COUNTRY)
    for (guint i = 0; i < n_countries; i++)
      add_work_node (net, node_of (net, countries[i], NULL, NULL));
  else
    institution_nodes (net, s);
  for (guint i = 0; i < net->work_nodes->len; i++)
    g_array_index (net->nodes, CopubNetworkNode, g_array_index (net->work_nodes, guint, i))
        .works++;
  count_links (net);
}

static int
compare_nodes (gconstpointer pa, gconstpointer pb)
{
  const CopubNetworkNode *a = *(const CopubNetworkNode *const *) pa;
  const CopubNetworkNode *b = *(const CopubNetworkNode *const *) pb;

  if (a->works != b->works)
    return a->works > b->works ? -1 : 1;
  return strcmp (a->id, b->id);
}

static int
compare_links (gconstpointer pa, gconstpointer pb)
{
  const CopubNetworkLink *a = pa, *b = pb;

  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return (a->target > b->target) - (a->target < b->target);
}

/* Sorts the nodes and turns the sums into links between the sorted indexes. */
static void
finish (CopubNetwork *net)
{
  guint n = net->nodes->len;
  g_autoptr(GPtrArray) order = g_ptr_array_sized_new (n);
  g_autofree guint *new_index = g_new0 (guint, n + 1);
  GArray *sorted = g_array_sized_new (FALSE, FALSE, sizeof (CopubNetworkNode), n);
  GHashTableIter it;
  gpointer key, value;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (order, &g_array_index (net->nodes, CopubNetworkNode, i));
  g_ptr_array_sort (order, compare_nodes);
  for (guint i = 0; i < n; i++)
    {
      const CopubNetworkNode *node = g_ptr_array_index (order, i);
      new_index[node - (const CopubNetworkNode *) (gpointer) net->nodes->data] = i;
      g_array_append_val (sorted, *node);
    }
  g_array_unref (net->nodes);
  net->nodes = sorted;
  g_hash_table_remove_all (net->node_index);
  for (guint i = 0; i < n; i++)
    g_hash_table_insert (net->node_index,
                         (gpointer) g_array_index (net->nodes, CopubNetworkNode, i).id,
                         GUINT_TO_POINTER (i + 1));

  net->links = g_array_sized_new (FALSE, FALSE, sizeof (CopubNetworkLink),
                                  g_hash_table_size (net->link_sums));
  g_hash_table_iter_init (&it, net->link_sums);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      guint64 k = *(const guint64 *) key;
      const LinkSum *sum = value;
      guint a = new_index[k >> 32], b = new_index[k & 0xffffffffu];
      CopubNetworkLink link = { MIN (a, b), MAX (a, b), sum->works,
                                (double) sum->units / (double) FRAC_SCALE };
      g_array_append_val (net->links, link);
    }
  g_array_sort (net->links, compare_links);
  g_clear_pointer (&net->link_sums, g_hash_table_unref);
  g_clear_pointer (&net->institutions, g_hash_table_unref);
}

CopubNetwork *
copub_network_build (CopubStore *store, const CopubAnalyseOptions *analysis,
                     const CopubNetworkOptions *options, GError **error)
{
  g_autoptr(CopubNetwork) net = g_new0 (CopubNetwork, 1);

  net->level = options->level;
  net->theme = options->theme;
  net->lang = analysis->lang ? analysis->lang : "en";
  net->node_index = g_hash_table_new (g_str_hash, g_str_equal);
  net->nodes = g_array_new (FALSE, FALSE, sizeof (CopubNetworkNode));
  net->strings = g_string_chunk_new (4096);
  net->link_sums = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  net->work_nodes = g_array_new (FALSE, FALSE, sizeof (guint));
  if (options->level == COPUB_NETWORK_INSTITUTION)
    {
      net->institutions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 institution_free);
      if (!copub_store_foreach_institution_row (store, keep_institution, net->institutions,
                                                error))
        return NULL;
    }
  if (!copub_counting_foreach_work (store, analysis, count_work, net, error))
    return NULL;
  finish (net);
  return g_steal_pointer (&net);
}

void
copub_network_free (CopubNetwork *net)
{
  if (net == NULL)
    return;
  g_clear_pointer (&net->institutions, g_hash_table_unref);
  g_clear_pointer (&net->link_sums, g_hash_table_unref);
  g_clear_pointer (&net->links, g_array_unref);
  g_hash_table_unref (net->node_index);
  g_array_unref (net->nodes);
  g_array_unref (net->work_nodes);
  g_string_chunk_free (net->strings);
  g_free (net);
}

CopubNetworkLevel
copub_network_level (const CopubNetwork *net)
{
  return net->level;
}

gint64
copub_network_n_works (const CopubNetwork *net)
{
  return net->n_works;
}

guint
copub_network_n_nodes (const CopubNetwork *net)
{
  return net->nodes->len;
}

const CopubNetworkNode *
copub_network_node (const CopubNetwork *net, guint index)
{
  return &g_array_index (net->nodes, CopubNetworkNode, index);
}

guint
copub_network_n_links (const CopubNetwork *net)
{
  return net->links ? net->links->len : 0;
}

const CopubNetworkLink *
copub_network_link (const CopubNetwork *net, guint index)
{
  return &g_array_index (net->links, CopubNetworkLink, index);
}
