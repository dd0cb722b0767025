//! The consistency rules of a [`Document`], checked by [`Document::validate`].

use crate::error::DocError;
use crate::figure::Figure;
use crate::id::{SourceId, SourceKind};
use crate::model::{Block, Cell, Document, Plot, Row, Table};
use crate::provenance::Provenance;

impl Document {
    /// Checks what the types cannot: sources numbered `P1`, `P2`, … and methods `C1`,
    /// … in list order; every marker (of a figure, an alternative, a table, a method's
    /// inputs) listed; each figure's provenance agreeing with its marker; every number
    /// finite; every row with one cell per column; every series with one value per
    /// category, and heat maps rectangular.
    pub fn validate(&self) -> Result<(), DocError> {
        for (i, s) in self.sources.iter().enumerate() {
            expect_numbered("sources", i, s.id, SourceKind::Published)?;
        }
        for (i, m) in self.methods.iter().enumerate() {
            expect_numbered("methods", i, m.id, SourceKind::Computed)?;
            for s in &m.sources {
                self.listed(*s, &format!("method {}", m.id))?;
            }
        }
        for (place, f) in self.figures() {
            self.check_figure(&place, f)?;
        }
        for s in &self.sections {
            for (bi, b) in s.blocks.iter().enumerate() {
                let place = format!("section {} / block {bi}", s.id);
                match b {
                    Block::Table(t) => self.check_table(&place, t)?,
                    Block::Figures { items } => {
                        for it in items {
                            check_cell(&place, &it.value)?;
                        }
                    }
                    Block::Checks { checks } => {
                        for c in checks {
                            for it in &c.items {
                                check_cell(&place, &it.value)?;
                            }
                        }
                    }
                    Block::Chart(c) => check_plot(&format!("{place} chart {}", c.id), &c.plot)?,
                    Block::Note(_) => {}
                }
            }
        }
        Ok(())
    }

    fn listed(&self, id: SourceId, place: &str) -> Result<(), DocError> {
        let (len, list) = match id.kind() {
            SourceKind::Published => (self.sources.len(), "sources"),
            SourceKind::Computed => (self.methods.len(), "methods"),
        };
        if id.number() as usize <= len {
            Ok(())
        } else {
            Err(DocError::UnlistedSource {
                id: id.to_string(),
                place: place.to_string(),
                list,
            })
        }
    }

    fn check_figure(&self, place: &str, f: &Figure) -> Result<(), DocError> {
        if !f.value.is_finite() || !f.tolerance.is_finite() {
            return Err(DocError::NotFinite {
                place: place.to_string(),
            });
        }
        self.check_marker(place, f.source, &f.provenance)?;
        for a in &f.alternatives {
            if !a.value.is_finite() || !a.difference.is_finite() {
                return Err(DocError::NotFinite {
                    place: format!("{place} alternative"),
                });
            }
            self.check_marker(place, a.source, &a.provenance)?;
        }
        Ok(())
    }

    fn check_marker(&self, place: &str, id: SourceId, p: &Provenance) -> Result<(), DocError> {
        self.listed(id, place)?;
        let agrees = match p {
            Provenance::Published { source_id, .. } => {
                id.is_published() && *source_id == id.to_string()
            }
            Provenance::Computed { method, .. } => {
                !id.is_published()
                    && self
                        .methods
                        .get(id.number() as usize - 1)
                        .is_some_and(|m| m.method == *method)
            }
        };
        if agrees {
            Ok(())
        } else {
            Err(DocError::ProvenanceMismatch {
                place: place.to_string(),
                id: id.to_string(),
                provenance: match p {
                    Provenance::Published { source_id, .. } => format!("published {source_id}"),
                    Provenance::Computed { method, .. } => format!("computed: {method}"),
                },
            })
        }
    }

    fn check_table(&self, place: &str, t: &Table) -> Result<(), DocError> {
        let place = format!("{place} table {}", t.id);
        if let Some(s) = t.source {
            self.listed(s, &place)?;
        }
        let check_rows = |rows: &[Row], part: &str| -> Result<(), DocError> {
            for (i, r) in rows.iter().enumerate() {
                if r.cells.len() != t.columns.len() {
                    return Err(DocError::Shape {
                        place: place.clone(),
                        detail: format!(
                            "{part} {i} has {} cells for {} columns",
                            r.cells.len(),
                            t.columns.len()
                        ),
                    });
                }
                for c in &r.cells {
                    check_cell(&place, c)?;
                }
            }
            Ok(())
        };
        check_rows(&t.rows, "row")?;
        check_rows(&t.footer, "footer row")
    }
}

fn expect_numbered(
    list: &'static str,
    i: usize,
    id: SourceId,
    kind: SourceKind,
) -> Result<(), DocError> {
    if id.kind() == kind && id.number() as usize == i + 1 {
        Ok(())
    } else {
        Err(DocError::Numbering {
            list,
            position: i + 1,
            id: id.to_string(),
        })
    }
}

fn check_cell(place: &str, c: &Cell) -> Result<(), DocError> {
    let finite = match c {
        Cell::Number { value, .. } => value.is_finite(),
        Cell::Estimate {
            estimate,
            std_error,
            p_value,
            ..
        } => estimate.is_finite() && std_error.is_finite() && p_value.is_finite(),
        _ => true,
    };
    if finite {
        Ok(())
    } else {
        Err(DocError::NotFinite {
            place: place.to_string(),
        })
    }
}

fn check_plot(place: &str, p: &Plot) -> Result<(), DocError> {
    let shape = |detail: String| DocError::Shape {
        place: place.to_string(),
        detail,
    };
    let finite = |v: &Option<f64>| v.is_none_or(f64::is_finite);
    match p {
        Plot::Series {
            x_labels, series, ..
        } => {
            for s in series {
                if s.values.len() != x_labels.len() {
                    return Err(shape(format!(
                        "series '{}' has {} values for {} categories",
                        s.label,
                        s.values.len(),
                        x_labels.len()
                    )));
                }
                if s.breaks.iter().any(|b| *b >= x_labels.len()) {
                    return Err(shape(format!("series '{}' breaks past its end", s.label)));
                }
                if !s.values.iter().all(finite) {
                    return Err(DocError::NotFinite {
                        place: place.to_string(),
                    });
                }
            }
        }
        Plot::Bars { bars } => {
            if !bars.iter().all(|b| b.value.is_finite()) {
                return Err(DocError::NotFinite {
                    place: place.to_string(),
                });
            }
        }
        Plot::HeatMap {
            x_labels,
            y_labels,
            values,
        } => {
            if values.len() != y_labels.len() || values.iter().any(|r| r.len() != x_labels.len()) {
                return Err(shape(format!(
                    "heat map values are not {} rows of {} values",
                    y_labels.len(),
                    x_labels.len()
                )));
            }
            if !values.iter().flatten().all(finite) {
                return Err(DocError::NotFinite {
                    place: place.to_string(),
                });
            }
        }
    }
    Ok(())
}
