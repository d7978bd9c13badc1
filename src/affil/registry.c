/* copub: reading organisation registries (ROR v2 dumps and copub's table of them). The JSON
 * array of a dump is cut into records by a small scanner that follows strings and brackets,
 * and each record is parsed on its own: memory holds one record of the dump's JSON at a time.
 * A table is read whole and cut in place: its records point into that one copy. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>
#include <zlib.h>

#include "affil/registry.h"
#include "copub/error.h"

#define CHUNK 65536
#define TABLE_FIELDS 8

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* ==== Records ============================================================================ */

static CopubRegistry *
registry_new (void)
{
  CopubRegistry *reg = g_new0 (CopubRegistry, 1);

  reg->records = g_array_new (FALSE, TRUE, sizeof (CopubRorRecord));
  reg->names = g_array_new (FALSE, TRUE, sizeof (CopubRorName));
  reg->parents = g_ptr_array_new ();
  reg->strings = g_string_chunk_new (1 << 16);
  return reg;
}

void
copub_registry_free (CopubRegistry *reg)
{
  if (reg == NULL)
    return;
  g_array_unref (reg->records);
  g_array_unref (reg->names);
  g_ptr_array_unref (reg->parents);
  g_string_chunk_free (reg->strings);
  g_free (reg->text);
  g_free (reg);
}

/* A dump's string, kept in the registry's chunk. */
static const char *
registry_keep (CopubRegistry *reg, const char *text)
{
  return text != NULL ? g_string_chunk_insert (reg->strings, text) : NULL;
}

/* Adds a name to the record being read (the last one of @reg->records' future order). */
static void
record_add_name (CopubRegistry *reg, CopubRorRecord *r, const char *value, const char *lang,
                 guint8 types)
{
  CopubRorName name = { .value = value, .types = types };

  if (lang != NULL && strlen (lang) < sizeof name.lang)
    g_strlcpy (name.lang, lang, sizeof name.lang);
  g_array_append_val (reg->names, name);
  r->n_names++;
}

static void
record_add_parent (CopubRegistry *reg, CopubRorRecord *r, const char *id)
{
  g_ptr_array_add (reg->parents, (gpointer) id);
  r->n_parents++;
}

/* Points every record at its names and parents, once the arrays no longer move. */
static void
registry_link (CopubRegistry *reg)
{
  const CopubRorName *names = (const CopubRorName *) (gpointer) reg->names->data;
  const char *const *parents = (const char *const *) reg->parents->pdata;

  for (guint i = 0; i < reg->records->len; i++)
    {
      CopubRorRecord *r = &g_array_index (reg->records, CopubRorRecord, i);
      r->names = names, names += r->n_names;
      r->parents = parents, parents += r->n_parents;
    }
}

/* "https://ror.org/013meh722" -> "013meh722" */
static const char *
short_id (CopubRegistry *reg, const char *url)
{
  const char *slash = strrchr (url, '/');

  return registry_keep (reg, slash != NULL ? slash + 1 : url);
}

static gboolean
parse_status (const char *word, CopubRorStatus *out)
{
  static const char *const words[] = { "active", "inactive", "withdrawn" };

  for (guint i = 0; word != NULL && i < G_N_ELEMENTS (words); i++)
    if (strcmp (word, words[i]) == 0)
      {
        *out = (CopubRorStatus) i;
        return TRUE;
      }
  return FALSE;
}

/* ==== Streams: plain or gzipped files (zlib reads both), zip members (libzip) ============= */

typedef struct {
  const char *path;
  char *member;     /* the zip member read, or NULL */
  gzFile gz;
  zip_t *zip;
  zip_file_t *zf;
  char buf[CHUNK];
  gsize len, pos;
  guint64 offset;   /* bytes consumed before buf */
  gboolean eof;
  GError *error;    /* the first read error */
} Stream;

static void
stream_close (Stream *s)
{
  if (s->gz != NULL)
    gzclose (s->gz);
  if (s->zf != NULL)
    zip_fclose (s->zf);
  if (s->zip != NULL)
    zip_discard (s->zip);
  g_free (s->member);
  g_clear_error (&s->error);
}

