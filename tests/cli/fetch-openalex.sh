# CLI tests of copub fetch openalex against the local test API (scripts/test-api-server)
# serving fixtures/api/openalex-works.jsonl: what is stored equals what the query matches
# (counted independently here), a later run refreshes only the recent years, a work whose
# author list the API cut is stored whole, every fault is survived with the same corpus,
# a spent retry budget, a spent daily budget and a plan refusal exit 3 with a clear message
# (keeping what was fetched), a fetch killed with -9 resumes to the same corpus, the API key
# shows nowhere, a ROR id harvests the same as the OpenAlex id, and bad options exit 2.
. "$TOP/tests/cli/lib.sh"
CORPUS="$FIX/api/openalex-works.jsonl"
INST=I90183372
# The range spans the fixture's years and ends this year, so the default refresh window
# (this year and the last, in UTC like copub) lies inside it.
YEAR=$(date -u +%Y)
FROM=2012
TO=$YEAR
SLICES=$((TO - FROM + 1))
SECRET=SECRET-xyz-123

start_server 1800 --corpus-openalex "$CORPUS"

# reset: no faults, no budget, free plan, fresh request log.
reset() {
    api "/_control?clear=1&reset_stats=1&daily_budget=none&credits_used=0&key_plan=free" >/dev/null
}
# fault QUERY: adds a fault rule (see scripts/test-api-server --help-faults).
fault() { api "/_control?$1" >/dev/null; }
# log: the server's request log, one "path<TAB>publication year<TAB>cursor<TAB>status<TAB>
# target" line per request (control requests are not logged), bar the group_by calls that
# take OpenAlex's count per year (the preflight's; counted by count_requests).
log() {
    api /_stats | "$PYTHON" -c 'import json, re, sys, urllib.parse
for e in json.load(sys.stdin)["log"]:
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(e["target"]).query)
    if "group_by" in qs:
        continue
    m = re.search(r"publication_year:(\d+)", qs.get("filter", [""])[0])
    print(e["path"], m.group(1) if m else "-", qs.get("cursor", ["-"])[0], e["status"],
          e["target"], sep="\t")'
}
# count_requests: the group_by calls (OpenAlex's count per year of the harvest's filter).
count_requests() {
    api /_stats | "$PYTHON" -c 'import json, sys, urllib.parse
print(sum(1 for e in json.load(sys.stdin)["log"]
          if "group_by" in urllib.parse.parse_qs(urllib.parse.urlsplit(e["target"]).query)))'
}
# requests PREFIX: how many requests went to paths starting with PREFIX.
requests() { log | awk -F'\t' -v p="$1" 'index($1, p) == 1' | wc -l; }
# applied: "applied/count" of every fault rule, space-separated ("2/2 1/1").
applied() {
    api "/_stats?log=0" | "$PYTHON" -c 'import json, sys
print(" ".join("%d/%s" % (f["applied"], f["count"]) for f in json.load(sys.stdin)["faults"]))'
}
# quiet_after: every 429 or 503 of the log was followed by a second without requests (from
# any job: the pause is shared), bar those already on their way when it was answered.
quiet_after() {
    api /_stats | "$PYTHON" -c 'import json, sys
log = json.load(sys.stdin)["log"]
hits = [e["t"] for e in log if e["status"] in (429, 503)]
early = [(h, e["t"]) for h in hits for e in log if h + 0.1 < e["t"] < h + 0.9]
if not hits or early:
    print("# refusals at", hits, "requests too early:", early)
    sys.exit(1)'
}
# dump DB: the works as stored (source, id, and a digest of the stored record: in works.raw,
# or in work_records.raw since the store keeps records apart), then what copub derived from
# them, without keys and storage times. Fails when the store cannot be read so.
dump() {
    "$PYTHON" -c 'import hashlib, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
if "raw" in {r[1] for r in c.execute("PRAGMA table_info(works)")}:
    sql = "SELECT source, source_id, raw FROM works ORDER BY 2"
else:
    sql = """SELECT w.source, w.source_id, r.raw FROM works w
             LEFT JOIN work_records r USING (work_key) ORDER BY 2"""
for s, i, raw in c.execute(sql):
    print(s, i, len(raw), hashlib.sha256(raw).hexdigest())
for row in c.execute("""SELECT w.source_id, w.year, w.n_authorships, w.is_authors_truncated,
        json_array_length(CAST(r.raw AS TEXT), ?)
        FROM works w LEFT JOIN work_records r USING (work_key) ORDER BY w.source_id""",
        ("$.authorships",)):
    print(*row)' "$1"
}
# same NAME DB: the store's dump equals the clean baseline's.
same() {
    if dump "$2" > "$2.dump" && cmp -s baseline.dump "$2.dump"; then ok "$1"; else
        not_ok "$1"; diff baseline.dump "$2.dump" | head -n 6 | sed 's/^/# /'; fi
}
# fetch ARGS...: the fetch every test runs: fast (no politeness toward our own server),
# several pages a slice (7 works a page, 7 or 8 works a year in the fixture). In the
# background, run "$COPUB" fetch openalex "${FETCH_ARGS[@]}" itself, so that $! is copub's
# process (not a subshell's, whose kill -9 would leave copub running).
FETCH_ARGS=(--base-url "$BASE" --from "$FROM" --to "$TO" --types all --per-page 7 --rate 200
            --retry-ms 50)
