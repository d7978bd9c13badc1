/* copub: file import. Reads plain or gzip files as a stream, detects the format and
 * feeds the parsers. JSON Lines are cut into batches of whole lines that a pool of
 * threads parses while this thread writes the previous batches to the store, in
 * order: parsing is the costly part and lines are independent. */
#include <errno.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "base/notify.h"
#include "copub/error.h"
#include "sources/hal.h"
#include "sources/inflate.h"
#include "copub/import.h"
#include "sources/openalex.h"
#include "sources/tei.h"

#define READ_CHUNK (1u << 20)          /* plain bytes asked of the gzip reader at a time */
#define BATCH_BYTES (2u << 20)         /* a batch of lines holds about this much */
#define MAX_IN_FLIGHT 8                /* batches parsed ahead of the writer */
#define BUFFER_BYTES (4u << 20)        /* a reader's buffer, reused by the next batches */
#define MAX_SKIPPED_LISTED 100

/* ---- reading plain or gzip files ------------------------------------------------ */

typedef struct {
  CopubGzReader *gz;
  const char *path;
  char *buf;          /* bytes read and not yet consumed: buf[start, len) */
  gsize start;
  gsize len;
  gsize cap;
  gsize max_record;   /* a line (record) is never buffered beyond this many bytes */
  gboolean eof;
  GAsyncQueue *spares; /* buffers of BUFFER_BYTES that batches are done with */
} Reader;

static gboolean
reader_open (Reader *r, const char *path, const CopubLimits *limits, GError **error)
{
  static const CopubLimits defaults = COPUB_LIMITS_INIT;

  memset (r, 0, sizeof *r);
  r->path = path;
  r->max_record = (limits ? limits : &defaults)->max_record;
  r->gz = copub_gz_open (path, error);
  if (r->gz == NULL)
    return FALSE;
  g_debug ("reading '%s' (%s)", path, copub_gz_is_direct (r->gz) ? "plain"
          : copub_inflate_backend_name (copub_inflate_backend ()));
  /* A batch (BATCH_BYTES) and the last read (READ_CHUNK) fit: the buffer grows only
   * for lines longer than a batch, and can be reused. */
  r->cap = BUFFER_BYTES;
  r->buf = g_malloc (r->cap);
  r->spares = g_async_queue_new_full (g_free);
  return TRUE;
}

static void
reader_close (Reader *r)
{
  copub_gz_close (r->gz);
  g_free (r->buf);
  if (r->spares)
    g_async_queue_unref (r->spares);
  memset (r, 0, sizeof *r);
}

/* Reads up to READ_CHUNK more bytes after what is buffered. A truncated or corrupt
 * gzip member is an error (src/sources/inflate.c words it). */
static gboolean
reader_fill (Reader *r, GError **error)
{
  gssize n;

  if (r->eof)
    return TRUE;
  if (r->start > 0)
    {
      memmove (r->buf, r->buf + r->start, r->len - r->start);
      r->len -= r->start;
      r->start = 0;
    }
  if (r->cap - r->len < READ_CHUNK)
    {
      r->cap = MAX (r->cap * 2, r->len + READ_CHUNK);
      r->buf = g_realloc (r->buf, r->cap);
    }
  n = copub_gz_read (r->gz, r->buf + r->len, READ_CHUNK, error);
  if (n < 0)
    return FALSE;
  r->eof = n == 0;
  r->len += (gsize) n;
  return TRUE;
}

/* ---- format detection ----------------------------------------------------------- */

const char *
copub_format_name (CopubFormat format)
{
  switch (format)
    {
    case COPUB_FORMAT_OPENALEX_JSONL:
      return "OpenAlex JSON Lines";
    case COPUB_FORMAT_OPENALEX_DOCUMENT:
      return "OpenAlex JSON document";
    case COPUB_FORMAT_HAL_JSON:
      return "HAL JSON";
    case COPUB_FORMAT_HAL_XML:
      return "HAL TEI/OAI-PMH";
    case COPUB_FORMAT_UNKNOWN:
    default:
      return "unknown";
    }
}

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* TRUE when [s, s+len) is exactly one complete JSON value. */
static gboolean
is_complete_json (const char *s, gsize len)
{
  yajl_handle h = yajl_alloc (NULL, NULL, NULL);
  gboolean ok = yajl_parse (h, (const unsigned char *) s, len) == yajl_status_ok
                && yajl_complete_parse (h) == yajl_status_ok;
  yajl_free (h);
  return ok;
}

