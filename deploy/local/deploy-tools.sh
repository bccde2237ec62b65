#!/usr/bin/env bash
# kubernetes-validate (a schema validator that ships the Kubernetes JSON schemas: nothing is
# fetched when it runs) and PyYAML (for kube_local.py) in a venv of their own, .local/deploy-tools,
# apart from the project's venv, from the pins in deploy-tools.txt; reinstalled when that changes.
#   deploy-tools.sh              install if needed, print the venv's bin folder
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.local/deploy-tools"
PINS="$ROOT/deploy/local/deploy-tools.txt"
if ! cmp -s "$PINS" "$VENV/.installed" 2>/dev/null; then
  echo "[deploy-tools] installing kubernetes-validate into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$PINS" >&2
  cp "$PINS" "$VENV/.installed"
fi
echo "$VENV/bin"
