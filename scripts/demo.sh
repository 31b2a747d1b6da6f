#!/usr/bin/env bash
# make demo: a real pgbench workload on the throwaway server, analyzed live by dbadvise.
set -euo pipefail
dbadvise=${1:?path to dbadvise}
here=$(cd "$(dirname "$0")" && pwd)
echo "demo: loading pgbench (scale 5) into database 'shop'..." >&2
"$here/workload.sh" init shop 5
# The machine the demo runs on is the "hardware" of this database.
config=$(mktemp /tmp/dbadvise-demo.XXXXXX.yml)
trap 'rm -f "$config"' EXIT
memory_gb=$(awk '/MemTotal/ {printf "%d", $2 / 1048576}' /proc/meminfo)
cat >"$config" <<YAML
hardware:
  vcpus: $(nproc)
  memory_gb: $memory_gb
YAML
echo "demo: running pgbench for 15 s (2 read-write and 2 read-only clients); dbadvise samples 10 s of it..." >&2
"$here/workload.sh" run shop 15 &
load=$!
sleep 2
"$dbadvise" analyze --dsn "host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=shop user=postgres" \
  --interval 10s --config "$config"
wait "$load"
