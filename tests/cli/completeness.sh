# CLI tests of the completeness check and of stale data, against the local test API
# (scripts/test-api-server): after copub fetch the store's counts per year equal the
# source's own (OpenAlex group_by=publication_year, HAL facets, asked of the server here)
# and the report says so, in English and French; a count the source changed shows as a
# warning naming the year (fetch's log, the report, copub check's exit status 6); a
# failed count request leaves the store's counts unchanged and the harvest succeeds with a
# warning; works fetched before OpenAlex's re-match are counted right (against the
# fixture), in the report and copub run's log; --full fetches every year again and makes
# them fresh.
. "$TOP/tests/cli/lib.sh"
API="$FIX/api"
CORPUS="$API/openalex-works.jsonl"
INST=I90183372
FROM=2012
TO=$(date -u +%Y)
TYPES="article|review|book-chapter"

"$PYTHON" - "$API" <<'EOF'
import json, sys
api = sys.argv[1]
def docs(name):
    with open(f"{api}/{name}", encoding="utf-8") as f:
        return json.load(f)["response"]["docs"]
for out, names in (("docs.json", ["hal-docs.json", "hal-docs-fetch.json"]),
                   ("structures.json", ["hal-structures.json", "hal-structures-fetch.json"])):
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"response": {"docs": [d for n in names for d in docs(n)]}}, f)
EOF

start_server 1800 --corpus-openalex "$CORPUS" --corpus-hal docs.json --structures structures.json

oa() { "$COPUB" fetch openalex --db s.db --institution "$INST" --base-url "$BASE" \
           --from "$FROM" --to "$TO" --rate 500 --retry-ms 20 --no-normalise "$@"; }
oa_check() { "$COPUB" check openalex --db s.db --institution "$INST" --base-url "$BASE" \
                 --from "$FROM" --to "$TO" --rate 500 --retry-ms 20 "$@"; }
hal() { "$COPUB" fetch hal --db s.db --struct 413289 --base-url "$BASE" --from 2015 --to 2024 \
            --rate 500 --retry-ms 20 --no-normalise "$@"; }
report() { "$COPUB" report --db s.db --out "$1" "${@:2}" >/dev/null; }
# counts SOURCE: "year count" lines of the store's source_counts.
counts() { q s.db "SELECT year, count FROM source_counts WHERE source = '$1' ORDER BY year"; }
# held_openalex: "year count" of the store's OpenAlex works of the harvest's types.
held_openalex() {
    "$PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect("s.db")
for y in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    n = c.execute("""SELECT count(*) FROM works WHERE source = "openalex" AND year = ?
                     AND type IN ("article", "review", "book-chapter")""", (y,)).fetchone()[0]
    print(y, n, sep="|")' "$FROM" "$TO"
}
# sql DB SQL: runs a statement that writes, and commits.
sql() {
    "$PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$1" "$2"
}
# server_groups: "year|count" for every year of the range, from the server's own group_by.
server_groups() {
    api "/works?filter=authorships.institutions.lineage:$INST,publication_year:$FROM-$TO,type:$TYPES&group_by=publication_year" |
    "$PYTHON" -c 'import json, sys
g = {int(x["key"]): x["count"] for x in json.load(sys.stdin)["group_by"]}
for y in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    print(y, g.get(y, 0), sep="|")' "$FROM" "$TO"
}
# server_facets: "year|count" for 2015-2024, from the server's own HAL facets.
server_facets() {
    api "/search/?q=*:*&fq=structId_i:413289&fq=producedDateY_i:%5B2015%20TO%202024%5D&fq=-status_i:111&fq=-submitType_s:annex&rows=0&wt=json&facet=true&facet.field=producedDateY_i&facet.limit=-1" |
    "$PYTHON" -c 'import json, sys
f = json.load(sys.stdin)["facet_counts"]["facet_fields"]["producedDateY_i"]
g = dict(zip(f[::2], f[1::2]))
for y in range(2015, 2025):
    print(y, g.get(str(y), 0), sep="|")'
}
group_requests() {
    api /_stats | "$PYTHON" -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin)["log"] if "group_by" in e["target"]))'
}
# page_years: the publication years of the /works list pages requested, distinct, sorted.
page_years() {
    api /_stats | "$PYTHON" -c 'import json, re, sys, urllib.parse
ys = set()
for e in json.load(sys.stdin)["log"]:
    t = urllib.parse.unquote(e["target"])
    m = re.search(r"publication_year:(\d{4})[,&]", t)
    if e["path"] == "/works" and "cursor=" in t and m:
        ys.add(m.group(1))
print(" ".join(sorted(ys)))'
}
# stale_expected YEARS...: works of the fixture in the report's corpus (the lineage, the
# default types, neither retracted nor paratext) published in one of YEARS.
stale_expected() {
    "$PYTHON" - "$CORPUS" "$INST" "$@" <<'EOF'
import json, sys
path, inst, years = sys.argv[1], sys.argv[2], {int(y) for y in sys.argv[3:]}
n = 0
for line in open(path, encoding="utf-8").read().split("\n"):
    if not line.strip():
        continue
    w = json.loads(line)
    lineage = {x.rsplit("/", 1)[-1] for a in w.get("authorships") or []
               for i in a.get("institutions") or [] for x in i.get("lineage") or []}
    if (inst in lineage and w.get("publication_year") in years
            and w.get("type") in ("article", "review", "book-chapter")
            and not w.get("is_retracted") and not w.get("is_paratext")):
        n += 1
print(n)
EOF
}

