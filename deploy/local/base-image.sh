#!/usr/bin/env bash
# The base image that deploy/Dockerfile builds from with podman (its BASE build argument), printed
# on stdout. In order: BAHI_BASE if set; python:3.11-slim if podman has it or can pull it; else a
# Debian 12 image with Debian's Python 3.11 made once with debootstrap from Debian's packages (no
# container registry needed), kept as a tarball outside the repository (BAHI_CACHE) and imported
# into podman's storage whenever that lacks it.
#   base-image.sh              print the base image, making it if needed
#   base-image.sh --debian     the Debian-built one, even if python:3.11-slim could be pulled
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${BAHI_CACHE:-$HOME/.cache/bahi}"
SUITE="bookworm"
# What the services need at run time: Python (venv for the build stage) and CA certificates
# (TLS to managed PostgreSQL, Kafka or MongoDB). minbase: no init system, no systemd.
PACKAGES="python3,python3-venv,ca-certificates"
REGISTRY_BASE="docker.io/library/python:3.11-slim"
say() { printf '[images] %s\n' "$*" >&2; }
podman() { "$HERE/podman.sh" "$@"; }

if [ -n "${BAHI_BASE:-}" ]; then echo "$BAHI_BASE"; exit 0; fi
if [ "${1:-}" != "--debian" ]; then
  if podman image exists "$REGISTRY_BASE"; then echo "$REGISTRY_BASE"; exit 0; fi
  if timeout 30 "$HERE/podman.sh" pull -q "$REGISTRY_BASE" >/dev/null 2>&1; then echo "$REGISTRY_BASE"; exit 0; fi
  say "no registry serves $REGISTRY_BASE here: using a Debian $SUITE base made with debootstrap"
fi

# Bump RECIPE when what is removed from the root filesystem changes: a new key makes a new base.
RECIPE=2
KEY="$(printf '%s %s %s' "$SUITE" "$PACKAGES" "$RECIPE" | sha256sum | cut -c1-12)"
NAME="localhost/bahi-base:$SUITE-$KEY"
TARBALL="$CACHE/base/debian-$SUITE-python3-$KEY.tar"

if ! podman image exists "$NAME"; then
  if [ ! -f "$TARBALL" ]; then
    [ "$(id -u)" = 0 ] || { say "debootstrap needs root"; exit 1; }
    mkdir -p "$CACHE/base"
    root="$(mktemp -d "$CACHE/base/rootfs.XXXXXX")"
    trap 'rm -rf "$root" "$TARBALL.tmp"' EXIT
    say "debootstrap $SUITE (minbase + $PACKAGES) into $root (once, about a minute)"
    started=$SECONDS
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" >"$CACHE/base/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/base/debootstrap.log" >&2; exit 1; }
    # What an image never reads: package lists and caches, documentation, manuals, translations,
    # and glibc's iconv modules (Python has its own codecs).
    rm -rf "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
      "$root"/var/log/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
      "$root"/usr/share/locale/* "$root"/usr/share/lintian "$root"/tmp/* "$root"/root/.cache
    # The clock of the files is the only thing that differs between two debootstraps of one day.
    tar --numeric-owner --sort=name -C "$root" -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
    say "base root filesystem made in $((SECONDS - started)) s: $TARBALL"
  fi
  podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    "$TARBALL" "$NAME" >/dev/null
  say "imported $NAME"
fi
echo "$NAME"
