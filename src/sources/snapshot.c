/* copub: a downloaded OpenAlex snapshot: its manifest, its parts, its dead works. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <jansson.h>
#include <zlib.h>

#include "copub/error.h"
#include "copub/snapshot.h"
#include "base/notify.h"

#define MAX_LIST_LINE 4096

struct CopubSnapshot {
  char *manifest;     /* its path */
  char *date;         /* its "date", or NULL */
  GPtrArray *parts;   /* of CopubSnapshotPart*, sorted */
  GArray *dead;       /* of guint64: the numbers of dead works' ids, sorted, unique */
};

static void
part_free (gpointer data)
{
  CopubSnapshotPart *part = data;
  g_free (part->path);
  g_free (part->updated_date);
  g_free (part);
}

void
copub_snapshot_free (CopubSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_free (snapshot->manifest);
  g_free (snapshot->date);
  g_ptr_array_unref (snapshot->parts);
  g_array_unref (snapshot->dead);
  g_free (snapshot);
}

/* ---- the manifest -------------------------------------------------------------------- */

static gboolean
manifest_error (const char *path, GError **error, const char *what)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "manifest '%s': %s", path, what);
  return FALSE;
}

static gboolean
is_date (const char *s)
{
  static const char form[] = "dddd-dd-dd";
  for (guint i = 0; i < sizeof form - 1; i++)
    if (form[i] == 'd' ? !g_ascii_isdigit (s[i]) : s[i] != form[i])
      return FALSE;
  return s[sizeof form - 1] == '\0';
}

static gboolean
is_plain_name (const char *s)
{
  if (*s == '\0' || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '.' && *s != '_' && *s != '-')
      return FALSE;
  return TRUE;
}

/* The works' list of files: "files" (the 2026 manifests, per entity or combined under
 * "entities") or "entries" (the Redshift manifests before). */
static json_t *
works_files (json_t *root)
{
  json_t *entities = json_object_get (root, "entities"), *files;
  size_t i;
  json_t *e;

  if ((files = json_object_get (root, "files")) != NULL
      || (files = json_object_get (root, "entries")) != NULL)
    return files;
  json_array_foreach (entities, i, e)
    if (g_strcmp0 (json_string_value (json_object_get (e, "entity")), "works") == 0)
      return json_object_get (e, "files");
  return NULL;
}

/* One entry: {"url": ".../updated_date=D/NAME", "meta": {"record_count": N,
 * "content_length": N}}. The part is WORKS_DIR/updated_date=D/NAME, wherever the URL
 * points (the public bucket, the staging one). */
static CopubSnapshotPart *
parse_entry (json_t *entry, const char *works_dir, const char *manifest, size_t index,
             GError **error)
{
  const char *url = json_string_value (json_object_get (entry, "url"));
  json_t *meta = json_object_get (entry, "meta");
  json_t *count = json_object_get (meta, "record_count");
  json_t *length = json_object_get (meta, "content_length");
  g_auto(GStrv) steps = NULL;
  guint n;
  CopubSnapshotPart *part;

  if (url == NULL || !json_is_integer (count) || json_integer_value (count) < 0
      || (length != NULL && (!json_is_integer (length) || json_integer_value (length) < 0)))
    {
      g_autofree char *what = g_strdup_printf ("file %zu: expected {\"url\": ..., \"meta\": "
                                               "{\"record_count\": N, \"content_length\": N}}",
                                               index + 1);
      manifest_error (manifest, error, what);
      return NULL;
    }
  steps = g_strsplit (url, "/", -1);
  n = g_strv_length (steps);
  if (n < 2 || !g_str_has_prefix (steps[n - 2], "updated_date=")
      || !is_date (steps[n - 2] + strlen ("updated_date=")) || !is_plain_name (steps[n - 1]))
    {
      g_autofree char *what = g_strdup_printf ("file %zu: '%s' is not "
                                               ".../updated_date=YYYY-MM-DD/NAME", index + 1, url);
      manifest_error (manifest, error, what);
      return NULL;
    }
  part = g_new0 (CopubSnapshotPart, 1);
  part->path = g_build_filename (works_dir, steps[n - 2], steps[n - 1], NULL);
  part->updated_date = g_strdup (steps[n - 2] + strlen ("updated_date="));
  part->record_count = (guint64) json_integer_value (count);
  part->content_length = length ? (gint64) json_integer_value (length) : -1;
  return part;
}

