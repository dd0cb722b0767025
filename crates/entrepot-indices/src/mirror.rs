//! Mirror statistics: the same flow as the exporter reports it (`X`, exports valued
//! free on board, FOB) and as the importer reports it (`M`, imports valued with cost,
//! insurance and freight, CIF).

use crate::{Absent, Index, IndexError};

/// The range of the ratio `M/X` that the CIF/FOB valuation alone usually explains:
/// imports are valued at the border of the importer, freight and insurance included,
/// exports at the border of the exporter, so an importer's report exceeds the
/// exporter's by the transport margin, commonly 5 to 10% (the IMF's *Direction of
/// Trade Statistics* has long derived missing imports from exports with a factor of
/// 1.10; CEPII's BACI estimates the margin flow by flow, Gaulier and Zignago 2010).
/// Context for reading a gap, never applied to the values.
pub const TYPICAL_CIF_FOB_RATIO: (f64, f64) = (1.05, 1.10);

/// The gap between the two reports of one flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MirrorGap {
    /// `M − X`: the importer's report less the exporter's, in the unit of the values.
    pub gap: f64,
    /// `100 · (M − X) / X`: the gap in percent of the exporter's report; absent when
    /// the exporter reports zero.
    pub percent: Index<f64>,
    /// `M / X`, the CIF/FOB ratio of the two reports (see [`TYPICAL_CIF_FOB_RATIO`]);
    /// absent when the exporter reports zero.
    pub ratio: Index<f64>,
}

/// The mirror gap of a flow reported as `exports` by its exporter and as `imports` by
/// its importer: `gap = M − X`, `percent = 100 (M − X)/X`, `ratio = M/X`.
///
/// Mirror statistics compare the two declarations of the same trade (UN Statistics
/// Division, *International Merchandise Trade Statistics: Concepts and Definitions
/// 2010*, on valuation: imports CIF, exports FOB; the bilateral asymmetries of UN Comtrade and the IMF's
/// *Direction of Trade Statistics*). The gap is taken against the exporter's report;
/// a ratio `M/X` within [`TYPICAL_CIF_FOB_RATIO`] is what the CIF/FOB valuation alone
/// explains, and no margin is taken off. Percent and ratio are absent
/// ([`Absent::ZeroBase`]) when the exporter reports zero; the gap of a flow against
/// itself is exactly zero, its ratio exactly 1.
///
/// ```
/// let g = entrepot_indices::mirror_gap(100.0, 108.0)?;
/// assert_eq!(g.gap, 8.0);
/// assert_eq!(g.percent, Ok(8.0));
/// assert_eq!(g.ratio, Ok(1.08));
/// # Ok::<(), entrepot_indices::IndexError>(())
/// ```
pub fn mirror_gap(exports: f64, imports: f64) -> Result<MirrorGap, IndexError> {
    crate::check(&[exports, imports])?;
    let (percent, ratio) = if exports > 0.0 {
        (
            Ok(100.0 * (imports - exports) / exports),
            Ok(imports / exports),
        )
    } else {
        (Err(Absent::ZeroBase), Err(Absent::ZeroBase))
    };
    Ok(MirrorGap {
        gap: imports - exports,
        percent,
        ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_worked_gap_and_its_ratio() {
        let g = mirror_gap(200.0, 170.0).unwrap();
        assert_eq!(g.gap, -30.0);
        assert_eq!(g.percent, Ok(-15.0));
        assert_eq!(g.ratio, Ok(0.85));
        let (lo, hi) = TYPICAL_CIF_FOB_RATIO;
        assert!(lo > 1.0 && hi > lo);
    }

    #[test]
    fn no_exporter_report_gives_a_gap_but_no_percent() {
        let g = mirror_gap(0.0, 5.0).unwrap();
        assert_eq!(g.gap, 5.0);
        assert_eq!(g.percent, Err(Absent::ZeroBase));
        assert_eq!(g.ratio, Err(Absent::ZeroBase));
        let z = mirror_gap(0.0, 0.0).unwrap();
        assert_eq!(z.gap, 0.0);
        assert!(z.percent.is_err());
    }

    #[test]
    fn bad_values_are_errors() {
        assert_eq!(
            mirror_gap(-1.0, 2.0),
            Err(IndexError::Negative {
                position: 0,
                value: -1.0
            })
        );
        assert!(matches!(
            mirror_gap(1.0, f64::NAN),
            Err(IndexError::NotFinite { position: 1, .. })
        ));
    }

    proptest! {
        #[test]
        fn a_flow_against_itself_has_zero_gap(x in 0.0f64..1e15) {
            let g = mirror_gap(x, x).unwrap();
            prop_assert_eq!(g.gap, 0.0);
            if x > 0.0 {
                prop_assert_eq!(g.percent, Ok(0.0));
                prop_assert_eq!(g.ratio, Ok(1.0));
            }
        }

        #[test]
        fn the_gap_is_the_percent_of_the_exporters_report(x in 1e-3f64..1e12, m in 0.0f64..1e12) {
            let g = mirror_gap(x, m).unwrap();
            let p = g.percent.unwrap();
            prop_assert!((p / 100.0 * x - g.gap).abs() <= 1e-9 * g.gap.abs().max(x));
            prop_assert!((g.ratio.unwrap() - 1.0 - p / 100.0).abs() <= 1e-9 * g.ratio.unwrap().max(1.0));
        }
    }
}
