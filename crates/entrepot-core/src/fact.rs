//! Published figures: numbers quoted from an official release or a news report, each
//! with its source.
//!
//! A release brief mixes two kinds of numbers: those *computed* from stored flows and
//! those *published* by the statistical office and quoted by the press. A
//! [`PublishedFigure`] keeps the value and/or the growth rate exactly as published,
//! with the URL it was read from, so that a report can say where every number came
//! from and show conflicting reports side by side.

use crate::period::PeriodSpan;
use serde::{Deserialize, Serialize};

/// Unit of a published value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Billions of US dollars.
    UsdBn,
    /// Trillions of US dollars.
    UsdTn,
    /// Billions of Chinese yuan.
    CnyBn,
    /// Trillions of Chinese yuan.
    CnyTn,
    /// Billions of euros.
    EurBn,
    /// An index (e.g. a PMI; 50 = no change).
    Index,
    /// A percentage.
    Percent,
    /// Any other unit, as written in the source.
    Other(String),
}

impl Unit {
    /// Parses the unit column of the facts files (`billion USD`, `trillion CNY`,
    /// `index`, `percent`, …); an empty unit means billions of USD.
    pub fn parse(s: &str) -> Unit {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "billion usd" | "usd bn" | "usd_bn" => Unit::UsdBn,
            "trillion usd" | "usd tn" => Unit::UsdTn,
            "billion cny" | "cny bn" => Unit::CnyBn,
            "trillion cny" | "cny tn" => Unit::CnyTn,
            "billion eur" | "eur bn" => Unit::EurBn,
            "index" => Unit::Index,
            "percent" | "%" => Unit::Percent,
            _ => Unit::Other(s.trim().to_string()),
        }
    }

    /// Multiplier from the unit to its currency's base unit (1e9 for billions, 1e12
    /// for trillions), for money units; `None` for indexes, percentages and others.
    pub fn scale(&self) -> Option<f64> {
        match self {
            Unit::UsdBn | Unit::CnyBn | Unit::EurBn => Some(1e9),
            Unit::UsdTn | Unit::CnyTn => Some(1e12),
            _ => None,
        }
    }

    /// Multiplier to US dollars, for USD units.
    pub fn usd_factor(&self) -> Option<f64> {
        match self {
            Unit::UsdBn => Some(1e9),
            Unit::UsdTn => Some(1e12),
            _ => None,
        }
    }

    /// A short label.
    pub fn label(&self) -> String {
        match self {
            Unit::UsdBn => "USD bn".into(),
            Unit::UsdTn => "USD tn".into(),
            Unit::CnyBn => "CNY bn".into(),
            Unit::CnyTn => "CNY tn".into(),
            Unit::EurBn => "EUR bn".into(),
            Unit::Index => "index".into(),
            Unit::Percent => "%".into(),
            Unit::Other(s) => s.clone(),
        }
    }
}

/// One published figure with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedFigure {
    /// The period or span (`2025-11`, `2025`, `2025-01..2025-11`).
    pub span: PeriodSpan,
    /// Reporter ISO3 code.
    pub reporter: String,
    /// Partner: an ISO3 code, a group name (`EU27`, `ASEAN`, …), `WORLD`, or empty for
    /// indicators that have no partner (a PMI).
    pub partner: String,
    /// What is measured: `export`, `import`, `balance`, `total_trade`, or another
    /// indicator name such as `nbs_manufacturing_pmi`.
    pub indicator: String,
    /// The level, if published.
    pub value: Option<f64>,
    /// The unit of `value`.
    pub unit: Unit,
    /// Year-on-year change in percent, if published.
    pub yoy_pct: Option<f64>,
    /// Where it was read.
    pub source_url: String,
    /// Free-text note from the compiler (approximations, conflicts, currency).
    pub note: String,
    /// The file and line it was read from (`china_customs_facts.csv:4`).
    pub origin: String,
}

impl PublishedFigure {
    /// Whether the compiler marked the number as approximate (`approx.` in the note).
    /// Notes also quote how *other* outlets rounded a figure ("~111.7bn", "nearly 29%"),
    /// so only the explicit marker counts.
    pub fn is_approximate(&self) -> bool {
        self.note.to_ascii_lowercase().contains("approx")
    }

    /// Whether the note says the figure is in yuan terms although the unit column is
    /// not (the China facts mark such rows "CNY terms").
    pub fn is_cny_terms(&self) -> bool {
        self.note.to_ascii_lowercase().contains("cny terms")
            || matches!(self.unit, Unit::CnyBn | Unit::CnyTn)
    }

    /// The value in US dollars, when the unit is a USD unit, the figure is not in yuan
    /// and the converted value is finite.
    pub fn value_usd(&self) -> Option<f64> {
        if self.is_cny_terms() {
            return None;
        }
        Some(self.value? * self.unit.usd_factor()?).filter(|v| v.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_usd_is_none_when_the_conversion_overflows() {
        let f = |value: f64| PublishedFigure {
            span: "2025".parse().unwrap(),
            reporter: "CHN".into(),
            partner: "WORLD".into(),
            indicator: "export".into(),
            value: Some(value),
            unit: Unit::UsdBn,
            yoy_pct: None,
            source_url: "https://x.org".into(),
            note: String::new(),
            origin: "f.csv:2".into(),
        };
        assert_eq!(f(330.3).value_usd(), Some(330.3e9));
        assert_eq!(f(1e307).value_usd(), None);
        assert_eq!(Unit::CnyTn.scale(), Some(1e12));
        assert_eq!(Unit::Index.scale(), None);
    }
}
