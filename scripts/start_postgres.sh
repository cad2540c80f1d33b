#!/usr/bin/env bash
# Start a throw-away PostgreSQL 15 server for trying a team ledger by hand
# (the test suite starts its own: tests/ledger/conftest.py).
#   scripts/start_postgres.sh [DIR]   -> prints the ledger URL; stop with: pg_ctl -D DIR/data stop
# Needs the postgresql-15 binaries (scripts/install_system_deps.sh installs them).
set -euo pipefail
BIN="${BEIAN_AUDIT_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
[ -x "$BIN/initdb" ] || { echo "no PostgreSQL 15 in $BIN: run scripts/install_system_deps.sh" >&2; exit 2; }
DIR="$(realpath -m "${1:-$(mktemp -d /tmp/beian-pg.XXXXXX)}")"
PORT="${PGPORT:-54329}"
mkdir -p "$DIR"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; as_pg=(runuser -u postgres --); fi
[ -d "$DIR/data" ] || "${as_pg[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=''" start >/dev/null
"${as_pg[@]}" "$BIN/createdb" -h "$DIR" -p "$PORT" -U postgres beian_audit 2>/dev/null || true
echo "postgresql+psycopg://postgres@/beian_audit?host=$DIR&port=$PORT"
