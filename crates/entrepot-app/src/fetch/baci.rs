//! `fetch baci`: a CEPII BACI release archive (one per HS revision), downloaded
//! resumably into the cache and streamed into the store: each yearly CSV asked for
//! is read straight out of the archive (inflated as it is read, CRC-checked), with
//! the archive's own country table; nothing is unpacked to disk.

use super::{base_url, session, store_fetched, with_origin, FetchOptions, FetchOutcome, Progress};
use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use entrepot_fetch::baci as api;
use entrepot_fetch::http::ClientConfig;
use entrepot_fetch::session::Session;
use entrepot_fetch::zip;
use entrepot_io::baci::BaciReader;
use entrepot_io::{CountryTable, FlowReader, ReadOptions};
use std::sync::Arc;
use std::time::Duration;

/// The environment variable of the base URL.
pub const URL_ENV: &str = "ENTREPOT_BACI_URL";
/// How long a downloaded archive stays fresh by default: a year (a release never
/// changes; a new one has a new name).
pub const DEFAULT_MAX_AGE_S: u64 = 365 * 86_400;

/// What to fetch from CEPII BACI.
#[derive(Debug, Clone)]
pub struct BaciRequest {
    /// The HS revision (`HS17`, `HS2017`, `H5`).
    pub revision: String,
    /// The years, `2018..2023` or one year.
    pub years: String,
    /// The release (`V202501`; default [`api::DEFAULT_RELEASE`]).
    pub release: Option<String>,
    /// The SHA-256 the archive must have (hex), when the user knows it.
    pub sha256: Option<String>,
}

/// The BACI client's default pacing: one download at a time, patient reads (large
/// files over slow links).
pub fn default_client() -> ClientConfig {
    ClientConfig {
        read_timeout: Duration::from_secs(300),
        min_interval: Duration::from_secs(1),
        ..ClientConfig::default()
    }
}

/// Fetches BACI years into the store (see [`crate::fetch`] for the guarantees).
/// `progress` gets bytes downloaded in `done`/`total` while the archive downloads.
pub fn fetch_baci(
    location: &StoreLocation,
    req: &BaciRequest,
    opts: &FetchOptions,
    progress: &dyn Fn(&Progress),
) -> AppResult<FetchOutcome> {
    let code = api::revision_code(&req.revision)?;
    let release = req
        .release
        .clone()
        .unwrap_or_else(|| api::DEFAULT_RELEASE.to_string());
    api::check_release(&release)?;
    let years = api::years(&req.years)?;
    let revision: entrepot_core::HsRevision = code
        .parse()
        .map_err(|e: entrepot_core::CoreError| AppError::usage(e.to_string()))?;
    let url = api::archive_url(
        &base_url(opts.base_url.as_ref(), URL_ENV, api::DEFAULT_BASE_URL),
        &code,
        &release,
    );
    let key = Session::key("baci", &url, "zip");
    let session = session(opts, default_client(), DEFAULT_MAX_AGE_S);
    if opts.dry_run {
        return Ok(super::dry_run_listing(&[(
            url.clone(),
            session.is_cached(&key),
        )]));
    }
    let notice = |m: &str| {
        progress(&Progress {
            done: 0,
            total: 0,
            message: m.to_string(),
        })
    };
    let bytes = |done: u64, total: Option<u64>| {
        progress(&Progress {
            done: done as usize,
            total: total.unwrap_or(0) as usize,
            message: "downloading".into(),
        })
    };
    let (entry, from_cache) =
        session.download(&key, &url, req.sha256.as_deref(), &notice, &bytes)?;
    let archive = &entry.body;
    let contents = api::contents(&zip::members(archive)?);
    let missing: Vec<i32> = years
        .iter()
        .copied()
        .filter(|y| !contents.years.iter().any(|(m, _)| m == y))
        .collect();
    if !missing.is_empty() {
        let have: Vec<String> = contents.years.iter().map(|(y, _)| y.to_string()).collect();
        return Err(AppError::not_found(format!(
            "{}: no data for {} in this release (it holds {}; the store is unchanged)",
            archive.display(),
            missing
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            if have.is_empty() {
                "no yearly file".to_string()
            } else {
                have.join(", ")
            }
        )));
    }
    let table = match &contents.countries {
        Some(m) => {
            let name = format!("{}!{}", archive.display(), m.name);
            Some(Arc::new(CountryTable::from_reader(
                &name,
                zip::open_member(archive, m)?,
            )?))
        }
        None => None,
    };
    let read_options = ReadOptions {
        on_error: opts.on_error,
        ..ReadOptions::default()
    };
    let mut readers: Vec<Box<dyn FlowReader>> = Vec::new();
    for (_, m) in contents.years.iter().filter(|(y, _)| years.contains(y)) {
        let name = format!("{}!{}", archive.display(), m.name);
        let r = BaciReader::from_reader(
            &name,
            zip::open_member(archive, m)?,
            revision,
            table.clone(),
            read_options.clone(),
        )?;
        readers.push(with_origin(Box::new(r), &entry, "CEPII BACI archive"));
    }
    let name = opts
        .dataset
        .clone()
        .unwrap_or_else(|| format!("baci_{}", code.to_ascii_lowercase()));
    let mut out = store_fetched(
        location,
        &name,
        readers,
        vec![archive.clone()],
        opts,
        1,
        usize::from(from_cache),
    )?;
    if table.is_none() {
        out.messages.push(
            "the archive has no country_codes table: BACI codes were read through the built-in registry".into(),
        );
    }
    Ok(out)
}
