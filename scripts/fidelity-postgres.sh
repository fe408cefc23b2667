#!/usr/bin/env bash
# Fidelity of `migrate schema_dump` on PostgreSQL against `pg_dump -s`
# (issue 13), for schemas too large for `cargo test` (public samples such
# as pagila). For each SQL file given: load it into a fresh schema A (with
# psql, search_path=A), dump A with `migrate schema_dump`, load the dump
# into a fresh schema B with `migrate load`, and compare `pg_dump -s` of A
# and B with the schema's name masked (and the TOC of `pg_dump -Fc` read by
# `pg_restore -l`, without its OIDs); then dump B and compare it byte for
# byte with the dump of A. Prints one line per file; exits 1 if any differ.
#
# Usage: scripts/fidelity-postgres.sh FILE.sql...
#   e.g. tests/it/postgres/probes/*.sql, or pagila (github.com/devrimgunduz/pagila,
#   pagila-schema.sql at a8bdd3e, the last commit before PostgreSQL 18's uuidv7()),
#   its fixed schema removed so that it loads into any schema:
#   sed -e 's/\bpublic\.//g' -e "/set_config('search_path', '', false)/d" \
#       -e '/^ALTER SCHEMA public/d' -e '/^COMMENT ON SCHEMA public/d' pagila-schema.sql
# Needs: psql, pg_dump, pg_restore, a built `migrate` (MIGRATE, default
# target/debug/migrate) and SERVER (default postgres://postgres@127.0.0.1:5432/test).
set -u
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
SERVER=${SERVER:-postgres://postgres@127.0.0.1:5432/test}
MIGRATE=${MIGRATE:-$(dirname "$0")/../target/${CARGO_PROFILE:-debug}/migrate}
MIGRATE=$(realpath "$MIGRATE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
n=0
url() { echo "$SERVER?search_path=$1"; }
pgdump() { # schema -> normalised pg_dump -s text and TOC
  pg_dump -s --no-owner --schema="$1" -d "$SERVER" \
    --exclude-table="$1.db_version" --exclude-table="$1.db_version_log" |
    grep -v '^\\\(un\)\?restrict' | sed "s/\b$1\b/[schema]/g" > "$2.sql"
  pg_dump -s -Fc --no-owner --schema="$1" -d "$SERVER" \
    --exclude-table="$1.db_version" --exclude-table="$1.db_version_log" |
    pg_restore -l | grep -v '^;' | sed -E "s/^[0-9]+; [0-9]+ [0-9]+ //; s/\b$1\b/[schema]/g" | sort > "$2.toc"
}
for file in "$@"; do
  n=$((n + 1))
  a=fidelity_a_$$_$n
  b=fidelity_b_$$_$n
  dir="$work/$n"
  mkdir -p "$dir/schema"
  psql -q -v ON_ERROR_STOP=1 -d "$SERVER" -c "DROP SCHEMA IF EXISTS $a CASCADE; DROP SCHEMA IF EXISTS $b CASCADE; CREATE SCHEMA $a" >/dev/null
  if ! PGOPTIONS="$PGOPTIONS -c search_path=$a" psql -q -v ON_ERROR_STOP=1 -d "$SERVER" -f "$file" >"$dir/load.log" 2>&1; then
    echo "SETUP FAILED $file: $(tail -3 "$dir/load.log")"; failed=1; continue
  fi
  start=$(date +%s.%N)
  if ! (cd "$dir" && "$MIGRATE" --database-url "$(url $a)" schema_dump --output schema/schema.sql 2>"$dir/dump.err" >/dev/null); then
    echo "DUMP REFUSED $file: $(cat "$dir/dump.err")"; failed=1
    psql -q -d "$SERVER" -c "DROP SCHEMA IF EXISTS $a CASCADE" >/dev/null; continue
  fi
  ours=$(echo "$(date +%s.%N) - $start" | bc)
  start=$(date +%s.%N)
  pg_dump -s --schema="$a" -d "$SERVER" >/dev/null
  theirs=$(echo "$(date +%s.%N) - $start" | bc)
  if ! (cd "$dir" && "$MIGRATE" --database-url "$(url $b)" load >/dev/null 2>"$dir/load.err"); then
    echo "LOAD FAILED $file: $(cat "$dir/load.err")"; failed=1
  else
    pgdump "$a" "$dir/a"; pgdump "$b" "$dir/b"
    (cd "$dir" && "$MIGRATE" --database-url "$(url $b)" schema_dump --output second.sql >/dev/null 2>&1)
    if ! diff -q "$dir/a.toc" "$dir/b.toc" >/dev/null || ! diff -q "$dir/a.sql" "$dir/b.sql" >/dev/null; then
      echo "DIFFERENT $file:"; diff "$dir/a.sql" "$dir/b.sql" | head -40; failed=1
    elif ! cmp -s "$dir/schema/schema.sql" "$dir/second.sql"; then
      echo "SECOND DUMP DIFFERS $file:"; diff "$dir/schema/schema.sql" "$dir/second.sql" | head -20; failed=1
    else
      echo "OK $file: $(grep -c . "$dir/a.toc") TOC entries identical, second dump identical; schema_dump ${ours}s, pg_dump -s ${theirs}s"
    fi
  fi
  psql -q -d "$SERVER" -c "DROP SCHEMA IF EXISTS $a CASCADE; DROP SCHEMA IF EXISTS $b CASCADE" >/dev/null
done
exit $failed
