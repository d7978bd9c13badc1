/* copub: the OpenAlex record parser. yajl delivers events; a stack of frames knows
 * where each event stands (a work, an authorship, an institution...) and takes only
 * the fields copub uses. The kept part of each work is re-emitted as compact JSON
 * (the raw record) by a yajl generator fed from the same events. */
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "copub/error.h"
#include "sources/json-skim.h"
#include "sources/openalex.h"

/* Records are shallow (about 7 levels); anything deeper is not an OpenAlex work. */
#define MAX_DEPTH 128

#define KEPT_FIELDS(X) \
  X ("id") X ("doi") X ("title") X ("display_name") X ("publication_year") \
  X ("publication_date") X ("type") X ("language") X ("authorships") \
  X ("countries_distinct_count") X ("institutions_distinct_count") X ("primary_topic") \
  X ("topics") X ("keywords") X ("sustainable_development_goals") X ("is_retracted") \
  X ("is_paratext") X ("is_authors_truncated") X ("is_xpac") X ("updated_date") \
  X ("created_date") X ("copub_synthetic")
#define KEPT_NAME(name) name,
#define KEPT_LENGTH(name) sizeof name - 1,

const char *const copub_openalex_kept_fields[] = { KEPT_FIELDS (KEPT_NAME) NULL };
/* Their lengths, in the same order: the test of every member of every work compares
 * them first. */
static const gsize kept_lengths[] = { KEPT_FIELDS (KEPT_LENGTH) };

typedef enum {
  F_SKIP,          /* a value copub does not read */
  F_PENDING,       /* top-level object of a document: a page or a single work */
  F_PAGE,          /* {"meta":…,"results":[…]} */
  F_META,
  F_RESULTS,       /* array of works */
  F_WORK,
  F_AUTHORSHIPS,
  F_AUTHORSHIP,
  F_AUTHOR,
  F_INSTITUTIONS,
  F_INSTITUTION,
  F_COUNTRIES,
  F_RAW_AFFILIATIONS,
  F_LINEAGE,
  F_TOPIC,
  F_TOPIC_LEVEL,
} FrameKind;

typedef struct {
  FrameKind kind;
  gboolean is_map;
  gboolean gen;        /* events inside go to the raw-record generator */
  gboolean drop_next;  /* the value of the current key is dropped from the raw record */
  char key[32];        /* current key in a map, truncated (only short keys matter) */
  CopubTopicLevel *level; /* for F_TOPIC_LEVEL */
} Frame;

typedef struct {
  yajl_handle parser;
  yajl_gen gen;
  gboolean single;     /* parsing one work (JSON Lines line) rather than a document */
  Frame frames[MAX_DEPTH];
  int depth;           /* number of frames in use */
  /* Single mode copies the kept members' bytes from the record's text (spans), which is
   * much cheaper than re-generating them; streams re-generate them with yajl_gen. */
  const char *text;
  gsize text_len;
  gboolean text_is_raw; /* the text holds the kept members only (see keep_members) */
  GString *raw;        /* spans copied so far: "{" member ("," member)* */
  gsize member_start;  /* offset in text where the current work-level member begins */
  gboolean member_kept;
  CopubWork *work;
  CopubAuthorship *authorship;
  CopubInstitution *institution;
  guint64 n_works;     /* works delivered */
  guint64 n_records;   /* records seen, bad ones included */
  GError *record_error; /* what is wrong with the current record, if anything */
  CopubBadRecordFunc on_bad;
  gboolean is_page;
  gint64 meta_count;
  char *next_cursor;
  CopubWorkFunc func;
  gpointer user_data;
  GError *error;       /* why the parser stopped */
  gboolean caller_error; /* the error came from the caller's function: keep it as is */
} Parser;

struct CopubOpenalexStream {
  Parser p;
  guint64 line;        /* 1-based line of the next byte fed */
  gboolean failed;
};

static gboolean
key_is (const Frame *f, const char *name)
{
  return strcmp (f->key, name) == 0;
}

