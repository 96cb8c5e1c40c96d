#!/usr/bin/env bash
# Installs the real peers Palisade's interop tests run against, into a Python virtual
# environment (PALISADE_PEERS_VENV, default ~/.cache/palisade/venv). Idempotent: pip
# only installs what is missing or of another version.
set -euo pipefail
venv="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# Pinned: the versions the interop behaviour was checked against.
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  'securesystemslib[crypto]==1.6.0' \
  'cryptography==50.0.2' \
  'jsonschema==4.26.0' \
  'in-toto==3.1.0' \
  'sarif-pydantic==0.6.2' \
  'tuf==7.0.1'
# Headless Chromium renders the audit's HTML report in a test (Debian's package).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
  else
    echo "install Debian's chromium package (as root) for the HTML report test" >&2
  fi
fi
# git, ssh-keygen and gpg build the signed-commit fixture and are the differential peers
# of `palisade verify commits` (Debian's packages).
for tool in git:git ssh-keygen:openssh-client gpg:gnupg; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq "${tool#*:}" >/dev/null
    else
      echo "install Debian's ${tool#*:} package (as root) for the source tests" >&2
    fi
  fi
done
# tuf-js (npm) is a client peer of the TUF tests: pinned, into PALISADE_PEERS_NPM
# (default ~/.cache/palisade/npm) with the machine's Node.js.
npm_prefix="${PALISADE_PEERS_NPM:-$HOME/.cache/palisade/npm}"
if ! [ -f "$npm_prefix/node_modules/tuf-js/package.json" ] ||
   ! grep -q '"version": "6.0.2"' "$npm_prefix/node_modules/tuf-js/package.json"; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$npm_prefix"
    npm install --prefix "$npm_prefix" --no-audit --no-fund --silent tuf-js@6.0.2 >/dev/null
  else
    echo "install Node.js and npm for the tuf-js interop test" >&2
  fi
fi
# bun 1.1.38 (npm `bun`, which ships the binary in @oven/bun-linux-x64*): the oracle of
# the bun.lockb reader (`bun bun.lockb` prints the binary lock as a yarn v1 lock). The
# last bun line that writes bun.lockb by default.
if ! [ -f "$npm_prefix/node_modules/bun/package.json" ] ||
   ! grep -q '"version": "1.1.38"' "$npm_prefix/node_modules/bun/package.json"; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$npm_prefix"
    npm install --prefix "$npm_prefix" --no-audit --no-fund --silent bun@1.1.38 >/dev/null
  fi
fi
# The SARIF 2.1.0 JSON schema (Microsoft's sarif-2.1.0-rtm.5.json) comes with the npm
# package @microsoft/jest-sarif (MIT); tests validate every SARIF output against it.
if ! [ -f "$npm_prefix/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$npm_prefix"
    npm install --prefix "$npm_prefix" --no-audit --no-fund --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null
  fi
fi
if [ -f "$(dirname "$0")/peers-sbom.sh" ]; then
  PALISADE_PEERS_VENV="$venv" bash "$(dirname "$0")/peers-sbom.sh"
fi
if [ -f "$(dirname "$0")/peers-cargo-audit.sh" ]; then
  bash "$(dirname "$0")/peers-cargo-audit.sh"
fi
if [ -f "$(dirname "$0")/peers-cargo-deny.sh" ]; then
  bash "$(dirname "$0")/peers-cargo-deny.sh"
fi
if [ -f "$(dirname "$0")/peers-ci.sh" ]; then
  PALISADE_PEERS_VENV="$venv" bash "$(dirname "$0")/peers-ci.sh"
fi
echo "peers installed in $venv" >&2
