/* copub: the table of a set of indicators, for the terminal, CSV and JSON (the CLI's
 * output, the report's CSV files). Built at the edges: no module reads a table back. */
#include <string.h>

#include "copub/indicators.h"
#include "copub/table.h"
#include "output/words.h"

static void
add_dim_columns (CopubTable *t, const CopubIndicators *ind)
{
  guint n_dims, window = copub_indicators_window (ind);
  const CopubDimension *dims = copub_indicators_dims (ind, &n_dims);

  for (guint d = 0; d < n_dims; d++)
    {
      const char *name = dims[d] == COPUB_DIM_YEAR && window > 1
                             ? "period" : copub_dimension_name (dims[d]);
      copub_table_add_column (t, name, dims[d] == COPUB_DIM_YEAR && window <= 1
                                           ? COPUB_COLUMN_INT : COPUB_COLUMN_TEXT);
      if (dims[d] == COPUB_DIM_COUNTRY && copub_indicators_has_country_names (ind))
        copub_table_add_column (t, "country_name", COPUB_COLUMN_TEXT);
      if (dims[d] == COPUB_DIM_TYPE)
        copub_table_add_column (t, "type_name", COPUB_COLUMN_TEXT);
      if (dims[d] == COPUB_DIM_REGION)
        copub_table_add_column (t, "region_name", COPUB_COLUMN_TEXT);
      if (dims[d] == COPUB_DIM_INSTITUTION)
        {
          copub_table_add_column (t, "openalex_id", COPUB_COLUMN_TEXT);
          copub_table_add_column (t, "institution_name", COPUB_COLUMN_TEXT);
          copub_table_add_column (t, "institution_country", COPUB_COLUMN_TEXT);
        }
    }
}

/* Measures of a table without partner dimensions. */
static void
add_share_columns (CopubTable *t)
{
  copub_table_add_column (t, "works", COPUB_COLUMN_INT);
  copub_table_add_column (t, "international", COPUB_COLUMN_INT);
  copub_table_add_column (t, "share", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_low", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_high", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "coverage", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "complete", COPUB_COLUMN_INT);
  copub_table_add_column (t, "share_complete", COPUB_COLUMN_SHARE);
  copub_table_add_column (t, "share_max", COPUB_COLUMN_SHARE);
}

static gboolean
has_full (const CopubIndicators *ind)
{
  return copub_indicators_counting (ind) != COPUB_COUNTING_FRACTIONAL;
}

static gboolean
has_fractional (const CopubIndicators *ind)
{
  return copub_indicators_counting (ind) != COPUB_COUNTING_FULL
         && (copub_indicators_has_dim (ind, COPUB_DIM_COUNTRY)
             || copub_indicators_has_dim (ind, COPUB_DIM_REGION)
             || copub_indicators_has_dim (ind, COPUB_DIM_INSTITUTION));
}

/* Measures of a table by partner country or partner. */
static void
add_pair_columns (CopubTable *t, const CopubIndicators *ind)
{
  copub_table_add_column (t, "works", COPUB_COLUMN_INT);
  copub_table_add_column (t, "n", COPUB_COLUMN_INT);
  if (has_full (ind))
    {
      copub_table_add_column (t, "share", COPUB_COLUMN_SHARE);
      copub_table_add_column (t, "share_low", COPUB_COLUMN_SHARE);
      copub_table_add_column (t, "share_high", COPUB_COLUMN_SHARE);
    }
  if (has_fractional (ind))
    {
      copub_table_add_column (t, "fractional", COPUB_COLUMN_REAL);
      copub_table_add_column (t, "fractional_share", COPUB_COLUMN_SHARE);
    }
  if (copub_indicators_has_dim (ind, COPUB_DIM_COUNTRY))
    copub_table_add_column (t, "rank", COPUB_COLUMN_RANK);
}

/* The document type in words, in the indicators' language: "book chapters". */
static void
set_type (CopubTable *t, guint row, guint col, const CopubIndicators *ind, const CopubCell *c)
{
  const char *previous = copub_words_use (copub_indicators_lang (ind));
  const char *words = copub_words_document_type (c->type);

  copub_table_set_text (t, row, col, c->type);
  copub_table_set_text (t, row, col + 1, words ? words : c->type);
  copub_words_use (previous);
}

/* The group and its name in the indicators' language. */
static void
set_region (CopubTable *t, guint row, guint col, const CopubIndicators *ind,
            const CopubCell *c)
{
  const char *previous = copub_words_use (copub_indicators_lang (ind));

  copub_table_set_text (t, row, col, c->region);
  copub_table_set_text (t, row, col + 1, copub_words_region_name (c->region));
  copub_words_use (previous);
}

/* The institution's ROR id, OpenAlex id, name and country (empty when unknown). */
static void
set_institution (CopubTable *t, guint row, guint col, const CopubIndicators *ind,
                 const CopubCell *c)
{
  CopubInstitutionInfo info = copub_indicators_institution (ind, c);

  copub_table_set_text (t, row, col, c->institution);
  copub_table_set_text (t, row, col + 1, info.openalex ? info.openalex : "");
  copub_table_set_text (t, row, col + 2, info.name ? info.name : "");
  copub_table_set_text (t, row, col + 3, info.country ? info.country : "");
}

