# CLI tests of the world map and the links chart: copub plot --chart world-map|links in
# every format and language, the map's values in the report equal to `copub analyse --by
# country` for the same years and options (tests/crosscheck-map.py), empty maps for a
# period or a source without co-publication. The report's map in headless Chromium is
# in tests/cli/report.sh, with the other browser checks.
. "$TOP/tests/cli/lib.sh"
CROSS="$TOP/tests/crosscheck-map.py"

png_size() {
    "$PYTHON" -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
ok = d[:8] == b"\x89PNG\r\n\x1a\n"
print("%dx%d" % struct.unpack(">II", d[16:24]) if ok else "not-png")' "$1"
}
xml_ok() { "$PYTHON" -c 'import sys, xml.dom.minidom as m
[m.parse(f) for f in sys.argv[1:]]' "$@"; }

"$PYTHON" "$TOP/scripts/gen-corpus" --works 800 --seed 7 -o corpus.jsonl
check "import the generated corpus" "$COPUB" import --db s.db corpus.jsonl

expect_status "plot: an unknown --chart is a usage error" 2 "$COPUB" plot --db s.db --chart globe
contains "... naming the charts" err.txt "world-map, links, region-trends or partner-institutions"
expect_status "plot: a bad --counting is a usage error" 2 "$COPUB" plot --db s.db \
    --chart world-map --counting both

# The map and the links alone, in every format and both languages.
for d in png-en svg-en svg-fr pdf-fr; do
    fmt=${d%-*} lang=${d#*-}
    expect_status "plot --chart world-map --format $fmt --lang $lang" 0 \
        "$COPUB" plot --db s.db --out "$d" --chart world-map --format "$fmt" --lang "$lang"
    contains "... lists the map" out.txt "$d/world-map.$fmt"
    check "... and draws nothing else" test "$(ls "$d" | wc -l)" -eq 1
    expect_status "plot --chart links --format $fmt --lang $lang" 0 \
        "$COPUB" plot --db s.db --out "$d" --chart links --format "$fmt" --lang "$lang"
done
check "the map's PNG is 1280x720" test "$(png_size png-en/world-map.png)" = 1280x720
check "the links' PNG is 1280x720" test "$(png_size png-en/links.png)" = 1280x720
check "the SVG charts parse as XML" xml_ok svg-en/world-map.svg svg-fr/links.svg
check "the PDF charts are PDF" test "$(head -c 4 -q pdf-fr/*.pdf | grep -o %PDF | wc -l)" -eq 2
contains "the map has its title" svg-en/world-map.svg "Partner countries on the world map, "
contains "... its colour scale" svg-en/world-map.svg "no co-publication"
contains "... the home country apart" svg-en/world-map.svg "France (home)"
contains "... its footer with n" svg-en/world-map.svg "; n = "
contains "the French map" svg-fr/world-map.svg "Pays partenaires sur la carte du monde"
contains "... its French scale" svg-fr/world-map.svg "aucune co-publication"
"$COPUB" analyse --db s.db --by country --counting full --format csv --from 2018 --to 2021 \
    > period.csv 2>/dev/null
top=$(sed -n '2p' period.csv | cut -d, -f2)
works=$(sed -n '2p' period.csv | cut -d, -f3)
expect_status "plot --chart links --period 2018-2021" 0 "$COPUB" plot --db s.db --out links \
    --chart links --format svg --period 2018-2021
contains "the links name the first partner ($top, $works)" links/links.svg "1 $top · $works<"
expect_status "plot --counting fractional" 0 "$COPUB" plot --db s.db --out frac \
    --chart world-map --format svg --counting fractional
contains "... says so" frac/world-map.svg "fractional share of the works"

# Empty but valid maps: a period without works, a source without co-publication.
expect_status "plot a period without works" 0 "$COPUB" plot --db s.db --out empty \
    --chart world-map --format svg --period 1990
check "... an empty map that parses" xml_ok empty/world-map.svg
contains "... with n = 0" empty/world-map.svg "n = 0 works"
expect_status "plot a source without works" 0 "$COPUB" plot --db s.db --out nohal \
    --chart world-map --source hal
check "... an empty map all the same" test "$(png_size nohal/world-map.png)" = 1280x720

# The report's map: its values are those of analyse --by country over the same years.
expect_status "report 2018-2021" 0 "$COPUB" report --db s.db --out rep --from 2018 --to 2021
"$COPUB" analyse --db s.db --by country --counting both --format csv --from 2018 --to 2021 \
    > rep.csv 2>/dev/null
expect_status "the map's values equal analyse --by country" 0 \
    "$PYTHON" "$CROSS" rep/report.html rep.csv --territories-as-home
sed 's/^/# /' out.txt | tail -n 3
opts="--no-territories-as-home --hk-mo-as-cn --types article"
expect_status "report $opts, in French" 0 "$COPUB" report --db s.db --out rep-fr --lang fr $opts
"$COPUB" analyse --db s.db --by country --counting both --format csv $opts > rep-fr.csv 2>/dev/null
expect_status "... the map's values equal analyse's" 0 \
    "$PYTHON" "$CROSS" rep-fr/report.html rep-fr.csv --hk-mo-as-cn
contains "... the French tooltips" rep-fr/report.html "publications co-signées ("
contains "the Markdown report links the map's PNG" rep/report.md "](world-map.png)"
check "... drawn over the report's years" grep -qF "2018–2021" rep/report.md

# A crosscheck that fails when it should: a number changed in the report.
sed 's/data-works="\([0-9]*\)[0-9]" data-share/data-works="\19" data-share/' rep/report.html \
    > wrong.html
expect_status "the crosscheck catches a wrong value" 1 "$PYTHON" "$CROSS" wrong.html rep.csv \
    --territories-as-home

# The report's map in a real browser: tests/cli/report.sh (check-report.py --map).
echo "1..$n"
