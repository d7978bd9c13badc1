#!/usr/bin/env python3
"""The co-authorship network, counted independently of copub's C code, and copub's
network files read back, both printed in one canonical form that a test compares:

    node ID WORKS              one a node, sorted
    link ID1 ID2 WEIGHT        one a link, ID1 < ID2, sorted; WEIGHT an integer (full
                               counting) or with 6 decimals (fractional)

  crosscheck-network.py expect DB --level country|institution [--counting full|fractional]
                        [--home CC] [--from Y] [--to Y] [--theme NAME] [--min-weight N]
  crosscheck-network.py read gexf|graphml|csv|vosviewer FILE [NETWORK_FILE]
  crosscheck-network.py check PREFIX DB --level ... (the options of expect)
      compares the count with PREFIX.gexf, PREFIX.graphml, PREFIX-map.txt and
      PREFIX-network.txt, PREFIX.csv; prints "FORMAT ok N" or "FORMAT differs" and the
      first differences, one line a format; exits 1 when one differs

'expect' reads the SQLite store with Python's sqlite3: the corpus is the works with a year,
not retracted, not paratext, of the default types (article, review, book-chapter); a
work's countries are the union of its authorships' countries (inferred ones included),
the French overseas territories counted as FR when home is FR; its institutions are the
ids of its institution list that the institution table holds, one node per ROR id when
the institution has one. Stores of one source only (no OpenAlex/HAL record merging).
Fractional: a work with k nodes gives each of its k(k-1)/2 links 1/(k-1) (exact
fractions). The 'csv' reader has no node lines (an edge list has none)."""
import csv
import sqlite3
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from itertools import combinations

TYPES = {"article", "review", "book-chapter"}
TERRITORIES = {"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"}


def arg(args, name, default=None):
    return args[args.index(name) + 1] if name in args else default


def weight_text(value, counting):
    return str(value) if counting == "full" else "%.6f" % float(value)


def expect(args):
    db = sqlite3.connect(args[0])
    level = arg(args, "--level")
    counting = arg(args, "--counting", "full")
    home = arg(args, "--home", "FR")
    year_from, year_to = int(arg(args, "--from", 0)), int(arg(args, "--to", 0))
    theme = arg(args, "--theme")
    min_weight = float(arg(args, "--min-weight", 0))
    inst = {i: (r or i) for i, r in db.execute("SELECT id, ror FROM institutions")}
    node_works, links_full, links_frac = {}, {}, {}
    for year, wtype, retracted, paratext, auth, insts, field in db.execute(
            "SELECT year, type, is_retracted, is_paratext, auth_countries, institutions,"
            " field_name FROM works"):
        if not year or retracted or paratext or wtype not in TYPES:
            continue
        if (year_from and year < year_from) or (year_to and year > year_to):
            continue
        if theme is not None and (field or "(unknown)") != theme:
            continue
        if level == "country":
            nodes = set()
            for entry in (auth or "").split(";"):
                for code in entry.split(","):
                    code = code.lstrip("~")
                    if code:
                        nodes.add("FR" if home == "FR" and code in TERRITORIES else code)
        else:
            nodes = {inst[i] for i in (insts or "").split() if i in inst}
        for node in nodes:
            node_works[node] = node_works.get(node, 0) + 1
        k = len(nodes)
        for a, b in combinations(sorted(nodes), 2):
            links_full[a, b] = links_full.get((a, b), 0) + 1
            links_frac[a, b] = links_frac.get((a, b), 0) + Fraction(1, k - 1)
    out = ["node %s %d" % (n, w) for n, w in node_works.items()]
    chosen = links_full if counting == "full" else links_frac
    out += ["link %s %s %s" % (a, b, weight_text(w, counting))
            for (a, b), w in chosen.items() if w >= min_weight]
    return out


def canonical_link(a, b, weight):
    a, b = sorted((a, b))
    return "link %s %s %s" % (a, b, weight)


def read_gexf(path):
    ns = {"g": "http://gexf.net/1.3"}
    root = ET.parse(path).getroot()
    out = []
    for node in root.iterfind(".//g:nodes/g:node", ns):
        works = node.find("g:attvalues/g:attvalue[@for='works']", ns).get("value")
        out.append("node %s %s" % (node.get("id"), works))
    for edge in root.iterfind(".//g:edges/g:edge", ns):
        out.append(canonical_link(edge.get("source"), edge.get("target"), edge.get("weight")))
    return out


def read_graphml(path):
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(path).getroot()
    keys = {k.get("id") for k in root.iterfind("g:key", ns)}
    out = []
    for node in root.iterfind("g:graph/g:node", ns):
        data = {d.get("key"): d.text for d in node.iterfind("g:data", ns)}
        assert set(data) <= keys, "undeclared key in node %s" % node.get("id")
        out.append("node %s %s" % (node.get("id"), data["works"]))
    for edge in root.iterfind("g:graph/g:edge", ns):
        data = {d.get("key"): d.text for d in edge.iterfind("g:data", ns)}
        assert set(data) <= keys, "undeclared key in an edge"
        out.append(canonical_link(edge.get("source"), edge.get("target"), data["weight"]))
    return out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows and rows[0] == ["source", "target", "weight"], "bad header: %r" % rows[:1]
    assert all(len(r) == 3 for r in rows), "a row without 3 fields"
    return [canonical_link(a, b, w) for a, b, w in rows[1:]]


def read_vosviewer(map_path, network_path):
    ids, out = {}, []
    with open(map_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines[0] == "id\tlabel\tdescription\tweight<Works>", "bad header %r" % lines[0]
    assert lines[-1] == "", "no final line break"
    for line in lines[1:-1]:
        fields = line.split("\t")
        assert len(fields) == 4, "map line with %d fields: %r" % (len(fields), line)
        ids[fields[0]] = fields[2].strip('"')
        out.append("node %s %s" % (fields[2].strip('"'), fields[3]))
    with open(network_path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            fields = line.split("\t")
            assert len(fields) == 3, "network line with %d fields: %r" % (len(fields), line)
            out.append(canonical_link(ids[fields[0]], ids[fields[1]], fields[2]))
    return out


def check(prefix, args):
    want = sorted(expect(args))
    want_links = [line for line in want if line.startswith("link")]
    files = {"gexf": (read_gexf, [prefix + ".gexf"], want),
             "graphml": (read_graphml, [prefix + ".graphml"], want),
             "vosviewer": (read_vosviewer, [prefix + "-map.txt", prefix + "-network.txt"], want),
             "csv": (read_csv, [prefix + ".csv"], want_links)}
    failed = False
    for name, (reader, paths, lines) in files.items():
        try:
            got = sorted(reader(*paths))
        except (AssertionError, ET.ParseError, OSError, KeyError) as e:
            print("%s differs: %s" % (name, e))
            failed = True
            continue
        if got == lines:
            print("%s ok %d" % (name, len(lines)))
        else:
            extra = [l for l in got if l not in set(lines)][:3]
            missing = [l for l in lines if l not in set(got)][:3]
            print("%s differs: unexpected %r, missing %r" % (name, extra, missing))
            failed = True
    return 1 if failed else 0


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "check":
        sys.exit(check(args[0], args[1:]))
    if mode == "expect":
        lines = expect(args)
    else:
        readers = {"gexf": read_gexf, "graphml": read_graphml, "csv": read_csv,
                   "vosviewer": read_vosviewer}
        lines = readers[args[0]](*args[1:])
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
