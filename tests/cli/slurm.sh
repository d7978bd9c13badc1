# CLI test of scripts/cluster/slurm-scan on a real Slurm: starts munged, slurmctld and
# slurmd on this machine (one node, localhost, no cgroups; key, sockets, state, spool,
# logs and free ports in the test's own directory, nothing from /etc/slurm or /etc/munge),
# writes a small snapshot tree (5 gzip parts in two updated_date partitions and a
# manifest.json), and checks:
# - the job array and the dependent merge give the table of one copub scan of the parts,
#   and the run directory holds the partials with a manifest of what they cover;
# - a run with one corrupted part fails with status 4, naming the task and the part, and
#   writes no table (the merge job never runs);
# - submitting again once the part is repaired runs only that task and gives the table;
#   a run with nothing changed runs no task, and a touched part reruns only its task.
# Needs root and the Debian packages slurmctld, slurmd, slurm-client and munge
# (scripts/install-deps installs them): without them the test fails, saying what is missing.
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
PY=${PYTHON:-python3}
SCAN="$TOP/scripts/cluster/slurm-scan"
S="$WORK/slurm"
started=$(date +%s)

missing=""
for b in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
    command -v "$b" >/dev/null 2>&1 || missing="$missing $b"
done
if [ -n "$missing" ]; then
    not_ok "Slurm and munge are installed (missing:$missing; scripts/install-deps installs slurmctld slurmd slurm-client munge)"
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    not_ok "the test runs as root (slurmd must start jobs; it is $(id -un))"
    exit 1
fi

# ---- the daemons ----------------------------------------------------------------------------

# stop PIDFILE: ends the daemon whose pid the file holds, waiting for it (5 s, then KILL).
stop() {
    local pid i
    [ -s "$1" ] || return 0
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
}
cleanup() {
    local i ids
    if [ -s "$S/slurmctld.pid" ]; then
        ids=$(timeout 5 squeue -h -o %i 2>/dev/null)
        [ -z "$ids" ] || timeout 5 scancel --quiet $ids >/dev/null 2>&1
        # slurmstepd, one per running job, goes once slurmd has heard of the job's end.
        for i in $(seq 50); do
            compgen -G "$S/spool/localhost_*" >/dev/null || break
            sleep 0.1
        done
    fi
    stop "$S/slurmd.pid"; stop "$S/slurmctld.pid"; stop "$S/munge/munged.pid"
    cd / && rm -rf "$WORK"
}
trap cleanup EXIT

# munged wants every directory above its socket searchable by all.
chmod 711 "$WORK"
mkdir -p "$S/munge" "$S/key" "$S/state" "$S/spool" "$S/log"
chmod 755 "$S" "$S/munge"; chmod 700 "$S/key"
dd if=/dev/urandom of="$S/key/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$S/key/munge.key"
# Two free TCP ports side by side, away from Slurm's default 6817-6819.
read -r PORT1 PORT2 < <("$PY" - <<'EOF'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 30000)
    try:
        for q in (p, p + 1):
            s = socket.socket(); s.bind(("", q)); s.close()
    except OSError:
        continue
    print(p, p + 1); break
EOF
)
cat >"$S/slurm.conf" <<EOF
ClusterName=copubtest
SlurmctldHost=localhost
SlurmctldPort=$PORT1
SlurmdPort=$PORT2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.socket
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
PlugStackConfig=$S/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# More CPUs than the machine may have (the tasks are small): every task of a run at once.
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName=localhost NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=10 State=UP
EOF
: >"$S/plugstack.conf"
export SLURM_CONF="$S/slurm.conf"

if timeout 10 munged --socket="$S/munge/munge.socket" --key-file="$S/key/munge.key" \
        --pid-file="$S/munge/munged.pid" --log-file="$S/log/munged.log" \
        --seed-file="$S/key/munged.seed" 2>munged.err &&
   timeout 10 slurmctld -i 2>slurmctld.err && timeout 10 slurmd -N localhost 2>slurmd.err; then
    ok "munged, slurmctld and slurmd start (ports $PORT1 and $PORT2)"