static guint
fill_dims (CopubTable *t, guint row, const CopubIndicators *ind, const CopubCell *c)
{
  guint n_dims, col = 0;
  const CopubDimension *dims = copub_indicators_dims (ind, &n_dims);

  for (guint d = 0; d < n_dims; d++)
    switch (dims[d])
      {
      case COPUB_DIM_YEAR:
        if (copub_indicators_window (ind) <= 1)
          copub_table_set_int (t, row, col++, c->year);
        else
          {
            g_autofree char *period = g_strdup_printf ("%d-%d", c->first_year, c->year);
            copub_table_set_text (t, row, col++, period);
          }
        break;
      case COPUB_DIM_THEME:
        copub_table_set_text (t, row, col++, c->theme);
        break;
      case COPUB_DIM_COUNTRY:
        copub_table_set_text (t, row, col++, c->country);
        if (copub_indicators_has_country_names (ind))
          copub_table_set_text (t, row, col++, copub_indicators_country_name (ind, c));
        break;
      case COPUB_DIM_PARTNER:
        copub_table_set_text (t, row, col++, c->partner);
        break;
      case COPUB_DIM_SOURCE:
        copub_table_set_text (t, row, col++, c->source);
        break;
      case COPUB_DIM_TYPE:
        set_type (t, row, col, ind, c);
        col += 2;
        break;
      case COPUB_DIM_REGION:
        set_region (t, row, col, ind, c);
        col += 2;
        break;
      case COPUB_DIM_INSTITUTION:
        set_institution (t, row, col, ind, c);
        col += 4;
        break;
      case COPUB_N_DIMS:
      default:
        break;
      }
  return col;
}

static void
fill_share_row (CopubTable *t, guint row, guint col, const CopubCell *c)
{
  double low, high;

  copub_cell_share_interval (c, &low, &high);
  copub_table_set_int (t, row, col, c->works);
  copub_table_set_int (t, row, col + 1, c->international);
  copub_table_set_real (t, row, col + 2, copub_cell_share (c));
  copub_table_set_real (t, row, col + 3, low);
  copub_table_set_real (t, row, col + 4, high);
  copub_table_set_real (t, row, col + 5, copub_cell_coverage (c));
  copub_table_set_int (t, row, col + 6, c->complete);
  copub_table_set_real (t, row, col + 7, copub_cell_share_complete (c));
  copub_table_set_real (t, row, col + 8, copub_cell_share_max (c));
}

static void
fill_pair_row (CopubTable *t, guint row, guint col, const CopubIndicators *ind,
               const CopubCell *c)
{
  double low, high;

  copub_table_set_int (t, row, col++, c->works);
  copub_table_set_int (t, row, col++, c->n);
  if (has_full (ind))
    {
      copub_cell_share_interval (c, &low, &high);
      copub_table_set_real (t, row, col++, copub_cell_share (c));
      copub_table_set_real (t, row, col++, low);
      copub_table_set_real (t, row, col++, high);
    }
  if (has_fractional (ind) && c->institution_group)
    col += 2; /* a group of institutions has no fractional count: empty cells */
  else if (has_fractional (ind))
    {
      /* The one rounding of the output: to hundredths, halves up, from the integer. */
      copub_table_set_rounded (t, row, col++, copub_fraction_to_double (c->fractional),
                               copub_fraction_hundredths (c->fractional));
      copub_table_set_real (t, row, col++, copub_cell_fractional_share (c));
    }
  if (copub_indicators_has_dim (ind, COPUB_DIM_COUNTRY))
    copub_table_set_rank (t, row, col, c->rank, c->tied);
}

static char *
describe (const CopubIndicators *ind)
{
  GString *s = g_string_new ("International co-publication");
  guint n_dims, window = copub_indicators_window (ind);
  const CopubDimension *dims = copub_indicators_dims (ind, &n_dims);
  const char *home = copub_indicators_home (ind);

  for (guint d = 0; d < n_dims; d++)
    g_string_append_printf (s, "%s%s", d == 0 ? " by " : ", ",
                            dims[d] == COPUB_DIM_YEAR && window > 1
                                ? "rolling period" : copub_dimension_name (dims[d]));
  if (home)
    g_string_append_printf (s, " (home country %s; international = a co-author outside %s)",
                            home, home);
  else
    g_string_append (s, " (international = authors in two countries or more)");
  return g_string_free (s, FALSE);
}

CopubTable *
copub_table_new_from_indicators (const CopubIndicators *ind)
{
  g_autofree char *title = describe (ind);
  CopubTable *t = copub_table_new (title);
  gboolean pair = copub_indicators_by_pair (ind);

  add_dim_columns (t, ind);
  if (pair)
    add_pair_columns (t, ind);
  else
    add_share_columns (t);
  for (guint i = 0; i < copub_indicators_n_cells (ind); i++)
    {
      const CopubCell *c = copub_indicators_cell (ind, i);
      guint row = copub_table_add_row (t);
      guint col = fill_dims (t, row, ind, c);
      if (pair)
        fill_pair_row (t, row, col, ind, c);
      else
        fill_share_row (t, row, col, c);
    }
  if (copub_indicators_synthetic (ind))
    copub_table_add_note (t, "Note: synthetic data (copub's generated sample corpus), "
                             "not real publications.");
  return t;
}
