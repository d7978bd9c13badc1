/* copub: reading a file that may be gzip-compressed, as a stream of its plain bytes.
 * A gzip file of one or more members is inflated with Intel's ISA-L (its own
 * dispatch picks the processor's fastest code) or with zlib: ISA-L unless it fails
 * its self-test on this machine or COPUB_INFLATE=zlib asks for zlib. Both give the
 * same bytes and the same errors. A file that does not start with the gzip magic is
 * read as it is. Bytes after the last member that do not start another one are
 * ignored, as zlib's gzread and gzip(1) do. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct CopubGzReader CopubGzReader;

typedef enum {
  COPUB_INFLATE_ZLIB,
  COPUB_INFLATE_ISAL,
} CopubInflateBackend;

/* The back end gzip files are inflated with in this process: COPUB_INFLATE=zlib or
 * isal in the environment (read once) forces one; ISA-L is used only if it passes a
 * self-test. */
CopubInflateBackend copub_inflate_backend (void);
const char *copub_inflate_backend_name (CopubInflateBackend backend);

/* Opens @path (COPUB_ERROR_IO when it cannot be opened) and reads its first bytes to
 * tell gzip from plain. */
CopubGzReader *copub_gz_open (const char *path, GError **error);

/* Same, with the back end given (tests compare them). */
CopubGzReader *copub_gz_open_with (const char *path, CopubInflateBackend backend,
                                   GError **error);

/* Up to @len plain bytes into @buf: the number read, 0 at the end, -1 on error
 * (COPUB_ERROR_IO for a read error; COPUB_ERROR_PARSE "reading 'PATH': ..." for a
 * corrupt or truncated gzip member). Fills @buf as far as the file allows. */
gssize copub_gz_read (CopubGzReader *r, void *buf, gsize len, GError **error);

/* TRUE when the file is read as it is (not gzip). */
gboolean copub_gz_is_direct (const CopubGzReader *r);

/* Bytes of the file itself consumed so far (compressed bytes for gzip). */
guint64 copub_gz_offset (const CopubGzReader *r);

void copub_gz_close (CopubGzReader *r);

G_END_DECLS
