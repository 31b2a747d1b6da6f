#!/usr/bin/env bash
# Runs the whole suite against the server described by DBADVISE_TEST_*; fails when any test
# was skipped (an integration test that did not run is not a pass).
set -uo pipefail
log=$(mktemp /tmp/dbadvise-test-log.XXXXXX)
trap 'rm -f "$log"' EXIT
# The replication suite needs a quiet primary (its "no false lag" case writes nothing and
# expects the standby to stay caught up), so it runs alone, after everything else.
isolated="ReplicationIntegrationTests"
DBADVISE_REQUIRE_SERVER=1 swift test --skip-build --skip "$isolated" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then exit "$status"; fi
DBADVISE_REQUIRE_SERVER=1 swift test --skip-build --filter "$isolated" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then exit "$status"; fi
if ! grep -q "$isolated\|replication with a real standby" "$log"; then
  echo "run-tests: the replication suite did not run" >&2
  exit 1
fi
if grep -E "(Test|Suite) .* skipped" "$log" >/dev/null; then
  echo "run-tests: some tests were skipped; every test must run under make test" >&2
  grep -E "skipped" "$log" >&2
  exit 1
fi
