#!/usr/bin/env bash
# Benchmark: Entrepôt's analyses (diversification, decompose, dependence, reroute, exposure,
# edge, complexity) for the largest exporter of a world-shaped store, against DuckDB computing
# the aggregates each reads on the same Parquet files, in one run. Not a test; not run by
# CI. The store is the synthetic world BACI of bench/world/run.sh (labelled synthetic:
# every BACI country and HS17 product, two years, about 22 million rows).
#
#   entrepot:  `entrepot <command> ... --format json`, the whole report
#   duckdb:    bench/world/analyses_duckdb.py, the command's GROUP BYs (reported and
#              mirror sides) fetched into Python
# each as a separate process (wall time and peak RSS by /usr/bin/time), best of
# $REPEAT, and prints the ratios.
#
# Usage: bench/world/analyses.sh STORE [DATASET]
#   REPORTER=CHN PARTNER=USA   default: the largest exporter, and USA
#   REPEAT=2                   runs of each tool for each command
#   ENTREPOT_BIN=path          the binary (default: built with cargo, profile $PROFILE)
#   PROFILE=bench-fast         cargo profile when building
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
store=${1:?usage: bench/world/analyses.sh STORE [DATASET]}
store=$(cd "$store" && pwd)
repeat=${REPEAT:-2}
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

read -r dataset dataset_dir y0 y1 < <("$py" - "$store" "${2:-}" <<'PY'
import json, sys
m = json.load(open(f"{sys.argv[1]}/manifest.json"))
flows = {k: d for k, d in m["datasets"].items() if d["kind"] == "flows"}
name = sys.argv[2] or (next(iter(flows)) if len(flows) == 1 else None)
if name not in flows:
    sys.exit(f"choose the dataset: {', '.join(flows)}")
d = flows[name]
print(name, f"{sys.argv[1]}/{d['path']}", d["years"][-2], d["years"][-1])
PY
)
if [ -n "${REPORTER:-}" ]; then
  r=$REPORTER
else
  r=$("$py" - "$dataset_dir" <<'PY'
import duckdb, sys
print(duckdb.sql(f"""SELECT reporter FROM read_parquet('{sys.argv[1]}/**/*.parquet',
    hive_partitioning = true, union_by_name = true) WHERE flow = 'export'
    GROUP BY reporter ORDER BY SUM(value_usd) DESC LIMIT 1""").fetchall()[0][0])
PY
)
fi
g=${PARTNER:-USA}
rows=$("$bin" --quiet --store "$store" --format csv sql \
  "SELECT COUNT(*) FROM flows WHERE dataset = '$dataset'" | tail -1)
echo "store $store, dataset '$dataset' ($rows rows, years $y0 and $y1)"
echo "reporter $r, partner $g; $repeat runs each; binary $bin"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results="$work/results.txt"
measure() { # command tool args...
  local c=$1 tool=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/$c.$tool.out" 2> "$work/err.txt" \
    || { cat "$work/err.txt" >&2; echo "FAILED: $tool $c" >&2; exit 1; }
  local t m q
  read -r t m < "$work/time.txt"
  q=$(sed -n 's/.* in \([0-9.]*\) s (queries, in process)/\1/p' "$work/$c.$tool.out")
  echo "$c $tool $t $(( m / 1024 )) ${q:--}" >> "$results"
  printf '  %-16s %-9s %7.2f s %7d MiB%s\n' "$c" "$tool" "$t" "$(( m / 1024 ))" "${q:+  (queries ${q} s)}"
}
# A firm's sales for `exposure` (SYNTHETIC, derived from the synthetic store): a thousandth
# of the reporter's exports of its 20 largest HS6 products to its 30 largest
# destinations, both years, as a firm of that country would keep them.
sales="$work/sales.csv"
"$py" - "$dataset_dir" "$r" "$y1" "$sales" <<'PY'
import duckdb, sys
ds, r, y, out = sys.argv[1:5]
src = f"read_parquet('{ds}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
top = lambda col, n: ",".join(f"'{v}'" for (v,) in duckdb.sql(
    f"SELECT {col} FROM {src} WHERE reporter = '{r}' AND flow = 'export' AND year = {y} "
    f"GROUP BY ALL ORDER BY SUM(value_usd) DESC LIMIT {n}").fetchall())
