/* copub: the run configuration, one INI file per institution (GKeyFile syntax), every
 * key checked: an unknown key or a bad value is an error naming the key and its line. */
#pragma once

#include <glib.h>

#include "copub/hal-rules.h"

G_BEGIN_DECLS

typedef struct {
  char *path;               /* the file read */
  /* [institution] */
  char *name;               /* shown in the headline and the report */
  char *openalex;           /* OpenAlex id or ROR id, or NULL */
  char *hal_struct;         /* HAL structure id, or NULL */
  char *hal_collection;     /* HAL collection code, or NULL */
  char *home;               /* ISO alpha-2 or NULL ("none") */
  /* [sources] */
  gboolean use_openalex;
  gboolean use_hal;
  char **files;             /* files imported on every run (absolute paths) */
  char *ror;                /* a ROR data dump for the affiliation normaliser, or NULL */
  /* [harvest] */
  int from, to;             /* to = 0: the current year */
  int refresh_years;
  char *api_key_env;        /* the environment variable holding the OpenAlex key */
  char *mailto;
  double rate;
  int jobs;
  char *since;
  char *openalex_rematched; /* OpenAlex's last re-match of affiliations (YYYY-MM-DD), or
                             * "none" */
  char *openalex_url;       /* base URLs (tests point them elsewhere) */
  char *hal_url;
  /* [corpus] */
  char **types;             /* NULL-terminated; {"all"} for every type */
  char *hal_year;           /* "produced" or "publication" (copub/hal-rules.h) */
  gboolean hal_annexes;     /* keep HAL annex deposits */
  char *max_record_size;    /* limits on imported records, as written ("32M", "64k") */
  char *max_field_size;
  gboolean include_xpac;    /* keep OpenAlex's xpac works (fetch and import) */
  /* [analysis] */
  char *themes;             /* theme map path or NULL */
  char *theme_level;        /* "field" or "domain" */
  char *partners;           /* partner file path or NULL */
  char *groups;             /* groups file path or NULL (the built-in groups always) */
  char *counting;           /* "both", "full", "fractional" */
  int window;
  gboolean territories_as_home;
  gboolean hk_mo_as_cn;
  /* [output] */
  char *out_dir;
  char **formats;           /* chart formats: png, svg, pdf */
  char **languages;         /* report languages: en, fr */
  char *store;              /* the store path */
  char *log_file;           /* or NULL */
} CopubConfig;

/* Reads and checks @path. Relative paths in it are taken relative to the file's
 * directory. Errors (COPUB_ERROR_USAGE) name the file, the key and its line. */
CopubConfig *copub_config_load (const char *path, GError **error);
void copub_config_free (CopubConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubConfig, copub_config_free)

/* The HAL rules @config sets ([corpus] hal-year, hal-annexes), for fetch and import. */
void copub_config_hal_rules (const CopubConfig *config, CopubHalRules *out);

/* Every group and key with its default and meaning, as an INI text with comments:
 * the reference printed by `copub run --print-config`. Static string. */
const char *copub_config_reference (void);

G_END_DECLS
