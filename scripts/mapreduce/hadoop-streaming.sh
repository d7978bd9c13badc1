#!/usr/bin/env bash
# copub scan as a Hadoop Streaming job: each mapper scans its input split into a partial
# aggregate, one reducer merges them into the table. See doc/scaling.md.
#
# UNTESTED: a recipe. No Hadoop engine runs it in copub's tests (the local stand-in that
# did was removed); scripts/cluster/slurm-scan is the cluster path tested on a real Slurm.
#
#   hadoop-streaming.sh submit -i INPUT [-i INPUT]... -o OUTPUT [-t TABLE] -- SCAN-OPTIONS
#       Runs the job (inputs and output on HDFS), then prints the table (or writes TABLE).
#       SCAN-OPTIONS are copub scan's: --institution ID | --country CC | --all, and the
#       analysis options (--by, --home, --from, --to, --types, --partners FILE...).
#       Files named by --partners, --themes and --ror are shipped with the job.
#   hadoop-streaming.sh map SCAN-OPTIONS      the mapper (Hadoop runs it)
#   hadoop-streaming.sh reduce SCAN-OPTIONS   the reducer (Hadoop runs it)
#
# The mapper reads its split's lines on standard input (Hadoop has already decompressed
# gzip input) and writes one record: the key "partial", a tab, and its partial aggregate
# in base64 on one line, since a partial has lines and tabs of its own that the shuffle
# would cut up and sort. The reducer gets "partial<TAB>BASE64" lines, decodes each into a
# file and runs copub merge with the analysis options (the scan-only ones removed),
# --format csv unless told otherwise. One reducer (-numReduceTasks 1) sees every partial.
#
# Environment:
#   COPUB               the copub binary (submit: default `copub` on PATH, else the build
#                       tree's; on the nodes: ./copub, shipped with the job)
#   HADOOP_STREAMING    the command that runs a streaming job (default: hadoop jar
#                       $HADOOP_STREAMING_JAR)
#   HADOOP_STREAMING_JAR  default: the hadoop-streaming-*.jar under $HADOOP_HOME
#   HDFS_CAT            the command that prints an output file (default: hdfs dfs -cat;
#                       `cat` for a local job)
# The nodes need copub's run-time libraries (GLib, yajl, jansson, libcurl, libxml2,
# SQLite, zlib, libgeonames: the Debian packages of scripts/install-deps), and base64.
set -euo pipefail

self=$0
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "hadoop-streaming.sh: $*" >&2; exit 2; }

# merge_options SCAN-OPTIONS: prints (NUL-separated) the options copub merge takes: the
# scan's, without those that choose and read the records.
merge_options() {
    while [ $# -gt 0 ]; do
        case $1 in
            --institution|--country|--ror|--threads|--partial) shift 2 || shift ;;
            --institution=*|--country=*|--ror=*|--threads=*|--partial=*) shift ;;
            --all|--normalise|--skip-bad|-v|-vv|--verbose) shift ;;
            *) printf '%s\0' "$1"; shift ;;
        esac
    done
}

copub_bin() {
    if [ -n "${COPUB:-}" ]; then echo "$COPUB"
    elif [ -x ./copub ]; then echo ./copub
    elif command -v copub >/dev/null 2>&1; then command -v copub
    elif [ -x "$here/../../build/copub" ]; then echo "$here/../../build/copub"
    else die "copub not found: set COPUB"; fi
}

