# CLI tests of copub fetch hal against the local test API (scripts/test-api-server) serving
# the HAL fixtures: what is stored equals what the query matches (counted independently
# here), countries come from the structure referential when the record lacks them, the
# structure cache saves lookups on a later run, a killed fetch resumes from its saved
# cursor, faults are survived, a spent retry budget exits 3 and bad options exit 2. HAL as
# HAL counts: year slices by producedDateY_i, older versions (the server indexes them, as
# HAL does, with status_i 111) and annex deposits left out by fetch and import alike, the
# per-year counts equal to the server's facet counts; --hal-year publication and
# --hal-annexes change that.
. "$TOP/tests/cli/lib.sh"
API="$FIX/api"

# The corpus: the shared HAL fixtures plus this test's own cases (fixtures/api/*-fetch.json:
# a team without a country under a US parent, a merged structure, a structure the
# referential does not know, docs without a publication year).
"$PYTHON" - "$API" <<'EOF'
import json, sys
api = sys.argv[1]
def docs(name):
    with open(f"{api}/{name}", encoding="utf-8") as f:
        return json.load(f)["response"]["docs"]
for out, names in (("docs.json", ["hal-docs.json", "hal-docs-fetch.json"]),
                   ("structures.json", ["hal-structures.json", "hal-structures-fetch.json"])):
    all_docs = [d for n in names for d in docs(n)]
    if out == "docs.json":
        # HAL's own counts: a deposit in its 3rd version (the server indexes versions 1 and
        # 2 too, status_i 111, produced a year earlier each), an annex deposit, a work
        # produced in 2017 and published in 2019.
        base = next(d for d in all_docs if d["halId_s"] == "hal-03000002")
        all_docs += [dict(base, docid="3000091", halId_s="hal-03000091", version_i=3,
                          submitType_s="file", producedDateY_i=2020, publicationDateY_i=2021),
                     dict(base, docid="3000092", halId_s="hal-03000092", status_i=11,
                          submitType_s="annex", producedDateY_i=2019, publicationDateY_i=2019),
                     dict(base, docid="3000093", halId_s="hal-03000093", status_i=11,
                          submitType_s="notice", producedDateY_i=2017, publicationDateY_i=2019)]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"response": {"docs": all_docs}}, f)
EOF

start_server 1800 --corpus-hal docs.json --structures structures.json --hal-versions

# reset: no faults, fresh request log.
reset() { api "/_control?clear=1&reset_stats=1" >/dev/null; }
# requests PREFIX: how many requests of the log went to paths starting with PREFIX.
requests() {
    api /_stats | "$PYTHON" -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin)["log"] if e["path"].startswith(sys.argv[1])))' "$1"
}
# corpus DB: what a user gets from the store, without the storage times.
corpus() {
    q "$1" "SELECT source_id, year, type, countries, auth_countries, n_authorships, n_known,
                   raw_hash FROM works WHERE source = 'hal' ORDER BY source_id"
}
# fetch ARGS...: the fetch every test runs, fast (no politeness toward our own server).
fetch() {
    "$COPUB" fetch hal --base-url "$BASE" --from 2015 --to 2024 --rate 200 --rows 2 \
        --retry-ms 20 "$@"
}

# expected.py SCOPE VALUE FROM TO [publication] [annexes]: "halId year" of the docs the query
# must bring, computed from the fixtures with HAL's rules: the production year (with
# "publication": the publication year), else the other dates in HAL's order; no older
# version; no annex deposit (unless "annexes").
cat > expected.py <<'EOF'
import json, re, sys
scope, value, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
by_publication, annexes = "publication" in sys.argv[5:], "annexes" in sys.argv[5:]
with open("docs.json", encoding="utf-8") as f:
    docs = json.load(f)["response"]["docs"]
def values(d, k):
    v = d.get(k)
    return [] if v is None else [str(x) for x in (v if isinstance(v, list) else [v])]
