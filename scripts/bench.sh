#!/usr/bin/env bash
# make bench: a throwaway PostgreSQL (stopped even on failure), catalogs of about 1,000, 10,000
# and 50,000 relations, and dbadvise's collect and analyze measured on them (scripts/bench.py).
# Results are printed and written into BENCHMARKS.md.
#   scripts/bench.sh .build/release/dbadvise [bench.py options: --sizes 1000,10000 --runs 3]
set -euo pipefail
dbadvise=${1:?path to a release build of dbadvise}
shift
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/with-test-server.sh" python3 "$here/bench.py" --dbadvise "$dbadvise" "$@"
