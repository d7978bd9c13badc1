# CLI test: copub export network. On the demo corpus, the hand-written fixture and a corpus
# of hostile names, every format (GEXF, GraphML, VOSviewer pair, CSV edge list) read back
# gives the nodes, node weights and link weights that tests/crosscheck-network.py counts
# from the store with Python's sqlite3, in full and fractional counting, for countries and
# institutions. GEXF validates against the GEXF 1.3 schema (fixtures/gexf-1.3, RELAX NG),
# GraphML parses; hostile names survive every format; a period, theme or source with no
# work gives an empty but valid network; bad option values are usage errors naming the
# option.
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
XC="$TOP/tests/crosscheck-network.py"
RNG="$FIX/gexf-1.3/gexf.rng"

# ---- the stores ---------------------------------------------------------------------------

"$PYTHON" - >hostile.jsonl <<'EOF'
import json
def inst(i, name, cc, ror=None):
    return {"id": "https://openalex.org/" + i, "display_name": name, "country_code": cc,
            "ror": ror and "https://ror.org/" + ror, "type": "education",
            "lineage": ["https://openalex.org/" + i]}
def au(countries, insts):
    return {"author_position": "middle", "author": {"id": None, "display_name": "X"},
            "institutions": insts, "countries": countries, "raw_affiliation_strings": [],
            "affiliations": []}
UL = inst("I90183372", "Université de Lorraine", "FR", "04vfs2w97")
Q = inst("I1000000001", 'Institut "Quote", <Tag> & Co; Ltd', "DE")
T = inst("I1000000002", "Tab\there\nand newline\r end", "US", "05abcde12")
A = inst("I1000000003", "Ampersand &amp; ]]> <!-- -->", "GB")
ENG = {"id": "https://openalex.org/T1", "display_name": "T",
       "field": {"id": "https://openalex.org/fields/22", "display_name": "Engineering"},
       "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"}}
works = [
    (2020, [au(["FR"], [UL]), au(["DE"], [Q]), au(["US"], [T])]),
    (2020, [au(["FR"], [UL]), au(["GB"], [A])]),
    (2021, [au(["FR"], [UL]), au(["DE"], [Q]), au(["GB"], [A]), au(["US"], [T])]),
    (2021, [au(["FR"], [UL]), au(["RE"], [])]),   # a territory: counted as FR
    (2022, [au(["FR"], [UL])]),                   # no co-publication in 2022
]
for n, (year, auths) in enumerate(works):
    print(json.dumps({"id": "https://openalex.org/W99%05d" % n, "title": "Hostile %d" % n,
                      "publication_year": year, "type": "article", "authorships": auths,
                      "is_retracted": False, "is_paratext": False, "primary_topic": ENG},
                     ensure_ascii=False))
EOF
import_store() {   # import_store NAME FILE
    if "$COPUB" import --db "$1.db" "$2" >/dev/null 2>"$1.err"; then ok "import $1"
    else not_ok "import $1"; sed 's/^/# /' "$1.err" | head -n 5; fi
}
import_store demo "$TOP/examples/sample/lorraine-synthetic.jsonl.gz"
import_store fixture "$FIX/openalex/works.jsonl"
import_store hostile hostile.jsonl

# ---- every format equals the independent count ------------------------------------------------

# export_all DB LEVEL COUNTING [OPTIONS...]: the four formats into f.gexf, f.graphml, f-map.txt
# and f-network.txt, f.csv.
export_all() {
    local db=$1 level=$2 counting=$3; shift 3
    rm -f f.gexf f.graphml f-map.txt f-network.txt f.csv
    for format in gexf graphml csv; do
        "$COPUB" export network --db "$db" --level "$level" --counting "$counting" \
            --format "$format" -o "f.$format" "$@" || return 1
    done
    "$COPUB" export network --db "$db" --level "$level" --counting "$counting" \
        --format vosviewer -o f "$@"
}

# compare NAME DB LEVEL COUNTING [OPTIONS...]: each format read back equals the count.
compare() {
    local name=$1 db=$2 level=$3 counting=$4; shift 4
    if ! export_all "$db" "$level" "$counting" "$@" 2>export.err; then
        not_ok "$name: export"; sed 's/^/# /' export.err | head -n 5; return
    fi
    "$PYTHON" "$XC" check f "$db" --level "$level" --counting "$counting" "$@" >check.txt
    while read -r format verdict rest; do
        if [ "$verdict" = ok ]; then ok "$name: $format equals the independent count ($rest lines)"
        else not_ok "$name: $format equals the independent count"; echo "# $rest"; fi
    done <check.txt
    if xmllint --noout --relaxng "$RNG" f.gexf 2>xmllint.err; then ok "$name: GEXF 1.3 valid"
    else not_ok "$name: GEXF 1.3 valid"; sed 's/^/# /' xmllint.err | tail -n 3; fi
    if xmllint --noout f.graphml 2>xmllint.err; then ok "$name: GraphML well-formed"
    else not_ok "$name: GraphML well-formed"; sed 's/^/# /' xmllint.err | tail -n 3; fi
}

for db in demo fixture hostile; do
    for level in country institution; do
        for counting in full fractional; do
            compare "$db $level $counting" "$db.db" "$level" "$counting"
        done
    done
done
compare "demo, 2024, links of 3 works or more" demo.db institution full \
    --from 2024 --to 2024 --min-weight 3
compare "demo, 2023, one theme, fractional links of 1.5 or more" demo.db country fractional \
    --from 2023 --to 2023 --theme Engineering --min-weight 1.5
check "the theme and min-weight run kept some links" grep -q "^csv ok [1-9]" check.txt

