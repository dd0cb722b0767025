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
        .env_remove("ENTREPOT_MEMORY_LIMIT");
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
