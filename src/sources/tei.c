/* copub: HAL TEI and OAI-PMH xml-tei into works, streamed with libxml2's xmlTextReader.
 *
 * Two passes over the input. In a wt=xml-tei search export the structures sit in one
 * <back> after every document, so a single pass would have to hold every document until
 * the end: memory growing with the file. The first pass reads the whole file, checks it
 * (well-formed, no entity declarations, a TEI or OAI-PMH root, OAI errors) and collects
 * the <org>s of every <back>, skipping the documents; the second pass expands one
 * <biblFull> at a time and emits it. Memory holds the structures and one document, and
 * a malformed file is rejected before any work is emitted. Structure ids are AuréHAL
 * docids, the same in every <back>, so one table serves a whole OAI page too. */
#include "sources/tei.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlsave.h>

#include "copub/error.h"
#include "sources/hal.h"

#define TEI_NS "http://www.tei-c.org/ns/1.0"
#define OAI_NS "http://www.openarchives.org/OAI/2.0/"

/* No network, no DTD loading or validation, no entity substitution (no XML_PARSE_NOENT),
 * errors through the structured handler only. */
#define TEI_PARSE_OPTIONS \
  (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT)

/* A bound on the structures one file may declare (a full AuréHAL dump has ~500k). */
#define TEI_MAX_STRUCTURES 2000000

/* The entity scan keeps this many bytes of the previous chunk: the longest pattern
 * (UTF-16 "<!ENTITY", 15 bytes) minus one. */
#define TEI_SCAN_TAIL 14

#if LIBXML_VERSION >= 21200
typedef const xmlError TeiXmlError;
#else
typedef xmlError TeiXmlError;
#endif

typedef xmlChar TeiXmlString;

