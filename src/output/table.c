/* copub: result tables. Cells are typed so that each output format writes numbers
 * its own way: percentages for people, plain fractions for CSV and JSON. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "copub/error.h"
#include "copub/table.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

typedef struct {
  char *name;
  CopubColumnKind kind;
} Column;

typedef struct {
  gboolean set;
  gint64 i;
  double r;
  gboolean rounded; /* REAL: printed as i hundredths (copub_table_set_rounded) */
  char *text;
  gboolean tied; /* a COPUB_COLUMN_RANK shared with another row */
} Cell;

struct CopubTable {
  char *title;
  GArray *columns;   /* of Column */
  GPtrArray *rows;   /* of Cell[n_columns] */
  GPtrArray *notes;  /* of char* */
};

CopubTable *
copub_table_new (const char *title)
{
  CopubTable *t = g_new0 (CopubTable, 1);
  t->title = g_strdup (title);
  t->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  t->rows = g_ptr_array_new ();
  t->notes = g_ptr_array_new_with_free_func (g_free);
  return t;
}

void
copub_table_free (CopubTable *t)
{
  if (t == NULL)
    return;
  for (guint r = 0; r < t->rows->len; r++)
    {
      Cell *cells = g_ptr_array_index (t->rows, r);
      for (guint c = 0; c < t->columns->len; c++)
        g_free (cells[c].text);
      g_free (cells);
    }
  for (guint c = 0; c < t->columns->len; c++)
    g_free (g_array_index (t->columns, Column, c).name);
  g_array_unref (t->columns);
  g_ptr_array_unref (t->rows);
  g_ptr_array_unref (t->notes);
  g_free (t->title);
  g_free (t);
}

guint
copub_table_add_column (CopubTable *t, const char *name, CopubColumnKind kind)
{
  Column col = { g_strdup (name), kind };
  g_return_val_if_fail (t->rows->len == 0, 0);
  g_array_append_val (t->columns, col);
  return t->columns->len - 1;
}

guint
copub_table_add_row (CopubTable *t)
{
  g_ptr_array_add (t->rows, g_new0 (Cell, t->columns->len));
  return t->rows->len - 1;
}

static Cell *
cell (const CopubTable *t, guint row, guint column)
{
  g_return_val_if_fail (row < t->rows->len && column < t->columns->len, NULL);
  return &((Cell *) g_ptr_array_index (t->rows, row))[column];
}

void
copub_table_set_text (CopubTable *t, guint row, guint column, const char *text)
{
  Cell *c = cell (t, row, column);
  g_free (c->text);
  c->text = g_strdup (text);
  c->set = text != NULL;
}

void
copub_table_set_int (CopubTable *t, guint row, guint column, gint64 value)
{
  Cell *c = cell (t, row, column);
  c->i = value;
  c->r = (double) value;
  c->set = TRUE;
}

void
copub_table_set_real (CopubTable *t, guint row, guint column, double value)
{
  Cell *c = cell (t, row, column);
  c->r = value;
  c->set = isfinite (value);
}

void
copub_table_set_rounded (CopubTable *t, guint row, guint column, double value,
                         gint64 hundredths)
{
  Cell *c = cell (t, row, column);
  c->i = hundredths;
  c->rounded = TRUE;
  c->r = value;
  c->set = TRUE;
}

static char *
format_hundredths (gint64 value)
{
  guint64 mag = value < 0 ? -(guint64) value : (guint64) value;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", value < 0 ? "-" : "", mag / 100,
                          (guint) (mag % 100));
}

void
copub_table_set_rank (CopubTable *t, guint row, guint column, gint64 rank, gboolean tied)
{
  copub_table_set_int (t, row, column, rank);
  cell (t, row, column)->tied = tied;
}

gboolean
copub_table_tied_at (const CopubTable *t, guint row, const char *name)
{
  guint c = copub_table_find_column (t, name);
  return c != G_MAXUINT && cell (t, row, c)->tied;
}

void
copub_rank_competition (const double *measure, const guint *group, guint n, gint64 *rank,
                        gboolean *tied)
{
  gint64 position = 0;

  for (guint i = 0; i < n; i++)
    {
      gboolean same_group = i > 0 && group[i] == group[i - 1];
      position = same_group ? position + 1 : 1;
      /* Equal up to rounding: fractional counts are sums of shares in any order. */
      rank[i] = same_group && fabs (measure[i] - measure[i - 1]) < 1e-9 ? rank[i - 1]
                                                                        : position;
      tied[i] = FALSE;
      if (same_group && rank[i] == rank[i - 1])
        tied[i] = tied[i - 1] = TRUE;
    }
}

