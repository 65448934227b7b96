#!/usr/bin/env bash
# Send-path profile (BENCHMARKS.md "## Send path profile"): one node, one ferry bench produce run, and the node's
# CPU time per acknowledged message (utime+stime from /proc/<pid>/stat over the measured run, divided by the
# messages the bench acknowledged) — a figure a busy shared machine disturbs far less than msgs/s.
#
#   bench/send-profile.sh MODE PRODUCERS [BATCH|WINDOW] [FLUSH] [JFR=file.jfr]
#   e.g. bench/send-profile.sh single 64;  bench/send-profile.sh batch 4 16;  bench/send-profile.sh single 1 "" async /tmp/x.jfr
# Ports: HTTP 18120, Akka 25580 (plus PORT_OFFSET, or HTTP_PORT / AKKA_PORT). Data under target/send-profile/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-single}; producers=${2:-64}; n=${3:-16}; flush=${4:-async}; jfr=${5:-}
secs=${SECONDS_PER_RUN:-15}
off=${PORT_OFFSET:-0}; hp=${HTTP_PORT:-$((18120 + off))}; ap=${AKKA_PORT:-$((25580 + off))}
home=$root/target/send-profile
rm -rf "$home"; mkdir -p "$home"
cat > "$home/node.conf" <<CONF
ferry {
  node { name = "perf1" }
  data-dir = "$home/data"
  http { host = "127.0.0.1", port = $hp }
  cluster { host = "127.0.0.1", port = $ap, seed-nodes = [] }
}
CONF
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  ${NODE_OPTS:-} -jar "${JAR:-$root/target/ferry.jar}" start -c "$home/node.conf" > "$home/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf http://127.0.0.1:$hp/health >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf -X PUT http://127.0.0.1:$hp/topics/p -H 'Content-Type: application/json' -d "{\"queues\": 4, \"flush\": \"$flush\"}" >/dev/null
client="java -Xmx512m -XX:+UseSerialGC -cp $root/target/ferry.jar dev.ferry.cli.FerryCommand"
extra=(); [[ $mode == batch ]] && extra=(--batch "$n"); [[ $mode == stream ]] && extra=(--window "$n")
# warm-up run (JIT), not measured
$client bench produce --url http://127.0.0.1:$hp -t p -s 1024 -m "$mode" -p "$producers" "${extra[@]}" -d ${WARM:-8} --warmup 2 --json >/dev/null 2>&1 || true
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$node/stat; }
[[ -n "$jfr" ]] && jcmd $node JFR.start name=p settings=profile filename="$jfr" >/dev/null
python3 bench/thread-cpu-snapshot.py $node "$home/t0.json" 2>/dev/null || true
c0=$(cpu); l0=$(cut -d' ' -f1-3 /proc/loadavg)
out=$($client bench produce --url http://127.0.0.1:$hp -t p -s 1024 -m "$mode" -p "$producers" "${extra[@]}" -d "$secs" --warmup 0 --json 2>/dev/null | tail -1)
c1=$(cpu); l1=$(cut -d' ' -f1-3 /proc/loadavg)
python3 bench/thread-cpu-snapshot.py $node "$home/t1.json" 2>/dev/null || true
[[ -n "$jfr" ]] && jcmd $node JFR.stop name=p >/dev/null
msgs=$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("messages", d.get("acked", 0)))' 2>/dev/null || echo 0)
echo "mode=$mode producers=$producers n=$n flush=$flush secs=$secs load=[$l0]->[$l1]"
echo "bench: $out"
python3 - "$c0" "$c1" "$tick" "$msgs" <<'PY'
import sys
c0,c1,t,m=map(float,sys.argv[1:])
cpu=(c1-c0)/t
print(f"node cpu {cpu:.2f} s for {int(m)} msgs = {cpu*1e6/max(m,1):.1f} us/msg")
PY
[[ -f bench/thread-cpu-diff.py && -f "$home/t1.json" ]] && python3 bench/thread-cpu-diff.py "$home/t0.json" "$home/t1.json" "$msgs" || true
