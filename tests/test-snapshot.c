/* Unit tests of the snapshot layout: manifests in their three forms, the parts they list,
 * the dead works, and the errors that name the file. */
#include <string.h>

#include <glib/gstdio.h>
#include <zlib.h>

#include "copub/error.h"
#include "copub/snapshot.h"

/* A snapshot root in a fresh temporary directory. */
static char *
temp_root (void)
{
  char *dir = g_dir_make_tmp ("copub-snapshot-XXXXXX", NULL);
  g_assert_nonnull (dir);
  return dir;
}

static void
put (const char *root, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
put_gz (const char *root, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  gzFile gz;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  gz = gzopen (path, "wb");
  g_assert_nonnull (gz);
  g_assert_cmpint (gzputs (gz, text), ==, (int) strlen (text));
  g_assert_cmpint (gzclose (gz), ==, Z_OK);
}

#define ENTRY(date, name, n) \
  "{\"url\":\"s3://openalex/data/jsonl/works/updated_date=" date "/" name "\"," \
  "\"meta\":{\"content_length\":3,\"record_count\":" #n "}}"

static void
test_per_entity_manifest (void)
{
  g_autofree char *root = temp_root ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubSnapshot) snap = NULL;
  g_autoptr(GPtrArray) all = NULL, newer = NULL;
  const CopubSnapshotPart *part;

  put (root, "data/jsonl/works/manifest.json",
       "{\"date\":\"2026-07-08\",\"entity\":\"works\",\"files\":["
       ENTRY ("2026-03-01", "part_0000.gz", 5) "," ENTRY ("2025-11-12", "part_0001.gz", 4) ","
       ENTRY ("2025-11-12", "part_0000.gz", 7) "]}");
  snap = copub_snapshot_open (root, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copub_snapshot_date (snap), ==, "2026-07-08");
  all = copub_snapshot_parts (snap, NULL);
  g_assert_cmpuint (all->len, ==, 3);
  part = g_ptr_array_index (all, 0); /* by partition, then name */
  g_assert_true (g_str_has_suffix (part->path, "/data/jsonl/works/updated_date=2025-11-12/part_0000.gz"));
  g_assert_cmpstr (part->updated_date, ==, "2025-11-12");
  g_assert_cmpuint (part->record_count, ==, 7);
  g_assert_cmpint (part->content_length, ==, 3);
  part = g_ptr_array_index (all, 2);
  g_assert_cmpstr (part->updated_date, ==, "2026-03-01");
  newer = copub_snapshot_parts (snap, "2025-11-12");
  g_assert_cmpuint (newer->len, ==, 1);
  g_assert_true (g_ptr_array_index (newer, 0) == part);
  g_assert_cmpuint (copub_snapshot_n_dead (snap), ==, 0);
  g_assert_false (copub_snapshot_is_dead ("W1", snap));
}

static void
test_combined_and_old_manifests (void)
{
  g_autofree char *root = temp_root (), *old = temp_root ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubSnapshot) snap = NULL, snap2 = NULL;
  g_autoptr(GPtrArray) parts = NULL, parts2 = NULL;
  const CopubSnapshotPart *part;

  /* The combined manifest: the works' entry among the entities'; a staging URL too. */
  put (root, "data/jsonl/manifest.json",
       "{\"date\":\"2026-07-08\",\"entities\":["
       "{\"entity\":\"authors\",\"files\":[" ENTRY ("2026-01-01", "part_0009.gz", 1) "]},"
       "{\"entity\":\"works\",\"files\":[{\"url\":\"s3://openalex-snapshots/full/2026-07-08/"
       "jsonl/works/updated_date=2026-02-02/part_0003.gz\",\"meta\":{\"record_count\":2}}]}]}");
  snap = copub_snapshot_open (root, &error);
  g_assert_no_error (error);
  parts = copub_snapshot_parts (snap, NULL);
  g_assert_cmpuint (parts->len, ==, 1);
  part = g_ptr_array_index (parts, 0);
  g_assert_true (g_str_has_suffix (part->path, "/data/jsonl/works/updated_date=2026-02-02/part_0003.gz"));
  g_assert_cmpint (part->content_length, ==, -1);

  /* A pre-2026 copy: data/works/manifest, Redshift "entries". */
  put (old, "data/works/manifest",
       "{\"entries\":[{\"url\":\"s3://openalex/data/works/updated_date=2023-10-07/part_000.gz\","
       "\"meta\":{\"content_length\":9,\"record_count\":1}}]}");
  snap2 = copub_snapshot_open (old, &error);
  g_assert_no_error (error);
  parts2 = copub_snapshot_parts (snap2, NULL);
  g_assert_cmpuint (parts2->len, ==, 1);
  part = g_ptr_array_index (parts2, 0);
  g_assert_true (g_str_has_suffix (part->path, "/data/works/updated_date=2023-10-07/part_000.gz"));
  g_assert_null (copub_snapshot_date (snap2));
}

