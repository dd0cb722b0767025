#!/usr/bin/env bash
# Load test: `entrepot serve` on loopback against `oha`, on the brief endpoint of the
# embedded sample. Not a test; not run by CI. Bounded in time and count.
#
# Builds the binary (profile $PROFILE), starts `entrepot serve` on a free loopback port
# over an empty store (so the embedded sample answers), checks the endpoint answers
# 200, runs one warm-up round, then $REQUESTS requests from $CONNECTIONS connections
# (keep-alive) with `oha`, and prints requests/s, p50 and p99 latency and the count
# of non-200 answers and errors. Exits 1 when any request failed or the rate is under
# $MIN_RPS.
#
# Usage: bench/server/load.sh
#   REQUESTS=50000        requests of the measured round
#   CONNECTIONS=32        concurrent connections
#   URL_PATH=/api/v1/brief/CHN?period=2025-11   the endpoint
#   MIN_RPS=5000          the rate the run must hold
#   TIMEOUT=120           seconds before oha gives up (bounds the run in time)
#   ENTREPOT_BIN=path     the binary (default: built with cargo, profile $PROFILE)
#   PROFILE=bench-fast    cargo profile when building
#   OHA=path              the oha binary (default: bench/.tools/bin/oha, installed with
#                         `cargo install oha --no-default-features` if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
requests=${REQUESTS:-50000}
connections=${CONNECTIONS:-32}
path=${URL_PATH:-/api/v1/brief/CHN?period=2025-11}
min_rps=${MIN_RPS:-5000}
timeout=${TIMEOUT:-120}
profile=${PROFILE:-bench-fast}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}

if [ -n "${ENTREPOT_BIN:-}" ]; then
  bin=$ENTREPOT_BIN
else
  (cd "$root" && cargo build -q --profile "$profile" -p entrepot-cli --bin entrepot)
  bin="$CARGO_TARGET_DIR/$profile/entrepot"
fi
oha=${OHA:-$root/bench/.tools/bin/oha}
if [ ! -x "$oha" ]; then
  echo "installing oha into bench/.tools (once; several minutes)" >&2
  cargo install oha --version 1.16.0 --locked --no-default-features --root "$root/bench/.tools"
  oha=$root/bench/.tools/bin/oha
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
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

echo "entrepot $("$bin" --version | awk '{print $2}') ($profile), $(nproc) CPUs, oha $("$oha" --version | awk '{print $2}')"
echo "GET $url: $requests requests, $connections connections"
"$oha" --no-tui -n 2000 -c "$connections" "$url" >/dev/null                # warm-up
"$oha" --no-tui --output-format json -n "$requests" -c "$connections" -t "${timeout}s" "$url" >"$work/oha.json"
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
