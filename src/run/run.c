/* copub: the nightly run: lock, harvest, import, report into a staging directory,
 * swap it in, record the run. Each step's failure ends the run with its own error
 * kind; the last good outputs stay in place. */
#define _GNU_SOURCE /* renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "copub/analyse.h"
#include "copub/countries.h"
#include "copub/error.h"
#include "copub/fetch.h"
#include "copub/import.h"
#include "copub/normalise.h"
#include "copub/partners.h"
#include "copub/plot.h"
#include "copub/report.h"
#include "copub/run.h"
#include "copub/store.h"
#include "base/notify.h"

void
copub_run_result_clear (CopubRunResult *result)
{
  g_clear_pointer (&result->headline, g_free);
  g_clear_pointer (&result->out_dir, g_free);
  g_clear_pointer (&result->plan.lock, g_free);
}

/* ---- analysis options from the configuration ----------------------------------------- */

typedef struct {
  CopubAnalyseOptions analyse;
  CopubThemeMap *themes;
  CopubPartners *partners;
  CopubRegions *regions;
  CopubInstitutionTree *institution_tree;
  char *home_institution;
  char *home_openalex; /* the configured OpenAlex id (NULL: the store's, by the ROR id) */
} Analysis;

static void
analysis_clear (Analysis *a)
{
  g_clear_pointer (&a->themes, copub_theme_map_free);
  g_clear_pointer (&a->partners, copub_partners_free);
  g_clear_pointer (&a->regions, copub_regions_free);
  g_clear_pointer (&a->institution_tree, copub_institution_tree_free);
  g_clear_pointer (&a->home_institution, g_free);
  g_clear_pointer (&a->home_openalex, g_free);
}

/* Partner institutions in the report when the store knows the configured institution's
 * ROR id; otherwise a note, and a report without them. */
static gboolean
partner_institutions (Analysis *a, const CopubConfig *c, CopubStore *store,
                      const CopubCallbacks *cb, GError **error)
{
  g_autofree char *id = c->openalex ? copub_institution_short_id (c->openalex) : NULL;

  if (id == NULL)
    return TRUE;
  if (!copub_analyse_home_ror (store, id, &a->home_institution, error))
    return FALSE;
  if (a->home_institution == NULL)
    {
      copub_note (cb, COPUB_NOTE_MESSAGE, "no partner institutions in the report: no work "
                  "of the store cites %s with a ROR id", id);
      return TRUE;
    }
  /* The roll-up follows the registry the normaliser reads: the configured ROR dump, else
   * copub's table. */
  if ((a->institution_tree = copub_institution_tree_load (c->ror, error)) == NULL)
    return FALSE;
  if (!copub_institution_is_ror (id))
    a->home_openalex = g_steal_pointer (&id);
  a->analyse.home_institution = a->home_institution;
  a->analyse.home_openalex = a->home_openalex;
  a->analyse.institution_tree = a->institution_tree;
  return TRUE;
}

static gboolean
analysis_init (Analysis *a, const CopubConfig *c, const char *lang, GError **error)
{
  CopubAnalyseOptions init = COPUB_ANALYSE_OPTIONS_INIT;

  memset (a, 0, sizeof *a);
  a->analyse = init;
  a->analyse.home = c->home;
  a->analyse.from = c->from;
  a->analyse.to = c->to;
  a->analyse.types = (const char *const *) c->types;
  a->analyse.territories_as_home = c->territories_as_home;
  a->analyse.hk_mo_as_cn = c->hk_mo_as_cn;
  a->analyse.counting = strcmp (c->counting, "full") == 0 ? COPUB_COUNTING_FULL
                        : strcmp (c->counting, "fractional") == 0 ? COPUB_COUNTING_FRACTIONAL
                                                                  : COPUB_COUNTING_BOTH;
  a->analyse.theme_level = strcmp (c->theme_level, "domain") == 0 ? COPUB_THEME_DOMAIN
                                                                  : COPUB_THEME_FIELD;
  a->analyse.window = (guint) c->window;
  a->analyse.lang = lang;
  a->analyse.country_name = copub_country_name_func;
  if (c->themes && (a->themes = copub_theme_map_load (c->themes, error)) == NULL)
    return FALSE;
  if (c->partners && (a->partners = copub_partners_load (c->partners, error)) == NULL)
    return FALSE;
  if ((a->regions = copub_regions_load (NULL, c->groups, error)) == NULL)
    return FALSE;
  a->analyse.themes = a->themes;
  a->analyse.partners = a->partners;
  a->analyse.regions = a->regions;
  return TRUE;
}

