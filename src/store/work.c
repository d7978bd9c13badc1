/* copub: the record model's constructors, destructors and small helpers. */
#include <string.h>

#include "base/ids.h"
#include "copub/error.h"
#include "copub/work.h"

const char *
copub_source_name (CopubSource source)
{
  return source == COPUB_SOURCE_HAL ? "hal" : "openalex";
}

gboolean
copub_source_from_name (const char *name, CopubSource *out)
{
  if (g_strcmp0 (name, "openalex") == 0)
    *out = COPUB_SOURCE_OPENALEX;
  else if (g_strcmp0 (name, "hal") == 0)
    *out = COPUB_SOURCE_HAL;
  else
    return FALSE;
  return TRUE;
}

CopubInstitution *
copub_institution_new (void)
{
  CopubInstitution *inst = g_new0 (CopubInstitution, 1);
  inst->lineage = g_ptr_array_new_with_free_func (g_free);
  return inst;
}

void
copub_institution_free (CopubInstitution *inst)
{
  if (inst == NULL)
    return;
  g_free (inst->id);
  g_free (inst->ror);
  g_free (inst->name);
  g_free (inst->country);
  g_free (inst->type);
  g_ptr_array_unref (inst->lineage);
  g_free (inst);
}

CopubAuthorship *
copub_authorship_new (void)
{
  CopubAuthorship *auth = g_new0 (CopubAuthorship, 1);
  auth->institutions = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_institution_free);
  auth->raw_affiliations = g_ptr_array_new_with_free_func (g_free);
  auth->countries = g_ptr_array_new_with_free_func (g_free);
  auth->inferred = g_ptr_array_new_with_free_func (g_free);
  return auth;
}

void
copub_authorship_free (CopubAuthorship *auth)
{
  if (auth == NULL)
    return;
  g_free (auth->author_position);
  g_free (auth->author_id);
  g_free (auth->author_name);
  g_ptr_array_unref (auth->institutions);
  g_ptr_array_unref (auth->raw_affiliations);
  g_ptr_array_unref (auth->countries);
  g_ptr_array_unref (auth->inferred);
  g_free (auth);
}

void
copub_authorship_add_country (CopubAuthorship *auth, const char *code)
{
  for (guint i = 0; i < auth->countries->len; i++)
    if (strcmp (g_ptr_array_index (auth->countries, i), code) == 0)
      return;
  g_ptr_array_add (auth->countries, g_strdup (code));
}

CopubWork *
copub_work_new (CopubSource source)
{
  CopubWork *work = g_new0 (CopubWork, 1);
  work->source = source;
  work->authorships = g_ptr_array_new_with_free_func ((GDestroyNotify) copub_authorship_free);
  return work;
}

static void
topic_level_clear (CopubTopicLevel *level)
{
  g_clear_pointer (&level->id, g_free);
  g_clear_pointer (&level->name, g_free);
}

void
copub_work_free (CopubWork *work)
{
  if (work == NULL)
    return;
  g_free (work->id);
  g_free (work->doi);
  g_free (work->title);
  g_free (work->type);
  topic_level_clear (&work->topic);
  topic_level_clear (&work->subfield);
  topic_level_clear (&work->field);
  topic_level_clear (&work->domain);
  g_ptr_array_unref (work->authorships);
  if (work->raw)
    g_bytes_unref (work->raw);
  g_free (work);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorts @items (borrowed strings) and joins the distinct ones with @sep. */
static char *
join_distinct (GPtrArray *items, char sep)
{
  GString *out = g_string_new (NULL);

  g_ptr_array_sort (items, compare_strings);
  for (guint i = 0; i < items->len; i++)
    {
      const char *item = g_ptr_array_index (items, i);
      if (i > 0 && strcmp (item, g_ptr_array_index (items, i - 1)) == 0)
        continue;
      if (out->len > 0)
        g_string_append_c (out, sep);
      g_string_append (out, item);
    }
  return g_string_free (out, FALSE);
}

char *
copub_work_countries (const CopubWork *work)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  for (guint i = 0; i < work->authorships->len; i++)
    {
      CopubAuthorship *auth = g_ptr_array_index (work->authorships, i);
      GPtrArray *codes = auth->countries->len ? auth->countries : auth->inferred;
      for (guint j = 0; j < codes->len; j++)
        g_ptr_array_add (all, g_ptr_array_index (codes, j));
    }
  return join_distinct (all, ',');
}

char *
copub_work_institutions (const CopubWork *work)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  for (guint i = 0; i < work->authorships->len; i++)
    {
      CopubAuthorship *auth = g_ptr_array_index (work->authorships, i);
      for (guint j = 0; j < auth->institutions->len; j++)
        {
          CopubInstitution *inst = g_ptr_array_index (auth->institutions, j);
          if (inst->id)
            g_ptr_array_add (all, inst->id);
          if (inst->ror)
            g_ptr_array_add (all, inst->ror);
          for (guint k = 0; k < inst->lineage->len; k++)
            g_ptr_array_add (all, g_ptr_array_index (inst->lineage, k));
        }
    }
  return join_distinct (all, ' ');
}

