//! Locates the shared validation datasets (`../shared/data`) for Entrepôt's tests.
//!
//! Every test that needs real data goes through [`shared_data_dir`] or the
//! [`require_shared_data!`] macro, so that there is exactly one rule for finding the
//! folder:
//!
//! 1. the `ENTREPOT_SHARED_DATA` environment variable, if set;
//! 2. otherwise `../shared/data` relative to the workspace root (the folder that holds
//!    the top-level `Cargo.toml`).
//!
//! When the folder is absent the tests print that they were skipped and return, unless
//! `ENTREPOT_REQUIRE_SHARED_DATA=1` is set (as `.ci/run` does), in which case they fail.

use std::path::{Path, PathBuf};

/// Environment variable that overrides where the shared data folder is.
pub const ENV_DIR: &str = "ENTREPOT_SHARED_DATA";
/// Environment variable that turns a missing shared data folder into a test failure.
pub const ENV_REQUIRE: &str = "ENTREPOT_REQUIRE_SHARED_DATA";

/// The workspace root (the folder holding the top-level `Cargo.toml`).
///
/// Found from `CARGO_MANIFEST_DIR` as `cargo test` sets it when it runs a test (the
/// tested crate, `crates/<name>`), and only failing that from this crate's own
/// directory at compile time: cargo reuses a compiled library across clones of the
/// workspace in other directories that share a target directory, so the path compiled
/// in may be another clone's.
pub fn workspace_root() -> PathBuf {
    let is_root = |dir: &Path| {
        std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
    };
    let at_run_time = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let compiled_in = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for start in at_run_time.iter().chain(std::iter::once(&compiled_in)) {
        if let Some(root) = start.ancestors().find(|d| is_root(d)) {
            return root.to_path_buf();
        }
    }
    // crates/entrepot-testdata -> workspace root
    compiled_in
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The shared data folder, if it exists.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(ENV_DIR) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => workspace_root().join("..").join("shared").join("data"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        None
    }
}

/// Whether a missing shared data folder must fail the test run.
pub fn shared_data_required() -> bool {
    matches!(
        std::env::var(ENV_REQUIRE).as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    )
}

/// Returns the path of `relative` inside the shared data folder, or `None` after
/// printing a "skipped" line. Panics when the data is required (see [`ENV_REQUIRE`]).
pub fn shared_file(test_name: &str, relative: &str) -> Option<PathBuf> {
    match shared_data_dir() {
        Some(dir) => {
            let p = dir.join(relative);
            if p.exists() {
                Some(p)
            } else if shared_data_required() {
                panic!(
                    "{test_name}: required shared data file {} is missing",
                    p.display()
                );
            } else {
                skipped(&format!("SKIPPED {test_name}: {} not found", p.display()));
                None
            }
        }
        None => {
            if shared_data_required() {
                panic!(
                    "{test_name}: shared data folder not found (set {ENV_DIR} or place it at ../shared/data)"
                );
            }
            skipped(&format!(
                "SKIPPED {test_name}: shared data folder not found (set {ENV_DIR})"
            ));
            None
        }
    }
}

/// Prints a skip notice straight to the process's stderr. The test harness captures
/// `eprintln!` output of passing tests; a direct write is shown, so that a run without
/// the shared data says which tests were skipped.
pub fn skipped(message: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{message}");
}

/// Resolves a file in the shared data folder or returns early from the test with a
/// "skipped" message.
///
/// ```ignore
/// let path = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
/// ```
#[macro_export]
macro_rules! require_shared_data {
    ($rel:expr) => {
        match $crate::shared_file(module_path!(), $rel) {
            Some(p) => p,
            None => return,
        }
    };
}