char *
copub_rank_text (gint64 rank, gboolean tied)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "%s", rank, tied ? "=" : "");
}

void
copub_table_add_note (CopubTable *t, const char *note)
{
  g_ptr_array_add (t->notes, g_strdup (note));
}

guint copub_table_n_rows (const CopubTable *t) { return t->rows->len; }
guint copub_table_n_columns (const CopubTable *t) { return t->columns->len; }

const char *
copub_table_column_name (const CopubTable *t, guint column)
{
  return g_array_index (t->columns, Column, column).name;
}

gboolean
copub_table_get_int (const CopubTable *t, guint row, guint column, gint64 *out)
{
  const Cell *c = cell (t, row, column);
  *out = c->i;
  return c->set;
}

gboolean
copub_table_get_real (const CopubTable *t, guint row, guint column, double *out)
{
  const Cell *c = cell (t, row, column);
  *out = c->r;
  return c->set;
}

const char *
copub_table_get_text (const CopubTable *t, guint row, guint column)
{
  return cell (t, row, column)->text;
}

const char *const *
copub_table_notes (const CopubTable *t, guint *n_notes)
{
  *n_notes = t->notes->len;
  return (const char *const *) t->notes->pdata;
}

guint
copub_table_find_column (const CopubTable *t, const char *name)
{
  for (guint c = 0; c < t->columns->len; c++)
    if (strcmp (g_array_index (t->columns, Column, c).name, name) == 0)
      return c;
  return G_MAXUINT;
}

double
copub_table_real_at (const CopubTable *t, guint row, const char *name)
{
  guint c = copub_table_find_column (t, name);
  double v;

  if (c == G_MAXUINT || !copub_table_get_real (t, row, c, &v))
    return NAN;
  return v;
}

const char *
copub_table_text_at (const CopubTable *t, guint row, const char *name)
{
  guint c = copub_table_find_column (t, name);
  return c == G_MAXUINT ? NULL : copub_table_get_text (t, row, c);
}

gboolean
copub_table_format_from_name (const char *name, CopubTableFormat *out)
{
  if (g_strcmp0 (name, "table") == 0)
    *out = COPUB_TABLE_FORMAT_TABLE;
  else if (g_strcmp0 (name, "csv") == 0)
    *out = COPUB_TABLE_FORMAT_CSV;
  else if (g_strcmp0 (name, "json") == 0)
    *out = COPUB_TABLE_FORMAT_JSON;
  else
    return FALSE;
  return TRUE;
}

/* ---- formatting ----------------------------------------------------------------- */

/* A cell as text; @human gives percentages and thousands as people read them. */
static char *
format_cell (const Column *col, const Cell *c, gboolean human)
{
  if (!c->set)
    return g_strdup (human ? "-" : "");
  switch (col->kind)
    {
    case COPUB_COLUMN_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, c->i);
    case COPUB_COLUMN_RANK:
      return copub_rank_text (c->i, human && c->tied);
    case COPUB_COLUMN_SHARE:
      return human ? g_strdup_printf ("%.1f%%", 100.0 * c->r) : g_strdup_printf ("%.4f", c->r);
    case COPUB_COLUMN_REAL:
      if (c->rounded)
        return format_hundredths (c->i);
      return g_strdup_printf ("%.2f", c->r);
    case COPUB_COLUMN_TEXT:
    default:
      return g_strdup (c->text);
    }
}