static int
compare_parts (gconstpointer a, gconstpointer b)
{
  const CopubSnapshotPart *x = *(CopubSnapshotPart *const *) a;
  const CopubSnapshotPart *y = *(CopubSnapshotPart *const *) b;
  int c = strcmp (x->updated_date, y->updated_date);
  return c ? c : strcmp (x->path, y->path);
}

static gboolean
read_manifest (CopubSnapshot *snap, const char *works_dir, GError **error)
{
  json_error_t jerr;
  json_t *root = json_load_file (snap->manifest, 0, &jerr), *files, *entry;
  size_t i;
  gboolean ok = TRUE;

  if (root == NULL)
    {
      g_autofree char *what = g_strdup_printf ("line %d: %s", jerr.line, jerr.text);
      return manifest_error (snap->manifest, error, what);
    }
  files = works_files (root);
  if (!json_is_array (files))
    ok = manifest_error (snap->manifest, error, "no list of the works' files (\"files\", "
                                                "\"entries\", or \"entities\" with \"works\")");
  json_array_foreach (files, i, entry)
    {
      CopubSnapshotPart *part;
      if (!ok || (part = parse_entry (entry, works_dir, snap->manifest, i, error)) == NULL)
        {
          ok = FALSE;
          break;
        }
      g_ptr_array_add (snap->parts, part);
    }
  if (ok && json_is_string (json_object_get (root, "date")))
    snap->date = g_strdup (json_string_value (json_object_get (root, "date")));
  json_decref (root);
  g_ptr_array_sort (snap->parts, compare_parts);
  return ok;
}

/* Finds the manifest: the works' own, the combined one, or a pre-2026 one. */
static gboolean
find_manifest (CopubSnapshot *snap, const char *root, char **works_dir, GError **error)
{
  g_autofree char *jsonl = g_build_filename (root, "data", "jsonl", "works", NULL);
  g_autofree char *old = g_build_filename (root, "data", "works", NULL);
  char *candidates[] = {
    g_build_filename (jsonl, "manifest.json", NULL),
    g_build_filename (root, "data", "jsonl", "manifest.json", NULL),
    g_build_filename (old, "manifest", NULL),
  };
  gboolean found = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (!found && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
        {
          found = TRUE;
          snap->manifest = g_steal_pointer (&candidates[i]);
          *works_dir = g_strdup (i < 2 ? jsonl : old);
        }
      g_free (candidates[i]);
    }
  if (!found)
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO,
                 "'%s' is not an OpenAlex snapshot, or not a whole one: no "
                 "data/jsonl/works/manifest.json nor data/jsonl/manifest.json in it (OpenAlex "
                 "writes the manifest last; give the folder that holds data/)", root);
  return found;
}

/* ---- the dead works ------------------------------------------------------------------ */

/* The number of the work id @id ("W123", "https://openalex.org/W123"); 0 when it is
 * not one. */
static guint64
work_number (const char *id, gsize len)
{
  const char *end = id + len;
  guint64 n = 0;

  if (len > 21 && g_ascii_strncasecmp (id, "https://openalex.org/", 21) == 0)
    id += 21;
  if (id >= end || (*id != 'W' && *id != 'w') || end - id < 2 || end - id > 20)
    return 0;
  for (id++; id < end; id++)
    {
      if (!g_ascii_isdigit (*id))
        return 0;
      n = n * 10 + (guint64) (*id - '0');
    }
  return n;
}

static gboolean
list_error (const char *path, guint64 line, GError **error, const char *what)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "'%s' line %" G_GUINT64_FORMAT ": %s",
               path, line, what);
  return FALSE;
}

/* The index of @name among the header's columns, or -1. */
static int
column_of (const char *header, const char *name)
{
  g_auto(GStrv) names = g_strsplit (header, ",", -1);
  for (int i = 0; names[i]; i++)
    if (strcmp (g_strstrip (names[i]), name) == 0)
      return i;
  return -1;
}

