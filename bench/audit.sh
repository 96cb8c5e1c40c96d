#!/usr/bin/env bash
# `palisade audit` on a generated repository with 10,000 commits and 5,000 files (plus a
# lockfile, a signed attestation bundle and an in-toto layout), release build; prints
# wall time and maximum RSS. Target: under 10 s on 2 cores.
# Usage: bench/audit.sh [COMMITS] [FILES]
set -euo pipefail
cd "$(dirname "$0")/.."
commits="${1:-10000}"
files="${2:-5000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
cargo build --quiet --release -p palisade
pal="$CARGO_TARGET_DIR/release/palisade"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
git init -q "$repo"
# history through fast-import: commit i changes file (i mod FILES)
python3 - "$commits" "$files" > "$work/stream" <<'PY'
import sys
commits, files = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
for i in range(commits):
    path = f"src/dir{(i % files) // 100}/file{i % files}.txt"
    data = f"content of {path} at commit {i}\n"
    msg = f"commit {i}\n"
    out.write("commit refs/heads/main\n")
    out.write(f"committer Bench <bench@example.com> {1700000000 + i} +0000\n")
    out.write(f"data {len(msg)}\n{msg}")
    out.write(f"M 100644 inline {path}\ndata {len(data)}\n{data}")
PY
(cd "$repo" && git fast-import --quiet < "$work/stream" && git checkout -q main)
cp ../shared/lockfiles/rust/real-cargo.Cargo.lock "$repo/Cargo.lock"
cp ../shared/vectors/in-toto-demo/dsse/good/root.layout "$repo/root.layout"
(cd "$repo" && "$pal" key generate --type ed25519 --out "$work/release" -q >/dev/null \
  && "$pal" attest --subject Cargo.lock --predicate-type https://example.com/p \
       --predicate '{}' --key "$work/release" --bundle release.intoto.jsonl -q)
echo "repository: $(git -C "$repo" rev-list --count HEAD) commits, $(git -C "$repo" ls-files | wc -l) tracked files"
/usr/bin/time -f "palisade audit: %e s wall, %M KiB max RSS" \
  "$pal" audit "$repo" --key "$work/release.pub" --key ../shared/vectors/in-toto-demo/dsse/good/alice.pub \
  --format json --out "$work/report.json" -q
grep -o '"status": "[a-z-]*"' "$work/report.json" | sort | uniq -c
