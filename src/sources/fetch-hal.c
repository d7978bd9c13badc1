/* copub: the HAL harvest. A structure's or a collection's documents, one year per slice
 * by the year rule (copub/hal-rules.h: production year by default, as HAL's own
 * statistics; plus a slice for documents without that year), without older versions and
 * (by default) annexes, paged with cursorMark
 * through the harvest engine (fetch-private.h). Authors' structures without a country in
 * the record are resolved through the structure referential (/ref/structure), looked up
 * in batches, cached in the store in the same transaction as the page. */
#include <jansson.h>
#include <string.h>

#include "copub/error.h"
#include "copub/fetch.h"
#include "sources/hal.h"
#include "copub/store.h"
#include "sources/fetch-private.h"
#include "sources/completeness.h"
#include "base/notify.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* HAL publishes no request quota: stay polite. */
#define DEFAULT_RATE 5.0
#define DEFAULT_JOBS 2
/* Docs per page. HAL allows 10000, but a page is parsed in memory and retried whole, and
 * a large collaboration's doc (thousands of authors and their structures) weighs
 * hundreds of kilobytes. */
#define DEFAULT_ROWS 200
#define MAX_ROWS 10000
/* Structures per /ref/structure request: the batch size public clients use, which keeps
 * the URL short. */
#define STRUCTURE_BATCH 50
/* Rounds of parent lookups for teams and departments without a country (they take their
 * parents' country). */
#define PARENT_ROUNDS 4
/* The field the harvest slices by, and HAL's counts per year are taken on. */
/* The name of the slice of docs without a publication year. */
#define UNDATED_PREFIX "undated:"

static const CopubHalRules default_rules = COPUB_HAL_RULES_INIT;

/* What copub reads of a /search doc (src/sources/hal.c): ids, type, year by HAL's order of
 * dates, domain, authors with their direct structures, and the structure families whose
 * countries fill the structures when their arrays line up. docid is the cursor's sort
 * key. Not asked: authIdHasStructure_fs (ancestors included; the parser's fallback for
 * answers without authIdHasPrimaryStructure_fs), label_xml (the TEI: far too big). */
static const char search_fields[] =
  "docid,halId_s,doiId_s,title_s,docType_s,docSubType_s,"
  "publicationDateY_i,publicationDate_s,ePublicationDate_s,defenseDate_s,"
  "producedDateY_i,producedDate_s,primaryDomain_s,"
  "authFullName_s,authIdFormPerson_s,authQuality_s,authIdHasPrimaryStructure_fs,"
  "structId_i,structName_s,structType_s,structCountry_s,structValid_s,structRorIdExt_s,"
  "structIdName_fs,structIsChildOf_fs,"
  "labStructId_i,labStructCountry_s,instStructId_i,instStructCountry_s,"
  "rteamStructId_i,rteamStructCountry_s,deptStructId_i,deptStructCountry_s,"
  "rgrpInstStructId_i,rgrpInstStructCountry_s,rgrpLabStructId_i,rgrpLabStructCountry_s";

static const char structure_fields[] =
  "docid,name_s,acronym_s,type_s,country_s,valid_s,parentDocid_i,aliasDocid_i,ror_s";

typedef struct {
  const CopubFetchHalOptions *options;
  char *base_url;
  char *search_path;   /* "/search/" or "/search/<COLLECTION>/" */
  char *scope_query;   /* "structId_i:413289", or NULL for a collection */
  const CopubHalRules *rules; /* never NULL */
  int from, to;
  guint rows;
  gint structures_fetched;  /* atomic: structures asked of /ref/structure */
  gint structures_cached;   /* atomic: found in the store's cache */
  gint countries_resolved;  /* atomic: institutions that got a country from them */
} Hal;

static char *
escape (const char *s)
{
  return g_uri_escape_string (s, ":,*", FALSE);
}

/* ---- /search pages ---------------------------------------------------------------- */

