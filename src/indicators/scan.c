/* copub: the scan's work selection and its pre-filter on raw lines, and the reading of
 * JSON Lines files into an aggregate without a store (include/copub/scan.h). */
#include <string.h>

#include "base/notify.h"
#include "copub/error.h"
#include "copub/scan.h"

struct CopubScanSelection {
  CopubScanKind kind;
  char *id;            /* COPUB_SCAN_INSTITUTION: the short OpenAlex id ("I90183372") */
  gsize id_len;
  char code[3];        /* COPUB_SCAN_COUNTRY: ISO alpha-2, upper case */
  char lower[2];       /* COPUB_SCAN_COUNTRY: the code in lower case */
  gboolean inferred;   /* COPUB_SCAN_COUNTRY: the normaliser's countries count too */
};

/* ---- the selection -------------------------------------------------------------------- */

static CopubScanSelection *
bad_value (CopubScanSelection *selection, const char *option, const char *expected,
           const char *value, GError **error)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "%s '%s': expected %s", option, value,
               expected);
  copub_error_set_option (error ? *error : NULL, option);
  copub_scan_selection_free (selection);
  return NULL;
}

CopubScanSelection *
copub_scan_selection_new (CopubScanKind kind, const char *value, gboolean inferred,
                          GError **error)
{
  CopubScanSelection *keep = g_new0 (CopubScanSelection, 1);

  keep->kind = kind;
  if (kind == COPUB_SCAN_INSTITUTION)
    {
      keep->id = copub_short_id (value ? value : ""); /* https://openalex.org/I90183372 too */
      keep->id_len = strlen (keep->id);
      if (keep->id_len < 2 || strpbrk (keep->id, " \t\"\\") != NULL)
        return bad_value (keep, "institution", "an OpenAlex institution id (I90183372)",
                          value ? value : "", error);
    }
  else if (kind == COPUB_SCAN_COUNTRY)
    {
      if (value == NULL || strlen (value) != 2 || !g_ascii_isalpha (value[0])
          || !g_ascii_isalpha (value[1]))
        return bad_value (keep, "country", "a two-letter country code (FR)",
                          value ? value : "", error);
      keep->code[0] = g_ascii_toupper (value[0]);
      keep->code[1] = g_ascii_toupper (value[1]);
      keep->lower[0] = g_ascii_tolower (value[0]);
      keep->lower[1] = g_ascii_tolower (value[1]);
      keep->inferred = inferred;
    }
  return keep;
}

void
copub_scan_selection_free (CopubScanSelection *selection)
{
  if (selection == NULL)
    return;
  g_free (selection->id);
  g_free (selection);
}

gboolean
copub_scan_selection_prefilters (const CopubScanSelection *selection)
{
  return selection->kind == COPUB_SCAN_INSTITUTION
         || (selection->kind == COPUB_SCAN_COUNTRY && !selection->inferred);
}

/* ---- the pre-filter ------------------------------------------------------------------- */

/* The pre-filter runs on every line of the snapshot, beside zlib: it must cost much less
 * than decompressing. It reads each line once, 16 bytes at a time (GCC vector extensions,
 * which clang has too: SSE2 on x86-64, NEON on arm64), and looks closer only at blocks
 * holding a candidate or a backslash. */
typedef unsigned char V16 __attribute__ ((vector_size (16)));

