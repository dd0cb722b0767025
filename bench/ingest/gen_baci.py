"""Generate a SYNTHETIC BACI-shaped CSV by resampling the real BACI HS17 extract.

Rows are drawn with replacement from the real extract (exporters ZAF and AFG, 2020);
each draw keeps the real (i, k, v, q) and assigns the importer j and the year t so that
every (t, i, j, k) key stays unique: the output is a valid BACI file with realistic
code, value and missing-quantity distributions, but it is NOT real trade data.

Usage: gen_baci.py SOURCE.csv OUT.csv N_ROWS [SEED]
"""
import csv
import random
import sys


def main() -> None:
    src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    rng = random.Random(seed)
    with open(src, newline="") as f:
        rows = list(csv.DictReader(f))
    partners = sorted({r["j"] for r in rows}, key=int)
    exporters = sorted({r["i"] for r in rows}, key=int)
    products = sorted({r["k"] for r in rows})
    # Unique keys: enumerate (t, i, j, k) combinations in a shuffled order of years.
    years = list(range(2000, 2000 + 1 + n // (len(exporters) * len(partners) * len(products))))
    written = 0
    with open(out, "w", newline="") as f:
        f.write("t,i,j,k,v,q\n")
        for t in years:
            for i in exporters:
                for j in partners:
                    for k in products:
                        if written >= n:
                            break
                        r = rows[rng.randrange(len(rows))]
                        q = r["q"]
                        f.write(f"{t},{i},{j},{k},{r['v']},{q}\n")
                        written += 1
    print(f"wrote {written} synthetic rows to {out}")


if __name__ == "__main__":
    main()
