/* copub: the place data behind the affiliation normaliser. Country names (ISO 3166-1 and
 * their translations), subdivisions (ISO 3166-2), cities (libgeonames), hand-written variants
 * and hint words (data/gazetteer.tsv), and research organisations (ROR dumps), all behind one
 * lookup of folded names. Also the tokenizer that folds text the way the lookup keys are. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ---- Tokens ------------------------------------------------------------------------------ */

/* What separates a token from the previous one; larger values separate more. */
typedef enum {
  COPUB_SEP_NONE,    /* nothing: a split inside a word ("2CNRS", "UMR7585") */
  COPUB_SEP_JOIN,    /* hyphen, apostrophe or dot inside a word ("Saint-Dié", "U.S.A.") */
  COPUB_SEP_SPACE,   /* white space */
  COPUB_SEP_SEGMENT, /* comma, bracket, colon, slash, spaced dash: a new address component */
  COPUB_SEP_PART,    /* semicolon, line break, '&': possibly a new affiliation */
} CopubSeparator;

/* Flags of a token, from its original spelling. */
enum {
  COPUB_TOKEN_UPPER = 1 << 0,   /* has a letter, and every letter is upper case */
  COPUB_TOKEN_CAPITAL = 1 << 1, /* starts with an upper-case letter */
  COPUB_TOKEN_DIGITS = 1 << 2,  /* digits only */
  COPUB_TOKEN_LETTERS = 1 << 3, /* letters only */
};

typedef struct {
  guint32 start;   /* byte offset of the token in the tokenized text */
  guint32 end;     /* byte offset just past it */
  guint32 fold;    /* offset of the folded form in CopubTokens.folded (NUL-terminated) */
  guint16 fold_len;
  guint8 flags;    /* COPUB_TOKEN_* */
  guint8 sep;      /* CopubSeparator before the token */
} CopubToken;

/* A tokenized text. Stack struct: copub_tokens_init() then copub_tokens_clear(). */
typedef struct {
  GArray *tokens;  /* of CopubToken, owned */
  GString *folded; /* folded forms, each followed by a NUL, owned */
} CopubTokens;

void copub_tokens_init (CopubTokens *tokens);
void copub_tokens_clear (CopubTokens *tokens);

/* The folded text of token @i of @tokens (lower case, no accents, ligatures expanded). */
#define copub_tokens_fold(t, i) \
  ((t)->folded->str + g_array_index ((t)->tokens, CopubToken, (i)).fold)

/* Splits @text (@len bytes of valid UTF-8) into words of letters and digits and folds them
 * (compatibility decomposition, marks dropped, lower case, "œ" -> "oe", "ß" -> "ss"...).
 * Every non-alphanumeric character separates words; the strongest separator between two
 * words is recorded in the second. Stops after @max_tokens tokens. Replaces the contents of
 * @out. Thread-safe. */
void copub_gazetteer_tokenize (const char *text, gsize len, guint max_tokens,
                               CopubTokens *out);

/* The lookup key for @name: its folded tokens joined by single spaces ("Vandœuvre-lès-Nancy"
 * gives "vandoeuvre les nancy"). Free with g_free. */
char *copub_gazetteer_key (const char *name);

/* ---- Places ------------------------------------------------------------------------------ */

typedef enum {
  COPUB_PLACE_COUNTRY = 1,  /* a country: ISO name, translation, variant or abbreviation */
  COPUB_PLACE_REGION,       /* a state, province or region, by name */
  COPUB_PLACE_REGION_CODE,  /* a state or province postal abbreviation: "GA", "NSW", "QC" */
  COPUB_PLACE_CITY,         /* a GeoNames city */
  COPUB_PLACE_INSTITUTION,  /* a research organisation, by name */
  COPUB_PLACE_ACRONYM,      /* a research organisation, by acronym */
  COPUB_PLACE_HINT,         /* a word that suggests a country (language, national bodies) */
} CopubPlaceKind;

/* Flags of a place. */
enum {
  COPUB_PLACE_UPPER = 1 << 0,     /* counts only when written in capitals ("US", "IN") */
  COPUB_PLACE_FINAL = 1 << 1,     /* counts only at the end of an address component ("Jordan") */
  COPUB_PLACE_SECONDARY = 1 << 2, /* a second-level subdivision (French département) */
  COPUB_PLACE_LAST = 1 << 3,      /* counts only as the last word of an affiliation ("PRC") */
  COPUB_PLACE_GENERIC = 1 << 4,   /* an institution's name made of words common to many
                                   * countries' institutions: it decides no country alone */
};

