#!/usr/bin/env bash
# `make images`: builds Bahi's image (bahi:local; every entry point is one image) with podman from
# deploy/Dockerfile, as `docker build` would elsewhere, on a machine with no Docker engine, no
# container registry and no package index reachable from inside a container:
#   - podman, runc and debootstrap from Debian's packages (podman.sh, once);
#   - the base: python:3.11-slim where it can be pulled, else a Debian 12 image made once with
#     debootstrap (base-image.sh, cached in BAHI_CACHE);
#   - the locked wheels downloaded on the host once per uv.lock (wheelhouse.sh, BAHI_CACHE) and
#     mounted into the build, which installs them with --no-index;
#   - podman's layer cache: a second run rebuilds only the layers whose inputs changed.
# Prints the image's size. BAHI_IMAGE names the image (default bahi:local).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/deploy/local"
IMAGE="${BAHI_IMAGE:-bahi:local}"
started=$SECONDS

"$LOCAL/podman.sh"
base="$("$LOCAL/base-image.sh")"
wheels="$("$LOCAL/wheelhouse.sh")"

echo "[images] building $IMAGE from $base"
# --format docker: the OCI image format has no HEALTHCHECK. -v: the wheelhouse is read during the
# build but is in no layer. The healthcheck and every build argument are the Dockerfile's own.
"$LOCAL/podman.sh" build -q --format docker --layers \
  -f "$ROOT/deploy/Dockerfile" --ignorefile "$ROOT/deploy/Dockerfile.dockerignore" \
  --build-arg BASE="$base" --build-arg WHEELS=/wheels -v "$wheels:/wheels:ro" \
  -t "$IMAGE" "$ROOT" >/dev/null
# Earlier builds stay as untagged images: they are the layer cache (podman image prune drops them).
size="$("$LOCAL/podman.sh" image inspect --format '{{.Size}}' "$IMAGE")"
echo "[images] $IMAGE: $((size / 1000 / 1000)) MB ($base + Bahi), built in $((SECONDS - started)) s"
