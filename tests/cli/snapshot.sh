# CLI test of copub scan --snapshot and copub import --snapshot on a small OpenAlex
# snapshot tree in the 2026 layout, written here from a generated corpus:
#   snap/data/jsonl/manifest.json                      combined manifest (works, authors)
#   snap/data/jsonl/works/manifest.json                the works' manifest
#   snap/data/jsonl/works/updated_date=D/part_NNNN.gz  the parts
#   snap/data/jsonl/works/deleted_ids.csv.gz           one deleted work
#   snap/data/parquet/works/...                        the Parquet copy (never read)
#   snap/legacy-data/works/...                         the same parts in the old layout
#   snap/legacy-data/merged_ids/works/D.csv.gz         one merged work
# Checks: the tables of scan --snapshot and of analyse after import --snapshot equal
# those of the same records as plain files, without the merged and deleted works (the
# legacy copy not read twice); a re-import removes those works from a store that had
# them (counted in the log); a short part stops scan and import with status 4 naming it,
# and the store is as before; a later snapshot imports only the newer partition.
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
PY=${PYTHON:-python3}

if ! "$PY" "$TOP/scripts/gen-corpus" --works 900 --seed 23 -o c.jsonl 2>gen.err; then
    not_ok "gen-corpus writes the corpus"; sed 's/^/# /' gen.err | head -n 5
    exit 1
fi

# build.py STAGE DIR: writes the snapshot tree of stage 1 (two partitions) or 2 (a third,
# newer partition, into which one work of the first moved with a new title), and
# plain files of the records a reader should count: live.jsonl (dead works left out),
# all.jsonl (every record). Prints the merged and deleted ids.
cat >build.py <<'EOF'
import gzip, json, os, shutil, sys
stage, root = int(sys.argv[1]), sys.argv[2]
lines = open("c.jsonl", "rb").read().splitlines()
first, second, third = lines[:400], lines[400:700], lines[700:]
merged, deleted = json.loads(lines[10])["id"], json.loads(lines[450])["id"]
moved = json.loads(lines[20])
partitions = {"2025-11-12": [first[:200], first[200:]], "2026-03-01": [second]}
if stage == 2:
    partitions["2025-11-12"][0] = [l for l in first[:200] if json.loads(l)["id"] != moved["id"]]
    moved["title"] = moved["display_name"] = "Moved to a newer partition"
    partitions["2026-06-24"] = [third + [json.dumps(moved).encode()]]
shutil.rmtree(root, ignore_errors=True)
works = os.path.join(root, "data/jsonl/works")
files, records = [], []
for date, parts in sorted(partitions.items()):
    os.makedirs(os.path.join(works, "updated_date=" + date))
    for i, part in enumerate(parts):
        rel = "updated_date=%s/part_%04d.gz" % (date, i)
        with gzip.open(os.path.join(works, rel), "wb") as f:
            f.write(b"\n".join(part) + b"\n")
        files.append({"url": "s3://openalex/data/jsonl/works/" + rel,
                      "meta": {"content_length": os.path.getsize(os.path.join(works, rel)),
                               "record_count": len(part)}})
        records += part
        # The same part in the pre-2026 layout: must not be read.
        old = os.path.join(root, "legacy-data/works/updated_date=" + date)
        os.makedirs(old, exist_ok=True)
        shutil.copy(os.path.join(works, rel), os.path.join(old, "part_%03d.gz" % i))
date = "2026-07-08" if stage == 2 else "2026-04-08"
total = {"record_count": len(records), "content_length": sum(f["meta"]["content_length"] for f in files)}
json.dump({"date": date, "format": "jsonl", "entity": "works", "files": files, **total},
          open(os.path.join(works, "manifest.json"), "w"), indent=2)
authors = [{"url": "s3://openalex/data/jsonl/authors/updated_date=2026-03-01/part_0000.gz",
            "meta": {"content_length": 10, "record_count": 1}}]
json.dump({"date": date, "format": "jsonl", "meta": total,
           "entities": [{"entity": "authors", "files": authors},
                        {"entity": "works", "files": files, **total}]},
          open(os.path.join(root, "data/jsonl/manifest.json"), "w"), indent=2)
os.makedirs(os.path.join(root, "data/parquet/works/updated_date=2026-03-01"))
open(os.path.join(root, "data/parquet/works/updated_date=2026-03-01/part_0000.parquet"), "wb").write(b"PAR1")
with gzip.open(os.path.join(works, "deleted_ids.csv.gz"), "wt") as f:
    f.write("work_id,deleted_date\n%s,2026-02-14\n" % deleted)
merged_dir = os.path.join(root, "legacy-data/merged_ids/works")
os.makedirs(merged_dir)
with gzip.open(os.path.join(merged_dir, "2025-10-01.csv.gz"), "wt") as f:
    f.write("merge_date,id,merge_into_id\n2025-10-01,%s,W1\n" % merged.rsplit("/", 1)[-1])
