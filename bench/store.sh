#!/usr/bin/env bash
# Store benchmarks (JMH): append (1 writer ASYNC, 1 writer SYNC, 64 writers SYNC), reads by offset and
# sequential scans, 100 B and 1 KiB records, plus the disk's single-writer fdatasync rate as the group-commit
# baseline, all in one run so the figures share a session. Data lives under target/bench-data (deleted after).
#
#   bench/store.sh                 # build target/benchmarks.jar if missing, run everything (~6 minutes)
#   bench/store.sh 'StoreRead.*'   # only benchmarks matching a regex
#   REBUILD=1 bench/store.sh       # rebuild the jar first
#
# Short but honest settings: 1 fork, 2 warm-up iterations of 2 s, 3 measured iterations of 3 s.
# Results: target/bench/store.json (JMH) and target/bench/store-summary.txt (medians, targets, ratios).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f target/benchmarks.jar || "${REBUILD:-0}" == "1" ]]; then
  mvn -q -o -Pbench package -DskipTests
fi
mkdir -p target/bench-data target/bench
trap 'rm -rf target/bench-data' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); disk of target/bench-data: $(df -h target/bench-data | awk 'NR==2{print $1, $2}')"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load before: $LOAD_BEFORE"
PATTERN="${1:-dev.ferry.store.(StoreAppendBenchmark|StoreReadBenchmark|FsyncBaselineBenchmark).*}"
java -jar target/benchmarks.jar "$PATTERN" \
  -f 1 -wi 2 -w 2s -i 3 -r 3s \
  -jvmArgsAppend "-Xmx2g -Dferry.bench.dir=$(pwd)/target/bench-data" \
  -rf json -rff target/bench/store.json 2>&1 | tee target/bench/store-jmh.log
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load after: $LOAD_AFTER"
# Medians of the measured iterations (the machine is shared: means hide a busy iteration), and the two targets
# of the storage issue against the same-session fdatasync baseline.
python3 - "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY' | tee target/bench/store-summary.txt
import json, statistics, sys
runs = json.load(open("target/bench/store.json"))
med = {}
print(f"store benchmarks (load {sys.argv[1]} -> {sys.argv[2]}); median of 3 iterations, records/s")
print(f"  {'benchmark':<58} {'size':>5} {'median':>12}   iterations")
for r in runs:
    name = r["benchmark"].replace("dev.ferry.store.", "")
    size = r.get("params", {}).get("payloadSize", "-")
    raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
    m = statistics.median(raw)
    med[(name, size)] = m
    print(f"  {name:<58} {size:>5} {m:>12,.0f}   {', '.join(f'{x:,.0f}' for x in raw)}")
fs = med.get(("FsyncBaselineBenchmark.writeAndFdatasync", "-"))
a1 = med.get(("StoreAppendBenchmark.asyncOneWriter", "1024"))
s64 = med.get(("StoreAppendBenchmark.sync64Writers", "1024"))
# Writer CPU: records per second of the single writer thread's own CPU time (printed by StoreAppendBenchmark).
import re
bench = params = None
cpu = {}
for line in open("target/bench/store-jmh.log"):
    if line.startswith("# Benchmark: "):
        bench = line.split()[-1].replace("dev.ferry.store.", "")
    elif line.startswith("# Parameters: "):
        params = re.sub(r"[^0-9]", "", line)
    elif "[cpu]" in line and not line.startswith("# Warmup"):
        m = re.search(r"([0-9,]+) records per writer-CPU-second \(the writer thread ran (\d+)%", line)
        if m:
            cpu.setdefault((bench, params), []).append((float(m.group(1).replace(",", "")), int(m.group(2))))
for (b, p), xs in cpu.items():
    xs = xs[-3:]  # the measured iterations follow the 2 warm-ups
    print(f"  {b} {p}: {statistics.median(x for x, _ in xs):,.0f} records per writer-CPU-second; writer ran {', '.join(f'{y}%' for _, y in xs)} of wall time")
if a1:
    print(f"  target: ASYNC 1 writer 1 KiB >= 1,000,000/s: {a1:,.0f}/s -> {'met' if a1 >= 1e6 else 'NOT met'}")
if fs and s64:
    print(f"  target: SYNC 64 writers 1 KiB >= 32x fdatasync ({fs:,.0f}/s): {s64:,.0f}/s = {s64 / fs:.1f}x -> {'met' if s64 >= 32 * fs else 'NOT met'}")
PY
