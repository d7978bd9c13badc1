/* copub fetch: harvest an institution's works from an API into the store; copub check:
 * the same options, to compare the store with the source's own counts per year. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "copub/error.h"
#include "copub/fetch.h"
#include "copub/store.h"

/* The affiliation normaliser for fetched works (as copub import does), unless asked not. */
static gboolean
make_normaliser (gboolean skip, const char *ror, CopubNormaliser **out, GError **error)
{
  CopubNormaliserOptions options = COPUB_NORMALISER_OPTIONS_INIT;

  *out = NULL;
  if (skip)
    return TRUE;
  options.ror_path = ror;
  *out = copub_normaliser_new (&options, error);
  return *out != NULL;
}

/* copub check: prints the source's count and the store's per year, and fails with
 * COPUB_ERROR_INCOMPLETE (exit status 6) naming the years where they differ. */
static gboolean
report_check (const char *label, GPtrArray *counts, GError **error)
{
  g_autoptr(GString) differ = g_string_new (NULL);

  printf ("source\tyear\tcounted\theld\n");
  for (guint i = 0; i < counts->len; i++)
    {
      const CopubSourceCount *c = counts->pdata[i];
      printf ("%s\t%d\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\n", c->source, c->year,
              c->counted, c->held);
      if (c->counted != c->held)
        g_string_append_printf (differ, "%s%d (%s %" G_GINT64_FORMAT ", store %"
                                G_GINT64_FORMAT ")", differ->len ? ", " : "", c->year, label,
                                c->counted, c->held);
    }
  if (!copub_cli_finish_stdout (error))
    return FALSE;
  if (differ->len)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_INCOMPLETE, "the store differs from %s's "
                   "own counts in %s: harvest these years again", label, differ->str);
      return FALSE;
    }
  return TRUE;
}

#define NORMALISE_ENTRIES(skip, ror) \
  { "ror", 0, 0, G_OPTION_ARG_FILENAME, &(ror), \
    "A ROR data dump (v2 JSON) for the affiliation normaliser", "FILE" }, \
  { "no-normalise", 0, 0, G_OPTION_ARG_NONE, &(skip), \
    "Do not look for countries in the raw affiliation strings of authorships without one", \
    NULL }

/* The preflight's plan, on standard output: what a harvest would fetch and cost. */
static void
print_plan (const CopubFetchStats *s, gboolean include_xpac)
{
  guint64 works = 0;

  printf ("plan for %s (xpac works %s), %u works a page:\n", s->institution_id,
          include_xpac ? "included" : "left out", s->per_page);
  printf ("  %-6s %10s %10s %8s\n", "slice", "works", "in store", "calls");
  for (guint i = 0; i < s->plan->len; i++)
    {
      const CopubFetchPlanSlice *p = &g_array_index (s->plan, CopubFetchPlanSlice, i);
      works += p->count;
      if (p->skipped)
        printf ("  %-6d %10" G_GINT64_FORMAT " %10s %8s\n", p->year, p->count, "complete",
                "-");
      else
        printf ("  %-6d %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " %8" G_GUINT64_FORMAT "\n",
                p->year, p->count, p->works_done, p->calls);
    }
  printf ("total: %" G_GUINT64_FORMAT " works, %" G_GUINT64_FORMAT " list calls, about %.0f s "
          "at the request rate\n", works, s->planned_calls, s->planned_seconds);
  if (s->budget_left < 0)
    printf ("budget: unknown (the API did not say)\n");
  else
    printf ("budget: %" G_GINT64_FORMAT " list calls left today%s\n", s->budget_left,
            s->over_budget ? ": not enough, the harvest would be refused (--allow-partial "
                             "goes on anyway)" : "");
}

