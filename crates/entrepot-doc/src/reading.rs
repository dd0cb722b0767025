//! The order a reader meets the markers of a document in, and
//! [`Document::number_methods_in_reading_order`], which numbers the methods by it.

use crate::figure::Figure;
use crate::id::{SourceId, SourceKind};
use crate::model::{Block, Cell, Document};
use std::collections::HashMap;

/// Calls `f` on every marker of the document in reading order: each table's own
/// source, then each figure followed by its alternatives; figures in detail columns
/// (which the text formats do not show) after all others.
fn for_each_marker(d: &mut Document, f: &mut dyn FnMut(&mut SourceId)) {
    fn figure(fig: &mut Figure, f: &mut dyn FnMut(&mut SourceId)) {
        f(&mut fig.source);
        for a in &mut fig.alternatives {
            f(&mut a.source);
        }
    }
    fn cell(c: &mut Cell, f: &mut dyn FnMut(&mut SourceId)) {
        if let Cell::Figure { figure: fig } = c {
            figure(fig, f);
        }
    }
    for pass in [false, true] {
        for s in &mut d.sections {
            for b in &mut s.blocks {
                match b {
                    Block::Figures { items } if !pass => {
                        items.iter_mut().for_each(|i| cell(&mut i.value, f))
                    }
                    Block::Checks { checks } if !pass => checks
                        .iter_mut()
                        .flat_map(|c| &mut c.items)
                        .for_each(|i| cell(&mut i.value, f)),
                    Block::Note(n) if !pass => n.figures.iter_mut().for_each(|x| figure(x, f)),
                    Block::Table(t) => {
                        if !pass {
                            if let Some(s) = &mut t.source {
                                f(s);
                            }
                        }
                        let detail: Vec<bool> = t.columns.iter().map(|c| c.detail).collect();
                        for r in t.rows.iter_mut().chain(&mut t.footer) {
                            for (i, c) in r.cells.iter_mut().enumerate() {
                                if detail.get(i).copied().unwrap_or(false) == pass {
                                    cell(c, f);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

impl Document {
    /// Renumbers the methods (`C1`, `C2`, …) in the order a reader of the text formats
    /// meets them (methods only used in detail columns, then unused ones, last), and
    /// every marker with them, so the computed markers a reader sees count up without
    /// gaps. Published sources keep their numbers.
    pub fn number_methods_in_reading_order(&mut self) {
        let mut order: Vec<SourceId> = Vec::new();
        for_each_marker(self, &mut |id| {
            if id.kind() == SourceKind::Computed && !order.contains(id) {
                order.push(*id);
            }
        });
        for m in &self.methods {
            if !order.contains(&m.id) {
                order.push(m.id);
            }
        }
        let map: HashMap<SourceId, SourceId> = order
            .iter()
            .enumerate()
            .map(|(i, old)| (*old, SourceId::nth(SourceKind::Computed, i + 1)))
            .collect();
        for_each_marker(self, &mut |id| {
            if let Some(new) = map.get(id) {
                *id = *new;
            }
        });
        for m in &mut self.methods {
            if let Some(new) = map.get(&m.id) {
                m.id = *new;
            }
        }
        self.methods.sort_by_key(|m| m.id.number());
    }
}
