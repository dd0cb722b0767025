//! Listings: the small tables of the lookup and bookkeeping requests (datasets,
//! groups, an ingest's summary), as header and rows of text cells. The CLI prints
//! them as a table, CSV or an array of JSON objects; a server returns the objects.

use entrepot_doc::{Block, Cell, Column, Document, Row, Section, Table};

/// A table of text cells with named columns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows, each as long as `headers`.
    pub rows: Vec<Vec<String>>,
}

impl Listing {
    /// An empty listing with these columns.
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Self {
        Listing {
            headers: headers.iter().map(|h| h.as_ref().to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (padded or cut to the number of columns).
    pub fn push(&mut self, mut row: Vec<String>) {
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    /// The listing as a report document of `kind` with one section holding one table
    /// (id `id`), so that every renderer of the report crate can show it.
    pub fn to_document(&self, kind: &str, id: &str, title: &str) -> Document {
        let table = Table {
            id: id.to_string(),
            title: title.to_string(),
            source: None,
            columns: self
                .headers
                .iter()
                .map(|h| Column {
                    key: h.clone(),
                    label: h.clone(),
                    detail: false,
                })
                .collect(),
            rows: self
                .rows
                .iter()
                .map(|r| Row::new(r.iter().map(|c| Cell::text(c.clone())).collect()))
                .collect(),
            footer: Vec::new(),
        };
        let mut doc = Document::new(kind, title);
        doc.sections.push(Section {
            id: id.to_string(),
            title: title.to_string(),
            blocks: vec![Block::Table(table)],
        });
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_padded_to_the_columns_and_the_document_is_valid() {
        let mut l = Listing::new(&["dataset", "rows"]);
        l.push(vec!["a".into()]);
        l.push(vec!["b".into(), "2".into(), "extra".into()]);
        assert_eq!(l.rows[0], vec!["a".to_string(), String::new()]);
        assert_eq!(l.rows[1], vec!["b".to_string(), "2".to_string()]);
        let doc = l.to_document("datasets", "datasets", "Datasets");
        doc.validate().expect("a valid document");
        assert_eq!(doc.tables().count(), 1);
    }
}
