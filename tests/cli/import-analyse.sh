# CLI tests of copub import and copub analyse on temporary stores: what a user runs,
# the exit statuses they get, and that a failed import leaves the store unchanged.
. "$TOP/tests/cli/lib.sh"
OA="$FIX/openalex"

expect_status "copub --help" 0 "$COPUB" --help
contains "help lists import" out.txt "import"
expect_status "copub --version" 0 "$COPUB" --version
contains "version printed" out.txt "copub "
for cmd in import analyse fetch; do
    expect_status "copub $cmd --help" 0 "$COPUB" "$cmd" --help
    contains "$cmd --help shows an example" out.txt "Example"
done
expect_status "no command is a usage error" 2 "$COPUB"
expect_status "unknown command is a usage error" 2 "$COPUB" frobnicate
expect_status "unknown option is a usage error" 2 "$COPUB" import --no-such-option x
expect_status "import without files is a usage error" 2 "$COPUB" import --db s.db
expect_status "bad --home is a usage error" 2 "$COPUB" analyse --db s.db --home France
expect_status "bad --format is a usage error" 2 "$COPUB" analyse --db s.db --format xml
expect_status "--from after --to is a usage error" 2 "$COPUB" analyse --db s.db --from 2022 --to 2020
expect_status "analyse of a missing store fails" 1 "$COPUB" analyse --db missing.db
contains "missing store is named" err.txt "missing.db"

# Import, then the same again: nothing changes (byte-identical dump).
expect_status "import JSON Lines" 0 "$COPUB" import --db s.db "$OA/works.jsonl"
contains "import reports counts" err.txt "12 new"
sqlite3 s.db .dump > dump1.sql
expect_status "import the same file again" 0 "$COPUB" import --db s.db "$OA/works.jsonl.gz"
contains "second import changes nothing" err.txt "12 unchanged"
sqlite3 s.db .dump > dump2.sql
check "store identical after re-import" cmp -s dump1.sql dump2.sql

# A bad file among good ones: exit 4, message names file and line, store as before.
expect_status "import with a malformed record fails with 4" 4 \
    "$COPUB" import --db s.db "$OA/page.json" "$OA/bad-syntax.jsonl"
contains "error names the file and line" err.txt "bad-syntax.jsonl' line 3:"
sqlite3 s.db .dump > dump3.sql
check "store unchanged after failed import" cmp -s dump1.sql dump3.sql
expect_status "truncated gzip fails with 4" 4 "$COPUB" import --db s.db "$OA/truncated.jsonl.gz"
contains "truncation is said" err.txt "truncated"
# Gzip input is inflated with ISA-L, or zlib when asked: the same store, the same errors.
cp err.txt err-isal.txt
COPUB_INFLATE=zlib "$COPUB" import --db s.db "$OA/truncated.jsonl.gz" 2>err-zlib.txt
check "zlib says the truncation as ISA-L does" cmp -s err-isal.txt err-zlib.txt
expect_status "import gzip with ISA-L" 0 "$COPUB" import --db gz.db "$OA/works.jsonl.gz"
sqlite3 gz.db .dump >dump-isal.sql
COPUB_INFLATE=zlib "$COPUB" import --db gz.db "$OA/works.jsonl.gz" 2>err.txt
contains "zlib reads the same records" err.txt "12 unchanged"
check "... and the store stays byte for byte" cmp -s dump-isal.sql <(sqlite3 gz.db .dump)
expect_status "--skip-bad skips and reports" 0 "$COPUB" import --db k.db --skip-bad \
    "$OA/bad-syntax.jsonl" "$OA/bad-utf8.jsonl"
contains "skipped record listed with its line" err.txt "bad-utf8.jsonl' line 2"
contains "skipped count" err.txt "2 skipped"
contains "the skipped records are not counted as imported" err.txt "imported 4 records"
expect_status "a foreign SQLite file is refused" 1 "$COPUB" import --db dump1.sql "$OA/works.jsonl"

# A first import builds the store aside ("STORE.loading-XXXXXX") and puts it in place at
# the end: failed or killed, it leaves no store at all, as there was none before.
mkdir first && cd first || exit 1
expect_status "a failed first import fails with 4" 4 \
    "$COPUB" import --db new.db "$OA/page.json" "$OA/bad-syntax.jsonl"
check "... and leaves no file behind" test -z "$(ls -A | grep -v -e "^out.txt$" -e "^err.txt$")"
"$PYTHON" -c 'import sys
with open(sys.argv[1]) as f:
    line = f.readline()
with open("big.jsonl", "w") as out:
    for i in range(60000):
        out.write(line.replace("W1000000001", "W9%09d" % i, 1))' "$OA/works.jsonl"