/* Appends "ROR>ID" to @out for each OpenAlex id of @inst's own id and lineage. */
static void
add_unit_pairs (const CopubInstitution *inst, GPtrArray *out)
{
  if (inst->ror == NULL)
    return;
  if (copub_is_openalex_institution_id (inst->id))
    g_ptr_array_add (out, g_strdup_printf ("%s>%s", inst->ror, inst->id));
  for (guint k = 0; k < inst->lineage->len; k++)
    {
      const char *id = g_ptr_array_index (inst->lineage, k);
      if (copub_is_openalex_institution_id (id))
        g_ptr_array_add (out, g_strdup_printf ("%s>%s", inst->ror, id));
    }
}

char *
copub_work_unit_lineages (const CopubWork *work)
{
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < work->authorships->len; i++)
    {
      CopubAuthorship *auth = g_ptr_array_index (work->authorships, i);
      for (guint j = 0; j < auth->institutions->len; j++)
        add_unit_pairs (g_ptr_array_index (auth->institutions, j), pairs);
    }
  return join_distinct (pairs, ' ');
}

char *
copub_work_authorship_countries (const CopubWork *work)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < work->authorships->len; i++)
    {
      CopubAuthorship *auth = g_ptr_array_index (work->authorships, i);
      gboolean inferred = auth->countries->len == 0;
      GPtrArray *codes = inferred ? auth->inferred : auth->countries;
      if (i > 0)
        g_string_append_c (out, ';');
      for (guint j = 0; j < codes->len; j++)
        g_string_append_printf (out, "%s%s%s", j > 0 ? "," : "", inferred ? "~" : "",
                                (const char *) g_ptr_array_index (codes, j));
    }
  return g_string_free (out, FALSE);
}

/* Whether @s is all ASCII: text that NFKC leaves as it is. */
static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

/* @doi lowered, or NULL when it is not ASCII or holds an 'I' (which g_utf8_strdown
 * lowers to a dotless i in a Turkish locale): those take the Unicode path. */
static char *
ascii_doi_lower (const char *doi)
{
  if (!is_ascii (doi) || strchr (doi, 'I') != NULL)
    return NULL;
  return g_ascii_strdown (doi, -1);
}

char *
copub_doi_normalise (const char *doi)
{
  g_autofree char *nfkc = NULL;
  g_autofree char *lower = NULL;
  const char *start;
  char *end;

  if (doi == NULL)
    return NULL;
  /* Most DOIs are ASCII, which NFKC keeps and lowering is a byte map for. */
  lower = ascii_doi_lower (doi);
  if (lower == NULL)
    {
      if (!g_utf8_validate (doi, -1, NULL))
        return NULL;
      /* NFKC folds the ligatures and full-width forms HAL DOIs sometimes hold. */
      nfkc = g_utf8_normalize (doi, -1, G_NORMALIZE_NFKC);
      if (nfkc == NULL)
        return NULL;
      lower = g_utf8_strdown (nfkc, -1);
    }
  start = strstr (lower, "10.");
  if (start == NULL)
    return NULL;
  end = g_strdup (start);
  return g_strstrip (end);
}

char *
copub_short_id (const char *url_or_id)
{
  const char *slash;

  if (url_or_id == NULL)
    return NULL;
  slash = strrchr (url_or_id, '/');
  return g_strdup (slash ? slash + 1 : url_or_id);
}

/* The title key's letters and digits of @title folded, through Unicode. */
static GString *
title_letters (const char *title)
{
  g_autofree char *nfkc = NULL, *folded = NULL;
  GString *key;

  if (!g_utf8_validate (title, -1, NULL))
    return NULL;
  nfkc = g_utf8_normalize (title, -1, G_NORMALIZE_NFKC);
  folded = nfkc ? g_utf8_casefold (nfkc, -1) : NULL;
  if (folded == NULL)
    return NULL;
  key = g_string_new (NULL);
  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isalnum (c))
        g_string_append_unichar (key, c);
    }
  return key;
}

/* The same for an ASCII @title, byte by byte: NFKC keeps ASCII, case folding lowers
 * A to Z only, and the only ASCII letters and digits are A-Z, a-z and 0-9. */
