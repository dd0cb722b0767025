//! End-to-end tests of the look-up commands (`countries`, `products`, `groups`): what
//! a trade analyst types finds what they mean, and what cannot be found exits 4 with
//! the closest names.

mod common;
use common::*;

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

#[test]
fn countries_find_former_names_and_sport_codes() {
    let out = csv(&["countries", "Turkey"]);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("iso3,iso2,m49,name,region,subregion,kind,aliases,match,matched")
    );
    assert_eq!(
        lines.next(),
        Some("TUR,TR,792,Türkiye,Asia,Western Asia,country,,alias,Turkey")
    );
    let out = csv(&["countries", "Swaziland"]);
    assert!(
        out.contains("\nSWZ,SZ,748,Eswatini,Africa,Sub-Saharan Africa,country,,alias,Swaziland\n"),
        "{out}"
    );
    let out = csv(&["countries", "GER"]);
    let first = out.lines().nth(1).unwrap_or("");
    assert!(first.starts_with("DEU,DE,276,Germany,"), "{out}");
    assert!(first.ends_with(",code,GER"), "{out}");
    // An exact code comes first, names that merely start with it after.
    let out = csv(&["countries", "IND"]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert!(rows[0].starts_with("IND,IN,356,India,"), "{out}");
    assert!(rows[0].ends_with(",code,IND"), "{out}");
    assert!(rows.iter().skip(1).any(|r| r.starts_with("IDN,")), "{out}");
    // Part of a name lists every entry holding it.
    let out = csv(&["countries", "korea"]);
    let isos: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    assert_eq!(isos, ["PRK", "KOR"], "{out}");
}

#[test]
fn unknown_country_exits_4_with_the_closest_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&dir.path().join("s"), &["countries", "Qwxzv"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let o = run(&dir.path().join("s"), &["countries", "Atlantis"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("unknown country code 'Atlantis'"), "{e}");
    assert!(e.contains("did you mean"), "{e}");
    // A typo is found (fuzzy), not an error.
    let out = csv(&["countries", "Germny"]);
    assert!(
        out.lines().nth(1).unwrap_or("").starts_with("DEU,"),
        "{out}"
    );
    assert!(
        out.lines().nth(1).unwrap_or("").ends_with(",fuzzy,Germany"),
        "{out}"
    );
}

#[test]
fn products_find_words_and_show_the_basket() {
    let out = csv(&["products", "lithium ion battery"]);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "revision,code,level,section,description");
    assert_eq!(
        rows[1],
        "HS2022,lithium_ion_batteries,basket,,Lithium-ion accumulators (basket of 850760)"
    );
    assert!(
        rows[2].starts_with("HS2022,850760,6,XVI,\"Electric accumulators; lithium-ion"),
        "{out}"
    );
    // "batteries" finds the basket, then the accumulators heading, headings before
    // subheadings.
    let out = csv(&["products", "batteries"]);
    let codes: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        codes[..3],
        ["lithium_ion_batteries", "8506", "8507"],
        "{out}"
    );
    assert!(codes.contains(&"850760"), "{out}");
    // A code finds itself, with the baskets holding it.
    let out = csv(&["products", "850760"]);
    let codes: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(codes, ["lithium_ion_batteries", "850760"], "{out}");
    // HS 2017 solar cells through the synonym solar/photovoltaic.
    let out = csv(&["products", "solar cells", "--hs", "HS2017"]);
    assert!(
        out.lines()
            .nth(1)
            .unwrap_or("")
            .starts_with("HS2017,solar_cells,basket,,"),
        "{out}"
    );
    assert!(out.contains("\nHS2017,854140,6,"), "{out}");
}

#[test]
fn products_that_match_nothing_exit_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&dir.path().join("s"), &["products", "zzzqqq"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("no product matches"), "{}", stderr(&o));
    let o = run(&dir.path().join("s"), &["products", "854140"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("854142"), "{}", stderr(&o));
}
