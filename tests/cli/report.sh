# CLI tests of copub plot and copub report on a generated corpus: the files a user gets,
# hostile names in the theme map, the partner file and the institution name, a machine
# without gnuplot, and the report opened in headless Chromium (tests/browser/), whose
# full-page screenshots are kept in $BUILDDIR/test-artefacts/.
. "$TOP/tests/cli/lib.sh"
REP="$FIX/report"
ART="$TOP/${BUILDDIR:-build}/test-artefacts"
mkdir -p "$ART"
CHECK="$TOP/tests/browser/check-report.py"
UL="Université de Lorraine"

# png_size FILE: "WxH" from the PNG header.
png_size() {
    "$PYTHON" -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
ok = d[:8] == b"\x89PNG\r\n\x1a\n"
print("%dx%d" % struct.unpack(">II", d[16:24]) if ok else "not-png")' "$1"
}

for cmd in plot report; do
    expect_status "copub $cmd --help" 0 "$COPUB" "$cmd" --help
    contains "$cmd --help shows an example" out.txt "Example"
done
expect_status "plot: bad --format is a usage error" 2 "$COPUB" plot --db s.db --format gif
expect_status "report: bad --lang is a usage error" 2 "$COPUB" report --db s.db --lang de
expect_status "report: bad --period is a usage error" 2 \
    "$COPUB" report --db s.db --period 2024-2020
expect_status "report of a missing store fails" 1 "$COPUB" report --db missing.db
contains "missing store is named" err.txt "missing.db"

"$PYTHON" "$TOP/scripts/gen-corpus" --works 800 --seed 7 -o corpus.jsonl
check "import the generated corpus" "$COPUB" import --db s.db corpus.jsonl
OPTS="--db s.db --partners $REP/partners.tsv --themes $REP/themes.tsv"

# plot: nine charts in each format, PNG at 1280x720.
expect_status "plot PNG" 0 "$COPUB" plot $OPTS --out png --institution-name "$UL"
for c in share-by-year share-by-theme partner-countries partner-country-trends \
         strategic-partners theme-country-heatmap world-map links region-trends; do
    contains "plot lists $c" out.txt "png/$c.png"
    check "$c.png is 1280x720" test "$(png_size "png/$c.png")" = 1280x720
done
expect_status "plot SVG" 0 "$COPUB" plot $OPTS --out svg --format svg
check "SVG charts parse as XML" "$PYTHON" -c 'import sys, xml.dom.minidom as m
[m.parse(f) for f in sys.argv[1:]]' svg/*.svg
expect_status "plot PDF" 0 "$COPUB" plot $OPTS --out pdf --format pdf --lang fr
check "nine PDF charts" test "$(head -c 4 -q pdf/*.pdf | grep -o %PDF | wc -l)" -eq 9
expect_status "plot without a partner file skips (e)" 0 "$COPUB" plot --db s.db --out nop
contains "the skipped chart is named" err.txt "skipped chart 'strategic-partners'"
check "and not drawn" test ! -e nop/strategic-partners.png

# report: the documents, the CSV tables, the PNG charts.
expect_status "report" 0 "$COPUB" report $OPTS --out rep --institution-name "$UL"
for f in report.html report.md year.csv theme.csv country.csv partner-year.csv region-year.csv \
         share-by-year.png theme-country-heatmap.png; do
    check "report wrote $f" test -s "rep/$f"
done
contains "report.md opens with the title" rep/report.md "# International co-publication: $UL"
contains "report.md links the PNG charts" rep/report.md "](strategic-partners.png)"
contains "year.csv has its header" rep/year.csv "year,works,international,share,share_low,"
expect_status "report in French" 0 "$COPUB" report $OPTS --out rep-fr --lang fr
contains "French report" rep-fr/report.html "Ce que mesurent les chiffres"
contains "French numbers" rep-fr/report.md " %"
# The groups: the share of each year's works co-authored with each group, en and fr.
contains "report has the groups' table" rep/report.md "**Share of the works co-authored with each group of countries, by year**"
contains "... the least developed countries among them" rep/report.md "| Least developed countries |"
contains "French report has it" rep-fr/report.md "**Part des publications co-écrites avec chaque groupe de pays, par année**"
contains "... in French" rep-fr/report.md "| Pays les moins avancés |"
contains "region-year.csv has its header" rep/region-year.csv "region,region_name,year,works,n,share,"
expect_status "plot --by region draws the groups' chart" 0 "$COPUB" plot $OPTS --by region \
    --groups "$FIX/analyse/groups.tsv" --out reg
