# CLI test of --by institution (partner institutions): on a generated corpus plus records
# citing real ROR ids of the shipped registry (a joint CNRS laboratory, a unit of the home
# institution, a withdrawn record with a successor, an id the registry does not hold):
# - copub analyse --by institution,year (both, full, fractional; --top) equals the
#   independent count of tests/crosscheck-tables.py, cell by cell;
# - copub scan gives the same tables as copub analyse, and partials of two halves merged
#   the same again;
# - the roll-up and the exclusion as a user reads them (names in English and French);
# - the exit statuses of wrong uses.
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
PY=${PYTHON:-python3}
XC="$TOP/tests/crosscheck-tables.py"
HOME_ROR=04vfs2w97 # Université de Lorraine
HOME_BOTH=$HOME_ROR,I90183372 # and its OpenAlex id, for scan, merge and the cross-check

if ! "$PY" "$TOP/scripts/gen-corpus" --works 1500 --seed 15 -o gen.jsonl 2>gen.err; then
    not_ok "gen-corpus writes the corpus"; sed 's/^/# /' gen.err | head -n 5
    exit 1
fi
inst() {  # inst OPENALEX-ID ROR NAME COUNTRY
    printf '{"author_position":"middle","author":{"id":null,"display_name":"X"},"institutions":[{"id":"https://openalex.org/%s","display_name":"%s","ror":"https://ror.org/%s","country_code":"%s","type":"facility","lineage":["https://openalex.org/%s"]}],"countries":["%s"],"raw_affiliation_strings":[]}' "$1" "$3" "$2" "$4" "$1" "$4"
}
unit() {  # unit OPENALEX-ID ROR NAME PARENT-OPENALEX-ID: a lab with a lineage of two
    printf '{"author_position":"middle","author":{"id":null,"display_name":"X"},"institutions":[{"id":"https://openalex.org/%s","display_name":"%s","ror":"https://ror.org/%s","country_code":"FR","type":"facility","lineage":["https://openalex.org/%s","https://openalex.org/%s"]}],"countries":["FR"],"raw_affiliation_strings":[]}' "$1" "$3" "$2" "$1" "$4"
}
work() {  # work N YEAR AUTHORSHIP...
    local n=$1 year=$2; shift 2
    local IFS=,
    printf '{"id":"https://openalex.org/W7700000%s","title":"Partner %s","publication_year":%s,"type":"article","is_retracted":false,"is_paratext":false,"primary_topic":null,"authorships":[%s]}\n' "$n" "$n" "$year" "$*"
}
UL=$(inst I90183372 04vfs2w97 "Université de Lorraine" FR)
{
    work 1 2020 "$UL" "$(inst I4210001 00e8hwt93 "2LPN" FR)"                 # a unit of UL
    work 2 2020 "$UL" "$(inst I4210002 0003ege03 "CERMAV" FR)"               # CNRS, UGA
    work 3 2021 "$UL" "$(inst I4210002 0003ege03 "CERMAV" FR)" "$(inst I241749 013meh722 "University of Cambridge" GB)"
    work 4 2021 "$UL" "$(inst I4210003 0006jh821 "Preventative Health" AU)" # withdrawn
    work 5 2021 "$UL" "$(inst I4210004 0zzzzzz00 "Not in the registry" DE)"
    work 6 2021 "$(inst I4210001 00e8hwt93 "2LPN" FR)" "$(inst I4210005 02feahw73 "CNRS" FR)"
    # two labs the registry does not hold: one of UL by OpenAlex's lineage, one of CNRS
    work 7 2021 "$UL" "$(unit I4210006 0zzzzzz01 "Home lab, lineage only" I90183372)"
    work 8 2021 "$UL" "$(unit I4210007 0zzzzzz02 "Other lab, lineage only" I4210005)"
} >edge.jsonl
head -n 700 gen.jsonl >part1.jsonl
{ tail -n +701 gen.jsonl; cat edge.jsonl; } >part2.jsonl
FILES="part1.jsonl part2.jsonl"
expect_status "import" 0 "$COPUB" import --no-normalise --db s.db $FILES

