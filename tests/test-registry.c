/* Unit tests of the registry reader (src/affil/registry.c) and of the registry in the
 * normaliser: ROR v2 dumps as .json, .json.gz and release .zip, successors, inactive and
 * withdrawn records, bad files (truncated gzip, another schema, a record without a
 * country) refused whole, the shipped table, and the matching rules built for it. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zip.h>
#include <zlib.h>

#include "affil/gazetteer.h"
#include "affil/registry.h"
#include "copub/error.h"
#include "copub/normalise.h"
#include "testlib.h"

/* A small dump: an active university with a lab, a record merged into it, a withdrawn one,
 * and two homonyms in different countries. */
static const char dump[] =
  "[\n"
  " {\"id\": \"https://ror.org/05test001\", \"status\": \"active\", \"types\": [\"education\"],"
  "  \"names\": [{\"value\": \"Imaginary Example University\", \"types\": [\"ror_display\","
  " \"label\"], \"lang\": \"en\"}, {\"value\": \"IEU\", \"types\": [\"acronym\"], \"lang\": null}],"
  "  \"locations\": [{\"geonames_details\": {\"country_code\": \"AR\", \"name\": \"Rosario\"}}],"
  "  \"relationships\": [{\"type\": \"child\", \"id\": \"https://ror.org/05test002\","
  " \"label\": \"x\"}]},\n"
  " {\"id\": \"https://ror.org/05test002\", \"status\": \"active\", \"types\": [\"facility\"],"
  "  \"names\": [{\"value\": \"Laboratory of Quiet Waters\", \"types\": [\"ror_display\"],"
  " \"lang\": \"en\"}],"
  "  \"locations\": [{\"geonames_details\": {\"country_code\": \"AR\", \"name\": \"Rosario\"}}],"
  "  \"relationships\": [{\"type\": \"parent\", \"id\": \"https://ror.org/05test001\"}]},\n"
  " {\"id\": \"https://ror.org/05test003\", \"status\": \"inactive\", \"types\": [\"education\"],"
  "  \"names\": [{\"value\": \"Old Imaginary College\", \"types\": [\"ror_display\"],"
  " \"lang\": \"en\"}],"
  "  \"locations\": [{\"geonames_details\": {\"country_code\": \"AR\"}}],"
  "  \"relationships\": [{\"type\": \"successor\", \"id\": \"https://ror.org/05test001\"}]},\n"
  " {\"id\": \"https://ror.org/05test004\", \"status\": \"withdrawn\", \"types\": [],"
  "  \"names\": [{\"value\": \"Withdrawn Example Institute\", \"types\": [\"ror_display\"]}],"
  "  \"locations\": [{\"geonames_details\": {\"country_code\": \"FR\"}}]},\n"
  " {\"id\": \"https://ror.org/05test005\", \"status\": \"active\", \"types\": [],"
  "  \"names\": [{\"value\": \"Quiet Waters Laboratory\", \"types\": [\"ror_display\"]}],"
  "  \"locations\": [{\"geonames_details\": {\"country_code\": \"NZ\"}}]},\n"
  " {\"id\": \"https://ror.org/05test006\", \"status\": \"active\", \"types\": [],"
  "  \"names\": [{\"value\": \"Quiet Waters Laboratory\", \"types\": [\"ror_display\"]}],"
  "  \"locations\": [{\"geonames_details\": {\"country_code\": \"CL\"}}]}\n"
  "]\n";

static char *
write_file (const char *dir, const char *name, const char *data, gssize len)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, len, NULL));
  return path;
}

static char *
write_gz (const char *dir, const char *name, const char *data)
{
  char *path = g_build_filename (dir, name, NULL);
  gzFile gz = gzopen (path, "wb");

  g_assert_nonnull (gz);
  g_assert_cmpint (gzwrite (gz, data, (unsigned) strlen (data)), ==, (int) strlen (data));
  g_assert_cmpint (gzclose (gz), ==, Z_OK);
  return path;
}

static char *
write_zip (const char *dir, const char *name, const char *data)
{
  char *path = g_build_filename (dir, name, NULL);
  int err = 0;
  zip_t *zip = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &err);
  zip_source_t *csv, *json;

  g_assert_nonnull (zip);
  csv = zip_source_buffer (zip, "id,name\n", 8, 0);
  json = zip_source_buffer (zip, data, strlen (data), 0);
  g_assert_cmpint (zip_file_add (zip, "v9.9-2026-01-01-ror-data.csv", csv, 0), >=, 0);
  g_assert_cmpint (zip_file_add (zip, "v9.9-2026-01-01-ror-data.json", json, 0), >=, 0);
  g_assert_cmpint (zip_close (zip), ==, 0);
  return path;
}

