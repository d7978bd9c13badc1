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
