# CLI test of `copub affil` with the registry table copub ships: an institution named
# without a place resolves out of the box, `--no-registry` leaves it unknown, a ROR dump
# given with --ror is read (plain, gzipped, release zip), and a bad dump is an error naming
# the file and the record, exit status 4.
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
PY=${PYTHON:-python3}

expect_status "affil resolves with the shipped registry" 0 "$COPUB" affil "University of Cambridge"
check "University of Cambridge is GB 013meh722" \
    grep -qxF "$(printf 'GB\t013meh722\tUniversity of Cambridge\tUniversity of Cambridge')" out.txt
expect_status "affil --no-registry runs" 0 "$COPUB" affil --no-registry "University of Cambridge"
check "without the registry it is unknown" \
    grep -qxF "$(printf '\t\t\tUniversity of Cambridge')" out.txt

"$PY" - <<'PYEOF'
import gzip, json, zipfile
records = [
    {"id": "https://ror.org/05zzzz001", "status": "active", "types": ["education"],
     "names": [{"value": "Zyxwv Example University", "types": ["ror_display", "label"],
                "lang": "en"}],
     "locations": [{"geonames_details": {"country_code": "UY", "name": "Montevideo"}}]},
    {"id": "https://ror.org/05zzzz002", "status": "inactive", "types": ["education"],
     "names": [{"value": "Zyxwv Old College", "types": ["ror_display"], "lang": "en"}],
     "locations": [{"geonames_details": {"country_code": "UY"}}],
     "relationships": [{"type": "successor", "id": "https://ror.org/05zzzz001"}]},
]
text = json.dumps(records)
open("dump.json", "w").write(text)
with gzip.open("dump.json.gz", "wt") as f:
    f.write(text)
with zipfile.ZipFile("dump.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("v9.9-2026-01-01-ror-data.csv", "id\n")
    z.writestr("v9.9-2026-01-01-ror-data.json", text)
gz = open("dump.json.gz", "rb").read()
open("truncated.json.gz", "wb").write(gz[: len(gz) // 2])
del records[1]["locations"]
open("nocountry.json", "w").write(json.dumps(records))
PYEOF
for f in dump.json dump.json.gz dump.zip; do
    expect_status "affil --ror $f" 0 "$COPUB" affil --ror "$f" "Zyxwv Old College"
    check "$f: an inactive record's name finds its successor" \
        grep -qxF "$(printf 'UY\t05zzzz001\tZyxwv Example University\tZyxwv Old College')" out.txt
done
expect_status "a truncated gzip dump: exit 4" 4 "$COPUB" affil --ror truncated.json.gz "x"
contains "the error names the file" err.txt "truncated.json.gz"
expect_status "a record without a country: exit 4" 4 "$COPUB" affil --ror nocountry.json "x"
contains "the error names the record" err.txt "record 2 (05zzzz002): no country"
echo "1..$n"
