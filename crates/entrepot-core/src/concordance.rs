//! Correspondence between HS revisions (HS 2012, HS 2017, HS 2022) at six digits, and
//! the conversion of a value series from one revision to another.
//!
//! A revision splits some codes (HS 2017 854140, solar cells and LEDs, became HS 2022
//! 854141, 854142, 854143 and 854149), merges others (HS 2017 580211 and 580219 became
//! 580210) and moves goods in both directions at once. [`Concordance`] holds every
//! link between the codes of two revisions and names each link's kind
//! ([`LinkKind`], from the connected group of codes it belongs to): one-to-one,
//! one-to-many (a split), many-to-one (a merge) or many-to-many.
//!
//! **Sources** (`data/concordance/`, see `data/SOURCES.md`): the tables of the R
//! package `concordance` (MIT, derived from the UN Statistics Division's HS
//! correlation tables), which give each newer code **one** older code; so a code
//! formed from several older codes lists only one of them there. For HS 2017 → HS 2022
//! the links that table leaves out, for the 27 HS 2017 codes of the built-in list that
//! no HS 2022 code names, are added from `hs2017_hs2022_added.csv`, each with the
//! reason read from the HS 2022 subheading texts (the basis of each link is kept in
//! [`Link::source`]). With them every HS 2017 code of the built-in list has at least
//! one HS 2022 code.
//!
//! **Conversion** ([`Concordance::convert`], module `convert`): the value of a code
//! with one target goes there whole; the value of a code with several targets is
//! shared among them by the targets' trade values in an overlap year when the caller
//! has them (data reported in both revisions for one year), else equally, and each
//! weight says which ([`WeightBasis`]). The weights of a code add up to 1, so a
//! converted series keeps its total; values of codes the concordance does not know
//! are returned apart, never dropped.

use crate::error::CoreError;
use crate::product::HsRevision;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

mod convert;
#[cfg(test)]
mod tests;

pub use convert::{Conversion, LinkWeight, SeriesRow, WeightBasis, Weighting};

const HS2022_TO_HS2017: &str = include_str!("../data/concordance/HS2022_to_HS2017.csv");
const HS2022_TO_HS2012: &str = include_str!("../data/concordance/HS2022_to_HS2012.csv");
const HS2017_TO_HS2012: &str = include_str!("../data/concordance/HS2017_to_HS2012.csv");
const HS2017_HS2022_ADDED: &str = include_str!("../data/concordance/hs2017_hs2022_added.csv");

/// The kind of a link, seen in the direction of conversion, from the group of codes
/// linked to one another that it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    /// One code to one code, neither linked to anything else.
    OneToOne,
    /// One code split into several (the targets come from it alone).
    OneToMany,
    /// Several codes merged into one.
    ManyToOne,
    /// Several codes to several codes.
    ManyToMany,
}

impl LinkKind {
    /// `one-to-one`, `one-to-many`, `many-to-one`, `many-to-many`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::OneToOne => "one-to-one",
            LinkKind::OneToMany => "one-to-many",
            LinkKind::ManyToOne => "many-to-one",
            LinkKind::ManyToMany => "many-to-many",
        }
    }
}

/// Where a link comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkSource {
    /// The MIT `concordance` tables (file name).
    Table(&'static str),
    /// Added by the project, with its reason (`hs2017_hs2022_added.csv`).
    Added(String),
}

impl LinkSource {
    /// A short text for reports.
    pub fn text(&self) -> String {
        match self {
            LinkSource::Table(f) => format!("concordance (MIT) {f}"),
            LinkSource::Added(why) => format!("added: {why}"),
        }
    }
}

/// One link from a code of the source revision to a code of the target revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The code in the source revision.
    pub from: String,
    /// The code in the target revision.
    pub to: String,
    /// The link's kind.
    pub kind: LinkKind,
    /// Where it comes from.
    pub source: LinkSource,
}

/// The links between the six-digit codes of two HS revisions, in one direction.
#[derive(Debug, Clone)]
pub struct Concordance {
    from: HsRevision,
    to: HsRevision,
    links: Vec<Link>,
    by_from: BTreeMap<String, Vec<usize>>,
    by_to: BTreeMap<String, Vec<usize>>,
}

