#!/usr/bin/env bash
# Runs the test suites against every tested PostgreSQL (scripts/pg-servers.sh: 15, 16, 18; PG=16
# or PG=15,18 picks some), each in a throwaway server of its own (scripts/with-test-server.sh),
# and prints one results line per server. Fails when any server fails, does not start, or any
# test was skipped (an integration test that did not run is not a pass).
#   15 (Debian's):  everything: unit tests, every integration suite, the long workloads
#   16, 18:         the version-sensitive suites (collection, statements, partitions, the
#                   per-server snapshot suite, replication); unit tests too when 15 is not run
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# Suites whose SQL or server behavior differs between versions: run on every server.
versioned="PgbenchCollectionTests|CatalogCollectionTests|StatementTextTests|PartitionPlanDDLTests|ServerVersionTests|ConnectionTests|CollectCommandTests|AnalyzeLiveTests|PostgresHistoryStoreContractTests|SharedHistoryTests"
# Long workloads (and pg_partman's create_parent, Debian's 15 only): on the workload server.
workload="CheckCommandTests|FleetCommandTests|QueryMixWorkloadTests|GrowthSeriesTests|AnalyzeWorkloadTests|ExistingPartitionsAdviceTests|MultiTenantShardingTests"
workload_major=15
# The replication suite needs a quiet primary (its "no false lag" case writes nothing and
# expects the standby to stay caught up), so it runs alone, after everything else.
isolated="ReplicationIntegrationTests"

# Inside with-test-server.sh: one server's runs. $2 is the scope, $3 the results file.
if [ "${1:-}" = "--on-server" ]; then
  scope=$2 results=$3
  log=$(mktemp /tmp/dbadvise-test-log.XXXXXX)
  trap 'rm -f "$log"' EXIT
  case "$scope" in
  full) selection=(--skip "$isolated") ;;
  unit+versioned) selection=(--skip "$workload|$isolated") ;;
  versioned) selection=(--filter "$versioned") ;;
  esac
  status=0
  DBADVISE_REQUIRE_SERVER=1 swift test --skip-build "${selection[@]}" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  DBADVISE_REQUIRE_SERVER=1 swift test --skip-build --filter "$isolated" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # swift-testing's summary: "✔ Test run with N tests in M suites passed …" per run; failed
  # tests are the "✘ Test name… failed" lines.
  total=$(sed -n -E 's/.*Test run with ([0-9]+) tests?.*/\1/p' "$log" | awk '{ sum += $1 } END { print sum + 0 }')
  failed=$(grep -E "^✘ Test .* failed after" "$log" | grep -vc "^✘ Test run with")
  runs=$(grep -c "Test run with" "$log")
  note=""
  if [ "$runs" -lt 2 ]; then status=1; note=" (a test run did not finish)"; fi
  if ! grep -q "$isolated\|replication with a real standby" "$log"; then
    status=1; note="$note (the replication suite did not run)"
  fi
  if grep -E "(Test|Suite) .* skipped" "$log" >/dev/null; then
    echo "run-tests: some tests were skipped; every test must run under make test" >&2
    grep -E "skipped" "$log" >&2
    status=1; note="$note (tests skipped)"
  fi
  version=$("$DBADVISE_TEST_PGBIN/postgres" --version | awk '{print $3}')
  capabilities="pg_stat_statements $([ "$DBADVISE_TEST_HAS_PG_STAT_STATEMENTS" = 1 ] && echo yes || echo no)"
  capabilities="$capabilities, pg_partman $([ "$DBADVISE_TEST_HAS_PG_PARTMAN" = 1 ] && echo yes || echo no)"
  echo "PostgreSQL $version: $((total - failed)) passed, $failed failed — $scope suites; $capabilities$note" >>"$results"
  exit "$status"
fi

chosen=$("$here/pg-servers.sh" majors) || exit 2
mapfile -t majors <<<"$chosen"
results=$(mktemp /tmp/dbadvise-test-results.XXXXXX)
trap 'rm -f "$results"' EXIT
unit_done=0
[[ " ${majors[*]} " == *" $workload_major "* ]] && unit_done=1
status=0
for major in "${majors[@]}"; do
  if [ "$major" = "$workload_major" ]; then
    scope=full
  elif [ "$unit_done" -eq 0 ]; then
    scope=unit+versioned; unit_done=1
  else
    scope=versioned
  fi
  echo "run-tests: PostgreSQL $major, $scope suites"
  if ! DBADVISE_PG_MAJOR=$major "$here/with-test-server.sh" "$here/run-tests.sh" --on-server "$scope" "$results"; then
    status=1
    grep -q "^PostgreSQL $major\." "$results" || echo "PostgreSQL $major: the server did not start or the run broke off" >>"$results"
  fi
done
echo
echo "run-tests: results per server"
cat "$results"
exit "$status"
