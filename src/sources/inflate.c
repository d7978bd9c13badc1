/* copub: gzip input inflated with ISA-L or zlib, one member after the other. The member
 * loop, the reading and the error messages are shared; each back end only inflates
 * the bytes of one member and says how it ended. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "copub/error.h"
#include "sources/inflate.h"

#define IN_CHUNK (1u << 20)   /* compressed bytes read at a time */

/* How a call to a back end ended. */
typedef enum {
  STEP_MORE,         /* needs more input or more output room */
  STEP_MEMBER_END,   /* the member's trailer is read and checked */
  STEP_BAD_HEADER,
  STEP_BAD_CHECK,    /* CRC-32 or length of the member (or of its header) wrong */
  STEP_BAD_DATA,
} Step;

struct CopubGzReader {
  int fd;
  char *path;
  CopubInflateBackend backend;
  guint8 *in;          /* read from the file: in[pos, len) not yet consumed */
  gsize pos;
  gsize len;
  gboolean in_eof;
  guint64 file_read;   /* bytes read from the file */
  gboolean direct;
  guint member;        /* members started, for the messages */
  gboolean in_member;
  gboolean done;
  z_stream z;
  gboolean z_ready;
  struct inflate_state *isal;
};

/* ---- the back ends --------------------------------------------------------------- */

static Step
zlib_step (CopubGzReader *r, guint8 *out, gsize room, gsize *made)
{
  z_stream *z = &r->z;
  int ret;

  z->next_in = r->in + r->pos;
  z->avail_in = (uInt) (r->len - r->pos);
  z->next_out = out;
  z->avail_out = (uInt) MIN (room, G_MAXUINT32);
  ret = inflate (z, Z_NO_FLUSH);
  *made = (gsize) (z->next_out - out);
  r->pos = (gsize) (z->next_in - r->in);
  switch (ret)
    {
    case Z_OK:
    case Z_BUF_ERROR:
      return STEP_MORE;
    case Z_STREAM_END:
      return STEP_MEMBER_END;
    case Z_DATA_ERROR:
      if (z->msg && (strstr (z->msg, "check") || strstr (z->msg, "crc")))
        return strstr (z->msg, "header check") ? STEP_BAD_HEADER : STEP_BAD_CHECK;
      if (z->msg && (strstr (z->msg, "header") || strstr (z->msg, "compression method")))
        return STEP_BAD_HEADER;
      return STEP_BAD_DATA;
    case Z_MEM_ERROR:
      g_error ("zlib: out of memory");
    default:
      return STEP_BAD_DATA;
    }
}

static void
zlib_begin (CopubGzReader *r)
{
  if (!r->z_ready)
    {
      memset (&r->z, 0, sizeof r->z);
      if (inflateInit2 (&r->z, 15 + 16) != Z_OK) /* gzip wrapper only */
        g_error ("zlib: cannot initialise inflate");
      r->z_ready = TRUE;
    }
  else
    inflateReset (&r->z);
}

static Step
isal_step (CopubGzReader *r, guint8 *out, gsize room, gsize *made)
{
  struct inflate_state *s = r->isal;
  int ret;

  s->next_in = r->in + r->pos;
  s->avail_in = (uint32_t) (r->len - r->pos);
  s->next_out = out;
  s->avail_out = (uint32_t) MIN (room, G_MAXUINT32);
  ret = isal_inflate (s);
  *made = (gsize) (s->next_out - out);
  r->pos = (gsize) (s->next_in - r->in);
  switch (ret)
    {
    case ISAL_DECOMP_OK:
    case ISAL_END_INPUT:
    case ISAL_OUT_OVERFLOW:
      return s->block_state == ISAL_BLOCK_FINISH ? STEP_MEMBER_END : STEP_MORE;
    case ISAL_INVALID_WRAPPER:
    case ISAL_UNSUPPORTED_METHOD:
      return STEP_BAD_HEADER;
    case ISAL_INCORRECT_CHECKSUM:
      return STEP_BAD_CHECK;
    default:
      return STEP_BAD_DATA;
    }
}

