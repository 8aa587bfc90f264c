#!/usr/bin/env bash
# A 3-node Qdrant cluster on loopback, for the scale-out tests and for trying
# the cluster profile without containers. Takes a Qdrant binary: QDRANT_BIN
# (Qdrant's release or image has one; on these machines
# ../shared/tools/qdrant/build.sh builds it into ~/.cache/qdrant-build/bin).
#
#   scripts/qdrant_cluster.sh start DIR [BASE_PORT]  # 3 nodes, node 1 bootstraps, the others join it
#   scripts/qdrant_cluster.sh urls DIR               # the gRPC addresses, comma-separated (for QDRANT_URL)
#   scripts/qdrant_cluster.sh kill DIR N             # kill -9 node N (1-3): a crash, not a shutdown
#   scripts/qdrant_cluster.sh restart DIR N          # start node N again on its storage; it rejoins
#   scripts/qdrant_cluster.sh stop DIR               # stop every node (by process id)
#
# Node N listens on 127.0.0.1 only: HTTP BASE+3(N-1), gRPC +1, peer-to-peer +2
# (BASE_PORT default 16333). Storage, logs and pids live in DIR/node-N.
# Telemetry is off.
set -euo pipefail
cmd=${1:?start|urls|kill|restart|stop}; dir=${2:?cluster directory}
nodes=3

base() { cat "$dir/base"; }
port() { echo $(($(base) + 3 * ($1 - 1) + $2)); } # node, 0 http / 1 grpc / 2 p2p
pid_of() { cat "$dir/node-$1/pid" 2>/dev/null || true; }
alive() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

launch() { # node N: start it and wait until it answers
  local n=$1 bin=${QDRANT_BIN:?QDRANT_BIN must name a Qdrant server binary}
  local d="$dir/node-$n"; mkdir -p "$d/storage" "$d/snapshots"
  local args=(--uri "http://127.0.0.1:$(port "$n" 2)")
  # The first start of a joining node names a peer; a restart finds its peers in its storage.
  if [ "$n" != 1 ] && [ ! -e "$d/joined" ]; then args+=(--bootstrap "http://127.0.0.1:$(port 1 2)"); fi
  (cd "$d" && exec env QDRANT__SERVICE__HOST=127.0.0.1 \
      QDRANT__SERVICE__HTTP_PORT="$(port "$n" 0)" QDRANT__SERVICE__GRPC_PORT="$(port "$n" 1)" \
      QDRANT__CLUSTER__ENABLED=true QDRANT__CLUSTER__P2P__PORT="$(port "$n" 2)" \
      QDRANT__TELEMETRY_DISABLED=true QDRANT__STORAGE__STORAGE_PATH="$d/storage" \
      QDRANT__STORAGE__SNAPSHOTS_PATH="$d/snapshots" \
      "$bin" "${args[@]}" >> "$d/log" 2>&1) &
  echo $! > "$d/pid"
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$(port "$n" 0)/readyz" >/dev/null; then touch "$d/joined"; return 0; fi
    alive "$n" || { echo "node $n exited; its log: $d/log" >&2; tail -5 "$d/log" >&2; return 1; }
    sleep 0.2
  done
  echo "node $n did not become ready in 60 s; its log: $d/log" >&2; return 1
}

peers() { # how many peers node 1 sees in the consensus
  curl -sf "http://127.0.0.1:$(port "${1:-1}" 0)/cluster" | python3 -c \
    'import json,sys; print(len(json.load(sys.stdin)["result"]["peers"]))' 2>/dev/null || echo 0
}

case $cmd in
  start)
    mkdir -p "$dir"; echo "${3:-16333}" > "$dir/base"
    for n in $(seq 1 $nodes); do launch "$n"; done
    for _ in $(seq 1 150); do [ "$(peers)" = $nodes ] && break; sleep 0.2; done
    [ "$(peers)" = $nodes ] || { echo "the cluster has $(peers) peers, not $nodes" >&2; exit 1; }
    echo "3 nodes up: $("$0" urls "$dir")" ;;
  urls)
    for n in $(seq 1 $nodes); do printf '%shttp://127.0.0.1:%s' "$([ "$n" = 1 ] || echo ,)" "$(port "$n" 1)"; done; echo ;;
  kill)
    n=${3:?node}; p=$(pid_of "$n"); [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
    while alive "$n"; do sleep 0.05; done ;;
  restart)
    n=${3:?node}; alive "$n" && { echo "node $n is running" >&2; exit 1; }; launch "$n" ;;
  stop)
    for n in $(seq 1 $nodes); do p=$(pid_of "$n"); [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    for n in $(seq 1 $nodes); do for _ in $(seq 1 100); do alive "$n" || break; sleep 0.1; done; alive "$n" && kill -9 "$(pid_of "$n")" || true; done ;;
  *) echo "unknown command $cmd: start|urls|kill|restart|stop" >&2; exit 2 ;;
esac
