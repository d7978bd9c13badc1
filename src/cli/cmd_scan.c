/* copub scan: the indicators straight from OpenAlex snapshot files (gzip JSON Lines), with
 * no store: the works of an institution, of a country or all of them, counted as they
 * stream past. With --partial, the counts go to a partial aggregate that copub merge adds
 * up with others: the map side of a map/merge split (doc/scaling.md). */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "copub/import.h"
#include "copub/normalise.h"
#include "copub/snapshot.h"

#define MAX_PROBLEMS_LISTED 10

/* Which works are kept. */
typedef enum {
  KEEP_ALL,
  KEEP_INSTITUTION, /* an authorship's institution, or one in its lineage, is the id */
  KEEP_COUNTRY,     /* the code is among the authorships' countries */
} KeepKind;

typedef struct {
  KeepKind kind;
  char *id;            /* KEEP_INSTITUTION: the short OpenAlex id ("I90183372") */
  gsize id_len;
  char code[3];        /* KEEP_COUNTRY: ISO alpha-2, upper case */
  char lower[2];       /* KEEP_COUNTRY: the code in lower case */
  gboolean inferred;   /* KEEP_COUNTRY: the normaliser's countries count too */
} Keep;

typedef struct {
  const Keep *keep;
  CopubAggregate *aggregate;
  const char *path;     /* the file being read, as the user named it */
  gboolean skip_bad;
  guint64 parsed, kept, bad;
  CopubSnapshot *snapshot; /* with --snapshot: its dead works are left out; or NULL */
  guint64 dead;         /* works left out as merged or deleted */
  GPtrArray *problems;  /* of char*: the first bad records, "'FILE' line N: problem" */
  gboolean progress;    /* show where the scan is on stderr (a terminal) */
  gint64 shown;         /* when it was last shown */
} Scan;

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
hit_at (const Keep *keep, const char *p, const char *end)
{
  if (*p == '\\')
    return end - p >= 5 && p[1] == 'u' && p[2] == '0' && p[3] == '0' && p[4] >= '3'
           && p[4] <= '7';
  if (keep->kind == KEEP_INSTITUTION)
    return (gsize) (end - p) >= keep->id_len && memcmp (p, keep->id, keep->id_len) == 0;
  if (end - p < 4 || p[0] != '"' || p[3] != '"' || (p[1] | 0x20) != keep->lower[0]
      || (p[2] | 0x20) != keep->lower[1])
    return FALSE;
  for (p += 4; p < end && is_json_space (*p); p++)
    ;
  return p == end || *p != ':';
}

/* Runs in the parser threads, on every line: FALSE only when the line cannot hold a
 * kept work. */
