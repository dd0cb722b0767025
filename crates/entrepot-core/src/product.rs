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
//! user learns that a basket exists.

use crate::error::{closest, CoreError};
use crate::text::fold_name;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

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
        let t = s.trim().to_ascii_uppercase();
        for r in HsRevision::ALL {
            let y = r.year().to_string();
            if t == format!("HS{y}")
                || t == y
                || t == format!("HS{}", &y[2..])
                || t == r.comtrade_code()
            {
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

    /// The HS entries of a revision that match `query`, best first, up to `limit`:
    /// the HS part of [`find`](Self::find) with no baskets.
    pub fn search(&self, revision: HsRevision, query: &str, limit: usize) -> Vec<&ProductInfo> {
        self.find(revision, query, &[], limit)
            .into_iter()
            .filter_map(|m| match m.item {
                ProductItem::Hs(info) => Some(info),
                ProductItem::Basket(_) => None,
            })
            .collect()
    }

    /// Searches the HS entries of a revision and the `baskets` for `query`, best first.
    ///
    /// Digits are a code: an existing code (`8507`, `850760`) finds itself, other digits
    /// the codes starting with them (`85076`), each with the baskets holding such codes. Text is cut into words
    /// ([`query_words`]); an entry matches when each word of the query is a word of its
    /// description, directly or through a [`SYNONYMS`] pair (a basket: of its name or
    /// description). Ranking: [`ProductMatchKind`] (code, all words, some words), then
    /// baskets before HS entries, chapters before headings before subheadings, then code
    /// order. When no entry has every word, entries with
    /// the most words matched are returned. At most `limit` HS entries; every matching
    /// basket is returned.
    pub fn find<'a>(
        &'a self,
        revision: HsRevision,
        query: &str,
        baskets: &'a [Basket],
        limit: usize,
    ) -> Vec<ProductMatch<'a>> {
        let t = query.trim();
        let entries = || {
            self.entries
                .range((revision, String::new())..)
                .take_while(move |((r, _), _)| *r == revision)
                .map(|(_, v)| v)
        };
        let mut out: Vec<ProductMatch<'a>> = Vec::new();
        if !t.is_empty() && t.len() <= 6 && t.bytes().all(|b| b.is_ascii_digit()) {
            // An existing code is itself; other digits are the start of codes.
            let (digits, exact) = match HsCode::parse(t) {
                Ok(c) if self.get(revision, c.as_str()).is_some() => (c.0, true),
                _ => (t.to_string(), false),
            };
            for b in baskets {
                let holds = b.codes.get(&revision).is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c.0.starts_with(&digits) || digits.starts_with(&c.0))
                });
                if holds {
                    out.push(ProductMatch::new(
                        ProductItem::Basket(b),
                        ProductMatchKind::Code,
                        false,
                    ));
                }
            }
            out.extend(
                entries()
                    .filter(|v| {
                        if exact {
                            v.code.0 == digits
                        } else {
                            v.code.0.starts_with(&digits)
                        }
                    })
                    .take(limit)
                    .map(|v| ProductMatch::new(ProductItem::Hs(v), ProductMatchKind::Code, false)),
            );
            return out;
        }
        let words = query_words(t);
        if words.is_empty() || t.len() > MAX_PRODUCT_QUERY_BYTES {
            return out;
        }
        // (matched words, used a synonym) of one text.
        let score = |text: &str| -> (usize, bool) {
            let have = query_words(text);
            let mut n = 0;
            let mut synonym = false;
            for w in &words {
                if have.contains(w) {
                    n += 1;
                } else if synonyms_of(w).any(|s| have.iter().any(|h| h == s)) {
                    n += 1;
                    synonym = true;
                }
            }
            (n, synonym)
        };
        let mut scored: Vec<(usize, ProductMatch<'a>)> = Vec::new();
        for b in baskets {
            let (n, syn) = score(&format!("{} {}", b.name, b.description));
            if n > 0 {
                scored.push((
                    n,
                    ProductMatch::new(ProductItem::Basket(b), ProductMatchKind::AllWords, syn),
                ));
            }
        }
        for v in entries() {
            let (n, syn) = score(&v.description);
            if n > 0 {
                scored.push((
                    n,
                    ProductMatch::new(ProductItem::Hs(v), ProductMatchKind::AllWords, syn),
                ));
            }
        }
        let best = scored.iter().map(|(n, _)| *n).max().unwrap_or(0);
        let mut hits: Vec<ProductMatch<'a>> = scored
            .into_iter()
            .filter(|(n, _)| *n == best)
            .map(|(_, mut m)| {
                if best < words.len() {
                    m.kind = ProductMatchKind::SomeWords;
                }
                m
            })
            .collect();
        hits.sort_by(|a, b| a.rank_key().cmp(&b.rank_key()));
        let mut hs = 0;
        hits.retain(|m| match m.item {
            ProductItem::Basket(_) => true,
            ProductItem::Hs(_) => {
                hs += 1;
                hs <= limit
            }
        });
        hits
    }
}

