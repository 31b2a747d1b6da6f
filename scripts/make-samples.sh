#!/usr/bin/env bash
# make samples: every file in samples/ (but dbadvise.yml) is written here by the tool itself,
# from real workloads on the throwaway server.
set -euo pipefail
dbadvise=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$root/samples
mkdir -p "$out/snapshots" "$out/reports"
dsn() { echo "host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=$1 user=postgres"; }
# the redacted samples' key: made fresh (in the throwaway server's directory), never the
# user's own ~/.config/dbadvise/redact.key
export DBADVISE_REDACT_KEY=$DBADVISE_TEST_DIR/samples-redact.key

# 1. pgbench under a steady, moderate load: 2 read-write + 2 read-only clients, each kind
#    throttled to 300 transactions/s (so the rates do not depend on the machine), sampled 5 s
"$here/workload.sh" init shop 5
"$here/workload.sh" run shop 9 300 &
load=$!
sleep 2
"$dbadvise" collect --dsn "$(dsn shop)" --interval 5s --output "$out/snapshots/pgbench.json"
wait "$load"
"$dbadvise" collect --dsn "$(dsn shop)" --interval 0 --redact --output "$out/snapshots/pgbench-redacted.json"

# 2. the same database, idle
sleep 1
"$dbadvise" collect --dsn "$(dsn shop)" --interval 3s --output "$out/snapshots/idle.json"

# 2b. a shop's query mix: hot product lookups (a cache candidate) and GROUP BY reports over the
#     orders being written (CQRS), collected plainly and with --redact under the same load
"$here/query-mix-workload.sh" init shop_mix
"$here/query-mix-workload.sh" run shop_mix 15 &
load=$!
sleep 2
"$dbadvise" collect --dsn "$(dsn shop_mix)" --interval 5s --output "$out/snapshots/query-mix.json"
"$dbadvise" collect --dsn "$(dsn shop_mix)" --interval 5s --redact --output "$out/snapshots/query-mix-redacted.json"
wait "$load"

# 3. a primary with a lagging standby: replay paused on the standby while pgbench writes
standby=$("$here/test-server.sh" standby "$DBADVISE_TEST_DIR" replica1 replica1_slot | sed 's/dbname=dbadvise_test/dbname=shop/')
# one commit replayed first, so the standby knows the age of what it shows
"$DBADVISE_TEST_PGBIN/psql" -X -q -d "$(dsn shop)" -c "CREATE TABLE replica_probe AS SELECT 1 AS x" >/dev/null
sleep 1
"$DBADVISE_TEST_PGBIN/psql" -X -q -d "$standby" -c "SELECT pg_wal_replay_pause()" >/dev/null
"$DBADVISE_TEST_PGBIN/pgbench" -n -T 8 -c 2 -R 300 "$(dsn shop)" >/dev/null 2>&1 &
load=$!
sleep 2
"$dbadvise" collect --dsn "$(dsn shop)" --replica "$standby" --interval 4s \
  --output "$out/snapshots/primary-lagging-standby.json"
wait "$load"
"$DBADVISE_TEST_PGBIN/psql" -X -q -d "$standby" -c "SELECT pg_wal_replay_resume()" >/dev/null

# 4. a history: an events table growing by 50,000 rows between six collections into one
#    directory (collect --output DIR/), the statistics reset once in the middle
rm -rf "$out/history"
"$DBADVISE_TEST_PGBIN/psql" -X -q -d "$(dsn postgres)" -c "DROP DATABASE IF EXISTS growth WITH (FORCE)" -c "CREATE DATABASE growth" >/dev/null
"$DBADVISE_TEST_PGBIN/psql" -X -q -d "$(dsn growth)" \
  -c "CREATE TABLE events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), kind int, payload text)" >/dev/null
inserts=$(mktemp /tmp/dbadvise-inserts.XXXXXX.sql)
echo "INSERT INTO events (kind, payload) SELECT i % 7, repeat('x', 200) FROM generate_series(1, 500) AS i;" >"$inserts"
for round in 1 2 3 4 5 6; do
  "$DBADVISE_TEST_PGBIN/psql" -X -q -d "$(dsn growth)" \
    -c "INSERT INTO events (kind, payload) SELECT i % 7, repeat('x', 200) FROM generate_series(1, 50000) AS i" >/dev/null
  if [ "$round" = 4 ]; then "$DBADVISE_TEST_PGBIN/psql" -X -q -d "$(dsn growth)" -c "SELECT pg_stat_reset()" >/dev/null; fi
  # a steady trickle of 10 inserts of 500 rows a second while each snapshot samples
  "$DBADVISE_TEST_PGBIN/pgbench" -n -T 6 -R 10 -f "$inserts" "$(dsn growth)" >/dev/null 2>&1 &
  load=$!
  "$dbadvise" collect --dsn "$(dsn growth)" --interval 5s --output "$out/history/"
  wait "$load"
