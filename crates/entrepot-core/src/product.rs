//! HS products: revisions, codes, the nomenclature hierarchy and named baskets.
//!
//! The Harmonized System is revised every five years; a six-digit code means different
//! things in different revisions (solar cells are 854140 in HS 2017 and 854141–854143
//! in HS 2022), so a product is always a *(revision, code)* pair. The built-in catalogue
//! holds the full HS 2022 hierarchy (sections, chapters, headings, subheadings) and the
//! six-digit lists of HS 2012 and HS 2017 (chapter and heading descriptions of those
//! revisions are taken from HS 2022, where they are essentially unchanged).
//!
//! A [`Basket`] is a named set of HS codes, per revision, such as the sectors of the
//! China trade story: electric vehicles, lithium-ion batteries, solar cells and
//! industrial robots. Users define their own with [`Basket::parse_csv`].
//!
//! [`ProductCatalog::find`] is the text search an analyst uses: the query is cut into
//! words (case, accents, hyphens and plurals ignored, so `lithium ion battery` matches
//! `lithium-ion` and `batteries`), a few synonyms of the HS vocabulary are applied
//! (`battery` ↔ `accumulator`, `solar` ↔ `photovoltaic`: see [`SYNONYMS`]), and both
//! the HS descriptions and the baskets' names and descriptions are searched, so the
//! user learns that a basket exists. The search lives in the submodule `search`, with
//! its result [`ProductMatch`].

use crate::error::{closest, CoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

mod search;
pub use search::{query_words, ProductItem, ProductMatch, ProductMatchKind, SYNONYMS};

/// A revision of the Harmonized System.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HsRevision {
    /// HS 1992 (Comtrade `H0`).
    #[serde(rename = "HS1992")]
    Hs1992,
    /// HS 1996 (`H1`).
    #[serde(rename = "HS1996")]
    Hs1996,
    /// HS 2002 (`H2`).
    #[serde(rename = "HS2002")]
    Hs2002,
    /// HS 2007 (`H3`).
    #[serde(rename = "HS2007")]
    Hs2007,
    /// HS 2012 (`H4`).
    #[serde(rename = "HS2012")]
    Hs2012,
    /// HS 2017 (`H5`).
    #[serde(rename = "HS2017")]
    Hs2017,
    /// HS 2022 (`H6`).
    #[serde(rename = "HS2022")]
    Hs2022,
}

impl HsRevision {
    /// All revisions, oldest first.
    pub const ALL: [HsRevision; 7] = [
        HsRevision::Hs1992,
        HsRevision::Hs1996,
        HsRevision::Hs2002,
        HsRevision::Hs2007,
        HsRevision::Hs2012,
        HsRevision::Hs2017,
        HsRevision::Hs2022,
    ];

    /// The year the revision entered into force.
    pub fn year(&self) -> i32 {
        match self {
            HsRevision::Hs1992 => 1992,
            HsRevision::Hs1996 => 1996,
            HsRevision::Hs2002 => 2002,
            HsRevision::Hs2007 => 2007,
            HsRevision::Hs2012 => 2012,
            HsRevision::Hs2017 => 2017,
            HsRevision::Hs2022 => 2022,
        }
    }

    /// The UN Comtrade classification code (`H0` … `H6`).
    pub fn comtrade_code(&self) -> &'static str {
        match self {
            HsRevision::Hs1992 => "H0",
            HsRevision::Hs1996 => "H1",
            HsRevision::Hs2002 => "H2",
            HsRevision::Hs2007 => "H3",
            HsRevision::Hs2012 => "H4",
            HsRevision::Hs2017 => "H5",
            HsRevision::Hs2022 => "H6",
        }
    }
}

impl fmt::Display for HsRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HS{}", self.year())
    }
}

