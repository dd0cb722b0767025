#!/usr/bin/env bash
# Benchmark: ingest at world scale and on a long thin panel, Entrepôt vs DuckDB, in one run.
#
#   1. WORLD: a WORLD-SHAPED SYNTHETIC BACI (random data; every BACI country code, every
#      HS 2017 six-digit product, gravity-like density, ~11M rows a year, two years),
#      written by `crates/entrepot-store/examples/world_baci.rs` (seeded, deterministic).
#   2. PANEL: the penppml panel (../shared/data/penppml_trade/trade.csv: 316,317 rows,
#      210 exporters, 53 years).
#
# For each: `entrepot ingest` (the CLI, every row validated, atomic commit) against
# DuckDB `COPY (SELECT * FROM read_csv(...)) TO '...' (FORMAT parquet)` of the same
# files, with wall time, peak RSS (/usr/bin/time) and Parquet file counts, and the
# ratio. Not a test; not run by CI. Needs the shared data (../shared/data or
# $ENTREPOT_SHARED_DATA), ~2 GB of disk under $BENCH_DIR and PyPI for DuckDB.
#
# Usage: bench/world/run.sh
#   ROWS_PER_YEAR=11000000   rows a synthetic year (about)
#   PROFILE=bench-fast       cargo profile of the binaries (bench-fast: release code
#                            generation without LTO, see the root Cargo.toml; or release)
#   REPEAT=1                 runs of each tool on each shape
#   BENCH_DIR=bench/.data/world   where the data and stores go (ignored by git)
#
# The world store is left in $BENCH_DIR/store (dataset `world`, years 2021 and 2022);
# `SYNTHETIC_WORLD_SUMMARY.txt` next to the CSVs names its largest exporter and a small
# one. The briefs are then timed against DuckDB aggregates (bench/world/brief.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${ENTREPOT_SHARED_DATA:-$root/../shared/data}
work=${BENCH_DIR:-$root/bench/.data/world}
rows=${ROWS_PER_YEAR:-11000000}
profile=${PROFILE:-bench-fast}
repeat=${REPEAT:-1}
years=(2021 2022)
mkdir -p "$work"
work=$(cd "$work" && pwd)

bash "$root/bench/setup_venv.sh" duckdb
py="$root/bench/.venv/bin/python"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}
(cd "$root" && cargo build -q --profile "$profile" -p entrepot-cli --bin entrepot \
  && cargo build -q --profile "$profile" -p entrepot-store --example world_baci)
bin="$CARGO_TARGET_DIR/$profile/entrepot"
gen="$CARGO_TARGET_DIR/$profile/examples/world_baci"
echo "binaries: cargo profile '$profile' ($bin)"

# --- data -------------------------------------------------------------------------
data="$work/synthetic_world_${rows}"
world_csvs=()
for y in "${years[@]}"; do world_csvs+=("$data/BACI_HS17_Y${y}_SYNTHETIC_WORLD.csv"); done
if [ ! -f "$data/SYNTHETIC_WORLD_SUMMARY.txt" ]; then
  echo "generating the SYNTHETIC world BACI in $data ..."
  "$gen" "$data" --rows-per-year "$rows" --years "$(IFS=,; echo "${years[*]}")" \
    --countries "$shared/baci_hs17_2020_zaf_afg_exports/country_codes_V202201.csv"
fi
cat "$data/SYNTHETIC_WORLD_SUMMARY.txt"
panel="$shared/penppml_trade/trade.csv"

# --- measuring --------------------------------------------------------------------
# Runs a command, appends "label seconds peak_MiB files" to $work/results.txt.
results="$work/results.txt"
: > "$results"
measure() { # label output_dir command...
  local label=$1 out_dir=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >"$work/cmd.log" 2>&1 \
    || { cat "$work/cmd.log" >&2; echo "FAILED: $label" >&2; exit 1; }
  local t m files
  read -r t m < "$work/time.txt"
  files=$(find "$out_dir" -name '*.parquet' 2>/dev/null | wc -l)
  printf '%s %s %s %s\n' "$label" "$t" "$(( m / 1024 ))" "$files" >> "$results"
  printf '  %-28s %8.2f s %8d MiB %6d files\n' "$label" "$t" "$(( m / 1024 ))" "$files"
}

