#!/usr/bin/env bash
# Benchmark: `entrepot brief` (flow cubes over the store) against DuckDB computing the
# same aggregates on the same Parquet store, in one run. Not a test; not run by CI.
#
# For the largest exporter and a small one, times
#   entrepot:  `entrepot brief R --period Y --dataset D --format json` — a whole brief:
#              exports by partner and mirror imports (the partners' exports to R) by
#              partner, for every year held, partner groups, rest of world, records…
#   duckdb:    bench/world/brief_duckdb.py — exports and mirror imports by partner and
#              by group, every year held, from read_parquet over the dataset's files
# each as a separate process (wall time and peak RSS by /usr/bin/time), best of
# $REPEAT, and prints the ratios. DuckDB's partner and group values of the brief's
# year are compared with the brief's (largest relative difference).
#
# Usage: bench/world/brief.sh STORE [DATASET]
#   STORE       an Entrepôt store (e.g. bench/.data/world/store from bench/world/run.sh,
#               or any store with a BACI-like flows dataset)
#   DATASET     the flows dataset (default: the store's only flows dataset)
#   REPORTERS="CHN ZWE"   the reporters (default: the largest exporter and the one at
#               the 90th percentile of the ranking, found with DuckDB)
#   PERIOD=2022 the brief's period (default: the latest year held)
#   REPEAT=3    runs of each tool for each reporter
#   ENTREPOT_BIN=path   the binary (default: built with cargo, profile $PROFILE)
#   PROFILE=bench-fast  cargo profile when building
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
store=${1:?usage: bench/world/brief.sh STORE [DATASET]}
store=$(cd "$store" && pwd)
repeat=${REPEAT:-3}
profile=${PROFILE:-bench-fast}

bash "$root/bench/setup_venv.sh" duckdb >/dev/null
py="$root/bench/.venv/bin/python"
if [ -n "${ENTREPOT_BIN:-}" ]; then
  bin=$ENTREPOT_BIN
else
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}
  (cd "$root" && cargo build -q --profile "$profile" -p entrepot-cli --bin entrepot)
  bin="$CARGO_TARGET_DIR/$profile/entrepot"
fi

# The dataset, its current version's directory, the years held.
read -r dataset dataset_dir years < <("$py" - "$store" "${2:-}" <<'PY'
import json, sys
m = json.load(open(f"{sys.argv[1]}/manifest.json"))
flows = {k: d for k, d in m["datasets"].items() if d["kind"] == "flows"}
name = sys.argv[2] or (next(iter(flows)) if len(flows) == 1 else None)
if name not in flows:
    sys.exit(f"choose the dataset: {', '.join(flows)}")
d = flows[name]
print(name, f"{sys.argv[1]}/{d['path']}", ",".join(str(y) for y in d["years"]))
PY
)
period=${PERIOD:-${years##*,}}
if [ -n "${REPORTERS:-}" ]; then
  read -r -a reporters <<< "$REPORTERS"
else
  read -r -a reporters < <("$py" - "$dataset_dir" <<'PY'
import duckdb, sys
r = duckdb.sql(f"""SELECT reporter FROM read_parquet('{sys.argv[1]}/**/*.parquet',
    hive_partitioning = true, union_by_name = true) WHERE flow = 'export'
    GROUP BY reporter ORDER BY SUM(value_usd) DESC""").fetchall()
print(r[0][0], r[min(len(r) - 1, int(len(r) * 0.9))][0])
PY
)
fi
rows=$("$bin" --quiet --store "$store" --format csv sql \
  "SELECT COUNT(*) FROM flows WHERE dataset = '$dataset'" | tail -1)
echo "store $store, dataset '$dataset' ($rows rows, years $years), brief period $period"
echo "reporters: ${reporters[*]}; $repeat runs each; binary $bin"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results="$work/results.txt"
measure() { # reporter tool command...
  local r=$1 tool=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/$r.$tool.out" 2> "$work/err.txt" \
    || { cat "$work/err.txt" >&2; echo "FAILED: $tool $r" >&2; exit 1; }
  local t m q
  read -r t m < "$work/time.txt"
  # DuckDB's queries alone (in the process, without starting Python and DuckDB).
  q=$(sed -n 's/.* in \([0-9.]*\) s (queries, in process)/\1/p' "$work/$r.$tool.out")
  echo "$r $tool $t $(( m / 1024 )) ${q:--}" >> "$results"
  printf '  %-4s %-9s %7.2f s %7d MiB%s\n' "$r" "$tool" "$t" "$(( m / 1024 ))" "${q:+  (queries ${q} s)}"
}
find "$dataset_dir" -name '*.parquet' -exec cat {} + > /dev/null   # page cache
for r in "${reporters[@]}"; do
  for i in $(seq "$repeat"); do
    measure "$r" entrepot "$bin" --quiet --store "$store" --format json \
      brief "$r" --period "$period" --dataset "$dataset"
    measure "$r" duckdb "$py" "$here/brief_duckdb.py" "$dataset_dir" "$r" \
      "$root/crates/entrepot-core/data/groups.csv"
  done
  cp "$work/$r.entrepot.out" "$work/$r.json"
  "$py" "$here/brief_duckdb.py" "$dataset_dir" "$r" "$root/crates/entrepot-core/data/groups.csv" \
    "$work/$r.json" | sed 's/^/  /'
done

echo "== summary (best of $repeat; seconds, peak RSS MiB)"
"$py" - "$results" <<'PY'
import sys
best, queries = {}, {}
for line in open(sys.argv[1]):
    r, tool, t, m, q = line.split()
    k = (r, tool)
    if k not in best or float(t) < best[k][0]:
        best[k] = (float(t), int(m))
    if q != "-":
        queries[k] = min(queries.get(k, float("inf")), float(q))
print(f"{'reporter':<9}{'entrepot s':>11}{'MiB':>7}{'duckdb s':>10}{'MiB':>7}{'time ratio':>12}"
      f"{'memory ratio':>14}{'duckdb queries s':>18}")
for r in dict.fromkeys(k[0] for k in best):
    (et, em), (dt, dm) = best[(r, "entrepot")], best[(r, "duckdb")]
    dq = queries.get((r, "duckdb"), float("nan"))
    print(f"{r:<9}{et:>11.2f}{em:>7}{dt:>10.2f}{dm:>7}{et / dt:>12.2f}{em / dm:>14.2f}{dq:>18.2f}")
print("times: wall time of each process (entrepot: the whole brief; duckdb: Python, DuckDB and")
print("the queries); 'duckdb queries': the queries alone, in process. Ratios: entrepot / duckdb.")
PY
