/* Unit tests of the result tables (src/output/table.c): building and reading cells, CSV output
 * (RFC 4180 quoting, UTF-8 as is, numbers by column kind), JSON output, the aligned text
 * table, and the error of a failed write. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "copub/error.h"
#include "copub/table.h"
#include "testlib.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* @table written in @format to a memory stream; NULL (after a failed assertion) on error. */
static char *
written (const CopubTable *table, CopubTableFormat format)
{
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&text, &size);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_assert_nonnull (f);
  ok = copub_table_write (table, format, f, &error);
  fclose (f);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (strlen (text), ==, size); /* no NUL inside */
  return text;
}

/* The table most tests write: every column kind, empty cells, names to quote, UTF-8. */
static CopubTable *
sample_table (void)
{
  CopubTable *t = copub_table_new ("Partners");
  guint r;

  g_assert_cmpuint (copub_table_add_column (t, "country", COPUB_COLUMN_TEXT), ==, 0);
  g_assert_cmpuint (copub_table_add_column (t, "name", COPUB_COLUMN_TEXT), ==, 1);
  g_assert_cmpuint (copub_table_add_column (t, "n", COPUB_COLUMN_INT), ==, 2);
  g_assert_cmpuint (copub_table_add_column (t, "share", COPUB_COLUMN_SHARE), ==, 3);
  g_assert_cmpuint (copub_table_add_column (t, "ratio", COPUB_COLUMN_REAL), ==, 4);
  r = copub_table_add_row (t);
  g_assert_cmpuint (r, ==, 0);
  copub_table_set_text (t, r, 0, "FR");
  copub_table_set_text (t, r, 1, "Université de Lorraine");
  copub_table_set_int (t, r, 2, 12);
  copub_table_set_real (t, r, 3, 0.5);
  copub_table_set_real (t, r, 4, 2.0 / 3.0);
  r = copub_table_add_row (t);
  copub_table_set_text (t, r, 0, "CN");
  copub_table_set_text (t, r, 1, "北京大学");
  copub_table_set_int (t, r, 2, 3);
  copub_table_set_real (t, r, 3, NAN);
  copub_table_set_real (t, r, 4, -1.5);
  r = copub_table_add_row (t);
  g_assert_cmpuint (r, ==, 2);
  copub_table_set_text (t, r, 0, "DE");
  copub_table_set_int (t, r, 2, 1234);
  copub_table_set_real (t, r, 3, 0.25);
  copub_table_set_real (t, r, 4, INFINITY);
  return t;
}

/* ---- building and reading ------------------------------------------------------------------- */