static const CopubRorRecord *
find (const CopubRegistry *reg, const char *id)
{
  for (guint i = 0; i < reg->records->len; i++)
    if (strcmp (g_array_index (reg->records, CopubRorRecord, i).id, id) == 0)
      return &g_array_index (reg->records, CopubRorRecord, i);
  return NULL;
}

static void
check_records (const CopubRegistry *records)
{
  const CopubRorRecord *r;

  g_assert_nonnull (records);
  g_assert_cmpuint (records->records->len, ==, 6);
  r = find (records, "05test001");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->country, ==, "AR");
  g_assert_cmpstr (r->city, ==, "Rosario");
  g_assert_cmpstr (r->types, ==, "education");
  g_assert_cmpuint (r->n_names, ==, 2);
  g_assert_cmpuint (r->names[1].types, ==, COPUB_ROR_NAME_ACRONYM);
  g_assert_cmpstr (r->names[0].lang, ==, "en");
  r = find (records, "05test002");
  g_assert_cmpuint (r->n_parents, ==, 1);
  g_assert_cmpstr (r->parents[0], ==, "05test001");
  r = find (records, "05test003");
  g_assert_cmpint (r->status, ==, COPUB_ROR_INACTIVE);
  g_assert_cmpstr (r->successor, ==, "05test001");
  g_assert_cmpint (find (records, "05test004")->status, ==, COPUB_ROR_WITHDRAWN);
}

/* The same records from the plain, gzipped and zipped dump. */
static void
test_formats (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-registry-XXXXXX", NULL);
  g_autofree char *json = write_file (dir, "ror.json", dump, -1);
  g_autofree char *gz = write_gz (dir, "ror.json.gz", dump);
  g_autofree char *zip = write_zip (dir, "ror.zip", dump);
  const char *paths[] = { json, gz, zip };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CopubRegistry) records = copub_registry_read (paths[i], &error);
      g_assert_no_error (error);
      check_records (records);
    }
}

static void
expect_error (const char *path, int code, const char *part1, const char *part2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubRegistry) records = copub_registry_read (path, &error);

  g_assert_null (records);
  g_assert_error (error, COPUB_ERROR, code);
  if (error == NULL)
    return;
  g_assert_nonnull (strstr (error->message, path));
  if (part1 != NULL && strstr (error->message, part1) == NULL)
    g_test_message ("error was: %s", error->message), g_test_fail ();
  if (part2 != NULL && strstr (error->message, part2) == NULL)
    g_test_message ("error was: %s", error->message), g_test_fail ();
}

static void
test_bad_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-registry-XXXXXX", NULL);
  g_autofree char *gz = write_gz (dir, "full.json.gz", dump);
  g_autofree char *gz_data = NULL;
  gsize gz_len = 0;
  g_autofree char *truncated = NULL, *v1 = NULL, *object = NULL, *nocountry = NULL;
  g_autofree char *empty_zip = NULL, *garbage = NULL;
  g_autofree char *no_country_dump = NULL;
  char *p;

  g_assert_true (g_file_get_contents (gz, &gz_data, &gz_len, NULL));
  truncated = write_file (dir, "truncated.json.gz", gz_data, (gssize) (gz_len * 2 / 3));
  v1 = write_file (dir, "v1.json", "[{\"id\": \"https://ror.org/05test009\", \"name\": \"X\","
                   " \"country\": {\"country_code\": \"FR\"}}]", -1);
  object = write_file (dir, "object.json", "{\"items\": []}", -1);
  no_country_dump = g_strdup (dump);
  p = strstr (no_country_dump, "\"country_code\": \"NZ\"");
  memcpy (p, "\"country_xxxx\"", strlen ("\"country_xxxx\""));
  nocountry = write_file (dir, "nocountry.json", no_country_dump, -1);
  garbage = write_file (dir, "garbage.json", "[{\"id\": \"https://ror.org/05test001\", ]", -1);

  expect_error (truncated, COPUB_ERROR_PARSE, "truncated", NULL);
  expect_error (v1, COPUB_ERROR_PARSE, "record 1 (05test009)", "schema v1");
  expect_error (object, COPUB_ERROR_PARSE, "not a ROR v2 dump", NULL);
  expect_error (nocountry, COPUB_ERROR_PARSE, "record 5 (05test005)", "no country");
  expect_error (garbage, COPUB_ERROR_PARSE, "record 1", NULL);
  expect_error ("/nonexistent/ror.json", COPUB_ERROR_IO, NULL, NULL);
  (void) empty_zip;
}

