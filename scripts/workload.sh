#!/usr/bin/env bash
# A small real workload for the demo and the samples, on the server in DBADVISE_TEST_*:
#   scripts/workload.sh init DB SCALE     create DB with pg_stat_statements, pgbench -i
#   scripts/workload.sh run DB SECONDS [TPS]
#                                         2 pgbench read-write clients plus 2 read-only clients,
#                                         each kind throttled to TPS transactions/s when given
set -euo pipefail
action=${1:?init|run}
db=${2:?database}
bin=$DBADVISE_TEST_PGBIN
export PGOPTIONS="-c client_min_messages=warning"
dsn="host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=$db user=postgres"
case "$action" in
init)
  scale=${3:-5}
  "$bin/psql" -X -q -d "host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=postgres user=postgres" \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  "$bin/psql" -X -q -d "$dsn" -c "CREATE EXTENSION pg_stat_statements"
  "$bin/pgbench" -i -q -s "$scale" "$dsn" >/dev/null 2>&1
  # steady state, as a production cache would be: the tables and indexes in shared_buffers
  "$bin/psql" -X -q -d "$dsn" -c "CREATE EXTENSION pg_prewarm" \
    -c "SELECT pg_prewarm(c.oid) FROM pg_class c WHERE c.relname LIKE 'pgbench%' AND c.relkind IN ('r', 'i')" >/dev/null
  ;;
run)
  seconds=${3:-10}
  rate=()
  [ -n "${4:-}" ] && rate=(-R "$4")
  "$bin/pgbench" -n -T "$seconds" -c 2 "${rate[@]}" "$dsn" >/dev/null 2>&1 &
  writers=$!
  "$bin/pgbench" -n -S -T "$seconds" -c 2 "${rate[@]}" "$dsn" >/dev/null 2>&1 &
  readers=$!
  wait "$writers" "$readers"
  ;;
esac