static void
tei_xml_string_free (TeiXmlString *s)
{
  xmlFree (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TeiXmlString, tei_xml_string_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlTextReader, xmlFreeTextReader)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* ---- Input: a file or memory, scanned for entity declarations ---------------------- */

typedef struct {
  FILE *file;        /* read from here, or else from data */
  const char *data;
  gsize size;
  gsize pos;
  guint8 tail[TEI_SCAN_TAIL];
  gsize tail_len;
  gint64 lines;      /* newlines read so far */
  gint64 total;      /* bytes read so far */
  gint64 refused_line; /* line of an entity declaration, 0 when none seen */
  int read_errno;
} TeiSource;

static const guint8 entity_ascii[] = { '<', '!', 'E', 'N', 'T', 'I', 'T', 'Y' };
/* "<!ENTITY" in UTF-16: matches both byte orders. */
static const guint8 entity_utf16[] = {
  '<', 0, '!', 0, 'E', 0, 'N', 0, 'T', 0, 'I', 0, 'T', 0, 'Y',
};

static const guint8 *
find_bytes (const guint8 *hay, gsize hay_len, const guint8 *needle, gsize needle_len)
{
  if (hay_len < needle_len)
    return NULL;
  for (gsize i = 0; i + needle_len <= hay_len; i++)
    {
      const guint8 *hit = memchr (hay + i, needle[0], hay_len - needle_len + 1 - i);
      if (hit == NULL)
        return NULL;
      if (memcmp (hit, needle, needle_len) == 0)
        return hit;
      i = hit - hay;
    }
  return NULL;
}

static const guint8 *
find_entity_decl (const guint8 *buf, gsize len)
{
  const guint8 *a = find_bytes (buf, len, entity_ascii, sizeof entity_ascii);
  const guint8 *b = find_bytes (buf, len, entity_utf16, sizeof entity_utf16);

  if (a == NULL || (b != NULL && b < a))
    return b;
  return a;
}

static gint64
count_lines (const guint8 *buf, gsize len)
{
  gint64 n = 0;

  for (const guint8 *p = buf; (p = memchr (p, '\n', len - (p - buf))) != NULL; p++)
    n++;
  return n;
}

/* Looks for "<!ENTITY" in the bytes read, across chunk boundaries. An entity declaration
 * can only sit in a document type declaration; refusing it before libxml2 sees it keeps
 * billion-laughs and external-entity files from costing anything. */
static void
source_scan (TeiSource *src, const guint8 *buf, gsize len)
{
  guint8 window[2 * TEI_SCAN_TAIL];
  gsize head = MIN (len, TEI_SCAN_TAIL);
  gsize n = src->tail_len + head;
  const guint8 *hit;

  memcpy (window, src->tail, src->tail_len);
  memcpy (window + src->tail_len, buf, head);
  if (src->refused_line == 0)
    {
      /* A hit in the window but not in @buf straddles the boundary: it holds no newline,
       * so it sits on the line the previous chunk ended on. */
      if ((hit = find_entity_decl (buf, len)) != NULL)
        src->refused_line = src->lines + count_lines (buf, hit - buf) + 1;
      else if (find_entity_decl (window, n) != NULL)
        src->refused_line = src->lines + 1;
    }
  src->lines += count_lines (buf, len);
  if (len >= TEI_SCAN_TAIL)
    {
      memcpy (src->tail, buf + len - TEI_SCAN_TAIL, TEI_SCAN_TAIL);
      src->tail_len = TEI_SCAN_TAIL;
      return;
    }
  src->tail_len = MIN (n, (gsize) TEI_SCAN_TAIL);
  memmove (src->tail, window + n - src->tail_len, src->tail_len);
}

static int
source_read (void *context, char *buffer, int len)
{
  TeiSource *src = context;
  gsize n;

  if (src->refused_line != 0 || len <= 0)
    return src->refused_line != 0 ? -1 : 0;
  if (src->file != NULL)
    {
      n = fread (buffer, 1, (gsize) len, src->file);
      if (n == 0 && ferror (src->file))
        {
          src->read_errno = errno ? errno : EIO;
          return -1;
        }
    }
  else
    {
      n = MIN ((gsize) len, src->size - src->pos);
      memcpy (buffer, src->data + src->pos, n);
      src->pos += n;
    }
  src->total += n;
  source_scan (src, (const guint8 *) buffer, n);
  return src->refused_line != 0 ? -1 : (int) n;
}

/* Back to the start, for the second pass. */
static gboolean
source_rewind (TeiSource *src)
{
  src->pos = 0;
  src->tail_len = 0;
  src->lines = 0;
  src->total = 0;
  src->refused_line = 0;
  src->read_errno = 0;
  if (src->file != NULL && fseek (src->file, 0, SEEK_SET) != 0)
    {
      src->read_errno = errno;
      return FALSE;
    }
  return TRUE;
}

/* ---- Parser state and errors ------------------------------------------------------- */

typedef struct {
  const char *name;        /* the input's display name */
  TeiSource *source;
  GHashTable *structures;  /* id -> CopubHalStructure */
  GHashTable *org_xml;     /* id -> char*: the <org> serialised, for the works' raw */
  CopubTeiResult result;
  const CopubHalRules *rules; /* never NULL */
  CopubWorkFunc func;
  gpointer user_data;
  GError *xml_error;       /* the first error libxml2 reported */
  int list_depth;          /* pass 1: depth of the open <listOrg type="structures">, or -1 */
  int metadata_depth;      /* pass 1: depth of an OAI <metadata> awaiting its TEI, or -1 */
  gboolean root_closed;    /* the root element has ended */
  GString *generic_message; /* what libxml2 said through its generic error handler */
} TeiParser;

typedef enum {
  TEI_STEP_READ, /* go on into the node */
  TEI_STEP_SKIP, /* skip the node's subtree */
  TEI_STEP_FAIL,
} TeiStep;

typedef TeiStep (*TeiNodeFunc) (TeiParser *p, xmlTextReader *reader, GError **error);

static void
tei_parser_clear (TeiParser *p)
{
  g_clear_pointer (&p->structures, g_hash_table_unref);
  g_clear_pointer (&p->org_xml, g_hash_table_unref);
  g_clear_error (&p->xml_error);
  if (p->generic_message != NULL)
    g_string_free (g_steal_pointer (&p->generic_message), TRUE);
  copub_tei_result_clear (&p->result);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TeiParser, tei_parser_clear)

/* libxml2's message as one line starting in lower case. */
static char *
xml_message (const char *message)
{
  char *text = g_strdup (message ? message : "malformed XML");
  gboolean word = TRUE;

  g_strstrip (text);
  g_strdelimit (text, "\r\n", ' ');
  /* "Opening and ending..." -> "opening..."; names such as "AttValue" stay. */
  for (const char *c = text + 1; *c != '\0' && *c != ' ' && *c != ':'; c++)
    word = word && g_ascii_islower (*c);
  if (word && g_ascii_isupper (text[0]))
    text[0] = g_ascii_tolower (text[0]);
  return text;
}

static void
on_xml_error (void *data, TeiXmlError *xerr)
{
  TeiParser *p = data;
  g_autofree char *message = NULL;

  /* Fatal errors break well-formedness, namespace errors namespace well-formedness.
   * Validity errors are left alone: an OAI page repeats a structure's xml:id in each
   * record's <back>, which libxml2 reports as an ID redefinition. */
  if (p->xml_error != NULL || xerr == NULL || xerr->level < XML_ERR_ERROR
      || (xerr->level != XML_ERR_FATAL && xerr->domain != XML_FROM_NAMESPACE))
    return;
  /* At the end of a truncated input, libxml2's push parser says "extra content at the
   * end of the document", which misleads. */
  if (xerr->code == XML_ERR_DOCUMENT_END && !p->root_closed)
    message = g_strdup ("unexpected end of file: expected the rest of the document "
                        "(the file is truncated)");
  else
    message = xml_message (xerr->message);
  p->xml_error = g_error_new (COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %d: %s", p->name,
                              xerr->line, message);
}

static void
set_refused (TeiParser *p, gint64 line, GError **error)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
               "'%s' line %" G_GINT64_FORMAT ": refused a document type that declares "
               "entities (<!ENTITY>): copub never expands entities", p->name, line);
}

/* The error of a failed read: the source's refusal or I/O error first, then libxml2's. */
static void
set_read_error (TeiParser *p, xmlTextReader *reader, GError **error)
{
  if (p->source->refused_line != 0)
    set_refused (p, p->source->refused_line, error);
  else if (p->source->read_errno != 0)
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "'%s': cannot read: %s", p->name,
                 g_strerror (p->source->read_errno));
  else if (p->source->total == 0)
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                 "'%s': empty file: expected a TEI or OAI-PMH document", p->name);
  else if (p->xml_error != NULL)
    g_propagate_error (error, g_steal_pointer (&p->xml_error));
  else if (p->generic_message->len > 0)
    {
      g_autofree char *message = xml_message (p->generic_message->str);
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %d: %s", p->name,
                   reader ? xmlTextReaderGetParserLineNumber (reader) : 0, message);
    }
  else
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %d: malformed XML",
                 p->name, reader ? xmlTextReaderGetParserLineNumber (reader) : 0);
}

