#!/usr/bin/env python3
"""make bench: how fast and light `dbadvise collect` and `analyze` are on big catalogs.

Runs against the throwaway server scripts/bench.sh started (DBADVISE_TEST_* variables).
For each catalog size it grows one database to about that many relations (tables,
partitioned tables, partitions and their indexes, a few rows each, ANALYZE), then measures:

  collect   `dbadvise collect --interval 0` wall time (median of --runs) and peak RSS
  floor     psql sending exactly the statements collect sent (recorded with the hidden
            `collect --trace-sql FILE`), once, wall time (median): what the server needs
  queries   statements sent (the client's own count, and pg_stat_statements calls of the
            statements carrying the /* dbadvise */ marker)
  db cost   the server's time on those statements (pg_stat_statements execution + planning)
  snapshot  size of the JSON written

and, on the largest snapshot, `dbadvise analyze --input` wall time and peak RSS. The history
axis (issue 19) takes the snapshot of about 10,000 relations, has `history-bench` (built next
to dbadvise) append series of --history hourly snapshots of it, counters and sizes advanced,
through the history store API into DIR/history.sqlite (full files only for the newest day, as
retention would leave them), and measures `analyze --input DIR/` wall time and peak RSS on
each (stopped above --history-rss-cap-gb, so a series too large for the machine does not take
it down). It prints a
table with each target of issue 9 met or not and writes the figures into BENCHMARKS.md
between the `bench:begin` / `bench:end` markers (the text around them is kept).
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

MARKER = "/* dbadvise */"
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"

# One plain table: the table, its primary key and one more index (its TOAST table is not
# counted). One partitioned table: the parent, its two partitioned indexes, ten monthly
# partitions and their two indexes each.
PLAIN_RELATIONS = 3
PARTITIONS = 10
PARTITIONED_RELATIONS = 3 + PARTITIONS * 3


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbadvise", required=True, help="a release build of dbadvise")
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,10000,50000"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    parser.add_argument("--markdown", default=os.environ.get("BENCH_OUTPUT", "BENCHMARKS.md"),
                        help="file to write the results into ('' for none)")
    parser.add_argument("--command", default="make bench", help="the command named in BENCHMARKS.md")
    parser.add_argument("--history", default=os.environ.get("BENCH_HISTORY", "100,1000,2160"),
                        help="snapshot counts of the history axis ('' for none)")
    parser.add_argument("--history-rss-cap-gb", type=float, default=float(os.environ.get("BENCH_HISTORY_CAP_GB", "6")))
    return parser.parse_args()


class Server:
    def __init__(self):
        env = os.environ
        self.socket = env["DBADVISE_TEST_SOCKET"]
        self.port = env["DBADVISE_TEST_PORT"]
        self.psql_path = os.path.join(env["DBADVISE_TEST_PGBIN"], "psql")

    def dsn(self, database):
        return f"host={self.socket} port={self.port} dbname={database} user=postgres"

    def psql(self, sql, database="bench"):
        result = subprocess.run(
            [self.psql_path, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.dsn(database), "-c", sql],
            capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"bench: psql failed: {result.stderr.strip()}\n  {sql[:200]}")
        return result.stdout.strip()

    def psql_file(self, path, database="bench"):
        result = subprocess.run(
            [self.psql_path, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.dsn(database), "-f", path],
            capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"bench: psql -f {path} failed: {result.stderr.strip()}")


def plan(relations):
    """How many plain and partitioned tables make about `relations` relations, a fifth of
    them in partition trees."""
    partitioned = round(relations * 0.2 / PARTITIONED_RELATIONS)
    plain = round((relations - partitioned * PARTITIONED_RELATIONS) / PLAIN_RELATIONS)
    return plain, partitioned


def grow(server, have, want):
    """Creates plain tables have[0]+1..want[0] and partitioned tables have[1]+1..want[1], in
    DO blocks that commit every few tables (each CREATE holds its locks to the commit)."""
    sql = f"""
