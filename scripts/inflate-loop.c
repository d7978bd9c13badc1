/* The floor of gzip input for scripts/bench-*: inflates FILE (every member) into a
 * reused buffer and counts the bytes, nothing else.
 *
 *     cc -O2 -o inflate-loop scripts/inflate-loop.c -lisal -lz
 *     inflate-loop isal|zlib FILE     prints the plain size
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#define CHUNK (1 << 20)

static unsigned char in[CHUNK], out[CHUNK];
static struct inflate_state isal;
static z_stream z;

/* Inflates in[*pos, *len) into out; returns 1 at the member's end, -1 on error. */
static int
step (int use_isal, size_t *pos, size_t len, unsigned long long *total)
{
  if (use_isal)
    {
      isal.next_in = in + *pos;
      isal.avail_in = (uint32_t) (len - *pos);
      isal.next_out = out;
      isal.avail_out = CHUNK;
      if (isal_inflate (&isal) != ISAL_DECOMP_OK)
        return -1;
      *total += CHUNK - isal.avail_out;
      *pos = (size_t) (isal.next_in - in);
      return isal.block_state == ISAL_BLOCK_FINISH;
    }
  z.next_in = in + *pos;
  z.avail_in = (uInt) (len - *pos);
  z.next_out = out;
  z.avail_out = CHUNK;
  int ret = inflate (&z, Z_NO_FLUSH);
  if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
    return -1;
  *total += CHUNK - z.avail_out;
  *pos = (size_t) (z.next_in - in);
  return ret == Z_STREAM_END;
}

static void
begin (int use_isal)
{
  if (use_isal)
    {
      isal_inflate_init (&isal);
      isal.crc_flag = ISAL_GZIP;
    }
  else
    inflateReset (&z);
}

int
main (int argc, char **argv)
{
  unsigned long long total = 0;
  size_t pos = 0, len = 0;
  int use_isal, fd, eof = 0, in_member = 0;

  if (argc != 3 || (strcmp (argv[1], "isal") != 0 && strcmp (argv[1], "zlib") != 0))
    {
      fprintf (stderr, "usage: inflate-loop isal|zlib FILE\n");
      return 2;
    }
  use_isal = strcmp (argv[1], "isal") == 0;
  if ((fd = open (argv[2], O_RDONLY)) < 0 || inflateInit2 (&z, 31) != Z_OK)
    {
      perror (argv[2]);
      return 1;
    }
  for (;;)
    {
      if (!eof && len - pos < CHUNK / 2)
        {
          memmove (in, in + pos, len - pos);
          len -= pos;
          pos = 0;
          ssize_t n = read (fd, in + len, CHUNK - len);
          if (n < 0)
            {
              perror (argv[2]);
              return 1;
            }
          eof = n == 0;
          len += (size_t) n;
        }
      if (!in_member)
        {
          if (len - pos < 2 || in[pos] != 0x1f || in[pos + 1] != 0x8b)
            break;
          begin (use_isal);
          in_member = 1;
        }
      size_t before = pos;
      unsigned long long made = total;
      int r = step (use_isal, &pos, len, &total);
      if (r < 0 || (r == 0 && eof && pos == before && total == made))
        {
          fprintf (stderr, "%s: corrupt or truncated gzip data\n", argv[2]);
          return 1;
        }
      if (r == 1)
        in_member = 0;
    }
  printf ("%llu\n", total);
  return 0;
}