# DuckDB's COPY to Parquet: argv[1] the output file, argv[2] the arguments of read_csv.
duck_copy='
import duckdb, sys
duckdb.connect().execute(f"COPY (SELECT * FROM read_csv({sys.argv[2]})) TO {sys.argv[1]!r} (FORMAT parquet)")
'

world_list=$(printf "'%s'," "${world_csvs[@]}")
world_args="[${world_list%,}], header=true, columns={'t':'INTEGER','i':'INTEGER','j':'INTEGER','k':'VARCHAR','v':'DOUBLE','q':'DOUBLE'}"

echo "== WORLD: two SYNTHETIC BACI years ($(du -ch "${world_csvs[@]}" | tail -1 | cut -f1) of CSV)"
cat "${world_csvs[@]}" > /dev/null   # page cache
for r in $(seq "$repeat"); do
  rm -rf "$work/store" "$work/duck_world"; mkdir -p "$work/duck_world"
  measure "world entrepot #$r" "$work/store" \
    "$bin" --quiet --store "$work/store" ingest "${world_csvs[@]}" --dataset world --from baci
  measure "world duckdb #$r" "$work/duck_world" \
    "$py" -c "$duck_copy" "$work/duck_world/world.parquet" "$world_args"
done

echo "== PANEL: penppml ($(du -h "$panel" | cut -f1) of CSV)"
cat "$panel" > /dev/null
for r in $(seq "$repeat"); do
  rm -rf "$work/panel_store" "$work/duck_panel"; mkdir -p "$work/duck_panel"
  measure "panel entrepot #$r" "$work/panel_store" \
    "$bin" --quiet --store "$work/panel_store" ingest "$panel" --dataset penppml \
    --map reporter=exp,partner=imp,period=time,value=export,flow=export
  measure "panel duckdb #$r" "$work/duck_panel" \
    "$py" -c "$duck_copy" "$work/duck_panel/panel.parquet" "'$panel'"
done

# --- brief timings -----------------------------------------------------------------
# `entrepot brief` on the world store (largest and a small exporter of the summary)
# against DuckDB computing the same aggregates: bench/world/brief.sh.
time_briefs() {
  local largest small
  largest=$(grep -o 'largest_exporter=[A-Z]*' "$data/SYNTHETIC_WORLD_SUMMARY.txt" | tail -1 | cut -d= -f2)
  small=$(grep -o 'small_exporter=[A-Z]*' "$data/SYNTHETIC_WORLD_SUMMARY.txt" | tail -1 | cut -d= -f2)
  echo "== BRIEF on the world store: $largest (largest exporter) and $small (a small one)"
  REPEAT=$repeat ENTREPOT_BIN=$bin REPORTERS="$largest $small" \
    bash "$here/brief.sh" "$work/store" world
}
time_briefs

# --- summary ----------------------------------------------------------------------
echo "== summary (best of $repeat; times in s, peak RSS in MiB)"
"$py" - "$results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
best = {}
for shape, tool, _, t, m, files in rows:
    k = (shape, tool)
    if k not in best or float(t) < best[k][0]:
        best[k] = (float(t), int(m), int(files))
print(f"{'shape':<7}{'tool':<10}{'seconds':>9}{'peak MiB':>10}{'files':>7}")
for (shape, tool), (t, m, f) in sorted(best.items()):
    print(f"{shape:<7}{tool:<10}{t:>9.2f}{m:>10}{f:>7}")
for shape in sorted({s for s, _ in best}):
    e, d = best.get((shape, "entrepot")), best.get((shape, "duckdb"))
    if e and d:
        print(f"{shape}: entrepot/duckdb time {e[0] / d[0]:.2f}, peak memory {e[1] / d[1]:.2f}")
PY
