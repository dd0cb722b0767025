//! Compact ids for countries and products, for columnar data (Arrow arrays of
//! `u16`/`u32` instead of strings) and packed keys.
//!
//! * [`CountryId`] (`u16`): the index of a country in the built-in
//!   [`CountryRegistry`] ordered by UN M49 code, then ISO3 — the order the readers of
//!   `entrepot-io` use for their duplicate-key packing, so that files sorted by numeric
//!   country code (BACI) give increasing ids.
//! * [`ProductId`] (`u32`): an HS code in a revision, packed losslessly without any
//!   table: `0` is the total of all products; otherwise bits 20–22 hold the revision
//!   (1 = HS 1992 … 7 = HS 2022) and bits 0–19 the code (`1 + n` for a 2-digit code
//!   `n`, `101 + n` for 4 digits, `10101 + n` for 6 digits, always below 2^20). Ids
//!   of one revision sort like their codes within a level, and a code's ancestors are
//!   found by arithmetic ([`ProductId::truncate`]).
//!
//! Both convert back to the domain types ([`CountryId::country`],
//! [`ProductId::to_product`]) and are looked up from the registries
//! ([`CountryRegistry::country_id`], [`ProductCatalog::info_of`]).

use crate::country::{Country, CountryRegistry};
use crate::error::CoreError;
use crate::product::{HsCode, HsRevision, Product, ProductCatalog, ProductInfo};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// A country of the built-in registry as a 16-bit id (see the module docs for the
/// order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CountryId(pub u16);

/// The built-in registry's entries in id order, and the id of each ISO3 code.
struct CountryIds {
    countries: Vec<&'static Country>,
    index: HashMap<&'static str, CountryId>,
}

fn country_ids() -> &'static CountryIds {
    static IDS: OnceLock<CountryIds> = OnceLock::new();
    IDS.get_or_init(|| {
        let mut countries: Vec<&'static Country> =
            CountryRegistry::builtin().all().iter().collect();
        countries.sort_by(|a, b| a.m49.cmp(&b.m49).then_with(|| a.iso3.cmp(&b.iso3)));
        let index = countries
            .iter()
            .enumerate()
            .map(|(i, c)| (c.iso3.as_str(), CountryId(i as u16)))
            .collect();
        CountryIds { countries, index }
    })
}

impl CountryId {
    /// The number of ids (entries of the built-in registry); every id below it is
    /// valid.
    pub fn count() -> usize {
        country_ids().countries.len()
    }

    /// The id of an exact ISO3 code of the built-in registry (`CHN`, `S19`, `WLD`).
    pub fn from_iso3(iso3: &str) -> Option<CountryId> {
        country_ids().index.get(iso3).copied()
    }

    /// The id of any code the built-in registry resolves (ISO3, ISO2, M49 or trade
    /// numeric code, alias; case-insensitive).
    pub fn of(code: &str) -> Option<CountryId> {
        CountryRegistry::builtin().country_id(code)
    }

    /// Like [`CountryId::of`], but an unknown code is an error with the closest known
    /// codes.
    pub fn resolve(code: &str) -> Result<CountryId, CoreError> {
        let c = CountryRegistry::builtin().resolve(code)?;
        CountryId::from_iso3(&c.iso3).ok_or_else(|| CoreError::UnknownCountry {
            code: code.to_string(),
            suggestions: Vec::new(),
        })
    }

    /// The registry entry of the id, if the id is valid.
    pub fn country(self) -> Option<&'static Country> {
        country_ids().countries.get(usize::from(self.0)).copied()
    }

    /// The ISO3 code of the id, if the id is valid.
    pub fn iso3(self) -> Option<&'static str> {
        self.country().map(|c| c.iso3.as_str())
    }

    /// All ids in order, with their entries.
    pub fn all() -> impl Iterator<Item = (CountryId, &'static Country)> {
        country_ids()
            .countries
            .iter()
            .enumerate()
            .map(|(i, c)| (CountryId(i as u16), *c))
    }
}

impl fmt::Display for CountryId {
    /// The ISO3 code, or `#<n>` for an id outside the registry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso3() {
            Some(iso3) => f.write_str(iso3),
            None => write!(f, "#{}", self.0),
        }
    }
}

impl CountryRegistry {
    /// The [`CountryId`] of a code this registry resolves, when the country is one of
    /// the built-in registry (ids number the built-in entries only).
    pub fn country_id(&self, code: &str) -> Option<CountryId> {
        self.get(code).and_then(|c| CountryId::from_iso3(&c.iso3))
    }
}

/// An HS code in a revision, or the total of all products, packed into 32 bits (see
/// the module docs for the layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProductId(u32);

/// Bits of the packed code.
const CODE_BITS: u32 = 20;
const CODE_MASK: u32 = (1 << CODE_BITS) - 1;
/// Offsets of the packed code by level.
const OFFSET_2: u32 = 1;
const OFFSET_4: u32 = 101;
const OFFSET_6: u32 = 10_101;
/// The largest packed code (a 6-digit 999999).
const MAX_CODE: u32 = OFFSET_6 + 999_999;