static inline V16
load16 (const char *p)
{
  V16 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline gboolean
any_lane (V16 v)
{
  guint64 half[2];
  memcpy (half, &v, sizeof half);
  return (half[0] | half[1]) != 0;
}

static inline gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether what starts at @p may be the kept id or code, as the raw line spells it:
 * - a \u escape that may stand for an ASCII digit or letter (\u0030 to \u007f): an id or
 *   code written with one would escape the plain comparison (real snapshots write such
 *   characters plainly, so this almost never fires);
 * - the id, anywhere: the parser keeps the text after the last '/' of the JSON string;
 * - the code as a two-letter JSON string in any case (the parser upper-cases countries)
 *   that is not an object key: an element of "countries" is followed by ',' or ']'. Keys
 *   are left out because abstracts' inverted indexes have words such as "it" or "de" as
 *   keys, which would make the filter pass most records. */
static gboolean
hit_at (const CopubScanSelection *keep, const char *p, const char *end)
{
  if (*p == '\\')
    return end - p >= 5 && p[1] == 'u' && p[2] == '0' && p[3] == '0' && p[4] >= '3'
           && p[4] <= '7';
  if (keep->kind == COPUB_SCAN_INSTITUTION)
    return (gsize) (end - p) >= keep->id_len && memcmp (p, keep->id, keep->id_len) == 0;
  if (end - p < 4 || p[0] != '"' || p[3] != '"' || (p[1] | 0x20) != keep->lower[0]
      || (p[2] | 0x20) != keep->lower[1])
    return FALSE;
  for (p += 4; p < end && is_json_space (*p); p++)
    ;
  return p == end || *p != ':';
}

/* Runs in the parser threads, on every line. */
gboolean
copub_scan_line_may_match (const char *line, gsize len, gpointer selection)
{
  const CopubScanSelection *keep = selection;
  const char *p = line, *end = line + len;
  /* Vector lanes: a candidate's first and last byte (and, for a code, its letters
   * folded to lower case: OR 0x20 lowers ASCII letters), and backslashes. */
  gsize span = keep->kind == COPUB_SCAN_INSTITUTION ? keep->id_len : 4;
  unsigned char first = keep->kind == COPUB_SCAN_INSTITUTION ? (unsigned char) keep->id[0] : '"';
  unsigned char last = keep->kind == COPUB_SCAN_INSTITUTION ? (unsigned char) keep->id[span - 1] : '"';

  for (; (gsize) (end - p) >= span - 1 + sizeof (V16); p += sizeof (V16))
    {
      V16 a = load16 (p), z = load16 (p + span - 1);
      V16 m = (V16) ((a == first) & (z == last));
      if (keep->kind == COPUB_SCAN_COUNTRY)
        m &= (V16) (((load16 (p + 1) | 0x20) == (unsigned char) keep->lower[0])
                    & ((load16 (p + 2) | 0x20) == (unsigned char) keep->lower[1]));
      m |= (V16) (a == '\\');
      if (any_lane (m))
        for (guint j = 0; j < sizeof (V16); j++)
          if (hit_at (keep, p + j, end))
            return TRUE;
    }
  for (; p < end; p++)
    if (hit_at (keep, p, end))
      return TRUE;
  return FALSE;
}

/* ---- the exact test, on the parsed work ------------------------------------------------ */

static gboolean
has_code (const GPtrArray *codes, const char *code)
{
  for (guint i = 0; i < codes->len; i++)
    if (strcmp (g_ptr_array_index (codes, i), code) == 0)
      return TRUE;
  return FALSE;
}

gboolean
copub_scan_selection_keeps (const CopubScanSelection *keep, const CopubWork *work)
{
  if (keep->kind == COPUB_SCAN_ALL)
    return TRUE;
  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      if (keep->kind == COPUB_SCAN_COUNTRY)
        {
          if (has_code (a->countries, keep->code)
              || (keep->inferred && a->countries->len == 0 && has_code (a->inferred, keep->code)))
            return TRUE;
          continue;
        }
      for (guint j = 0; j < a->institutions->len; j++)
        {
          const CopubInstitution *inst = g_ptr_array_index (a->institutions, j);
          if ((inst->id && strcmp (inst->id, keep->id) == 0) || has_code (inst->lineage, keep->id))
            return TRUE;
        }
    }
  return FALSE;
}

/* ---- reading a file -------------------------------------------------------------------- */

void
copub_scan_stats_init (CopubScanStats *stats)
{
  memset (stats, 0, sizeof *stats);
  stats->problems = g_ptr_array_new_with_free_func (g_free);
}

void
copub_scan_stats_clear (CopubScanStats *stats)
{
  g_clear_pointer (&stats->problems, g_ptr_array_unref);
}

typedef struct {
  const CopubScanOptions *options;
  CopubAggregate *aggregate;
  CopubScanStats *stats;
  const char *path;     /* the file being read, as the user named it */
  gint64 shown;         /* when the progress was last told */
} Scan;

