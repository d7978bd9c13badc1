#!/usr/bin/env python3
"""Independent count of works and international works in a HAL TEI file.

Uses only the Python standard library (xml.etree), no copub code, so that a test can
compare copub's figures with a second implementation of the same definition:

- a work is a <biblFull>;
- its authors are the <author> of its titleStmt with role "aut", "crp" or none;
- an author's countries are those of the structures named by its <affiliation ref>
  (not <orgName ref>), looked up among the <org> of the file's <back> sections;
- a structure's country is its desc/address/country/@key; a research team or a
  department without one takes the country its direct parents agree on (unknown when
  they disagree or have none); any other structure without one is unknown;
- French overseas territories count as FR when the home country is FR;
- a work is international when one of its countries is not the home country.

Prints a CSV header and one line: works,international.
"""
import argparse
import sys
import xml.etree.ElementTree as ET

TEI = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
OVERSEAS_FR = {"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"}
SUBUNITS = {"researchteam", "department"}
MAX_DEPTH = 8


def read_structures(root):
    """xml:id -> (type, country or None, [direct parent ids])"""
    structures = {}
    for list_org in root.iter(TEI + "listOrg"):
        if list_org.get("type") != "structures":
            continue
        for org in list_org.findall(TEI + "org"):
            country = org.find(f"{TEI}desc/{TEI}address/{TEI}country")
            key = country.get("key") if country is not None else None
            parents = []
            for rel in org.findall(f"{TEI}listRelation/{TEI}relation"):
                if rel.get("type") in (None, "direct") and rel.get("active"):
                    parents.append(rel.get("active").lstrip("#"))
            structures[org.get(XML_ID)] = (
                org.get("type"),
                key.upper() if key and len(key) == 2 else None,
                parents,
            )
    return structures


def country_of(structures, sid, depth=0):
    entry = structures.get(sid)
    if entry is None:
        return None
    kind, country, parents = entry
    if country is not None:
        return country
    if kind not in SUBUNITS or depth >= MAX_DEPTH:
        return None
    found = {country_of(structures, p, depth + 1) for p in parents} - {None}
    return found.pop() if len(found) == 1 else None


def harmonise(country, home):
    if home == "FR" and country in OVERSEAS_FR:
        return "FR"
    return country


def work_countries(bibl, structures, home):
    countries = set()
    title_stmt = bibl.find(TEI + "titleStmt")
    if title_stmt is None:
        return countries
    for author in title_stmt.findall(TEI + "author"):
        if author.get("role") not in (None, "", "aut", "crp"):
            continue
        for aff in author.findall(TEI + "affiliation"):
            for ref in (aff.get("ref") or "").split():
                country = country_of(structures, ref.lstrip("#"))
                if country is not None:
                    countries.add(harmonise(country, home))
    return countries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a HAL TEI file (single or multi-document export)")
    parser.add_argument("--home", default="FR", help="home country (default FR)")
    args = parser.parse_args()

    root = ET.parse(args.file).getroot()
    structures = read_structures(root)
    works = international = 0
    for bibl in root.iter(TEI + "biblFull"):
        works += 1
        if any(c != args.home for c in work_countries(bibl, structures, args.home)):
            international += 1
    print("works,international")
    print(f"{works},{international}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