else
    not_ok "munged, slurmctld and slurmd start"
    cat ./*.err "$S"/log/*.log 2>/dev/null | tail -n 20 | sed 's/^/# /'
    exit 1
fi
state=
for i in $(seq 60); do
    state=$(sinfo -h -o %T 2>/dev/null)
    [ "$state" = idle ] && break
    sleep 0.5
done
if [ "$state" = idle ]; then ok "the node is idle after $(( $(date +%s) - started )) s"
else
    not_ok "the node is idle (sinfo says '$state')"
    tail -n 20 "$S"/log/*.log | sed 's/^/# /'
    exit 1
fi

# ---- the snapshot ---------------------------------------------------------------------------

if ! "$PY" "$TOP/scripts/gen-corpus" --works 500 --seed 5 -o all.jsonl 2>gen.err; then
    not_ok "gen-corpus writes the corpus"; sed 's/^/# /' gen.err | head -n 5
    exit 1
fi
J=snap/data/jsonl
mkdir -p "$J/works/updated_date=2026-05-01" "$J/works/updated_date=2026-06-24"
split -l 100 -d -a 1 all.jsonl chunk.
PARTS=("$J/works/updated_date=2026-05-01/part_0000.gz" "$J/works/updated_date=2026-05-01/part_0001.gz"
       "$J/works/updated_date=2026-05-01/part_0002.gz" "$J/works/updated_date=2026-06-24/part_0000.gz"
       "$J/works/updated_date=2026-06-24/part_0001.gz")
for i in 0 1 2 3 4; do gzip -c "chunk.$i" >"${PARTS[$i]}"; done
# An authors file the works scan must leave out, and a works file the manifest does not list.
mkdir -p "$J/authors/updated_date=2026-06-24"
gzip -c chunk.0 >"$J/authors/updated_date=2026-06-24/part_0000.gz"
gzip -c chunk.0 >"$J/works/updated_date=2026-06-24/part_0002.gz"
"$PY" - "$J" "${PARTS[@]}" "$J/authors/updated_date=2026-06-24/part_0000.gz" <<'EOF'
import json, os, sys, gzip
base, parts = sys.argv[1], sys.argv[2:]
entries = [{"url": "s3://openalex/data/jsonl/" + os.path.relpath(p, base),
            "meta": {"content_length": os.path.getsize(p),
                     "record_count": sum(1 for _ in gzip.open(p))}} for p in reversed(parts)]
json.dump({"entries": entries}, open(os.path.join(base, "manifest.json"), "w"), indent=1)
EOF
cp "$FIX/analyse/partners.tsv" partners.tsv
# The first run with a partner file (named relatively), the others with no file at all.
OPTS1=(--institution I90183372 --by year,country,partner --partners partners.tsv --format csv)
OPTS2=(--all --by year,country --home none --format csv)
"$COPUB" scan "${OPTS1[@]}" "${PARTS[@]}" >want.csv 2>scan.err
"$COPUB" scan "${OPTS2[@]}" "${PARTS[@]}" >want2.csv 2>>scan.err
if [ "$(wc -l <want.csv)" -gt 10 ] && [ "$(wc -l <want2.csv)" -gt 10 ]; then
    ok "copub scan of the 5 parts: $(($(wc -l <want.csv) - 1)) and $(($(wc -l <want2.csv) - 1)) rows"
else not_ok "copub scan of the 5 parts"; sed 's/^/# /' scan.err | head -n 5; fi

# ---- runs -----------------------------------------------------------------------------------

# run NAME RUN-DIR: submits with the options of $OPTS and waits (bounded), output in
# out.txt/err.txt, status in $rc.
run() {
    local t0
    t0=$(date +%s)
    rc=0
    timeout 90 bash "$SCAN" submit -d "$2" -n 2 --wait --poll 1 snap -- "${OPTS[@]}" \
        >out.txt 2>err.txt || rc=$?
    echo "# $1: exit $rc in $(( $(date +%s) - t0 )) s"
}
same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1"
    else not_ok "$1"; diff "$2" "$3" 2>&1 | head -n 6 | sed 's/^/# /'; sed 's/^/# /' err.txt | tail -n 5; fi
}

OPTS=("${OPTS1[@]}")
run "first run" run1
if [ "$rc" -eq 0 ]; then ok "slurm-scan submit --wait succeeds"
else not_ok "slurm-scan submit --wait succeeds (exit $rc)"; sed 's/^/# /' err.txt | tail -n 8
     tail -n 5 "$S"/log/slurmctld.log | sed 's/^/# /'; fi
contains "it read the parts from manifest.json" err.txt "5 works parts listed by"
contains "it ran 3 tasks of 2 parts" err.txt "5 parts in 3 task(s) of up to 2; 0 already done, 3 to run"
same "the merged table equals copub scan's" want.csv run1/table
check "the run keeps 3 partials" test "$(ls run1/partials | grep -c '\.partial$')" -eq 3
check "and no temporary file" test "$(ls run1/partials | grep -c tmp)" -eq 0
check "the run's manifest lists the 5 parts" test "$(grep -c "	$PWD/$J/works/" run1/manifest.tsv)" -eq 5
contains "the manifest says which task covers a part" run1/manifest.tsv \
    "3	partials/0003.partial"
contains "the manifest records the options, partner file made absolute" run1/manifest.tsv \
    "--partners $PWD/partners.tsv"
check "each task has its log" test -s run1/logs/task-0001.log -a -s run1/logs/task-0003.log
expect_status "slurm-scan status of the finished run" 0 bash "$SCAN" status run1
contains "status says it is done" err.txt "done: 3 tasks merged into"

# One corrupted part (its size kept, as the manifest says): task 2 (parts 3 and 4) fails.
BAD=${PARTS[3]}
cp "$BAD" good.gz
size=$(stat -c %s "$BAD")
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' |
    dd of="$BAD" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
OPTS=("${OPTS2[@]}")
run "corrupted part" run2
if [ "$rc" -eq 4 ]; then ok "a run with a corrupted part exits with status 4 (bad data)"
else not_ok "a run with a corrupted part exits with status 4 (got $rc)"; sed 's/^/# /' err.txt | tail -n 5; fi
contains "the failed task and its part are named" err.txt "task 2 of 3 failed (exit 4) on '$PWD/$BAD'"
contains "with copub's message" err.txt "failed (exit 4) on '$PWD/$BAD': copub scan: "
last=$(tail -n 1 err.txt)
case $last in
    *"run failed: 1 of 3 tasks failed, no table written"*) ok "the last line says the run failed" ;;
    *) not_ok "the last line says the run failed: $last" ;;
esac
check "no table is written" test ! -e run2/table
check "the merge job never ran" test ! -e run2/merge.status -a ! -e run2/logs/merge.log
check "the other tasks' partials are kept" test -f run2/partials/0001.partial -a -f run2/partials/0003.partial
check "the failed task left no partial" test ! -e run2/partials/0002.partial
expect_status "slurm-scan status of the failed run says so" 4 bash "$SCAN" status run2
contains "status names the task and the part" err.txt "task 2 of 3 failed (exit 4) on '$PWD/$BAD'"

# Resumed: the part repaired, only task 2 runs again.
cp good.gz "$BAD"
stamp=$(stat -c %Y run2/partials/0001.partial)
logstamp=$(stat -c %Y run2/logs/task-0001.log)
sleep 1
run "resumed run" run2
check "the resumed run succeeds" test "$rc" -eq 0
contains "it runs only the failed task" err.txt "3 task(s) of up to 2; 2 already done, 1 to run"
same "the resumed run's table equals copub scan's" want2.csv run2/table
check "the partials of the done tasks are not rewritten" test "$(stat -c %Y run2/partials/0001.partial)" = "$stamp"
check "task 1 did not run again" test "$(stat -c %Y run2/logs/task-0001.log)" = "$logstamp"

# Nothing changed: only the merge job; a touched part: its task only.
run "run with nothing to do" run2
check "a run with nothing changed succeeds" test "$rc" -eq 0
contains "it runs no task" err.txt "3 already done, 0 to run"
same "its table equals copub scan's" want2.csv run2/table
touch -d '2026-01-02 03:04:05' "${PARTS[4]}"
run "run after a touch" run2
contains "a part with another mtime reruns its task" err.txt "2 already done, 1 to run"
same "its table equals copub scan's" want2.csv run2/table

# Bad usage is found before anything is submitted.
expect_status "a scan option that is not one is a usage error" 2 \
    bash "$SCAN" submit -d run3 snap -- --institution I90183372 part.gz
expect_status "bad scan options are a usage error" 2 bash "$SCAN" submit -d run3 snap -- --by nothing --all
rm "${PARTS[2]}"
expect_status "a part the manifest lists but is missing is an error" 1 \
    bash "$SCAN" submit -d run3 snap -- --all
contains "it names the part" err.txt "part_0002.gz"

echo "# the Slurm test took $(( $(date +%s) - started )) s"
