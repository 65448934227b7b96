#!/usr/bin/env bash
# The reference systems of issues #4 and #5, measured on this machine in the same session as Ferry: Apache Kafka 3.9
# (one broker, KRaft) and Apache RocketMQ 5.3 (name server + one broker; for #5 a SYNC_MASTER with one SLAVE), with the
# workloads of issue #4: 1 KiB payloads, a topic with 4 partitions/queues, the load tool on the same machine.
#
#   bench/baselines.sh              everything (about 25 minutes with the defaults)
#   bench/baselines.sh kafka        only Kafka, flush async then flush sync
#   bench/baselines.sh rocketmq     only RocketMQ with one broker, ASYNC_FLUSH then SYNC_FLUSH
#   bench/baselines.sh rocketmq-ha  only RocketMQ SYNC_MASTER + SLAVE on this machine, ASYNC_FLUSH (issue #5)
#   bench/baselines.sh fetch        only fetch the servers and build the load tool (Maven Central, with Maven)
#   SECONDS_PER_RUN=30 WARMUP=20 bench/baselines.sh   seconds measured per run (default 20) after untimed warm-up (default 20)
#   DRAIN_MESSAGES=100000 bench/baselines.sh          the backlog filled then drained (default 1,000,000)
#   PERF_RECORDS=500000 bench/baselines.sh kafka      records of kafka-producer-perf-test's measured run, flush async (default
#                                                     3,000,000; PERF_RECORDS_SYNC for flush sync, default 1,000,000; its
#                                                     untimed warm-up run sends a third of that)
#   FLUSHES=async bench/baselines.sh kafka            only one flush mode (default "async sync")
#   KAFKA_VERSIONS="3.9.0" ROCKETMQ_VERSIONS="5.3.3"  the releases to try, in order (defaults: 3.9.1 3.9.0; 5.3.1 5.3.0
#                                                     5.3.2 5.3.3 — the first whose server artifacts Central has wins;
#                                                     rocketmq-namesrv was not published for 5.3.0-5.3.2, so today 5.3.3)
#   REFETCH=1 bench/baselines.sh                      fetch again even if target/baselines/versions exists
#   SMOKE: SECONDS_PER_RUN=5 WARMUP=3 DRAIN_MESSAGES=100000 PERF_RECORDS=200000 PERF_RECORDS_SYNC=100000 bench/baselines.sh
#                                                     (about 5 minutes; checks that everything starts, runs and stops)
#   Side by side with Ferry, at the same quiet moment: bench/node.sh baseline && bench/node.sh one && bench/node.sh drain \
#     && bench/node.sh replication && bench/baselines.sh   (each writes its own results file; compare within the session)
#
# What runs (each produce run: WARMUP s untimed, then SECONDS_PER_RUN s measured; msgs/s over the measured part,
# latency from the send call to its acknowledgement, as `ferry bench produce` measures Ferry):
#   64 in flight, "sync send x 64": 64 threads, each sends one message and waits for its ack before the next (Ferry:
#                  `ferry bench produce -m single -p 64`). Kafka twice: the 64 threads share one KafkaProducer (the client
#                  is thread-safe and that is how applications use it; its accumulator batches the threads' messages
#                  into one request per partition) and one KafkaProducer each (64 connections, one message per request,
#                  as Ferry's 64 POSTs). RocketMQ shares one DefaultMQProducer: its client sends every message as its
#                  own request over the one connection (no batching), so sharing is already one message per request.
#   64 in flight, "async 1 x 64": one producer keeping 64 messages in flight with async sends and callbacks (Ferry: -m stream
#                  -p 1 -w 64).
#   Kafka's own kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance, --throughput -1): one producer, as
#                  many in flight as its 32 MiB buffer holds; its own summary line (count-based, not timed by us).
#   1 in flight:  one thread, sync sends; msgs/s and p50/p99/p999.
#   drain:        fill DRAIN_MESSAGES (async sends, 1 producer x window 512; Ferry fills with batch 64 x 8), then read
#                  them all with 4 consumers, one partition/queue each, from the first offset (msgs/s from the start of
#                  the drain to the last message; Ferry: `ferry bench consume`).
# Flush modes ("sync flush" = the ack waits for the data to be on disk):
#   Kafka:    async = the default (no fsync on the write path; the OS writes back); sync = log.flush.interval.messages=1
#             (the broker fsyncs the partition after every append, in the request path, before it answers).
#             Producers use acks=1 (one broker, replication factor 1: acks=all would wait for the same single write).
#   RocketMQ: flushDiskType ASYNC_FLUSH (the ack does not wait; the commit log is flushed every 500 ms) or SYNC_FLUSH (the
#             ack waits for the group-commit service to force the commit log past the message). A send counts only
#             with SEND_OK.
#   RocketMQ HA (#5): brokerRole SYNC_MASTER (the ack waits until the slave has the message) + one SLAVE, both ASYNC_FLUSH.
#
# Every server JVM: -Xms1g -Xmx1g -XX:+AlwaysPreTouch, as bench/node.sh starts Ferry's nodes (RocketMQ's scripts ask
# for 8 GiB heaps and 15 GiB direct memory; here 1 GiB direct memory; the name server 512 MiB), each system's own GC
# settings (Kafka's kafka-run-class.sh, RocketMQ's runbroker.sh). The load tool: java -Xmx512m -XX:+UseSerialGC like the
# `ferry` client in bench/node.sh. nodeCpuUsPerMsg = CPU of the server JVMs (all of them for HA) over the measured part
# per message, as bench/node.sh reports for Ferry's nodes.
#
# Ports: Kafka 39092 (broker), 39093 (controller); RocketMQ name server 39876, broker 30911 (+30909 its fast port,
# 30912 HA), slave 31911 (+31909, 31912). Nothing of Ferry's (8080-8082, 25520-25560, 26550-26560, 28080-28095).
# Servers' jars (Maven, bench/baselines/pom.xml), data, logs and results under target/baselines/
# (results-*.txt: one line per run, label then a JSON summary with the keys of `ferry bench produce --json`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}
secs=${SECONDS_PER_RUN:-20}
warm=${WARMUP:-20}
drain_n=${DRAIN_MESSAGES:-1000000}
perf_n=${PERF_RECORDS:-3000000}
perf_n_sync=${PERF_RECORDS_SYNC:-1000000}
flushes=${FLUSHES:-async sync}
out=$root/target/baselines
pom=$root/bench/baselines/pom.xml
kafka_port=39092; kafka_ctl=39093
namesrv_port=39876; master_port=30911; slave_port=31911
mkdir -p "$out"
stamp=$(date +%Y%m%d-%H%M%S)
results=$out/results-$stamp.txt
load_log=$out/load-$stamp.log   # the load tools' progress lines and messages
pids=()

