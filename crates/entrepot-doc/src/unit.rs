//! Units of the numbers in a document. Money always names its currency: a document
//! never assumes one.

use crate::error::DocError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code (`USD`, `CNY`, `EUR`): three upper-case ASCII letters.
/// Serialised as its text; reading anything else fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollars.
    pub const USD: Currency = Currency(*b"USD");
    /// Chinese yuan (renminbi).
    pub const CNY: Currency = Currency(*b"CNY");
    /// Euros.
    pub const EUR: Currency = Currency(*b"EUR");

    /// The code (`USD`).
    pub fn code(&self) -> &str {
        // the bytes are upper-case ASCII letters by construction
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = DocError;

    /// Parses a code of exactly three upper-case ASCII letters.
    fn from_str(s: &str) -> Result<Currency, DocError> {
        match s.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(DocError::InvalidCurrency(s.chars().take(16).collect())),
        }
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The multiple a money value is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Units of the currency.
    Units,
    /// Thousands (`k`).
    Thousands,
    /// Millions (`m`).
    Millions,
    /// Billions, 10⁹ (`bn`).
    Billions,
    /// Trillions, 10¹² (`tn`).
    Trillions,
}

impl Scale {
    /// The multiplier to units (1e9 for billions).
    pub fn factor(self) -> f64 {
        match self {
            Scale::Units => 1.0,
            Scale::Thousands => 1e3,
            Scale::Millions => 1e6,
            Scale::Billions => 1e9,
            Scale::Trillions => 1e12,
        }
    }

    /// The suffix printed after the number (`bn`; empty for units).
    pub fn suffix(self) -> &'static str {
        match self {
            Scale::Units => "",
            Scale::Thousands => "k",
            Scale::Millions => "m",
            Scale::Billions => "bn",
            Scale::Trillions => "tn",
        }
    }
}

/// The unit of a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unit {
    /// An amount of money in a named currency.
    Money {
        /// The currency (never assumed).
        currency: Currency,
        /// The multiple the value is expressed in.
        scale: Scale,
    },
    /// A percentage (a growth rate, a share): `5.9` means 5.9 %.
    Percent,
    /// Percentage points (a change in a share, a contribution to growth).
    PercentagePoints,
    /// An index level (a PMI, 50 = no change).
    Index,
    /// A ratio (a multiple, a coefficient of a log-linear model).
    Ratio,
    /// A count of things (observations, partners).
    Count,
    /// A plain number without unit.
    Number,
    /// A unit given by a source and kept as written.
    Other {
        /// The unit as written (`tonnes`, `CNY per USD`).
        label: String,
    },
}

impl Unit {
    /// Money in `currency` expressed in `scale`.
    pub fn money(currency: Currency, scale: Scale) -> Unit {
        Unit::Money { currency, scale }
    }

    /// The unit in words, for column headers and axis titles (`USD bn`, `%`, `pp`).
    pub fn label(&self) -> String {
        match self {
            Unit::Money { currency, scale } => match scale {
                Scale::Units => currency.to_string(),
                s => format!("{currency} {}", s.suffix()),
            },
            Unit::Percent => "%".into(),
            Unit::PercentagePoints => "pp".into(),
            Unit::Index => "index".into(),
            Unit::Ratio => "ratio".into(),
            Unit::Count => "count".into(),
            Unit::Number => String::new(),
            Unit::Other { label } => label.clone(),
        }
    }

    /// The currency of a money unit.
    pub fn currency(&self) -> Option<Currency> {
        match self {
            Unit::Money { currency, .. } => Some(*currency),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_three_capitals() {
        assert_eq!("USD".parse::<Currency>().unwrap(), Currency::USD);
        for bad in ["", "usd", "US", "USDX", "U$D", "ÜSD"] {
            assert!(bad.parse::<Currency>().is_err(), "{bad}");
        }
        assert_eq!(
            Unit::money(Currency::CNY, Scale::Trillions).label(),
            "CNY tn"
        );
        assert_eq!(Scale::Billions.factor(), 1e9);
    }
}