/* Adds the ids of column @column of the CSV file @path (plain or gzip, with a header). */
static gboolean
read_id_list (const char *path, const char *column, GArray *dead, GError **error)
{
  gzFile gz = gzopen (path, "rb");
  char buf[MAX_LIST_LINE];
  guint64 line = 0;
  int index = -1, errnum;
  gboolean ok = TRUE;

  if (gz == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "'%s': %s", path, g_strerror (errno));
      return FALSE;
    }
  while (ok && gzgets (gz, buf, sizeof buf) != NULL)
    {
      gsize len = strlen (buf);
      line++;
      if (len == sizeof buf - 1 && buf[len - 1] != '\n')
        ok = list_error (path, line, error, "longer than 4 KB, not an id list");
      else if ((len = strcspn (buf, "\r\n")) == 0)
        continue;
      else if (index < 0)
        {
          buf[len] = '\0';
          if ((index = column_of (buf, column)) < 0)
            {
              g_autofree char *what = g_strdup_printf ("expected a header with a column '%s'",
                                                       column);
              ok = list_error (path, line, error, what);
            }
        }
      else
        {
          g_auto(GStrv) cells = (buf[len] = '\0', g_strsplit (buf, ",", -1));
          const char *cell = (guint) index < g_strv_length (cells) ? cells[index] : "";
          guint64 n = work_number (cell, strlen (cell));
          if (n == 0)
            {
              g_autofree char *what = g_strdup_printf ("'%s' is not a work id (W123)", cell);
              ok = list_error (path, line, error, what);
            }
          else
            g_array_append_val (dead, n);
        }
    }
  if (ok && (gzerror (gz, &errnum), errnum != Z_OK && errnum != Z_STREAM_END))
    ok = list_error (path, line + 1, error, gzerror (gz, &errnum));
  gzclose (gz);
  return ok;
}

static gboolean
read_merged_dir (const char *dir, GArray *dead, GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return TRUE;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".csv.gz") || g_str_has_suffix (name, ".csv"))
      g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  for (guint i = 0; i < names->len; i++)
    if (!read_id_list (g_ptr_array_index (names, i), "id", dead, error))
      return FALSE;
  return TRUE;
}

static int
compare_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

/* Deleted works (the 2026 log) and merged ones (kept under legacy-data/ since the 2025
 * move to Walden; data/merged_ids/ in a pre-2026 copy). */
static gboolean
read_dead (CopubSnapshot *snap, const char *root, const char *works_dir, GError **error)
{
  g_autofree char *gz = g_build_filename (works_dir, "deleted_ids.csv.gz", NULL);
  g_autofree char *csv = g_build_filename (works_dir, "deleted_ids.csv", NULL);
  g_autofree char *legacy = g_build_filename (root, "legacy-data", "merged_ids", "works", NULL);
  g_autofree char *old = g_build_filename (root, "data", "merged_ids", "works", NULL);
  const char *deleted = g_file_test (gz, G_FILE_TEST_EXISTS) ? gz
                        : g_file_test (csv, G_FILE_TEST_EXISTS) ? csv : NULL;
  guint kept = 0;

  if ((deleted && !read_id_list (deleted, "work_id", snap->dead, error))
      || !read_merged_dir (legacy, snap->dead, error) || !read_merged_dir (old, snap->dead, error))
    return FALSE;
  g_array_sort (snap->dead, compare_u64);
  for (guint i = 0; i < snap->dead->len; i++)
    if (kept == 0 || g_array_index (snap->dead, guint64, i)
                         != g_array_index (snap->dead, guint64, kept - 1))
      g_array_index (snap->dead, guint64, kept++) = g_array_index (snap->dead, guint64, i);
  g_array_set_size (snap->dead, kept);
  return TRUE;
}

/* ---- the snapshot -------------------------------------------------------------------- */

CopubSnapshot *
copub_snapshot_open (const char *root, GError **error)
{
  g_autoptr(CopubSnapshot) snap = g_new0 (CopubSnapshot, 1);
  g_autofree char *works_dir = NULL;

  snap->parts = g_ptr_array_new_with_free_func (part_free);
  snap->dead = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (!find_manifest (snap, root, &works_dir, error) || !read_manifest (snap, works_dir, error)
      || !read_dead (snap, root, works_dir, error))
    return NULL;
  return g_steal_pointer (&snap);
}

const char *
copub_snapshot_manifest (const CopubSnapshot *snapshot)
{
  return snapshot->manifest;
}

const char *
copub_snapshot_date (const CopubSnapshot *snapshot)
{
  return snapshot->date;
}

