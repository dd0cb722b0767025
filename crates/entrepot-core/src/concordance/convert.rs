//! Conversion of a value series (codes × years) from one HS revision to another.
//!
//! For a source code `a` with targets `b_1 … b_k`, the value `x_a,t` of each year goes
//! to the targets by weights `w_{a→b_j}`, `Σ_j w_{a→b_j} = 1`:
//!
//! * one target: `w = 1` (the whole value);
//! * several targets, [`Weighting::TradeValue`]: `w_{a→b_j} = V_{b_j} / Σ_j V_{b_j}`, where
//!   `V_b` is the trade value of target code `b` in an overlap year (a year reported in
//!   both revisions), the proportional method of Pierce & Schott (2012, "A concordance
//!   between ten-digit U.S. Harmonized System codes and SIC/NAICS product classes and
//!   industries", *Journal of Economic and Social Measurement* 37(1–2)); equal shares
//!   when the targets have no value in that year;
//! * several targets, [`Weighting::Equal`]: `w = 1/k`.
//!
//! The converted value of target `b` in year `t` is `Σ_a w_{a→b} x_{a,t}`. Since the
//! weights of each source code add up to 1, the total of the series is kept; values
//! of codes without a link are returned apart ([`Conversion::unmapped`]).

use super::{Concordance, LinkKind};
use crate::error::CoreError;
use crate::product::HsRevision;
use std::collections::BTreeMap;

/// One value of a series: a six-digit code, a year and a value.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// The six-digit code.
    pub code: String,
    /// The year.
    pub year: i32,
    /// The value (any currency; finite).
    pub value: f64,
}

/// How the value of a code with several targets is shared.
#[derive(Debug, Clone, PartialEq)]
pub enum Weighting {
    /// Equally among the targets.
    Equal,
    /// By the targets' trade values in an overlap year.
    TradeValue {
        /// The overlap year.
        year: i32,
        /// Trade value of each target-revision code in that year.
        values: BTreeMap<String, f64>,
    },
}

/// Why a weight has its value.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightBasis {
    /// The code has one target: the whole value.
    Whole,
    /// The targets' trade values in the overlap year.
    TradeValue {
        /// The overlap year.
        year: i32,
    },
    /// Equal shares, and why (no overlap-year values given, or none for these
    /// targets).
    Equal {
        /// Why equal shares were used.
        reason: String,
    },
}

impl WeightBasis {
    /// A label for reports: `whole value`, `trade value 2022`, `equal split (…)`.
    pub fn label(&self) -> String {
        match self {
            WeightBasis::Whole => "whole value (one target)".into(),
            WeightBasis::TradeValue { year } => format!("trade value of the targets in {year}"),
            WeightBasis::Equal { reason } => format!("equal split ({reason})"),
        }
    }
}

/// The weight of one link in a conversion.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkWeight {
    /// Source code.
    pub from: String,
    /// Target code.
    pub to: String,
    /// The link's kind.
    pub kind: LinkKind,
    /// The share of the source code's value that goes to the target.
    pub weight: f64,
    /// Why.
    pub basis: WeightBasis,
}

/// A converted series.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// Source revision.
    pub from: HsRevision,
    /// Target revision.
    pub to: HsRevision,
    /// The series in the target revision, by code and year.
    pub rows: Vec<SeriesRow>,
    /// The weights used, for every source code of the series with a link.
    pub weights: Vec<LinkWeight>,
    /// The rows whose code has no link (kept apart, not dropped).
    pub unmapped: Vec<SeriesRow>,
}

impl Concordance {
    /// The weights of a source code's links under `weighting` (empty when the code
    /// has no link).
    pub fn weights(&self, code: &str, weighting: &Weighting) -> Vec<LinkWeight> {
        let links = self.links_from(code);
        let k = links.len();
        let equal = |reason: String| {
            links
                .iter()
                .map(|l| LinkWeight {
                    from: l.from.clone(),
                    to: l.to.clone(),
                    kind: l.kind,
                    weight: 1.0 / k as f64,
                    basis: WeightBasis::Equal {
                        reason: reason.clone(),
                    },
                })
                .collect()
        };
        match (k, weighting) {
            (0, _) => Vec::new(),
            (1, _) => vec![LinkWeight {
                from: links[0].from.clone(),
                to: links[0].to.clone(),
                kind: links[0].kind,
                weight: 1.0,
                basis: WeightBasis::Whole,
            }],
            (_, Weighting::Equal) => equal("no overlap-year trade values given".into()),
            (_, Weighting::TradeValue { year, values }) => {
                let v: Vec<f64> = links
                    .iter()
                    .map(|l| {
                        values
                            .get(&l.to)
                            .copied()
                            .filter(|x| x.is_finite() && *x > 0.0)
                            .unwrap_or(0.0)
                    })
                    .collect();
                let sum: f64 = v.iter().sum();
                if sum > 0.0 {
                    links
                        .iter()
                        .zip(v)
                        .map(|(l, x)| LinkWeight {
                            from: l.from.clone(),
                            to: l.to.clone(),
                            kind: l.kind,
                            weight: x / sum,
                            basis: WeightBasis::TradeValue { year: *year },
                        })
                        .collect()
                } else {
                    equal(format!("no trade value of the targets in {year}"))
                }
            }
        }
    }

    /// Converts a series to the target revision (see the module doc for the weights).
    /// A non-finite value is refused with its code and year.
    pub fn convert(
        &self,
        rows: &[SeriesRow],
        weighting: &Weighting,
    ) -> Result<Conversion, CoreError> {
        let mut weights: BTreeMap<&str, Vec<LinkWeight>> = BTreeMap::new();
        let mut out: BTreeMap<(String, i32), f64> = BTreeMap::new();
        let mut unmapped = Vec::new();
        for r in rows {
            if !r.value.is_finite() {
                return Err(CoreError::InvalidValue {
                    field: "value",
                    value: format!("{} in {} for {}", r.value, r.year, r.code),
                    expected: "a finite number".into(),
                });
            }
            let ws = weights
                .entry(r.code.as_str())
                .or_insert_with(|| self.weights(&r.code, weighting));
            if ws.is_empty() {
                unmapped.push(r.clone());
                continue;
            }
            for w in ws.iter() {
                *out.entry((w.to.clone(), r.year)).or_default() += w.weight * r.value;
            }
        }
        Ok(Conversion {
            from: self.from,
            to: self.to,
            rows: out
                .into_iter()
                .map(|((code, year), value)| SeriesRow { code, year, value })
                .collect(),
            weights: weights.into_values().flatten().collect(),
            unmapped,
        })
    }
}