/* The harvest's query for the docs @year_query selects ("publicationDateY_i:2020"): the
 * one place it is built, for the pages and for HAL's counts per year. */
static GString *
search_query (Hal *hal, const char *year_query)
{
  GString *url = g_string_new (hal->base_url);

  g_string_append_printf (url, "%s?q=*:*", hal->search_path);
  if (hal->scope_query)
    {
      g_autofree char *fq = escape (hal->scope_query);
      g_string_append_printf (url, "&fq=%s", fq);
    }
  if (year_query)
    {
      g_autofree char *fq = escape (year_query);
      g_string_append_printf (url, "&fq=%s", fq);
    }
  for (const char *const *f = copub_hal_rules_filters (hal->rules); *f; f++)
    {
      g_autofree char *fq = escape (*f);
      g_string_append_printf (url, "&fq=%s", fq);
    }
  return url;
}

static char *
search_url (Hal *hal, const CopubHarvestSlice *slice, const char *cursor)
{
  g_autofree char *fl = escape (search_fields), *mark = escape (cursor);
  GString *url = search_query (hal, slice->query);

  g_string_append_printf (url, "&fl=%s&wt=json&rows=%u&sort=docid%%20asc&cursorMark=%s", fl,
                          hal->rows, mark);
  return g_string_free (url, FALSE);
}

/* HAL's count per year of the harvest's docs: facet counts on the year field. */
static char *
facet_url (Hal *hal)
{
  const char *field = copub_hal_year_field (hal->rules->year);
  g_autofree char *years = g_strdup_printf ("%s:[%d TO %d]", field, hal->from, hal->to);
  GString *url = search_query (hal, years);

  g_string_append_printf (url, "&rows=0&wt=json&facet=true&facet.field=%s"
                               "&facet.limit=-1&facet.mincount=1", field);
  return g_string_free (url, FALSE);
}

typedef struct {
  GPtrArray *works;
  CopubHalPage page;
  const CopubHalRules *rules;
} SearchPage;

static void
search_page_clear (SearchPage *p)
{
  g_clear_pointer (&p->works, g_ptr_array_unref);
  copub_hal_page_clear (&p->page);
}

static gboolean
collect_work (CopubWork *work, gpointer user_data, GError **error)
{
  (void) error;
  g_ptr_array_add (user_data, work);
  return TRUE;
}

/* The HTTP layer's validator: a page is accepted only when it parses completely and is a
 * cursor page, so a cut or garbled answer is retried like a network fault. */
static gboolean
parse_search_page (GBytes *body, gpointer user_data, GError **error)
{
  SearchPage *p = user_data;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  search_page_clear (p);
  p->works = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_work_free);
  if (!copub_hal_parse_json (&p->page, data, len, "/search answer", p->rules, collect_work,
                             p->works, error))
    return FALSE;
  if (p->page.num_found < 0 || p->page.next_cursor_mark == NULL)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "expected a /search answer with \"response\" and "
                           "\"nextCursorMark\"");
      return FALSE;
    }
  return TRUE;
}

/* ---- /ref/structure --------------------------------------------------------------- */

/* The docid of a /ref/structure doc ("struct-N"), given as a number or a string. */
static char *
ref_doc_id (json_t *value)
{
  g_autofree char *text = NULL;

  if (json_is_integer (value))
    text = g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (value));
  else if (json_is_string (value))
    text = g_strdup (json_string_value (value));
  return copub_hal_structure_id (text);
}

