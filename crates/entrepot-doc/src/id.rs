//! Typed source ids: `P3` (the third published source of a document) and `C2` (the
//! second computation method), the markers every renderer prints next to a number.

use crate::error::DocError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

/// Whether a source id names a published source or a computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    /// A published source (`P`), listed in [`Document::sources`](crate::Document::sources).
    Published,
    /// A computation by Entrepôt (`C`), listed in
    /// [`Document::methods`](crate::Document::methods).
    Computed,
}

impl SourceKind {
    /// The letter of the marker: `P` or `C`.
    pub fn letter(self) -> char {
        match self {
            SourceKind::Published => 'P',
            SourceKind::Computed => 'C',
        }
    }
}

/// The id of a published source (`P1`, `P2`, …) or of a computation method (`C1`, …)
/// in a [`Document`](crate::Document). Ids are numbered from 1 in the order of the
/// document's lists, so every renderer prints the same marker for the same figure.
///
/// Serialised as its text (`"P3"`); reading any other text fails, so an id can never
/// carry markup or control characters into a renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId {
    kind: SourceKind,
    number: NonZeroU32,
}

impl SourceId {
    /// The `number`-th id of `kind`; `None` for 0.
    pub fn new(kind: SourceKind, number: u32) -> Option<SourceId> {
        NonZeroU32::new(number).map(|number| SourceId { kind, number })
    }

    /// The `n`-th id of `kind` for a 1-based position `n` in a list (`n` = 0 or
    /// beyond `u32::MAX`, impossible for a list in memory, gives the largest id).
    pub(crate) fn nth(kind: SourceKind, n: usize) -> SourceId {
        let number = u32::try_from(n)
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or(NonZeroU32::MAX);
        SourceId { kind, number }
    }

    /// `P<number>`; `None` for 0.
    pub fn published(number: u32) -> Option<SourceId> {
        SourceId::new(SourceKind::Published, number)
    }

    /// `C<number>`; `None` for 0.
    pub fn computed(number: u32) -> Option<SourceId> {
        SourceId::new(SourceKind::Computed, number)
    }

    /// Published or computed.
    pub fn kind(self) -> SourceKind {
        self.kind
    }

    /// The number (1-based position in the document's list).
    pub fn number(self) -> u32 {
        self.number.get()
    }

    /// Whether it names a published source.
    pub fn is_published(self) -> bool {
        self.kind == SourceKind::Published
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.kind.letter(), self.number)
    }
}

impl FromStr for SourceId {
    type Err = DocError;

    /// Parses `P3` or `C12` (no sign, no leading zero, at most 9 digits).
    fn from_str(s: &str) -> Result<SourceId, DocError> {
        let bad = || DocError::InvalidSourceId(s.chars().take(40).collect());
        let kind = match s.as_bytes().first() {
            Some(b'P') => SourceKind::Published,
            Some(b'C') => SourceKind::Computed,
            _ => return Err(bad()),
        };
        let digits = &s[1..];
        if digits.is_empty()
            || digits.len() > 9
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let n: u32 = digits.parse().map_err(|_| bad())?;
        SourceId::new(kind, n).ok_or_else(bad)
    }
}

impl Serialize for SourceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SourceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SourceId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_and_parse_as_markers() {
        let p = SourceId::published(3).unwrap();
        assert_eq!(p.to_string(), "P3");
        assert_eq!("P3".parse::<SourceId>().unwrap(), p);
        let c: SourceId = "C12".parse().unwrap();
        assert_eq!((c.kind(), c.number()), (SourceKind::Computed, 12));
        assert!(SourceId::computed(0).is_none());
        for bad in [
            "",
            "P",
            "P0",
            "P03",
            "p3",
            "X1",
            "P-1",
            "P1 ",
            "P1\u{1b}",
            "P9999999999",
        ] {
            assert!(bad.parse::<SourceId>().is_err(), "{bad:?}");
        }
    }
}
