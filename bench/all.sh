#!/usr/bin/env bash
# Every benchmark of the storage issue in one go: the machine's limits (fio), the store's JMH benchmarks
# (bench/store.sh, when present) and the journal plugin through Akka with its LevelDB and PostgreSQL baselines.
# Figures go to target/bench/*.txt and a summary to stdout; copy them into BENCHMARKS.md with `uptime`.
#   bench/all.sh          (installs fio and postgresql from Debian packages if missing; about 40 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
bench/machine.sh
mvn -q -o -Pbench -DskipTests package
if [ -x bench/store.sh ]; then
  echo "== store (bench/store.sh)"
  # JMH holds /tmp/jmh.lock: if another engineer's JMH run has it, say so and go on with the journal benchmarks.
  bench/store.sh | tee target/bench/store-output.txt || echo "== store benchmarks FAILED (see target/bench/store-output.txt)"
else
  echo "== store: bench/store.sh not present, skipped"
fi
echo "== journal plugin (bench/journal.sh)"
bench/journal.sh
echo
echo "== summary (load now $(cut -d' ' -f1-3 /proc/loadavg))"
cat target/bench/machine.txt
[ -f target/bench-results/store.txt ] && cat target/bench-results/store.txt
cat target/bench/journal-summary.txt
