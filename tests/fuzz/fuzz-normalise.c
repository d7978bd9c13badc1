/* Fuzz target for the affiliation normaliser: any bytes go in (invalid UTF-8, huge strings,
 * every kind of space and dash); the normaliser must not crash and must keep its promises
 * about the result (distinct, sorted, well-formed country codes). */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "copub/normalise.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static CopubNormaliser *normaliser;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  (void) argc;
  (void) argv;
  normaliser = copub_normaliser_new (NULL, &error);
  if (normaliser == NULL)
    {
      g_printerr ("fuzz-normalise: %s\n", error->message);
      abort ();
    }
  return 0;
}

static void
check (const CopubAffiliation *aff)
{
  if (aff->n_countries > COPUB_AFFILIATION_MAX_COUNTRIES)
    abort ();
  for (guint i = 0; i < aff->n_countries; i++)
    {
      const char *c = aff->countries[i];
      if (!g_ascii_isupper (c[0]) || !g_ascii_isupper (c[1]) || c[2] != '\0')
        abort ();
      if (i > 0 && strcmp (aff->countries[i - 1], c) >= 0)
        abort ();
    }
  if ((aff->n_countries == 0) != (aff->evidence == COPUB_EVIDENCE_NONE))
    abort ();
  if (aff->institution_id != NULL && (aff->institution_name == NULL
                                      || !g_utf8_validate (aff->institution_name, -1, NULL)))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  CopubAffiliation aff;
  g_autofree char *text = g_strndup ((const char *) data, size);

  if (normaliser == NULL)
    LLVMFuzzerInitialize (NULL, NULL);
  copub_affiliation_init (&aff);
  /* with the length (NULs inside), then as a C string */
  if (copub_normaliser_resolve (normaliser, (const char *) data, (gssize) size, &aff)
      != (aff.n_countries > 0))
    abort ();
  check (&aff);
  copub_normaliser_resolve (normaliser, text, -1, &aff);
  check (&aff);
  copub_affiliation_clear (&aff);
  return 0;
}