cleanup() {
  [[ -n "${fg_pid:-}" ]] && kill "$fg_pid" 2>/dev/null || true
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 120); do  # a broker's shutdown hook takes 10-20 s; after 60 s it is killed
    local alive=""
    for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null && alive=1; done
    [[ -z $alive ]] && break
    sleep 0.5
  done
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # Ctrl-C or kill: the EXIT trap still stops the servers

log() { echo "$*" | tee -a "$results"; }

# run_fg CMD...: runs a load tool, waiting for it in a way a signal interrupts (bash runs a trap only after a foreground
# command ends), so `kill` of this script stops the tool and the servers at once.
run_fg() { "$@" & fg_pid=$!; wait "$fg_pid"; local rc=$?; fg_pid=""; return $rc; }

header() {
  log ""
  log "## $* — $(date -u +%FT%TZ), $(nproc) cores, load average:$(uptime | sed 's/.*load average://')"
}

# fetch: the servers and the clients from Maven Central with Maven, the first version of each list that resolves.
fetch() {
  if [[ -z "${REFETCH:-}" && -f $out/versions && -d $out/kafka/lib && -d $out/rocketmq/lib && -d $out/load/lib ]]; then
    source "$out/versions"
  else
    kafka_version=""; rocketmq_version=""
    for v in ${KAFKA_VERSIONS:-3.9.1 3.9.0}; do
      rm -rf "$out/kafka/lib"
      if mvn -B -q -f "$pom" -P kafka-server -Dkafka.version="$v" dependency:copy-dependencies >"$out/fetch-kafka-$v.log" 2>&1; then
        kafka_version=$v; break
      fi
      echo "kafka $v: not resolvable from Maven Central (see $out/fetch-kafka-$v.log)" >&2
    done
    for v in ${ROCKETMQ_VERSIONS:-5.3.1 5.3.0 5.3.2 5.3.3}; do
      rm -rf "$out/rocketmq/lib"
      if mvn -B -q -f "$pom" -P rocketmq-server -Drocketmq.version="$v" dependency:copy-dependencies >"$out/fetch-rocketmq-$v.log" 2>&1; then
        rocketmq_version=$v; break
      fi
      echo "rocketmq $v: not resolvable from Maven Central (see $out/fetch-rocketmq-$v.log)" >&2
    done
    [[ -n $kafka_version && -n $rocketmq_version ]] || { echo "could not fetch Kafka and RocketMQ" >&2; exit 1; }
    rm -rf "$out/load/lib"
    printf 'kafka_version=%s\nrocketmq_version=%s\n' "$kafka_version" "$rocketmq_version" > "$out/versions"
  fi
  echo "building the load tool (bench/baselines/pom.xml, kafka-clients $kafka_version, rocketmq-client $rocketmq_version) ..." >&2
  local offline=""
  [[ -d $out/load/lib ]] && offline=-o
  mvn -B -q $offline -f "$pom" -P load -Dkafka.version="$kafka_version" -Drocketmq.version="$rocketmq_version" \
    package dependency:copy-dependencies >"$out/build-load.log" 2>&1 || { cat "$out/build-load.log" >&2; exit 1; }
  load="java -Xmx512m -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Drocketmq.log.root=$out/logs \
    -Drocketmq.log.level=warn -cp $out/build/baselines-load.jar:$(jars "$out/load/lib") dev.ferry.baselines.Load"
}