static void
fail (Parser *p, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* A problem with the document itself: the parser stops. */
static void
fail (Parser *p, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  if (p->error != NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (&p->error, COPUB_ERROR, COPUB_ERROR_PARSE, message);
}

static void
bad_record (Parser *p, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* A problem with the current record only: parsing goes on to the record's end, which
 * then counts as bad (see finish_work). The first problem is the one reported. */
static void
bad_record (Parser *p, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  if (p->record_error != NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (&p->record_error, COPUB_ERROR, COPUB_ERROR_PARSE, message);
}

/* Whether the @len bytes at @key name a field copub reads. */
static gboolean
is_kept_field (const char *key, gsize len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kept_lengths); i++)
    if (kept_lengths[i] == len && memcmp (copub_openalex_kept_fields[i], key, len) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_dropped_field (const char *key)
{
  return !is_kept_field (key, strlen (key));
}

static char *
dup_string (const unsigned char *s, size_t len)
{
  return g_strndup ((const char *) s, len);
}

/* Replaces *field with the short form of an id URL ("https://openalex.org/W1" → "W1"). */
static void
set_short_id (char **field, const unsigned char *s, size_t len)
{
  g_autofree char *full = dup_string (s, len);
  g_free (*field);
  *field = copub_short_id (full);
}

/* ---- scalar values: where they land in the work --------------------------------- */

static void
take_work_string (Parser *p, const Frame *f, const unsigned char *s, size_t len)
{
  CopubWork *w = p->work;

  if (key_is (f, "id"))
    set_short_id (&w->id, s, len);
  else if (key_is (f, "doi"))
    {
      g_autofree char *doi = dup_string (s, len);
      g_free (w->doi);
      w->doi = copub_doi_normalise (doi);
    }
  else if (key_is (f, "title") || (key_is (f, "display_name") && w->title == NULL))
    {
      g_free (w->title);
      w->title = dup_string (s, len);
    }
  else if (key_is (f, "type"))
    {
      g_free (w->type);
      w->type = dup_string (s, len);
    }
  else if (key_is (f, "publication_year"))
    bad_record (p, "\"publication_year\": expected an integer, got a string");
}

static void
take_country (CopubAuthorship *auth, const unsigned char *s, size_t len)
{
  char code[3];

  /* ISO 3166-1 alpha-2 only; anything else is not a country copub can count. */
  if (len != 2 || !g_ascii_isalpha (s[0]) || !g_ascii_isalpha (s[1]))
    return;
  code[0] = g_ascii_toupper (s[0]);
  code[1] = g_ascii_toupper (s[1]);
  code[2] = '\0';
  copub_authorship_add_country (auth, code);
}

static void
take_string (Parser *p, const Frame *f, const unsigned char *s, size_t len)
{
  switch (f->kind)
    {
    case F_WORK:
      take_work_string (p, f, s, len);
      break;
    case F_META:
      if (key_is (f, "next_cursor"))
        {
          g_free (p->next_cursor);
          p->next_cursor = dup_string (s, len);
        }
      break;
    case F_AUTHORSHIP:
      if (key_is (f, "author_position"))
        {
          g_free (p->authorship->author_position);
          p->authorship->author_position = dup_string (s, len);
        }
      break;
    case F_AUTHOR:
      if (key_is (f, "id"))
        set_short_id (&p->authorship->author_id, s, len);
      else if (key_is (f, "display_name"))
        {
          g_free (p->authorship->author_name);
          p->authorship->author_name = dup_string (s, len);
        }
      break;
    case F_INSTITUTION:
      if (key_is (f, "id"))
        set_short_id (&p->institution->id, s, len);
      else if (key_is (f, "ror"))
        set_short_id (&p->institution->ror, s, len);
      else if (key_is (f, "display_name"))
        {
          g_free (p->institution->name);
          p->institution->name = dup_string (s, len);
        }
      else if (key_is (f, "country_code") && len == 2)
        {
          g_free (p->institution->country);
          p->institution->country = g_ascii_strup ((const char *) s, 2);
        }
      else if (key_is (f, "type"))
        {
          g_free (p->institution->type);
          p->institution->type = dup_string (s, len);
        }
      break;
    case F_COUNTRIES:
      take_country (p->authorship, s, len);
      break;
    case F_RAW_AFFILIATIONS:
      g_ptr_array_add (p->authorship->raw_affiliations, dup_string (s, len));
      break;
    case F_LINEAGE:
      {
        g_autofree char *full = dup_string (s, len);
        g_ptr_array_add (p->institution->lineage, copub_short_id (full));
      }
      break;
    case F_TOPIC:
      if (key_is (f, "id"))
        set_short_id (&p->work->topic.id, s, len);
      else if (key_is (f, "display_name"))
        {
          g_free (p->work->topic.name);
          p->work->topic.name = dup_string (s, len);
        }
      break;
    case F_TOPIC_LEVEL:
      if (key_is (f, "id"))
        set_short_id (&f->level->id, s, len);
      else if (key_is (f, "display_name"))
        {
          g_free (f->level->name);
          f->level->name = dup_string (s, len);
        }
      break;
    default:
      break;
    }
}

static void
take_number (Parser *p, const Frame *f, const char *s, size_t len)
{
  char buf[32];
  char *end = NULL;
  gint64 v;
  gboolean year = f->kind == F_WORK && key_is (f, "publication_year");

  /* Most numbers (abstract positions, scores, counts) are not read: leave early. */
  if (!year && !(f->kind == F_META && key_is (f, "count")))
    return;
  if (len >= sizeof buf)
    len = sizeof buf - 1;
  memcpy (buf, s, len);
  buf[len] = '\0';
  v = g_ascii_strtoll (buf, &end, 10);
  if (!year)
    {
      if (*end == '\0')
        p->meta_count = v;
      return;
    }
  if (*end != '\0' || v < 0 || v > 9999)
    bad_record (p, "\"publication_year\": expected a year, got %s", buf);
  else
    p->work->year = (int) v;
}

static void
take_boolean (Parser *p, const Frame *f, gboolean v)
{
  if (f->kind != F_WORK)
    return;
  if (key_is (f, "is_retracted"))
    p->work->is_retracted = v;
  else if (key_is (f, "is_paratext"))
    p->work->is_paratext = v;
  else if (key_is (f, "is_authors_truncated"))
    p->work->is_authors_truncated = v;
  else if (key_is (f, "copub_synthetic"))
    p->work->is_synthetic = v;
  else if (key_is (f, "is_xpac"))
    p->work->is_xpac = v;
}

/* Fields that must hold scalars: a container there is malformed input. */
static gboolean
expects_scalar (const Frame *f)
{
  static const char *const work_scalars[] = {
    "id", "doi", "title", "display_name", "publication_year", "type",
    "is_retracted", "is_paratext", "is_authors_truncated", "is_xpac", NULL
  };
  if (f->kind != F_WORK)
    return FALSE;
  for (const char *const *k = work_scalars; *k; k++)
    if (key_is (f, *k))
      return TRUE;
  return FALSE;
}

/* ---- frames --------------------------------------------------------------------- */

static Frame *
top (Parser *p)
{
  return p->depth > 0 ? &p->frames[p->depth - 1] : NULL;
}

/* What a container opened under @parent is. */
static FrameKind
child_kind (Parser *p, const Frame *parent, gboolean is_map)
{
  if (parent == NULL)
    {
      if (p->single)
        return is_map ? F_WORK : F_SKIP;
      return is_map ? F_PENDING : F_RESULTS;
    }
  switch (parent->kind)
    {
    case F_PAGE:
      if (key_is (parent, "meta") && is_map)
        return F_META;
      if (key_is (parent, "results"))
        return F_RESULTS;
      return F_SKIP;
    case F_RESULTS:
      return F_WORK;
    case F_WORK:
      if (key_is (parent, "authorships"))
        return F_AUTHORSHIPS;
      if (key_is (parent, "primary_topic") && is_map)
        return F_TOPIC;
      return F_SKIP;
    case F_AUTHORSHIPS:
      return F_AUTHORSHIP;
    case F_AUTHORSHIP:
      if (key_is (parent, "author") && is_map)
        return F_AUTHOR;
      if (key_is (parent, "institutions") && !is_map)
        return F_INSTITUTIONS;
      if (key_is (parent, "countries") && !is_map)
        return F_COUNTRIES;
      if (key_is (parent, "raw_affiliation_strings") && !is_map)
        return F_RAW_AFFILIATIONS;
      return F_SKIP;
    case F_INSTITUTIONS:
      return F_INSTITUTION;
    case F_INSTITUTION:
      if (key_is (parent, "lineage") && !is_map)
        return F_LINEAGE;
      return F_SKIP;
    case F_TOPIC:
      if (is_map && (key_is (parent, "field") || key_is (parent, "subfield")
                     || key_is (parent, "domain")))
        return F_TOPIC_LEVEL;
      return F_SKIP;
    default:
      return F_SKIP;
    }
}

/* Offset in the record's text just past the token being reported: yajl advances its
 * count before calling back (yajl 2.x lexer). */
static gsize
token_end (Parser *p)
{
  return yajl_get_bytes_consumed (p->parser);
}

/* Single mode: a work-level member's value ended; copy "key":value if kept. */
static void
end_member (Parser *p)
{
  gsize end = token_end (p), start = p->member_start;

  if (p->text_is_raw)
    return;
  /* A value the end of the text completes (in yajl_complete_parse, whose count starts
   * again at 0) ends the text. */
  if (end < start || end > p->text_len)
    end = p->text_len;
  if (p->member_kept)
    {
      /* The span starts after '{' or the previous value: skip the comma and blanks. */
      while (start < end && (p->text[start] == ',' || g_ascii_isspace (p->text[start])))
        start++;
      if (p->raw->len > 1)
        g_string_append_c (p->raw, ',');
      g_string_append_len (p->raw, p->text + start, (gssize) (end - start));
    }
  p->member_start = end;
  p->member_kept = FALSE;
}

static void
begin_work (Parser *p)
{
  p->n_records++;
  g_clear_error (&p->record_error);
  p->work = copub_work_new (COPUB_SOURCE_OPENALEX);
  if (p->single)
    {
      g_string_assign (p->raw, "{");
      p->member_start = token_end (p);
      p->member_kept = FALSE;
      return;
    }
  yajl_gen_reset (p->gen, NULL);
  yajl_gen_clear (p->gen);
}

/* What is wrong with a container of this kind here, or NULL when it fits. */
static char *
container_problem (const Frame *parent, FrameKind kind, gboolean is_map)
{
  const char *got = is_map ? "an object" : "an array";

  if (parent != NULL && expects_scalar (parent))
    return g_strdup_printf ("\"%s\": expected a %s, got %s", parent->key,
                            key_is (parent, "publication_year") ? "year" : "scalar value", got);
  if (kind == F_WORK && !is_map)
    return g_strdup_printf ("expected a work (a JSON object), got %s", got);
  if ((kind == F_AUTHORSHIP || kind == F_INSTITUTION) && !is_map)
    return g_strdup_printf ("%s: expected objects, got %s",
                            kind == F_AUTHORSHIP ? "\"authorships\"" : "\"institutions\"", got);
  if ((kind == F_AUTHORSHIPS || kind == F_RESULTS) && is_map && parent != NULL)
    return g_strdup_printf ("\"%s\": expected an array, got %s", parent->key, got);
  return NULL;
}

/* Checks a container against what its parent expects. Inside a work, a misfit makes
 * the record bad and the container is skipped; elsewhere the document is unusable. */
static gboolean
check_container (Parser *p, const Frame *parent, FrameKind *kind, gboolean is_map)
{
  g_autofree char *problem = container_problem (parent, *kind, is_map);

  if (problem == NULL)
    return TRUE;
  if (p->work != NULL && *kind != F_WORK)
    {
      bad_record (p, "%s", problem);
      *kind = F_SKIP;
      return TRUE;
    }
  if (*kind == F_WORK && !p->single)
    {
      /* An element of "results" that is not an object: a bad record of its own. */
      p->n_records++;
      bad_record (p, "%s", problem);
      *kind = F_SKIP;
      return TRUE;
    }
  fail (p, "%s", problem);
  return FALSE;
}

static int
open_container (Parser *p, gboolean is_map)
{
  Frame *parent = top (p);
  gboolean dropped = parent && parent->drop_next;
  FrameKind kind = dropped ? F_SKIP : child_kind (p, parent, is_map);
  Frame *f;

  if (p->depth >= MAX_DEPTH)
    {
      fail (p, "nesting deeper than %d levels", MAX_DEPTH);
      return 0;
    }
  if (!dropped && !check_container (p, parent, &kind, is_map))
    return 0;
  if (parent)
    parent->drop_next = FALSE;

  f = &p->frames[p->depth++];
  memset (f, 0, sizeof *f);
  f->kind = kind;
  f->is_map = is_map;
  f->gen = !p->single && ((kind == F_WORK) || (parent && parent->gen && !dropped));

  if (kind == F_WORK)
    begin_work (p);
  else if (kind == F_AUTHORSHIP)
    p->authorship = copub_authorship_new ();
  else if (kind == F_INSTITUTION)
    p->institution = copub_institution_new ();
  else if (kind == F_TOPIC_LEVEL)
    f->level = key_is (parent, "field") ? &p->work->field
               : key_is (parent, "subfield") ? &p->work->subfield : &p->work->domain;

  if (f->gen)
    {
      if (is_map)
        yajl_gen_map_open (p->gen);
      else
        yajl_gen_array_open (p->gen);
    }
  return 1;
}

/* Hands a bad record's problem to the caller's handler, or stops. */
static gboolean
report_bad_record (Parser *p)
{
  g_autoptr(GError) problem = g_steal_pointer (&p->record_error);

  if (!p->single)
    g_prefix_error (&problem, "record %" G_GUINT64_FORMAT ": ", p->n_records);
  if (p->on_bad == NULL)
    {
      p->error = g_steal_pointer (&problem);
      return FALSE;
    }
  p->caller_error = TRUE;
  return p->on_bad (p->n_records, problem, p->user_data, &p->error);
}

static gboolean
finish_work (Parser *p)
{
  const unsigned char *buf;
  size_t len;
  g_autoptr(CopubWork) work = g_steal_pointer (&p->work);

  if (p->record_error == NULL && (work->id == NULL || *work->id == '\0'))
    bad_record (p, "expected an \"id\" string");
  if (p->record_error != NULL)
    return report_bad_record (p);

  /* When the text is the raw record already, the caller hands it over. */
  if (p->single && !p->text_is_raw)
    {
      g_string_append_c (p->raw, '}');
      work->raw = g_bytes_new (p->raw->str, p->raw->len);
    }
  else if (!p->single)
    {
      yajl_gen_get_buf (p->gen, &buf, &len);
      work->raw = g_bytes_new (buf, len);
    }
  for (guint i = 0; i < work->authorships->len; i++)
    ((CopubAuthorship *) g_ptr_array_index (work->authorships, i))->position = (int) i;

  if (p->single)
    {
      p->work = g_steal_pointer (&work);
      return TRUE;
    }
  p->n_works++;
  p->caller_error = TRUE;
  if (!p->func (g_steal_pointer (&work), p->user_data, &p->error))
    {
      if (p->error == NULL)
        g_set_error_literal (&p->error, COPUB_ERROR, COPUB_ERROR_FAILED, "stopped");
      return FALSE;
    }
  return TRUE;
}

static int
close_container (Parser *p, gboolean is_map)
{
  Frame f = p->frames[--p->depth];
  Frame *parent = top (p);

  if (f.gen)
    {
      if (is_map)
        yajl_gen_map_close (p->gen);
      else
        yajl_gen_array_close (p->gen);
    }
  if (f.kind == F_SKIP && parent && parent->kind == F_RESULTS && p->record_error)
    return report_bad_record (p);
  if (p->single && parent && parent->kind == F_WORK)
    end_member (p);
  switch (f.kind)
    {
    case F_WORK:
      if (!finish_work (p))
        return 0;
      break;
    case F_AUTHORSHIP:
      g_ptr_array_add (p->work->authorships, g_steal_pointer (&p->authorship));
      break;
    case F_INSTITUTION:
      g_ptr_array_add (p->authorship->institutions, g_steal_pointer (&p->institution));
      break;
    default:
      break;
    }
  if (parent && parent->is_map)
    parent->key[0] = '\0';
  return 1;
}

/* ---- yajl callbacks ------------------------------------------------------------- */

/* Common part of every scalar event. FALSE stops the parser; otherwise *out is the
 * frame the value belongs to, or NULL when the value is dropped. */
static gboolean
scalar_frame (Parser *p, Frame **out)
{
  Frame *f = top (p);

  *out = NULL;
  if (f == NULL)
    {
      fail (p, "expected a JSON object");
      return FALSE;
    }
  if (f->drop_next)
    {
      f->drop_next = FALSE;
      return TRUE;
    }
  if (f->kind == F_RESULTS)
    {
      p->n_records++;
      bad_record (p, "expected a work (a JSON object), got a scalar value");
      return report_bad_record (p);
    }
  *out = f;
  return TRUE;
}

/* A scalar just ended; in single mode, at work level, it ends a member. */
static int
after_scalar (Parser *p)
{
  Frame *f = top (p);

  if (p->single && f != NULL && f->kind == F_WORK)
    end_member (p);
  return 1;
}

static int
on_null (void *ctx)
{
  Parser *p = ctx;
  Frame *f;

  if (!scalar_frame (p, &f))
    return 0;
  if (f && f->gen)
    yajl_gen_null (p->gen);
  return after_scalar (p);
}

static int
on_boolean (void *ctx, int value)
{
  Parser *p = ctx;
  Frame *f;

  if (!scalar_frame (p, &f))
    return 0;
  if (f == NULL)
    return after_scalar (p);
  if (f->gen)
    yajl_gen_bool (p->gen, value);
  take_boolean (p, f, value != 0);
  return after_scalar (p);
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  Parser *p = ctx;
  Frame *f;

  if (!scalar_frame (p, &f))
    return 0;
  if (f == NULL)
    return after_scalar (p);
  if (f->gen)
    yajl_gen_number (p->gen, s, len);
  take_number (p, f, s, len);
  return after_scalar (p);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  Parser *p = ctx;
  Frame *f;

  if (!scalar_frame (p, &f))
    return 0;
  if (f == NULL)
    return after_scalar (p);
  if (f->gen)
    yajl_gen_string (p->gen, s, len);
  take_string (p, f, s, len);
  return after_scalar (p);
}

static int
on_map_key (void *ctx, const unsigned char *s, size_t len)
{
  Parser *p = ctx;
  Frame *f = top (p);
  size_t n = MIN (len, sizeof f->key - 1);

  if (f->kind == F_SKIP && !f->gen)
    return 1; /* most keys: inside values copub does not read */
  memcpy (f->key, s, n);
  f->key[n] = '\0';
  if (len != n)
    f->key[0] = '\0'; /* a long key is none copub reads */

  if (f->kind == F_PENDING)
    {
      /* The first key tells a list page from a single work. */
      if (key_is (f, "meta") || key_is (f, "results") || key_is (f, "group_by"))
        {
          f->kind = F_PAGE;
          p->is_page = TRUE;
        }
      else
        {
          f->kind = F_WORK;
          f->gen = TRUE;
          begin_work (p);
          yajl_gen_map_open (p->gen);
        }
    }
  if (f->kind == F_WORK && is_dropped_field (f->key))
    {
      f->drop_next = TRUE;
      return 1;
    }
  if (p->single && f->kind == F_WORK)
    p->member_kept = TRUE;
  if (f->gen)
    yajl_gen_string (p->gen, s, len);
  return 1;
}

static int
on_start_map (void *ctx)
{
  return open_container (ctx, TRUE);
}

static int
on_end_map (void *ctx)
{
  return close_container (ctx, TRUE);
}

static int
on_start_array (void *ctx)
{
  return open_container (ctx, FALSE);
}

static int
on_end_array (void *ctx)
{
  return close_container (ctx, FALSE);
}

static const yajl_callbacks callbacks = {
  on_null, on_boolean, NULL, NULL, on_number, on_string,
  on_start_map, on_map_key, on_end_map, on_start_array, on_end_array
};

/* ---- parser life cycle ---------------------------------------------------------- */

static void
parser_init (Parser *p, gboolean single)
{
  memset (p, 0, sizeof *p);
  p->single = single;
  p->meta_count = -1;
  p->raw = g_string_new (NULL);
  p->parser = yajl_alloc (&callbacks, NULL, p);
  p->gen = yajl_gen_alloc (NULL);
  /* The parser already validated the strings. */
  yajl_gen_config (p->gen, yajl_gen_validate_utf8, 0);
}

static void
parser_clear (Parser *p)
{
  yajl_free (p->parser);
  yajl_gen_free (p->gen);
  g_string_free (p->raw, TRUE);
  copub_work_free (p->work);
  copub_authorship_free (p->authorship);
  copub_institution_free (p->institution);
  g_free (p->next_cursor);
  g_clear_error (&p->error);
  g_clear_error (&p->record_error);
}

/* yajl's own message, without its "parse error: " prefix and trailing newline. */
static char *
syntax_error (yajl_handle h, const unsigned char *data, size_t len)
{
  unsigned char *raw = yajl_get_error (h, 0, data, len);
  const char *msg = (const char *) raw;
  char *out;

  if (g_str_has_prefix (msg, "parse error: "))
    msg += strlen ("parse error: ");
  out = g_strstrip (g_strdup (msg));
  yajl_free_error (h, raw);
  return out;
}

/* Turns a yajl status into an error; @where is prepended ("line 3: "). */
static gboolean
check_status (Parser *p, yajl_status status, const unsigned char *data, size_t len,
              const char *where, GError **error)
{
  if (status == yajl_status_ok)
    return TRUE;
  if (status == yajl_status_client_canceled && p->error != NULL)
    {
      if (!p->caller_error)
        g_prefix_error (&p->error, "%s", where);
      g_propagate_error (error, g_steal_pointer (&p->error));
      return FALSE;
    }
  {
    g_autofree char *msg = syntax_error (p->parser, data, len);
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "%sinvalid JSON: %s", where, msg);
  }
  return FALSE;
}

/* Single mode, first pass: copies the work's kept members verbatim into @kept, as
 * "{" member ("," member)* "}", and skims the others: they are checked, never parsed,
 * so yajl then reads only what copub uses (a third of a full record's bytes). A member
 * whose name holds an escape is kept, yajl knowing best what it spells. FALSE when the
 * text is not a well-formed JSON object (with @error), or keeps no member (a list page,
 * a record without id): the caller then parses the whole text, for yajl's account. */
static gboolean
not_json (GError **error, gsize len, gsize pos, const char *what)
{
  if (pos >= len)
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                 "invalid JSON: the text ends where %s was expected", what);
  else
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                 "invalid JSON at byte %" G_GSIZE_FORMAT ": expected %s", pos + 1, what);
  return FALSE;
}

static gboolean
keep_members (const char *text, gsize len, GString *kept, GError **error)
{
  gsize pos = copub_json_skip_blanks (text, len, 0);

  g_string_assign (kept, "{");
  if (pos >= len || text[pos] != '{')
    return FALSE;
  pos = copub_json_skip_blanks (text, len, pos + 1);
  for (gboolean more = pos >= len || text[pos] != '}'; more;)
    {
      gsize start = pos;
      gboolean escaped, keep;

      if (!copub_json_skip_string (text, len, &pos, &escaped, error))
        return FALSE;
      keep = escaped || is_kept_field (text + start + 1, pos - start - 2);
      pos = copub_json_skip_blanks (text, len, pos);
      if (pos >= len || text[pos] != ':')
        return not_json (error, len, pos, "':' after a member name");
      pos++;
      if (!copub_json_skip_value (text, len, &pos, MAX_DEPTH - 1, error))
        return FALSE;
      if (keep)
        {
          if (kept->len > 1)
            g_string_append_c (kept, ',');
          g_string_append_len (kept, text + start, (gssize) (pos - start));
        }
      pos = copub_json_skip_blanks (text, len, pos);
      more = pos < len && text[pos] == ',';
      if (more)
        pos = copub_json_skip_blanks (text, len, pos + 1);
      else if (pos >= len || text[pos] != '}')
        return not_json (error, len, pos, "',' or '}'");
    }
  if (copub_json_skip_blanks (text, len, pos + 1) != len)
    return not_json (error, len, copub_json_skip_blanks (text, len, pos + 1),
                     "the end of the record");
  g_string_append_c (kept, '}');
  return kept->len > 2;
}

static CopubWork *
parse_one_work (const char *json, gsize length, gboolean is_raw, GError **error)
{
  Parser p;
  yajl_status status;
  CopubWork *work;

  parser_init (&p, TRUE);
  p.text = json;
  p.text_len = length;
  p.text_is_raw = is_raw;
  status = yajl_parse (p.parser, (const unsigned char *) json, length);
  if (status == yajl_status_ok)
    status = yajl_complete_parse (p.parser);
  if (!check_status (&p, status, (const unsigned char *) json, length, "", error))
    {
      parser_clear (&p);
      return NULL;
    }
  work = g_steal_pointer (&p.work);
  parser_clear (&p);
  if (work == NULL)
    g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                         "expected a work (a JSON object)");
  return work;
}

