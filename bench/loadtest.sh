#!/usr/bin/env bash
# Load test: many simulated agents (default 1000 at a 1 s interval for 60 s) against one real
# `ctfleet server` on a free loopback port with a throw-away database. Prints samples/s ingested
# (acknowledged, i.e. committed), acknowledgement latency p50/p99, lost samples (must be 0), and the
# server's CPU and peak RSS read from /proc. The simulator runs on the same machine: its CPU is
# printed too, because it competes with the server for the same cores.
#
#   bench/loadtest.sh                          # 1000 hosts, 1s, 60s
#   HOSTS=200 DURATION=30s bench/loadtest.sh   # smaller
#   RAMP=30s bench/loadtest.sh                 # agents start over 30 s instead of within one interval
#   MVN_ARGS=-o bench/loadtest.sh              # build offline
# Exit status: 0 when no sample was lost, 1 otherwise.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hosts="${HOSTS:-1000}"
interval="${INTERVAL:-1s}"
duration="${DURATION:-60s}"
scenario="${SCENARIO:-mixed}"
ramp="${RAMP:-$interval}"

cd "$here"
echo "== building the jars ..." >&2
mvn -B -q -Dstyle.color=never -DskipTests ${MVN_ARGS:-} package >&2

tmp="$(mktemp -d -t ctfleet-loadtest-XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

tck="$(getconf CLK_TCK)"
# utime + stime of a process in clock ticks (fields 14 and 15, counted after the ")" that ends comm).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }

# The launcher execs java, so $! is the server JVM itself.
./ctfleet server --listen 127.0.0.1:0 --db "$tmp/db" >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q 'listening on' "$tmp/server.out" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server did not start:" >&2; cat "$tmp/server.err" >&2; exit 1; }
  sleep 0.1
done
addr="$(sed -n 's/^ctfleet server listening on //p' "$tmp/server.out")"
[ -n "$addr" ] || { echo "server did not say where it listens" >&2; exit 1; }

echo "== load test: $hosts hosts starting over $ramp, a sample every $interval for $duration, against $addr"
echo "== machine: $(nproc) cores, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
server_cpu0="$(cpu_ticks "$server_pid")"
t0="$(now)"
./ctfleet simulate --server "$addr" --hosts "$hosts" --interval "$interval" --duration "$duration" \
  --scenario "$scenario" --ramp "$ramp" >"$tmp/sim.out" 2>"$tmp/sim.err" &
sim_pid=$!
sim_cpu=0
sim_hwm=0
while kill -0 "$sim_pid" 2>/dev/null; do
  # The simulator's own CPU and RSS, sampled while it lives (its last second is not seen).
  c="$(cpu_ticks "$sim_pid" 2>/dev/null || echo "$sim_cpu")"; sim_cpu="${c:-$sim_cpu}"
  h="$(hwm_kb "$sim_pid" 2>/dev/null || echo "$sim_hwm")"; sim_hwm="${h:-$sim_hwm}"
  sleep 1
done
sim_rc=0
wait "$sim_pid" || sim_rc=$?
t1="$(now)"
server_cpu1="$(cpu_ticks "$server_pid")"
server_hwm="$(hwm_kb "$server_pid")"
echo "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

cat "$tmp/sim.out"
if [ -s "$tmp/sim.err" ]; then
  echo "-- simulator messages (first 20 lines):"
  head -n 20 "$tmp/sim.err"
fi
awk -v c0="$server_cpu0" -v c1="$server_cpu1" -v tck="$tck" -v t0="$t0" -v t1="$t1" -v hwm="$server_hwm" \
    -v scpu="$sim_cpu" -v shwm="$sim_hwm" -v cores="$(nproc)" 'BEGIN {
  wall = t1 - t0; cpu = (c1 - c0) / tck;
  printf "server CPU            %.1f s over %.1f s wall = %.2f of %d cores\n", cpu, wall, cpu / wall, cores;
  printf "server peak RSS       %.0f MB (VmHWM)\n", hwm / 1024;
  printf "simulator CPU         %.1f s (%.2f cores), peak RSS %.0f MB\n", scpu / tck, scpu / tck / wall, shwm / 1024;
}'
lost="$(awk '/^samples lost/ {print $3}' "$tmp/sim.out")"
if [ "$sim_rc" -ne 0 ] || [ "${lost:-x}" != "0" ]; then
  echo "== FAILED: lost ${lost:-?} samples (simulator exit $sim_rc)"
  exit 1
fi
echo "== OK: no sample lost"