def year(d):
    first = () if by_publication else ("producedDateY_i", "producedDate_s")
    for k in first + ("publicationDateY_i", "publicationDate_s", "ePublicationDate_s",
                      "defenseDate_s", "producedDateY_i", "producedDate_s"):
        for v in values(d, k):
            m = re.match(r"(\d{4})(?!\d)", v)
            if m:
                return int(m.group(1))
    return 0
for d in docs:
    field = "structId_i" if scope == "struct" else "collCode_s"
    if values(d, "status_i") == ["111"] or (values(d, "submitType_s") == ["annex"]
                                             and not annexes):
        continue
    if value in values(d, field) and lo <= year(d) <= hi:
        print(d["halId_s"], year(d))
EOF
got_ids() { q "$1" "SELECT source_id, year FROM works WHERE source = 'hal'" | tr '|' ' ' | sort; }
# same NAME WANT GOT: the two files are equal; their difference is shown when not.
same() {
    if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1"; diff "$2" "$3" | sed 's/^/# /' | head; fi
}

# ---- usage ------------------------------------------------------------------------------
expect_status "fetch hal --help" 0 "$COPUB" fetch hal --help
contains "fetch hal --help shows an example" out.txt "Example: copub fetch hal --struct"
expect_status "fetch --help names hal" 0 "$COPUB" fetch --help
contains "fetch --help lists the hal subcommand" out.txt "copub fetch hal"
expect_status "no structure nor collection: usage error" 2 fetch --db u.db
contains "the missing scope is said" err.txt "--struct"
expect_status "both a structure and a collection: usage error" 2 \
    fetch --db u.db --struct 413289 --collection UNIV-LORRAINE
expect_status "a structure id that is no number: usage error" 2 fetch --db u.db --struct UL
contains "the bad structure id is named" err.txt "'UL'"
expect_status "a collection code with a slash: usage error" 2 fetch --db u.db --collection 'A/B'
expect_status "--from after --to: usage error" 2 \
    fetch --db u.db --struct 413289 --from 2024 --to 2015
expect_status "more rows than HAL allows: usage error" 2 \
    fetch --db u.db --struct 413289 --rows 20000
expect_status "an extra argument: usage error" 2 fetch --db u.db --struct 413289 extra
expect_status "too many jobs: usage error" 2 fetch --db u.db --struct 413289 --jobs 99
expect_status "an unknown --hal-year: usage error" 2 \
    fetch --db u.db --struct 413289 --hal-year submitted
contains "the bad --hal-year is named" err.txt "--hal-year takes produced or publication, not 'submitted'"
check "usage errors make no request" test "$(requests /)" -eq 0
check "usage errors leave no store" test ! -e u.db

# ---- by structure -------------------------------------------------------------------------
reset
"$PYTHON" expected.py struct 413289 2015 2024 | sort > want-struct.txt
check "the structure's fixture docs are many (test sanity)" \
    test "$(wc -l < want-struct.txt)" -ge 40
expect_status "fetch by structure" 0 fetch --db s.db --struct struct-413289
contains "fetch reports its counts" err.txt "$(wc -l < want-struct.txt) new"
got_ids s.db > got-struct.txt
same "stored works = the docs structId_i:413289 matches, with their years" \
    want-struct.txt got-struct.txt
check "a doc without a publication year is kept (year of its production date)" \
    grep -qx "hal-03000043 2018" got-struct.txt
check "a doc with only an e-publication date is kept" grep -qx "hal-03000045 2016" got-struct.txt
check "a doc without a publication year outside the range is not" \
    test -z "$(q s.db "SELECT 1 FROM works WHERE source_id = 'hal-03000044'")"
check "every slice is done, under a key naming the year rule" \
    test "$(q s.db "SELECT count(*) FROM harvest_slices
                    WHERE harvest = 'hal docs struct:413289 year:produced'
                    AND done = 1 AND cursor IS NULL")" -eq 11
check "the API's counts were met" \
    test -z "$(q s.db "SELECT slice FROM harvest_slices
                       WHERE expected IS NOT NULL AND expected != works")"
