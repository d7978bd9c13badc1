/* copub: the SQLite store. Schema migrations, the work upsert and the summary scan
 * the indicators read. Statements are prepared once per store and reused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <isa-l/crc.h>

#include "copub/error.h"
#include "copub/store.h"
#include "store/store-private.h"
#include "base/notify.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* 'copu': marks a SQLite file as a copub store. */
#define COPUB_APPLICATION_ID 0x636f7075

/* Migration N brings the schema from version N-1 to N. Never edit a published one:
 * add the next. */
static const char *const migrations[] = {
  /* 1: works, authorships, institutions, key/value metadata. */
  "CREATE TABLE works ("
  "  work_key INTEGER PRIMARY KEY,"
  "  source TEXT NOT NULL,"
  "  source_id TEXT NOT NULL,"
  "  doi TEXT, title TEXT, year INTEGER, type TEXT,"
  "  is_retracted INTEGER NOT NULL DEFAULT 0,"
  "  is_paratext INTEGER NOT NULL DEFAULT 0,"
  "  is_authors_truncated INTEGER NOT NULL DEFAULT 0,"
  "  is_synthetic INTEGER NOT NULL DEFAULT 0,"
  "  topic_id TEXT, topic_name TEXT, subfield_id TEXT, subfield_name TEXT,"
  "  field_id TEXT, field_name TEXT, domain_id TEXT, domain_name TEXT,"
  "  countries TEXT NOT NULL DEFAULT '',"       /* union of the authorships' countries */
  "  n_authorships INTEGER NOT NULL DEFAULT 0,"
  "  n_known INTEGER NOT NULL DEFAULT 0,"        /* authorships with a known country */
  "  n_inferred INTEGER NOT NULL DEFAULT 0,"     /* ... known through copub's normaliser */
  "  auth_countries TEXT NOT NULL DEFAULT '',"  /* per authorship: "FR;FR,US;;DE" */
  "  institutions TEXT NOT NULL DEFAULT '',"    /* ids, lineage ids and RORs, space-separated */
  "  title_key TEXT,"                           /* folded title and year, to link records */
  "  raw_hash INTEGER NOT NULL,"   /* of the record and what copub derives from it */
  "  raw_size INTEGER NOT NULL,"   /* of the record */
  "  stored_at TEXT NOT NULL,"
  "  UNIQUE (source, source_id));"
  "CREATE INDEX works_year ON works (year);"
  /* The source records apart, so that scanning works reads only what analyses use. */
  "CREATE TABLE work_records ("
  "  work_key INTEGER PRIMARY KEY,"
  "  raw BLOB NOT NULL);"               /* the source record (JSON or TEI) as kept */
  /* Covering indexes for linking the sources' records of one work. */
  "CREATE INDEX works_doi ON works (doi, source, source_id) WHERE doi IS NOT NULL;"
  "CREATE INDEX works_title ON works (title_key, source, source_id, doi)"
  " WHERE title_key IS NOT NULL;"
  "CREATE TABLE authorships ("
  "  work_key INTEGER NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  author_position TEXT, author_id TEXT, author_name TEXT,"
  "  raw_affiliations TEXT,"                     /* JSON array of strings */
  "  countries TEXT NOT NULL DEFAULT '',"       /* as the source gives them */
  "  inferred_countries TEXT NOT NULL DEFAULT ''," /* found by copub's normaliser */
  "  institutions TEXT,"     /* JSON: [{id, ror, name, country, type, lineage}] */
  "  PRIMARY KEY (work_key, position)) WITHOUT ROWID;"
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;",

  /* 2: harvest state (resumable API fetches) and the history of runs. */
  "CREATE TABLE harvest_slices ("
  "  harvest TEXT NOT NULL,"          /* what is harvested: source and query */
  "  slice TEXT NOT NULL,"            /* one part of it, fetched on its own (a year) */
  "  cursor TEXT,"                    /* where to resume; NULL when done */
  "  done INTEGER NOT NULL DEFAULT 0,"
  "  pages INTEGER NOT NULL DEFAULT 0,"
  "  works INTEGER NOT NULL DEFAULT 0,"
  "  expected INTEGER,"               /* the API's count for the slice */
  "  started_at TEXT, updated_at TEXT,"
  "  PRIMARY KEY (harvest, slice)) WITHOUT ROWID;"
  "CREATE TABLE runs ("
  "  run_id INTEGER PRIMARY KEY,"
  "  started_at TEXT NOT NULL, finished_at TEXT,"
  "  status TEXT NOT NULL,"           /* running, ok, failed, killed */
  "  message TEXT,"
  "  works_openalex INTEGER, works_hal INTEGER, works_linked INTEGER,"
  "  headline_from INTEGER, headline_to INTEGER,"
  "  headline_works INTEGER, headline_international INTEGER, headline_share REAL,"
  "  headline_low REAL, headline_high REAL, coverage REAL);"
  "CREATE TABLE hal_structures ("     /* the HAL structure referential, as looked up */
  "  id TEXT PRIMARY KEY,"            /* "struct-413289" */
  "  record TEXT NOT NULL,"           /* the /ref/structure doc, as JSON */
  "  fetched_at TEXT NOT NULL) WITHOUT ROWID;",

  /* 3: the institutions the works cite, one row each, in place of a row per authorship:
   * the raw records hold the authorships, and the works table what analyses read. */
  "CREATE TABLE institutions ("
  "  id TEXT PRIMARY KEY,"            /* OpenAlex "I27837315", HAL "struct-413289" */
  "  ror TEXT, name TEXT, country TEXT, type TEXT) WITHOUT ROWID;"
  "INSERT OR IGNORE INTO institutions (id, ror, name, country, type)"
  "  SELECT json_extract (i.value, '$.id'), json_extract (i.value, '$.ror'),"
  "         json_extract (i.value, '$.name'), json_extract (i.value, '$.country'),"
  "         json_extract (i.value, '$.type')"
  "  FROM authorships a, json_each (a.institutions) i"
  "  WHERE json_extract (i.value, '$.id') IS NOT NULL;"
  "DROP TABLE authorships;",

  /* 4: when each work was last received from its source (stored_at moves only when the
   * record changes; a record received again unchanged is still fresh), and the sources'
   * own counts per year, taken after a harvest, for the completeness check. A store from
   * before knows only when each record was last written: the best lower bound. */
  "ALTER TABLE works ADD COLUMN fetched_at TEXT;"
  "UPDATE works SET fetched_at = stored_at;"
  "CREATE TABLE source_counts ("
  "  source TEXT NOT NULL,"           /* "openalex", "hal" */
  "  year INTEGER NOT NULL,"
  "  count INTEGER NOT NULL,"         /* the source's count of the harvest's filter */
  "  types TEXT,"                     /* the types the harvest asked for, ','-separated,
                                       * NULL: every type */
  "  counted_at TEXT NOT NULL,"
  "  PRIMARY KEY (source, year)) WITHOUT ROWID;",

  /* 5: which OpenAlex institutions each cited ROR id belongs to, per work ("ROR>ID": the
   * institution's own id and its lineage), so that the home institution's units are
   * known through OpenAlex's lineage where the registry does not hold them. Filled from
   * the raw OpenAlex records; HAL's structures name no OpenAlex id. */
  "ALTER TABLE works ADD COLUMN unit_lineages TEXT NOT NULL DEFAULT '';"
  "UPDATE works SET unit_lineages = coalesce (("
  "  SELECT group_concat (pair, ' ') FROM (SELECT DISTINCT pair FROM ("
  "    SELECT replace (json_extract (i.value, '$.ror'), 'https://ror.org/', '') || '>'"
  "           || replace (l.value, 'https://openalex.org/', '') AS pair"
  "    FROM work_records r, json_each (CAST (r.raw AS TEXT), '$.authorships') a,"
  "         json_each (a.value, '$.institutions') i,"
  "         json_each (json_array (json_extract (i.value, '$.id'))) l"
  "    WHERE r.work_key = works.work_key AND json_extract (i.value, '$.ror') IS NOT NULL"
  "    UNION ALL"
  "    SELECT replace (json_extract (i.value, '$.ror'), 'https://ror.org/', '') || '>'"
  "           || replace (l.value, 'https://openalex.org/', '')"
  "    FROM work_records r, json_each (CAST (r.raw AS TEXT), '$.authorships') a,"
  "         json_each (a.value, '$.institutions') i, json_each (i.value, '$.lineage') l"
  "    WHERE r.work_key = works.work_key AND json_extract (i.value, '$.ror') IS NOT NULL)"
  "  WHERE pair GLOB '*>I[0-9]*' AND NOT pair GLOB '*>I*[^0-9]*' ORDER BY pair)), '')"
  " WHERE source = 'openalex' AND EXISTS (SELECT 1 FROM work_records r"
  "  WHERE r.work_key = works.work_key AND json_valid (CAST (r.raw AS TEXT)));",
};

