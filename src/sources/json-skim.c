/* copub: skimming JSON: where a value ends, and whether it is well-formed, without
 * building it. One loop over the bytes with a byte of stack an open container; runs
 * of plain string bytes are passed over eight at a time, and UTF-8 is left to GLib.
 * Positions travel as return values (STOP on failure) so that the hot loops keep them
 * in registers. */
#include "sources/json-skim.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "copub/error.h"

#define STOP G_MAXSIZE

typedef struct {
  const guchar *text;
  gsize len;
  gsize fail_at;    /* where the text stopped making sense */
  const char *want; /* what was expected there */
} Skim;

static gboolean
is_blank (guchar c)
{
  /* RFC 8259's four, and the two yajl also takes. */
  return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f');
}

static gboolean
is_digit (guchar c)
{
  return c >= '0' && c <= '9';
}

static gsize
refuse (Skim *k, gsize pos, const char *want)
{
  k->fail_at = pos;
  k->want = want;
  return STOP;
}

static gboolean
set_error (const Skim *k, GError **error)
{
  if (k->fail_at >= k->len)
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                 "invalid JSON: the text ends where %s was expected", k->want);
  else
    g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                 "invalid JSON at byte %" G_GSIZE_FORMAT ": expected %s", k->fail_at + 1,
                 k->want);
  return FALSE;
}

static inline gsize
skip_blanks (const Skim *k, gsize pos)
{
  while (pos < k->len && is_blank (k->text[pos]))
    pos++;
  return pos;
}

static inline gboolean
at (const Skim *k, gsize pos, guchar c)
{
  return pos < k->len && k->text[pos] == c;
}

/* @pos is on a backslash. */
static gsize
skim_escape (Skim *k, gsize pos)
{
  pos++;
  if (pos < k->len && k->text[pos] != '\0' && strchr ("\"\\/bfnrt", k->text[pos]))
    return pos + 1;
  if (!at (k, pos, 'u'))
    return refuse (k, pos, "an escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
  for (int i = 1; i <= 4; i++)
    if (pos + i >= k->len || !g_ascii_isxdigit (k->text[pos + i]))
      return refuse (k, pos + i, "four hexadecimal digits after \\u");
  return pos + 5;
}

/* The high bit of each of the eight bytes of @x (the first byte lowest) that a
 * string's plain run stops at: '"', '\\', a control character (below 0x20) or a byte
 * of a multi-byte character (0x80 and up). The usual word-at-a-time tests: borrows may
 * flag bytes after a flagged one, never before, so the lowest flag is exact. */
static inline guint64
string_stops (guint64 x)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  guint64 quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');

  return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)
          | (x - ones * 0x20) | x) & highs;
}

static inline gboolean
is_plain (guchar c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The offset of the first byte at or after @pos that ends a plain run, or @len. */
static inline gsize
plain_run_end (const guchar *t, gsize len, gsize pos)
{
#ifdef __SSE2__
  /* Sixteen bytes at a time: as signed bytes, those from 0x80 up are below 0x20 too. */
  const __m128i quote = _mm_set1_epi8 ('"'), backslash = _mm_set1_epi8 ('\\');
  const __m128i space = _mm_set1_epi8 (0x20);

  for (; pos + sizeof (__m128i) <= len; pos += sizeof (__m128i))
    {
      __m128i bytes = _mm_loadu_si128 ((const __m128i *) (const void *) (t + pos));
      __m128i stops = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (bytes, quote),
                                                  _mm_cmpeq_epi8 (bytes, backslash)),
                                    _mm_cmplt_epi8 (bytes, space));
      int mask = _mm_movemask_epi8 (stops);

      if (mask != 0)
        return pos + (gsize) __builtin_ctz ((unsigned) mask);
    }
#endif
  for (; pos + sizeof (guint64) <= len; pos += sizeof (guint64))
    {
      guint64 word, stops;

      memcpy (&word, t + pos, sizeof word);
      stops = string_stops (GUINT64_FROM_LE (word));
      if (stops != 0)
        return pos + (gsize) (__builtin_ctzll (stops) / 8);
    }
  while (pos < len && is_plain (t[pos]))
    pos++;
  return pos;
}

/* The offset past the run of bytes from 0x80 up that starts at @pos, or @len. */
static inline gsize
high_run_end (const guchar *t, gsize len, gsize pos)
{
  while (pos < len && t[pos] >= 0x80)
    pos++;
  return pos;
}

/* @pos is on the opening quote; returns the offset past the closing one. A multi-byte
 * character is bytes from 0x80 up only, so the string is valid UTF-8 when each run of
 * them is: the ASCII between the runs is not validated again. A bad run is refused
 * only at the closing quote, so that an error found before it wins, as it would if
 * the whole string were validated at its end. */
static inline gsize
skim_string (Skim *k, gsize pos, gboolean *has_escapes)
{
  const guchar *t = k->text;
  gsize len = k->len, start = pos, run;
  gboolean valid = TRUE;

  for (pos++;;)
    {
      guchar c;

      pos = plain_run_end (t, len, pos);
      if (pos >= len)
        return refuse (k, pos, "'\"' closing a string");
      c = t[pos];
      if (c == '"')
        break;
      if (c == '\\')
        {
          if (has_escapes)
            *has_escapes = TRUE;
          if ((pos = skim_escape (k, pos)) == STOP)
            return STOP;
          continue;
        }
      if (c < 0x20)
        return refuse (k, pos, "a character of a string, not a control character");
      run = pos;
      pos = high_run_end (t, len, pos);
      valid = valid && g_utf8_validate_len ((const char *) t + run, pos - run, NULL);
    }
  if (!valid)
    return refuse (k, start, "a string of valid UTF-8");
  return pos + 1;
}