impl FromStr for HsRevision {
    type Err = CoreError;
    /// Accepts `HS2017`, `HS17`, `2017`, `H5` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Without allocating: the cube reads a stored revision for every cell.
        let t = s.trim();
        let digits = match t.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("HS") => &t[2..],
            _ => t,
        };
        for r in HsRevision::ALL {
            let y = r.year();
            let matches_year = digits.bytes().all(|b| b.is_ascii_digit())
                && match (digits.len(), digits.parse::<i32>()) {
                    (4, Ok(n)) => n == y,
                    // Two digits only with the prefix (`HS17`), as before.
                    (2, Ok(n)) => digits.len() < t.len() && n == y % 100,
                    _ => false,
                };
            if matches_year || t.eq_ignore_ascii_case(r.comtrade_code()) {
                return Ok(r);
            }
        }
        Err(CoreError::InvalidValue {
            field: "HS revision",
            value: s.to_string(),
            expected: "HS1992, HS1996, HS2002, HS2007, HS2012, HS2017, HS2022 (or H0-H6)".into(),
        })
    }
}

/// A syntactically valid HS code of 2, 4 or 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct HsCode(String);

impl HsCode {
    /// Parses a code. Codes of odd length 1, 3 or 5 are left-padded with one zero, as
    /// files that stored codes as numbers lose the leading zero (`10121` → `010121`).
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let t = s.trim();
        let bad = || CoreError::InvalidValue {
            field: "HS code",
            value: s.to_string(),
            expected: "2, 4 or 6 digits".into(),
        };
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let code = match t.len() {
            2 | 4 | 6 => t.to_string(),
            1 | 3 | 5 => format!("0{t}"),
            _ => return Err(bad()),
        };
        Ok(HsCode(code))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Number of digits: 2 (chapter), 4 (heading) or 6 (subheading).
    pub fn level(&self) -> u8 {
        self.0.len() as u8
    }

    /// The parent code (heading of a subheading, chapter of a heading).
    pub fn parent(&self) -> Option<HsCode> {
        match self.0.len() {
            6 => Some(HsCode(self.0[..4].to_string())),
            4 => Some(HsCode(self.0[..2].to_string())),
            _ => None,
        }
    }

    /// The code truncated to `level` digits (2, 4 or 6), if not finer than itself.
    pub fn truncate(&self, level: u8) -> Option<HsCode> {
        let l = level as usize;
        if matches!(l, 2 | 4 | 6) && l <= self.0.len() {
            Some(HsCode(self.0[..l].to_string()))
        } else {
            None
        }
    }

    /// Whether `self` is `other` or one of its descendants.
    pub fn is_within(&self, other: &HsCode) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<HsCode> for String {
    fn from(c: HsCode) -> String {
        c.0
    }
}

impl TryFrom<String> for HsCode {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        HsCode::parse(&s)
    }
}

/// The product dimension of a flow: all products, or one HS code in one revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Product {
    /// All products (the total of a flow).
    Total,
    /// One HS code.
    Hs {
        /// The HS revision the code belongs to.
        revision: HsRevision,
        /// The code.
        code: HsCode,
    },
}

impl Product {
    /// The code as stored: `TOTAL` or the digits.
    pub fn code_str(&self) -> &str {
        match self {
            Product::Total => "TOTAL",
            Product::Hs { code, .. } => code.as_str(),
        }
    }

    /// Digits of detail: 0 for the total.
    pub fn level(&self) -> u8 {
        match self {
            Product::Total => 0,
            Product::Hs { code, .. } => code.level(),
        }
    }

    /// The HS revision, if any.
    pub fn revision(&self) -> Option<HsRevision> {
        match self {
            Product::Total => None,
            Product::Hs { revision, .. } => Some(*revision),
        }
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Product::Total => f.write_str("TOTAL"),
            Product::Hs { revision, code } => write!(f, "{revision}:{code}"),
        }
    }
}

/// What the catalogue knows about one code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInfo {
    /// The revision.
    pub revision: HsRevision,
    /// The code.
    pub code: HsCode,
    /// The HS section (Roman numeral), when known.
    pub section: String,
    /// The official description.
    pub description: String,
}

/// The built-in HS nomenclatures.
#[derive(Debug, Clone, Default)]
pub struct ProductCatalog {
    entries: BTreeMap<(HsRevision, String), ProductInfo>,
}

const HS2022_CSV: &str = include_str!("../data/hs2022.csv");
const HS2017_CSV: &str = include_str!("../data/hs2017_hs6.csv");
const HS2012_CSV: &str = include_str!("../data/hs2012_hs6.csv");

