#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and the demo.
#   scripts/test-server.sh start DIR   initdb in DIR (made traversable, owned by postgres when
#                                      run as root), loopback only, a free port,
#                                      pg_stat_statements preloaded when the build has it;
#                                      writes DIR/env. The server is PostgreSQL
#                                      $DBADVISE_PG_MAJOR (one of scripts/pg-servers.sh majors),
#                                      else the newest under /usr/lib/postgresql.
#   scripts/test-server.sh stop DIR    stops it (immediate) and removes DIR
#   scripts/test-server.sh standby DIR NAME [SLOT]
#                                      a streaming standby of it made with pg_basebackup in
#                                      DIR/NAME (through replication slot SLOT when given);
#                                      prints its DSN
#   scripts/test-server.sh stop-standby DIR NAME
set -euo pipefail
# A server started here outlives this script: it must not inherit descriptors of whoever ran
# us (a test runner waits for those to close before it sees this script end).
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
action=${1:?start|stop}
base=${2:?directory}

here=$(cd "$(dirname "$0")" && pwd)
if [ "$action" != start ] && [ -f "$base/env" ]; then
  # the server that was started, whatever DBADVISE_PG_MAJOR says now
  bindir=$(sed -n 's/^export DBADVISE_TEST_PGBIN="\(.*\)"$/\1/p' "$base/env")
elif [ -n "${DBADVISE_PG_MAJOR:-}" ]; then
  bindir=$("$here/pg-servers.sh" bindir "$DBADVISE_PG_MAJOR")
else
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -n "$bindir" ] && [ -x "$bindir/postgres" ] || { echo "test-server: no PostgreSQL server binaries ${bindir:+in $bindir }(run scripts/ensure-deps.sh)" >&2; exit 1; }
# What this build offers: contrib's pg_stat_statements (not in every build) and pg_partman.
sharedir=$("$bindir/pg_config" --sharedir)
has_extension() { [ -f "$sharedir/extension/$1.control" ]; }
statements=0; has_extension pg_stat_statements && statements=1
partman=0; has_extension pg_partman && partman=1

if [ "$(id -u)" -eq 0 ]; then as_postgres=(runuser -u postgres --); else as_postgres=(); fi

case "$action" in
start)
  mkdir -p "$base"
  chmod 755 "$base"
  # every parent must be traversable by the postgres user
  dir=$(cd "$base" && pwd)
  while [ "$dir" != "/" ]; do chmod o+x "$dir" 2>/dev/null || true; dir=$(dirname "$dir"); done
  mkdir -p "$base/socket"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$base"; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as_postgres[@]}" "$bindir/initdb" -D "$base/data" -U postgres -E UTF8 --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$base/initdb.log" 2>&1 \
    || { cat "$base/initdb.log" >&2; exit 1; }
  cat >>"$base/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$base/socket'
track_io_timing = on
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
logging_collector = off
CONF
  if [ "$statements" -eq 1 ]; then
    # the whole suite shares this server and runs thousands of distinct statements: at the
    # default 5,000 entries pg_stat_statements evicts the least-used ones (a test's single
    # INSERT) at a moment that depends on how fast the other tests ran
    printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = top\npg_stat_statements.max = 100000\n" >>"$base/data/postgresql.conf"
  fi
  # the replication line lets pg_basebackup make a standby over the socket
  echo "local replication all trust" >>"$base/data/pg_hba.conf"
  "${as_postgres[@]}" "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start >/dev/null \
    || { cat "$base/server.log" >&2; exit 1; }
  psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$base/socket" -p "$port" -U postgres)
  "${psql[@]}" -d postgres -c "CREATE DATABASE dbadvise_test" \
    -c "CREATE ROLE dbadvise_pw LOGIN PASSWORD 'Tr0ub4dor-test-only' IN ROLE pg_monitor"
  if [ "$statements" -eq 1 ]; then "${psql[@]}" -d dbadvise_test -c "CREATE EXTENSION pg_stat_statements"; fi
  version_num=$("${psql[@]}" -d postgres -A -t -c "SHOW server_version_num")
  cat >"$base/env" <<ENV
export DBADVISE_TEST_DSN="host=$base/socket port=$port dbname=dbadvise_test user=postgres"
export DBADVISE_TEST_SOCKET="$base/socket"
export DBADVISE_TEST_PORT="$port"
export DBADVISE_TEST_PGBIN="$bindir"
export DBADVISE_TEST_DIR="$base"
export DBADVISE_TEST_PASSWORD_ROLE="dbadvise_pw"
export DBADVISE_TEST_PASSWORD="Tr0ub4dor-test-only"
export DBADVISE_TEST_SERVER_VERSION_NUM="$version_num"
export DBADVISE_TEST_HAS_PG_STAT_STATEMENTS="$statements"
export DBADVISE_TEST_HAS_PG_PARTMAN="$partman"
ENV
  echo "test-server: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port, socket $base/socket (pg_stat_statements $([ "$statements" -eq 1 ] && echo available || echo unavailable), pg_partman $([ "$partman" -eq 1 ] && echo available || echo unavailable))"
  ;;
standby)
  name=${3:?standby name}
  slot=${4:-}
  # shellcheck disable=SC1091
  source "$base/env"
  dir="$base/$name"
  # a standby of that name from an earlier run is replaced, and so is its slot
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_postgres[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  if [ -n "$slot" ]; then
    "$bindir/psql" -X -q -h "$DBADVISE_TEST_SOCKET" -p "$DBADVISE_TEST_PORT" -U postgres -d postgres \
      -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot'" >/dev/null
  fi
  mkdir -p "$dir/socket"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  slot_args=()
  [ -n "$slot" ] && slot_args=(-C -S "$slot")
  "${as_postgres[@]}" "$bindir/pg_basebackup" -D "$dir/data" -R -X stream --checkpoint=fast "${slot_args[@]}" \
    -h "$DBADVISE_TEST_SOCKET" -p "$DBADVISE_TEST_PORT" -U postgres -d "application_name=$name" \
    >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$dir/socket'
hot_standby_feedback = on
CONF
  "${as_postgres[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "host=$dir/socket port=$port dbname=dbadvise_test user=postgres"
  ;;
stop-standby)
  name=${3:?standby name}
  "${as_postgres[@]}" "$bindir/pg_ctl" -D "$base/$name/data" -m fast -w stop >/dev/null
  ;;
stop)
  # standbys the tests made live under $base too
  for data in "$base"/data "$base"/*/data; do
    [ -f "$data/postmaster.pid" ] && "${as_postgres[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$base"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
