/* copub: the co-authorship network of the corpus, between countries or institutions.
 * A node is a country or an institution, weighted by its works; a link joins two nodes
 * that co-author works. Full counting: a link's weight is the number of works the two
 * nodes co-author. Fractional counting (VOSviewer's, Perianes-Rodriguez, Waltman & van
 * Eck 2016): a work with k distinct nodes gives each of its k(k-1)/2 links 1/(k-1), so
 * that every work with two nodes or more adds k/2 to the links in all.
 * The network is computed in src/indicators/network.c, written by src/output/network.c. */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "copub/analyse.h"
#include "copub/store.h"

G_BEGIN_DECLS

typedef enum {
  COPUB_NETWORK_COUNTRY,     /* harmonised as copub_analyse() does (territories, HK/MO) */
  COPUB_NETWORK_INSTITUTION, /* the institutions of the store's institution table */
} CopubNetworkLevel;

typedef struct {
  CopubNetworkLevel level;
  const char *theme;  /* NULL: every work; else only the works of this theme, as
                       * copub analyse --by theme names it */
} CopubNetworkOptions;

typedef struct {
  const char *id;        /* ISO code (countries); ROR id, else the source's id */
  const char *label;     /* the country's name in the options' language; the institution's
                          * name (its id when the store has none) */
  const char *country;   /* ISO code, or NULL when unknown */
  const char *ror;       /* institutions: short ROR id, or NULL */
  const char *source_id; /* institutions: OpenAlex "I..." or HAL "struct-..." id */
  gint64 works;          /* works of the corpus with this node */
} CopubNetworkNode;

typedef struct {
  guint source, target;  /* node indexes, source < target */
  gint64 works;          /* full counting: works co-authored */
  double fractional;     /* fractional link strength (see above) */
} CopubNetworkLink;

typedef struct CopubNetwork CopubNetwork;

/* Reads the store once and builds the network of the works @analysis selects (years,
 * types, source, home rules: the corpus of copub_analyse()). Nodes are sorted by works,
 * most first, then id; links by their nodes. Memory grows with the nodes and links,
 * not the works. A corpus without co-publication gives nodes and no link. */
CopubNetwork *copub_network_build (CopubStore *store, const CopubAnalyseOptions *analysis,
                                   const CopubNetworkOptions *options, GError **error);
void copub_network_free (CopubNetwork *network);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubNetwork, copub_network_free)

CopubNetworkLevel copub_network_level (const CopubNetwork *network);
gint64 copub_network_n_works (const CopubNetwork *network);
guint copub_network_n_nodes (const CopubNetwork *network);
const CopubNetworkNode *copub_network_node (const CopubNetwork *network, guint index);
guint copub_network_n_links (const CopubNetwork *network);
const CopubNetworkLink *copub_network_link (const CopubNetwork *network, guint index);

/* ---- output (src/output/network.c) ------------------------------------------------------ */

typedef enum {
  COPUB_NETWORK_VOSVIEWER, /* a map file and a network file */
  COPUB_NETWORK_GEXF,      /* GEXF 1.3, for Gephi */
  COPUB_NETWORK_GRAPHML,
  COPUB_NETWORK_CSV,       /* edge list: source,target,weight */
} CopubNetworkFormat;

/* "vosviewer", "gexf", "graphml", "csv"; FALSE for another name. */
gboolean copub_network_format_from_name (const char *name, CopubNetworkFormat *out);

/* What is written about a network: the counting of the links' weight and the links kept. */
typedef struct {
  CopubCounting counting;  /* COPUB_COUNTING_FULL or COPUB_COUNTING_FRACTIONAL */
  double min_weight;       /* links weighing less (in that counting) are left out */
  const char *description; /* the corpus in words, for the files that have metadata */
} CopubNetworkWriteOptions;

/* The definition of the links' weight in @counting, in English: for metadata and help. */
const char *copub_network_weight_definition (CopubCounting counting);

/* Writes @network in @format to @out; VOSviewer's map file goes to @out and its network
 * file to @out_links (NULL for the other formats). XML is written with libxml2, names
 * escaped; tabs and line breaks in the VOSviewer and CSV fields become spaces.
 * COPUB_ERROR_IO when writing fails. */
gboolean copub_network_write (const CopubNetwork *network, CopubNetworkFormat format,
                              const CopubNetworkWriteOptions *options, FILE *out,
                              FILE *out_links, GError **error);

G_END_DECLS
