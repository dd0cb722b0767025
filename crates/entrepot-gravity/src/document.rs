//! The regression table as a report document: [`RegressionTable::to_document`] lays a
//! fitted model out as an [`entrepot_doc::Document`] — a coefficient table (estimate,
//! standard error in parentheses, significance stars, z and p-value) with the model's
//! statistics under it (fixed effects, standard errors, observations, fit), the
//! significance convention, the observations dropped and why, a convergence check, and
//! the estimation method as the table's source — which `entrepot-report` prints as
//! terminal text, Markdown, HTML, CSV or LaTeX.
//!
//! This module only arranges numbers the estimation already computed (the p-values
//! and stars come from [`RegressionTable`]); the numerical kernel does not depend on
//! it.

use crate::table::{stars, RegressionTable};
use entrepot_doc::{
    Basis, Block, Cell, Check, CheckStatus, Citations, Column, Document, Note, Row, Section, Table,
    Unit,
};

/// The [`Document::kind`] of a regression table.
pub const DOCUMENT_KIND: &str = "gravity_regression";

/// Decimals of estimates and standard errors in the document (a tiny value is printed
/// in scientific notation rather than as zero).
pub const ESTIMATE_DECIMALS: u8 = 3;

/// The significance convention of the stars, stated in every regression document.
pub const STARS_CONVENTION: &str = "Significance: *** p<0.01, ** p<0.05, * p<0.1 (two-sided, standard normal distribution). Standard errors in parentheses.";

pub(crate) fn number(value: f64, unit: Unit, decimals: u8) -> Cell {
    if value.is_finite() {
        Cell::Number {
            value,
            unit,
            decimals,
            signed: false,
        }
    } else {
        Cell::missing("not finite")
    }
}

/// The label of `corr(y, ŷ)²` (Stata `ppml`'s "R-squared").
pub const R2_CORR_LABEL: &str = "R2 (corr(y, fitted)^2)";

/// An estimate with its standard error in parentheses and stars, or a missing cell when
/// either is not finite.
pub(crate) fn estimate_cell(c: &crate::table::CoefRow) -> Cell {
    if c.estimate.is_finite() && c.std_error.is_finite() {
        Cell::Estimate {
            estimate: c.estimate,
            std_error: c.std_error,
            p_value: if c.p_value.is_finite() {
                c.p_value
            } else {
                1.0
            },
            stars: stars(c.p_value).len() as u8,
            decimals: ESTIMATE_DECIMALS,
        }
    } else {
        Cell::missing("the estimate or its standard error is not finite")
    }
}

pub(crate) fn count(n: usize) -> Cell {
    number(n as f64, Unit::Count, 0)
}

impl RegressionTable {
    /// The method of the estimates, in words: estimator, fixed effects, variance.
    pub fn method(&self) -> String {
        let fe = if self.fixed_effects.is_empty() {
            "no fixed effects".to_string()
        } else {
            format!("fixed effects {}", self.fixed_effects.join(", "))
        };
        format!(
            "{} of {} with {fe}; {} standard errors",
            self.estimator,
            self.formula,
            self.vcov_description()
        )
    }