static long
node_line (xmlNode *node, xmlTextReader *reader)
{
  long line = node ? xmlGetLineNo (node) : -1;

  return line > 0 ? line : xmlTextReaderGetParserLineNumber (reader);
}

/* The line of the reader's current node (the parser itself may have read further). */
static long
reader_line (xmlTextReader *reader)
{
  return node_line (xmlTextReaderCurrentNode (reader), reader);
}

/* ---- Tree helpers (on expanded subtrees) ------------------------------------------- */

static gboolean
node_is (const xmlNode *node, const char *ns, const char *name)
{
  if (node == NULL || node->type != XML_ELEMENT_NODE
      || strcmp ((const char *) node->name, name) != 0)
    return FALSE;
  return node->ns == NULL || strcmp ((const char *) node->ns->href, ns) == 0;
}

static xmlNode *
tei_child (xmlNode *parent, const char *name)
{
  for (xmlNode *c = parent ? parent->children : NULL; c != NULL; c = c->next)
    if (node_is (c, TEI_NS, name))
      return c;
  return NULL;
}

static char *
node_attr (xmlNode *node, const char *name)
{
  g_autoptr(TeiXmlString) value = node ? xmlGetProp (node, (const xmlChar *) name) : NULL;

  return value ? g_strdup ((const char *) value) : NULL;
}

static gboolean
attr_equals (xmlNode *node, const char *name, const char *expected)
{
  g_autofree char *value = node_attr (node, name);

  return g_strcmp0 (value, expected) == 0;
}

/* The first TEI child @name of @parent whose @attr is @value. */
static xmlNode *
tei_child_where (xmlNode *parent, const char *name, const char *attr, const char *value)
{
  for (xmlNode *c = parent ? parent->children : NULL; c != NULL; c = c->next)
    if (node_is (c, TEI_NS, name) && attr_equals (c, attr, value))
      return c;
  return NULL;
}

/* Follows a NULL-terminated path of TEI child names from @node. */
static xmlNode *
tei_path (xmlNode *node, ...) G_GNUC_NULL_TERMINATED;

static xmlNode *
tei_path (xmlNode *node, ...)
{
  va_list ap;
  const char *name;

  va_start (ap, node);
  while (node != NULL && (name = va_arg (ap, const char *)) != NULL)
    node = tei_child (node, name);
  va_end (ap);
  return node;
}

/* The text of @node, stripped; NULL when empty. */
static char *
node_text (xmlNode *node)
{
  g_autoptr(TeiXmlString) content = node ? xmlNodeGetContent (node) : NULL;
  char *text;

  if (content == NULL)
    return NULL;
  text = g_strstrip (g_strdup ((const char *) content));
  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

/* @node serialised as a standalone element: copied into a document of its own so that
 * the namespaces declared on its ancestors (tei: in OAI pages) are declared on it. */
static char *
node_serialise (xmlNode *node)
{
  g_autoptr(xmlDoc) doc = xmlNewDoc ((const xmlChar *) "1.0");
  xmlNode *copy = xmlDocCopyNode (node, doc, 1);
  xmlOutputBuffer *out;
  char *text;

  if (copy == NULL)
    return NULL;
  xmlDocSetRootElement (doc, copy);
  out = xmlAllocOutputBuffer (NULL);
  if (out == NULL)
    return NULL;
  xmlNodeDumpOutput (out, doc, copy, 0, 0, "UTF-8");
  xmlOutputBufferFlush (out);
  text = g_strndup ((const char *) xmlOutputBufferGetContent (out),
                    xmlOutputBufferGetSize (out));
  xmlOutputBufferClose (out);
  return text;
}

/* ---- Reader helpers ---------------------------------------------------------------- */

static gboolean
reader_is (xmlTextReader *reader, const char *ns, const char *name)
{
  const char *local = (const char *) xmlTextReaderConstLocalName (reader);
  const char *uri = (const char *) xmlTextReaderConstNamespaceUri (reader);

  return local != NULL && strcmp (local, name) == 0 && (uri == NULL || strcmp (uri, ns) == 0);
}

static char *
reader_attr (xmlTextReader *reader, const char *name)
{
  g_autoptr(TeiXmlString) value = xmlTextReaderGetAttribute (reader, (const xmlChar *) name);

  return value ? g_strdup ((const char *) value) : NULL;
}

/* The subtree of the current node; NULL with @error set when it is malformed. */
static xmlNode *
reader_expand (TeiParser *p, xmlTextReader *reader, GError **error)
{
  xmlNode *node = xmlTextReaderExpand (reader);

  if (node == NULL || p->xml_error != NULL)
    {
      set_read_error (p, reader, error);
      return NULL;
    }
  return node;
}

static xmlTextReader *
reader_new (TeiParser *p, GError **error)
{
  xmlTextReader *reader = xmlReaderForIO (source_read, NULL, p->source, NULL, NULL,
                                          TEI_PARSE_OPTIONS);

  if (reader == NULL)
    {
      set_read_error (p, NULL, error);
      return NULL;
    }
  xmlTextReaderSetStructuredErrorHandler (reader, on_xml_error, p);
  return reader;
}

/* Runs one pass: @on_node sees every node and says whether to enter or skip it. */
static gboolean
run_pass (TeiParser *p, TeiNodeFunc on_node, GError **error)
{
  g_autoptr(xmlTextReader) reader = reader_new (p, error);
  int ret;

  if (reader == NULL)
    return FALSE;
  ret = xmlTextReaderRead (reader);
  while (ret == 1 && p->xml_error == NULL)
    {
      TeiStep step = on_node (p, reader, error);
      if (step == TEI_STEP_FAIL)
        return FALSE;
      ret = step == TEI_STEP_SKIP ? xmlTextReaderNext (reader) : xmlTextReaderRead (reader);
    }
  if (ret != 0 || p->xml_error != NULL)
    {
      set_read_error (p, reader, error);
      return FALSE;
    }
  return TRUE;
}

/* ---- Pass 1: check, structures, OAI envelope --------------------------------------- */

static TeiStep
check_doctype (TeiParser *p, xmlTextReader *reader, GError **error)
{
  xmlNode *node = xmlTextReaderCurrentNode (reader);
  xmlDtd *dtd = (xmlDtd *) node;

  /* The byte scan catches "<!ENTITY" in ASCII and UTF-16; this catches other encodings. */
  if (node != NULL && node->type == XML_DTD_NODE
      && (dtd->entities != NULL || dtd->pentities != NULL))
    {
      set_refused (p, reader_line (reader), error);
      return TEI_STEP_FAIL;
    }
  return TEI_STEP_READ;
}

static TeiStep
check_root (TeiParser *p, xmlTextReader *reader, GError **error)
{
  if (reader_is (reader, TEI_NS, "TEI"))
    p->result.kind = COPUB_TEI_KIND_TEI;
  else if (reader_is (reader, OAI_NS, "OAI-PMH"))
    p->result.kind = COPUB_TEI_KIND_OAI;
  else
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s' line %ld: expected a <TEI> or <OAI-PMH> root element, found <%s>",
                   p->name, reader_line (reader),
                   (const char *) xmlTextReaderConstName (reader));
      return TEI_STEP_FAIL;
    }
  return TEI_STEP_READ;
}

