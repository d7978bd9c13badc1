/* copub: the co-authorship network as files for VOSviewer (map and network files),
 * Gephi (GEXF 1.3), GraphML and a CSV edge list. XML goes through libxml2's text writer,
 * which escapes every name; the tab-separated and CSV fields lose their tabs and line
 * breaks. Nodes and links are written as they are read, nothing is built in memory. */
#include <stdarg.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "copub/error.h"
#include "copub/network.h"

#define GEXF_NS "http://gexf.net/1.3"
#define GRAPHML_NS "http://graphml.graphdrawing.org/xmlns"

gboolean
copub_network_format_from_name (const char *name, CopubNetworkFormat *out)
{
  static const char *const names[] = { "vosviewer", "gexf", "graphml", "csv", NULL };

  for (int i = 0; names[i]; i++)
    if (strcmp (name, names[i]) == 0)
      {
        *out = (CopubNetworkFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
copub_network_weight_definition (CopubCounting counting)
{
  if (counting == COPUB_COUNTING_FRACTIONAL)
    return "link weight: fractional counting (VOSviewer's): a work with k distinct nodes "
           "gives each of its k(k-1)/2 links 1/(k-1); node weight: works";
  return "link weight: full counting: the number of works the two nodes co-author; "
         "node weight: works";
}

static double
link_weight (const CopubNetworkLink *link, CopubCounting counting)
{
  return counting == COPUB_COUNTING_FRACTIONAL ? link->fractional : (double) link->works;
}

static gboolean
kept (const CopubNetworkLink *link, const CopubNetworkWriteOptions *o)
{
  return link_weight (link, o->counting) >= o->min_weight;
}

/* The weight as text: an integer in full counting, 6 decimals in fractional. */
static const char *
weight_text (char buf[G_ASCII_DTOSTR_BUF_SIZE], const CopubNetworkLink *link,
             CopubCounting counting)
{
  if (counting == COPUB_COUNTING_FRACTIONAL)
    return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.6f", link->fractional);
  g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%" G_GINT64_FORMAT, link->works);
  return buf;
}

static gboolean
io_error (GError **error, const char *what)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing the %s failed", what);
  return FALSE;
}

/* ---- tab-separated and CSV fields ------------------------------------------------------ */

/* @text with tabs, line breaks and other control characters as spaces. */
static char *
one_line (const char *text)
{
  char *out = g_strdup (text ? text : "");

  for (char *p = out; *p; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return out;
}

/* A VOSviewer label: on one line; in double quotes when it holds a comma or a semicolon
 * (the manual's rule), its own double quotes then turned into single ones. */
static char *
vos_label (const char *text)
{
  g_autofree char *line = one_line (text);

  if (strpbrk (line, ",;\"") == NULL)
    return g_steal_pointer (&line);
  for (char *p = line; *p; p++)
    if (*p == '"')
      *p = '\'';
  return g_strdup_printf ("\"%s\"", line);
}

/* A CSV field (RFC 4180): quoted, quotes doubled, when it needs it; on one line. */
static void
csv_field (FILE *out, const char *text)
{
  g_autofree char *line = one_line (text);

  if (strpbrk (line, ",\"") == NULL)
    {
      fputs (line, out);
      return;
    }
  fputc ('"', out);
  for (const char *p = line; *p; p++)
    {
      if (*p == '"')
        fputc ('"', out);
      fputc (*p, out);
    }
  fputc ('"', out);
}

static gboolean
write_vosviewer (const CopubNetwork *net, const CopubNetworkWriteOptions *o, FILE *map,
                 FILE *links, GError **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Items get the ids 1..n VOSviewer expects; the node's own id is its description. */
  fputs ("id\tlabel\tdescription\tweight<Works>\n", map);
  for (guint i = 0; i < copub_network_n_nodes (net); i++)
    {
      const CopubNetworkNode *node = copub_network_node (net, i);
      g_autofree char *label = vos_label (node->label);
      g_autofree char *id = vos_label (node->id);
      fprintf (map, "%u\t%s\t%s\t%" G_GINT64_FORMAT "\n", i + 1, label, id, node->works);
    }
  for (guint i = 0; i < copub_network_n_links (net); i++)
    {
      const CopubNetworkLink *link = copub_network_link (net, i);
      if (kept (link, o))
        fprintf (links, "%u\t%u\t%s\n", link->source + 1, link->target + 1,
                 weight_text (buf, link, o->counting));
    }
  if (fflush (map) != 0 || ferror (map))
    return io_error (error, "VOSviewer map file");
  if (fflush (links) != 0 || ferror (links))
    return io_error (error, "VOSviewer network file");
  return TRUE;
}

static gboolean
write_csv (const CopubNetwork *net, const CopubNetworkWriteOptions *o, FILE *out,
           GError **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  fputs ("source,target,weight\n", out);
  for (guint i = 0; i < copub_network_n_links (net); i++)
    {
      const CopubNetworkLink *link = copub_network_link (net, i);
      if (!kept (link, o))
        continue;
      csv_field (out, copub_network_node (net, link->source)->id);
      fputc (',', out);
      csv_field (out, copub_network_node (net, link->target)->id);
      fprintf (out, ",%s\n", weight_text (buf, link, o->counting));
    }
  if (fflush (out) != 0 || ferror (out))
    return io_error (error, "CSV edge list");
  return TRUE;
}

/* ---- XML ------------------------------------------------------------------------------- */

typedef struct {
  xmlTextWriterPtr w;
  gboolean failed;
  GString *message;              /* what libxml2 said, instead of printing it */
  xmlGenericErrorFunc saved_handler;
  void *saved_context;
} Xml;

static void
capture_error (void *context, const char *format, ...)
{
  Xml *x = context;
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (x->message, format, args);
  va_end (args);
}

static void
xml_check (Xml *x, int rc)
{
  x->failed |= rc < 0;
}

static void
xml_start (Xml *x, const char *name)
{
  xml_check (x, xmlTextWriterStartElement (x->w, BAD_CAST name));
}

static void
xml_end (Xml *x)
{
  xml_check (x, xmlTextWriterEndElement (x->w));
}

static void
xml_attr (Xml *x, const char *name, const char *value)
{
  xml_check (x, xmlTextWriterWriteAttribute (x->w, BAD_CAST name, BAD_CAST value));
}

static void
xml_element (Xml *x, const char *name, const char *text)
{
  xml_check (x, xmlTextWriterWriteElement (x->w, BAD_CAST name, BAD_CAST text));
}

static void
xml_int_attr (Xml *x, const char *name, gint64 value)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  xml_attr (x, name, buf);
}

/* Opens the writer on @out; libxml2's messages go to x->message until xml_close(). */
static gboolean
xml_open (Xml *x, FILE *out)
{
  xmlOutputBufferPtr buffer;

  x->failed = FALSE;
  x->message = g_string_new (NULL);
  x->saved_handler = xmlGenericError;
  x->saved_context = xmlGenericErrorContext;
  xmlSetGenericErrorFunc (x, capture_error);
  buffer = xmlOutputBufferCreateFile (out, NULL);
  x->w = buffer ? xmlNewTextWriter (buffer) : NULL;
  if (x->w == NULL)
    {
      xmlSetGenericErrorFunc (x->saved_context, x->saved_handler);
      g_string_free (x->message, TRUE);
      return FALSE;
    }
  xml_check (x, xmlTextWriterSetIndent (x->w, 1));
  xml_check (x, xmlTextWriterStartDocument (x->w, NULL, "UTF-8", NULL));
  return TRUE;
}

static gboolean
xml_close (Xml *x, FILE *out, const char *what, GError **error)
{
  xml_check (x, xmlTextWriterEndDocument (x->w));
  xml_check (x, xmlTextWriterFlush (x->w));
  xmlFreeTextWriter (x->w);
  xmlSetGenericErrorFunc (x->saved_context, x->saved_handler);
  x->failed |= fflush (out) != 0 || ferror (out);
  if (x->failed)
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing the %s failed%s%s", what,
                 x->message->len ? ": " : "", g_strstrip (x->message->str));
  g_string_free (x->message, TRUE);
  return !x->failed;
}

/* ---- GEXF ------------------------------------------------------------------------------- */

static void
gexf_attribute (Xml *x, const char *id, const char *type)
{
  xml_start (x, "attribute");
  xml_attr (x, "id", id);
  xml_attr (x, "title", id);
  xml_attr (x, "type", type);
  xml_end (x);
}

static void
gexf_value (Xml *x, const char *id, const char *value)
{
  if (value == NULL)
    return;
  xml_start (x, "attvalue");
  xml_attr (x, "for", id);
  xml_attr (x, "value", value);
  xml_end (x);
}

static void
gexf_declarations (Xml *x, gboolean institutions)
{
  xml_start (x, "attributes");
  xml_attr (x, "class", "node");
  gexf_attribute (x, "works", "long");
  gexf_attribute (x, "country", "string");
  if (institutions)
    {
      gexf_attribute (x, "ror", "string");
      gexf_attribute (x, "source_id", "string");
    }
  xml_end (x);
  xml_start (x, "attributes");
  xml_attr (x, "class", "edge");
  gexf_attribute (x, "works", "long");
  gexf_attribute (x, "fractional", "double");
  xml_end (x);
}

static void
gexf_node (Xml *x, const CopubNetworkNode *node)
{
  char works[32];

  g_snprintf (works, sizeof works, "%" G_GINT64_FORMAT, node->works);
  xml_start (x, "node");
  xml_attr (x, "id", node->id);
  xml_attr (x, "label", node->label);
  xml_start (x, "attvalues");
  gexf_value (x, "works", works);
  gexf_value (x, "country", node->country);
  gexf_value (x, "ror", node->ror);
  gexf_value (x, "source_id", node->source_id);
  xml_end (x);
  xml_end (x);
}

static void
gexf_edge (Xml *x, const CopubNetwork *net, guint i, const CopubNetworkLink *link,
           CopubCounting counting)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE], works[32], frac[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (works, sizeof works, "%" G_GINT64_FORMAT, link->works);
  g_ascii_formatd (frac, sizeof frac, "%.6f", link->fractional);
  xml_start (x, "edge");
  xml_int_attr (x, "id", i);
  xml_attr (x, "source", copub_network_node (net, link->source)->id);
  xml_attr (x, "target", copub_network_node (net, link->target)->id);
  xml_attr (x, "weight", weight_text (buf, link, counting));
  xml_start (x, "attvalues");
  gexf_value (x, "works", works);
  gexf_value (x, "fractional", frac);
  xml_end (x);
  xml_end (x);
}

