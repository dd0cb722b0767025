//! The CEPII ProTEE product-level trade elasticities and the rule that turns them into
//! SMART parameters.
//!
//! ## The table
//!
//! ProTEE (Fontagné, Guimbard and Orefice 2022, "Product-level trade elasticities",
//! *Journal of International Economics* 137, 103593) estimates, for each HS6 product of
//! the **HS 2007** nomenclature, the elasticity of bilateral imports to the bilateral
//! applied tariff factor `1 + t`, in a gravity equation with importer and exporter fixed
//! effects. The file format read here (`HS6,zero,positive,sigma`, as redistributed by the
//! R package tradalyze) has one row per product: `HS6` (six digits, leading zeros kept),
//! `zero = 1` when the estimate is not significant at 1 %, `positive = 1` when it is
//! positive and significant, and `sigma`, the trade elasticity (negative; blank for some
//! rows). Codes are HS 2007: flows in another revision (BACI HS17, HS22) must be
//! concorded to HS 2007 before the look-up ([`ElasticityTable::get`] takes the code as
//! an integer, `870390` or `10110` for `010110`).
//!
//! ## The mapping ([`ElasticityTable::parameters`])
//!
//! * **Substitution elasticity.** With import values measured at world prices (as in
//!   BACI and in SMART), the CES/Armington demand for supplier `s` in one market is
//!   `M_s ∝ (1 + t_s)^{−σ} · P^{σ−1} E`: the importer's price index `P` and expenditure
//!   `E` are absorbed by the importer fixed effect, so the tariff coefficient estimated
//!   by ProTEE is `−σ`, the elasticity of substitution between suppliers. This crate
//!   therefore sets SMART's `σ = −sigma`. This is a reading of the estimate, not
//!   something the file states: if the estimate were read as the `1 − σ` of a gravity
//!   equation with tariff-inclusive flows, `σ` would be `1 − sigma`, larger by one.
//! * **Import demand elasticity.** ProTEE does not identify it (the importer fixed
//!   effect absorbs the market's total demand). It comes from the caller
//!   ([`MappingRule::import_demand_elasticity`]); the default `−1` is a neutral
//!   placeholder (unit-elastic demand), not an estimate. WITS uses product-level
//!   estimates (Kee, Nicita and Olarreaga 2008) that are not in the shared data.
//! * **Fallbacks, recorded per product** in [`SubstitutionSource`], never silent:
//!
//! | row | default rule | recorded as |
//! |---|---|---|
//! | significant, negative value | `σ = −sigma` | [`SubstitutionSource::Estimate`] |
//! | not significant at 1 %, negative value | `σ = −sigma` (the point estimate) | [`SubstitutionSource::EstimateNotSignificant`] |
//! | the same, with [`NotSignificantPolicy::Fallback`] | fallback `σ` | [`FallbackReason::NotSignificant`] |
//! | positive and significant (whatever value the file holds) | fallback `σ` | [`FallbackReason::PositiveSignificant`] |
//! | blank value | fallback `σ` | [`FallbackReason::Missing`] |
//! | value `≥ 0` without the positive flag | fallback `σ` | [`FallbackReason::NonNegative`] |
//! | product not in the table | fallback `σ` | [`FallbackReason::NotInTable`] |
//!
//! The fallback `σ` defaults to SMART's 1.5 ([`SMART_SUBSTITUTION_ELASTICITY`]).
//! Uncertain: for rows flagged `positive`, the file holds a negative value (87 rows) or
//! none (35); what that value is (an imputation?) is not documented with the file, so it
//! is not used.

use std::io::Read;
use std::path::Path;

use crate::error::{PeError, Result};
use crate::smart::{Parameters, SMART_SUBSTITUTION_ELASTICITY};

/// The HS revision of the ProTEE codes.
pub const HS_REVISION: &str = "HS2007";

/// Parses a six-digit HS code (`"010110"` → `10110`).
pub fn parse_hs6(code: &str) -> Result<u32> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeError::InvalidHs6(code.to_string()));
    }
    code.parse()
        .map_err(|_| PeError::InvalidHs6(code.to_string()))
}

/// Formats an HS6 code held as an integer with its leading zeros (`10110` → `"010110"`).
pub fn format_hs6(code: u32) -> String {
    format!("{code:06}")
}

