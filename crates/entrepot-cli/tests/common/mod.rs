//! Helpers shared by the end-to-end tests of the `entrepot` binary.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The binary, with no colour and none of the environment variables that would
/// change what a test sees (a store, user groups or baskets, a memory limit).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entrepot"));
    c.env("NO_COLOR", "1")
        .env_remove("ENTREPOT_STORE")
        .env_remove("ENTREPOT_GROUPS_FILE")
        .env_remove("ENTREPOT_BASKETS_FILE")
        .env_remove("ENTREPOT_MEMORY_LIMIT")
        .env_remove("ENTREPOT_ENGINE");
    c
}

/// Runs `entrepot --quiet --store STORE ARGS…`.
pub fn run(store: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--quiet")
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("run entrepot")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs a command that must succeed and returns its standard output.
#[track_caller]
pub fn ok(store: &Path, args: &[&str]) -> String {
    let o = run(store, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// A row of a report-document table read from its JSON: column key → cell.
pub type DocRow = std::collections::BTreeMap<String, serde_json::Value>;

/// A table of a report document read from its JSON (`--format json`).
pub struct DocTable {
    /// The body rows.
    pub rows: Vec<DocRow>,
    /// The footer rows.
    pub footer: Vec<DocRow>,
}

impl DocTable {
    /// The body rows, then the footer rows.
    pub fn all(self) -> Vec<DocRow> {
        self.rows.into_iter().chain(self.footer).collect()
    }
}

/// Every table of a report document, by id.
pub fn doc_tables(doc: &serde_json::Value) -> std::collections::BTreeMap<String, DocTable> {
    let rows = |t: &serde_json::Value, part: &str, keys: &[String]| -> Vec<DocRow> {
        t[part]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                keys.iter()
                    .cloned()
                    .zip(r["cells"].as_array().expect("cells").iter().cloned())
                    .collect()
            })
            .collect()
    };
    doc["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["blocks"].as_array().into_iter().flatten())
        .filter(|b| b["type"] == "table")
        .map(|t| {
            let keys: Vec<String> = t["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .map(|c| c["key"].as_str().expect("key").to_string())
                .collect();
            (
                t["id"].as_str().expect("id").to_string(),
                DocTable {
                    rows: rows(t, "rows", &keys),
                    footer: rows(t, "footer", &keys),
                },
            )
        })
        .collect()
}

/// The table `id` of a report document.
#[track_caller]
pub fn doc_table(doc: &serde_json::Value, id: &str) -> DocTable {
    doc_tables(doc)
        .remove(id)
        .unwrap_or_else(|| panic!("no table {id}"))
}

/// The value of a number cell.
#[track_caller]
pub fn number(cell: &serde_json::Value) -> f64 {
    assert_eq!(cell["type"], "number", "{cell}");
    cell["value"].as_f64().expect("value")
}

/// The text of a text cell.
#[track_caller]
pub fn text(cell: &serde_json::Value) -> &str {
    cell["text"]
        .as_str()
        .unwrap_or_else(|| panic!("not text: {cell}"))
}

/// The reason of a missing cell.
#[track_caller]
pub fn missing_reason(cell: &serde_json::Value) -> &str {
    assert_eq!(cell["type"], "missing", "{cell}");
    cell["reason"].as_str().expect("reason")
}
