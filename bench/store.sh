#!/usr/bin/env bash
# Store benchmarks (JMH): append (1 writer ASYNC, 1 writer SYNC, 64 writers SYNC), reads by offset and
# sequential scans, 100 B and 1 KiB records, plus the disk's single-writer fdatasync rate as the group-commit
# baseline, all in one run so the figures share a session. Data lives under target/bench-data (deleted after).
#
#   bench/store.sh                 # build target/benchmarks.jar if missing, run everything (~6 minutes)
#   bench/store.sh 'StoreRead.*'   # only benchmarks matching a regex
#
# Short but honest settings: 1 fork, 2 warm-up iterations of 2 s, 3 measured iterations of 3 s.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f target/benchmarks.jar || "${REBUILD:-0}" == "1" ]]; then
  mvn -q -o -Pbench package -DskipTests
fi
mkdir -p target/bench-data target/bench-results
trap 'rm -rf target/bench-data' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); disk of target/bench-data: $(df -h target/bench-data | awk 'NR==2{print $1, $2}')"
echo "load before: $(uptime)"
PATTERN="${1:-dev.ferry.store.(StoreAppendBenchmark|StoreReadBenchmark|FsyncBaselineBenchmark).*}"
java -jar target/benchmarks.jar "$PATTERN" \
  -f 1 -wi 2 -w 2s -i 3 -r 3s \
  -jvmArgsAppend "-Xmx2g -Dferry.bench.dir=$(pwd)/target/bench-data" \
  -rf text -rff target/bench-results/store.txt
echo "load after: $(uptime)"
cat target/bench-results/store.txt
