#!/usr/bin/env bash
# Starts PgBouncer in transaction pooling mode on 127.0.0.1:6432, in front
# of the PostgreSQL server at 127.0.0.1:5432 (issue 20), for the
# integration tests' PgBouncer target (MIGRATE_TEST_PGBOUNCER_URL). Installs
# Debian's package when `pgbouncer` is missing. Idempotent: does nothing
# when a PgBouncer already answers on the port.
#
#   scripts/start-pgbouncer.sh          # then
#   MIGRATE_TEST_PGBOUNCER_URL=postgres://postgres@127.0.0.1:6432/test
#
# Config, auth file, log and pid live in a scratch folder (PGBOUNCER_DIR,
# default /tmp/migrate-pgbouncer). Every database name maps to the same
# name on the server, so each test's own database is reachable through it;
# auth is `trust` (the server trusts 127.0.0.1) and the pool is small, as a
# real deployment's is, so that clients really share server connections.
# Environment: PGBOUNCER_PORT (6432), PGBOUNCER_SERVER_PORT (5432).
set -euo pipefail

dir=${PGBOUNCER_DIR:-/tmp/migrate-pgbouncer}
port=${PGBOUNCER_PORT:-6432}
server_port=${PGBOUNCER_SERVER_PORT:-5432}

answers() {
    pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null
}

if answers; then
    exit 0
fi

if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq pgbouncer >/dev/null 2>&1 || {
        apt-get update -qq >/dev/null
        apt-get install -y -qq pgbouncer >/dev/null
    }
fi
bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

mkdir -p "$dir"
# PgBouncer refuses to run as root; the Debian package's user owns the folder.
owner=postgres
id "$owner" >/dev/null 2>&1 || owner=nobody
chown "$owner" "$dir"
echo '"postgres" ""' > "$dir/userlist.txt"
cat > "$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$server_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 200
max_db_connections = 8
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
admin_users = postgres
INI
chown "$owner" "$dir"/*
rm -f "$dir/pgbouncer.pid"
runuser -u "$owner" -- "$bin" -d "$dir/pgbouncer.ini"
for _ in $(seq 1 30); do
    answers && exit 0
    sleep 0.5
done
echo "start-pgbouncer: PgBouncer did not start; see $dir/pgbouncer.log" >&2
exit 1
