# CLI tests of copub run, the nightly job: configuration errors, the lock, atomic
# outputs (a failed night keeps the last good report), --dry-run, the run history.
. "$TOP/tests/cli/lib.sh"

mkdir -p cfg
cp "$TOP/examples/lorraine-themes.tsv" "$TOP/examples/lorraine-partners.tsv" cfg/
"$PYTHON" "$TOP/scripts/gen-corpus" --works 400 --seed 3 --years 2018-2025 -o cfg/sample.jsonl
write_config() {   # write_config FILE [extra lines...]: an offline config over the sample
    local f=$1; shift
    {
        echo "[institution]"
        echo "name = Test University"
        echo "openalex = I90183372"
        echo "home = FR"
        echo "[sources]"
        echo "openalex = false"
        echo "files = sample.jsonl"
        echo "[analysis]"
        echo "themes = lorraine-themes.tsv"
        echo "partners = lorraine-partners.tsv"
        echo "[output]"
        echo "dir = out"
        echo "store = run.db"
        echo "formats = png"
        echo "languages = en;fr"
        for line in "$@"; do echo "$line"; done
    } > "$f"
}
write_config cfg/good.conf

expect_status "run --help" 0 "$COPUB" run --help
expect_status "run --print-config" 0 "$COPUB" run --print-config
contains "the reference lists every group" out.txt "[harvest]"
contains "the reference gives defaults" out.txt "refresh-years = 2"

# Configuration errors name the key and its line, exit 2.
write_config cfg/bad-key.conf "colour = blue"
expect_status "unknown key is a usage error" 2 "$COPUB" run cfg/bad-key.conf
contains "unknown key named with its line" err.txt "line 16: unknown key 'colour' in [output]"
printf '[institution]\nhome = France\n[sources]\nfiles = x.jsonl\n' > cfg/bad-home.conf
expect_status "bad value is a usage error" 2 "$COPUB" run cfg/bad-home.conf
contains "bad value named with its line" err.txt "line 2: [institution] home"
printf '[wrong]\nx = 1\n' > cfg/bad-group.conf
expect_status "unknown group is a usage error" 2 "$COPUB" run cfg/bad-group.conf
contains "unknown group named" err.txt "unknown group [wrong]"
write_config cfg/bad-lang.conf "[analysis]" "window = x"
expect_status "bad number is a usage error" 2 "$COPUB" run cfg/bad-lang.conf
expect_status "missing config file" 2 "$COPUB" run cfg/none.conf

# Unknown types and home codes in the config: usage errors naming the key and line (issue 12).
write_config cfg/bad-type.conf "[corpus]" "types = article;artcle"
expect_status "an unknown type in the config is a usage error" 2 "$COPUB" run --offline cfg/bad-type.conf
contains "the type error names key, line and value" err.txt \
    "line 17: [corpus] types: unknown document type 'artcle': expected article, review"
write_config cfg/bad-home-code.conf "[institution]" "home = XX"
expect_status "an unknown home code in the config is a usage error" 2 \
    "$COPUB" run --offline cfg/bad-home-code.conf
contains "the home error names key, line and value" err.txt \
    "line 17: [institution] home: expected an ISO 3166-1 alpha-2 country code"
check "no store made for a bad config" test ! -e cfg/run.db
# The record limits in the config (issue 12): a bad size is a usage error naming the key;
# a limit the sample's records break makes the import fail as bad data, storing nothing.
write_config cfg/bad-size.conf "[corpus]" "max-record-size = 12 MB"
expect_status "a bad size in the config is a usage error" 2 "$COPUB" run --offline cfg/bad-size.conf
contains "the size error names key, line and value" err.txt \
    "line 17: [corpus] max-record-size: expected a size in bytes, or with k, M or G (32M), not '12 MB'"
write_config cfg/small-limit.conf "[corpus]" "max-field-size = 8" "[output]" "store = small.db" \
    "dir = out-small"
expect_status "a record over the configured field limit is bad data" 4 \
    "$COPUB" run --offline cfg/small-limit.conf
contains "... named with the limit" err.txt "max-field-size"
check "... and no work is stored" \
    test "$(sqlite3 cfg/small.db "SELECT count(*) FROM works" 2>/dev/null || echo 0)" = 0