# ---- the independent count ----------------------------------------------------------------

for args in "--by institution,year" "--by year,institution --counting fractional" \
            "--by institution --counting full" "--by institution,year --top 12" \
            "--by institution --counting fractional --top 5" "--by institution,theme"; do
    # shellcheck disable=SC2086
    "$COPUB" analyse --db s.db $args --home-institution $HOME_ROR --source-countries-only \
        --format csv >a.csv 2>a.err
    # shellcheck disable=SC2086
    if "$PY" "$XC" $args --home-institution $HOME_BOTH --compare a.csv $FILES 2>xc.err; then
        ok "analyse $args equals the independent count ($(($(wc -l <a.csv) - 1)) rows)"
    else
        not_ok "analyse $args equals the independent count"; sed 's/^/# /' xc.err a.err | head -n 12
    fi
done

# ---- what a user reads ----------------------------------------------------------------------

"$COPUB" analyse --db s.db --by institution --home-institution $HOME_ROR --format csv \
    --from 2020 --to 2021 >en.csv 2>/dev/null
"$COPUB" analyse --db s.db --by institution --home-institution I90183372 --format csv \
    --from 2020 --to 2021 --lang fr >fr.csv 2>/dev/null
# Of the 8 works the edge records add, CNRS is a partner of 2 (CERMAV's parents, W2 and W3;
# W6 is not the home's) and UGA of the same 2; the unit of UL is no partner.
row() { grep "^$2," "$1" | cut -d, -f1-6; }
check "CERMAV rolls up to CNRS (English name, country)" \
    grep -q "^02feahw73,I4210005,French National Centre for Scientific Research,FR," en.csv
check "CERMAV rolls up to UGA" grep -q "^02rx3b187,,Grenoble Alpes University,FR," en.csv
check "French names with --lang fr (home given by its OpenAlex id)" \
    grep -q "^02rx3b187,,Université Grenoble Alpes,FR," fr.csv
check "the home's own unit is no partner" bash -c '! grep -q "^00e8hwt93," en.csv'
check "the home itself is no partner" bash -c "! grep -q '^$HOME_ROR,' en.csv"
check "an id the registry does not hold is its own partner, named as cited" \
    grep -q "^0zzzzzz00,I4210004,Not in the registry,DE," en.csv
# (Preventative Health -> CSIRO -> its department -> the Australian Government, typed
# "funder,government": the roll-up climbs into it, as the registry says.)
check "a withdrawn record counts as its successor, rolled up" grep -q "^0314h5y94," en.csv
check "the laboratory itself is no partner (rolled up)" bash -c '! grep -q "^0003ege03," en.csv'
check "a home lab the registry does not hold, its lineage naming the home, is no partner" \
    bash -c '! grep -q "^0zzzzzz01," en.csv'
check "... nor with the home given by its OpenAlex id" bash -c '! grep -q "^0zzzzzz01," fr.csv'
check "a lab whose lineage does not name the home is a partner" \
    grep -q "^0zzzzzz02,I4210007,\"Other lab, lineage only\",FR," en.csv
"$COPUB" analyse --db s.db --by institution --home-institution $HOME_BOTH --format csv \
    --from 2020 --to 2021 >both.csv 2>/dev/null
check "the home given by both ids: the same table" cmp -s en.csv both.csv

# The report finds a strategic partner given by a unit's ROR id at its top levels (on a
# store of the edge records alone, the partners of their home works: CNRS and UGA twice,
# Cambridge, the Australian Government, the id the registry does not hold once).
printf '0003ege03\tCERMAV\n013meh722\tCambridge\n0aaaaaa11\tNever cited\n' >partners.tsv
"$COPUB" import --no-normalise --db e.db edge.jsonl 2>/dev/null
expect_status "report with partner institutions (the edge records)" 0 "$COPUB" report \
    --db e.db --home-institution $HOME_ROR --partners partners.tsv --period 2020-2021 --out rep
