#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster: initdb in a temporary directory, a free
# port on 127.0.0.1, DATABASE_URL exported, everything stopped and removed afterwards.
# PG_SETTINGS adds server options (benchmarks: PG_SETTINGS="-c shared_buffers=4GB").
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL 15 not found in $PG_BIN (run: make system-deps)" >&2; exit 1; }

workdir=$(mktemp -d /tmp/learningcity-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres system user.
  chown postgres "$workdir"
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

"${as_owner[@]}" "$PG_BIN/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_SETTINGS:-}" \
  start >/dev/null
echo "Throwaway PostgreSQL 15 on 127.0.0.1:$port"
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
export LEARNINGCITY_TEST_PGDATA="$workdir/data" LEARNINGCITY_TEST_PG_CTL="$PG_BIN/pg_ctl"  # fault tests restart the server
"$@"
