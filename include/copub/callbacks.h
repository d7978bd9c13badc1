/* copub: how the library tells its caller what it is doing. The library never prints:
 * a caller that wants the notes and the progress passes a CopubCallbacks on the options
 * of a long step (run, fetch, import, scan, snapshot import), as libgit2 does with its remote
 * callbacks; a NULL struct or a NULL member means "tell me nothing". The callbacks are
 * called from the thread that called the library, except during a harvest, whose notes
 * and progress may come from its worker threads: never two notes at once, never two
 * progress calls at once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  COPUB_NOTE_INFO,    /* a detail of the work ("importing 'x.jsonl'") */
  COPUB_NOTE_MESSAGE, /* what a user wants to know ("removed 'x', left by a killed run") */
  COPUB_NOTE_WARNING, /* something is off but the step goes on */
} CopubNoteLevel;

/* Where a harvest stands. */
typedef struct {
  guint slices, slices_done;  /* slices in the range; fetched or skipped so far */
  guint64 pages, works;       /* received so far */
  double requests_per_second; /* since the start */
  gint64 budget_remaining;    /* the API's budget left, -1 when unknown */
  double seconds_left;        /* an estimate, -1 when there is none yet */
  gboolean more_to_count;     /* slices not counted yet: @seconds_left is a floor */
  gboolean final;             /* the harvest is over: the last call */
} CopubHarvestProgress;

/* Where a scan stands. */
typedef struct {
  const char *path;      /* the file being read, as named ("standard input") */
  guint64 line;          /* the line reached */
  guint64 kept;          /* works kept so far, over every file */
  gboolean done;         /* the file is read: the last call for it */
} CopubScanProgress;

typedef struct {
  /* A note: @message is one sentence, without the program's name nor a newline. */
  void (*note) (CopubNoteLevel level, const char *message, void *user_data);
  /* A harvest's progress, at most twice a second, and once with final set. */
  void (*harvest_progress) (const CopubHarvestProgress *progress, void *user_data);
  /* A scan's progress, at most once a second, and once with done set after each file. */
  void (*scan_progress) (const CopubScanProgress *progress, void *user_data);
  void *user_data;
} CopubCallbacks;

G_END_DECLS
