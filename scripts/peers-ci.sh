#!/usr/bin/env bash
# The CI-audit peer (issue 9): zizmor, the GitHub Actions static analyser, pinned, into
# the peers' virtual environment. Called by install-peers.sh; idempotent.
set -euo pipefail
venv="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check 'zizmor==1.32.0'
