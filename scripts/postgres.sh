#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server for the test suite: no systemd, no root-owned data.
#   scripts/postgres.sh start   -> prints the DATABASE_URL to use
#   scripts/postgres.sh stop
set -euo pipefail
PGPORT=${OPENMASH_TEST_PGPORT:-54329}
PGDATA=${OPENMASH_TEST_PGDATA:-/tmp/openmash-pgdata}
PGSOCK=${OPENMASH_TEST_PGSOCK:-/tmp/openmash-pgsock}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL server is not installed (run: make test-deps)" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

case "${1:-}" in
  start)
    if [ -f "$PGDATA/postmaster.pid" ] && as_postgres "$PGBIN/pg_ctl -D $PGDATA status" >/dev/null 2>&1; then
      as_postgres "$PGBIN/pg_ctl -D $PGDATA -m fast -w stop" >/dev/null
    fi
    rm -rf "$PGDATA" "$PGSOCK"
    mkdir -p "$PGDATA" "$PGSOCK"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA" "$PGSOCK"; fi
    as_postgres "$PGBIN/initdb -D $PGDATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    # Durability settings off: this server holds only throwaway test data, and the suite runs twice as fast.
    as_postgres "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGSOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200' start" >/dev/null
    echo "postgres://postgres@127.0.0.1:$PGPORT/openmash"
    ;;
  stop)
    if [ -d "$PGDATA" ]; then as_postgres "$PGBIN/pg_ctl -D $PGDATA -m fast -w stop" >/dev/null 2>&1 || true; fi
    rm -rf "$PGDATA" "$PGSOCK"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
