#!/usr/bin/env bash
# Load test: `entrepot serve` on loopback under a load generator, on the brief endpoint
# of the embedded sample. Not a test; not run by CI. Bounded in time and count.
#
# Builds the binary (profile $PROFILE), starts `entrepot serve` on a free loopback port
# over an empty store (so the embedded sample answers), checks the endpoint answers
# 200, runs a warm-up round, then the measured round, and prints requests/s, p50 and
# p99 latency and the count of non-200 answers and errors. Exits 1 when any request
# failed or the rate is under $MIN_RPS.
#
# Then (with wrk) the flood: $FLOOD_CONNECTIONS connections send scenario requests
# (POST /api/v1/scenario, each a different tariff change on a synthetic
# $FLOOD_COUNTRIES-economy world given as SQL, with $FLOOD_DRAWS draws of the
# elasticity, so none is answered from the cache) for $FLOOD_DURATION seconds, while
# a second wrk measures the brief endpoint again. The flood's answers are counted by
# status: the server must refuse what it cannot queue (503 with Retry-After, or 429),
# keep answering the brief with p99 under $MAX_P99_MS ms, and still be running and
# answering afterwards. Exits 1 otherwise.
#
# The generator: `oha` (bench/.tools/bin/oha or on PATH; $REQUESTS requests, at most
# $TIMEOUT seconds), or `wrk` when oha is absent and wrk is on PATH ($DURATION
# seconds); with neither, oha is installed into bench/.tools
# (`cargo install oha --no-default-features`, several minutes).
#
# Usage: bench/server/load.sh
#   REQUESTS=50000        requests of the measured round (oha)
#   DURATION=10           seconds of the measured round (wrk)
#   CONNECTIONS=32        concurrent keep-alive connections
#   THREADS=1             wrk threads (the server keeps the other core)
#   URL_PATH=/api/v1/brief/CHN?period=2025-11   the endpoint
#   MIN_RPS=5000          the rate the run must hold
#   TIMEOUT=120           seconds before oha gives up
#   TOOL=oha|wrk          force a generator
#   ENTREPOT_BIN=path     the binary (default: built with cargo, profile $PROFILE)
#   PROFILE=bench-fast    cargo profile when building
#   FLOOD=1               run the scenario flood (0: skip it; it needs wrk)
#   FLOOD_DURATION=20     seconds of the flood
#   FLOOD_CONNECTIONS=128 connections sending scenarios
#   FLOOD_COUNTRIES=40    economies of the synthetic world of the scenarios
#   FLOOD_DRAWS=200       draws of the elasticity per scenario
#   MAX_P99_MS=50         the brief's p99 during the flood must stay under this
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
requests=${REQUESTS:-50000}
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
path=${URL_PATH:-/api/v1/brief/CHN?period=2025-11}
min_rps=${MIN_RPS:-5000}
timeout=${TIMEOUT:-120}
profile=${PROFILE:-bench-fast}
flood=${FLOOD:-1}
flood_duration=${FLOOD_DURATION:-20}
flood_connections=${FLOOD_CONNECTIONS:-128}
flood_countries=${FLOOD_COUNTRIES:-40}
flood_draws=${FLOOD_DRAWS:-200}
max_p99_ms=${MAX_P99_MS:-50}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}

if [ -n "${ENTREPOT_BIN:-}" ]; then
  bin=$ENTREPOT_BIN
  profile="binary $bin"
else
  (cd "$root" && cargo build -q --profile "$profile" -p entrepot-cli --bin entrepot)
  bin="$CARGO_TARGET_DIR/$profile/entrepot"
fi
tool=${TOOL:-}
oha=$root/bench/.tools/bin/oha
[ -x "$oha" ] || oha=$(command -v oha || true)
if [ -z "$tool" ]; then
  if [ -n "$oha" ]; then tool=oha; elif command -v wrk >/dev/null; then tool=wrk; else tool=oha; fi
fi
if [ "$tool" = oha ] && [ -z "$oha" ]; then
  echo "installing oha into bench/.tools (once; several minutes)" >&2
  cargo install oha --version 1.16.0 --locked --no-default-features --root "$root/bench/.tools"
  oha=$root/bench/.tools/bin/oha
fi
for need in curl python3; do
  command -v "$need" >/dev/null || { echo "needs $need" >&2; exit 2; }
done

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/store"
"$bin" --quiet --store "$work/store" serve --addr 127.0.0.1:0 2>"$work/server.log" &
server_pid=$!
addr=
for _ in $(seq 1 100); do
  addr=$(sed -n 's/^listening on http:\/\/\([^ ]*\).*/\1/p' "$work/server.log" | head -n1)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
url="http://$addr$path"
status=$(curl -s -o "$work/first.json" -w '%{http_code}' "$url")
[ "$status" = 200 ] || { echo "GET $url: $status" >&2; cat "$work/first.json" >&2; exit 1; }

