//! Damped-trend exponential smoothing, ETS(A,Ad,N) in the innovations state-space
//! form of Hyndman, Koehler, Ord & Snyder (2008), *Forecasting with Exponential
//! Smoothing: The State Space Approach*, Springer, §2.5.1 and Table 2.1:
//!
//! ```text
//! ŷ_t = ℓ_{t−1} + φ b_{t−1}          (one-step forecast)
//! e_t = y_t − ŷ_t
//! ℓ_t = ℓ_{t−1} + φ b_{t−1} + α e_t
//! b_t = φ b_{t−1} + β e_t
//! ```
//!
//! (`β = α β*` in Holt's error-correction form; statsmodels' `smoothing_trend` is
//! `β*`.) The `h`-step forecast is `ℓ_n + φ_h b_n`, `φ_h = φ + φ² + … + φ^h`; its
//! variance (Hyndman et al. 2008, §6.3, Table 6.1, class 1) is
//! `σ² [1 + Σ_{j=1}^{h−1} (α + β φ_j)²]`, which grows with `h`.
//!
//! **Estimation.** With additive errors the Gaussian likelihood, `σ²` profiled out,
//! is maximised by minimising the sum of squared one-step errors (SSE). The errors are
//! linear in the initial state `(ℓ₀, b₀)`, so for given `(α, β, φ)` the best initial
//! state is a 2 × 2 least-squares solve; `(α, β, φ)` are then searched on a grid and
//! refined by Nelder–Mead within the bounds of R's `forecast::ets`: `α ∈ [10⁻⁴,
//! 0.9999]`, `β ∈ [10⁻⁴, α]`, `φ ∈ [0.8, 0.98]`. `σ² = SSE / (n − 5)` (five estimated
//! parameters).

use crate::error::ProjectError;

/// Years needed: five parameters and three degrees of freedom for `σ²`.
pub const MIN_YEARS: usize = 8;

const ALPHA: (f64, f64) = (1e-4, 0.9999);
const PHI: (f64, f64) = (0.8, 0.98);

/// A damped-trend model: its parameters and final state.
#[derive(Debug, Clone, PartialEq)]
pub struct DampedTrend {
    /// Smoothing of the level, `α`.
    pub alpha: f64,
    /// Smoothing of the trend, `β` (state-space form, `≤ α`).
    pub beta: f64,
    /// Damping, `φ`.
    pub phi: f64,
    /// Initial level `ℓ₀`.
    pub level0: f64,
    /// Initial trend `b₀`.
    pub trend0: f64,
    /// Level after the last year, `ℓ_n`.
    pub level: f64,
    /// Trend after the last year, `b_n`.
    pub trend: f64,
    /// The one-step forecasts `ŷ_1 … ŷ_n`.
    pub fitted: Vec<f64>,
    /// Sum of squared one-step errors.
    pub sse: f64,
    /// Standard deviation of the errors, `√(SSE / (n − 5))` (0 for a model given its
    /// parameters on fewer than six years).
    pub sigma: f64,
}

/// Runs the filter: the one-step forecasts and the final state.
fn filter(y: &[f64], a: f64, b: f64, phi: f64, l0: f64, b0: f64) -> (Vec<f64>, f64, f64) {
    let (mut l, mut t) = (l0, b0);
    let mut fitted = Vec::with_capacity(y.len());
    for v in y {
        let f = l + phi * t;
        let e = v - f;
        fitted.push(f);
        l = f + a * e;
        t = phi * t + b * e;
    }
    (fitted, l, t)
}

