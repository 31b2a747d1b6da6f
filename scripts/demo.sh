#!/usr/bin/env bash
# make demo: a real pgbench workload on the throwaway server, analyzed live by dbadvise.
set -euo pipefail
dbadvise=${1:?path to dbadvise}
here=$(cd "$(dirname "$0")" && pwd)
echo "demo: loading pgbench (scale 5) into database 'shop'..." >&2
"$here/workload.sh" init shop 5
# No config: dbadvise reaches the server over its local socket, so it reads this machine's
# vCPUs and memory itself (the report says "inferred") and assumes the 128 vCPU / 1 TB ceiling.
echo "demo: running pgbench for 15 s (2 read-write and 2 read-only clients); dbadvise samples 10 s of it..." >&2
"$here/workload.sh" run shop 15 &
load=$!
sleep 2
"$dbadvise" analyze --dsn "host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=shop user=postgres" \
  --interval 10s
wait "$load"