dead = {merged, deleted}
open("all.jsonl", "wb").write(b"\n".join(records) + b"\n")
open("live.jsonl", "wb").write(b"\n".join(l for l in records if json.loads(l)["id"] not in dead) + b"\n")
print(merged.rsplit("/", 1)[-1], deleted.rsplit("/", 1)[-1])
EOF
read -r MERGED DELETED < <("$PY" build.py 1 snap)
cp live.jsonl live1.jsonl; cp all.jsonl all1.jsonl

# same NAME A B: files A and B are equal and A has rows.
same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1 ($(($(wc -l <"$2") - 1)) rows)"
    else not_ok "$1"; diff "$2" "$3" | head -n 6 | sed 's/^/# /'; fi
}
# table OUT CMD...: runs CMD (a copub command printing a table) into OUT.
table() {
    local out=$1; shift
    "$@" >"$out" 2>err.txt || { sed 's/^/# /' err.txt | head -n 5; return 1; }
}
# dump DB: the store's contents, as SQL text.
dump() { sqlite3 "$1" .dump; }

OPTION_SETS=("--by year" "--by year,country" "--by theme" "--by year,country --home none")

# ---- scan --snapshot ----------------------------------------------------------------------

for opts in "${OPTION_SETS[@]}"; do
    table want.csv "$COPUB" scan --all $opts --format csv live1.jsonl &&
        table got.csv "$COPUB" scan --all $opts --format csv --snapshot snap &&
        same "scan --snapshot $opts = scan of the live records as plain files" want.csv got.csv
done
table all.csv "$COPUB" scan --all --by year,country --format csv all1.jsonl
table live.csv "$COPUB" scan --all --by year,country --format csv live1.jsonl
if ! cmp -s all.csv live.csv; then ok "the merged and deleted works change the table"
else not_ok "the merged and deleted works change the table"; fi
expect_status "scan --snapshot logs what it left out" 0 \
    "$COPUB" scan --institution I90183372 --by year --snapshot snap
contains "scan counts the merged and deleted works left out" err.txt \
    "2 merged or deleted works left out (of 2 listed)"
contains "scan reads the three parts" err.txt "3 part(s) read"
expect_status "scan --since reads the newer partitions only" 0 \
    "$COPUB" scan --all --by year --since 2026-01-01 --snapshot snap
contains "scan --since: one part" err.txt "1 part(s) read, of the partitions newer than 2026-01-01"
# Only the combined manifest (data/jsonl/manifest.json): the works' entry is found in it.
cp -r snap combined
rm combined/data/jsonl/works/manifest.json
table want.csv "$COPUB" scan --all --by year,country --format csv live1.jsonl &&
    table got.csv "$COPUB" scan --all --by year,country --format csv --snapshot combined &&
    same "scan --snapshot with the combined manifest only" want.csv got.csv
expect_status "a folder without a manifest is refused" 1 "$COPUB" scan --all --snapshot snap/data/parquet
contains "the refusal names the manifest" err.txt "no data/jsonl/works/manifest.json"
expect_status "files and --snapshot together are refused" 2 "$COPUB" scan --all --snapshot snap live1.jsonl
expect_status "--since without --snapshot is refused" 2 "$COPUB" scan --all --since 2026-01-01 live1.jsonl

# ---- import --snapshot --------------------------------------------------------------------

expect_status "import --snapshot" 0 "$COPUB" import --no-normalise --db s.db --snapshot snap
contains "import counts the works left out" err.txt \
    "2 merged or deleted works listed: 2 left out of this import, 0 removed from the store"
contains "import records the sync date" err.txt "the store is synced to updated_date=2026-03-01"
expect_status "import of the live records as plain files" 0 "$COPUB" import --no-normalise --db plain.db live1.jsonl
for opts in "${OPTION_SETS[@]}"; do
    table want.csv "$COPUB" analyse --db plain.db $opts --format csv &&
        table got.csv "$COPUB" analyse --db s.db $opts --format csv &&
        same "analyse after import --snapshot $opts = after importing the live plain files" want.csv got.csv
done
# A store that holds the dead works (imported before they died) loses them.
expect_status "import of every record, dead works included" 0 "$COPUB" import --no-normalise --db old.db all1.jsonl
expect_status "import --snapshot into it" 0 "$COPUB" import --no-normalise --db old.db --snapshot snap
contains "the dead works are counted as removed" err.txt "2 left out of this import, 2 removed from the store"
table want.csv "$COPUB" analyse --db plain.db --by year,country --format csv &&
    table got.csv "$COPUB" analyse --db old.db --by year,country --format csv &&
    same "the dead works leave the store's tables" want.csv got.csv
for id in "$MERGED" "$DELETED"; do
    k=$(sqlite3 old.db "SELECT count(*) FROM works WHERE source_id = '$id'")
    if [ "$k" = 0 ]; then ok "$id is no longer in the store"; else not_ok "$id is still in the store"; fi
done

# ---- a short part -------------------------------------------------------------------------

cp -r snap short
"$PY" - <<'EOF'
import gzip
p = "short/data/jsonl/works/updated_date=2025-11-12/part_0001.gz"
lines = gzip.open(p, "rb").read().splitlines(keepends=True)
with gzip.open(p, "wb") as f:
    f.writelines(lines[:-1])