contains "... and only it" out.txt "reg/region-trends.png"
check "... 1280x720" test "$(png_size reg/region-trends.png)" = 1280x720
check "... one chart" test "$(ls reg | wc -l)" -eq 1
expect_status "plot --by country is a usage error" 2 "$COPUB" plot $OPTS --by country --out reg
printf 'DE\tEurope\n' > bad-groups.tsv
expect_status "a groups file taking a built-in name is bad data" 4 "$COPUB" report $OPTS \
    --groups bad-groups.tsv --out bad-rep
contains "... named with its line" err.txt "bad-groups.tsv' line 1: 'Europe' is a built-in group"
expect_status "a missing groups file is a usage error" 2 "$COPUB" analyse --db s.db \
    --by region --groups missing-groups.tsv
# How the figure moves: the section in both languages, its numbers recounted from the
# store by tests/crosscheck-variants.py (Python's sqlite3, not copub's code).
contains "report has 'How the figure moves'" rep/report.md "## How the figure moves"
contains "French report has it" rep-fr/report.md "## Comment le chiffre varie selon sa définition"
contains "its sentence says where 'about one in two' holds" rep/report.md "“About one in two” holds"
expect_status "its numbers agree with a recount from the store" 0 \
    "$PYTHON" "$TOP/tests/crosscheck-variants.py" s.db rep/report.md
sed 's/^/# /' err.txt | head -n 9
# The French text comes from copub's catalogue, not from the user's locale: the same
# report under LANG=C, LC_ALL=C.UTF-8, a French locale (installed or not) and none.
same_french() { sed 's/ le [0-9-]*\.$/ le DATE./' "$1" > "$1.nodate"
    sed 's/ le [0-9-]*\.$/ le DATE./' rep-fr/report.md | cmp -s - "$1.nodate"; }
for e in LANG=C LC_ALL=C.UTF-8 LC_ALL=fr_FR.UTF-8 LANGUAGE=de none; do
    case $e in none) set -- ;; *) set -- "$e" ;; esac
    expect_status "French report with $e" 0 env -u LANG -u LC_ALL -u LC_MESSAGES -u LANGUAGE \
        "$@" "$COPUB" report $OPTS --out "rep-fr-$e" --lang fr
    check "... the same French text" same_french "rep-fr-$e/report.md"
done

# The report in a real browser: it loads without console errors or outside requests,
# the headline and the nine charts are there and visible, the world map with its
# countries, tooltips and keyboard access (its picture kept too), the PNG charts are
# 1280x720.
expect_status "report.html passes the browser check" 0 "$PYTHON" "$CHECK" rep/report.html \
    --charts 9 --png-size 1280x720 --screenshot "$ART/report.png" \
    --map --map-screenshot "$ART/world-map.png" --section variants:8 \
    --table "Share of the works co-authored with each group of countries:8"
sed 's/^/# /' out.txt
check "screenshot kept in test-artefacts" test "$(png_size "$ART/report.png" | cut -dx -f1)" = 1280
check "the map's picture kept in test-artefacts" test "$(png_size "$ART/world-map.png")" != not-png
expect_status "French report passes the browser check" 0 "$PYTHON" "$CHECK" \
    rep-fr/report.html --charts 9 --png-size 1280x720 --screenshot "$ART/report-fr.png" \
    --map --map-screenshot "$ART/world-map-fr.png" --section variants:8 \
    --table "Part des publications co-écrites avec chaque groupe de pays:8"

# Partner institutions (--home-institution): the section beside the strategic list, its
# CSV and its chart, in English and French, in the browser too (ten charts).
IOPTS="$OPTS --home-institution 04vfs2w97"
expect_status "report with partner institutions" 0 "$COPUB" report $IOPTS --out rep-inst
contains "... its section" rep-inst/report.md "## Partner institutions"
contains "... its table" rep-inst/report.md "**Top partner institutions, "
contains "... the strategic list beside it" rep-inst/report.md "| Strategic partner |"
check "... the strategic partners outside the top 50 or the candidates named" \
    grep -qE "^(Strategic partners outside the top 50|Candidates: )" rep-inst/report.md
contains "... its CSV" rep-inst/institution.csv "institution,openalex_id,institution_name,"
check "... its chart" test -s rep-inst/partner-institutions.png
expect_status "report with partner institutions, in French" 0 "$COPUB" report $IOPTS \
    --out rep-inst-fr --lang fr
contains "... its French section" rep-inst-fr/report.md "## Établissements partenaires"
contains "... French table" rep-inst-fr/report.md "| Partenaire stratégique |"
for l in en fr; do
    d=rep-inst; [ $l = fr ] && d=rep-inst-fr
    expect_status "report with partner institutions ($l) passes the browser check" 0 \
        "$PYTHON" "$CHECK" $d/report.html --charts 10 --png-size 1280x720 \
        --screenshot "$ART/report-institutions-$l.png" --section institutions:20
    sed 's/^/# /' out.txt | head -n 5