"$COPUB" import --db killed.db big.jsonl 2>/dev/null &
pid=$!
for _ in $(seq 100); do ls killed.db.loading-* >/dev/null 2>&1 && break; sleep 0.05; done
sleep 0.3
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
check "a first import killed midway leaves no store" test ! -e killed.db
check "... but its file being loaded" test -n "$(ls killed.db.loading-* 2>/dev/null)"
expect_status "the next import builds it" 0 "$COPUB" import --db killed.db "$OA/works.jsonl"
check "... removing the killed import's file" test -z "$(ls killed.db.loading-* 2>/dev/null)"
contains "... and saying so" err.txt "left by an import that was killed (pid $pid)"
check "... a store in WAL mode with the works" \
    test "$(sqlite3 killed.db "PRAGMA journal_mode; SELECT count(*) FROM works" | tr '\n' ' ')" = "wal 12 "
cd .. || exit 1

# Size limits. A record of 200 MB (its title) is bad data, found while its line is read
# and never held whole: memory stays flat, plain or gzip (before, it was imported with
# 1.78 GB of memory and its title stored). A title over the field limit is bad data too.
mkdir limits && cd limits || exit 1
"$PYTHON" - "$OA/works.jsonl" <<'EOF'
import json, sys
lines = open(sys.argv[1]).readlines()
def around_title(wid):   # the record's JSON before and after its title's value
    w = json.loads(lines[0]); w["id"] = "https://openalex.org/" + wid; w["title"] = "@T@"
    return json.dumps(w).split('"@T@"')
with open("huge.jsonl", "w") as f:
    head, tail = around_title("W9000000001")
    f.write(lines[1] + head + '"')
    chunk = "a" * (1 << 20)
    for _ in range(200):
        f.write(chunk)
    f.write('"' + tail + "\n" + lines[2])
with open("long-title.jsonl", "w") as f:
    head, tail = around_title("W9000000002")
    f.write(lines[1] + head + '"' + "b" * 100000 + '"' + tail + "\n" + lines[2])
page = json.load(open(sys.argv[1].replace("works.jsonl", "page.json")))
page["results"][1]["title"] = "c" * 100000
json.dump(page, open("long-title-page.json", "w"))
EOF
peak_mb() { awk '/Maximum resident set size/ {print int($NF / 1024)}' "$1"; }
# Flat means far below the 200 MB line (1,626 MB before the limit): 150 MB, or 400 MB
# under AddressSanitizer, whose shadow memory and 256 MB quarantine come on top.
flat_mb=150
case "$BUILDDIR" in *san*) flat_mb=400 ;; esac
expect_status "a 200 MB record is bad data: exit 4" 4 \
    /usr/bin/time -v -o huge.time "$COPUB" import --db h.db huge.jsonl
contains "... the error names the file, the line and the limit" err.txt \
    "'huge.jsonl' line 2: the record is longer than the limit of 33554432 bytes (max-record-size)"
check "... memory stays flat ($(peak_mb huge.time) MB)" test "$(peak_mb huge.time)" -lt "$flat_mb"
check "... no store was made" test ! -e h.db
expect_status "--skip-bad skips it" 0 \
    /usr/bin/time -v -o huge-skip.time "$COPUB" import --db h.db --skip-bad huge.jsonl
contains "... and counts it" err.txt "imported 2 records from 1 file(s) into 'h.db': 2 new, 0 updated, 0 unchanged, 1 skipped"
check "... memory stays flat ($(peak_mb huge-skip.time) MB)" test "$(peak_mb huge-skip.time)" -lt "$flat_mb"
check "... the store has the two other works" \
    test "$(sqlite3 h.db "SELECT count(*), max(length(title)) < 1000 FROM works")" = "2|1"
gzip -1 huge.jsonl
expect_status "the same record gzip-compressed: exit 4" 4 \
    /usr/bin/time -v -o huge-gz.time "$COPUB" import --db hz.db huge.jsonl.gz
contains "... naming its line" err.txt "'huge.jsonl.gz' line 2: the record is longer"
check "... memory stays flat ($(peak_mb huge-gz.time) MB)" test "$(peak_mb huge-gz.time)" -lt "$flat_mb"
rm -f huge.jsonl.gz
expect_status "a title over the field limit is bad data" 4 \
    "$COPUB" import --db t.db long-title.jsonl
contains "... named with its size and the limit" err.txt \
    "'long-title.jsonl' line 2: work W9000000002: the title is 100000 bytes, over the limit of 65536 (max-field-size)"
expect_status "... in a list page too" 4 "$COPUB" import --db t.db long-title-page.json
contains "... named with its work" err.txt "the title is 100000 bytes, over the limit"
expect_status "--max-field-size raises the limit" 0 \
    "$COPUB" import --db t.db --max-field-size 100k long-title.jsonl