/* Reads the theme map and the partner file once before any step, so that a bad line in
 * them stops the run before the harvest rather than after it. */
static gboolean
check_analysis (const CopubConfig *c, GError **error)
{
  Analysis a;
  gboolean ok = analysis_init (&a, c, c->languages[0], error);

  analysis_clear (&a);
  return ok;
}

/* ---- steps ------------------------------------------------------------------------------ */

static gboolean
harvest (const CopubConfig *c, const CopubRunOptions *ro, GError **error)
{
  const CopubCallbacks *cb = ro->callbacks;
  CopubNormaliserOptions no = COPUB_NORMALISER_OPTIONS_INIT;
  g_autoptr(CopubNormaliser) normaliser = NULL;
  CopubFetchStats stats;
  gboolean ok = TRUE;

  no.ror_path = c->ror;
  if ((c->use_openalex || c->use_hal) && (normaliser = copub_normaliser_new (&no, error)) == NULL)
    return FALSE;

  if (c->use_openalex)
    {
      CopubFetchOptions o = COPUB_FETCH_OPTIONS_INIT;
      o.base_url = c->openalex_url;
      o.institution = c->openalex;
      o.from = c->from;
      o.to = c->to;
      o.types = (const char *const *) c->types;
      o.api_key = c->api_key_env ? g_getenv (c->api_key_env) : NULL;
      o.mailto = c->mailto;
      o.rate = c->rate;
      o.jobs = (guint) c->jobs;
      o.refresh_years = (guint) c->refresh_years;
      o.since = c->since;
      o.normaliser = normaliser;
      o.callbacks = cb;
      o.include_xpac = c->include_xpac || ro->include_xpac;
      o.allow_partial = ro->allow_partial;
      copub_note (cb, COPUB_NOTE_MESSAGE, "harvesting OpenAlex (%s)", c->openalex);
      ok = copub_fetch_openalex (c->store, &o, &stats, error);
      if (ok)
        copub_note (cb, COPUB_NOTE_MESSAGE, "OpenAlex: %" G_GUINT64_FORMAT " works received, %"
                    G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT " updated", stats.works,
                    stats.inserted, stats.updated);
      copub_fetch_stats_clear (&stats);
      if (!ok)
        {
          g_prefix_error (error, "harvesting OpenAlex: ");
          return FALSE;
        }
    }
  if (c->use_hal)
    {
      CopubFetchHalOptions o = COPUB_FETCH_HAL_OPTIONS_INIT;
      CopubHalRules rules;
      copub_config_hal_rules (c, &rules);
      o.rules = &rules;
      o.base_url = c->hal_url;
      o.structure = c->hal_struct;
      o.collection = c->hal_collection;
      o.from = c->from;
      o.to = c->to;
      o.mailto = c->mailto;
      o.refresh_years = (guint) c->refresh_years;
      o.normaliser = normaliser;
      o.callbacks = cb;
      copub_note (cb, COPUB_NOTE_MESSAGE, "harvesting HAL (%s)",
                  c->hal_struct ? c->hal_struct : c->hal_collection);
      ok = copub_fetch_hal (c->store, &o, &stats, error);
      if (ok)
        copub_note (cb, COPUB_NOTE_MESSAGE, "HAL: %" G_GUINT64_FORMAT " documents received, %"
                    G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT " updated", stats.works,
                    stats.inserted, stats.updated);
      copub_fetch_stats_clear (&stats);
      if (!ok)
        {
          g_prefix_error (error, "harvesting HAL: ");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
import_files (const CopubConfig *c, const CopubRunOptions *ro, CopubStore *store,
              GError **error)
{
  const CopubCallbacks *cb = ro->callbacks;
  CopubImportOptions o = COPUB_IMPORT_OPTIONS_INIT;
  CopubNormaliserOptions no = COPUB_NORMALISER_OPTIONS_INIT;
  g_autoptr(CopubNormaliser) normaliser = NULL;
  CopubImportStats stats;
  gboolean ok;

  if (c->files == NULL || c->files[0] == NULL)
    return TRUE;
  no.ror_path = c->ror;
  if ((normaliser = copub_normaliser_new (&no, error)) == NULL)
    return FALSE;
  o.normaliser = normaliser;
  o.callbacks = cb;
  copub_config_hal_rules (c, &o.hal);
  o.include_xpac = c->include_xpac || ro->include_xpac;
  /* checked when the configuration was read */
  copub_limits_parse_size (c->max_record_size, &o.limits.max_record);
  copub_limits_parse_size (c->max_field_size, &o.limits.max_field);
  copub_import_stats_init (&stats);
  ok = copub_import_files (store, (const char *const *) c->files, &o, &stats, error);
  if (ok)
    copub_note (cb, COPUB_NOTE_MESSAGE, "imported %" G_GUINT64_FORMAT " records from %"
                G_GUINT64_FORMAT " file(s): %" G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT
                " updated, %" G_GUINT64_FORMAT " unchanged", stats.records, stats.files,
                stats.inserted, stats.updated, stats.unchanged);
  else
    g_prefix_error (error, "importing: ");
  copub_import_stats_clear (&stats);
  return ok;
}

/* The past runs' headline figures, for the report's history. */
static CopubReportRun *
history_of (GPtrArray *runs, gsize *n)
{
  CopubReportRun *h = g_new0 (CopubReportRun, runs->len + 1);

  *n = 0;
  for (guint i = 0; i < runs->len; i++)
    {
      const CopubRun *r = g_ptr_array_index (runs, i);
      if (g_strcmp0 (r->status, "ok") != 0 || r->headline_works <= 0)
        continue;
      h[*n].date = r->started_at;
      h[*n].share = r->headline_share;
      h[*n].works = r->headline_works;
      h[*n].stored = r->works_openalex + r->works_hal;
      (*n)++;
    }
  return h;
}

/* Writes the report (and extra chart formats) of one language into @dir. */
static gboolean
write_language (const CopubConfig *c, CopubStore *store, const char *lang, const char *dir,
                GPtrArray *runs, const CopubCallbacks *cb, GError **error)
{
  Analysis a;
  CopubReportOptions ro = COPUB_REPORT_OPTIONS_INIT;
  gsize n_history = 0;
  g_autofree CopubReportRun *history = history_of (runs, &n_history);
  gboolean ok;

  if (!analysis_init (&a, c, lang, error))
    return FALSE;
  if (!partner_institutions (&a, c, store, cb, error))
    {
      analysis_clear (&a);
      return FALSE;
    }
  ro.institution = c->name;
  ro.openalex_rematched = strcmp (c->openalex_rematched, "none") == 0 ? ""
                                                                     : c->openalex_rematched;
  ro.history = history;
  ro.n_history = n_history;
  ok = copub_report_write (store, &a.analyse, &ro, dir, NULL, error);
  for (char **f = c->formats; ok && f && *f; f++)
    {
      CopubPlotOptions po = COPUB_PLOT_OPTIONS_INIT;
      g_autoptr(CopubPlotData) data = NULL;
      g_autoptr(GPtrArray) charts = NULL;
      if (strcmp (*f, "png") == 0)
        continue; /* the report drew them */
      copub_plot_format_from_name (*f, &po.format);
      po.institution = c->name;
      po.map_all_years = TRUE; /* as the report's PNG */
      data = copub_plot_data_compute (store, &a.analyse, 0, 0, error);
      ok = data != NULL && (charts = copub_plot_draw (data, &po, dir, error)) != NULL;
    }
  analysis_clear (&a);
  return ok;
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path) == 0;
}

/* Replaces @out_dir by @staging in one rename: a new @out_dir appears whole; an old one
 * trades places with the staging directory (renameat2's RENAME_EXCHANGE), so that a
 * reader finds the old or the new outputs at every instant, never a mixture nor
 * nothing. Only where the file system cannot exchange are there two renames, with the
 * old outputs moved aside to OUT.old-PID between them. */
static gboolean
swap_in (const char *staging, const char *out_dir, GError **error)
{
  g_autofree char *old = g_strdup_printf ("%s.old-%ld", out_dir, (long) getpid ());
  gboolean had_old = g_file_test (out_dir, G_FILE_TEST_EXISTS);

  if (had_old && renameat2 (AT_FDCWD, staging, AT_FDCWD, out_dir, RENAME_EXCHANGE) == 0)
    {
      remove_tree (staging); /* the old outputs, now */
      return TRUE;
    }
  if (had_old && errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot put the new outputs in "
                   "place of '%s': %s", out_dir, g_strerror (saved));
      return FALSE;
    }
  if (had_old && g_rename (out_dir, old) != 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot move '%s' aside: %s", out_dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (g_rename (staging, out_dir) != 0)
    {
      int saved = errno;
      if (had_old)
        g_rename (old, out_dir);
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot move the new outputs to '%s': %s",
                   out_dir, g_strerror (saved));
      return FALSE;
    }
  if (had_old)
    remove_tree (old);
  return TRUE;
}

/* The pid that names a directory a run left beside @out_dir: ".OUT.staging-PID-XXXXXX"
 * or "OUT.old-PID"; -1 for one of an older copub (".OUT.staging-XXXXXX", no pid), 0
 * for any other name. */
static long
debris_pid (const char *name, const char *base)
{
  g_autofree char *staging = g_strdup_printf (".%s.staging-", base);
  g_autofree char *old = g_strdup_printf ("%s.old-", base);
  gboolean is_staging = g_str_has_prefix (name, staging);
  const char *rest;
  char *end = NULL;
  long pid;

  if (!is_staging && !g_str_has_prefix (name, old))
    return 0;
  rest = name + strlen (is_staging ? staging : old);
  pid = strtol (rest, &end, 10);
  if (end != rest && pid > 0
      && (is_staging ? *end == '-' && strlen (end + 1) == 6 : *end == '\0'))
    return pid;
  return is_staging && strlen (rest) == 6 ? -1 : 0;
}

/* Removes the staging and old output directories that killed runs left beside
 * @out_dir (their process is gone; the store's lock is held), saying so. */
static void
remove_stale_outputs (const char *out_dir, const CopubCallbacks *cb)
{
  g_autofree char *parent = g_path_get_dirname (out_dir);
  g_autofree char *base = g_path_get_basename (out_dir);
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      long pid = debris_pid (name, base);
      g_autofree char *path = g_build_filename (parent, name, NULL);
      if (pid == 0 || (pid > 0 && !(kill ((pid_t) pid, 0) != 0 && errno == ESRCH))
          || !g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (remove_tree (path))
        copub_note (cb, COPUB_NOTE_MESSAGE, "removed '%s', left by a run that was killed", path);
    }
}

/* Writes every language into a staging directory beside @out_dir and swaps it in.
 * The first language fills the top; the others go to sub-directories named after them. */
static gboolean
write_outputs (const CopubConfig *c, CopubStore *store, const CopubCallbacks *cb,
               GError **error)
{
  g_autofree char *parent = g_path_get_dirname (c->out_dir);
  g_autofree char *base = g_path_get_basename (c->out_dir);
  g_autofree char *template = g_strdup_printf (".%s.staging-%ld-XXXXXX", base,
                                               (long) getpid ());
  g_autofree char *staging = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  gboolean ok = TRUE;

  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot create '%s': %s", parent,
                   g_strerror (saved));
      return FALSE;
    }
  {
    g_autofree char *path = g_build_filename (parent, template, NULL);
    staging = g_mkdtemp (path) ? g_steal_pointer (&path) : NULL;
  }
  if (staging == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "cannot create a staging directory "
                   "in '%s': %s", parent, g_strerror (saved));
      return FALSE;
    }
  g_chmod (staging, 0755);
  runs = copub_store_list_runs (store, 50, error);
  for (guint i = 0; ok && runs && c->languages[i]; i++)
    {
      g_autofree char *dir = i == 0 ? g_strdup (staging)
                                    : g_build_filename (staging, c->languages[i], NULL);
      ok = (i == 0 || g_mkdir (dir, 0755) == 0)
           && write_language (c, store, c->languages[i], dir, runs, cb, error);
    }
  if (runs == NULL || !ok || !swap_in (staging, c->out_dir, error))
    {
      remove_tree (staging);
      return FALSE;
    }
  return TRUE;
}

