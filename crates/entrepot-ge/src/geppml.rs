//! The GEPPML solver (Anderson, Larch and Yotov 2018; Yotov et al. 2016, ch. 2, Box 2):
//! every step of the counterfactual is a PPML estimation of the structural gravity
//! equation with exporter and importer fixed effects and the trade costs as a
//! constrained offset ([`crate::ppml`]), and the general-equilibrium quantities are read
//! off the fixed effects.
//!
//! * **Conditional**: PPML of baseline trade on exporter and importer effects with offset
//!   `ln t_ij'`; the resistances follow from the effects (`Π_i = Y_i E_R / exp(FE_i)`,
//!   `P_j = E_j / (exp(FE_j) E_R)` for the book's numéraire).
//! * **Full endowment**: at producer prices `p̂`, output is `p̂_i Y_i` and expenditure
//!   follows the deficit rule; the PPML with offset `ln t_ij'` on a dependent variable
//!   with these totals gives the exporter effects, and the producer prices they imply
//!   (`p̂_i^{1−σ} = (exp(FE_i')/E_R') / (exp(FE_i)/E_R)`, ch. 2 eq. (14), with the scale
//!   that gives the reference country its current price in place of `E_R`) are compared
//!   with the guess. The equilibrium is the fixed point where the implied prices equal
//!   the guess.
//!
//! The update moves `ln p̂` a fraction `(σ−1)/σ` of the way to the implied prices, i.e.
//! `ln p̂ += ln(D/S)/σ` with the demand `D` the fit implies: the same market-clearing
//! step as the exact hat algebra. That fraction is not a tuning knob: the implied price
//! responds to the guess with elasticity about `−1/(σ−1)`, so jumping all the way (as
//! the book's do-file does) overshoots, by more than the distance to go when `σ < 2`,
//! and the fraction `(σ−1)/σ` cancels that response. The outer loop (Anderson
//! acceleration, step shortening, Levenberg–Marquardt when it crawls) is the one the
//! exact hat algebra uses; its gap is `(σ−1)(ln p̂_i^{FE} − ln p̂_i)`, the log gap
//! between the demand implied by the fit and the supply at `p̂`.

use crate::common::setup;
use crate::error::Result;
use crate::hat::unchanged;
use crate::model::{Baseline, Options, Shock};
use crate::outer::{iterate, Step};
use crate::ppml::{fit_two_way_totals, TwoWayFit};
use crate::result::{Counterfactual, Method, Scenario};

/// Solves the conditional and full endowment counterfactuals by GEPPML iterated to the
/// equilibrium. Agrees with [`crate::solve_hat`] to the tolerance; unlike it, it can give
/// a positive trade cost to a pair without baseline trade. A shock that changes no cost
/// returns the baseline unchanged.
pub fn solve_geppml(
    baseline: &Baseline,
    shock: &Shock,
    options: &Options,
) -> Result<Counterfactual> {
    let setup = setup(baseline, shock, options)?;
    if setup.unchanged {
        return Ok(unchanged(&setup, Method::Geppml));
    }
    let n = baseline.len();
    let (s, r) = (setup.sigma, setup.reference);
    let inner = setup.options.inner_tolerance();
    let (y0, e0) = (baseline.output(), baseline.expenditure());
    let cfit = fit_two_way_totals(y0, e0, &setup.costs_new, r, inner, None)?;
    let conditional = setup.conditional_from_fit(&cfit);
    let mut warm = cfit.importer.clone();
    let (state, iterations) = iterate(&setup, "GEPPML (full endowment prices)", |x| {
        let p: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let y: Vec<f64> = p.iter().zip(y0).map(|(p, y)| p * y).collect();
        let (e, kappa) = setup.expenditure(&y)?;
        let fit = fit_two_way_totals(&y, &e, &setup.costs_new, r, inner, Some(&warm))?;
        warm.clone_from(&fit.importer);
        let c = setup.full_scale(&fit, x);
        let (omr, imr) = setup.resistances(&fit, &y, &e, c);
        // (σ − 1)(ln p̂^FE − ln p̂), with p̂^FE_i^{1−σ} = c a_i' / (β_i p_i)^{1−σ}: the log
        // gap between the demand the fit implies at p̂ and the supply p̂ Y.
        let gaps: Vec<f64> = (0..n)
            .map(|i| -(c * fit.exporter[i] / setup.supply[i]).ln() - (s - 1.0) * x[i])
            .collect();
        Ok(Step {
            gaps,
            state: GeppmlState {
                p,
                y,
                e,
                kappa,
                omr,
                imr,
                fit,
            },
        })
    })?;
    let full = Scenario {
        flows: state.fit.fitted(&setup.costs_new),
        output: state.y,
        expenditure: state.e,
        producer_price: state.p,
        omr: state.omr,
        imr: state.imr,
    };
    Ok(Counterfactual {
        countries: baseline.countries().to_vec(),
        sigma: s,
        options: setup.options.clone(),
        method: Method::Geppml,
        baseline: setup.base.clone(),
        conditional,
        full,
        iterations,
        expenditure_scale: state.kappa,
    })
}

struct GeppmlState {
    p: Vec<f64>,
    y: Vec<f64>,
    e: Vec<f64>,
    kappa: f64,
    omr: Vec<f64>,
    imr: Vec<f64>,
    fit: TwoWayFit,
}
