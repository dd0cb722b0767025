#!/usr/bin/env bash
# Benchmark: CSV -> Parquet ingest of a 10M-row SYNTHETIC BACI-shaped file.
# Entrepôt (`entrepot ingest`, release build) vs DuckDB
# `COPY (SELECT * FROM read_csv(...)) TO '...' (FORMAT parquet)`, same file, one run.
# Prints wall time, peak RSS and the ratio. Not a test; not run by CI.
#
# Usage: bench/ingest/run.sh [N_ROWS]   (default 10000000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-10000000}
shared=${ENTREPOT_SHARED_DATA:-$root/../shared/data}
src="$shared/baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv"
work=${BENCH_DIR:-$root/bench/out/ingest}
mkdir -p "$work"
bash "$root/bench/setup_venv.sh" duckdb
py="$root/bench/.venv/bin/python"
csvfile="$work/baci_synthetic_${n}.csv"
[ -f "$csvfile" ] || "$py" "$here/gen_baci.py" "$src" "$csvfile" "$n"
echo "input: $csvfile ($(du -h "$csvfile" | cut -f1), SYNTHETIC resample of the real BACI extract)"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}
# The same ingest path as `entrepot ingest` (readers + store), without DataFusion,
# so that the release build stays short.
(cd "$root" && cargo build --release -q -p entrepot-store --example ingest_files)
bin="$CARGO_TARGET_DIR/release/examples/ingest_files"

timeit() { /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null; cat "$work/time.txt"; }

# warm the page cache
cat "$csvfile" >/dev/null

rm -rf "$work/store" "$work/duck.parquet"
read -r e_t e_m < <(timeit "$bin" "$work/store" bench --from baci --hs HS2017 "$csvfile")
read -r d_t d_m < <(timeit "$py" -c "
import duckdb,sys
con=duckdb.connect()
con.execute(\"COPY (SELECT * FROM read_csv('$csvfile', header=true, columns={'t':'INTEGER','i':'INTEGER','j':'INTEGER','k':'VARCHAR','v':'DOUBLE','q':'DOUBLE'})) TO '$work/duck.parquet' (FORMAT parquet)\")
")
printf '%-10s %10s %14s\n' tool seconds peak_rss_MiB
printf '%-10s %10.2f %14.0f\n' entrepot "$e_t" "$(echo "$e_m/1024" | bc -l)"
printf '%-10s %10.2f %14.0f\n' duckdb "$d_t" "$(echo "$d_m/1024" | bc -l)"
echo "ratio entrepot/duckdb time: $(echo "$e_t/$d_t" | bc -l | cut -c1-5)"