done
rm -f "$inserts"

# the rule tests start from a real capture; refreshed only when asked (make samples FIXTURE=1),
# since the text golden of the rule tests is rendered from it
if [ "${FIXTURE:-0}" = 1 ]; then
  cp "$out/snapshots/pgbench.json" "$root/Tests/DBAdviseRulesTests/Fixtures/pgbench.json"
  echo "samples: refreshed Tests/DBAdviseRulesTests/Fixtures/pgbench.json; regenerate the golden with DBADVISE_UPDATE_GOLDEN=1 swift test --filter ReportOutputTests"
fi

# 3. reports from those snapshots, and the rule list
if "$dbadvise" analyze --help >/dev/null 2>&1; then
  for name in pgbench idle primary-lagging-standby query-mix query-mix-redacted; do
    "$dbadvise" analyze --input "$out/snapshots/$name.json" --format text >"$out/reports/$name.txt"
    "$dbadvise" analyze --input "$out/snapshots/$name.json" --format json >"$out/reports/$name.json"
    "$dbadvise" analyze --input "$out/snapshots/$name.json" --format markdown >"$out/reports/$name.md"
  done
  # check: the CI gate, passing on defaults and failing on thresholds set low (exit 1 expected)
  mkdir -p "$out/check"
  low="$out/check/low-thresholds.yml"
  printf 'thresholds:\n  writes_per_second: {warning: 200, critical: 1000}\n  table_size_gb: {warning: 0.01, critical: 1}\n' >"$low"
  "$dbadvise" check --input "$out/snapshots/pgbench.json" --format text >"$out/check/pass.txt"
  for format in text junit github json; do
    ext=$format; [ "$format" = text ] && ext=txt; [ "$format" = junit ] && ext=xml; [ "$format" = github ] && ext=github.txt
    "$dbadvise" check --input "$out/snapshots/pgbench.json" --config "$low" --format "$format" >"$out/check/fail.$ext" || [ $? -eq 1 ]
  done
  "$dbadvise" check --input "$out/snapshots/pgbench.json" --config "$low" --write-baseline "$out/check/baseline.json" 2>/dev/null >/dev/null
  # growth over the history: trends, forecasts, what-if at 100x data, the plot
  growth_config="$out/reports/growth-config.yml"
  printf 'hardware:\n  memory_gb: 4\n  storage_gb: 100\nthresholds:\n  table_size_gb: {warning: 1, critical: 10}\n' >"$growth_config"
  for format in text json markdown; do
    ext=$format; [ "$format" = text ] && ext=txt; [ "$format" = markdown ] && ext=md
    "$dbadvise" analyze --input "$out/history/" --config "$growth_config" --what-if data=100x --format "$format" >"$out/reports/growth.$ext"
  done
  "$dbadvise" analyze --input "$out/history/" --config "$growth_config" --plot "$out/growth.svg" >/dev/null
  # the history's store is derived from its files (and rebuilt from them): samples keep the files
  rm -f "$out/history/history.sqlite"
  # a fleet: every database of the server, two at a time, into per-database directories;
  # collect prints the fleet report, analyze --input reads it back in every format
  fleet=$(mktemp -d /tmp/dbadvise-fleet.XXXXXX)
  "$dbadvise" collect --dsn "$(dsn shop)" --all-databases --jobs 2 --interval 0 --output "$fleet/" \
    >"$out/reports/fleet-collect.txt" 2>/dev/null
  for format in text json markdown; do
    ext=$format; [ "$format" = text ] && ext=txt; [ "$format" = markdown ] && ext=md
    "$dbadvise" analyze --input "$fleet/" --format "$format" >"$out/reports/fleet.$ext"
  done
  rm -rf "$fleet"
  "$dbadvise" rules --format text >"$out/rules.txt"
  "$dbadvise" rules --format json >"$out/rules.json"
fi
echo "samples: written to $out"