GPtrArray *
copub_snapshot_parts (const CopubSnapshot *snapshot, const char *since)
{
  GPtrArray *parts = g_ptr_array_new ();
  for (guint i = 0; i < snapshot->parts->len; i++)
    {
      CopubSnapshotPart *part = g_ptr_array_index (snapshot->parts, i);
      if (since == NULL || strcmp (part->updated_date, since) > 0)
        g_ptr_array_add (parts, part);
    }
  return parts;
}

guint
copub_snapshot_n_dead (const CopubSnapshot *snapshot)
{
  return snapshot->dead->len;
}

gboolean
copub_snapshot_is_dead (const char *id, gpointer snapshot)
{
  const CopubSnapshot *snap = snapshot;
  guint64 n = id ? work_number (id, strlen (id)) : 0;
  return n != 0 && snap->dead->len > 0
         && bsearch (&n, snap->dead->data, snap->dead->len, sizeof (guint64), compare_u64) != NULL;
}

gboolean
copub_snapshot_check_size (const CopubSnapshotPart *part, GError **error)
{
  GStatBuf st;

  if (g_stat (part->path, &st) != 0)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "'%s' (in the manifest): %s",
                   part->path, g_strerror (errno));
      return FALSE;
    }
  if (part->content_length >= 0 && (gint64) st.st_size != part->content_length)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "'%s': %" G_GINT64_FORMAT " bytes, but the manifest says %" G_GINT64_FORMAT
                   ": a truncated or unfinished download (fetch the part again)",
                   part->path, (gint64) st.st_size, part->content_length);
      return FALSE;
    }
  return TRUE;
}

gboolean
copub_snapshot_check_records (const CopubSnapshotPart *part, guint64 found, GError **error)
{
  if (found == part->record_count)
    return TRUE;
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
               "'%s': %" G_GUINT64_FORMAT " records, but the manifest says %" G_GUINT64_FORMAT
               ": a truncated or unfinished download (fetch the part again)",
               part->path, found, part->record_count);
  return FALSE;
}

/* ---- importing it -------------------------------------------------------------------- */

void
copub_snapshot_import_stats_clear (CopubSnapshotImportStats *stats)
{
  g_clear_pointer (&stats->since, g_free);
  g_clear_pointer (&stats->synced, g_free);
}

static gboolean
import_parts (CopubSnapshot *snap, CopubStore *store, const CopubImportOptions *options,
              CopubImportStats *stats, CopubSnapshotImportStats *out, GError **error)
{
  g_autoptr(GPtrArray) parts = NULL;

  if (!copub_store_get_meta (store, COPUB_SNAPSHOT_SYNC_KEY, &out->since, error))
    return FALSE;
  parts = copub_snapshot_parts (snap, out->since);
  for (guint i = 0; i < parts->len; i++)
    {
      const CopubSnapshotPart *part = g_ptr_array_index (parts, i);
      guint64 records = 0;
      copub_note (options->callbacks, COPUB_NOTE_INFO, "importing '%s' (updated_date=%s)",
                  part->path, part->updated_date);
      if (!copub_snapshot_check_size (part, error)
          || !copub_import_file (store, part->path, options, stats, &records, error)
          || !copub_snapshot_check_records (part, records, error))
        return FALSE;
      out->parts++;
    }
  if (parts->len > 0)
    {
      const CopubSnapshotPart *newest = g_ptr_array_index (parts, parts->len - 1);
      out->synced = g_strdup (newest->updated_date);
      if (!copub_store_set_meta (store, COPUB_SNAPSHOT_SYNC_KEY, out->synced, error))
        return FALSE;
    }
  return copub_store_remove_works (store, "openalex", copub_snapshot_is_dead, snap,
                                   &out->removed, error);
}

gboolean
copub_snapshot_import (CopubSnapshot *snapshot, CopubStore *store,
                       const CopubImportOptions *options, CopubImportStats *stats,
                       CopubSnapshotImportStats *out, GError **error)
{
  CopubImportOptions opts = *options;

  opts.leave_out = copub_snapshot_is_dead;
  opts.leave_out_data = snapshot;
  memset (out, 0, sizeof *out);
  if (!copub_store_begin (store, error))
    return FALSE;
  if (!import_parts (snapshot, store, &opts, stats, out, error)
      || !copub_store_commit (store, error))
    {
      copub_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}
