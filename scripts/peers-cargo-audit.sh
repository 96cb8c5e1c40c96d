#!/usr/bin/env bash
# Installs cargo-audit (pinned), the differential peer of `palisade check` on Cargo.lock
# files, into ~/.cache/palisade/cargo-audit (outside the clone). Only if missing: the
# build takes 10+ minutes on a small machine.
set -euo pipefail
root="${PALISADE_CARGO_AUDIT_ROOT:-$HOME/.cache/palisade/cargo-audit}"
version="0.22.2"
if [ -x "$root/bin/cargo-audit" ] && "$root/bin/cargo-audit" audit --version 2>/dev/null | grep -q "$version"; then
  exit 0
fi
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${PALISADE_CARGO_AUDIT_TARGET:-$HOME/.cache/palisade-target-cargo-audit}"
cargo install --locked --root "$root" --version "$version" cargo-audit