enum {
  STMT_LOOKUP,
  STMT_INSERT_WORK,
  STMT_UPDATE_WORK,
  STMT_PUT_INSTITUTION,
  STMT_PUT_RECORD,
  STMT_TOUCH_WORK,
  N_STMTS
};

static const char *const statement_sql[N_STMTS] = {
  [STMT_LOOKUP] = "SELECT work_key, raw_hash, raw_size FROM works"
                  " WHERE source = ?1 AND source_id = ?2",
  [STMT_INSERT_WORK] =
    "INSERT INTO works (source, source_id, doi, title, year, type, is_retracted, is_paratext,"
    " is_authors_truncated, is_synthetic, topic_id, topic_name, subfield_id, subfield_name,"
    " field_id, field_name, domain_id, domain_name, countries, n_authorships, n_known,"
    " raw_hash, raw_size, stored_at, auth_countries, institutions, n_inferred, title_key,"
    " fetched_at, unit_lineages)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?28, ?29, ?24, ?30)",
  [STMT_UPDATE_WORK] =
    "UPDATE works SET source = ?1, source_id = ?2, doi = ?3, title = ?4, year = ?5,"
    " type = ?6, is_retracted = ?7, is_paratext = ?8, is_authors_truncated = ?9,"
    " is_synthetic = ?10, topic_id = ?11, topic_name = ?12, subfield_id = ?13,"
    " subfield_name = ?14, field_id = ?15, field_name = ?16, domain_id = ?17,"
    " domain_name = ?18, countries = ?19, n_authorships = ?20, n_known = ?21,"
    " raw_hash = ?22, raw_size = ?23, stored_at = ?24, auth_countries = ?25, institutions = ?26,"
    " n_inferred = ?28, title_key = ?29, fetched_at = ?24, unit_lineages = ?30"
    " WHERE work_key = ?27",
  [STMT_PUT_RECORD] = "INSERT OR REPLACE INTO work_records (work_key, raw) VALUES (?1, ?2)",
  [STMT_TOUCH_WORK] = "UPDATE works SET fetched_at = ?3 WHERE source = ?1 AND source_id = ?2",
  [STMT_PUT_INSTITUTION] =
    "INSERT INTO institutions (id, ror, name, country, type) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (id) DO UPDATE SET ror = coalesce (excluded.ror, ror),"
    " name = coalesce (excluded.name, name), country = coalesce (excluded.country, country),"
    " type = coalesce (excluded.type, type)",
};

struct CopubStore {
  sqlite3 *db;
  char *path;
  sqlite3_stmt *stmts[N_STMTS];
  char *now; /* timestamp of the open transaction */
  GHashTable *institutions_put; /* ids written in the open transaction */
  char *loading;  /* the temporary file of a store being loaded (open_for_load), or NULL */
};

static gboolean
db_error (CopubStore *store, GError **error, const char *what)
{
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB, "store '%s': %s: %s", store->path, what,
               sqlite3_errmsg (store->db));
  return FALSE;
}

static gboolean
exec (CopubStore *store, const char *sql, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB, "store '%s': %s", store->path,
                   message ? message : sqlite3_errmsg (store->db));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* Reads a one-integer PRAGMA. */
static gboolean
pragma_int (CopubStore *store, const char *pragma, int *out, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s", pragma);

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "cannot read the file (not a SQLite database?)");
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return db_error (store, error, pragma);
  *out = sqlite3_column_int (stmt, 0);
  return TRUE;
}

int
copub_store_schema_version (CopubStore *store)
{
  int version = -1;
  pragma_int (store, "user_version", &version, NULL);
  return version;
}

/* Refuses SQLite files that are not copub stores, and stores newer than this build. */
static gboolean
check_identity (CopubStore *store, int version, GError **error)
{
  int app_id = 0, n_tables = 0;

  if (!pragma_int (store, "application_id", &app_id, error))
    return FALSE;
  if (version == 0 && app_id == 0)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      sqlite3_prepare_v2 (store->db, "SELECT count(*) FROM sqlite_schema", -1, &stmt, NULL);
      if (stmt && sqlite3_step (stmt) == SQLITE_ROW)
        n_tables = sqlite3_column_int (stmt, 0);
      if (n_tables == 0)
        return TRUE; /* a new, empty file */
    }
  if (app_id != COPUB_APPLICATION_ID)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB,
                   "store '%s': this SQLite file is not a copub store", store->path);
      return FALSE;
    }
  if (version > COPUB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB,
                   "store '%s': schema version %d is newer than this copub (%d): upgrade copub",
                   store->path, version, COPUB_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (CopubStore *store, GError **error)
{
  int version = 0;

  if (!pragma_int (store, "user_version", &version, error)
      || !check_identity (store, version, error))
    return FALSE;
  for (int v = version; v < COPUB_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d;"
                                               " PRAGMA application_id = %d;",
                                               v + 1, COPUB_APPLICATION_ID);
      if (!exec (store, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (store, migrations[v], error) || !exec (store, bump, error))
        {
          g_prefix_error (error, "migrating to schema %d: ", v + 1);
          copub_store_rollback (store);
          return FALSE;
        }
      if (!exec (store, "COMMIT", error))
        return FALSE;
      g_debug ("store '%s': migrated to schema %d", store->path, v + 1);
    }
  return TRUE;
}

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == COPUB_STORE_SCHEMA_VERSION);

/* 16 KiB pages: a work's raw record mostly fits in one, and the writer makes four times
 * fewer write calls than with 4 KiB pages, while index lookups stay cheap. Only a new
 * file takes the size. Reads go through a memory map. */
#define STORE_MMAP_PRAGMA "PRAGMA mmap_size = 4294967296;"
#define STORE_PRAGMAS "PRAGMA page_size = 16384; " STORE_MMAP_PRAGMA \
                      " PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"
/* Stores in use: WAL, so that readers never wait for the writer. */
#define SHARED_PRAGMAS "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
/* A store being loaded, which nobody else sees: pages written once, no journal on disk,
 * no sync before copub_store_publish() (a failure deletes the file). Its pages are mostly
 * written once and not read again: a cache of 16 MiB holds the indexes, and the 48 MiB
 * more would only be fresh memory to fault in (a third of a first import's page
 * faults). */
#define LOADING_PRAGMAS "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;" \
                        " PRAGMA cache_size = -16384;"

