#!/usr/bin/env bash
# Builds the Rust MongoDB-wire stand-in (SecantusDB's `secantusd-rs`, GPL-2.0, run as a separate
# local server: never linked or shipped) once with cargo, cached outside the repository like the
# Kafka jars, and rebuilt only when the pinned version changes.
#   secantus-rs.sh               build if missing (a failed build says so and leaves the Python server)
#   secantus-rs.sh --print-bin   print the binary's path (whether built or not)
set -uo pipefail
VERSION="0.5.3-beta.196"
ROOT_DIR="${BAHI_CACHE:-$HOME/.cache/bahi}/secantus-mdb-$VERSION"
BIN="$ROOT_DIR/bin/secantusd-rs"
if [ "${1:-}" = "--print-bin" ]; then echo "$BIN"; exit 0; fi
if [ -x "$BIN" ]; then exit 0; fi
if [ "${BAHI_MONGO_SERVER:-rust}" = "python" ]; then exit 0; fi  # asked for the Python server: no build
if ! command -v cargo >/dev/null 2>&1; then
  echo "[infra] cargo not found: the Rust MongoDB stand-in is not built; the Python server (secantusd-py) runs instead"
  exit 0
fi
LOG="${BAHI_CACHE:-$HOME/.cache/bahi}/secantus-mdb-$VERSION.build.log"
mkdir -p "$(dirname "$LOG")"
echo "[infra] building the Rust MongoDB stand-in secantus-mdb $VERSION with cargo (one time, about 6-8 min on 2 cores; log: $LOG)"
# The crate declares a newer rust-version than this toolchain; it builds with it (--ignore-rust-version).
if cargo install secantus-mdb --version "$VERSION" --locked --ignore-rust-version --root "$ROOT_DIR" >"$LOG" 2>&1; then
  echo "[infra] built $BIN"
else
  echo "[infra] the build of secantus-mdb $VERSION FAILED (see $LOG): the Python server (secantusd-py) runs instead"
  rm -rf "$ROOT_DIR/bin"
fi
exit 0
