//! CEPII BACI: a release archive written in BACI's layout (yearly `t,i,j,k,v,q` CSVs
//! with values in thousands of US dollars, `country_codes_V*.csv` in the V202401
//! layout, `product_codes_HS17_V*.csv`), served as a file server would.

use super::{cell, flows, options, store, store_is_empty};
use entrepot_app::fetch::baci::{fetch_baci, BaciRequest};
use entrepot_app::ErrorClass;
use entrepot_fetch::replay::{ReplayServer, Reply, Request};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const ETAG: &str = "\"baci-hs17-v202501\"";
const PRODUCTS: [&str; 5] = ["010121", "300490", "847130", "850760", "870323"];
/// BACI codes: China, India (699), the United States (842), France (251), Germany.
const COUNTRIES: [(&str, &str, &str, &str); 5] = [
    ("156", "China", "CN", "CHN"),
    ("699", "India", "IN", "IND"),
    ("842", "USA", "US", "USA"),
    ("251", "France", "FR", "FRA"),
    ("276", "Germany", "DE", "DEU"),
];

/// A year's CSV: every ordered pair of countries x every product.
fn year_csv(year: i32) -> String {
    let mut s = String::from("t,i,j,k,v,q\n");
    for (e, _, _, _) in COUNTRIES {
        for (i, _, _, _) in COUNTRIES {
            if e == i {
                continue;
            }
            for (n, k) in PRODUCTS.iter().enumerate() {
                let v = f64::from(year - 2000) * 100.0
                    + e.parse::<f64>().unwrap() / 10.0
                    + n as f64
                    + 0.125;
                let q = if n == 0 {
                    "NA".to_string()
                } else {
                    format!("{}.5", n)
                };
                s.push_str(&format!("{year},{e},{i},{k},{v:.3},{q}\n"));
            }
        }
    }
    s
}

fn archive() -> Vec<u8> {
    let mut countries = String::from("country_code,country_name,country_iso2,country_iso3\n");
    for (c, n, i2, i3) in COUNTRIES {
        countries.push_str(&format!("{c},{n},{i2},{i3}\n"));
    }
    let mut products = String::from("code,description\n");
    for k in PRODUCTS {
        products.push_str(&format!("{k},\"product {k}\"\n"));
    }
    let (y21, y22) = (year_csv(2021), year_csv(2022));
    entrepot_fetch::zip::write_archive(&[
        ("BACI_HS17_Y2021_V202501.csv", y21.as_bytes()),
        ("BACI_HS17_Y2022_V202501.csv", y22.as_bytes()),
        ("country_codes_V202501.csv", countries.as_bytes()),
        ("product_codes_HS17_V202501.csv", products.as_bytes()),
        ("Readme.txt", b"BACI HS17 V202501 (test archive)"),
    ])
}

/// A file server of the archive at `/BACI_HS17_V202501.zip`.
fn files(zip: Arc<Vec<u8>>) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |req: &Request| {
        if req.target != "/BACI_HS17_V202501.zip" {
            return Reply::status(
                404,
                "text/html",
                "<html><head><title>404 Not Found</title></head></html>",
            );
        }
        Reply::file(req, "application/zip", &zip, ETAG)
    }
}

fn request(years: &str) -> BaciRequest {
    BaciRequest {
        revision: "HS17".into(),
        years: years.into(),
        release: Some("V202501".into()),
        sha256: None,
    }
}

fn no_progress(_: &entrepot_app::fetch::Progress) {}

/// Rows per year: 5 x 4 pairs x 5 products.
const ROWS_PER_YEAR: usize = 100;