/* Validator of /ref/structure answers: keeps the docs array. */
static gboolean
parse_ref_answer (GBytes *body, gpointer user_data, GError **error)
{
  json_t **out = user_data;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  json_error_t jerror;
  g_autoptr(json_t) root = json_loadb (data, len, 0, &jerror);
  json_t *docs, *doc, *err;
  size_t i;

  g_clear_pointer (out, json_decref);
  if (root == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "/ref/structure answer line %d column %d: %s", jerror.line, jerror.column,
                   jerror.text);
      return FALSE;
    }
  err = json_object_get (root, "error");
  if (err != NULL)
    {
      const char *msg = json_string_value (json_object_get (err, "msg"));
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_NETWORK, "HAL API error: %s",
                   msg ? msg : "no message");
      return FALSE;
    }
  docs = json_object_get (json_object_get (root, "response"), "docs");
  if (!json_is_array (docs))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "expected a /ref/structure answer with \"response\": {\"docs\"}");
      return FALSE;
    }
  json_array_foreach (docs, i, doc)
    if (!json_is_object (doc))
      {
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                     "/ref/structure answer doc %zu: expected an object", i + 1);
        return FALSE;
      }
  *out = json_incref (docs);
  return TRUE;
}

/* Asks /ref/structure for the records whose @field ("docid" or "aliasDocid_i") is one of
 * @ids ("struct-N"), and puts each record's JSON text in @found under the id it answers
 * for. */
static gboolean
ref_query (Hal *hal, CopubHarvestJob *job, const char *field, GPtrArray *ids,
           GHashTable *found, GError **error)
{
  GString *q = g_string_new (NULL);
  g_autofree char *query = NULL, *eq = NULL, *fl = escape (structure_fields), *url = NULL;
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  g_autoptr(json_t) docs = NULL;
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean alias = strcmp (field, "aliasDocid_i") == 0;
  json_t *doc;
  size_t i;

  for (guint k = 0; k < ids->len; k++)
    {
      const char *id = ids->pdata[k];
      g_string_append_printf (q, "%s%s", k ? " OR " : "", id + strlen ("struct-"));
      g_hash_table_add (wanted, (gpointer) id);
    }
  query = g_strdup_printf ("%s:(%s)", field, q->str);
  g_string_free (q, TRUE);
  eq = escape (query);
  url = g_strdup_printf ("%s/ref/structure/?q=%s&fl=%s&wt=json&rows=%u", hal->base_url, eq, fl,
                         ids->len);
  request.validate = parse_ref_answer;
  request.validate_data = &docs;
  if (!copub_http_get_full (job->http, url, &request, &response, error))
    return FALSE;
  copub_harvest_note_response (job->harvest, response);
  json_array_foreach (docs, i, doc)
    {
      g_autofree char *text = json_dumps (doc, JSON_COMPACT);
      json_t *aliases = json_object_get (doc, "aliasDocid_i");
      json_t *one = NULL;
      size_t j;

      if (text == NULL)
        continue;
      if (!alias)
        {
          g_autofree char *id = ref_doc_id (json_object_get (doc, "docid"));
          if (id && g_hash_table_contains (wanted, id) && !g_hash_table_contains (found, id))
            g_hash_table_insert (found, g_steal_pointer (&id), g_strdup (text));
          continue;
        }
      /* A merged structure's docid lives on in the canonical record's aliasDocid_i. */
      if (!json_is_array (aliases))
        {
          one = aliases;
          aliases = NULL;
        }
      for (j = 0; aliases ? j < json_array_size (aliases) : j < 1; j++)
        {
          g_autofree char *id = ref_doc_id (aliases ? json_array_get (aliases, j) : one);
          if (id && g_hash_table_contains (wanted, id) && !g_hash_table_contains (found, id))
            g_hash_table_insert (found, g_steal_pointer (&id), g_strdup (text));
        }
    }
  return TRUE;
}

/* A structure record and the id it is cached under. */
typedef struct {
  char *id;
  char *record;
} CachedRecord;

static void
cached_record_free (CachedRecord *r)
{
  g_free (r->id);
  g_free (r->record);
  g_free (r);
}

static gboolean
table_add_record (GHashTable *table, const char *id, const char *record, GError **error)
{
  if (copub_hal_parse_structures (table, record, strlen (record), id, error))
    return TRUE;
  g_prefix_error (error, "structure record: ");
  return FALSE;
}

