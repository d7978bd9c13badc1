#!/usr/bin/env python3
"""Independent computation of copub's year table, to check copub's numbers.

    crosscheck-year.py [--home FR|none] [--from Y] [--to Y]
                       [--types article,review,book-chapter|all] FILE...

Reads OpenAlex works as JSON Lines (gzipped or not) with nothing but the Python
standard library and prints, as CSV, one row per publication year that has works:

    year,works,international,share,share_low,share_high,coverage,complete,share_complete,share_max

It shares no code with copub on purpose: the definitions below are implemented
from their wording, so that a bug in copub does not hide in both.

- A record is a work if it is a JSON object with an "id" (a non-empty string);
  a later record with the same id replaces the earlier one.
- Corpus: "publication_year" is an integer within --from/--to, "type" is in the
  type set, "is_retracted" and "is_paratext" are not true.
- An authorship's countries are its "countries" list, upper-cased; with home FR
  the French overseas codes count as FR. C(w) is the union over the authorships.
- International: with a home country, C(w) holds another code; with --home none,
  C(w) holds two codes or more.
- share = international / works, with a Wilson 95% interval; coverage = authorships
  with a known country / authorships; complete = works with authorships, all with a
  known country; share_complete = international share among complete works;
  share_max = (works that are international or not complete) / works: the share if
  every work with an authorship of unknown country (or none) were international.
"""

import argparse
import gzip
import json
import math
import os
import sys

DEFAULT_TYPES = frozenset({"article", "review", "book-chapter"})
FRENCH_OVERSEAS = frozenset({"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"})
Z95 = 1.959963984540054


def parse_args(argv):
    p = argparse.ArgumentParser(prog="crosscheck-year.py",
                                description="Year table of international co-publication, computed independently.")
    p.add_argument("--home", default="FR", help="home country code, or none (default FR)")
    p.add_argument("--from", dest="first", type=int, help="first publication year")
    p.add_argument("--to", dest="last", type=int, help="last publication year")
    p.add_argument("--types", default=None, help="comma-separated work types, or all "
                   "(default article,review,book-chapter)")
    p.add_argument("files", nargs="+", metavar="FILE", help="JSON Lines file, .gz allowed")
    args = p.parse_args(argv)
    args.home = None if args.home.lower() == "none" else args.home.upper()
    if args.types is None:
        args.types = DEFAULT_TYPES
    elif args.types.strip() == "all":
        args.types = None
    else:
        args.types = frozenset(t.strip() for t in args.types.split(",") if t.strip())
    return args


def open_lines(path):
    """The file's lines as bytes. Lines end at b"\\n" only: titles may hold U+2028,
    which str.splitlines() would wrongly treat as a line end."""
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def records(paths):
    """Every JSON value of every line of @paths, in order; lines that do not parse are
    skipped (as copub import --skip-bad does)."""
    for path in paths:
        with open_lines(path) as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError:
                    print("crosscheck-year.py: %s: skipped a line that is not JSON" % path, file=sys.stderr)


def in_corpus(work, args):
    year = work.get("publication_year")
    if not isinstance(year, int) or isinstance(year, bool):
        return False
    if (args.first is not None and year < args.first) or (args.last is not None and year > args.last):
        return False
    if args.types is not None and work.get("type") not in args.types:
        return False
    return work.get("is_retracted") is not True and work.get("is_paratext") is not True


def authorship_countries(authorship, home):
    codes = authorship.get("countries") if isinstance(authorship, dict) else None
    if not isinstance(codes, list):
        return set()
    out = set()
    for code in codes:
        if isinstance(code, str) and code:
            code = code.upper()
            out.add("FR" if home == "FR" and code in FRENCH_OVERSEAS else code)
    return out


def summarise(work, args):
    """(year, international, authorships, authorships with a known country) of a work in
    the corpus, or None for a work outside it."""
    if not in_corpus(work, args):
        return None
    authorships = work.get("authorships")
    if not isinstance(authorships, list):
        authorships = []
    union, known = set(), 0
    for a in authorships:
        codes = authorship_countries(a, args.home)
        known += bool(codes)
        union |= codes
    international = bool(union - {args.home}) if args.home else len(union) >= 2
    return work["publication_year"], international, len(authorships), known


def latest_works(args):
    """Summaries by work id; the last record with an id wins, even if it leaves the corpus."""
    works = {}
    for rec in records(args.files):
        if isinstance(rec, dict) and isinstance(rec.get("id"), str) and rec["id"]:
            works[rec["id"]] = summarise(rec, args)
    return works


def wilson(successes, n):
    p = successes / n
    z2 = Z95 * Z95
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = Z95 * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def year_table(works):
    """year -> [works, international, authorships, known, complete, complete international,
    international or not complete]."""
    table = {}
    for summary in works.values():
        if summary is None:
            continue
        year, international, n_auth, n_known = summary
        row = table.setdefault(year, [0, 0, 0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += international
        row[2] += n_auth
        row[3] += n_known
        if n_auth > 0 and n_known == n_auth:
            row[4] += 1
            row[5] += international
            row[6] += international
        else:
            row[6] += 1
    return table


def share(part, whole):
    return "%.4f" % (part / whole) if whole else ""


def print_table(table, out):
    out.write("year,works,international,share,share_low,share_high,coverage,complete,share_complete,"
              "share_max\n")
    for year in sorted(table):
        works, intl, n_auth, n_known, complete, complete_intl, ceiling = table[year]
        low, high = wilson(intl, works)
        out.write("%d,%d,%d,%s,%.4f,%.4f,%s,%d,%s,%s\n" % (
            year, works, intl, share(intl, works), low, high, share(n_known, n_auth), complete,
            share(complete_intl, complete), share(ceiling, works)))


def main(argv=None):
    args = parse_args(argv)
    try:
        print_table(year_table(latest_works(args)), sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
