//! The datasets of a store, and the embedded sample.

use crate::error::{AppError, AppResult};
use crate::listing::Listing;
use crate::location::StoreLocation;
use entrepot_store::{DatasetInfo, DatasetKind};

/// The datasets of the store, one row each, and a last row for the embedded sample:
/// name, kind, version, rows, rejected rows, span of years, number of reporters, the
/// currency of the values (flows) and the source files.
pub fn datasets(location: &StoreLocation) -> AppResult<Listing> {
    let store = location.open_read()?;
    let mut listing = Listing::new(&[
        "dataset",
        "kind",
        "version",
        "rows",
        "rejected",
        "years",
        "reporters",
        "currency",
        "sources",
    ]);
    for d in store.datasets() {
        listing.push(vec![
            d.name.clone(),
            d.kind.to_string(),
            d.version.to_string(),
            d.rows.to_string(),
            d.rejected.to_string(),
            span(&d.years),
            d.reporters.len().to_string(),
            match d.kind {
                DatasetKind::Flows => d.value_currency().to_string(),
                // Published figures carry their own units.
                DatasetKind::Facts => "-".into(),
            },
            d.sources
                .iter()
                .map(|s| s.path.clone())
                .collect::<Vec<_>>()
                .join(";"),
        ]);
    }
    let sample = entrepot_io::sample::sample_facts();
    let reporters: std::collections::BTreeSet<&str> =
        sample.iter().map(|f| f.reporter.as_str()).collect();
    let years: Vec<i32> = sample.iter().map(|f| f.span.start.year()).collect();
    listing.push(vec![
        "sample (embedded)".into(),
        "facts".into(),
        "-".into(),
        sample.len().to_string(),
        "0".into(),
        span(&years),
        reporters.len().to_string(),
        "-".into(),
        "china_customs_facts.csv;china_other_facts.csv".into(),
    ]);
    Ok(listing)
}

/// One dataset's manifest entry in full.
pub fn dataset(location: &StoreLocation, name: &str) -> AppResult<DatasetInfo> {
    let store = location.open_read()?;
    store.dataset(name).cloned().ok_or_else(|| {
        AppError::not_found(format!(
            "no dataset '{name}' in {}",
            location.dir().display()
        ))
    })
}

/// The name of the store's manifest file in its directory: a server may watch its
/// metadata to learn cheaply whether the store may have changed before asking for
/// its [`fingerprint`].
pub const MANIFEST_FILE: &str = entrepot_store::MANIFEST_FILE;

/// A fingerprint of what the store holds: a SHA-256 (hex) over the manifest's last
/// write and every dataset's name, kind, version and checksum. Every ingest and
/// remove changes it, so a cache of results keyed by it is never stale; a default
/// store that does not exist yet has the fingerprint of an empty store.
pub fn fingerprint(location: &StoreLocation) -> AppResult<String> {
    let store = location.open_read()?;
    let manifest = store.manifest();
    let mut text = format!("updated_at={}\n", manifest.updated_at);
    for d in manifest.datasets.values() {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            d.name, d.kind, d.version, d.checksum
        ));
    }
    Ok(entrepot_store::sha256_bytes(text.as_bytes()))
}

/// `2016`, `2001-2019`, or empty when no year is held.
fn span(years: &[i32]) -> String {
    match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => String::new(),
    }
}