/* copub's table, plain and gzipped: the same records as the dump's, parents and successor
 * included, a generic name's flag, comment lines skipped, a last line without newline. */
static const char table[] =
  "# copub registry table\n"
  "# id\tstatus\tcountry\tcity\ttypes\tparents\tsuccessor\tnames\n"
  "05test001\tactive\tAR\tRosario\teducation\t\t\tDL:en:Imaginary Example University|C::IEU\n"
  "05test002\tactive\tAR\tRosario\tfacility\t05test001\t\t"
  "DL:en:Laboratory of Quiet Waters\n"
  "05test003\tinactive\tAR\t\teducation\t\t05test001\tD:en:Old Imaginary College\n"
  "05test004\twithdrawn\tFR\t\t\t\t\tD::Withdrawn Example Institute\n"
  "05test005\tactive\tNZ\t\t\t\t\tDG::Quiet Waters Laboratory\n"
  "05test006\tactive\tCL\t\t\t05test005,05test009\t\tD::Quiet Waters Laboratory";

static void
test_table (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-registry-XXXXXX", NULL);
  g_autofree char *tsv = write_file (dir, "ror.tsv", table, -1);
  g_autofree char *gz = write_gz (dir, "ror.tsv.gz", table);
  const char *paths[] = { tsv, gz };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CopubRegistry) reg = copub_registry_read (paths[i], &error);
      const CopubRorRecord *r;
      g_assert_no_error (error);
      check_records (reg);
      if (reg == NULL)
        continue;
      r = find (reg, "05test006");
      g_assert_cmpuint (r->n_parents, ==, 2);
      g_assert_cmpstr (r->parents[1], ==, "05test009");
      g_assert_cmpstr (find (reg, "05test002")->types, ==, "facility");
      g_assert_null (find (reg, "05test003")->city);
      r = find (reg, "05test005");
      g_assert_cmpuint (r->names[0].types, ==, COPUB_ROR_NAME_DISPLAY | COPUB_ROR_NAME_GENERIC);
      g_assert_cmpstr (find (reg, "05test006")->names[0].value, ==, "Quiet Waters Laboratory");
    }
}

/* A bad line is named by its number; a table cut short names the line where it ends. */
static void
test_bad_tables (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-registry-XXXXXX", NULL);
  g_autofree char *bad = g_strdup (table), *badpath = NULL, *gz = NULL, *gz_data = NULL;
  g_autofree char *truncated = NULL;
  gsize gz_len = 0;

  memcpy (strstr (bad, "\tNZ\t"), "\tnz\t", 4);
  badpath = write_file (dir, "bad.tsv", bad, -1);
  expect_error (badpath, COPUB_ERROR_PARSE, "line 7 (05test005)", "no country");
  gz = write_gz (dir, "full.tsv.gz", table);
  g_assert_true (g_file_get_contents (gz, &gz_data, &gz_len, NULL));
  truncated = write_file (dir, "truncated.tsv.gz", gz_data, (gssize) (gz_len * 2 / 3));
  expect_error (truncated, COPUB_ERROR_PARSE, "truncated", "line ");
}

/* A bad file leaves the gazetteer as it was: nothing half-loaded. */
static void
test_nothing_half_loaded (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-registry-XXXXXX", NULL);
  g_autofree char *no_country_dump = g_strdup (dump);
  g_autofree char *bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubGazetteer) gaz = copub_gazetteer_new (NULL, &error);
  guint before, n = 0;
  char *p = strstr (no_country_dump, "\"country_code\": \"CL\"");

  g_assert_no_error (error);
  memcpy (p, "\"country_xxxx\"", strlen ("\"country_xxxx\""));
  bad = write_file (dir, "bad.json", no_country_dump, -1);
  before = copub_gazetteer_n_organisations (gaz);
  g_assert_false (copub_gazetteer_load_ror (gaz, bad, &error));
  g_assert_error (error, COPUB_ERROR, COPUB_ERROR_PARSE);
  g_assert_cmpuint (copub_gazetteer_n_organisations (gaz), ==, before);
  g_assert_null (copub_gazetteer_lookup (gaz, "imaginary example university", &n, NULL));
}

static CopubNormaliser *
normaliser_with (const char *path)
{
  CopubNormaliserOptions options = COPUB_NORMALISER_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  CopubNormaliser *nz;

  options.ror_path = path;
  nz = copub_normaliser_new (&options, &error);
  g_assert_no_error (error);
  return nz;
}