static gboolean
fetch_openalex (int argc, char **argv, gboolean check, GError **error)
{
  g_autofree char *db = NULL, *institution = NULL, *types = NULL, *api_key = NULL;
  g_autofree char *ror = NULL;
  gboolean no_normalise = FALSE, full = FALSE, include_xpac = FALSE, allow_partial = FALSE;
  gboolean dry_run = FALSE;
  g_autoptr(CopubNormaliser) normaliser = NULL;
  g_autofree char *mailto = NULL, *base_url = NULL, *since = NULL;
  int from = 0, to = 0, jobs = 0, refresh = 2, attempts = 0, retry_ms = 0, timeout_ms = 0;
  int per_page = 0;
  double rate = 0;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { "institution", 0, 0, G_OPTION_ARG_STRING, &institution,
      "OpenAlex institution id (I90183372) or ROR id (04vfs2w97)", "ID" },
    { "from", 0, 0, G_OPTION_ARG_INT, &from, "First publication year (default: 9 years back)",
      "YEAR" },
    { "to", 0, 0, G_OPTION_ARG_INT, &to, "Last publication year (default: this year)", "YEAR" },
    { "types", 0, 0, G_OPTION_ARG_STRING, &types,
      "Document types (default: article,review,book-chapter), or 'all'", "LIST" },
    { "api-key", 0, 0, G_OPTION_ARG_STRING, &api_key,
      "API key (default: $COPUB_OPENALEX_API_KEY); never shown", "KEY" },
    { "mailto", 0, 0, G_OPTION_ARG_STRING, &mailto, "Contact address sent with requests",
      "ADDR" },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url,
      "API base URL (default: " COPUB_OPENALEX_BASE_URL ")", "URL" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate,
      "Requests per second (default: 20; 8 for a caller without a key)", "N" },
    { "include-xpac", 0, 0, G_OPTION_ARG_NONE, &include_xpac,
      "Also harvest OpenAlex's xpac works (datasets, repository items), which the API "
      "leaves out by default", NULL },
    { "allow-partial", 0, 0, G_OPTION_ARG_NONE, &allow_partial,
      "Harvest even when the day's budget cannot finish it (it stops when the budget is "
      "spent; run again after the reset)", NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
      "Print the plan (slices, works, list calls, time, budget) and fetch nothing", NULL },
    { "jobs", 0, 0, G_OPTION_ARG_INT, &jobs, "Years fetched in parallel (default: 4)", "N" },
    { "refresh-years", 0, 0, G_OPTION_ARG_INT, &refresh,
      "Harvest the last N years again on every run (default: 2)", "N" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      "Only works updated since DATE (YYYY-MM-DD; needs a paid plan)", "DATE" },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full,
      "Harvest every year again from its start, ignoring --since and what earlier fetches "
      "did (after OpenAlex re-matched affiliations)", NULL },
    { "max-attempts", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &attempts, NULL, NULL },
    { "retry-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &retry_ms, NULL, NULL },
    { "timeout-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &timeout_ms, NULL, NULL },
    { "per-page", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &per_page, NULL, NULL },
    NORMALISE_ENTRIES (no_normalise, ror),
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      check ? "check openalex" : "fetch openalex", NULL,
      check ?
      "Ask OpenAlex for its own count per publication year of the works a fetch with these\n"
      "options harvests (one group_by=publication_year call, the fetch's filter), keep it in\n"
      "the store for the report, and print it beside what the store holds: the works from\n"
      "OpenAlex of that year and of the fetch's types. Exit status 6 when they differ in a\n"
      "year (named), 3 when the count cannot be read (the store's counts unchanged).\n"
      "\n"
      "Example: copub check openalex --institution I90183372 --from 2015 --to 2024" :
      "Harvest an institution's works (its lineage: units and predecessors included) from\n"
      "the OpenAlex API into the store, one publication year per slice, several at once.\n"
      "Killed and run again, it resumes where it stopped; a later run re-harvests the\n"
      "recent years.\n"
      "\n"
      "OpenAlex requires an API key since 13 Feb 2026 (free at openalex.org/settings/api):\n"
      "a free key has 10,000 list calls a day, no key about 1,000. Before any page, one\n"
      "group_by call counts the works per year and the day's budget is read; a harvest\n"
      "that needs more list calls than are left is refused before it starts (exit status\n"
      "3, the store untouched) unless --allow-partial. Pages hold 200 works when the\n"
      "server takes it, else 100 (the documented maximum); a page refused for its size\n"
      "is asked again at 100. xpac works are left out, as the API does, unless\n"
      "--include-xpac. After the harvest, OpenAlex's count per year is kept and compared\n"
      "with the store (as copub check does): a difference is a warning. --full harvests\n"
      "every year again (after OpenAlex re-matched affiliations).\n"
      "\n"
      "Exit status 2 when the API wants a key (HTTP 401); 3 on network failures and when\n"
      "the daily budget is spent (what was fetched is kept); 5, at once, when another\n"
      "fetch or run is writing to the store (it holds STORE.lock).\n"
      "\n"
      "Example: copub fetch openalex --institution I90183372 --from 2015 --to 2024");
  g_auto(GStrv) type_list = NULL;
  CopubFetchOptions options = COPUB_FETCH_OPTIONS_INIT;
  CopubFetchStats stats;
  gboolean ok;
  int lock;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      return FALSE;
    }
  if (institution == NULL)
    {
      copub_cli_usage_error (error, "--institution is required");
      return FALSE;
    }
  if (jobs < 0 || jobs > 32 || refresh < 0 || rate < 0)
    {
      copub_cli_usage_error (error, "--jobs takes 1 to 32, --refresh-years and --rate "
                                    "positive numbers");
      return FALSE;
    }
  if (types)
    {
      type_list = g_strsplit (types, ",", -1);
      for (char **t = type_list; *t; t++)
        g_strstrip (*t);
      options.types = (const char *const *) type_list;
      if (!copub_analyse_check_types (options.types, error))
        {
          g_prefix_error (error, "--types: ");
          return FALSE;
        }
    }
  options.institution = institution;
  options.from = from;
  options.to = to;
  options.api_key = api_key ? api_key : g_getenv ("COPUB_OPENALEX_API_KEY");
  options.mailto = mailto;
  options.base_url = base_url;
  options.rate = rate;
  options.jobs = (guint) jobs;
  options.refresh_years = (guint) refresh;
  options.since = since;
  options.callbacks = copub_cli_callbacks (copub_cli_stderr_is_tty ());
  options.max_attempts = (guint) MAX (0, attempts);
  options.retry_base_ms = (guint) MAX (0, retry_ms);
  options.timeout_ms = (guint) MAX (0, timeout_ms);
  options.per_page = (guint) MAX (0, per_page);
  options.full = full;
  options.include_xpac = include_xpac;
  options.allow_partial = allow_partial;
  options.dry_run = dry_run;

  if (check)
    {
      g_autoptr(GPtrArray) counts = NULL;
      if ((lock = copub_store_lock (copub_cli_db_path (db), "the check", error)) < 0)
        return FALSE;
      ok = copub_check_openalex (copub_cli_db_path (db), &options, &counts, error);
      close (lock);
      return ok && report_check ("OpenAlex", counts, error);
    }
  if (!make_normaliser (no_normalise, ror, &normaliser, error))
    return FALSE;
  options.normaliser = normaliser;
  if (dry_run)
    {
      /* The preflight reads the store, never writes it: no lock to take. */
      ok = copub_fetch_openalex (copub_cli_db_path (db), &options, &stats, error);
      if (ok)
        print_plan (&stats, options.include_xpac);
      copub_fetch_stats_clear (&stats);
      return ok;
    }
  /* One writer at a time, as for copub run: a second fetch would harvest it all again. */
  if ((lock = copub_store_lock (copub_cli_db_path (db), "the fetch", error)) < 0)
    return FALSE;
  ok = copub_fetch_openalex (copub_cli_db_path (db), &options, &stats, error);
  close (lock);
  if (ok)
    g_info ("%u works a page, %" G_GUINT64_FORMAT " requests; xpac works %s", stats.per_page,
            stats.requests, include_xpac ? "included" : "left out");
  if (ok)
    g_message ("fetched %" G_GUINT64_FORMAT " works of %s (%u slices, %u up to date) in %"
               G_GUINT64_FORMAT " pages, %.1f s: %" G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT
               " updated, %" G_GUINT64_FORMAT " unchanged, %" G_GUINT64_FORMAT
               " re-fetched for their full author list",
               stats.works, stats.institution_id, stats.slices, stats.slices_skipped,
               stats.pages, stats.seconds, stats.inserted, stats.updated, stats.unchanged,
               stats.refetched);
  copub_fetch_stats_clear (&stats);
  return ok;
}

