#!/usr/bin/env bash
# bench/verify-commits.sh [N]
#
# Verifies an N-commit (default 10,000) SSH-signed history three ways and prints the
# times side by side:
#   palisade verify commits            (in-process, one run over the whole range)
#   git log --show-signature           (one ssh-keygen spawn pair per commit)
#   a loop over git verify-commit      (a sample of LOOP_N commits, default 500, scaled to N)
# The history is built with git commit-tree -S (ssh-keygen signing), which alone takes
# ~15-30 ms per commit. PALISADE=path/to/palisade picks the binary (default: the release
# build). Target: at least 20x faster than git log --show-signature.
set -euo pipefail
N=${1:-10000}
LOOP_N=${LOOP_N:-500}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
P=${PALISADE:-$ROOT/target/release/palisade}
[ -x "$P" ] || { echo "no palisade binary at $P (cargo build --release, or set PALISADE)" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export HOME=$W/home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null TZ=UTC LC_ALL=C
mkdir -p "$HOME"
ssh-keygen -q -t ed25519 -N '' -C bench@example.com -f "$W/key"
echo "bench@example.com namespaces=\"git\" $(cut -d' ' -f1-2 "$W/key.pub")" > "$W/allowed_signers"
R=$W/repo; git init -q -b main "$R"
g() { git -C "$R" "$@"; }
g config gpg.format ssh; g config user.signingKey "$W/key"
g config gpg.ssh.allowedSignersFile "$W/allowed_signers"
export GIT_AUTHOR_NAME=bench GIT_COMMITTER_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_EMAIL=bench@example.com
tree=$(g mktree </dev/null)
now() { date +%s.%N; }
t0=$(now); parent=
for i in $(seq 1 "$N"); do
  export GIT_AUTHOR_DATE="$((1700000000 + i)) +0000" GIT_COMMITTER_DATE="$((1700000000 + i)) +0000"
  parent=$(g commit-tree -S $tree ${parent:+-p $parent} -m "commit $i")
done
g update-ref refs/heads/main "$parent"
echo "built $N signed commits in $(echo "$(now) - $t0" | bc) s"

t0=$(now); "$P" verify commits -C "$R" -q --format json >/dev/null; ours=$(echo "$(now) - $t0" | bc)
t0=$(now); g log --show-signature --format=%H main >/dev/null 2>&1; gitlog=$(echo "$(now) - $t0" | bc)
sample=$(g rev-list -n "$LOOP_N" main)
t0=$(now); for c in $sample; do g verify-commit "$c" 2>/dev/null; done
loop=$(echo "($(now) - $t0) * $N / $(echo "$sample" | wc -l)" | bc -l)
printf '%-34s %10.3f s\n' "palisade verify commits" "$ours" \
  "git log --show-signature" "$gitlog" "git verify-commit loop (scaled)" "$loop"
printf 'ratio: %.1fx faster than git log --show-signature, %.1fx faster than the verify-commit loop\n' \
  "$(echo "$gitlog / $ours" | bc -l)" "$(echo "$loop / $ours" | bc -l)"