rows = duckdb.sql(f"""SELECT partner, year, product, SUM(value_usd) * 0.001 FROM {src}
    WHERE reporter = '{r}' AND flow = 'export' AND product IN ({top('product', 20)})
    AND partner IN ({top('partner', 30)}) GROUP BY ALL ORDER BY ALL""").fetchall()
with open(out, "w") as f:
    f.write("country,year,hs6,sales\n")
    f.writelines(f"{p},{y},{k},{v:.2f}\n" for p, y, k, v in rows)
PY
find "$dataset_dir" -name '*.parquet' -exec cat {} + > /dev/null   # page cache
E=("$bin" --quiet --store "$store" --format json)
for i in $(seq "$repeat"); do
  measure diversification entrepot "${E[@]}" diversification "$r" --dataset "$dataset"
  measure diversification duckdb "$py" "$here/analyses_duckdb.py" "$dataset_dir" diversification "$r" "$g" "$y0" "$y1"
  measure decompose entrepot "${E[@]}" decompose "$r" --from "$y0" --to "$y1" --dataset "$dataset"
  measure decompose duckdb "$py" "$here/analyses_duckdb.py" "$dataset_dir" decompose "$r" "$g" "$y0" "$y1"
  measure dependence entrepot "${E[@]}" dependence "$r" "$g" --dataset "$dataset"
  measure dependence duckdb "$py" "$here/analyses_duckdb.py" "$dataset_dir" dependence "$r" "$g" "$y0" "$y1"
  measure reroute entrepot "${E[@]}" reroute "$r" "$g" --after "$y0" --to "$y1" --dataset "$dataset"
  measure reroute duckdb "$py" "$here/analyses_duckdb.py" "$dataset_dir" reroute "$r" "$g" "$y0" "$y1"
  measure exposure entrepot "${E[@]}" exposure "$sales" --firm-country "$r" --dataset "$dataset" \
    --map partner=country,year=year,product=hs6,value=sales,hs_revision=HS2017
  measure exposure duckdb "$py" "$here/analyses_duckdb.py" "$dataset_dir" exposure "$r" "$g" "$y0" "$y1" "$sales"
  # world shares and RCA of every exporter x HS6 product of the last year (target: 30 s, 2 GB)
  measure edge entrepot "${E[@]}" edge "$r" --from "$y1" --to "$y1" --dataset "$dataset"
  measure edge duckdb "$py" "$here/analyses_duckdb.py" "$dataset_dir" edge "$r" "$g" "$y0" "$y1"
  # RCA and world share of every exporter x HS6 cell of the last year, then ECI, PCI,
  # density, COI and COG from them, written as CSV tables (target: 30 s, 2 GB);
  # DuckDB computes the RCA and the shares only
  measure complexity entrepot "${E[@]}" complexity --year "$y1" --dataset "$dataset" --tables "$work/complexity"
  measure complexity duckdb "$py" "$here/analyses_duckdb.py" "$dataset_dir" complexity "$r" "$g" "$y0" "$y1"
done

echo "== summary (best of $repeat; seconds, peak RSS MiB)"
"$py" - "$results" <<'PY'
import sys
best, queries = {}, {}
for line in open(sys.argv[1]):
    c, tool, t, m, q = line.split()
    k = (c, tool)
    if k not in best or float(t) < best[k][0]:
        best[k] = (float(t), int(m))
    if q != "-":
        queries[k] = min(queries.get(k, float("inf")), float(q))
print(f"{'command':<17}{'entrepot s':>11}{'MiB':>7}{'duckdb s':>10}{'MiB':>7}{'time ratio':>12}"
      f"{'memory ratio':>14}{'duckdb queries s':>18}")
for c in dict.fromkeys(k[0] for k in best):
    (et, em), (dt, dm) = best[(c, "entrepot")], best[(c, "duckdb")]
    dq = queries.get((c, "duckdb"), float("nan"))
    print(f"{c:<17}{et:>11.2f}{em:>7}{dt:>10.2f}{dm:>7}{et / dt:>12.2f}{em / dm:>14.2f}{dq:>18.2f}")
print("times: wall time of each process (entrepot: the whole report; duckdb: Python, DuckDB and")
print("the queries); 'duckdb queries': the queries alone, in process. Ratios: entrepot / duckdb.")
PY
