//! The product text search: [`ProductCatalog::find`] over the HS descriptions and the
//! baskets, its word rules ([`query_words`]: folding, stop words, singulars) and
//! synonyms ([`SYNONYMS`]), and the ranked result ([`ProductMatch`]).

use super::{Basket, HsCode, HsRevision, ProductCatalog, ProductInfo};
use crate::text::fold_name;
use serde::{Deserialize, Serialize};

impl ProductCatalog {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