static void
test_dead_works (void)
{
  g_autofree char *root = temp_root ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubSnapshot) snap = NULL;

  put (root, "data/jsonl/works/manifest.json", "{\"files\":[]}");
  put_gz (root, "data/jsonl/works/deleted_ids.csv.gz",
          "work_id,deleted_date\r\nhttps://openalex.org/W4245566371,2026-08-14\r\n"
          "https://openalex.org/W12,2026-08-15\r\n");
  put (root, "data/jsonl/works/deleted_ids.csv", "work_id,deleted_date\nW999,2026-01-01\n");
  put_gz (root, "legacy-data/merged_ids/works/2025-01-02.csv.gz",
          "merge_date,id,merge_into_id\n2025-01-02,W12,W13\n2025-01-02,W77,W13\n");
  put (root, "legacy-data/merged_ids/works/2025-01-03.csv", "merge_date,id,merge_into_id\n\n");
  snap = copub_snapshot_open (root, &error);
  g_assert_no_error (error);
  /* The .gz log is read (not the plain one beside it); W12 is listed twice. */
  g_assert_cmpuint (copub_snapshot_n_dead (snap), ==, 3);
  g_assert_true (copub_snapshot_is_dead ("W4245566371", snap));
  g_assert_true (copub_snapshot_is_dead ("https://openalex.org/W12", snap));
  g_assert_true (copub_snapshot_is_dead ("W77", snap));
  g_assert_false (copub_snapshot_is_dead ("W13", snap));
  g_assert_false (copub_snapshot_is_dead ("W999", snap));
  g_assert_false (copub_snapshot_is_dead ("A12", snap));
  g_assert_false (copub_snapshot_is_dead (NULL, snap));
}

/* copub_snapshot_open (ROOT) fails with @code and a message holding @text. */
static void
assert_refused (const char *root, int code, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubSnapshot) snap = copub_snapshot_open (root, &error);
  g_assert_null (snap);
  g_assert_error (error, COPUB_ERROR, code);
  if (strstr (error->message, text) == NULL)
    g_error ("'%s' not in '%s'", text, error->message);
}

static void
test_bad_input (void)
{
  g_autofree char *root = temp_root ();

  assert_refused (root, COPUB_ERROR_IO, "no data/jsonl/works/manifest.json");
  put (root, "data/jsonl/works/manifest.json", "{\"files\":[");
  assert_refused (root, COPUB_ERROR_PARSE, "manifest.json': line 1");
  put (root, "data/jsonl/works/manifest.json", "{\"other\":[]}");
  assert_refused (root, COPUB_ERROR_PARSE, "no list of the works' files");
  put (root, "data/jsonl/works/manifest.json", "{\"files\":[{\"url\":\"x\",\"meta\":{}}]}");
  assert_refused (root, COPUB_ERROR_PARSE, "file 1: expected");
  /* A URL must end in updated_date=DATE/NAME, and NAME cannot climb out of the folder. */
  put (root, "data/jsonl/works/manifest.json",
       "{\"files\":[" ENTRY ("2026-01-01", "..", 1) "]}");
  assert_refused (root, COPUB_ERROR_PARSE, "is not .../updated_date=YYYY-MM-DD/NAME");
  put (root, "data/jsonl/works/manifest.json",
       "{\"files\":[" ENTRY ("2026-1-01", "part_0000.gz", 1) "]}");
  assert_refused (root, COPUB_ERROR_PARSE, "file 1:");
  put (root, "data/jsonl/works/manifest.json", "{\"files\":[]}");
  put (root, "data/jsonl/works/deleted_ids.csv", "id,deleted_date\nW1,2026-01-01\n");
  assert_refused (root, COPUB_ERROR_PARSE, "deleted_ids.csv' line 1: expected a header with a "
                                           "column 'work_id'");
  put (root, "data/jsonl/works/deleted_ids.csv", "work_id,deleted_date\nW1,x\nA5,x\n");
  assert_refused (root, COPUB_ERROR_PARSE, "deleted_ids.csv' line 3: 'A5' is not a work id");
}

static void
test_checks (void)
{
  g_autofree char *root = temp_root ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubSnapshot) snap = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  const CopubSnapshotPart *part;

  put (root, "data/jsonl/works/manifest.json",
       "{\"files\":[" ENTRY ("2026-01-01", "part_0000.gz", 2) "]}");
  snap = copub_snapshot_open (root, &error);
  g_assert_no_error (error);
  parts = copub_snapshot_parts (snap, NULL);
  part = g_ptr_array_index (parts, 0);
  g_assert_false (copub_snapshot_check_size (part, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
  g_clear_error (&error);
  put (root, "data/jsonl/works/updated_date=2026-01-01/part_0000.gz", "abcd");
  g_assert_false (copub_snapshot_check_size (part, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "part_0000.gz': 4 bytes, but the manifest says 3"));
  g_clear_error (&error);
  put (root, "data/jsonl/works/updated_date=2026-01-01/part_0000.gz", "abc");
  g_assert_true (copub_snapshot_check_size (part, &error));
  g_assert_no_error (error);
  g_assert_true (copub_snapshot_check_records (part, 2, &error));
  g_assert_false (copub_snapshot_check_records (part, 1, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "part_0000.gz': 1 records, but the manifest says 2"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/snapshot/per-entity-manifest", test_per_entity_manifest);
  g_test_add_func ("/snapshot/combined-and-old-manifests", test_combined_and_old_manifests);
  g_test_add_func ("/snapshot/dead-works", test_dead_works);
  g_test_add_func ("/snapshot/bad-input", test_bad_input);
  g_test_add_func ("/snapshot/checks", test_checks);
  return g_test_run ();
}