api /_stats > stats1.json
"$PYTHON" - stats1.json > search-check.txt <<'EOF'
import json, sys, urllib.parse
log = json.load(open(sys.argv[1]))["log"]
bad = []
facets = []
for e in log:
    if not e["path"].startswith("/search"):
        continue
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(e["target"]).query)
    if qs.get("facet") == ["true"]:
        # HAL's count per year after the harvest: the harvest's q and fq, no docs.
        facets.append(qs.get("q") == ["*:*"] and qs.get("rows") == ["0"]
                      and qs.get("fq") == ["structId_i:413289",
                                           "producedDateY_i:[2015 TO 2024]",
                                           "-status_i:111", "-submitType_s:annex"]
                      and qs.get("facet.field") == ["producedDateY_i"])
        continue
    fl = qs.get("fl", [""])[0].split(",")
    if (qs.get("q") != ["*:*"] or qs.get("wt") != ["json"] or qs.get("sort") != ["docid asc"]
            or "structId_i:413289" not in qs.get("fq", []) or "cursorMark" not in qs
            or not {"docid", "halId_s", "authIdHasPrimaryStructure_fs",
                    "structCountry_s"} <= set(fl)):
        bad.append(e["target"])
print("bad", len(bad), bad[:1])
print("facets", facets)
EOF
contains "every /search asks q=*:*, the fq, wt=json, sort=docid asc, cursorMark and the fields" \
    search-check.txt "bad 0 "
contains "one facet request, with the harvest's q and fq, counts the docs per year" \
    search-check.txt "facets [True]"

# HAL as HAL counts. hal_rules.py STATS YEARFIELD [annexes]: every /search slices by
# YEARFIELD (one year, or the docs without one) and leaves out older versions, and annexes
# unless "annexes".
cat > hal_rules.py <<'EOF'
import json, re, sys, urllib.parse
log, field, annexes = json.load(open(sys.argv[1]))["log"], sys.argv[2], "annexes" in sys.argv[3:]
bad = []
for e in log:
    if not e["path"].startswith("/search"):
        continue
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(e["target"]).query)
    fq = qs.get("fq", [])
    years = [f for f in fq if "DateY_i" in f]
    # A page asks for one year (or the docs without one), the facet request for the range.
    one = r"\[\d{4} TO \d{4}\]" if qs.get("facet") == ["true"] else r"\d{4}|\[\* TO \*\]"
    if ("-status_i:111" not in fq or ("-submitType_s:annex" in fq) == annexes
            or len(years) != 1 or not re.fullmatch(r"-?%s:(%s)" % (field, one), years[0])):
        bad.append(fq)
print("bad", len(bad), bad[:1])
EOF
"$PYTHON" hal_rules.py stats1.json producedDateY_i > rules-check.txt
contains "every /search slices by producedDateY_i, sends -status_i:111 and -submitType_s:annex" \
    rules-check.txt "bad 0 "
check "the server indexes hal-03000091's three versions (test sanity)" \
    test "$(api "/search/?q=halId_s:hal-03000091&rows=0&wt=json" \
            | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["response"]["numFound"])')" -eq 3
check "an older version is no work: hal-03000091 once, in its current version's year (2020)" \
    test "$(q s.db "SELECT count(*) || ' ' || year FROM works WHERE source_id = 'hal-03000091'")" \
    = "1 2020"
check "an annex deposit is left out" \
    test -z "$(q s.db "SELECT 1 FROM works WHERE source_id = 'hal-03000092'")"
check "a work produced in 2017 and published in 2019 counts in 2017" \
    grep -qx "hal-03000093 2017" got-struct.txt
# HAL's own per-year counts (facets on producedDateY_i, the filters HAL's statistics use)
# equal what the store holds (the docs without producedDateY_i, in the store by their
# other dates, are not in HAL's facet).
api "/search/?q=*:*&fq=structId_i:413289&fq=-status_i:111&fq=-submitType_s:annex&rows=0&wt=json&facet=true&facet.field=producedDateY_i&facet.limit=-1&facet.mincount=1" \
    > facets.json