CopubWork *
copub_openalex_parse_work (const char *json, gsize length, GError **error)
{
  g_autoptr(GString) kept = g_string_new (NULL);
  g_autoptr(GError) skim_error = NULL;
  CopubWork *work;

  if (keep_members (json, length, kept, &skim_error))
    {
      work = parse_one_work (kept->str, kept->len, TRUE, error);
      if (work != NULL)
        work->raw = g_string_free_to_bytes (g_steal_pointer (&kept));
      return work;
    }
  /* yajl's account of the fault; or the page, or the work without members copub reads. */
  work = parse_one_work (json, length, FALSE, error);
  if (work != NULL && skim_error != NULL)
    {
      /* yajl took a string the skim refused: UTF-8 that GLib finds invalid. */
      copub_work_free (work);
      g_propagate_error (error, g_steal_pointer (&skim_error));
      return NULL;
    }
  return work;
}

CopubOpenalexStream *
copub_openalex_stream_new (CopubWorkFunc func, gpointer user_data)
{
  CopubOpenalexStream *stream = g_new0 (CopubOpenalexStream, 1);

  parser_init (&stream->p, FALSE);
  stream->p.func = func;
  stream->p.user_data = user_data;
  stream->line = 1;
  return stream;
}

void
copub_openalex_stream_free (CopubOpenalexStream *stream)
{
  if (stream == NULL)
    return;
  parser_clear (&stream->p);
  g_free (stream);
}

