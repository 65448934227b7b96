#!/usr/bin/env bash
# Reproduces BENCHMARKS.md "## Node (ferry bench)": the bare Akka HTTP baseline, one node, three nodes.
#
#   bench/node.sh              everything (about 15 minutes)
#   bench/node.sh baseline     only the bare Akka HTTP baseline
#   bench/node.sh one          only one node
#   bench/node.sh three        only three nodes
#   bench/node.sh drain        only filling one node with 1,000,000 messages and draining them
#   DRAIN_AFTER=90 bench/node.sh drain       the node idles 90 s between filling and draining (also in "one"): a backlog
#                                            gone cold, read from the disk where the VM pages out memory idle for 60 s
#   bench/node.sh replication  three nodes, one replica per queue: sync vs async replication (issue #5 figures)
#   SECONDS_PER_RUN=10 bench/node.sh one     shorter runs (default 20 s measured after 5 s warm-up)
#   PROFILE=1 bench/node.sh one              also record the node with JFR during the 64-in-flight single run
#   PORT_OFFSET=100 bench/node.sh one        every port below shifted by 100
#   REPLICATION_TOPICS=repl-sync REPLICATION_RUNS="single stream" NODE_JVM_OPTS=-D... bench/node.sh replication
#                                            (NODE_JVM_OPTS applies to one and drain too)
#                                            a subset of the replication runs, extra JVM options for the three nodes
#   TO_MASTERS=1 bench/node.sh replication   producers send each queue's messages to its master's node (--to-masters;
#                                            the stream run becomes 4 streams x 16, one per queue)
#   RUN_WARMUP=5 bench/node.sh replication   untimed seconds before each replication run (default 30): each send mode has
#                                            code paths of its own that C2 is still compiling 5 s into the run
#   REPLICATION_WARMUP_SECONDS=0 bench/node.sh replication   no untimed warm-up (default 60 s per topic, stream 64;
#                                            sync batch: 18.6k-44.8k with 20 s + 20 s; 32.1k-67.1k with 60 s + 30 s;
#                                            47.3k-56.3k with those and the heap touched at start, as start_node now does)
#   JAR=/tmp/old.jar bench/node.sh one      the node(s) from another build (the load tool stays target/ferry.jar): before/after pairs
#   PROFILE=1 bench/node.sh replication      also per-thread CPU and context switches of each node per run (thread-cpu-diff.py),
#                                            and with PROFILE=jfr a JFR recording of each node per run (jfr-top.py), under target/bench-node/
#
# Ports (plus PORT_OFFSET): HTTP 28080-28082 (nodes), 28090 (baseline); Akka 26550-26552. Data and results under target/bench-node/.
# Everything runs on this machine: the load tool shares the CPU with the node(s), as the targets assume.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}
secs=${SECONDS_PER_RUN:-20}
off=${PORT_OFFSET:-0}   # shifts every port, so two engineers can benchmark at once
h0=$((28080 + off)); h1=$((28081 + off)); h2=$((28082 + off))
out=$root/target/bench-node
mkdir -p "$out"
results=$out/results-$(date +%Y%m%d-%H%M%S).txt
pids=()

