#!/usr/bin/env python3
"""Check the world map of a copub report against `copub analyse --by country`.

    crosscheck-map.py REPORT.html COUNTRY.csv [--home CC] [--territories-as-home]
                      [--hk-mo-as-cn] [--empty]

Reads the map's country elements (svg.world-map: data-code, data-works, data-share,
data-fractional and their <title>) from the report with nothing but the standard
library, and compares them with the CSV that `copub analyse --by country --counting both
--format csv` wrote for the same years and options: every country of the table is on
the map with its works, its share (works / n) and its fractional count, every country
on the map with works is in the table (Hong Kong and Macao with China's values when
they count as China), the home country and, with --territories-as-home, the French
overseas territories carry no works and say so. With --empty, the table must be empty
and no country on the map has works. Prints one line per problem; exits 1 if any.
"""

import argparse
import csv
import html
import re
import sys

TERRITORIES = "GP MQ GF RE YT PM BL MF WF PF NC TF".split()
ELEMENT = re.compile(r'<(path|circle)\b([^>]*)>\s*(?:<title>(.*?)</title>)?', re.S)
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')


def map_elements(path):
    text = open(path, encoding="utf-8").read()
    start = text.find('<svg xmlns="http://www.w3.org/2000/svg" class="world-map"')
    if start < 0:
        sys.exit("crosscheck-map: %s has no world map" % path)
    svg = text[start:text.index("</svg>", start)]
    out = []
    for m in ELEMENT.finditer(svg):
        attrs = dict(ATTR.findall(m.group(2)))
        if "data-code" in attrs:
            attrs["title"] = html.unescape(m.group(3) or "")
            out.append(attrs)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("report")
    p.add_argument("table")
    p.add_argument("--home", default="FR")
    p.add_argument("--territories-as-home", action="store_true")
    p.add_argument("--hk-mo-as-cn", action="store_true")
    p.add_argument("--empty", action="store_true")
    a = p.parse_args()

    rows = {r["country"]: r for r in csv.DictReader(open(a.table, encoding="utf-8"))
            if r["country"] != "(unknown)"}
    elements = map_elements(a.report)
    problems = []
    by_code = {}
    for e in elements:
        by_code.setdefault(e["data-code"], []).append(e)
    if len(by_code) < 150:
        problems.append("only %d countries on the map" % len(by_code))
    if a.empty and rows:
        problems.append("the table is not empty: %d countries" % len(rows))
    for code, row in rows.items():
        found = [e for e in by_code.get(code, []) if "data-works" in e]
        if not found:
            problems.append("%s (%s works) is not on the map" % (code, row["works"]))
            continue
        n = int(row["n"])
        for e in found:
            works, share, frac = int(e["data-works"]), float(e["data-share"]), float(e["data-fractional"])
            if works != int(row["works"]):
                problems.append("%s: %d works on the map, %s in the table" % (code, works, row["works"]))
            if abs(share - works / n) > 1e-6 or abs(share - float(row["share"])) > 0.00005:
                problems.append("%s: share %g on the map, %s in the table" % (code, share, row["share"]))
            if abs(frac - float(row["fractional"])) > 0.0051:
                problems.append("%s: fractional %g on the map, %s in the table" % (code, frac, row["fractional"]))
            if "%d" % works not in e["title"].replace(",", "").replace("\u202f", ""):
                problems.append("%s: the tooltip %r does not say its works" % (code, e["title"]))
    for code, es in by_code.items():
        for e in es:
            works = int(e.get("data-works", "0"))
            if works == 0 or code in rows:
                continue
            if a.hk_mo_as_cn and code in ("HK", "MO") and "CN" in rows \
                    and works == int(rows["CN"]["works"]):
                continue
            problems.append("%s has %d works on the map but is not in the table" % (code, works))
    homes = [a.home] + (TERRITORIES if a.territories_as_home and a.home == "FR" else [])
    for code in homes:
        for e in by_code.get(code, []):
            if int(e.get("data-works", "0")) != 0 or code in rows:
                problems.append("%s is home but has works on the map" % code)
            if "home" not in e["title"] and "domicile" not in e["title"] and "origine" not in e["title"]:
                problems.append("%s: the tooltip %r does not say it is home" % (code, e["title"]))
    for msg in problems:
        print("crosscheck-map: %s" % msg)
    print("crosscheck-map: %d countries on the map, %d in the table, %s" % (
        len(by_code), len(rows), "ok" if not problems else "%d problem(s)" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