/* Counts and headline for the run record and the result. */
static gboolean
summarise (const CopubConfig *c, CopubStore *store, CopubRun *run, CopubRunResult *out,
           GError **error)
{
  Analysis a;
  CopubHeadline h;
  g_autoptr(GPtrArray) sources = copub_store_source_stats (store, error);

  if (sources == NULL)
    return FALSE;
  for (guint i = 0; i < sources->len; i++)
    {
      const CopubSourceStats *st = g_ptr_array_index (sources, i);
      if (strcmp (st->source, "openalex") == 0)
        run->works_openalex = st->works;
      else if (strcmp (st->source, "hal") == 0)
        run->works_hal = st->works;
    }
  if (!analysis_init (&a, c, c->languages[0], error))
    return FALSE;
  if (!copub_analyse_headline (store, &a.analyse, 0, 0, &h, error))
    {
      analysis_clear (&a);
      return FALSE;
    }
  run->headline_from = h.from;
  run->headline_to = h.to;
  run->headline_works = h.works;
  run->headline_international = h.international;
  run->headline_share = h.share;
  run->headline_low = h.low;
  run->headline_high = h.high;
  run->coverage = h.coverage;
  out->headline = copub_analyse_headline_sentence (&h, &a.analyse, c->name);
  analysis_clear (&a);
  return TRUE;
}