/// The statistical status of one product's estimate, from the `zero` and `positive`
/// columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EstimateStatus {
    /// `zero = 0`, `positive = 0`: negative and significant at 1 %.
    Significant,
    /// `zero = 1`: not significant at 1 %.
    NotSignificant,
    /// `positive = 1`: positive and significant.
    PositiveSignificant,
}

/// One row of the ProTEE table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElasticityRow {
    /// The HS 2007 six-digit code as an integer.
    pub hs6: u32,
    /// The estimate's status.
    pub status: EstimateStatus,
    /// The trade elasticity (`sigma` column); `None` when blank.
    pub trade_elasticity: Option<f64>,
}

/// The ProTEE table, sorted by code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ElasticityTable {
    rows: Vec<ElasticityRow>,
}

/// What to do with an estimate that is not significant at 1 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSignificantPolicy {
    /// Use the point estimate (recorded as [`SubstitutionSource::EstimateNotSignificant`]).
    UseEstimate,
    /// Use the fallback (recorded as [`FallbackReason::NotSignificant`]).
    Fallback,
}

/// The rule that turns a table row into SMART [`Parameters`]; see the
/// [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MappingRule {
    /// The import demand elasticity given to every product (`≤ 0`); default `−1`.
    pub import_demand_elasticity: f64,
    /// The substitution elasticity used when the table gives none; default 1.5 (SMART).
    pub fallback_substitution_elasticity: f64,
    /// What to do with estimates not significant at 1 %; default: use them.
    pub not_significant: NotSignificantPolicy,
}

impl Default for MappingRule {
    fn default() -> Self {
        MappingRule {
            import_demand_elasticity: -1.0,
            fallback_substitution_elasticity: SMART_SUBSTITUTION_ELASTICITY,
            not_significant: NotSignificantPolicy::UseEstimate,
        }
    }
}

/// Why the fallback substitution elasticity was used for a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FallbackReason {
    /// The product is not in the table.
    NotInTable,
    /// The `sigma` cell is blank.
    Missing,
    /// The estimate is positive and significant.
    PositiveSignificant,
    /// The estimate is not significant at 1 % and the rule says to fall back.
    NotSignificant,
    /// The value is `≥ 0` although the row is not flagged positive.
    NonNegative,
}

/// Where a product's substitution elasticity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubstitutionSource {
    /// `σ = −sigma`, a significant estimate.
    Estimate,
    /// `σ = −sigma`, an estimate not significant at 1 %.
    EstimateNotSignificant,
    /// The rule's fallback, for the reason given.
    Fallback(FallbackReason),
}

/// A product's parameters and their provenance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MappedParameters {
    /// The HS 2007 code looked up.
    pub hs6: u32,
    /// The parameters for [`crate::smart()`].
    pub parameters: Parameters,
    /// Where `parameters.substitution_elasticity` came from.
    pub source: SubstitutionSource,
    /// The table's value (`None` when blank or absent), for the record.
    pub trade_elasticity: Option<f64>,
}

/// Parses a `0`/`1` flag.
fn flag(text: &str, column: &str, line: u64) -> Result<bool> {
    match text.trim() {
        "0" => Ok(false),
        "1" => Ok(true),
        other => Err(PeError::ElasticityTable {
            line,
            message: format!("column {column} is {other:?}, expected 0 or 1"),
        }),
    }
}