jars() { ls "$1"/*.jar | tr '\n' ':'; }  # a class path of every jar in DIR (no wildcard: the commands are word-split)

server_cpu_ticks() {  # user + system clock ticks of the server JVMs this script started
  local t=0
  for p in "${pids[@]:-}"; do [[ -n "$p" && -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done
  echo $t
}

# bench LABEL WARMUP_SECONDS LOAD-ARGS...: one run of the load tool; its JSON summary goes to the results file with the
# servers' CPU per message over the measured part (the warm-up is waited out in the background first).
bench() {
  local label=$1 warm_s=$2; shift 2
  local json c0 c1 n timed_from per=""
  rm -f "$out/ticks0"
  ( sleep "$warm_s"; server_cpu_ticks > "$out/ticks0" ) &
  timed_from=$!
  echo "--- $label" >> "$load_log"
  run_fg $load "$@" > "$out/summary" 2>>"$load_log" || true
  json=$(tail -1 "$out/summary")
  wait "$timed_from" || true
  c1=$(server_cpu_ticks)
  c0=$(cat "$out/ticks0" 2>/dev/null || true)
  n=$(echo "$json" | grep -o '"messages":[0-9]*' | cut -d: -f2 || true)
  [[ -n "$c0" && -n "$n" && "$n" -gt 0 ]] && per=$(( (c1 - c0) * (1000000 / $(getconf CLK_TCK)) / n ))
  [[ -n "$json" ]] || json="(no summary; see $load_log)"
  log "$(printf '%-64s %s nodeCpuUsPerMsg=%s' "$label" "$json" "$per")"
}

await_port() {  # PORT WHAT LOG
  for _ in $(seq 1 240); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "$2 not listening on $1; see $3" >&2; return 1
}

# ---------------------------------------------------------------- Kafka
kafka_cp() { jars "$out/kafka/lib"; }

start_kafka() {  # FLUSH (async|sync)
  local home=$out/kafka-run
  rm -rf "$home"; mkdir -p "$home"
  cat > "$home/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$kafka_ctl
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$kafka_ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$home/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
CONF
  [[ $1 == sync ]] && echo "log.flush.interval.messages=1" >> "$home/server.properties"
  cat > "$home/log4j.properties" <<CONF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$home/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
CONF
  cat > "$home/tools-log4j.properties" <<CONF
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
CONF
  local tools="java -Xmx512m -Dlog4j.configuration=file:$home/tools-log4j.properties -cp $(kafka_cp)"
  local id
  id=$($tools kafka.tools.StorageTool random-uuid)
  $tools kafka.tools.StorageTool format -t "$id" -c "$home/server.properties" > "$home/format.log" 2>&1
  # kafka-server-start.sh's heap (1 GiB) and kafka-run-class.sh's GC settings, plus the pre-touched heap Ferry's nodes get.
  java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$home/log4j.properties" -Dkafka.logs.dir="$home" \
    -cp "$(kafka_cp)" kafka.Kafka "$home/server.properties" > "$home/stdout.log" 2>&1 &
  pids+=($!)
  await_port $kafka_port "kafka" "$home/server.log"
  perf_tool="java -Xmx512m -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Dlog4j.configuration=file:$home/tools-log4j.properties -cp $(kafka_cp)"
}

# perf_test LABEL TOPIC RECORDS: kafka-producer-perf-test (ProducerPerformance) as shipped: an untimed run of a third of
# RECORDS, then RECORDS measured; its summary line turned into the results file's JSON.
perf_test() {  # LABEL TOPIC RECORDS
  local label=$1 topic=$2 perf_n=$3 line json c0 c1 per=""
  local args=(--topic "$topic" --record-size 1024 --throughput -1 --producer-props bootstrap.servers=127.0.0.1:$kafka_port acks=1)
  echo "--- $label" >> "$load_log"
  run_fg $perf_tool org.apache.kafka.tools.ProducerPerformance --num-records $((perf_n / 3)) "${args[@]}" >> "$load_log" 2>&1 || true
  c0=$(server_cpu_ticks)
  run_fg $perf_tool org.apache.kafka.tools.ProducerPerformance --num-records "$perf_n" "${args[@]}" > "$out/summary" 2>>"$load_log" || true
  cat "$out/summary" >> "$load_log"
  line=$(tail -1 "$out/summary")
  c1=$(server_cpu_ticks)
  # "3000000 records sent, 231000.1 records/sec (225.59 MB/sec), 90.1 ms avg latency, 500.0 ms max latency, 80 ms 50th, 200 ms 95th, 300 ms 99th, 400 ms 99.9th."
  json=$(echo "$line" | python3 -c '
import re, sys
l = sys.stdin.read()
m = re.search(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th", l)
if not m: print("(no summary: %s)" % l.strip()); sys.exit()
n, rate, mb, avg, mx, p50, p95, p99, p999 = m.groups()
print("{\"system\":\"kafka\",\"mode\":\"producer-perf-test\",\"producers\":1,\"size\":1024,\"inFlight\":\"buffer.memory (32 MiB)\",\"messages\":%s,\"seconds\":%.3f,\"msgsPerSec\":%d,\"mbPerSec\":%s,\"p50ms\":%s,\"p99ms\":%s,\"p999ms\":%s,\"maxMs\":%s,\"avgMs\":%s}"
      % (n, int(n) / float(rate), round(float(rate)), mb, p50, p99, p999, mx, avg))')
  [[ "$json" == \{* ]] && per=$(( (c1 - c0) * (1000000 / $(getconf CLK_TCK)) / perf_n ))
  log "$(printf '%-64s %s nodeCpuUsPerMsg=%s' "$label" "$json" "$per")"
}

kafka_set() {  # FLUSH
  local f=$1 p
  local meaning="default: no fsync on the write path"
  [[ $f == sync ]] && meaning="log.flush.interval.messages=1: fsync after every append, before the ack"
  header "Kafka $kafka_version, one broker (KRaft), flush $f ($meaning); acks=1, 1 KiB, 4 partitions; warm-up ${warm} s, ${secs} s measured"
  start_kafka "$f"
  local k=(--servers 127.0.0.1:$kafka_port)
  $load kafka create-topic "${k[@]}" --topic bench --queues 4 2>>"$load_log"
  local run=(produce "${k[@]}" --topic bench --size 1024 --warmup "$warm" --duration "$secs")
  p="kafka $kafka_version, flush $f:"
  bench "$p sync send, 1 thread, 1 in flight"                   "$warm" kafka "${run[@]}" --mode sync --producers 1
  bench "$p sync send x 64 threads, 1 shared producer"          "$warm" kafka "${run[@]}" --mode sync --producers 64 --clients shared
  bench "$p sync send x 64 threads, 64 producers"               "$warm" kafka "${run[@]}" --mode sync --producers 64 --clients own
  bench "$p async, 1 producer x 64 in flight"                   "$warm" kafka "${run[@]}" --mode async --producers 1 --window 64
  local n=$perf_n
  [[ $f == sync ]] && n=$perf_n_sync
  perf_test "$p kafka-producer-perf-test, $n records" bench "$n"
  fill_and_drain kafka "$p" "${k[@]}"
  stop_servers
}

# fill_and_drain SYSTEM LABEL-PREFIX SERVER-ARGS...: a backlog of DRAIN_MESSAGES in a fresh topic, then drained.
fill_and_drain() {
  local sys=$1 p=$2; shift 2
  $load "$sys" create-topic "$@" --topic drain --queues 4 --probe false 2>>"$load_log"
  bench "$p fill $drain_n (async, 1 producer x 512)" 0 "$sys" produce "$@" --topic drain --size 1024 --mode async \
    --producers 1 --window 512 --messages "$drain_n"
  bench "$p drain $drain_n, 4 consumers" 0 "$sys" consume "$@" --topic drain --consumers 4
}

stop_servers() {
  cleanup
  pids=()
}

# ---------------------------------------------------------------- RocketMQ
rmq_cp() { jars "$out/rocketmq/lib"; }
rmq_home=$out/rocketmq-run
# runbroker.sh's G1 settings and module opens for Java 9+, with a 1 GiB heap and 1 GiB of direct memory.
rmq_jvm="-XX:+UseG1GC -XX:G1HeapRegionSize=16m -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30 \
  -XX:SoftRefLRUPolicyMSPerMB=0 -XX:-OmitStackTraceInFastThrow -XX:+AlwaysPreTouch -XX:-UseLargePages \
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"

start_namesrv() {
  rm -rf "$rmq_home"; mkdir -p "$rmq_home/namesrv"
  echo "listenPort=$namesrv_port" > "$rmq_home/namesrv/namesrv.conf"
  # user.home: RocketMQ logs to ~/logs/rocketmqlogs; ROCKETMQ_HOME / rocketmq.home.dir: the "installation" it insists on.
  ROCKETMQ_HOME=$rmq_home java -Xms512m -Xmx512m $rmq_jvm -Duser.home="$rmq_home/namesrv" -Drocketmq.home.dir="$rmq_home" \
    -cp "$(rmq_cp)" org.apache.rocketmq.namesrv.NamesrvStartup -c "$rmq_home/namesrv/namesrv.conf" > "$rmq_home/namesrv/stdout.log" 2>&1 &
  pids+=($!)
  await_port $namesrv_port "rocketmq name server" "$rmq_home/namesrv/stdout.log"
}

start_broker() {  # NAME ID ROLE FLUSH PORT
  local name=$1 id=$2 role=$3 flush=$4 port=$5
  local home=$rmq_home/$name
  mkdir -p "$home"
  cat > "$home/broker.conf" <<CONF
brokerClusterName=FerryBaseline
brokerName=broker-a
brokerId=$id
brokerRole=$role
flushDiskType=$flush
namesrvAddr=127.0.0.1:$namesrv_port
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
listenPort=$port
haListenPort=$((port + 1))
storePathRootDir=$home/store
storePathCommitLog=$home/store/commitlog
CONF
  ROCKETMQ_HOME=$rmq_home java -Xms1g -Xmx1g -XX:MaxDirectMemorySize=1g $rmq_jvm -Duser.home="$home" -Drocketmq.home.dir="$rmq_home" \
    -cp "$(rmq_cp)" org.apache.rocketmq.broker.BrokerStartup -c "$home/broker.conf" > "$home/stdout.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do
    grep -q "boot success" "$home/stdout.log" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.5
  done
  echo "rocketmq broker $name did not boot; see $home/stdout.log and $home/logs/rocketmqlogs/" >&2; return 1
}

rocketmq_set() {  # FLUSH (async|sync)
  local f=$1 p flush=ASYNC_FLUSH meaning="the ack does not wait for the disk; commit log flushed every 500 ms"
  [[ $f == sync ]] && flush=SYNC_FLUSH meaning="the ack waits for the group commit to force the commit log"
  header "RocketMQ $rocketmq_version, name server + one broker (ASYNC_MASTER), $flush ($meaning); 1 KiB, 4 queues; warm-up ${warm} s, ${secs} s measured"
  start_namesrv
  start_broker master 0 ASYNC_MASTER "$flush" $master_port
  local r=(--servers 127.0.0.1:$namesrv_port --broker 127.0.0.1:$master_port)
  $load rocketmq create-topic "${r[@]}" --topic bench --queues 4 2>>"$load_log"
  local run=(produce "${r[@]}" --topic bench --size 1024 --warmup "$warm" --duration "$secs")
  p="rocketmq $rocketmq_version, $flush:"
  bench "$p sync send, 1 thread, 1 in flight"                  "$warm" rocketmq "${run[@]}" --mode sync --producers 1
  bench "$p sync send x 64 threads, 1 shared producer"         "$warm" rocketmq "${run[@]}" --mode sync --producers 64
  bench "$p async, 1 producer x 64 in flight"                  "$warm" rocketmq "${run[@]}" --mode async --producers 1 --window 64
  fill_and_drain rocketmq "$p" "${r[@]}"
  stop_servers
}

rocketmq_ha() {
  header "RocketMQ $rocketmq_version, SYNC_MASTER + SLAVE on this machine (the ack waits for the slave), ASYNC_FLUSH; 1 KiB, 4 queues; warm-up ${warm} s, ${secs} s measured"
  start_namesrv
  start_broker master 0 SYNC_MASTER ASYNC_FLUSH $master_port
  start_broker slave 1 SLAVE ASYNC_FLUSH $slave_port
  local r=(--servers 127.0.0.1:$namesrv_port --broker 127.0.0.1:$master_port)
  $load rocketmq create-topic "${r[@]}" --topic bench --queues 4 2>>"$load_log"   # waits for SEND_OK: the slave is in
  local run=(produce "${r[@]}" --topic bench --size 1024 --warmup "$warm" --duration "$secs")
  local p="rocketmq $rocketmq_version, SYNC_MASTER + SLAVE, ASYNC_FLUSH:"
  bench "$p sync send, 1 thread, 1 in flight"                  "$warm" rocketmq "${run[@]}" --mode sync --producers 1
  bench "$p sync send x 64 threads, 1 shared producer"         "$warm" rocketmq "${run[@]}" --mode sync --producers 64
  bench "$p async, 1 producer x 64 in flight"                  "$warm" rocketmq "${run[@]}" --mode async --producers 1 --window 64
  stop_servers
}

fetch
case $what in
  fetch) echo "kafka $kafka_version, rocketmq $rocketmq_version under $out" >&2; exit 0 ;;
  kafka) for f in $flushes; do kafka_set "$f"; done ;;
  rocketmq) for f in $flushes; do rocketmq_set "$f"; done ;;
  rocketmq-ha) rocketmq_ha ;;
  all) for f in $flushes; do kafka_set "$f"; done; for f in $flushes; do rocketmq_set "$f"; done; rocketmq_ha ;;
  *) echo "usage: bench/baselines.sh [all|kafka|rocketmq|rocketmq-ha|fetch]" >&2; exit 2 ;;
esac
echo "results: $results" >&2