impl ProductId {
    /// The total of all products.
    pub const TOTAL: ProductId = ProductId(0);

    /// The id of a code in a revision.
    pub fn new(revision: HsRevision, code: &HsCode) -> ProductId {
        Self::from_digits(revision, code.as_str()).unwrap_or(ProductId::TOTAL)
    }

    /// The id of a code given as 2, 4 or 6 digits (`None` for anything else; no
    /// padding of odd lengths, unlike [`HsCode::parse`]).
    pub fn from_digits(revision: HsRevision, digits: &str) -> Option<ProductId> {
        let offset = match digits.len() {
            2 => OFFSET_2,
            4 => OFFSET_4,
            6 => OFFSET_6,
            _ => return None,
        };
        let mut n: u32 = 0;
        for b in digits.bytes() {
            if !b.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(b - b'0');
        }
        Some(ProductId(rev_index(revision) << CODE_BITS | (offset + n)))
    }

    /// Parses a code (as [`HsCode::parse`] does) in a revision.
    pub fn parse(revision: HsRevision, code: &str) -> Result<ProductId, CoreError> {
        Ok(ProductId::new(revision, &HsCode::parse(code)?))
    }

    /// The id of a product.
    pub fn from_product(product: &Product) -> ProductId {
        match product {
            Product::Total => ProductId::TOTAL,
            Product::Hs { revision, code } => ProductId::new(*revision, code),
        }
    }

    /// The id from its packed form, if it is a valid id.
    pub fn from_raw(raw: u32) -> Option<ProductId> {
        if raw == 0 {
            return Some(ProductId::TOTAL);
        }
        let rev = raw >> CODE_BITS;
        let code = raw & CODE_MASK;
        // The ranges of the three levels are contiguous: 1..=100, 101..=10100,
        // 10101..=MAX_CODE.
        let valid = (1..=HsRevision::ALL.len() as u32).contains(&rev)
            && (OFFSET_2..=MAX_CODE).contains(&code);
        valid.then_some(ProductId(raw))
    }

    /// The packed form.
    pub fn raw(self) -> u32 {
        self.0
    }

    /// The code without its revision: equal for the same digits (and level) in any
    /// revision, 0 for the total. A cheap key for joining codes across datasets by
    /// their digits.
    pub fn digits_key(self) -> u32 {
        self.0 & CODE_MASK
    }

    /// Whether this is the total of all products.
    pub fn is_total(self) -> bool {
        self.0 == 0
    }

    /// The revision (none for the total).
    pub fn revision(self) -> Option<HsRevision> {
        let r = (self.0 >> CODE_BITS) as usize;
        r.checked_sub(1)
            .and_then(|i| HsRevision::ALL.get(i).copied())
    }

    /// The number and the level (2, 4, 6; 0 for the total) of the code.
    fn number_and_level(self) -> (u32, u8) {
        let c = self.0 & CODE_MASK;
        if self.0 == 0 {
            (0, 0)
        } else if c >= OFFSET_6 {
            (c - OFFSET_6, 6)
        } else if c >= OFFSET_4 {
            (c - OFFSET_4, 4)
        } else {
            (c - OFFSET_2, 2)
        }
    }

    /// Digits of detail: 2, 4 or 6, and 0 for the total.
    pub fn level(self) -> u8 {
        self.number_and_level().1
    }

    /// The code's digits (`TOTAL` for the total).
    pub fn code_string(self) -> String {
        match self.number_and_level() {
            (_, 0) => "TOTAL".to_string(),
            (n, l) => format!("{n:0width$}", width = usize::from(l)),
        }
    }

    /// The HS code (none for the total).
    pub fn code(self) -> Option<HsCode> {
        if self.is_total() {
            return None;
        }
        HsCode::parse(&self.code_string()).ok()
    }

    /// The product.
    pub fn to_product(self) -> Product {
        match (self.revision(), self.code()) {
            (Some(revision), Some(code)) => Product::Hs { revision, code },
            _ => Product::Total,
        }
    }

    /// The id truncated to `level` digits (2, 4 or 6), if not finer than itself; the
    /// total truncates to nothing.
    pub fn truncate(self, level: u8) -> Option<ProductId> {
        let (n, l) = self.number_and_level();
        if l == 0 || !matches!(level, 2 | 4 | 6) || level > l {
            return None;
        }
        let n = n / 10u32.pow(u32::from(l - level));
        let offset = match level {
            2 => OFFSET_2,
            4 => OFFSET_4,
            _ => OFFSET_6,
        };
        Some(ProductId((self.0 & !CODE_MASK) | (offset + n)))
    }

    /// Whether `self` is `other` or one of its descendants in the same revision (every
    /// product is within the total).
    pub fn is_within(self, other: ProductId) -> bool {
        other.is_total() || self.truncate(other.level()) == Some(other)
    }