/* The JSON member of a ROR release zip: the schema v2 file when there are several. */
static gboolean
zip_pick (Stream *s, GError **error)
{
  zip_int64_t n = zip_get_num_entries (s->zip, 0), best = -1;

  for (zip_int64_t i = 0; i < n; i++)
    {
      const char *name = zip_get_name (s->zip, (zip_uint64_t) i, 0);
      if (name == NULL || !g_str_has_suffix (name, ".json") || strstr (name, "__MACOSX"))
        continue;
      if (best < 0 || strstr (name, "v2") != NULL)
        best = i;
    }
  if (best < 0)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s': no .json file in this zip (expected a ROR data dump)", s->path);
      return FALSE;
    }
  s->member = g_strdup (zip_get_name (s->zip, (zip_uint64_t) best, 0));
  s->zf = zip_fopen_index (s->zip, (zip_uint64_t) best, 0);
  if (s->zf == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s': cannot read '%s': %s",
                   s->path, s->member, zip_strerror (s->zip));
      return FALSE;
    }
  return TRUE;
}

static gboolean
stream_open (Stream *s, const char *path, GError **error)
{
  char magic[4] = { 0 };
  FILE *f = fopen (path, "rb");
  gsize got;
  int zerr = 0;

  s->path = path;
  if (f == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "reading ROR data '%s': %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  got = fread (magic, 1, sizeof magic, f);
  fclose (f);
  if (got == 4 && memcmp (magic, "PK\3\4", 4) == 0)
    {
      s->zip = zip_open (path, ZIP_RDONLY, &zerr);
      if (s->zip == NULL)
        {
          zip_error_t ze;
          zip_error_init_with_code (&ze, zerr);
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s': not a readable zip: %s",
                       path, zip_error_strerror (&ze));
          zip_error_fini (&ze);
          return FALSE;
        }
      return zip_pick (s, error);
    }
  s->gz = gzopen (path, "rb");
  if (s->gz == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "reading ROR data '%s': %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  gzbuffer (s->gz, CHUNK);
  return TRUE;
}

static gboolean
stream_fill (Stream *s)
{
  gint64 n;

  if (s->eof)
    return FALSE;
  s->offset += s->len;
  s->pos = s->len = 0;
  if (s->zf != NULL)
    n = zip_fread (s->zf, s->buf, sizeof s->buf);
  else
    n = gzread (s->gz, s->buf, sizeof s->buf);
  if (n < 0)
    {
      int code = 0;
      const char *why = s->zf != NULL ? zip_file_strerror (s->zf) : gzerror (s->gz, &code);
      g_set_error (&s->error, COPUB_ERROR, COPUB_ERROR_PARSE, "%s%s", why,
                   code == Z_BUF_ERROR ? " (the file is truncated)" : "");
      n = 0;
    }
  if (n == 0 && s->gz != NULL && s->error == NULL)
    {
      int code = 0;
      gzerror (s->gz, &code);
      /* zlib's message repeats the path: say it once, in copub's words */
      if (code != Z_OK && code != Z_STREAM_END)
        g_set_error_literal (&s->error, COPUB_ERROR, COPUB_ERROR_PARSE,
                             "the compressed data ends early (the file is truncated or "
                             "damaged)");
    }
  if (n == 0)
    {
      s->eof = TRUE;
      return FALSE;
    }
  s->len = (gsize) n;
  return TRUE;
}

/* The next byte, or -1 at the end (or on a read error, kept in s->error). */
static inline int
stream_getc (Stream *s)
{
  if (s->pos >= s->len && !stream_fill (s))
    return -1;
  return (guchar) s->buf[s->pos++];
}

static int
stream_skip_space (Stream *s)
{
  int c;

  while ((c = stream_getc (s)) == ' ' || c == '\n' || c == '\r' || c == '\t')
    ;
  return c;
}

/* ==== The JSON dump ====================================================================== */

static const char *
obj_str (json_t *object, const char *member)
{
  return json_string_value (json_object_get (object, member));
}

static gboolean
name_types (json_t *types, guint8 *out)
{
  static const char *const words[] = { "ror_display", "label", "alias", "acronym" };
  gsize i;
  json_t *t;

  *out = 0;
  if (!json_is_array (types))
    return FALSE;
  json_array_foreach (types, i, t)
    for (guint k = 0; k < G_N_ELEMENTS (words); k++)
      if (g_strcmp0 (json_string_value (t), words[k]) == 0)
        *out |= (guint8) (1u << k);
  return *out != 0;
}

static void
json_relationships (CopubRegistry *reg, CopubRorRecord *r, json_t *rels)
{
  gsize i;
  json_t *rel;

  json_array_foreach (rels, i, rel)
    {
      const char *type = obj_str (rel, "type"), *id = obj_str (rel, "id");
      if (type == NULL || id == NULL)
        continue;
      if (strcmp (type, "parent") == 0)
        record_add_parent (reg, r, short_id (reg, id));
      else if (strcmp (type, "successor") == 0 && r->successor == NULL)
        r->successor = short_id (reg, id);
    }
}

static void
json_types (CopubRegistry *reg, CopubRorRecord *r, json_t *types)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize i;
  json_t *t;

  json_array_foreach (types, i, t)
    if (json_is_string (t))
      g_string_append_printf (out, "%s%s", out->len ? "," : "", json_string_value (t));
  r->types = registry_keep (reg, out->str);
}