/// Pairs of words the HS descriptions use for what analysts call otherwise. Each
/// pair is applied both ways. Sources: the HS 2022 Explanatory Notes to heading 85.07
/// (electric accumulators are storage, or secondary, batteries) and to heading 85.41
/// (photovoltaic cells are solar cells).
pub const SYNONYMS: &[(&str, &str)] = &[("battery", "accumulator"), ("solar", "photovoltaic")];

/// Queries longer than this (in bytes) find nothing: no description is that long.
const MAX_PRODUCT_QUERY_BYTES: usize = 500;

/// Words that carry no meaning in a product query.
const STOP_WORDS: &[&str] = &["a", "an", "and", "for", "in", "of", "or", "the", "with"];

fn synonyms_of(w: &str) -> impl Iterator<Item = &'static str> + '_ {
    SYNONYMS.iter().filter_map(move |&(a, b)| {
        if a == w {
            Some(b)
        } else if b == w {
            Some(a)
        } else {
            None
        }
    })
}

/// The words of a text as the product search compares them: folded
/// ([`fold_name`]: case, accents, hyphens and punctuation), stop words dropped, and
/// each word in the singular (`batteries` → `battery`, `accumulators` → `accumulator`,
/// `glasses` → `glass`).
pub fn query_words(text: &str) -> Vec<String> {
    fold_name(text)
        .split(' ')
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(singular)
        .collect()
}

/// A crude English singular: `-ies` → `-y`, `-sses`/`-shes`/`-ches`/`-xes` lose `-es`,
/// other `-s` (not `-ss`, `-us`, `-is`) is dropped; words of three letters or fewer
/// are kept.
fn singular(w: &str) -> String {
    if w.len() <= 3 || !w.ends_with('s') {
        return w.to_string();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes"] {
        if w.ends_with(suffix) {
            return w[..w.len() - 2].to_string();
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_string();
    }
    w[..w.len() - 1].to_string()
}

/// What a [`ProductMatch`] found: an HS entry or a basket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProductItem<'a> {
    /// An entry of the HS nomenclature.
    Hs(&'a ProductInfo),
    /// A named basket.
    Basket(&'a Basket),
}

/// How a [`ProductMatch`] matched; the order is the ranking, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductMatchKind {
    /// The query is the code, or its first digits (a basket: holds such a code).
    Code,
    /// Every word of the query is in the description (or basket name).
    AllWords,
    /// Only some words are (no entry has them all).
    SomeWords,
}

impl ProductMatchKind {
    /// `code`, `all_words` or `some_words`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProductMatchKind::Code => "code",
            ProductMatchKind::AllWords => "all_words",
            ProductMatchKind::SomeWords => "some_words",
        }
    }
}

/// One result of [`ProductCatalog::find`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProductMatch<'a> {
    /// The entry or basket found.
    pub item: ProductItem<'a>,
    /// How it matched.
    pub kind: ProductMatchKind,
    /// Whether a word matched only through a [`SYNONYMS`] pair.
    pub synonym: bool,
}

impl<'a> ProductMatch<'a> {
    fn new(item: ProductItem<'a>, kind: ProductMatchKind, synonym: bool) -> Self {
        ProductMatch {
            item,
            kind,
            synonym,
        }
    }