static void
org_add_parents (CopubHalStructure *s, xmlNode *org)
{
  xmlNode *list = tei_child (org, "listRelation");

  for (xmlNode *c = list ? list->children : NULL; c != NULL; c = c->next)
    {
      g_autofree char *active = NULL, *type = NULL, *parent = NULL;
      if (!node_is (c, TEI_NS, "relation"))
        continue;
      type = node_attr (c, "type");
      /* "indirect" relations name grand-parents: the hierarchy is followed step by step. */
      if (type != NULL && strcmp (type, "direct") != 0)
        continue;
      active = node_attr (c, "active");
      parent = copub_hal_structure_id (active);
      if (parent != NULL && strcmp (parent, s->id) != 0)
        g_ptr_array_add (s->parents, g_steal_pointer (&parent));
    }
}

/* The xml:id of an <org> as a structure id: "struct-N", or the id as is. */
static char *
org_id (xmlNode *org)
{
  g_autoptr(TeiXmlString) xml_id = xmlGetNsProp (org, (const xmlChar *) "id",
                                                 XML_XML_NAMESPACE);
  char *id;

  if (xml_id == NULL || *xml_id == '\0')
    return NULL;
  id = copub_hal_structure_id ((const char *) xml_id);
  return id ? id : g_strdup ((const char *) xml_id);
}

static CopubHalStructure *
org_to_structure (xmlNode *org)
{
  g_autofree char *id = org_id (org);
  g_autofree char *key = NULL, *ror = NULL;
  CopubHalStructure *s;

  if (id == NULL)
    return NULL;
  s = copub_hal_structure_new (id);
  s->type = node_attr (org, "type");
  s->status = node_attr (org, "status");
  for (xmlNode *c = org->children; c != NULL; c = c->next)
    if (node_is (c, TEI_NS, "orgName") && s->name == NULL && !attr_equals (c, "type", "acronym"))
      s->name = node_text (c);
  s->acronym = node_text (tei_child_where (org, "orgName", "type", "acronym"));
  key = node_attr (tei_path (org, "desc", "address", "country", NULL), "key");
  s->country = copub_hal_country_normalise (key);
  ror = node_text (tei_child_where (org, "idno", "type", "ROR"));
  s->ror = copub_short_id (ror);
  org_add_parents (s, org);
  return s;
}

static TeiStep
scan_org (TeiParser *p, xmlTextReader *reader, GError **error)
{
  xmlNode *org = reader_expand (p, reader, error);
  CopubHalStructure *s;

  if (org == NULL)
    return TEI_STEP_FAIL;
  s = org_to_structure (org);
  if (s == NULL)
    return TEI_STEP_SKIP;
  if (g_hash_table_size (p->structures) >= TEI_MAX_STRUCTURES)
    {
      copub_hal_structure_free (s);
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s' line %ld: more than %d structures", p->name,
                   node_line (org, reader), TEI_MAX_STRUCTURES);
      return TEI_STEP_FAIL;
    }
  g_hash_table_replace (p->org_xml, g_strdup (s->id), node_serialise (org));
  copub_hal_structures_add (p->structures, s);
  return TEI_STEP_SKIP;
}

