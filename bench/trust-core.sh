#!/usr/bin/env bash
# Sign and verify 10,000 in-toto statements in DSSE with ed25519 and ecdsa-p256:
# Palisade's library (release build) against Python securesystemslib, in one run.
# Prints both times and the ratio. Usage: bench/trust-core.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
bash scripts/install-peers.sh >/dev/null
py="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}/bin/python"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
cargo build --quiet --release -p palisade-attest --example bench_sign_verify
ours="$CARGO_TARGET_DIR/release/examples/bench_sign_verify"
printf '%-11s %-7s %12s %16s %8s\n' key op palisade securesystemslib ratio
for kind in ed25519 ecdsa-p256; do
  read -r ps pv pp < <("$ours" "$kind" "$n")
  read -r ss sv < <("$py" bench/sslib_sign_verify.py "$kind" "$n")
  awk -v k="$kind" -v n="$n" -v ps="$ps" -v pv="$pv" -v pp="$pp" -v ss="$ss" -v sv="$sv" -v cores="$(nproc)" 'BEGIN {
    printf "%-11s %-7s %11.3fs %15.3fs %7.1fx\n", k, "sign", ps, ss, ss/ps;
    printf "%-11s %-7s %11.3fs %15.3fs %7.1fx\n", k, "verify", pv, sv, sv/pv;
    printf "%-11s %-7s %11.3fs %15.3fs %7.1fx\n", k, "both", ps+pv, ss+sv, (ss+sv)/(ps+pv);
    printf "%-11s %-7s %11.3fs %15.3fs %7.1fx  (verify on %d cores)\n", k, "verify*", pp, sv, sv/pp, cores;
  }'
done
echo "($n statements each, library calls in one process; one run, same machine)"

# What a user runs per artefact from a shell: one process signs a statement about the
# artefact into its own bundle, another verifies it. Ours writes with fsync + rename
# (crash-safe); the Python script just appends.
m="${BENCH_PROCESSES:-200}"
cargo build --quiet --release -p palisade
pal="$CARGO_TARGET_DIR/release/palisade"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$pal" key generate --type ed25519 --out "$work/k" -q >/dev/null
for i in $(seq "$m"); do echo "artefact $i" > "$work/a$i.bin"; done
t0=$(date +%s.%N)
for i in $(seq "$m"); do
  "$pal" attest --subject "$work/a$i.bin" --predicate-type https://example.com/review/v1 \
    --predicate '{"approved":true}' --key "$work/k" --bundle "$work/ours$i.jsonl" -q
  "$pal" attest verify --bundle "$work/ours$i.jsonl" --subject "$work/a$i.bin" --key "$work/k.pub" -q
done
t1=$(date +%s.%N)
for i in $(seq "$m"); do
  "$py" bench/sslib_cli_once.py sign "$work/k" "$work/a$i.bin" "$work/theirs$i.jsonl"
  "$py" bench/sslib_cli_once.py verify "$work/k.pub" "$work/a$i.bin" "$work/theirs$i.jsonl"
done
t2=$(date +%s.%N)
awk -v m="$m" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
  printf "%-11s %-7s %11.3fs %15.3fs %7.1fx\n", "ed25519", "process", b-a, c-b, (c-b)/(b-a);
  printf "(%d artefacts, each signed by one process and verified by another)\n", m }'