check "... the laboratory's partner file line found at CNRS and UGA" \
    test "$(grep -c '^| [0-9=]* | \(French National Centre for Scientific Research\|Grenoble Alpes University\) |.*| CERMAV |$' rep/report.md)" = 2
contains "... a strategic partner without co-publication named" rep/report.md \
    "Never cited: no co-publication in the period"
check "... and one in the top 50 is not" bash -c '! grep -q "^- Cambridge:" rep/report.md'

# ---- scan equals analyse ------------------------------------------------------------------

for args in "--by institution,year" "--by institution --counting fractional --top 8" \
            "--by year,institution --lang fr"; do
    # shellcheck disable=SC2086
    "$COPUB" analyse --db s.db $args --home-institution $HOME_ROR --format csv >a.csv 2>/dev/null
    # shellcheck disable=SC2086
    "$COPUB" scan --all $args --home-institution $HOME_BOTH --format csv $FILES \
        >s.csv 2>s.err
    if [ -s a.csv ] && cmp -s a.csv s.csv; then ok "scan $args equals analyse"; else
        not_ok "scan $args equals analyse"; diff a.csv s.csv | head -n 6 | sed 's/^/# /'
        sed 's/^/# /' s.err | head -n 3; fi
    for p in 1 2; do
        # shellcheck disable=SC2086
        "$COPUB" scan --all $args --home-institution $HOME_BOTH \
            --partial p$p.partial part$p.jsonl 2>/dev/null
    done
    # shellcheck disable=SC2086
    "$COPUB" merge $args --home-institution $HOME_BOTH --format csv p1.partial p2.partial \
        >m.csv 2>m.err
    if [ -s m.csv ] && cmp -s a.csv m.csv; then ok "merge of two halves $args equals analyse"
    else not_ok "merge of two halves $args equals analyse"; diff a.csv m.csv | head -n 6 | sed 's/^/# /'
        sed 's/^/# /' m.err | head -n 3; fi
done
"$COPUB" scan --all --by institution --home-institution $HOME_BOTH --top 3 \
    --partial top3.partial part1.jsonl 2>/dev/null
expect_status "merge refuses a partial with another --top" 2 \
    "$COPUB" merge --by institution --home-institution $HOME_BOTH top3.partial p1.partial

# ---- wrong uses ---------------------------------------------------------------------------

expect_status "--by institution without --home-institution" 2 \
    "$COPUB" analyse --db s.db --by institution
contains "... says what to give" err.txt "--home-institution"
expect_status "a home that is not an id" 2 \
    "$COPUB" analyse --db s.db --by institution --home-institution Lorraine
expect_status "an OpenAlex home the store does not know" 2 \
    "$COPUB" analyse --db s.db --by institution --home-institution I1
expect_status "scan needs the home's ROR id" 2 \
    "$COPUB" scan --all --by institution --home-institution I90183372 part1.jsonl
expect_status "scan needs the home's OpenAlex id too" 2 \
    "$COPUB" scan --all --by institution --home-institution $HOME_ROR part1.jsonl
contains "... says so" err.txt "OpenAlex id"
expect_status "two ROR ids for one home" 2 \
    "$COPUB" analyse --db s.db --by institution --home-institution $HOME_ROR,02feahw73
expect_status "institution with country" 2 \
    "$COPUB" analyse --db s.db --by institution,country --home-institution $HOME_ROR
printf '0aaaaaa11\tactive\t\t\t\t\t\tD:en:X\n' >bad-registry.tsv
expect_status "a registry with a record without a country: bad data" 4 \
    "$COPUB" analyse --db s.db --by institution --home-institution $HOME_ROR \
    --registry bad-registry.tsv
contains "... naming the file" err.txt "bad-registry.tsv"
echo "1..$n"