static TeiStep
scan_list_org (TeiParser *p, xmlTextReader *reader)
{
  g_autofree char *type = reader_attr (reader, "type");

  /* Only structures; the projects list (anrProject, europeanProject) is skipped. */
  if (g_strcmp0 (type, "structures") != 0 || xmlTextReaderIsEmptyElement (reader))
    return TEI_STEP_SKIP;
  p->list_depth = xmlTextReaderDepth (reader);
  return TEI_STEP_READ;
}

static void
scan_measure (TeiParser *p, xmlTextReader *reader)
{
  g_autofree char *commodity = reader_attr (reader, "commodity");
  g_autofree char *quantity = NULL;

  if (g_strcmp0 (commodity, "totalSearchResults") != 0)
    return;
  quantity = reader_attr (reader, "quantity");
  if (quantity != NULL && g_ascii_string_to_signed (quantity, 10, 0, G_MAXINT64,
                                                    &p->result.total_results, NULL))
    return;
  p->result.total_results = -1;
}

static TeiStep
scan_oai_error (TeiParser *p, xmlTextReader *reader, GError **error)
{
  g_autofree char *code = reader_attr (reader, "code");
  xmlNode *node = reader_expand (p, reader, error);
  g_autofree char *message = NULL;

  if (node == NULL)
    return TEI_STEP_FAIL;
  /* "No records" is an answer, not a failure. */
  if (g_strcmp0 (code, "noRecordsMatch") == 0)
    return TEI_STEP_SKIP;
  message = node_text (node);
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK, "'%s': OAI-PMH error %s: %s",
               p->name, code ? code : "(no code)", message ? message : "no message");
  return TEI_STEP_FAIL;
}

static TeiStep
scan_resumption_token (TeiParser *p, xmlTextReader *reader, GError **error)
{
  g_autofree char *size = reader_attr (reader, "completeListSize");
  xmlNode *node = reader_expand (p, reader, error);

  if (node == NULL)
    return TEI_STEP_FAIL;
  g_clear_pointer (&p->result.resumption_token, g_free);
  /* An empty token marks the last page. */
  p->result.resumption_token = node_text (node);
  if (size == NULL || !g_ascii_string_to_signed (size, 10, 0, G_MAXINT64,
                                                 &p->result.complete_list_size, NULL))
    p->result.complete_list_size = -1;
  return TEI_STEP_SKIP;
}

static gboolean
fail_metadata (TeiParser *p, xmlTextReader *reader, const char *found, GError **error)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
               "'%s' line %ld: expected a <TEI> record in <metadata> (metadataPrefix=xml-tei), "
               "found %s", p->name, reader_line (reader), found);
  return FALSE;
}

static TeiStep
scan_oai_node (TeiParser *p, xmlTextReader *reader, GError **error)
{
  if (reader_is (reader, OAI_NS, "error"))
    return scan_oai_error (p, reader, error);
  if (reader_is (reader, OAI_NS, "resumptionToken"))
    return scan_resumption_token (p, reader, error);
  if (reader_is (reader, OAI_NS, "header"))
    {
      g_autofree char *status = reader_attr (reader, "status");
      if (g_strcmp0 (status, "deleted") == 0)
        p->result.n_deleted++;
      return TEI_STEP_SKIP;
    }
  if (reader_is (reader, OAI_NS, "metadata"))
    {
      if (xmlTextReaderIsEmptyElement (reader))
        {
          fail_metadata (p, reader, "an empty element", error);
          return TEI_STEP_FAIL;
        }
      p->metadata_depth = xmlTextReaderDepth (reader);
    }
  return TEI_STEP_READ;
}

/* An OAI <metadata> must hold a TEI record: oai_dc pages carry no structures. */
static gboolean
check_metadata (TeiParser *p, xmlTextReader *reader, int type, int depth, GError **error)
{
  g_autofree char *found = NULL;

  if (p->metadata_depth < 0)
    return TRUE;
  if (type == XML_READER_TYPE_END_ELEMENT && depth == p->metadata_depth)
    return fail_metadata (p, reader, "nothing", error);
  if (type != XML_READER_TYPE_ELEMENT || depth != p->metadata_depth + 1)
    return TRUE;
  p->metadata_depth = -1;
  if (reader_is (reader, TEI_NS, "TEI"))
    return TRUE;
  found = g_strdup_printf ("<%s>", (const char *) xmlTextReaderConstName (reader));
  return fail_metadata (p, reader, found, error);
}

static TeiStep
scan_element (TeiParser *p, xmlTextReader *reader, int depth, GError **error)
{
  if (depth == 0)
    return check_root (p, reader, error);
  if (reader_is (reader, TEI_NS, "biblFull"))
    return TEI_STEP_SKIP;
  if (reader_is (reader, TEI_NS, "listOrg"))
    return scan_list_org (p, reader);
  if (p->list_depth >= 0 && depth == p->list_depth + 1 && reader_is (reader, TEI_NS, "org"))
    return scan_org (p, reader, error);
  if (reader_is (reader, TEI_NS, "measure"))
    scan_measure (p, reader);
  if (p->result.kind == COPUB_TEI_KIND_OAI)
    return scan_oai_node (p, reader, error);
  return TEI_STEP_READ;
}

