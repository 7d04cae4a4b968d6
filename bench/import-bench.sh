#!/usr/bin/env bash
# End-to-end import benchmark: a real Prometheus (Debian package `prometheus`) holding HOSTS
# gateways x DAYS days of node_exporter conntrack series at 1-minute resolution (backfilled with
# `promtool tsdb create-blocks-from openmetrics`), imported into a real `ctfleet server` with
# `ctfleet import`. Baseline measured in the same run: fetching the very same data from Prometheus
# with curl (the same query_range chunks of 10,000 steps, one host and one series at a time),
# i.e. what Prometheus alone takes to serve it. Prints both times, their ratio, the import rate
# and what that rate means for 500 hosts x 30 days.
#
#   bench/import-bench.sh                 # 20 hosts x 30 days
#   HOSTS=50 DAYS=30 bench/import-bench.sh
#   MVN_ARGS=-o bench/import-bench.sh     # build offline
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hosts="${HOSTS:-20}"
days="${DAYS:-30}"
for tool in prometheus promtool curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y prometheus curl)" >&2; exit 1; }
done

cd "$here"
echo "== building the jars ..." >&2
mvn -B -q -Dstyle.color=never -DskipTests ${MVN_ARGS:-} package >&2

tmp="$(mktemp -d -t ctfleet-importbench-XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }
now() { date +%s.%N; }

minutes=$((days * 1440))
end=$(( $(date +%s) / 60 * 60 - 120 ))
start=$(( end - (minutes - 1) * 60 ))
echo "== writing ${hosts} hosts x ${days} d x 3 series at 1 m ($((hosts * minutes * 3)) points) ..." >&2
# Entries: a slow trend plus a daily wave; limit: 262144; early_drop: a counter that creeps up.
awk -v hosts="$hosts" -v minutes="$minutes" -v start="$start" 'BEGIN {
  pi = atan2(0, -1)
  print "# TYPE node_nf_conntrack_entries gauge"
  for (h = 0; h < hosts; h++) for (i = 0; i < minutes; i++)
    printf "node_nf_conntrack_entries{instance=\"gw-%d:9100\",job=\"node\"} %d %d\n", h,
      40000 + h * 3000 + i * (h % 5) / 10 + 20000 * sin(2 * pi * i / 1440), start + i * 60
  print "# TYPE node_nf_conntrack_entries_limit gauge"
  for (h = 0; h < hosts; h++) for (i = 0; i < minutes; i++)
    printf "node_nf_conntrack_entries_limit{instance=\"gw-%d:9100\",job=\"node\"} 262144 %d\n", h, start + i * 60
  print "# TYPE node_nf_conntrack_stat_early_drop gauge"
  for (h = 0; h < hosts; h++) for (i = 0; i < minutes; i++)
    printf "node_nf_conntrack_stat_early_drop{instance=\"gw-%d:9100\",job=\"node\"} %d %d\n", h, int(i / 97), start + i * 60
  print "# EOF"
}' > "$tmp/history.om"
t=$(now)
promtool tsdb create-blocks-from openmetrics --quiet "$tmp/history.om" "$tmp/tsdb" > "$tmp/promtool.log" 2>&1 \
  || { cat "$tmp/promtool.log" >&2; exit 1; }
rm -f "$tmp/history.om"
echo "   backfilled in $(echo "$(now) - $t" | bc) s" >&2

pport=$(free_port)
printf 'global:\n  scrape_interval: 1m\nscrape_configs: []\n' > "$tmp/prometheus.yml"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --storage.tsdb.retention.time=3650d --web.listen-address="127.0.0.1:$pport" > "$tmp/prometheus.log" 2>&1 &
pids+=($!)
prom="http://127.0.0.1:$pport"
for _ in $(seq 1 300); do curl -fs "$prom/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done

sport=$(free_port)
./ctfleet server --listen "127.0.0.1:$sport" --db "$tmp/db" > "$tmp/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 1 300); do grep -q listening "$tmp/server.log" && break; sleep 0.2; done

echo "== baseline: curl the same data from Prometheus (10,000-step chunks, host by host)" >&2
t=$(now)
bytes=0
for ((h = 0; h < hosts; h++)); do
  for series in node_nf_conntrack_entries node_nf_conntrack_entries_limit node_nf_conntrack_stat_early_drop; do
    for ((from = start; from <= end; from += 10000 * 60)); do
      to=$(( from + 9999 * 60 )); [ "$to" -gt "$end" ] && to=$end
      n=$(curl -fsS -G "$prom/api/v1/query_range" --data-urlencode "query=${series}{instance=\"gw-$h:9100\"}" \
        --data-urlencode "start=$from" --data-urlencode "end=$to" --data-urlencode "step=60" | wc -c)
      bytes=$((bytes + n))
    done
  done
done
fetch=$(echo "$(now) - $t" | bc)

echo "== ctfleet import" >&2
cpu0=$(sed 's/.*) //' "/proc/$server/stat" | awk '{print $12 + $13}')
t=$(now)
./ctfleet import --server "127.0.0.1:$sport" --prometheus "$prom" --since "$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%SZ)" \
  --until "$(date -u -d "@$end" +%Y-%m-%dT%H:%M:%SZ)" --step 1m --match '{job="node"}' 2>&1 | tail -n 3
import=$(echo "$(now) - $t" | bc)
cpu1=$(sed 's/.*) //' "/proc/$server/stat" | awk '{print $12 + $13}')
samples=$((hosts * minutes))

LC_ALL=C awk -v hosts="$hosts" -v days="$days" -v samples="$samples" -v fetch="$fetch" -v imp="$import" \
  -v bytes="$bytes" -v cpu=$(( cpu1 - cpu0 )) -v tck="$(getconf CLK_TCK)" 'BEGIN {
  printf "hosts x days           %d x %d (%d samples at 1 m)\n", hosts, days, samples
  printf "curl of the same data  %7.1f s (%.0f MB of JSON)\n", fetch, bytes / 1e6
  printf "ctfleet import         %7.1f s (%.0f samples/s; server CPU %.1f us per sample, rollups after the import not included)\n", imp, samples / imp, cpu / tck / samples * 1e6
  printf "ratio import / curl    %7.2f\n", imp / fetch
  printf "500 hosts x 30 d       %7.1f min at this rate\n", 500 * 30 * 1440 / (samples / imp) / 60
}'
