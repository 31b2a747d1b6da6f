#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and the demo.
#   scripts/test-server.sh start DIR   initdb in DIR (made traversable, owned by postgres when
#                                      run as root), loopback only, a free port,
#                                      pg_stat_statements preloaded; writes DIR/env
#   scripts/test-server.sh stop DIR    stops it (immediate) and removes DIR
set -euo pipefail
action=${1:?start|stop}
base=${2:?directory}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "test-server: no PostgreSQL server binaries under /usr/lib/postgresql (run scripts/ensure-deps.sh)" >&2; exit 1; }

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
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
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
  # the replication line lets pg_basebackup make a standby over the socket
  echo "local replication all trust" >>"$base/data/pg_hba.conf"
  "${as_postgres[@]}" "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start >/dev/null \
    || { cat "$base/server.log" >&2; exit 1; }
  psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$base/socket" -p "$port" -U postgres)
  "${psql[@]}" -d postgres -c "CREATE DATABASE dbadvise_test" \
    -c "CREATE ROLE dbadvise_pw LOGIN PASSWORD 'Tr0ub4dor-test-only' IN ROLE pg_monitor"
  "${psql[@]}" -d dbadvise_test -c "CREATE EXTENSION pg_stat_statements"
  cat >"$base/env" <<ENV
export DBADVISE_TEST_DSN="host=$base/socket port=$port dbname=dbadvise_test user=postgres"
export DBADVISE_TEST_SOCKET="$base/socket"
export DBADVISE_TEST_PORT="$port"
export DBADVISE_TEST_PGBIN="$bindir"
export DBADVISE_TEST_DIR="$base"
export DBADVISE_TEST_PASSWORD_ROLE="dbadvise_pw"
export DBADVISE_TEST_PASSWORD="Tr0ub4dor-test-only"
ENV
  echo "test-server: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port, socket $base/socket"
  ;;
stop)
  # standbys the tests made live under $base too
  for data in "$base"/data "$base"/standby*/data; do
    [ -f "$data/postmaster.pid" ] && "${as_postgres[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$base"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