"$PYTHON" - facets.json got-struct.txt > facet-check.txt <<'EOF'
import collections, json, sys
f = json.load(open(sys.argv[1]))["facet_counts"]["facet_fields"]["producedDateY_i"]
hal = {int(y): n for y, n in zip(f[::2], f[1::2]) if 2015 <= int(y) <= 2024}
docs = json.load(open("docs.json"))["response"]["docs"]
no_year = {d["halId_s"] for d in docs if "producedDateY_i" not in d}
held = collections.Counter(int(l.split()[1]) for l in open(sys.argv[2])
                           if l.split()[0] not in no_year)
print("same" if hal == dict(held) and hal else f"HAL {sorted(hal.items())} copub {sorted(held.items())}")
EOF
contains "per year, the store holds what HAL's facet counts" facet-check.txt "same"

# Import applies the same rule to the records: the server's whole index for the structure
# (older versions and the annex included) imported gives the fetch's works and years.
api "/search/?q=structId_i:413289&rows=10000&wt=json&fl=*" > index.json
expect_status "import of HAL's index with its older versions and annex" 0 \
    "$COPUB" import --db i.db index.json
contains "import says what it left out" err.txt \
    "2 older versions (status_i 111), 1 annex deposits"
q i.db "SELECT source_id, year FROM works WHERE year BETWEEN 2015 AND 2024" | tr '|' ' ' | sort \
    > got-import.txt
same "import gives the fetch's works and years" got-struct.txt got-import.txt
expect_status "import with --hal-year publication --hal-annexes" 0 \
    "$COPUB" import --db i2.db --hal-year publication --hal-annexes index.json
q i2.db "SELECT source_id, year FROM works WHERE year BETWEEN 2015 AND 2024" | tr '|' ' ' \
    | sort > got-import2.txt
"$PYTHON" expected.py struct 413289 2015 2024 publication annexes | sort > want-pub.txt
same "... gives the docs by publication year, the annex included" want-pub.txt got-import2.txt
expect_status "import with an unknown --hal-year: usage error" 2 \
    "$COPUB" import --db i3.db --hal-year submitted index.json
check "... and no store" test ! -e i3.db

# The other choices: by publication year, annexes kept; a harvest of its own in the store.
reset
expect_status "fetch --hal-year publication --hal-annexes" 0 \
    fetch --db p.db --struct 413289 --hal-year publication --hal-annexes
got_ids p.db > got-pub.txt
same "stored works = the docs by publication year, the annex included" want-pub.txt got-pub.txt
check "the work produced in 2017 counts in 2019, its publication year" \
    grep -qx "hal-03000093 2019" got-pub.txt
api /_stats > stats-p.json
"$PYTHON" hal_rules.py stats-p.json publicationDateY_i annexes > rules-check-p.txt
contains "every /search slices by publicationDateY_i, sends -status_i:111 only" \
    rules-check-p.txt "bad 0 "
check "its slices are kept under their own key" \
    test "$(q p.db "SELECT count(*) FROM harvest_slices
                    WHERE harvest = 'hal docs struct:413289 year:publication annexes'
                    AND done = 1")" -eq 11

# Countries: the record's structure fields do not line up (fewer countries than structures),
# so these come from /ref/structure: a team without a country takes its parent's (US), a
# merged structure is found by its old id (BE), an unknown one stays unknown (not FR).
check "a team without a country gets its US parent's country through the referential" \
    test "$(q s.db "SELECT auth_countries FROM works WHERE source_id = 'hal-03000041'")" = "FR;US"
check "merged structure resolved (BE), unknown structure left unknown" \
    test "$(q s.db "SELECT auth_countries FROM works WHERE source_id = 'hal-03000042'")" = "FR;BE;"
check "the unknown structure's authorship counts as unknown" \
    test "$(q s.db "SELECT n_authorships || '/' || n_known FROM works
                    WHERE source_id = 'hal-03000042'")" = "3/2"