check "... and the title is kept whole" \
    test "$(sqlite3 t.db "SELECT length(title) FROM works WHERE source_id = 'W9000000002'")" = 100000
expect_status "--max-record-size lowers the record limit" 4 \
    "$COPUB" import --db t2.db --max-record-size 20k long-title.jsonl
contains "... to what it says" err.txt "line 2: the record is longer than the limit of 20480 bytes"
expect_status "a size that is not one is a usage error" 2 \
    "$COPUB" import --db t.db --max-record-size 12q long-title.jsonl
cd .. || exit 1

# COPUB_DB and the default store.
COPUB_DB=env.db "$COPUB" import "$OA/single.json" 2>/dev/null
check "COPUB_DB names the store" test -f env.db
"$COPUB" import "$OA/single.json" 2>/dev/null
check "default store is ./copub.db" test -f copub.db

# Analyse: the year table, CSV and JSON.
# Unknown document types and home codes are usage errors naming the value (issue 12).
expect_status "an unknown document type is a usage error" 2 \
    "$COPUB" analyse --db s.db --by year --types artcle
contains "the unknown type is named" err.txt "unknown document type 'artcle'"
contains "the valid types are listed" err.txt "expected article, review, book-chapter"
check "the type error is one line" test "$(wc -l < err.txt)" -eq 1
expect_status "known types are accepted" 0 \
    "$COPUB" analyse --db s.db --by year --types article,conference-paper
expect_status "'all' is accepted" 0 "$COPUB" analyse --db s.db --by year --types all
expect_status "an unknown home code is a usage error" 2 "$COPUB" analyse --db s.db --home XX
contains "the home code is named, what is expected said" err.txt \
    "--home takes an ISO 3166-1 alpha-2 country code (FR, DE, US...) or 'none', not 'XX'"
expect_status "a lower-case known home code is accepted" 0 "$COPUB" analyse --db s.db --home de
expect_status "--home none is accepted" 0 "$COPUB" analyse --db s.db --home none
expect_status "fetch refuses an unknown type too" 2 \
    "$COPUB" fetch openalex --db f.db --institution I90183372 --types artcle
contains "fetch names the type" err.txt "unknown document type 'artcle'"
expect_status "analyse CSV" 0 "$COPUB" analyse --db s.db --by year --format csv
contains "CSV header" out.txt "year,works,international,share,share_low,share_high,coverage"
# W3's co-author has only a raw string ("UC San Diego, La Jolla, CA 92093"): the
# normaliser finds US, which makes W3 international; without it, W3 is not.
contains "2020 row, countries from raw strings" out.txt "2020,4,2,0.5000,0.1500,0.8500,1.0000,4,0.5000"
expect_status "analyse, source countries only" 0 "$COPUB" analyse --db s.db --format csv \
    --source-countries-only
contains "2020 row, source countries" out.txt "2020,4,1,0.2500,0.0456,0.6994,0.8750,3,0.3333"
check "the store marks the countries it inferred (second authorship of W3: ~US)" \
    test "$(sqlite3 s.db "SELECT auth_countries FROM works
          WHERE source_id = 'W1000000003'" | cut -d';' -f2)" = "~US"
expect_status "analyse JSON" 0 "$COPUB" analyse --db s.db --format json --home none
check "JSON output parses" "$PYTHON" -m json.tool out.txt /dev/null
expect_status "analyse table" 0 "$COPUB" analyse --db s.db
contains "table shows percentages" out.txt "50.0%"
if [ -w /dev/full ]; then
    "$COPUB" analyse --db s.db >/dev/full 2>err.txt; st=$?
    if [ $st -eq 1 ]; then ok "writing to a full disk fails with 1"; else not_ok "full disk exit $st"; fi
fi

# Cross-check: copub's year table equals an independent computation, on the fixtures
# and on a generated corpus (every type, several options).
for args in "--home FR" "--home none" "--home FR --types all" "--home FR --from 2016 --to 2020"; do
    # shellcheck disable=SC2086
    "$COPUB" analyse --db s.db $args --source-countries-only --format csv > copub.csv 2>/dev/null
    # shellcheck disable=SC2086
    "$PYTHON" "$TOP/tests/crosscheck-year.py" $args "$OA/works.jsonl" > check.csv
    check "fixtures: year table equals independent count ($args)" cmp -s copub.csv check.csv
done
"$PYTHON" "$TOP/scripts/gen-corpus" --works 3000 --seed 7 -o gen.jsonl
"$COPUB" import --db g.db gen.jsonl 2>/dev/null
for args in "--home FR" "--home none" "--home FR --types all" "--home DE --from 2018"; do
    # shellcheck disable=SC2086
    "$COPUB" analyse --db g.db $args --source-countries-only --format csv > copub.csv 2>/dev/null
    # shellcheck disable=SC2086
    "$PYTHON" "$TOP/tests/crosscheck-year.py" $args gen.jsonl > check.csv
    check "generated corpus: year table equals independent count ($args)" cmp -s copub.csv check.csv
