#!/usr/bin/env bash
# Runs the whole suite against the server described by DBADVISE_TEST_*; fails when any test
# was skipped (an integration test that did not run is not a pass).
set -uo pipefail
log=$(mktemp /tmp/dbadvise-test-log.XXXXXX)
trap 'rm -f "$log"' EXIT
DBADVISE_REQUIRE_SERVER=1 swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then exit "$status"; fi
if grep -E "(Test|Suite) .* skipped" "$log" >/dev/null; then
  echo "run-tests: some tests were skipped; every test must run under make test" >&2
  grep -E "skipped" "$log" >&2
  exit 1
fi
