# CLI tests of the OpenAlex API as it behaves in late 2026, against the local test API
# (scripts/test-api-server) serving a snapshot-like file built here from
# fixtures/api/openalex-works.jsonl with some works flagged "is_xpac": true:
#  - xpac: fetch leaves them out (the API's default), import and scan skip and count them,
#    and fetch, import and scan give the same tables; --include-xpac keeps them everywhere,
#    again the same tables; scan partials merged equal the whole scan;
#  - a server that refuses more than 100 works a page: the harvest completes at 100;
#  - a keyless harvest the day's budget cannot finish is refused before any list call,
#    the store byte for byte as it was; --allow-partial goes on; --dry-run prints the plan;
#  - a server that wants a key for cursor paging: the 401 says how to set one.
. "$TOP/tests/cli/lib.sh"
INST=I90183372
FROM=2012
TO=2024

# The snapshot-like file: the works of the lineage published in the range (what the fetch
# asks for), every fifth one flagged xpac (counted here).
"$PYTHON" - "$FIX/api/openalex-works.jsonl" "$INST" "$FROM" "$TO" > works.jsonl <<'EOF'
import json, sys
inst, lo, hi = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def mine(w):
    return any(inst in [x.rsplit("/", 1)[-1] for x in i.get("lineage") or []]
               for a in w.get("authorships") or [] for i in a.get("institutions") or [])
n = 0
for line in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    if not line.strip():
        continue
    w = json.loads(line)
    if not mine(w) or not lo <= (w.get("publication_year") or 0) <= hi:
        continue
    n += 1
    w["is_xpac"] = n % 5 == 0
    print(json.dumps(w, ensure_ascii=False))
EOF
NXPAC=$(grep -c '"is_xpac": true' works.jsonl)
check "the file has xpac works of the lineage (test sanity: $NXPAC)" test "$NXPAC" -gt 2

start_server 1800 --corpus-openalex works.jsonl
reset() {
    api "/_control?clear=1&reset_stats=1&daily_budget=none&credits_used=0&max_per_page=200&key_for_cursor=0" >/dev/null
}
# list_calls: the requests to /works with a cursor (list pages) in the server's log.
list_calls() {
    api /_stats | "$PYTHON" -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin)["log"] if e["path"] == "/works" and "cursor=" in e["target"]))'
}
# per_pages: the distinct per_page values of the list calls, space-separated.
per_pages() {
    api /_stats | "$PYTHON" -c 'import json, sys, urllib.parse
s = set()
for e in json.load(sys.stdin)["log"]:
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(e["target"]).query)
    if e["path"] == "/works" and "cursor" in qs:
        s.update(qs.get("per_page", []))
print(" ".join(sorted(s)))'
}
fetch() {
    "$COPUB" fetch openalex --base-url "$BASE" --institution "$INST" --from "$FROM" --to "$TO" \
        --types all --rate 500 --retry-ms 20 --refresh-years 0 "$@"
}
tables() { # DB OUT [analyse options]: the tables copub analyse gives, by year and by country
    local db=$1 out=$2; shift 2
    { "$COPUB" analyse --db "$db" --from "$FROM" --to "$TO" --types all --by year --format csv "$@"
      "$COPUB" analyse --db "$db" --from "$FROM" --to "$TO" --types all --by country --format csv "$@"
    } > "$out"
}
scan_tables() { # OUT [scan options]
    local out=$1; shift
    { "$COPUB" scan --institution "$INST" --from "$FROM" --to "$TO" --types all --by year \
          --format csv --normalise "$@" works.jsonl
      "$COPUB" scan --institution "$INST" --from "$FROM" --to "$TO" --types all --by country \
          --format csv --normalise "$@" works.jsonl
    } > "$out"
}