static void
tell_progress (Scan *s, guint64 line, gboolean done)
{
  const CopubCallbacks *cb = s->options->callbacks;
  CopubScanProgress p = { s->path, line, s->stats->kept, done };

  if (cb == NULL || cb->scan_progress == NULL)
    return;
  if (!done && ((s->stats->parsed & 255) != 0
                || g_get_monotonic_time () - s->shown <= G_USEC_PER_SEC))
    return;
  s->shown = g_get_monotonic_time ();
  cb->scan_progress (&p, cb->user_data);
}

static gboolean
on_work (CopubWork *work, const GError *problem, guint64 line, gpointer data, GError **error)
{
  Scan *s = data;
  CopubScanStats *st = s->stats;
  const CopubScanOptions *o = s->options;

  if (work == NULL)
    {
      if (!o->skip_bad)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %" G_GUINT64_FORMAT
                       ": %s", s->path, line, problem ? problem->message : "not a work");
          return FALSE;
        }
      st->bad++;
      if (st->problems && st->problems->len < COPUB_SCAN_MAX_PROBLEMS)
        g_ptr_array_add (st->problems, g_strdup_printf ("'%s' line %" G_GUINT64_FORMAT ": %s",
                                                        s->path, line,
                                                        problem ? problem->message : "?"));
      return TRUE;
    }
  st->parsed++;
  if (!copub_scan_selection_keeps (o->selection, work))
    ;
  else if (work->is_xpac && !o->include_xpac)
    st->xpac++;
  else if (o->snapshot && copub_snapshot_is_dead (work->id, o->snapshot))
    st->dead++;
  else
    {
      st->kept++;
      copub_aggregate_add_work (s->aggregate, work);
    }
  tell_progress (s, line, FALSE);
  return TRUE;
}

gboolean
copub_scan_file (const char *path, const CopubSnapshotPart *part, const CopubScanOptions *o,
                 CopubAggregate *aggregate, CopubScanStats *stats, GError **error)
{
  CopubJsonlOptions jsonl = { 0, NULL, NULL, NULL, NULL };
  Scan scan = { o, aggregate, stats, path ? path : "standard input", 0 };
  guint64 bytes = 0, records = 0, parsed0 = stats->parsed, kept0 = stats->kept;
  guint64 xpac0 = stats->xpac;
  gint64 start = g_get_monotonic_time ();
  double seconds;
  gboolean ok;

  jsonl.n_threads = o->n_threads;
  jsonl.normaliser = o->normaliser;
  if (copub_scan_selection_prefilters (o->selection))
    {
      jsonl.filter = copub_scan_line_may_match;
      jsonl.filter_data = (gpointer) o->selection;
    }
  /* zlib opens a path: standard input is /dev/stdin (a pipe or a file). */
  ok = (part == NULL || copub_snapshot_check_size (part, error))
       && copub_jsonl_read_counted (path ? path : "/dev/stdin", &jsonl, on_work, &scan, &bytes,
                                    &records, error)
       && (part == NULL || copub_snapshot_check_records (part, records, error));
  tell_progress (&scan, 0, TRUE);
  if (!ok)
    return FALSE;
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  copub_note (o->callbacks, COPUB_NOTE_INFO, "'%s': %.1f MB read in %.2f s (%.1f MB/s), %"
              G_GUINT64_FORMAT " works parsed, %" G_GUINT64_FORMAT " kept", scan.path,
              (double) bytes / 1e6, seconds,
              seconds > 0 ? (double) bytes / 1e6 / seconds : 0.0, stats->parsed - parsed0,
              stats->kept - kept0);
  if (stats->xpac > xpac0)
    copub_note (o->callbacks, COPUB_NOTE_MESSAGE,
                "'%s': left out %" G_GUINT64_FORMAT " xpac work(s) (OpenAlex's expansion "
                "pack, which its API leaves out by default; the include-xpac setting keeps "
                "them)", scan.path, stats->xpac - xpac0);
  return TRUE;
}