CREATE SCHEMA IF NOT EXISTS bench;
DO $$
BEGIN
  FOR i IN {have[0] + 1}..{want[0]} LOOP
    EXECUTE format('CREATE TABLE bench.t%s (id bigint PRIMARY KEY, account_id int NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), amount numeric(12,2), note text)', i);
    EXECUTE format('CREATE INDEX t%s_account ON bench.t%s (account_id)', i, i);
    EXECUTE format('INSERT INTO bench.t%s (id, account_id, amount, note)
      SELECT g, g %% 7, g * 1.5, ''row '' || g FROM generate_series(1, 5 + %s %% 20) AS g', i, i);
    EXECUTE format('ANALYZE bench.t%s', i);
    IF i % 200 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
DO $$
BEGIN
  FOR i IN {have[1] + 1}..{want[1]} LOOP
    EXECUTE format('CREATE TABLE bench.p%s (id bigint NOT NULL, created_at timestamptz NOT NULL,
      account_id int NOT NULL, amount numeric(12,2), PRIMARY KEY (id, created_at))
      PARTITION BY RANGE (created_at)', i);
    FOR m IN 0..{PARTITIONS - 1} LOOP
      EXECUTE format('CREATE TABLE bench.p%s_%s PARTITION OF bench.p%s FOR VALUES FROM (%L) TO (%L)',
        i, m, i, date '2026-01-01' + make_interval(months => m), date '2026-01-01' + make_interval(months => m + 1));
    END LOOP;
    EXECUTE format('CREATE INDEX p%s_account ON bench.p%s (account_id)', i, i);
    EXECUTE format('INSERT INTO bench.p%s SELECT g, timestamptz ''2026-01-01'' + g * interval ''7 hours'',
      g %% 7, g FROM generate_series(1, 900) AS g', i);
    EXECUTE format('ANALYZE bench.p%s', i);
    IF i % 10 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
"""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
        file.write(sql)
    try:
        server.psql_file(file.name)
    finally:
        os.unlink(file.name)


def relation_count(server):
    return int(server.psql(
        "SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'bench' AND c.relkind IN ('r', 'p', 'i', 'I')"))


def run_measured(arguments, stdout=subprocess.DEVNULL):
    """Runs a command; returns (seconds, peak RSS in bytes, exit status, stderr)."""
    with tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=stdout, stderr=errors, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        return seconds, usage.ru_maxrss * 1024, process.returncode, errors.read().decode(errors="replace")


def require(ok, what, stderr):
    if not ok:
        sys.exit(f"bench: {what} failed: {stderr.strip()}")


def statement_costs(server):
    """pg_stat_statements figures of our own statements: (calls, ms) in total and by text."""
    rows = server.psql(
        "SELECT s.calls, s.total_exec_time + s.total_plan_time, regexp_replace(s.query, '\\s+', ' ', 'g') "
        "FROM pg_stat_statements AS s "
        f"WHERE s.query LIKE '%{MARKER}%' AND s.query NOT LIKE '%pg_stat_statements_reset%'")
    by_text = {}
    for line in rows.splitlines():
        calls, ms, text = line.split("|", 2)
        entry = by_text.setdefault(text.strip(), [0, 0.0])
        entry[0] += int(calls)
        entry[1] += float(ms)
    return sum(v[0] for v in by_text.values()), sum(v[1] for v in by_text.values()), by_text


def statement_names(trace_path):
    """Query text (whitespace folded) → name, from the trace's comments."""
    names = {}
    name = None
    statement = []
    with open(trace_path) as file:
        for line in file:
            if line.startswith("-- ") and ": " in line and line.rstrip().endswith("rows"):
                name = line[3:].split(":")[0]
                statement = []
                continue
            if line.startswith("--"):
                continue
            statement.append(line)
            if line.rstrip().endswith(";") and name:
                text = re.sub(r"\s+", " ", "".join(statement)).strip().rstrip(";")
                names[text] = name
                name = None
    return names


def name_for(text, names):
    """The trace's name for a pg_stat_statements text: pg_stat_statements shows `$n` where the
    client sent a parameter or a literal, the trace shows literals, so the trace text that
    shares the longest prefix with it is the one."""
    def common(a, b):
        length = 0
        for x, y in zip(a, b):
            if x != y:
                break
            length += 1
        return length
    best = max(names.items(), key=lambda item: common(item[0], text), default=None)
    return best[1] if best and common(best[0], text) > len("SELECT " + MARKER) + 5 else text[:40]


def measure_size(server, dbadvise, relations, runs, workdir):
    snapshot = os.path.join(workdir, f"snapshot-{relations}.json")
    trace = os.path.join(workdir, f"trace-{relations}.sql")
    dsn = server.dsn("bench")
    collect = [dbadvise, "collect", "--dsn", dsn, "--interval", "0", "--output", snapshot]
    floor = [server.psql_path, "-X", "-q", "-A", "-t", "-o", "/dev/null", "-v", "ON_ERROR_STOP=1",
             "-d", dsn, "-f", trace]

    # the statements of one collection, for the floor (and a warm-up of both)
    seconds, _, status, stderr = run_measured(collect + ["--trace-sql", trace])
    require(status == 0, "collect --trace-sql", stderr)
    with open(trace) as file:
        client_count = int(file.readline().split()[2])
    seconds, _, status, stderr = run_measured(floor)
    require(status == 0, "psql (floor)", stderr)

    # the server's cost of one collection, statement by statement
    server.psql("SELECT pg_stat_statements_reset()")
    seconds, _, status, stderr = run_measured(collect)
    require(status == 0, "collect", stderr)
    calls, server_ms, by_text = statement_costs(server)
    names = statement_names(trace)
    per_statement = {}
    for text, (count, ms) in by_text.items():
        name = name_for(text, names)
        per_statement[name] = per_statement.get(name, 0.0) + ms

    collect_times, collect_rss, floor_times = [], [], []
    for _ in range(runs):
        seconds, rss, status, stderr = run_measured(collect)
        require(status == 0, "collect", stderr)
        collect_times.append(seconds)
        collect_rss.append(rss)
        seconds, _, status, stderr = run_measured(floor)
        require(status == 0, "psql (floor)", stderr)
        floor_times.append(seconds)
    with open(snapshot) as file:
        document = json.load(file)
    return {
        "relations": relations,
        "tables": len(document.get("tables") or []),
        "indexes": len(document.get("indexes") or []),
        "collect_s": statistics.median(collect_times),
        "collect_runs": collect_times,
        "floor_s": statistics.median(floor_times),
        "floor_runs": floor_times,
        "rss_bytes": max(collect_rss),
        "queries_client": client_count,
        "queries_server": calls,
        "server_ms": server_ms,
        "per_statement_ms": per_statement,
        "snapshot_bytes": os.path.getsize(snapshot),
        "snapshot": snapshot,
        "trace": trace,
    }


def run_capped(arguments, cap_bytes):
    """Like run_measured, but kills the command once its RSS passes cap_bytes; returns
    (seconds, peak RSS in bytes, exit status, stderr, stopped)."""
    with tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=errors, stdin=subprocess.DEVNULL)
        stopped = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid != 0:
                break
            try:
                with open(f"/proc/{process.pid}/status") as file:
                    rss = next((int(line.split()[1]) * 1024 for line in file if line.startswith("VmRSS:")), 0)
            except OSError:
                rss = 0
            if rss > cap_bytes and not stopped:
                process.kill()
                stopped = True
            time.sleep(0.05)
        seconds = time.perf_counter() - began
        errors.seek(0)
        return (seconds, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status),
                errors.read().decode(errors="replace"), stopped)