/* What is wrong with @json as a ROR v2 record, or NULL; fills @r (its names and parents
 * appended to @reg's) when nothing is. */
static const char *
json_record (CopubRegistry *reg, json_t *json, CopubRorRecord *r)
{
  json_t *names = json_object_get (json, "names");
  json_t *locations = json_object_get (json, "locations");
  json_t *first = json_is_array (locations) ? json_array_get (locations, 0) : NULL;
  json_t *details = json_object_get (first, "geonames_details");
  const char *id = obj_str (json, "id"), *country = obj_str (details, "country_code");
  gsize i;
  json_t *name;

  if (!json_is_object (json))
    return "not a JSON object";
  if (id == NULL)
    return "no 'id'";
  r->id = short_id (reg, id);
  if (names == NULL && json_is_string (json_object_get (json, "name")))
    return "a ROR schema v1 record (copub reads schema v2 dumps)";
  if (!json_is_array (names))
    return "no 'names' array (not a ROR v2 record)";
  if (!parse_status (obj_str (json, "status"), &r->status))
    return "no 'status' of active, inactive or withdrawn";
  if (country == NULL || strlen (country) != 2 || !g_ascii_isalpha (country[0])
      || !g_ascii_isalpha (country[1]))
    return "no country (locations[0].geonames_details.country_code)";
  r->country[0] = g_ascii_toupper (country[0]), r->country[1] = g_ascii_toupper (country[1]);
  r->city = registry_keep (reg, obj_str (details, "name"));
  json_array_foreach (names, i, name)
    {
      guint8 types;
      const char *value = obj_str (name, "value");
      if (value != NULL && *value != '\0' && name_types (json_object_get (name, "types"), &types))
        record_add_name (reg, r, registry_keep (reg, value), obj_str (name, "lang"), types);
    }
  if (r->n_names == 0)
    return "no name";
  json_relationships (reg, r, json_object_get (json, "relationships"));
  json_types (reg, r, json_object_get (json, "types"));
  return NULL;
}

static gboolean
record_error (Stream *s, guint number, const char *id, const char *what, GError **error)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s'%s%s%s record %u%s%s%s: %s", s->path,
               s->member ? " (" : "", s->member ? s->member : "", s->member ? ")" : "", number,
               id ? " (" : "", id ? id : "", id ? ")" : "", what);
  return FALSE;
}