static void
test_cells (void)
{
  g_autoptr(CopubTable) t = sample_table ();
  gint64 i = -1;
  double v = -1;
  guint n_notes = 99;

  g_assert_cmpuint (copub_table_n_rows (t), ==, 3);
  g_assert_cmpuint (copub_table_n_columns (t), ==, 5);
  g_assert_cmpstr (copub_table_column_name (t, 3), ==, "share");
  g_assert_cmpstr (copub_table_get_text (t, 1, 1), ==, "北京大学");
  g_assert_null (copub_table_get_text (t, 2, 1));
  g_assert_true (copub_table_get_int (t, 2, 2, &i));
  g_assert_cmpint (i, ==, 1234);
  /* An integer cell reads as a number too. */
  g_assert_true (copub_table_get_real (t, 2, 2, &v));
  g_assert_cmpfloat (v, ==, 1234.0);
  g_assert_true (copub_table_get_real (t, 0, 3, &v));
  g_assert_cmpfloat (v, ==, 0.5);
  /* Non-finite values leave the cell empty. */
  g_assert_false (copub_table_get_real (t, 1, 3, &v));
  g_assert_false (copub_table_get_real (t, 2, 4, &v));
  g_assert_true (copub_table_get_real (t, 1, 4, &v));
  g_assert_cmpfloat (v, ==, -1.5);
  /* By column name. */
  g_assert_cmpuint (copub_table_find_column (t, "ratio"), ==, 4);
  g_assert_cmpuint (copub_table_find_column (t, "Ratio"), ==, G_MAXUINT);
  g_assert_cmpuint (copub_table_find_column (t, "nope"), ==, G_MAXUINT);
  g_assert_cmpfloat (copub_table_real_at (t, 0, "n"), ==, 12.0);
  g_assert_true (isnan (copub_table_real_at (t, 1, "share")));
  g_assert_true (isnan (copub_table_real_at (t, 0, "nope")));
  g_assert_cmpstr (copub_table_text_at (t, 1, "country"), ==, "CN");
  g_assert_null (copub_table_text_at (t, 2, "name"));
  g_assert_null (copub_table_text_at (t, 0, "nope"));
  /* Text set to NULL empties a cell again; a new row starts empty. */
  copub_table_set_text (t, 0, 0, NULL);
  g_assert_null (copub_table_get_text (t, 0, 0));
  copub_table_add_row (t);
  g_assert_false (copub_table_get_int (t, 3, 2, &i));
  g_assert_false (copub_table_get_real (t, 3, 3, &v));
  g_assert_null (copub_table_get_text (t, 3, 0));
  /* Notes, in order. */
  g_assert_cmpuint ((copub_table_notes (t, &n_notes), n_notes), ==, 0);
  copub_table_add_note (t, "first");
  copub_table_add_note (t, "second");
  {
    const char *const *notes = copub_table_notes (t, &n_notes);
    g_assert_cmpuint (n_notes, ==, 2);
    g_assert_cmpstr (notes[0], ==, "first");
    g_assert_cmpstr (notes[1], ==, "second");
  }
}

static void
test_format_names (void)
{
  CopubTableFormat f = (CopubTableFormat) 99;

  g_assert_true (copub_table_format_from_name ("table", &f));
  g_assert_cmpint (f, ==, COPUB_TABLE_FORMAT_TABLE);
  g_assert_true (copub_table_format_from_name ("csv", &f));
  g_assert_cmpint (f, ==, COPUB_TABLE_FORMAT_CSV);
  g_assert_true (copub_table_format_from_name ("json", &f));
  g_assert_cmpint (f, ==, COPUB_TABLE_FORMAT_JSON);
  f = (CopubTableFormat) 99;
  g_assert_false (copub_table_format_from_name ("CSV", &f));
  g_assert_false (copub_table_format_from_name ("", &f));
  g_assert_false (copub_table_format_from_name ("tsv", &f));
  g_assert_false (copub_table_format_from_name (NULL, &f));
  g_assert_cmpint (f, ==, 99);
}

/* ---- CSV ------------------------------------------------------------------------------------ */

static void
test_csv (void)
{
  g_autoptr(CopubTable) t = sample_table ();
  g_autofree char *csv = written (t, COPUB_TABLE_FORMAT_CSV);

  /* No title; shares with 4 decimals, other reals with 2, empty cells empty. */
  g_assert_cmpstr (csv, ==,
                   "country,name,n,share,ratio\n"
                   "FR,Université de Lorraine,12,0.5000,0.67\n"
                   "CN,北京大学,3,,-1.50\n"
                   "DE,,1234,0.2500,\n");
}

static void
test_csv_quoting (void)
{
  g_autoptr(CopubTable) t = copub_table_new ("ignored");
  g_autofree char *csv = NULL;
  const char *cells[] = { "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "plain; tab\there",
                          "\"", "ÉTS, Montréal", "" };
  guint c1, c2, r;

  c1 = copub_table_add_column (t, "institution, city", COPUB_COLUMN_TEXT);
  c2 = copub_table_add_column (t, "n", COPUB_COLUMN_INT);
  for (gsize i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      r = copub_table_add_row (t);
      copub_table_set_text (t, r, c1, cells[i]);
      copub_table_set_int (t, r, c2, -(gint64) i);
    }
  csv = written (t, COPUB_TABLE_FORMAT_CSV);
  g_assert_cmpstr (csv, ==,
                   "\"institution, city\",n\n"
                   "\"a,b\",0\n"
                   "\"say \"\"hi\"\"\",-1\n"
                   "\"two\nlines\",-2\n"
                   "\"cr\rhere\",-3\n"
                   "plain; tab\there,-4\n"
                   "\"\"\"\",-5\n"
                   "\"ÉTS, Montréal\",-6\n"
                   ",-7\n");
}