/* Looks @ids up in /ref/structure (by docid, then by alias for those not found), in
 * batches; every id gets a record, an empty one when the referential does not know it,
 * so that it is not asked again; unless @refresh: then what the referential does not
 * know keeps the record it had. */
static gboolean
fetch_structures (Hal *hal, CopubHarvestJob *job, GPtrArray *ids, gboolean refresh,
                  GHashTable *table, GPtrArray *records, GError **error)
{
  for (guint start = 0; start < ids->len; start += STRUCTURE_BATCH)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(GPtrArray) missing = g_ptr_array_new ();
      g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           g_free);

      for (guint k = start; k < MIN (ids->len, start + STRUCTURE_BATCH); k++)
        g_ptr_array_add (batch, ids->pdata[k]);
      if (!ref_query (hal, job, "docid", batch, found, error))
        return FALSE;
      for (guint k = 0; k < batch->len; k++)
        if (!g_hash_table_contains (found, batch->pdata[k]))
          g_ptr_array_add (missing, batch->pdata[k]);
      if (missing->len > 0 && !ref_query (hal, job, "aliasDocid_i", missing, found, error))
        return FALSE;
      for (guint k = 0; k < batch->len; k++)
        {
          const char *id = batch->pdata[k];
          CachedRecord *r;
          const char *text = g_hash_table_lookup (found, id);

          if (text == NULL && refresh)
            continue; /* gone from the referential: what was known of it stands */
          r = g_new0 (CachedRecord, 1);
          r->id = g_strdup (id);
          r->record = text ? g_strdup (text)
                           : g_strdup_printf ("{\"docid\":\"%s\",\"copub_not_found\":true}",
                                              id + strlen ("struct-"));
          if (text == NULL)
            copub_harvest_note (job->harvest, COPUB_NOTE_INFO,
                                "structure %s: not in the HAL structure referential", id);
          g_ptr_array_add (records, r);
          if (!table_add_record (table, id, r->record, error))
            return FALSE;
        }
      g_atomic_int_add (&hal->structures_fetched, (gint) batch->len);
    }
  return TRUE;
}

/* Asks the referential again for the structures of @ids, whose cached records are old;
 * when it fails, the cached records (already in @table) stand, and a later run asks
 * again. */
static void
refresh_structures (Hal *hal, CopubHarvestJob *job, GPtrArray *ids, GHashTable *table,
                    GPtrArray *records)
{
  g_autoptr(GError) error = NULL;

  if (ids->len > 0 && !fetch_structures (hal, job, ids, TRUE, table, records, &error))
    copub_harvest_note (job->harvest, COPUB_NOTE_INFO,
                        "%u structure records cached over %d days ago could not be "
                        "refreshed (%s): the cached ones are used", ids->len,
                        COPUB_STRUCTURE_MAX_AGE_DAYS, error->message);
}

/* The parents of @ids' structures that lend them a country (teams and departments
 * without one) and that @table lacks. */
static GPtrArray *
parents_to_resolve (GHashTable *table, GPtrArray *ids)
{
  GPtrArray *parents = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < ids->len; i++)
    {
      CopubHalStructure *s = g_hash_table_lookup (table, ids->pdata[i]);
      if (s == NULL || s->country != NULL
          || (g_strcmp0 (s->type, "researchteam") != 0
              && g_strcmp0 (s->type, "department") != 0))
        continue;
      for (guint j = 0; j < s->parents->len; j++)
        {
          const char *parent = s->parents->pdata[j];
          if (!g_hash_table_contains (table, parent) && g_hash_table_add (seen, (gpointer) parent))
            g_ptr_array_add (parents, g_strdup (parent));
        }
    }
  return parents;
}

/* Gives the works' structures without a country the country the referential knows:
 * from the store's cache, else from /ref/structure (the new records go to @records, to
 * be cached with the page). */