/* TRUE when something other than white space follows offset @from. Reads as needed;
 * r->start must be 0 so that offsets stay valid. */
static gboolean
more_after (Reader *r, gsize from, GError **error)
{
  for (;;)
    {
      for (; from < r->len; from++)
        if (!is_json_space (r->buf[from]))
          return TRUE;
      if (r->eof || !reader_fill (r, error))
        return FALSE;
    }
}

/* Offset of the first non-space byte at or after @from (r->len if none yet). */
static gsize
skip_space (const Reader *r, gsize from)
{
  while (from < r->len && is_json_space (r->buf[from]))
    from++;
  return from;
}

/* Finds the first non-space byte and, for '{', whether the file is JSON Lines: its
 * first line is a whole JSON value (or starts like a record) and more lines follow.
 * Leaves every byte buffered, with r->start past a byte order mark. */
static gboolean
detect_format (Reader *r, CopubFormat *out, GError **error)
{
  gsize bom, i, nl;
  const char *found;

  *out = COPUB_FORMAT_UNKNOWN;
  while (r->len < 3 && !r->eof)
    if (!reader_fill (r, error))
      return FALSE;
  bom = (r->len >= 3 && memcmp (r->buf, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
  while ((i = skip_space (r, bom)) >= r->len && !r->eof)
    if (!reader_fill (r, error))
      return FALSE;
  if (i >= r->len)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s': the file is empty", r->path);
      return FALSE;
    }
  if (r->buf[i] == '<')
    {
      *out = COPUB_FORMAT_HAL_XML;
      r->start = bom;
      return TRUE;
    }
  if (r->buf[i] != '{' && r->buf[i] != '[')
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s': unknown format: expected OpenAlex or HAL JSON, JSON Lines, or HAL "
                   "TEI/OAI-PMH XML; the file starts with '%c'", r->path,
                   g_ascii_isprint (r->buf[i]) ? r->buf[i] : '?');
      return FALSE;
    }
  if (copub_hal_json_sniff (r->buf + i, r->len - i))
    {
      *out = COPUB_FORMAT_HAL_JSON;
      r->start = bom;
      return TRUE;
    }
  *out = COPUB_FORMAT_OPENALEX_DOCUMENT;
  while ((found = memchr (r->buf + i, '\n', r->len - i)) == NULL && !r->eof
         && r->len - i <= r->max_record)
    if (!reader_fill (r, error))
      return FALSE;
  r->start = bom;
  if (r->buf[i] == '[')
    return TRUE;
  /* A first line over the record limit: JSON Lines (whose line 1 is too long to read)
   * unless it starts like a list page. */
  if (found == NULL && !r->eof)
    {
      static const char page[] = "{\"meta\"";
      if (r->len - i < sizeof page - 1 || memcmp (r->buf + i, page, sizeof page - 1) != 0)
        *out = COPUB_FORMAT_OPENALEX_JSONL;
      return TRUE;
    }
  if (found == NULL)
    return TRUE;
  nl = (gsize) (found - r->buf);
  if (!more_after (r, nl + 1, error))
    return error == NULL || *error == NULL;
  if (is_complete_json (r->buf + i, nl - i) || (nl - i > 2 && r->buf[i + 1] == '"'))
    *out = COPUB_FORMAT_OPENALEX_JSONL;
  return TRUE;
}

/* ---- the writer: one transaction, statistics, bad records ------------------------- */

typedef struct {
  CopubStore *store;
  const CopubImportOptions *options;
  CopubImportStats *stats;
  const char *path;
} Writer;

