#!/usr/bin/env bash
# Runs the TUF conformance suite (theupdateframework/tuf-conformance, not on a package
# registry) against `palisade tuf client`. Usage:
#   scripts/tuf-conformance.sh PATH/TO/tuf-conformance [pytest args...]
# It makes a venv with the suite's pinned Python deps (under ~/.cache/palisade/tuf-conf-venv),
# builds palisade (debug) and writes the two-line entrypoint the suite calls. Expiry tests
# need `faketime` (Debian: faketime).
set -euo pipefail
suite="$(cd "${1:?usage: $0 PATH/TO/tuf-conformance}" && pwd)"
shift
cd "$(dirname "$0")/.."
venv="${TUF_CONF_VENV:-$HOME/.cache/palisade/tuf-conf-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  'securesystemslib[crypto]==1.4.0' 'tuf==7.0.0' 'pytest==9.1.1' 'pytest-json-report==1.5.0'
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
cargo build --quiet -p palisade
entry=$(mktemp -d)/palisade-tuf-client
printf '#!/bin/sh\nexec %q --quiet tuf client "$@"\n' "$CARGO_TARGET_DIR/debug/palisade" > "$entry"
chmod +x "$entry"
cd "$suite"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tuf_conformance --entrypoint "$entry" "$@"