static void
isal_begin (CopubGzReader *r)
{
  if (r->isal == NULL)
    r->isal = g_new (struct inflate_state, 1);
  isal_inflate_init (r->isal);
  r->isal->crc_flag = ISAL_GZIP;
}

static Step
backend_step (CopubGzReader *r, guint8 *out, gsize room, gsize *made)
{
  return r->backend == COPUB_INFLATE_ISAL ? isal_step (r, out, room, made)
                                          : zlib_step (r, out, room, made);
}

static void
backend_begin (CopubGzReader *r)
{
  if (r->backend == COPUB_INFLATE_ISAL)
    isal_begin (r);
  else
    zlib_begin (r);
}

/* ---- choosing the back end ------------------------------------------------------- */

/* ISA-L inflates a member zlib made, byte for byte. */
static gboolean
isal_works (void)
{
  static const char text[] = "copub: a self-test of ISA-L's inflate, with repeats, repeats.\n";
  guint8 packed[256], plain[sizeof text];
  struct inflate_state *s = g_new (struct inflate_state, 1);
  z_stream z = { 0 };
  gboolean ok;

  ok = deflateInit2 (&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  z.next_in = (Bytef *) text;
  z.avail_in = sizeof text;
  z.next_out = packed;
  z.avail_out = sizeof packed;
  ok = ok && deflate (&z, Z_FINISH) == Z_STREAM_END;
  isal_inflate_init (s);
  s->crc_flag = ISAL_GZIP;
  s->next_in = packed;
  s->avail_in = (uint32_t) z.total_out;
  s->next_out = plain;
  s->avail_out = sizeof plain;
  ok = ok && isal_inflate (s) == ISAL_DECOMP_OK && s->block_state == ISAL_BLOCK_FINISH
       && s->total_out == sizeof text && memcmp (plain, text, sizeof text) == 0;
  deflateEnd (&z);
  g_free (s);
  return ok;
}

static gsize
choose_backend (void)
{
  const char *forced = g_getenv ("COPUB_INFLATE");

  if (forced && g_ascii_strcasecmp (forced, "zlib") == 0)
    return COPUB_INFLATE_ZLIB + 1;
  if (forced && *forced && g_ascii_strcasecmp (forced, "isal") != 0)
    g_warning ("COPUB_INFLATE='%s' is neither zlib nor isal: ignored", forced);
  if (!isal_works ())
    {
      g_info ("ISA-L's inflate failed its self-test: gzip input is inflated with zlib");
      return COPUB_INFLATE_ZLIB + 1;
    }
  return COPUB_INFLATE_ISAL + 1;
}

CopubInflateBackend
copub_inflate_backend (void)
{
  static gsize chosen = 0;

  if (g_once_init_enter (&chosen))
    g_once_init_leave (&chosen, choose_backend ());
  return (CopubInflateBackend) (chosen - 1);
}

const char *
copub_inflate_backend_name (CopubInflateBackend backend)
{
  return backend == COPUB_INFLATE_ISAL ? "ISA-L" : "zlib";
}

/* ---- reading ---------------------------------------------------------------------- */

static gboolean
read_error (CopubGzReader *r, int saved, GError **error)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "reading '%s': %s", r->path,
               g_strerror (saved));
  return FALSE;
}