#[test]
fn an_archive_is_streamed_into_the_store_with_its_country_table() {
    let dir = tempfile::tempdir().unwrap();
    let zip = Arc::new(archive());
    let server = ReplayServer::start(files(zip.clone()));
    let out = fetch_baci(
        &store(dir.path()),
        &request("2021..2022"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    assert_eq!(cell(&out, "rows"), (2 * ROWS_PER_YEAR).to_string());
    assert_eq!(cell(&out, "rejected"), "0");
    let stored = flows(dir.path(), "baci_hs17");
    assert_eq!(stored.len(), 2 * ROWS_PER_YEAR);
    // BACI 699 is India and 842 the United States; v is in thousands of dollars.
    let f = stored
        .iter()
        .find(|f| {
            f.reporter == "IND"
                && f.partner == "USA"
                && f.period.to_string() == "2022"
                && f.product.code_str() == "850760"
        })
        .unwrap();
    assert!((f.value_usd - 2_273_025.0).abs() < 1e-6, "{}", f.value_usd);
    // The archive is cached whole; nothing of it was unpacked next to it.
    let info = entrepot_app::datasets::dataset(&store(dir.path()), "baci_hs17").unwrap();
    assert_eq!(info.sources.len(), 1);
    assert!(info.sources[0].path.ends_with("BACI_HS17_V202501.zip"));
    assert_eq!(info.sources[0].size, Some(zip.len() as u64));
    let cache_files: Vec<_> = walk(&dir.path().join("cache"));
    assert!(
        cache_files.iter().all(|p| !p.ends_with(".csv")),
        "{cache_files:?}"
    );
    assert!(info
        .readers
        .iter()
        .any(|r| r.contains("BACI_HS17_Y2021_V202501.csv") && r.contains(&format!("ETag {ETAG}"))));
    // One year only, from the cache: no new download.
    let dir2_store = dir.path().join("other");
    let mut opts = options(&server.url(), dir.path());
    opts.dataset = Some("baci_2021".into());
    let one = fetch_baci(
        &entrepot_app::StoreLocation::named(&dir2_store),
        &request("2021"),
        &opts,
        &no_progress,
    )
    .unwrap();
    assert_eq!(cell(&one, "rows"), ROWS_PER_YEAR.to_string());
    assert_eq!(cell(&one, "cached"), "1");
    assert_eq!(server.requests().len(), 1);
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[test]
fn a_download_dropped_mid_way_resumes_from_the_bytes_received() {
    let dir = tempfile::tempdir().unwrap();
    let zip = Arc::new(archive());
    let half = zip.len() / 2;
    let calls = Arc::new(AtomicUsize::new(0));
    let (z, c) = (zip.clone(), calls.clone());
    let inner = files(zip.clone());
    let server = ReplayServer::start(move |req| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::file(req, "application/zip", &z, ETAG).cut_after(half)
        } else {
            inner(req)
        }
    });
    let seen = std::sync::Mutex::new(Vec::new());
    let out = fetch_baci(
        &store(dir.path()),
        &request("2021..2022"),
        &options(&server.url(), dir.path()),
        &|p| seen.lock().unwrap().push(p.message.clone()),
    )
    .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].header("range"),
        Some(format!("bytes={half}-").as_str())
    );
    assert_eq!(reqs[1].header("if-range"), Some(ETAG));
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|m| m.contains(&format!("resumed the download at byte {half}"))));
    assert_eq!(cell(&out, "rows"), (2 * ROWS_PER_YEAR).to_string());
    let info = entrepot_app::datasets::dataset(&store(dir.path()), "baci_hs17").unwrap();
    assert_eq!(
        info.sources[0].sha256,
        entrepot_fetch::cache::sha256_hex(&zip)
    );
}

#[test]
fn a_server_killed_mid_download_leaves_the_store_unchanged_and_the_next_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let zip = Arc::new(archive());
    let third = zip.len() / 3;
    let z = zip.clone();
    let dying = ReplayServer::start(move |req| {
        if req.header("range").is_none() {
            Reply::file(req, "application/zip", &z, ETAG).cut_after(third)
        } else {
            Reply::drop_connection()
        }
    });
    let addr = dying.addr();
    let e = fetch_baci(
        &store(dir.path()),
        &request("2021..2022"),
        &options(&dying.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message.contains("the store is unchanged"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
    dying.stop();
    let back = ReplayServer::start_on(addr, files(zip.clone()));
    fetch_baci(
        &store(dir.path()),
        &request("2021..2022"),
        &options(&back.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    let reqs = back.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].header("range"),
        Some(format!("bytes={third}-").as_str())
    );
    assert_eq!(flows(dir.path(), "baci_hs17").len(), 2 * ROWS_PER_YEAR);
}

#[test]
fn a_checksum_mismatch_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(files(Arc::new(archive())));
    let mut req = request("2021");
    req.sha256 = Some("00".repeat(32));
    let e = fetch_baci(
        &store(dir.path()),
        &req,
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::BadInput);
    assert!(e.message.contains("checksum mismatch"), "{}", e.message);
    assert!(store_is_empty(dir.path()));
}

#[test]
fn an_html_page_a_missing_year_and_a_dry_run_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(files(Arc::new(archive())));
    let mut wrong = request("2021");
    wrong.release = Some("V202401".into());
    let e = fetch_baci(
        &store(dir.path()),
        &wrong,
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("HTML page instead of data (HTTP 404, title '404 Not Found')"),
        "{}",
        e.message
    );
    let e = fetch_baci(
        &store(dir.path()),
        &request("2019..2021"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::NotFound);
    assert!(
        e.message
            .contains("no data for 2019, 2020 in this release (it holds 2021, 2022"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
    let mut opts = options(&server.url(), dir.path());
    opts.dry_run = true;
    let out = fetch_baci(&store(dir.path()), &request("2021"), &opts, &no_progress).unwrap();
    assert_eq!(
        out.summary.rows,
        vec![vec![
            "1".to_string(),
            format!("{}/BACI_HS17_V202501.zip", server.url()),
            "yes".to_string()
        ]]
    );
}
