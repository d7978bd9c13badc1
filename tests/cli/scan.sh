# CLI test of copub scan and copub merge (tables straight from snapshot files, partial
# aggregates) and of the map/merge scripts in scripts/mapreduce/. On a generated corpus
# split into three gzip files plus hand-written edge records:
# - copub scan's tables equal copub analyse's on a store imported from the same files
#   (without the normaliser, and with it: scan --normalise);
# - partials of the files merged equal the scan of all of them, and merging partials
#   made with other options is refused;
# - --institution and --country equal a scan of the records a Python filter keeps, with
#   ids and codes written in lower case or with JSON escapes (the pre-filter on raw lines
#   must not drop them);
# - standard input, --partial to standard output, the exit statuses;
# - parallel-scan gives the same table (scripts/cluster/slurm-scan is tested on a real
#   Slurm by tests/cli/slurm.sh; the Hadoop Streaming recipe is not tested).
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
PY=${PYTHON:-python3}
PARTNERS="$FIX/analyse/partners.tsv"
MR="$TOP/scripts/mapreduce"

# ---- the corpus ---------------------------------------------------------------------------

if ! "$PY" "$TOP/scripts/gen-corpus" --works 3000 --seed 11 --gzip -o c.jsonl.gz 2>gen.err; then
    not_ok "gen-corpus writes the corpus"; sed 's/^/# /' gen.err | head -n 5
    exit 1