echo "entrepot $("$bin" --version | awk '{print $2}') ($profile), $(nproc) CPUs, $tool"
if [ "$tool" = wrk ]; then
  echo "GET $url: ${duration}s, $connections connections, $threads wrk threads"
  wrk -t "$threads" -c "$connections" -d 2s "$url" >/dev/null                    # warm-up
  wrk -t "$threads" -c "$connections" -d "${duration}s" --latency "$url" >"$work/wrk.txt"
  python3 "$here/wrk_summary.py" "$work/wrk.txt" --min-rps "$min_rps"
else
echo "GET $url: $requests requests, $connections connections"
"$oha" --no-tui -n 2000 -c "$connections" "$url" >/dev/null                    # warm-up
timeout "$timeout" "$oha" --no-tui --output-format json -n "$requests" -c "$connections" "$url" >"$work/oha.json"
python3 - "$work/oha.json" "$requests" "$min_rps" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want, min_rps = int(sys.argv[2]), float(sys.argv[3])
s = r["summary"]
p = r.get("latencyPercentiles", {})
codes = r.get("statusCodeDistribution", {})
errors = r.get("errorDistribution", {})
ok = int(codes.get("200", 0))
bad = sum(int(v) for k, v in codes.items() if k != "200") + sum(int(v) for v in errors.values())
rps = s["requestsPerSec"]
print(f"requests/s {rps:,.0f}")
print(f"latency p50 {p.get('p50', float('nan')) * 1e3:.3f} ms, p99 {p.get('p99', float('nan')) * 1e3:.3f} ms")
print(f"answers 200: {ok} of {want}; non-200 answers and errors: {bad} {dict(codes)} {dict(errors)}")
if bad or ok != want or rps < min_rps:
    print(f"FAILED: every request must answer 200 at {min_rps:,.0f} requests/s or more")
    sys.exit(1)
print(f"ok: zero errors, at least {min_rps:,.0f} requests/s")
PY
fi

# The flood: scenario requests the server cannot all take, the brief measured meanwhile.
if [ "$flood" = 0 ]; then exit 0; fi
if ! command -v wrk >/dev/null; then
  echo "the scenario flood needs wrk (apt-get install -y wrk): skipped" >&2
  exit 0
fi
FLOOD_SQL=$(python3 - "$flood_countries" <<'PY'
import sys
n = int(sys.argv[1])
codes = [f"C{k:03d}" for k in range(1, n + 1)]
rows = []
for i, e in enumerate(codes):
    for j, m in enumerate(codes):
        # domestic sales on the diagonal, trade falling with a ring distance
        v = 1000.0 + 37 * i if i == j else 100.0 / (1 + min(abs(i - j), n - abs(i - j))) + (i * 7 + j * 3) % 11
        rows.append(f"('{e}','{m}',2020,{v:.3f})")
print("SELECT column1 AS exporter, column2 AS importer, column3 AS year, column4 AS trade FROM (VALUES "
      + ", ".join(rows) + ")")
PY
)
export FLOOD_SQL FLOOD_DRAWS=$flood_draws
one='{"data":{"sql":"'$FLOOD_SQL'","year":2020},"elasticity":{"theta":5.0},"shock":[{"type":"tariff","importer":"C001","exporter":"C002","change_pp":1.5}]}'
status=$(curl -s -o "$work/scenario.json" -w '%{http_code}' -H 'content-type: application/json' --data-binary "$one" "http://$addr/api/v1/scenario")
[ "$status" = 200 ] || { echo "POST /api/v1/scenario: $status" >&2; head -c 2000 "$work/scenario.json" >&2; exit 1; }
echo
echo "flood: POST /api/v1/scenario for ${flood_duration}s on $flood_connections connections (each a different tariff change, $flood_countries economies, $flood_draws draws of θ), the brief measured meanwhile"
wrk -t 1 -c "$flood_connections" -d "${flood_duration}s" --timeout 10s --latency -s "$here/flood.lua" "http://$addr/api/v1/scenario" >"$work/flood.txt" &
flood_pid=$!
sleep 2
wrk -t "$threads" -c "$connections" -d "$((flood_duration - 6))s" --latency "$url" >"$work/during.txt"
wait "$flood_pid"
echo "-- the brief during the flood"
brief_ok=0
python3 "$here/wrk_summary.py" "$work/during.txt" --max-p99-ms "$max_p99_ms" || brief_ok=1
echo "-- the scenario flood"
flood_ok=0
python3 "$here/wrk_summary.py" "$work/flood.txt" --flood || flood_ok=1
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "FAILED: the server is no longer running" >&2; cat "$work/server.log" >&2; exit 1
fi
status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
echo "after the flood: the server is running, GET $path answers $status"
[ "$status" = 200 ] && [ "$brief_ok" = 0 ] && [ "$flood_ok" = 0 ]
