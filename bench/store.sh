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
# Results: target/bench/store.txt (JMH table) and target/bench/store-summary.txt (targets and ratios).
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
  -rf text -rff target/bench/store.txt
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load after: $LOAD_AFTER"
# Summary: the two targets of the storage issue, with the same-session baseline.
awk -v lb="$LOAD_BEFORE" -v la="$LOAD_AFTER" '
  /FsyncBaselineBenchmark.writeAndFdatasync/ { fsync = $5 }
  /StoreAppendBenchmark.asyncOneWriter / && $2 == 1024 { async1k = $5 }
  /StoreAppendBenchmark.sync64Writers/ && $2 == 1024 { sync64 = $5 }
  /StoreAppendBenchmark.syncOneWriter/ && $2 == 1024 { sync1 = $5 }
  END {
    printf "store (load %s -> %s)\n", lb, la
    if (async1k) printf "  append ASYNC, 1 writer, 1 KiB: %.0f records/s (target >= 1,000,000: %s)\n", async1k, (async1k >= 1000000 ? "met" : "NOT met")
    if (fsync && sync64) printf "  append SYNC, 64 writers, 1 KiB: %.0f records/s = %.1f x the single-writer fdatasync rate %.0f/s (target >= 32x: %s)\n", sync64, sync64 / fsync, fsync, (sync64 >= 32 * fsync ? "met" : "NOT met")
    if (sync1) printf "  append SYNC, 1 writer, 1 KiB: %.0f records/s (group commit baseline through the store)\n", sync1
  }' target/bench/store.txt | tee target/bench/store-summary.txt
cat target/bench/store.txt