impl ProductCatalog {
    /// The built-in catalogue (HS 2012, 2017, 2022), parsed once.
    pub fn builtin() -> &'static ProductCatalog {
        static CAT: OnceLock<ProductCatalog> = OnceLock::new();
        CAT.get_or_init(|| {
            ProductCatalog::build()
                .unwrap_or_else(|e| panic!("embedded HS tables are invalid: {e}"))
        })
    }

    fn build() -> Result<ProductCatalog, CoreError> {
        let mut cat = ProductCatalog::default();
        let mut sections: BTreeMap<String, String> = BTreeMap::new();
        let mut upper: Vec<(String, String)> = Vec::new();
        let def = |name: &str, line: u64, message: String| CoreError::Definition {
            source_name: name.to_string(),
            line,
            message,
        };
        let mut rdr = csv::Reader::from_reader(HS2022_CSV.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| def("hs2022.csv", i as u64 + 2, e.to_string()))?;
            let code = HsCode::parse(rec.get(0).unwrap_or(""))?;
            let section = rec.get(3).unwrap_or("").to_string();
            let description = rec.get(4).unwrap_or("").to_string();
            if code.level() == 2 {
                sections.insert(code.as_str().to_string(), section.clone());
            }
            if code.level() < 6 {
                upper.push((code.as_str().to_string(), description.clone()));
            }
            cat.insert(HsRevision::Hs2022, code, section, description);
        }
        for (rev, name, text) in [
            (HsRevision::Hs2017, "hs2017_hs6.csv", HS2017_CSV),
            (HsRevision::Hs2012, "hs2012_hs6.csv", HS2012_CSV),
        ] {
            let mut rdr = csv::Reader::from_reader(text.as_bytes());
            for (i, rec) in rdr.records().enumerate() {
                let rec = rec.map_err(|e| def(name, i as u64 + 2, e.to_string()))?;
                let code = HsCode::parse(rec.get(0).unwrap_or(""))?;
                let section = sections
                    .get(&code.as_str()[..2])
                    .cloned()
                    .unwrap_or_default();
                cat.insert(rev, code, section, rec.get(1).unwrap_or("").to_string());
            }
            for (c, d) in &upper {
                let code = HsCode(c.clone());
                let section = sections.get(&c[..2]).cloned().unwrap_or_default();
                cat.insert(rev, code, section, d.clone());
            }
        }
        Ok(cat)
    }

    fn insert(&mut self, revision: HsRevision, code: HsCode, section: String, description: String) {
        self.entries.insert(
            (revision, code.as_str().to_string()),
            ProductInfo {
                revision,
                code,
                section,
                description,
            },
        );
    }

    /// Whether the catalogue has any code of this revision.
    pub fn has_revision(&self, revision: HsRevision) -> bool {
        self.entries
            .range((revision, String::new())..)
            .next()
            .is_some_and(|((r, _), _)| *r == revision)
    }

    /// Looks a code up in a revision.
    pub fn get(&self, revision: HsRevision, code: &str) -> Option<&ProductInfo> {
        let c = HsCode::parse(code).ok()?;
        self.entries.get(&(revision, c.0))
    }

    /// Looks a code up, or explains why it is not valid, with the closest known codes.
    /// Revisions without a built-in table (before HS 2012) only get a syntax check.
    pub fn resolve(&self, revision: HsRevision, code: &str) -> Result<HsCode, CoreError> {
        let c = HsCode::parse(code)?;
        if !self.has_revision(revision) || self.entries.contains_key(&(revision, c.0.clone())) {
            return Ok(c);
        }
        // Suggest siblings: codes under the same heading or chapter.
        let prefix = &c.0[..c.0.len().min(4)];
        let target: i64 = c.0.parse().unwrap_or(0);
        let mut sugg: Vec<String> = self
            .children_prefix(revision, prefix)
            .into_iter()
            .filter(|k| k.len() == c.0.len())
            .collect();
        sugg.sort_by_key(|k| (k.parse::<i64>().unwrap_or(0) - target).abs());
        sugg.truncate(5);
        if sugg.is_empty() {
            let all: Vec<&str> = self
                .entries
                .keys()
                .filter(|(r, k)| *r == revision && k.len() == c.0.len())
                .map(|(_, k)| k.as_str())
                .collect();
            sugg = closest(&c.0, all, 3);
        }
        Err(CoreError::UnknownProduct {
            code: code.to_string(),
            revision: revision.to_string(),
            suggestions: sugg,
        })
    }

    /// The six-digit codes of a revision that start with `prefix` (a chapter, heading
    /// or subheading; empty: every six-digit code), in order.
    pub fn six_digit_codes(&self, revision: HsRevision, prefix: &str) -> Vec<String> {
        self.children_prefix(revision, prefix)
            .into_iter()
            .filter(|k| k.len() == 6)
            .collect()
    }

    fn children_prefix(&self, revision: HsRevision, prefix: &str) -> Vec<String> {
        self.entries
            .range((revision, prefix.to_string())..)
            .take_while(|((r, k), _)| *r == revision && k.starts_with(prefix))
            .map(|((_, k), _)| k.clone())
            .collect()
    }

    /// The direct children of a code (headings of a chapter, subheadings of a heading),
    /// or the chapters when `code` is `None`.
    pub fn children(&self, revision: HsRevision, code: Option<&HsCode>) -> Vec<&ProductInfo> {
        let (prefix, level) = match code {
            None => (String::new(), 2),
            Some(c) => (c.0.clone(), c.level() + 2),
        };
        self.entries
            .range((revision, prefix.clone())..)
            .take_while(|((r, k), _)| *r == revision && k.starts_with(&prefix))
            .filter(|((_, k), _)| k.len() == level as usize)
            .map(|(_, v)| v)
            .collect()
    }
}