static char *
resolve (const CopubNormaliser *nz, const char *raw, const char **id)
{
  CopubAffiliation aff;
  char *out;

  copub_affiliation_init (&aff);
  copub_normaliser_resolve (nz, raw, -1, &aff);
  out = copub_affiliation_countries (&aff);
  if (id != NULL)
    *id = aff.institution_id;
  copub_affiliation_clear (&aff);
  return out;
}

#define ASSERT_RESOLVES(nz, raw, expected) \
  G_STMT_START { g_autofree char *got_ = resolve (nz, raw, NULL); \
                 g_assert_cmpstr (got_, ==, expected); } G_STMT_END

static void
test_matching_rules (void)
{
  g_autofree char *dir = g_dir_make_tmp ("copub-registry-XXXXXX", NULL);
  g_autofree char *zip = write_zip (dir, "ror.zip", dump);
  g_autoptr(CopubNormaliser) nz = normaliser_with (zip);
  const char *id = NULL;
  g_autofree char *got = NULL;

  /* a name that is the whole component gives its country */
  ASSERT_RESOLVES (nz, "Imaginary Example University", "AR");
  /* an inactive record's names find its successor */
  got = resolve (nz, "Old Imaginary College", &id);
  g_assert_cmpstr (got, ==, "AR");
  g_assert_cmpstr (id, ==, "05test001");
  /* a withdrawn record without successor is not matched */
  ASSERT_RESOLVES (nz, "Withdrawn Example Institute", "");
  /* a place in the string decides, the name does not add its country */
  ASSERT_RESOLVES (nz, "Imaginary Example University, Lyon, France", "FR");
  /* an acronym alone decides nothing */
  ASSERT_RESOLVES (nz, "IEU", "");
  /* a name borne in two countries stays unknown... */
  ASSERT_RESOLVES (nz, "Quiet Waters Laboratory", "");
  /* ...and a name inside a longer one decides nothing... */
  ASSERT_RESOLVES (nz, "Department of Imaginary Example University Studies", "");
  /* ...unless it ends the component: a unit written before its university, no comma */
  ASSERT_RESOLVES (nz, "Department of Chemistry Imaginary Example University", "AR");
  /* a lab naming its university resolves through the parent */
  ASSERT_RESOLVES (nz, "Laboratory of Quiet Waters, Imaginary Example University", "AR");
}

/* The table copub ships, loaded by default. */
static void
test_shipped_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubNormaliser) nz = copub_normaliser_new (NULL, &error);
  const char *id = NULL;
  g_autofree char *got = NULL;

  g_assert_no_error (error);
  got = resolve (nz, "University of Cambridge", &id);
  g_assert_cmpstr (got, ==, "GB");
  g_assert_cmpstr (id, ==, "013meh722");
  /* a generic name (institutes of chemistry exist in many countries) decides nothing */
  ASSERT_RESOLVES (nz, "Institute of Chemistry", "");
  /* nor names an institution: the Paris ENS is not Bujumbura's, which bears the bare name */
  g_clear_pointer (&got, g_free);
  id = NULL;
  got = resolve (nz, "Département de Physique, École Normale Supérieure, Paris, France", &id);
  g_assert_cmpstr (got, ==, "FR");
  g_assert_cmpstr (id, !=, "01dp7jr64");
}

/* HAL structures with a ROR id and no country get the registry's. */
static void
test_hal_ror_country (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CopubNormaliser) nz = copub_normaliser_new (NULL, &error);
  g_autoptr(CopubWork) work = copub_work_new (COPUB_SOURCE_HAL);
  CopubAuthorship *auth = copub_authorship_new ();
  CopubInstitution *inst = copub_institution_new ();

  g_assert_no_error (error);
  inst->ror = g_strdup ("013meh722");
  inst->name = g_strdup ("Department of Zoology");
  g_ptr_array_add (auth->institutions, inst);
  g_ptr_array_add (work->authorships, auth);
  g_assert_cmpuint (copub_normaliser_fill_work (nz, work), ==, 1);
  g_assert_cmpuint (auth->inferred->len, ==, 1);
  g_assert_cmpstr (auth->inferred->pdata[0], ==, "GB");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/registry/formats", test_formats);
  g_test_add_func ("/registry/bad-files", test_bad_files);
  g_test_add_func ("/registry/table", test_table);
  g_test_add_func ("/registry/bad-tables", test_bad_tables);
  g_test_add_func ("/registry/nothing-half-loaded", test_nothing_half_loaded);
  g_test_add_func ("/registry/matching-rules", test_matching_rules);
  g_test_add_func ("/registry/shipped-table", test_shipped_table);
  g_test_add_func ("/registry/hal-ror-country", test_hal_ror_country);
  return g_test_run ();
}