typedef struct {
  guint8 kind;      /* CopubPlaceKind */
  guint8 flags;     /* COPUB_PLACE_* */
  guint8 priority;  /* for countries: 0 ISO or hand-written name, 1 derived, 2 translated */
  char country[3];  /* ISO 3166-1 alpha-2 */
  char region[4];   /* subdivision code without the country ("GA"), or "" */
  guint32 value;    /* population (cities), organisation index (institutions), else 0 */
} CopubPlace;

/* An organisation; its strings belong to the gazetteer. */
typedef struct {
  char *id;         /* short ROR id ("04vfs2w97") */
  char *name;       /* display name */
  char country[3];  /* ISO 3166-1 alpha-2, or "" */
  char *city;       /* the city of its first location, or NULL */
  guint parents;    /* where its parents' organisation indices start in the gazetteer's list
                     * of them (see copub_gazetteer_is_parent()) */
  guint n_parents;
} CopubOrganisation;

typedef struct _CopubGazetteer CopubGazetteer;

/* Loads the place data: the iso-codes JSON files and gettext catalogues Debian installs, the
 * libgeonames cities, and @data_dir/gazetteer.tsv. @data_dir NULL means
 * copub_gazetteer_data_dir (NULL). Returns NULL with @error set (COPUB_ERROR_IO) when a file
 * is missing or malformed. The result is read-only: any number of threads may look it up at
 * once. Free with copub_gazetteer_free(). */
CopubGazetteer *copub_gazetteer_new (const char *data_dir, GError **error);
void copub_gazetteer_free (CopubGazetteer *gazetteer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopubGazetteer, copub_gazetteer_free)

/* Adds the organisations of a registry (copub_registry_read(): a ROR v2 dump as .json,
 * .json.gz or release .zip, or copub's table) to the lookup: names, aliases and labels as
 * COPUB_PLACE_INSTITUTION, acronyms as COPUB_PLACE_ACRONYM. Only active records become
 * organisations; the names of an inactive or withdrawn record go to its successor, or
 * nowhere. An id repeated in the file is read once; an id an earlier file loaded gets the
 * names this file adds, nothing else. On error nothing is added. Must be
 * called before the gazetteer is shared between threads. */
gboolean copub_gazetteer_load_ror (CopubGazetteer *gazetteer, const char *path, GError **error);

/* copub_gazetteer_new (@data_dir) then copub_gazetteer_load_ror (@path), with the same
 * result and errors, the registry (copub's table or a dump) read and keyed in a second
 * thread meanwhile. */
CopubGazetteer *copub_gazetteer_new_with_ror (const char *data_dir, const char *path,
                                              GError **error);

/* TRUE if organisation @parent is a parent (or a parent's parent...) of @child. */
gboolean copub_gazetteer_is_parent (const CopubGazetteer *gazetteer, guint child, guint parent);

/* The organisation index of short ROR id @id, if it is loaded. */
gboolean copub_gazetteer_ror_index (const CopubGazetteer *gazetteer, const char *id,
                                    guint *index);

/* The places named by @key (a copub_gazetteer_key()), or NULL; @n_places gets their number.
 * @is_prefix (optional) says whether longer keys start with @key followed by a space. The
 * array belongs to the gazetteer. */
const CopubPlace *copub_gazetteer_lookup (const CopubGazetteer *gazetteer, const char *key,
                                          guint *n_places, gboolean *is_prefix);

/* Organisation @index (CopubPlace.value of an institution), owned by the gazetteer. */
const CopubOrganisation *copub_gazetteer_organisation (const CopubGazetteer *gazetteer,
                                                       guint index);

/* The number of organisations loaded. */
guint copub_gazetteer_n_organisations (const CopubGazetteer *gazetteer);

/* TRUE if @code is an ISO 3166-1 alpha-2 code (upper case) that iso-codes knows. */
gboolean copub_gazetteer_is_country (const CopubGazetteer *gazetteer, const char *code);

/* The English name of country @code ("France"), or NULL. Owned by the gazetteer. */
const char *copub_gazetteer_country_name (const CopubGazetteer *gazetteer, const char *code);

/* The US state ("GA") whose ZIP codes start like @zip (five digits), or NULL. Static. */
const char *copub_gazetteer_zip_state (const char *zip);

G_END_DECLS
