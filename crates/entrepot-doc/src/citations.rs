//! The register that numbers a document's sources and methods: producers hand it the
//! [`Provenance`] of each figure, in reading order, and get back the figure with its
//! [`SourceId`].

use crate::figure::{Alternative, Figure};
use crate::id::{SourceId, SourceKind};
use crate::model::{Method, Source};
use crate::provenance::{Basis, Provenance};
use crate::unit::Unit;
use std::collections::HashMap;

/// Numbers published sources (`P1`, `P2`, … in order of registration) and computation
/// methods (`C1`, … in order of first citation; one id per distinct method, basis and
/// inputs), so that a figure's marker is fixed by the document, not by a renderer.
#[derive(Debug, Clone, Default)]
pub struct Citations {
    sources: Vec<Source>,
    source_keys: HashMap<String, SourceId>,
    methods: Vec<Method>,
    method_keys: HashMap<(Basis, String, Vec<String>), SourceId>,
}

impl Citations {
    /// An empty register.
    pub fn new() -> Citations {
        Citations::default()
    }

    /// Registers a published source under the producer's `key` (its own source id) and
    /// returns its id; a key already registered keeps its id and gains the origins it
    /// lacked. Registering a producer's sources first, in its order, keeps its
    /// numbering.
    pub fn add_source(&mut self, key: &str, url: &str, origins: &[String]) -> SourceId {
        let id = match self.source_keys.get(key) {
            Some(id) => *id,
            None => {
                let id = SourceId::nth(SourceKind::Published, self.sources.len() + 1);
                self.sources.push(Source {
                    id,
                    url: url.to_string(),
                    origins: Vec::new(),
                });
                self.source_keys.insert(key.to_string(), id);
                id
            }
        };
        let s = &mut self.sources[id.number() as usize - 1];
        for o in origins {
            if !s.origins.contains(o) {
                s.origins.push(o.clone());
            }
        }
        id
    }

    /// The id of a provenance, registering its source or method when new, and the
    /// provenance as the document writes it: a published figure's `source_id` is its
    /// document id, and a computed figure's inputs name registered sources by their
    /// document ids.
    pub fn cite(&mut self, p: &Provenance) -> (SourceId, Provenance) {
        match p {
            Provenance::Published {
                source_id,
                source_url,
                origin,
                note,
            } => {
                let id = self.add_source(source_id, source_url, std::slice::from_ref(origin));
                (
                    id,
                    Provenance::Published {
                        source_id: id.to_string(),
                        source_url: source_url.clone(),
                        origin: origin.clone(),
                        note: note.clone(),
                    },
                )
            }
            Provenance::Computed {
                basis,
                method,
                inputs,
            } => {
                let mut sources = Vec::new();
                let mut data = Vec::new();
                let mut written = Vec::new();
                for i in inputs {
                    match self.source_keys.get(i) {
                        Some(id) => {
                            if !sources.contains(id) {
                                sources.push(*id);
                            }
                            written.push(id.to_string());
                        }
                        None => {
                            if !data.contains(i) {
                                data.push(i.clone());
                            }
                            written.push(i.clone());
                        }
                    }
                }
                let key = (*basis, method.clone(), written.clone());
                let id = match self.method_keys.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = SourceId::nth(SourceKind::Computed, self.methods.len() + 1);
                        self.methods.push(Method {
                            id,
                            basis: *basis,
                            method: method.clone(),
                            sources,
                            data,
                        });
                        self.method_keys.insert(key, id);
                        id
                    }
                };
                (
                    id,
                    Provenance::Computed {
                        basis: *basis,
                        method: method.clone(),
                        inputs: written,
                    },
                )
            }
        }
    }

    /// A figure with its marker (not signed, not approximate, exact, no alternatives;
    /// set those fields on the result).
    pub fn figure(
        &mut self,
        value: f64,
        unit: Unit,
        decimals: u8,
        provenance: &Provenance,
    ) -> Figure {
        let (source, provenance) = self.cite(provenance);
        Figure {
            value,
            unit,
            decimals,
            signed: false,
            approximate: false,
            tolerance: 0.0,
            source,
            provenance,
            alternatives: Vec::new(),
        }
    }

    /// An alternative report with its marker.
    pub fn alternative(
        &mut self,
        value: f64,
        approximate: bool,
        decimals: u8,
        provenance: &Provenance,
        difference: f64,
        agrees: bool,
    ) -> Alternative {
        let (source, provenance) = self.cite(provenance);
        Alternative {
            value,
            approximate,
            decimals,
            source,
            provenance,
            difference,
            agrees,
        }
    }

    /// The id of the method (registering it when new) for numbers computed `method`
    /// from `data` (a regression table's estimator, say).
    pub fn method(&mut self, basis: Basis, method: &str, data: &[String]) -> SourceId {
        self.cite(&Provenance::Computed {
            basis,
            method: method.to_string(),
            inputs: data.to_vec(),
        })
        .0
    }

    /// The sources registered so far.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The methods registered so far.
    pub fn methods(&self) -> &[Method] {
        &self.methods
    }

    /// The sources and methods, to put in the document.
    pub fn into_parts(self) -> (Vec<Source>, Vec<Method>) {
        (self.sources, self.methods)
    }

    /// The kind of id a key is registered under, if any.
    pub fn kind_of(&self, key: &str) -> Option<SourceKind> {
        self.source_keys.get(key).map(|id| id.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::{Currency, Scale};

    fn published(key: &str, url: &str, line: &str) -> Provenance {
        Provenance::Published {
            source_id: key.into(),
            source_url: url.into(),
            origin: line.into(),
            note: String::new(),
        }
    }

    #[test]
    fn producer_numbering_is_kept_and_methods_are_numbered_once() {
        let mut c = Citations::new();
        assert_eq!(
            c.add_source("P1", "https://a.example", &[]).to_string(),
            "P1"
        );
        assert_eq!(
            c.add_source("P2", "https://b.example", &[]).to_string(),
            "P2"
        );
        let usd = Unit::money(Currency::USD, Scale::Billions);
        let f = c.figure(
            330.3,
            usd.clone(),
            1,
            &published("P2", "https://b.example", "f.csv:4"),
        );
        assert_eq!(f.source.to_string(), "P2");
        assert_eq!(c.sources()[1].origins, vec!["f.csv:4".to_string()]);
        let growth = Provenance::Computed {
            basis: Basis::Published,
            method: "growth".into(),
            inputs: vec!["P2".into(), "P1".into(), "flows:x".into()],
        };
        let g1 = c.figure(5.9, Unit::Percent, 1, &growth);
        let g2 = c.figure(5.9, Unit::Percent, 1, &growth);
        assert_eq!(
            (g1.source.to_string(), g2.source),
            ("C1".to_string(), g1.source)
        );
        let m = &c.methods()[0];
        assert_eq!(
            m.sources.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ["P2", "P1"]
        );
        assert_eq!(m.data, vec!["flows:x".to_string()]);
        // an unknown key becomes a new source rather than an unchecked id
        let f = c.figure(
            1.0,
            usd,
            1,
            &published("<b>", "https://c.example", "g.csv:1"),
        );
        assert_eq!(f.source.to_string(), "P3");
        match f.provenance {
            Provenance::Published { source_id, .. } => assert_eq!(source_id, "P3"),
            p => panic!("{p:?}"),
        }
    }
}