def measure_history(dbadvise, snapshot, counts, runs, workdir, cap_gb):
    """The history axis: per count, the series generated through the store API, then
    analyze --input DIR/ (median of runs, each capped at cap_gb of RSS)."""
    generator = os.path.join(os.path.dirname(dbadvise), "history-bench")
    rows = []
    for count in counts:
        directory = os.path.join(workdir, f"history-{count}")
        files = min(24, count)
        print(f"bench: generating {count:,} hourly snapshots ({files} as files)...", file=sys.stderr, flush=True)
        seconds, _, status, stderr = run_measured(
            [generator, "--from", snapshot, "--count", str(count), "--files", str(files), "--output", directory])
        require(status == 0, "history-bench", stderr)
        store = os.path.join(directory, "history.sqlite")
        times, peaks, stopped = [], [], False
        for _ in range(runs):
            elapsed, peak, status, stderr, killed = run_capped(
                [dbadvise, "analyze", "--input", directory + "/", "--format", "json"], cap_gb * 1024 ** 3)
            if killed:
                stopped = True
                times.append(elapsed)
                peaks.append(peak)
                break
            require(status == 0, f"analyze of {count} snapshots", stderr)
            times.append(elapsed)
            peaks.append(peak)
        rows.append({"count": count, "files": files, "generate_s": seconds, "store_bytes": os.path.getsize(store),
                     "analyze_s": statistics.median(times), "analyze_rss_bytes": max(peaks), "stopped": stopped,
                     "cap_gb": cap_gb})
        print(f"bench: {count:,} snapshots: analyze {statistics.median(times):.2f} s, "
              f"{megabytes(max(peaks))}{' (stopped at the cap)' if stopped else ''}", file=sys.stderr, flush=True)
        if stopped:
            # A larger series only takes longer to reach the cap.
            for larger in [c for c in counts if c > count]:
                rows.append({"count": larger, "files": min(24, larger), "skipped": True, "cap_gb": cap_gb})
            break
    return rows


