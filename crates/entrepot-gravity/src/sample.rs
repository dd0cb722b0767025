//! Building the estimation sample: filters, missing values, singletons and separation.

use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Factor, MISSING_CODE};
use crate::demean::{DemeanOptions, FeCodes};
use crate::error::{GravityError, Result};
use crate::expr::Expr;
use crate::fixed_effects::FeKey;
use crate::formula::ModelSpec;
use crate::separation::{ir_separation, IrOptions};

/// Observations removed before estimation, by reason (counts are disjoint; each
/// observation is counted under the first reason that removed it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropCounts {
    /// Rows of the dataset (before anything was removed).
    pub total_rows: usize,
    /// Removed by the sample filters.
    pub filtered: usize,
    /// Removed because a used variable (or fixed effect / cluster / weight) is missing or not
    /// finite (e.g. `log(0)`).
    pub missing: usize,
    /// Removed because their weight is zero.
    pub zero_weight: usize,
    /// Singletons: the only observation of some fixed-effect level (removed iteratively).
    pub singletons: usize,
    /// PPML: in a fixed-effect level whose dependent variable is zero throughout.
    pub separated_fe: usize,
    /// PPML: separated by the regressors together with the fixed effects (iterated
    /// rectifier of Correia, Guimarães and Zylkin).
    pub separated_ir: usize,
}

impl DropCounts {
    /// All removed observations.
    pub fn total_dropped(&self) -> usize {
        self.filtered
            + self.missing
            + self.zero_weight
            + self.singletons
            + self.separated_fe
            + self.separated_ir
    }
}

/// Which estimator the sample is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SampleKind {
    Poisson,
    Linear,
}

/// Options of the sample construction.
#[derive(Debug, Clone)]
pub(crate) struct SampleOptions {
    pub kind: SampleKind,
    pub drop_singletons: bool,
    pub separation_fe: bool,
    pub separation_ir: bool,
    pub ir: IrOptions,
    pub demean: DemeanOptions,
    /// Print phase timings to stderr.
    pub trace: bool,
}

/// The estimation sample (compact arrays over the used observations).
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// Dataset row of each used observation.
    pub rows: Vec<usize>,
    pub y: Vec<f64>,
    /// Regressor columns (an `(Intercept)` column of ones when requested).
    pub x: Vec<Vec<f64>>,
    pub x_names: Vec<String>,
    pub offset: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub fe: FeCodes,
    pub fe_names: Vec<String>,
    /// Per FE dimension, the label of each compact level.
    pub fe_labels: Vec<Vec<String>>,
    /// Per FE dimension, the typed key of each compact level: the value of each
    /// component variable (`["ARG", "1986"]` for `ARG^1986` of `exporter^year`).
    pub fe_keys: Vec<Vec<FeKey>>,
    /// Per cluster dimension, compact codes.
    pub clusters: Vec<Vec<u32>>,
    pub drops: DropCounts,
    pub messages: Vec<String>,
}

fn eval_num(data: &Dataset, src: &str) -> Result<Vec<f64>> {
    Expr::parse(src)?.eval_numeric(data, src)
}

/// Re-codes `codes[rows]` densely; returns codes and the old code of each new level.
fn compact_codes(codes: &[u32], rows: &[usize]) -> (Vec<u32>, Vec<u32>) {
    let max = codes
        .iter()
        .copied()
        .filter(|&c| c != MISSING_CODE)
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut map = vec![MISSING_CODE; max];
    let mut old = Vec::new();
    let out = rows
        .iter()
        .map(|&r| {
            let c = codes[r] as usize;
            if map[c] == MISSING_CODE {
                map[c] = old.len() as u32;
                old.push(c as u32);
            }
            map[c]
        })
        .collect();
    (out, old)
}

/// The typed key of each compact level (codes `codes` over the dataset rows `rows`):
/// for a one-variable term the label itself, else the label of each component at the
/// first row of the level.
fn level_keys(codes: &[u32], rows: &[usize], labels: &[String], parts: &[Factor]) -> Vec<FeKey> {
    if parts.is_empty() {
        return labels.iter().map(|l| FeKey::new(vec![l.clone()])).collect();
    }
    let mut first_row = vec![usize::MAX; labels.len()];
    for (&c, &r) in codes.iter().zip(rows) {
        if first_row[c as usize] == usize::MAX {
            first_row[c as usize] = r;
        }
    }
    first_row
        .iter()
        .map(|&r| {
            FeKey::new(
                parts
                    .iter()
                    .map(|p| p.levels[p.codes[r] as usize].clone())
                    .collect(),
            )
        })
        .collect()
}

