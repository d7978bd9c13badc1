/* copub: result tables and their output as an aligned text table, CSV or JSON. */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "copub/indicators.h"

G_BEGIN_DECLS

typedef enum {
  COPUB_COLUMN_TEXT,
  COPUB_COLUMN_INT,
  COPUB_COLUMN_SHARE, /* a proportion in [0, 1]: 4 decimals in CSV, a percentage in tables */
  COPUB_COLUMN_REAL,  /* any other number: 2 decimals in CSV and tables */
  COPUB_COLUMN_RANK,  /* a rank: an integer in CSV and JSON, "5=" in tables when tied */
} CopubColumnKind;

typedef enum {
  COPUB_TABLE_FORMAT_TABLE,
  COPUB_TABLE_FORMAT_CSV,
  COPUB_TABLE_FORMAT_JSON,
} CopubTableFormat;

typedef struct CopubTable CopubTable;

/* A new empty table; @title is shown above text tables and in JSON. */
CopubTable *copub_table_new (const char *title);
void copub_table_free (CopubTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubTable, copub_table_free)

/* Adds a column; returns its index. */
guint copub_table_add_column (CopubTable *table, const char *name, CopubColumnKind kind);
/* Adds a row of empty (null) cells; returns its index. */
guint copub_table_add_row (CopubTable *table);
void copub_table_set_text (CopubTable *table, guint row, guint column, const char *text);
void copub_table_set_int (CopubTable *table, guint row, guint column, gint64 value);
/* Non-finite values leave the cell empty. */
void copub_table_set_real (CopubTable *table, guint row, guint column, double value);
/* A number the caller rounded to hundredths exactly (@hundredths): CSV and tables print
 * that, JSON and the readers get @value. */
void copub_table_set_rounded (CopubTable *table, guint row, guint column, double value,
                              gint64 hundredths);
/* A rank cell (COPUB_COLUMN_RANK): @tied when another row shares it. */
void copub_table_set_rank (CopubTable *table, guint row, guint column, gint64 rank,
                           gboolean tied);
/* Whether the rank in column @name of @row is shared (FALSE when absent). */
gboolean copub_table_tied_at (const CopubTable *table, guint row, const char *name);

/* Competition ranking ("1224"): @measure holds @n values in order, best first, each in
 * group @group[i] (rows of one group are adjacent; ranks restart at 1 in each group).
 * Equal values share the best rank of theirs; the next value's rank counts every row
 * before it. Fills @rank and @tied (TRUE where another row of the group shares it). */
void copub_rank_competition (const double *measure, const guint *group, guint n,
                             gint64 *rank, gboolean *tied);
/* A rank as displayed: "5", or "5=" when tied. */
char *copub_rank_text (gint64 rank, gboolean tied);

/* A note printed under a text table, in JSON's "notes", and to stderr with CSV. */
void copub_table_add_note (CopubTable *table, const char *note);

guint copub_table_n_rows (const CopubTable *table);
guint copub_table_n_columns (const CopubTable *table);
const char *copub_table_column_name (const CopubTable *table, guint column);
/* Cell accessors: FALSE when the cell is empty. */
gboolean copub_table_get_int (const CopubTable *table, guint row, guint column, gint64 *out);
gboolean copub_table_get_real (const CopubTable *table, guint row, guint column, double *out);
const char *copub_table_get_text (const CopubTable *table, guint row, guint column);
const char *const *copub_table_notes (const CopubTable *table, guint *n_notes);

/* Cells by column name, for readers of tables they did not build: the column's index
 * (G_MAXUINT when absent); a numeric cell (NaN when empty or absent); a text cell
 * (NULL when empty or absent). */
guint copub_table_find_column (const CopubTable *table, const char *name);
double copub_table_real_at (const CopubTable *table, guint row, const char *name);
const char *copub_table_text_at (const CopubTable *table, guint row, const char *name);

/* The table of @indicators: a column per dimension (a year, or a rolling "period";
 * with a country dimension, country_name when the indicators name countries), then
 * the measures. Without a country or partner dimension: works, international, share,
 * share_low, share_high (Wilson 95 %), coverage (authorships with a known country),
 * complete (works whose every authorship has a country), share_complete and share_max
 * (the ceiling: works not complete taken as international). With one: works
 * (co-authored with that country or partner), n (the institution's works in the row's
 * other dimensions), share = works / n with its interval (full counting), fractional
 * and fractional_share (fractional counting, countries), and rank (countries). */
CopubTable *copub_table_new_from_indicators (const CopubIndicators *indicators);

/* Parses "table", "csv" or "json". */
gboolean copub_table_format_from_name (const char *name, CopubTableFormat *out);

/* Writes @table to @out. Fails (COPUB_ERROR_IO) when writing fails. */
gboolean copub_table_write (const CopubTable *table, CopubTableFormat format, FILE *out,
                            GError **error);

G_END_DECLS
