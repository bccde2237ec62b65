#!/usr/bin/env bash
# `make run`: start the relay and the three services with prefixed logs in this
# terminal; Ctrl-C stops them (and the infrastructure, if this script started it).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
BAHI_PORT_COMMAND="${BAHI_COMMAND_PORT:-8001}"
BAHI_PORT_QUERY="${BAHI_QUERY_PORT:-8002}"

pids=()
start() {  # start NAME PORT-VAR-ASSIGNMENT... -- MODULE
  local name="$1"; shift
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  env "${envs[@]}" "$PY" -m "$@" > >(sed -u "s/^/[$name] /") 2>&1 &
  pids+=($!)
}

stop() {
  trap - INT TERM
  echo; echo "[run] stopping services"
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  if [ ${#started_infra[@]} -gt 0 ]; then "$ROOT/deploy/local/infra.sh" down "${started_infra[@]}"; fi
  exit 0
}
trap stop INT TERM

# Infrastructure that was not running before `make run` is stopped again by Ctrl-C.
started_infra=()
for part in postgres kafka mongo; do
  if "$ROOT/deploy/local/infra.sh" status "$part" | grep -q down; then started_infra+=("$part"); fi
done
[ ${#started_infra[@]} -eq 0 ] || "$ROOT/deploy/local/infra.sh" up "${started_infra[@]}" || exit 1

# Bearer tokens: a local signing key and its JWKS, made once under .local/auth/ (unless the
# environment already names a JWKS), trusted by the command and query services.
local_auth=""
if [ -z "${BAHI_AUTH_JWKS_FILE:-}${BAHI_AUTH_JWKS_URL:-}${BAHI_AUTH_JWKS:-}" ]; then
  BAHI_AUTH_JWKS_FILE="$("$PY" -m shared.auth init --dir "$ROOT/.local/auth")" || exit 1
  export BAHI_AUTH_JWKS_FILE
  local_auth=1
fi
mint() { "$PY" -m shared.auth mint --dir "$ROOT/.local/auth" --ttl 86400 "$@"; }
# The staff token holds every scope a route of either service declares.
STAFF_SCOPES="$("$PY" - <<'PY'
from command_service.api import streams
from command_service.handling import default_registry as commands
from query_service.registry import default_registry as queries
from shared.auth import access_of

routers = [*commands().routers, streams.router, *queries().routers]
print(" ".join(sorted({a.scope for r in routers for route in r.routes if (a := access_of(route)) is not None})))
PY
)" || exit 1

start command   "BAHI_PORT=$BAHI_PORT_COMMAND" -- command_service
start relay     "BAHI_RELAY_PORT=${BAHI_RELAY_PORT:-8004}" -- command_service.relay
start saga      "BAHI_SAGA_PORT=${BAHI_SAGA_PORT:-8005}" -- command_service.sagas
start projector "BAHI_PROJECTOR_PORT=${BAHI_PROJECTOR_PORT:-8003}" -- projector_service
start query     "BAHI_PORT=$BAHI_PORT_QUERY" -- query_service

ready() { curl -fsS -o /dev/null "http://127.0.0.1:$1/readyz" 2>/dev/null; }
deadline=$((SECONDS + 90))
for port in "$BAHI_PORT_COMMAND" "${BAHI_RELAY_PORT:-8004}" "${BAHI_SAGA_PORT:-8005}" "${BAHI_PROJECTOR_PORT:-8003}" "$BAHI_PORT_QUERY"; do
  until ready "$port"; do
    if (( SECONDS > deadline )); then echo "[run] service on port $port is not ready; see the logs above"; stop; fi
    sleep 0.3
  done
done

STAFF_TOKEN="(a token of your identity provider with: $STAFF_SCOPES)"
CUSTOMER_TOKEN="(a token of your identity provider with sub cust-1, scope customer)"
if [ -n "$local_auth" ]; then
  STAFF_TOKEN="$(mint --sub staff-local --scope "$STAFF_SCOPES")" || stop
  CUSTOMER_TOKEN="$(mint --sub cust-1 --scope customer)" || stop
fi

cat <<MSG
[run] Bahi is up.
[run]   command service  http://127.0.0.1:$BAHI_PORT_COMMAND   (OpenAPI: /docs)
[run]   query service    http://127.0.0.1:$BAHI_PORT_QUERY   (OpenAPI: /docs)
[run]   projector        http://127.0.0.1:${BAHI_PROJECTOR_PORT:-8003}/metrics
[run]   relay            http://127.0.0.1:${BAHI_RELAY_PORT:-8004}/status
[run]   payment saga     http://127.0.0.1:${BAHI_SAGA_PORT:-8005}/status
[run] Try it (in another terminal): first these two tokens (valid 24 h), a staff member's and customer cust-1's
[run]   export STAFF_TOKEN=$STAFF_TOKEN
[run]   export CUSTOMER_TOKEN=$CUSTOMER_TOKEN
[run]   curl -s -XPOST localhost:$BAHI_PORT_COMMAND/v1/products -H "authorization: Bearer \$STAFF_TOKEN" -H 'content-type: application/json' -d '{"sku":"PHONE-1","name":"Redmi Note 13","category":"electronics","price_paise":1499900,"stock":10}'
[run]   curl -s -XPOST localhost:$BAHI_PORT_COMMAND/v1/orders -H "authorization: Bearer \$CUSTOMER_TOKEN" -H 'content-type: application/json' -d '{"customer_id":"cust-1","items":[{"sku":"PHONE-1","quantity":1}],"shipping_address":{"name":"Asha","line1":"12 MG Road","city":"Bengaluru","state":"KA","pincode":"560001"},"payment_method":"UPI"}'
[run]   curl -s localhost:$BAHI_PORT_QUERY/v1/orders/<order_id from the answer> -H "authorization: Bearer \$CUSTOMER_TOKEN"
[run] More tokens: .venv/bin/python -m shared.auth mint --sub cust-2 --scope customer   (or --scope "orders:read ...")
[run] Ctrl-C stops everything.
MSG
# Until Ctrl-C (or until every service has ended): then stop what this script started.
wait
stop
