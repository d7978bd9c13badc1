#!/usr/bin/env python3
"""Independent re-computation of `copub analyse --format csv` from OpenAlex JSON Lines.

    crosscheck-tables.py --by DIMS [copub analyse options] FILE...

Reads the same OpenAlex works copub imports (JSON Lines, optionally gzipped) and prints
the CSV table `copub analyse --by DIMS ... --source-countries-only --format csv` should
print for a store holding exactly those works: an authorship's countries are its
`countries` list only (copub can also infer countries from raw affiliation strings; that
is not re-computed here). Python standard library only; written from the definitions in
README.md, not from copub's C code, so that the two can be compared byte for byte
(tests/cli/analyse-tables.sh).

--compare FILE compares FILE (copub's output) with the table instead of printing it: exit
status 0 when they agree, else 1 with the differing lines on stderr under '#'. A cell
whose exact value lies half-way between two printable values (fractional counts such as
17/40 = 0.425) may be either: floating-point sums round such ties either way.

--slim prints the records reduced to the fields read here, to re-read them faster.

--by institution (with --home-institution ROR or ROR,OPENALEX, optionally --registry FILE
and --top N): partner institutions, re-computed from the records' institutions (their ROR
ids) and the registry table (data/ror-registry.tsv by default) read here on its own: each
ROR id rolled up to its top-level parents (successors followed, then every parent but
those typed "government" alone), those of the home institution removed, and, with the
home's OpenAlex id, the ROR ids (successors followed) of the work's institutions whose
own id or OpenAlex lineage is the home's; a work gives each of its P partners 1/(P+1).

--headline-values prints instead "PERIOD SHARE LOW HIGH N" (fractions, full precision)
for the headline's period (--period YEAR or YEAR-YEAR; by default the last complete year:
the latest corpus year before the current year), for checking `copub analyse --headline`.
"""
import argparse
import csv
import datetime
import gzip
import io
import json
import os
import locale
import math
import sys
import unicodedata
from fractions import Fraction

Z = 1.959963984540054
DEFAULT_TYPES = ("article", "review", "book-chapter")
FR_TERRITORIES = {"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"}
ISO_3166 = "/usr/share/iso-codes/json/iso_3166-1.json"


def die(msg):
    print("crosscheck-tables: " + msg, file=sys.stderr)
    sys.exit(2)


def short_id(value):
    """The part of an id after its last '/' ("https://openalex.org/W1" -> "W1")."""
    if not isinstance(value, str):
        return None
    return value.rsplit("/", 1)[-1]


# ---- inputs ---------------------------------------------------------------------------

def read_records(paths):
    """The works keyed by short id, the last record with a given id winning."""
    works = {}
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            for raw in f:
                line = raw.strip()
                if not line:
                    continue
                rec = json.loads(line)
                key = short_id(rec.get("id"))
                if key is None:
                    die("%s: record without an id" % path)
                works.pop(key, None)  # keep insertion order of the last occurrence
                works[key] = rec
    return works


def slim(rec):
    """The record reduced to the fields this script reads (same results, faster reads)."""
    out = {k: rec[k] for k in ("id", "publication_year", "type", "is_retracted",
                               "is_paratext") if k in rec}
    pt = rec.get("primary_topic")
    if isinstance(pt, dict):
        out["primary_topic"] = {k: pt[k] for k in ("field", "domain") if k in pt}
    else:
        out["primary_topic"] = pt
    auths = rec.get("authorships")
    if isinstance(auths, list):
        out["authorships"] = [
            {"countries": a.get("countries"),
             "institutions": [{k: i.get(k) for k in ("id", "ror", "lineage", "display_name")}
                              for i in a.get("institutions") or []]}
            for a in auths]
    return out