# Every path the config names is checked before any work, naming the key and its line.
write_config cfg/no-themes.conf "[analysis]" "themes = /nonexistent"
expect_status "a missing theme map is a usage error" 2 "$COPUB" run --offline cfg/no-themes.conf
contains "the missing theme map names key and line" err.txt \
    "line 17: [analysis] themes: cannot read '/nonexistent'"
check "nothing was imported before the theme map was found missing" test ! -e cfg/run.db
write_config cfg/no-partners.conf "[analysis]" "partners = nowhere.tsv"
expect_status "a missing partner file is a usage error" 2 "$COPUB" run --offline cfg/no-partners.conf
contains "the missing partner file names key and line" err.txt "line 17: [analysis] partners: cannot read"
write_config cfg/no-files.conf "[sources]" "files = sample.jsonl;missing.jsonl"
expect_status "a missing source file is a usage error" 2 "$COPUB" run --offline cfg/no-files.conf
contains "the missing source file is named" err.txt "line 17: [sources] files: cannot read"
contains "the missing source file's path is given" err.txt "missing.jsonl"
write_config cfg/no-ror.conf "[sources]" "ror = ror.json"
expect_status "a missing ROR dump is a usage error" 2 "$COPUB" run --offline cfg/no-ror.conf
contains "the missing ROR dump names key and line" err.txt "line 17: [sources] ror: cannot read"
write_config cfg/dir-themes.conf "[analysis]" "themes = ."
expect_status "a directory as theme map is a usage error" 2 "$COPUB" run --offline cfg/dir-themes.conf
contains "the directory is named" err.txt "[analysis] themes: "
touch cfg/plainfile
write_config cfg/bad-out.conf "[output]" "dir = plainfile/out"
expect_status "an output dir under a file is a usage error" 2 "$COPUB" run --offline cfg/bad-out.conf
contains "the output dir names key and line" err.txt "line 17: [output] dir: '"
write_config cfg/bad-store.conf "[output]" "store = plainfile/run.db"
expect_status "a store under a file is a usage error" 2 "$COPUB" run --offline cfg/bad-store.conf
contains "the store names key and line" err.txt "line 17: [output] store: cannot create"
write_config cfg/bad-log.conf "[output]" "log-file = plainfile/x/copub.log"
expect_status "a log file under a file is a usage error" 2 "$COPUB" run --offline cfg/bad-log.conf
contains "the log file names key and line" err.txt "line 17: [output] log-file: cannot create"
expect_status "the dry run checks the paths too" 2 "$COPUB" run --dry-run cfg/no-themes.conf
printf 'SCOPUS\t1\tBad\n' > cfg/bad-map.tsv
write_config cfg/bad-map.conf "[analysis]" "themes = bad-map.tsv"
expect_status "a malformed theme map fails before any work" 2 "$COPUB" run --offline cfg/bad-map.conf
check "nothing was imported before the theme map was read" test ! -e cfg/run.db
: > cfg/empty.conf
expect_status "an empty config is a usage error" 2 "$COPUB" run cfg/empty.conf
contains "an empty config says it is empty" err.txt "'cfg/empty.conf' is empty"
printf '# nothing yet\n\n' > cfg/comments.conf
expect_status "a config of comments only is empty too" 2 "$COPUB" run cfg/comments.conf
contains "a config of comments says it is empty" err.txt "'cfg/comments.conf' is empty"

# Dry run: says what it would do, writes nothing.
expect_status "dry run" 0 "$COPUB" run --dry-run cfg/good.conf
contains "dry run names the report dir" out.txt "cfg/out"
check "dry run created no store" test ! -e cfg/run.db
check "dry run created no output" test ! -e cfg/out

# A good run: the report in both languages, the run recorded.
expect_status "run offline" 0 "$COPUB" run --offline cfg/good.conf
contains "the run prints the headline" out.txt "Test University"
check "report.html written" test -s cfg/out/report.html
check "French report written" test -s cfg/out/fr/report.html
check "charts written" test -s cfg/out/share-by-year.png
check "tables written" test -s cfg/out/year.csv
check "no staging directory left" test -z "$(ls -a cfg | grep staging)"
check "the run is recorded as ok" test "$(sqlite3 cfg/run.db "SELECT status FROM runs")" = ok
check "the run records the headline n" \
    test "$(sqlite3 cfg/run.db "SELECT headline_works > 0 FROM runs")" = 1

