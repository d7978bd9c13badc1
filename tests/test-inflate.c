/* Unit tests of the gzip reader: ISA-L and zlib give the same bytes and the same errors
 * on the same files (one member, several, empty ones, headers with a name and extra
 * field, trailing garbage, truncated, corrupt CRC, length or data), and plain files
 * are read as they are. The gzip files are made here with zlib. */
#include <string.h>

#include <glib/gstdio.h>
#include <zlib.h>

#include "copub/error.h"
#include "sources/inflate.h"
#include "testlib.h"

static const CopubInflateBackend backends[] = { COPUB_INFLATE_ZLIB, COPUB_INFLATE_ISAL };

/* About @len bytes of JSON-Lines-like text with random parts, so that it compresses
 * to more than one of the reader's input chunks when it is large. */
static GByteArray *
some_text (gsize len, guint32 seed)
{
  GByteArray *text = g_byte_array_new ();
  GRand *rand = g_rand_new_with_seed (seed);
  guint64 line = 0;

  while (text->len < len)
    {
      g_autofree char *s = g_strdup_printf (
          "{\"id\":\"https://openalex.org/W%" G_GUINT64_FORMAT "\",\"noise\":\"%08x%08x%08x%08x\","
          "\"year\":%u}\n", line++, g_rand_int (rand), g_rand_int (rand), g_rand_int (rand),
          g_rand_int (rand),
          1990 + g_rand_int_range (rand, 0, 35));
      g_byte_array_append (text, (const guint8 *) s, (guint) strlen (s));
    }
  g_rand_free (rand);
  return text;
}

/* Appends one gzip member of @data to @out; @named gives it a header with a file name,
 * an extra field and a header CRC. */
static void
append_member (GByteArray *out, const guint8 *data, gsize len, gboolean named)
{
  z_stream z = { 0 };
  gz_header head = { 0 };
  guint8 extra[] = { 'c', 'p', 2, 0, 'o', 'k' };
  guint8 *buf;
  gsize bound;

  g_assert_cmpint (deflateInit2 (&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  if (named)
    {
      head.name = (Bytef *) "part.jsonl";
      head.extra = extra;
      head.extra_len = sizeof extra;
      head.hcrc = 1;
      g_assert_cmpint (deflateSetHeader (&z, &head), ==, Z_OK);
    }
  bound = deflateBound (&z, len) + 64;
  buf = g_malloc (bound);
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) len;
  z.next_out = buf;
  z.avail_out = (uInt) bound;
  g_assert_cmpint (deflate (&z, Z_FINISH), ==, Z_STREAM_END);
  g_byte_array_append (out, buf, (guint) z.total_out);
  deflateEnd (&z);
  g_free (buf);
}

static char *
write_file (const char *name, const guint8 *data, gsize len)
{
  char *path = testlib_temp_path ("copub-inflate", name);
  GError *error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, &error));
  g_assert_no_error (error);
  return path;
}

/* Everything @backend reads of @path, with its error (or NULL). Reads in pieces of
 * odd sizes, so that output boundaries fall anywhere. */
static GByteArray *
read_all (const char *path, CopubInflateBackend backend, char **message)
{
  GByteArray *got = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  CopubGzReader *r = copub_gz_open_with (path, backend, &error);
  static guint8 buf[300007];
  gsize piece = 1;
  gssize n;

  g_assert_no_error (error);
  *message = NULL;
  while ((n = copub_gz_read (r, buf, piece, &error)) > 0)
    {
      g_byte_array_append (got, buf, (guint) n);
      piece = piece * 7 % sizeof buf + 1;
    }
  if (n < 0)
    {
      g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
      *message = g_strdup (error->message);
    }
  else
    g_assert_no_error (error);
  copub_gz_close (r);
  return got;
}

/* Both back ends read @data (as file @name) alike: @want bytes, or @want_error. */
static void
check_both (const char *name, const GByteArray *data, const GByteArray *want,
            const char *want_error)
{
  g_autofree char *path = write_file (name, data->data, data->len);

  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      g_autofree char *message = NULL;
      GByteArray *got = read_all (path, backends[i], &message);

      g_test_message ("%s with %s: %u bytes, %s", name, copub_inflate_backend_name (backends[i]),
                      got->len, message ? message : "no error");
      if (want_error == NULL)
        {
          g_assert_null (message);
          g_assert_cmpuint (got->len, ==, want->len);
          g_assert_true (want->len == 0 || memcmp (got->data, want->data, want->len) == 0);
        }
      else
        {
          g_autofree char *expected = g_strdup_printf ("reading '%s': %s", path, want_error);
          g_assert_cmpstr (message, ==, expected);
        }
      g_byte_array_unref (got);
    }
  g_unlink (path);
}

static void
test_one_member (void)
{
  GByteArray *text = some_text (4u << 20, 1), *gz = g_byte_array_new ();

  append_member (gz, text->data, text->len, FALSE);
  g_assert_cmpuint (gz->len, >, 1u << 20); /* more than one input chunk */
  check_both ("one.jsonl.gz", gz, text, NULL);
  g_byte_array_unref (gz);
  g_byte_array_unref (text);
}