/* Opens the SQLite file @file for the store called @path with @pragmas, migrated. */
static gboolean
open_file (CopubStore *store, const char *file, const char *pragmas, GError **error)
{
  int rc = sqlite3_open_v2 (file, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            NULL);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB, "store '%s': cannot open: %s",
                   store->path, store->db ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  sqlite3_extended_result_codes (store->db, 1);
  /* Another process (the nightly run) may hold the write lock for a while. */
  sqlite3_busy_timeout (store->db, 30000);
  if (!exec (store, STORE_PRAGMAS, error) || !exec (store, pragmas, error)
      || !migrate (store, error))
    return FALSE;
  for (int i = 0; i < N_STMTS; i++)
    if (sqlite3_prepare_v3 (store->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &store->stmts[i], NULL) != SQLITE_OK)
      return db_error (store, error, "preparing a statement");
  return TRUE;
}

static CopubStore *
store_new (const char *path)
{
  CopubStore *store = g_new0 (CopubStore, 1);

  store->path = g_strdup (path);
  store->institutions_put = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return store;
}

CopubStore *
copub_store_open (const char *path, GError **error)
{
  g_autoptr(CopubStore) store = store_new (path);

  if (!open_file (store, path, SHARED_PRAGMAS, error))
    return NULL;
  return g_steal_pointer (&store);
}

/* Closes the SQLite handle and its statements. */
static void
close_db (CopubStore *store)
{
  for (int i = 0; i < N_STMTS; i++)
    g_clear_pointer (&store->stmts[i], sqlite3_finalize);
  g_clear_pointer (&store->db, sqlite3_close);
}

int
copub_store_lock (const char *path, const char *what, GError **error)
{
  g_autofree char *lock = g_strdup_printf ("%s.lock", path);
  g_autofree char *pid = g_strdup_printf ("%ld\n", (long) getpid ());
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  g_mkdir_with_parents (dir, 0755);
  fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot create the lock '%s': %s",
                   lock, g_strerror (saved));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      char holder[32] = "";
      ssize_t n = pread (fd, holder, sizeof holder - 1, 0);
      holder[n > 0 ? n : 0] = '\0';
      g_strstrip (holder);
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_LOCKED,
                   "another copub process (pid %s) holds the lock '%s': not starting %s",
                   *holder ? holder : "unknown", lock, what);
      close (fd);
      return -1;
    }
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, strlen (pid), 0) < 0)
    g_debug ("could not write the pid into '%s'", lock);
  return fd;
}

/* TRUE when no process has the id @pid (one of another user still counts as alive). */
static gboolean
process_gone (long pid)
{
  return pid > 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* The pid in the name "PID-XXXXXX" that follows ".loading-", or 0. */
static long
loading_pid (const char *rest)
{
  char *end = NULL;
  long pid = strtol (rest, &end, 10);

  return end != rest && *end == '-' && strlen (end + 1) == 6 ? pid : 0;
}

void
copub_store_remove_stale (const char *path, const CopubCallbacks *callbacks)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".loading-", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *file = NULL, *journal = NULL;
      long pid;
      if (!g_str_has_prefix (name, prefix) || g_str_has_suffix (name, "-journal"))
        continue;
      file = g_build_filename (dir, name, NULL);
      pid = loading_pid (name + strlen (prefix));
      if (pid == 0)
        {
          copub_note (callbacks, COPUB_NOTE_MESSAGE, "'%s' was left by an import of an older "
                      "copub: remove it if no import is running", file);
          continue;
        }
      if (!process_gone (pid))
        continue;
      journal = g_strconcat (file, "-journal", NULL);
      g_unlink (journal);
      if (g_unlink (file) == 0)
        copub_note (callbacks, COPUB_NOTE_MESSAGE,
                    "removed '%s', left by an import that was killed (pid %ld)", file, pid);
    }
}

gint64
copub_store_mark_killed_runs (CopubStore *store, GError **error)
{
  if (!exec (store, "UPDATE runs SET status = 'killed', message = 'the run ended without"
                    " finishing: its process was killed' WHERE status = 'running'", error))
    return -1;
  return sqlite3_changes64 (store->db);
}

CopubStore *
copub_store_open_for_load (const char *path, const CopubCallbacks *callbacks, GError **error)
{
  g_autoptr(CopubStore) store = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *template = g_strdup_printf ("%s.loading-%ld-XXXXXX", path,
                                               (long) getpid ());
  int fd;

  copub_store_remove_stale (path, callbacks);
  if (g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (wal, G_FILE_TEST_EXISTS))
    return copub_store_open (path, error);
  store = store_new (path);
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB, "store '%s': cannot create '%s': %s",
                   path, template, g_strerror (saved));
      return NULL;
    }
  close (fd);
  store->loading = g_steal_pointer (&template);
  if (!open_file (store, store->loading, LOADING_PRAGMAS, error))
    return NULL;
  return g_steal_pointer (&store);
}

static gboolean
sync_path (const char *path, int flags)
{
  int fd = g_open (path, flags | O_CLOEXEC, 0);
  gboolean ok = fd >= 0 && fsync (fd) == 0;

  if (fd >= 0)
    close (fd);
  return ok;
}

/* Moves @from to @to unless something is at @to: link() and unlink() where the file
 * system has hard links, else rename() after a last look. */
static gboolean
put_in_place (const char *from, const char *to)
{
  if (link (from, to) == 0)
    return TRUE;
  if (errno == EEXIST)
    return FALSE;
  if (g_file_test (to, G_FILE_TEST_EXISTS))
    {
      errno = EEXIST;
      return FALSE;
    }
  return g_rename (from, to) == 0;
}

gboolean
copub_store_publish (CopubStore *store, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *loading = NULL;

  if (store->loading == NULL)
    return TRUE;
  /* The file takes the WAL mode of stores in use; then it goes to disk, then in place.
   * link() fails rather than replace a store another process made meanwhile. */
  if (!exec (store, "PRAGMA journal_mode = WAL;", error))
    return FALSE;
  close_db (store);
  loading = g_steal_pointer (&store->loading);
  dir = g_path_get_dirname (store->path);
  if (!sync_path (loading, O_RDONLY) || !put_in_place (loading, store->path))
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_DB, "store '%s': cannot put the loaded"
                   " store in place: %s", store->path, g_strerror (saved));
      g_unlink (loading);
      return FALSE;
    }
  g_unlink (loading);
  sync_path (dir, O_RDONLY | O_DIRECTORY);
  return open_file (store, store->path, SHARED_PRAGMAS, error);
}

void
copub_store_free (CopubStore *store)
{
  if (store == NULL)
    return;
  close_db (store);
  if (store->loading)
    {
      /* Never published: the store was not there before, and is not there after. */
      g_autofree char *journal = g_strconcat (store->loading, "-journal", NULL);
      g_unlink (store->loading);
      g_unlink (journal);
      g_free (store->loading);
    }
  g_free (store->now);
  g_free (store->path);
  g_clear_pointer (&store->institutions_put, g_hash_table_unref);
  g_free (store);
}

const char *
copub_store_path (const CopubStore *store)
{
  return store->path;
}

gboolean
copub_store_begin (CopubStore *store, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_free (store->now);
  store->now = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_hash_table_remove_all (store->institutions_put);
  return exec (store, "BEGIN IMMEDIATE", error);
}

gboolean
copub_store_commit (CopubStore *store, GError **error)
{
  return exec (store, "COMMIT", error);
}