/* Whether options->leave_out keeps @work out, or it is an xpac work left out (counted). */
static gboolean
left_out (Writer *w, const CopubWork *work)
{
  if (work->is_xpac && !w->options->include_xpac)
    {
      w->stats->xpac++;
      return TRUE;
    }
  if (w->options->leave_out == NULL || !w->options->leave_out (work->id, w->options->leave_out_data))
    return FALSE;
  w->stats->left_out++;
  return TRUE;
}

static gboolean
write_work (Writer *w, CopubWork *work, GError **error)
{
  CopubPutResult result;

  w->stats->records++;
  if (left_out (w, work))
    return TRUE;
  if (!copub_store_put_work (w->store, work, &result, error))
    return FALSE;
  switch (result)
    {
    case COPUB_PUT_INSERTED:
      w->stats->inserted++;
      break;
    case COPUB_PUT_UPDATED:
      w->stats->updated++;
      break;
    case COPUB_PUT_UNCHANGED:
      w->stats->unchanged++;
      break;
    }
  return TRUE;
}

/* A bad record: skipped and listed with skip_bad, else the import's error. @where
 * is "line 12", or NULL when the problem names its record already. */
static gboolean
bad_record (Writer *w, const char *where, const GError *problem, GError **error)
{
  g_autofree char *message = g_strdup_printf ("'%s' %s%s%s", w->path, where ? where : "",
                                              where ? ": " : "", problem->message);
  if (!w->options->skip_bad)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE, message);
      return FALSE;
    }
  w->stats->skipped++;
  if (w->stats->skipped_where->len < MAX_SKIPPED_LISTED)
    g_ptr_array_add (w->stats->skipped_where, g_steal_pointer (&message));
  return TRUE;
}

/* ---- JSON Lines: batches parsed by a thread pool ---------------------------------- */

typedef struct {
  CopubWork *work;    /* or NULL with problem set */
  GError *problem;
  guint64 line;       /* in the batch (from 0) until delivered, then in the file */
  CopubPreparedWork *prepared; /* for the store, when the reader writes to one */
} Item;

typedef struct {
  char *alloc;        /* the buffer the lines are in (the reader's, handed over) */
  gsize alloc_cap;
  GAsyncQueue *spares; /* where @alloc goes back when it is of BUFFER_BYTES */
  const char *data;   /* whole lines */
  gsize len;
  guint64 lines;      /* lines in @data, counted as they are parsed */
  GArray *items;      /* of Item, in line order */
  guint64 records;    /* non-blank lines */
  const CopubJsonlOptions *options;
  const CopubLimits *limits;
  gboolean prepare;   /* compute what the store derives, in the pool thread */
  GMutex lock;
  GCond cond;
  gboolean done;
} Batch;

static void
item_clear (gpointer data)
{
  Item *item = data;
  copub_prepared_work_free (item->prepared);
  copub_work_free (item->work);
  g_clear_error (&item->problem);
}

static Batch *
batch_new (char *alloc, gsize alloc_cap, GAsyncQueue *spares, const char *data, gsize len)
{
  Batch *b = g_new0 (Batch, 1);
  b->alloc = alloc;
  b->alloc_cap = alloc_cap;
  b->spares = spares;
  b->data = data;
  b->len = len;
  b->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (b->items, item_clear);
  g_mutex_init (&b->lock);
  g_cond_init (&b->cond);
  return b;
}

static void
batch_free (Batch *b)
{
  /* A buffer of 4 MiB is an mmap() of its own: reusing it saves the page faults. */
  if (b->alloc && b->alloc_cap == BUFFER_BYTES && b->spares
      && g_async_queue_length (b->spares) < MAX_IN_FLIGHT)
    g_async_queue_push (b->spares, b->alloc);
  else
    g_free (b->alloc);
  g_array_unref (b->items);
  g_mutex_clear (&b->lock);
  g_cond_clear (&b->cond);
  g_free (b);
}

static gboolean
is_blank (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!is_json_space (s[i]))
      return FALSE;
  return TRUE;
}