static guint
n_kept (const CopubNetwork *net, const CopubNetworkWriteOptions *o)
{
  guint n = 0;
  for (guint i = 0; i < copub_network_n_links (net); i++)
    n += kept (copub_network_link (net, i), o);
  return n;
}

static char *
description (const CopubNetwork *net, const CopubNetworkWriteOptions *o)
{
  return g_strdup_printf ("Co-authorship network of %s, %" G_GINT64_FORMAT " works%s%s. %s.",
                          copub_network_level (net) == COPUB_NETWORK_COUNTRY ? "countries"
                                                                              : "institutions",
                          copub_network_n_works (net), o->description ? ": " : "",
                          o->description ? o->description : "",
                          copub_network_weight_definition (o->counting));
}

static gboolean
write_gexf (const CopubNetwork *net, const CopubNetworkWriteOptions *o, FILE *out,
            GError **error)
{
  g_autofree char *desc = description (net, o);
  Xml x;

  if (!xml_open (&x, out))
    return io_error (error, "GEXF file");
  xml_start (&x, "gexf");
  xml_attr (&x, "xmlns", GEXF_NS);
  xml_attr (&x, "version", "1.3");
  xml_start (&x, "meta");
  xml_element (&x, "creator", "copub " COPUB_VERSION);
  xml_element (&x, "description", desc);
  xml_end (&x);
  xml_start (&x, "graph");
  xml_attr (&x, "defaultedgetype", "undirected");
  xml_attr (&x, "mode", "static");
  gexf_declarations (&x, copub_network_level (net) == COPUB_NETWORK_INSTITUTION);
  xml_start (&x, "nodes");
  xml_int_attr (&x, "count", copub_network_n_nodes (net));
  for (guint i = 0; i < copub_network_n_nodes (net); i++)
    gexf_node (&x, copub_network_node (net, i));
  xml_end (&x);
  xml_start (&x, "edges");
  xml_int_attr (&x, "count", n_kept (net, o));
  for (guint i = 0; i < copub_network_n_links (net); i++)
    if (kept (copub_network_link (net, i), o))
      gexf_edge (&x, net, i, copub_network_link (net, i), o->counting);
  xml_end (&x);
  return xml_close (&x, out, "GEXF file", error);
}

