#!/usr/bin/env bash
# Benchmark (NOT a test): `entrepot complexity --data` against the ecomplexity Python
# package (Harvard Growth Lab, PyPI) on the same SYNTHETIC matrix, in one run.
#
#   bench/complexity/ecomplexity.sh [COUNTRIES] [PRODUCTS]   # default 150 x 2000
#
# The matrix is written by bench/complexity/gen_matrix.py (seed 20240611): a long CSV
# (country, product, year, value). Both sides compute RCA, presence, diversity,
# ubiquity, ECI, PCI, proximity, density, COI and COG for every cell (equal to 1e-6:
# validation/complexity_check.py). Times are wall seconds of the whole process
# (/usr/bin/time: reading the CSV included; Entrepot also renders its report), peak
# memory its peak RSS; ecomplexity's compute time alone (without Python start-up and
# the CSV read) is shown too. ecomplexity runs with check_logsupermodularity=False (a
# diagnostic Entrepot does not compute; it changes no figure).
#
# Entrepot binary: $ENTREPOT_BIN if set, else $CARGO_TARGET_DIR/bench-fast/entrepot, else
# release/entrepot, else debug/entrepot (CARGO_TARGET_DIR default ~/.cache/entrepot-target);
# the profile used is printed. Nothing is built here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
nc=${1:-150}
np=${2:-2000}
work=${BENCH_DIR:-$root/bench/.data/complexity}
mkdir -p "$work"
target=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}
if [ -n "${ENTREPOT_BIN:-}" ]; then
  bin=$ENTREPOT_BIN; profile="unknown (ENTREPOT_BIN)"
else
  bin=""
  for p in bench-fast release debug; do
    if [ -x "$target/$p/entrepot" ]; then bin="$target/$p/entrepot"; profile=$p; break; fi
  done
  [ -n "$bin" ] || { echo "no entrepot binary under $target (bench-fast, release, debug); set ENTREPOT_BIN" >&2; exit 1; }
fi
echo "entrepot: $bin, cargo profile: $profile"
case $profile in debug*) echo "  (debug: unoptimised except the kernel, entrepot-complexity, and csv-core at opt-level 3)" ;; esac
bash "$root/bench/setup_venv.sh" ecomplexity pandas
py="$root/bench/.venv/bin/python"
echo "ecomplexity $("$py" -c 'import importlib.metadata as m; print(m.version("ecomplexity"))'), $("$py" --version)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
csv="$work/matrix_${nc}x${np}.csv"
"$py" "$here/gen_matrix.py" "$csv" "$nc" "$np"

/usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" --quiet complexity --data "$csv" > "$work/entrepot.txt"
read -r et em < "$work/time.txt"
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" --quiet complexity --data "$csv" --tables "$work/tables" > /dev/null
read -r tt tm < "$work/time.txt"
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$py" "$here/bench_ecomplexity.py" "$csv" > "$work/eco.txt"
read -r gt gm < "$work/time.txt"
gs=$(tail -1 "$work/eco.txt")
printf '%-34s %9s %9s\n' "" "wall s" "peak MiB"
printf '%-34s %9.2f %9d\n' "entrepot complexity (report)" "$et" $((em / 1024))
printf '%-34s %9.2f %9d\n' "entrepot complexity --tables" "$tt" $((tm / 1024))
printf '%-34s %9.2f %9d\n' "ecomplexity (process)" "$gt" $((gm / 1024))
printf '%-34s %9.2f %9s\n' "ecomplexity (compute alone)" "$gs" "-"
awk -v e="$et" -v g="$gt" -v s="$gs" 'BEGIN { printf "ratio (ecomplexity process / entrepot): %.0fx; ecomplexity compute alone / entrepot process: %.0fx\n", g / e, s / e }'