# A second run sees the first in its history.
expect_status "second run" 0 "$COPUB" run --offline cfg/good.conf
check "two runs recorded" test "$(sqlite3 cfg/run.db "SELECT count(*) FROM runs WHERE status = 'ok'")" = 2
contains "the report shows the history of runs" cfg/out/report.html "How the figure moved"
contains "same data: the history says the headline did not move" cfg/out/report.html \
    "the headline has not moved"
check "same data: no 'moved from', no change named" \
    sh -c '! grep -Eq "moved from|went from|changed" cfg/out/report.html'
cp cfg/out/report.html good-report.html

# The lock: while one run holds it, another exits at once with status 5.
exec 9>cfg/run.db.lock
flock -x 9
expect_status "a second run at the same time exits with 5" 5 "$COPUB" run --offline cfg/good.conf
contains "the lock is named" err.txt "holds the lock"
flock -u 9
exec 9>&-

# A failed night (a malformed file): exit 4, one line, the last good report kept.
printf '{"id":"https://openalex.org/W1","publication_year":"x"}\n{"id":\n' > cfg/broken.jsonl
write_config cfg/broken.conf "[sources]" "files = sample.jsonl;broken.jsonl"
sed -i '/^\[sources\]$/,/^files = sample.jsonl$/{/^files = sample.jsonl$/d}' cfg/broken.conf
expect_status "a run over a malformed file fails with 4" 4 "$COPUB" run --offline cfg/broken.conf
check "the failure is one line" test "$(wc -l < err.txt)" -le 2
check "the last good report is still in place" cmp -s cfg/out/report.html good-report.html
check "the failed run is recorded" \
    test "$(sqlite3 cfg/run.db "SELECT status FROM runs ORDER BY run_id DESC LIMIT 1")" = failed

# A network failure (nothing listens): exit 3, outputs kept.
write_config cfg/net.conf "[harvest]" "openalex-url = http://127.0.0.1:9" "jobs = 1"
sed -i 's/^openalex = false$/openalex = true/' cfg/net.conf
expect_status "an unreachable API fails with 3" 3 "$COPUB" run cfg/net.conf
check "outputs kept after a network failure" cmp -s cfg/out/report.html good-report.html

# Logs can go to a file too.
expect_status "run with a log file" 0 "$COPUB" run --offline --log-file run.log cfg/good.conf
contains "the log file gets the run" run.log "run cfg/good.conf"

# [analysis] window: rolling periods of the trends by theme and by strategic partner
# (issue 12: window = 1 and window = 4 gave identical reports).
write_config cfg/w1.conf "[analysis]" "window = 1" "[output]" "dir = out-w1" "store = w1.db" \
    "languages = en"
write_config cfg/w4.conf "[analysis]" "window = 4" "[output]" "dir = out-w4" "store = w4.db" \
    "languages = en"
not() { ! "$@"; }
expect_status "run with window = 1" 0 "$COPUB" run --offline cfg/w1.conf
expect_status "run with window = 4" 0 "$COPUB" run --offline cfg/w4.conf
check "the yearly share keeps single years" cmp -s cfg/out-w1/year.csv cfg/out-w4/year.csv
check "window = 4 changes the theme trend" not cmp -s cfg/out-w1/theme-year.csv cfg/out-w4/theme-year.csv
check "window = 4 changes the partner trend" not cmp -s cfg/out-w1/partner-year.csv cfg/out-w4/partner-year.csv
# Each 4-year period is the sum of its years, and n the works of those years.
check "the periods are the sums of their single years" "$PYTHON" -c '
import csv, sys
rows = lambda f: list(csv.DictReader(open("cfg/out-w%s/%s.csv" % f)))
year_works = {int(r["year"]): int(r["works"]) for r in rows((1, "year"))}
first, last = min(year_works), max(year_works)
for name, key, cols in (("theme-year", "theme", ("works", "international", "complete")),
                        ("partner-year", "partner", ("works",))):
    yearly = {(r[key], int(r["year"])): r for r in rows((1, name))}
    periods = rows((4, name))
    ends = sorted({int(r["period"].split("-")[1]) for r in periods})
    assert ends == list(range(first + 3, last + 1)), (name, ends)
    for r in periods:
        a, b = map(int, r["period"].split("-"))
        assert b - a == 3, r
        for c in cols:
            want = sum(int(yearly[(r[key], y)][c]) for y in range(a, b + 1) if (r[key], y) in yearly)
            assert int(r[c]) == want, (name, r, c, want)
        if "n" in r:
            assert int(r["n"]) == sum(year_works[y] for y in range(a, b + 1)), r
