//! Published sources and the figures quoted from them.
//!
//! Sources are numbered (`P1`, `P2`, …) in order of first use while building;
//! [`super::renumber`] renumbers them in reading order once the brief is assembled.

use super::figures::{add_alt, decimals_of, half_unit, is_approx, unit_label, USD_PER_BN};
use super::Builder;
use crate::model::{Figure, FigureUnit, Provenance, Source};
use entrepot_core::{PublishedFigure, Unit};
use std::collections::HashMap;

/// The published sources met while building, in order of first use.
#[derive(Default)]
pub(super) struct Sources {
    /// The sources, in order of first use.
    pub(super) list: Vec<Source>,
    /// Index in `list` by URL.
    by_url: HashMap<String, usize>,
}

impl Builder<'_> {
    /// The id of the source of `f`, registering the source and the facts-file line on
    /// first use.
    pub(super) fn source_id(&self, f: &PublishedFigure) -> String {
        let mut s = self.sources.borrow_mut();
        let url = f.source_url.trim().to_string();
        let idx = match s.by_url.get(&url) {
            Some(&i) => i,
            None => {
                let i = s.list.len();
                s.list.push(Source {
                    id: format!("P{}", i + 1),
                    url: url.clone(),
                    origins: Vec::new(),
                });
                s.by_url.insert(url, i);
                i
            }
        };
        if !s.list[idx].origins.contains(&f.origin) {
            s.list[idx].origins.push(f.origin.clone());
        }
        s.list[idx].id.clone()
    }

    /// The provenance of a figure quoted from `f`.
    pub(super) fn published(&self, f: &PublishedFigure) -> Provenance {
        Provenance::Published {
            source_id: self.source_id(f),
            source_url: f.source_url.trim().to_string(),
            origin: f.origin.clone(),
            note: f.note.clone(),
        }
    }

    /// The level published by `f`, in USD bn; its decimals and tolerance follow the
    /// published number.
    pub(super) fn pub_level(&self, f: &PublishedFigure) -> Option<Figure> {
        let usd = f.value_usd()?;
        let raw = f.value?;
        let factor = f.unit.usd_factor()? / USD_PER_BN;
        let d = decimals_of(raw);
        let decimals = if factor >= 1000.0 {
            d.saturating_sub(3)
        } else {
            d
        };
        let value = usd / USD_PER_BN;
        if !value.is_finite() {
            return None;
        }
        Some(Figure {
            value,
            unit: FigureUnit::USD_BN,
            unit_label: unit_label(FigureUnit::USD_BN),
            decimals,
            approximate: is_approx(f),
            tolerance: half_unit(d) * factor,
            provenance: self.published(f),
            alternatives: Vec::new(),
        })
    }

    /// The growth rate published by `f` (percent).
    pub(super) fn pub_yoy(&self, f: &PublishedFigure) -> Option<Figure> {
        let v = f.yoy_pct.filter(|v| v.is_finite())?;
        let d = decimals_of(v);
        Some(Figure {
            value: v,
            unit: FigureUnit::Percent,
            unit_label: unit_label(FigureUnit::Percent),
            // CSV "1.0" arrives as 1.0: print rates with at least one decimal
            decimals: d.max(1),
            approximate: is_approx(f),
            tolerance: half_unit(d),
            provenance: self.published(f),
            alternatives: Vec::new(),
        })
    }

    /// The value published by `f` in its own unit (index levels, yuan totals, …).
    pub(super) fn pub_raw(&self, f: &PublishedFigure) -> Option<Figure> {
        let v = f.value.filter(|v| v.is_finite())?;
        let d = decimals_of(v);
        let unit = match f.unit {
            Unit::UsdBn if !f.is_cny_terms() => FigureUnit::USD_BN,
            Unit::Index => FigureUnit::Index,
            Unit::Percent => FigureUnit::Percent,
            _ => FigureUnit::Other,
        };
        Some(Figure {
            value: v,
            unit,
            unit_label: f.unit.label(),
            decimals: if unit == FigureUnit::Index {
                d.max(1)
            } else {
                d
            },
            approximate: is_approx(f),
            tolerance: half_unit(d),
            provenance: self.published(f),
            alternatives: Vec::new(),
        })
    }

    /// The first figure with the others as alternatives.
    pub(super) fn group(figs: Vec<Figure>) -> Option<Figure> {
        let mut it = figs.into_iter();
        let mut first = it.next()?;
        for o in it {
            add_alt(&mut first, o);
        }
        Some(first)
    }
}
