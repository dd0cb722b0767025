//! The full endowment procedure exactly as the do-files of Yotov, Piermartini, Monteiro
//! and Larch (2016, ch. 2, `TradeWithoutBorder.do` and `RTAsEffects.do`, step III.b)
//! run it, to reproduce the published numbers.
//!
//! From the conditional fit (iterate 1), each pass `s`:
//!
//! ```text
//! trade_s   = tradehat_{s−1} · p̂_i,{s−1} p̂_j,{s−1} / (Π̂_i,{s−1} P̂_j,{s−1})
//! PPML of trade_s on exporter and importer effects, offset ln t_ij'  → tradehat_s, FE_s
//! Y_s = Σ_j tradehat_s,ij      E_s = φ Y_s      E_R,s = E_s of the reference
//! p̂_i,s   = ((exp(FE_i,s)/exp(FE_i,s−1)) / (E_R,s/E_R,s−1))^{1/(1−σ)}
//! Π̂_i,s   = OMR_s / OMR_{s−1}  with  OMR_s = Y_s E_R,s / exp(FE_i,s)
//! P̂_j,s   = IMR_s / IMR_{s−1}  with  IMR_s = E_s / (exp(FE_j,s) E_R,s)
//! ```
//!
//! and it stops when both the standard deviation and the absolute value of the maximum
//! of `p̂_{s−1} − p̂_{s−2}` are at most 0.01 (taken, as Stata's `summarize` does, over the
//! `N²` pair rows, so each country counts `N` times; `p̂_0 = 0`). The reported full
//! endowment values are then `p̂^{FULL} = ((exp(FE_S)/exp(FE_BLN)) / (E_R,S/E_R))^{1/(1−σ)}`,
//! `Y^{FULL} = p̂^{FULL} Y`, `E^{FULL} = φ Y^{FULL}`, `OMR^{FULL} = Y^{FULL} E_R,S / exp(FE_S)`,
//! `IMR^{FULL} = E_S / (exp(FE_j,S) E_R,S)` and `X^{FULL} = Y^{FULL} E^{FULL} t' /
//! (OMR^{FULL} IMR^{FULL})`.
//!
//! **This is not the equilibrium.** The rule stops after a handful of passes (five for
//! "trade without borders", three for NAFTA), and the loop itself only updates flows
//! from one pass to the next, without imposing `E = φ Y` on the fitted column totals,
//! so even run to convergence its limit is not market clearing (on the book's 2006 data
//! the column totals end up a few percent away from `E`). Use [`crate::solve_geppml`] or
//! [`crate::solve_hat`] for the equilibrium; this function exists to reproduce the
//! published tables and to measure how far they are from it.

use crate::common::setup;
use crate::error::{GeError, Result};
use crate::hat::unchanged;
use crate::matrix::Matrix;
use crate::model::{Baseline, Deficits, Numeraire, Options, Shock};
use crate::ppml::fit_two_way_totals;
use crate::result::{Counterfactual, Method, Scenario};

/// The do-files' stopping threshold on the change of producer prices between passes.
pub const BOOK_STOP: f64 = 0.01;

