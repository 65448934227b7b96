#!/usr/bin/env bash
# The machine's limits, measured on the disk that holds the benchmark data directory, so the store and
# journal figures can be read against them: sequential write bandwidth and the single-writer fdatasync rate.
#   bench/machine.sh [DATA_DIR]        (default target/bench-data; fio from Debian packages, installed if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-target/bench-data}"
OUT=target/bench
mkdir -p "$DIR" "$OUT"
command -v fio >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fio >/dev/null

# 1 GiB in 1 MiB writes through the page cache, one fsync at the end (counted in the time): what the disk sustains.
fio --name=seqwrite --directory="$DIR" --rw=write --bs=1m --size=1g --ioengine=sync --end_fsync=1 \
    --output-format=json --output="$OUT/fio-seqwrite.json" >/dev/null
# One writer, 4 KiB appends, fdatasync after each: the rate a journal without group commit is held to.
fio --name=fdatasync --directory="$DIR" --rw=write --bs=4k --size=64m --fdatasync=1 --ioengine=sync --runtime=20 \
    --output-format=json --output="$OUT/fio-fdatasync.json" >/dev/null
rm -f "$DIR"/seqwrite.* "$DIR"/fdatasync.*

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
seq = json.load(open(f"{out}/fio-seqwrite.json"))["jobs"][0]["write"]
sync = json.load(open(f"{out}/fio-fdatasync.json"))["jobs"][0]
lat = sync.get("sync", {}).get("lat_ns", {})
lines = [
    f"MACHINE seq_write_MiB_s={seq['bw_bytes'] / 2**20:.0f}",
    f"MACHINE fdatasync_per_s={sync['write']['iops']:.0f}" + (f" fdatasync_p50_us={lat['percentile']['50.000000'] / 1000:.0f}" if lat.get('percentile') else ""),
]
open(f"{out}/machine.txt", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