static void
count_message (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain, (void) level, (void) message;
  (*(guint *) data)++;
}

/* CSV carries no notes and the table says nothing: the caller has them, to show as it
 * likes (the CLI logs them to stderr, the report has said them already). */
static void
test_csv_notes (void)
{
  g_autoptr(CopubTable) t = copub_table_new (NULL);
  g_autofree char *csv = NULL;
  const char *const *notes;
  guint n = 0, said = 0;
  guint handler = g_log_set_handler (NULL, G_LOG_LEVEL_MASK, count_message, &said);

  copub_table_add_column (t, "year", COPUB_COLUMN_INT);
  copub_table_set_int (t, copub_table_add_row (t), 0, 2024);
  copub_table_add_note (t, "n < 10: read with care");
  csv = written (t, COPUB_TABLE_FORMAT_CSV);
  g_log_remove_handler (NULL, handler);
  g_assert_cmpstr (csv, ==, "year\n2024\n");
  g_assert_cmpuint (said, ==, 0);
  notes = copub_table_notes (t, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (notes[0], ==, "n < 10: read with care");
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static void
test_json (void)
{
  g_autoptr(CopubTable) t = sample_table ();
  g_autofree char *text = NULL;
  g_autoptr(json_t) root = NULL;
  json_error_t jerr;
  json_t *rows, *row;

  copub_table_set_text (t, 2, 1, "a \"quoted\"\nname");
  copub_table_add_note (t, "shares of n < 10 are shown");
  text = written (t, COPUB_TABLE_FORMAT_JSON);
  root = json_loads (text, 0, &jerr);
  g_assert_nonnull (root);
  g_assert_cmpstr (json_string_value (json_object_get (root, "title")), ==, "Partners");
  rows = json_object_get (root, "rows");
  g_assert_cmpuint (json_array_size (rows), ==, 3);
  row = json_array_get (rows, 0);
  g_assert_cmpstr (json_string_value (json_object_get (row, "name")), ==,
                   "Université de Lorraine");
  g_assert_true (json_is_integer (json_object_get (row, "n")));
  g_assert_cmpint (json_integer_value (json_object_get (row, "n")), ==, 12);
  /* Shares stay fractions in JSON, reals keep 10 significant digits. */
  g_assert_true (json_is_real (json_object_get (row, "share")));
  g_assert_cmpfloat (json_real_value (json_object_get (row, "share")), ==, 0.5);
  g_assert_cmpfloat_with_epsilon (json_real_value (json_object_get (row, "ratio")),
                                  2.0 / 3.0, 1e-10);
  row = json_array_get (rows, 1);
  g_assert_cmpstr (json_string_value (json_object_get (row, "name")), ==, "北京大学");
  g_assert_true (json_is_null (json_object_get (row, "share")));
  row = json_array_get (rows, 2);
  g_assert_cmpstr (json_string_value (json_object_get (row, "name")), ==,
                   "a \"quoted\"\nname");
  g_assert_true (json_is_null (json_object_get (row, "ratio")));
  g_assert_cmpuint (json_array_size (json_object_get (root, "notes")), ==, 1);
  g_assert_cmpstr (json_string_value (json_array_get (json_object_get (root, "notes"), 0)), ==,
                   "shares of n < 10 are shown");
  /* The columns in their order, UTF-8 as is (not \u escapes), one trailing newline. */
  g_assert_nonnull (strstr (text, "\"country\": \"FR\",\n      \"name\": \"Université"));
  g_assert_nonnull (strstr (text, "\"北京大学\""));
  g_assert_true (g_str_has_suffix (text, "}\n") && !g_str_has_suffix (text, "\n\n"));
}

static void
test_json_untitled_empty (void)
{
  g_autoptr(CopubTable) t = copub_table_new (NULL);
  g_autofree char *text = NULL;

  copub_table_add_column (t, "year", COPUB_COLUMN_INT);
  text = written (t, COPUB_TABLE_FORMAT_JSON);
  g_assert_cmpstr (text, ==, "{\n  \"rows\": [],\n  \"notes\": []\n}\n");
}

/* ---- the text table ------------------------------------------------------------------------- */

/* Text columns are left-aligned (the last one not padded), numbers right-aligned, shares as
 * percentages with one decimal, empty cells as "-", two spaces between columns, notes
 * after a blank line. Widths count characters, not bytes: "é" is one. They count code
 * points, not terminal columns: "北京大学" takes the width of four characters although a
 * terminal shows it eight columns wide (today's behaviour, pinned here). */
static void
test_text (void)
{
  g_autoptr(CopubTable) t = sample_table ();
  g_autofree char *text = NULL;

  copub_table_add_note (t, "note one");
  copub_table_add_note (t, "note two");
  text = written (t, COPUB_TABLE_FORMAT_TABLE);
  g_assert_cmpstr (text, ==,
                   "Partners\n"
                   "\n"
                   "country  name                       n  share  ratio\n"
                   "FR       Université de Lorraine    12  50.0%   0.67\n"
                   "CN       北京大学                       3      -  -1.50\n"
                   "DE       -                       1234  25.0%      -\n"
                   "\n"
                   "note one\n"
                   "note two\n");
}

static void
test_text_last_column_text (void)
{
  g_autoptr(CopubTable) t = copub_table_new (NULL);
  g_autofree char *text = NULL;
  guint r;

  copub_table_add_column (t, "n", COPUB_COLUMN_INT);
  copub_table_add_column (t, "name", COPUB_COLUMN_TEXT);
  r = copub_table_add_row (t);
  copub_table_set_int (t, r, 0, 7);
  copub_table_set_text (t, r, 1, "Zürich");
  r = copub_table_add_row (t);
  copub_table_set_int (t, r, 0, 1000);
  copub_table_set_text (t, r, 1, "a");
  text = written (t, COPUB_TABLE_FORMAT_TABLE);
  /* No title, no trailing spaces after the last (text) column. */
  g_assert_cmpstr (text, ==,
                   "   n  name\n"
                   "   7  Zürich\n"
                   "1000  a\n");
}

/* ---- a failed write ------------------------------------------------------------------------- */

static void
test_write_error (void)
{
  g_autoptr(CopubTable) t = sample_table ();
  const CopubTableFormat formats[] = { COPUB_TABLE_FORMAT_TABLE, COPUB_TABLE_FORMAT_CSV,
                                       COPUB_TABLE_FORMAT_JSON };

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      FILE *f = fopen ("/dev/full", "w");
      g_autoptr(GError) error = NULL;

      if (f == NULL)
        {
          g_test_skip ("no /dev/full");
          return;
        }
      g_assert_false (copub_table_write (t, formats[i], f, &error));
      g_assert_error (error, COPUB_ERROR, COPUB_ERROR_IO);
      if (error != NULL)
        g_assert_cmpstr (error->message, ==, "writing the table: No space left on device");
      fclose (f);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/table/cells", test_cells);
  g_test_add_func ("/table/format-names", test_format_names);
  g_test_add_func ("/table/csv", test_csv);
  g_test_add_func ("/table/csv-quoting", test_csv_quoting);
  g_test_add_func ("/table/csv-notes", test_csv_notes);
  g_test_add_func ("/table/json", test_json);
  g_test_add_func ("/table/json-untitled-empty", test_json_untitled_empty);
  g_test_add_func ("/table/text", test_text);
  g_test_add_func ("/table/text-last-column-text", test_text_last_column_text);
  g_test_add_func ("/table/write-error", test_write_error);
  return g_test_run ();
}