static gboolean
resolve_structures (Hal *hal, CopubHarvestJob *job, GPtrArray *works, GPtrArray *records,
                    GError **error)
{
  g_autoptr(GHashTable) table = copub_hal_structures_new ();
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint resolved = 0;

  for (guint i = 0; i < works->len; i++)
    {
      /* Every direct structure: the referential's country wins over the record's. */
      g_autoptr(GPtrArray) ids = copub_hal_direct_structures (works->pdata[i]);
      for (guint k = 0; k < ids->len; k++)
        if (g_hash_table_add (seen, g_strdup (ids->pdata[k])))
          g_ptr_array_add (pending, g_strdup (ids->pdata[k]));
    }
  for (int round = 0; round <= PARENT_ROUNDS && pending->len > 0; round++)
    {
      g_autoptr(GPtrArray) missing = g_ptr_array_new ();
      g_autoptr(GPtrArray) stale = g_ptr_array_new ();
      g_autoptr(GPtrArray) next = NULL;

      for (guint k = 0; k < pending->len; k++)
        {
          const char *id = pending->pdata[k];
          g_autofree char *record = NULL;
          gboolean is_stale;
          if (g_hash_table_contains (table, id))
            continue;
          if (!copub_store_get_structure (job->store, id, &record, &is_stale, error))
            return FALSE;
          if (record == NULL)
            {
              g_ptr_array_add (missing, (gpointer) id);
              continue;
            }
          /* A cached record that no longer parses is asked again, and replaced. */
          if (!copub_hal_parse_structures (table, record, strlen (record), id, NULL))
            {
              g_ptr_array_add (missing, (gpointer) id);
              continue;
            }
          g_atomic_int_inc (&hal->structures_cached);
          if (is_stale)
            g_ptr_array_add (stale, (gpointer) id);
        }
      if (!fetch_structures (hal, job, missing, FALSE, table, records, error))
        return FALSE;
      refresh_structures (hal, job, stale, table, records);
      next = parents_to_resolve (table, pending);
      g_ptr_array_unref (pending);
      pending = g_steal_pointer (&next);
    }
  for (guint i = 0; i < works->len; i++)
    resolved += copub_hal_apply_structures (works->pdata[i], table);
  g_atomic_int_add (&hal->countries_resolved, (gint) resolved);
  return TRUE;
}

/* ---- the harvest's functions ------------------------------------------------------- */

static gboolean
fetch_page (CopubHarvestJob *job, const CopubHarvestSlice *slice, const char *cursor,
            CopubHarvestPage *out, GError **error)
{
  Hal *hal = job->config->user_data;
  g_autofree char *url = search_url (hal, slice, cursor);
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  SearchPage page = { NULL, COPUB_HAL_PAGE_INIT, hal->rules };
  g_autoptr(GPtrArray) records = NULL;
  gboolean undated = g_str_has_prefix (slice->name, UNDATED_PREFIX);
  guint left_out;

  request.validate = parse_search_page;
  request.validate_data = &page;
  if (!copub_http_get_full (job->http, url, &request, &response, error))
    {
      search_page_clear (&page);
      return FALSE;
    }
  copub_harvest_note_response (job->harvest, response);
  if (undated)
    {
      /* Docs without the rule's year: keep those whose year by copub's rule (the other
       * dates of the record) falls in the range. */
      for (guint i = page.works->len; i-- > 0;)
        {
          const CopubWork *w = page.works->pdata[i];
          if (w->year < hal->from || w->year > hal->to)
            g_ptr_array_remove_index (page.works, i);
        }
    }
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) cached_record_free);
  if (!resolve_structures (hal, job, page.works, records, error))
    {
      search_page_clear (&page);
      return FALSE;
    }
  /* The end: the mark sent comes back (Solr's rule), or an empty page. Docs left out by
   * the rules (the API's filters should have done it) are not the end. What the API
   * counts is compared with what is kept only when nothing was left out. */
  left_out = page.page.n_old_versions + page.page.n_annexes;
  out->count = undated || left_out > 0 ? -1 : page.page.num_found;
  if (page.page.n_works + left_out > 0 && strcmp (page.page.next_cursor_mark, cursor) != 0)
    out->next_cursor = g_steal_pointer (&page.page.next_cursor_mark);
  out->works = g_steal_pointer (&page.works);
  out->extra = g_steal_pointer (&records);
  out->extra_free = (GDestroyNotify) g_ptr_array_unref;
  search_page_clear (&page);
  return TRUE;
}

