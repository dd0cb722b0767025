//! Structural gravity estimation for Entrepôt: Poisson pseudo-maximum likelihood (PPML)
//! and OLS with any number of high-dimensional fixed effects.
//!
//! # Method
//!
//! **PPML** maximises the Poisson pseudo-likelihood of `y ≥ 0` with
//! `E[y|x] = μ = exp(offset + xβ + Σ_g α_g[id_g])` by iteratively re-weighted least
//! squares (IRLS): at each iteration the working variable
//! `z = η − offset + (y − μ)/μ` and the regressors are *demeaned* with weights `μ` (the
//! fixed effects are partialled out, Frisch–Waugh–Lovell), `β` is the weighted LS
//! solution on the demeaned data, and `η = offset + z − (z̃ − X̃β)`. The demeaning
//! ([`demean`], a kernel independent of the estimators) uses alternating projections
//! (Gauss–Seidel sweeps over the fixed-effect dimensions) with Irons–Tuck acceleration,
//! warm-started from the previous IRLS iteration; its tolerance starts loose (`1e-4`) and
//! is tightened (at least tenfold, straight to a tenth of the outer criterion when that is
//! smaller) whenever the outer criterion comes within a factor 10 of it, down to the target
//! (`1e-8`; set to the target directly once within a factor 10 of it), in the spirit of
//! ppmlhdfe. Convergence is declared when
//! `|dev − dev_old| / max(min(dev, dev_old), 0.1) < tol` (default `1e-8`) at the target
//! inner tolerance; reaching `max_iter` is an error ([`GravityError::NotConverged`]).
//!
//! **OLS** demeans `y` and `X` once (with the user weights) and solves the normal
//! equations.
//!
//! **Existence** (PPML): before estimation, singletons are dropped iteratively, then
//! observations in fixed-effect groups whose `y` is all zero, then observations separated
//! by the regressors and fixed effects jointly (iterated rectifier of Correia, Guimarães
//! and Zylkin 2019), repeated until nothing changes ([`separation`]). Counts per reason
//! are reported in [`DropCounts`]. Regressors collinear with the fixed effects or each
//! other are dropped with a message.
//!
//! **Inference**: iid, heteroskedasticity-robust and one-/multi-way clustered
//! (Cameron–Gelbach–Miller) sandwiches; small-sample corrections follow pyfixest's
//! defaults unless configured otherwise ([`vcov`], [`SmallSample`]).
//!
//! **Fixed effects** are recovered after estimation (per level, with the normalisation
//! documented on [`Estimate::fixed_effects`]: within each connected component of the
//! first two dimensions the first level of the second is 0, and the first level of each
//! further dimension is 0; [`FitOptions::fe_normalisation`] chooses another, a reference
//! level or weighted means of zero, [`FeNormalisation`]); the fitted values `μ` are
//! returned for every used observation. Each level of an interaction `exporter^year` has
//! a typed key, the value of each component ([`FeKey`], `["ARG", "1986"]`), for lookup
//! ([`Estimate::fixed_effect`]) and iteration ([`FixedEffectValues::iter`]); the joined
//! label `ARG^1986` stays in [`FixedEffectValues::levels`].
//!
//! **Intercept**: a model without fixed effects has an `(Intercept)` regressor. With
//! fixed effects, [`FitOptions::report_intercept`] recovers the constant as reghdfe and
//! ppmlhdfe report `_cons` ([`Estimate::intercept`]): the fixed effects are normalised to a
//! weighted mean of zero over the estimation sample, so the constant is the weighted mean
//! of the fixed-effect component `Σ_g α_g` of the linear predictor, with the final IRLS
//! weights `μ·w` (PPML) or the user weights (OLS); for OLS this is `ȳ − x̄'β`. Its standard
//! error comes from the delta method ([`Estimate::intercept_se`]). PPML also reports `corr(y, μ)²` ([`Estimate::r2_corr`], printed
//! as "R-squared" by Stata's `ppml`, Santos Silva and Tenreyro 2006) beside the pseudo-R².
//!
//! **Several models** fitted on the same sample source are laid out side by side, one
//! column per model, by [`ModelComparison`].
//!
//! # Which function serves which case
//!
//! | case | function | what it does once, what each call does |
//! |---|---|---|
//! | one model | [`fit`] | builds the sample, estimates, recovers the fixed effects |
//! | several models side by side | [`ModelComparison`] | one [`fit`] per model on the same sample source |
//! | the same model with a new dependent variable or offset many times (GEPPML steps, bootstrap replicates) | [`PreparedModel::new`], [`PreparedModel::refit`] with a [`Refit`] | once: formula evaluation, factors, singletons and separation, normalisation checks; each refit: the estimate warm-started from the previous one (`β`, the demeaner's `α`, `μ`), the sample re-selected only when a new `y` changes which observations are zero (separation) or which values are finite |
//! | fixed effects by level | [`Estimate::fixed_effect`], [`Estimate::fixed_effect_values`] | typed keys ([`FeKey`]), the normalisation chosen by [`FitOptions::fe_normalisation`] |
//! | the demeaning kernel alone | [`Demeaner`] | weighted alternating projections with Irons–Tuck acceleration, warm-startable |
//! | the separation check alone | [`ir_separation`] | the iterated rectifier |
//! | progress of a long fit (a notebook's bar) | [`FitOptions::progress`] | an `entrepot_core::Progress` hook called after every PPML iteration |
//!
//! Modules: [`estimate`] (the estimators, [`FitOptions`], [`Estimate`]), [`prepared`]
//! ([`PreparedModel`], [`Refit`]), [`fixed_effects`] ([`FeKey`], [`FixedEffectValues`],
//! [`FeNormalisation`]), [`sample`] (the estimation sample, [`DropCounts`]), [`demean`],
//! [`separation`], [`vcov`], [`data`] ([`Dataset`]), [`formula`] ([`ModelSpec`]),
//! [`expr`], [`table`], [`compare`], [`document`].
//!
//! # Limits
//!
//! Formulas and filters are user input: they nest at most [`MAX_DEPTH`] levels
//! (parentheses, calls, unary and chained operators), so parsing and evaluation never
//! exhaust the stack; a filter must be a condition ([`Expr::check_condition`]). CSV
//! input is refused when binary or when a record passes [`MAX_RECORD_BYTES`]. A model
//! without regressors, without residual degrees of freedom or with fewer than two
//! clusters is an error, never a table of NaN or infinite standard errors. Every
//! failure is a [`GravityError`] variant, so callers classify errors without reading
//! messages. [`fuzzing`] holds the fuzz harnesses of the parsers.
//!
//! # Example
//!
//! ```no_run
//! use entrepot_gravity::{fit, Dataset, FitOptions, ModelSpec};
//! let data = Dataset::from_csv_path("agtpa_applications.csv")?;
//! let spec = ModelSpec::parse("trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year")?
//!     .with_filter("year in 1986,1990,1994,1998,2002,2006")?
//!     .with_filter("exporter != importer")?
//!     .with_cluster("pair_id")?;
//! let est = fit(&data, &spec, &FitOptions::default())?;
//! println!("{}", est.table().to_text());
//! # Ok::<(), entrepot_gravity::GravityError>(())
//! ```
//!
//! Prepared once, refitted with a new offset (a GEPPML step), the importer effects
//! normalised to Germany's:
//!
//! ```no_run
//! use entrepot_gravity::{Dataset, FeNormalisation, FitOptions, ModelSpec, PreparedModel, Refit};
//! let data = Dataset::from_csv_path("flows.csv")?;
//! let spec = ModelSpec::parse("trade ~ rta | exporter + importer")?.with_offset("ln_t")?;
//! let opts = FitOptions {
//!     fe_normalisation: FeNormalisation::reference("importer", "importer", "DEU"),
//!     ..FitOptions::default()
//! };
//! let mut model = PreparedModel::new(&data, &spec, &opts)?;
//! let first = model.fit()?;
//! let new_offset: Vec<f64> = vec![0.0; model.nrows()];
//! let next = model.refit(Refit::offset(&new_offset))?;
//! assert_eq!(next.fixed_effect("importer", &["DEU"]), Some(0.0));
//! println!("{} then {} IRLS iterations", first.iterations, next.iterations);
//! # Ok::<(), entrepot_gravity::GravityError>(())
//! ```

