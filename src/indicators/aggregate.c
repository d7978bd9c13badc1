/* copub: partial aggregates: the counts of scans of snapshot files, written by one
 * process and added up by another (copub scan --partial, copub merge). The file is text:
 * a magic line, the signature of the options, the years, the synthetic flag, then one
 * line per cell ("C") and per base cell ("B"), and, by partner institution, one line per
 * cited institution with a ROR id ("I": what the tables say of it). Only partials by
 * institution hold "I" lines, and their signature names a dimension older copubs do not
 * know: the version stays 2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copub/analyse.h"
#include "copub/error.h"
#include "indicators/counting.h"

struct CopubAggregate {
  CopubAnalyseOptions options;
  Scan scan;
  char *signature;
};

/* What makes two partial aggregates addable: every option that changes the counts. */
static char *
signature_of (const CopubAnalyseOptions *o)
{
  GString *s = g_string_new (NULL);
  const char *const *types = o->types ? o->types : copub_analyse_default_types;

  for (guint d = 0; d < o->n_dims; d++)
    g_string_append_printf (s, "%s%s", d ? "," : "by=", copub_dimension_name (o->dims[d]));
  g_string_append_printf (s, ";home=%s;from=%d;to=%d;types=", o->home ? o->home : "none",
                          o->from, o->to);
  for (const char *const *t = types; *t; t++)
    g_string_append_printf (s, "%s%s", t == types ? "" : "|", *t);
  g_string_append_printf (s, ";territories=%d;hkmo=%d;source-only=%d;theme-level=%d;"
                          "themes=%s;partners=%s", o->territories_as_home, o->hk_mo_as_cn,
                          o->source_countries_only, o->theme_level,
                          o->themes ? copub_theme_map_digest (o->themes) : "none",
                          o->partners ? copub_partners_digest (o->partners) : "none");
  /* Only with the region dimension: other partials keep the signature they had. */
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == COPUB_DIM_REGION)
      g_string_append_printf (s, ";groups=%s", copub_regions_digest (o->regions));
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == COPUB_DIM_INSTITUTION && o->institution_tree)
      {
        g_string_append_printf (s, ";home-institution=%s;registry=%s;top=%u",
                                o->home_institution,
                                copub_institution_tree_digest (o->institution_tree), o->top);
        g_string_append_printf (s, ";home-openalex=%s",
                                o->home_openalex ? o->home_openalex : "none");
      }
  return g_string_free (s, FALSE);
}

/* Without a store, the home institution is given by its ROR id and its OpenAlex id: the
 * one rolls the registry's units up, the other names the units of OpenAlex's lineage, as
 * analyse finds them with a store. */
static gboolean
check_home (const CopubAnalyseOptions *o, GError **error)
{
  for (guint d = 0; d < o->n_dims; d++)
    if (o->dims[d] == COPUB_DIM_INSTITUTION
        && (!copub_institution_is_ror (o->home_institution) || o->home_openalex == NULL))
      {
        g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                     "home institution '%s': without a store, give its ROR id and its "
                     "OpenAlex id", o->home_institution);
        copub_error_set_option (error ? *error : NULL, "home-institution");
        return FALSE;
      }
  return TRUE;
}

CopubAggregate *
copub_aggregate_new (const CopubAnalyseOptions *options, GError **error)
{
  CopubAggregate *agg = g_new0 (CopubAggregate, 1);

  agg->options = *options;
  copub_counting_default_dims (&agg->options);
  if (!copub_counting_check_options (&agg->options, error) || !check_home (&agg->options, error))
    {
      g_free (agg);
      return NULL;
    }
  copub_counting_scan_init (&agg->scan, &agg->options);
  agg->signature = signature_of (&agg->options);
  return agg;
}

void
copub_aggregate_free (CopubAggregate *agg)
{
  if (agg == NULL)
    return;
  copub_counting_scan_clear (&agg->scan);
  g_free (agg->signature);
  g_free (agg);
}

static int
compare_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* @all (borrowed strings) sorted, without repeats, NULL-terminated. */
static const char *const *
distinct (GPtrArray *all)
{
  guint n = 0;

  g_ptr_array_sort (all, compare_str);
  for (guint i = 0; i < all->len; i++)
    if (n == 0 || strcmp (all->pdata[n - 1], all->pdata[i]) != 0)
      all->pdata[n++] = all->pdata[i];
  g_ptr_array_set_size (all, n);
  g_ptr_array_add (all, NULL);
  return (const char *const *) all->pdata;
}