/// Runs the book's full endowment procedure with its stopping rule (`stop`, 0.01 in the
/// book: [`BOOK_STOP`]). The options must be the book's: the reference country's inward
/// resistance fixed and multiplicative deficits. At most `options.max_iterations` passes.
pub fn replicate_yotov2016(
    baseline: &Baseline,
    shock: &Shock,
    options: &Options,
    stop: f64,
) -> Result<Counterfactual> {
    if options.numeraire != Numeraire::InwardResistance
        || options.deficits != Deficits::Multiplicative
    {
        return Err(GeError::Unsupported(
            "the book's do-file procedure fixes the reference country's inward resistance \
             and uses multiplicative deficits; use solve_geppml or solve_hat for other options"
                .into(),
        ));
    }
    if !(stop.is_finite() && stop > 0.0) {
        return Err(GeError::InvalidOption(format!(
            "the stopping threshold must be positive; got {stop}"
        )));
    }
    let setup = setup(baseline, shock, options)?;
    if setup.unchanged {
        return Ok(unchanged(&setup, Method::Yotov2016DoFile));
    }
    let n = baseline.len();
    let (s, r) = (setup.sigma, setup.reference);
    let inner = setup.options.inner_tolerance();
    let (y, e) = (baseline.output(), baseline.expenditure());
    let phi: Vec<f64> = e.iter().zip(y).map(|(e, y)| e / y).collect();
    let t1 = &setup.costs_new;
    let pow = 1.0 / (1.0 - s);

    // Iterate 0 (baseline) and 1 (conditional).
    let a0 = setup.base_fit.exporter.clone();
    let er0 = e[r];
    let cfit = fit_two_way_totals(y, e, t1, r, inner, None)?;
    let conditional = setup.conditional_from_fit(&cfit);
    let mut hat = cfit.fitted(t1);
    let mut a_prev = cfit.exporter.clone();
    let mut b_prev = cfit.importer.clone();
    let mut er_prev = er0;
    let mut e_prev: Vec<f64>;
    let mut cp: Vec<f64> = (0..n).map(|i| (a_prev[i] / a0[i]).powf(pow)).collect();
    let mut cp_old = vec![0.0; n];
    let mut omr_prev: Vec<f64> = (0..n).map(|i| y[i] * er0 / a_prev[i]).collect();
    let mut imr_prev: Vec<f64> = (0..n).map(|j| e[j] / (b_prev[j] * er0)).collect();
    let mut c_omr = vec![1.0; n];
    let mut c_imr = vec![1.0; n];
    let mut passes = 0;
    loop {
        if passes >= setup.options.max_iterations {
            return Err(GeError::NotConverged {
                what: "the book's GEPPML procedure",
                iterations: passes,
                residual: f64::NAN,
                tolerance: stop,
                hint: "its stopping rule was never met".into(),
            });
        }
        passes += 1;
        let trade = Matrix::from_fn(n, |i, j| {
            hat.get(i, j) * cp[i] * cp[j] / (c_omr[i] * c_imr[j])
        });
        let fit = fit_two_way_totals(
            &trade.row_sums(),
            &trade.col_sums(),
            t1,
            r,
            inner,
            Some(&b_prev),
        )?;
        hat = fit.fitted(t1);
        let ys = hat.row_sums();
        let es: Vec<f64> = (0..n).map(|j| phi[j] * ys[j]).collect();
        let ers = es[r];
        let cp_new: Vec<f64> = (0..n)
            .map(|i| ((fit.exporter[i] / a_prev[i]) / (ers / er_prev)).powf(pow))
            .collect();
        let omr: Vec<f64> = (0..n).map(|i| ys[i] * ers / fit.exporter[i]).collect();
        let imr: Vec<f64> = (0..n).map(|j| es[j] / (fit.importer[j] * ers)).collect();
        c_omr = (0..n).map(|i| omr[i] / omr_prev[i]).collect();
        c_imr = (0..n).map(|j| imr[j] / imr_prev[j]).collect();
        let dif: Vec<f64> = (0..n).map(|i| cp[i] - cp_old[i]).collect();
        let (sd, max) = stata_summary(&dif);
        cp_old = std::mem::replace(&mut cp, cp_new);
        a_prev = fit.exporter;
        b_prev = fit.importer;
        er_prev = ers;
        e_prev = es;
        omr_prev = omr;
        imr_prev = imr;
        if !(sd > stop || max.abs() > stop) {
            break;
        }
    }
    let price: Vec<f64> = (0..n)
        .map(|i| ((a_prev[i] / a0[i]) / (er_prev / er0)).powf(pow))
        .collect();
    let y_full: Vec<f64> = (0..n).map(|i| price[i] * y[i]).collect();
    let e_full: Vec<f64> = (0..n).map(|j| phi[j] * y_full[j]).collect();
    let omr: Vec<f64> = (0..n).map(|i| y_full[i] * er_prev / a_prev[i]).collect();
    let imr: Vec<f64> = (0..n).map(|j| e_prev[j] / (b_prev[j] * er_prev)).collect();
    let flows = Matrix::from_fn(n, |i, j| {
        y_full[i] * e_full[j] * t1.get(i, j) / (imr[j] * omr[i])
    });
    Ok(Counterfactual {
        countries: baseline.countries().to_vec(),
        sigma: s,
        options: setup.options.clone(),
        method: Method::Yotov2016DoFile,
        baseline: setup.base.clone(),
        conditional,
        full: Scenario {
            output: y_full,
            expenditure: e_full,
            producer_price: price,
            omr,
            imr,
            flows,
        },
        iterations: passes,
        expenditure_scale: 1.0,
    })
}

/// Standard deviation and maximum of per-country values over the `N²` pair rows (each
/// country's value repeated `N` times), as Stata's `summarize` reports them.
fn stata_summary(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let ss: f64 = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() * n;
    let sd = if n * n > 1.0 {
        (ss / (n * n - 1.0)).sqrt()
    } else {
        0.0
    };
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (sd, max)
}
