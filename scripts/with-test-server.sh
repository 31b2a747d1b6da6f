#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL, and stops the server whatever the outcome.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=$(mktemp -d /tmp/dbadvise-pg.XXXXXX)
trap '"$here/test-server.sh" stop "$base"' EXIT
trap 'exit 130' INT TERM
"$here/test-server.sh" start "$base"
# shellcheck disable=SC1091
source "$base/env"
"$@"