/// A named set of HS codes, per revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basket {
    /// Short name, e.g. `solar_cells`.
    pub name: String,
    /// A human description.
    pub description: String,
    /// The codes in each revision the basket is defined for.
    pub codes: BTreeMap<HsRevision, Vec<HsCode>>,
}

impl Basket {
    /// Whether a product belongs to the basket (a code inside one of its codes).
    pub fn contains(&self, product: &Product) -> bool {
        match product {
            Product::Total => false,
            Product::Hs { revision, code } => self
                .codes
                .get(revision)
                .is_some_and(|cs| cs.iter().any(|c| code.is_within(c))),
        }
    }

    /// The built-in baskets of the China trade story (HS 2017 and HS 2022 codes).
    pub fn builtin() -> Vec<Basket> {
        let mk = |name: &str, description: &str, h17: &[&str], h22: &[&str]| {
            let mut codes = BTreeMap::new();
            let conv = |v: &[&str]| v.iter().map(|c| HsCode(c.to_string())).collect::<Vec<_>>();
            codes.insert(HsRevision::Hs2017, conv(h17));
            codes.insert(HsRevision::Hs2022, conv(h22));
            Basket {
                name: name.to_string(),
                description: description.to_string(),
                codes,
            }
        };
        vec![
            mk(
                "electric_vehicles",
                "Passenger cars with only an electric motor for propulsion",
                &["870380"],
                &["870380"],
            ),
            mk(
                "lithium_ion_batteries",
                "Lithium-ion accumulators",
                &["850760"],
                &["850760"],
            ),
            mk(
                "solar_cells",
                "Photovoltaic cells and modules (HS 2017 854140; HS 2022 854142 not in modules, 854143 in modules)",
                &["854140"],
                &["854142", "854143"],
            ),
            mk(
                "industrial_robots",
                "Industrial robots, not elsewhere specified",
                &["847950"],
                &["847950"],
            ),
        ]
    }

