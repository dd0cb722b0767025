#!/usr/bin/env bash
# End-to-end validation suite: runs the `entrepot` CLI on the real datasets in
# ../shared/data (or $ENTREPOT_SHARED_DATA) and checks published or known figures.
# Exits non-zero on the first failed check. Called by .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${ENTREPOT_SHARED_DATA:-$root/../shared/data}
[ -d "$shared" ] || { echo "FAIL: shared data not found at $shared" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}
export NO_COLOR=1
(cd "$root" && cargo build -q -p entrepot-cli)
E="$CARGO_TARGET_DIR/debug/entrepot"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
S="$work/store"
pass=0; fail=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then pass=$((pass+1)); echo "ok   $1 = $3";
  else fail=$((fail+1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}
q() { "$E" --quiet --store "$S" --format csv sql "$1" | tail -n +2 | head -1; }

echo "== BACI HS17 extract"
baci="$shared/baci_hs17_2020_zaf_afg_exports"
"$E" --quiet --store "$S" ingest "$baci/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv" \
  --dataset baci --countries "$baci/country_codes_V202201.csv" >/dev/null
check "baci rows" 72097 "$(q "SELECT COUNT(*) FROM baci")"
check "baci India as IND (partner code 699)" 1 "$(q "SELECT CAST(COUNT(*) > 0 AS INT) FROM baci WHERE partner='IND'")"
check "baci ZAF->CHN 2020 bn USD" 7.91 "$(q "SELECT ROUND(SUM(value_usd)/1e9, 2) FROM baci WHERE reporter='ZAF' AND partner='CHN' AND year=2020")"

echo "== penppml Comtrade panel"
"$E" --quiet --store "$S" ingest "$shared/penppml_trade/trade.csv" --dataset penppml \
  --map reporter=exp,partner=imp,period=time,value=export,flow=export >/dev/null
check "penppml rows" 316317 "$(q "SELECT COUNT(*) FROM penppml")"
check "penppml CHN->USA 2016 bn USD" 384.92 "$(q "SELECT ROUND(SUM(value_usd)/1e9, 2) FROM flows WHERE dataset='penppml' AND reporter='CHN' AND partner='USA' AND year=2016")"

echo "== the store read without Entrepot (DuckDB, polars, pandas from PyPI)"
if bash "$root/bench/setup_venv.sh" duckdb polars pandas pyarrow >/dev/null 2>&1; then
  "$root/bench/.venv/bin/python" "$root/validation/read_store.py" "$S" penppml > "$work/readers.txt" || true
  for tool in duckdb polars pandas; do
    check "$tool reads CHN->USA 2016 bn USD" 384.92 "$(awk -v t=$tool '$1 == t {print $2}' "$work/readers.txt")"
  done
else
  fail=$((fail+1)); echo "FAIL could not install duckdb/polars/pandas from PyPI"
fi

echo "== release brief on BACI: imports as mirror figures (flow cube)"
# BACI holds each flow once, on the exporter's side: AFG's imports from ZAF are ZAF's
# reported exports to AFG, and the brief says they are mirror figures.
"$E" --quiet --store "$S" --format json brief AFG --period 2020 --dataset baci > "$work/brief_afg.json"
"$E" --quiet --store "$S" --format json brief ZAF --period 2020 --dataset baci > "$work/brief_zaf.json"
"$E" --quiet --store "$S" --format json brief ZAF --period 2020 --dataset baci --partners AFG > "$work/brief_zaf_afg.json"
brief_value() { # file flow partner -> value in USD (rounded)
  python3 - "$@" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
t = [t for t in b["partner_tables"] if t["flow"] == sys.argv[2]][0]
print(round([r for r in t["rows"] if r["code"] == sys.argv[3]][0]["value"]["value"] * 1e9))
PY
}
zaf_to_afg=$(q "SELECT CAST(ROUND(SUM(value_usd)) AS BIGINT) FROM baci WHERE reporter='ZAF' AND partner='AFG' AND year=2020")
check "ZAF reported exports to AFG 2020 (USD)" 461724 "$zaf_to_afg"
check "AFG brief: 2020 imports from ZAF (mirror) = ZAF's reported exports" "$zaf_to_afg" "$(brief_value "$work/brief_afg.json" import ZAF)"
check "ZAF brief: 2020 exports to AFG" "$zaf_to_afg" "$(brief_value "$work/brief_zaf_afg.json" export AFG)"
check "AFG brief labels its imports as mirror figures" 1 "$(python3 -c "import json,sys; print(int('imports of AFG are mirror figures' in json.load(open(sys.argv[1]))['data_basis']['label']))" "$work/brief_afg.json")"
check "ZAF brief: largest export partner CHN bn USD" 7.91 "$(python3 -c "import json,sys; t=[t for t in json.load(open(sys.argv[1]))['partner_tables'] if t['flow']=='export'][0]; print(round([r for r in t['rows'] if r['code']=='CHN'][0]['value']['value'], 2))" "$work/brief_zaf.json")"

# DuckDB on the raw BACI CSV (not the store): every partner value (countries, groups,
# rest of world, totals) of the ZAF and AFG briefs.
"$root/bench/.venv/bin/python" "$root/validation/brief_mirror.py" "$baci" \
  "$root/crates/entrepot-core/data" "$work/brief_zaf.json" "$work/brief_afg.json" > "$work/brief_mirror.txt" || true
cat "$work/brief_mirror.txt"
check "duckdb agrees on every partner value of the ZAF and AFG 2020 briefs" "0 mismatches" \
  "$(awk '/^checked/ {print $(NF-1), $NF}' "$work/brief_mirror.txt")"

echo "== idempotent re-ingest"
before=$(q "SELECT COUNT(*) FROM penppml")
"$E" --quiet --store "$S" ingest "$shared/penppml_trade/trade.csv" --dataset penppml \
  --map reporter=exp,partner=imp,period=time,value=export,flow=export >/dev/null
check "penppml rows after re-ingest" "$before" "$(q "SELECT COUNT(*) FROM penppml")"

echo "== bad input leaves the store unchanged"
snap() { (cd "$S" && find . -type f ! -name '.lock' -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
h1=$(snap)
printf 't,i,j,k,v,q\n2020,710,156,850760,12.5,1.0\n2020,710,999,850760,3.0,\n' > "$work/bad.csv"
set +e; "$E" --quiet --store "$S" ingest "$work/bad.csv" --dataset bad --from baci --hs HS2017 2> "$work/err.txt"; rc=$?; set -e
check "bad input exit code" 3 "$rc"
check "bad input message names the line" 1 "$(grep -c 'bad.csv:3' "$work/err.txt" || true)"
check "store unchanged after bad input" "$h1" "$(snap)"

echo "== release brief, embedded sample"
mkdir -p "$work/empty"  # an empty directory is an empty store (a missing one is an error)
"$E" --quiet --store "$work/empty" brief > "$work/brief.txt"
for s in "330.3" "+5.9%" "+1.9%" "111.68" "-28.6%" "+14.8%" "+14.3%" "+8.2%" "+8.4%" "+28.2%" "+14.1%"; do
  check "sample brief shows $s" 1 "$(grep -cF -- "$s" "$work/brief.txt" | awk '{print ($1>0)?1:0}')"
done
check "sample brief flags the first \$1tn surplus" 1 "$(grep -ciE 'first time' "$work/brief.txt" | awk '{print ($1>0)?1:0}')"

echo "== release brief, penppml 2016 (computed from flows)"
"$E" --quiet --store "$S" --format json brief CHN --period 2016 --dataset penppml > "$work/brief.json"
python3 - "$work/brief.json" <<'PY' > "$work/brief_checks.txt"
import json, sys
b = json.load(open(sys.argv[1]))
t = [t for t in b["partner_tables"] if t["flow"] == "export"][0]
rows = [r for r in t["rows"] if r["in_partition"]]
print("shares", round(sum(r["share_pct"]["value"] for r in rows), 6))
us = [r for r in t["rows"] if r["code"] == "USA"][0]
print("usa", round(us["value"]["value"], 2))
print("identity", t["identity"]["status"] if isinstance(t["identity"], dict) else t["identity"])
PY
check "penppml brief partner shares sum" 100.0 "$(awk '/^shares/{print $2}' "$work/brief_checks.txt")"
check "penppml brief USA bn" 384.92 "$(awk '/^usa/{print $2}' "$work/brief_checks.txt")"
check "penppml brief contribution identity" ok "$(awk '/^identity/{print $2}' "$work/brief_checks.txt")"

echo "== gravity: Yotov et al. (2016) Table 1 col. 4"
"$E" --quiet --format csv gravity fit --data "$shared/yotov_agtpa/agtpa_applications.csv" \
  --formula "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year" \
  --filter "exporter != importer" --filter "year in 1986,1990,1994,1998,2002,2006" \
  --vcov cluster --cluster pair_id --ssc stata > "$work/grav.csv"
check "PPML ln DIST" "-0.841 (0.032)" "$(awk -F, '$1 == "log(dist)" {printf "%.3f (%.3f)", $2, $3}' "$work/grav.csv")"
check "PPML CNTG" "0.437 (0.083)" "$(awk -F, '$1 == "cntg" {printf "%.3f (%.3f)", $2, $3}' "$work/grav.csv")"
check "PPML LANG" "0.247 (0.077)" "$(awk -F, '$1 == "lang" {printf "%.3f (%.3f)", $2, $3}' "$work/grav.csv")"
check "PPML CLNY" "-0.222 (0.116)" "$(awk -F, '$1 == "clny" {printf "%.3f (%.3f)", $2, $3}' "$work/grav.csv")"
check "PPML N" 28152 "$(awk -F, '$1 == "clny" {print $6}' "$work/grav.csv")"

echo "== gravity: Yotov Ch.2 App.2 (NAFTA), pair + exporter-time + importer-time FE"
"$E" --quiet --format csv gravity fit --data "$shared/yotov_agtpa/agtpa_applications.csv" \
  --formula "trade ~ rta | exporter^year + importer^year + pair_id" \
  --filter "year in 1986,1990,1994,1998,2002,2006" --vcov hetero --ssc stata > "$work/nafta.csv"
check "NAFTA RTA" "0.5571853" "$(awk -F, '$1 == "rta" {printf "%.7f", $2}' "$work/nafta.csv")"
check "NAFTA N" 28482 "$(awk -F, '$1 == "rta" {print $6}' "$work/nafta.csv")"

echo "== diversification: Entrepot against pandas on the raw CSVs"
# HHI, effective number and destination/product counts of China (penppml, every year)
# and South Africa (BACI 2020, destinations and HS6 products), each equal to an
# independent pandas computation (validation/diversification_check.py) to 1e-9.
"$E" --quiet --store "$S" --format csv diversification CHN --dataset penppml > "$work/div_chn.csv"
"$E" --quiet --store "$S" --format csv diversification ZAF --dataset baci > "$work/div_zaf.csv"
"$E" --quiet --store "$S" --format csv diversification ZAF --dataset baci --across products > "$work/div_zaf_hs6.csv"
"$root/bench/.venv/bin/python" "$root/validation/diversification_check.py" "$shared" > "$work/div_pandas.txt" || true
div_cmp() { # entrepot CSV, pandas label prefix -> "N figures, M mismatches"
  python3 - "$1" "$2" "$work/div_pandas.txt" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["table"] == "indices" and r["part"] == "body"]
ref = {}
for line in open(sys.argv[3]):
    if not line.startswith(sys.argv[2] + " "):
        continue
    rest = line[len(sys.argv[2]):].split()  # [year,] key, value
    year = rest[0] if len(rest) == 3 else "*"
    ref[(year, rest[-2])] = float(rest[-1])
n = bad = 0
for r in rows:
    for key in ("units", "hhi", "effective_number"):
        want = ref.get((r["year"], key), ref.get(("*", key)))
        if want is None:
            bad += 1
            continue
        got = float(r[key])
        n += 1
        if abs(got - want) > 1e-9 * max(1.0, abs(want)):
            bad += 1
print(f"{n} figures, {bad} mismatches")
PY
}
check "CHN destinations HHI, effective number, count for every penppml year" "27 figures, 0 mismatches" "$(div_cmp "$work/div_chn.csv" "penppml CHN export destinations")"
check "ZAF 2020 destinations" "3 figures, 0 mismatches" "$(div_cmp "$work/div_zaf.csv" "baci ZAF 2020 destinations")"
check "ZAF 2020 HS6 products" "3 figures, 0 mismatches" "$(div_cmp "$work/div_zaf_hs6.csv" "baci ZAF 2020 HS6 products")"

echo "== edge: Entrepot against pandas on the raw CSV (BACI extract; world = ZAF + AFG)"
# World market shares, Balassa RCA, exports and world exports of every HS6 product of
# South Africa and Afghanistan in 2020, equal to an independent pandas computation
# (validation/edge_check.py) to 1e-9; the two exporters' shares add up to 100 in each
# product. The extract holds two exporters, so "world" is those two on both sides.
"$E" --quiet --store "$S" --format csv edge ZAF --dataset baci > "$work/edge_zaf.csv"
"$E" --quiet --store "$S" --format csv edge AFG --dataset baci > "$work/edge_afg.csv"
"$root/bench/.venv/bin/python" "$root/validation/edge_check.py" "$shared" \
  "$work/edge_zaf.csv" "$work/edge_afg.csv" > "$work/edge_pandas.txt" || true
grep -E '^MISMATCH' "$work/edge_pandas.txt" | head -20 || true
check "edge: ZAF and AFG shares and RCA by HS6 product" "checked 29645 figures, 0 mismatches" \
  "$(grep '^checked' "$work/edge_pandas.txt")"
check "edge: the report says the extract does not cover world trade" 1 \
  "$("$E" --quiet --store "$S" edge ZAF --dataset baci --basket solar_cells | grep -c 'does not cover world trade in 2020')"

echo "== series: Entrepot against pandas on the raw CSV and the concordance tables (BACI HS17 -> HS2022)"
# South Africa's and Afghanistan's 2020 exports converted to HS 2022 codes with equal
# weights (the store holds no HS 2022 year to weigh by): every code's value equal to an
# independent pandas conversion through the MIT table plus the project's added links
# (validation/series_check.py) to 1e-9, and each total kept (values + unmapped).
for r in ZAF AFG; do
  "$E" --quiet --store "$S" --format csv series "$r" --dataset baci --hs HS2022 --weights equal > "$work/series_$r.csv"
done
"$root/bench/.venv/bin/python" "$root/validation/series_check.py" "$shared" "$root/crates/entrepot-core/data" \
  "$work/series_ZAF.csv" "$work/series_AFG.csv" > "$work/series_pandas.txt" || true
grep -E '^MISMATCH' "$work/series_pandas.txt" | head -20 || true
check "series: ZAF and AFG 2020 exports in HS2022 codes" "checked 6457 figures, 0 mismatches" \
  "$(grep '^checked' "$work/series_pandas.txt")"
check "series: trade-value weights refused without an HS2022 year" 1 \
  "$("$E" --quiet --store "$S" series ZAF --dataset baci --hs HS2022 2>&1 | grep -c 'use --weights equal')"

echo "== decompose: Entrepot against pandas on the raw CSV (penppml; the BACI extract holds one year)"
# Shift-share effects (world demand, market mix, competitiveness) and contributions by
# partner of China's exports, 2012->2016 and 2008->2012: every figure of the document
# equal to an independent pandas computation (validation/decompose_check.py) to 1e-9.
for span in 2012:2016 2008:2012; do
  a=${span%:*}; b=${span#*:}
  "$E" --quiet --store "$S" --format json decompose CHN --from "$a" --to "$b" --dataset penppml --top 1000 > "$work/dec_chn_$a.json"
  "$root/bench/.venv/bin/python" "$root/validation/decompose_check.py" "$shared" \
    "$root/crates/entrepot-core/data" CHN "$a" "$b" "$work/dec_chn_$a.json" > "$work/dec_pandas_$a.txt" || true
  check "CHN $a->$b effects and partner contributions" "0 mismatches" "$(awk '/^checked/ {print $(NF-1), $NF}' "$work/dec_pandas_$a.txt")"
done
set +e; "$E" --quiet --store "$S" decompose ZAF --from 2019 --to 2020 --dataset baci 2> "$work/dec_err.txt"; rc=$?; set -e
check "decompose on the one-year BACI extract: exit code" 4 "$rc"
check "decompose on the one-year BACI extract says what is held" 1 "$(grep -c 'holds no exports of ZAF in 2019 (held: 2020)' "$work/dec_err.txt" || true)"

echo "== reroute: Entrepot against pandas on the raw CSV (penppml)"
# China's exports to third countries against their exports to the United States,
# 2012->2016: the flagged countries, their value involved and the direct change equal
# to an independent pandas computation (validation/reroute_check.py) to 1e-9.
"$E" --quiet --store "$S" --format json reroute CHN USA --after 2012 --to 2016 --dataset penppml --top 1000 > "$work/reroute.json"
"$root/bench/.venv/bin/python" "$root/validation/reroute_check.py" "$shared" CHN USA 2012 2016 "$work/reroute.json" > "$work/reroute_pandas.txt" || true
check "CHN->third countries->USA 2012->2016" "0 mismatches" "$(awk '/^checked/ {print $(NF-1), $NF}' "$work/reroute_pandas.txt")"
echo "== dependence: Entrepot against pandas on the raw CSVs"
# AFG's dependence on ZAF (and ZAF's on AFG) per HS6 product on the BACI extract: value
# at stake and export shares; import shares absent (the extract holds two exporters, so
# neither buyer's total imports); CHN and USA on penppml every year: shares, asymmetry,
# trade intensity (absent in years that do not cover world trade). Each figure equal to
# an independent pandas computation (validation/dependence_check.py) to 1e-9.
"$E" --quiet --store "$S" --format json dependence ZAF AFG --dataset baci --top 100000 > "$work/dep_baci.json"
"$E" --quiet --store "$S" --format json dependence CHN USA --dataset penppml > "$work/dep_penppml.json"
"$root/bench/.venv/bin/python" "$root/validation/dependence_check.py" "$shared" \
  "$work/dep_baci.json" "$work/dep_penppml.json" > "$work/dep_pandas.txt" || true
grep -E '^(MISMATCH|largest)' "$work/dep_pandas.txt" | head -20 || true
check "dependence: AFG/ZAF per HS6 product (BACI) and CHN/USA every year (penppml)" "checked 314 figures, 0 mismatches" \
  "$(grep '^checked' "$work/dep_pandas.txt")"

echo "== mirror: a dataset with only the exporters' side"
set +e; "$E" --quiet --store "$S" mirror ZAF AFG --dataset baci > /dev/null 2> "$work/mirror_err.txt"; rc=$?; set -e
check "mirror on BACI alone: exit code" 4 "$rc"
check "mirror on BACI alone says why" 1 "$(grep -c 'holds no reported imports at all' "$work/mirror_err.txt" || true)"

echo "== exposure: a firm's sales against pandas on the raw CSVs"
# A firm in DEU selling to five destinations and at home, 2012 and 2016 (totals, on the
# penppml panel, which covers world trade), and one in ZAF selling HS6 and HS4 products
# in 2020 (on the BACI extract, whose two exporters do not): concentration, growth
# contributions, imports and market shares (absent at home and on the extract) equal
# to an independent pandas computation (validation/exposure_check.py) to 1e-9.
cat > "$work/pen_firm.csv" <<'CSV'
dest,year,value
FRA,2012,12500000
USA,2012,8000000
CHN,2012,3000000
JPN,2012,1500000
DEU,2012,20000000
FRA,2016,11000000
USA,2016,14000000
CHN,2016,9000000
BRA,2016,2000000
DEU,2016,21000000
CSV
cat > "$work/baci_firm.csv" <<'CSV'
dest,year,hs,value
NLD,2020,080510,20000000
RUS,2020,080510,4000000
SAU,2020,080510,1500000
ZAF,2020,080510,3000000
KOR,2020,2601,50000000
JPN,2020,2601,30000000
NLD,2020,2601,5000000
CHN,2020,2601,120000000
CSV
"$E" --quiet --store "$S" --format json exposure "$work/pen_firm.csv" --firm-country DEU \
  --map partner=dest,year=year,value=value --dataset penppml > "$work/exp_pen.json"
"$E" --quiet --store "$S" --format json exposure "$work/baci_firm.csv" --firm-country ZAF \
  --map partner=dest,year=year,product=hs,value=value,hs_revision=HS2017 --dataset baci --top 1000 > "$work/exp_baci.json"
"$root/bench/.venv/bin/python" "$root/validation/exposure_check.py" "$shared" \
  "$work/pen_firm.csv" "$work/exp_pen.json" "$work/baci_firm.csv" "$work/exp_baci.json" > "$work/exp_pandas.txt" || true
grep -E '^MISMATCH' "$work/exp_pandas.txt" | head -20 || true
check "exposure: DEU firm on penppml, ZAF firm on BACI" "checked 81 figures, 0 mismatches" \
  "$(grep '^checked' "$work/exp_pandas.txt")"

echo "== GE scenario against gegravity (PyPI) on gegravity's own sample"
# A CAN-JPN PTA (gegravity's example; sigma 5, DEU reference, multiplicative deficits):
# cost change and conditional GE equal to gegravity's; gegravity's full GE shown to be
# one step (not the equilibrium); Entrepot's full GE equal to an independent numpy
# equilibrium (validation/ge_gegravity_check.py).
if bash "$root/bench/setup_venv.sh" gegravity pandas >/dev/null 2>&1; then
  "$root/bench/.venv/bin/python" "$root/validation/ge_gegravity_check.py" "$shared" "$E" "$work" \
    > "$work/gegravity.txt" 2> "$work/gegravity_err.txt" || true
  cat "$work/gegravity.txt"
  check "gegravity comparison" "checked: 0 failed" "$(grep '^checked' "$work/gegravity.txt" || tail -1 "$work/gegravity_err.txt")"
else
  fail=$((fail+1)); echo "FAIL could not install gegravity from PyPI (bash bench/setup_venv.sh gegravity)"
fi

echo "== GE scenario: Zylkin's ge_gravity example (EU enlargements, WIOD 2000, theta 4)"
# 3-way PPML coefficient as published (0.224249), the 572 new EU pairs, both deficit
# treatments, the GEGravity vignette's published results (validation/ge_wiod_eu_check.py).
"$root/bench/.venv/bin/python" "$root/validation/ge_wiod_eu_check.py" "$shared" "$E" "$work" \
  > "$work/wiod_eu.txt" 2> "$work/wiod_eu_err.txt" || true
cat "$work/wiod_eu.txt"
check "ge_gravity WIOD EU enlargement example" "checked: 0 failed" "$(grep '^checked' "$work/wiod_eu.txt" || tail -1 "$work/wiod_eu_err.txt")"

echo "== economic complexity against ecomplexity (PyPI) on a SYNTHETIC 150 x 2,000 matrix"
# ECI, PCI, COI (per country / product), density and COG (per cell) equal to the
# ecomplexity package's to 1e-6 on bench/complexity/gen_matrix.py's matrix (seed
# 20240611), both on the same CSV (validation/complexity_check.py).
if bash "$root/bench/setup_venv.sh" ecomplexity pandas >/dev/null 2>&1; then
  "$root/bench/.venv/bin/python" "$root/validation/complexity_check.py" "$E" "$work" \
    > "$work/complexity.txt" 2> "$work/complexity_err.txt" || true
  cat "$work/complexity.txt"
  check "ecomplexity comparison" "checked: 0 failed" "$(grep '^checked' "$work/complexity.txt" || tail -1 "$work/complexity_err.txt")"
else
  fail=$((fail+1)); echo "FAIL could not install ecomplexity from PyPI (bash bench/setup_venv.sh ecomplexity pandas)"
fi

echo "== projection of a market share against pandas and statsmodels (PyPI), Yotov panel"
# CHN's share of the 69 countries' exports 1986-2006 (domestic flows left out) recomputed
# with pandas, and its log-linear projection to 2012 with statsmodels OLS (80% prediction
# interval), equal to `entrepot project`'s to 1e-9 (validation/project_check.py).
if bash "$root/bench/setup_venv.sh" statsmodels pandas >/dev/null 2>&1; then
  "$root/bench/.venv/bin/python" "$root/validation/project_check.py" "$shared" "$E" "$work" \
    > "$work/project.txt" 2> "$work/project_err.txt" || true
  cat "$work/project.txt"
  check "project: shares and log-linear projection" "checked: 0 failed (39 figures)" "$(grep '^checked' "$work/project.txt" || tail -1 "$work/project_err.txt")"
else
  fail=$((fail+1)); echo "FAIL could not install statsmodels from PyPI (bash bench/setup_venv.sh statsmodels pandas)"
fi

echo "validation: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