static GString *
ascii_title_letters (const char *title)
{
  GString *key = g_string_sized_new (strlen (title));

  for (const char *p = title; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (key, g_ascii_tolower (*p));
  return key;
}

char *
copub_work_title_key (const CopubWork *work)
{
  GString *key;

  if (work->title == NULL || work->year <= 0)
    return NULL;
  key = is_ascii (work->title) ? ascii_title_letters (work->title)
                               : title_letters (work->title);
  if (key == NULL)
    return NULL;
  /* Short titles ("Editorial", "Preface") name many works: no link on them. */
  if (g_utf8_strlen (key->str, -1) < 20)
    {
      g_string_free (key, TRUE);
      return NULL;
    }
  g_string_append_printf (key, ":%d", work->year);
  return g_string_free (key, FALSE);
}

/* FALSE, with the error, when the string @value of @what is longer than the limit. */
static gboolean
check_field (const CopubWork *work, const char *what, const char *value, gsize max,
             GError **error)
{
  gsize len = value ? strlen (value) : 0;

  if (len <= max)
    return TRUE;
  g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
               "work %s: %s is %" G_GSIZE_FORMAT " bytes, over the limit of %" G_GSIZE_FORMAT
               " (max-field-size)", work->id ? work->id : "(no id)", what, len, max);
  return FALSE;
}

static gboolean
check_strings (const CopubWork *work, const char *what, const GPtrArray *strings, gsize max,
               GError **error)
{
  for (guint i = 0; strings && i < strings->len; i++)
    if (!check_field (work, what, g_ptr_array_index (strings, i), max, error))
      return FALSE;
  return TRUE;
}

static gboolean
check_institution (const CopubWork *work, const CopubInstitution *inst, gsize max,
                   GError **error)
{
  return check_field (work, "an institution id", inst->id, max, error)
         && check_field (work, "an institution ROR id", inst->ror, max, error)
         && check_field (work, "an institution name", inst->name, max, error)
         && check_field (work, "an institution country", inst->country, max, error)
         && check_field (work, "an institution type", inst->type, max, error)
         && check_strings (work, "an institution lineage id", inst->lineage, max, error);
}

static gboolean
check_authorship (const CopubWork *work, const CopubAuthorship *a, gsize max, GError **error)
{
  if (!check_field (work, "an author position", a->author_position, max, error)
      || !check_field (work, "an author id", a->author_id, max, error)
      || !check_field (work, "an author name", a->author_name, max, error)
      || !check_strings (work, "a raw affiliation string", a->raw_affiliations, max, error)
      || !check_strings (work, "an authorship country", a->countries, max, error))
    return FALSE;
  for (guint i = 0; a->institutions && i < a->institutions->len; i++)
    if (!check_institution (work, g_ptr_array_index (a->institutions, i), max, error))
      return FALSE;
  return TRUE;
}

gboolean
copub_limits_parse_size (const char *text, gsize *out)
{
  char *end = NULL;
  guint64 n;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  n = g_ascii_strtoull (text, &end, 10);
  switch (g_ascii_tolower (*end))
    {
    case '\0': break;
    case 'k': n = n > G_MAXUINT64 >> 10 ? 0 : n << 10; end++; break;
    case 'm': n = n > G_MAXUINT64 >> 20 ? 0 : n << 20; end++; break;
    case 'g': n = n > G_MAXUINT64 >> 30 ? 0 : n << 30; end++; break;
    default: return FALSE;
    }
  if (*end != '\0' || n == 0 || n > G_MAXSIZE / 2)
    return FALSE;
  *out = (gsize) n;
  return TRUE;
}

gboolean
copub_work_check_limits (const CopubWork *work, const CopubLimits *limits, GError **error)
{
  static const CopubLimits defaults = COPUB_LIMITS_INIT;
  const CopubLimits *l = limits ? limits : &defaults;
  const CopubTopicLevel *levels[] = { &work->topic, &work->subfield, &work->field,
                                      &work->domain };
  gsize max = l->max_field;

  if (work->raw && g_bytes_get_size (work->raw) > l->max_record)
    {
      g_set_error (error, COPUB_ERROR, COPUB_ERROR_PARSE,
                   "work %s: the record is %" G_GSIZE_FORMAT " bytes, over the limit of %"
                   G_GSIZE_FORMAT " (max-record-size)", work->id ? work->id : "(no id)",
                   g_bytes_get_size (work->raw), l->max_record);
      return FALSE;
    }
  if (!check_field (work, "the id", work->id, max, error)
      || !check_field (work, "the DOI", work->doi, max, error)
      || !check_field (work, "the title", work->title, max, error)
      || !check_field (work, "the type", work->type, max, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    if (!check_field (work, "a topic id", levels[i]->id, max, error)
        || !check_field (work, "a topic name", levels[i]->name, max, error))
      return FALSE;
  for (guint i = 0; work->authorships && i < work->authorships->len; i++)
    if (!check_authorship (work, g_ptr_array_index (work->authorships, i), max, error))
      return FALSE;
  return TRUE;
}