/// The SSE-minimising initial state for given smoothing parameters, and the SSE.
fn best_start(y: &[f64], a: f64, b: f64, phi: f64) -> (f64, f64, f64) {
    let zeros = vec![0.0; y.len()];
    let (f0, _, _) = filter(y, a, b, phi, 0.0, 0.0);
    let (g1, _, _) = filter(&zeros, a, b, phi, 1.0, 0.0);
    let (g2, _, _) = filter(&zeros, a, b, phi, 0.0, 1.0);
    // e = (y − f0) − g1 ℓ₀ − g2 b₀: least squares of (y − f0) on (g1, g2).
    let (mut s11, mut s12, mut s22, mut r1, mut r2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..y.len() {
        let r = y[i] - f0[i];
        s11 += g1[i] * g1[i];
        s12 += g1[i] * g2[i];
        s22 += g2[i] * g2[i];
        r1 += g1[i] * r;
        r2 += g2[i] * r;
    }
    let det = s11 * s22 - s12 * s12;
    let (l0, b0) = if det.abs() > 1e-12 * (s11 * s22).max(1e-300) {
        ((s22 * r1 - s12 * r2) / det, (s11 * r2 - s12 * r1) / det)
    } else {
        (y[0], y.get(1).map_or(0.0, |v| v - y[0]))
    };
    let (f, _, _) = filter(y, a, b, phi, l0, b0);
    let sse = y.iter().zip(&f).map(|(v, p)| (v - p).powi(2)).sum();
    (l0, b0, sse)
}

/// `(α, β, φ)` from a point of the search space `(α, β/α, φ)`, clamped to the bounds.
fn params(p: [f64; 3]) -> (f64, f64, f64) {
    let a = p[0].clamp(ALPHA.0, ALPHA.1);
    let b = (p[1].clamp(0.0, 1.0) * a).max(1e-4).min(a);
    (a, b, p[2].clamp(PHI.0, PHI.1))
}

/// Nelder–Mead minimisation (Nelder & Mead 1965) from `start`, standard coefficients.
fn nelder_mead(f: impl Fn([f64; 3]) -> f64, start: [f64; 3], step: f64) -> [f64; 3] {
    let mut simplex: Vec<([f64; 3], f64)> = (0..4)
        .map(|i| {
            let mut p = start;
            if i > 0 {
                p[i - 1] += step;
            }
            (p, f(p))
        })
        .collect();
    for _ in 0..500 {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if (simplex[3].1 - simplex[0].1).abs() <= 1e-14 * (1.0 + simplex[0].1.abs()) {
            break;
        }
        let mut c = [0.0; 3];
        for (p, _) in &simplex[..3] {
            for k in 0..3 {
                c[k] += p[k] / 3.0;
            }
        }
        let at = |t: f64| {
            let mut p = [0.0; 3];
            for k in 0..3 {
                p[k] = c[k] + t * (simplex[3].0[k] - c[k]);
            }
            p
        };
        let r = at(-1.0);
        let fr = f(r);
        if fr < simplex[0].1 {
            let e = at(-2.0);
            let fe = f(e);
            simplex[3] = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < simplex[2].1 {
            simplex[3] = (r, fr);
        } else {
            let k = if fr < simplex[3].1 { at(-0.5) } else { at(0.5) };
            let fk = f(k);
            if fk < simplex[3].1.min(fr) {
                simplex[3] = (k, fk);
            } else {
                let best = simplex[0].0;
                for s in simplex.iter_mut().skip(1) {
                    for (x, b) in s.0.iter_mut().zip(best) {
                        *x = b + 0.5 * (*x - b);
                    }
                    s.1 = f(s.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0].0
}

impl DampedTrend {
    /// Estimates the model on `y` (one value per consecutive year).
    pub fn fit(y: &[f64]) -> Result<Self, ProjectError> {
        if y.len() < MIN_YEARS {
            return Err(ProjectError::TooFewYears {
                what: "damped-trend exponential smoothing".into(),
                got: y.len(),
                needed: MIN_YEARS,
            });
        }
        let sse = |p: [f64; 3]| {
            let (a, b, phi) = params(p);
            best_start(y, a, b, phi).2
        };
        // A coarse grid, then Nelder–Mead from its best point.
        let mut best = ([0.5, 0.5, 0.9], f64::INFINITY);
        for i in 0..10 {
            for j in 0..10 {
                for k in 0..4 {
                    let p = [
                        0.05 + 0.1 * i as f64,
                        0.05 + 0.1 * j as f64,
                        0.8 + 0.06 * k as f64,
                    ];
                    let v = sse(p);
                    if v < best.1 {
                        best = (p, v);
                    }
                }
            }
        }
        let p = nelder_mead(sse, best.0, 0.05);
        let (a, b, phi) = params(p);
        let (l0, b0, _) = best_start(y, a, b, phi);
        let mut m = Self::with_parameters(y, a, b, phi, l0, b0)?;
        m.sigma = (m.sse / (y.len() - 5) as f64).sqrt();
        Ok(m)
    }

    /// The model with given parameters and initial state, run over `y` (no
    /// estimation; `sigma` is `√(SSE / (n − 5))` when `n > 5`, else 0).
    pub fn with_parameters(
        y: &[f64],
        alpha: f64,
        beta: f64,
        phi: f64,
        level0: f64,
        trend0: f64,
    ) -> Result<Self, ProjectError> {
        let (fitted, level, trend) = filter(y, alpha, beta, phi, level0, trend0);
        let sse: f64 = y.iter().zip(&fitted).map(|(v, p)| (v - p).powi(2)).sum();
        if !(sse.is_finite() && level.is_finite() && trend.is_finite()) {
            return Err(ProjectError::Fit {
                method: "damped trend",
                reason: "the filter diverged (non-finite state)".into(),
            });
        }
        let sigma = if y.len() > 5 {
            (sse / (y.len() - 5) as f64).sqrt()
        } else {
            0.0
        };
        Ok(DampedTrend {
            alpha,
            beta,
            phi,
            level0,
            trend0,
            level,
            trend,
            fitted,
            sse,
            sigma,
        })
    }

    /// `φ_h = φ + φ² + … + φ^h`.
    fn phi_sum(&self, h: usize) -> f64 {
        (1..=h).map(|i| self.phi.powi(i as i32)).sum()
    }

    /// The point forecast and its standard error `h ≥ 1` years after the last.
    pub fn forecast(&self, h: usize) -> (f64, f64) {
        let mean = self.level + self.phi_sum(h) * self.trend;
        let var: f64 = 1.0
            + (1..h)
                .map(|j| (self.alpha + self.beta * self.phi_sum(j)).powi(2))
                .sum::<f64>();
        (mean, self.sigma * var.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `c_j = w' F^{j−1} g` with `w = (1, φ)`, `F = [[1, φ], [0, φ]]`, `g = (α, β)`: the
    /// general form of the variance weights (Hyndman et al. 2008, §6.1).
    fn c_general(a: f64, b: f64, phi: f64, j: usize) -> f64 {
        let mut v = [a, b];
        for _ in 1..j {
            v = [v[0] + phi * v[1], phi * v[1]];
        }
        v[0] + phi * v[1]
    }

    #[test]
    fn variance_weights_equal_the_state_space_form() {
        let y = [0.0, 1.0, 1.5, 2.4, 3.0, 3.1, 3.9, 4.6];
        let m = DampedTrend::with_parameters(&y, 0.6, 0.2, 0.9, 0.0, 1.0).expect("model");
        for h in 1..8 {
            let s: f64 = (1..h).map(|j| c_general(0.6, 0.2, 0.9, j).powi(2)).sum();
            let (_, se) = m.forecast(h);
            assert!((se - m.sigma * (1.0 + s).sqrt()).abs() < 1e-12);
        }
    }

    #[test]
    fn a_damped_line_is_fitted_exactly() {
        // y_t from the model with no errors: ℓ₀ = 1, b₀ = 0.5, φ = 0.9.
        let (mut l, mut b) = (1.0, 0.5);
        let y: Vec<f64> = (0..12)
            .map(|_| {
                l += 0.9 * b;
                b *= 0.9;
                l
            })
            .collect();
        let m = DampedTrend::fit(&y).expect("fit");
        assert!(m.sse < 1e-10, "sse {}", m.sse);
        let (mean, _) = m.forecast(3);
        let expect = l + (0.9 + 0.81 + 0.729) * b;
        assert!((mean - expect).abs() < 1e-4, "{mean} vs {expect}");
    }

    /// statsmodels 0.15.0 `ExponentialSmoothing(trend="add", damped_trend=True)` with
    /// α = 0.7, β* = 0.3 (β = 0.21), φ = 0.9, ℓ₀ = −3.3, b₀ = 0.1
    /// (`validation/project_check.py` prints these numbers).
    #[test]
    fn forecasts_equal_statsmodels_with_the_same_parameters() {
        let y = [
            -3.20, -3.11, -3.05, -2.90, -2.86, -2.71, -2.66, -2.52, -2.49, -2.41, -2.38, -2.30,
        ];
        let m = DampedTrend::with_parameters(&y, 0.7, 0.7 * 0.3, 0.9, -3.3, 0.1).expect("model");
        let fitted = [
            -3.21,
            -3.12011,
            -3.0365212099999996,
            -2.9796432433099995,
            -2.8491585922864098,
            -2.79153566110786,
            -2.660359733462716,
            -2.5933490620316837,
            -2.468058773679099,
            -2.4210131734410147,
            -2.355058449455509,
            -2.324810535570445,
        ];
        for (a, b) in m.fitted.iter().zip(fitted) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        let forecast = [
            -2.259817670108733,
            -2.2169547286025724,
            -2.1783780812470277,
            -2.1436590986270376,
            -2.1124120142690463,
            -2.0842896383468545,
        ];
        for (h, b) in forecast.iter().enumerate() {
            let (a, _) = m.forecast(h + 1);
            assert!((a - b).abs() < 1e-12, "h={} {a} vs {b}", h + 1);
        }
        assert!((m.sse - 0.02071310156796259).abs() < 1e-12);
    }

    #[test]
    fn too_few_years_are_refused() {
        let e = DampedTrend::fit(&[1.0; 7]).expect_err("short");
        assert!(e.to_string().contains("at least 8"), "{e}");
    }
}
