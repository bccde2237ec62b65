#!/usr/bin/env bash
# Makes `docker compose` available for checking deploy/compose.yaml (no engine is
# needed for `config`). Machines whose docker client lacks the compose plugin get
# it built once from the Go module proxy and cached outside the repo.
set -euo pipefail
VERSION="v2.40.3"
if docker compose version >/dev/null 2>&1; then exit 0; fi
command -v go >/dev/null || { echo "[infra] neither 'docker compose' nor Go is available" >&2; exit 1; }
CACHE="${BAHI_CACHE:-$HOME/.cache/bahi}/compose-$VERSION"
if [ ! -x "$CACHE/cmd" ]; then
  echo "[infra] building the docker compose plugin $VERSION with go (once)"
  mkdir -p "$CACHE"
  src="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v2@$VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  work="$(mktemp -d)"
  cp -r "$src/." "$work/" && chmod -R u+w "$work"
  (cd "$work" && go build -trimpath -o "$CACHE/cmd" ./cmd)
  rm -rf "$work"
fi
mkdir -p "$HOME/.docker/cli-plugins"
cp "$CACHE/cmd" "$HOME/.docker/cli-plugins/docker-compose"
docker compose version >/dev/null
