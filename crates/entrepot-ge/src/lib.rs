//! # entrepot-ge
//!
//! Structural gravity in general equilibrium: from a baseline (output and expenditure
//! including domestic trade, estimated trade costs `t_ij = τ_ij^{1−σ}`), the
//! counterfactual of a change in bilateral trade costs, in the two scenarios of Yotov,
//! Piermartini, Monteiro and Larch (2016, ch. 2) and Head and Mayer (2014, sec. 4):
//!
//! * **conditional** general equilibrium: output and expenditure fixed, the multilateral
//!   resistances (Anderson and van Wincoop 2003) adjust to the new costs;
//! * **full endowment** general equilibrium: producer prices, hence output and
//!   expenditure, adjust too, until every country's sales equal its output.
//!
//! Per country: exports and imports, output and expenditure, producer price, inward and
//! outward multilateral resistance, real GDP and real expenditure (welfare); per pair:
//! the bilateral flow, in the baseline and both counterfactuals
//! ([`Counterfactual::country_results`], [`Counterfactual::pair_results`]).
//!
//! ## Which function serves which case
//!
//! | case | function | method |
//! |---|---|---|
//! | the equilibrium, fast (bootstraps, many scenarios) | [`solve_hat`] | exact hat algebra fixed point (Dekle, Eaton and Kortum 2007; Baier, Yotov and Zylkin 2019; Zylkin's `ge_gravity`) |
//! | the equilibrium from the estimator, or a shock that opens trade on a pair with no baseline trade | [`solve_geppml`] | GEPPML (Anderson, Larch and Yotov 2018): PPML with exporter and importer fixed effects and the costs as offset at every step |
//! | the book's published tables (Yotov et al. 2016, ch. 2 applications) | [`replicate_yotov2016`] | the do-files' procedure with their stopping rule (not the equilibrium) |
//! | intervals from an estimated elasticity | [`draw_theta`], [`quantile`] | truncated-normal draws of `θ` by its standard error, a fixed seed; percentiles over the solved draws |
//! | the estimator step alone | [`fit_two_way`], [`fit_two_way_totals`] | PPML with two-way fixed effects and an offset, by matrix balancing |
//!
//! [`solve_hat`] and [`solve_geppml`] solve the same equations and agree to the
//! tolerance; the tests check it on the book's data.
//!
//! ## Normalisation, deficits, convergence
//!
//! * **Normalisation** is explicit: baseline levels have the reference country's inward
//!   resistance `P_R = 1` (the book's convention with Germany); in the counterfactuals the
//!   [`Numeraire`] holds `P_R`, the reference producer price `p_R` or world output fixed.
//!   Changes of real GDP and welfare do not depend on it (unless deficits are additive).
//! * **Deficits** ([`Deficits`]): multiplicative (`E = φ Y`, the book), additive (fixed
//!   `D = E − Y`, `ge_gravity`'s default) or balanced.
//! * **No scaling knob.** Both solvers take the step `ln p̂ += ln(demand/supply)/σ`, whose
//!   exponent comes from the supply equation, with Anderson acceleration; a step is
//!   shortened only when it would leave the model's domain or blow up the excess demand,
//!   and a crawling iteration hands over to Levenberg–Marquardt (the shared outer loop is
//!   documented in the source of `outer.rs`). The exact hat algebra, if its direct
//!   update fails, starts again with the sturdier update that solves the hat
//!   multilateral-resistance system at each step. Convergence means the largest log gap
//!   between demand and supply is below [`Options::tolerance`]. Input that admits no
//!   equilibrium is refused before iterating where it can be seen (negative or
//!   non-finite values, a country with zero output or expenditure, a country cut off from
//!   all markets, groups of countries that never trade with each other, world output ≠
//!   world expenditure, deficits with balanced trade); otherwise a failed iteration is a
//!   [`GeError::NegativeExpenditure`] (additive deficits that cannot be financed) or a
//!   [`GeError::NotConverged`] saying how far it got and where prices were heading.
//!   With multiplicative or balanced deficits the equilibrium is unique (gross
//!   substitutes); with additive deficits it need not exist nor be unique.
//! * A shock that changes no cost returns the baseline exactly.
//!
//! ## Example
//!
//! ```
//! use entrepot_ge::{solve_geppml, solve_hat, Baseline, Elasticity, Matrix, Options, Shock};
//! let countries: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
//! let flows = Matrix::new(3, vec![50.0, 10.0, 5.0, 8.0, 60.0, 7.0, 4.0, 9.0, 40.0])?;
//! let costs = Matrix::new(3, vec![1.0, 0.1, 0.05, 0.1, 1.0, 0.08, 0.05, 0.08, 1.0])?;
//! let baseline = Baseline::from_flows(countries, &flows, costs)?;
//! // An agreement between A and B raises their trade-cost term t^{1−σ} by 50%.
//! let mut change = Matrix::filled(3, 1.0);
//! change.set(0, 1, 1.5);
//! change.set(1, 0, 1.5);
//! let options = Options::new(Elasticity::Sigma(7.0), "C");
//! let hat = solve_hat(&baseline, &Shock::Changes(change.clone()), &options)?;
//! let ge = solve_geppml(&baseline, &Shock::Changes(change), &options)?;
//! let a = &hat.country_results()[0];
//! assert!(a.exports.full_change_pct() > 0.0 && a.real_gdp.full_change_pct() > 0.0);
//! let b = &ge.country_results()[0];
//! assert!((a.real_gdp.full / b.real_gdp.full - 1.0).abs() < 1e-8);
//! # Ok::<(), entrepot_ge::GeError>(())
//! ```

#![warn(missing_docs)]

mod common;
pub mod error;
pub mod geppml;
pub mod hat;
mod linalg;
pub mod matrix;
pub mod model;
mod outer;
pub mod ppml;
pub mod resample;
pub mod result;
pub mod yotov2016;

pub use error::{GeError, Result};
pub use geppml::solve_geppml;
pub use hat::solve_hat;
pub use matrix::Matrix;
pub use model::{Baseline, Deficits, Elasticity, Numeraire, Options, Shock};
pub use ppml::{fit_two_way, fit_two_way_totals, TwoWayFit};
pub use resample::{draw_theta, quantile, ThetaDraws};
pub use result::{Counterfactual, CountryResult, Levels, Method, PairResult, Scenario};
pub use yotov2016::{replicate_yotov2016, BOOK_STOP};