impl ElasticityTable {
    /// Reads the ProTEE CSV format (`HS6,zero,positive,sigma`, header row) from any
    /// reader. Errors name the line: a missing column, a code that is not six digits, a
    /// flag other than 0/1, both flags set, a value that is not a finite number, a
    /// duplicate code.
    pub fn from_reader<R: Read>(reader: R) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(reader);
        let header_error = |message: String| PeError::ElasticityTable { line: 1, message };
        let headers = csv
            .headers()
            .map_err(|e| header_error(e.to_string()))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
                .ok_or_else(|| header_error(format!("no column {name:?}")))
        };
        let (c_hs6, c_zero, c_positive, c_sigma) = (
            column("HS6")?,
            column("zero")?,
            column("positive")?,
            column("sigma")?,
        );
        let mut rows = Vec::new();
        for (i, record) in csv.records().enumerate() {
            let line = i as u64 + 2;
            let record = record.map_err(|e| PeError::ElasticityTable {
                line,
                message: e.to_string(),
            })?;
            let cell = |c: usize| record.get(c).unwrap_or("");
            let hs6 = parse_hs6(cell(c_hs6)).map_err(|e| PeError::ElasticityTable {
                line,
                message: e.to_string(),
            })?;
            let zero = flag(cell(c_zero), "zero", line)?;
            let positive = flag(cell(c_positive), "positive", line)?;
            let status = match (zero, positive) {
                (false, false) => EstimateStatus::Significant,
                (true, false) => EstimateStatus::NotSignificant,
                (false, true) => EstimateStatus::PositiveSignificant,
                (true, true) => {
                    return Err(PeError::ElasticityTable {
                        line,
                        message: "zero and positive are both 1".to_string(),
                    })
                }
            };
            let text = cell(c_sigma).trim();
            let trade_elasticity = if text.is_empty() || text.eq_ignore_ascii_case("NA") {
                None
            } else {
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => Some(v),
                    _ => {
                        return Err(PeError::ElasticityTable {
                            line,
                            message: format!("sigma is {text:?}, not a finite number"),
                        })
                    }
                }
            };
            rows.push(ElasticityRow {
                hs6,
                status,
                trade_elasticity,
            });
        }
        rows.sort_by_key(|r| r.hs6);
        if let Some(w) = rows.windows(2).find(|w| w[0].hs6 == w[1].hs6) {
            return Err(PeError::ElasticityTable {
                line: 0,
                message: format!("code {} appears twice", format_hs6(w[0].hs6)),
            });
        }
        Ok(ElasticityTable { rows })
    }

    /// Reads the table from a file (see [`from_reader`](Self::from_reader)).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| PeError::ElasticityTable {
            line: 0,
            message: format!("{}: {e}", path.display()),
        })?;
        Self::from_reader(std::io::BufReader::new(file))
    }

    /// The rows, sorted by code.
    pub fn rows(&self) -> &[ElasticityRow] {
        &self.rows
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no products.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row of an HS 2007 code, if any.
    pub fn get(&self, hs6: u32) -> Option<&ElasticityRow> {
        self.rows
            .binary_search_by_key(&hs6, |r| r.hs6)
            .ok()
            .map(|i| &self.rows[i])
    }

    /// The SMART parameters of an HS 2007 product under `rule`, with the provenance of
    /// the substitution elasticity (see the table in the [module documentation](self)).
    pub fn parameters(&self, hs6: u32, rule: &MappingRule) -> MappedParameters {
        let row = self.get(hs6);
        let trade_elasticity = row.and_then(|r| r.trade_elasticity);
        let source = match row {
            None => SubstitutionSource::Fallback(FallbackReason::NotInTable),
            Some(r) => match (r.status, r.trade_elasticity) {
                (EstimateStatus::PositiveSignificant, _) => {
                    SubstitutionSource::Fallback(FallbackReason::PositiveSignificant)
                }
                (_, None) => SubstitutionSource::Fallback(FallbackReason::Missing),
                (_, Some(v)) if v >= 0.0 => {
                    SubstitutionSource::Fallback(FallbackReason::NonNegative)
                }
                (EstimateStatus::Significant, Some(_)) => SubstitutionSource::Estimate,
                (EstimateStatus::NotSignificant, Some(_)) => match rule.not_significant {
                    NotSignificantPolicy::UseEstimate => SubstitutionSource::EstimateNotSignificant,
                    NotSignificantPolicy::Fallback => {
                        SubstitutionSource::Fallback(FallbackReason::NotSignificant)
                    }
                },
            },
        };
        let sigma = match (source, trade_elasticity) {
            (SubstitutionSource::Fallback(_), _) | (_, None) => {
                rule.fallback_substitution_elasticity
            }
            (_, Some(v)) => -v,
        };
        MappedParameters {
            hs6,
            parameters: Parameters::new(rule.import_demand_elasticity, sigma),
            source,
            trade_elasticity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "HS6,zero,positive,sigma\n\
        010110,1,0,\n\
        010210,0,0,-12.11\n\
        021099,0,1,-5.7732782\n\
        081400,0,1,\n\
        850780,1,0,-6.9167914\n\
        870390,0,0,-8.1363058\n\
        999999,0,0,\n\
        999998,0,0,0.5\n";

    #[test]
    fn reads_codes_statuses_and_blank_values() {
        let t = ElasticityTable::from_reader(SAMPLE.as_bytes()).unwrap();
        assert_eq!(t.len(), 8);
        let r = t.get(10110).unwrap();
        assert_eq!(r.status, EstimateStatus::NotSignificant);
        assert_eq!(r.trade_elasticity, None);
        assert_eq!(t.get(870390).unwrap().trade_elasticity, Some(-8.1363058));
        assert_eq!(
            t.get(parse_hs6("021099").unwrap()).unwrap().status,
            EstimateStatus::PositiveSignificant
        );
        assert!(t.get(123456).is_none());
        assert_eq!(format_hs6(10110), "010110");
    }

    #[test]
    fn mapping_records_every_fallback() {
        let t = ElasticityTable::from_reader(SAMPLE.as_bytes()).unwrap();
        let rule = MappingRule::default();
        let p = t.parameters(870390, &rule);
        assert_eq!(p.source, SubstitutionSource::Estimate);
        assert_eq!(p.parameters.substitution_elasticity, 8.1363058);
        assert_eq!(p.parameters.import_demand_elasticity, -1.0);
        let p = t.parameters(850780, &rule);
        assert_eq!(p.source, SubstitutionSource::EstimateNotSignificant);
        assert_eq!(p.parameters.substitution_elasticity, 6.9167914);
        let strict = MappingRule {
            not_significant: NotSignificantPolicy::Fallback,
            ..rule
        };
        let p = t.parameters(850780, &strict);
        assert_eq!(
            p.source,
            SubstitutionSource::Fallback(FallbackReason::NotSignificant)
        );
        assert_eq!(p.parameters.substitution_elasticity, 1.5);
        for (code, reason) in [
            (10110, FallbackReason::Missing),
            (21099, FallbackReason::PositiveSignificant),
            (81400, FallbackReason::PositiveSignificant),
            (999999, FallbackReason::Missing),
            (999998, FallbackReason::NonNegative),
            (123456, FallbackReason::NotInTable),
        ] {
            let p = t.parameters(code, &rule);
            assert_eq!(p.source, SubstitutionSource::Fallback(reason), "{code}");
            assert_eq!(p.parameters.substitution_elasticity, 1.5);
            assert!(p.parameters.validate().is_ok());
        }
    }

    #[test]
    fn malformed_tables_are_rejected_with_the_line() {
        let cases = [
            ("HS6,zero,positive\n010110,1,0\n", 1),
            ("HS6,zero,positive,sigma\n10110,1,0,\n", 2),
            ("HS6,zero,positive,sigma\n010110,2,0,\n", 2),
            ("HS6,zero,positive,sigma\n010110,0,0,-1\n010210,1,1,-2\n", 3),
            ("HS6,zero,positive,sigma\n010110,0,0,abc\n", 2),
            ("HS6,zero,positive,sigma\n010110,0,0,inf\n", 2),
        ];
        for (text, expected_line) in cases {
            match ElasticityTable::from_reader(text.as_bytes()) {
                Err(PeError::ElasticityTable { line, .. }) => {
                    assert_eq!(line, expected_line, "{text}")
                }
                other => panic!("{text}: unexpected {other:?}"),
            }
        }
        let dup = "HS6,zero,positive,sigma\n010110,0,0,-1\n010110,0,0,-2\n";
        assert!(ElasticityTable::from_reader(dup.as_bytes()).is_err());
    }

    #[test]
    fn hs6_codes_must_have_six_digits() {
        assert_eq!(parse_hs6("870390").unwrap(), 870390);
        assert_eq!(parse_hs6(" 010110 ").unwrap(), 10110);
        for bad in ["87039", "8703900", "87039a", "", "-70390"] {
            assert!(
                matches!(parse_hs6(bad), Err(PeError::InvalidHs6(_))),
                "{bad}"
            );
        }
    }
}