fetch() { "$COPUB" fetch openalex "${FETCH_ARGS[@]}" "$@"; }

# The works the query must bring, computed here from the fixture: "id year" of the works one
# of whose authorships' institutions has I90183372 in its lineage, published in the range.
cat > expected.py <<'EOF'
import json, sys
path, inst, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
since = sys.argv[5] if len(sys.argv) > 5 else ""
authorships = 0
with open(path, encoding="utf-8") as f:
    for line in f.read().split("\n"):
        if not line.strip():
            continue
        w = json.loads(line)
        y = w.get("publication_year")
        lineages = [x.rsplit("/", 1)[-1] for a in w.get("authorships") or []
                    for i in a.get("institutions") or [] for x in i.get("lineage") or []]
        if inst in lineages and y is not None and lo <= y <= hi \
                and (w.get("updated_date") or "")[:10] >= since:
            print(w["id"].rsplit("/", 1)[-1], y)
            authorships += len(w.get("authorships") or [])
print("authorships", authorships, file=sys.stderr)
EOF
"$PYTHON" expected.py "$CORPUS" "$INST" "$FROM" "$TO" 2>want-authorships.txt | sort > want.txt
got_ids() {
    q "$1" "SELECT source_id, year FROM works WHERE source = 'openalex'" | tr '|' ' ' | sort
}
# whole_pages DB: the store holds exactly the works of the pages its slices committed.
whole_pages() {
    test "$(q "$1" "SELECT count(*) FROM works")" -eq \
         "$(q "$1" "SELECT coalesce(sum(works), 0) FROM harvest_slices")"
}
NWANT=$(wc -l < want.txt)

# ---- usage ------------------------------------------------------------------------------
expect_status "fetch openalex --help" 0 "$COPUB" fetch openalex --help
contains "--help shows an example" out.txt "Example: copub fetch openalex --institution"
expect_status "no institution: usage error" 2 fetch --db u.db
contains "the missing option is named" err.txt "--institution"
for bad in foo I12x 04vfs2w9 I90183372x; do
    expect_status "--institution '$bad': usage error" 2 fetch --db u.db --institution "$bad"
    contains "the bad institution id '$bad' is named" err.txt "'$bad'"
done
expect_status "--since that is no date: usage error" 2 fetch --db u.db --institution "$INST" \
    --since 2024-13-01
expect_status "--from after --to: usage error" 2 fetch --db u.db --institution "$INST" \
    --from 2024 --to 2015
expect_status "more than 200 works a page: usage error" 2 fetch --db u.db --institution "$INST" \
    --per-page 500
expect_status "too many jobs: usage error" 2 fetch --db u.db --institution "$INST" --jobs 99
expect_status "an extra argument: usage error" 2 fetch --db u.db --institution "$INST" extra
check "usage errors make no request" test "$(requests /)" -eq 0
check "usage errors leave no store" test ! -e u.db

# ---- a plain fetch ----------------------------------------------------------------------
reset
check "the fixture has works of the lineage (test sanity)" test "$NWANT" -ge 60
expect_status "plain fetch" 0 fetch --db base.db --institution "$INST"
contains "it reports its counts" err.txt "$NWANT new, 0 updated, 0 unchanged"
got_ids base.db > got.txt
if cmp -s want.txt got.txt; then
    ok "stored works = the fixture's works of the lineage, with their years"
else
    not_ok "stored works = the fixture's works of the lineage"
    diff want.txt got.txt | sed 's/^/# /' | head
