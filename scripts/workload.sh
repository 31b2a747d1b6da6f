#!/usr/bin/env bash
# A small real workload for the demo and the samples, on the server in DBADVISE_TEST_*:
#   scripts/workload.sh init DB SCALE     create DB with pg_stat_statements, pgbench -i
#   scripts/workload.sh run DB SECONDS    pgbench read-write clients plus read-only clients
set -euo pipefail
action=${1:?init|run}
db=${2:?database}
bin=$DBADVISE_TEST_PGBIN
dsn="host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=$db user=postgres"
case "$action" in
init)
  scale=${3:-5}
  "$bin/psql" -X -q -d "host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=postgres user=postgres" \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  "$bin/psql" -X -q -d "$dsn" -c "CREATE EXTENSION pg_stat_statements"
  "$bin/pgbench" -i -q -s "$scale" "$dsn" >/dev/null 2>&1
  ;;
run)
  seconds=${3:-10}
  "$bin/pgbench" -n -T "$seconds" -c 2 "$dsn" >/dev/null 2>&1 &
  writers=$!
  "$bin/pgbench" -n -S -T "$seconds" -c 2 "$dsn" >/dev/null 2>&1 &
  readers=$!
  wait "$writers" "$readers"
  ;;
esac