'
contains "the report names the rolling periods" cfg/out-w4/report.html \
    "Co-publications with the strategic partners, rolling 4-year periods"
contains "the partner table has a column per period" cfg/out-w4/report.html ">2018–2021</th>"
contains "the theme chart says its points are periods" cfg/out-w4/report.html \
    "rolling 4-year periods, each at its last year"
check "window = 1 keeps single years in the report" \
    test "$(grep -c "rolling 4-year" cfg/out-w1/report.html)" -eq 0
contains "window = 1 gives a column per year" cfg/out-w1/report.html ">2018</th>"
expect_status "copub report --window 3" 0 "$COPUB" report --db cfg/w1.db --out rep-w3 \
    --partners cfg/lorraine-partners.tsv --themes cfg/lorraine-themes.tsv --window 3
contains "report --window gives the periods" rep-w3/partner-year.csv "2018-2020"

# The swap is one rename: the report directory is there, whole, at every instant (two
# renames left a moment with no report at all between them).
if command -v strace >/dev/null; then
    strace -f -qq -e trace=rename,renameat,renameat2 -o swap.trace \
        "$COPUB" run --offline cfg/good.conf >/dev/null 2>&1
    check "one rename puts the new report in place of the old" \
        test "$(grep -c '/cfg/out"' swap.trace)" -eq 1
    check "... an exchange with the staging directory" grep -q 'RENAME_EXCHANGE' swap.trace
fi

# A run killed with -9 (here while it writes its report) leaves a staging directory and a
# "running" history row; an older copub left OUT.old-PID; a killed first import left
# STORE.loading-PID-XXXXXX. The next run removes the debris, says so, records the kill.
"$COPUB" run --offline cfg/good.conf >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do pgrep -P "$pid" -x gnuplot >/dev/null && break; sleep 0.025; done
drawing=$(pgrep -P "$pid" -x gnuplot)      # killed mid-chart: gnuplot must not outlive copub
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
check "the run was killed while gnuplot drew" test -n "$drawing"
sleep 0.05; alive=$(ps -o stat= -p "$drawing" 2>/dev/null | grep -v Z)
check "gnuplot died with it (it would go on writing into the staging directory)" test -z "$alive"
check "the killed run left its staging directory" test -n "$(ls -a cfg | grep '^\.out\.staging-')"
check "... and a running row" \
    test "$(sqlite3 cfg/run.db "SELECT status FROM runs ORDER BY run_id DESC LIMIT 1")" = running
sh -c 'exit 0' & gone=$!; wait "$gone"    # a pid that no process has now
mkdir -p "cfg/out.old-$gone" && echo old > "cfg/out.old-$gone/report.html"
head -c 100000 /dev/zero > "cfg/run.db.loading-$gone-AbC123"
"$COPUB" import --db cfg/live.db "$TOP/fixtures/openalex/works.jsonl" 2>/dev/null &
live=$!; : > "cfg/run.db.loading-$live-XyZ789"      # one whose import still runs
expect_status "the next run succeeds" 0 "$COPUB" run --offline cfg/good.conf
check "it removed the staging directory" test -z "$(ls -a cfg | grep staging)"
check "it removed OUT.old-PID" test ! -e "cfg/out.old-$gone"
check "it removed the stale STORE.loading file" test ! -e "cfg/run.db.loading-$gone-AbC123"
check "it kept the one of a live process" test -e "cfg/run.db.loading-$live-XyZ789"
contains "it says what it removed" err.txt "/cfg/run.db.loading-$gone-AbC123', left by an import that was killed"
contains "... and the staging directory" err.txt "/cfg/.out.staging-"
check "the killed run is recorded as killed" \
    test "$(sqlite3 cfg/run.db "SELECT status FROM runs WHERE run_id = (SELECT max(run_id) - 1 FROM runs)")" = killed
check "no run is left running" \
    test "$(sqlite3 cfg/run.db "SELECT count(*) FROM runs WHERE status = 'running'")" = 0
wait "$live" 2>/dev/null; rm -f "cfg/run.db.loading-$live-XyZ789"