fi
check "no work stored twice" \
    test "$(q base.db "SELECT count(*) - count(DISTINCT source_id) FROM works")" -eq 0
want_auth=$(sed -n 's/^authorships //p' want-authorships.txt)
check "no authorship stored twice ($want_auth in the fixture)" \
    test "$(q base.db "SELECT sum(json_array_length(CAST(raw AS TEXT), '\$.authorships'))
                       FROM work_records")" -eq "$want_auth"
check "every work counts the authorships its record holds" \
    test "$(q base.db "SELECT count(*) FROM works JOIN work_records USING (work_key)
                       WHERE n_authorships
                             != json_array_length(CAST(raw AS TEXT), '\$.authorships')")" -eq 0
check "every slice is done, with no cursor left" \
    test "$(q base.db "SELECT count(*) FROM harvest_slices
                       WHERE harvest = 'openalex works lineage:$INST'
                       AND done = 1 AND cursor IS NULL")" -eq "$SLICES"
check "every slice got the works the API counted" \
    test -z "$(q base.db "SELECT slice FROM harvest_slices
                          WHERE expected IS NOT NULL AND expected != works")"
log > base-log.txt
check "slices were walked over several pages (a cursor other than '*')" \
    test "$(awk -F'\t' '$1 == "/works" && $3 != "*"' base-log.txt | wc -l)" -gt 0
"$PYTHON" - base-log.txt "$INST" > list-check.txt <<'EOF'
import sys, urllib.parse
bad = []
for line in open(sys.argv[1]):
    path, year, cursor, status, target = line.rstrip("\n").split("\t")
    if path != "/works":
        continue
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)
    if "group_by" in qs:  # the budget preflight
        continue
    f = qs.get("filter", [""])[0]
    if (not f.startswith(f"authorships.institutions.lineage:{sys.argv[2]},publication_year:")
            or "type:" in f or qs.get("per_page") != ["7"] or "cursor" not in qs
            or "authorships" not in qs.get("select", [""])[0].split(",")
            or "is_authors_truncated" not in qs.get("select", [""])[0].split(",")):
        bad.append(target)
print("bad", len(bad), bad[:1])
EOF
contains "every list request asks the lineage, one year, no type, per_page, a cursor, select" \
    list-check.txt "bad 0 "
# group_by_at: the places among the /works requests of the group_by calls ("1 ").
group_by_at() {
    api /_stats | "$PYTHON" -c 'import json, sys
works = [e for e in json.load(sys.stdin)["log"] if e["path"] == "/works"]
print(*[i + 1 for i, e in enumerate(works) if "group_by=publication_year" in e["target"]], "")'
}
check "one group_by call over the range, before any page: the budget preflight, whose counts the completeness check keeps" \
    test "$(group_by_at)" = "1 "
dump base.db > baseline.dump
check "the baseline dump holds every work, each with its record (test sanity)" \
    test "$(grep -c '^openalex W[0-9]* [1-9][0-9]* [0-9a-f]\{64\}$' baseline.dump)" -eq "$NWANT"