static void
record_too_long (GError **problem, const CopubLimits *limits)
{
  g_set_error (problem, COPUB_ERROR, COPUB_ERROR_PARSE, "the record is longer than the limit "
               "of %" G_GSIZE_FORMAT " bytes (max-record-size)", limits->max_record);
}

/* Runs in a pool thread: parses every line of the batch. */
static void
parse_batch (gpointer data, gpointer user_data)
{
  Batch *b = data;
  const char *p = b->data, *end = b->data + b->len;
  guint64 line = 0;
  (void) user_data;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      gsize len = (gsize) ((nl ? nl : end) - p);
      gboolean blank = is_blank (p, len);
      b->records += !blank;
      if (!blank
          && (b->options->filter == NULL || b->options->filter (p, len, b->options->filter_data)))
        {
          Item item = { NULL, NULL, line, NULL };
          if (len > b->limits->max_record)
            record_too_long (&item.problem, b->limits);
          else if ((item.work = copub_openalex_parse_work (p, len, &item.problem)) != NULL
                   && !copub_work_check_limits (item.work, b->limits, &item.problem))
            g_clear_pointer (&item.work, copub_work_free);
          if (item.work && b->options->normaliser)
            copub_normaliser_fill_work (b->options->normaliser, item.work);
          if (item.work && b->prepare)
            item.prepared = copub_store_prepare_work (item.work);
          g_array_append_val (b->items, item);
        }
      line++;
      p += len + 1;
    }
  b->lines += line; /* a too-long line's batch counts its line already */
  g_mutex_lock (&b->lock);
  b->done = TRUE;
  g_cond_signal (&b->cond);
  g_mutex_unlock (&b->lock);
}

static void
batch_wait (Batch *b)
{
  g_mutex_lock (&b->lock);
  while (!b->done)
    g_cond_wait (&b->cond, &b->lock);
  g_mutex_unlock (&b->lock);
}

typedef gboolean (*ItemFunc) (Item *item, gpointer data, GError **error);

/* Hands the batch's items, in line order, to @func; *line is the number of the
 * batch's first line in the file, and then of the next batch's. */
static gboolean
deliver_batch (Batch *b, ItemFunc func, gpointer data, guint64 *line, guint64 *records,
               GError **error)
{
  batch_wait (b);
  *records += b->records;
  for (guint i = 0; i < b->items->len; i++)
    {
      Item *item = &g_array_index (b->items, Item, i);
      item->line += *line;
      if (!func (item, data, error))
        return FALSE;
    }
  *line += b->lines;
  return TRUE;
}

/* Frees a batch in a pool thread: thousands of small frees the writer need not do. */
static void
free_batch_job (gpointer data, gpointer unused)
{
  (void) unused;
  batch_free (data);
}

/* Cuts the buffered bytes into a batch of whole lines; at end of file the last line
 * needs no newline. Returns NULL when no whole line is buffered yet. The lines are
 * counted where they are parsed, not here. */
static Batch *
take_batch (Reader *r)
{
  const char *start = r->buf + r->start;
  gsize avail = r->len - r->start;
  gsize cut = avail;
  Batch *b;

  if (!r->eof)
    {
      while (cut > 0 && start[cut - 1] != '\n')
        cut--;
    }
  if (cut == 0)
    return NULL;
  /* The batch takes the reader's buffer as it is (no copy); the reader starts a new
   * one with the partial line that follows. */
  b = batch_new (r->buf, r->cap, r->spares, start, cut);
  {
    gsize rest = avail - cut;
    char *fresh = r->cap == BUFFER_BYTES ? g_async_queue_try_pop (r->spares) : NULL;
    if (fresh == NULL)
      fresh = g_malloc (r->cap);
    memcpy (fresh, start + cut, rest);
    r->buf = fresh;
    r->start = 0;
    r->len = rest;
  }
  return b;
}

/* Reads until @want bytes are buffered or the file ends. */
static gboolean
fill_to (Reader *r, gsize want, GError **error)
{
  while (!r->eof && r->len - r->start < want)
    if (!reader_fill (r, error))
      return FALSE;
  return TRUE;
}

