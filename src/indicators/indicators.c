/* copub: the indicators' cells, and the shares and intervals computed from their counts. */
#include <math.h>
#include <string.h>

#include "copub/analyse.h"
#include "copub/indicators.h"

struct CopubIndicators {
  gint ref_count;
  CopubDimension dims[COPUB_N_DIMS];
  guint n_dims;
  guint window;
  CopubCounting counting;
  char *home;
  gboolean synthetic;
  CopubCountryNameFunc country_name;
  char *lang;
  gpointer country_name_data;
  GArray *cells;        /* CopubCell */
  GHashTable *institutions; /* ROR id -> CopubInstitutionInfo (strings in @strings) */
  GStringChunk *strings;
};

static const char *const dim_names[COPUB_N_DIMS] = {
  [COPUB_DIM_YEAR] = "year",
  [COPUB_DIM_THEME] = "theme",
  [COPUB_DIM_COUNTRY] = "country",
  [COPUB_DIM_PARTNER] = "partner",
  [COPUB_DIM_SOURCE] = "source",
  [COPUB_DIM_TYPE] = "type",
  [COPUB_DIM_REGION] = "region",
  [COPUB_DIM_INSTITUTION] = "institution",
};

const char *
copub_dimension_name (CopubDimension dim)
{
  g_return_val_if_fail (dim < COPUB_N_DIMS, NULL);
  return dim_names[dim];
}

__extension__ typedef unsigned __int128 Wide;

static Wide
wide_of (CopubFraction f)
{
  return (Wide) f.high << 64 | f.low;
}

double
copub_fraction_to_double (CopubFraction f)
{
  __extension__ __int128 v = (__int128) wide_of (f);
  return (double) v / (double) COPUB_FRACTION_UNITS;
}

gint64
copub_fraction_hundredths (CopubFraction f)
{
  __extension__ __int128 v = (__int128) wide_of (f);
  return (gint64) ((200 * v + COPUB_FRACTION_UNITS) / (2 * COPUB_FRACTION_UNITS));
}

static double
ratio (double part, gint64 whole)
{
  return whole > 0 ? part / (double) whole : NAN;
}

double
copub_cell_share (const CopubCell *c)
{
  return c->pair ? ratio ((double) c->works, c->n) : ratio ((double) c->international, c->works);
}

void
copub_cell_share_interval (const CopubCell *c, double *out_low, double *out_high)
{
  if (c->pair)
    copub_analyse_wilson (c->works, c->n, out_low, out_high);
  else
    copub_analyse_wilson (c->international, c->works, out_low, out_high);
}

double
copub_cell_coverage (const CopubCell *c)
{
  return ratio ((double) c->known, c->authorships);
}

double
copub_cell_share_complete (const CopubCell *c)
{
  return ratio ((double) c->complete_international, c->complete);
}

double
copub_cell_share_max (const CopubCell *c)
{
  return ratio ((double) (c->works - c->complete + c->complete_international), c->works);
}

double
copub_cell_fractional_share (const CopubCell *c)
{
  return ratio (copub_fraction_to_double (c->fractional), c->n);
}

CopubIndicators *
copub_indicators_new (const CopubDimension *dims, guint n_dims, guint window,
                      CopubCounting counting, const char *home)
{
  CopubIndicators *ind = g_new0 (CopubIndicators, 1);

  g_return_val_if_fail (n_dims <= COPUB_N_DIMS, NULL);
  ind->ref_count = 1;
  memcpy (ind->dims, dims, n_dims * sizeof *dims);
  ind->n_dims = n_dims;
  ind->window = MAX (window, 1);
  ind->counting = counting;
  ind->home = g_strdup (home);
  ind->cells = g_array_new (FALSE, TRUE, sizeof (CopubCell));
  ind->strings = g_string_chunk_new (1024);
  ind->institutions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  return ind;
}

CopubIndicators *
copub_indicators_ref (CopubIndicators *ind)
{
  g_atomic_int_inc (&ind->ref_count);
  return ind;
}

void
copub_indicators_unref (CopubIndicators *ind)
{
  if (ind == NULL || !g_atomic_int_dec_and_test (&ind->ref_count))
    return;
  g_array_unref (ind->cells);
  g_hash_table_unref (ind->institutions);
  g_string_chunk_free (ind->strings);
  g_free (ind->home);
  g_free (ind->lang);
  g_free (ind);
}

static const char *
keep (CopubIndicators *ind, const char *s)
{
  return s ? g_string_chunk_insert_const (ind->strings, s) : NULL;
}

const CopubCell *
copub_indicators_add_cell (CopubIndicators *ind, const CopubCell *cell)
{
  CopubCell c = *cell;

  c.theme = keep (ind, c.theme);
  c.country = keep (ind, c.country);
  c.partner = keep (ind, c.partner);
  c.source = keep (ind, c.source);
  c.type = keep (ind, c.type);
  c.region = keep (ind, c.region);
  c.institution = keep (ind, c.institution);
  if (c.first_year == 0)
    c.first_year = c.year;
  c.pair = copub_indicators_by_pair (ind);
  if (!c.pair)
    c.n = c.works;
  g_array_append_val (ind->cells, c);
  return &g_array_index (ind->cells, CopubCell, ind->cells->len - 1);
}

