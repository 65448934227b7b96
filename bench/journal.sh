#!/usr/bin/env bash
# The journal plugin through Akka, side by side with Akka's LevelDB journal and akka-persistence-jdbc on PostgreSQL:
# events/s persisted by 1, 100 and 1,000 EventSourcedBehaviors, 1 KiB events, sync and async durability, and Akka's
# in-memory journal (inmem: no storage, the ceiling of Akka itself on this machine).
# Each configuration runs in its own JVM (dev.ferry.journal.bench.JournalThroughput): it waits until every entity has
# recovered, warms up WARMUP s, then counts confirmed events for SECONDS_PER_RUN s; REPS runs each, the median is reported.
#   bench/journal.sh                         everything (about 20 minutes with the defaults)
#   JOURNALS="ferry-async jdbc-async" ENTITIES=1000 REPS=1 bench/journal.sh
#   JVM_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseParallelGC" bench/journal.sh   other options for the benchmark
#                                            JVMs (default below; the heap touched at start made no difference here)
set -euo pipefail
cd "$(dirname "$0")/.."
JOURNALS="${JOURNALS:-inmem ferry-async ferry-sync leveldb-async leveldb-sync jdbc-async jdbc-sync}"
ENTITIES="${ENTITIES:-1 100 1000}"
REPS="${REPS:-3}"
WARMUP="${WARMUP:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
JVM_OPTS="${JVM_OPTS:--Xmx2g -XX:+UseParallelGC}"
OUT=target/bench
DATA=target/bench-data/journal
mkdir -p "$OUT"
[ -f target/benchmarks.jar ] || mvn -q -o -Pbench -DskipTests package
case " $JOURNALS " in *" jdbc-"*) bench/postgres.sh start; trap 'bench/postgres.sh stop' EXIT ;; esac

RESULTS="$OUT/journal-results.txt"
: > "$RESULTS"
for rep in $(seq 1 "$REPS"); do
  for journal in $JOURNALS; do
    for n in $ENTITIES; do
      rm -rf "$DATA"
      echo "# rep $rep: $journal, $n entities (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
      java $JVM_OPTS --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
           -cp target/benchmarks.jar dev.ferry.journal.bench.JournalThroughput \
           --journal "$journal" --entities "$n" --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN" --dir "$DATA" \
        | grep '^RESULT' | tee -a "$RESULTS" || echo "# FAILED: $journal with $n entities (rep $rep)" >&2
    done
  done
done
rm -rf "$DATA"

python3 - "$RESULTS" <<'PY' | tee "$OUT/journal-summary.txt"
import re, statistics, sys
runs, cpu = {}, {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r"(\w+)=(\S+)", line))
    runs.setdefault((f["journal"], int(f["entities"])), []).append(float(f["events_per_s"]))
    cpu.setdefault((f["journal"], int(f["entities"])), []).append(float(f.get("cpu_us_per_event", "nan")))
med = {k: statistics.median(v) for k, v in runs.items()}
print(f"{'journal':<15}{'entities':>9}{'median ev/s':>14}{'cpu us/ev':>11}  runs (ev/s)")
for (j, n), v in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    print(f"{j:<15}{n:>9}{med[(j, n)]:>14,.0f}{statistics.median(cpu[(j, n)]):>11.1f}  " + ", ".join(f"{x:,.0f}" for x in v))
for mode in ("async", "sync"):
    for n in sorted({n for _, n in med}):
        f, j = med.get((f"ferry-{mode}", n)), med.get((f"jdbc-{mode}", n))
        l = med.get((f"leveldb-{mode}", n))
        if f and j: print(f"RATIO ferry-{mode}/jdbc-{mode} entities={n}: {f / j:.1f}x")
        if f and l: print(f"RATIO ferry-{mode}/leveldb-{mode} entities={n}: {f / l:.1f}x")
        i = med.get(("inmem", n))
        if f and i: print(f"RATIO ferry-{mode}/inmem entities={n}: {f / i:.2f}x")
PY