    /// The variance in words: `cluster by pair_id (990 clusters)`, `hetero`, `iid`.
    pub fn vcov_description(&self) -> String {
        if self.clusters.is_empty() {
            self.vcov.clone()
        } else {
            format!(
                "{} by {}",
                self.vcov,
                self.clusters
                    .iter()
                    .map(|(n, g)| format!("{n} ({g} clusters)"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }

    /// The regression table as a report document (see the module documentation).
    pub fn to_document(&self) -> Document {
        let mut cite = Citations::new();
        let method = cite.method(
            Basis::Flows,
            &self.method(),
            &[format!("estimation sample of {} observations", self.nobs)],
        );
        let ppml = self.estimator == "PPML";
        let mut doc = Document::new(
            DOCUMENT_KIND,
            format!("{} estimation: {}", self.estimator, self.formula),
        );
        let column = |key: &str, label: &str| Column {
            key: key.into(),
            label: label.into(),
            detail: false,
        };
        let mut rows: Vec<Row> = self
            .coefficients
            .iter()
            .map(|c| {
                Row::new(vec![
                    Cell::text(&c.name),
                    estimate_cell(c),
                    number(c.z, Unit::Number, 2),
                    number(c.p_value, Unit::Number, 4),
                ])
            })
            .collect();
        if let Some(c) = self.intercept_row() {
            rows.push(Row::new(vec![
                Cell::text(&c.name),
                estimate_cell(&c),
                number(c.z, Unit::Number, 2),
                number(c.p_value, Unit::Number, 4),
            ]));
        }
        let stat = |label: &str, value: Cell| {
            Row::new(vec![
                Cell::text(label),
                value,
                Cell::text(""),
                Cell::text(""),
            ])
        };
        let mut footer = vec![
            stat(
                "Fixed effects",
                Cell::text(if self.fixed_effects.is_empty() {
                    "none".to_string()
                } else {
                    self.fixed_effects.join(", ")
                }),
            ),
            stat("Standard errors", Cell::text(self.vcov_description())),
            stat("Observations", count(self.nobs)),
        ];
        if ppml {
            footer.push(stat("Pseudo-R2", number(self.pseudo_r2, Unit::Number, 4)));
            if let Some(r) = self.r2_corr {
                footer.push(stat(R2_CORR_LABEL, number(r, Unit::Number, 4)));
            }
            footer.push(stat("Deviance", number(self.deviance, Unit::Number, 4)));
            footer.push(stat(
                "Log-likelihood",
                match self.loglik {
                    Some(l) => number(l, Unit::Number, 4),
                    None => Cell::missing("not computed"),
                },
            ));
        } else {
            footer.push(stat("R2", number(self.pseudo_r2, Unit::Number, 4)));
            footer.push(stat(
                "Within R2",
                match self.r2_within {
                    Some(r) => number(r, Unit::Number, 4),
                    None => Cell::missing("no fixed effects"),
                },
            ));
            footer.push(stat("SSR", number(self.deviance, Unit::Number, 4)));
        }
        footer.push(stat("Iterations", count(self.iterations)));
        let table = Table {
            id: "coefficients".into(),
            title: format!("{} estimates", self.estimator),
            source: Some(method),
            columns: vec![
                column("term", ""),
                column("estimate", &format!("{} ({})", self.estimator, self.depvar)),
                column("z", "z"),
                column("p_value", "p"),
            ],
            rows,
            footer,
        };
        let d = &self.dropped;
        let mut blocks = vec![
            Block::Table(table),
            Block::Note(Note::text(STARS_CONVENTION)),
            Block::Note(Note::text(format!(
                "Observations used: {} of {} (dropped: {} filtered, {} missing, {} zero weight, {} singletons, {} separated by fixed effects, {} separated by regressors).",
                entrepot_doc::format::number(self.nobs as f64, 0),
                entrepot_doc::format::number(d.total_rows as f64, 0),
                d.filtered,
                d.missing,
                d.zero_weight,
                d.singletons,
                d.separated_fe,
                d.separated_ir
            ))),
        ];
        if !self.collinear.is_empty() {
            blocks.push(Block::Note(Note::text(format!(
                "Dropped as collinear: {}.",
                self.collinear.join(", ")
            ))));
        }
        for m in &self.messages {
            blocks.push(Block::Note(Note::text(format!("Note: {m}"))));
        }
        blocks.push(Block::Checks {
            checks: vec![Check {
                status: if self.converged {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Conflict
                },
                subject: "convergence".into(),
                detail: if self.converged {
                    format!("converged in {} iterations", self.iterations)
                } else {
                    format!(
                        "did not converge in {} iterations: the estimates are not reliable",
                        self.iterations
                    )
                },
                items: Vec::new(),
            }],
        });
        doc.sections.push(Section {
            id: "estimates".into(),
            title: "Estimates".into(),
            blocks,
        });
        (doc.sources, doc.methods) = cite.into_parts();
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::DropCounts;
    use crate::table::CoefRow;

    fn table() -> RegressionTable {
        RegressionTable {
            estimator: "PPML".into(),
            formula: "trade ~ log(dist) + cntg | exporter^year + importer^year".into(),
            depvar: "trade".into(),
            fixed_effects: vec!["exporter^year".into(), "importer^year".into()],
            vcov: "cluster".into(),
            clusters: vec![("pair_id".into(), 990)],
            coefficients: vec![
                CoefRow {
                    name: "log(dist)".into(),
                    estimate: -0.840963,
                    std_error: 0.031769,
                    z: -26.47,
                    p_value: 1e-20,
                },
                CoefRow {
                    name: "cntg".into(),
                    estimate: 0.12,
                    std_error: 0.09,
                    z: 1.33,
                    p_value: 0.18,
                },
            ],
            nobs: 28152,
            dropped: DropCounts {
                total_rows: 30000,
                filtered: 1848,
                ..DropCounts::default()
            },
            collinear: Vec::new(),
            iterations: 12,
            deviance: 1234.5,
            loglik: Some(-5678.9),
            pseudo_r2: 0.9876,
            r2_within: None,
            converged: true,
            messages: vec!["2 observations dropped as singletons".into()],
            intercept: None,
            intercept_se: None,
            r2_corr: Some(0.91),
        }
    }

    #[test]
    fn the_document_holds_the_estimates_statistics_and_conventions() {
        let d = table().to_document();
        d.validate().expect("consistent");
        assert_eq!(d.kind, DOCUMENT_KIND);
        assert_eq!(d.methods.len(), 1);
        assert!(d.methods[0]
            .method
            .contains("cluster by pair_id (990 clusters)"));
        let t = d.tables().next().unwrap();
        assert_eq!(t.source.map(|s| s.to_string()).as_deref(), Some("C1"));
        assert_eq!(t.columns[1].label, "PPML (trade)");
        match &t.rows[0].cells[1] {
            Cell::Estimate {
                estimate,
                std_error,
                stars,
                ..
            } => assert_eq!((*estimate, *std_error, *stars), (-0.840963, 0.031769, 3)),
            c => panic!("{c:?}"),
        }
        assert!(matches!(
            t.rows[1].cells[1],
            Cell::Estimate { stars: 0, .. }
        ));
        let n = t
            .footer
            .iter()
            .find(|r| r.cells[0] == Cell::text("Observations"))
            .unwrap();
        assert!(matches!(n.cells[1], Cell::Number { value, .. } if value == 28152.0));
        let notes: Vec<&str> = d.sections[0]
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Note(n) => Some(n.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(notes[0], STARS_CONVENTION);
        assert!(notes[1].contains("28,152 of 30,000"));
        assert!(notes.iter().any(|n| n.contains("singletons")));
        assert!(d.sections[0].blocks.iter().any(|b| matches!(b,
            Block::Checks { checks } if checks[0].status == CheckStatus::Ok)));
    }
}
