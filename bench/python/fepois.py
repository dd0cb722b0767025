#!/usr/bin/env python3
"""entrepot.fepois against pyfixest.fepois in the same Python process (a benchmark, not a
test). Run by fepois.sh, which builds the wheel and the environment.

    python fepois.py [--rows 1000000] [--repeats 3] [--skip-penppml]

Cases, each the same pandas DataFrame handed to both:

* penppml: the penppml trade panel of the shared data (ENTREPOT_SHARED_DATA),
  `export ~ fta | exp^time + imp^time + exp^imp`, clustered by pair;
* synthetic: a SYNTHETIC three-way panel of --rows rows (numpy, seed 42), the design of
  crates/entrepot-gravity/examples/bench_ppml.rs `generate`: y ~ Poisson(exp(a_et + b_it +
  c_ei + 0.3 fta - 0.5 x2)), `y ~ fta + x2 | exp^time + imp^time + exp^imp`, clustered by
  pair.

Both run with the same settings: IRLS tolerance 1e-8 (relative deviance change),
demeaning tolerance 1e-8, singletons dropped, separation checks fe and ir, pyfixest's
default small-sample correction. After one warm-up fit of each (imports, JIT), each is
timed --repeats times, alternating; the best wall time is reported. Memory: the peak
resident set above the level just before the call (sampled every 5 ms by a thread; the
engine releases the GIL, pyfixest's compiled kernels may not, so its peak may be
under-sampled), and tracemalloc's peak (Python-tracked allocations, numpy included, Rust
allocations not). Prints a table and one JSON line per case.
"""

import argparse
import json
import os
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


class PeakRss:
    """The peak RSS (MiB) above the level at entry, sampled by a thread."""

    def __enter__(self):
        self.base = rss_mb()
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, rss_mb())
        self.delta = self.peak - self.base


def synthetic(rows: int, seed: int = 42) -> pd.DataFrame:
    t = 20
    e = max(2, round((rows // t) ** 0.5))
    rng = np.random.default_rng(seed)
    a = 0.5 * rng.standard_normal((e, t))
    b = 0.5 * rng.standard_normal((e, t))
    i, j = np.meshgrid(np.arange(e), np.arange(e), indexing="ij")
    c = rng.standard_normal((e, e)) - 0.8 * np.log1p(np.abs(i - j)) + 3.0
    start = np.where(rng.random((e, e)) < 0.15, rng.integers(0, t, (e, e)), t + 1)
    k = np.arange(t)
    fta = (k[None, None, :] >= start[:, :, None]).astype(float)
    x2 = rng.standard_normal((e, e, t))
    eta = a[:, None, :] + b[None, :, :] + c[:, :, None] + 0.3 * fta - 0.5 * x2
    y = rng.poisson(np.exp(eta)).astype(float)
    ii, jj, kk = np.meshgrid(np.arange(e), np.arange(e), k, indexing="ij")
    exp_ = np.char.add("E", ii.ravel().astype(str))
    imp_ = np.char.add("I", jj.ravel().astype(str))
    df = pd.DataFrame({
        "exp": exp_.astype(object),
        "imp": imp_.astype(object),
        "time": 1990 + kk.ravel(),
        "y": y.ravel(),
        "fta": fta.ravel(),
        "x2": x2.ravel(),
    })
    df["pair"] = df["exp"] + "_" + df["imp"]
    return df


def penppml() -> pd.DataFrame:
    base = Path(os.environ.get("ENTREPOT_SHARED_DATA", ROOT.parent / "shared" / "data"))
    df = pd.read_csv(base / "penppml_trade" / "trade.csv")
    df["fta"] = (df["id"] > 0).astype(float)
    df["pair"] = df["exp"] + "_" + df["imp"]
    return df


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-penppml", action="store_true")
    args = ap.parse_args()

    import entrepot
    import pyfixest as pf
    from pyfixest.demeaners import MapDemeaner

    tol = 1e-8
    dem = MapDemeaner(fixef_tol=tol)

    def run_entrepot(df, fml, vcov):
        return entrepot.fepois(df, fml, vcov=vcov, iwls_tol=tol, fixef_tol=tol)

    def run_pyfixest(df, fml, vcov):
        return pf.fepois(fml, data=df, vcov=vcov, iwls_tol=tol, separation_check=["fe", "ir"],
                         demeaner=dem)

    cases = []
    if not args.skip_penppml:
        cases.append(("penppml", penppml, "export ~ fta | exp^time + imp^time + exp^imp"))
    cases.append((f"synthetic {args.rows:,}", lambda: synthetic(args.rows),
                  "y ~ fta + x2 | exp^time + imp^time + exp^imp"))
    vcov = {"CRV1": "pair"}
    results = []
    for name, load, fml in cases:
        df = load()
        warm = df.iloc[: max(2000, len(df) // 20)].copy()
        for f in (run_entrepot, run_pyfixest):
            try:
                f(warm, fml, vcov)
            except Exception:  # a prefix may be degenerate: the warm-up is best effort
                pass
        times = {"entrepot": [], "pyfixest": []}
        mem = {}
        fits = {}
        for _ in range(args.repeats):
            for label, f in (("entrepot", run_entrepot), ("pyfixest", run_pyfixest)):
                tracemalloc.start()
                with PeakRss() as rss:
                    t0 = time.perf_counter()
                    fits[label] = f(df, fml, vcov)
                    times[label].append(time.perf_counter() - t0)
                _, tm_peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                m = mem.setdefault(label, {"rss_mb": 0.0, "tracemalloc_mb": 0.0})
                m["rss_mb"] = max(m["rss_mb"], rss.delta)
                m["tracemalloc_mb"] = max(m["tracemalloc_mb"], tm_peak / 2**20)
                print(f"  {name} {label}: {times[label][-1]:.3f} s, peak RSS +{rss.delta:.0f} MiB, "
                      f"tracemalloc {tm_peak / 2**20:.0f} MiB", flush=True)
        ours, theirs = fits["entrepot"], fits["pyfixest"]
        coef_diff = float(max(abs(ours.coef()[k] - theirs.coef()[k]) for k in theirs.coef().index))
        best = {k: min(v) for k, v in times.items()}
        rec = {
            "case": name,
            "rows": len(df),
            "nobs": {"entrepot": ours.nobs, "pyfixest": int(theirs._N)},
            "best_s": best,
            "all_s": times,
            "speedup": best["pyfixest"] / best["entrepot"],
            "peak_mem_mb": mem,
            "max_abs_coef_diff": coef_diff,
        }
        results.append(rec)
        print(
            f"{name:>20}: entrepot {best['entrepot']:.3f} s, pyfixest {best['pyfixest']:.3f} s, "
            f"x{rec['speedup']:.1f}; peak RSS +{mem['entrepot']['rss_mb']:.0f} / "
            f"+{mem['pyfixest']['rss_mb']:.0f} MiB, tracemalloc {mem['entrepot']['tracemalloc_mb']:.0f}"
            f" / {mem['pyfixest']['tracemalloc_mb']:.0f} MiB; N {ours.nobs} / {int(theirs._N)}; "
            f"max |coef diff| {coef_diff:.2e}",
            flush=True,
        )
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