def tsv_rows(path, n_fields, what):
    """The fields of each line of a tab-separated file, blanks around them stripped;
    empty lines and '#' comments skipped."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("\t")]
            if len(parts) != n_fields:
                die("%s: bad %s line %r" % (path, what, line))
            yield parts


def load_themes(path):
    fields, domains, default = {}, {}, "Other"
    for kind, ident, theme in tsv_rows(path, 3, "theme"):
        if kind == "default":
            default = theme
        elif kind == "openalex-field":
            fields.setdefault(ident, theme)
        elif kind == "openalex-domain":
            domains.setdefault(ident, theme)
        elif kind == "hal-domain":
            pass  # HAL works only; this script reads OpenAlex records
        else:
            die("%s: bad theme kind %r" % (path, kind))
    return fields, domains, default


def normalise_partner_id(ident):
    ident = ident.strip()
    if ident.startswith("ror:"):
        ident = ident[4:]
    return short_id(ident)


def fold_name(name):
    """An institution name without case, accents or punctuation, words one space apart."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in letters).split())


def load_partners(path):
    """[(name, set of ids and "name:" + folded names)] in file order; lines with the same
    name are one partner."""
    order, ids = [], {}
    for ident, name in tsv_rows(path, 2, "partner"):
        if name not in ids:
            order.append(name)
            ids[name] = set()
        if ident.startswith("name:"):
            ids[name].add("name:" + fold_name(ident[len("name:"):]))
        else:
            ids[name].add(normalise_partner_id(ident))
    return [(name, ids[name]) for name in order]


def load_groups(path, known_codes, builtin=()):
    """[(name, "countries" or "institutions", set of members)]: the built-in groups of
    data/regions.tsv first (@builtin: their rows), then @path's, in the order each group
    first appears. A member is an ISO code (any case) or an institution id."""
    order, kinds, members = [], {}, {}
    rows = list(builtin) + (list(tsv_rows(path, 2, "group")) if path else [])
    for member, name in rows:
        code = member.upper()
        if len(code) == 2 and code in known_codes:
            kind, value = "countries", code
        else:
            kind, value = "institutions", normalise_partner_id(member)
        if name not in members:
            order.append(name)
            kinds[name] = kind
            members[name] = set()
        if kinds[name] != kind:
            die("%s: group %r mixes countries and institutions" % (path, name))
        members[name].add(value)
    return [(name, kinds[name], members[name]) for name in order]


