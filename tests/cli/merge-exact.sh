# CLI test: a split of the input never changes a figure. A corpus (generated works plus
# hand-made works whose fractional credits are 1/10, 1/10, 1/5, 1/8 and 1/2, an exact
# sum of 1.025 that floating-point sums round to 1.02 or 1.03 depending on their order)
# is split at random into 2 to 5 parts, each part in a random order, several times; the
# partials of the parts (copub scan --partial) merged in a random order must give tables
# byte for byte equal to the scan of the whole file and to copub analyse on a store
# imported from it, in CSV and in JSON (ten significant digits).
. "$TOP/tests/cli/lib.sh"
export COPUB_DATA_DIR=${COPUB_DATA_DIR:-$TOP/data}
PY=${PYTHON:-python3}
ROUNDS=6

if ! "$PY" "$TOP/scripts/gen-corpus" --works 1500 --seed 23 -o gen.jsonl 2>gen.err; then
    not_ok "gen-corpus writes the corpus"; sed 's/^/# /' gen.err | head -n 5
    exit 1
fi
# The edge works: in 2009 (outside the generated years), one Icelandic authorship among
# K with a country, the others French: Iceland's credit is 1/K.
"$PY" - <<'EOF'
import json
works = []
for i, k in enumerate((10, 10, 5, 8, 2, 3, 7, 7, 3)):
    auths = [{"author_position": "middle", "author": {"id": None, "display_name": "A%d" % j},
              "institutions": [{"id": "https://openalex.org/I90183372",
                                "display_name": "Université de Lorraine", "ror": None,
                                "country_code": "FR", "type": "education", "lineage": []}],
              "countries": ["FR"], "raw_affiliation_strings": ["Nancy, France"]}
             for j in range(k - 1)]
    auths.append({"author_position": "last", "author": {"id": None, "display_name": "B"},
                  "institutions": [], "countries": ["IS"], "raw_affiliation_strings": []})
    works.append({"id": "https://openalex.org/W77000000%02d" % i, "title": "Edge %d" % i,
                  "publication_year": 2009 if i < 5 else 2010, "type": "article",
                  "is_retracted": False, "is_paratext": False, "primary_topic": None,
                  "authorships": auths})
with open("gen.jsonl", "rb") as f:
    lines = f.read().splitlines(keepends=True)
# The edge works spread through the file, as a snapshot would have them.
for i, w in enumerate(works):
    lines.insert((i + 1) * len(lines) // (len(works) + 1), (json.dumps(w) + "\n").encode())
with open("whole.jsonl", "wb") as f:
    f.writelines(lines)
EOF
# Random splits: round R has parts rR-N.jsonl and the order to merge them in, rR.order.
"$PY" - "$ROUNDS" <<'EOF'
import random, sys
lines = open("whole.jsonl", "rb").read().splitlines(keepends=True)
for r in range(int(sys.argv[1])):
    rng = random.Random(1000 + r)
    k = rng.randint(2, 5)
    parts = [[] for _ in range(k)]
    for line in lines:
        parts[rng.randrange(k)].append(line)
    for i, p in enumerate(parts):
        rng.shuffle(p)
        with open("r%d-%d.jsonl" % (r, i), "wb") as f:
            f.writelines(p)
    order = list(range(k))
    rng.shuffle(order)
    with open("r%d.order" % r, "w") as f:
        f.write(" ".join("r%d-%d.partial" % (r, i) for i in order))
EOF
expect_status "import the whole corpus" 0 "$COPUB" import --no-normalise --db whole.db whole.jsonl

OPTION_SETS=(
    "--by year,country"
    "--by country --counting fractional"
    "--by year,country --home none"
)

# same NAME A B: files A and B are equal and A has rows.
same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1"
    else not_ok "$1"; diff "$2" "$3" | head -n 6 | sed 's/^/# /'; fi
}

k=0
for opts in "${OPTION_SETS[@]}"; do
    k=$((k + 1))
    for fmt in csv json; do
        # shellcheck disable=SC2086
        "$COPUB" scan --all $opts --format $fmt whole.jsonl >"scan$k.$fmt" 2>/dev/null
        # shellcheck disable=SC2086
        "$COPUB" analyse --db whole.db $opts --format $fmt >"analyse$k.$fmt" 2>/dev/null
        same "analyse = scan of the whole ($opts, $fmt)" "analyse$k.$fmt" "scan$k.$fmt"
    done
    grep -q '^2009,IS,.*,1\.03,' "scan$k.csv" && ok "Iceland's 2009 count is 1.025, shown 1.03 ($opts)" ||
        { [ "$k" = 2 ] && ok "no year column ($opts)" ||
          { not_ok "Iceland's 2009 count is 1.025, shown 1.03 ($opts)"; grep '^2009,IS' "scan$k.csv" | sed 's/^/# /'; }; }
    bad=0
    for r in $(seq 0 $((ROUNDS - 1))); do
        for part in r$r-*.jsonl; do
            # shellcheck disable=SC2086
            "$COPUB" scan --all $opts --partial "${part%.jsonl}.partial" "$part" 2>err.txt ||
                { bad=1; sed 's/^/# /' err.txt | head -n 3; }
        done
        for fmt in csv json; do
            # shellcheck disable=SC2086,SC2046
            "$COPUB" merge $opts --format $fmt $(cat "r$r.order") >"merge.$fmt" 2>err.txt ||
                { bad=1; sed 's/^/# /' err.txt | head -n 3; }
            if ! cmp -s "scan$k.$fmt" "merge.$fmt"; then
                bad=1
                echo "# round $r ($(wc -w <"r$r.order") parts), $fmt:"
                diff "scan$k.$fmt" "merge.$fmt" | head -n 4 | sed 's/^/# /'
            fi
        done
    done
    if [ "$bad" = 0 ]; then ok "$ROUNDS random splits and orders merged = scan of the whole ($opts)"
    else not_ok "$ROUNDS random splits and orders merged = scan of the whole ($opts)"; fi
done

# A partial of the format before exact counts (version 1) is refused, with what to do.
printf 'copub-partial 1\nsignature\tx\n' >old.partial
expect_status "a version 1 partial is refused as bad data" 4 "$COPUB" merge --by year,country old.partial
contains "the refusal says to scan again" err.txt "scan its input again"

echo "1..$n"
