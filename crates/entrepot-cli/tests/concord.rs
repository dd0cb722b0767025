//! `entrepot products --concord`: a code followed across HS revisions.

mod common;
use common::*;

#[test]
fn solar_cells_and_leds_of_hs2017_are_four_hs2022_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let out = ok(
        &store,
        &[
            "--format",
            "csv",
            "products",
            "--concord",
            "854140",
            "--to",
            "HS2022",
        ],
    );
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("from,to,kind,equal_split,also_from,description,source")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 4, "{out}");
    for (row, to) in rows.iter().zip(["854141", "854142", "854143", "854149"]) {
        assert!(
            row.starts_with(&format!("HS2017 854140,HS2022 {to},one-to-many,0.2500,")),
            "{row}"
        );
    }
    // and back: a merge
    let back = ok(
        &store,
        &[
            "--format",
            "csv",
            "products",
            "--concord",
            "854142",
            "--to",
            "HS2017",
        ],
    );
    assert!(
        back.contains("HS2022 854142,HS2017 854140,many-to-one,1.0000,854141 854143 854149"),
        "{back}"
    );
}

#[test]
fn an_unknown_code_or_a_revision_without_a_table_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let o = run(
        &store,
        &["products", "--concord", "000000", "--to", "HS2022"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = run(
        &store,
        &[
            "products",
            "--concord",
            "854140",
            "--to",
            "HS2022",
            "--from",
            "HS2007",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
