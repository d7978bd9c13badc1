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
for _ in $(seq 400); do ls -a cfg | grep -q '^\.out\.staging-' && break; sleep 0.025; done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
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
