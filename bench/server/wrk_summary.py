"""Summarises a `wrk --latency` report (and the status counts printed by flood.lua).

Usage: wrk_summary.py REPORT [--min-rps N] [--max-p99-ms MS] [--flood]

Prints requests, requests/s, p50 and p99 latency, non-2xx answers and socket errors.
Without --flood every request must have answered 2xx with no socket error, at
--min-rps or more, with p99 under --max-p99-ms when given; exits 1 otherwise. With
--flood (the scenario flood) refusals are expected: it prints the count of each
status and fails only on a 5xx other than 503 (a crash or an internal error), or when
no request was refused at all (the flood did not reach the limit).
"""
import argparse
import re
import sys


def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[u]


a = argparse.ArgumentParser()
a.add_argument("report")
a.add_argument("--min-rps", type=float, default=0.0)
a.add_argument("--max-p99-ms", type=float, default=None)
a.add_argument("--flood", action="store_true")
args = a.parse_args()
text = open(args.report).read()
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
total = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or [0, 0])[1])
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = sum(int(x) for x in sock.groups()) if sock else 0
p50, p99 = ms(lat["50"]), ms(lat["99"])
print(f"requests {total:,}, requests/s {rps:,.0f}")
print(f"latency p50 {p50:.3f} ms, p99 {p99:.3f} ms")
print(f"non-2xx answers: {non2xx}; socket errors: {sock.group(0) if sock else 0}")
if args.flood:
    codes = {int(k): int(v) for k, v in re.findall(r"^status (\d+): (\d+)$", text, re.M)}
    print("answers by status: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(codes.items())))
    bad = {k: v for k, v in codes.items() if k >= 500 and k != 503}
    refused = codes.get(503, 0) + codes.get(429, 0)
    if bad:
        print(f"FAILED: server errors other than 503 in the flood: {bad}")
        sys.exit(1)
    if not refused:
        print("FAILED: no scenario was refused: the flood did not reach the queue's limit")
        sys.exit(1)
    print(f"ok: {refused:,} scenarios refused with 503/429, no other server error")
    sys.exit(0)
failed = []
if non2xx or errors:
    failed.append("every request must answer 2xx without socket errors")
if rps < args.min_rps:
    failed.append(f"at least {args.min_rps:,.0f} requests/s")
if args.max_p99_ms is not None and p99 >= args.max_p99_ms:
    failed.append(f"p99 under {args.max_p99_ms:g} ms")
if failed:
    print("FAILED: " + "; ".join(failed))
    sys.exit(1)
print(
    f"ok: zero errors, at least {args.min_rps:,.0f} requests/s"
    + (f", p99 under {args.max_p99_ms:g} ms" if args.max_p99_ms is not None else "")
)
