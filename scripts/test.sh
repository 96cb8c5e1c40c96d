#!/usr/bin/env bash
# The whole test suite: installs the peers, then runs every test of the workspace.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-peers.sh
export PALISADE_PEERS_VENV="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
cargo test --workspace --locked "$@"
