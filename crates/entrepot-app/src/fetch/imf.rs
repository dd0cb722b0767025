//! `fetch imf`: IMF International Trade in Goods by partner country (IMTS, formerly
//! DOTS) over SDMX REST, one request per reporter, answered in SDMX-CSV and read by
//! `entrepot_io::sdmx`.

use super::{
    base_url, dry_run_listing, list, session, store_fetched, with_origin, FetchOptions,
    FetchOutcome, Progress,
};
use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use entrepot_core::CountryRegistry;
use entrepot_fetch::http::ClientConfig;
use entrepot_fetch::imf as api;
use entrepot_fetch::session::{Check, Got, Session};
use entrepot_io::sdmx::SdmxReader;
use entrepot_io::{FlowReader, ReadOptions};
use std::time::Duration;

/// The environment variable of the base URL.
pub const URL_ENV: &str = "ENTREPOT_IMF_URL";
/// How long a cached answer stays fresh by default: 7 days.
pub const DEFAULT_MAX_AGE_S: u64 = 7 * 86_400;

/// What to fetch from the IMF.
#[derive(Debug, Clone)]
pub struct ImfRequest {
    /// Reporters (any code or name the registry knows; sent as ISO3).
    pub reporters: Vec<String>,
    /// Partners, or `all`.
    pub partners: Vec<String>,
    /// `A`, `Q` or `M`.
    pub freq: String,
    /// `2018..2023`, `2024-01..2025-06`, or `None` for every period.
    pub period: Option<String>,
    /// The SDMX dataflow (default `IMF.STA,IMTS`).
    pub dataflow: Option<String>,
}

/// The IMF client's default pacing: one request every 2 seconds (the IMF asks API
/// users to keep to a few requests a second and throttles bursts with `429`).
pub fn default_client() -> ClientConfig {
    ClientConfig {
        min_interval: Duration::from_secs(2),
        ..ClientConfig::default()
    }
}

fn iso3(code: &str) -> AppResult<String> {
    CountryRegistry::builtin()
        .resolve(code)
        .map(|c| c.iso3.clone())
        .map_err(|e| AppError::usage(e.to_string()))
}

/// The SDMX requests of an IMF request.
fn requests(req: &ImfRequest) -> AppResult<Vec<api::Request>> {
    let freq = req.freq.trim().to_ascii_uppercase();
    if !matches!(freq.as_str(), "A" | "M") {
        return Err(AppError::usage(format!(
            "--freq {freq}: expected A (annual) or M (monthly)"
        )));
    }
    let partners_in = list(&req.partners);
    let partners =
        if partners_in.is_empty() || partners_in.iter().any(|p| p.eq_ignore_ascii_case("all")) {
            Vec::new()
        } else {
            partners_in
                .iter()
                .map(|p| iso3(p).map(|c| if c == "WLD" { "G001".to_string() } else { c }))
                .collect::<AppResult<Vec<_>>>()?
        };
    let (start, end) = match &req.period {
        None => (None, None),
        Some(p) => {
            let (a, b) = p.split_once("..").unwrap_or((p.as_str(), p.as_str()));
            let check = |s: &str| -> AppResult<String> {
                let s = s.trim();
                let ok = match freq.as_str() {
                    "A" => s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()),
                    _ => {
                        s.len() == 7
                            && s.as_bytes()[4] == b'-'
                            && s[..4].bytes().all(|b| b.is_ascii_digit())
                            && s[5..].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
                    }
                };
                if ok {
                    Ok(s.to_string())
                } else {
                    Err(AppError::usage(format!(
                        "--period {p}: '{s}' is not a {} period",
                        if freq == "A" { "YYYY" } else { "YYYY-MM" }
                    )))
                }
            };
            (Some(check(a)?), Some(check(b)?))
        }
    };
    let reporters = list(&req.reporters);
    if reporters.is_empty() {
        return Err(AppError::usage("--reporter: give at least one reporter"));
    }
    reporters
        .iter()
        .map(|r| {
            Ok(api::Request {
                reporter: iso3(r)?,
                partners: partners.clone(),
                indicators: vec![api::EXPORTS_FOB.into(), api::IMPORTS_CIF.into()],
                freq: freq.clone(),
                start: start.clone(),
                end: end.clone(),
            })
        })
        .collect()
}

/// Fetches IMF trade by partner into the store (see [`crate::fetch`]).
pub fn fetch_imf(
    location: &StoreLocation,
    req: &ImfRequest,
    opts: &FetchOptions,
    progress: &dyn Fn(&Progress),
) -> AppResult<FetchOutcome> {
    let reqs = requests(req)?;
    let base = base_url(opts.base_url.as_ref(), URL_ENV, api::DEFAULT_BASE_URL);
    let flow = req
        .dataflow
        .clone()
        .unwrap_or_else(|| api::DEFAULT_FLOW.into());
    let session = session(opts, default_client(), DEFAULT_MAX_AGE_S);
    let urls: Vec<String> = reqs.iter().map(|r| r.url(&base, &flow)).collect();
    if opts.dry_run {
        let listed: Vec<(String, bool)> = urls
            .iter()
            .map(|u| {
                (
                    u.clone(),
                    session.is_cached(&Session::key("imf", u, "sdmx-csv")),
                )
            })
            .collect();
        return Ok(dry_run_listing(&listed));
    }
    let headers = [("Accept", api::ACCEPT_CSV)];
    let mut entries = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let key = Session::key("imf", url, "sdmx-csv");
        let notice = |m: &str| {
            progress(&Progress {
                done: i,
                total: urls.len(),
                message: m.to_string(),
            })
        };
        let check = |body: &[u8]| api::check_response(url, body).map(|_| Check::Complete);
        match session.get_checked(&key, url, &headers, &check, &notice)? {
            Got::Entry(e, cached) => entries.push((e, cached)),
            Got::AtCap(_) => {
                return Err(AppError::failure(format!(
                    "{url}: the IMF service has no row cap, yet the cache marks this request as at one; run with --refresh"
                )))
            }
        }
        progress(&Progress {
            done: i + 1,
            total: urls.len(),
            message: "fetched".into(),
        });
    }
    let read_options = ReadOptions {
        on_error: opts.on_error,
        ..ReadOptions::default()
    };
    let mut readers: Vec<Box<dyn FlowReader>> = Vec::new();
    for (e, _) in &entries {
        let f = std::fs::File::open(&e.body)
            .map_err(|err| AppError::failure(format!("{}: {err}", e.body.display())))?;
        let r = SdmxReader::from_reader(
            &e.body.display().to_string(),
            f,
            Some(e.meta.size),
            None,
            read_options.clone(),
        )?;
        readers.push(with_origin(Box::new(r), e, "IMF SDMX"));
    }
    let cached = entries.iter().filter(|(_, c)| *c).count();
    let name = opts.dataset.clone().unwrap_or_else(|| "imf_imts".into());
    store_fetched(
        location,
        &name,
        readers,
        entries.iter().map(|(e, _)| e.body.clone()).collect(),
        opts,
        entries.len(),
        cached,
    )
}