/* Drops the line that starts at r->start, reading the rest of it without keeping it. */
static gboolean
skip_line (Reader *r, GError **error)
{
  for (;;)
    {
      const char *nl = memchr (r->buf + r->start, '\n', r->len - r->start);
      if (nl != NULL)
        {
          r->start = (gsize) (nl - r->buf) + 1;
          return TRUE;
        }
      r->start = r->len;
      if (r->eof)
        return TRUE;
      if (!reader_fill (r, error))
        return FALSE;
    }
}

/* A batch of one line, too long to be read: it holds only its problem. */
static Batch *
too_long_batch (const CopubLimits *limits)
{
  Batch *b = batch_new (NULL, 0, NULL, NULL, 0);
  Item item = { NULL, NULL, 0, NULL };

  b->lines = 1;
  record_too_long (&item.problem, limits);
  g_array_append_val (b->items, item);
  return b;
}

/* The next batch of whole lines, or NULL at the end (or on error, with @error set). A
 * line longer than the record limit is skipped as it is read, never buffered whole:
 * its batch holds only its problem. */
static Batch *
next_batch (Reader *r, const CopubLimits *limits, GError **error)
{
  gsize want = MIN (BATCH_BYTES, r->max_record + 1);
  Batch *b;

  for (;;)
    {
      if (!fill_to (r, want, error))
        return NULL;
      if ((b = take_batch (r)) != NULL || r->eof)
        return b;
      /* No newline yet: a line longer than a batch. */
      if (want > r->max_record)
        {
          b = too_long_batch (limits);
          if (!skip_line (r, error))
            {
              batch_free (b);
              return NULL;
            }
          return b;
        }
      want = MIN (want * 2, r->max_record + 1);
    }
}

/* Records before a read error were delivered in order; the error comes last. */
static gboolean
read_end (gboolean ok, GError *read_error, GError **error)
{
  if (ok && read_error != NULL)
    {
      g_propagate_error (error, read_error);
      return FALSE;
    }
  g_clear_error (&read_error);
  return ok;
}

/* One thread does everything: reads, inflates, parses, hands over. With one process per
 * processor (a map over many files), no thread waits for a processor another holds. */
static gboolean
read_jsonl_inline (Reader *r, const CopubJsonlOptions *options, const CopubLimits *limits,
                   gboolean prepare, ItemFunc func, gpointer data, guint64 *records,
                   GError **error)
{
  GError *read_error = NULL;
  guint64 line = 1;
  gboolean ok = TRUE;
  Batch *b;

  while (ok && (b = next_batch (r, limits, &read_error)) != NULL)
    {
      b->options = options;
      b->limits = limits;
      b->prepare = prepare;
      parse_batch (b, NULL);
      ok = deliver_batch (b, func, data, &line, records, error);
      batch_free (b);
    }
  return read_end (ok, read_error, error);
}

/* Reads the JSON Lines of @r: batches of lines go to a pool of parser threads while
 * this thread hands the parsed works, in order, to @func. One thread (n_threads 1)
 * does it all itself. */
