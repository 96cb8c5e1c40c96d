#!/bin/sh
# Secret scanning throughput: palisade against detect-secrets and ripsecrets, on the
# unpacked sources of the cargo registry (the project's dependencies after a build).
#
#   bench/secrets.sh                  # from the workspace root
#   SAMPLE_MB=10 bench/secrets.sh     # size of the sample the (slow) peers scan
#   SKIP_PEERS=1 bench/secrets.sh     # palisade only
#   RIPSECRETS_SAMPLE_ONLY=1 bench/secrets.sh  # ripsecrets on the sample only (it takes
#                                     # ~90 s on the whole corpus)
#
# Tools (installed on first use, registries only, under $HOME/.cache/palisade/bench-tools):
#   detect-secrets 1.5.0 — PyPI, in a venv (ds-venv)
#   ripsecrets 0.1.11    — crates.io, `cargo install --root`
#   palisade             — $PALISADE_BIN, else the release build
#
# Prints, per tool and corpus: bytes, wall and CPU seconds, MB/s (wall) and MB per
# CPU-second (the fair figure on a shared machine), max RSS (/usr/bin/time -v) and
# findings, then the ratio palisade/peer. Caches are warm (one untimed pass first).
# Also prints precision/recall on the labelled corpus (../shared/secrets) for palisade and
# the peers (bench/secrets-precision.sh, same binary), and the history of a 10,000-commit
# repository.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS="${CORPUS:-$(ls -d "$HOME"/.cargo/registry/src/*/ | head -1)}"
SAMPLE_MB="${SAMPLE_MB:-10}"
TOOLS="$HOME/.cache/palisade/bench-tools"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"

if [ -z "${PALISADE_BIN:-}" ]; then
    (cd "$ROOT" && cargo build -q -j1 --release -p palisade)
    PALISADE_BIN="$CARGO_TARGET_DIR/release/palisade"
fi
if [ -z "${SKIP_PEERS:-}" ]; then
    mkdir -p "$TOOLS"
    [ -x "$TOOLS/ds-venv/bin/detect-secrets" ] || {
        python3 -m venv "$TOOLS/ds-venv"
        "$TOOLS/ds-venv/bin/pip" install --quiet detect-secrets==1.5.0
    }
    [ -x "$TOOLS/bin/ripsecrets" ] || CARGO_TARGET_DIR="$TOOLS/target" cargo install --quiet --locked -j1 --root "$TOOLS" ripsecrets@0.1.11
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The sample: whole crates in name order until SAMPLE_MB, none over half of it (hard
# links, no copy).
mkdir -p "$WORK/sample"
limit=$((SAMPLE_MB * 1024 * 1024))
total=0
for c in "$CORPUS"*/; do
    [ "$total" -lt "$limit" ] || break
    n=$(du -sb "$c" | cut -f1)
    [ "$n" -le $((limit / 2)) ] || continue # no single crate dominates the sample
    cp -al "$c" "$WORK/sample/" 2>/dev/null || cp -a "$c" "$WORK/sample/"
    total=$((total + n))
done

bytes_of() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }

# run NAME LABEL DIR COUNT_CMD CMD... : time one warm run; prints a table row.
run() {
    name=$1 label=$2 dir=$3 count=$4
    shift 4
    "$@" >/dev/null 2>&1 || true # warm the page cache
    /usr/bin/time -v -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || true
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$WORK/time")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$WORK/time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/time")
    b=$(bytes_of "$dir")
    found=$(sh -c "$count" <"$WORK/out" 2>/dev/null || echo "?")
    mbs=$(awk -v b="$b" -v w="$wall" 'BEGIN { if (w > 0) printf "%.1f", b / 1048576 / w; else print "-" }')
    # Per CPU-second: the machine is shared, so wall time depends on the other load.
    mbc=$(awk -v b="$b" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.1f", b / 1048576 / c; else print "-" }')
    printf '%-15s %-7s %7.1f MB %7.2f s wall %7.2f s cpu %8s MB/s %8s MB/cpu-s %5s MB RSS %6s findings\n' \
        "$name" "$label" "$(awk -v b="$b" 'BEGIN {print b / 1048576}')" "$wall" "$cpu" "$mbs" "$mbc" "$rss" "$found"
    echo "$mbc" >"$WORK/mbc.$name.$label"
    echo "$mbs" >"$WORK/mbs.$name.$label"
}