/* What a dry run says it would do. */
static void
make_plan (const CopubConfig *c, const CopubRunOptions *o, CopubRunPlan *plan)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  plan->lock = g_strdup_printf ("%s.lock", c->store);
  plan->harvest = !o->offline;
  plan->openalex = !o->offline && c->use_openalex;
  plan->hal = !o->offline && c->use_hal;
  plan->to = c->to ? c->to : g_date_time_get_year (now);
  plan->from = c->from ? c->from : plan->to - 9;
  plan->api_key = c->api_key_env && g_getenv (c->api_key_env);
}

/* Warns when works of the corpus were fetched from OpenAlex before its last re-match. */
static gboolean
warn_stale (const CopubConfig *c, const CopubCallbacks *cb, CopubStore *store, GError **error)
{
  gint64 n = 0;

  if (strcmp (c->openalex_rematched, "none") == 0
      || !copub_store_count_fetched_before (store, "openalex", c->openalex_rematched, c->from,
                                            c->to, (const char *const *) c->types, &n, error))
    return strcmp (c->openalex_rematched, "none") == 0;
  if (n > 0)
    copub_note (cb, COPUB_NOTE_WARNING, "%" G_GINT64_FORMAT " works were fetched before "
                "OpenAlex re-matched affiliations on %s; run copub fetch openalex --full", n,
                c->openalex_rematched);
  return TRUE;
}