static gboolean
fetch_hal (int argc, char **argv, gboolean check, GError **error)
{
  g_autofree char *db = NULL, *structure = NULL, *collection = NULL, *mailto = NULL;
  g_autofree char *ror = NULL, *hal_year = NULL;
  gboolean no_normalise = FALSE, hal_annexes = FALSE;
  CopubHalRules rules;
  g_autoptr(CopubNormaliser) normaliser = NULL;
  g_autofree char *base_url = NULL;
  int from = 0, to = 0, jobs = 0, refresh = 2, attempts = 0, retry_ms = 0, timeout_ms = 0;
  int rows = 0;
  double rate = 0;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Store file (default: $COPUB_DB or ./copub.db)",
      "FILE" },
    { "struct", 0, 0, G_OPTION_ARG_STRING, &structure,
      "HAL structure id (413289 or struct-413289): its documents and its units'", "ID" },
    { "collection", 0, 0, G_OPTION_ARG_STRING, &collection,
      "HAL collection code (UNIV-LORRAINE): the documents it stamps", "CODE" },
    { "from", 0, 0, G_OPTION_ARG_INT, &from,
      "First year, by --hal-year's date (default: 9 years back)", "YEAR" },
    { "to", 0, 0, G_OPTION_ARG_INT, &to, "Last year (default: this year)", "YEAR" },
    COPUB_CLI_HAL_RULES_ENTRIES (hal_year, hal_annexes),
    { "mailto", 0, 0, G_OPTION_ARG_STRING, &mailto, "Contact address sent with requests",
      "ADDR" },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url,
      "API base URL (default: " COPUB_HAL_BASE_URL ")", "URL" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "Requests per second (default: 5)", "N" },
    { "jobs", 0, 0, G_OPTION_ARG_INT, &jobs, "Years fetched in parallel (default: 2)", "N" },
    { "refresh-years", 0, 0, G_OPTION_ARG_INT, &refresh,
      "Harvest the last N years again on every run (default: 2)", "N" },
    { "max-attempts", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &attempts, NULL, NULL },
    { "retry-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &retry_ms, NULL, NULL },
    { "timeout-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &timeout_ms, NULL, NULL },
    { "rows", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &rows, NULL, NULL },
    NORMALISE_ENTRIES (no_normalise, ror),
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = copub_cli_context_new (
      check ? "check hal" : "fetch hal", NULL,
      check ?
      "Ask HAL for its own count per publication year of the documents a fetch with these\n"
      "options harvests (facet counts on the year field, the fetch's query), keep it in\n"
      "the store for the report, and print it beside what the store holds: the documents\n"
      "from HAL of that year. Exit status 6 when they differ in a year (named), 3 when the\n"
      "count cannot be read (the store's counts unchanged).\n"
      "\n"
      "Example: copub check hal --struct 413289 --from 2015 --to 2024" :
      "Harvest a HAL structure's documents (its units' included) or a collection's from\n"
      "the HAL search API into the store, one year per slice, several at once. As HAL's own\n"
      "statistics, a document's year is its production date (producedDateY_i; --hal-year\n"
      "publication for publicationDateY_i), older versions (status_i 111) and annex deposits\n"
      "(submitType_s annex; --hal-annexes keeps them) are left out.\n"
      "Authors' structures without a country in the record are looked up in the structure\n"
      "referential (AuréHAL), and cached in the store. Killed and run again, it resumes\n"
      "where it stopped; a later run re-harvests the recent years. Exit status 3 on\n"
      "network failures (what was fetched is kept); 5, at once, when another fetch or\n"
      "run is writing to the store (it holds STORE.lock). After the harvest, HAL's own\n"
      "count per year is taken and compared with the store (as copub check does).\n"
      "\n"
      "Example: copub fetch hal --struct 413289 --from 2015 --to 2024");
  CopubFetchHalOptions options = COPUB_FETCH_HAL_OPTIONS_INIT;
  CopubFetchStats stats;
  gboolean ok;
  int lock;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!copub_cli_parse (context, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      copub_cli_usage_error (error, "unexpected argument '%s'", argv[1]);
      return FALSE;
    }
  if ((structure == NULL) == (collection == NULL))
    {
      copub_cli_usage_error (error, "give one of --struct and --collection");
      return FALSE;
    }
  if (jobs < 0 || jobs > 32 || refresh < 0 || rate < 0 || rows < 0)
    {
      copub_cli_usage_error (error, "--jobs takes 1 to 32, --refresh-years and --rate "
                                    "positive numbers");
      return FALSE;
    }
  if (!copub_cli_hal_rules (hal_year, hal_annexes, &rules, error))
    return FALSE;
  options.rules = &rules;
  options.structure = structure;
  options.collection = collection;
  options.from = from;
  options.to = to;
  options.mailto = mailto;
  options.base_url = base_url;
  options.rate = rate;
  options.jobs = (guint) jobs;
  options.refresh_years = (guint) refresh;
  options.callbacks = copub_cli_callbacks (copub_cli_stderr_is_tty ());
  options.max_attempts = (guint) MAX (0, attempts);
  options.retry_base_ms = (guint) MAX (0, retry_ms);
  options.timeout_ms = (guint) MAX (0, timeout_ms);
  options.rows = (guint) rows;

  if (check)
    {
      g_autoptr(GPtrArray) counts = NULL;
      if ((lock = copub_store_lock (copub_cli_db_path (db), "the check", error)) < 0)
        return FALSE;
      ok = copub_check_hal (copub_cli_db_path (db), &options, &counts, error);
      close (lock);
      return ok && report_check ("HAL", counts, error);
    }
  if (!make_normaliser (no_normalise, ror, &normaliser, error))
    return FALSE;
  options.normaliser = normaliser;
  /* One writer at a time, as for copub run: a second fetch would harvest it all again. */
  if ((lock = copub_store_lock (copub_cli_db_path (db), "the fetch", error)) < 0)
    return FALSE;
  ok = copub_fetch_hal (copub_cli_db_path (db), &options, &stats, error);
  close (lock);
  if (ok)
    g_message ("fetched %" G_GUINT64_FORMAT " HAL documents of %s (%u slices, %u up to date) in %"
               G_GUINT64_FORMAT " pages, %" G_GUINT64_FORMAT " requests, %.1f s: %"
               G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT " updated, %" G_GUINT64_FORMAT
               " unchanged",
               stats.works, stats.institution_id, stats.slices, stats.slices_skipped,
               stats.pages, stats.requests, stats.seconds, stats.inserted, stats.updated,
               stats.unchanged);
  copub_fetch_stats_clear (&stats);
  return ok;
}

gboolean
copub_cmd_fetch (int argc, char **argv, GError **error)
{
  if (argc >= 2 && strcmp (argv[1], "openalex") == 0)
    return fetch_openalex (argc - 1, argv + 1, FALSE, error);
  if (argc >= 2 && strcmp (argv[1], "hal") == 0)
    return fetch_hal (argc - 1, argv + 1, FALSE, error);
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: copub fetch openalex [OPTIONS]\n"
              "       copub fetch hal [OPTIONS]\n\n"
              "Harvest works from an API into the store: OpenAlex (an institution's lineage)\n"
              "or HAL (a structure's or a collection's documents).\n"
              "Run 'copub fetch openalex --help' or 'copub fetch hal --help' for the options.\n\n"
              "Example: copub fetch openalex --institution I90183372 --from 2015\n"
              "         copub fetch hal --struct 413289 --from 2015\n");
      return TRUE;
    }
  copub_cli_usage_error (error, "fetch from where? 'copub fetch openalex' or 'copub fetch hal' "
                                "(see --help)");
  return FALSE;
}

gboolean
copub_cmd_check (int argc, char **argv, GError **error)
{
  if (argc >= 2 && strcmp (argv[1], "openalex") == 0)
    return fetch_openalex (argc - 1, argv + 1, TRUE, error);
  if (argc >= 2 && strcmp (argv[1], "hal") == 0)
    return fetch_hal (argc - 1, argv + 1, TRUE, error);
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: copub check openalex [OPTIONS]\n"
              "       copub check hal [OPTIONS]\n\n"
              "Ask the source for its own count per publication year of what copub fetch\n"
              "harvests with the same options, keep it in the store (the report shows it), and\n"
              "compare it with what the store holds. Exit status 6 when a year differs.\n"
              "The options are copub fetch's (see 'copub check openalex --help').\n\n"
              "Example: copub check openalex --institution I90183372 --from 2015\n");
      return copub_cli_finish_stdout (error);
    }
  copub_cli_usage_error (error, "check which source? 'copub check openalex' or 'copub check "
                                "hal' (see --help)");
  return FALSE;
}
