#!/usr/bin/env bash
# Agent performance against a REAL full conntrack table (root; iproute2, nftables):
#  - full scan of a ~262k-entry table: the agent's reader vs `cat` of the same file, back to back
#  - sample-mode tick (2000 lines) CPU time on that table
#  - agent resident memory while streaming to a server, with the launcher's JVM flags
# Everything happens in a throw-away network namespace that is deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }

mkdir -p target
mvn -B -q -o -Dstyle.color=never -pl agent -am test-compile
mvn -B -q -o -Dstyle.color=never -pl agent dependency:build-classpath -Dmdep.outputFile="$PWD/target/agent-cp.txt" -Dmdep.includeScope=test >/dev/null
cp="agent/target/classes:agent/target/test-classes:$(cat target/agent-cp.txt)"

ns="ctfbench-$$"
cleanup() { ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" nft -f - <<'NFT'
table inet ctf {
  chain in { type filter hook input priority 0; ct state invalid drop; ip daddr 127.0.1.0/24 drop; }
  chain out { type filter hook output priority 0; ct state established,related accept; }
}
NFT

echo "== filling the namespace's conntrack table"
ip netns exec "$ns" java -cp "$cp" ctfleet.agent.kernel.TableFiller 100
echo "== full scan vs cat (UDP entries live 30 s, so this runs right after the fill)"
ip netns exec "$ns" java -XX:+UseSerialGC -cp "$cp" ctfleet.agent.bench.FullScanBench /proc/net/nf_conntrack 3
echo "== sample-mode tick (2000 lines)"
ip netns exec "$ns" java -XX:+UseSerialGC -cp "$cp" ctfleet.agent.bench.SampleTickBench /proc/net/nf_conntrack 2000 200

echo "== agent resident memory while streaming (launcher flags)"
./ctfleet server --listen 127.0.0.1:0 --db "target/bench-db-$$" > target/bench-server.out 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q listening target/bench-server.out && break; sleep 0.2; done
addr=$(sed -n 's/^ctfleet server listening on //p' target/bench-server.out)
./ctfleet agent --server "$addr" --interval 1s --spool-dir "target/bench-spool-$$" > target/bench-agent.out 2>&1 &
agent=$!
sleep 30
pid=$(pgrep -P "$agent" java || echo "$agent")
grep -E 'VmRSS|VmHWM' "/proc/$pid/status" | awk '{printf "agent %s %.1f MB (target <= 64 MB)\n", $1, $2/1024}'
kill "$agent" "$server" 2>/dev/null || true
wait 2>/dev/null || true
rm -rf "target/bench-db-$$" "target/bench-spool-$$"
