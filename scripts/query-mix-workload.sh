#!/usr/bin/env bash
# A shop's query mix for the samples, on the server in DBADVISE_TEST_*:
#   scripts/query-mix-workload.sh init DB     create DB with pg_stat_statements, products (10,000 rows)
#                                             and orders (200,000 rows)
#   scripts/query-mix-workload.sh run DB SECONDS
#       2 clients looking products up by id (2,000 lookups/s in all), 1 client updating one product
#       every 2 s, 1 client inserting and updating orders (300 transactions/s) and 1 client running
#       two GROUP BY reports over orders every 2 s: a cache candidate and a CQRS finding.
set -euo pipefail
action=${1:?init|run}
db=${2:?database}
bin=$DBADVISE_TEST_PGBIN
export PGOPTIONS="-c client_min_messages=warning"
dsn="host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=$db user=postgres"
case "$action" in
init)
  "$bin/psql" -X -q -d "host=$DBADVISE_TEST_SOCKET port=$DBADVISE_TEST_PORT dbname=postgres user=postgres" \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$dsn" \
    -c "CREATE EXTENSION pg_stat_statements" \
    -c "CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, price numeric NOT NULL, category int NOT NULL)" \
    -c "INSERT INTO products SELECT g, 'product ' || g, g % 100, g % 20 FROM generate_series(1, 10000) AS g" \
    -c "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL, amount numeric NOT NULL, created_at timestamptz NOT NULL DEFAULT now())" \
    -c "INSERT INTO orders (customer_id, amount, created_at) SELECT g % 500, (g % 1000) / 10.0, now() - g * interval '1 second' FROM generate_series(1, 200000) AS g" \
    -c "VACUUM ANALYZE"
  ;;
run)
  seconds=${3:-10}
  scripts=$(mktemp -d)
  trap 'rm -rf "$scripts"' EXIT
  printf '%s\n' '\set id random(1, 10000)' 'SELECT name, price FROM products WHERE id = :id;' >"$scripts/lookup.sql"
  printf '%s\n' '\set id random(1, 10000)' 'UPDATE products SET price = price + 1 WHERE id = :id;' '\sleep 2 s' >"$scripts/restock.sql"
  printf '%s\n' '\set c random(1, 500)' '\set id random(1, 200000)' \
    'INSERT INTO orders (customer_id, amount) VALUES (:c, 12.5);' \
    'UPDATE orders SET amount = amount + 1 WHERE id = :id;' >"$scripts/order.sql"
  printf '%s\n' \
    'SELECT customer_id, sum(amount) AS revenue, count(*) AS orders FROM orders GROUP BY customer_id ORDER BY revenue DESC LIMIT 20;' \
    "SELECT date_trunc('hour', created_at) AS hour, count(*) FROM orders GROUP BY 1;" \
    '\sleep 2 s' >"$scripts/report.sql"
  pids=()
  "$bin/pgbench" -n -T "$seconds" -c 2 -j 2 -R 2000 -f "$scripts/lookup.sql" "$dsn" >/dev/null 2>&1 & pids+=($!)
  "$bin/pgbench" -n -T "$seconds" -c 1 -f "$scripts/restock.sql" "$dsn" >/dev/null 2>&1 & pids+=($!)
  "$bin/pgbench" -n -T "$seconds" -c 1 -R 300 -f "$scripts/order.sql" "$dsn" >/dev/null 2>&1 & pids+=($!)
  "$bin/pgbench" -n -T "$seconds" -c 1 -f "$scripts/report.sql" "$dsn" >/dev/null 2>&1 & pids+=($!)
  wait "${pids[@]}"
  ;;
esac
