#!/usr/bin/env bash
# Builds a fully static `migrate` for x86-64 Linux (no glibc version needed on
# the target): glibc's own static libraries (libc.a, from libc6-dev, present
# wherever the Rust toolchain links) with crt-static, rustls for TLS and the
# bundled SQLite. The binary lands in target/static/x86_64-unknown-linux-gnu/
# release/migrate. Host names still resolve through glibc's NSS at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --target x86_64-unknown-linux-gnu --target-dir target/static
binary=target/static/x86_64-unknown-linux-gnu/release/migrate
if ldd "$binary" 2>&1 | grep -q "statically linked\|not a dynamic executable"; then
    echo "static binary: $binary"
else
    echo "build-static: $binary is not static:" >&2
    ldd "$binary" >&2
    exit 1
fi