static gboolean
write_page (CopubHarvestJob *job, const CopubHarvestPage *page, GError **error)
{
  GPtrArray *records = page->extra;

  for (guint i = 0; records && i < records->len; i++)
    {
      const CachedRecord *r = records->pdata[i];
      if (!copub_store_put_structure (job->store, r->id, r->record, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- setting up ------------------------------------------------------------------- */

static gboolean
is_collection_code (const char *code)
{
  if (code == NULL || *code == '\0' || strlen (code) > 100)
    return FALSE;
  for (const char *c = code; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      return FALSE;
  return TRUE;
}

/* Slices done under another rule hold another corpus: the store's key of a harvest names
 * its rules ("hal docs struct:413289 year:produced", "... year:publication annexes"), so
 * a store harvested under others (or before the rules: by publication year, annexes and
 * older versions included) is harvested again, not mixed. */
static gboolean
harvest_key (Hal *hal, char **key)
{
  GString *s = g_string_new (*key);

  g_string_append_printf (s, " year:%s", copub_hal_year_name (hal->rules->year));
  if (hal->rules->keep_annexes)
    g_string_append (s, " annexes");
  g_free (*key);
  *key = g_string_free (s, FALSE);
  return TRUE;
}

static gboolean
prepare (Hal *hal, char **out_key, GError **error)
{
  const CopubFetchHalOptions *o = hal->options;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int year = g_date_time_get_year (now);

  hal->to = o->to ? o->to : year;
  hal->from = o->from ? o->from : hal->to - 9;
  hal->rows = o->rows ? o->rows : DEFAULT_ROWS;
  hal->rules = o->rules ? o->rules : &default_rules;
  if ((o->structure == NULL) == (o->collection == NULL))
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                           "give a HAL structure or a collection (one of them)");
      return FALSE;
    }
  if (hal->from > hal->to || hal->from < 1000 || hal->to > 9999)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "bad year range %d-%d", hal->from,
                   hal->to);
      return FALSE;
    }
  if (hal->rows > MAX_ROWS)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE, "at most %d docs a page", MAX_ROWS);
      return FALSE;
    }
  hal->base_url = g_strdup (o->base_url ? o->base_url : COPUB_HAL_BASE_URL);
  while (g_str_has_suffix (hal->base_url, "/"))
    hal->base_url[strlen (hal->base_url) - 1] = '\0';
  if (o->structure)
    {
      g_autofree char *id = copub_hal_structure_id (o->structure);
      if (id == NULL)
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                       "structure '%s': expected a HAL structure id (413289 or struct-413289)",
                       o->structure);
          return FALSE;
        }
      hal->search_path = g_strdup ("/search/");
      hal->scope_query = g_strdup_printf ("structId_i:%s", id + strlen ("struct-"));
      *out_key = g_strdup_printf ("hal docs struct:%s", id + strlen ("struct-"));
      return harvest_key (hal, out_key);
    }
  if (!is_collection_code (o->collection))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "collection '%s': expected a HAL collection code (UNIV-LORRAINE)",
                   o->collection);
      return FALSE;
    }
  {
    /* Upper case: HAL reads a lower-case segment after /search/ as a portal. */
    g_autofree char *code = g_ascii_strup (o->collection, -1);
    hal->search_path = g_strdup_printf ("/search/%s/", code);
    *out_key = g_strdup_printf ("hal docs collection:%s", code);
  }
  return harvest_key (hal, out_key);
}