    /// Parses user baskets from CSV text with columns `basket,revision,code,description`
    /// (one row per code; the description of the first row of a basket is kept). Codes
    /// are checked against the catalogue.
    pub fn parse_csv(source_name: &str, text: &str) -> Result<Vec<Basket>, CoreError> {
        let cat = ProductCatalog::builtin();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut out: BTreeMap<String, Basket> = BTreeMap::new();
        let err = |line: u64, message: String| CoreError::Definition {
            source_name: source_name.to_string(),
            line,
            message,
        };
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(line, e.to_string()))?;
            let name = rec.get(0).unwrap_or("").trim().to_string();
            if name.is_empty() {
                return Err(err(line, "column basket: empty name".into()));
            }
            let rev: HsRevision = rec
                .get(1)
                .unwrap_or("")
                .parse()
                .map_err(|e| err(line, format!("column revision: {e}")))?;
            let code = cat
                .resolve(rev, rec.get(2).unwrap_or(""))
                .map_err(|e| err(line, format!("column code: {e}")))?;
            let b = out.entry(name.clone()).or_insert_with(|| Basket {
                name,
                description: rec.get(3).unwrap_or("").trim().to_string(),
                codes: BTreeMap::new(),
            });
            b.codes.entry(rev).or_default().push(code);
        }
        Ok(out.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_article_codes() {
        let c = ProductCatalog::builtin();
        for code in [
            "870380", "850760", "854142", "854143", "847950", "8541", "85",
        ] {
            assert!(c.get(HsRevision::Hs2022, code).is_some(), "{code}");
        }
        assert!(c.get(HsRevision::Hs2017, "854140").is_some());
        assert!(c.get(HsRevision::Hs2022, "854140").is_none());
        assert_eq!(c.children(HsRevision::Hs2022, None).len(), 97);
        let e = c
            .resolve(HsRevision::Hs2022, "854140")
            .unwrap_err()
            .to_string();
        assert!(e.contains("854142"), "{e}");
        assert!(c.resolve(HsRevision::Hs2017, "10121").is_ok());
        assert_eq!(c.get(HsRevision::Hs2017, "8541").unwrap().section, "XVI");
    }

    #[test]
    fn baskets() {
        let b = Basket::builtin();
        let solar = b.iter().find(|b| b.name == "solar_cells").unwrap();
        let p = |r, c: &str| Product::Hs {
            revision: r,
            code: HsCode::parse(c).unwrap(),
        };
        assert!(solar.contains(&p(HsRevision::Hs2017, "854140")));
        assert!(solar.contains(&p(HsRevision::Hs2022, "854143")));
        assert!(!solar.contains(&p(HsRevision::Hs2022, "854141")));
        let user = Basket::parse_csv(
            "b.csv",
            "basket,revision,code,description\nchips,HS2022,8542,ICs\nchips,HS17,8542,\n",
        )
        .unwrap();
        assert_eq!(user[0].codes.len(), 2);
        let e = Basket::parse_csv("b.csv", "basket,revision,code\nx,HS2022,999999\n").unwrap_err();
        assert!(
            e.to_string().starts_with("b.csv line 2: column code"),
            "{e}"
        );
    }

    #[test]
    fn codes() {
        assert_eq!(HsCode::parse("10121").unwrap().as_str(), "010121");
        assert!(HsCode::parse("85414").is_ok());
        assert!(HsCode::parse("8541400").is_err());
        assert!(HsCode::parse("85a1").is_err());
        assert_eq!("H5".parse::<HsRevision>().unwrap(), HsRevision::Hs2017);
        assert_eq!("hs22".parse::<HsRevision>().unwrap(), HsRevision::Hs2022);
    }

    #[test]
    fn revisions_parse_in_every_accepted_spelling() {
        for r in HsRevision::ALL {
            let y = r.year();
            for text in [
                r.to_string(),
                r.to_string().to_lowercase(),
                format!(" HS{y} "),
                y.to_string(),
                format!("Hs{:02}", y % 100),
                r.comtrade_code().to_string(),
                r.comtrade_code().to_lowercase(),
            ] {
                assert_eq!(text.parse::<HsRevision>().ok(), Some(r), "{text:?}");
            }
        }
        for bad in [
            "",
            "HS",
            "17",
            "HS2016",
            "HS201",
            "H7",
            "HS-2017",
            "２０１７",
            "HS17x",
        ] {
            assert!(bad.parse::<HsRevision>().is_err(), "{bad:?}");
        }
    }
}