def country_names():
    names = {}
    with open(ISO_3166, encoding="utf-8") as f:
        for e in json.load(f)["3166-1"]:
            names[e["alpha_2"]] = e.get("common_name") or e["name"]
    # copub's short names for the few ISO gives only inverted ("Congo, The Democratic...")
    overrides = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                             "country-names.tsv")
    with open(overrides, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if not line.startswith("#") and len(fields) == 3 and fields[1] == "en":
                names[fields[0]] = fields[2].strip()
    return names


# ---- one work -------------------------------------------------------------------------

class Work:
    __slots__ = ("year", "countries", "auth_known", "auth_total", "complete",
                 "international", "field", "domain", "field_id", "domain_id",
                 "inst_ids", "credit", "rors", "unit_of", "institutions")


def harmoniser(opts):
    home = opts.home

    def harmonise(code):
        if home == "FR" and not opts.no_territories_as_home and code in FR_TERRITORIES:
            return "FR"
        if opts.hk_mo_as_cn and code in ("HK", "MO"):
            return "CN"
        return code
    return harmonise


def valid_code(c):
    return (isinstance(c, str) and len(c) == 2 and c.isascii() and c.isalpha())


def in_corpus(rec, opts):
    year = rec.get("publication_year")
    if not isinstance(year, int) or isinstance(year, bool) or year <= 0:
        return False
    if opts.from_ is not None and year < opts.from_:
        return False
    if opts.to is not None and year > opts.to:
        return False
    if opts.types is not None and rec.get("type") not in opts.types:
        return False
    if rec.get("is_retracted") is True or rec.get("is_paratext") is True:
        return False
    return True


def make_work(rec, opts, harmonise):
    w = Work()
    w.year = rec["publication_year"]
    auths = rec.get("authorships") or []
    per_auth = []
    inst_ids = set()
    for a in auths:
        codes = []
        for c in a.get("countries") or []:
            if valid_code(c):
                h = harmonise(c.upper())
                if h not in codes:
                    codes.append(h)
        per_auth.append(codes)
        for inst in a.get("institutions") or []:
            if inst.get("display_name"):
                inst_ids.add("name:" + fold_name(inst["display_name"]))
            for key in ("id", "ror"):
                s = short_id(inst.get(key))
                if s:
                    inst_ids.add(s)
            for lin in inst.get("lineage") or []:
                s = short_id(lin)
                if s:
                    inst_ids.add(s)
    w.inst_ids = inst_ids
    w.rors = set()
    w.unit_of = {}  # ror -> the OpenAlex ids of its institution: its own and its lineage
    for a in auths:
        for inst in a.get("institutions") or []:
            r = short_id(inst.get("ror"))
            if is_ror(r):
                w.rors.add(r)
                ids = {short_id(x) for x in [inst.get("id")] + (inst.get("lineage") or [])}
                w.unit_of.setdefault(r, set()).update(ids)
    w.institutions = None
    w.countries = set()
    for codes in per_auth:
        w.countries.update(codes)
    w.auth_total = len(per_auth)
    known = [codes for codes in per_auth if codes]
    w.auth_known = len(known)
    w.complete = w.auth_total > 0 and w.auth_known == w.auth_total
    if opts.home is None:
        w.international = len(w.countries) >= 2
    else:
        w.international = any(c != opts.home for c in w.countries)
    # fractional credit, exact
    credit = {}
    if known:
        unit = Fraction(1, len(known))
        for codes in known:
            part = unit / len(codes)
            for c in codes:
                credit[c] = credit.get(c, 0) + part
    w.credit = credit
    pt = rec.get("primary_topic") or {}
    field = pt.get("field") or {}
    domain = pt.get("domain") or {}
    w.field = field.get("display_name") if isinstance(field, dict) else None
    w.domain = domain.get("display_name") if isinstance(domain, dict) else None
    w.field_id = short_id(field.get("id")) if isinstance(field, dict) else None
    w.domain_id = short_id(domain.get("id")) if isinstance(domain, dict) else None
    return w


# ---- partner institutions -------------------------------------------------------------

def is_ror(ident):
    return (isinstance(ident, str) and len(ident) == 9 and ident[0] == "0"
            and all(ch.isdigit() or (ch.isascii() and ch.islower()) for ch in ident))


def load_registry(path):
    """{ror: (country, [parents], successor, name_en, name_fr)} from copub's registry table
    (columns: id, status, country, city, types, parents, successor, names; a name is
    KINDS:lang:value, kinds D display, L label, A alias, C acronym, G generic)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 8:
                die("%s: bad registry line %r" % (path, line[:60]))
            names = []
            for name in fields[7].split("|"):
                kinds, lang, value = name.split(":", 2)
                names.append((kinds, lang, value))

            def named(lang):
                label = None
                for kinds, nlang, value in names:
                    same = nlang == lang or (nlang == "" and lang == "en")
                    if "D" in kinds and same:
                        return value
                    if "L" in kinds and same and label is None:
                        label = value
                return label
            display = next((v for k, _, v in names if "D" in k), names[0][2])
            en = named("en") or display
            out[fields[0]] = (fields[2], [p for p in fields[5].split(",") if p],
                              fields[6] or None, en, named("fr") or en,
                              fields[4] == "government")
    return out


def current(registry, ror):
    """@ror's successor, followed."""
    for _ in range(32):
        rec = registry.get(ror)
        if rec is None or rec[2] is None or rec[2] == ror:
            break
        ror = rec[2]
    return ror


def tops(registry, ror, depth=0):
    """The top-level organisations @ror rolls up to: no climbing into a parent typed
    "government" alone."""
    ror = current(registry, ror)
    rec = registry.get(ror)
    parents = []
    if rec is not None and depth < 32:
        parents = [p for p in rec[1]
                   if not (registry.get(current(registry, p)) or (0, 0, 0, 0, 0, False))[5]]
    if not parents:
        return {ror}
    out = set()
    for parent in parents:
        out |= tops(registry, parent, depth + 1)
    return out


def cited_institutions(records):
    """{ror: (id, name, country)}: of the cited institutions with a ROR id, the one of
    the smallest id."""
    seen = {}
    for rec in records.values():
        for a in rec.get("authorships") or []:
            for inst in a.get("institutions") or []:
                ident, ror = short_id(inst.get("id")), short_id(inst.get("ror"))
                if not ident or not ror:
                    continue
                if ror not in seen or ident < seen[ror][0]:
                    seen[ror] = (ident, inst.get("display_name"), inst.get("country_code"))
    return seen


# ---- statistics -----------------------------------------------------------------------

def wilson(k, n):
    if n == 0:
        return None, None, None
    p = k / n
    z2 = Z * Z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def f4(x):
    return "" if x is None else "%.4f" % x


def f2(x):
    return "" if x is None else "%.2f" % x


def exact_cell(q, digits):
    """%.{digits}f of the exact rational q. When q lies exactly half-way between two
    printable values, the printed digit depends on the last bit of a floating-point
    sum, so both neighbours are accepted: the cell is then a tuple (printed, other)."""
    printed = "%.*f" % (digits, float(q))
    scaled = q * 10 ** digits
    if scaled.denominator == 2:
        lo = (scaled.numerator - 1) // 2
        alts = ["%.*f" % (digits, Fraction(v, 10 ** digits)) for v in (lo, lo + 1)]
        other = alts[1] if alts[0] == printed else alts[0]
        return (printed, other)
    return printed


# ---- tables ---------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--by", default="year")
    ap.add_argument("--home", default="FR")
    ap.add_argument("--from", dest="from_", type=int)
    ap.add_argument("--to", type=int)
    ap.add_argument("--types", default=",".join(DEFAULT_TYPES))
    ap.add_argument("--window", type=int)
    ap.add_argument("--counting", default="both", choices=("both", "full", "fractional"))
    ap.add_argument("--theme-level", default="field", choices=("field", "domain"))
    ap.add_argument("--themes")
    ap.add_argument("--partners")
    ap.add_argument("--groups")
    ap.add_argument("--regions", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "data", "regions.tsv"),
        help="the built-in groups (default: the source tree's data/regions.tsv)")
    ap.add_argument("--hk-mo-as-cn", action="store_true")
    ap.add_argument("--no-territories-as-home", action="store_true")
    ap.add_argument("--source", default="all")
    ap.add_argument("--format", default="csv", choices=("csv",))
    ap.add_argument("--lang", default="en", choices=("en",))
    ap.add_argument("--headline-values", action="store_true")
    ap.add_argument("--compare", metavar="FILE")
    ap.add_argument("--source-countries-only", action="store_true",
                    help="accepted for symmetry with copub: the countries of the records "
                         "are the only ones read here (no inference from raw strings)")
    ap.add_argument("--slim", action="store_true")
    ap.add_argument("--home-institution")
    ap.add_argument("--registry")
    ap.add_argument("--top", type=int)
    ap.add_argument("--period", help="with --headline-values: YEAR or YEAR-YEAR")
    ap.add_argument("files", nargs="+")
    opts = ap.parse_args(argv)
    opts.home = None if opts.home.lower() == "none" else opts.home.upper()
    opts.types = None if opts.types == "all" else set(t.strip() for t in opts.types.split(","))
    opts.dims = [d.strip() for d in opts.by.split(",")]
    for d in opts.dims:
        if d not in ("year", "theme", "country", "partner", "source", "region", "institution"):
            die("unknown dimension %r" % d)
    if "institution" in opts.dims and not opts.home_institution:
        die("--by institution needs --home-institution ROR[,OPENALEX]")
    opts.home_openalex = None
    if opts.home_institution and "," in opts.home_institution:
        opts.home_institution, opts.home_openalex = opts.home_institution.split(",", 1)
    if "partner" in opts.dims and not opts.partners:
        die("--by partner needs --partners FILE")
    return opts