# Countries' node weights are analyse's works by country.
"$COPUB" export network --db demo.db --level country --format graphml -o c.graphml
"$COPUB" analyse --db demo.db --by country --format csv >by-country.csv
check "country node weights equal analyse --by country's works" "$PYTHON" - c.graphml by-country.csv <<'EOF'
import csv, sys, xml.etree.ElementTree as ET
ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
nodes = {n.get("id"): int(n.find("g:data[@key='works']", ns).text)
         for n in ET.parse(sys.argv[1]).getroot().iterfind("g:graph/g:node", ns)}
rows = {r["country"]: int(r["works"]) for r in csv.DictReader(open(sys.argv[2]))}
assert rows and all(nodes.get(c) == w for c, w in rows.items()), "differ"
assert set(nodes) - set(rows) == {"FR"}, set(nodes) - set(rows)
EOF

# ---- hostile names -------------------------------------------------------------------------

"$COPUB" export network --db hostile.db --level institution --format graphml -o h.graphml
check "hostile names come back intact from GraphML" "$PYTHON" - h.graphml <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
labels = {n.find("g:data[@key='label']", ns).text
          for n in ET.parse(sys.argv[1]).getroot().iterfind("g:graph/g:node", ns)}
want = {'Institut "Quote", <Tag> & Co; Ltd', "Tab\there\nand newline\r end",
        "Ampersand &amp; ]]> <!-- -->", "Université de Lorraine"}
assert labels == want, labels
EOF
"$COPUB" export network --db hostile.db --level institution --format gexf -o h.gexf
check "hostile names come back from GEXF" "$PYTHON" - h.gexf <<'EOF'
import sys, xml.etree.ElementTree as ET
labels = {n.get("label") for n in ET.parse(sys.argv[1]).getroot().iter("{http://gexf.net/1.3}node")}
assert 'Institut "Quote", <Tag> & Co; Ltd' in labels and "Ampersand &amp; ]]> <!-- -->" in labels, labels
EOF
"$COPUB" export network --db hostile.db --level institution --format vosviewer -o h
contains "VOSviewer: a label with a comma is quoted, its quotes made single" h-map.txt \
    "\"Institut 'Quote', <Tag> & Co; Ltd\""
contains "VOSviewer: tabs and line breaks in a label become spaces" h-map.txt \
    "Tab here and newline  end"
"$COPUB" export network --db hostile.db --level country --format csv -o h.csv
check "the territory counts as FR: no RE node, FR in every work" \
    sh -c '! grep -q RE h.csv && ! grep -q "^FR,FR" h.csv'

# ---- empty networks ---------------------------------------------------------------------------

# empty NAME OPTIONS...: every format is written, valid, and holds no link.
empty() {
    local name=$1; shift
    if ! export_all hostile.db country full "$@" 2>export.err; then
        not_ok "$name: exported"; sed 's/^/# /' export.err | head -n 3; return
    fi
    if xmllint --noout --relaxng "$RNG" f.gexf 2>/dev/null && xmllint --noout f.graphml \
        && [ "$(cat f.csv)" = "source,target,weight" ] && [ ! -s f-network.txt ] \
        && ! grep -q '<edge ' f.gexf f.graphml; then
        ok "$name: an empty but valid network in every format"
    else not_ok "$name: an empty but valid network in every format"; fi
}
empty "a period without works" --from 1990 --to 1995
empty "a year without co-publication" --from 2022 --to 2022
contains "... where the home country is still a node, with its work" f-map.txt "France	FR	1"
empty "a theme without works" --theme "No such theme"
empty "a source without works" --source hal

# ---- options ----------------------------------------------------------------------------------

"$COPUB" export network --db hostile.db --level country --format gexf --lang fr -o fr.gexf
contains "--lang fr names the countries in French" fr.gexf 'label="Allemagne"'
usage() {   # usage NAME OPTION ARGS...: exit 2, the message names OPTION
    local name=$1 option=$2; shift 2
    expect_status "$name: usage error" 2 "$COPUB" export network --db hostile.db "$@"
    contains "$name: the message names $option" err.txt "$option"
}
usage "bad level" --level --level region --format csv
usage "no level" --level --format csv
usage "bad format" --format --level country --format pajek
usage "counting both" --counting --level country --format csv --counting both
usage "bad counting" --counting --level country --format csv --counting half
usage "negative min-weight" --min-weight --level country --format csv --min-weight -1
usage "non-numeric min-weight" --min-weight --level country --format csv --min-weight many
usage "vosviewer without a prefix" --output --level country --format vosviewer
usage "--by" --by --level country --format csv --by year
usage "bad year" --from --level country --format csv --from 20
expect_status "no store: an error, not a usage error" 1 \
    "$COPUB" export network --db missing.db --level country --format csv
expect_status "export without 'network': usage error" 2 "$COPUB" export nodes
expect_status "an unwritable output: an error" 1 \
    "$COPUB" export network --db hostile.db --level country --format gexf -o no-dir/f.gexf
check "... that leaves no file behind" sh -c '! ls no-dir missing.db* 2>/dev/null | grep -q .'

# A symbolic link or a FIFO is written through, never replaced by a regular file.
echo old >target.gexf && ln -s target.gexf link.gexf
"$COPUB" export network --db hostile.db --level country --format gexf -o link.gexf
check "a symbolic link is written through, and stays a link" \
    sh -c '[ -L link.gexf ] && grep -q "<gexf" target.gexf'
mkfifo pipe.csv
cat pipe.csv >from-pipe.csv &
"$COPUB" export network --db hostile.db --level country --format csv -o pipe.csv
wait
check "a FIFO is written through" sh -c '[ -p pipe.csv ] && grep -q "^FR,US,2$" from-pipe.csv'

echo "1..$n"