static inline gsize
skim_digits (Skim *k, gsize pos, const char *what)
{
  if (pos >= k->len || !is_digit (k->text[pos]))
    return refuse (k, pos, what);
  while (pos < k->len && is_digit (k->text[pos]))
    pos++;
  return pos;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gsize
skim_number (Skim *k, gsize pos)
{
  if (at (k, pos, '-'))
    pos++;
  if (at (k, pos, '0'))
    pos++;
  else if ((pos = skim_digits (k, pos, "a digit")) == STOP)
    return STOP;
  if (at (k, pos, '.') && (pos = skim_digits (k, pos + 1, "a digit after the decimal point")) == STOP)
    return STOP;
  if (at (k, pos, 'e') || at (k, pos, 'E'))
    {
      pos++;
      if (at (k, pos, '+') || at (k, pos, '-'))
        pos++;
      return skim_digits (k, pos, "a digit in the exponent");
    }
  return pos;
}

static gsize
skim_literal (Skim *k, gsize pos, const char *word)
{
  gsize n = strlen (word);

  if (k->len - pos < n || memcmp (k->text + pos, word, n) != 0)
    return refuse (k, pos, "a value (true, false, null, a number, a string, an object or an array)");
  return pos + n;
}

/* One scalar: a string, a number or a literal; anything else is not a value. */
static inline gsize
skim_scalar (Skim *k, gsize pos)
{
  guchar c = k->text[pos];

  if (c == '"')
    return skim_string (k, pos, NULL);
  if (c == '-' || is_digit (c))
    return skim_number (k, pos);
  if (c == 't')
    return skim_literal (k, pos, "true");
  if (c == 'f')
    return skim_literal (k, pos, "false");
  if (c == 'n')
    return skim_literal (k, pos, "null");
  return refuse (k, pos, "a value (true, false, null, a number, a string, an object or an array)");
}

typedef enum {
  WANT_VALUE,  /* a value: at the start, after ':' or after ',' in an array */
  WANT_NAME,   /* a member name: after ',' in an object */
  AFTER_VALUE, /* ',' or the closing bracket */
} SkimState;

static gsize
skim_value (Skim *k, gsize pos, int max_depth)
{
  guchar open[COPUB_JSON_SKIM_MAX_DEPTH];
  int depth = 0;
  SkimState state = WANT_VALUE;

  for (;;)
    {
      guchar c;

      pos = skip_blanks (k, pos);
      if (pos >= k->len)
        return refuse (k, pos, state == AFTER_VALUE ? "',' or a closing bracket"
                               : state == WANT_NAME ? "a member name (a string)" : "a value");
      c = k->text[pos];
      switch (state)
        {
        case WANT_VALUE:
          if (c != '{' && c != '[')
            {
              if ((pos = skim_scalar (k, pos)) == STOP)
                return STOP;
              state = AFTER_VALUE;
              break;
            }
          if (depth >= max_depth)
            return refuse (k, pos, "no deeper nesting (the limit is reached)");
          open[depth++] = c;
          pos = skip_blanks (k, pos + 1);
          if (at (k, pos, c == '{' ? '}' : ']'))
            {
              pos++;
              depth--;
              state = AFTER_VALUE;
            }
          else
            state = c == '{' ? WANT_NAME : WANT_VALUE;
          break;
        case WANT_NAME:
          if (c != '"')
            return refuse (k, pos, "a member name (a string)");
          if ((pos = skim_string (k, pos, NULL)) == STOP)
            return STOP;
          pos = skip_blanks (k, pos);
          if (!at (k, pos, ':'))
            return refuse (k, pos, "':' after a member name");
          pos++;
          state = WANT_VALUE;
          break;
        case AFTER_VALUE:
          if (c == ',')
            {
              pos++;
              state = open[depth - 1] == '{' ? WANT_NAME : WANT_VALUE;
            }
          else if (c == (open[depth - 1] == '{' ? '}' : ']'))
            {
              pos++;
              depth--;
            }
          else
            return refuse (k, pos, open[depth - 1] == '{' ? "',' or '}'" : "',' or ']'");
          break;
        }
      if (state == AFTER_VALUE && depth == 0)
        return pos;
    }
}

gsize
copub_json_skip_blanks (const char *text, gsize len, gsize pos)
{
  Skim k = { (const guchar *) text, len, 0, NULL };

  return skip_blanks (&k, pos);
}

gboolean
copub_json_skip_string (const char *text, gsize len, gsize *pos, gboolean *has_escapes,
                        GError **error)
{
  Skim k = { (const guchar *) text, len, 0, NULL };
  gsize end;

  if (has_escapes)
    *has_escapes = FALSE;
  if (!at (&k, *pos, '"'))
    end = refuse (&k, *pos, "a string");
  else
    end = skim_string (&k, *pos, has_escapes);
  if (end == STOP)
    return set_error (&k, error);
  *pos = end;
  return TRUE;
}

gboolean
copub_json_skip_value (const char *text, gsize len, gsize *pos, int max_depth, GError **error)
{
  Skim k = { (const guchar *) text, len, 0, NULL };
  gsize end = skim_value (&k, *pos, CLAMP (max_depth, 0, COPUB_JSON_SKIM_MAX_DEPTH));

  if (end == STOP)
    return set_error (&k, error);
  *pos = end;
  return TRUE;
}
