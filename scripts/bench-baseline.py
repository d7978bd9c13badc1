#!/usr/bin/env python3
"""The Python baseline of scripts/bench-import: the year table of copub analyse
(--by year --home FR, default types) straight from JSON Lines, standard library only.

    bench-baseline.py FILE...

It parses every line with json.loads and counts; nothing is stored but a small
summary per work id (needed because a later record of a work replaces an earlier one).
Prints the table as CSV on standard output and "works read: N" on standard error.
"""

import gzip
import json
import math
import sys

TYPES = frozenset({"article", "review", "book-chapter"})
HOME = "FR"
# French overseas territories count as FR.
OVERSEAS = frozenset({"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"})
Z = 1.959963984540054


def summary(work):
    """(year, international, authorships, authorships with a country), or None when the
    work is outside the corpus."""
    year = work.get("publication_year")
    if (type(year) is not int or work.get("type") not in TYPES
            or work.get("is_retracted") is True or work.get("is_paratext") is True):
        return None
    authorships = work.get("authorships")
    if not isinstance(authorships, list):
        authorships = []
    foreign, known = False, 0
    for a in authorships:
        codes = a.get("countries") if isinstance(a, dict) else None
        has_code = False
        for code in codes if isinstance(codes, list) else ():
            if isinstance(code, str) and code:
                has_code = True
                code = code.upper()
                foreign = foreign or (code != HOME and code not in OVERSEAS)
        known += has_code
    return year, foreign, len(authorships), known


def read(paths):
    works, n = {}, 0
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            for line in f:
                if not line.strip():
                    continue
                n += 1
                try:
                    w = json.loads(line)
                except ValueError:
                    continue
                if isinstance(w, dict) and isinstance(w.get("id"), str) and w["id"]:
                    works[w["id"]] = summary(w)
    return works, n


def wilson(k, n):
    p = k / n
    z2 = Z * Z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = Z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def main(paths):
    if not paths:
        print("usage: bench-baseline.py FILE...", file=sys.stderr)
        return 2
    works, n = read(paths)
    rows = {}
    for s in works.values():
        if s is None:
            continue
        year, intl, n_auth, n_known = s
        r = rows.setdefault(year, [0, 0, 0, 0, 0, 0, 0])
        complete = n_auth > 0 and n_known == n_auth
        r[0] += 1
        r[1] += intl
        r[2] += n_auth
        r[3] += n_known
        r[4] += complete
        r[5] += complete and intl
        r[6] += intl or not complete

    def share(a, b):
        return "%.4f" % (a / b) if b else ""

    out = ["year,works,international,share,share_low,share_high,coverage,complete,share_complete,share_max"]
    for year in sorted(rows):
        w, i, a, k, c, ci, m = rows[year]
        low, high = wilson(i, w)
        out.append("%d,%d,%d,%s,%.4f,%.4f,%s,%d,%s,%s" % (year, w, i, share(i, w), low, high, share(k, a),
                                                         c, share(ci, c), share(m, w)))
    print("\n".join(out))
    print("works read: %d" % n, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
