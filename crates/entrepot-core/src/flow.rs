//! The canonical trade flow.

use crate::error::CoreError;
use crate::period::Period;
use crate::product::Product;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The largest value in US dollars accepted for one flow: 1e15 (1,000 trillion) USD,
/// some 40 times a year of world merchandise trade. A larger value is a unit or
/// scaling mistake (a `value_scale` of millions on values already in dollars, a
/// number in the wrong column), never a real flow.
pub const MAX_FLOW_VALUE_USD: f64 = 1e15;

/// Direction of a flow, from the reporter's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Exports of the reporter to the partner.
    Export,
    /// Imports of the reporter from the partner.
    Import,
    /// Re-exports.
    ReExport,
    /// Re-imports.
    ReImport,
}

impl FlowKind {
    /// The canonical lower-case name (`export`, `import`, `re_export`, `re_import`).
    pub fn as_str(&self) -> &'static str {
        match self {
            FlowKind::Export => "export",
            FlowKind::Import => "import",
            FlowKind::ReExport => "re_export",
            FlowKind::ReImport => "re_import",
        }
    }
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FlowKind {
    type Err = CoreError;
    /// Accepts the canonical names, UN Comtrade flow codes (`X`, `M`, `RX`, `RM`) and
    /// the older numeric codes (1 import, 2 export, 3 re-export, 4 re-import).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The canonical names without allocating: the cube reads one for every cell.
        match s {
            "export" => return Ok(FlowKind::Export),
            "import" => return Ok(FlowKind::Import),
            "re_export" => return Ok(FlowKind::ReExport),
            "re_import" => return Ok(FlowKind::ReImport),
            _ => {}
        }
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "export" | "exports" | "x" | "2" => Ok(FlowKind::Export),
            "import" | "imports" | "m" | "1" => Ok(FlowKind::Import),
            "re_export" | "reexport" | "re_exports" | "rx" | "3" => Ok(FlowKind::ReExport),
            "re_import" | "reimport" | "re_imports" | "rm" | "4" => Ok(FlowKind::ReImport),
            _ => Err(CoreError::InvalidValue {
                field: "flow",
                value: s.to_string(),
                expected: "export, import, re_export or re_import (or X, M, RX, RM)".into(),
            }),
        }
    }
}

/// Unit of a physical quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantityUnit {
    /// Kilograms.
    Kg,
    /// Metric tons (BACI's unit).
    Tonnes,
    /// Number of items.
    Items,
    /// Pairs.
    Pairs,
    /// Litres.
    Litres,
    /// Cubic metres.
    CubicMetres,
    /// Square metres.
    SquareMetres,
    /// Metres.
    Metres,
    /// Kilowatt-hours.
    Kwh,
    /// Carats.
    Carats,
}

impl QuantityUnit {
    /// The canonical short name.
    pub fn as_str(&self) -> &'static str {
        match self {
            QuantityUnit::Kg => "kg",
            QuantityUnit::Tonnes => "t",
            QuantityUnit::Items => "u",
            QuantityUnit::Pairs => "pairs",
            QuantityUnit::Litres => "l",
            QuantityUnit::CubicMetres => "m3",
            QuantityUnit::SquareMetres => "m2",
            QuantityUnit::Metres => "m",
            QuantityUnit::Kwh => "kwh",
            QuantityUnit::Carats => "carat",
        }
    }
}