void
copub_store_rollback (CopubStore *store)
{
  g_hash_table_remove_all (store->institutions_put);
  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
copub_store_savepoint (CopubStore *store, GError **error)
{
  return exec (store, "SAVEPOINT copub_file", error);
}

gboolean
copub_store_release (CopubStore *store, GError **error)
{
  return exec (store, "RELEASE copub_file", error);
}

gboolean
copub_store_rollback_to_savepoint (CopubStore *store, GError **error)
{
  g_hash_table_remove_all (store->institutions_put);
  return exec (store, "ROLLBACK TO copub_file; RELEASE copub_file", error);
}

/* ---- the work upsert ------------------------------------------------------------ */

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
step_done (CopubStore *store, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return db_error (store, error, "writing");
  return TRUE;
}

/* ---- preparing a work: everything derived, computed off the writer's thread --------- */

struct CopubPreparedWork {
  const CopubWork *work;  /* borrowed */
  gint64 hash;
  gsize raw_len;          /* of the record as given, before compression */
  GBytes *stored_raw;     /* what the raw column holds */
  char *countries;
  char *auth_countries;
  char *institutions;
  char *unit_lineages;
  char *title_key;
  int n_known;
  int n_inferred;
};

CopubPreparedWork *
copub_store_prepare_work (const CopubWork *w)
{
  CopubPreparedWork *p = g_new0 (CopubPreparedWork, 1);
  gconstpointer raw = w->raw ? g_bytes_get_data (w->raw, &p->raw_len) : NULL;

  p->work = w;
  p->auth_countries = copub_work_authorship_countries (w);
  /* The hash covers what copub derives too (countries its normaliser found), so a
   * better normaliser updates works whose record did not change. */
  /* ISA-L's CRC-32 is zlib's (the same polynomial, start and chaining; the stored hashes
   * stay valid), at a fraction of its cost on records of kilobytes. */
  p->hash = (gint64) crc32_gzip_refl (crc32_gzip_refl (0, raw, p->raw_len),
                                      (const unsigned char *) p->auth_countries,
                                      strlen (p->auth_countries));
  p->stored_raw = w->raw ? g_bytes_ref (w->raw) : g_bytes_new_static ("", 0);
  p->countries = copub_work_countries (w);
  p->institutions = copub_work_institutions (w);
  p->unit_lineages = copub_work_unit_lineages (w);
  p->title_key = copub_work_title_key (w);
  for (guint i = 0; i < w->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (w->authorships, i);
      p->n_known += a->countries->len > 0 || a->inferred->len > 0;
      p->n_inferred += a->countries->len == 0 && a->inferred->len > 0;
    }
  return p;
}

void
copub_prepared_work_free (CopubPreparedWork *p)
{
  if (p == NULL)
    return;
  g_bytes_unref (p->stored_raw);
  g_free (p->countries);
  g_free (p->auth_countries);
  g_free (p->institutions);
  g_free (p->unit_lineages);
  g_free (p->title_key);
  g_free (p);
}

/* ---- the work upsert ------------------------------------------------------------------- */

static void
bind_work (CopubStore *store, sqlite3_stmt *stmt, const CopubPreparedWork *p)
{
  const CopubWork *w = p->work;
  gsize raw_len = g_bytes_get_size (p->stored_raw);

  bind_text (stmt, 1, copub_source_name (w->source));
  bind_text (stmt, 2, w->id);
  bind_text (stmt, 3, w->doi);
  bind_text (stmt, 4, w->title);
  if (w->year > 0)
    sqlite3_bind_int (stmt, 5, w->year);
  else
    sqlite3_bind_null (stmt, 5);
  bind_text (stmt, 6, w->type);
  sqlite3_bind_int (stmt, 7, w->is_retracted);
  sqlite3_bind_int (stmt, 8, w->is_paratext);
  sqlite3_bind_int (stmt, 9, w->is_authors_truncated);
  sqlite3_bind_int (stmt, 10, w->is_synthetic);
  bind_text (stmt, 11, w->topic.id);
  bind_text (stmt, 12, w->topic.name);
  bind_text (stmt, 13, w->subfield.id);
  bind_text (stmt, 14, w->subfield.name);
  bind_text (stmt, 15, w->field.id);
  bind_text (stmt, 16, w->field.name);
  bind_text (stmt, 17, w->domain.id);
  bind_text (stmt, 18, w->domain.name);
  bind_text (stmt, 19, p->countries);
  sqlite3_bind_int (stmt, 20, (int) w->authorships->len);
  sqlite3_bind_int (stmt, 21, p->n_known);
  sqlite3_bind_int64 (stmt, 22, p->hash);
  sqlite3_bind_int64 (stmt, 23, (gint64) raw_len);
  bind_text (stmt, 24, store->now);
  bind_text (stmt, 25, p->auth_countries);
  bind_text (stmt, 26, p->institutions);
  sqlite3_bind_int (stmt, 28, p->n_inferred);
  bind_text (stmt, 29, p->title_key);
  bind_text (stmt, 30, p->unit_lineages);
}

/* The work's institutions not yet written in this transaction. */
static gboolean
put_institutions (CopubStore *store, const CopubWork *work, GError **error)
{
  sqlite3_stmt *stmt = store->stmts[STMT_PUT_INSTITUTION];

  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      for (guint j = 0; j < a->institutions->len; j++)
        {
          const CopubInstitution *inst = g_ptr_array_index (a->institutions, j);
          if (inst->id == NULL || g_hash_table_contains (store->institutions_put, inst->id))
            continue;
          bind_text (stmt, 1, inst->id);
          bind_text (stmt, 2, inst->ror);
          bind_text (stmt, 3, inst->name);
          bind_text (stmt, 4, inst->country);
          bind_text (stmt, 5, inst->type);
          if (!step_done (store, stmt, error))
            return FALSE;
          g_hash_table_add (store->institutions_put, g_strdup (inst->id));
        }
    }
  return TRUE;
}

static gboolean
put_record (CopubStore *store, gint64 key, const CopubPreparedWork *p, GError **error)
{
  sqlite3_stmt *stmt = store->stmts[STMT_PUT_RECORD];
  gsize len;
  gconstpointer raw = g_bytes_get_data (p->stored_raw, &len);

  sqlite3_bind_int64 (stmt, 1, key);
  sqlite3_bind_blob64 (stmt, 2, raw ? raw : "", len, SQLITE_STATIC);
  return step_done (store, stmt, error);
}