static guint64
count_lines (const char *data, gsize length)
{
  guint64 n = 0;
  const char *end = data + length;

  while ((data = memchr (data, '\n', (size_t) (end - data))) != NULL)
    {
      n++;
      data++;
    }
  return n;
}

gboolean
copub_openalex_stream_feed (CopubOpenalexStream *stream, const char *data, gsize length,
                            GError **error)
{
  yajl_status status;

  g_return_val_if_fail (!stream->failed, FALSE);
  status = yajl_parse (stream->p.parser, (const unsigned char *) data, length);
  if (status != yajl_status_ok)
    {
      gsize consumed = yajl_get_bytes_consumed (stream->p.parser);
      g_autofree char *where = g_strdup_printf (
          "line %" G_GUINT64_FORMAT ": ",
          stream->line + count_lines (data, MIN (consumed, length)));
      stream->failed = TRUE;
      return check_status (&stream->p, status, (const unsigned char *) data, length, where, error);
    }
  stream->line += count_lines (data, length);
  return TRUE;
}

gboolean
copub_openalex_stream_finish (CopubOpenalexStream *stream, GError **error)
{
  yajl_status status;
  g_autofree char *where = NULL;

  g_return_val_if_fail (!stream->failed, FALSE);
  where = g_strdup_printf ("line %" G_GUINT64_FORMAT ": ", stream->line);
  status = yajl_complete_parse (stream->p.parser);
  if (status != yajl_status_ok)
    {
      stream->failed = TRUE;
      if (status == yajl_status_error)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "%sthe document ends too early (truncated?) after %" G_GUINT64_FORMAT
                       " complete records", where, stream->p.n_works);
          return FALSE;
        }
      return check_status (&stream->p, status, NULL, 0, where, error);
    }
  return TRUE;
}

void
copub_openalex_stream_set_bad_record_func (CopubOpenalexStream *stream, CopubBadRecordFunc func)
{
  stream->p.on_bad = func;
}

guint64
copub_openalex_stream_n_works (const CopubOpenalexStream *stream)
{
  return stream->p.n_works;
}

gint64
copub_openalex_stream_meta_count (const CopubOpenalexStream *stream)
{
  return stream->p.meta_count;
}

const char *
copub_openalex_stream_next_cursor (const CopubOpenalexStream *stream)
{
  return stream->p.next_cursor;
}

gboolean
copub_openalex_stream_is_page (const CopubOpenalexStream *stream)
{
  return stream->p.is_page;
}
