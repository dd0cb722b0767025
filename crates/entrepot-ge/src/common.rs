//! What both solvers share: the checked setup with the baseline equilibrium, the
//! expenditure rule of each deficit treatment, the numéraire, the mapping from a
//! fixed-effect fit to resistances, and the safeguarded outer iteration.

use crate::error::{GeError, Result};
use crate::matrix::Matrix;
use crate::model::{Baseline, Deficits, Numeraire, Options, Shock};
use crate::ppml::{fit_two_way_totals, TwoWayFit};
use crate::result::Scenario;

/// The checked inputs and the baseline equilibrium.
pub(crate) struct Setup<'a> {
    pub baseline: &'a Baseline,
    pub options: Options,
    pub sigma: f64,
    pub reference: usize,
    /// Counterfactual trade-cost terms `t'`.
    pub costs_new: Matrix,
    /// Whether `t' = t` entry by entry (the counterfactual is the baseline).
    pub unchanged: bool,
    /// The baseline scenario.
    pub base: Scenario,
    /// The baseline fit (`b_R = 1`).
    pub base_fit: TwoWayFit,
    /// `(β_i p_i)^{1−σ} = Y_i / Π_i` in the baseline.
    pub supply: Vec<f64>,
}

/// Relative size of a deficit that still counts as balanced trade.
const BALANCED_TOL: f64 = 1e-9;

pub(crate) fn setup<'a>(
    baseline: &'a Baseline,
    shock: &Shock,
    options: &Options,
) -> Result<Setup<'a>> {
    options.validate()?;
    let sigma = options.elasticity.validated_sigma()?;
    let reference = baseline.index_of(&options.reference)?;
    let costs_new = shock.new_costs(baseline)?;
    if options.deficits == Deficits::Balanced {
        for (k, (e, y)) in baseline
            .expenditure()
            .iter()
            .zip(baseline.output())
            .enumerate()
        {
            if (e - y).abs() > BALANCED_TOL * e.max(*y) {
                return Err(GeError::Unbalanced {
                    country: baseline.countries()[k].clone(),
                    deficit: e - y,
                });
            }
        }
    }
    let (y, e) = (baseline.output(), baseline.expenditure());
    let fit = fit_two_way_totals(
        y,
        e,
        baseline.costs(),
        reference,
        options.inner_tolerance(),
        None,
    )?;
    let er = e[reference];
    let omr: Vec<f64> = y
        .iter()
        .zip(&fit.exporter)
        .map(|(y, a)| y * er / a)
        .collect();
    let imr: Vec<f64> = e
        .iter()
        .zip(&fit.importer)
        .map(|(e, b)| e / (b * er))
        .collect();
    let supply = y.iter().zip(&omr).map(|(y, o)| y / o).collect();
    let base = Scenario {
        output: y.to_vec(),
        expenditure: e.to_vec(),
        producer_price: vec![1.0; y.len()],
        omr,
        imr,
        flows: fit.fitted(baseline.costs()),
    };
    let unchanged = costs_new.as_slice() == baseline.costs().as_slice();
    Ok(Setup {
        baseline,
        options: options.clone(),
        sigma,
        reference,
        costs_new,
        unchanged,
        base,
        base_fit: fit,
        supply,
    })
}

