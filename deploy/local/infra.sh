#!/usr/bin/env bash
# Local infrastructure for Bahi on a machine without a Docker engine.
#   infra.sh up|down|status [postgres|kafka|mongo ...]
# Idempotent: `up` starts what is not running and waits until each part answers;
# `down` stops what runs. Data lives under .local/, logs under .local/logs/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
LOGS="$LOCAL/logs"
RUN="$LOCAL/run"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PGPORT="${PGPORT:-5432}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
MONGO_PORT="${MONGO_PORT:-27017}"
KAFKA_LIBS="$("$ROOT/deploy/local/kafka-jars.sh" --print-dir)"
READY_TIMEOUT="${READY_TIMEOUT:-120}"

mkdir -p "$LOGS" "$RUN"

# The servers started here outlive this script: they must not inherit the caller's open
# descriptors (a lock taken with `flock(1)` around a command would stay held as long as
# the server runs). 255 is bash's own script descriptor, closed on exec anyway.
for fd in /proc/$$/fd/*; do
  fd="${fd##*/}"
  if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

say() { printf '[infra] %s\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for DESCRIPTION COMMAND...: retry COMMAND until it succeeds or READY_TIMEOUT passes.
wait_for() {
  local what="$1"; shift
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@"; do
    if (( SECONDS >= deadline )); then say "$what did not become ready in ${READY_TIMEOUT}s"; return 1; fi
    sleep 0.2
  done
}

# --- PostgreSQL ------------------------------------------------------------
# From /: the postgres user may not be allowed into the current directory (every path here is absolute).
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

pg_datadir() {
  # PostgreSQL refuses to run as root; as root we run it as the `postgres` user.
  # That user may not be able to reach a checkout inside a private (0700) folder,
  # so the cluster then lives in /var/tmp and .local/pg links to it.
  if [ "$(id -u)" = 0 ] && [ ! -e "$LOCAL/pg" ] && ! runuser -u postgres -- test -x "$LOCAL"; then
    local alt="/var/tmp/bahi-pg-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
    mkdir -p "$alt" && chown postgres: "$alt" && chmod 700 "$alt"
    ln -sfn "$alt" "$LOCAL/pg"
  fi
  mkdir -p "$LOCAL/pg"
  [ "$(id -u)" = 0 ] && chown postgres: "$(readlink -f "$LOCAL/pg")"
  readlink -f "$LOCAL/pg"
}

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; }

postgres_up() {
  if pg_ready; then say "postgres already answering on $PGPORT"; return; fi
  local data; data="$(pg_datadir)"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initialising PostgreSQL cluster in $data"
    as_pg "$PG_BIN/initdb" -D "$data" -U bahi --auth=trust -E UTF8 --locale=C.UTF-8 >"$LOGS/postgres-initdb.log"
  fi
  # The server writes its log as the postgres user: beside the cluster when it cannot reach .local/logs.
  local log="$LOGS/postgres.log"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -w "$LOGS" 2>/dev/null; then
    log="$data.log"
    ln -sfn "$log" "$LOGS/postgres.log"
  fi
  touch "$log"; [ "$(id -u)" = 0 ] && chown postgres: "$log"
  say "starting postgres on 127.0.0.1:$PGPORT"
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t "$READY_TIMEOUT" \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$data -c max_connections=300 -c shared_buffers=256MB -c max_wal_size=2GB -c wal_level=logical" start >/dev/null
  wait_for postgres pg_ready
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U bahi -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bahi'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U bahi bahi
  say "postgres ready"
}

postgres_down() {
  [ -f "$LOCAL/pg/postmaster.pid" ] || { say "postgres not running"; return; }
  as_pg "$PG_BIN/pg_ctl" -D "$(readlink -f "$LOCAL/pg")" -m fast -w stop >/dev/null && say "postgres stopped"
}

postgres_status() { pg_ready && echo "postgres  up    127.0.0.1:$PGPORT" || echo "postgres  down"; }

