#!/usr/bin/env bash
# Fidelity of `migrate schema_dump` on MariaDB/MySQL against
# `mariadb-dump --no-data --routines --triggers --events` (issue 13), for
# schemas too large for `cargo test` (public samples such as sakila). For
# each SQL file given: load it into a fresh database A with the mariadb
# client, dump A with `migrate schema_dump` (twice: the same bytes), load
# the dump into a fresh B with `migrate load` and into a fresh C with the
# mariadb client, and compare `mariadb-dump` of A with B's and with C's,
# masking only what belongs to the server, not the schema (as
# tests/it/schema_fidelity.rs does): the database's name, the definer and
# the AUTO_INCREMENT counters. Then dump B and compare it byte for byte with
# the dump of A. Prints one line per file; exits 1 if any differ.
#
# Usage: scripts/fidelity-mysql.sh FILE.sql...
#   Each file must create its objects in the current database: take out its
#   own `CREATE/DROP DATABASE` and `USE` lines (and `source` of data files):
#     strip() { sed -E '/^(DROP|CREATE) (DATABASE|SCHEMA)/Id; /^USE /Id; /^source /Id' "$@"; }
#   sakila (github.com/datacharmer/test_db, sakila/, at 3c7fa05):
#     strip sakila/sakila-mv-schema.sql sakila/sakila-mv-data.sql | sed "s/\bsakila\.//g" > sakila.sql
#   employees (same repository, without its data: the load_*.dump files):
#     strip employees.sql objects.sql > employees-schema.sql
#   chinook (github.com/lerocha/chinook-database, at 7f67772, with its data):
#     strip ChinookDatabase/DataSources/Chinook_MySql.sql > chinook.sql
# RUNS (default 5) sets how many times each dumper is timed; KEEP=DIR keeps
# the work files and databases of a sample that differs.
# Needs: mariadb, mariadb-dump, bc, a built `migrate` (MIGRATE, default
# target/debug/migrate; CARGO_PROFILE=release for target/release/migrate)
# and SERVER (default mysql://root@127.0.0.1:3306).
set -u
SERVER=${SERVER:-mysql://root@127.0.0.1:3306}
MIGRATE=${MIGRATE:-$(dirname "$0")/../target/${CARGO_PROFILE:-debug}/migrate}
MIGRATE=$(realpath "$MIGRATE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# mysql://user[:password]@host[:port] as the clients' arguments.
address=${SERVER#*://}
address=${address%%/*}
credentials=root
[[ $address == *@* ]] && credentials=${address%@*} && address=${address#*@}
user=${credentials%%:*}
host=${address%%:*}
port=3306
[[ $address == *:* ]] && port=${address#*:}
client=(--host="$host" --port="$port" --user="$user")
[[ $credentials == *:* ]] && client+=(--password="${credentials#*:}")
sql() { mariadb "${client[@]}" "$@"; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
# database -> its mariadb-dump, normalised as the integration test does.
# `load` records the (empty) version history in B: those tables are ours.
own_dump() {
  mariadb-dump "${client[@]}" --no-data --routines --triggers --events \
    --skip-comments --skip-dump-date \
    --ignore-table="$1.db_version" --ignore-table="$1.db_version_log" "$1" |
    sed -E -e "s/\b$1\b/[db]/g" \
      -e "s/DEFINER=(\`[^\`]*\`|'[^']*'|\"[^\"]*\"|[^ *@]*)@(\`[^\`]*\`|'[^']*'|\"[^\"]*\"|[^ *]*)/DEFINER/g" \
      -e 's/ AUTO_INCREMENT=[0-9]+//g'
}
failed=0
n=0
for file in "$@"; do
  n=$((n + 1))
  a=fidelity_a_$$_$n
  b=fidelity_b_$$_$n
  c=fidelity_c_$$_$n
  dir="$work/$n"
  mkdir -p "$dir/schema"
  sql -e "DROP DATABASE IF EXISTS $a; DROP DATABASE IF EXISTS $b; DROP DATABASE IF EXISTS $c;
          CREATE DATABASE $a; CREATE DATABASE $b; CREATE DATABASE $c"
  drop() { sql -e "DROP DATABASE IF EXISTS $a; DROP DATABASE IF EXISTS $b; DROP DATABASE IF EXISTS $c"; }
  if ! sql "$a" <"$file" >"$dir/setup.log" 2>&1; then
    echo "SETUP FAILED $file: $(tail -3 "$dir/setup.log")"; failed=1; drop; continue
  fi
  objects=$(sql -N "$a" -e "SELECT CONCAT_WS(', ',
      CONCAT((SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type NOT IN ('VIEW', 'SEQUENCE')), ' tables'),
      CONCAT((SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'SEQUENCE'), ' sequences'),
      CONCAT((SELECT COUNT(*) FROM information_schema.views WHERE table_schema = DATABASE()), ' views'),
      CONCAT((SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE()), ' routines'),
      CONCAT((SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE()), ' triggers'),
      CONCAT((SELECT COUNT(*) FROM information_schema.events WHERE event_schema = DATABASE()), ' events'),
      CONCAT((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND seq_in_index = 1), ' indexes'),
      CONCAT((SELECT COUNT(*) FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()), ' foreign keys'))")
  if ! (cd "$dir" && "$MIGRATE" --no-env-file --database-url "$SERVER/$a" schema_dump \
      >schema/schema.sql 2>"$dir/dump.err"); then
    echo "DUMP REFUSED $file: $(cat "$dir/dump.err")"; failed=1; drop; continue
  fi
  # The best of RUNS runs of each dumper: a small schema takes milliseconds,
  # where one slow start of a process would decide the ratio.
  ours=
  theirs=
  for _ in $(seq "${RUNS:-5}"); do
    start=$(now)
    (cd "$dir" && "$MIGRATE" --no-env-file --database-url "$SERVER/$a" schema_dump >/dev/null 2>&1)
    took=$(since "$start")
    [[ -z $ours || $(echo "$took < $ours" | bc) == 1 ]] && ours=$took
    start=$(now)
    mariadb-dump "${client[@]}" --no-data --routines --triggers --events --skip-comments "$a" >/dev/null
    took=$(since "$start")
    [[ -z $theirs || $(echo "$took < $theirs" | bc) == 1 ]] && theirs=$took
  done
  (cd "$dir" && "$MIGRATE" --no-env-file --database-url "$SERVER/$a" schema_dump >again.sql 2>/dev/null)
  own_dump "$a" >"$dir/a.sql"
  problems=()
  cmp -s "$dir/schema/schema.sql" "$dir/again.sql" || problems+=("SECOND DUMP OF A DIFFERS")
  if ! (cd "$dir" && "$MIGRATE" --no-env-file --database-url "$SERVER/$b" load >/dev/null 2>"$dir/load.err"); then
    problems+=("LOAD INTO B FAILED: $(cat "$dir/load.err")")
  else
    own_dump "$b" >"$dir/b.sql"
    diff "$dir/a.sql" "$dir/b.sql" >"$dir/b.diff" || problems+=("B (migrate load) DIFFERS: $(head -20 "$dir/b.diff")")
    (cd "$dir" && "$MIGRATE" --no-env-file --database-url "$SERVER/$b" schema_dump >of_b.sql 2>/dev/null)
    cmp -s "$dir/schema/schema.sql" "$dir/of_b.sql" || problems+=("THE DUMP OF B DIFFERS: $(diff "$dir/schema/schema.sql" "$dir/of_b.sql" | head -10)")
  fi
  if ! sql "$c" <"$dir/schema/schema.sql" >"$dir/c.log" 2>&1; then
    problems+=("LOAD INTO C (mariadb client) FAILED: $(tail -3 "$dir/c.log")")
  else
    own_dump "$c" >"$dir/c.sql"
    diff "$dir/a.sql" "$dir/c.sql" >"$dir/c.diff" || problems+=("C (mariadb client) DIFFERS: $(head -20 "$dir/c.diff")")
  fi
  if [[ ${#problems[@]} -gt 0 ]]; then
    failed=1
    echo "DIFFERENT $file ($objects):"
    printf '  %s\n' "${problems[@]}"
    if [[ -n ${KEEP:-} ]]; then
      cp -r "$dir" "$KEEP/$n" && echo "  (files kept in $KEEP/$n, databases $a, $b and $c left)"
      continue
    fi
  else
    echo "OK $file: $objects; $(wc -l <"$dir/a.sql") lines of mariadb-dump identical for A, B (migrate load) and C (mariadb client); second dump identical; schema_dump ${ours}s, mariadb-dump ${theirs}s (best of ${RUNS:-5})"
  fi
  drop
done
exit $failed