/* ---- GraphML ----------------------------------------------------------------------------- */

static void
graphml_key (Xml *x, const char *id, const char *domain, const char *name, const char *type)
{
  xml_start (x, "key");
  xml_attr (x, "id", id);
  xml_attr (x, "for", domain);
  xml_attr (x, "attr.name", name);
  xml_attr (x, "attr.type", type);
  xml_end (x);
}

static void
graphml_data (Xml *x, const char *key, const char *value)
{
  if (value == NULL)
    return;
  xml_start (x, "data");
  xml_attr (x, "key", key);
  xml_check (x, xmlTextWriterWriteString (x->w, BAD_CAST value));
  xml_end (x);
}

static void
graphml_node (Xml *x, const CopubNetworkNode *node)
{
  char works[32];

  g_snprintf (works, sizeof works, "%" G_GINT64_FORMAT, node->works);
  xml_start (x, "node");
  xml_attr (x, "id", node->id);
  graphml_data (x, "label", node->label);
  graphml_data (x, "works", works);
  graphml_data (x, "country", node->country);
  graphml_data (x, "ror", node->ror);
  graphml_data (x, "source_id", node->source_id);
  xml_end (x);
}

static void
graphml_edge (Xml *x, const CopubNetwork *net, const CopubNetworkLink *link,
              CopubCounting counting)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE], works[32], frac[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (works, sizeof works, "%" G_GINT64_FORMAT, link->works);
  g_ascii_formatd (frac, sizeof frac, "%.6f", link->fractional);
  xml_start (x, "edge");
  xml_attr (x, "source", copub_network_node (net, link->source)->id);
  xml_attr (x, "target", copub_network_node (net, link->target)->id);
  graphml_data (x, "weight", weight_text (buf, link, counting));
  graphml_data (x, "edge_works", works);
  graphml_data (x, "fractional", frac);
  xml_end (x);
}

