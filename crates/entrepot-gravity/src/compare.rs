//! Several fitted models side by side: [`ModelComparison`] lays out one column per model
//! (estimate with its standard error in parentheses and stars), one row per term in order
//! of first appearance, and the model statistics under a rule (estimator, fixed effects,
//! standard errors, observations, fit), as a report [`Document`] that `entrepot-report`
//! prints as terminal text, Markdown, HTML, LaTeX or CSV — the layout of a published
//! table such as Table 1 of Yotov, Piermartini, Monteiro and Larch (2016), *An Advanced
//! Guide to Trade Policy Analysis*.
//!
//! Like [`crate::document`], this module only arranges numbers the estimations already
//! computed.

use serde::{Deserialize, Serialize};

use crate::document::{
    count, estimate_cell, number, ESTIMATE_DECIMALS, R2_CORR_LABEL, STARS_CONVENTION,
};
use crate::table::{RegressionTable, INTERCEPT_NAME};
use entrepot_doc::{
    Basis, Block, Cell, Citations, Column, Document, Note, Row, Section, Table, Unit,
};

/// The [`Document::kind`] of a table of several models.
pub const DOCUMENT_KIND: &str = "gravity_comparison";

/// Fitted models to be shown side by side, in column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelComparison {
    /// One regression table per model.
    pub models: Vec<RegressionTable>,
}

impl ModelComparison {
    /// The models, in column order.
    pub fn new(models: Vec<RegressionTable>) -> Self {
        ModelComparison { models }
    }

    /// The header of column `i` (0-based): `(1) OLS (log(trade))`.
    pub fn column_label(&self, i: usize) -> String {
        let m = &self.models[i];
        format!("({}) {} ({})", i + 1, m.estimator, m.depvar)
    }

