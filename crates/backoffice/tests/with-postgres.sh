#!/usr/bin/env bash
# Runs the back office's tests on PostgreSQL: starts a throwaway cluster on 127.0.0.1 (Debian's
# postgresql package; as root it runs as the `postgres` user), runs `cargo test -p backoffice`
# (or `cargo ARGS…` when given, e.g. `bench -p backoffice --bench sync_throughput`) with
# VNEID_BACKOFFICE_TEST_POSTGRES naming it (each test then creates its own database), and stops
# and removes the cluster.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2
  exit 1
fi
work=$(mktemp -d /tmp/backoffice-pg.XXXXXX)
port=$(shuf -i 20000-60000 -n 1)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$work"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$bin/initdb" -D "$work/data" -A trust -U postgres --no-sync >/dev/null
stop() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-h 127.0.0.1 -p $port -k $work -c max_connections=400" start >/dev/null
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
[ $# -gt 0 ] || set -- test -p backoffice
VNEID_BACKOFFICE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port" cargo "$@"
