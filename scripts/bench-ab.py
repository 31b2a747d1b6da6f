#!/usr/bin/env python3
"""Two builds of dbadvise against each other on one bench catalog (BENCHMARKS.md, issue 18):
`collect --interval 0` and `analyze --input` of the same snapshot, each run of A followed by
one of B so that a shared machine's load hits both alike. Reports the CPU time (user + system,
wait4 rusage) of the dbadvise process, which a busy neighbour moves far less than wall time,
and the wall time beside it.

  scripts/with-test-server.sh python3 scripts/bench-ab.py A_BUILD B_BUILD [--size 50000] [--runs 5]
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the catalog and the server of `make bench`)


def run(argv):
    """CPU seconds and wall seconds of one run, output discarded."""
    began = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    bench.require(status == 0, " ".join(argv[:2]), f"exit status {status}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--size", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    builds = {"A": os.path.abspath(arguments.a), "B": os.path.abspath(arguments.b)}
    server = bench.Server()
    server.psql("CREATE DATABASE bench", database="postgres")
    bench.grow(server, (0, 0), bench.plan(arguments.size))
    server.psql("CHECKPOINT", database="postgres")
    dsn = server.dsn("bench")
    workdir = tempfile.mkdtemp(prefix="dbadvise-bench-ab.")
    snapshots = {name: os.path.join(workdir, f"{name}.json") for name in builds}
    results = {name: {"collect": [], "analyze": []} for name in builds}
    load_before = bench.load_average()
    for name, build in builds.items():  # a warm-up each
        run([build, "collect", "--dsn", dsn, "--interval", "0", "--output", snapshots[name]])
    for _ in range(arguments.runs):
        for name, build in builds.items():
            results[name]["collect"].append(
                run([build, "collect", "--dsn", dsn, "--interval", "0", "--output", snapshots[name]]))
    for _ in range(arguments.runs):
        for name, build in builds.items():
            results[name]["analyze"].append(run([build, "analyze", "--input", snapshots["A"], "--format", "json"]))
    print(f"{bench.relation_count(server):,} relations, snapshot {bench.megabytes(os.path.getsize(snapshots['A']))}, "
          f"{arguments.runs} runs each, load average before {load_before}, after {bench.load_average()}")
    for step in ("collect", "analyze"):
        for name in builds:
            cpu = [seconds for seconds, _ in results[name][step]]
            wall = [seconds for _, seconds in results[name][step]]
            print(f"{step:8} {name}: CPU median {statistics.median(cpu):.3f} s (min {min(cpu):.3f}), "
                  f"wall median {statistics.median(wall):.3f} s (min {min(wall):.3f})")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