pub mod compare;
pub mod data;
pub mod demean;
pub mod document;
pub mod error;
pub mod estimate;
pub mod expr;
pub mod fixed_effects;
pub mod formula;
pub mod fuzzing;
pub mod linalg;
pub mod prepared;
pub mod sample;
pub mod separation;
pub mod special;
pub mod table;
pub mod vcov;

pub use compare::ModelComparison;
pub use data::{Column, Dataset, Factor};
pub use demean::{DemeanOptions, Demeaner, FeCodes};
pub use error::{GravityError, Result, MAX_RECORD_BYTES};
pub use estimate::{fit, Estimate, Estimator, FitOptions};
pub use expr::{Expr, MAX_DEPTH};
pub use fixed_effects::{FeKey, FeNormalisation, FixedEffectValues};
pub use formula::{parse_cluster, ModelSpec};
pub use prepared::{PreparedModel, Refit};
pub use sample::DropCounts;
pub use separation::{ir_separation, IrOptions};
pub use table::{CoefRow, RegressionTable};
pub use vcov::{connected_components, redundant_levels, ClusterDf, FixefK, SmallSample, VcovKind};

impl Estimate {
    /// The regression table of this estimate.
    pub fn table(&self) -> RegressionTable {
        RegressionTable::from(self)
    }
}