check "the second author's institution is the team, with the referential's name" \
    test "$(q s.db "SELECT i.id || ' ' || i.name || ' ' || i.country
                    FROM institutions i, works w
                    WHERE w.source_id = 'hal-03000041'
                      AND ' ' || w.institutions || ' ' LIKE '% ' || i.id || ' %'
                      AND i.country = 'US'")" \
    = "struct-900010 Example Team US"
# (The affiliation normaliser may infer one from the name, marked '~' and kept apart.)
check "a laboratory without a country stays unknown" \
    test "$(q s.db "SELECT auth_countries FROM works WHERE source_id = 'hal-03000043'" \
            | sed 's/;~.*/;/')" = "FR;"
check "looked-up structures are cached in the store" \
    test "$(q s.db "SELECT count(*) FROM hal_structures
                    WHERE id IN ('struct-900010', 'struct-900002', 'struct-900012',
                                 'struct-900099')")" -eq 4
ref1=$(requests /ref/structure)
check "structures were looked up in /ref/structure ($ref1 requests)" test "$ref1" -gt 0
check "looked up in batches (fewer requests than structures)" test "$ref1" -lt 12

# A later run harvests every year again (refresh window) but asks no structure again.
corpus s.db > corpus-s1.txt
reset
expect_status "re-run over the whole range" 0 fetch --db s.db --struct 413289 --refresh-years 20
contains "the re-run changes nothing" err.txt \
    "0 new, 0 updated, $(wc -l < want-struct.txt) unchanged"
check "the re-run fetched the docs again" test "$(requests /search)" -ge 11
check "the structure cache spares /ref/structure on the re-run" \
    test "$(requests /ref/structure)" -eq 0
corpus s.db > corpus-s2.txt
same "the store's works are the same after the re-run" corpus-s1.txt corpus-s2.txt
# A cached record that no longer parses is asked again and replaced.
"$PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE hal_structures SET record = ? WHERE id = ?", ("{not json", "struct-900010"))
c.commit()' s.db
reset
expect_status "re-run with a spoilt cache record" 0 \
    fetch --db s.db --struct 413289 --refresh-years 20
check "the spoilt record was asked again, alone" test "$(requests /ref/structure)" -eq 1
check "... and replaced" \
    test "$(q s.db "SELECT json_extract(record, '\$.name_s') FROM hal_structures
                    WHERE id = 'struct-900010'")" = "Example Team"
check "... and the team's authorship keeps its country" \
    test "$(q s.db "SELECT auth_countries FROM works WHERE source_id = 'hal-03000041'")" = "FR;US"
# Cached records grow old: past 180 days they are asked again, and replaced; when the
# referential fails then, the old records stand and the fetch goes on.
"$PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE hal_structures SET fetched_at = ?, record = replace(record, ?, ?)"
          " WHERE id = ?", ("2020-01-01T00:00:00Z", "Example Team", "Old Team", "struct-900010"))
c.commit()' s.db
reset
api "/_control?fault=503&count=0&path=/ref" >/dev/null
expect_status "a run whose structure refresh fails still succeeds" 0 \
    fetch --db s.db --struct 413289 --refresh-years 20 --max-attempts 2
check "... asking the referential for the old record" test "$(requests /ref/structure)" -ge 1
check "... keeping the old record" \
    test "$(q s.db "SELECT json_extract(record, '\$.name_s') FROM hal_structures
                    WHERE id = 'struct-900010'")" = "Old Team"
check "... and the team's country" \
    test "$(q s.db "SELECT auth_countries FROM works WHERE source_id = 'hal-03000041'")" = "FR;US"
reset
expect_status "a run with the referential back" 0 \
    fetch --db s.db --struct 413289 --refresh-years 20
check "the old record was asked again, alone" test "$(requests /ref/structure)" -eq 1
check "... and replaced, with today's date" \
    test "$(q s.db "SELECT json_extract(record, '\$.name_s') || ' ' || (fetched_at > '2021')
                    FROM hal_structures WHERE id = 'struct-900010'")" = "Example Team 1"
reset
expect_status "a run with the recent years done does nothing" 0 fetch --db s.db --struct 413289 \
    --refresh-years 0