def history_targets(rows):
    """(target, measured, met) for issue 19: the longest series under 5 s and 300 MB."""
    measured = [row for row in rows if not row.get("skipped") and not row["stopped"]]
    longest = max(measured, key=lambda row: row["count"], default=None)
    if longest is None or longest["count"] < 2160:
        return [("analyze of 2,160 hourly snapshots < 5 s and < 300 MB RSS", "not measured", False)]
    return [
        (f"analyze of {longest['count']:,} hourly snapshots < 5 s", f"{longest['analyze_s']:.2f} s",
         longest["analyze_s"] < 5.0),
        (f"analyze of {longest['count']:,} hourly snapshots < 300 MB RSS", megabytes(longest["analyze_rss_bytes"]),
         longest["analyze_rss_bytes"] < 300 * 1024 * 1024),
    ]


def render_history(rows, relations):
    lines = [f"History axis (issue 19): `analyze --input DIR/` of hourly series of the {relations:,}-relation "
             "snapshot. `history-bench` appends the older snapshots' points through the history store API "
             "and writes the newest day as files through the path `collect --output DIR/` takes, which "
             "brings the trend state up to date (the first of them folds every point appended before it, "
             "once; \"generate\" includes that). `analyze` then decodes the newest file and reads the trend "
             "state: one row per table and trend, one per snapshot.", "",
             "| snapshots | files | store | generate | analyze | peak RSS |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        if row.get("skipped"):
            lines.append(f"| {row['count']:,} | {row['files']} | – | – | not run: the smaller series passed "
                         f"the {row['cap_gb']:g} GB cap | – |")
            continue
        stopped = f" (stopped at the {row['cap_gb']:g} GB cap)" if row["stopped"] else ""
        lines.append(f"| {row['count']:,} | {row['files']} | {megabytes(row['store_bytes'])} | {row['generate_s']:.0f} s "
                     f"| {row['analyze_s']:.2f} s{stopped} | {megabytes(row['analyze_rss_bytes'])} |")
    lines.append("")
    return "\n".join(lines)


def measure_analyze(dbadvise, snapshot, runs):
    times, rss = [], []
    for _ in range(runs):
        seconds, peak, status, stderr = run_measured([dbadvise, "analyze", "--input", snapshot, "--format", "json"])
        require(status == 0, "analyze", stderr)
        times.append(seconds)
        rss.append(peak)
    return {"analyze_s": statistics.median(times), "analyze_runs": times, "analyze_rss_bytes": max(rss)}


def machine(server):
    def first_line(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"
    cpu = "unknown"
    with open("/proc/cpuinfo") as file:
        for line in file:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as file:
        memory_kb = int(file.readline().split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "postgres": server.psql("SHOW server_version", database="postgres"),
        "swift": first_line(["swift", "--version"]),
    }


def load_average():
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def megabytes(value):
    if value < 1024 * 1024:
        return f"{value / 1024:,.0f} kB"
    return f"{value / 1024 / 1024:,.1f} MB"


def targets(results, analyze, largest):
    """(target, measured, met) for each target of issue 9."""
    rows = []
    for result in results:
        if result["size"] < 10000:
            continue
        ratio = result["collect_s"] / result["floor_s"]
        rows.append((f"collect ≤ 1.2× floor at {result['relations']:,} relations",
                     f"{ratio:.2f}× ({result['collect_s']:.3f} s vs {result['floor_s']:.3f} s)", ratio <= 1.2))
    counts = sorted({r["queries_client"] for r in results})
    rows.append(("queries independent of the catalog size",
                 " / ".join(f"{r['queries_client']}" for r in results) + " statements", len(counts) == 1))
    rows.append((f"analyze of the {largest['relations']:,}-relation snapshot < 1 s",
                 f"{analyze['analyze_s']:.3f} s", analyze["analyze_s"] < 1.0))
    rows.append((f"analyze of the {largest['relations']:,}-relation snapshot < 300 MB RSS",
                 megabytes(analyze["analyze_rss_bytes"]), analyze["analyze_rss_bytes"] < 300 * 1024 * 1024))
    growth = linearity(results)
    if growth:
        worst = max(growth, key=lambda row: row[3])
        rows.append(("no statement grows faster than linearly",
                     f"worst: {worst[0]} {worst[3]:.2f}× per relation ({worst[1]:,}→{worst[2]:,})",
                     all(row[3] <= 1.5 for row in growth)))
    at_10k = min(results, key=lambda r: abs(r["size"] - 10000))
    share = at_10k["server_ms"] / 60000 * 100
    rows.append((f"server time < 2% of a 60 s interval at {at_10k['relations']:,} relations",
                 f"{share:.2f}% ({at_10k['server_ms']:.0f} ms)", share < 2.0))
    return rows


def linearity(results):
    """Per statement: its server time per relation at the largest size over that at the
    next one (1.0 = linear). Statements under 5 ms at the largest size are fixed costs."""
    if len(results) < 2:
        return []
    small, large = results[-2], results[-1]
    rows = []
    for name, large_ms in large["per_statement_ms"].items():
        small_ms = small["per_statement_ms"].get(name)
        if small_ms is None or large_ms < 5 or small_ms <= 0:
            continue
        growth = (large_ms / large["relations"]) / (small_ms / small["relations"])
        rows.append((name, small["relations"], large["relations"], growth, small_ms, large_ms))
    return sorted(rows, key=lambda row: -row[3])


def render(results, analyze, target_rows, info, load_before, load_after, command, started, finished, runs):
    lines = []
    lines.append(f"Measured {started} – {finished} with `{command}` ({runs} runs each, medians).")
    lines.append("")
    lines.append(f"Machine: {info['nproc']} vCPUs ({info['cpu']}), {info['memory_gb']} GB memory, "
                 f"{info['os']}; PostgreSQL {info['postgres']}; {info['swift']}. "
                 f"Load average (1/5/15 min) before: {load_before}, after: {load_after}.")
    lines.append("")
    lines.append("| relations | tables | indexes | collect | floor (psql) | ratio | statements (client / server) "
                 "| server time | peak RSS | snapshot |")
    lines.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        lines.append(
            f"| {r['relations']:,} | {r['tables']:,} | {r['indexes']:,} | {r['collect_s']:.3f} s | {r['floor_s']:.3f} s "
            f"| {r['collect_s'] / r['floor_s']:.2f}× | {r['queries_client']} / {r['queries_server']} "
            f"| {r['server_ms']:.0f} ms | {megabytes(r['rss_bytes'])} | {megabytes(r['snapshot_bytes'])} |")
    lines.append("")
    largest = results[-1]
    lines.append(f"Offline `analyze --input` of the {largest['relations']:,}-relation snapshot "
                 f"({megabytes(largest['snapshot_bytes'])}): {analyze['analyze_s']:.3f} s, "
                 f"peak RSS {megabytes(analyze['analyze_rss_bytes'])}.")
    lines.append("")
    lines.append("| target | measured | met |")
    lines.append("| --- | --- | --- |")
    for target, measured, met in target_rows:
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    lines.append("")
    growth = linearity(results)
    if growth:
        lines.append(f"Server time per statement (pg_stat_statements, execution + planning) and its growth "
                     f"per relation from {growth[0][1]:,} to {growth[0][2]:,} relations (1.00 = linear):")
        lines.append("")
        lines.append("| statement | ms at " + f"{growth[0][1]:,}" + " | ms at " + f"{growth[0][2]:,}" + " | growth per relation |")
        lines.append("| --- | ---: | ---: | ---: |")
        for name, _, _, factor, small_ms, large_ms in growth:
            lines.append(f"| {name} | {small_ms:.1f} | {large_ms:.1f} | {factor:.2f}× |")
        lines.append("")
    return "\n".join(lines)


def write_markdown(path, body):
    block = f"{BEGIN}\n{body}\n{END}"
    if os.path.exists(path):
        with open(path) as file:
            text = file.read()
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\n" + block + "\n"
    with open(path, "w") as file:
        file.write(text)


def main():
    arguments = parse_arguments()
    dbadvise = os.path.abspath(arguments.dbadvise)
    sizes = [int(size) for size in arguments.sizes.split(",")]
    server = Server()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_before = load_average()
    server.psql("ALTER SYSTEM SET pg_stat_statements.track_planning = on", database="postgres")
    server.psql("SELECT pg_reload_conf()", database="postgres")
    server.psql("CREATE DATABASE bench", database="postgres")
    server.psql("CREATE EXTENSION pg_stat_statements")
    workdir = tempfile.mkdtemp(prefix="dbadvise-bench.")
    results = []
    have = (0, 0)
    for size in sizes:
        want = plan(size)
        began = time.perf_counter()
        print(f"bench: growing the catalog to about {size:,} relations "
              f"({want[0]:,} tables, {want[1]:,} partitioned tables of {PARTITIONS} partitions)...",
              file=sys.stderr, flush=True)
        grow(server, have, want)
        have = want
        server.psql("CHECKPOINT", database="postgres")
        count = relation_count(server)
        print(f"bench: {count:,} relations in {time.perf_counter() - began:.0f} s; measuring...", file=sys.stderr,
              flush=True)
        result = measure_size(server, dbadvise, count, arguments.runs, workdir)
        result["size"] = size
        print(f"bench: {count:,} relations: collect {result['collect_s']:.3f} s, floor {result['floor_s']:.3f} s, "
              f"{result['queries_client']} statements", file=sys.stderr, flush=True)
        results.append(result)
    analyze = measure_analyze(dbadvise, results[-1]["snapshot"], arguments.runs)
    rows = targets(results, analyze, results[-1])
    counts = [int(count) for count in arguments.history.split(",") if count.strip()]
    history_rows, base = [], min(results, key=lambda r: abs(r["size"] - 10000))
    if counts:
        history_rows = measure_history(dbadvise, base["snapshot"], counts, min(arguments.runs, 3), workdir,
                                       arguments.history_rss_cap_gb)
        rows += history_targets(history_rows)
    finished = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = render(results, analyze, rows, machine(server), load_before, load_average(), arguments.command,
                  started, finished, arguments.runs)
    if history_rows:
        body += "\n" + render_history(history_rows, base["relations"])
    print(body)
    if arguments.markdown:
        write_markdown(arguments.markdown, body)
        print(f"bench: written to {arguments.markdown}", file=sys.stderr)
    print(f"bench: traces and snapshots in {workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
