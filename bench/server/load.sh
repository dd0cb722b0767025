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
  python3 - "$work/wrk.txt" "$min_rps" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
min_rps = float(sys.argv[2])
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[u]
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
total = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or [0, 0])[1])
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = sum(int(x) for x in sock.groups()) if sock else 0
print(f"requests {total:,}, requests/s {rps:,.0f}")
print(f"latency p50 {ms(lat['50']):.3f} ms, p99 {ms(lat['99']):.3f} ms")
print(f"non-2xx answers: {non2xx}; socket errors: {errors}")
if non2xx or errors or rps < min_rps:
    print(f"FAILED: every request must answer 200 at {min_rps:,.0f} requests/s or more")
    sys.exit(1)
print(f"ok: zero errors, at least {min_rps:,.0f} requests/s")
PY
  exit
fi
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