    /// Every term of every model, in order of first appearance, the constant last; a
    /// constant recovered beside fixed effects shares the `(Intercept)` row of models
    /// without them.
    pub fn terms(&self) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        let mut push = |t: &str| {
            if !terms.iter().any(|x| x == t) {
                terms.push(t.to_string());
            }
        };
        for m in &self.models {
            for c in &m.coefficients {
                push(&c.name);
            }
            if m.intercept.is_some() {
                push(INTERCEPT_NAME);
            }
        }
        if let Some(i) = terms.iter().position(|t| t == INTERCEPT_NAME) {
            let c = terms.remove(i);
            terms.push(c);
        }
        terms
    }

    /// The cell of `term` in model `m`: the estimate with its standard error (the
    /// recovered constant without one when it could not be computed), or empty when the
    /// model lacks the term.
    fn cell(m: &RegressionTable, term: &str) -> Cell {
        if let Some(c) = m.coefficients.iter().find(|c| c.name == term) {
            return estimate_cell(c);
        }
        match m.intercept_row() {
            Some(c) if term == INTERCEPT_NAME => {
                if c.std_error.is_finite() {
                    estimate_cell(&c)
                } else {
                    number(c.estimate, Unit::Number, ESTIMATE_DECIMALS)
                }
            }
            _ => Cell::text(""),
        }
    }

    /// The models as one report document (see the module documentation).
    pub fn to_document(&self) -> Document {
        let mut cite = Citations::new();
        let mut doc = Document::new(
            DOCUMENT_KIND,
            format!("Gravity estimates: {} models", self.models.len()),
        );
        let column = |key: String, label: String| Column {
            key,
            label,
            detail: false,
        };
        let mut columns = vec![column("term".into(), String::new())];
        for i in 0..self.models.len() {
            columns.push(column(format!("model_{}", i + 1), self.column_label(i)));
        }
        let rows = self
            .terms()
            .iter()
            .map(|t| {
                let mut cells = vec![Cell::text(t)];
                cells.extend(self.models.iter().map(|m| Self::cell(m, t)));
                Row::new(cells)
            })
            .collect();
        let stat = |label: &str, f: &dyn Fn(&RegressionTable) -> Cell| {
            let mut cells = vec![Cell::text(label)];
            cells.extend(self.models.iter().map(f));
            Row::new(cells)
        };
        let any_ppml = self.models.iter().any(|m| m.estimator == "PPML");
        let any_ols = self.models.iter().any(|m| m.estimator != "PPML");
        let mut footer = vec![
            stat("Estimator", &|m| Cell::text(&m.estimator)),
            stat("Fixed effects", &|m| {
                Cell::text(if m.fixed_effects.is_empty() {
                    "none".to_string()
                } else {
                    m.fixed_effects.join(", ")
                })
            }),
            stat("Standard errors", &|m| Cell::text(m.vcov_description())),
            stat("Observations", &|m| count(m.nobs)),
        ];
        if any_ols {
            footer.push(stat("R2", &|m| {
                if m.estimator == "PPML" {
                    Cell::text("")
                } else {
                    number(m.pseudo_r2, Unit::Number, 3)
                }
            }));
        }
        if any_ppml {
            footer.push(stat("Pseudo-R2", &|m| {
                if m.estimator == "PPML" {
                    number(m.pseudo_r2, Unit::Number, 3)
                } else {
                    Cell::text("")
                }
            }));
            footer.push(stat(R2_CORR_LABEL, &|m| match m.r2_corr {
                Some(r) => number(r, Unit::Number, 3),
                None => Cell::text(""),
            }));
        }
        let table = Table {
            id: "coefficients".into(),
            title: "Estimates".into(),
            source: None,
            columns,
            rows,
            footer,
        };
        let mut blocks = vec![
            Block::Table(table),
            Block::Note(Note::text(STARS_CONVENTION)),
        ];
        for (i, m) in self.models.iter().enumerate() {
            cite.method(
                Basis::Flows,
                &format!("({}) {}", i + 1, m.method()),
                &[format!("estimation sample of {} observations", m.nobs)],
            );
            let d = &m.dropped;
            let mut note = format!(
                "({}) {}: {} observations used of {} (dropped: {} filtered, {} missing, {} singletons, {} separated); {}.",
                i + 1,
                m.formula,
                entrepot_doc::format::number(m.nobs as f64, 0),
                entrepot_doc::format::number(d.total_rows as f64, 0),
                d.filtered,
                d.missing,
                d.singletons,
                d.separated_fe + d.separated_ir,
                if m.converged {
                    format!("converged in {} iterations", m.iterations)
                } else {
                    "did not converge: the estimates are not reliable".to_string()
                }
            );
            if !m.collinear.is_empty() {
                note.push_str(&format!(
                    " Dropped as collinear: {}.",
                    m.collinear.join(", ")
                ));
            }
            if m.intercept.is_some() {
                note.push_str(
                    " The (Intercept) is the weighted mean of the fixed-effect component, with a delta-method standard error (as reghdfe/ppmlhdfe report _cons).",
                );
            }
            blocks.push(Block::Note(Note::text(note)));
        }
        doc.sections.push(Section {
            id: "estimates".into(),
            title: "Estimates".into(),
            blocks,
        });
        (doc.sources, doc.methods) = cite.into_parts();
        doc
    }

    /// CSV in long form: one row per model and term (`model,term,estimate,std_error,z,p_value,nobs,estimator`).
    pub fn to_csv(&self) -> String {
        let mut s = String::from("model,term,estimate,std_error,z,p_value,nobs,estimator\n");
        for (i, m) in self.models.iter().enumerate() {
            for c in &m.coefficients {
                s.push_str(&format!(
                    "{},{},{:?},{:?},{:?},{:?},{},{}\n",
                    i + 1,
                    crate::table::csv_field(&c.name),
                    c.estimate,
                    c.std_error,
                    c.z,
                    c.p_value,
                    m.nobs,
                    m.estimator
                ));
            }
            if let Some(v) = m.intercept {
                s.push_str(&format!(
                    "{},{INTERCEPT_NAME},{v:?},,,,{},{}\n",
                    i + 1,
                    m.nobs,
                    m.estimator
                ));
            }
        }
        s
    }

    /// Pretty-printed JSON (`{"models": [...]}`, each a [`RegressionTable`]).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::DropCounts;
    use crate::table::CoefRow;

    fn model(
        estimator: &str,
        coefs: &[(&str, f64, f64)],
        intercept: Option<f64>,
    ) -> RegressionTable {
        RegressionTable {
            estimator: estimator.into(),
            formula: "y ~ x".into(),
            depvar: "y".into(),
            fixed_effects: Vec::new(),
            vcov: "iid".into(),
            clusters: Vec::new(),
            coefficients: coefs
                .iter()
                .map(|&(n, b, s)| CoefRow {
                    name: n.into(),
                    estimate: b,
                    std_error: s,
                    z: b / s,
                    p_value: 0.5,
                })
                .collect(),
            nobs: 10,
            dropped: DropCounts::default(),
            collinear: Vec::new(),
            iterations: 1,
            deviance: 1.0,
            loglik: None,
            pseudo_r2: 0.5,
            r2_within: None,
            converged: true,
            messages: Vec::new(),
            intercept,
            intercept_se: None,
            r2_corr: None,
        }
    }

    #[test]
    fn terms_are_the_union_in_order_and_a_missing_term_is_an_empty_cell() {
        let c = ModelComparison::new(vec![
            model("OLS", &[("a", 1.0, 0.1), ("(Intercept)", 2.0, 0.2)], None),
            model("PPML", &[("a", 1.5, 0.1), ("b", 3.0, 0.3)], Some(4.0)),
        ]);
        assert_eq!(c.terms(), ["a", "b", "(Intercept)"]);
        let d = c.to_document();
        d.validate().expect("consistent");
        let t = d.tables().next().unwrap();
        assert_eq!(t.columns.len(), 3);
        assert_eq!(t.columns[2].label, "(2) PPML (y)");
        assert_eq!(t.rows[1].cells[1], Cell::text(""));
        assert!(matches!(t.rows[2].cells[2], Cell::Number { value, .. } if value == 4.0));
        assert!(matches!(t.rows[0].cells[2], Cell::Estimate { estimate, .. } if estimate == 1.5));
        assert_eq!(d.methods.len(), 2);
        assert!(c.to_csv().contains("2,(Intercept),4.0,,,,10,PPML"));
    }
}