/* CSV quoting (RFC 4180): quote fields holding a comma, quote or line break. */
static void
write_csv_field (GString *out, const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (; *s; s++)
    {
      if (*s == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

static GString *
render_csv (const CopubTable *t)
{
  GString *out = g_string_new (NULL);

  for (guint c = 0; c < t->columns->len; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      write_csv_field (out, g_array_index (t->columns, Column, c).name);
    }
  g_string_append_c (out, '\n');
  for (guint r = 0; r < t->rows->len; r++)
    {
      for (guint c = 0; c < t->columns->len; c++)
        {
          g_autofree char *text = format_cell (&g_array_index (t->columns, Column, c),
                                               cell (t, r, c), FALSE);
          if (c > 0)
            g_string_append_c (out, ',');
          write_csv_field (out, text);
        }
      g_string_append_c (out, '\n');
    }
  return out;
}

static GString *
render_text (const CopubTable *t)
{
  GString *out = g_string_new (NULL);
  guint n = t->columns->len;
  g_autofree glong *width = g_new0 (glong, n);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < n; c++)
    width[c] = g_utf8_strlen (g_array_index (t->columns, Column, c).name, -1);
  for (guint r = 0; r < t->rows->len; r++)
    for (guint c = 0; c < n; c++)
      {
        char *text = format_cell (&g_array_index (t->columns, Column, c), cell (t, r, c), TRUE);
        width[c] = MAX (width[c], g_utf8_strlen (text, -1));
        g_ptr_array_add (texts, text);
      }
  if (t->title)
    g_string_append_printf (out, "%s\n\n", t->title);
  for (guint c = 0; c < n; c++)
    {
      const char *name = g_array_index (t->columns, Column, c).name;
      gboolean left = g_array_index (t->columns, Column, c).kind == COPUB_COLUMN_TEXT;
      glong pad = width[c] - g_utf8_strlen (name, -1);
      g_string_append_printf (out, "%s%*s%s%s", c ? "  " : "", left ? 0 : (int) pad, "",
                              name, "");
      if (left && c + 1 < n)
        g_string_append_printf (out, "%*s", (int) pad, "");
    }
  g_string_append_c (out, '\n');
  for (guint r = 0; r < t->rows->len; r++)
    {
      for (guint c = 0; c < n; c++)
        {
          const char *text = g_ptr_array_index (texts, r * n + c);
          gboolean left = g_array_index (t->columns, Column, c).kind == COPUB_COLUMN_TEXT;
          glong pad = width[c] - g_utf8_strlen (text, -1);
          g_string_append_printf (out, "%s%*s%s", c ? "  " : "", left ? 0 : (int) pad, "", text);
          if (left && c + 1 < n)
            g_string_append_printf (out, "%*s", (int) pad, "");
        }
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < t->notes->len; i++)
    g_string_append_printf (out, "%s%s\n", i == 0 ? "\n" : "",
                            (const char *) g_ptr_array_index (t->notes, i));
  return out;
}

static json_t *
cell_json (const Column *col, const Cell *c)
{
  if (!c->set)
    return json_null ();
  switch (col->kind)
    {
    case COPUB_COLUMN_INT:
    case COPUB_COLUMN_RANK:
      return json_integer (c->i);
    case COPUB_COLUMN_SHARE:
    case COPUB_COLUMN_REAL:
      return json_real (c->r);
    case COPUB_COLUMN_TEXT:
    default:
      return json_string (c->text);
    }
}

static GString *
render_json (const CopubTable *t)
{
  g_autoptr(json_t) root = json_object ();
  json_t *rows = json_array ();
  json_t *notes = json_array ();
  g_autofree char *text = NULL;
  GString *out;

  if (t->title)
    json_object_set_new (root, "title", json_string (t->title));
  for (guint r = 0; r < t->rows->len; r++)
    {
      json_t *row = json_object ();
      for (guint c = 0; c < t->columns->len; c++)
        {
          const Column *col = &g_array_index (t->columns, Column, c);
          json_object_set_new (row, col->name, cell_json (col, cell (t, r, c)));
        }
      json_array_append_new (rows, row);
    }
  for (guint i = 0; i < t->notes->len; i++)
    json_array_append_new (notes, json_string (g_ptr_array_index (t->notes, i)));
  json_object_set_new (root, "rows", rows);
  json_object_set_new (root, "notes", notes);
  text = json_dumps (root, JSON_INDENT (2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION (10));
  out = g_string_new (text);
  g_string_append_c (out, '\n');
  return out;
}

gboolean
copub_table_write (const CopubTable *t, CopubTableFormat format, FILE *out, GError **error)
{
  g_autoptr(GString) text = NULL;

  switch (format)
    {
    case COPUB_TABLE_FORMAT_CSV:
      text = render_csv (t);
      break;
    case COPUB_TABLE_FORMAT_JSON:
      text = render_json (t);
      break;
    case COPUB_TABLE_FORMAT_TABLE:
    default:
      text = render_text (t);
      break;
    }
  if (fwrite (text->str, 1, text->len, out) != text->len || fflush (out) != 0)
    {
      int saved = errno;
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_IO, "writing the table: %s",
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