# The work of 120 authors: the list gives 100 and is_authors_truncated, so it is fetched alone.
W120=$("$PYTHON" -c 'import json, sys
for l in open(sys.argv[1]):
    if l.strip() and len(json.loads(l).get("authorships") or []) > 100:
        print(json.loads(l)["id"].rsplit("/", 1)[-1])' "$CORPUS")
check "the fixture has a work of more than 100 authors (test sanity)" test -n "$W120"
check "$W120 is stored with its 120 authorships" \
    test "$(q base.db "SELECT n_authorships || ' '
                              || json_array_length(CAST(r.raw AS TEXT), '\$.authorships')
                       FROM works w JOIN work_records r USING (work_key)
                       WHERE source_id = '$W120'")" = "120 120"
check "$W120 was fetched on its own, once" \
    test "$(awk -F'\t' -v p="/works/$W120" '$1 == p' base-log.txt | wc -l)" -eq 1
check "no other work was fetched on its own" \
    test "$(awk -F'\t' 'index($1, "/works/") == 1' base-log.txt | wc -l)" -eq 1
contains "the re-fetch is reported" err.txt "1 re-fetched for their full author list"

# ---- nightly refresh --------------------------------------------------------------------
cp base.db refresh.db
reset
expect_status "a second run (default refresh window)" 0 fetch --db refresh.db --institution "$INST"
contains "the second run changes nothing" err.txt "0 new, 0 updated"
same "the store is the same after the second run" refresh.db
log | awk -F'\t' '$1 == "/works" && $5 !~ /group_by/ {print $2}' | sort -u | tr '\n' ' ' \
    > years.txt
check "it asked again this year and the last only ($(cat years.txt))" \
    test "$(cat years.txt)" = "$((YEAR - 1)) $YEAR "
check "... and nothing else" test "$(requests /)" -eq "$(log | awk -F'\t' '$1 == "/works"' | wc -l)"
reset
"$PYTHON" expected.py "$CORPUS" "$INST" $((YEAR - 3)) "$YEAR" 2>/dev/null > want-recent.txt
expect_status "a run with --refresh-years 4" 0 fetch --db refresh.db --institution "$INST" \
    --refresh-years 4
contains "it re-read the works of the last four years, unchanged" err.txt \
    "0 new, 0 updated, $(wc -l < want-recent.txt) unchanged"
check "it asked those four years only" \
    test "$(log | awk -F'\t' '$1 == "/works" && $5 !~ /group_by/ {print $2}' | sort -u \
            | tr '\n' ' ')" = \
         "$((YEAR - 3)) $((YEAR - 2)) $((YEAR - 1)) $YEAR "
same "the store is the same after the wider refresh" refresh.db
reset
expect_status "a run with --refresh-years 0" 0 fetch --db refresh.db --institution "$INST" \
    --refresh-years 0
check "... sends no request but the count per year" \
    test "$(requests /)" -eq 0 -a "$(count_requests)" -eq 1
contains "... and says every slice is up to date" err.txt "($SLICES slices, $SLICES up to date)"

# ---- faults -------------------------------------------------------------------------------
# Each fault on a few pages (some in the middle of a slice's cursor walk, some on the
# single-work re-fetch): the fetch retries through it, saying why (-v), and ends with
# exactly the clean run's corpus. Columns: the fault, what the retry names, copub options.
k=0
while IFS='|' read -r spec reason opts <&3; do
    k=$((k + 1))
    reset
    fault "$spec"
    name=$(printf '%s' "$spec" | sed 's/^fault=//; s/&/ /g')
    # shellcheck disable=SC2086
    expect_status "fault $name: the fetch succeeds" 0 \
        fetch --db "fault$k.db" --institution "$INST" -v $opts
    got=$(applied)
    check "fault $name: served as asked ($got)" test "${got%/*}" = "${got#*/}"
    # A reset on a kept-alive connection, libcurl itself sends again on a new one: "-".
    [ "$reason" = - ] || check "fault $name: retried, saying why ('$reason')" \
        test "$(grep 'retrying (attempt' err.txt | grep -cF -- "$reason")" -ge "${got%/*}"
    same "fault $name: the corpus equals the clean run's" "fault$k.db"
    case $spec in *retry_after=1*)
        check "fault $name: Retry-After honoured (no request in the second after it)" quiet_after
    esac