static gboolean
read_jsonl (Reader *r, const CopubJsonlOptions *options, gboolean prepare, ItemFunc func,
            gpointer data, guint64 *out_records, GError **error)
{
  guint n_threads = options->n_threads ? options->n_threads
                                       : (guint) MAX (1, g_get_num_processors ());
  g_autoptr(GQueue) pending = NULL;
  GThreadPool *pool, *reaper;
  static const CopubLimits defaults = COPUB_LIMITS_INIT;
  const CopubLimits *limits = options->limits ? options->limits : &defaults;
  GError *read_error = NULL;
  guint64 line = 1, records = 0;
  gboolean ok = TRUE;
  Batch *b;

  if (n_threads == 1)
    {
      ok = read_jsonl_inline (r, options, limits, prepare, func, data, &records, error);
      if (out_records)
        *out_records = records;
      return ok;
    }
  pending = g_queue_new ();
  pool = g_thread_pool_new (parse_batch, NULL, (int) n_threads, FALSE, NULL);
  reaper = g_thread_pool_new (free_batch_job, NULL, 1, FALSE, NULL);
  while (ok && (b = next_batch (r, limits, &read_error)) != NULL)
    {
      b->options = options;
      b->limits = limits;
      b->prepare = prepare;
      g_queue_push_tail (pending, b);
      g_thread_pool_push (pool, b, NULL);
      while (ok && g_queue_get_length (pending) > MAX_IN_FLIGHT)
        {
          Batch *oldest = g_queue_pop_head (pending);
          ok = deliver_batch (oldest, func, data, &line, &records, error);
          g_thread_pool_push (reaper, oldest, NULL);
        }
    }
  /* Wait for every batch, delivered or not, before freeing them. */
  g_thread_pool_free (pool, FALSE, TRUE);
  while ((b = g_queue_pop_head (pending)) != NULL)
    {
      if (ok)
        ok = deliver_batch (b, func, data, &line, &records, error);
      g_thread_pool_push (reaper, b, NULL);
    }
  g_thread_pool_free (reaper, FALSE, TRUE);
  if (out_records)
    *out_records = records;
  return read_end (ok, read_error, error);
}

typedef struct {
  CopubJsonlFunc func;
  gpointer data;
} UserSink;

static gboolean
to_user (Item *item, gpointer data, GError **error)
{
  UserSink *sink = data;
  return sink->func (item->work, item->problem, item->line, sink->data, error);
}

gboolean
copub_jsonl_read (const char *path, const CopubJsonlOptions *options, CopubJsonlFunc func,
                  gpointer user_data, guint64 *out_bytes, GError **error)
{
  return copub_jsonl_read_counted (path, options, func, user_data, out_bytes, NULL, error);
}

gboolean
copub_jsonl_read_counted (const char *path, const CopubJsonlOptions *options,
                          CopubJsonlFunc func, gpointer user_data, guint64 *out_bytes,
                          guint64 *out_records, GError **error)
{
  UserSink sink = { func, user_data };
  Reader r;
  gboolean ok;

  if (!reader_open (&r, path, options->limits, error))
    return FALSE;
  ok = read_jsonl (&r, options, FALSE, to_user, &sink, out_records, error);
  if (out_bytes)
    *out_bytes = copub_gz_offset (r.gz);
  reader_close (&r);
  return ok;
}

static guint
count_inferred (const CopubWork *work)
{
  guint n = 0;
  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      n += a->countries->len == 0 && a->inferred->len > 0;
    }
  return n;
}

static gboolean
write_line_item (Item *item, gpointer data, GError **error)
{
  Writer *w = data;
  CopubPutResult result;

  if (item->problem != NULL)
    {
      g_autofree char *where = g_strdup_printf ("line %" G_GUINT64_FORMAT, item->line);
      return bad_record (w, where, item->problem, error);
    }
  w->stats->records++;
  if (left_out (w, item->work))
    return TRUE;
  w->stats->inferred += count_inferred (item->work);
  if (!copub_store_put_prepared (w->store, item->prepared, &result, error))
    return FALSE;
  w->stats->inserted += result == COPUB_PUT_INSERTED;
  w->stats->updated += result == COPUB_PUT_UPDATED;
  w->stats->unchanged += result == COPUB_PUT_UNCHANGED;
  return TRUE;
}

static gboolean
import_jsonl (Writer *w, Reader *r, GError **error)
{
  CopubJsonlOptions options = { w->options->n_threads, w->options->normaliser, NULL, NULL,
                                &w->options->limits };
  return read_jsonl (r, &options, TRUE, write_line_item, w, NULL, error);
}

/* ---- documents: a page, a single work, an array ----------------------------------- */

