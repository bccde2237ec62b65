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

cat <<MSG
[run] Bahi is up.
[run]   command service  http://127.0.0.1:$BAHI_PORT_COMMAND   (OpenAPI: /docs)
[run]   query service    http://127.0.0.1:$BAHI_PORT_QUERY   (OpenAPI: /docs)
[run]   projector        http://127.0.0.1:${BAHI_PROJECTOR_PORT:-8003}/metrics
[run]   relay            http://127.0.0.1:${BAHI_RELAY_PORT:-8004}/status
[run]   payment saga     http://127.0.0.1:${BAHI_SAGA_PORT:-8005}/status
[run] Try it (in another terminal):
[run]   curl -s -XPOST localhost:$BAHI_PORT_COMMAND/v1/products -H 'content-type: application/json' -d '{"sku":"PHONE-1","name":"Redmi Note 13","category":"electronics","price_paise":1499900,"stock":10}'
[run]   curl -s -XPOST localhost:$BAHI_PORT_COMMAND/v1/orders -H 'content-type: application/json' -d '{"customer_id":"cust-1","items":[{"sku":"PHONE-1","quantity":1}],"shipping_address":{"name":"Asha","line1":"12 MG Road","city":"Bengaluru","state":"KA","pincode":"560001"},"payment_method":"UPI"}'
[run]   curl -s localhost:$BAHI_PORT_QUERY/v1/orders/<order_id from the answer>
[run] Ctrl-C stops everything.
MSG
# Until Ctrl-C (or until every service has ended): then stop what this script started.
wait
stop