cleanup() {
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

log() { echo "$*" | tee -a "$results"; }

echo "building target/ferry.jar and target/benchmarks.jar ..." >&2
mvn -q -o -B -Pbench package -DskipTests >&2

client="java -Xmx512m -XX:+UseSerialGC -cp $root/target/ferry.jar dev.ferry.cli.FerryCommand"
jvm_opens="--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"

# bench LABEL ARGS...: one ferry bench run; its JSON summary goes to the results file.
bench() {
  local label=$1; shift
  local json c0 c1 n warm_s timed_from
  # The nodes' CPU (and the profile) are taken over the timed part only: the run's warm-up is waited out in the
  # background first (JIT work in the warm-up is not what a message costs once warm). Every run here that warms up
  # says so with --warmup; the others (consume, --messages) have none.
  warm_s=$(printf '%s\n' "$@" | grep -A1 -x -- '--warmup' | tail -1 || true)
  [[ "$warm_s" =~ ^[0-9]+$ ]] || warm_s=0
  rm -f "$out/ticks0"
  ( sleep "$warm_s"; node_cpu_ticks > "$out/ticks0"; profile_nodes start "$label" ) &
  timed_from=$!
  json=$($client bench "$@" --json 2>>"$out/bench-stderr.log" | tail -1) || true
  wait "$timed_from" || true
  c1=$(node_cpu_ticks)
  c0=$(cat "$out/ticks0" 2>/dev/null || true)
  n=$(echo "$json" | grep -o '"messages":[0-9]*' | cut -d: -f2)
  profile_nodes stop "$label" "${n:-0}"
  # The client JVM starts before its warm-up begins, so the window opens ~0.5 s early, at the warm-up's rate.
  local per=""
  [[ -n "$c0" && -n "$n" && "$n" -gt 0 ]] && per=$(( (c1 - c0) * (1000000 / $(getconf CLK_TCK)) / n ))
  log "$(printf '%-44s %s nodeCpuUsPerMsg=%s' "$label" "$json" "$per")"
}

# profile_nodes start|stop LABEL [MESSAGES]: with PROFILE set in the replication runs, each node's per-thread CPU and
# context switches over the timed run (and its JFR recording with PROFILE=jfr), appended to $out/profile.txt.
profile_nodes() {
  [[ -n "${PROFILE:-}" && -n "${profiling_nodes:-}" ]] || return 0
  local what=$1 label=$2 k=0 tag
  tag=$(echo "$label" | tr -c 'a-zA-Z0-9\n' '-' | tr -s '-')
  for p in "${pids[@]}"; do
    k=$((k + 1))
    if [[ $what == start ]]; then
      [[ $PROFILE == jfr ]] && jcmd "$p" JFR.start name=run settings=profile filename="$out/node$k-$tag.jfr" >/dev/null
      python3 bench/thread-cpu-snapshot.py "$p" "$out/node$k-t0.json"
    else
      python3 bench/thread-cpu-snapshot.py "$p" "$out/node$k-t1.json"
      [[ $PROFILE == jfr ]] && jcmd "$p" JFR.stop name=run >/dev/null
      { echo "== node$k: $label"; python3 bench/thread-cpu-diff.py "$out/node$k-t0.json" "$out/node$k-t1.json" "$3"; } >> "$out/profile.txt"
    fi
  done
}

node_cpu_ticks() {  # user + system clock ticks of the node JVMs this script started
  local t=0
  for p in "${pids[@]:-}"; do [[ -n "$p" && -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done
  echo $t
}

await_health() {  # PORT
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "node on $1 not healthy; see $out" >&2; return 1
}

start_node() {  # K NODES EXTRA_JVM_OPTS
  local k=$1 n=$2 extra=${3:-}
  local home=$out/node$k
  rm -rf "$home"; mkdir -p "$home"
  local seeds=""
  for i in $(seq 0 $((n - 1))); do seeds+="\"127.0.0.1:$((26550 + off + i))\","; done
  cat > "$home/node.conf" <<CONF
ferry {
  node { name = "node$k", attributes.zone = "zone-$k" }
  data-dir = "$home/data"
  http { host = "127.0.0.1", port = $((28079 + off + k)) }
  cluster { host = "127.0.0.1", port = $((26549 + off + k)), seed-nodes = [${seeds%,}] }
}
CONF
  java -Xms1g -Xmx1g -XX:+AlwaysPreTouch $extra $jvm_opens -jar "${JAR:-$root/target/ferry.jar}" start -c "$home/node.conf" > "$home/node.log" 2>&1 &
  pids+=($!)
}

stop_nodes() {
  cleanup
  pids=()
}

topic() {  # PORT NAME FLUSH REPLICAS REPLICATION
  curl -sf -X PUT "http://127.0.0.1:$1/topics/$2" -H 'Content-Type: application/json' \
    -d "{\"queues\": 4, \"flush\": \"$3\", \"replicas\": ${4:-0}, \"replication\": \"${5:-async}\"}" >/dev/null
}

await_in_sync() {  # PORT TOPIC: every copy of every queue placed and in sync
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$1/topics/$2" | grep -q '"inSync":false' || return 0
    sleep 0.5
  done
  echo "$2 not in sync; see $out" >&2; return 1
}

topic_layout() {  # PORT TOPIC: where each queue's copies run, and the queues' journal writes so far
  curl -sf "http://127.0.0.1:$1/topics/$2" | python3 -c '
import json, sys
t = json.load(sys.stdin)
qs = t["queueStates"]
print(" ".join("q%d:%s" % (q["queue"], "/".join(("M" if c["role"] == "master" else "r") + "@" + c["node"] for c in q["copies"])) for q in qs),
      "journalWrites=%d" % sum(max(q["journalWrites"], 0) for q in qs))' || echo "(layout of $2 unavailable)"
}

header() {
  log ""
  log "## $* — $(date -u +%FT%TZ), $(nproc) cores, load average:$(uptime | sed 's/.*load average://')"
}

produce_set() {  # URL TOPIC LABEL-PREFIX
  local url=$1 t=$2 p=$3
  local common=(--url "$url" --topic "$t" --size 1024 --duration "$secs" --warmup 5)
  bench "$p single, 1 in flight"            produce "${common[@]}" --mode single --producers 1
  bench "$p single, 64 in flight"           produce "${common[@]}" --mode single --producers 64
  bench "$p batch 16 x 4, 64 in flight"     produce "${common[@]}" --mode batch --producers 4 --batch 16
  bench "$p stream 1 x 64, 64 in flight"    produce "${common[@]}" --mode stream --producers 1 --window 64
  bench "$p batch 64 x 8, 512 in flight"    produce "${common[@]}" --mode batch --producers 8 --batch 64
  bench "$p stream 4 x 256, 1024 in flight" produce "${common[@]}" --mode stream --producers 4 --window 256
}

baseline() {
  header "bare Akka HTTP 10.2.10 baseline (dev.ferry.bench.BareHttpBaseline)"
  java -Xmx512m -cp "$root/target/benchmarks.jar" dev.ferry.bench.BareHttpBaseline $((28090 + off)) > "$out/baseline.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do grep -q listening "$out/baseline.log" && break; sleep 0.5; done
  produce_set http://127.0.0.1:$((28090 + off)) baseline "baseline"
  if command -v wrk >/dev/null; then
    head -c 1024 /dev/zero | tr '\0' 'a' > "$out/body1k"
    printf 'wrk.method = "POST"\nlocal f = io.open("%s", "rb"); wrk.body = f:read("*all"); f:close()\n' "$out/body1k" > "$out/post.lua"
    for c in 1 64; do
      log "$(printf '%-44s %s' "baseline wrk, $c connections" "$(wrk -t1 -c$c -d${secs}s -s "$out/post.lua" http://127.0.0.1:$((28090 + off))/topics/x/messages | grep Requests/sec)")"
    done
  fi
  stop_nodes
}

one_node() {
  header "one node${JAR:+ ($JAR)}"
  local profile=""
  [[ -n "${PROFILE:-}" ]] && profile="-XX:+FlightRecorder"
  start_node 1 1 "$profile ${NODE_JVM_OPTS:-}"
  await_health $h0
  topic $h0 bench-async async
  topic $h0 bench-sync sync
  local common=(--url http://127.0.0.1:$h0 --size 1024 --duration "$secs" --warmup 5)
  if [[ -n "${PROFILE:-}" ]]; then
    jcmd "${pids[-1]}" JFR.start name=bench settings=profile filename="$out/node-single64.jfr" >/dev/null
    bench "one node async: single, 64 in flight (JFR)" produce "${common[@]}" --topic bench-async --mode single --producers 64
    jcmd "${pids[-1]}" JFR.stop name=bench >/dev/null
    jcmd "${pids[-1]}" JFR.start name=bench2 settings=profile filename="$out/node-stream.jfr" >/dev/null
    bench "one node async: stream 4 x 256 (JFR)" produce "${common[@]}" --topic bench-async --mode stream --producers 4 --window 256
    jcmd "${pids[-1]}" JFR.stop name=bench2 >/dev/null
  fi
  produce_set http://127.0.0.1:$h0 bench-async "one node, flush async:"
  produce_set http://127.0.0.1:$h0 bench-sync "one node, flush sync: "
  fill_and_drain
  stop_nodes
}

fill_and_drain() {  # on the node at $h0: a backlog of 1,000,000, then drained raw and by a group
  topic $h0 bench-drain async
  bench "one node: fill 1,000,000 (batch 64 x 8)" produce --url http://127.0.0.1:$h0 --topic bench-drain --size 1024 \
    --mode batch --producers 8 --batch 64 --messages 1000000
  if [[ -n "${DRAIN_AFTER:-}" ]]; then log "(idle ${DRAIN_AFTER} s before draining)"; sleep "$DRAIN_AFTER"; fi
  bench "one node: drain 1,000,000 raw, 4 readers" consume --url http://127.0.0.1:$h0 --topic bench-drain --max 1000
  bench "one node: drain 1,000,000 by group, 4 pullers" consume --url http://127.0.0.1:$h0 --topic bench-drain --mode group \
    --group drain --max 1000 --consumers 4
}

three_nodes() {
  header "three nodes (one machine, zones 1-3)"
  for k in 1 2 3; do start_node $k 3; done
  for port in $h0 $h1 $h2; do await_health $port; done
  sleep 5
  topic $h0 bench-async async
  topic $h0 bench-sync sync
  topic $h0 bench-async-r1 async 1
  produce_set http://127.0.0.1:$h0 bench-async "three nodes, flush async:"
  produce_set http://127.0.0.1:$h0 bench-sync "three nodes, flush sync: "
  bench "three nodes, 1 replica: stream 4 x 256" produce --url http://127.0.0.1:$h0 --topic bench-async-r1 --size 1024 \
    --duration "$secs" --warmup 5 --mode stream --producers 4 --window 256
  stop_nodes
}

replication() {
  header "three nodes, 1 replica per queue, flush async: sync vs async replication"
  for k in 1 2 3; do start_node $k 3 "${NODE_JVM_OPTS:-}"; done
  for port in $h0 $h1 $h2; do await_health $port; done
  topic $h0 repl-sync async 1 sync
  topic $h0 repl-async async 1 async
  await_in_sync $h0 repl-sync
  await_in_sync $h0 repl-async
  # Fresh JVMs spend their first ~30 s compiling (C2 took ~40% of a core per node during the first run): unwarmed,
  # the first measured run (one in flight) paid for JIT compilation on the shared cores. Warm every topic first.
  local warm=${REPLICATION_WARMUP_SECONDS:-60}
  if (( warm > 0 )); then
    for t in ${REPLICATION_TOPICS:-repl-sync repl-async}; do
      $client bench produce --url http://127.0.0.1:$h0 --topic $t --size 1024 --duration "$warm" --warmup 0 \
        --mode stream --producers 4 --window 16 ${TO_MASTERS:+--to-masters} --json >/dev/null 2>>"$out/bench-stderr.log" || true
    done
  fi
  profiling_nodes=1
  for t in ${REPLICATION_TOPICS:-repl-sync repl-async}; do
    local common=(--url http://127.0.0.1:$h0 --topic $t --size 1024 --duration "$secs" --warmup "${RUN_WARMUP:-30}")
    local routed=""
    if [[ -n "${TO_MASTERS:-}" ]]; then common+=(--to-masters); routed=" (to masters)"; fi
    log "$t layout: $(topic_layout $h0 $t)"
    for m in ${REPLICATION_RUNS:-single stream batch}; do
      case $m in
        single) bench "$t: single, 1 in flight$routed"           produce "${common[@]}" --mode single --producers 1 ;;
        stream) if [[ -n "$routed" ]]; then  # one stream per queue, each to its master's node
                  bench "$t: stream 4 x 16, 64 in flight$routed" produce "${common[@]}" --mode stream --producers 4 --window 16
                else
                  bench "$t: stream 1 x 64, 64 in flight"        produce "${common[@]}" --mode stream --producers 1 --window 64
                fi ;;
        batch)  bench "$t: batch 16 x 4, 64 in flight$routed"    produce "${common[@]}" --mode batch --producers 4 --batch 16 ;;
      esac
      log "$t after $m: $(topic_layout $h0 $t)"
    done
  done
  profiling_nodes=
  stop_nodes
}

case $what in
  baseline) baseline ;;
  one) one_node ;;
  three) three_nodes ;;
  drain) header "one node: drain only"; start_node 1 1 "${NODE_JVM_OPTS:-}"; await_health $h0; fill_and_drain; stop_nodes ;;
  replication) replication ;;
  all) baseline; one_node; three_nodes; replication ;;
  *) echo "usage: bench/node.sh [all|baseline|one|three]" >&2; exit 2 ;;
esac
echo "results: $results" >&2
