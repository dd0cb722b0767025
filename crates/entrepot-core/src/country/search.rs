//! The country text search: [`CountryRegistry::search`] and its ranking
//! ([`CountryMatchKind`]: code, name, alias, prefix, words, substring, fuzzy).

use super::{Country, CountryRegistry, MAX_NAME_QUERY_BYTES};
use crate::error::suggestable;
use crate::text::fold_name;
use serde::{Deserialize, Serialize};

/// How a [`CountryMatch`] matched the query; the order is the ranking, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountryMatchKind {
    /// The query is one of the entry's codes (ISO3, ISO2, M49, trade numeric code).
    Code,
    /// The query is the entry's name or an official name (case and accents ignored).
    Name,
    /// The query is a former name, a trade data set's name or a non-ISO code.
    Alias,
    /// A name of the entry starts with the query.
    Prefix,
    /// Every word of the query is a whole word of one name of the entry (`korea`).
    Words,
    /// A name of the entry contains the query.
    Substring,
    /// A name of the entry is close to the query (Jaro–Winkler similarity).
    Fuzzy,
}

impl CountryMatchKind {
    /// `code`, `name`, `alias`, `prefix`, `words`, `substring` or `fuzzy`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CountryMatchKind::Code => "code",
            CountryMatchKind::Name => "name",
            CountryMatchKind::Alias => "alias",
            CountryMatchKind::Prefix => "prefix",
            CountryMatchKind::Words => "words",
            CountryMatchKind::Substring => "substring",
            CountryMatchKind::Fuzzy => "fuzzy",
        }
    }
}

impl std::fmt::Display for CountryMatchKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One result of [`CountryRegistry::search`].
#[derive(Debug, Clone, PartialEq)]
pub struct CountryMatch<'a> {
    /// The entry found.
    pub country: &'a Country,
    /// How it matched (the rank).
    pub kind: CountryMatchKind,
    /// The code or name that matched.
    pub matched: String,
}

/// The least Jaro–Winkler similarity of a fuzzy match.
const FUZZY_MIN_SIMILARITY: f64 = 0.88;

impl CountryRegistry {
    /// Every entry that matches `query`, best first (see [`CountryMatchKind`] for the
    /// ranking; ties in table order of names), one result per entry: an exact code, an
    /// exact name or official name, a former or trade name or non-ISO code, then names
    /// starting with the query, names holding all its words, names containing it, and
    /// only when none of these matched, names close to it (fuzzy, for typos).
    pub fn search(&self, query: &str) -> Vec<CountryMatch<'_>> {
        let t = query.trim();
        if t.is_empty() {
            return Vec::new();
        }
        let mut best: Vec<Option<(CountryMatchKind, String)>> = vec![None; self.countries.len()];
        fn offer(
            best: &mut [Option<(CountryMatchKind, String)>],
            i: usize,
            kind: CountryMatchKind,
            matched: &str,
        ) {
            if best[i].as_ref().is_none_or(|(k, _)| kind < *k) {
                best[i] = Some((kind, matched.to_string()));
            }
        }
        if let Some(c) = self.get(t) {
            if let Some(i) = self.countries.iter().position(|x| x.iso3 == c.iso3) {
                offer(&mut best, i, CountryMatchKind::Code, t);
            }
        }
        if t.len() <= MAX_NAME_QUERY_BYTES {
            let q = fold_name(t);
            if !q.is_empty() {
                for (i, names) in self.texts.iter().enumerate() {
                    for n in names {
                        let f = &n.folded;
                        let kind = if *f == q {
                            if n.official {
                                CountryMatchKind::Name
                            } else {
                                CountryMatchKind::Alias
                            }
                        } else if f.starts_with(&q) {
                            CountryMatchKind::Prefix
                        } else if has_words(f, &q) {
                            CountryMatchKind::Words
                        } else if f.contains(&q) {
                            CountryMatchKind::Substring
                        } else {
                            continue;
                        };
                        offer(&mut best, i, kind, &n.text);
                    }
                }
                if best.iter().all(Option::is_none) && suggestable(t) {
                    for (i, names) in self.texts.iter().enumerate() {
                        let scored = names
                            .iter()
                            .map(|n| (strsim::jaro_winkler(&q, &n.folded), n.text.as_str()))
                            .max_by(|a, b| a.0.total_cmp(&b.0));
                        if let Some((sim, n)) = scored {
                            if sim >= FUZZY_MIN_SIMILARITY {
                                offer(&mut best, i, CountryMatchKind::Fuzzy, n);
                            }
                        }
                    }
                }
            }
        }
        let mut out: Vec<CountryMatch<'_>> = best
            .into_iter()
            .enumerate()
            .filter_map(|(i, b)| {
                b.map(|(kind, matched)| CountryMatch {
                    country: &self.countries[i],
                    kind,
                    matched,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then_with(|| a.country.name.cmp(&b.country.name))
        });
        out
    }
}

/// Whether every word of the folded query `q` is a whole word of the folded name `f`.
pub(super) fn has_words(f: &str, q: &str) -> bool {
    let words: Vec<&str> = f.split(' ').collect();
    q.split(' ').all(|w| words.contains(&w))
}
