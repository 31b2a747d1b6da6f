#!/usr/bin/env bash
# The offline half of `make samples`: every sample rendered from the snapshots already in
# samples/ (snapshots/, history/, fleet/) and from configs, with no server. `make samples`
# runs it after collecting; the samples test (SamplesPinTests) runs it into a temporary
# directory and compares every file with samples/.
#   scripts/render-samples.sh DBADVISE [OUTDIR]      OUTDIR defaults to samples/
# The result depends on nothing but the binary and samples/: the commands run in a scratch
# directory holding a copy of the inputs under samples/ (so reports print the same
# samples/... paths from any checkout, no ./dbadvise.yml or user config is found, and
# reading a history directory never writes beside the committed files), and the reports' own
# time (generated_at) is the latest snapshot's, through SOURCE_DATE_EPOCH.
set -euo pipefail
dbadvise=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${2:-$root/samples}
mkdir -p "$out/reports" "$out/check"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/dbadvise-render-samples.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/samples/reports" "$work/samples/check" "$work/config-home"
for inputs in snapshots history fleet; do
  if [ ! -d "$root/samples/$inputs" ]; then
    echo "render-samples: samples/$inputs/ is missing: make samples collects it" >&2
    exit 2
  fi
  cp -R "$root/samples/$inputs" "$work/samples/$inputs"
done
cd "$work"
unset DBADVISE_CONFIG
export XDG_CONFIG_HOME=$work/config-home
SOURCE_DATE_EPOCH=$(python3 - <<'PY'
import datetime, glob, json
times = []
for path in glob.glob("samples/snapshots/*.json") + glob.glob("samples/history/*.json") + glob.glob("samples/fleet/*/*.json"):
    with open(path) as file:
        finished = json.load(file)["interval"]["finished_at"]
    times.append(datetime.datetime.fromisoformat(finished.replace("Z", "+00:00")))
print(int(max(times).timestamp()))
PY
)
export SOURCE_DATE_EPOCH

# reports from the snapshots
for name in pgbench idle primary-lagging-standby query-mix query-mix-redacted; do
  "$dbadvise" analyze --input "samples/snapshots/$name.json" --format text >"$out/reports/$name.txt"
  "$dbadvise" analyze --input "samples/snapshots/$name.json" --format json >"$out/reports/$name.json"
  "$dbadvise" analyze --input "samples/snapshots/$name.json" --format markdown >"$out/reports/$name.md"
done

# check: the CI gate, passing on defaults and failing on thresholds set low (exit 1 expected);
# each config is a sample too (OUTDIR) and read as samples/... (the path the reports print)
low=samples/check/low-thresholds.yml
printf 'thresholds:\n  writes_per_second: {warning: 200, critical: 1000}\n  table_size_gb: {warning: 0.01, critical: 1}\n' >"$low"
cp "$low" "$out/check/low-thresholds.yml"
"$dbadvise" check --input samples/snapshots/pgbench.json --format text >"$out/check/pass.txt"
for format in text junit github json; do
  ext=$format; [ "$format" = text ] && ext=txt; [ "$format" = junit ] && ext=xml; [ "$format" = github ] && ext=github.txt
  "$dbadvise" check --input samples/snapshots/pgbench.json --config "$low" --format "$format" >"$out/check/fail.$ext" || [ $? -eq 1 ]
done
"$dbadvise" check --input samples/snapshots/pgbench.json --config "$low" --write-baseline "$out/check/baseline.json" \
  >/dev/null 2>&1

# growth over the history: trends, forecasts, what-if at 100x data, the plot
growth_config=samples/reports/growth-config.yml
printf 'hardware:\n  memory_gb: 4\n  storage_gb: 100\nthresholds:\n  table_size_gb: {warning: 1, critical: 10}\n' >"$growth_config"
cp "$growth_config" "$out/reports/growth-config.yml"
for format in text json markdown; do
  ext=$format; [ "$format" = text ] && ext=txt; [ "$format" = markdown ] && ext=md
  "$dbadvise" analyze --input samples/history/ --config "$growth_config" --what-if data=100x --format "$format" >"$out/reports/growth.$ext"
done
"$dbadvise" analyze --input samples/history/ --config "$growth_config" --plot "$out/growth.svg" >/dev/null

# the fleet collected by make samples (one directory per database), read back in every format
for format in text json markdown; do
  ext=$format; [ "$format" = text ] && ext=txt; [ "$format" = markdown ] && ext=md
  "$dbadvise" analyze --input samples/fleet/ --format "$format" >"$out/reports/fleet.$ext"
done

"$dbadvise" rules --format text >"$out/rules.txt"
"$dbadvise" rules --format json >"$out/rules.json"
echo "render-samples: written to $out"
