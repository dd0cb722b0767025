//! The HTML report opens in headless Chromium with its charts drawn: a screenshot is
//! taken and the rendered DOM is checked for the chart elements.
//!
//! Skipped (with a message) when Chromium is not installed, unless
//! `ENTREPOT_REQUIRE_CHROMIUM=1`, in which case a missing browser fails the test.

mod common;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return Some(PathBuf::from(c));
        }
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn base_args(profile: &Path) -> Vec<String> {
    vec![
        "--headless".into(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--hide-scrollbars".into(),
        format!("--user-data-dir={}", profile.display()),
    ]
}

fn check(name: &str, html: &str) {
    let Some(bin) = chromium() else {
        if std::env::var("ENTREPOT_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
            panic!("ENTREPOT_REQUIRE_CHROMIUM=1 but chromium is not installed");
        }
        entrepot_testdata::skipped(
            "SKIPPED html_report_in_headless_chromium: chromium not installed",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join(format!("{name}.html"));
    std::fs::write(&page, html).unwrap();
    let url = format!("file://{}", page.display());
    let shot = dir.path().join("shot.png");

    let out = Command::new(&bin)
        .args(base_args(&dir.path().join("profile-shot")))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,2400")
        .arg(&url)
        .output()
        .expect("run chromium");
    assert!(
        shot.exists(),
        "no screenshot; status {:?}, stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert!(
        png.len() > 20_000,
        "screenshot suspiciously small: {} bytes",
        png.len()
    );
    // keep a copy for a human to look at
    if let Ok(d) = std::env::var("ENTREPOT_SCREENSHOT_DIR") {
        let _ = std::fs::create_dir_all(&d);
        let _ = std::fs::copy(&shot, Path::new(&d).join(format!("{name}.png")));
    }

    let out = Command::new(&bin)
        .args(base_args(&dir.path().join("profile-dom")))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<title>Release brief"),
        "DOM not rendered:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for id in ["chart-monthly", "chart-contributions", "chart-shares"] {
        let start = dom
            .find(&format!("<svg id=\"{id}\""))
            .unwrap_or_else(|| panic!("no svg #{id} in the DOM"));
        let end = start + dom[start..].find("</svg>").expect("closed svg");
        let svg = &dom[start..end];
        let marks = svg.matches("<rect").count()
            + svg.matches("<path").count()
            + svg.matches("<circle").count();
        assert!(marks > 0, "#{id} has no marks");
    }
}

#[test]
fn sample_report_renders_in_chromium() {
    check(
        "sample",
        &entrepot_report::render_html(&common::sample_document()),
    );
}

#[test]
fn flows_report_renders_in_chromium() {
    check(
        "flows",
        &entrepot_report::render_html(&common::flows_document()),
    );
}