check "... and sends no request but HAL's count per year" \
    test "$(requests /)" -eq 1 -a "$(requests /search/)" -eq 1

# ---- by collection ------------------------------------------------------------------------
reset
"$PYTHON" expected.py collection TESTCOLL 2015 2024 | sort > want-coll.txt
expect_status "fetch by collection (code given in lower case)" 0 \
    fetch --db c.db --collection testcoll --jobs 1
got_ids c.db > got-coll.txt
same "stored works = the docs of collection TESTCOLL" want-coll.txt got-coll.txt
check "the collection is the path /search/TESTCOLL/" test "$(requests /search/TESTCOLL/)" -ge 11
check "a doc whose record lacks countries gets them from the referential" \
    test "$(q c.db "SELECT auth_countries FROM works WHERE source_id = 'hal-03000005'")" = "FR;FR"
check "a record's own aligned country is kept" \
    test "$(q c.db "SELECT countries FROM works WHERE source_id = 'hal-03000046'")" = "BE"
"$PYTHON" expected.py collection UNIV-LORRAINE 2015 2024 | sort > want-ul.txt
expect_status "fetch collection UNIV-LORRAINE" 0 fetch --db c.db --collection UNIV-LORRAINE
q c.db "SELECT s.slice FROM harvest_slices s
        WHERE s.harvest = 'hal docs collection:UNIV-LORRAINE year:produced' AND s.done = 1" \
    | wc -l > ul-slices.txt
check "its slices are kept apart from TESTCOLL's" test "$(cat ul-slices.txt)" -eq 11
sort -u want-ul.txt want-coll.txt > want-c.txt
got_ids c.db > got-c.txt
same "the store holds both collections' docs, once each" want-c.txt got-c.txt

# ---- faults -------------------------------------------------------------------------------
# Every kind of fault, one after the other on /search and /ref/structure: the fetch
# retries through them and ends with the same corpus as the clean run.
reset
api "/_control?fault=503&retry_after=1&count=2&path=/search" >/dev/null
api "/_control?fault=reset&count=1&path=/search" >/dev/null
api "/_control?fault=cut-json&count=1&path=/search" >/dev/null
api "/_control?fault=html&count=1&path=/search" >/dev/null
api "/_control?fault=truncate&count=1&path=/search" >/dev/null
api "/_control?fault=429&retry_after=1&count=1&path=/search" >/dev/null
api "/_control?fault=cut-json&count=1&path=/ref" >/dev/null
api "/_control?fault=503&count=1&path=/ref" >/dev/null
api "/_control?fault=html&count=1&path=/ref" >/dev/null
expect_status "fetch through 503, reset, cut JSON, HTML, truncation, 429" 0 \
    fetch --db f.db --struct 413289 --max-attempts 10
api /_stats > stats-f.json
check "every fault was served" "$PYTHON" -c 'import json, sys
f = json.load(open(sys.argv[1]))["faults"]
sys.exit(0 if len(f) == 9 and all(x["applied"] == x["count"] for x in f) else 1)' stats-f.json
corpus f.db > corpus-f.txt
same "the corpus after faults equals the clean run's" corpus-s1.txt corpus-f.txt

# A spent retry budget: exit 3, the error says which request failed and why.
reset
api "/_control?fault=503&count=0&path=/search" >/dev/null
expect_status "a server that keeps failing: exit 3" 3 \
    fetch --db b.db --struct 413289 --max-attempts 2
contains "the error says how many attempts" err.txt "failed after 2 attempts"
contains "the error says why" err.txt "HTTP 503"
contains "the error names the request" err.txt "/search/?q=*:*"
reset
api "/_control?fault=503&count=0&path=/ref" >/dev/null
expect_status "a structure referential that keeps failing: exit 3" 3 \
    fetch --db b2.db --struct 413289 --max-attempts 2
contains "the error names the /ref/structure request" err.txt "/ref/structure/"
check "no page was committed without its structures" \
    test "$(q b2.db "SELECT count(*) FROM works
                     WHERE source_id IN ('hal-03000041', 'hal-03000042')")" -eq 0