def main(argv):
    locale.setlocale(locale.LC_COLLATE, "")
    opts = parse_args(argv)
    if opts.slim:
        for path in opts.files:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                for raw in f:
                    if raw.strip():
                        print(json.dumps(slim(json.loads(raw)), ensure_ascii=False))
        return 0
    harmonise = harmoniser(opts)
    records = read_records(opts.files)
    if opts.source not in ("all", "openalex"):
        records = {}
    works = [make_work(r, opts, harmonise) for r in records.values() if in_corpus(r, opts)]

    if opts.headline_values:
        if opts.period:
            first, _, last = opts.period.partition("-")
            first = int(first)
            last = int(last) if last else first
        else:
            this_year = datetime.date.today().year
            years = [w.year for w in works if w.year < this_year]
            if not years:
                die("no complete year")
            first = last = max(years)
        sel = [w for w in works if first <= w.year <= last]
        k = sum(w.international for w in sel)
        p, lo, hi = wilson(k, len(sel))
        label = str(first) if first == last else "%d-%d" % (first, last)
        print(label, repr(p), repr(lo), repr(hi), len(sel))
        return 0

    if "institution" in opts.dims:
        registry = load_registry(opts.registry or os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "data", "ror-registry.tsv"))
        home_tops = tops(registry, opts.home_institution)
        cited = cited_institutions(records)
        for w in works:
            found = set()
            for r in w.rors:
                found |= tops(registry, r)
            # the home's units by OpenAlex's lineage, in this work's record
            units = {current(registry, r) for r, ids in w.unit_of.items()
                     if opts.home_openalex in ids}
            w.institutions = sorted(found - home_tops - units)

    themes = load_themes(opts.themes) if opts.themes else None
    partners = load_partners(opts.partners) if opts.partners else None
    names = country_names() if "country" in opts.dims else None
    groups = None
    if "region" in opts.dims:
        groups = load_groups(opts.groups, set(country_names()),
                             tsv_rows(opts.regions, 2, "built-in group"))
    window = opts.window if opts.window and opts.window > 1 else None  # 1: single years

    # the windows (A, B)
    windows = []
    if window and "year" in opts.dims and works:
        first = opts.from_ if opts.from_ is not None else min(w.year for w in works)
        last = opts.to if opts.to is not None else max(w.year for w in works)
        for b in range(first + window - 1, last + 1):
            windows.append((b - window + 1, b))

    def values(w, dim):
        if dim == "year":
            if window:
                return [(a, b) for (a, b) in windows if a <= w.year <= b]
            return [w.year]
        if dim == "theme":
            if themes is not None:
                fields, domains, default = themes
                if w.field_id is not None and w.field_id in fields:
                    return [fields[w.field_id]]
                if w.domain_id is not None and w.domain_id in domains:
                    return [domains[w.domain_id]]
                return [default]
            v = w.domain if opts.theme_level == "domain" else w.field
            return [v if v else "(unknown)"]
        if dim == "country":
            return sorted(c for c in w.countries if c != opts.home)
        if dim == "partner":
            return [i for i, (_, ids) in enumerate(partners) if ids & w.inst_ids]
        if dim == "source":
            return ["openalex"]
        if dim == "region":
            # co-authored with a group: one of its foreign countries, or institutions,
            # is in it (the home country is never foreign)
            foreign = set(c for c in w.countries if c != opts.home)
            return [i for i, (_, kind, members) in enumerate(groups)
                    if members & (foreign if kind == "countries" else w.inst_ids)]
        if dim == "institution":
            return w.institutions
        raise AssertionError(dim)

    dims = opts.dims
    has_country = "country" in dims
    has_partner = "partner" in dims
    has_region = "region" in dims
    has_inst = "institution" in dims
    base_dims = [i for i, d in enumerate(dims)
                 if d not in ("country", "partner", "region", "institution")]

    def combos(w):
        out = [()]
        for d in dims:
            vs = values(w, d)
            out = [c + (v,) for c in out for v in vs]
        return out

    def text_key(v):
        if isinstance(v, tuple):
            return (0, v[1], v[0], "")
        if isinstance(v, int):
            return (0, v, 0, "")
        return (1, 0, 0, locale.strxfrm(v))

    def base_key(combo):
        return tuple(text_key(combo[i]) for i in base_dims)

    def fmt_dim(d, v):
        if d == "year":
            return "%d-%d" % v if isinstance(v, tuple) else str(v)
        if d == "partner":
            return partners[v][0]
        if d == "region":
            return groups[v][0]
        return v

    header = []
    for d in dims:
        header.append("period" if (d == "year" and window) else d)
        if d == "country":
            header.append("country_name")
        if d == "region":
            header.append("region_name")
        if d == "institution":
            header += ["openalex_id", "institution_name", "institution_country"]

    rows = []

    if not has_country and not has_partner and not has_region and not has_inst:
        acc = {}
        for w in works:
            for c in combos(w):
                a = acc.setdefault(c, [0, 0, 0, 0, 0, 0, 0])
                a[0] += 1
                a[1] += w.international
                a[2] += w.auth_known
                a[3] += w.auth_total
                if w.complete:
                    a[4] += 1
                    a[5] += w.international
                # the ceiling: a work with an authorship of unknown country (or none)
                # might be international
                a[6] += w.international or not w.complete
        header += ["works", "international", "share", "share_low", "share_high",
                   "coverage", "complete", "share_complete", "share_max"]
        rows.append(header)
        for c in sorted(acc, key=base_key):
            n_, k, known, total, comp, comp_k, ceiling = acc[c]
            p, lo, hi = wilson(k, n_)
            row = [fmt_dim(d, v) for d, v in zip(dims, c)]
            row += [n_, k, f4(p), f4(lo), f4(hi),
                    f4(known / total) if total else "",
                    comp, f4(comp_k / comp) if comp else "", f4(ceiling / n_)]
            rows.append(row)
        return finish(rows, opts)

    # n: corpus works per base combination
    base_n = {}
    for w in works:
        bc = [()]
        for i in base_dims:
            bc = [c + (v,) for c in bc for v in values(w, dims[i])]
        for c in bc:
            base_n[c] = base_n.get(c, 0) + 1

    ci = dims.index("country") if has_country else None
    pi = dims.index("partner") if has_partner else None
    ri = dims.index("region") if has_region else None
    ii = dims.index("institution") if has_inst else None
    acc = {}
    for w in works:
        for c in combos(w):
            a = acc.setdefault(c, [0, Fraction(0)])
            a[0] += 1
            if has_country:
                a[1] += w.credit.get(c[ci], 0)
            elif has_region and groups[c[ri]][1] == "countries":
                # a country group's credit: its foreign countries' credits summed
                a[1] += sum(w.credit.get(x, 0) for x in groups[c[ri]][2] if x != opts.home)
            if has_inst:
                a[1] += Fraction(1, len(w.institutions) + 1)
    if has_inst and opts.top:
        totals = {}
        for c, (works_, frac) in acc.items():
            totals[c[ii]] = totals.get(c[ii], 0) + (
                frac if opts.counting == "fractional" else works_)
        kept = set(sorted(totals, key=lambda r: (-totals[r], r))[:opts.top])
        acc = {c: a for c, a in acc.items() if c[ii] in kept}

    fractional_measure = opts.counting == "fractional" and (has_country or has_inst)
    show_share = opts.counting != "fractional"
    show_frac = (has_country or has_region or has_inst) and opts.counting != "full"
    header += ["works", "n"]
    if show_share:
        header += ["share", "share_low", "share_high"]
    if show_frac:
        header += ["fractional", "fractional_share"]
    if has_country:
        header += ["rank"]
    rows.append(header)

    def row_key(c):
        works_, frac = acc[c]
        primary = -frac if fractional_measure else -works_
        return (base_key(c), c[pi] if has_partner else 0, c[ri] if has_region else 0,
                primary, c[ci] if has_country else "", c[ii] if has_inst else "")

    # Competition ranking ("1224"): equal measures share the best rank of theirs.
    rank, position, group, last = 0, 0, None, None
    for c in sorted(acc, key=row_key):
        works_, frac = acc[c]
        bvals = tuple(c[i] for i in base_dims)
        n_ = base_n[bvals]
        g = (bvals, c[pi] if has_partner else None, c[ri] if has_region else None)
        measure = frac if fractional_measure else works_
        position = position + 1 if g == group else 1
        if g != group or abs(measure - last) > 1e-9:
            rank = position
        group, last = g, measure
        row = []
        for d, v in zip(dims, c):
            row.append(fmt_dim(d, v))
            if d == "country":
                row.append(names.get(v, v))
            if d == "region":
                row.append(groups[v][0])  # English: the built-in names as they are
            if d == "institution":
                ident, name, country = cited.get(v, (None, None, None))
                reg = registry.get(v)
                row += [ident if ident and ident[0] == "I" and ident[1:].isdigit() else "",
                        reg[3] if reg else (name or ""),
                        reg[0] if reg else (country or "")]
        row += [works_, n_]
        if show_share:
            p, lo, hi = wilson(works_, n_)
            row += [f4(p), f4(lo), f4(hi)]
        if show_frac and has_region and not has_country and groups[c[ri]][1] != "countries":
            row += ["", ""]  # a group of institutions has no fractional count
        elif show_frac:
            row += [exact_cell(frac, 2), exact_cell(frac / n_, 4) if n_ else ""]
        if has_country:
            row.append(rank)
        rows.append(row)
    return finish(rows, opts)


