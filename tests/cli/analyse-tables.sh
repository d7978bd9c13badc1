# CLI test: every table of copub analyse, compared byte for byte with an independent
# re-computation in Python from the same JSON Lines (tests/crosscheck-tables.py), on three
# corpora: the hand-written fixture, a generated corpus (scripts/gen-corpus, fixed seed)
# and edge cases written below (duplicates, odd country codes, territories, missing
# topics, types and years, partners reached through lineage only...). Also checks that
# --headline quotes the share, interval and n of the last complete year.
# The re-computation reads the records' own countries: copub runs with
# --source-countries-only (when it has that option), and the tables with the countries
# it infers from raw affiliation strings are checked only for consistency with them.
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
PY=${PYTHON:-python3}
XC="$TOP/tests/crosscheck-tables.py"
PARTNERS="$FIX/analyse/partners.tsv"
GROUPS_FILE="$FIX/analyse/groups.tsv"
THEMES="$TOP/examples/lorraine-themes.tsv"

# ---- the corpora ------------------------------------------------------------------------

cp "$FIX/openalex/works.jsonl" fix.jsonl
if "$TOP/scripts/gen-corpus" --works 4000 --seed 7 -o gen.jsonl 2>gen.err && [ -s gen.jsonl ]; then
    ok "gen-corpus writes a 4000-work corpus"
else
    not_ok "gen-corpus writes a 4000-work corpus"; sed 's/^/# /' gen.err | head -n 5
    rm -f gen.jsonl
fi

"$PY" - >edge.jsonl <<'EOF'
import json
def inst(i, ror=None, cc=None, lineage=None):
    return {"id": "https://openalex.org/" + i, "display_name": "Institution " + i,
            "ror": ror and "https://ror.org/" + ror, "country_code": cc, "type": "education",
            "lineage": lineage or ["https://openalex.org/" + i]}
def au(countries, insts=()):
    return {"author_position": "middle", "author": {"id": None, "display_name": "X"},
            "institutions": list(insts), "countries": countries, "is_corresponding": False,
            "raw_affiliation_strings": [], "affiliations": []}
def topic(fid, fname, did, dname):
    t = {"id": "https://openalex.org/T1", "display_name": "A topic"}
    if fid is not None or fname is not None:
        t["field"] = {"id": fid and "https://openalex.org/fields/%s" % fid, "display_name": fname}
    if did is not None or dname is not None:
        t["domain"] = {"id": did and "https://openalex.org/domains/%s" % did, "display_name": dname}
    return t
def W(n, year, typ, auths, pt=None, **kw):
    w = {"id": "https://openalex.org/W77%05d" % n, "title": "Edge case %d" % n,
         "publication_year": year, "type": typ, "authorships": auths,
         "is_retracted": False, "is_paratext": False, "primary_topic": pt}
    w.update(kw)
    print(json.dumps(w, ensure_ascii=False))
UL = inst("I90183372", "04vfs2w97", "FR")
ENG = topic(22, "Engineering", 3, "Physical Sciences")
MED = topic(27, "Medicine", 4, "Health Sciences")
ODD = topic(99, 'Physics, "Applied"', 3, "Physical Sciences")
# the last record with an id wins: W1 gains a US co-author, W2 ends retracted
W(1, 2019, "article", [au(["FR"], [UL])], ENG)
W(1, 2019, "article", [au(["FR"], [UL]), au(["US"], [inst("I36258959", "0168r3w48", "US")])], ENG)
W(2, 2019, "article", [au(["FR"], [UL]), au(["DE"])], ENG)
W(2, 2019, "article", [au(["FR"], [UL]), au(["DE"])], ENG, is_retracted=True)
# country codes: lower case kept, invalid ones dropped, repeats and territories folded
W(3, 2019, "review", [au(["fr", "re"], [UL]), au(["de", "DEU", "1A", "", "D", None]), au(["XYZ"])], MED)
W(4, 2019, "article", [au(["FR", "RE", "NC"]), au(["PF"]), au(["HK"]), au(["MO", "CN"])], MED)
W(5, 2019, "book-chapter", [au(["GP"]), au(["MQ"])], ODD)
W(6, 2020, "article", [au(["HK"]), au(["FR"], [UL])], ODD)
W(7, 2020, "article", [], ENG)                                   # no authorships
W(8, 2020, "article", [au([]), au([])], None)                    # no country, no topic
W(9, 2020, "preprint", [au(["FR"]), au(["IT"])], ENG)            # not a default type
W(10, 2020, None, [au(["FR"]), au(["IT"])], ENG)                 # no type
W(11, None, "article", [au(["FR"]), au(["IT"])], ENG)            # no year
W(12, 0, "article", [au(["FR"]), au(["IT"])], ENG)               # year 0
W(13, 2020, "article", [au(["FR"]), au(["ES"])], ENG, is_paratext=True)
W(14, 2021, "article",                                           # partner in lineage only
  [au(["BE"], [inst("I4210888888", None, "BE", ["https://openalex.org/I4210888888",
                                                "https://openalex.org/I4219999999"])]),
   au(["FR"], [UL])], topic(None, "Engineering", 3, "Physical Sciences"))
