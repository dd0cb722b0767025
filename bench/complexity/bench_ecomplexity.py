#!/usr/bin/env python3
"""ecomplexity's side of bench/complexity/ecomplexity.sh: reads the CSV and runs
ecomplexity (defaults; the log-supermodularity diagnostic off, as Entrepot computes no
such diagnostic); prints the compute time alone (seconds) on the last line."""
import sys
import time
import warnings

import pandas as pd
from ecomplexity import ecomplexity

warnings.simplefilter("ignore")
df = pd.read_csv(sys.argv[1], dtype={"country": str, "product": str})
t0 = time.time()
out = ecomplexity(df, {"time": "year", "loc": "country", "prod": "product", "val": "value"},
                  check_logsupermodularity=False, verbose=False)
print(f"{time.time() - t0:.3f}")
