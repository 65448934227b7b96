#!/usr/bin/env bash
# A/B of the NDJSON send stream's framing: one node, 1 KiB, async flush, stream mode; per jar: msgs/s from
# `ferry bench produce` and the node's CPU per message (utime+stime from /proc, so a busy shared machine moves
# throughput more than this figure).
#
#   bench/ndjson-framing.sh BEFORE.jar AFTER.jar [ROUNDS] [SECONDS]
#   MODES="4 256" WARM=20 JFR=1 bench/ndjson-framing.sh ...   only 4 producers x 256 in flight, 20 s warm-up, JFR of the node
#
# Ports: HTTP 26290, Akka 26240 (the node engineer's range). Data under target/bench-ndjson/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
before=$1 after=$2 rounds=${3:-2} secs=${4:-15} warm=${WARM:-5}
modes=${MODES:-"1 64,4 256"}
out=$root/target/bench-ndjson
mkdir -p "$out"
opens="--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
tick=$(getconf CLK_TCK)
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() {  # LABEL JAR
  local label=$1 jar=$2 home=$out/node
  rm -rf "$home"; mkdir -p "$home"
  cat > "$home/node.conf" <<CONF
ferry {
  node { name = "bench-ndjson" }
  data-dir = "$home/data"
  http { host = "127.0.0.1", port = 26290 }
  cluster { host = "127.0.0.1", port = 26240 }
  topic { flush = async }
}
CONF
  java -Xmx1g $opens -jar "$jar" start -c "$home/node.conf" > "$home/node.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do curl -sf http://127.0.0.1:26290/health >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf -X PUT http://127.0.0.1:26290/topics/bench -H 'Content-Type: application/json' -d '{"queues": 4}' >/dev/null
  local n=0
  IFS=, read -ra mode_list <<< "$modes"
  for mode in "${mode_list[@]}"; do
    set -- $mode
    local c0 c1 json sent
    # warm-up run (JIT), then the measured one with the node's CPU around it
    java -Xmx512m -XX:+UseSerialGC -cp "$jar" dev.ferry.cli.FerryCommand bench produce --url http://127.0.0.1:26290 --topic bench \
      --size 1024 --mode stream --producers "$1" --window "$2" --duration "$warm" --warmup 0 --json >/dev/null 2>&1 || true
    n=$((n + 1))
    [[ -n "${JFR:-}" ]] && jcmd "$pid" JFR.start name=ab filename="$out/$label-$n.jfr" settings=profile >/dev/null
    c0=$(cpu "$pid")
    json=$(java -Xmx512m -XX:+UseSerialGC -cp "$jar" dev.ferry.cli.FerryCommand bench produce --url http://127.0.0.1:26290 --topic bench \
      --size 1024 --mode stream --producers "$1" --window "$2" --duration "$secs" --warmup 0 --json 2>/dev/null | tail -1)
    c1=$(cpu "$pid")
    [[ -n "${JFR:-}" ]] && jcmd "$pid" JFR.stop name=ab >/dev/null
    sent=$(echo "$json" | sed -n 's/.*"messages":\([0-9]*\).*/\1/p')
    echo "$label stream $1 x $2: $json node_cpu_s=$(( (c1 - c0) / tick )) cpu_us_per_msg=$(awk -v c=$((c1 - c0)) -v t=$tick -v n="${sent:-0}" 'BEGIN{ if (n > 0) printf "%.1f", c / t * 1e6 / n; else print "?" }') load:$(uptime | sed 's/.*load average://')"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

for r in $(seq 1 "$rounds"); do
  run before "$before"
  run after "$after"
done