echo "corpus: $CORPUS ($(find "$CORPUS" -type f | wc -l) files); sample: $(find "$WORK/sample" -type f | wc -l) files"
echo "cores: $(nproc)"
run palisade sample "$WORK/sample" "jq '.findings | length'" "$PALISADE_BIN" secrets scan "$WORK/sample" --format json --quiet
run palisade all "$CORPUS" "jq '.findings | length'" "$PALISADE_BIN" secrets scan "$CORPUS" --format json --quiet
if [ -z "${SKIP_PEERS:-}" ]; then
    run ripsecrets sample "$WORK/sample" "wc -l" "$TOOLS/bin/ripsecrets" "$WORK/sample"
    # detect-secrets only reports paths relative to the current directory.
    run detect-secrets sample "$WORK/sample" "jq '[.results[] | length] | add // 0'" \
        sh -c 'cd "$1" && exec "$2" scan --all-files .' _ "$WORK/sample" "$TOOLS/ds-venv/bin/detect-secrets"
    # ripsecrets (~6 MB/s) also reads the whole corpus, so the ratio that matters is
    # measured on the same input at full size, where start-up costs do not dominate.
    [ -n "${RIPSECRETS_SAMPLE_ONLY:-}" ] ||
        run ripsecrets all "$CORPUS" "wc -l" "$TOOLS/bin/ripsecrets" "$CORPUS"
    for label in sample all; do
        [ -f "$WORK/mbs.ripsecrets.$label" ] || continue
        for unit in mbc mbs; do
            ours=$(cat "$WORK/$unit.palisade.$label")
            theirs=$(cat "$WORK/$unit.ripsecrets.$label")
            awk -v a="$ours" -v b="$theirs" -v l="$label" -v u="$unit" 'BEGIN { if (b > 0) printf "palisade / ripsecrets on the %s (%s): %.0fx\n", (l == "all" ? "whole corpus" : "sample"), (u == "mbc" ? "MB per CPU-second" : "MB/s wall"), a / b }'
        done
    done
    ours=$(cat "$WORK/mbc.palisade.sample")
    theirs=$(cat "$WORK/mbc.detect-secrets.sample")
    awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0) printf "palisade / detect-secrets on the sample (MB per CPU-second): %.0fx\n", a / b }'
fi

echo
echo "labelled corpus (../shared/secrets), precision and recall per source and tool:"
# The same binary, and the peers when they are installed (bench/secrets-precision.sh).
PALISADE_BIN="$PALISADE_BIN" sh "$ROOT/bench/secrets-precision.sh"

# History: a synthetic repository of $COMMITS commits (git fast-import), 200 files, each
# commit changing one; a secret added at commit 5000 and removed at 5001.
COMMITS="${COMMITS:-10000}"
H="$WORK/history"
git init -q "$H"
awk -v n="$COMMITS" 'BEGIN {
    for (i = 1; i <= n; i++) {
        f = i % 200
        body = "file " f " revision " i "\nlet x = " i * 7919 " ;\n"
        if (i == n / 2) body = body "token = \"ghp_" "R7kq2mZ0pLx4Vn8sT1wY6cB3dF9hJ5aE2uQo\"\n"
        printf "commit refs/heads/main\ncommitter B <b@example.com> %d +0000\ndata 2\nc\n", 1700000000 + i
        printf "M 644 inline src/f%d.rs\ndata %d\n%s\n", f, length(body), body
    }
}' | git -C "$H" fast-import --quiet
git -C "$H" gc -q
/usr/bin/time -v -o "$WORK/time" "$PALISADE_BIN" secrets scan "$H" --history --format json >"$WORK/out" 2>"$WORK/err" || true
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$WORK/time")
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/time")
echo "history: $COMMITS commits, $(tr '\n' ' ' <"$WORK/err"); ${wall} s, ${rss} MB RSS, $(jq '.findings | length' "$WORK/out") finding(s)"