# ---- xpac, left out by default ----------------------------------------------------------
reset
expect_status "fetch (xpac works left out by the API's default)" 0 fetch --db fetched.db
check "include_xpac was not sent" test "$(api /_stats | grep -c include_xpac)" -eq 0
expect_status "import of the same works" 0 "$COPUB" import --db imported.db works.jsonl
contains "import says how many xpac works it left out" err.txt "left out $NXPAC xpac work(s)"
NIMPORTED=$(q imported.db "SELECT count(*) FROM works")
NFETCHED=$(q fetched.db "SELECT count(*) FROM works")
check "the store holds no xpac work" \
    test "$(q imported.db "SELECT count(*) FROM work_records WHERE CAST(raw AS TEXT) LIKE '%\"is_xpac\":true%'")" -eq 0
tables fetched.db fetched.csv
tables imported.db imported.csv
check "fetch and import give the same tables" cmp -s fetched.csv imported.csv
check "... which are not empty (test sanity)" test "$(wc -l < fetched.csv)" -gt 10
scan_tables scanned.csv 2> scan-err.txt
check "scan gives the same tables" cmp -s scanned.csv imported.csv
contains "scan says how many xpac works it left out" scan-err.txt "left out $NXPAC xpac work(s)"
head -n 60 works.jsonl > part1.jsonl
tail -n +61 works.jsonl > part2.jsonl
for p in 1 2; do
    "$COPUB" scan --institution "$INST" --from "$FROM" --to "$TO" --types all --normalise \
        --partial "p$p.partial" "part$p.jsonl" 2>/dev/null
done
"$COPUB" merge --by year --format csv p1.partial p2.partial > merged.csv 2>/dev/null
head -n "$(wc -l < merged.csv)" scanned.csv > scanned-year.csv
check "scan partials merged equal the whole scan" cmp -s merged.csv scanned-year.csv
"$COPUB" report --db imported.db --out rep-ex --from "$FROM" --to "$TO" --types all \
    >/dev/null 2>&1
contains "the report's corpus section says xpac works are left out" rep-ex/report.md \
    "are left out: $NXPAC of them in the last import."

# ---- xpac, included everywhere ------------------------------------------------------------
reset
expect_status "fetch --include-xpac" 0 fetch --db fetched-x.db --include-xpac
check "include_xpac=true was sent on every list call" \
    test "$(api /_stats | "$PYTHON" -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin)["log"] if e["path"] == "/works"
          and "include_xpac=true" not in e["target"]))')" -eq 0
expect_status "import --include-xpac" 0 "$COPUB" import --db imported-x.db --include-xpac works.jsonl
check "the fetch brought the xpac works more" \
    test "$(q fetched-x.db "SELECT count(*) FROM works")" -eq $((NFETCHED + NXPAC))
tables fetched-x.db fetched-x.csv
tables imported-x.db imported-x.csv
check "with xpac works, fetch and import give the same tables" cmp -s fetched-x.csv imported-x.csv
check "... other than without them" test -n "$(cmp fetched-x.csv fetched.csv)"
scan_tables scanned-x.csv --include-xpac 2>/dev/null
check "... and scan --include-xpac the same" cmp -s scanned-x.csv imported-x.csv
"$COPUB" report --db imported-x.db --out rep-in --from "$FROM" --to "$TO" --types all \
    >/dev/null 2>&1
contains "the report says they are included" rep-in/report.md "are included."
"$COPUB" report --db imported-x.db --out rep-fr --lang fr --from "$FROM" --to "$TO" \
    --types all >/dev/null 2>&1
contains "... in French too" rep-fr/report.md "sont incluses."
cat > xpac.conf <<EOF
[institution]
openalex = $INST
[sources]
openalex = false
files = works.jsonl
[harvest]
from = $FROM
to = $TO
[corpus]
types = all
include-xpac = true
[output]
store = run.db
dir = run-out
EOF
"$COPUB" run xpac.conf >/dev/null 2>run-err.txt
check "copub run with [corpus] include-xpac = true keeps them" \
    test "$(q run.db "SELECT count(*) FROM works")" -eq "$(q imported-x.db "SELECT count(*) FROM works")"