/* Tells the partner file (when it has "name:" lines) and the institution dimension of
 * the institutions @work cites. */
static void
learn_institutions (CopubAggregate *agg, const CopubWork *work)
{
  CopubPartners *partners = agg->options.partners;
  gboolean names = partners && copub_partners_has_names (partners);

  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      for (guint j = 0; j < a->institutions->len; j++)
        {
          const CopubInstitution *inst = g_ptr_array_index (a->institutions, j);
          if (names)
            copub_partners_learn (partners, inst->id, inst->ror, inst->name);
          copub_counting_learn_institution (&agg->scan, inst->id, inst->ror, inst->name,
                                            inst->country);
        }
    }
}

/* The work's institution ids, lineage ids and RORs. */
static void
work_institutions (const CopubWork *work, GPtrArray *out)
{
  for (guint i = 0; i < work->authorships->len; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      for (guint j = 0; j < a->institutions->len; j++)
        {
          const CopubInstitution *inst = g_ptr_array_index (a->institutions, j);
          if (inst->id)
            g_ptr_array_add (out, inst->id);
          if (inst->ror)
            g_ptr_array_add (out, inst->ror);
          for (guint k = 0; k < inst->lineage->len; k++)
            g_ptr_array_add (out, g_ptr_array_index (inst->lineage, k));
        }
    }
}

void
copub_aggregate_add_work (CopubAggregate *agg, const CopubWork *work)
{
  guint n = work->authorships->len;
  g_autofree CopubAuthorshipCountries *auths = g_new0 (CopubAuthorshipCountries, n + 1);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) countries = g_ptr_array_new ();
  g_autoptr(GPtrArray) institutions = g_ptr_array_new ();
  g_auto(GStrv) unit_v = NULL;
  CopubWorkSummary s = { 0 };

  /* Partners and partner institutions learn from every work read, in the years or not. */
  learn_institutions (agg, work);
  if ((agg->options.from && work->year < agg->options.from)
      || (agg->options.to && work->year > agg->options.to))
    return;
  for (guint i = 0; i < n; i++)
    {
      const CopubAuthorship *a = g_ptr_array_index (work->authorships, i);
      GPtrArray *mine = a->countries->len ? a->countries : a->inferred;
      const char **v = g_new0 (const char *, mine->len + 1);
      for (guint j = 0; j < mine->len; j++)
        g_ptr_array_add (countries, (v[j] = g_ptr_array_index (mine, j), (gpointer) v[j]));
      g_ptr_array_add (codes, v);
      auths[i].countries = v;
      auths[i].inferred = a->countries->len == 0;
      s.n_known += mine->len > 0;
      s.n_inferred += a->countries->len == 0 && a->inferred->len > 0;
    }
  work_institutions (work, institutions);
  s.source = copub_source_name (work->source);
  s.id = work->id;
  s.year = work->year;
  s.type = work->type;
  s.is_retracted = work->is_retracted;
  s.is_paratext = work->is_paratext;
  s.is_synthetic = work->is_synthetic;
  s.countries = distinct (countries);
  s.n_authorships = (int) n;
  s.field_id = work->field.id;
  s.field_name = work->field.name;
  s.domain_id = work->domain.id;
  s.domain_name = work->domain.name;
  s.authorships = auths;
  s.n_authorship_countries = n;
  s.institutions = distinct (institutions);
  /* The home's units by lineage: read only when they can matter. */
  if (agg->options.home_openalex && agg->options.institution_tree)
    {
      g_autofree char *units = copub_work_unit_lineages (work);
      unit_v = g_strsplit (units, " ", -1);
    }
  s.unit_lineages = (const char *const *) unit_v;
  s.doi = work->doi;
  s.title = work->title;
  copub_counting_scan_count (&agg->scan, &s);
}

/* Version 2: fractional counts are integers in units of 1/FRAC_SCALE of a work (version
 * 1 held them as decimal doubles, whose sums depend on the order of the additions). */
#define PARTIAL_MAGIC "copub-partial 2"