guint
copub_indicators_n_cells (const CopubIndicators *ind)
{
  return ind->cells->len;
}

const CopubCell *
copub_indicators_cell (const CopubIndicators *ind, guint i)
{
  g_return_val_if_fail (i < ind->cells->len, NULL);
  return &g_array_index (ind->cells, CopubCell, i);
}

static gboolean
same_value (CopubDimension d, const CopubCell *a, const CopubCell *b)
{
  switch (d)
    {
    case COPUB_DIM_YEAR:
      return a->year == b->year;
    case COPUB_DIM_THEME:
      return g_strcmp0 (a->theme, b->theme) == 0;
    case COPUB_DIM_COUNTRY:
      return g_strcmp0 (a->country, b->country) == 0;
    case COPUB_DIM_PARTNER:
      return g_strcmp0 (a->partner, b->partner) == 0;
    case COPUB_DIM_SOURCE:
      return g_strcmp0 (a->source, b->source) == 0;
    case COPUB_DIM_TYPE:
      return g_strcmp0 (a->type, b->type) == 0;
    case COPUB_DIM_REGION:
      return g_strcmp0 (a->region, b->region) == 0;
    case COPUB_DIM_INSTITUTION:
      return g_strcmp0 (a->institution, b->institution) == 0;
    case COPUB_N_DIMS:
    default:
      return FALSE;
    }
}

const CopubCell *
copub_indicators_find (const CopubIndicators *ind, const CopubCell *key)
{
  for (guint i = 0; i < ind->cells->len; i++)
    {
      const CopubCell *c = &g_array_index (ind->cells, CopubCell, i);
      gboolean match = TRUE;
      for (guint d = 0; match && d < ind->n_dims; d++)
        match = same_value (ind->dims[d], c, key);
      if (match)
        return c;
    }
  return NULL;
}

const CopubDimension *
copub_indicators_dims (const CopubIndicators *ind, guint *n_dims)
{
  if (n_dims)
    *n_dims = ind->n_dims;
  return ind->dims;
}

gboolean
copub_indicators_has_dim (const CopubIndicators *ind, CopubDimension dim)
{
  for (guint d = 0; d < ind->n_dims; d++)
    if (ind->dims[d] == dim)
      return TRUE;
  return FALSE;
}

gboolean
copub_indicators_by_pair (const CopubIndicators *ind)
{
  return copub_indicators_has_dim (ind, COPUB_DIM_COUNTRY)
         || copub_indicators_has_dim (ind, COPUB_DIM_PARTNER)
         || copub_indicators_has_dim (ind, COPUB_DIM_REGION)
         || copub_indicators_has_dim (ind, COPUB_DIM_INSTITUTION);
}

guint
copub_indicators_window (const CopubIndicators *ind)
{
  return ind->window;
}

CopubCounting
copub_indicators_counting (const CopubIndicators *ind)
{
  return ind->counting;
}

const char *
copub_indicators_home (const CopubIndicators *ind)
{
  return ind->home;
}

gboolean
copub_indicators_synthetic (const CopubIndicators *ind)
{
  return ind->synthetic;
}

void
copub_indicators_set_synthetic (CopubIndicators *ind, gboolean synthetic)
{
  ind->synthetic = synthetic;
}

void
copub_indicators_set_country_names (CopubIndicators *ind, CopubCountryNameFunc func,
                                    const char *lang, gpointer user_data)
{
  ind->country_name = func;
  g_free (ind->lang);
  ind->lang = g_strdup (lang);
  ind->country_name_data = user_data;
}

gboolean
copub_indicators_has_country_names (const CopubIndicators *ind)
{
  return ind->country_name != NULL;
}

const char *
copub_indicators_country_name (const CopubIndicators *ind, const CopubCell *cell)
{
  if (ind->country_name == NULL || cell->country == NULL)
    return NULL;
  return ind->country_name (cell->country, ind->lang, ind->country_name_data);
}

const char *
copub_indicators_lang (const CopubIndicators *ind)
{
  return ind->lang ? ind->lang : "en";
}

void
copub_indicators_set_institution (CopubIndicators *ind, const char *ror, const char *openalex,
                                  const char *name, const char *country)
{
  CopubInstitutionInfo *info = g_new0 (CopubInstitutionInfo, 1);
  const char *key = keep (ind, ror);

  info->openalex = keep (ind, openalex);
  info->name = keep (ind, name);
  info->country = keep (ind, country);
  g_hash_table_replace (ind->institutions, (gpointer) key, info);
}

CopubInstitutionInfo
copub_indicators_institution (const CopubIndicators *ind, const CopubCell *cell)
{
  const CopubInstitutionInfo *info = cell->institution
                                         ? g_hash_table_lookup (ind->institutions,
                                                                cell->institution)
                                         : NULL;
  CopubInstitutionInfo none = { NULL, NULL, NULL };

  return info ? *info : none;
}