/* Reads more of the file after the unconsumed bytes, keeping them. */
static gboolean
fill_input (CopubGzReader *r, GError **error)
{
  ssize_t n;

  if (r->pos > 0)
    {
      memmove (r->in, r->in + r->pos, r->len - r->pos);
      r->len -= r->pos;
      r->pos = 0;
    }
  do
    n = read (r->fd, r->in + r->len, IN_CHUNK - r->len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return read_error (r, errno, error);
  r->in_eof = n == 0;
  r->len += (gsize) n;
  r->file_read += (guint64) n;
  return TRUE;
}

/* Reads until @want unconsumed bytes are buffered or the file ends. */
static gboolean
want_input (CopubGzReader *r, gsize want, GError **error)
{
  while (r->len - r->pos < want && !r->in_eof)
    if (!fill_input (r, error))
      return FALSE;
  return TRUE;
}

static gboolean
starts_member (const CopubGzReader *r)
{
  return r->len - r->pos >= 2 && r->in[r->pos] == 0x1f && r->in[r->pos + 1] == 0x8b;
}

CopubGzReader *
copub_gz_open_with (const char *path, CopubInflateBackend backend, GError **error)
{
  CopubGzReader *r;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot open '%s': %s", path,
                   g_strerror (saved));
      return NULL;
    }
  r = g_new0 (CopubGzReader, 1);
  r->fd = fd;
  r->path = g_strdup (path);
  r->backend = backend;
  r->in = g_malloc (IN_CHUNK);
  if (!want_input (r, 2, error))
    {
      copub_gz_close (r);
      return NULL;
    }
  r->direct = !starts_member (r);
  return r;
}

CopubGzReader *
copub_gz_open (const char *path, GError **error)
{
  return copub_gz_open_with (path, copub_inflate_backend (), error);
}

static gssize
read_direct (CopubGzReader *r, guint8 *out, gsize len, GError **error)
{
  gsize have = MIN (len, r->len - r->pos);
  ssize_t n;

  if (have > 0)
    {
      memcpy (out, r->in + r->pos, have);
      r->pos += have;
      return (gssize) have;
    }
  do
    n = read (r->fd, out, MIN (len, G_MAXSSIZE));
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return read_error (r, errno, error) ? 0 : -1;
  r->file_read += (guint64) n;
  return n;
}

/* The same words whichever back end found the fault: where each notices corrupt data
 * (a bad code, or only the CRC-32 at the end) is theirs, the member is the same. */
static gboolean
bad_member (CopubGzReader *r, Step step, GError **error)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "reading '%s': gzip member %u %s",
               r->path, r->member, step == STEP_BAD_HEADER ? "has an invalid header"
               : "is corrupt (invalid compressed data or check value)");
  return FALSE;
}

/* Starts the next member, or ends the stream when none follows. */
static gboolean
next_member (CopubGzReader *r, GError **error)
{
  if (!want_input (r, 2, error))
    return FALSE;
  if (!starts_member (r))
    {
      if (r->len > r->pos)
        g_debug ("'%s': bytes after the last gzip member ignored", r->path);
      r->done = TRUE;
      return TRUE;
    }
  backend_begin (r);
  r->member++;
  r->in_member = TRUE;
  return TRUE;
}

gssize
copub_gz_read (CopubGzReader *r, void *buf, gsize len, GError **error)
{
  guint8 *out = buf;
  gsize done = 0;

  if (r->direct)
    return read_direct (r, out, len, error);
  while (done < len && !r->done)
    {
      gsize made = 0, before;
      Step step;

      if (!r->in_member)
        {
          if (!next_member (r, error))
            return -1;
          continue;
        }
      if (r->pos == r->len && !r->in_eof && !fill_input (r, error))
        return -1;
      before = r->pos;
      step = backend_step (r, out + done, len - done, &made);
      done += made;
      if (step == STEP_MEMBER_END)
        r->in_member = FALSE;
      else if (step != STEP_MORE)
        return bad_member (r, step, error) ? 0 : -1;
      else if (made == 0 && r->pos == before && r->pos == r->len && r->in_eof)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "reading '%s': unexpected end of file in gzip member %u (truncated "
                       "gzip file?)", r->path, r->member);
          return -1;
        }
    }
  return (gssize) done;
}

gboolean
copub_gz_is_direct (const CopubGzReader *r)
{
  return r->direct;
}

guint64
copub_gz_offset (const CopubGzReader *r)
{
  return r->file_read - (r->len - r->pos);
}

void
copub_gz_close (CopubGzReader *r)
{
  if (r == NULL)
    return;
  if (r->z_ready)
    inflateEnd (&r->z);
  g_free (r->isal);
  g_free (r->in);
  g_free (r->path);
  close (r->fd);
  g_free (r);
}