# ---- OpenAlex: the store holds what the source counts ---------------------------------
expect_status "fetch openalex" 0 oa
check "one group_by call" test "$(group_requests)" -eq 1
server_groups > groups.txt
counts openalex > counts.txt
held_openalex > held.txt
check "the server counts works in several years (test sanity)" \
    test "$(awk -F'|' '$2 > 0' groups.txt | wc -l)" -ge 5
check "the store's counts are the server's group_by counts, every year" cmp -s groups.txt counts.txt
check "the store holds as many works a year as the server counts" cmp -s groups.txt held.txt
contains "fetch says the store holds what OpenAlex counts" err.txt \
    "the store holds what OpenAlex counts, every year from $FROM to $TO"
total=$(awk -F'|' '{ s += $2 } END { print s }' groups.txt)
report en
contains "the report says the store holds what OpenAlex counts" en/report.md \
    "OpenAlex counts $total works in $FROM–$TO, copub holds $total"
contains "... the same in every year" en/report.md "the same in every year."
contains "the report has the table" en/report.md "| OpenAlex | 2020 | $(grep '^2020|' groups.txt | cut -d'|' -f2) | $(grep '^2020|' held.txt | cut -d'|' -f2) | 0 |"
contains "the report defines what copub holds" en/report.html "before copub&#39;s own selection"
report fr --lang fr
contains "the French report says so too" fr/report.md "les mêmes chaque année."
check "no completeness warning when the counts agree" \
    sh -c '! grep -q "own counts differ" en/report.md'

# ---- a count the source changed -----------------------------------------------------------
api "/_control?count_shift=2020:1" >/dev/null
n2020=$(grep '^2020|' held.txt | cut -d'|' -f2)
expect_status "fetch with a changed count still succeeds" 0 oa --refresh-years 0
contains "the log warns, naming the year and both counts" err.txt \
    "differ from what the store holds in 2020 (OpenAlex $((n2020 + 1)), store $n2020)"
report en2
contains "the report warns, naming the year" en2/report.md \
    "OpenAlex's own counts differ from what copub holds in 2020"
contains "the report's sentence names the year" en2/report.md "they differ in 2020."
contains "the table shows the difference" en2/report.md "| OpenAlex | 2020 | $((n2020 + 1)) | $n2020 | \-1 |"
report fr2 --lang fr
contains "the French report warns too" fr2/report.md "diffèrent de ce que détient copub en 2020"
expect_status "copub check: exit status 6 when a year differs" 6 oa_check
contains "check names the year" err.txt "2020 (OpenAlex $((n2020 + 1)), store $n2020)"
contains "check prints the year's counts" out.txt "$(printf 'openalex\t2020\t%d\t%d' $((n2020 + 1)) "$n2020")"
api "/_control?count_shift=none" >/dev/null
expect_status "copub check: 0 once the counts agree" 0 oa_check
check "check prints every year" test "$(grep -c '^openalex' out.txt)" -eq $((TO - FROM + 1))

# ---- a failed count request ------------------------------------------------------------------
q s.db "SELECT * FROM source_counts ORDER BY source, year" > before.txt
api "/_control?fault=400&match=group_by&count=0" >/dev/null
expect_status "fetch with the count refused still succeeds" 0 oa --refresh-years 0
contains "the log warns that the count could not be read" err.txt \
    "OpenAlex's own counts per year could not be read"
q s.db "SELECT * FROM source_counts ORDER BY source, year" > after.txt
check "the store's counts are unchanged (and when they were taken)" cmp -s before.txt after.txt
expect_status "copub check: exit status 3 when the count cannot be read" 3 oa_check
q s.db "SELECT * FROM source_counts ORDER BY source, year" > after.txt
check "... the store's counts unchanged" cmp -s before.txt after.txt
api "/_control?clear=1" >/dev/null

# ---- stale works, --full ---------------------------------------------------------------
sql s.db "UPDATE works SET fetched_at = '2026-01-02T03:04:05Z' WHERE year IN (2016, 2017)"
want=$(stale_expected 2016 2017)
check "some works of 2016-2017 are in the corpus (test sanity)" test "$want" -ge 5
report en3
contains "the report counts the stale works" en3/report.md \
    "$want works were fetched before OpenAlex re-matched affiliations on 2026-09-28; run copub fetch openalex --full."