W(15, 2021, "article", [au(["FR"], [UL]), au(["LU"], [inst("I1294671590", "036x5ad56", "LU")]),
                        au(["LU"], [inst("I528595008", "0tb99ts05", "LU")])],
  topic(17, None, 3, None))                                      # field without a name
W(16, 2021, "article", [au(["FR"], [UL]), au(["DE", "FR"], [inst("I91712215", "01jdpyv68", "DE")])],
  topic(None, None, 2, "Social Sciences"))                       # domain only
W(17, 2022, "dataset", [au(["FR"]), au(["JP"])], ENG)
W(18, 2022, "article", [au([c]) for c in ("YT", "TF", "WF", "PM", "BL", "MF", "GF")], MED)
W(19, 2022, "article", [au(["CD"]), au(["FR"])], MED)
EOF

corpora=
for c in fix gen edge; do
    [ -f "$c.jsonl" ] || continue
    expect_status "import the $c corpus" 0 "$COPUB" import --db "$c.db" "$c.jsonl"
    [ -f "$c.db" ] || continue
    corpora="$corpora $c"
    "$PY" "$XC" --slim "$c.jsonl" >"$c.slim.jsonl"   # the same records, faster to re-read
done

# ---- the tables ---------------------------------------------------------------------------

SCO=
if "$COPUB" analyse --help 2>/dev/null | grep -q -- --source-countries-only; then
    SCO=--source-countries-only
fi

