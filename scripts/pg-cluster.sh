#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (issue 20): made in a temporary folder, on a free
# loopback port, trust authentication for loopback only, removed by `stop`. Debian's packages
# (postgresql-15); initdb refuses to run as root, so as root it runs as the `postgres` user.
#   scripts/pg-cluster.sh start   prints `export QAR_TEST_DATABASE_URL=…; export QAR_TEST_PG_DIR=…`
#   scripts/pg-cluster.sh stop DIR
set -euo pipefail

PGBIN="${QAR_PGBIN:-/usr/lib/postgresql/15/bin}"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir port
  dir="$(mktemp -d /tmp/qar-pg.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  as_owner "$PGBIN/initdb" -D "$dir/data" --auth=trust --username=postgres --locale=C --encoding=UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # Enough connections for the test binary's parallel tests, each with its own server's pool.
  # A throwaway cluster for tests only: no fsync and a small WAL (the tests kill qar-server,
  # never PostgreSQL), which keeps the few hundred test databases fast and small on disk.
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_wal_size=96MB -c min_wal_size=32MB" start >/dev/null
  echo "export QAR_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres; export QAR_TEST_PG_DIR=$dir"
}

stop() {
  local dir="$1"
  if [ -d "$dir/data" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?the cluster folder}" ;;
  *) echo "usage: scripts/pg-cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
