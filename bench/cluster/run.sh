#!/usr/bin/env bash
# Benchmark: the cost of running on an Apache Ballista cluster (issue #15). Not a test;
# not run by CI.
#
# On a store (e.g. the world-shaped synthetic BACI of bench/world/run.sh), times
#   brief:  `entrepot brief R --period Y --dataset D --format json` (its flow cubes)
#   rca:    one SQL query: the Balassa RCA of every exporter x HS6 product of year Y,
#           (X_rk / X_r) / (X_wk / X_w), summarised as a count and a sum so the output
#           is small and comparable
# with --engine local, then on a loopback cluster of one scheduler and 1, then 2,
# executors (`entrepot cluster …`, separate processes), best of $REPEAT, and prints
# the times and the overhead of distribution (cluster time / local time). On a machine
# with few cores no speed-up is expected: the figure is the cost of the hop (plan
# shipping, stage scheduling, shuffle files, Arrow Flight). Each cluster answer is
# compared with the local one (byte for byte; the brief as it is, the RCA summary as
# printed).
#
# Usage: bench/cluster/run.sh STORE [DATASET]
#   REPORTER=CHN         the brief's reporter (default: the largest exporter)
#   PERIOD=2022          the year (default: the latest held)
#   REPEAT=3             runs of each measurement
#   ENTREPOT_BIN=path    the binary (default: built with cargo, profile $PROFILE)
#   PROFILE=bench-fast   cargo profile when building
#   TASKS=0              --concurrent-tasks of each executor (0: one per core)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
store=${1:?usage: bench/cluster/run.sh STORE [DATASET]}
store=$(cd "$store" && pwd)
repeat=${REPEAT:-3}
profile=${PROFILE:-bench-fast}
tasks=${TASKS:-0}
if [ -n "${ENTREPOT_BIN:-}" ]; then
  bin=$ENTREPOT_BIN
else
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}
  (cd "$root" && cargo build -q --profile "$profile" -p entrepot-cli --bin entrepot)
  bin="$CARGO_TARGET_DIR/$profile/entrepot"
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

q() { "$bin" --quiet --store "$store" --format csv sql "$1" --engine local | tail -n +2; }
dataset=${2:-$(q "SELECT name FROM datasets WHERE kind = 'flows'" | head -n 1)}
period=${PERIOD:-$(q "SELECT MAX(year) FROM flows WHERE dataset = '$dataset'")}
reporter=${REPORTER:-$(q "SELECT reporter FROM flows WHERE dataset = '$dataset' AND year = $period AND flow = 'export' GROUP BY reporter ORDER BY SUM(value_usd) DESC LIMIT 1")}
rows=$(q "SELECT COUNT(*) FROM flows WHERE dataset = '$dataset'")
echo "store $store, dataset '$dataset' ($rows rows), year $period, brief of $reporter; $repeat runs each; binary $bin"

rca="WITH x AS (SELECT reporter, product, SUM(value_usd) AS v FROM flows
  WHERE dataset = '$dataset' AND year = $period AND flow = 'export' AND partner <> 'WLD'
    AND product_level = 6 GROUP BY reporter, product),
r AS (SELECT reporter, SUM(v) AS vr FROM x GROUP BY reporter),
k AS (SELECT product, SUM(v) AS vk FROM x GROUP BY product),
w AS (SELECT SUM(v) AS vw FROM x)
SELECT COUNT(*) AS cells, SUM(CASE WHEN (x.v / r.vr) / (k.vk / w.vw) >= 1 THEN 1 ELSE 0 END) AS rca_at_least_1
FROM x JOIN r ON x.reporter = r.reporter JOIN k ON x.product = k.product CROSS JOIN w"

# fail, free_port, wait_port
. "$root/ci/lib.sh"

results="$work/results.txt"
# measure SETUP WHAT ENGINE ARGS…: best wall time of $repeat runs, output kept.
measure() {
  local setup=$1 what=$2 engine=$3 best=""
  shift 3
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e" -o "$work/time.txt" "$bin" --quiet --store "$store" "$@" \
      --engine "$engine" >"$work/$setup.$what.out" 2>"$work/err.txt" \
      || { cat "$work/err.txt" >&2; echo "FAILED: $setup $what" >&2; exit 1; }
    local t
    t=$(tail -n 1 "$work/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
  done
  echo "$setup $what $best" >>"$results"
  if [ "$setup" != local ] && ! cmp -s "$work/local.$what.out" "$work/$setup.$what.out"; then
    echo "MISMATCH: $what on $setup differs from local" >&2
    exit 1
  fi
}
run_all() {
  local setup=$1 engine=$2
  measure "$setup" brief "$engine" --format json brief "$reporter" --period "$period" --dataset "$dataset"
  measure "$setup" rca "$engine" --format csv sql "$rca"
}

echo "== local"
run_all local local
sched=$(free_port)
"$bin" cluster scheduler --bind "127.0.0.1:$sched" >"$work/scheduler.log" 2>&1 &
pids+=($!)
wait_port "$sched"
for n in 1 2; do
  flight=$(free_port)
  grpc=$(free_port)
  mkdir -p "$work/exec$n"
  "$bin" cluster executor --scheduler "127.0.0.1:$sched" --bind "127.0.0.1:$flight" \
    --grpc-port "$grpc" --work-dir "$work/exec$n" --concurrent-tasks "$tasks" \
    >"$work/executor$n.log" 2>&1 &
  pids+=($!)
  wait_port "$flight"
  wait_port "$grpc"
  sleep 2
  echo "== cluster of $n executor(s)"
  run_all "cluster$n" "ballista://127.0.0.1:$sched"
done

echo "== summary (best of $repeat, seconds; overhead = cluster / local)"
awk '
  { t[$1 " " $2] = $3; whats[$2] = 1 }
  END {
    printf "%-6s %10s %12s %12s %10s %10s\n", "query", "local", "1 executor", "2 executors", "overhead1", "overhead2"
    for (w in whats) {
      l = t["local " w]; a = t["cluster1 " w]; b = t["cluster2 " w]
      printf "%-6s %10.2f %12.2f %12.2f %9.2fx %9.2fx\n", w, l, a, b, a / l, b / l
    }
  }' "$results"