report en4 --openalex-rematched 2026-01-01
check "none before an earlier re-match date" sh -c '! grep -q "re-matched" en4/report.md'
report en5 --openalex-rematched 2026-01-03
contains "all of them before a later one" en5/report.md "$want works were fetched before OpenAlex re-matched affiliations on 2026-01-03"
expect_status "a bad re-match date: usage error" 2 "$COPUB" report --db s.db --out bad \
    --openalex-rematched 2026-13-01
contains "... naming the option" err.txt "--openalex-rematched"
# copub run, offline over this store, warns too.
printf '[institution]\nopenalex = %s\n[output]\ndir = run-out\nstore = s.db\nformats = png\n' \
    "$INST" > run.conf
expect_status "copub run" 0 "$COPUB" run run.conf --offline
contains "copub run warns about the stale works" err.txt \
    "$want works were fetched before OpenAlex re-matched affiliations on 2026-09-28; run copub fetch openalex --full"
api "/_control?reset_stats=1" >/dev/null
expect_status "a fetch of no recent year" 0 oa --refresh-years 0
check "... fetches no page" test -z "$(page_years)"
api "/_control?reset_stats=1" >/dev/null
expect_status "fetch --full" 0 oa --refresh-years 0 --full
check "--full fetches every year again" test "$(page_years)" = "$(seq -s ' ' "$FROM" "$TO")"
contains "... every work received again, unchanged" err.txt "$(awk -F'|' '{ s += $2 } END { print s }' held.txt) unchanged"
check "... and fresh" test "$(q s.db "SELECT count(*) FROM works WHERE fetched_at < '2026-09-28'")" -eq 0
report en6
check "no stale warning after --full" sh -c '! grep -q "re-matched" en6/report.md'

# ---- HAL: facets on the year field ------------------------------------------------------------
expect_status "fetch hal" 0 hal
server_facets > facets.txt
counts hal > hal-counts.txt
check "HAL counts docs in several years (test sanity)" \
    test "$(awk -F'|' '$2 > 0' facets.txt | wc -l)" -ge 3
check "the store's HAL counts are the server's facet counts" cmp -s facets.txt hal-counts.txt
# The docs without a production year take their year from their other dates in the store,
# where HAL's facets on producedDateY_i do not count them: the years where they fall are
# the ones the warning names, with these counts (the fixture's, computed here; older
# versions and annexes are in neither).
"$PYTHON" - <<'EOF' > hal-differ.txt
import json, re
facets = dict(line.strip().split("|") for line in open("facets.txt"))
undated = {}
for d in json.load(open("docs.json"))["response"]["docs"]:
    if (413289 not in (d.get("structId_i") or []) or "producedDateY_i" in d
            or d.get("status_i") == 111 or d.get("submitType_s") == "annex"):
        continue
    dates = [d.get(k) for k in ("producedDate_s", "publicationDateY_i", "publicationDate_s",
             "ePublicationDate_s", "defenseDate_s")]
    years = [int(str(x)[:4]) for x in dates if x and re.match(r"\d{4}", str(x))]
    if years and 2015 <= years[0] <= 2024:
        undated[years[0]] = undated.get(years[0], 0) + 1
print(", ".join(f"{y} (HAL {facets[str(y)]}, store {int(facets[str(y)]) + n})"
                for y, n in sorted(undated.items())))
EOF
check "some undated docs fall in the range (test sanity)" test -s hal-differ.txt
contains "fetch names the years of the undated docs, with both counts" err.txt \
    "HAL's own counts per year differ from what the store holds in $(cat hal-differ.txt):"
api "/_control?count_shift=2020:-1" >/dev/null
expect_status "fetch hal with a changed count" 0 hal --refresh-years 0
contains "the log warns, naming the year" err.txt \
    "2020 (HAL $(($(grep '^2020|' facets.txt | cut -d'|' -f2) - 1)), store"
report en7
contains "the report warns for HAL, naming the years" en7/report.md \
    "HAL's own counts differ from what copub holds in"
contains "... 2020 among them" en7/report.md "2020: the corpus is not"
expect_status "copub check hal: exit status 6" 6 "$COPUB" check hal --db s.db --struct 413289 \
    --base-url "$BASE" --from 2015 --to 2024
api "/_control?count_shift=none&fault=500&match=facet&count=0" >/dev/null
q s.db "SELECT * FROM source_counts ORDER BY source, year" > before.txt
expect_status "fetch hal with the count failing" 0 hal --refresh-years 0 --max-attempts 1
contains "the log warns that HAL's count could not be read" err.txt \
    "HAL's own counts per year could not be read"
q s.db "SELECT * FROM source_counts ORDER BY source, year" > after.txt
check "the store's counts are unchanged" cmp -s before.txt after.txt

echo "1..$n"
