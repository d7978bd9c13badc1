# Shared helpers for the CLI tests: TAP output, a temporary directory, assertions.
# Source it; it expects $COPUB (the binary) and $TOP (the source tree).
set -u
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