# compare CORPUS ARGS...: copub analyse --db CORPUS.db ARGS --format csv, and the
# re-computation from CORPUS.jsonl, agree.
compare() {
    local c=$1; shift
    local name="$c: analyse $*"
    name=${name//$TOP\//}
    if ! "$COPUB" analyse --db "$c.db" $SCO "$@" --format csv >copub.csv 2>err.txt; then
        not_ok "$name (copub failed)"; sed 's/^/# /' err.txt | head -n 5; return
    fi
    if "$PY" "$XC" "$@" --compare copub.csv "$c.slim.jsonl" 2>diff.txt; then
        ok "$name ($(($(wc -l <copub.csv) - 1)) rows)"
    else
        not_ok "$name"; grep '^#' diff.txt | head -n 13
        grep -v '^#' diff.txt | sed 's/^/# /' | head -n 5
    fi
}

for c in $corpora; do
    compare "$c" --by year
    compare "$c" --by theme
    compare "$c" --by theme --theme-level domain
    compare "$c" --by theme --themes "$THEMES"
    compare "$c" --by country
    compare "$c" --by year,country --counting both
    compare "$c" --by year,country --counting full
    compare "$c" --by year,country --counting fractional
    compare "$c" --by country,year
    compare "$c" --by theme,country
    compare "$c" --by theme,country --themes "$THEMES" --counting full
    compare "$c" --by partner --partners "$PARTNERS"
    compare "$c" --by partner,year --partners "$PARTNERS"
    compare "$c" --by year,partner --partners "$PARTNERS"
    compare "$c" --by partner,country --partners "$PARTNERS"
    compare "$c" --by partner --partners "$TOP/examples/lorraine-partners.tsv"
    compare "$c" --by year --window 4
    compare "$c" --by year,country --window 4
    compare "$c" --by country,year --window 3 --counting fractional
    compare "$c" --by year --home none
    compare "$c" --by year,country --home none
    compare "$c" --by year,country --hk-mo-as-cn
    compare "$c" --by year --no-territories-as-home
    compare "$c" --by year,country --no-territories-as-home
    compare "$c" --by year --types all
    compare "$c" --by year,theme --types all
    compare "$c" --by year --types article,review
    compare "$c" --by year --from 2017 --to 2021
    compare "$c" --by year,country --from 2017 --to 2021 --window 2
    compare "$c" --by year --from 2010 --to 2030 --window 4
    compare "$c" --by year,country --home DE
    compare "$c" --by year,source,theme
    compare "$c" --by region,year
    compare "$c" --by year,region --counting fractional
    compare "$c" --by region --groups "$GROUPS_FILE"
    compare "$c" --by region,year --groups "$GROUPS_FILE" --no-territories-as-home
    compare "$c" --by region --home none
    compare "$c" --by theme,region --window 1 --hk-mo-as-cn
done

# The partner file reaches the corpora: the comparisons above are not of empty tables.
"$COPUB" analyse --db edge.db --by partner --partners "$PARTNERS" --format csv >out.txt 2>err.txt
contains "a partner found only in lineage lists has a row" out.txt "Lineage-only parent,1,"
if [ -f gen.db ]; then
    "$COPUB" analyse --db gen.db --by partner --partners "$PARTNERS" --format csv >out.txt 2>err.txt
    rows=$(($(wc -l <out.txt) - 1))
    if [ "$rows" -ge 5 ]; then ok "the generated corpus has rows for $rows partners"
    else not_ok "the generated corpus has rows for only $rows partners"; sed 's/^/# /' out.txt; fi
    contains "a partner given by name only has a row" out.txt "Université Internationale de Rabat,"
    "$COPUB" analyse --db gen.db --by partner --partners "$TOP/examples/lorraine-partners.tsv" \
        --format csv >out.txt 2>err.txt
    rows=$(($(wc -l <out.txt) - 1))
    if [ "$rows" -eq 12 ]; then ok "every partner of the example file has a row in the generated corpus"
    else not_ok "the example partner file has $rows rows of 12"; sed 's/^/# /' out.txt; fi
fi

# With the inferred countries too (copub's default): the same works, and countries only
# added, so international works and coverage can only grow.
if [ -n "$SCO" ]; then
    for c in $corpora; do
        "$COPUB" analyse --db "$c.db" --by year --format csv >inferred.csv 2>err.txt
        "$PY" "$XC" --by year "$c.slim.jsonl" >records.csv
        if "$PY" - inferred.csv records.csv >why.txt 2>&1 <<'EOF'
import csv, sys
got = list(csv.DictReader(open(sys.argv[1])))
want = list(csv.DictReader(open(sys.argv[2])))
bad = [(g, w) for g, w in zip(got, want)
       if g["year"] != w["year"] or g["works"] != w["works"]
       or int(g["international"]) < int(w["international"])
       or float(g["coverage"] or 0) < float(w["coverage"] or 0)]
if len(got) != len(want) or bad:
    print("rows:", len(got), len(want), bad[:2])
    sys.exit(1)
EOF
        then ok "$c: with inferred countries, same works, international and coverage no lower"
        else not_ok "$c: with inferred countries, same works, international and coverage no lower"
             sed 's/^/# /' why.txt | head -n 5; fi
    done
fi

# ---- the headline -------------------------------------------------------------------------

# headline CORPUS LANG [--period P]: one line quoting the share, its interval and n.
headline() {
    local c=$1 lang=$2; shift 2
    local name="$c: --headline --lang $lang $*"
    if ! "$COPUB" analyse --db "$c.db" $SCO --headline --lang "$lang" "$@" >out.txt 2>err.txt; then
        not_ok "$name (copub failed)"; sed 's/^/# /' err.txt | head -n 5; return
    fi
    "$PY" "$XC" --headline-values "$@" "$c.slim.jsonl" >values.txt 2>err.txt
    if "$PY" - "$lang" values.txt out.txt >why.txt 2>&1 <<'EOF'
import sys
lang, values, out = sys.argv[1], open(sys.argv[2]).read().split(), open(sys.argv[3]).read()
period, p, lo, hi, n = values[0], float(values[1]), float(values[2]), float(values[3]), values[4]
pct = lambda x: "%.1f" % (100 * x)
if lang == "fr":
    pct = lambda x: ("%.1f" % (100 * x)).replace(".", ",")
    want = [period, pct(p) + " %", "%s\u2013%s %%" % (pct(lo), pct(hi)), "n = " + n]
else:
    want = [period, pct(p) + "%", "%s\u2013%s%%" % (pct(lo), pct(hi)), "n = " + n]
if "-" not in period:
    want[0] = ("En " if lang == "fr" else "In ") + period
missing = [w for w in want if w not in out]
if out.count("\n") != 1:
    print("not one line:", repr(out))
if missing:
    print("missing:", missing, "in", out.strip())
sys.exit(1 if missing or out.count("\n") != 1 else 0)
EOF
    then ok "$name ($(cat values.txt | cut -d' ' -f1,5))"
    else not_ok "$name"; sed 's/^/# /' why.txt err.txt | head -n 5; fi
}

for c in $corpora; do
    headline "$c" en
    headline "$c" fr
done
[ -f gen.db ] && headline gen en --period 2020-2022
[ -f gen.db ] && headline gen fr --period 2020-2022
echo "1..$n"