done
"$COPUB" analyse --db g.db > table.txt 2>&1
contains "synthetic data is said" table.txt "synthetic"

# One corpus across sources: HAL records of works OpenAlex holds (same DOI, or same title
# and year when HAL has no DOI) count once, with the union of their countries.
"$COPUB" import --db both.db "$OA/works.jsonl" "$FIX/hal/json/linked.json" 2>/dev/null
"$COPUB" analyse --db both.db --by year,source --format csv > src.csv 2>/dev/null
contains "works in both sources, 2020 (W1 by title, W2 by DOI)" src.csv "2020,both,2,2,1.0000"
contains "works in OpenAlex only, 2020" src.csv "2020,openalex,2,1,0.5000"
contains "works in HAL only, 2021" src.csv "2021,hal,1,1,1.0000"
contains "DOI link despite case and prefix (fixture.11)" src.csv "2022,both,1,0"
"$COPUB" analyse --db both.db --format csv > all.csv 2>/dev/null
contains "linked works counted once; HAL's Norwegian co-author makes W2 international" \
    all.csv "2020,4,3,0.7500"
"$COPUB" analyse --db both.db --format csv --source openalex > oa.csv 2>/dev/null
contains "--source openalex ignores HAL" oa.csv "2020,4,2,0.5000"
"$COPUB" analyse --db both.db --format csv --source hal --types all > hal.csv 2>/dev/null
contains "--source hal" hal.csv "2020,2,1,0.5000"
"$COPUB" analyse --db both.db --by type,year --types all --format csv > type.csv 2>/dev/null
contains "--by type counts the linked works W1, W2 once (W5 retracted)" type.csv \
    "article,articles,2020,2,2,1.0000"
contains "--by type names the type" type.csv "book-chapter,book chapters,2020,1,0,0.0000"
# The report's "How the figure moves" on both sources, recounted from the store (links
# by DOI and title, inferred countries, territories) by tests/crosscheck-variants.py.
if "$COPUB" report --db both.db --period 2020-2022 --out both-rep >/dev/null 2>&1; then
    expect_status "the section's numbers agree with a recount from the store" 0 \
        "$PYTHON" "$TOP/tests/crosscheck-variants.py" both.db both-rep/report.md
    sed 's/^/# /' err.txt | head -n 9
else
    not_ok "report of both sources"
fi

# HAL files of every kind import; bad ones fail with 4, or are skipped whole.
for f in "$FIX/hal/tei/export-multi.xml" "$FIX/hal/oai/listrecords-page1.xml" \
         "$FIX/hal/json/search-fs.json"; do
    expect_status "import HAL $(basename "$f")" 0 "$COPUB" import --db hal.db "$f"
done
sqlite3 hal.db .dump > hal1.sql
expect_status "billion laughs refused with 4" 4 "$COPUB" import --db hal.db "$FIX/hal/bad/billion-laughs.xml"
contains "entity refusal is said" err.txt "entit"
expect_status "truncated TEI refused with 4" 4 "$COPUB" import --db hal.db "$FIX/hal/bad/truncated.xml"
contains "TEI error names the line" err.txt "line "
expect_status "malformed HAL JSON refused with 4" 4 "$COPUB" import --db hal.db "$FIX/hal/bad/truncated.json"
sqlite3 hal.db .dump > hal2.sql
check "store unchanged after refused HAL files" cmp -s hal1.sql hal2.sql
expect_status "--skip-bad skips a bad HAL file whole" 0 "$COPUB" import --db hal.db --skip-bad \
    "$FIX/hal/bad/truncated.json" "$FIX/hal/json/single-doc.json"
contains "skipped HAL file reported" err.txt "1 skipped"
"$COPUB" analyse --db hal.db --source hal --types all --format csv > halx.csv 2>/dev/null
# The multi-document export: an independent count of its international works.
"$PYTHON" "$TOP/tests/crosscheck-tei.py" "$FIX/hal/tei/export-multi.xml" > tei-check.csv
"$COPUB" import --db tei.db --no-normalise "$FIX/hal/tei/export-multi.xml" 2>/dev/null
"$COPUB" analyse --db tei.db --types all --source-countries-only --format json > tei.json 2>/dev/null
check "TEI export: international count equals the independent count" "$PYTHON" -c '
import csv, json, sys
rows = json.load(open("tei.json"))["rows"]
want = list(csv.DictReader(open("tei-check.csv")))[0]
got = (sum(r["works"] for r in rows), sum(r["international"] for r in rows))
sys.exit(0 if got == (int(want["works"]), int(want["international"])) else 1)'