static void
hal_clear (Hal *hal)
{
  g_free (hal->base_url);
  g_free (hal->search_path);
  g_free (hal->scope_query);
}

/* ---- HAL's own count per year ---------------------------------------------------- */

typedef struct {
  CopubYearCounts years;
  const char *field; /* the year field the counts are on */
} YearCounts;

/* Validator of the facet answer: {"facet_counts": {"facet_fields": {FIELD: ["2020", 5,
 * ...]}}} (Solr's flat list; a {"2020": 5} map is read too). */
static gboolean
parse_facets (GBytes *body, gpointer user_data, GError **error)
{
  YearCounts *yc = user_data;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  json_error_t jerror;
  g_autoptr(json_t) root = json_loadb (data, len, 0, &jerror);
  json_t *field = json_object_get (json_object_get (json_object_get (root, "facet_counts"),
                                                    "facet_fields"), yc->field);
  gboolean flat = json_is_array (field);
  size_t n = flat ? json_array_size (field) : json_object_size (field);
  void *iter = flat ? NULL : json_object_iter (field);

  if (root == NULL)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "facet answer line %d column %d: %s",
                   jerror.line, jerror.column, jerror.text);
      return FALSE;
    }
  if ((!flat && !json_is_object (field)) || (flat && n % 2 != 0))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE, "expected a facet answer "
                   "(\"facet_counts\": {\"facet_fields\": {\"%s\"}})", yc->field);
      return FALSE;
    }
  copub_year_counts_zero (&yc->years);
  for (size_t i = 0; flat ? i < n : iter != NULL; i += 2)
    {
      const char *key = flat ? json_string_value (json_array_get (field, i))
                             : json_object_iter_key (iter);
      json_t *count = flat ? json_array_get (field, i + 1) : json_object_iter_value (iter);
      if (!json_is_integer (count)
          || !copub_year_counts_set (&yc->years, key, json_integer_value (count)))
        {
          g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                       "facet answer, value %zu: expected a year and a count", i / 2 + 1);
          return FALSE;
        }
      if (!flat)
        iter = json_object_iter_next (field, iter);
    }
  return TRUE;
}

/* Asks HAL for its count per year of the harvest's docs and records it with what the
 * store holds (completeness.h). */
static gboolean
count_years (Hal *hal, const CopubHarvestConfig *config, const char *db_path,
             CopubFetchStats *stats, GPtrArray **out_counts, GError **error)
{
  g_autoptr(CopubHttp) http = copub_harvest_http_new (config, error);
  g_autofree char *url = facet_url (hal);
  g_autofree gint64 *counts = g_new0 (gint64, hal->to - hal->from + 1);
  g_autoptr(CopubHttpResponse) response = NULL;
  CopubHttpRequest request = COPUB_HTTP_REQUEST_INIT;
  YearCounts yc = { { hal->from, hal->to, counts }, copub_hal_year_field (hal->rules->year) };

  if (http == NULL)
    return FALSE;
  request.validate = parse_facets;
  request.validate_data = &yc;
  if (!copub_http_get_full (http, url, &request, &response, error))
    return FALSE;
  stats->requests += response->attempts;
  return copub_completeness_record (db_path, "hal", NULL, hal->from, hal->to, counts,
                                    config->callbacks, out_counts, error);
}

/* What a harvest and a check share: the rate limiter and the HTTP settings. */
static void
configure (Hal *hal, CopubHarvestConfig *config)
{
  const CopubFetchHalOptions *options = hal->options;

  config->limiter = copub_rate_limiter_new (options->rate > 0 ? options->rate : DEFAULT_RATE);
  config->mailto = options->mailto;
  config->max_attempts = options->max_attempts;
  config->retry_base_ms = options->retry_base_ms;
  config->timeout_ms = options->timeout_ms;
  config->callbacks = options->callbacks;
}

