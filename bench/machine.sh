#!/usr/bin/env bash
# The machine's limits, measured on the disk that holds the benchmark data directory, so the store and
# journal figures can be read against them: sequential write bandwidth (through the page cache and direct), the
# single-writer fdatasync rate, and how fast the kernel takes writes into new page-cache pages versus cached ones
# (on our build VM new pages cost ~7x cached ones, and that, not the disk, bounds a commit log's append rate;
# BENCHMARKS.md "Machine limits"), with the data device's read-ahead (a mapped write fault reads around that much).
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
# The disk without the page cache: 1 GiB of 1 MiB O_DIRECT writes.
fio --name=seqdirect --directory="$DIR" --rw=write --bs=1m --size=1g --ioengine=sync --direct=1 \
    --output-format=json --output="$OUT/fio-seqdirect.json" >/dev/null
rm -f "$DIR"/seqwrite.* "$DIR"/fdatasync.* "$DIR"/seqdirect.*

# The page cache: 4 GiB written into new pages of a file (allocated, zeroed and block-reserved by the kernel now), then
# the same pages again (cached: a plain copy). A store append of new records can go no faster than the first.
page_cache_rate() { dd if=/dev/zero of="$DIR/page-cache-probe" bs=1M count=4096 conv=notrunc 2>&1 | awk '/copied/{print $1 / $(NF-3) / 2^20}'; }
rm -f "$DIR/page-cache-probe"
NEW_PAGES=$(page_cache_rate); CACHED_PAGES=$(page_cache_rate)
rm -f "$DIR/page-cache-probe"
DEVICE=$(basename "$(df --output=source "$DIR" | tail -1)")
READ_AHEAD=$(cat "/sys/class/block/$DEVICE/queue/read_ahead_kb" "/sys/class/block/$DEVICE/../queue/read_ahead_kb" 2>/dev/null | head -1 || true)
REPORTING=$( [ "$(dmesg 2>/dev/null | grep -c "Free page reporting enabled" || true)" != 0 ] && echo on || echo "off-or-unknown")
# How an idle vCPU waits: with halt polling off, each wake-up of an idle thread's CPU is a VM exit and an interrupt,
# which is what one-in-flight latency pays per hop between threads.
IDLE_DRIVER=$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo unknown)
HALT_POLL_NS=$(cat /sys/module/haltpoll/parameters/guest_halt_poll_ns 2>/dev/null || sed -n 's/.*haltpoll.guest_halt_poll_ns=\([0-9]*\).*/\1/p' /proc/cmdline)
# Proactive reclaim: a DAMON scheme that pages out memory idle for a while drops the page cache of files nobody
# touched lately (old segments, recycled ones included), and free page reporting then hands it back to the host.
DAMON=off-or-unknown
for scheme in /sys/kernel/mm/damon/admin/kdamonds/*/contexts/*/schemes/*; do
  [[ -f "$scheme/action" && "$(cat "$scheme/action")" == pageout ]] || continue
  aggr_us=$(cat "${scheme%%/schemes/*}/monitoring_attrs/intervals/aggr_us")
  DAMON="pageout(state=$(cat "${scheme%%/contexts/*}/state"),idle_s=$(( $(cat "$scheme/access_pattern/age/min") * aggr_us / 1000000 )))"
done

python3 - "$OUT" "$NEW_PAGES" "$CACHED_PAGES" "$DEVICE" "$READ_AHEAD" "$REPORTING" "$IDLE_DRIVER" "${HALT_POLL_NS:-unknown}" "$DAMON" <<'PY'
import json, sys
out, new_pages, cached_pages, device, read_ahead, reporting, idle_driver, halt_poll_ns, damon = sys.argv[1:10]
seq = json.load(open(f"{out}/fio-seqwrite.json"))["jobs"][0]["write"]
direct = json.load(open(f"{out}/fio-seqdirect.json"))["jobs"][0]["write"]
sync = json.load(open(f"{out}/fio-fdatasync.json"))["jobs"][0]
lat = sync.get("sync", {}).get("lat_ns", {})
lines = [
    f"MACHINE seq_write_MiB_s={seq['bw_bytes'] / 2**20:.0f} seq_write_direct_MiB_s={direct['bw_bytes'] / 2**20:.0f}",
    f"MACHINE fdatasync_per_s={sync['write']['iops']:.0f}" + (f" fdatasync_p50_us={lat['percentile']['50.000000'] / 1000:.0f}" if lat.get('percentile') else ""),
    f"MACHINE new_page_cache_MiB_s={float(new_pages):.0f} cached_page_cache_MiB_s={float(cached_pages):.0f} free_page_reporting={reporting}",
    f"MACHINE data_device={device} read_ahead_kb={read_ahead}",
    f"MACHINE cpuidle_driver={idle_driver} guest_halt_poll_ns={halt_poll_ns} damon={damon}",
]
open(f"{out}/machine.txt", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