/* Copies one JSON object, from its '{' (already read) to its matching '}', into @out. */
static gboolean
scan_object (Stream *s, GString *out)
{
  guint depth = 1;
  gboolean in_string = FALSE, escape = FALSE;
  int c;

  g_string_assign (out, "{");
  while (depth > 0 && (c = stream_getc (s)) >= 0)
    {
      g_string_append_c (out, (char) c);
      if (escape)
        escape = FALSE;
      else if (in_string)
        escape = c == '\\', in_string = c != '"';
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        depth--;
    }
  return depth == 0;
}

static gboolean
read_dump (Stream *s, CopubRegistry *reg, GError **error)
{
  g_autoptr(GString) text = g_string_sized_new (4096);
  guint number = 0;
  int c;

  for (;;)
    {
      json_error_t jerr;
      g_autoptr(json_t) json = NULL;
      CopubRorRecord r = { 0 };
      const char *what;

      c = stream_skip_space (s);
      if (c == ',' && number > 0)
        c = stream_skip_space (s);
      if (c == ']')
        break;
      if (c != '{')
        {
          if (s->error != NULL)
            return record_error (s, number + 1, NULL, s->error->message, error);
          return record_error (s, number + 1, NULL, c < 0 ? "the file ends inside the array "
                               "(truncated?)" : "expected a record ('{')", error);
        }
      number++;
      if (!scan_object (s, text))
        {
          if (s->error != NULL)
            return record_error (s, number, NULL, s->error->message, error);
          return record_error (s, number, NULL, "the file ends inside the record (truncated?)",
                               error);
        }
      json = json_loadb (text->str, text->len, 0, &jerr);
      if (json == NULL)
        return record_error (s, number, NULL, jerr.text, error);
      what = json_record (reg, json, &r);
      if (what != NULL)
        return record_error (s, number, r.id, what, error);
      g_array_append_val (reg->records, r);
    }
  while ((c = stream_skip_space (s)) >= 0)
    return record_error (s, number, NULL, "text after the closing ']'", error);
  if (s->error != NULL)
    return record_error (s, number, NULL, s->error->message, error);
  return TRUE;
}

/* ==== copub's table ====================================================================== */

/* One line of the table: id, status, country, city, types, parents, successor, names, where
 * names are "KINDS:lang:value" joined by '|' (kinds D display, L label, A alias, C acronym,
 * G generic). */
/* Cuts @text at each @sep, in place, into at most @max pieces; returns their number. */
static guint
cut (char *text, char sep, char **out, guint max)
{
  guint n = 0;

  while (n < max)
    {
      char *end = strchr (text, sep);
      out[n++] = text;
      if (end == NULL)
        return n;
      *end = '\0';
      text = end + 1;
    }
  return n + 1; /* more than @max */
}

static const char *
table_record (CopubRegistry *reg, char **fields, CopubRorRecord *r)
{
  const char *country = fields[2];
  char *name = fields[7];

  r->id = fields[0];
  if (*fields[0] == '\0')
    return "no id";
  if (!parse_status (fields[1], &r->status))
    return "status is not active, inactive or withdrawn";
  if (strlen (country) != 2 || !g_ascii_isupper (country[0]) || !g_ascii_isupper (country[1]))
    return "no country (expected two capital letters)";
  g_strlcpy (r->country, country, sizeof r->country);
  r->city = *fields[3] ? fields[3] : NULL;
  r->types = fields[4];
  for (char *parent = fields[5], *comma; *parent != '\0'; parent = comma + 1)
    {
      comma = strchr (parent, ',');
      if (comma != NULL)
        *comma = '\0';
      record_add_parent (reg, r, parent);
      if (comma == NULL)
        break;
    }
  r->successor = *fields[6] ? fields[6] : NULL;
  for (char *next; name != NULL; name = next)
    {
      char *kinds = name, *lang = strchr (kinds, ':'), *value;
      guint8 types = 0;
      next = strchr (name, '|');
      if (next != NULL)
        *next++ = '\0';
      if (lang == NULL || (value = strchr (lang + 1, ':')) == NULL)
        return "a name is not KINDS:lang:value";
      *lang++ = '\0', *value++ = '\0';
      for (const char *k = kinds; *k; k++)
        types |= *k == 'D' ? COPUB_ROR_NAME_DISPLAY : *k == 'L' ? COPUB_ROR_NAME_LABEL
               : *k == 'A' ? COPUB_ROR_NAME_ALIAS : *k == 'C' ? COPUB_ROR_NAME_ACRONYM
               : *k == 'G' ? COPUB_ROR_NAME_GENERIC : 0;
      if ((types & ~COPUB_ROR_NAME_GENERIC) == 0 || *value == '\0')
        return "a name has no kind or no value";
      record_add_name (reg, r, value, lang, types);
    }
  if (r->n_names == 0)
    return "no name";
  return NULL;
}