reset
api "/_control?fault=400&count=1&path=/search&message=undefined+field+structId_i" >/dev/null
expect_status "a Solr error (400) is not retried: exit 3" 3 \
    fetch --db b3.db --struct 413289 --jobs 1
contains "HAL's message is quoted" err.txt "undefined field structId_i"
check "the 400 was asked once" test "$(requests /search)" -eq 1

# ---- resume after kill -9 -------------------------------------------------------------------
# Slow pages; kill the fetch as soon as a slice has a page committed but not its last one.
reset
api "/_control?fault=slow&seconds=1&count=0&path=/search" >/dev/null
# Not through the fetch function: $! must be copub itself, not a subshell around it.
"$COPUB" fetch hal --base-url "$BASE" --from 2015 --to 2024 --rate 200 --rows 2 --retry-ms 20 \
    --db r.db --struct 413289 --refresh-years 0 >/dev/null 2>r1.err &
FETCH=$!
"$PYTHON" - r.db <<'EOF'
import sqlite3, sys, time
deadline = time.time() + 120
while time.time() < deadline:
    try:
        c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=5)
        row = c.execute("SELECT 1 FROM harvest_slices WHERE done = 0 AND cursor IS NOT NULL"
                        ).fetchone()
        c.close()
        if row:
            sys.exit(0)
    except sqlite3.Error:
        pass
    time.sleep(0.05)
sys.exit(1)
EOF
waited=$?
kill -9 "$FETCH" 2>/dev/null; wait "$FETCH" 2>/dev/null; FETCH=
check "a slice was caught midway" test "$waited" -eq 0
q r.db "SELECT slice || ' ' || cursor FROM harvest_slices WHERE done = 0 AND cursor IS NOT NULL" \
    > partial.txt
check "the killed fetch left a slice with a saved cursor" test -s partial.txt
check "the killed fetch did not finish" \
    test "$(q r.db "SELECT count(*) FROM works")" -lt "$(wc -l < want-struct.txt)"
# Requests of the killed fetch still in the server's hands may land in the new log: the
# resumed fetch signs its own with a contact address in its user agent.
reset
expect_status "the fetch run again completes" 0 \
    fetch --db r.db --struct 413289 --refresh-years 0 --mailto resumed@example.org
api /_stats > stats-r.json
cat > resumed.py <<'EOF'
import json, sys, urllib.parse
stats, partial, what = sys.argv[1:4]
saved = dict(l.strip().split(" ", 1) for l in open(partial) if " " in l)
sent = []  # (publication year fq, cursorMark) of the resumed fetch's /search requests
for e in json.load(open(stats))["log"]:
    if e["path"].startswith("/search") and "resumed@example.org" in (e.get("ua") or ""):
        qs = urllib.parse.parse_qs(urllib.parse.urlsplit(e["target"]).query)
        years = [f for f in qs.get("fq", []) if "producedDateY_i" in f]
        sent.append((years[0] if years else "", qs.get("cursorMark", [""])[0]))
marks = {m for _, m in sent}
if what == "cursor":    # every saved cursor was sent
    ok = bool(saved) and set(saved.values()) <= marks
else:                   # no interrupted year slice was asked from its start
    ok = bool(sent) and not any(m == "*" and f == f"producedDateY_i:{s}"
                                for f, m in sent for s in saved)
if not ok:
    print("# saved:", saved, "sent:", sent)
sys.exit(0 if ok else 1)
EOF
check "it resumed from the saved cursor" "$PYTHON" resumed.py stats-r.json partial.txt cursor
check "the interrupted slices were not started again" \
    "$PYTHON" resumed.py stats-r.json partial.txt start
corpus r.db > corpus-r.txt
same "the resumed corpus equals an uninterrupted run's" corpus-s1.txt corpus-r.txt
check "every slice is done after the resume" \
    test "$(q r.db "SELECT count(*) FROM harvest_slices WHERE done = 1")" -eq 11
