#!/usr/bin/env bash
# Allocation benchmarks (issue #3): JMH timings plus the placement-quality check (balance, moves vs minimum).
# Usage: bench/allocation.sh [extra JMH args]   — builds target/benchmarks.jar first unless SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -q -o -Pbench package -DskipTests
fi
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(uptime | sed 's/.*load average: //')"
echo "== quality: first placement balance, moves to settle after +10 nodes (desired balance, then ES's greedy balancer as baseline)"
java -Xmx2g -cp target/benchmarks.jar dev.ferry.allocation.ScaleScenario desired_balance || true
java -Xmx2g -cp target/benchmarks.jar dev.ferry.allocation.ScaleScenario balanced || true
echo "== JMH"
java -jar target/benchmarks.jar AllocationBenchmark -rf json -rff target/allocation-jmh.json "$@"
echo "== load after: $(uptime | sed 's/.*load average: //')"