static TeiStep
scan_node (TeiParser *p, xmlTextReader *reader, GError **error)
{
  int type = xmlTextReaderNodeType (reader);
  int depth = xmlTextReaderDepth (reader);

  if (type == XML_READER_TYPE_DOCUMENT_TYPE)
    return check_doctype (p, reader, error);
  if (!check_metadata (p, reader, type, depth, error))
    return TEI_STEP_FAIL;
  if (type == XML_READER_TYPE_END_ELEMENT && depth == p->list_depth)
    p->list_depth = -1;
  if (depth == 0 && (type == XML_READER_TYPE_END_ELEMENT
                     || (type == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement (reader))))
    p->root_closed = TRUE;
  if (type != XML_READER_TYPE_ELEMENT)
    return TEI_STEP_READ;
  return scan_element (p, reader, depth, error);
}

/* ---- Pass 2: works ----------------------------------------------------------------- */

static char *
author_name (xmlNode *author)
{
  xmlNode *pers = tei_child (author, "persName");
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *surname = node_text (tei_child (pers, "surname"));

  for (xmlNode *c = pers ? pers->children : NULL; c != NULL; c = c->next)
    {
      g_autofree char *forename = node_is (c, TEI_NS, "forename") ? node_text (c) : NULL;
      if (forename != NULL)
        g_string_append_printf (name, "%s%s", name->len ? " " : "", forename);
    }
  if (surname != NULL)
    g_string_append_printf (name, "%s%s", name->len ? " " : "", surname);
  if (name->len == 0)
    return node_text (pers);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* The idHAL person number (idno type="idhal" notation="numeric"), or NULL. */
static char *
author_id (xmlNode *author)
{
  for (xmlNode *c = author->children; c != NULL; c = c->next)
    if (node_is (c, TEI_NS, "idno") && attr_equals (c, "type", "idhal")
        && attr_equals (c, "notation", "numeric"))
      return node_text (c);
  return NULL;
}

/* Adds the structures of the author's <affiliation ref="#struct-N"> elements. Its
 * <orgName ref> (employer, as HAL's own authIdHasPrimaryStructure_fs leaves it out) is
 * not a paper affiliation and does not count. */
static void
author_add_affiliations (CopubAuthorship *auth, xmlNode *author, GHashTable *structures)
{
  for (xmlNode *c = author->children; c != NULL; c = c->next)
    {
      g_autofree char *ref = NULL;
      g_auto(GStrv) refs = NULL;
      if (!node_is (c, TEI_NS, "affiliation"))
        continue;
      ref = node_attr (c, "ref");
      refs = g_strsplit_set (ref ? ref : "", " \t\r\n", 0);
      for (char **r = refs; *r != NULL; r++)
        {
          g_autofree char *id = copub_hal_structure_id (*r);
          const char *plain = **r == '#' ? *r + 1 : *r;
          if (*plain != '\0')
            copub_hal_authorship_add_structure (auth, structures, id ? id : plain, NULL);
        }
    }
}

static void
bibl_add_authorships (CopubWork *work, xmlNode *title_stmt, GHashTable *structures)
{
  for (xmlNode *c = title_stmt ? title_stmt->children : NULL; c != NULL; c = c->next)
    {
      g_autofree char *role = NULL;
      CopubAuthorship *auth;
      if (!node_is (c, TEI_NS, "author"))
        continue;
      role = node_attr (c, "role");
      if (!copub_hal_role_is_author (role))
        continue;
      auth = copub_authorship_new ();
      auth->author_name = author_name (c);
      auth->author_id = author_id (c);
      author_add_affiliations (auth, c, structures);
      g_ptr_array_add (work->authorships, auth);
    }
  copub_hal_set_author_positions (work);
}

static int
date_year (xmlNode *parent, const char *type)
{
  g_autofree char *text = node_text (tei_child_where (parent, "date", "type", type));

  return copub_hal_year_from_date (text);
}

/* The edition of this record (type="current"), else the first one. */
static xmlNode *
bibl_edition (xmlNode *bibl)
{
  xmlNode *edition_stmt = tei_child (bibl, "editionStmt");
  xmlNode *edition = tei_child_where (edition_stmt, "edition", "type", "current");

  return edition ? edition : tei_child (edition_stmt, "edition");
}

/* With the production year rule, the production date (whenProduced); then the
 * publication dates (imprint datePub, dateEpub, dateDefended), then the production date. */
static int
bibl_year (xmlNode *bibl, const CopubHalRules *rules)
{
  static const char *const imprint_dates[] = { "datePub", "dateEpub", "dateDefended" };
  xmlNode *imprint = tei_path (bibl, "sourceDesc", "biblStruct", "monogr", "imprint", NULL);
  int year = 0;

  if (rules->year == COPUB_HAL_YEAR_PRODUCED)
    year = date_year (bibl_edition (bibl), "whenProduced");
  for (gsize i = 0; i < G_N_ELEMENTS (imprint_dates) && year == 0; i++)
    year = date_year (imprint, imprint_dates[i]);
  if (year == 0)
    year = date_year (bibl_edition (bibl), "whenProduced");
  return year;
}

/* The version number of an <edition n="v2">; 0 when it has none. */
static guint64
edition_version (xmlNode *edition)
{
  g_autofree char *n = node_attr (edition, "n");

  return n != NULL && n[0] == 'v' ? g_ascii_strtoull (n + 1, NULL, 10) : 0;
}

/* HAL's TEI lists every version of the deposit as an <edition n="vN">, the record's own
 * one with type="current": a record whose current edition is not the last is an older
 * version (status_i 111 in the index). */
static gboolean
bibl_is_old_version (xmlNode *bibl)
{
  xmlNode *edition_stmt = tei_child (bibl, "editionStmt");
  xmlNode *current = tei_child_where (edition_stmt, "edition", "type", "current");
  guint64 version = edition_version (current);

  for (xmlNode *c = edition_stmt && current ? edition_stmt->children : NULL; c; c = c->next)
    if (node_is (c, TEI_NS, "edition") && edition_version (c) > version)
      return TRUE;
  return FALSE;
}

/* An annex deposit (submitType_s "annex"): files in the current edition (<ref
 * type="file"|"annex" n="...">) but no main file, the <ref type="file"> without @n that
 * HAL writes only for a deposit with a full text. */
static gboolean
bibl_is_annex (xmlNode *bibl)
{
  xmlNode *edition = bibl_edition (bibl);
  gboolean main_file = FALSE, files = FALSE;

  for (xmlNode *c = edition ? edition->children : NULL; c != NULL; c = c->next)
    {
      g_autofree char *type = NULL, *n = NULL;
      if (!node_is (c, TEI_NS, "ref"))
        continue;
      type = node_attr (c, "type");
      n = node_attr (c, "n");
      if (g_strcmp0 (type, "file") == 0 && n == NULL)
        main_file = TRUE;
      else if (g_strcmp0 (type, "file") == 0 || g_strcmp0 (type, "annex") == 0)
        files = TRUE;
    }
  return files && !main_file;
}

/* Counts @bibl in @p's result when the rules leave it out (see copub_tei_parse_file). */
static gboolean
bibl_left_out (TeiParser *p, xmlNode *bibl)
{
  if (bibl_is_old_version (bibl))
    {
      p->result.n_old_versions++;
      return TRUE;
    }
  if (p->rules->keep_annexes || !bibl_is_annex (bibl))
    return FALSE;
  p->result.n_annexes++;
  return TRUE;
}

/* Type, sub-type and first domain from profileDesc/textClass/classCode. */
static void
bibl_classify (CopubWork *work, xmlNode *bibl)
{
  xmlNode *text_class = tei_path (bibl, "profileDesc", "textClass", NULL);
  g_autofree char *typology = NULL, *sub_typology = NULL, *domain = NULL;

  typology = node_attr (tei_child_where (text_class, "classCode", "scheme", "halTypology"), "n");
  sub_typology = node_attr (tei_child_where (text_class, "classCode", "scheme",
                                             "halSubTypology"), "n");
  domain = node_attr (tei_child_where (text_class, "classCode", "scheme", "halDomain"), "n");
  work->type = g_strdup (copub_hal_map_type (typology, sub_typology));
  copub_hal_work_set_domain (work, domain);
}

/* Appends the serialised <org> of @id and of its ancestors, once each. */
static void
raw_add_orgs (TeiParser *p, GString *raw, const char *id, GHashTable *done, int depth)
{
  CopubHalStructure *s = g_hash_table_lookup (p->structures, id);
  const char *xml = g_hash_table_lookup (p->org_xml, id);

  if (depth > 8 || !g_hash_table_add (done, (gpointer) id))
    return;
  if (xml != NULL)
    g_string_append (raw, xml);
  for (guint i = 0; s != NULL && i < s->parents->len; i++)
    raw_add_orgs (p, raw, s->parents->pdata[i], done, depth + 1);
}

/* A standalone TEI with the <biblFull> and the structures it refers to: what this
 * parser needs to derive the work again. */
static GBytes *
bibl_raw (TeiParser *p, xmlNode *bibl, const CopubWork *work)
{
  g_autofree char *bibl_xml = node_serialise (bibl);
  g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  GString *raw = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<TEI xmlns=\"" TEI_NS "\" "
                               "xmlns:hal=\"http://hal.archives-ouvertes.fr/\">"
                               "<text><body><listBibl>");

  g_string_append (raw, bibl_xml ? bibl_xml : "");
  g_string_append (raw, "</listBibl></body><back><listOrg type=\"structures\">");
  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *auth = work->authorships->pdata[i];
      for (guint j = 0; j < auth->institutions->len; j++)
        raw_add_orgs (p, raw, ((CopubInstitution *) auth->institutions->pdata[j])->id, done, 0);
    }
  g_string_append (raw, "</listOrg></back></text></TEI>\n");
  return g_string_free_to_bytes (raw);
}