static gboolean
on_document_work (CopubWork *work, gpointer user_data, GError **error)
{
  g_autoptr(CopubWork) owned = work;
  Writer *w = user_data;
  g_autoptr(GError) problem = NULL;

  if (!copub_work_check_limits (owned, &w->options->limits, &problem))
    return bad_record (w, NULL, problem, error);
  if (w->options->normaliser)
    copub_normaliser_fill_work (w->options->normaliser, owned);
  w->stats->inferred += count_inferred (owned);
  return write_work (w, owned, error);
}

static gboolean
on_document_bad_record (guint64 index, const GError *problem, gpointer user_data,
                        GError **error)
{
  (void) index; /* the parser already put "record N: " in the problem */
  return bad_record (user_data, NULL, problem, error);
}

static gboolean
import_document (Writer *w, Reader *r, GError **error)
{
  g_autoptr(CopubOpenalexStream) stream = copub_openalex_stream_new (on_document_work, w);

  copub_openalex_stream_set_bad_record_func (stream, on_document_bad_record);
  for (;;)
    {
      if (r->len > r->start
          && !copub_openalex_stream_feed (stream, r->buf + r->start, r->len - r->start, error))
        break;
      r->start = r->len;
      if (r->eof)
        {
          if (copub_openalex_stream_finish (stream, error))
            return TRUE;
          break;
        }
      if (!reader_fill (r, error))
        return FALSE;
    }
  if (error && *error && (*error)->domain == COPUB_ERROR && (*error)->code == COPUB_ERROR_PARSE
      && !g_str_has_prefix ((*error)->message, "'"))
    g_prefix_error (error, "'%s' ", w->path);
  return FALSE;
}

/* ---- HAL: JSON answers and TEI/OAI-PMH XML ------------------------------------------ */

/* The rest of the file in memory (HAL JSON answers are small; compressed XML cannot
 * be read twice by the two-pass TEI parser otherwise). */
static gboolean
read_all (Reader *r, GBytes **out, GError **error)
{
  while (!r->eof)
    if (!reader_fill (r, error))
      return FALSE;
  *out = g_bytes_new (r->buf + r->start, r->len - r->start);
  return TRUE;
}

/* Adds what the HAL rules left out of a file to the stats. */
static void
count_hal_left_out (Writer *w, guint old_versions, guint annexes)
{
  w->stats->hal_old_versions += old_versions;
  w->stats->hal_annexes += annexes;
  if (old_versions + annexes > 0)
    copub_note (w->options->callbacks, COPUB_NOTE_INFO,
                "'%s': %u older HAL version(s) (status_i 111) and %u annex deposit(s) "
                "left out, as HAL's own counts do", w->path, old_versions, annexes);
}

static gboolean
import_hal (Writer *w, Reader *r, CopubFormat format, GError **error)
{
  const CopubHalRules *rules = &w->options->hal;
  g_auto(CopubTeiResult) tei = COPUB_TEI_RESULT_INIT;
  g_auto(CopubHalPage) page = COPUB_HAL_PAGE_INIT;
  g_autoptr(GBytes) data = NULL;
  gboolean ok;
  gsize len;
  const char *bytes;

  /* A plain XML file is streamed from disk; the TEI parser reads it twice. */
  if (format == COPUB_FORMAT_HAL_XML && copub_gz_is_direct (r->gz))
    ok = copub_tei_parse_file (&tei, w->path, w->path, rules, on_document_work, w, error);
  else if (!read_all (r, &data, error))
    return FALSE;
  else
    {
      bytes = g_bytes_get_data (data, &len);
      if (format == COPUB_FORMAT_HAL_XML)
        ok = copub_tei_parse_bytes (&tei, bytes, len, w->path, rules, on_document_work, w,
                                    error);
      else
        ok = copub_hal_parse_json (&page, bytes, len, w->path, rules, on_document_work, w,
                                   error);
    }
  if (ok)
    count_hal_left_out (w, tei.n_old_versions + page.n_old_versions,
                        tei.n_annexes + page.n_annexes);
  return ok;
}

/* A HAL file is converted whole or not at all: with skip_bad, one that does not
 * parse is skipped as a whole, and what it wrote is undone. */