    /// The catalogue entry of the code, if the built-in catalogue has it.
    pub fn info(self) -> Option<&'static ProductInfo> {
        ProductCatalog::builtin().info_of(self)
    }
}

impl fmt::Display for ProductId {
    /// `TOTAL`, or `HS2017:854140`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.revision() {
            Some(r) => write!(f, "{r}:{}", self.code_string()),
            None => f.write_str("TOTAL"),
        }
    }
}

impl ProductCatalog {
    /// The catalogue entry of a product id.
    pub fn info_of(&self, id: ProductId) -> Option<&ProductInfo> {
        self.get(id.revision()?, &id.code_string())
    }
}

/// 1 for HS 1992 … 7 for HS 2022.
fn rev_index(r: HsRevision) -> u32 {
    HsRevision::ALL
        .iter()
        .position(|x| *x == r)
        .map_or(0, |i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_ids_follow_m49_order_and_round_trip() {
        let afg = CountryId::of("AFG").unwrap();
        let zaf = CountryId::of("710").unwrap();
        assert_eq!(afg.iso3(), Some("AFG"));
        assert_eq!(zaf.iso3(), Some("ZAF"));
        assert!(afg < zaf, "M49 4 before 710");
        assert_eq!(CountryId::of("699"), CountryId::of("IND"));
        assert_eq!(CountryId::of("ROM"), CountryId::of("ROU"));
        assert_eq!(CountryId::from_iso3("chn"), None, "exact ISO3 only");
        assert_eq!(CountryId::of("QQQ"), None);
        assert!(CountryId::resolve("CHM").is_err());
        let mut last = None;
        for (id, c) in CountryId::all() {
            assert_eq!(CountryId::from_iso3(&c.iso3), Some(id));
            if let Some((m49, iso3)) = last {
                assert!((m49, iso3) < (c.m49, c.iso3.as_str()));
            }
            last = Some((c.m49, c.iso3.as_str()));
        }
        assert_eq!(CountryId::count(), CountryRegistry::builtin().all().len());
        assert!(CountryId::count() < usize::from(u16::MAX));
        assert_eq!(CountryId(u16::MAX).to_string(), "#65535");
    }

    #[test]
    fn product_ids_pack_revision_and_code() {
        let h17 = HsRevision::Hs2017;
        let id = ProductId::parse(h17, "854140").unwrap();
        assert_eq!(id.raw(), 6 << 20 | (10_101 + 854_140));
        assert_eq!(id.level(), 6);
        assert_eq!(id.revision(), Some(h17));
        assert_eq!(id.code_string(), "854140");
        assert_eq!(id.to_string(), "HS2017:854140");
        assert_eq!(ProductId::from_raw(id.raw()), Some(id));
        assert_eq!(
            ProductId::parse(h17, "10121").unwrap().code_string(),
            "010121"
        );
        assert_eq!(
            ProductId::from_digits(h17, "010121").unwrap().code_string(),
            "010121"
        );
        assert_eq!(id.truncate(4).unwrap().code_string(), "8541");
        assert_eq!(id.truncate(2).unwrap().code_string(), "85");
        assert_eq!(id.truncate(6), Some(id));
        assert_eq!(id.truncate(4).unwrap().truncate(6), None);
        assert!(id.is_within(ProductId::parse(h17, "85").unwrap()));
        assert!(!id.is_within(ProductId::parse(HsRevision::Hs2022, "85").unwrap()));
        assert!(id.is_within(ProductId::TOTAL));
        assert_eq!(ProductId::TOTAL.level(), 0);
        assert_eq!(ProductId::TOTAL.to_product(), Product::Total);
        assert_eq!(ProductId::TOTAL.to_string(), "TOTAL");
        let p = id.to_product();
        assert_eq!(ProductId::from_product(&p), id);
        assert_eq!(id.info().map(|i| i.section.as_str()), Some("XVI"));
        // ids of one level sort like their codes; 2-digit ids below 4-digit ones
        let a = ProductId::from_digits(h17, "01").unwrap();
        let b = ProductId::from_digits(h17, "99").unwrap();
        let c = ProductId::from_digits(h17, "0101").unwrap();
        assert!(a < b && b < c);
        assert_eq!(
            ProductId::from_digits(h17, "0099").unwrap().code_string(),
            "0099"
        );
        assert_eq!(
            ProductId::from_digits(h17, "999999").unwrap().raw() & CODE_MASK,
            MAX_CODE
        );
        const { assert!(MAX_CODE < 1 << 20) };
        for bad in [1, 8 << 20 | 5, 6 << 20, 6 << 20 | (MAX_CODE + 1)] {
            assert_eq!(ProductId::from_raw(bad), None, "{bad}");
        }
        assert_eq!(ProductId::from_digits(h17, "85a1"), None);
        assert_eq!(ProductId::from_digits(h17, "854"), None);
    }
}
