//! A model prepared once and estimated many times: GEPPML's repeated estimates with a
//! new offset, bootstrap replicates with a new dependent variable.
//!
//! [`PreparedModel::new`] does the one-time work of [`crate::fit`]: it parses and
//! evaluates the filters, regressors, offset and weights, builds the fixed-effect and
//! cluster factors, selects the estimation sample (missing values, singletons,
//! separation) and resolves the fixed-effect normalisation. [`PreparedModel::refit`]
//! then estimates with a new dependent variable and/or offset (given over every dataset
//! row), starting from where the previous estimate ended: its `β`, the demeaner's
//! coefficients `α` of every column and its linear predictor (PPML: whichever of the
//! previous `η`, or the previous `xβ + Σα` plus the new offset, fits the new data
//! better), at the target inner tolerance and without repeating the collinearity check.
//!
//! # What may change between refits
//!
//! The sample depends on `y` and the offset only through which values are finite, and
//! (PPML) which `y` are zero, positive or negative (separation). A refit compares that
//! pattern with the current one: when it is the same, the sample, the factors and the
//! warm start are kept; when it differs, the sample is selected again exactly as
//! [`crate::fit`] would (new zeros may separate observations, former zeros may bring
//! dropped ones back; a negative `y` is an error), and if the selected rows differ the
//! estimate starts cold ([`PreparedModel::sample_changed`] says so). The regressors,
//! weights, filters, fixed effects and clusters never change: prepare a new model for
//! those. The collinear regressors are those found by the first estimate on the
//! current sample.
//!
//! A failed refit (wrong length, negative `y`, no convergence) leaves the model as it
//! was. A refit converges to the same estimate as a fresh [`crate::fit`] with the same
//! inputs, to the convergence tolerance ([`FitOptions::tol`]).

use crate::data::Dataset;
use crate::error::{GravityError, Result};
use crate::estimate::{
    check_options, estimate_sample, sample_options, Estimate, FitOptions, WarmStart,
};
use crate::fixed_effects::NormalisationPlan;
use crate::formula::ModelSpec;
use crate::sample::{Design, DropCounts, Sample, SampleOptions};
use crate::vcov::VcovKind;

/// The new inputs of [`PreparedModel::refit`], each over every row of the dataset the
/// model was prepared on (`None` keeps the current values).
#[derive(Debug, Clone, Copy, Default)]
pub struct Refit<'a> {
    /// The dependent variable.
    pub y: Option<&'a [f64]>,
    /// The offset (a model prepared without one gains one).
    pub offset: Option<&'a [f64]>,
}

