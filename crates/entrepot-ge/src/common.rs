//! What both solvers share: the checked setup with the baseline equilibrium, the
//! expenditure rule of each deficit treatment, the numéraire, and the mapping from a
//! fixed-effect fit to resistances.

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

    /// The common shift of log producer prices `x` that makes the numéraire hold.
    pub fn shift(&self, x: &[f64]) -> f64 {
        let s = self.sigma;
        match self.options.numeraire {
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
        }
    }

    /// Whether the deficit rule scales with prices (multiplicative or balanced), so that
    /// the equilibrium conditions fix relative prices only and the numéraire just scales
    /// them. With additive deficits the numéraire is part of the equations.
    pub fn homogeneous(&self) -> bool {
        self.options.deficits != Deficits::Additive
    }

    /// The shift the outer iteration works with: for homogeneous rules the reference
    /// producer price (`x_R = 0`; the requested numéraire is applied once at the end),
    /// otherwise the requested numéraire.
    pub fn iteration_shift(&self, x: &[f64]) -> f64 {
        if self.homogeneous() {
            -x[self.reference]
        } else {
            self.shift(x)
        }
    }

    /// The scale `c` of a fit of `μ = t' a' b'` (`Y'/Π' = c a'`, `E'/P' = b'/c`) in the
    /// conditional scenario, chosen by the numéraire.
    pub fn conditional_scale(&self, fit: &TwoWayFit) -> f64 {
        let (s, r) = (self.sigma, self.reference);
        let (y, e) = (self.baseline.output(), self.baseline.expenditure());
        match self.options.numeraire {
            Numeraire::InwardResistance => fit.importer[r] * self.base.imr[r] / e[r],
            Numeraire::ProducerPrice => self.supply[r] / fit.exporter[r],
            Numeraire::WorldOutput => {
                // Σ_i p̃_i Y_i = Σ_i Y_i with p̃_i^{1−σ} = c a_i' / (β_i p_i)^{1−σ}.
                let implied: f64 = (0..y.len())
                    .map(|i| (fit.exporter[i] / self.supply[i]).powf(1.0 / (1.0 - s)) * y[i])
                    .sum();
                (y.iter().sum::<f64>() / implied).powf(1.0 - s)
            }
        }
    }

    /// The scale `c` of a fit at log producer prices `x` in the full endowment iteration:
    /// the one that gives the reference country the producer price it has at `x`,
    /// `c a_R' = (β_R p_R)^{1−σ}`. At the equilibrium every country's implied price
    /// equals its own, so this is the only consistent scale whatever the numéraire.
    pub fn full_scale(&self, fit: &TwoWayFit, x: &[f64]) -> f64 {
        let r = self.reference;
        ((1.0 - self.sigma) * x[r]).exp() * self.supply[r] / fit.exporter[r]
    }

    /// Resistances from a fit of `μ = t' a' b'` with totals `y`, `e` and scale `c`:
    /// `Π' = Y' / (c a')`, `P' = c E' / b'` (the book's `OMR`, `IMR`).
    pub fn resistances(
        &self,
        fit: &TwoWayFit,
        y: &[f64],
        e: &[f64],
        c: f64,
    ) -> (Vec<f64>, Vec<f64>) {
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
        (omr, imr)
    }

    /// The conditional scenario from a fit of `μ = t' a' b'` with the baseline totals.
    pub fn conditional_from_fit(&self, fit: &TwoWayFit) -> Scenario {
        let (y, e) = (self.baseline.output(), self.baseline.expenditure());
        let (omr, imr) = self.resistances(fit, y, e, self.conditional_scale(fit));
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