static gboolean
write_graphml (const CopubNetwork *net, const CopubNetworkWriteOptions *o, FILE *out,
               GError **error)
{
  g_autofree char *desc = description (net, o);
  Xml x;

  if (!xml_open (&x, out))
    return io_error (error, "GraphML file");
  xml_start (&x, "graphml");
  xml_attr (&x, "xmlns", GRAPHML_NS);
  graphml_key (&x, "label", "node", "label", "string");
  graphml_key (&x, "works", "node", "works", "long");
  graphml_key (&x, "country", "node", "country", "string");
  graphml_key (&x, "ror", "node", "ror", "string");
  graphml_key (&x, "source_id", "node", "source_id", "string");
  graphml_key (&x, "weight", "edge", "weight", "double");
  graphml_key (&x, "edge_works", "edge", "works", "long");
  graphml_key (&x, "fractional", "edge", "fractional", "double");
  xml_start (&x, "graph");
  xml_attr (&x, "id", "copub");
  xml_attr (&x, "edgedefault", "undirected");
  xml_element (&x, "desc", desc);
  for (guint i = 0; i < copub_network_n_nodes (net); i++)
    graphml_node (&x, copub_network_node (net, i));
  for (guint i = 0; i < copub_network_n_links (net); i++)
    if (kept (copub_network_link (net, i), o))
      graphml_edge (&x, net, copub_network_link (net, i), o->counting);
  return xml_close (&x, out, "GraphML file", error);
}

gboolean
copub_network_write (const CopubNetwork *net, CopubNetworkFormat format,
                     const CopubNetworkWriteOptions *options, FILE *out, FILE *out_links,
                     GError **error)
{
  switch (format)
    {
    case COPUB_NETWORK_VOSVIEWER:
      return write_vosviewer (net, options, out, out_links, error);
    case COPUB_NETWORK_GEXF:
      return write_gexf (net, options, out, error);
    case COPUB_NETWORK_GRAPHML:
      return write_graphml (net, options, out, error);
    case COPUB_NETWORK_CSV:
    default:
      return write_csv (net, options, out, error);
    }
}