/* Finds the stored work: its key, raw hash and raw length; FALSE when absent. */
static gboolean
lookup (CopubStore *store, const CopubWork *work, gint64 *key, gint64 *hash, gint64 *len)
{
  sqlite3_stmt *stmt = store->stmts[STMT_LOOKUP];
  gboolean found;

  bind_text (stmt, 1, copub_source_name (work->source));
  bind_text (stmt, 2, work->id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  if (found)
    {
      *key = sqlite3_column_int64 (stmt, 0);
      *hash = sqlite3_column_int64 (stmt, 1);
      *len = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return found;
}

gboolean
copub_store_put_prepared (CopubStore *store, const CopubPreparedWork *p,
                          CopubPutResult *out_result, GError **error)
{
  gint64 key = 0, old_hash = 0, old_len = 0;
  gboolean exists;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (p->work->id != NULL, FALSE);
  g_return_val_if_fail (!sqlite3_get_autocommit (store->db), FALSE);
  exists = lookup (store, p->work, &key, &old_hash, &old_len);
  if (exists && old_hash == p->hash && old_len == (gint64) g_bytes_get_size (p->stored_raw))
    {
      if (out_result)
        *out_result = COPUB_PUT_UNCHANGED;
      return TRUE;
    }
  stmt = store->stmts[exists ? STMT_UPDATE_WORK : STMT_INSERT_WORK];
  bind_work (store, stmt, p);
  if (exists)
    sqlite3_bind_int64 (stmt, 27, key);
  if (!step_done (store, stmt, error))
    return FALSE;
  if (!exists)
    key = sqlite3_last_insert_rowid (store->db);
  if (!put_record (store, key, p, error) || !put_institutions (store, p->work, error))
    return FALSE;
  if (out_result)
    *out_result = exists ? COPUB_PUT_UPDATED : COPUB_PUT_INSERTED;
  return TRUE;
}

gboolean
copub_store_put_work (CopubStore *store, const CopubWork *work, CopubPutResult *out_result,
                      GError **error)
{
  CopubPreparedWork *p = copub_store_prepare_work (work);
  gboolean ok = copub_store_put_prepared (store, p, out_result, error);

  copub_prepared_work_free (p);
  return ok;
}

gboolean
copub_store_touch_work (CopubStore *store, const CopubWork *work, GError **error)
{
  sqlite3_stmt *stmt = store->stmts[STMT_TOUCH_WORK];

  g_return_val_if_fail (!sqlite3_get_autocommit (store->db), FALSE);
  bind_text (stmt, 1, copub_source_name (work->source));
  bind_text (stmt, 2, work->id);
  bind_text (stmt, 3, store->now);
  return step_done (store, stmt, error);
}

/* ---- reading -------------------------------------------------------------------- */

gint64
copub_store_count_works (CopubStore *store, const char *source, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (store->db,
                          "SELECT count(*) FROM works WHERE ?1 IS NULL OR source = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "counting works"), -1;
  bind_text (stmt, 1, source);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return db_error (store, error, "counting works"), -1;
  return sqlite3_column_int64 (stmt, 0);
}

static const char *
column_text (sqlite3_stmt *stmt, int i)
{
  return (const char *) sqlite3_column_text (stmt, i);
}

void
copub_source_stats_free (CopubSourceStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->source);
  g_free (stats->first_stored);
  g_free (stats->last_stored);
  g_free (stats);
}

GPtrArray *
copub_store_source_stats (CopubStore *store, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out =
      g_ptr_array_new_with_free_func ((GDestroyNotify) copub_source_stats_free);
  int rc;

  if (sqlite3_prepare_v2 (store->db,
                          "SELECT source, count(*), min(stored_at), max(stored_at) FROM works"
                          " GROUP BY source ORDER BY source", -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "reading sources"), NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CopubSourceStats *st = g_new0 (CopubSourceStats, 1);
      st->source = g_strdup (column_text (stmt, 0));
      st->works = sqlite3_column_int64 (stmt, 1);
      st->first_stored = g_strdup (column_text (stmt, 2));
      st->last_stored = g_strdup (column_text (stmt, 3));
      g_ptr_array_add (out, st);
    }
  if (rc != SQLITE_DONE)
    return db_error (store, error, "reading sources"), NULL;
  return g_steal_pointer (&out);
}

gboolean
copub_store_foreach_institution_row (CopubStore *store, CopubInstitutionRowFunc func,
                                     gpointer user_data, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (store->db, "SELECT id, ror, name, country FROM institutions", -1,
                          &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "reading institutions");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func (column_text (stmt, 0), column_text (stmt, 1), column_text (stmt, 2),
          column_text (stmt, 3), user_data);
  if (rc != SQLITE_DONE)
    return db_error (store, error, "reading institutions");
  return TRUE;
}

typedef struct {
  CopubInstitutionFunc func;
  gpointer user_data;
} InstitutionClosure;

static void
institution_without_country (const char *id, const char *ror, const char *name,
                             const char *country, gpointer user_data)
{
  InstitutionClosure *c = user_data;
  (void) country;
  c->func (id, ror, name, c->user_data);
}

gboolean
copub_store_foreach_institution (CopubStore *store, CopubInstitutionFunc func,
                                 gpointer user_data, GError **error)
{
  InstitutionClosure c = { func, user_data };

  return copub_store_foreach_institution_row (store, institution_without_country, &c, error);
}

/* The buffers a summary's arrays are decoded into, reused from one work to the next so
 * that a scan of the store allocates nothing per work once they have grown: each text
 * column is copied, its separators become NULs, and the arrays point into the copy. */
typedef struct {
  GString *countries_text;
  GString *auth_text;
  GString *institutions_text;
  GString *units_text;
  GPtrArray *countries;    /* room for the pointers into countries_text */
  GPtrArray *auth_codes;   /* every authorship's codes, each list NULL-terminated */
  GPtrArray *institutions;
  GPtrArray *units;
  GArray *authorships;     /* CopubAuthorshipCountries, pointing into auth_codes */
} SummaryBuffers;

static void
summary_buffers_init (SummaryBuffers *b)
{
  b->countries_text = g_string_new (NULL);
  b->auth_text = g_string_new (NULL);
  b->institutions_text = g_string_new (NULL);
  b->units_text = g_string_new (NULL);
  b->units = g_ptr_array_new ();
  b->countries = g_ptr_array_new ();
  b->auth_codes = g_ptr_array_new ();
  b->institutions = g_ptr_array_new ();
  b->authorships = g_array_new (FALSE, FALSE, sizeof (CopubAuthorshipCountries));
}

static void
summary_buffers_clear (SummaryBuffers *b)
{
  g_string_free (b->countries_text, TRUE);
  g_string_free (b->auth_text, TRUE);
  g_string_free (b->institutions_text, TRUE);
  g_string_free (b->units_text, TRUE);
  g_ptr_array_unref (b->units);
  g_ptr_array_unref (b->countries);
  g_ptr_array_unref (b->auth_codes);
  g_ptr_array_unref (b->institutions);
  g_array_unref (b->authorships);
}

/* Copies column @i of @stmt into @buf; returns the copy, which the caller may cut up. */
static char *
column_copy (sqlite3_stmt *stmt, int i, GString *buf)
{
  const char *text = column_text (stmt, i);

  g_string_truncate (buf, 0);
  if (text)
    g_string_append_len (buf, text, sqlite3_column_bytes (stmt, i));
  return buf->str;
}

/* Room for @n pointers in @room (which never shrinks): its storage does not move while
 * it is filled. */
static const char **
pointer_room (GPtrArray *room, gsize n)
{
  if (room->len < n)
    g_ptr_array_set_size (room, (guint) n);
  return (const char **) room->pdata;
}

/* Cuts @text at @sep into its non-empty parts (without a leading '~' when @strip_mark),
 * stored in @out as pointers into @text; returns how many. @out has room for
 * strlen (@text) + 1 of them. */
static guint
split_in_place (char *text, char sep, gboolean strip_mark, const char **out)
{
  guint n = 0;

  for (char *p = text;;)
    {
      char *end = strchr (p, sep);
      if (end)
        *end = '\0';
      if (strip_mark && *p == '~')
        p++;
      if (*p)
        out[n++] = p;
      if (end == NULL)
        return n;
      p = end + 1;
    }
}

/* Column @i of @stmt cut at @sep into a NULL-terminated array: the parts in @text, the
 * pointers in @room. */
static const char *const *
decode_list (sqlite3_stmt *stmt, int i, char sep, GString *text, GPtrArray *room)
{
  char *copy = column_copy (stmt, i, text);
  const char **out = pointer_room (room, text->len + 2);

  out[split_in_place (copy, sep, FALSE, out)] = NULL;
  return out;
}

/* The per-authorship countries of column @i: "FR;FR,US;;~DE" is four authorships (the
 * third without a country; '~': inferred by copub's normaliser), "" none. */
static void
decode_authorships (SummaryBuffers *b, sqlite3_stmt *stmt, int i)
{
  char *p = column_copy (stmt, i, b->auth_text);
  /* At most one code per character, and one NULL per authorship. */
  const char **codes = pointer_room (b->auth_codes, 2 * b->auth_text->len + 2);
  guint k = 0;

  g_array_set_size (b->authorships, 0);
  if (*p == '\0')
    return;
  for (;;)
    {
      char *end = strchr (p, ';');
      CopubAuthorshipCountries auth = { codes + k, *p == '~' };
      if (end)
        *end = '\0';
      k += split_in_place (p, ',', TRUE, codes + k);
      codes[k++] = NULL;
      g_array_append_val (b->authorships, auth);
      if (end == NULL)
        return;
      p = end + 1;
    }
}

/* The summary scan reads the works table once, from end to end. Through the memory map
 * every page it touches would stay in the process's resident set (a million works:
 * 800 MB); through SQLite's own page cache, bounded and recycled, the pages are read
 * with pread() for as little CPU. The map is back for the reads that follow. */
#define SCAN_PRAGMAS "PRAGMA mmap_size = 0;"

/* Steps @stmt, the summary query, calling @func for each row. */
static gboolean
read_summaries (CopubStore *store, sqlite3_stmt *stmt, CopubSummaryFunc func,
                gpointer user_data, GError **error)
{
  SummaryBuffers b;
  gboolean ok = TRUE;
  int rc;

  summary_buffers_init (&b);
  while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CopubWorkSummary s = {
        .source = column_text (stmt, 0),
        .id = column_text (stmt, 1),
        .year = sqlite3_column_int (stmt, 2),
        .type = column_text (stmt, 3),
        .is_retracted = sqlite3_column_int (stmt, 4),
        .is_paratext = sqlite3_column_int (stmt, 5),
        .is_synthetic = sqlite3_column_int (stmt, 6),
        .countries = decode_list (stmt, 7, ',', b.countries_text, b.countries),
        .n_authorships = sqlite3_column_int (stmt, 8),
        .n_known = sqlite3_column_int (stmt, 9),
        .field_id = column_text (stmt, 10),
        .field_name = column_text (stmt, 11),
        .domain_id = column_text (stmt, 12),
        .domain_name = column_text (stmt, 13),
        .institutions = decode_list (stmt, 15, ' ', b.institutions_text, b.institutions),
        .doi = column_text (stmt, 16),
        .title = column_text (stmt, 17),
        .n_inferred = sqlite3_column_int (stmt, 18),
        .unit_lineages = decode_list (stmt, 19, ' ', b.units_text, b.units),
      };
      decode_authorships (&b, stmt, 14);
      s.authorships = (const CopubAuthorshipCountries *) (gpointer) b.authorships->data;
      s.n_authorship_countries = b.authorships->len;
      ok = func (&s, user_data, error);
    }
  summary_buffers_clear (&b);
  if (ok && rc != SQLITE_DONE)
    return db_error (store, error, "reading works");
  return ok;
}

gboolean
copub_store_foreach_summary (CopubStore *store, const CopubSummaryQuery *query,
                             CopubSummaryFunc func, gpointer user_data, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (store->db,
                          "SELECT source, source_id, year, type, is_retracted, is_paratext,"
                          " is_synthetic, countries, n_authorships, n_known, field_id,"
                          " field_name, domain_id, domain_name, auth_countries,"
                          " CASE WHEN ?4 THEN '' ELSE institutions END,"
                          " doi, title, n_inferred,"
                          " CASE WHEN ?4 THEN '' ELSE unit_lineages END FROM works"
                          " WHERE (?1 IS NULL OR source = ?1)"
                          " AND (?2 = 0 OR year >= ?2) AND (?3 = 0 OR year <= ?3)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "reading works");
  bind_text (stmt, 1, query->source);
  sqlite3_bind_int (stmt, 2, query->from);
  sqlite3_bind_int (stmt, 3, query->to);
  sqlite3_bind_int (stmt, 4, query->skip_institutions);
  if (!exec (store, SCAN_PRAGMAS, error))
    return FALSE;
  ok = read_summaries (store, stmt, func, user_data, error);
  g_clear_pointer (&stmt, sqlite3_finalize); /* its read transaction ends with it */
  return exec (store, STORE_MMAP_PRAGMA, ok ? error : NULL) && ok;
}

/* Union-find over record keys ("source\x1fid"). */
static const char *
find_root (GHashTable *parent, const char *key)
{
  const char *p;

  while ((p = g_hash_table_lookup (parent, key)) != NULL && strcmp (p, key) != 0)
    key = p;
  return key;
}

static void
unite (GHashTable *parent, const char *a, const char *b)
{
  const char *ra, *rb;

  if (!g_hash_table_contains (parent, a))
    g_hash_table_insert (parent, g_strdup (a), g_strdup (a));
  if (!g_hash_table_contains (parent, b))
    g_hash_table_insert (parent, g_strdup (b), g_strdup (b));
  ra = find_root (parent, a);
  rb = find_root (parent, b);
  if (strcmp (ra, rb) != 0)
    g_hash_table_replace (parent, g_strdup (rb), g_strdup (ra));
}

/* Whether the store holds a record of @source (answered from the (source, source_id)
 * index). */
static gboolean
holds_source (CopubStore *store, const char *source, gboolean *out, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, "SELECT EXISTS (SELECT 1 FROM works WHERE source = ?1)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "linking sources");
  bind_text (stmt, 1, source);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return db_error (store, error, "linking sources");
  *out = sqlite3_column_int (stmt, 0);
  return TRUE;
}

/* Unites in @parent the pairs of records from different sources: the same DOI, or the
 * same title and year when one of them has no DOI (two DOIs that differ are two works).
 * Both joins are answered from the covering indexes. */
static gboolean
unite_linked (CopubStore *store, GHashTable *parent, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (store->db,
                          "SELECT a.source || char(31) || a.source_id,"
                          " b.source || char(31) || b.source_id"
                          " FROM works a INDEXED BY works_doi"
                          " JOIN works b INDEXED BY works_doi ON b.doi = a.doi"
                          " WHERE a.doi IS NOT NULL AND a.source = 'hal' AND b.source = 'openalex'"
                          " UNION ALL"
                          " SELECT a.source || char(31) || a.source_id,"
                          " b.source || char(31) || b.source_id"
                          " FROM works a INDEXED BY works_title"
                          " JOIN works b INDEXED BY works_title ON b.title_key = a.title_key"
                          " WHERE a.title_key IS NOT NULL AND a.source = 'hal'"
                          " AND b.source = 'openalex' AND (a.doi IS NULL OR b.doi IS NULL)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "linking sources");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    unite (parent, column_text (stmt, 0), column_text (stmt, 1));
  if (rc != SQLITE_DONE)
    return db_error (store, error, "linking sources");
  return TRUE;
}

GHashTable *
copub_store_linked_records (CopubStore *store, GHashTable **out_sizes, GError **error)
{
  g_autoptr(GHashTable) parent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTable *groups, *sizes;
  GHashTableIter it;
  gpointer key;
  gboolean any_hal = FALSE;

  /* With one source only, there is nothing to link. Asked apart: the joins, even with an
   * EXISTS term in them, walk both indexes from end to end (a million works: 0.6 s of CPU
   * and 200 MB of mapped pages). */
  if (!holds_source (store, "hal", &any_hal, error)
      || (any_hal && !unite_linked (store, parent, error)))
    return NULL;

  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&it, parent);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      const char *root = find_root (parent, key);
      g_hash_table_insert (groups, g_strdup (key), g_strdup (root));
      g_hash_table_replace (sizes, g_strdup (root),
                            GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (sizes, root))
                                             + 1));
    }
  *out_sizes = sizes;
  return groups;
}