/* The lines of @text (@len bytes of @reg->text, the table, cut in place), numbered from 1. A
 * last line without its newline counts unless @read_error says the text was cut short: that
 * error is then reported on that line, after any error on the lines before it. */
static gboolean
read_table (Stream *s, CopubRegistry *reg, char *text, gsize len, const GError *read_error,
            GError **error)
{
  char *line = text, *end = text + len;
  guint number = 0;

  for (char *nl; line < end || (line == end && read_error != NULL); line = nl + 1)
    {
      char *fields[TABLE_FIELDS];
      CopubRorRecord r = { 0 };
      const char *what;

      number++;
      nl = memchr (line, '\n', (gsize) (end - line));
      if (nl == NULL && read_error != NULL)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %u: %s", s->path,
                       number, read_error->message);
          return FALSE;
        }
      if (nl == NULL)
        nl = end;
      *nl = '\0';
      if (line == nl || line[0] == '#')
        continue;
      what = cut (line, '\t', fields, TABLE_FIELDS) != TABLE_FIELDS
             ? "expected 8 tab-separated fields" : table_record (reg, fields, &r);
      if (what != NULL)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %u%s%s%s: %s", s->path,
                       number, r.id ? " (" : "", r.id ? r.id : "", r.id ? ")" : "", what);
          return FALSE;
        }
      g_array_append_val (reg->records, r);
    }
  return TRUE;
}

/* Reads a table's whole text, from the stream's position on, into @reg->text: an
 * uncompressed file in one read, from its first character not a space (where the stream
 * stands), a gzipped one through the stream. */
static gboolean
read_table_text (Stream *s, CopubRegistry *reg, GError **error)
{
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0, start = 0;

  if (s->gz != NULL && gzdirect (s->gz))
    {
      if (!g_file_get_contents (s->path, &reg->text, &len, &local))
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "reading ROR data '%s': %s",
                       s->path, local->message);
          return FALSE;
        }
      while (start < len && (reg->text[start] == ' ' || reg->text[start] == '\n'
                             || reg->text[start] == '\r' || reg->text[start] == '\t'))
        start++;
      return read_table (s, reg, reg->text + start, len - start, NULL, error);
    }
  text = g_string_sized_new (1 << 20);
  do
    g_string_append_len (text, s->buf + s->pos, (gssize) (s->len - s->pos));
  while (stream_fill (s));
  len = text->len;
  reg->text = g_string_free (g_steal_pointer (&text), FALSE);
  return read_table (s, reg, reg->text, len, s->error, error);
}

/* ==== Public ============================================================================= */

CopubRegistry *
copub_registry_read (const char *path, GError **error)
{
  g_autoptr(CopubRegistry) reg = registry_new ();
  Stream *s = g_new0 (Stream, 1);
  gboolean ok = stream_open (s, path, error);
  int c;

  if (ok)
    {
      c = stream_skip_space (s);
      if (c == '[')
        ok = read_dump (s, reg, error);
      else if (c == '#')
        {
          s->pos--;
          ok = read_table_text (s, reg, error);
        }
      else if (s->error != NULL)
        ok = FALSE, g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s': %s", path,
                                 s->error->message);
      else
        ok = FALSE, g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                                 "'%s': not a ROR v2 dump (expected a JSON array of records) "
                                 "nor a copub registry table", path);
    }
  stream_close (s);
  g_free (s);
  if (!ok)
    return NULL;
  registry_link (reg);
  return g_steal_pointer (&reg);
}
