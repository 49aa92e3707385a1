#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests: a fresh cluster in a temporary folder, reachable
# only through a Unix socket in that folder (no TCP), trust authentication for its one role.
#
#   eval "$(scripts/pg_test_server.sh start)"   # exports PROSPECT_TEST_PG_URL and PROSPECT_TEST_PG_DIR
#   scripts/pg_test_server.sh stop "$PROSPECT_TEST_PG_DIR"
#
# pg_ctl refuses to run as root, so as root the cluster belongs to the `postgres` user (Debian's
# postgresql package makes it). Only the export lines go to stdout; the rest goes to stderr.
set -euo pipefail

bin=${PROSPECT_PG_BIN:-/usr/lib/postgresql/15/bin}
role=prospect_test
database=prospect_test

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  if [ ! -x "$bin/initdb" ]; then
    echo "pg_test_server: no $bin/initdb; install Debian's postgresql package (scripts/install-deps.sh)" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "pg_test_server: running as root needs the postgres user (Debian's postgresql package makes it)" >&2
    exit 1
  fi
  local dir
  dir=$(mktemp -d /tmp/prospect_pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U "$role" --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # Throwaway data: no fsync. listen_addresses='' keeps it off TCP.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
  "$bin/psql" -h "$dir" -U "$role" -d postgres -qAt -c "CREATE DATABASE $database" >&2
  # The socket folder, percent-encoded, as the URL's host.
  echo "export PROSPECT_TEST_PG_DIR=$dir"
  echo "export PROSPECT_TEST_PG_URL=postgresql://$role@${dir//\//%2F}/$database"
  echo "pg_test_server: PostgreSQL 15 on the socket in $dir" >&2
}

stop() {
  local dir=${1:-${PROSPECT_TEST_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "pg_test_server: nothing to stop (give the folder that start printed)" >&2
    return 0
  fi
  case "$dir" in /tmp/prospect_pg.*) ;; *) echo "pg_test_server: $dir is not a test server folder" >&2; exit 1 ;; esac
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
