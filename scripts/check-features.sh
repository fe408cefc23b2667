#!/usr/bin/env bash
# The feature split of issue 17: each backend and the command are features,
# and a SQLite-only library build compiles without the CLI, the MySQL
# driver, tokio-postgres or rustls. Run by .ci/run; fails naming the crate
# that came back.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo check --quiet --no-default-features --features sqlite --lib
cargo check --quiet --no-default-features --features postgres --lib
cargo check --quiet --no-default-features --features mysql --lib
cargo check --quiet --no-default-features --features sqlite,tokio --lib

tree=$(cargo tree --no-default-features --features sqlite -e normal --prefix none | sort -u)
status=0
for crate in clap clap_complete clap_mangen env_logger anstream terminal_size \
    mysql mysql_common tokio tokio-postgres rustls serde_json; do
    if grep -q "^$crate v" <<<"$tree"; then
        echo "check-features: the SQLite-only library depends on $crate" >&2
        status=1
    fi
done
grep -q "^rusqlite v" <<<"$tree" || { echo "check-features: no rusqlite with --features sqlite" >&2; status=1; }
echo "check-features: SQLite-only library: $(wc -l <<<"$tree") crates"
exit $status