/* ---- harvest state ---------------------------------------------------------------------- */

void
copub_slice_state_clear (CopubSliceState *state)
{
  g_clear_pointer (&state->cursor, g_free);
  g_clear_pointer (&state->updated_at, g_free);
}

/* ---- metadata and removals ------------------------------------------------------------ */

gboolean
copub_store_get_meta (CopubStore *store, const char *key, char **out_value, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_value = NULL;
  if (sqlite3_prepare_v2 (store->db, "SELECT value FROM meta WHERE key = ?1", -1, &stmt,
                          NULL) != SQLITE_OK)
    return db_error (store, error, "reading the metadata");
  bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_value = g_strdup (column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    return db_error (store, error, "reading the metadata");
  return TRUE;
}

gboolean
copub_store_set_meta (CopubStore *store, const char *key, const char *value, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "writing the metadata");
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (store, error, "writing the metadata");
  return TRUE;
}

gboolean
copub_store_note_xpac (CopubStore *store, gboolean included, gint64 left_out, GError **error)
{
  g_autofree char *before = NULL, *count = NULL;
  const char *now = included ? "included" : "excluded";

  if (!copub_store_get_meta (store, "openalex-xpac", &before, error))
    return FALSE;
  if (before != NULL && strcmp (before, now) != 0)
    now = "mixed";
  if (!copub_store_set_meta (store, "openalex-xpac", now, error))
    return FALSE;
  if (left_out < 0)
    return TRUE;
  count = g_strdup_printf ("%" G_GINT64_FORMAT, left_out);
  return copub_store_set_meta (store, "openalex-xpac-left-out", count, error);
}

