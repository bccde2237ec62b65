#!/usr/bin/env bash
# Makes podman usable for building and running Bahi's images on a machine without a Docker
# engine: installs Debian's podman, runc, catatonit and debootstrap once (apt, as root), and writes the
# containers.conf that this kind of machine needs, outside the repository (BAHI_CACHE).
#   podman.sh                  install what is missing, write the containers.conf
#   podman.sh --print-conf     print the containers.conf path (export it as CONTAINERS_CONF)
#   podman.sh run|build|...    any podman command, with that containers.conf
# Why the file:
#   - crun (podman's default runtime) refuses this kernel's cgroup v1/hybrid layout: runc runs it;
#   - root without CAP_SYS_RESOURCE cannot raise a container's rlimits above the machine's hard
#     limits (podman as root asks for 1048576), so nofile and nproc are lowered, soft equal to
#     hard: podman 4.3's kube play and Docker-compatible API swap the two, and a soft limit above
#     the hard one is refused;
#   - without systemd, events go to a file and cgroups are managed by podman itself.
set -euo pipefail
CACHE="${BAHI_CACHE:-$HOME/.cache/bahi}"
CONF="$CACHE/podman/containers.conf"
if [ "${1:-}" = "--print-conf" ]; then echo "$CONF"; exit 0; fi

say() { printf '[podman] %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || [ -x /usr/sbin/runc ] || missing+=(runc)
  command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
  # The pause process of a pod's infra container (podman kube play builds its pause image with it).
  [ -x /usr/libexec/podman/catatonit ] || command -v catatonit >/dev/null || missing+=(catatonit)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ]; then
    say "missing ${missing[*]}: run as root, or: sudo apt-get install ${missing[*]}"; exit 1
  fi
  say "installing ${missing[*]} with apt-get (once)"
  # No recommends: they bring crun (unusable here), buildah and rootless helpers; runc is the runtime.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# A limit as the services need it, no higher than this shell's hard limit (soft = hard).
limit() {  # limit NAME WANTED CURRENT_HARD
  local value="$2"
  [ "$3" != unlimited ] && (( value > $3 )) && value="$3"
  printf '"%s=%s:%s"' "$1" "$value" "$value"
}

write_conf() {
  mkdir -p "$(dirname "$CONF")"
  local runc; runc="$(command -v runc || echo /usr/sbin/runc)"
  local tmp="$CONF.tmp"
  cat >"$tmp" <<CONF
# Written by deploy/local/podman.sh: podman on this machine (see the script for why).
[containers]
default_ulimits = [$(limit nofile 16384 "$(ulimit -Hn)"), $(limit nproc 8192 "$(ulimit -Hu)")]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[engine.runtimes]
runc = ["$runc"]
CONF
  if ! cmp -s "$tmp" "$CONF" 2>/dev/null; then mv "$tmp" "$CONF"; say "wrote $CONF"; else rm -f "$tmp"; fi
}

install_packages
write_conf
if [ $# -gt 0 ]; then CONTAINERS_CONF="$CONF" exec podman "$@"; fi
