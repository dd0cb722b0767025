//! The embedded sample: copies of the hand-compiled China release facts
//! (`sample/china_customs_facts.csv` and `sample/china_other_facts.csv`), so that a
//! brief can be produced without any data files.

use crate::error::{IoError, RowError};
use crate::facts::{read_customs_facts, read_other_facts};
use entrepot_core::PublishedFigure;

/// The embedded customs facts file.
pub const CUSTOMS_FACTS_CSV: &str = include_str!("../sample/china_customs_facts.csv");
/// The embedded other facts file.
pub const OTHER_FACTS_CSV: &str = include_str!("../sample/china_other_facts.csv");

/// Parses both embedded files, returning the figures and any rejected rows (the
/// tests guarantee there are none).
pub fn sample_facts_checked() -> Result<(Vec<PublishedFigure>, Vec<RowError>), IoError> {
    let (mut figures, mut errors) =
        read_customs_facts("china_customs_facts.csv", CUSTOMS_FACTS_CSV.as_bytes())?;
    let (f2, e2) = read_other_facts("china_other_facts.csv", OTHER_FACTS_CSV.as_bytes())?;
    figures.extend(f2);
    errors.extend(e2);
    Ok((figures, errors))
}

/// The published figures of the embedded sample (customs facts first, then the other
/// facts), each with its source URL and `origin` (`china_customs_facts.csv:2`).
pub fn sample_facts() -> Vec<PublishedFigure> {
    sample_facts_checked().map(|(f, _)| f).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_parses_cleanly() {
        let (f, e) = sample_facts_checked().unwrap();
        assert!(e.is_empty(), "rejected rows in the embedded sample: {e:#?}");
        assert_eq!(
            f.len(),
            CUSTOMS_FACTS_CSV.lines().count() - 1 + OTHER_FACTS_CSV.lines().count() - 1
        );
        let x = f
            .iter()
            .find(|p| {
                p.span.to_string() == "2025-11" && p.partner == "WORLD" && p.indicator == "export"
            })
            .unwrap();
        assert_eq!(x.value, Some(330.3));
        assert_eq!(x.yoy_pct, Some(5.9));
        assert_eq!(x.reporter, "CHN");
        assert!(
            x.source_url
                .starts_with("https://www.business-standard.com/"),
            "{}",
            x.source_url
        );
        assert_eq!(x.origin, "china_customs_facts.csv:2");
        assert_eq!(x.value_usd(), Some(330.3e9));
        let pmi = f
            .iter()
            .find(|p| p.indicator == "nbs_manufacturing_pmi" && p.span.to_string() == "2025-11")
            .unwrap();
        assert_eq!(pmi.value, Some(49.2));
        assert_eq!(pmi.partner, "");
        assert_eq!(pmi.unit, entrepot_core::Unit::Index);
        assert_eq!(sample_facts().len(), f.len());
    }
}