fi
"$PY" - <<'EOF'
import gzip
lines = gzip.open("c.jsonl.gz", "rb").read().splitlines(keepends=True)
n = len(lines)
for i in range(3):
    with gzip.open("c%d.jsonl.gz" % (i + 1), "wb") as f:
        f.writelines(lines[i * n // 3:(i + 1) * n // 3])
EOF
# Edge records, plain JSON Lines, written by hand so that the JSON escapes stay as they are:
# an institution id with an escaped letter, country codes in lower and mixed case or
# escaped, a lineage with escaped slashes, a country found only in a raw affiliation.
au() {  # au INSTITUTION-ID LINEAGE-JSON COUNTRIES-JSON RAW
    printf '{"author_position":"middle","author":{"id":null,"display_name":"X"},"institutions":[{"id":"%s","display_name":"Inst","ror":null,"country_code":null,"type":"education","lineage":%s}],"countries":%s,"raw_affiliation_strings":["%s"]}' "$1" "$2" "$3" "$4"
}
work() {  # work N AUTHORSHIP...
    local n=$1; shift
    local IFS=,
    printf '{"id":"https://openalex.org/W8800000%s","title":"Edge %s","publication_year":2020,"type":"article","is_retracted":false,"is_paratext":false,"primary_topic":null,"authorships":[%s]}\n' "$n" "$n" "$*"
}
UL=$(au https://openalex.org/I90183372 '["https://openalex.org/I90183372"]' '["FR"]' 'Universite de Lorraine, Nancy, France')
{
    work 1 "$UL" "$(au 'https://openalex.org/\u00494210616361' '[]' '["de"]' 'Somewhere')"
    work 2 "$UL" "$(au https://openalex.org/I77 '["https:\/\/openalex.org\/I77","https:\/\/openalex.org\/I130701444"]' '["\u0044E"]' 'Somewhere')"
    work 3 "$UL" "$(au https://openalex.org/I78 '[]' '["Lu"]' 'Somewhere')"
    work 4 "$UL" "$(au https://openalex.org/I79 '[]' '[]' 'Universitaet des Saarlandes, Saarbruecken, Germany')"
    work 5 "$(au 'https://openalex.org/I4210616361' '[]' '["L\u0055"]' 'Somewhere')"
} >edge.jsonl
FILES="c1.jsonl.gz c2.jsonl.gz c3.jsonl.gz edge.jsonl"

expect_status "import without the normaliser" 0 "$COPUB" import --no-normalise --db raw.db $FILES
expect_status "import with the normaliser" 0 "$COPUB" import --db norm.db $FILES

OPTION_SETS=(
    "--by year"
    "--by year,country"
    "--by theme"
    "--by partner --partners $PARTNERS"
    "--by year --window 4"
    "--by year,country --home none"
    "--by type,year --types all --lang fr"
    "--by year,type,country"
    "--by region,year"
    "--by year,region --groups $FIX/analyse/groups.tsv --counting fractional"
)

# same NAME A B: files A and B are equal and A has rows.
same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1 ($(($(wc -l <"$2") - 1)) rows)"
    else not_ok "$1"; diff "$2" "$3" | head -n 6 | sed 's/^/# /'; fi
}

# table NAME OUT CMD...: runs CMD (a copub command printing a table) into OUT.
table() {
    local name=$1 out=$2; shift 2
    if ! "$@" >"$out" 2>err.txt; then
        not_ok "$name (failed: $*)"; sed 's/^/# /' err.txt | head -n 5; return 1
    fi
}

# ---- scan equals analyse ------------------------------------------------------------------

i=0
for opts in "${OPTION_SETS[@]}"; do
    i=$((i + 1)); name=${opts//$TOP\//}
    table "analyse $name" want.csv "$COPUB" analyse --db raw.db $opts --format csv &&
        table "scan $name" "scan$i.csv" "$COPUB" scan --all $opts --format csv $FILES &&
        same "scan --all $name = analyse of a --no-normalise import" want.csv "scan$i.csv"
    table "analyse $name" want.csv "$COPUB" analyse --db norm.db $opts --format csv &&
        table "scan --normalise $name" got.csv "$COPUB" scan --all --normalise $opts --format csv $FILES &&
        same "scan --all --normalise $name = analyse of an import" want.csv got.csv
done
rows=$(($(wc -l <scan4.csv) - 1))
if [ "$rows" -ge 3 ]; then ok "the partner table has $rows partners"
else not_ok "the partner table has $rows partners"; fi

# ---- partials ------------------------------------------------------------------------------

k=0
for opts in "${OPTION_SETS[@]}"; do
    k=$((k + 1)); name=${opts//$TOP\//}
    i=0; fail=
    for f in $FILES; do
        i=$((i + 1))
        "$COPUB" scan --all $opts --partial "part$i" "$f" 2>err.txt || { fail=yes; sed 's/^/# /' err.txt | head -n 3; }
    done
    [ -z "$fail" ] || { not_ok "scan --partial $name"; continue; }
    table "merge $name" got.csv "$COPUB" merge $opts --format csv part1 part2 part3 part4 &&
        same "merge of 4 partials = scan of all: $name" "scan$k.csv" got.csv
done
# The window applies at the merge: partials made without one give the windowed table.
set -- $FILES
for i in 1 2 3 4; do "$COPUB" scan --all --by year,country --partial "w$i" "${!i}" 2>/dev/null; done
set --
table "scan --window 3" want.csv "$COPUB" scan --all --by year,country --window 3 --format csv $FILES &&
    table "merge --window 3" got.csv "$COPUB" merge --by year,country --window 3 --format csv w1 w2 w3 w4 &&
    same "merge --window 3 of partials without a window = scan --window 3" want.csv got.csv
# A merge of merges: merge --partial, then merge.
"$COPUB" merge --by year,country --partial w12 w1 w2 2>/dev/null
"$COPUB" merge --by year,country --partial w34 w3 w4 2>/dev/null
table "merge of merges" got.csv "$COPUB" merge --by year,country --window 3 --format csv w12 w34 &&
    same "merge of merged partials = scan" want.csv got.csv

# Fractional counts whose sum lies on a displayed rounding (2022 FR: 9.25 + 9.041666... +
# 5.583333... = 23.875): the doubles added in another order must still give one figure.
"$PY" "$TOP/scripts/gen-corpus" --works 500 --seed 5 -o f.jsonl 2>/dev/null
split -l 100 -d -a 1 f.jsonl f.
FOPTS="--by year,country --home none"
"$COPUB" scan --all $FOPTS --partial f01 f.0 f.1 2>/dev/null
"$COPUB" scan --all $FOPTS --partial f23 f.2 f.3 2>/dev/null
"$COPUB" scan --all $FOPTS --partial f4 f.4 2>/dev/null
table "scan of f.0-4" want.csv "$COPUB" scan --all $FOPTS --format csv f.0 f.1 f.2 f.3 f.4 &&
    table "merge of f01 f23 f4" got.csv "$COPUB" merge $FOPTS --format csv f01 f23 f4 &&
    same "a merge gives the fractional counts of the whole scan, to the last digit" want.csv got.csv

expect_status "merging partials of other options is refused" 2 "$COPUB" merge --by year w1 w2
contains "the refusal says why" err.txt "computed with other options"
contains "the refusal says what to do" err.txt "give merge the analysis options"
"$COPUB" scan --all --by partner --partners "$PARTNERS" --partial pp1 edge.jsonl 2>/dev/null
expect_status "merging partner partials without the partner file is refused" 2 \
    "$COPUB" merge --by partner pp1
# Same number of partners, other ids: the partials count other things.
sed 's/^0168r3w48\t/I1294671590\t/' "$PARTNERS" >other-partners.tsv
expect_status "merging partner partials with another partner file is refused" 2 \
    "$COPUB" merge --by partner --partners other-partners.tsv pp1
{ echo "# the same file, commented and spaced differently"; sed 's/\t/ \t /' "$PARTNERS"; } \
    >same-partners.tsv
expect_status "a partner file that says the same thing merges" 0 \
    "$COPUB" merge --by partner --partners same-partners.tsv pp1
"$COPUB" scan --all --by region --partial rp1 edge.jsonl 2>/dev/null
expect_status "merging region partials with a groups file they lacked is refused" 2 \
    "$COPUB" merge --by region --groups "$FIX/analyse/groups.tsv" rp1
contains "... as computed with other options" err.txt "computed with other options"
expect_status "region partials merge with the same groups" 0 "$COPUB" merge --by region rp1
expect_status "merging partials of other types is refused" 2 \
    "$COPUB" merge --by year,country --types all w1 w2
printf 'year,works\n2020,1\n' >notpartial.csv
expect_status "merging a file that is not a partial is bad data" 4 \
    "$COPUB" merge --by year,country notpartial.csv
contains "the bad file is named" err.txt "notpartial.csv"
expect_status "merge without partials is a usage error" 2 "$COPUB" merge --by year
expect_status "merge of a missing partial fails" 1 "$COPUB" merge --by year,country w1 missing

# ---- --institution and --country against a Python filter --------------------------------

# keep KIND VALUE > FILE: the records of $FILES an exact test keeps, as they are.
keep() {
    "$PY" - "$1" "$2" $FILES <<'EOF'
import gzip, json, sys
kind, value, files = sys.argv[1], sys.argv[2], sys.argv[3:]
short = lambda s: s.rsplit("/", 1)[-1] if isinstance(s, str) else None
out = sys.stdout.buffer
for path in files:
    for line in (gzip.open if path.endswith(".gz") else open)(path, "rb"):
        if not line.strip():
            continue
        w = json.loads(line)
        hit = False
        for a in w.get("authorships") or []:
            if kind == "institution":
                for i in a.get("institutions") or []:
                    ids = [short(i.get("id"))] + [short(x) for x in i.get("lineage") or []]
                    hit = hit or value in ids
            else:
                codes = [c.upper() for c in a.get("countries") or []
                         if isinstance(c, str) and len(c) == 2 and c.isascii() and c.isalpha()]
                hit = hit or value in codes
        if hit:
            out.write(line if line.endswith(b"\n") else line + b"\n")
EOF
}

SELECTION_SETS=("--by year,country --home none" "--by partner --partners $PARTNERS")
for sel in "institution I4210616361" "institution I130701444" "institution I90183372" \
           "institution https://openalex.org/I4210616361" "country DE" "country LU" "country fr"; do
    set -- $sel
    kind=$1; value=$(echo "${2##*/}" | tr a-z A-Z)
    [ "$kind" = institution ] && value=${2##*/}
    keep "$kind" "$value" >kept.jsonl
    nkept=$(wc -l <kept.jsonl)
    sets=("${SELECTION_SETS[@]}")
    case $2 in https:*|fr) sets=("--by year") ;; esac    # the spelling of the argument
    for opts in "${sets[@]}"; do
        name="--$kind $2 ${opts//$TOP\//}"
        table "expected $name" want.csv "$COPUB" scan --all $opts --format csv kept.jsonl &&
            table "$name" got.csv "$COPUB" scan "--$kind" "$2" $opts --format csv $FILES &&
            same "scan $name = scan --all of the $nkept records a filter keeps" want.csv got.csv
    done
    set --
done
# The edge records that only escapes or case reveal are among those kept.
"$COPUB" scan --country DE --by year --home none --types all --format csv edge.jsonl >got.csv 2>err.txt
contains "--country DE keeps records with \"de\" and \"\\u0044E\"" got.csv "2020,2,"
"$COPUB" scan --institution I4210616361 --by year --format csv edge.jsonl >got.csv 2>err.txt
contains "--institution keeps an id written with \\u0049" got.csv "2020,2,"

# The pre-filter skips records before they are parsed, and never the matching ones.
"$COPUB" scan -v --institution I4210616361 --by year c1.jsonl.gz >/dev/null 2>err.txt
parsed=$(sed -n 's/.* \([0-9]*\) works parsed, \([0-9]*\) kept.*/\1/p' err.txt | tail -n 1)
if [ -n "$parsed" ] && [ "$parsed" -lt 500 ]; then ok "the pre-filter parses $parsed of 1000 records"
else not_ok "the pre-filter parses ${parsed:-?} of 1000 records"; sed 's/^/# /' err.txt | head -n 5; fi

# A country found only by the normaliser: kept with --normalise (no pre-filter then).
work 6 "$(au https://openalex.org/I79 '[]' '[]' 'Universitaet des Saarlandes, Saarbruecken, Germany')" >inferred.jsonl
"$COPUB" scan --country DE --by year --format csv inferred.jsonl >got.csv 2>/dev/null
if [ "$(wc -l <got.csv)" -eq 1 ]; then ok "--country DE without --normalise: no work from a raw string"
else not_ok "--country DE without --normalise: no work from a raw string"; sed 's/^/# /' got.csv; fi
"$COPUB" scan --country DE --normalise --by year --home none --format csv inferred.jsonl >got.csv 2>/dev/null
contains "--country DE --normalise keeps a work whose DE is in a raw string" got.csv "2020,1,"

# ---- standard input and output -------------------------------------------------------------

"$COPUB" scan --all --by year,country --format csv $FILES >want.csv 2>/dev/null
{ for f in $FILES; do case $f in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac; done; } |
    "$COPUB" scan --all --by year,country --format csv - >got.csv 2>err.txt
same "scan - reads plain JSON Lines on standard input" want.csv got.csv
"$COPUB" scan --all --by year --format csv c2.jsonl.gz >want.csv 2>/dev/null
"$COPUB" scan --all --by year --format csv <c2.jsonl.gz >got.csv 2>err.txt
same "scan with no FILE reads gzip on standard input" want.csv got.csv
"$COPUB" scan --all --by year --partial file.partial c2.jsonl.gz 2>/dev/null
"$COPUB" scan --all --by year --partial - c2.jsonl.gz >stdout.partial 2>/dev/null
"$COPUB" scan --all --by year --partial /dev/stdout c2.jsonl.gz >devstdout.partial 2>/dev/null
check "--partial - writes the partial to standard output" cmp -s file.partial stdout.partial
check "--partial /dev/stdout writes through to standard output" cmp -s file.partial devstdout.partial
check "/dev/stdout is still a link" test -L /dev/stdout
"$COPUB" scan --all --by year --partial /dev/stdout c2.jsonl.gz 2>/dev/null | cat >piped.partial
check "--partial /dev/stdout into a pipe" cmp -s file.partial piped.partial

# ---- exit statuses --------------------------------------------------------------------------

expect_status "copub scan --help" 0 "$COPUB" scan --help
contains "scan --help shows an example" out.txt "Example"
expect_status "copub merge --help" 0 "$COPUB" merge --help
expect_status "scan without --institution, --country or --all is a usage error" 2 \
    "$COPUB" scan --by year c1.jsonl.gz
contains "the usage error says what to give" err.txt "--institution ID, --country CC or --all"
expect_status "scan with two selections is a usage error" 2 \
    "$COPUB" scan --all --country FR c1.jsonl.gz
expect_status "a bad --country is a usage error" 2 "$COPUB" scan --country FRA c1.jsonl.gz
expect_status "a bad --by is a usage error" 2 "$COPUB" scan --all --by nothing c1.jsonl.gz
expect_status "a bad --threads is a usage error" 2 "$COPUB" scan --all --threads 100 c1.jsonl.gz
expect_status "scan --partial into a missing directory fails" 1 \
    "$COPUB" scan --all --partial no/such/dir/p c1.jsonl.gz
"$COPUB" merge --by year,country --format csv - <w1 >got.csv 2>err.txt
"$COPUB" merge --by year,country --format csv w1 >want.csv 2>/dev/null
same "merge - reads a partial on standard input" want.csv got.csv
expect_status "a missing file fails" 1 "$COPUB" scan --all missing.jsonl.gz
contains "the missing file is named" err.txt "missing.jsonl.gz"
{ head -n 2 edge.jsonl; echo '{"id":"https://openalex.org/W1","authorships":[{"countries":["DE"],'; tail -n 1 edge.jsonl; } >bad.jsonl
expect_status "a malformed record is bad data" 4 "$COPUB" scan --all bad.jsonl
contains "the malformed record's file and line are named" err.txt "'bad.jsonl' line 3"
expect_status "--skip-bad skips it" 0 "$COPUB" scan --all --skip-bad --by year --format csv bad.jsonl
contains "--skip-bad says where" err.txt "line 3"
expect_status "a record the pre-filter skips is not checked" 0 \
    "$COPUB" scan --institution I999 --by year bad.jsonl
head -c 100000 c1.jsonl.gz >cut.jsonl.gz
expect_status "a truncated gzip file is bad data" 4 "$COPUB" scan --all cut.jsonl.gz

# ---- the map/merge scripts ---------------------------------------------------------------------

opts="--institution I90183372 --by year,country --partners $PARTNERS"
"$COPUB" scan $opts --format csv $FILES >want.csv 2>/dev/null
# parallel-scan, with GNU parallel when installed and with the xargs fallback.
if command -v parallel >/dev/null 2>&1; then
    if bash "$MR/parallel-scan" -j 2 $opts --format csv -- $FILES >got.csv 2>err.txt; then
        same "parallel-scan (GNU parallel) gives scan's table" want.csv got.csv
    else not_ok "parallel-scan (GNU parallel) ran"; sed 's/^/# /' err.txt | tail -n 5; fi
else
    ok "# SKIP GNU parallel is not installed"
fi
if PARALLEL_SCAN_XARGS=1 bash "$MR/parallel-scan" -j 2 $opts --format csv -- $FILES >got.csv 2>err.txt; then
    same "parallel-scan (xargs -P) gives scan's table" want.csv got.csv
    contains "parallel-scan says it fell back to xargs" err.txt "xargs -P 2"
else not_ok "parallel-scan (xargs -P) ran"; sed 's/^/# /' err.txt | tail -n 5; fi
PARALLEL_SCAN_XARGS=1 bash "$MR/parallel-scan" -j 2 --all -- c1.jsonl.gz bad.jsonl >got.csv 2>err.txt
status=$?
if [ "$status" -eq 4 ]; then ok "parallel-scan exits with the failed scan's status (4)"
else not_ok "parallel-scan exits with the failed scan's status (got $status, wanted 4)"; fi