static gboolean
run_steps (const CopubConfig *c, const CopubRunOptions *o, CopubStore *store, CopubRun *run,
           CopubRunResult *out, GError **error)
{
  if (!o->offline && !harvest (c, o, error))
    return FALSE;
  if (!import_files (c, o, store, error))
    return FALSE;
  if (!summarise (c, store, run, out, error) || !warn_stale (c, o->callbacks, store, error))
    return FALSE;
  if (!write_outputs (c, store, o->callbacks, error))
    {
      g_prefix_error (error, "writing the report: ");
      return FALSE;
    }
  return TRUE;
}

/* Runs still "running" under the lock we hold belong to processes that are gone. */
static gboolean
mark_killed_runs (CopubStore *store, const CopubCallbacks *cb, GError **error)
{
  gint64 n = copub_store_mark_killed_runs (store, error);

  if (n > 0)
    copub_note (cb, COPUB_NOTE_MESSAGE,
                "%" G_GINT64_FORMAT " earlier run(s) had been killed: recorded as such", n);
  return n >= 0;
}

gboolean
copub_run (const CopubConfig *c, const CopubRunOptions *o, CopubRunResult *out,
           GError **error)
{
  g_autoptr(CopubStore) store = NULL;
  CopubRun run = { 0 };
  GError *failure = NULL;
  int lock;

  memset (out, 0, sizeof *out);
  if (!check_analysis (c, error))
    return FALSE;
  if (o->dry_run)
    {
      make_plan (c, o, &out->plan);
      return TRUE;
    }
  if ((lock = copub_store_lock (c->store, "the run", error)) < 0)
    return FALSE;
  /* Holding the lock, whatever a killed run or import left is stale. */
  copub_store_remove_stale (c->store, o->callbacks);
  remove_stale_outputs (c->out_dir, o->callbacks);
  store = copub_store_open (c->store, error);
  if (store == NULL || !mark_killed_runs (store, o->callbacks, error)
      || (run.run_id = copub_store_begin_run (store, error)) < 0)
    {
      close (lock);
      return FALSE;
    }
  out->run_id = run.run_id;
  if (run_steps (c, o, store, &run, out, &failure))
    run.status = (char *) "ok";
  else
    {
      run.status = (char *) "failed";
      run.message = failure->message;
    }
  if (!copub_store_finish_run (store, &run, failure ? NULL : error) && failure == NULL)
    {
      close (lock);
      return FALSE;
    }
  close (lock);
  if (failure)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }
  out->works_openalex = run.works_openalex;
  out->works_hal = run.works_hal;
  out->out_dir = g_strdup (c->out_dir);
  return TRUE;
}