EOF
SHORT=short/data/jsonl/works/updated_date=2025-11-12/part_0001.gz
expect_status "scan of a short part: status 4" 4 "$COPUB" scan --all --by year --snapshot short
contains "scan names the short part" err.txt "'$SHORT':"
contains "scan says the size differs" err.txt "but the manifest says"
dump s.db >before.sql
rm -rf short2; cp -r short short2
"$PY" - <<'EOF'
import json, os
# The manifest's size agrees with the short part: its record count does not.
p = "short2/data/jsonl/works/manifest.json"
m = json.load(open(p))
for f in m["files"]:
    if f["url"].endswith("2025-11-12/part_0001.gz"):
        f["meta"]["content_length"] = os.path.getsize("short2/data/jsonl/works/updated_date=2025-11-12/part_0001.gz")
json.dump(m, open(p, "w"))
EOF
expect_status "scan of a part with a record missing: status 4" 4 "$COPUB" scan --all --by year --snapshot short2
contains "scan gives found and expected records" err.txt "199 records, but the manifest says 200"
"$PY" build.py 2 next >/dev/null   # a later snapshot, with a short part in its new partition
"$PY" - <<'EOF'
import gzip, json, os
p = "next/data/jsonl/works/updated_date=2026-06-24/part_0000.gz"
lines = gzip.open(p, "rb").read().splitlines(keepends=True)
with gzip.open(p, "wb") as f:
    f.writelines(lines[:-3])
m = json.load(open("next/data/jsonl/works/manifest.json"))
for f in m["files"]:
    if f["url"].endswith("2026-06-24/part_0000.gz"):
        f["meta"]["content_length"] = os.path.getsize(p)
json.dump(m, open("next/data/jsonl/works/manifest.json", "w"))
EOF
expect_status "import of a snapshot with a short part: status 4" 4 \
    "$COPUB" import --no-normalise --db s.db --snapshot next
contains "import names the short part" err.txt \
    "'next/data/jsonl/works/updated_date=2026-06-24/part_0000.gz': 198 records, but the manifest says 201"
dump s.db >after.sql
if cmp -s before.sql after.sql; then ok "the store is as before the failed import"
else not_ok "the store is as before the failed import"; diff before.sql after.sql | head -n 4 | sed 's/^/# /'; fi
expect_status "a first import with a short part: status 4" 4 \
    "$COPUB" import --no-normalise --db new.db --snapshot short2
if [ ! -e new.db ] && ! ls new.db.* >/dev/null 2>&1; then ok "a failed first import leaves no store"
else not_ok "a failed first import leaves no store"; ls new.db* | sed 's/^/# /'; fi
# Fetched again (the part and the manifest as published), the same tree imports.
cp snap/data/jsonl/works/manifest.json short2/data/jsonl/works/manifest.json
cp snap/data/jsonl/works/updated_date=2025-11-12/part_0001.gz short2/data/jsonl/works/updated_date=2025-11-12/
expect_status "once the part is fetched again, the import succeeds" 0 \
    "$COPUB" import --no-normalise --db new.db --snapshot short2
table want.csv "$COPUB" analyse --db plain.db --by year,country --format csv &&
    table got.csv "$COPUB" analyse --db new.db --by year,country --format csv &&
    same "and gives the tables of the live records" want.csv got.csv

# ---- incremental import -------------------------------------------------------------------

"$PY" build.py 2 next >/dev/null
# Poison the old partitions: an incremental import must not read them.
for p in next/data/jsonl/works/updated_date=2025-11-12/*.gz next/data/jsonl/works/updated_date=2026-03-01/*.gz; do
    printf 'not a part\n' | gzip >"$p"
done
expect_status "incremental import --snapshot" 0 \
    "$COPUB" import --no-normalise -v --db s.db --snapshot next
contains "it reads one part" err.txt "1 part(s) read, of the partitions newer than 2026-03-01"
contains "it reads the new partition" err.txt "updated_date=2026-06-24"
if grep -q "importing '.*updated_date=20\(25-11-12\|26-03-01\)" err.txt; then
    not_ok "it does not read the old partitions"; else ok "it does not read the old partitions"; fi
contains "the new sync date" err.txt "the store is synced to updated_date=2026-06-24"
"$PY" build.py 2 next >/dev/null
expect_status "full import of the later snapshot" 0 "$COPUB" import --no-normalise --db full.db --snapshot next
for opts in "${OPTION_SETS[@]}"; do
    table want.csv "$COPUB" analyse --db full.db $opts --format csv &&
        table got.csv "$COPUB" analyse --db s.db $opts --format csv &&
        same "incremental import = full import of the later snapshot: $opts" want.csv got.csv
done
k=$(sqlite3 s.db "SELECT count(*) FROM works WHERE title = 'Moved to a newer partition'")
if [ "$k" = 1 ]; then ok "the moved work has its newer record"; else not_ok "the moved work has its newer record ($k)"; fi
expect_status "importing the same snapshot again reads nothing" 0 \
    "$COPUB" import --no-normalise --db s.db --snapshot next
contains "no part read" err.txt "0 part(s) read, of the partitions newer than 2026-06-24"

echo "1..$n"