done 3<<'EOF'
fault=429&retry_after=1&count=2&path=/works&skip=3|HTTP 429|
fault=503&retry_after=1&count=2&path=/works&page=2|HTTP 503|
fault=500&count=2&path=/works&skip=5|HTTP 500|
fault=502&count=2&path=/works&page=2|HTTP 502|
fault=504&count=2&path=/works&skip=5|HTTP 504|
fault=403&count=2&path=/works&page=2|HTTP 403|
fault=reset&count=2&path=/works&skip=4|-|
fault=truncate&count=2&path=/works&page=2|transfer closed|
fault=cut-json&count=2&path=/works&skip=4|invalid body (application/json|
fault=invalid-json&count=2&path=/works&page=2|invalid body (application/json|
fault=html&count=2&path=/works&skip=4|invalid body (text/html|
fault=slow&seconds=6&count=1&path=/works&page=2|timed out|--timeout-ms 2000
fault=trickle&seconds=6&count=1&path=/works&skip=4|timed out|--timeout-ms 2000
fault=503&count=2&path=/works/W|HTTP 503|
fault=cut-json&count=2&path=/works/W|invalid body|
EOF

# Several faults at once, on list pages and on the single-work re-fetch, with 8 jobs.
reset
fault "fault=reset&count=1&path=/works&skip=1"
fault "fault=429&retry_after=1&count=1&path=/works&skip=2"
fault "fault=html&count=1&path=/works&page=2"
fault "fault=truncate&count=1&path=/works/W"
fault "fault=502&every=5&count=3&path=/works"
expect_status "faults of every kind at once, 8 jobs" 0 \
    fetch --db mixed.db --institution "$INST" --jobs 8 --max-attempts 8
check "every fault was served ($(applied))" test "$(applied)" = "1/1 1/1 1/1 1/1 3/3"
same "the corpus after mixed faults equals the clean run's" mixed.db

# ---- retries exhausted --------------------------------------------------------------------
reset
fault "fault=503&count=all&path=/works"
expect_status "a server that keeps answering 503: exit 3" 3 \
    fetch --db gone.db --institution "$INST" --max-attempts 3 --api-key "$SECRET"
check "one error line" test "$(wc -l < err.txt)" -eq 1
contains "it says how many attempts" err.txt "failed after 3 attempts"
contains "it says why" err.txt "HTTP 503"
contains "it names the page's URL" err.txt \
    "$BASE/works?filter=authorships.institutions.lineage:$INST"
contains "the URL's key is redacted" err.txt "api_key=***"
check "the key itself is not shown" test "$(grep -c -- "$SECRET" err.txt)" -eq 0
reset
fault "fault=invalid-json&count=all&path=/works"
expect_status "pages that are never valid JSON: exit 3" 3 \
    fetch --db gone2.db --institution "$INST" --max-attempts 2
check "one error line" test "$(wc -l < err.txt)" -eq 1
contains "it says the body was invalid" err.txt "invalid body"
contains "it names the page's URL" err.txt "$BASE/works?filter="
reset
fault "fault=reset&count=all&path=/works"
expect_status "connections always reset: exit 3" 3 \
    fetch --db gone3.db --institution "$INST" --max-attempts 2
check "one error line" test "$(wc -l < err.txt)" -eq 1
contains "it names the page's URL" err.txt "$BASE/works?filter="
reset
fault "fault=404&count=1&path=/works/W"
expect_status "a 404 on the single-work re-fetch: exit 3, not retried" 3 \
    fetch --db gone4.db --institution "$INST"
contains "the error names the work's URL" err.txt "/works/$W120"
check "the 404 was asked once" test "$(requests "/works/$W120")" -eq 1
check "the cut work is not stored with its author list cut" \
    test "$(q gone4.db "SELECT count(*) FROM works WHERE source_id = '$W120'")" -eq 0
check "only whole pages were stored" whole_pages gone4.db

# ---- the daily budget ------------------------------------------------------------------------
# The API's own accounting: 12 list requests, then 429 "Insufficient budget" with a
# Retry-After up to midnight UTC. The preflight would refuse the harvest: --allow-partial.
reset
api "/_control?daily_budget=12" >/dev/null
expect_status "the daily budget runs out midway: exit 3" 3 \
    fetch --db budget.db --institution "$INST" --allow-partial
contains "the preflight warned that the budget would not do" err.txt "going on as asked"
check "one error line besides" test "$(grep -vc 'going on as asked' err.txt)" -eq 1
contains "the message says the budget is spent" err.txt "daily budget is spent"
contains "the message quotes the API" err.txt "Insufficient budget"
check "the message says when it resets (midnight UTC)" \
    grep -Eq 'resets at [0-9]{4}-[0-9]{2}-[0-9]{2} 00:00 UTC \(in [0-9]+ h [0-9]+ min\)' err.txt
check "no refused request was retried" \
    test "$(log | awk -F'\t' '$4 == 429 {print $5}' | sort | uniq -d | wc -l)" -eq 0
kept=$(q budget.db "SELECT count(*) FROM works")
check "the works of the pages fetched before are kept ($kept)" test "$kept" -gt 0
check "... as many as the committed pages hold" whole_pages budget.db
dump budget.db | sed -n '/^openalex /p' > budget-works.txt
check "... each the same as in the clean run" \
    test -z "$(grep -vxF -f baseline.dump budget-works.txt)"
check "... and not all of them" test "$kept" -lt "$NWANT"
q budget.db "SELECT slice FROM harvest_slices WHERE done = 1 AND slice < '$((YEAR - 1))'" \
    | sort > budget-done.txt
reset
expect_status "the next day (budget cleared) the fetch completes" 0 \
    fetch --db budget.db --institution "$INST"
same "the final store equals the clean run's" budget.db
log | awk -F'\t' '$1 == "/works" {print $2}' | sort -u > budget-asked.txt
check "the slices done before the budget ran out were not asked again" \
    test -z "$(comm -12 budget-done.txt budget-asked.txt)"

# The same through the budget fault (after 6 pages), and a Retry-After of hours on a 429.
reset
fault "fault=budget&count=all&skip=6&path=/works"
expect_status "the budget fault after 6 pages: exit 3" 3 fetch --db budget2.db --institution "$INST"
contains "the message says the budget is spent" err.txt "daily budget is spent"
check "the works fetched before are kept" test "$(q budget2.db "SELECT count(*) FROM works")" -gt 0
reset
fault "fault=429&retry_after=7200&count=all&skip=6&path=/works"
expect_status "a 429 asking to wait two hours: exit 3" 3 \
    fetch --db budget3.db --institution "$INST"
contains "the message says the budget is spent" err.txt "daily budget is spent"
check "... without waiting nor asking again" \
    test "$(log | awk -F'\t' '$4 == 429 {print $5}' | sort | uniq -d | wc -l)" -eq 0
check "the message says it resets in two hours" \
    grep -Eq 'resets at .* UTC \(in (2 h 0|1 h 59) min\)' err.txt
reset
expect_status "both stores complete on the next run" 0 fetch --db budget2.db --institution "$INST"
same "the store equals the clean run's" budget2.db
expect_status "... the other one too" 0 fetch --db budget3.db --institution "$INST"
same "the store equals the clean run's" budget3.db

# ---- --since: from_updated_date needs a paid plan -----------------------------------------
reset
expect_status "--since with a free plan's key: exit 3" 3 \
    fetch --db plan.db --institution "$INST" --since 2024-01-01 --api-key "$SECRET" --jobs 1
check "one error line" test "$(wc -l < err.txt)" -eq 1
contains "it says a plan upgrade is required" err.txt "plan upgrade required"
contains "it quotes the API's message" err.txt \
    'filter requires a Premium, Institutional, or Partner plan'
check "exactly one request was made to /works: the preflight's count, refused" \
    test "$(requests /works)" -eq 0 -a "$(count_requests)" -eq 1
check "the key is not shown" test "$(grep -c -- "$SECRET" err.txt)" -eq 0
reset
expect_status "--since with a free plan, 4 jobs: exit 3" 3 \
    fetch --db plan2.db --institution "$INST" --since 2024-01-01 --api-key "$SECRET"
check "no request was retried (one per job at most)" \
    test "$(log | awk -F'\t' '{print $5}' | sort | uniq -d | wc -l)" -eq 0 \
         -a "$(requests /works)" -le 4
reset
api "/_control?key_plan=premium" >/dev/null
"$PYTHON" expected.py "$CORPUS" "$INST" "$FROM" "$TO" 2025-07-01 2>/dev/null | sort > want-since.txt
check "some works were updated since 2025-07-01, not all (test sanity)" \
    test "$(wc -l < want-since.txt)" -gt 0 -a "$(wc -l < want-since.txt)" -lt "$NWANT"
expect_status "--since 2025-07-01 with a paid key" 0 \
    fetch --db since.db --institution "$INST" --since 2025-07-01 --api-key "$SECRET"
got_ids since.db > got-since.txt
check "it stored the works updated since then" cmp -s want-since.txt got-since.txt
check "every list request carries from_updated_date:2025-07-01" \
    test "$(log | awk -F'\t' '$1 == "/works" && $5 !~ /from_updated_date:2025-07-01/' \
            | wc -l)" -eq 0
check "every year of the range was asked" \
    test "$(log | awk -F'\t' '$1 == "/works" {print $2}' | sort -u | wc -l)" -eq "$SLICES"

# ---- kill -9 midway, twice, then resume ----------------------------------------------------
# wait_store DB SQL: waits (up to 60 s) until SQL, run on the store, returns a row.
wait_store() {
    "$PYTHON" - "$1" "$2" <<'EOF'
import sqlite3, sys, time
deadline, last = time.time() + 60, None
while time.time() < deadline:
    try:
        c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=5)
        row = c.execute(sys.argv[2]).fetchone()
        c.close()
        if row:
            sys.exit(0)
    except sqlite3.Error as e:  # no store yet, or busy
        last = e
    time.sleep(0.02)
print("# gave up waiting; last error:", last)
sys.exit(1)
EOF
}
# kill_when NAME DB SQL: fetches into DB with every page slowed down, kills the fetch with
# -9 once SQL returns a row, then checks that the store is partial and that the fetch run
# again completes from the saved cursors to the clean run's corpus.
kill_when() {
    local name=$1 db=$2 sql=$3 waited
    reset
    fault "fault=slow&seconds=0.3&count=all&path=/works"
    "$COPUB" fetch openalex "${FETCH_ARGS[@]}" --db "$db" --institution "$INST" \
        >/dev/null 2>"$db.err" &
    FETCH=$!
    wait_store "$db" "$sql"
    waited=$?
    kill -9 "$FETCH" 2>/dev/null
    wait "$FETCH" 2>/dev/null
    local status=$?
    FETCH=
    # Let the server finish the killed fetch's slowed answers, so that the next run's log
    # holds only the next run's requests.
    sleep 1
    check "$name: the fetch was caught midway" test "$waited" -eq 0
    check "$name: ... and killed there (status $status)" test "$status" -eq 137
    local nw
    nw=$(q "$db" "SELECT count(*) FROM works")
    check "$name: the store holds part of the corpus ($nw of $NWANT works)" \
        test "$nw" -gt 0 -a "$nw" -lt "$NWANT"
    check "$name: ... exactly the committed pages' works" whole_pages "$db"
    q "$db" "SELECT slice || ' ' || cursor FROM harvest_slices
             WHERE done = 0 AND cursor IS NOT NULL" > "$db.partial"
    check "$name: a slice was left with a saved cursor" test -s "$db.partial"
    q "$db" "SELECT slice FROM harvest_slices WHERE done = 1 AND slice < '$((YEAR - 1))'" \
        | sort > "$db.done"
    reset
    expect_status "$name: the fetch run again completes" 0 fetch --db "$db" --institution "$INST"
    log > "$db.log"
    check "$name: it resumed from the saved cursors" "$PYTHON" -c 'import sys
sent = {(l.split("\t")[1], l.split("\t")[2]) for l in open(sys.argv[1])}
saved = [tuple(l.split()) for l in open(sys.argv[2]) if l.strip()]
restarted = [y for y, _ in saved if (y, "*") in sent]
missing = [s for s in saved if s not in sent]
if restarted or missing:
    print("# restarted:", restarted, "saved cursor not sent:", missing)
    sys.exit(1)' "$db.log" "$db.partial"
    check "$name: the slices done before were not asked again" \
        test -z "$(awk -F'\t' '$1 == "/works" {print $2}' "$db.log" | sort -u \
                   | comm -12 "$db.done" -)"
    same "$name: the resumed store equals the clean run's" "$db"
    check "$name: every slice is done" \
        test "$(q "$db" "SELECT count(*) FROM harvest_slices WHERE done = 1")" -eq "$SLICES"
}
kill_when "kill -9 after the first page" kill1.db \
    "SELECT 1 FROM harvest_slices WHERE done = 0 AND cursor IS NOT NULL"
kill_when "kill -9 past the middle" kill2.db \
    "SELECT 1 WHERE (SELECT count(*) FROM works) >= $((NWANT / 2))
     AND EXISTS (SELECT 1 FROM harvest_slices WHERE done = 0 AND cursor IS NOT NULL)"

# Killed while the cut work is fetched alone: its page is not committed without it.
reset
fault "fault=slow&seconds=5&count=1&path=/works/$W120"
"$COPUB" fetch openalex "${FETCH_ARGS[@]}" --db kill3.db --institution "$INST" --jobs 1 \
    >/dev/null 2>kill3.err &
FETCH=$!
"$PYTHON" - "$BASE" <<'EOF'
import json, sys, time, urllib.request
deadline = time.time() + 120
while time.time() < deadline:
    stats = json.load(urllib.request.urlopen(sys.argv[1] + "/_stats?log=0", timeout=30))
    if stats["faults"][0]["applied"] >= 1:
        sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
EOF
waited=$?
kill -9 "$FETCH" 2>/dev/null; wait "$FETCH" 2>/dev/null; FETCH=
check "kill -9 during the single-work re-fetch: caught there" test "$waited" -eq 0
check "... the cut work is not stored" \
    test "$(q kill3.db "SELECT count(*) FROM works WHERE source_id = '$W120'")" -eq 0
check "... nor any work of the page that holds it (only committed pages are)" \
    whole_pages kill3.db
reset
expect_status "... run again, the fetch completes" 0 fetch --db kill3.db --institution "$INST"
same "... to the clean run's corpus" kill3.db

# ---- two fetches at once ----------------------------------------------------------------------
# The second one on the same store refuses at once, as a second copub run does (exit 5,
# one line naming the lock), instead of harvesting everything a second time.
reset
fault "fault=slow&seconds=2&count=all&path=/works"
"$COPUB" fetch openalex "${FETCH_ARGS[@]}" --db twice.db --institution "$INST" \
    >/dev/null 2>twice.err &
FETCH=$!
wait_store twice.db "SELECT 1 FROM harvest_slices"
expect_status "a second fetch on the same store at once exits with 5" 5 \
    fetch --db twice.db --institution "$INST"
contains "... saying which process holds the lock" err.txt \
    "another copub process (pid $FETCH) holds the lock 'twice.db.lock': not starting the fetch"
check "... in one line" test "$(wc -l < err.txt)" -eq 1
expect_status "a HAL fetch on that store waits its turn too" 5 \
    "$COPUB" fetch hal --db twice.db --base-url "$BASE" --struct 413289
kill -9 "$FETCH" 2>/dev/null; wait "$FETCH" 2>/dev/null; FETCH=
sleep 1
reset
expect_status "once the first is gone, a fetch runs" 0 fetch --db twice.db --institution "$INST"

# ---- secrets --------------------------------------------------------------------------------
# The key goes to the server, but never to the terminal, the logs or the store: not with
# -vv, not in retries, not in errors, not through the environment.
reset
fault "fault=503&count=2&path=/institutions"
fault "fault=reset&count=1&path=/works"
fault "fault=429&retry_after=1&count=1&path=/works"
fault "fault=html&count=1&path=/works"
fault "fault=500&count=1&path=/works/W"
expect_status "-vv with a key through faults (ROR id)" 0 \
    fetch --db secret.db --institution 04vfs2w97 --api-key "$SECRET" -vv
cat out.txt err.txt > secret-out.txt
check "-vv showed the requests and the retries" \
    test "$(grep -c 'retrying' err.txt)" -ge 4 -a "$(grep -c 'api_key=\*\*\*' err.txt)" -gt 30
check "the server did receive the key (test sanity)" \
    test "$(api /_stats | grep -o -- "$SECRET" | wc -l)" -gt 30
reset
fault "fault=502&count=all&path=/works&skip=10"
COPUB_OPENALEX_API_KEY=$SECRET \
    expect_status "the key from the environment, retries exhausted: exit 3" 3 \
    fetch --db secret.db --institution "$INST" -vv --max-attempts 2 --refresh-years 40
cat out.txt err.txt >> secret-out.txt
check "the server did receive the environment's key (test sanity)" \
    test "$(log | grep -c -- "$SECRET")" -gt 0
reset
api "/_control?daily_budget=3" >/dev/null
expect_status "a key and a spent budget: exit 3" 3 \
    fetch --db secret2.db --institution "$INST" --api-key "$SECRET" -vv
cat out.txt err.txt >> secret-out.txt
check "the key is nowhere in stdout or stderr" test "$(grep -c -- "$SECRET" secret-out.txt)" -eq 0
check "... not even in part" test "$(grep -c -- "xyz-123" secret-out.txt)" -eq 0
sqlite3 secret.db .dump > secret-dump.txt 2>/dev/null \
    || "$PYTHON" -c 'import sqlite3, sys
print("\n".join(sqlite3.connect(sys.argv[1]).iterdump()))' secret.db > secret-dump.txt
check "the store's dump is not empty (test sanity)" \
    test "$(grep -c 'INSERT INTO' secret-dump.txt)" -gt 100
check "the key is nowhere in the store" \
    test "$(cat secret.db* secret2.db* secret-dump.txt | grep -ac -- "$SECRET")" -eq 0

# ---- ROR ------------------------------------------------------------------------------------
reset
expect_status "--institution 04vfs2w97 (a ROR id)" 0 fetch --db ror.db --institution 04vfs2w97
contains "the ROR id is resolved to $INST" err.txt "works of $INST"
check "it was asked of /institutions/ror:04vfs2w97" \
    test "$(requests /institutions/ror:04vfs2w97)" -eq 1
same "the ROR id fetches the same as $INST" ror.db
for form in https://ror.org/04vfs2w97 ror:04vfs2w97 https://openalex.org/$INST i90183372; do
    cp base.db form.db
    reset
    expect_status "--institution $form continues the store of $INST" 0 \
        fetch --db form.db --institution "$form" --refresh-years 0
    check "... with no list request (every slice is done)" test "$(requests /works)" -eq 0
done
reset
expect_status "an unknown ROR id: exit 3" 3 fetch --db ror2.db --institution 0abcdefgh
contains "the error names it" err.txt "ror:0abcdefgh"