static gboolean
import_hal_file (Writer *w, Reader *r, CopubFormat format, GError **error)
{
  g_autoptr(GError) local = NULL;
  CopubImportStats before = *w->stats;

  if (!w->options->skip_bad)
    return import_hal (w, r, format, error);
  if (!copub_store_savepoint (w->store, error))
    return FALSE;
  if (import_hal (w, r, format, &local))
    return copub_store_release (w->store, error);
  if (local->domain != COPUB_ERROR || local->code != COPUB_ERROR_PARSE)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!copub_store_rollback_to_savepoint (w->store, error))
    return FALSE;
  /* What the file wrote is undone: so are its counts. */
  w->stats->records = before.records;
  w->stats->inserted = before.inserted;
  w->stats->updated = before.updated;
  w->stats->unchanged = before.unchanged;
  w->stats->inferred = before.inferred;
  w->stats->skipped++;
  if (w->stats->skipped_where->len < MAX_SKIPPED_LISTED)
    g_ptr_array_add (w->stats->skipped_where, g_strdup_printf ("the whole file: %s",
                                                               local->message));
  return TRUE;
}

/* ---- the import ------------------------------------------------------------------- */

void
copub_import_stats_init (CopubImportStats *stats)
{
  memset (stats, 0, sizeof *stats);
  stats->skipped_where = g_ptr_array_new_with_free_func (g_free);
}

void
copub_import_stats_clear (CopubImportStats *stats)
{
  g_clear_pointer (&stats->skipped_where, g_ptr_array_unref);
}

static gboolean
import_file (Writer *w, const char *path, GError **error)
{
  Reader r;
  CopubFormat format = COPUB_FORMAT_UNKNOWN;
  gboolean ok;
  guint64 xpac_before;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "'%s' is a directory", path);
      return FALSE;
    }
  if (!reader_open (&r, path, &w->options->limits, error))
    return FALSE;
  xpac_before = w->stats->xpac;
  ok = detect_format (&r, &format, error);
  if (ok)
    {
      copub_note (w->options->callbacks, COPUB_NOTE_INFO, "importing '%s' (%s)", path,
                  copub_format_name (format));
      w->path = path;
      if (format == COPUB_FORMAT_OPENALEX_JSONL)
        ok = import_jsonl (w, &r, error);
      else if (format == COPUB_FORMAT_OPENALEX_DOCUMENT)
        ok = import_document (w, &r, error);
      else
        ok = import_hal_file (w, &r, format, error);
    }
  reader_close (&r);
  if (ok && (format == COPUB_FORMAT_OPENALEX_JSONL || format == COPUB_FORMAT_OPENALEX_DOCUMENT))
    ok = copub_store_note_xpac (w->store, w->options->include_xpac, (gint64) w->stats->xpac,
                                error);
  w->stats->files += ok;
  if (ok && w->stats->xpac > xpac_before)
    copub_note (w->options->callbacks, COPUB_NOTE_MESSAGE,
                "'%s': left out %" G_GUINT64_FORMAT " xpac work(s) (OpenAlex's expansion "
                "pack, which its API leaves out by default; the include-xpac setting keeps "
                "them)", path, w->stats->xpac - xpac_before);
  return ok;
}

gboolean
copub_import_file (CopubStore *store, const char *path, const CopubImportOptions *options,
                   CopubImportStats *stats, guint64 *out_records, GError **error)
{
  Writer w = { store, options, stats, NULL };
  guint64 before = stats->records;
  gboolean ok = import_file (&w, path, error);

  if (out_records)
    *out_records = stats->records - before;
  return ok;
}

gboolean
copub_import_files (CopubStore *store, const char *const *paths,
                    const CopubImportOptions *options, CopubImportStats *stats,
                    GError **error)
{
  Writer w = { store, options, stats, NULL };

  if (!copub_store_begin (store, error))
    return FALSE;
  for (const char *const *p = paths; *p; p++)
    if (!import_file (&w, *p, error))
      {
        copub_store_rollback (store);
        return FALSE;
      }
  if (!copub_store_commit (store, error))
    {
      copub_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}
