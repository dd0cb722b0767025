//! End-to-end tests of the look-up commands (`countries`, `products`, `groups`): what
//! a trade analyst types finds what they mean, and what cannot be found exits 4 with
//! the closest names.

use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entrepot"));
    c.env("NO_COLOR", "1")
        .env_remove("ENTREPOT_STORE")
        .env_remove("ENTREPOT_GROUPS_FILE")
        .env_remove("ENTREPOT_BASKETS_FILE");
    c
}

fn run(store: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--quiet")
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("run entrepot")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs a command in an empty store with `--format csv`, expecting success.
fn csv(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all = vec!["--format", "csv"];
    all.extend_from_slice(args);
    let o = run(&dir.path().join("s"), &all);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn groups_column_is_named_after_the_date_used() {
    let out = csv(&["groups", "--at", "2019"]);
    let header = out.lines().next().unwrap_or("");
    assert_eq!(header, "group,members_at_2019-12-31");
    assert!(out.contains("\nEU,28\n"), "{out}");
    let out = csv(&["groups", "--at", "2020-02-01"]);
    assert!(out.starts_with("group,members_at_2020-02-01\n"), "{out}");
    assert!(out.contains("\nEU,27\n"), "{out}");
    // The default is today's date, YYYY-MM-DD.
    let out = csv(&["groups"]);
    let header = out.lines().next().unwrap_or("");
    let date = header.strip_prefix("group,members_at_").unwrap_or("");
    assert_eq!(date.len(), 10, "{header}");
    assert!(
        date.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 {
            c == '-'
        } else {
            c.is_ascii_digit()
        }),
        "{header}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&dir.path().join("s"), &["groups", "--at", "2023-02-29"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("invalid date '2023-02-29'"),
        "{}",
        stderr(&o)
    );
}
