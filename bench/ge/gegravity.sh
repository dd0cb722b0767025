#!/usr/bin/env bash
# Benchmark (NOT a test): `entrepot scenario run` against the gegravity Python package
# (PyPI, OneSectorGE) on the same GE scenario, in one run: a PTA switched on between two
# countries, sigma 5, trade costs exp(b'x) over lndist, contiguity, common_language, pta,
# international (b from Entrepot's PPML with exporter and importer fixed effects, given to
# gegravity), output and expenditure = row and column sums of the flows.
#
#   bench/ge/gegravity.sh [N]        # N: countries of the synthetic economy (default 150)
#
# Cases:
#   1. gegravity's own sample (../shared/data/gegravity_sample: 30 countries, CAN-JPN PTA);
#   2. a SYNTHETIC economy of N countries (random data written by bench/ge/gen_economy.py,
#      seed 42, domestic flows included; C001-C002 PTA).
# Times are wall seconds of the whole process (/usr/bin/time), peak memory its peak RSS.
# Entrepot's process also reads the CSV and fits the PPML (the [estimate] of a fitted
# baseline) and solves the conditional and full GE; gegravity's process imports pandas and
# scipy, reads the CSV and solves; its solve time alone (build_baseline + define_experiment
# + simulate) is shown too. gegravity's full GE is not the full endowment equilibrium (one
# step; see validation/ge_gegravity_check.py), so the two do not compute the same thing
# there; the ratio is of wall times. gegravity runs under a limit of GG_TIMEOUT seconds
# (default 1200); past it only Entrepot's time is given.
#
# Entrepot binary: $ENTREPOT_BIN if set, else $CARGO_TARGET_DIR/bench-fast/entrepot, else
# release/entrepot, else debug/entrepot (CARGO_TARGET_DIR default ~/.cache/entrepot-target);
# the profile used is printed. Nothing is built here (build one with
# `cargo build --profile bench-fast -p entrepot-cli`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${ENTREPOT_SHARED_DATA:-$root/../shared/data}
n=${1:-150}
gg_timeout=${GG_TIMEOUT:-1200}
work=${BENCH_DIR:-$root/bench/.data/ge}
mkdir -p "$work"
work=$(cd "$work" && pwd)
target=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}

if [ -n "${ENTREPOT_BIN:-}" ]; then
  bin=$ENTREPOT_BIN; profile="${ENTREPOT_PROFILE:-unknown} (ENTREPOT_BIN)"
else
  bin=""
  for p in bench-fast release debug; do
    if [ -x "$target/$p/entrepot" ]; then bin="$target/$p/entrepot"; profile=$p; break; fi
  done
  [ -n "$bin" ] || { echo "no entrepot binary under $target (bench-fast, release, debug); set ENTREPOT_BIN" >&2; exit 1; }
fi
echo "entrepot: $bin, cargo profile: $profile"
case $profile in debug*) echo "  (debug: unoptimised except the GE kernel, entrepot-ge, at opt-level 3)" ;; esac

bash "$root/bench/setup_venv.sh" gegravity pandas
py="$root/bench/.venv/bin/python"
echo "gegravity $("$py" -c 'import importlib.metadata as m; print(m.version("gegravity"))'), $("$py" --version)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"

results="$work/results.txt"
: > "$results"
run_case() { # name csv A B
  local name=$1 csv=$2 a=$3 b=$4
  local fml="trade ~ lndist + contiguity + common_language + pta + international | exporter + importer"
  "$bin" --quiet --format csv gravity fit --data "$csv" --formula "$fml" > "$work/$name.coef.csv"
  local pta
  pta=$(awk -F, '$1 == "pta" {print $2}' "$work/$name.coef.csv")
  cat > "$work/$name.toml" <<EOF
title = "$name: PTA $a-$b (benchmark)"
[data]
file = "$csv"
[elasticity]
theta = 4
[estimate]
formula = "$fml"
[model]
baseline = "fitted"
deficits = "multiplicative"
numeraire = "inward_resistance"
solver = "hat"
[uncertainty]
draws = 0
[[shock]]
type = "agreement"
members = ["$a", "$b"]
variable = "pta"
active = true
coefficient = $pta
EOF
  echo "== $name"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" --quiet --format json scenario run "$work/$name.toml" > "$work/$name.entrepot.json"
  read -r et em < "$work/time.txt"
  local ew
  ew=$("$py" - "$work/$name.entrepot.json" "$a" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = [b for s in d["sections"] for b in s["blocks"] if b.get("id") == "countries"][0]
k = [c["label"] for c in b["columns"]].index("Welfare")
print([r["cells"][k]["value"] for r in b["rows"] if r["cells"][0]["text"] == sys.argv[2]][0])
PY
)
  printf '  %-10s %9.2f s %8d MiB   welfare %s %+.5f%%\n' entrepot "$et" $((em / 1024)) "$a" "$ew"
  local gt="-" gm="-" gs="-" gw="-"
  if /usr/bin/time -f "%e %M" -o "$work/time.txt" timeout "$gg_timeout" \
      "$py" "$here/bench_gegravity.py" "$csv" "$work/$name.coef.csv" "$a" "$b" > "$work/$name.gegravity.json" 2> "$work/$name.gegravity.err"; then
    read -r gt gm < "$work/time.txt"; gm=$((gm / 1024))
    gs=$("$py" -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["solve_s"])' "$work/$name.gegravity.json")
    gw=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%+.5f" % d["welfare_pct"][sys.argv[2]])' "$work/$name.gegravity.json" "$a")
    printf '  %-10s %9.2f s %8d MiB   welfare %s %s%% (one-step full GE); solve alone %s s\n' gegravity "$gt" "$gm" "$a" "$gw" "$gs"
    printf '  ratio      gegravity / entrepot wall time: %.1fx (solve alone: %.1fx)\n' \
      "$(echo "$gt / $et" | bc -l)" "$(echo "$gs / $et" | bc -l)"
  else
    echo "  gegravity  did not finish within ${gg_timeout} s (or failed: $(tail -1 "$work/$name.gegravity.err"))"
  fi
  echo "$name $et $em $gt $gm $gs" >> "$results"
}

run_case gegravity_sample "$shared/gegravity_sample/sample_data_set.csv" CAN JPN
syn="$work/SYNTHETIC_economy_${n}.csv"
[ -f "$syn" ] || "$py" "$here/gen_economy.py" "$n" "$syn" 42
run_case "synthetic_$n" "$syn" C001 C002
echo "(results in $results: case, entrepot s, KiB, gegravity s, MiB, gegravity solve s)"
