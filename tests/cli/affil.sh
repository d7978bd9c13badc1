# CLI test of `copub affil` with the registry table copub ships: an institution named
# without a place resolves out of the box, `--no-registry` leaves it unknown, a ROR dump
# given with --ror is read (plain, gzipped, release zip), and a bad dump is an error naming
# the file and the record, exit status 4, from affil and from import (nothing imported);
# a HAL structure with a ROR id and no country gets the registry's country.
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
open("v1.json", "w").write(json.dumps([{"id": "https://ror.org/05zzzz009", "name": "X",
                                         "country": {"country_code": "UY"}}]))
open("schema.json", "w").write(json.dumps({"items": records}))
with zipfile.ZipFile("truncated.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("v9.9-2026-01-01-ror-data.json", text[: len(text) // 2])
del records[1]["locations"]
open("nocountry.json", "w").write(json.dumps(records))
PYEOF
for f in dump.json dump.json.gz dump.zip; do
    expect_status "affil --ror $f" 0 "$COPUB" affil --ror "$f" "Zyxwv Old College"
    check "$f: an inactive record's name finds its successor" \
        grep -qxF "$(printf 'UY\t05zzzz001\tZyxwv Example University\tZyxwv Old College')" out.txt
done
expect_status "a truncated gzip dump: exit 4" 4 "$COPUB" affil --ror truncated.json.gz "x"
contains "the error names the file and the record" err.txt "'truncated.json.gz' record 1"
contains "the error says it is truncated" err.txt "truncated"
expect_status "a truncated dump in a zip: exit 4" 4 "$COPUB" affil --ror truncated.zip "x"
contains "the error names the zip, its member and the record" err.txt \
    "'truncated.zip' (v9.9-2026-01-01-ror-data.json) record 2"
expect_status "another schema (an object, not ROR's array): exit 4" 4 \
    "$COPUB" affil --ror schema.json "x"
contains "the error names the file and what was expected" err.txt \
    "'schema.json': not a ROR v2 dump (expected a JSON array of records)"
expect_status "a ROR schema v1 dump: exit 4" 4 "$COPUB" affil --ror v1.json "x"
contains "the error names the record and the schema" err.txt "record 1 (05zzzz009): a ROR schema v1"
expect_status "a record without a country: exit 4" 4 "$COPUB" affil --ror nocountry.json "x"
contains "the error names the record" err.txt "record 2 (05zzzz002): no country"
check "nothing printed: no string resolved with a half-loaded registry" test ! -s out.txt

# import --ror: the same errors, exit 4, and nothing imported.
OA=$TOP/fixtures/openalex
for f in truncated.json.gz schema.json nocountry.json; do
    expect_status "import --ror $f: exit 4" 4 "$COPUB" import --db bad.db --ror "$f" \
        "$OA/works.jsonl"
    contains "import --ror $f: the error names the file" err.txt "'$f'"
    check "import --ror $f: no work in the store" \
        test "$( [ -f bad.db ] && q bad.db "select count(*) from works" 2>/dev/null || echo 0)" = 0
done
expect_status "import --ror with a good dump works" 0 "$COPUB" import --db good.db --ror dump.zip \
    "$OA/works.jsonl"
check "the good import has its works" test "$(q good.db "select count(*) from works")" -gt 0
# A HAL structure with a ROR id (structRorIdExt_s) and no country gets the registry's.
cat > hal-ror.json <<'EOF2'
{"response": {"numFound": 1, "docs": [{"docid": "9300301", "halId_s": "hal-09300301",
 "docType_s": "ART", "publicationDateY_i": 2021,
 "authIdHasPrimaryStructure_fs": [
  "1400301-0_FacetSep_Ada Example_JoinSep_930301_FacetSep_Department of Zoology",
  "1400302-0_FacetSep_Jean Exemple_JoinSep_930302_FacetSep_Laboratoire inventé"],
 "structId_i": [930301, 930302], "structName_s": ["Department of Zoology", "Laboratoire inventé"],
 "structRorIdExt_s": ["https://ror.org/013meh722", ""], "structCountry_s": ["", "fr"]}]}}
EOF2
expect_status "import a HAL work whose structure has a ROR id and no country" 0 \
    "$COPUB" import --db hal.db hal-ror.json
check "its authorship's country is the registry's (GB, inferred), the other's HAL's" \
    test "$(q hal.db "select auth_countries from works")" = "~GB;FR"
echo "1..$n"
