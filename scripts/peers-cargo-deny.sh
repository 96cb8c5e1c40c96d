#!/usr/bin/env bash
# Installs cargo-deny (pinned), the second differential peer of `palisade check` for
# licence and source policy on Cargo.lock files, into ~/.cache/palisade/cargo-deny
# (outside the clone). Only if missing: the build takes 10+ minutes on a small machine.
set -euo pipefail
root="${PALISADE_CARGO_DENY_ROOT:-$HOME/.cache/palisade/cargo-deny}"
version="0.20.2"
if [ -x "$root/bin/cargo-deny" ] && "$root/bin/cargo-deny" --version 2>/dev/null | grep -q "$version"; then
  exit 0
fi
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${PALISADE_CARGO_DENY_TARGET:-$HOME/.cache/palisade-target-deny-install}"
cargo install --locked --root "$root" --version "$version" cargo-deny