gboolean
copub_store_remove_works (CopubStore *store, const char *source, CopubWorkIdPredicate func,
                          gpointer user_data, guint64 *out_removed, GError **error)
{
  g_autoptr(sqlite3_stmt) list = NULL, del_work = NULL, del_raw = NULL;
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  *out_removed = 0;
  if (sqlite3_prepare_v2 (store->db, "SELECT work_key, source_id FROM works WHERE source = ?1",
                          -1, &list, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (store->db, "DELETE FROM works WHERE work_key = ?1", -1,
                             &del_work, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (store->db, "DELETE FROM work_records WHERE work_key = ?1", -1,
                             &del_raw, NULL) != SQLITE_OK)
    return db_error (store, error, "removing works");
  bind_text (list, 1, source);
  while ((rc = sqlite3_step (list)) == SQLITE_ROW)
    if (func (column_text (list, 1), user_data))
      {
        gint64 key = sqlite3_column_int64 (list, 0);
        g_array_append_val (keys, key);
      }
  if (rc != SQLITE_DONE)
    return db_error (store, error, "removing works");
  for (guint i = 0; i < keys->len; i++)
    {
      gint64 key = g_array_index (keys, gint64, i);
      sqlite3_reset (del_work);
      sqlite3_reset (del_raw);
      sqlite3_bind_int64 (del_work, 1, key);
      sqlite3_bind_int64 (del_raw, 1, key);
      if (sqlite3_step (del_work) != SQLITE_DONE || sqlite3_step (del_raw) != SQLITE_DONE)
        return db_error (store, error, "removing works");
    }
  *out_removed = keys->len;
  return TRUE;
}

gboolean
copub_store_get_slice (CopubStore *store, const char *harvest, const char *slice,
                       CopubSliceState *out, gboolean *found, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  memset (out, 0, sizeof *out);
  out->expected = -1;
  *found = FALSE;
  if (sqlite3_prepare_v2 (store->db,
                          "SELECT cursor, done, pages, works, expected, updated_at"
                          " FROM harvest_slices WHERE harvest = ?1 AND slice = ?2",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "reading the harvest state");
  bind_text (stmt, 1, harvest);
  bind_text (stmt, 2, slice);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      out->cursor = g_strdup (column_text (stmt, 0));
      out->done = sqlite3_column_int (stmt, 1);
      out->pages = sqlite3_column_int64 (stmt, 2);
      out->works = sqlite3_column_int64 (stmt, 3);
      out->expected = sqlite3_column_type (stmt, 4) == SQLITE_NULL
                          ? -1 : sqlite3_column_int64 (stmt, 4);
      out->updated_at = g_strdup (column_text (stmt, 5));
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    return db_error (store, error, "reading the harvest state");
  return TRUE;
}

gboolean
copub_store_put_slice (CopubStore *store, const char *harvest, const char *slice,
                       const CopubSliceState *state, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  if (sqlite3_prepare_v2 (store->db,
                          "INSERT INTO harvest_slices (harvest, slice, cursor, done, pages, works,"
                          " expected, started_at, updated_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
                          " ON CONFLICT (harvest, slice) DO UPDATE SET cursor = ?3, done = ?4,"
                          " pages = ?5, works = ?6, expected = ?7, updated_at = ?8",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "writing the harvest state");
  bind_text (stmt, 1, harvest);
  bind_text (stmt, 2, slice);
  bind_text (stmt, 3, state->cursor);
  sqlite3_bind_int (stmt, 4, state->done);
  sqlite3_bind_int64 (stmt, 5, state->pages);
  sqlite3_bind_int64 (stmt, 6, state->works);
  if (state->expected >= 0)
    sqlite3_bind_int64 (stmt, 7, state->expected);
  else
    sqlite3_bind_null (stmt, 7);
  bind_text (stmt, 8, stamp);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (store, error, "writing the harvest state");
  return TRUE;
}

/* ---- run history ------------------------------------------------------------------------- */

void
copub_run_free (CopubRun *run)
{
  if (run == NULL)
    return;
  g_free (run->started_at);
  g_free (run->finished_at);
  g_free (run->status);
  g_free (run->message);
  g_free (run);
}

static char *
now_stamp (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

gint64
copub_store_begin_run (CopubStore *store, GError **error)
{
  g_autofree char *stamp = now_stamp ();
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (store->db,
                          "INSERT INTO runs (started_at, status) VALUES (?1, 'running')",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "recording the run"), -1;
  bind_text (stmt, 1, stamp);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (store, error, "recording the run"), -1;
  return sqlite3_last_insert_rowid (store->db);
}

static void
bind_real_or_null (sqlite3_stmt *stmt, int i, double v)
{
  if (isfinite (v))
    sqlite3_bind_double (stmt, i, v);
  else
    sqlite3_bind_null (stmt, i);
}

gboolean
copub_store_finish_run (CopubStore *store, const CopubRun *run, GError **error)
{
  g_autofree char *stamp = now_stamp ();
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (store->db,
                          "UPDATE runs SET finished_at = ?2, status = ?3, message = ?4,"
                          " works_openalex = ?5, works_hal = ?6, works_linked = ?7,"
                          " headline_from = ?8, headline_to = ?9, headline_works = ?10,"
                          " headline_international = ?11, headline_share = ?12,"
                          " headline_low = ?13, headline_high = ?14, coverage = ?15"
                          " WHERE run_id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "recording the run");
  sqlite3_bind_int64 (stmt, 1, run->run_id);
  bind_text (stmt, 2, stamp);
  bind_text (stmt, 3, run->status);
  bind_text (stmt, 4, run->message);
  sqlite3_bind_int64 (stmt, 5, run->works_openalex);
  sqlite3_bind_int64 (stmt, 6, run->works_hal);
  sqlite3_bind_int64 (stmt, 7, run->works_linked);
  sqlite3_bind_int (stmt, 8, run->headline_from);
  sqlite3_bind_int (stmt, 9, run->headline_to);
  sqlite3_bind_int64 (stmt, 10, run->headline_works);
  sqlite3_bind_int64 (stmt, 11, run->headline_international);
  bind_real_or_null (stmt, 12, run->headline_share);
  bind_real_or_null (stmt, 13, run->headline_low);
  bind_real_or_null (stmt, 14, run->headline_high);
  bind_real_or_null (stmt, 15, run->coverage);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (store, error, "recording the run");
  return TRUE;
}

GPtrArray *
copub_store_list_runs (CopubStore *store, guint limit, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_run_free);
  int rc;

  if (sqlite3_prepare_v2 (store->db,
                          "SELECT * FROM (SELECT run_id, started_at, finished_at, status, message,"
                          " works_openalex, works_hal, works_linked, headline_from, headline_to,"
                          " headline_works, headline_international, headline_share,"
                          " headline_low, headline_high, coverage FROM runs"
                          " WHERE status != 'running' ORDER BY run_id DESC"
                          " LIMIT ?1) ORDER BY run_id", -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "reading runs"), NULL;
  sqlite3_bind_int64 (stmt, 1, limit ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CopubRun *r = g_new0 (CopubRun, 1);
      r->run_id = sqlite3_column_int64 (stmt, 0);
      r->started_at = g_strdup (column_text (stmt, 1));
      r->finished_at = g_strdup (column_text (stmt, 2));
      r->status = g_strdup (column_text (stmt, 3));
      r->message = g_strdup (column_text (stmt, 4));
      r->works_openalex = sqlite3_column_int64 (stmt, 5);
      r->works_hal = sqlite3_column_int64 (stmt, 6);
      r->works_linked = sqlite3_column_int64 (stmt, 7);
      r->headline_from = sqlite3_column_int (stmt, 8);
      r->headline_to = sqlite3_column_int (stmt, 9);
      r->headline_works = sqlite3_column_int64 (stmt, 10);
      r->headline_international = sqlite3_column_int64 (stmt, 11);
      r->headline_share = sqlite3_column_type (stmt, 12) == SQLITE_NULL
                              ? NAN : sqlite3_column_double (stmt, 12);
      r->headline_low = sqlite3_column_type (stmt, 13) == SQLITE_NULL
                            ? NAN : sqlite3_column_double (stmt, 13);
      r->headline_high = sqlite3_column_type (stmt, 14) == SQLITE_NULL
                             ? NAN : sqlite3_column_double (stmt, 14);
      r->coverage = sqlite3_column_type (stmt, 15) == SQLITE_NULL
                        ? NAN : sqlite3_column_double (stmt, 15);
      g_ptr_array_add (runs, r);
    }
  if (rc != SQLITE_DONE)
    return db_error (store, error, "reading runs"), NULL;
  return g_steal_pointer (&runs);
}

/* ---- HAL structure cache ------------------------------------------------------------------ */

gboolean
copub_store_get_structure (CopubStore *store, const char *id, char **out_record,
                           gboolean *out_stale, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_record = NULL;
  if (out_stale)
    *out_stale = FALSE;
  if (sqlite3_prepare_v2 (store->db,
                          "SELECT record, fetched_at < strftime ('%Y-%m-%dT%H:%M:%SZ', 'now',"
                          " '-" G_STRINGIFY (COPUB_STRUCTURE_MAX_AGE_DAYS) " days')"
                          " FROM hal_structures WHERE id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "reading structures");
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_record = g_strdup (column_text (stmt, 0));
      if (out_stale)
        *out_stale = sqlite3_column_int (stmt, 1) != 0;
    }
  else if (rc != SQLITE_DONE)
    return db_error (store, error, "reading structures");
  return TRUE;
}

gboolean
copub_store_put_structure (CopubStore *store, const char *id, const char *record,
                           GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *stamp = now_stamp ();

  if (sqlite3_prepare_v2 (store->db,
                          "INSERT OR REPLACE INTO hal_structures (id, record, fetched_at)"
                          " VALUES (?1, ?2, ?3)", -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "writing structures");
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, record);
  bind_text (stmt, 3, stamp);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (store, error, "writing structures");
  return TRUE;
}

/* ---- the sources' own counts ------------------------------------------------------------ */

void
copub_source_count_free (CopubSourceCount *count)
{
  if (count == NULL)
    return;
  g_free (count->source);
  g_free (count->types);
  g_free (count->counted_at);
  g_free (count);
}

/* ",article,review," for a list of types, NULL for every type: the form instr() tests. */
static char *
types_key (const char *const *types)
{
  g_autofree char *joined = NULL;

  if (types == NULL || types[0] == NULL || strcmp (types[0], "all") == 0)
    return NULL;
  joined = g_strjoinv (",", (char **) types);
  return g_strconcat (",", joined, ",", NULL);
}

gboolean
copub_store_put_source_counts (CopubStore *store, const char *source,
                               const char *const *types, int from, int to,
                               const gint64 *counts, GError **error)
{
  g_autoptr(sqlite3_stmt) del = NULL, ins = NULL;
  g_autofree char *stamp = now_stamp ();
  g_autofree char *key = types_key (types);

  g_return_val_if_fail (!sqlite3_get_autocommit (store->db), FALSE);
  if (sqlite3_prepare_v2 (store->db, "DELETE FROM source_counts WHERE source = ?1", -1, &del,
                          NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (store->db, "INSERT INTO source_counts (source, year, count, types,"
                             " counted_at) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &ins, NULL)
             != SQLITE_OK)
    return db_error (store, error, "writing the sources' counts");
  bind_text (del, 1, source);
  if (sqlite3_step (del) != SQLITE_DONE)
    return db_error (store, error, "writing the sources' counts");
  for (int y = from; y <= to; y++)
    {
      bind_text (ins, 1, source);
      sqlite3_bind_int (ins, 2, y);
      sqlite3_bind_int64 (ins, 3, counts[y - from]);
      bind_text (ins, 4, key);
      bind_text (ins, 5, stamp);
      if (sqlite3_step (ins) != SQLITE_DONE)
        return db_error (store, error, "writing the sources' counts");
      sqlite3_reset (ins);
    }
  return TRUE;
}

GPtrArray *
copub_store_source_counts (CopubStore *store, const char *source, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out =
      g_ptr_array_new_with_free_func ((GDestroyNotify) copub_source_count_free);
  int rc;

  /* What the store holds under the harvest's filter: the source's works of the year, of
   * one of the types the harvest asked for (every type when it asked for all). */
  if (sqlite3_prepare_v2 (store->db,
                          "SELECT c.source, c.year, c.count, c.types, c.counted_at,"
                          " (SELECT count(*) FROM works w WHERE w.source = c.source"
                          "  AND w.year = c.year AND (c.types IS NULL"
                          "  OR instr (c.types, ',' || w.type || ',') > 0))"
                          " FROM source_counts c WHERE ?1 IS NULL OR c.source = ?1"
                          " ORDER BY c.source DESC, c.year", -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "reading the sources' counts"), NULL;
  bind_text (stmt, 1, source);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CopubSourceCount *c = g_new0 (CopubSourceCount, 1);
      const char *types = column_text (stmt, 3);
      c->source = g_strdup (column_text (stmt, 0));
      c->year = sqlite3_column_int (stmt, 1);
      c->counted = sqlite3_column_int64 (stmt, 2);
      /* ",article,review," as stored: "article,review" for people. */
      c->types = types ? g_strndup (types + 1, strlen (types) - 2) : NULL;
      c->counted_at = g_strdup (column_text (stmt, 4));
      c->held = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (out, c);
    }
  if (rc != SQLITE_DONE)
    return db_error (store, error, "reading the sources' counts"), NULL;
  return g_steal_pointer (&out);
}

gboolean
copub_store_count_fetched_before (CopubStore *store, const char *source, const char *date,
                                  int from, int to, const char *const *types,
                                  gint64 *out_count, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *key = types_key (types);

  *out_count = 0;
  /* The corpus's selection (copub_analyse's): a year in the range, neither retracted nor
   * paratext, one of the types. "2026-09-27T23:59:59Z" < "2026-09-28" <
   * "2026-09-28T00:00:00Z": before the day itself. */
  if (sqlite3_prepare_v2 (store->db,
                          "SELECT count(*) FROM works WHERE source = ?1 AND fetched_at < ?2"
                          " AND year > 0 AND (?3 = 0 OR year >= ?3) AND (?4 = 0 OR year <= ?4)"
                          " AND NOT is_retracted AND NOT is_paratext"
                          " AND (?5 IS NULL OR instr (?5, ',' || type || ',') > 0)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (store, error, "counting stale works");
  bind_text (stmt, 1, source);
  bind_text (stmt, 2, date);
  sqlite3_bind_int (stmt, 3, from);
  sqlite3_bind_int (stmt, 4, to);
  bind_text (stmt, 5, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return db_error (store, error, "counting stale works");
  *out_count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}