# --- Kafka (KRaft, broker + controller) -------------------------------------
kafka_ready() { port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$LOGS/kafka.log" 2>/dev/null; }

kafka_up() {
  if pid_alive "$RUN/kafka.pid" && port_open "$KAFKA_PORT"; then say "kafka already running on $KAFKA_PORT"; return; fi
  "$ROOT/deploy/local/kafka-jars.sh"
  local dir="$LOCAL/kafka"; mkdir -p "$dir/data"
  sed -e "s|@DATA@|$dir/data|" -e "s|@PORT@|$KAFKA_PORT|g" -e "s|@CPORT@|$KAFKA_CONTROLLER_PORT|g" \
    "$ROOT/deploy/local/kafka.properties" >"$dir/server.properties"
  local cp="$KAFKA_LIBS/*"
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id; cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    say "formatting kafka storage (cluster $cluster_id)"
    java -cp "$cp" -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2.yaml" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$dir/server.properties" --standalone >"$LOGS/kafka-format.log" 2>&1
  fi
  : >"$LOGS/kafka.log"
  say "starting kafka on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  KAFKA_LOG_DIR="$LOGS" setsid nohup java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC \
    -Dkafka.logs.dir="$LOGS" -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2.yaml" \
    -cp "$cp" kafka.Kafka "$dir/server.properties" >>"$LOGS/kafka.log" 2>&1 </dev/null &
  echo $! >"$RUN/kafka.pid"
  wait_for kafka kafka_ready || { tail -20 "$LOGS/kafka.log"; return 1; }
  say "kafka ready"
}

stop_pid() {
  local name="$1" pidfile="$2"
  if ! pid_alive "$pidfile"; then say "$name not running"; rm -f "$pidfile"; return; fi
  local pid; pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then kill -9 "$pid" 2>/dev/null || true; fi
    sleep 0.2
  done
  rm -f "$pidfile"; say "$name stopped"
}

kafka_down() { stop_pid kafka "$RUN/kafka.pid"; }
kafka_status() { kafka_ready && echo "kafka     up    127.0.0.1:$KAFKA_PORT" || echo "kafka     down"; }

# --- MongoDB wire-compatible server (SecantusDB) ----------------------------
# The Rust server (secantusd-rs, built once by deploy/local/secantus-rs.sh) by default;
# BAHI_MONGO_SERVER=python runs the Python one (secantusd-py, from the project's venv).
# Each keeps its data in its own folder.
mongo_server() {
  local rs; rs="$("$ROOT/deploy/local/secantus-rs.sh" --print-bin)"
  if [ "${BAHI_MONGO_SERVER:-rust}" != "python" ] && [ -x "$rs" ]; then echo "rust $rs $LOCAL/mongo-rs"; return; fi
  echo "python $ROOT/.venv/bin/secantusd-py $LOCAL/mongo"
}
mongo_up() {
  if pid_alive "$RUN/mongo.pid" && port_open "$MONGO_PORT"; then
    say "mongo (secantusdb $(cat "$RUN/mongo.kind" 2>/dev/null)) already running on $MONGO_PORT"; return
  fi
  local kind server data
  read -r kind server data <<<"$(mongo_server)"
  if [ "$kind" = python ] && [ "${BAHI_MONGO_SERVER:-rust}" != "python" ]; then
    say "the Rust secantusdb server is not built (make install builds it; see its message): starting the Python one"
  fi
  [ -x "$server" ] || { say "secantusdb is not installed: run 'make install'"; return 1; }
  mkdir -p "$data"
  say "starting secantusdb ($kind) on 127.0.0.1:$MONGO_PORT"
  # --standalone: no replica-set advertisement, so no oplog write per modified document
  # (Bahi uses neither change streams nor transactions on MongoDB).
  local extra=(); [ "$kind" = rust ] && extra=(--cache-size 1G)
  setsid nohup "$server" --host 127.0.0.1 --port "$MONGO_PORT" --storage-path "$data" \
    --standalone --log-level WARNING "${extra[@]}" >>"$LOGS/mongo.log" 2>&1 </dev/null &
  echo $! >"$RUN/mongo.pid"
  echo "$kind" >"$RUN/mongo.kind"
  wait_for mongo port_open "$MONGO_PORT" || { tail -20 "$LOGS/mongo.log"; return 1; }
  say "mongo ready"
}
mongo_down() { stop_pid mongo "$RUN/mongo.pid"; rm -f "$RUN/mongo.kind"; }
mongo_status() {
  port_open "$MONGO_PORT" && echo "mongo     up    127.0.0.1:$MONGO_PORT (secantusdb $(cat "$RUN/mongo.kind" 2>/dev/null))" \
    || echo "mongo     down"
}

# --- dispatch ----------------------------------------------------------------
action="${1:-status}"; shift || true
parts=("$@"); [ ${#parts[@]} -gt 0 ] || parts=(postgres kafka mongo)
case "$action" in
  up)     for p in "${parts[@]}"; do "${p}_up"; done ;;
  down)   for p in "${parts[@]}"; do "${p}_down"; done ;;
  status) for p in "${parts[@]}"; do "${p}_status"; done ;;
  *) echo "usage: $0 up|down|status [postgres|kafka|mongo ...]" >&2; exit 2 ;;
esac