/// The pairs of revisions with a built-in table (older, newer).
pub const PAIRS: [(HsRevision, HsRevision); 3] = [
    (HsRevision::Hs2012, HsRevision::Hs2017),
    (HsRevision::Hs2017, HsRevision::Hs2022),
    (HsRevision::Hs2012, HsRevision::Hs2022),
];

/// Reads a `newer,older` table into (older, newer, source) links.
fn read_table(
    name: &'static str,
    text: &str,
    out: &mut Vec<(String, String, LinkSource)>,
) -> Result<(), CoreError> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    for (i, rec) in rdr.records().enumerate() {
        let def = |m: String| CoreError::Definition {
            source_name: name.to_string(),
            line: i as u64 + 2,
            message: m,
        };
        let rec = rec.map_err(|e| def(e.to_string()))?;
        let (Some(newer), Some(older)) = (rec.get(0), rec.get(1)) else {
            return Err(def("expected two columns (newer code, older code)".into()));
        };
        for c in [newer, older] {
            if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(def(format!("'{c}' is not a six-digit code")));
            }
        }
        out.push((
            older.to_string(),
            newer.to_string(),
            LinkSource::Table(name),
        ));
    }
    Ok(())
}

/// Reads the added HS 2017 → HS 2022 links (`hs2017,hs2022,basis`).
fn read_added(out: &mut Vec<(String, String, LinkSource)>) -> Result<(), CoreError> {
    let name = "hs2017_hs2022_added.csv";
    let mut rdr = csv::Reader::from_reader(HS2017_HS2022_ADDED.as_bytes());
    for (i, rec) in rdr.records().enumerate() {
        let def = |m: String| CoreError::Definition {
            source_name: name.to_string(),
            line: i as u64 + 2,
            message: m,
        };
        let rec = rec.map_err(|e| def(e.to_string()))?;
        match (rec.get(0), rec.get(1), rec.get(2)) {
            (Some(a), Some(b), Some(why)) if !why.trim().is_empty() => out.push((
                a.to_string(),
                b.to_string(),
                LinkSource::Added(why.to_string()),
            )),
            _ => return Err(def("expected hs2017,hs2022,basis with a basis".into())),
        }
    }
    Ok(())
}

/// The (older, newer) links of a pair of revisions, deduplicated (a table link wins
/// over an added one that repeats it).
fn pair_links(
    older: HsRevision,
    newer: HsRevision,
) -> Result<Vec<(String, String, LinkSource)>, CoreError> {
    let mut raw = Vec::new();
    match (older, newer) {
        (HsRevision::Hs2017, HsRevision::Hs2022) => {
            read_table("HS2022_to_HS2017.csv", HS2022_TO_HS2017, &mut raw)?;
            read_added(&mut raw)?;
        }
        (HsRevision::Hs2012, HsRevision::Hs2022) => {
            read_table("HS2022_to_HS2012.csv", HS2022_TO_HS2012, &mut raw)?
        }
        (HsRevision::Hs2012, HsRevision::Hs2017) => {
            read_table("HS2017_to_HS2012.csv", HS2017_TO_HS2012, &mut raw)?
        }
        _ => {
            return Err(CoreError::InvalidValue {
                field: "HS revisions",
                value: format!("{older} and {newer}"),
                expected: "HS2012, HS2017 or HS2022 (a built-in concordance between two of them)"
                    .into(),
            })
        }
    }
    let mut seen = BTreeSet::new();
    raw.retain(|(a, b, _)| seen.insert((a.clone(), b.clone())));
    Ok(raw)
}

