#!/usr/bin/env bash
# Installs cargo-deny (pinned), the second differential peer of `palisade check` for
# licence and source policy on Cargo.lock files, into ~/.cache/palisade/cargo-deny
# (outside the clone). Only if missing: the build takes 10+ minutes on a small machine.
set -euo pipefail
# The crates of the test's probe project (DENY_PROJECT_DEPS in
# crates/palisade/tests/check_cmd.rs) must be in the local registry cache for every
# platform: cargo-deny runs `cargo metadata` offline, which needs them all, and a build
# only downloads the ones of this platform (r-efi is UEFI-only).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/src"
: > "$probe/src/lib.rs"
sed -n '/^const DENY_PROJECT_DEPS: &str = r#"/,/^"#;/p' \
  "$(dirname "$0")/../crates/palisade/tests/check_cmd.rs" |
  sed '1s/^.*r#"//; /^"#;/d; /path = /d' > "$probe/deps"
{
  printf '[package]\nname = "deny-probe-fetch"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'
  cat "$probe/deps"
} > "$probe/Cargo.toml"
(cd "$probe" && cargo fetch --quiet)
root="${PALISADE_CARGO_DENY_ROOT:-$HOME/.cache/palisade/cargo-deny}"
version="0.20.2"
if [ -x "$root/bin/cargo-deny" ] && "$root/bin/cargo-deny" --version 2>/dev/null | grep -q "$version"; then
  exit 0
fi
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${PALISADE_CARGO_DENY_TARGET:-$HOME/.cache/palisade-target-deny-install}"
cargo install --locked --root "$root" --version "$version" cargo-deny