/* A dimension value as a partial file holds it: no tab, no line break. */
static void
append_value (GString *out, const char *value)
{
  for (const char *c = value; *c; c++)
    g_string_append_c (out, *c == '\t' || *c == '\n' || *c == '\x1f' ? ' ' : *c);
}

/* A fractional count in decimal (no printf for 128 bits). */
static void
append_frac (GString *out, FracSum value)
{
  char digits[48];
  guint n = 0;
  FracWide v = (FracWide) value;

  do
    digits[n++] = (char) ('0' + (int) (v % 10));
  while ((v /= 10) != 0);
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

/* Parses a fractional count: decimal digits only, at most 37 of them. */
static gboolean
parse_frac (const char *text, FracSum *out)
{
  FracWide v = 0;
  guint n = 0;

  for (const char *p = text; *p; p++, n++)
    {
      if (*p < '0' || *p > '9' || n >= 37)
        return FALSE;
      v = v * 10 + (FracWide) (*p - '0');
    }
  *out = (FracSum) v;
  return n > 0;
}

static void
write_cells (GString *out, char tag, GHashTable *cells, guint n_values)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, cells);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const Cell *c = value;
      g_string_append_printf (out, "%c\t", tag);
      for (guint i = 0; i < n_values; i++)
        {
          if (i)
            g_string_append_c (out, '\x1f');
          append_value (out, c->values[i]);
        }
      g_string_append_printf (out, "\t%d\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%"
                              G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%"
                              G_GINT64_FORMAT "\t", c->year, c->works, c->international,
                              c->authorships, c->known, c->complete, c->complete_international);
      append_frac (out, c->fractional);
      g_string_append_c (out, '\n');
    }
}

static void
write_institutions (GString *out, GHashTable *seen)
{
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, seen);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      const SeenInstitution *inst = value;
      const char *fields[] = { key, inst->id, inst->name, inst->country };
      g_string_append_c (out, 'I');
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          g_string_append_c (out, '\t');
          append_value (out, fields[i] ? fields[i] : "");
        }
      g_string_append_c (out, '\n');
    }
}

/* Adds one "I" line: ROR, id, name, country (empty: unknown). */
static gboolean
merge_institution (CopubAggregate *agg, const char *line, GError **error)
{
  g_auto(GStrv) f = g_strsplit (line, "\t", -1);

  if (g_strv_length (f) != 5 || *f[1] == '\0' || *f[2] == '\0')
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "expected 5 fields: I, ROR id, institution id, name, country");
      return FALSE;
    }
  copub_counting_learn_institution (&agg->scan, f[2], f[1], *f[3] ? f[3] : NULL,
                                    *f[4] ? f[4] : NULL);
  return TRUE;
}

gboolean
copub_aggregate_write (const CopubAggregate *agg, FILE *out, GError **error)
{
  g_autoptr(GString) text = g_string_new (PARTIAL_MAGIC "\n");

  g_string_append_printf (text, "signature\t%s\nyears\t%d\t%d\nsynthetic\t%d\n",
                          agg->signature, agg->scan.min_year, agg->scan.max_year,
                          agg->scan.synthetic);
  write_cells (text, 'C', agg->scan.cells, agg->options.n_dims);
  if (agg->scan.has_pair)
    write_cells (text, 'B', agg->scan.base, copub_counting_n_base_values (&agg->options));
  write_institutions (text, agg->scan.seen_institutions);
  if (fwrite (text->str, 1, text->len, out) != text->len || fflush (out) != 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing a partial aggregate: %s",
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Adds one "C"/"B" line of a partial file. */
static gboolean
merge_line (CopubAggregate *agg, char *line, GError **error)
{
  g_auto(GStrv) f = g_strsplit (line, "\t", -1);
  g_auto(GStrv) values = NULL;
  gboolean base = line[0] == 'B';
  guint n_values = base ? copub_counting_n_base_values (&agg->options) : agg->options.n_dims;
  GHashTable *table = base ? agg->scan.base : agg->scan.cells;
  GString *key;
  Cell add = { 0 }, *c;

  if (g_strv_length (f) != 10)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE, "expected 10 fields");
      return FALSE;
    }
  values = g_strsplit (f[1], "\x1f", -1);
  if (g_strv_length (values) != n_values)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "wrong number of dimension values");
      return FALSE;
    }
  key = g_string_new (NULL);
  for (guint i = 0; i < n_values; i++)
    g_string_append_printf (key, "%s" SEP, values[i]);
  c = copub_counting_scan_cell (table, key->str, values, n_values);
  g_string_free (key, TRUE);
  add.works = g_ascii_strtoll (f[3], NULL, 10);
  add.international = g_ascii_strtoll (f[4], NULL, 10);
  add.authorships = g_ascii_strtoll (f[5], NULL, 10);
  add.known = g_ascii_strtoll (f[6], NULL, 10);
  add.complete = g_ascii_strtoll (f[7], NULL, 10);
  add.complete_international = g_ascii_strtoll (f[8], NULL, 10);
  if (!parse_frac (f[9], &add.fractional))
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "fractional count '%s': expected a whole number (of 1/%" G_GINT64_FORMAT
                   " of a work)", f[9], FRAC_SCALE);
      return FALSE;
    }
  copub_counting_scan_cell_add (c, &add);
  c->year = atoi (f[2]);
  return TRUE;
}