static CopubWork *
bibl_to_work (TeiParser *p, xmlNode *bibl, xmlTextReader *reader, GError **error)
{
  g_autoptr(CopubWork) work = copub_work_new (COPUB_SOURCE_HAL);
  xmlNode *title_stmt = tei_child (bibl, "titleStmt");
  g_autofree char *doi = NULL;

  work->id = node_text (tei_child_where (tei_child (bibl, "publicationStmt"), "idno", "type",
                                         "halId"));
  if (work->id == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s' line %ld: expected <idno type=\"halId\"> in the <biblFull>", p->name,
                   node_line (bibl, reader));
      return NULL;
    }
  work->title = node_text (tei_child (title_stmt, "title"));
  doi = node_text (tei_child_where (tei_path (bibl, "sourceDesc", "biblStruct", NULL), "idno",
                                    "type", "doi"));
  work->doi = copub_doi_normalise (doi);
  work->year = bibl_year (bibl, p->rules);
  bibl_classify (work, bibl);
  bibl_add_authorships (work, title_stmt, p->structures);
  work->raw = bibl_raw (p, bibl, work);
  return g_steal_pointer (&work);
}

static TeiStep
emit_bibl (TeiParser *p, xmlTextReader *reader, GError **error)
{
  xmlNode *bibl = reader_expand (p, reader, error);
  CopubWork *work;

  if (bibl == NULL)
    return TEI_STEP_FAIL;
  if (bibl_left_out (p, bibl))
    return TEI_STEP_SKIP;
  work = bibl_to_work (p, bibl, reader, error);
  if (work == NULL || !p->func (work, p->user_data, error))
    return TEI_STEP_FAIL;
  p->result.n_works++;
  return TEI_STEP_SKIP;
}

