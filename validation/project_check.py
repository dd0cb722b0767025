#!/usr/bin/env python3
"""Damped-trend exponential smoothing in entrepot-project against statsmodels.

statsmodels' ExponentialSmoothing (Holt's damped trend, additive) is run with fixed
parameters and initial state on a fixed series; its one-step fitted values and its
forecasts 1..6 years ahead are printed. The Rust test
`damped::tests::forecasts_equal_statsmodels_with_the_same_parameters` holds these
numbers: rerun this script and compare when either side changes.

statsmodels parameterises the trend in Holt's error-correction form: its
smoothing_trend is beta* with beta = alpha * beta* in the state-space form used by
entrepot-project (Hyndman et al. 2008).

Usage: bench/.venv/bin/python validation/project_check.py
"""
import numpy as np
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing

Y = [-3.20, -3.11, -3.05, -2.90, -2.86, -2.71, -2.66, -2.52, -2.49, -2.41, -2.38, -2.30]
ALPHA, BETA_STAR, PHI, L0, B0 = 0.7, 0.3, 0.9, -3.3, 0.1

model = ExponentialSmoothing(np.array(Y), trend="add", damped_trend=True,
                             initialization_method="known",
                             initial_level=L0, initial_trend=B0)
fit = model.fit(smoothing_level=ALPHA, smoothing_trend=BETA_STAR, damping_trend=PHI,
                optimized=False)
print("statsmodels", statsmodels.__version__)
print("alpha", ALPHA, "beta (state space) =", ALPHA * BETA_STAR, "phi", PHI)
print("fitted", ", ".join(repr(float(v)) for v in fit.fittedvalues))
print("forecast", ", ".join(repr(float(v)) for v in fit.forecast(6)))
print("sse", repr(float(fit.sse)))
