#!/usr/bin/env bash
# A wheelhouse of uv and every locked runtime dependency (uv.lock, no dev group), downloaded once
# per lock on the host, outside the repository (BAHI_CACHE), for image builds that reach no
# package index (make images mounts it into the build; the build installs with --no-index).
# Binary wheels only, for CPython 3.11 on glibc x86_64 (the image's Python), each checked
# against the lock's hashes.
#   wheelhouse.sh               download if missing, print the folder
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${BAHI_CACHE:-$HOME/.cache/bahi}"
UV="$ROOT/.local/tools/bin/uv"
PIP="$ROOT/.local/tools/bin/pip"
UV_VERSION="$("$UV" --version | awk '{print $2}')"
KEY="$( (cat "$ROOT/uv.lock"; echo "$UV_VERSION cp311-x86_64") | sha256sum | cut -c1-12)"
DIR="$CACHE/wheels-$KEY"
if [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi

started=$SECONDS
rm -rf "$DIR" && mkdir -p "$DIR"
# The lock exported with its hashes: pip refuses any wheel that is not the one locked.
(cd "$ROOT" && "$UV" export --frozen --no-dev --no-emit-project --format requirements.txt -q -o "$DIR/requirements.txt")
# uv itself (the Dockerfile installs with it) is not in the lock: pinned to the project's uv.
echo "uv==$UV_VERSION" >"$DIR/uv.txt"
target=(--only-binary=:all: --implementation cp --python-version 3.11 --abi cp311 --abi abi3 --abi none
  --platform manylinux_2_36_x86_64 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64
  --platform manylinux2014_x86_64 --platform manylinux_2_5_x86_64 --platform manylinux1_x86_64 --platform any)
"$PIP" download -q --disable-pip-version-check --no-deps --require-hashes "${target[@]}" \
  -r "$DIR/requirements.txt" -d "$DIR" >&2
"$PIP" download -q --disable-pip-version-check --no-deps "${target[@]}" -r "$DIR/uv.txt" -d "$DIR" >&2
touch "$DIR/.complete"
printf '[images] wheelhouse: %s wheels in %s s, %s\n' "$(ls "$DIR"/*.whl | wc -l)" "$((SECONDS - started))" "$DIR" >&2
echo "$DIR"
