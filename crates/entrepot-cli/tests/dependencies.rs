//! The CLI is a thin layer over the application layer: it parses flags, calls
//! `entrepot-app` and prints. It must not depend on Arrow, Parquet or DataFusion
//! (those belong to the store, query, cube and application crates).

#[test]
fn the_cli_depends_on_neither_arrow_parquet_nor_datafusion() {
    let manifest = include_str!("../Cargo.toml");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] section");
    for line in deps.lines() {
        let name = line.split(['.', '=', ' ']).next().unwrap_or("").trim();
        assert!(
            !matches!(name, "arrow" | "parquet" | "datafusion")
                && !name.starts_with("arrow-")
                && !name.starts_with("datafusion-"),
            "entrepot-cli depends on {name}: move that work into entrepot-app"
        );
    }
    assert!(
        deps.contains("entrepot-app"),
        "entrepot-cli calls entrepot-app"
    );
}
