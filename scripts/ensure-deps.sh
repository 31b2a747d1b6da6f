#!/usr/bin/env bash
# Installs the Debian packages dbadvise's build and tests need, only when missing.
set -euo pipefail
packages=(postgresql postgresql-contrib libpq-dev libpg-query-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import jsonschema' 2>/dev/null; then
  /usr/bin/python3 -c 'import jsonschema' 2>/dev/null || missing+=(python3-jsonschema)
fi
# pip fetches the PostgreSQL 16 and 18 builds the tests also run against (scripts/pg-servers.sh)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# pg_partman for the server the tests start (the newest installed): the partitioning tests
# run the create_parent call dbadvise writes.
major=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 | sed -E 's|.*/([0-9]+)/bin|\1|')
if [ -n "$major" ] && ! dpkg-query -W -f='${Status}' "postgresql-$major-partman" 2>/dev/null | grep -q "install ok installed"; then
  echo "ensure-deps: installing postgresql-$major-partman"
  if [ ${#missing[@]} -eq 0 ]; then $SUDO apt-get update -qq; fi
  $SUDO apt-get install -y -qq "postgresql-$major-partman" >/dev/null
fi
# PostgreSQL 16 and 18 (pinned PyPI builds) for the tests' other servers, when missing
"$(dirname "$0")/pg-servers.sh" install