/// The kind of each link from the groups of linked codes: `(sources, targets)` of the
/// group, counted in the direction of conversion.
fn kinds(pairs: &[(String, String)]) -> Vec<LinkKind> {
    // Union–find over "f:code" and "t:code" nodes.
    let mut ids: BTreeMap<(bool, &str), usize> = BTreeMap::new();
    for (a, b) in pairs {
        let n = ids.len();
        ids.entry((false, a.as_str())).or_insert(n);
        let n = ids.len();
        ids.entry((true, b.as_str())).or_insert(n);
    }
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (a, b) in pairs {
        let (x, y) = (ids[&(false, a.as_str())], ids[&(true, b.as_str())]);
        let (rx, ry) = (root(&mut parent, x), root(&mut parent, y));
        parent[rx] = ry;
    }
    let mut counts: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (&(target, _), &i) in &ids {
        let r = root(&mut parent, i);
        let c = counts.entry(r).or_default();
        if target {
            c.1 += 1;
        } else {
            c.0 += 1;
        }
    }
    pairs
        .iter()
        .map(|(a, _)| {
            let r = root(&mut parent, ids[&(false, a.as_str())]);
            match counts[&r] {
                (1, 1) => LinkKind::OneToOne,
                (1, _) => LinkKind::OneToMany,
                (_, 1) => LinkKind::ManyToOne,
                _ => LinkKind::ManyToMany,
            }
        })
        .collect()
}

impl Concordance {
    /// The built-in concordance from `from` to `to` (HS2012, HS2017, HS2022, either
    /// direction), parsed once.
    pub fn builtin(from: HsRevision, to: HsRevision) -> Result<&'static Concordance, CoreError> {
        static CACHE: OnceLock<Result<Vec<Concordance>, CoreError>> = OnceLock::new();
        let all = CACHE
            .get_or_init(|| {
                let mut v = Vec::new();
                for (older, newer) in PAIRS {
                    let links = pair_links(older, newer)?;
                    v.push(Concordance::new(older, newer, links.clone()));
                    let reversed = links.into_iter().map(|(a, b, s)| (b, a, s)).collect();
                    v.push(Concordance::new(newer, older, reversed));
                }
                Ok(v)
            })
            .as_ref()
            .map_err(Clone::clone)?;
        all.iter()
            .find(|c| c.from == from && c.to == to)
            .ok_or_else(|| CoreError::InvalidValue {
                field: "HS revisions",
                value: format!("{from} to {to}"),
                expected: "two different revisions among HS2012, HS2017 and HS2022".into(),
            })
    }

    /// A concordance from `(from code, to code, source)` links.
    pub fn new(
        from: HsRevision,
        to: HsRevision,
        links: Vec<(String, String, LinkSource)>,
    ) -> Concordance {
        let pairs: Vec<(String, String)> = links
            .iter()
            .map(|(a, b, _)| (a.clone(), b.clone()))
            .collect();
        let kinds = kinds(&pairs);
        let links: Vec<Link> = links
            .into_iter()
            .zip(kinds)
            .map(|((from, to, source), kind)| Link {
                from,
                to,
                kind,
                source,
            })
            .collect();
        let mut by_from: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_to: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, l) in links.iter().enumerate() {
            by_from.entry(l.from.clone()).or_default().push(i);
            by_to.entry(l.to.clone()).or_default().push(i);
        }
        Concordance {
            from,
            to,
            links,
            by_from,
            by_to,
        }
    }

    /// The source revision.
    pub fn from_revision(&self) -> HsRevision {
        self.from
    }

    /// The target revision.
    pub fn to_revision(&self) -> HsRevision {
        self.to
    }

    /// Every link.
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    /// The links from a source code (empty when it has none).
    pub fn links_from(&self, code: &str) -> Vec<&Link> {
        self.by_from
            .get(code)
            .map(|v| v.iter().map(|i| &self.links[*i]).collect())
            .unwrap_or_default()
    }

    /// The links into a target code.
    pub fn links_to(&self, code: &str) -> Vec<&Link> {
        self.by_to
            .get(code)
            .map(|v| v.iter().map(|i| &self.links[*i]).collect())
            .unwrap_or_default()
    }

    /// The source codes with at least one link.
    pub fn source_codes(&self) -> impl Iterator<Item = &str> {
        self.by_from.keys().map(String::as_str)
    }

    /// The number of links of each kind.
    pub fn kind_counts(&self) -> BTreeMap<LinkKind, usize> {
        let mut out = BTreeMap::new();
        for l in &self.links {
            *out.entry(l.kind).or_default() += 1;
        }
        out
    }
}