static void
test_members (void)
{
  GByteArray *text = some_text (2500000, 2), *gz = g_byte_array_new ();

  append_member (gz, text->data, 1000, TRUE);
  append_member (gz, text->data + 1000, 0, FALSE);
  append_member (gz, text->data + 1000, 1500000, FALSE);
  append_member (gz, text->data + 1501000, text->len - 1501000, TRUE);
  check_both ("members.jsonl.gz", gz, text, NULL);
  /* What follows the last member without starting one is ignored, as zlib does. */
  g_byte_array_append (gz, (const guint8 *) "\0\0garbage\n", 10);
  check_both ("garbage.jsonl.gz", gz, text, NULL);
  g_byte_array_unref (gz);
  g_byte_array_unref (text);
}

static void
test_truncated (void)
{
  GByteArray *text = some_text (2000000, 3), *gz = g_byte_array_new ();
  gsize first;

  append_member (gz, text->data, 100000, FALSE);
  first = gz->len;
  append_member (gz, text->data + 100000, text->len - 100000, FALSE);
  for (gsize cut = 1; cut <= 5; cut++)
    {
      gsize full = gz->len;
      /* Cut in the trailer, in the data, right after the header's first bytes. */
      gsize keep = cut == 1 ? full - 3 : cut == 2 ? full - 8 : cut == 3 ? first + (full - first) / 2
                   : cut == 4 ? first + 5 : first + 2;
      g_byte_array_set_size (gz, (guint) keep);
      check_both ("cut.jsonl.gz", gz, NULL,
                  "unexpected end of file in gzip member 2 (truncated gzip file?)");
      g_byte_array_set_size (gz, 0);
      append_member (gz, text->data, 100000, FALSE);
      append_member (gz, text->data + 100000, text->len - 100000, FALSE);
    }
  g_byte_array_unref (gz);
  g_byte_array_unref (text);
}

static void
test_corrupt (void)
{
  GByteArray *text = some_text (800000, 4), *gz = g_byte_array_new ();
  static const char corrupt[] = "gzip member 2 is corrupt (invalid compressed data or check value)";
  gsize first, n;

  append_member (gz, text->data, 1000, FALSE);
  first = gz->len;
  append_member (gz, text->data + 1000, text->len - 1000, FALSE);
  n = gz->len;
  gz->data[n - 6] ^= 0x01; /* the CRC-32 */
  check_both ("crc.jsonl.gz", gz, NULL, corrupt);
  gz->data[n - 6] ^= 0x01;
  gz->data[n - 2] ^= 0x01; /* the length */
  check_both ("length.jsonl.gz", gz, NULL, corrupt);
  gz->data[n - 2] ^= 0x01;
  gz->data[first + 2] = 7; /* a compression method other than deflate */
  check_both ("method.jsonl.gz", gz, NULL, "gzip member 2 has an invalid header");
  gz->data[first + 2] = 8;
  gz->data[first + 10] |= 0x06; /* the first block's type: 3, reserved */
  check_both ("block.jsonl.gz", gz, NULL, corrupt);
  g_byte_array_unref (gz);
  g_byte_array_unref (text);
}

static void
test_plain (void)
{
  GByteArray *text = some_text (1500000, 5), *empty = g_byte_array_new ();
  GByteArray *one = g_byte_array_new ();
  g_autofree char *path = write_file ("plain.jsonl", text->data, text->len);
  g_autoptr(GError) error = NULL;
  CopubGzReader *r = copub_gz_open_with (path, COPUB_INFLATE_ISAL, &error);

  g_assert_no_error (error);
  g_assert_true (copub_gz_is_direct (r));
  copub_gz_close (r);
  check_both ("plain.jsonl", text, text, NULL);
  check_both ("empty.jsonl", empty, empty, NULL);
  g_byte_array_append (one, (const guint8 *) "\x1f", 1); /* half a magic: plain */
  check_both ("one-byte", one, one, NULL);
  g_assert_null (copub_gz_open (path + strlen (path) - 1, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_unlink (path);
  g_byte_array_unref (one);
  g_byte_array_unref (empty);
  g_byte_array_unref (text);
}

static void
test_choice (void)
{
  /* ISA-L passes its self-test on the machines copub is built for; COPUB_INFLATE=zlib
   * (read by the first call) would choose zlib. */
  CopubInflateBackend chosen = copub_inflate_backend ();
  const char *forced = g_getenv ("COPUB_INFLATE");

  g_assert_cmpint (chosen, ==, forced && g_ascii_strcasecmp (forced, "zlib") == 0
                                   ? COPUB_INFLATE_ZLIB : COPUB_INFLATE_ISAL);
  g_assert_cmpstr (copub_inflate_backend_name (COPUB_INFLATE_ISAL), ==, "ISA-L");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/inflate/one-member", test_one_member);
  g_test_add_func ("/inflate/members-and-garbage", test_members);
  g_test_add_func ("/inflate/truncated", test_truncated);
  g_test_add_func ("/inflate/corrupt", test_corrupt);
  g_test_add_func ("/inflate/plain", test_plain);
  g_test_add_func ("/inflate/choice", test_choice);
  return g_test_run ();
}