static gboolean
line_may_match (const char *line, gsize len, gpointer data)
{
  const Keep *keep = data;
  const char *p = line, *end = line + len;
  /* Vector lanes: a candidate's first and last byte (and, for a code, its letters
   * folded to lower case: OR 0x20 lowers ASCII letters), and backslashes. */
  gsize span = keep->kind == KEEP_INSTITUTION ? keep->id_len : 4;
  unsigned char first = keep->kind == KEEP_INSTITUTION ? (unsigned char) keep->id[0] : '"';
  unsigned char last = keep->kind == KEEP_INSTITUTION ? (unsigned char) keep->id[span - 1] : '"';

  for (; (gsize) (end - p) >= span - 1 + sizeof (V16); p += sizeof (V16))
    {
      V16 a = load16 (p), z = load16 (p + span - 1);
      V16 m = (V16) ((a == first) & (z == last));
      if (keep->kind == KEEP_COUNTRY)
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

static gboolean
keeps (const Keep *keep, const CopubWork *work)
{
  if (keep->kind == KEEP_ALL)
    return TRUE;
  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      if (keep->kind == KEEP_COUNTRY)
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

static gboolean
on_work (CopubWork *work, const GError *problem, guint64 line, gpointer data, GError **error)
{
  Scan *s = data;

  if (work == NULL)
    {
      if (!s->skip_bad)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %" G_GUINT64_FORMAT
                       ": %s", s->path, line, problem ? problem->message : "not a work");
          return FALSE;
        }
      s->bad++;
      if (s->problems->len < MAX_PROBLEMS_LISTED)
        g_ptr_array_add (s->problems, g_strdup_printf ("'%s' line %" G_GUINT64_FORMAT ": %s",
                                                       s->path, line,
                                                       problem ? problem->message : "?"));
      return TRUE;
    }
  s->parsed++;
  if (keeps (s->keep, work) && s->snapshot && copub_snapshot_is_dead (work->id, s->snapshot))
    s->dead++;
  else if (keeps (s->keep, work))
    {
      s->kept++;
      copub_aggregate_add_work (s->aggregate, work);
    }
  if (s->progress && (s->parsed & 255) == 0
      && g_get_monotonic_time () - s->shown > G_USEC_PER_SEC)
    {
      s->shown = g_get_monotonic_time ();
      fprintf (stderr, "\r\033[Kscan: '%s' line %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
               " works kept", s->path, line, s->kept);
    }
  return TRUE;
}

/* ---- options ------------------------------------------------------------------------- */

static gboolean
build_keep (Keep *keep, const char *institution, const char *country, gboolean all,
            gboolean inferred, GError **error)
{
  if ((institution != NULL) + (country != NULL) + (all != FALSE) != 1)
    {
      copub_cli_usage_error (error, "say which works to keep: --institution ID, --country CC "
                                    "or --all (one of them)");
      return FALSE;
    }
  memset (keep, 0, sizeof *keep);
  if (all)
    keep->kind = KEEP_ALL;
  else if (institution)
    {
      keep->kind = KEEP_INSTITUTION;
      keep->id = copub_short_id (institution); /* https://openalex.org/I90183372 too */
      keep->id_len = strlen (keep->id);
      if (keep->id_len < 2 || strpbrk (keep->id, " \t\"\\") != NULL)
        {
          copub_cli_usage_error (error, "--institution takes an OpenAlex institution id "
                                        "(I90183372), not '%s'", institution);
          return FALSE;
        }
    }
  else
    {
      if (strlen (country) != 2 || !g_ascii_isalpha (country[0])
          || !g_ascii_isalpha (country[1]))
        {
          copub_cli_usage_error (error, "--country takes a two-letter country code (FR), "
                                        "not '%s'", country);
          return FALSE;
        }
      keep->kind = KEEP_COUNTRY;
      keep->code[0] = g_ascii_toupper (country[0]);
      keep->code[1] = g_ascii_toupper (country[1]);
      keep->lower[0] = g_ascii_tolower (country[0]);
      keep->lower[1] = g_ascii_tolower (country[1]);
      keep->inferred = inferred;
    }
  return TRUE;
}

/* ---- the command ------------------------------------------------------------------- */

/* With --snapshot: the snapshot, its parts to read, and their paths (NULL-terminated). */
static gboolean
snapshot_paths (const char *dir, const char *since, int argc, CopubSnapshot **out_snapshot,
                GPtrArray **out_parts, GPtrArray *paths, GError **error)
{
  if (dir == NULL)
    {
      if (since == NULL)
        return TRUE;
      copub_cli_usage_error (error, "--since goes with --snapshot DIR");
      return FALSE;
    }
  if (argc > 1)
    {
      copub_cli_usage_error (error, "give files or --snapshot DIR, not both");
      return FALSE;
    }
  if (since && !g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", since, 0, 0))
    {
      copub_cli_usage_error (error, "--since takes a date (YYYY-MM-DD), not '%s'", since);
      return FALSE;
    }
  if ((*out_snapshot = copub_snapshot_open (dir, error)) == NULL)
    return FALSE;
  *out_parts = copub_snapshot_parts (*out_snapshot, since);
  for (guint i = 0; i < (*out_parts)->len; i++)
    g_ptr_array_add (paths, ((CopubSnapshotPart *) g_ptr_array_index (*out_parts, i))->path);
  g_ptr_array_add (paths, NULL);
  return TRUE;
}

static void
log_file_done (const Scan *s, guint64 parsed0, guint64 kept0, guint64 bytes, gint64 start)
{
  double seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  g_info ("'%s': %.1f MB read in %.2f s (%.1f MB/s), %" G_GUINT64_FORMAT " works parsed, %"
          G_GUINT64_FORMAT " kept", s->path, (double) bytes / 1e6, seconds,
          seconds > 0 ? (double) bytes / 1e6 / seconds : 0.0, s->parsed - parsed0,
          s->kept - kept0);
}

gboolean
copub_cmd_scan (int argc, char **argv, GError **error)
{
  g_autofree char *institution = NULL, *country = NULL, *partial = NULL, *ror = NULL;
  g_autofree char *snapshot_dir = NULL, *since = NULL;
  gboolean all = FALSE, normalise = FALSE, skip_bad = FALSE;
  int threads = 0;
  g_auto(CopubCliAnalysis) an = { 0 };
  const GOptionEntry entries[] = {
    { "institution", 0, 0, G_OPTION_ARG_STRING, &institution,
      "Keep the works of this OpenAlex institution or of those below it (its id in an "
      "authorship's institution or lineage)", "ID" },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country,
      "Keep the works with this country among their authorships' countries", "CC" },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Keep every work", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  const GOptionEntry more[] = {
    { "normalise", 0, 0, G_OPTION_ARG_NONE, &normalise,
      "Find countries in the raw affiliation strings of authorships without one, as "
      "copub import does (slower)", NULL },
    { "ror", 0, 0, G_OPTION_ARG_FILENAME, &ror,
      "A ROR data dump (v2 JSON) for the affiliation normaliser", "FILE" },
    { "skip-bad", 0, 0, G_OPTION_ARG_NONE, &skip_bad,
      "Skip malformed records (and say how many and where) instead of failing", NULL },
    { "partial", 0, 0, G_OPTION_ARG_FILENAME, &partial,
      "Write a partial aggregate for copub merge to OUT ('-': standard output) instead of "
      "the table", "OUT" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads,
      "Parser threads per file (default: one per CPU; 1: one thread in all)", "N" },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot_dir,
      "Scan the works of the OpenAlex snapshot downloaded in DIR (the folder holding data/), "
      "checked against its manifest, merged and deleted works left out", "DIR" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      "With --snapshot: only the updated_date= partitions newer than DATE", "YYYY-MM-DD" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      "scan", "[FILE...] | --snapshot DIR",
      "Compute the indicators of copub analyse straight from OpenAlex JSON Lines files\n"
      "(the snapshot's gzip files, or plain), without a store. '-' or no FILE reads\n"
      "standard input. A cheap test on each raw line skips most records that cannot\n"
      "match before they are parsed.\n"
      "\n"
      "With --partial, writes the counts as a partial aggregate instead; copub merge adds\n"
      "partials up into the same table (see doc/scaling.md).\n"
      "\n"
      "--snapshot DIR reads the parts that the manifest of the OpenAlex snapshot in DIR\n"
      "lists (DIR/data/jsonl/works/...; with --since, those of newer partitions): a part\n"
      "that does not hold the manifest's number of records stops the scan (exit status 4,\n"
      "naming it). Works deleted or merged into others are left out of the tables.\n"
      "\n"
      "Examples:\n"
      "  copub scan --institution I90183372 --by year,country part_0*.gz\n"
      "  copub scan --country FR --home none --by year --format csv works/*.gz\n"
      "  zcat part_000.gz | copub scan --institution I90183372 --partial p000.partial -");
  g_autoptr(CopubNormaliser) normaliser = NULL;
  g_autoptr(CopubAggregate) aggregate = NULL;
  g_autoptr(CopubIndicators) indicators = NULL;
  g_autoptr(CopubTable) table = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CopubSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) snapshot_files = g_ptr_array_new ();
  CopubJsonlOptions jsonl = { 0, NULL, NULL, NULL, NULL };
  Keep keep = { 0 };
  Scan scan = { 0 };
  const char *stdin_only[] = { "-", NULL };
  const char *const *files;
  gboolean ok = FALSE;

  copub_cli_analysis_init (&an);
  g_option_context_add_main_entries (context, entries, NULL);
  copub_cli_analysis_add_entries (&an, context, FALSE);
  g_option_context_add_main_entries (context, more, NULL);
  copub_cli_analysis_add_format_entry (&an, context);
  if (!copub_cli_parse (context, &argc, &argv, error))
    goto out;
  normalise = normalise || ror != NULL;
  if (!build_keep (&keep, institution, country, all, normalise && !an.source_only, error))
    goto out;
  if (threads < 0 || threads > 64)
    {
      copub_cli_usage_error (error, "--threads takes a number from 1 to 64");
      goto out;
    }
  if (!snapshot_paths (snapshot_dir, since, argc, &snapshot, &parts, snapshot_files, error))
    goto out;
  files = snapshot ? (const char *const *) snapshot_files->pdata
          : argc > 1 ? (const char *const *) argv + 1 : stdin_only;
  if (argc <= 1 && !snapshot && isatty (STDIN_FILENO))
    {
      copub_cli_usage_error (error, "no file to scan, and standard input is a terminal; "
                                    "see 'copub scan --help'");
      goto out;
    }
  if (!copub_cli_analysis_build (&an, error)
      || (aggregate = copub_aggregate_new (&an.options, error)) == NULL)
    goto out;
  if (normalise || ror)
    {
      CopubNormaliserOptions nopts = COPUB_NORMALISER_OPTIONS_INIT;
      nopts.ror_path = ror;
      if ((normaliser = copub_normaliser_new (&nopts, error)) == NULL)
        goto out;
    }

  jsonl.n_threads = (guint) threads;
  jsonl.normaliser = normaliser;
  /* The normaliser finds countries the raw line does not spell: no pre-filter then. */
  if (keep.kind == KEEP_INSTITUTION || (keep.kind == KEEP_COUNTRY && !keep.inferred))
    {
      jsonl.filter = line_may_match;
      jsonl.filter_data = &keep;
    }
  else if (keep.kind == KEEP_COUNTRY)
    g_info ("--country with --normalise: every record is parsed (its countries may come from "
            "raw affiliation strings)");
  scan.keep = &keep;
  scan.aggregate = aggregate;
  scan.skip_bad = skip_bad;
  scan.problems = problems;
  scan.snapshot = snapshot;
  scan.progress = copub_cli_stderr_is_tty ();
  for (const char *const *f = files; *f; f++)
    {
      guint64 bytes = 0, parsed0 = scan.parsed, kept0 = scan.kept;
      gint64 start = g_get_monotonic_time ();
      gboolean is_stdin = strcmp (*f, "-") == 0, read_ok;

      /* zlib opens a path: standard input is /dev/stdin (a pipe or a file). */
      const CopubSnapshotPart *part = snapshot ? g_ptr_array_index (parts, f - files) : NULL;
      guint64 records = 0;

      scan.path = is_stdin ? "standard input" : *f;
      read_ok = (part == NULL || copub_snapshot_check_size (part, error))
                && copub_jsonl_read_counted (is_stdin ? "/dev/stdin" : *f, &jsonl, on_work,
                                             &scan, &bytes, &records, error)
                && (part == NULL || copub_snapshot_check_records (part, records, error));
      if (scan.progress)
        fprintf (stderr, "\r\033[K");
      if (!read_ok)
        goto out;
      log_file_done (&scan, parsed0, kept0, bytes, start);
    }
  g_info ("%" G_GUINT64_FORMAT " works parsed, %" G_GUINT64_FORMAT " kept, %" G_GUINT64_FORMAT
          " malformed skipped", scan.parsed, scan.kept, scan.bad);
  if (snapshot)
    g_message ("snapshot '%s': %u part(s) read%s%s; %" G_GUINT64_FORMAT " merged or deleted "
               "works left out (of %u listed)", snapshot_dir, parts->len,
               since ? ", of the partitions newer than " : "", since ? since : "", scan.dead,
               copub_snapshot_n_dead (snapshot));
  if (scan.bad > 0)
    {
      g_message ("skipped %" G_GUINT64_FORMAT " malformed record(s)", scan.bad);
      for (guint i = 0; i < problems->len; i++)
        g_message ("skipped %s", (const char *) g_ptr_array_index (problems, i));
    }
  if (partial)
    ok = copub_cli_write_partial (aggregate, partial, error);
  else
    {
      indicators = copub_aggregate_indicators (aggregate);
      table = copub_table_new_from_indicators (indicators);
      ok = copub_table_write (table, an.table_format, stdout, error);
    }
out:
  g_free (keep.id);
  return ok;
}
