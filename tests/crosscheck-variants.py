#!/usr/bin/env python3
"""Independent re-count of the report's section "How the figure moves" from the store.

    crosscheck-variants.py STORE.db REPORT.md [--types LIST] [--home CC]

Reads the works table of copub's SQLite store with Python's sqlite3 (not copub's code),
recounts for the headline's period (read from the section's caption) the works and the
international works under each definition the section lists, and compares them with the
section's Markdown table (works and international exactly, the share to its printed
decimal). A work is counted once across sources: records of OpenAlex and HAL with the
same DOI, or the same title key when one has no DOI, are one work, described by its
OpenAlex record, with the countries of every record. Exit 0 when every row agrees, 1
otherwise (each difference on stderr), 2 on bad input.
"""
import argparse
import re
import sqlite3
import sys

DEFAULT_TYPES = ("article", "review", "book-chapter")
FR_TERRITORIES = {"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"}
# The section's rows, in English, and the change each makes.
VARIANTS = [
    ("The headline's definition", {}),
    ("Articles only", {"types": {"article"}}),
    ("All document types, conference papers included", {"types": None}),
    ("OpenAlex alone", {"source": "openalex"}),
    ("HAL alone", {"source": "hal"}),
    ("Both sources together", {"source": None}),
    ("The sources' countries only, without copub's normaliser", {"source_only": True}),
    ("French overseas territories counted as abroad", {"territories": False}),
]


def die(msg):
    print("crosscheck-variants: " + msg, file=sys.stderr)
    sys.exit(2)


def records(db, first, last):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT source, source_id, doi, title_key, year, type, is_retracted,"
                       " is_paratext, auth_countries FROM works WHERE year BETWEEN ? AND ?",
                       (first, last)).fetchall()
    return [dict(zip(("source", "id", "doi", "title_key", "year", "type", "retracted",
                      "paratext", "auth"), r)) for r in rows]


def groups(recs):
    """Lists of records of one work: union-find over HAL-OpenAlex pairs."""
    parent = {}

    def root(k):
        while parent.get(k, k) != k:
            k = parent[k]
        return k
    key = lambda r: (r["source"], r["id"])
    oa_doi, oa_title = {}, {}
    for r in recs:
        if r["source"] == "openalex":
            if r["doi"]:
                oa_doi.setdefault(r["doi"], []).append(r)
            if r["title_key"]:
                oa_title.setdefault(r["title_key"], []).append(r)
    for r in recs:
        if r["source"] != "hal":
            continue
        mates = list(oa_doi.get(r["doi"], [])) if r["doi"] else []
        mates += [b for b in oa_title.get(r["title_key"], []) if not (r["doi"] and b["doi"])] \
            if r["title_key"] else []
        for b in mates:
            a, c = root(key(r)), root(key(b))
            if a != c:
                parent[c] = a
    out = {}
    for r in recs:
        out.setdefault(root(key(r)), []).append(r)
    return list(out.values())


def countries(rec, source_only):
    """The record's authorships' countries: "FR;FR,US;;~DE", '~' inferred by copub."""
    out = set()
    for auth in (rec["auth"] or "").split(";"):
        codes = [c for c in auth.split(",") if c]
        if source_only and any(c.startswith("~") for c in codes):
            continue
        out.update(c.lstrip("~") for c in codes)
    return out


def count(recs, opts, v):
    types = v.get("types", opts.types)
    source = v.get("source", opts.source)
    source_only = v.get("source_only", False)
    territories = v.get("territories", True)
    recs = [r for r in recs if source is None or r["source"] == source]
    works = intl = 0
    for g in (groups(recs) if source is None else [[r] for r in recs]):
        base = next((r for r in g if r["source"] == "openalex"), g[0])
        if any(r["retracted"] for r in g) or base["paratext"]:
            continue
        if types is not None and base["type"] not in types:
            continue
        cs = set()
        for r in g:
            cs |= countries(r, source_only)
        if territories and opts.home == "FR":
            cs = {"FR" if c in FR_TERRITORIES else c for c in cs}
        works += 1
        intl += any(c != opts.home for c in cs)
    return works, intl


def section_rows(md):
    text = open(md, encoding="utf-8").read()
    m = re.search(r"^## How the figure moves\n(.*?)(?=^## )", text, re.S | re.M)
    if not m:
        die("%s: no section 'How the figure moves'" % md)
    cap = re.search(r"\*\*The headline under other definitions, (\d{4})(?:–(\d{4}))?\*\*",
                    m.group(1))
    if not cap:
        die("%s: the section has no caption with its period" % md)
    first = int(cap.group(1))
    last = int(cap.group(2) or first)
    rows = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1].replace(",", "").isdigit():
            rows[cells[0].replace("\\", "")] = cells
    return first, last, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("report")
    ap.add_argument("--types", default=",".join(DEFAULT_TYPES))
    ap.add_argument("--home", default="FR")
    ap.add_argument("--source", default=None)
    opts = ap.parse_args()
    opts.types = None if opts.types == "all" else set(opts.types.split(","))
    first, last, rows = section_rows(opts.report)
    recs = records(opts.db, first, last)
    bad = 0
    for name, v in VARIANTS:
        if name.startswith("French overseas") and opts.home != "FR":
            continue
        works, intl = count(recs, opts, v)
        share = "–" if works == 0 else "%.1f%%" % (100.0 * intl / works)
        want = [str(works), str(intl), share]
        got = rows.get(name)
        if got is None or [got[1].replace(",", ""), got[2].replace(",", ""), got[3]] != want:
            print("crosscheck-variants: %s: report %s, recount %s" % (name, got, want),
                  file=sys.stderr)
            bad += 1
        else:
            print("%s: %s works, %s international, %s" % (name, *want))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