static TeiStep
emit_node (TeiParser *p, xmlTextReader *reader, GError **error)
{
  if (xmlTextReaderNodeType (reader) != XML_READER_TYPE_ELEMENT)
    return TEI_STEP_READ;
  if (reader_is (reader, TEI_NS, "biblFull"))
    return emit_bibl (p, reader, error);
  if (reader_is (reader, TEI_NS, "teiHeader") || reader_is (reader, TEI_NS, "back"))
    return TEI_STEP_SKIP;
  return TEI_STEP_READ;
}

/* ---- Entry points ------------------------------------------------------------------ */

void
copub_tei_result_clear (CopubTeiResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->resumption_token, g_free);
  *result = (CopubTeiResult) COPUB_TEI_RESULT_INIT;
}

/* libxml2 reports a few errors (encoding conversion) only through the thread's generic
 * handler, which prints to stderr: they are kept for the error message instead. */
static void capture_generic_error (void *context, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
capture_generic_error (void *context, const char *format, ...)
{
  TeiParser *p = context;
  g_autofree char *text = NULL;
  va_list ap;

  if (p->generic_message->len > 200)
    return;
  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_string_append (p->generic_message, text);
}

static gboolean
parse_passes (TeiParser *p, GError **error)
{
  if (!run_pass (p, scan_node, error))
    return FALSE;
  if (p->result.kind == COPUB_TEI_KIND_UNKNOWN)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s': expected a TEI or OAI-PMH document", p->name);
      return FALSE;
    }
  if (!source_rewind (p->source))
    {
      set_read_error (p, NULL, error);
      return FALSE;
    }
  return run_pass (p, emit_node, error);
}

static gboolean
parse_source (CopubTeiResult *out, TeiSource *source, const char *name,
              const CopubHalRules *rules, CopubWorkFunc func, gpointer user_data,
              GError **error)
{
  static const CopubHalRules defaults = COPUB_HAL_RULES_INIT;
  g_auto(TeiParser) p = {
    .name = name, .source = source, .func = func, .user_data = user_data,
    .rules = rules ? rules : &defaults,
    .result = COPUB_TEI_RESULT_INIT, .list_depth = -1, .metadata_depth = -1,
  };
  xmlGenericErrorFunc saved_handler;
  void *saved_context;
  gboolean ok;

  xmlInitParser ();
  p.structures = copub_hal_structures_new ();
  p.org_xml = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  p.generic_message = g_string_new (NULL);
  saved_handler = xmlGenericError;
  saved_context = xmlGenericErrorContext;
  xmlSetGenericErrorFunc (&p, capture_generic_error);
  ok = parse_passes (&p, error);
  xmlSetGenericErrorFunc (saved_context, saved_handler);
  if (!ok)
    return FALSE;
  if (out != NULL)
    {
      copub_tei_result_clear (out);
      *out = p.result;
      p.result.resumption_token = NULL;
    }
  return TRUE;
}

gboolean
copub_tei_parse_file (CopubTeiResult *out, const char *path, const char *display_name,
                      const CopubHalRules *rules, CopubWorkFunc func, gpointer user_data,
                      GError **error)
{
  const char *name = display_name ? display_name : path;
  TeiSource source = { 0 };
  gboolean ok;

  source.file = fopen (path, "rb");
  if (source.file == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "'%s': cannot open: %s", name,
                   g_strerror (saved));
      return FALSE;
    }
  ok = parse_source (out, &source, name, rules, func, user_data, error);
  fclose (source.file);
  return ok;
}

gboolean
copub_tei_parse_bytes (CopubTeiResult *out, const char *data, gsize size,
                       const char *display_name, const CopubHalRules *rules,
                       CopubWorkFunc func, gpointer user_data, GError **error)
{
  TeiSource source = { 0 };

  source.data = data;
  source.size = data ? size : 0;
  return parse_source (out, &source, display_name ? display_name : "input", rules, func,
                       user_data, error);
}

gboolean
copub_tei_sniff (const char *data, gsize size)
{
  gsize i = 0;

  if (size >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  else if (size >= 2 && (memcmp (data, "\xff\xfe", 2) == 0 || memcmp (data, "\xfe\xff", 2) == 0))
    return TRUE;
  while (i < size && g_ascii_isspace (data[i]))
    i++;
  return i < size && data[i] == '<';
}