static gboolean
merge_header (CopubAggregate *agg, char **lines, GError **error)
{
  if (lines[0] && strcmp (lines[0], "copub-partial 1") == 0)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "line 1: a partial of an older copub (version 1, inexact "
                           "fractional counts): scan its input again with this copub");
      return FALSE;
    }
  if (lines[0] == NULL || strcmp (lines[0], PARTIAL_MAGIC) != 0)
    {
      g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                           "line 1: expected \"" PARTIAL_MAGIC "\": not a copub partial");
      return FALSE;
    }
  if (lines[1] == NULL || !g_str_has_prefix (lines[1], "signature\t")
      || strcmp (lines[1] + strlen ("signature\t"), agg->signature) != 0)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_USAGE,
                   "line 2: computed with other options (%s) than these (%s)",
                   lines[1] ? lines[1] : "none", agg->signature);
      return FALSE;
    }
  if (lines[2] && g_str_has_prefix (lines[2], "years\t"))
    {
      int lo = 0, hi = 0;
      if (sscanf (lines[2] + 6, "%d\t%d", &lo, &hi) == 2 && lo > 0)
        {
          agg->scan.min_year = agg->scan.min_year ? MIN (agg->scan.min_year, lo) : lo;
          agg->scan.max_year = MAX (agg->scan.max_year, hi);
        }
    }
  if (lines[2] && lines[3] && strcmp (lines[3], "synthetic\t1") == 0)
    agg->scan.synthetic = TRUE;
  return TRUE;
}

gboolean
copub_aggregate_merge_stream (CopubAggregate *agg, FILE *in, const char *name, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  char buf[65536];
  size_t got;

  while ((got = fread (buf, 1, sizeof buf, in)) > 0)
    g_string_append_len (text, buf, (gssize) got);
  if (ferror (in))
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "reading '%s': %s", name,
                   g_strerror (saved));
      return FALSE;
    }
  lines = g_strsplit (text->str, "\n", -1);
  if (!merge_header (agg, lines, error))
    {
      g_prefix_error (error, "'%s' ", name);
      return FALSE;
    }
  for (guint i = 4; lines[i]; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      gboolean ok = lines[i][0] == 'I' ? merge_institution (agg, lines[i], error)
                    : (lines[i][0] == 'C' || lines[i][0] == 'B') && merge_line (agg, lines[i],
                                                                                error);
      if (!ok)
        {
          if (error && *error == NULL)
            g_set_error_literal (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                                 "expected a C, B or I line");
          g_prefix_error (error, "'%s' line %u: ", name, i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
copub_aggregate_merge_file (CopubAggregate *agg, const char *path, GError **error)
{
  FILE *in = fopen (path, "rb");
  gboolean ok;

  if (in == NULL)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "Failed to open file “%s”: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  ok = copub_aggregate_merge_stream (agg, in, path, error);
  fclose (in);
  return ok;
}

CopubIndicators *
copub_aggregate_indicators (CopubAggregate *agg)
{
  /* Call once: the cells become rolling periods. */
  copub_counting_scan_apply_window (&agg->scan);
  return copub_counting_scan_indicators (&agg->scan);
}
