#!/usr/bin/env bash
# Where applying migrations spends its requests, commits and syncs (issue 15):
# `migrate up` next to the database's own client running the same files with
# the same per-file transactions, on N small files (default 100), counted
# with strace (socket writes = requests sent; fsync/fdatasync) and the
# servers' counters (PostgreSQL pg_stat_database/pg_stat_wal, MariaDB
# SHOW GLOBAL STATUS, which also counts anything else the server does).
#
#   scripts/count-round-trips.sh [N]      # after `cargo build --release`
#
# PostgreSQL and MariaDB run when MIGRATE_TEST_POSTGRES_URL and
# MIGRATE_TEST_MYSQL_URL are set (mysql://user@host:port/db, no password).
set -euo pipefail
n=${1:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
migrate=${MIGRATE_BIN:-$root/target/release/migrate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/up"
for v in $(seq 1 "$n"); do
    sql="CREATE TABLE t$v (id INTEGER PRIMARY KEY, label VARCHAR(40) NOT NULL);
CREATE INDEX t${v}_label ON t$v (label);
INSERT INTO t$v (id, label) VALUES (1, 'v$v');"
    printf '%s\n' "$sql" > "$work/up/${v}_table.sql"
    printf 'BEGIN;\n%s\nCOMMIT;\n' "$sql" >> "$work/baseline.sql"
done
per_file() { awk -v c="$1" -v n="$n" 'BEGIN { printf "%.2f", c / n }'; }

# Socket writes (requests) of a traced command, and its syncs.
trace() {
    local out="$work/strace.out"
    strace -f -qq -yy -o "$out" -e trace=write,writev,sendto,sendmsg,fsync,fdatasync "$@" >/dev/null
    local sends syncs
    sends=$(grep -cE '^[0-9]+ +(write|writev|sendto|sendmsg)\([0-9]+<(TCP|TCPv6|UNIX-STREAM)' "$out" || true)
    syncs=$(grep -cE '^[0-9]+ +f(data)?sync\(' "$out" || true)
    echo "$sends $syncs"
}

report() { # label sends syncs [commits] [wal syncs]
    printf '%-9s %-8s requests/file %6s  client syncs/file %6s' "$1" "$2" "$(per_file "$3")" "$(per_file "$4")"
    [ $# -ge 5 ] && printf '  commits/file %6s' "$(per_file "$5")"
    [ $# -ge 6 ] && printf '  server syncs/file %6s' "$(per_file "$6")"
    echo
}

echo "# $n files"
db="$work/bench.db"
read -r s y < <(trace "$migrate" up -q --no-env-file --dir "$work" --database-url "sqlite:$db")
report SQLite migrate "$s" "$y"
rm -f "$db"
read -r s y < <(trace sqlite3 "$db" ".read $work/baseline.sql")
report SQLite sqlite3 "$s" "$y"

if [ -n "${MIGRATE_TEST_POSTGRES_URL:-}" ]; then
    admin=$MIGRATE_TEST_POSTGRES_URL
    base=${admin%%\?*}; base=${base%/*}
    url="$base/migrate_trips"
    pg_counters() {
        sleep 1 # a backend's statistics land shortly after it exits
        psql "$admin" -XAt -F ' ' -c "SELECT xact_commit, (SELECT wal_sync FROM pg_stat_wal) FROM pg_stat_database WHERE datname = 'migrate_trips'"
    }
    for tool in migrate psql; do
        psql "$admin" -Xq -c 'DROP DATABASE IF EXISTS migrate_trips' -c 'CREATE DATABASE migrate_trips'
        read -r c0 w0 < <(pg_counters)
        case $tool in
            migrate) read -r s y < <(trace "$migrate" up -q --no-env-file --dir "$work" --database-url "$url") ;;
            psql) read -r s y < <(trace psql "$url" -X -q -v ON_ERROR_STOP=1 -f "$work/baseline.sql") ;;
        esac
        read -r c1 w1 < <(pg_counters)
        report PostgreSQL "$tool" "$s" "$y" $((c1 - c0)) $((w1 - w0))
    done
    psql "$admin" -Xq -c 'DROP DATABASE IF EXISTS migrate_trips'
fi

if [ -n "${MIGRATE_TEST_MYSQL_URL:-}" ]; then
    rest=${MIGRATE_TEST_MYSQL_URL#*://}; rest=${rest%%/*}
    user=${rest%@*}; hostport=${rest#*@}
    [ "$user" = "$rest" ] && user=root
    host=${hostport%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=3306
    client=$(command -v mariadb || command -v mysql)
    my() { "$client" -h "$host" -P "$port" -u "$user" "$@"; }
    my_counters() {
        my -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit','Handler_commit','Innodb_data_fsyncs','Questions')" |
            awk '{ v[$1] = $2 } END { print v["Com_commit"], v["Handler_commit"], v["Innodb_data_fsyncs"], v["Questions"] }'
    }
    for tool in migrate mariadb; do
        my -e 'DROP DATABASE IF EXISTS migrate_trips; CREATE DATABASE migrate_trips'
        read -r cc0 hc0 fs0 q0 < <(my_counters)
        case $tool in
            migrate) read -r s y < <(trace "$migrate" up -q --no-env-file --dir "$work" --database-url "mysql://$user@$host:$port/migrate_trips") ;;
            mariadb) read -r s y < <(trace "$client" -h "$host" -P "$port" -u "$user" migrate_trips -e "source $work/baseline.sql") ;;
        esac
        read -r cc1 hc1 fs1 q1 < <(my_counters)
        report MariaDB "$tool" "$s" "$y" $((hc1 - hc0)) $((fs1 - fs0))
        printf '          %-8s Com_commit/file %s  Questions/file %s\n' "$tool" \
            "$(per_file $((cc1 - cc0)))" "$(per_file $((q1 - q0)))"
    done
    my -e 'DROP DATABASE IF EXISTS migrate_trips'
fi
