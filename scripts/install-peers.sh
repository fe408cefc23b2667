#!/usr/bin/env bash
# Installs the peer migrators that `cargo bench --bench apply` runs beside
# `migrate` when it finds them on PATH (issue 15): sqlx-cli and refinery_cli
# from crates.io, dbmate from npm. Not part of CI: it compiles two large
# crates (about 16 minutes on a busy 2-core machine for sqlx-cli 0.9.0,
# refinery_cli 0.10.0 and dbmate 2.36.0).
#
#   scripts/install-peers.sh            # all three
#   scripts/install-peers.sh dbmate     # only the named ones
#
# Cargo installs into ~/.cargo/bin (or $CARGO_INSTALL_ROOT/bin); dbmate goes
# into npm's global prefix, or into $NPM_PREFIX when set (then put
# $NPM_PREFIX/bin on PATH before running the benchmark).
set -euo pipefail

install_sqlx() {
    # Only the three drivers and rustls: the default features also pull in
    # native-tls (OpenSSL headers) and the shell completions.
    cargo install --locked sqlx-cli \
        --no-default-features --features sqlite,postgres,mysql,rustls
}

install_refinery() {
    # The default features add SQL Server (tiberius and tokio), which the
    # benchmark does not use.
    cargo install --locked refinery_cli \
        --no-default-features --features mysql,postgresql,sqlite-bundled
}

install_dbmate() {
    # The npm package ships the prebuilt binary for the platform.
    if [ -n "${NPM_PREFIX:-}" ]; then
        npm install --prefix "$NPM_PREFIX" -g dbmate
    else
        npm install -g dbmate
    fi
}

peers=("$@")
[ "${#peers[@]}" -eq 0 ] && peers=(sqlx refinery dbmate)
status=0
for peer in "${peers[@]}"; do
    case "$peer" in
        sqlx | sqlx-cli) install_sqlx || { echo "install-peers: sqlx-cli failed" >&2; status=1; } ;;
        refinery | refinery_cli) install_refinery || { echo "install-peers: refinery_cli failed" >&2; status=1; } ;;
        dbmate) install_dbmate || { echo "install-peers: dbmate failed" >&2; status=1; } ;;
        *) echo "install-peers: unknown peer '$peer' (sqlx, refinery, dbmate)" >&2; status=2 ;;
    esac
done
exit "$status"