map() {
    local copub
    copub=$(copub_bin)
    # global: the EXIT trap runs after the function has returned
    tmp=$(mktemp "${TMPDIR:-/tmp}/copub-map.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    "$copub" scan --threads "${COPUB_THREADS:-1}" "$@" --partial "$tmp" -
    printf 'partial\t'
    base64 -w 0 <"$tmp"
    printf '\n'
}

reduce() {
    local copub n opts=() format=
    copub=$(copub_bin)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/copub-reduce.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
    # "partial<TAB>BASE64" (a trailing tab or not): one file of base64 per record.
    awk -F '\t' -v dir="$dir" '
        $1 != "partial" { print "hadoop-streaming.sh: reducer: unexpected key \"" $1 "\"" >"/dev/stderr"; exit 3 }
        { n++; f = dir "/" n ".b64"; print $2 >f; close(f) }' || exit 4
    n=0
    for f in "$dir"/*.b64; do
        [ -e "$f" ] || continue
        n=$((n + 1))
        base64 -d <"$f" >"${f%.b64}.partial" || die "reducer: record $n is not base64"
    done
    [ "$n" -gt 0 ] || die "reducer: no partial aggregate in the input"
    while IFS= read -r -d '' o; do
        opts+=("$o")
        case $o in --format|--format=*) format=yes ;; esac
    done < <(merge_options "$@")
    [ -n "$format" ] || opts+=(--format csv)
    "$copub" merge "${opts[@]}" "$dir"/*.partial
}

submit() {
    local inputs=() output='' table='' copub jar=''
    while [ $# -gt 0 ]; do
        case $1 in
            -i|--input) inputs+=("$2"); shift 2 ;;
            -o|--output) output=$2; shift 2 ;;
            -t|--table) table=$2; shift 2 ;;
            --) shift; break ;;
            *) die "submit: unknown option '$1' (scan options go after --)" ;;
        esac
    done
    if [ ${#inputs[@]} -eq 0 ] || [ -z "$output" ]; then
        die "submit needs -i INPUT and -o OUTPUT"
    fi
    copub=$(copub_bin)
    [ -x "$copub" ] || die "copub not found at '$copub': set COPUB"

    # Files the options name travel with the job and are named by their base names there.
    local files=("$copub#copub" "$self") opts=() want_file=
    for o in "$@"; do
        case $o in *[[:space:]\"\'\\]*) die "submit: option values cannot hold blanks or quotes: '$o'" ;; esac
        if [ -n "$want_file" ]; then
            [ -f "$o" ] || die "submit: no file '$o'"
            files+=("$o"); opts+=("$(basename "$o")"); want_file=; continue
        fi
        case $o in
            --partners|--themes|--ror) opts+=("$o"); want_file=yes ;;
            --partners=*|--themes=*|--ror=*)
                [ -f "${o#*=}" ] || die "submit: no file '${o#*=}'"
                files+=("${o#*=}"); opts+=("${o%%=*}=$(basename "${o#*=}")") ;;
            *) opts+=("$o") ;;
        esac
    done
    local ship
    ship=$(IFS=,; echo "${files[*]}")

    local run
    if [ -n "${HADOOP_STREAMING:-}" ]; then
        read -r -a run <<<"$HADOOP_STREAMING"
    else
        jar=${HADOOP_STREAMING_JAR:-}
        if [ -z "$jar" ]; then
            for j in "${HADOOP_HOME:-/usr/lib/hadoop}"/share/hadoop/tools/lib/hadoop-streaming-*.jar; do
                [ -f "$j" ] && jar=$j && break
            done
        fi
        [ -n "$jar" ] || die "no hadoop-streaming jar: set HADOOP_STREAMING_JAR or HADOOP_HOME"
        run=(hadoop jar "$jar")
    fi
    local args=(-D mapreduce.job.name="copub scan" -D mapreduce.job.reduces=1
                -D mapreduce.map.speculative=false -files "$ship"
                -cmdenv COPUB=./copub)
    for i in "${inputs[@]}"; do args+=(-input "$i"); done
    args+=(-output "$output"
           -mapper "bash $(basename "$self") map ${opts[*]}"
           -reducer "bash $(basename "$self") reduce ${opts[*]}"
           -numReduceTasks 1)
    "${run[@]}" "${args[@]}" >&2

    # The reducer's lines have no tab: Hadoop's text output adds one after each.
    local cat_cmd
    read -r -a cat_cmd <<<"${HDFS_CAT:-hdfs dfs -cat}"
    if [ -n "$table" ]; then
        "${cat_cmd[@]}" "$output/part-00000" | sed 's/\t$//' >"$table"
    else
        "${cat_cmd[@]}" "$output/part-00000" | sed 's/\t$//'
    fi
}

[ $# -gt 0 ] || die "usage: hadoop-streaming.sh submit|map|reduce ..."
command=$1; shift
case $command in
    map) map "$@" ;;
    reduce) reduce "$@" ;;
    submit) submit "$@" ;;
    -h|--help) sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//' ;;
    *) die "unknown command '$command': submit, map or reduce" ;;
esac
