# Shared helpers for the CLI tests: TAP output, a temporary directory, assertions, the
# local test API server, reading a store.
# Source it; it expects $COPUB (the binary) and $TOP (the source tree); $PYTHON is python3
# unless said otherwise.
set -u
PYTHON=${PYTHON:-python3}
n=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/copub-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
FIX="$TOP/fixtures"

ok()     { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; }

# check NAME CMD...: passes when CMD exits 0.
check() {
    local name=$1; shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# expect_status NAME STATUS CMD...: runs CMD (output to out.txt/err.txt), checks its exit status.
expect_status() {
    local name=$1 want=$2; shift 2
    "$@" >out.txt 2>err.txt
    local got=$?
    if [ "$got" -eq "$want" ]; then ok "$name"; else
        not_ok "$name (exit $got, wanted $want)"; sed 's/^/# /' err.txt | head -n 5; fi
}

# contains NAME FILE TEXT: FILE holds TEXT (fixed string).
contains() {
    if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1 ('$3' not in $2)"; sed 's/^/# /' "$2" | head -n 5; fi
}

# q DB SQL: rows of a query, '|'-separated (Python's sqlite3, not copub's code).
q() {
    "$PYTHON" -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$1" "$2"
}

# ---- the test API server (scripts/test-api-server) ------------------------------------------
# start_server SECONDS ARGS...: starts the server on a port the system picks, serving what
# ARGS say (--corpus-openalex FILE, --corpus-hal FILE, --structures FILE), for SECONDS at
# most (the tests give 1800, run-tests' limit for a CLI test: on a loaded machine a shorter
# life ended the server while its test still ran); sets SERVER (its pid) and BASE
# ("http://127.0.0.1:PORT"), or ends the test when it does not listen within 15 s. The server reads its stdin from a FIFO this shell holds open:
# when the test ends, however it ends, the FIFO closes and the server stops (--stop-on-eof).
# A copub the test starts in the background goes in FETCH, to be killed at the end too.
start_server() {
    local seconds=$1; shift
    mkfifo server.in
    "$PYTHON" "$TOP/scripts/test-api-server" --port 0 --stop-on-eof --max-seconds "$seconds" \
        "$@" <server.in >server.out 2>server.err &
    SERVER=$!
    exec 7>server.in
    FETCH=
    trap stop_server EXIT
    for _ in $(seq 150); do grep -q '^PORT=' server.out 2>/dev/null && break; sleep 0.1; done
    PORT=$(sed -n 's/^PORT=//p' server.out)
    if [ -z "$PORT" ]; then not_ok "test server started"; sed 's/^/# /' server.err; exit 1; fi
    BASE="http://127.0.0.1:$PORT"
}
# stop_server: kills FETCH, stops the server, removes the temporary directory (the EXIT trap).
stop_server() {
    [ -n "$FETCH" ] && kill -9 "$FETCH" 2>/dev/null
    exec 7>&-
    kill "$SERVER" 2>/dev/null
    wait "$SERVER" 2>/dev/null
    rm -rf "$WORK"
}
# api PATH: GET on the test server (control and stats), body on stdout.
api() {
    "$PYTHON" -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())' "$BASE$1"
}