done
expect_status "plot --by institution draws the partner institutions' chart alone" 0 \
    "$COPUB" plot $IOPTS --by institution --out inst-png
check "... one chart, 1280x720" test "$(cat out.txt)" = "inst-png/partner-institutions.png" \
    -a "$(png_size inst-png/partner-institutions.png)" = 1280x720
expect_status "plot --by institution without a home institution skips it" 0 \
    "$COPUB" plot --db s.db --by institution --out inst-none
contains "... saying why" err.txt "(--home-institution)"

# The browser check fails when it should: a console error, a hidden chart, an empty
# chart, an outside request, a hidden headline and a script are each reported.
cat > bad.html <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head><body>
<p id="headline" style="display:none">Hidden 50.0%</p>
<figure class="chart" id="chart-a" style="visibility:hidden">
<svg viewBox="0 0 960 540" width="960" height="540"><rect width="9" height="9"/></svg></figure>
<figure class="chart" id="chart-b">
<svg viewBox="0 0 960 540" width="960" height="540"></svg></figure>
<img src="http://127.0.0.1:9/tracker.png" alt="">
<script>console.error("boom")</script>
</body></html>
EOF
expect_status "the browser check fails on a broken page" 1 "$PYTHON" "$CHECK" bad.html --charts 2 \
    --section variants:8 --table "Share of the works co-authored:8"
for problem in "no section #variants in the page" "no table captioned 'Share of the works co-authored'" "console error: boom" "the headline is not visible" "chart-a is not visible" \
               "chart-b is empty" "request outside the report: http://127.0.0.1:9" \
               "holds 1 script"; do
    contains "the browser check reports: $problem" out.txt "$problem"
done

# Hostile names everywhere a label goes: nothing runs, every chart is drawn. Each
# command would create a file /tmp/copub-PWNED-<pid>-<what>.
marker="/tmp/copub-PWNED-$$"
rm -f "$marker"-*
sed "s|MARK|$marker|g" > evil-themes.tsv <<'EOF'
openalex-field	25	Mat's `touch MARK-bq` \ "q"
openalex-field	27	'); system("touch MARK-sys"); print('
default		$(touch MARK-sh) @ARG0 ]]> <b>
EOF
sed "s|MARK|$marker|g" > evil-partners.tsv <<'EOF'
I91712215	`touch MARK-partner` ' \
EOF
evil_name=$(sed "s|MARK|$marker|g" <<'EOF'
Uni
!touch MARK-nl `touch MARK-inst` '; system("touch MARK-i")
EOF
)
expect_status "plot with hostile names" 0 "$COPUB" plot --db s.db --out evil \
    --themes evil-themes.tsv --partners evil-partners.tsv --institution-name "$evil_name"
check "hostile names ran nothing" test -z "$(ls "$marker"-* 2>/dev/null)"
check "hostile names: nine charts" test "$(ls evil/*.png | wc -l)" -eq 9
check "hostile names: the heat map is 1280x720" \
    test "$(png_size evil/theme-country-heatmap.png)" = 1280x720
expect_status "report with hostile names" 0 "$COPUB" report --db s.db --out evil-rep \
    --themes evil-themes.tsv --partners evil-partners.tsv --institution-name "<script>x</script>"
check "hostile report ran nothing" test -z "$(ls "$marker"-* 2>/dev/null)"
expect_status "hostile report passes the browser check" 0 "$PYTHON" "$CHECK" \
    evil-rep/report.html --charts 9 --map

# Without gnuplot: a clear error, exit 1, and the report and CSV written all the same.
mkdir -p nobin
NOGNUPLOT="/usr/bin/env PATH=$WORK/nobin"
expect_status "plot without gnuplot fails with 1" 1 $NOGNUPLOT "$COPUB" plot --db s.db --out ng
contains "plot says gnuplot is missing" err.txt "gnuplot not found in PATH"
expect_status "report without gnuplot fails with 1" 1 \
    $NOGNUPLOT "$COPUB" report --db s.db --out ng-rep
contains "report says gnuplot is missing" err.txt "gnuplot not found in PATH"
contains "report says what it wrote" err.txt "the report was written without charts"
for f in report.md report.html year.csv country.csv; do
    check "without gnuplot, report wrote $f" test -s "ng-rep/$f"
done
contains "report.md says why there are no charts" ng-rep/report.md "The charts could not be drawn"