impl FromStr for QuantityUnit {
    type Err = CoreError;
    /// Accepts the canonical names and UN Comtrade's unit abbreviations.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "kg" | "kilogram" | "kilograms" | "8" => QuantityUnit::Kg,
            "t" | "ton" | "tons" | "tonne" | "tonnes" | "metric tons" => QuantityUnit::Tonnes,
            "u" | "n" | "no" | "number" | "items" | "units" | "5" => QuantityUnit::Items,
            "pairs" | "2u" | "pa" => QuantityUnit::Pairs,
            "l" | "litre" | "litres" | "liter" | "liters" | "7" => QuantityUnit::Litres,
            "m3" | "m³" | "6" => QuantityUnit::CubicMetres,
            "m2" | "m²" | "3" => QuantityUnit::SquareMetres,
            "m" | "metres" | "meters" | "4" => QuantityUnit::Metres,
            "kwh" => QuantityUnit::Kwh,
            "carat" | "carats" | "ct" => QuantityUnit::Carats,
            _ => {
                return Err(CoreError::InvalidValue {
                    field: "quantity unit",
                    value: s.to_string(),
                    expected: "kg, t, u, pairs, l, m3, m2, m, kwh or carat".into(),
                })
            }
        })
    }
}

impl fmt::Display for QuantityUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A physical quantity with its unit. A quantity never travels without its unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The amount (non-negative).
    pub value: f64,
    /// Its unit.
    pub unit: QuantityUnit,
}

/// Who declared a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Declarant {
    /// Declared by the reporter itself (e.g. China's customs for China's exports).
    Reporter,
    /// Derived from the partner's declaration (mirror statistics).
    Mirror,
    /// Reconciled from both sides (e.g. CEPII BACI).
    Reconciled,
}

impl Declarant {
    /// The canonical lower-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Declarant::Reporter => "reporter",
            Declarant::Mirror => "mirror",
            Declarant::Reconciled => "reconciled",
        }
    }
}

impl FromStr for Declarant {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reporter" => Ok(Declarant::Reporter),
            "mirror" => Ok(Declarant::Mirror),
            "reconciled" => Ok(Declarant::Reconciled),
            _ => Err(CoreError::InvalidValue {
                field: "declarant",
                value: s.to_string(),
                expected: "reporter, mirror or reconciled".into(),
            }),
        }
    }
}

/// Where a flow row came from: its dataset, file and declarant. (The provenance of a
/// *reported figure* — published or computed — is `entrepot_doc::Provenance`.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FlowSource {
    /// Name of the dataset in the store (e.g. `baci_hs17_2020`).
    pub dataset: String,
    /// The file it was read from, if any.
    pub source_file: Option<String>,
    /// Who declared it.
    pub declared_by: Declarant,
}

/// The former name of [`FlowSource`], kept while code moves over to the new name (the
/// report documents' `Provenance` is `entrepot_doc::Provenance`).
pub type Provenance = FlowSource;

/// One canonical trade flow: what `reporter` exported to (or imported from) `partner`
/// in `period`, for `product`, valued in US dollars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeFlow {
    /// Reporter ISO3 code.
    pub reporter: String,
    /// Partner ISO3 code (`WLD` for the world total).
    pub partner: String,
    /// Flow direction.
    pub flow: FlowKind,
    /// Period.
    pub period: Period,
    /// Product (an HS code or the total).
    pub product: Product,
    /// Value in US dollars (not thousands, not millions).
    pub value_usd: f64,
    /// Optional physical quantity.
    pub quantity: Option<Quantity>,
    /// Where the row came from.
    pub provenance: FlowSource,
}

/// The identity of a flow: two flows with the same key in one dataset are duplicates.
pub type FlowKey = (String, String, FlowKind, Period, Product);

impl TradeFlow {
    /// The flow's identity within a dataset.
    pub fn key(&self) -> FlowKey {
        (
            self.reporter.clone(),
            self.partner.clone(),
            self.flow,
            self.period,
            self.product.clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_kinds() {
        assert_eq!("X".parse::<FlowKind>().unwrap(), FlowKind::Export);
        assert_eq!("M".parse::<FlowKind>().unwrap(), FlowKind::Import);
        assert_eq!("re-export".parse::<FlowKind>().unwrap(), FlowKind::ReExport);
        assert!("balance".parse::<FlowKind>().is_err());
        assert_eq!("kg".parse::<QuantityUnit>().unwrap(), QuantityUnit::Kg);
        assert!("furlongs".parse::<QuantityUnit>().is_err());
    }
}
