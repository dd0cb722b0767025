//! Fuzzing the formula and filter parsers under proptest: random token soups, random
//! bytes, deep nesting and long operator chains go through the harnesses of
//! `entrepot_gravity::fuzzing` (the same code the cargo-fuzz targets `formula` and
//! `filter` run), which panic when an input makes the parser or the estimator panic,
//! overflow the stack, print an unescaped or huge message, or return an estimate with
//! undefined standard errors.
//!
//! The number of cases per property is `ENTREPOT_FUZZ_CASES` (default 4,000, about ten
//! seconds); run with e.g. `ENTREPOT_FUZZ_CASES=100000` for a long campaign.

use entrepot_gravity::fuzzing;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

fn cases() -> u32 {
    std::env::var("ENTREPOT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Pieces of formulas and filters, including the awkward ones.
const TOKENS: &[&str] = &[
    "trade",
    "dist",
    "exporter",
    "importer",
    "year",
    "cat",
    "y",
    "x",
    "`odd name`",
    "nope",
    "log",
    "ln",
    "log1p",
    "exp",
    "sqrt",
    "abs",
    "coalesce",
    "I",
    "i",
    "foo",
    "(",
    ")",
    "(",
    ")",
    ",",
    "+",
    "-",
    "*",
    "/",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "!",
    "&",
    "&&",
    "|",
    "||",
    "and",
    "or",
    "not",
    "in",
    "~",
    "^",
    "#",
    "0",
    "1",
    "-1",
    "2.5",
    "1e3",
    "1e",
    ".5",
    "1.2.3",
    "1e400",
    "\"TOTAL\"",
    "'a'",
    "\"",
    "'",
    "`",
    " ",
    "\t",
    "\u{1b}",
    "é",
    "日本",
    "\0",
    "\n",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.join(" "))
}

fn deep() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["(", "-", "not ", "!", "log(", "I(", "coalesce("][..]),
        1usize..3_000,
        soup(),
    )
        .prop_map(|(open, n, inner)| {
            let close = if open.ends_with('(') { ")" } else { "" };
            format!("{}{inner}{}", open.repeat(n), close.repeat(n))
        })
}

fn chain() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&[" + ", " * ", " - ", " and ", " || ", " == "][..]),
        1usize..5_000,
    )
        .prop_map(|(op, n)| vec!["x"; n].join(op))
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => soup(),
        1 => deep(),
        1 => chain(),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn realistic() -> impl Strategy<Value = String> {
    let y = prop::sample::select(&["trade", "log(trade)", "y", "cat", "nope"][..]);
    let xs = prop::collection::vec(
        prop::sample::select(
            &[
                "log(dist)",
                "x",
                "(exporter != importer)",
                "I(year > 2000)",
                "coalesce(x, 0)",
                "log(1 + coalesce(x, 0))",
                "cat",
                "0",
                "1",
                "dist * x",
                "nope",
                "sqrt(-dist)",
            ][..],
        ),
        0..5,
    );
    let fes = prop::collection::vec(
        prop::sample::select(
            &[
                "exporter",
                "importer",
                "year",
                "exporter^year",
                "importer#year",
                "cat",
                "nope",
                "",
            ][..],
        ),
        0..3,
    );
    let cluster = prop::sample::select(
        &[
            "",
            "exporter",
            "exporter,importer",
            "exporter^importer",
            "year",
            "nope",
            ",",
        ][..],
    );
    let filter = prop::sample::select(
        &[
            "",
            "dist > 0",
            "year in 2000,2001",
            "cat == \"TOTAL\"",
            "y",
            "x",
            "log(dist)",
            "exporter != importer",
        ][..],
    );
    (y, xs, fes, cluster, filter).prop_map(|(y, xs, fes, cluster, filter)| {
        let mut formula = format!("{y} ~ {}", xs.join(" + "));
        if !fes.is_empty() {
            formula = format!("{formula} | {}", fes.join(" + "));
        }
        format!("{formula}\n{cluster}\n{filter}")
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn filters_parse_or_fail_cleanly(text in any_text()) {
        fuzzing::filter(text.as_bytes());
    }

    #[test]
    fn formulas_parse_or_fail_cleanly(
        lhs in any_text(),
        rhs in any_text(),
        fe in prop::option::of(any_text()),
        rest in prop::option::of((any_text(), any_text())),
    ) {
        let mut input = match &fe {
            Some(fe) => format!("{lhs} ~ {rhs} | {fe}"),
            None => format!("{lhs} ~ {rhs}"),
        }
        .replace('\n', " ");
        if let Some((cluster, filter)) = rest {
            input = format!("{input}\n{}\n{}", cluster.replace('\n', " "), filter.replace('\n', " "));
        }
        fuzzing::formula(input.as_bytes());
    }

    #[test]
    fn realistic_formulas_fit_or_fail_cleanly(input in realistic()) {
        fuzzing::formula(input.as_bytes());
    }
}