    /// Sort key: kind, baskets first, coarser level first, code. A synonym is as good
    /// as the word itself (heading 8507 is what "batteries" means in trade).
    fn rank_key(&self) -> (ProductMatchKind, u8, u8, &str) {
        match self.item {
            ProductItem::Basket(b) => (self.kind, 0, 0, b.name.as_str()),
            ProductItem::Hs(i) => (self.kind, 1, i.code.level(), i.code.as_str()),
        }
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

    fn hit_names(hits: &[ProductMatch<'_>]) -> Vec<String> {
        hits.iter()
            .map(|m| match m.item {
                ProductItem::Hs(i) => i.code.to_string(),
                ProductItem::Basket(b) => format!("basket:{}", b.name),
            })
            .collect()
    }

    #[test]
    fn lithium_ion_battery_finds_the_basket_and_850760() {
        let c = ProductCatalog::builtin();
        let baskets = Basket::builtin();
        let hits = c.find(HsRevision::Hs2022, "lithium ion battery", &baskets, 50);
        // 850780 ("other than lead-acid, …, lithium-ion") holds the words too, after.
        assert_eq!(
            hit_names(&hits),
            ["basket:lithium_ion_batteries", "850760", "850780"],
            "{hits:?}"
        );
        assert!(hits.iter().all(|m| m.kind == ProductMatchKind::AllWords));
        // Case, hyphens and plurals do not matter.
        let again = c.find(HsRevision::Hs2022, "Lithium-Ion Batteries", &baskets, 50);
        assert_eq!(hit_names(&again), hit_names(&hits));
        // HS 2017 has the same subheading.
        let h17 = c.find(HsRevision::Hs2017, "lithium ion battery", &baskets, 50);
        assert_eq!(
            hit_names(&h17)[..2],
            ["basket:lithium_ion_batteries", "850760"]
        );
    }

    #[test]
    fn batteries_find_heading_8507_headings_first() {
        let c = ProductCatalog::builtin();
        let hits = c.find(HsRevision::Hs2022, "batteries", &[], 50);
        let names = hit_names(&hits);
        assert!(names.contains(&"8507".to_string()), "{names:?}");
        assert!(names.contains(&"8506".to_string()), "{names:?}");
        // Headings come before subheadings: the first rows are four-digit codes.
        let first_sub = names.iter().position(|n| n.len() == 6).unwrap();
        assert!(names[..first_sub].iter().all(|n| n.len() == 4), "{names:?}");
        assert!(names[first_sub..].iter().all(|n| n.len() == 6), "{names:?}");
        assert_eq!(names[..2], ["8506", "8507"]);
        // 8507 matches through the battery/accumulator synonym.
        let m = hits
            .iter()
            .find(|m| matches!(m.item, ProductItem::Hs(i) if i.code.as_str() == "8507"))
            .unwrap();
        assert!(m.synonym);
        assert_eq!(c.search(HsRevision::Hs2022, "accumulators", 3).len(), 3);
    }

    #[test]
    fn an_exact_code_ranks_first_with_its_baskets() {
        let c = ProductCatalog::builtin();
        let baskets = Basket::builtin();
        let hits = c.find(HsRevision::Hs2022, "850760", &baskets, 50);
        assert_eq!(hit_names(&hits), ["basket:lithium_ion_batteries", "850760"]);
        assert!(hits.iter().all(|m| m.kind == ProductMatchKind::Code));
        let hits = c.find(HsRevision::Hs2022, "8507", &baskets, 50);
        assert_eq!(hit_names(&hits), ["basket:lithium_ion_batteries", "8507"]);
        // Digits that are no code are the start of codes.
        let hits = c.find(HsRevision::Hs2022, "85076", &[], 50);
        assert_eq!(hit_names(&hits), ["850760"]);
        let hits = c.find(HsRevision::Hs2022, "850", &[], 100);
        assert_eq!(hits.len(), 70, "{:?}", hit_names(&hits));
        assert_eq!(c.find(HsRevision::Hs2022, "850", &[], 50).len(), 50);
        // Partial words: the entries with the most words, marked so.
        let hits = c.find(HsRevision::Hs2022, "lithium unobtainium", &baskets, 50);
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|m| m.kind == ProductMatchKind::SomeWords));
        assert!(c
            .find(HsRevision::Hs2022, "zzzqqq", &baskets, 50)
            .is_empty());
        assert!(c.find(HsRevision::Hs2022, "  ", &baskets, 50).is_empty());
    }

    #[test]
    fn query_words_are_singular_folded_and_meaningful() {
        assert_eq!(
            query_words("Lithium-ion Batteries of the Glasses, buses"),
            ["lithium", "ion", "battery", "glass", "buse"]
        );
        assert_eq!(
            query_words("Cells; primary, lithium"),
            ["cell", "primary", "lithium"]
        );
        assert_eq!(query_words("gas"), ["gas"]);
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
}