def csv_line(cells):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def finish(rows, opts):
    """Prints the table, or with --compare FILE compares FILE with it: exit status 0
    when they agree (a cell computed exactly half-way between two printable values may
    be either), else 1 with the differing lines on stderr under a '#' prefix."""
    first = [[c[0] if isinstance(c, tuple) else c for c in row] for row in rows]
    if not opts.compare:
        sys.stdout.write("".join(csv_line(r) for r in first))
        return 0
    with open(opts.compare, encoding="utf-8", newline="") as f:
        got_text = f.read()
    got_lines = got_text.splitlines(keepends=True)
    bad, ties = [], 0
    for i in range(max(len(rows), len(got_lines))):
        want = csv_line(first[i]) if i < len(rows) else None
        got = got_lines[i] if i < len(got_lines) else None
        if want == got:
            continue
        if want is not None and got is not None:
            alts = [list(c) if isinstance(c, tuple) else [str(c)] for c in rows[i]]
            cells = next(csv.reader([got]), [])
            if (len(cells) == len(alts) and got == csv_line(cells)
                    and all(c in a for c, a in zip(cells, alts))):
                ties += 1
                continue
        bad.append((i + 1, want, got))
    for line, want, got in bad[:6]:
        print("# line %d: copub: %s" % (line, "(none)" if got is None else got.rstrip("\n")),
              file=sys.stderr)
        print("# line %d: wanted %s" % (line, "(none)" if want is None else want.rstrip("\n")),
              file=sys.stderr)
    if len(bad) > 6:
        print("# ... %d differing lines in all" % len(bad), file=sys.stderr)
    if ties:
        print("# %d line(s) differ only in a half-way value's last digit (accepted)" % ties,
              file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