/// Iteratively removes singletons and (for PPML) all-zero fixed-effect groups.
fn drop_fe_degenerate(
    keep: &mut [bool],
    y: &[f64],
    factors: &[Factor],
    opts: &SampleOptions,
    drops: &mut DropCounts,
) {
    if factors.is_empty() {
        return;
    }
    loop {
        let mut changed = false;
        if opts.drop_singletons {
            loop {
                let mut removed = 0;
                for f in factors {
                    let mut count = vec![0u32; f.levels.len()];
                    for (i, &c) in f.codes.iter().enumerate() {
                        if keep[i] {
                            count[c as usize] = count[c as usize].saturating_add(1);
                        }
                    }
                    for (i, &c) in f.codes.iter().enumerate() {
                        if keep[i] && count[c as usize] == 1 {
                            keep[i] = false;
                            removed += 1;
                        }
                    }
                }
                drops.singletons += removed;
                if removed == 0 {
                    break;
                }
                changed = true;
            }
        }
        if opts.kind == SampleKind::Poisson && opts.separation_fe {
            let mut removed = 0;
            for f in factors {
                let mut sum = vec![0.0f64; f.levels.len()];
                for (i, &c) in f.codes.iter().enumerate() {
                    if keep[i] {
                        sum[c as usize] += y[i];
                    }
                }
                for (i, &c) in f.codes.iter().enumerate() {
                    if keep[i] && sum[c as usize] <= 0.0 {
                        keep[i] = false;
                        removed += 1;
                    }
                }
            }
            drops.separated_fe += removed;
            if removed > 0 {
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The design of a model on a dataset, evaluated once: the rows kept by the filters, the
/// dependent variable, regressors, offset and weights over every dataset row, and the
/// fixed-effect and cluster factors. [`Design::select`] turns it into the estimation
/// sample for a given dependent variable and offset (missing values, weights,
/// singletons and separation), so that a prepared model re-selects without evaluating
/// the formula again.
#[derive(Debug, Clone)]
pub(crate) struct Design {
    /// Rows kept by the filters.
    pub filtered: Vec<bool>,
    /// Rows removed by the filters.
    pub n_filtered: usize,
    pub y: Vec<f64>,
    pub x: Vec<Vec<f64>>,
    pub x_names: Vec<String>,
    pub offset: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub factors: Vec<Factor>,
    /// Per fixed-effect term with two or more components (`exporter^year`), the factor of
    /// each component, for the typed keys of the levels; empty for a one-variable term.
    pub components: Vec<Vec<Factor>>,
    pub cluster_factors: Vec<Factor>,
    depvar: String,
    weights_name: Option<String>,
    fe_names: Vec<String>,
    intercept: bool,
}

/// Builds the estimation sample for `spec` on `data`.
pub(crate) fn build_sample(
    data: &Dataset,
    spec: &ModelSpec,
    opts: &SampleOptions,
) -> Result<Sample> {
    let t0 = std::time::Instant::now();
    let design = Design::evaluate(data, spec)?;
    if opts.trace {
        eprintln!("[sample] evaluate {:.4}s", t0.elapsed().as_secs_f64());
    }
    design.select(&design.y, design.offset.as_deref(), opts)
}

impl Design {
    /// Evaluates the filters, variables and factors of `spec` on `data`.
    pub(crate) fn evaluate(data: &Dataset, spec: &ModelSpec) -> Result<Design> {
        let n = data.nrows();
        let mut n_filtered = 0;
        let mut keep = vec![true; n];
        for f in &spec.filter {
            let m = Expr::parse(f)?.eval_mask(data, f)?;
            for (k, v) in keep.iter_mut().zip(m) {
                if *k && !v {
                    *k = false;
                    n_filtered += 1;
                }
            }
        }
        let y = eval_num(data, &spec.depvar)?;
        let mut x_names = Vec::new();
        let mut x = Vec::new();
        for r in &spec.regressors {
            x.push(eval_num(data, r)?);
            x_names.push(r.clone());
        }
        let offset = spec
            .offset
            .as_deref()
            .map(|o| eval_num(data, o))
            .transpose()?;
        let weights = spec
            .weights
            .as_deref()
            .map(|w| eval_num(data, w))
            .transpose()?;
        let factors: Vec<Factor> = spec
            .fixed_effects
            .iter()
            .map(|f| Factor::from_columns_masked(data, f, Some(&keep)))
            .collect::<Result<_>>()?;
        let components: Vec<Vec<Factor>> = spec
            .fixed_effects
            .iter()
            .map(|f| {
                if f.len() < 2 {
                    return Ok(Vec::new());
                }
                f.iter()
                    .map(|c| {
                        Factor::from_columns_masked(data, std::slice::from_ref(c), Some(&keep))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?;
        let cluster_factors: Vec<Factor> = spec
            .cluster
            .iter()
            .map(|f| Factor::from_columns_masked(data, f, Some(&keep)))
            .collect::<Result<_>>()?;
        Ok(Design {
            filtered: keep,
            n_filtered,
            y,
            x,
            x_names,
            offset,
            weights,
            factors,
            components,
            cluster_factors,
            depvar: spec.depvar.clone(),
            weights_name: spec.weights.clone(),
            fe_names: spec.fixed_effect_names(),
            intercept: spec.intercept && spec.fixed_effects.is_empty(),
        })
    }

    /// Number of dataset rows.
    pub(crate) fn nrows(&self) -> usize {
        self.filtered.len()
    }

    /// What the sample selection reads of `y` and the offset, per row kept by the
    /// filters: whether each is finite, and the sign of `y` (zero, positive, negative).
    /// Two pairs `(y, offset)` with the same pattern select the same sample.
    pub(crate) fn pattern(&self, y: &[f64], offset: Option<&[f64]>) -> Vec<u8> {
        (0..self.nrows())
            .filter(|&i| self.filtered[i])
            .map(|i| {
                let yc = if !y[i].is_finite() {
                    0
                } else if y[i] == 0.0 {
                    1
                } else if y[i] > 0.0 {
                    2
                } else {
                    3
                };
                let oc = offset.is_some_and(|o| !o[i].is_finite()) as u8;
                yc | (oc << 2)
            })
            .collect()
    }

    /// The estimation sample for the dependent variable `y` and the offset `offset`
    /// (over every dataset row): removes missing values and zero weights, then
    /// singletons and separated observations until nothing changes.
    pub(crate) fn select(
        &self,
        y: &[f64],
        offset: Option<&[f64]>,
        opts: &SampleOptions,
    ) -> Result<Sample> {
        let n = self.nrows();
        let mut drops = DropCounts {
            total_rows: n,
            filtered: self.n_filtered,
            ..DropCounts::default()
        };
        let mut messages = Vec::new();
        let t0 = std::time::Instant::now();
        let mut keep = self.filtered.clone();
        let (x, weights, factors) = (&self.x, &self.weights, &self.factors);
        let cluster_factors = &self.cluster_factors;
        for i in 0..n {
            if !keep[i] {
                continue;
            }
            let bad = !y[i].is_finite()
                || x.iter().any(|c| !c[i].is_finite())
                || offset.as_ref().is_some_and(|o| !o[i].is_finite())
                || weights.as_ref().is_some_and(|w| !w[i].is_finite())
                || factors.iter().any(|f| f.codes[i] == MISSING_CODE)
                || cluster_factors.iter().any(|f| f.codes[i] == MISSING_CODE);
            if bad {
                keep[i] = false;
                drops.missing += 1;
                continue;
            }
            if let Some(w) = &weights {
                if w[i] < 0.0 {
                    return Err(GravityError::NegativeWeight {
                        variable: self.weights_name.clone().unwrap_or_default(),
                        row: i,
                        value: w[i],
                    });
                }
                if w[i] == 0.0 {
                    keep[i] = false;
                    drops.zero_weight += 1;
                    continue;
                }
            }
            if opts.kind == SampleKind::Poisson && y[i] < 0.0 {
                return Err(GravityError::NegativeDependent {
                    variable: self.depvar.clone(),
                    row: i,
                    value: y[i],
                });
            }
        }

        let t_prep = t0.elapsed().as_secs_f64();
        let mut t_fe = 0.0;
        let mut t_ir = 0.0;
        let intercept = self.intercept;
        // Singletons / FE separation, then the iterated rectifier, until nothing changes.
        for _round in 0..50 {
            let t1 = std::time::Instant::now();
            drop_fe_degenerate(&mut keep, y, factors, opts, &mut drops);
            t_fe += t1.elapsed().as_secs_f64();
            let t1 = std::time::Instant::now();
            let any_zero = keep.iter().zip(y).any(|(&k, &v)| k && v == 0.0);
            if !(opts.kind == SampleKind::Poisson && opts.separation_ir && any_zero) {
                break;
            }
            let rows: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
            if rows.is_empty() {
                break;
            }
            let ys: Vec<f64> = rows.iter().map(|&r| y[r]).collect();
            let mut xs: Vec<Vec<f64>> = x
                .iter()
                .map(|c| rows.iter().map(|&r| c[r]).collect())
                .collect();
            if intercept {
                xs.push(vec![1.0; rows.len()]);
            }
            let fe = FeCodes {
                ids: Vec::new(),
                n_levels: Vec::new(),
            };
            let mut fe = fe;
            for f in factors {
                let (c, old) = compact_codes(&f.codes, &rows);
                fe.ids.push(c);
                fe.n_levels.push(old.len());
            }
            let sep = ir_separation(&ys, &xs, &fe, &opts.ir, &opts.demean)?;
            let n_sep = sep.iter().filter(|&&s| s).count();
            t_ir += t1.elapsed().as_secs_f64();
            if n_sep == 0 {
                break;
            }
            for (&r, &s) in rows.iter().zip(&sep) {
                if s {
                    keep[r] = false;
                }
            }
            drops.separated_ir += n_sep;
        }

        if opts.trace {
            eprintln!("[sample] prepare {t_prep:.4}s  fe checks {t_fe:.4}s  ir {t_ir:.4}s");
        }
        let rows: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
        if rows.is_empty() {
            return Err(GravityError::NoObservations(format!(
                "{} rows: {} filtered, {} missing, {} zero weight, {} singletons, {} separated by FE, {} separated by regressors",
                n,
                drops.filtered,
                drops.missing,
                drops.zero_weight,
                drops.singletons,
                drops.separated_fe,
                drops.separated_ir
            )));
        }
        if drops.singletons > 0 {
            messages.push(format!(
                "dropped {} singleton observations",
                drops.singletons
            ));
        }
        if drops.separated_fe > 0 {
            messages.push(format!(
                "dropped {} observations in fixed-effect groups where the dependent variable is always zero",
                drops.separated_fe
            ));
        }
        if drops.separated_ir > 0 {
            messages.push(format!(
                "dropped {} separated observations (iterated rectifier)",
                drops.separated_ir
            ));
        }
        let pick = |c: &Vec<f64>| -> Vec<f64> { rows.iter().map(|&r| c[r]).collect() };
        let mut xs: Vec<Vec<f64>> = x.iter().map(pick).collect();
        let mut x_names = self.x_names.clone();
        if intercept {
            xs.push(vec![1.0; rows.len()]);
            x_names.push("(Intercept)".to_string());
        }
        let mut fe = FeCodes::default();
        let mut fe_labels = Vec::new();
        let mut fe_keys = Vec::new();
        for (f, parts) in factors.iter().zip(&self.components) {
            let (c, old) = compact_codes(&f.codes, &rows);
            let labels: Vec<String> = old.iter().map(|&o| f.levels[o as usize].clone()).collect();
            fe_keys.push(level_keys(&c, &rows, &labels, parts));
            fe.ids.push(c);
            fe.n_levels.push(old.len());
            fe_labels.push(labels);
        }
        let clusters = cluster_factors
            .iter()
            .map(|f| compact_codes(&f.codes, &rows).0)
            .collect();
        Ok(Sample {
            y: rows.iter().map(|&r| y[r]).collect(),
            x: xs,
            x_names,
            offset: offset.map(|o| rows.iter().map(|&r| o[r]).collect()),
            weights: weights.as_ref().map(pick),
            fe,
            fe_names: self.fe_names.clone(),
            fe_labels,
            fe_keys,
            clusters,
            rows,
            drops,
            messages,
        })
    }
}