impl<'a> Refit<'a> {
    /// A new dependent variable.
    pub fn y(y: &'a [f64]) -> Refit<'a> {
        Refit {
            y: Some(y),
            offset: None,
        }
    }

    /// A new offset.
    pub fn offset(offset: &'a [f64]) -> Refit<'a> {
        Refit {
            y: None,
            offset: Some(offset),
        }
    }
}

/// A model specification evaluated on a dataset once, estimated many times (see the
/// module docs). It holds the evaluated variables over every dataset row beside the
/// estimation sample, about twice the memory of one [`crate::fit`].
#[derive(Debug, Clone)]
pub struct PreparedModel {
    spec: ModelSpec,
    opts: FitOptions,
    sample_opts: SampleOptions,
    vcov_kind: VcovKind,
    design: Design,
    /// Current dependent variable and offset over every dataset row.
    y: Vec<f64>,
    offset: Option<Vec<f64>>,
    /// [`Design::pattern`] of the current `y` and offset.
    pattern: Vec<u8>,
    sample: Sample,
    plan: NormalisationPlan,
    warm: Option<WarmStart>,
    sample_changed: bool,
}

impl PreparedModel {
    /// Evaluates `spec` on `data` and selects the estimation sample, as [`crate::fit`]
    /// does before estimating; nothing is estimated yet.
    pub fn new(data: &Dataset, spec: &ModelSpec, opts: &FitOptions) -> Result<PreparedModel> {
        let vcov_kind = check_options(spec, opts)?;
        let sample_opts = sample_options(opts);
        let mut design = Design::evaluate(data, spec)?;
        let y = std::mem::take(&mut design.y);
        let offset = design.offset.take();
        let sample = design.select(&y, offset.as_deref(), &sample_opts)?;
        let plan = NormalisationPlan::new(&sample, &opts.fe_normalisation)?;
        let pattern = design.pattern(&y, offset.as_deref());
        Ok(PreparedModel {
            spec: spec.clone(),
            opts: opts.clone(),
            sample_opts,
            vcov_kind,
            design,
            y,
            offset,
            pattern,
            sample,
            plan,
            warm: None,
            sample_changed: false,
        })
    }

    /// Estimates with the current dependent variable and offset: the first call is the
    /// same computation as [`crate::fit`]; later calls start from the previous estimate.
    pub fn fit(&mut self) -> Result<Estimate> {
        self.refit(Refit::default())
    }

    /// Estimates with a new dependent variable and/or offset (over every dataset row),
    /// starting from the previous estimate when the sample is unchanged (see the module
    /// docs for what may change). The estimate's [`Estimate::spec`] is the prepared
    /// specification: its dependent variable and offset stand for the values given here.
    /// Errors: vectors of the wrong length ([`GravityError::InvalidSpec`]), a negative
    /// `y` (PPML), an empty sample, and every error of [`crate::fit`]; the model is then
    /// left as it was.
    pub fn refit(&mut self, update: Refit<'_>) -> Result<Estimate> {
        let n = self.design.nrows();
        for (what, v) in [("dependent variable", update.y), ("offset", update.offset)] {
            if let Some(v) = v {
                if v.len() != n {
                    return Err(GravityError::InvalidSpec(format!(
                        "refit: the {what} has {} values for {n} dataset rows",
                        v.len()
                    )));
                }
            }
        }
        let y = update.y.unwrap_or(&self.y);
        let offset = update.offset.or(self.offset.as_deref());
        let pattern = if update.y.is_some() || update.offset.is_some() {
            self.design.pattern(y, offset)
        } else {
            self.pattern.clone()
        };
        let (sample, plan, warm) = if pattern == self.pattern {
            let mut s = self.sample.clone();
            s.y = s.rows.iter().map(|&r| y[r]).collect();
            s.offset = offset.map(|o| s.rows.iter().map(|&r| o[r]).collect());
            (s, self.plan.clone(), self.warm.as_ref())
        } else {
            let s = self.design.select(y, offset, &self.sample_opts)?;
            if s.rows == self.sample.rows {
                (s, self.plan.clone(), self.warm.as_ref())
            } else {
                let plan = NormalisationPlan::new(&s, &self.opts.fe_normalisation)?;
                (s, plan, None)
            }
        };
        let changed = sample.rows != self.sample.rows;
        let (est, next) =
            estimate_sample(&self.spec, &sample, &self.opts, self.vcov_kind, &plan, warm)?;
        if let Some(v) = update.y {
            self.y = v.to_vec();
        }
        if let Some(v) = update.offset {
            self.offset = Some(v.to_vec());
        }
        self.pattern = pattern;
        self.sample = sample;
        self.plan = plan;
        self.warm = Some(next);
        self.sample_changed = changed;
        Ok(est)
    }

    /// Whether the last refit selected a different sample (and so started cold).
    pub fn sample_changed(&self) -> bool {
        self.sample_changed
    }

    /// Makes the next estimate start cold, as [`crate::fit`] does.
    pub fn forget_warm_start(&mut self) {
        self.warm = None;
    }

    /// Number of rows of the dataset (the length of [`Refit`]'s vectors).
    pub fn nrows(&self) -> usize {
        self.design.nrows()
    }

    /// The dataset rows of the current estimation sample.
    pub fn rows(&self) -> &[usize] {
        &self.sample.rows
    }

    /// The observations removed from the current sample, by reason.
    pub fn dropped(&self) -> DropCounts {
        self.sample.drops
    }

    /// The specification.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }
}