impl Setup<'_> {
    /// Counterfactual expenditure for output `y` under the deficit rule, with the world
    /// scalar `κ` (1 unless multiplicative).
    pub fn expenditure(&self, y: &[f64]) -> Result<(Vec<f64>, f64)> {
        let (y0, e0) = (self.baseline.output(), self.baseline.expenditure());
        match self.options.deficits {
            Deficits::Balanced => Ok((y.to_vec(), 1.0)),
            Deficits::Multiplicative => {
                let mut e: Vec<f64> = (0..y.len()).map(|j| e0[j] / y0[j] * y[j]).collect();
                let kappa = y.iter().sum::<f64>() / e.iter().sum::<f64>();
                e.iter_mut().for_each(|v| *v *= kappa);
                Ok((e, kappa))
            }
            Deficits::Additive => {
                let e: Vec<f64> = (0..y.len()).map(|j| y[j] + (e0[j] - y0[j])).collect();
                if let Some(j) = (0..e.len()).find(|&j| e[j].is_nan() || e[j] <= 0.0) {
                    return Err(GeError::NegativeExpenditure {
                        country: self.baseline.countries()[j].clone(),
                        value: e[j],
                    });
                }
                Ok((e, 1.0))
            }
        }
    }

    /// Shifts log producer prices `x` so that the numéraire holds.
    pub fn normalise(&self, x: &mut [f64]) {
        let s = self.sigma;
        let shift = match self.options.numeraire {
            Numeraire::ProducerPrice => -x[self.reference],
            Numeraire::WorldOutput => {
                let y = self.baseline.output();
                let now: f64 = x.iter().zip(y).map(|(x, y)| x.exp() * y).sum();
                (y.iter().sum::<f64>() / now).ln()
            }
            Numeraire::InwardResistance => {
                // P_R'^{1−σ} = Σ_i (β_i p_i')^{1−σ} t_iR' must equal its baseline value.
                let r = self.reference;
                let imr: f64 = (0..x.len())
                    .map(|i| self.supply[i] * ((1.0 - s) * x[i]).exp() * self.costs_new.get(i, r))
                    .sum();
                (self.base.imr[r] / imr).ln() / (1.0 - s)
            }
        };
        x.iter_mut().for_each(|v| *v += shift);
    }

    /// Resistances from a fit of `μ = t' a' b'` with totals `y`, `e`: the scale `c` with
    /// `Y'/Π' = c a'` and `E'/P' = b'/c`, chosen by the numéraire. `x` is the current log
    /// producer price (zero in the conditional scenario).
    pub fn resistances(
        &self,
        fit: &TwoWayFit,
        y: &[f64],
        e: &[f64],
        x: &[f64],
    ) -> (f64, Vec<f64>, Vec<f64>) {
        let (s, r) = (self.sigma, self.reference);
        let c = match self.options.numeraire {
            Numeraire::InwardResistance => fit.importer[r] * self.base.imr[r] / e[r],
            Numeraire::ProducerPrice => ((1.0 - s) * x[r]).exp() * self.supply[r] / fit.exporter[r],
            Numeraire::WorldOutput => {
                // Σ_i p̃_i Y_i = Σ_i Y_i' with p̃_i^{1−σ} = c a_i' / (β_i p_i)^{1−σ}.
                let y0 = self.baseline.output();
                let target: f64 = y.iter().sum();
                let implied: f64 = (0..y.len())
                    .map(|i| (fit.exporter[i] / self.supply[i]).powf(1.0 / (1.0 - s)) * y0[i])
                    .sum();
                (target / implied).powf(1.0 - s)
            }
        };
        let omr = y
            .iter()
            .zip(&fit.exporter)
            .map(|(y, a)| y / (c * a))
            .collect();
        let imr = e
            .iter()
            .zip(&fit.importer)
            .map(|(e, b)| c * e / b)
            .collect();
        (c, omr, imr)
    }

    /// The conditional scenario from a fit of `μ = t' a' b'` with the baseline totals.
    pub fn conditional_from_fit(&self, fit: &TwoWayFit) -> Scenario {
        let (y, e) = (self.baseline.output(), self.baseline.expenditure());
        let zero = vec![0.0; y.len()];
        let (_, omr, imr) = self.resistances(fit, y, e, &zero);
        Scenario {
            output: y.to_vec(),
            expenditure: e.to_vec(),
            producer_price: vec![1.0; y.len()],
            omr,
            imr,
            flows: fit.fitted(&self.costs_new),
        }
    }
}

/// One evaluation of the outer map at log producer prices `x`.
pub(crate) struct Step<S> {
    /// The full step `Δx` the map proposes.
    pub direction: Vec<f64>,
    /// The largest log gap between demand and supply at `x`.
    pub residual: f64,
    /// What the solver needs to build the scenario at `x`.
    pub state: S,
}

/// Smallest step length before the iteration gives up.
const MIN_STEP: f64 = 1.0 / 1024.0;

/// The outer iteration on log producer prices, shared by both solvers: from `x`, take
/// the proposed step (length `λ = 1`: the update's exponent `1/σ` is derived from the
/// model, not tuned), renormalise, and evaluate. A step whose residual is not finite,
/// that leaves the model's domain (negative expenditure) or that more than doubles the
/// best residual so far is refused and retried at half the length; the length doubles
/// back (up to 1) after each step that improves on the best residual. Stops when the
/// residual is at most the tolerance; fails with [`GeError::NotConverged`] (or the
/// domain error) otherwise.
pub(crate) fn iterate<S>(
    setup: &Setup<'_>,
    what: &'static str,
    mut eval: impl FnMut(&[f64]) -> Result<Step<S>>,
) -> Result<(S, usize)> {
    let n = setup.baseline.len();
    let tol = setup.options.tolerance;
    let mut x = vec![0.0; n];
    setup.normalise(&mut x);
    let mut cur = eval(&x)?;
    let mut best = cur.residual;
    let mut lambda = 1.0f64;
    for it in 0..setup.options.max_iterations {
        if cur.residual <= tol {
            return Ok((cur.state, it));
        }
        loop {
            let mut trial: Vec<f64> = x
                .iter()
                .zip(&cur.direction)
                .map(|(x, d)| x + lambda * d)
                .collect();
            setup.normalise(&mut trial);
            let refused = match eval(&trial) {
                Ok(step) if step.residual.is_finite() && step.residual <= 2.0 * best => {
                    if step.residual < best {
                        best = step.residual;
                        lambda = (2.0 * lambda).min(1.0);
                    }
                    x = trial;
                    cur = step;
                    None
                }
                Ok(step) => Some(GeError::NotConverged {
                    what,
                    iterations: it,
                    residual: step.residual,
                    tolerance: tol,
                    hint: "steps of every length down to 1/1024 raised the demand–supply \
                           gap; the equilibrium may not exist for these inputs"
                        .into(),
                }),
                Err(e @ GeError::NegativeExpenditure { .. }) => Some(e),
                Err(e) => return Err(e),
            };
            match refused {
                None => break,
                Some(e) => {
                    lambda /= 2.0;
                    if lambda < MIN_STEP {
                        return Err(e);
                    }
                }
            }
        }
    }
    if cur.residual <= tol {
        return Ok((cur.state, setup.options.max_iterations));
    }
    Err(GeError::NotConverged {
        what,
        iterations: setup.options.max_iterations,
        residual: cur.residual,
        tolerance: tol,
        hint: "raise max_iterations; a residual that no longer falls means the inputs admit \
               no equilibrium"
            .into(),
    })
}
