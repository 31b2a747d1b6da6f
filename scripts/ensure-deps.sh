#!/usr/bin/env bash
# Installs the Debian packages dbadvise's build and tests need, only when missing.
set -euo pipefail
packages=(postgresql postgresql-contrib libpq-dev libpg-query-dev libsqlite3-dev pkg-config)
packages+=(man-db)  # `man -w dbadvise` in the .deb test (make dist-check)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import jsonschema' 2>/dev/null; then
  /usr/bin/python3 -c 'import jsonschema' 2>/dev/null || missing+=(python3-jsonschema)
fi
# pip fetches the PostgreSQL 16 and 18 builds the tests also run against (scripts/pg-servers.sh)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
# Installing needs root: as root directly, else through sudo when it works without a
# password prompt (sudo -n); otherwise print the exact command and stop (exit 2) before doing
# anything else, so nothing fails half-way.
SUDO=
can_install() {
  [ "$(id -u)" -eq 0 ] && return 0
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; return 0; fi
  echo "ensure-deps: missing Debian packages: $*" >&2
  echo "ensure-deps: as a user who can, run: sudo apt-get install -y $*" >&2
  echo "ensure-deps: then run make again" >&2
  exit 2
}
# pg_partman for the server the tests start (the newest installed): the partitioning tests
# run the create_parent call dbadvise writes.
partman_missing() {
  local major
  major=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 | sed -E 's|.*/([0-9]+)/bin|\1|')
  if [ -n "$major" ] && ! dpkg-query -W -f='${Status}' "postgresql-$major-partman" 2>/dev/null | grep -q "install ok installed"; then
    echo "postgresql-$major-partman"
  fi
}
partman=$(partman_missing)
if [ -n "$partman" ]; then missing+=("$partman"); fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  can_install "${missing[@]}"
  echo "ensure-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# A server installed just now brings its own major's pg_partman.
partman=$(partman_missing)
if [ -n "$partman" ]; then
  can_install "$partman"
  echo "ensure-deps: installing $partman"
  $SUDO apt-get install -y -qq "$partman" >/dev/null
fi
# PostgreSQL 16 and 18 (pinned PyPI builds) for the tests' other servers, when missing
"$(dirname "$0")/pg-servers.sh" install