# ---- page size ----------------------------------------------------------------------------
reset
expect_status "against a lenient server" 0 fetch --db lenient.db
check "... pages of 200" test "$(per_pages)" = "200"
reset
api "/_control?max_per_page=100" >/dev/null
expect_status "a harvest against a server refusing more than 100 a page completes" 0 \
    fetch --db strict.db
check "... every page asked at 100" test "$(per_pages)" = "100"
contains "... and it says why" err.txt "no more than 100 works a page"
check "... the same works as the lenient harvest" \
    test "$(q strict.db "SELECT group_concat(source_id) FROM (SELECT source_id FROM works ORDER BY 1)")" = \
         "$(q lenient.db "SELECT group_concat(source_id) FROM (SELECT source_id FROM works ORDER BY 1)")"
reset
api "/_control?max_per_page=100" >/dev/null
expect_status "--per-page 200 against it: the page is asked again at 100" 0 \
    fetch --db strict2.db --per-page 200 --jobs 1
contains "... with a note" err.txt "asking again at 100"
check "... the same works" test "$(q strict2.db "SELECT count(*) FROM works")" -eq \
    "$(q strict.db "SELECT count(*) FROM works")"

# ---- the budget preflight -----------------------------------------------------------------
reset
api "/_control?daily_budget=4" >/dev/null
expect_status "keyless, a budget too small: refused, exit 3" 3 fetch --db budget.db
check "one line" test "$(wc -l < err.txt)" -eq 1
contains "it says the calls needed and left" err.txt "the harvest needs ~"
contains "... how many are left" err.txt ", 3 left today, resetting at "
contains "... and what to do" err.txt "(run with an API key, or --allow-partial)"
check "no list call was made" test "$(list_calls)" -eq 0
check "no store was created" test ! -e budget.db
cp lenient.db before.db
cp lenient.db budget2.db
reset
api "/_control?daily_budget=4" >/dev/null
expect_status "refused on an existing store (--refresh-years 40)" 3 \
    fetch --db budget2.db --refresh-years 40
check "... no list call" test "$(list_calls)" -eq 0
check "... the store byte for byte as it was" cmp -s before.db budget2.db
reset
api "/_control?daily_budget=4" >/dev/null
expect_status "--dry-run prints the plan" 0 fetch --db dry.db --dry-run
contains "... per slice" out.txt "  2020 "
contains "... the total" out.txt "list calls, about"
contains "... and that it would be refused" out.txt "not enough, the harvest would be refused"
check "... no list call, no store" test "$(list_calls)" -eq 0 -a ! -e dry.db
reset
api "/_control?daily_budget=4" >/dev/null
expect_status "--allow-partial goes on until the budget is spent: exit 3" 3 \
    fetch --db partial.db --allow-partial --jobs 1
check "... having fetched some pages" test "$(q partial.db "SELECT count(*) FROM works")" -gt 0
reset
expect_status "the next day, it completes" 0 fetch --db partial.db --refresh-years 0
check "... the same works as in one go" test "$(q partial.db "SELECT count(*) FROM works")" -eq \
    "$(q lenient.db "SELECT count(*) FROM works")"

# ---- keys -----------------------------------------------------------------------------------
reset
api "/_control?key_for_cursor=1" >/dev/null
expect_status "cursor paging without a key, answered 401: exit 2" 2 fetch --db key.db
contains "the message says a key is needed" err.txt "an API key is needed"
contains "... and how to set it" err.txt "COPUB_OPENALEX_API_KEY"
check "... nothing stored" test "$(q key.db "SELECT count(*) FROM works")" -eq 0
COPUB_OPENALEX_API_KEY=SECRET-abc-987 expect_status "with a key it goes" 0 fetch --db key.db -vv
check "the key is in no message" test "$(grep -c 'abc-987' err.txt out.txt | awk -F: '{s += $2} END {print s}')" -eq 0
