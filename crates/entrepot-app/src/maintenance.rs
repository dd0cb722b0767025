//! Store maintenance: removing a dataset, verifying stored files against the manifest.

use crate::error::{AppError, AppResult};
use crate::listing::Listing;
use crate::location::StoreLocation;
use entrepot_store::StoreError;

/// Removes a dataset: a one-row listing of what was removed. The store must exist and
/// hold the dataset (checked before the write-capable open, which would create the
/// directory).
pub fn remove(location: &StoreLocation, name: &str) -> AppResult<Listing> {
    let shown = location.dir().display().to_string();
    location.write_with(|store| remove_from(store, name, &shown))
}

/// [`remove`] on a local store (an object store's staging store included); `shown`
/// names the store in messages.
fn remove_from(location: &StoreLocation, name: &str, shown: &str) -> AppResult<Listing> {
    let view = location.open_read()?;
    if view.dataset(name).is_none() {
        return Err(AppError::not_found(format!(
            "no dataset '{}' in {}",
            entrepot_core::text::display_value(name),
            shown
        )));
    }
    drop(view);
    let mut store = location.open_write()?;
    let info = store.remove(name)?;
    let mut listing = Listing::new(&["dataset", "kind", "version", "rows", "status"]);
    listing.push(vec![
        info.name,
        info.kind.to_string(),
        info.version.to_string(),
        info.rows.to_string(),
        "removed".into(),
    ]);
    Ok(listing)
}

/// What `verify` found: one row per dataset (files, `ok` or `DAMAGED`, the problems)
/// and the number of problems.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The rows.
    pub listing: Listing,
    /// The number of problems found (0: every file is as the manifest says).
    pub problems: usize,
}

/// Checks every stored file (or those of one dataset) against the manifest: size and
/// SHA-256. With `repair`, first removes the leftovers of interrupted writes (taking
/// the writer lock).
pub fn verify(
    location: &StoreLocation,
    name: Option<&str>,
    repair: bool,
) -> AppResult<Verification> {
    if repair && location.object_location()?.is_some() {
        return Err(AppError::usage(
            "--repair collects the leftovers of interrupted local writes; an object store \
             has none (an interrupted write there uploads nothing the manifest names, and \
             the next write deletes older versions)",
        ));
    }
    if repair {
        // Refuses a directory that is not a store, like every open.
        location.open_read()?;
        let mut store = location.open_write()?;
        store.collect_garbage()?;
    }
    let store = location.open_read()?;
    let results = store.verify(name).map_err(|e| match e {
        StoreError::NotFound(_) => AppError::not_found(e.to_string()),
        other => AppError::failure(other.to_string()),
    })?;
    let mut problems = 0usize;
    let mut listing = Listing::new(&["dataset", "files", "status", "problems"]);
    for (name, found) in &results {
        let files = store.dataset(name).map_or(0, |d| d.partitions.len());
        problems += found.len();
        listing.push(vec![
            name.clone(),
            files.to_string(),
            if found.is_empty() { "ok" } else { "DAMAGED" }.into(),
            found
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    Ok(Verification { listing, problems })
}
