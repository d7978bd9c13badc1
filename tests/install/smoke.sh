#!/usr/bin/env bash
# Install smoke test: copub built for one PREFIX, then installed under another (with and
# without DESTDIR), runs from there and finds its data: affil, --help, the French report.
# Run by .ci/run; builds in its own BUILDDIR so build/ is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BUILDDIR=build-install
unset COPUB_DATA_DIR
fail() { echo "install smoke test: $*" >&2; exit 1; }

make -s -j2 BUILDDIR=$BUILDDIR PREFIX=/opt/elsewhere >/dev/null
make -s -j2 BUILDDIR=$BUILDDIR PREFIX="$tmp/usr" install >/dev/null
make -s -j2 BUILDDIR=$BUILDDIR PREFIX=/usr DESTDIR="$tmp/dest" install >/dev/null

for bin in "$tmp/usr/bin/copub" "$tmp/dest/usr/bin/copub"; do
    out=$(cd / && "$bin" affil "Nancy") || fail "'$bin affil Nancy' failed"
    [ "$(printf '%s' "$out" | cut -f1)" = FR ] || fail "'$bin affil Nancy' printed '$out', not FR"
    (cd / && "$bin" analyse --help) | grep -q 'copub analyse' || fail "'$bin analyse --help' failed"
done

# The French report from the installed binary, on a small generated corpus.
python3 scripts/gen-corpus --works 300 --seed 7 --years 2020-2023 >"$tmp/works.jsonl"
bin="$tmp/usr/bin/copub"
(cd "$tmp" && "$bin" import --db "$tmp/s.db" works.jsonl >/dev/null) || fail "import failed"
(cd "$tmp" && "$bin" report --db "$tmp/s.db" --out "$tmp/rep" --lang fr >/dev/null) \
    || fail "the French report failed"
grep -q 'lang="fr"' "$tmp/rep/report.html" || fail "report.html is not French"
for mo in "$tmp/usr/share/locale/fr/LC_MESSAGES/copub.mo" \
          "$tmp/dest/usr/share/locale/fr/LC_MESSAGES/copub.mo"; do
    [ -f "$mo" ] || fail "'$mo' was not installed"
done
# Its words come from the installed catalogue, whatever the locale.
(cd "$tmp" && env -u LANG -u LC_ALL LANG=C "$bin" report --db "$tmp/s.db" --out "$tmp/rep-c" \
    --lang fr >/dev/null 2>"$tmp/err") || fail "the French report under LANG=C failed"
grep -q 'Ce que mesurent les chiffres' "$tmp/rep-c/report.md" || fail "report.md is not in French"
! grep -q catalogue "$tmp/err" || fail "the French catalogue was not found: $(cat "$tmp/err")"
rm -rf "$BUILDDIR"
echo "install smoke test: ok (PREFIX=$tmp/usr, DESTDIR=$tmp/dest PREFIX=/usr)"