gboolean
copub_check_hal (const char *db_path, const CopubFetchHalOptions *options,
                 GPtrArray **out_counts, GError **error)
{
  Hal hal = { 0 };
  CopubHarvestConfig config = { 0 };
  CopubFetchStats stats = { 0 };
  g_autofree char *key = NULL;
  gboolean ok = FALSE;

  *out_counts = NULL;
  hal.options = options;
  if (prepare (&hal, &key, error))
    {
      g_autoptr(CopubStore) store = copub_store_open (db_path, error);
      configure (&hal, &config);
      ok = store != NULL && count_years (&hal, &config, db_path, &stats, out_counts, error);
      copub_rate_limiter_unref (config.limiter);
    }
  hal_clear (&hal);
  return ok;
}

gboolean
copub_fetch_hal (const char *db_path, const CopubFetchHalOptions *options,
                 CopubFetchStats *stats, GError **error)
{
  Hal hal = { 0 };
  CopubHarvestConfig config = { 0 };
  g_autoptr(GPtrArray) slices =
      g_ptr_array_new_with_free_func ((GDestroyNotify) copub_harvest_slice_free);
  g_autofree char *key = NULL, *undated = NULL, *undated_query = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *field;
  gboolean ok;

  memset (stats, 0, sizeof *stats);
  stats->budget_remaining = -1;
  hal.options = options;
  if (!prepare (&hal, &key, error))
    {
      hal_clear (&hal);
      return FALSE;
    }
  stats->institution_id = g_strndup (key + strlen ("hal docs "),
                                     strcspn (key + strlen ("hal docs "), " "));
  /* Newest years first: they change most and matter most to a nightly run. Docs without
   * the rule's year have a slice of their own (their year is then copub's rule: the
   * other dates), named with the range since its content depends on it. */
  field = copub_hal_year_field (hal.rules->year);
  for (int y = hal.to; y >= hal.from; y--)
    {
      g_autofree char *name = g_strdup_printf ("%d", y);
      g_autofree char *query = g_strdup_printf ("%s:%d", field, y);
      g_ptr_array_add (slices, copub_harvest_slice_new (name, query, y));
    }
  undated = g_strdup_printf (UNDATED_PREFIX "%d-%d", hal.from, hal.to);
  undated_query = g_strdup_printf ("-%s:[* TO *]", field);
  g_ptr_array_add (slices, copub_harvest_slice_new (undated, undated_query, hal.to));
  config.db_path = db_path;
  config.key = key;
  config.slices = slices;
  config.refresh_from = g_date_time_get_year (now) - (int) options->refresh_years + 1;
  config.jobs = options->jobs ? options->jobs : DEFAULT_JOBS;
  configure (&hal, &config);
  config.normaliser = options->normaliser;
  config.fetch_page = fetch_page;
  config.write_page = write_page;
  config.user_data = &hal;
  ok = copub_harvest_run (&config, stats, error);
  if (ok)
    {
      /* A failed count leaves the store's earlier counts and does not fail the harvest. */
      g_autoptr(GError) count_error = NULL;
      if (!count_years (&hal, &config, db_path, stats, NULL, &count_error))
        copub_note (options->callbacks, COPUB_NOTE_WARNING,
                    "HAL's own counts per year could not be read (%s): the store keeps the "
                    "counts it had, and the completeness of this harvest is not checked",
                    count_error->message);
    }
  copub_note (options->callbacks, COPUB_NOTE_INFO,
              "HAL structures: %d looked up in /ref/structure, %d read from the store's "
              "cache; %d affiliations got their country from them",
          g_atomic_int_get (&hal.structures_fetched), g_atomic_int_get (&hal.structures_cached),
          g_atomic_int_get (&hal.countries_resolved));
  copub_rate_limiter_unref (config.limiter);
  hal_clear (&hal);
  return ok;
}
