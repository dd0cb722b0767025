//! `entrepot products`: browse the HS nomenclature and the named product baskets.
//!
//! ```text
//! Usage: entrepot products [QUERY] [--hs HS2022|HS2017|HS2012] [--children] [--baskets]
//!                          [--baskets-file FILE] [--limit N] [--format table|json|csv]
//!        entrepot products --concord CODE --to HS2022|HS2017|HS2012 [--from REV]
//!
//! QUERY is an HS code (`8541`, `854143`), the first digits of codes (`85076`), or
//! words (`lithium ion battery`): case, accents, hyphens and plurals are ignored, and
//! `battery`/`accumulator` and `solar`/`photovoltaic` are the same word. Rows are
//! ranked: the code, then entries holding every word (chapters, then headings, then
//! subheadings), or when none holds them all, those holding the most. The baskets that
//! match (by name, description or a code they hold) come first, as rows whose level is
//! `basket`. With --children, lists the headings of a chapter or the subheadings of a
//! heading (or the chapters with no QUERY). With --baskets, lists the named baskets (electric vehicles,
//! lithium-ion batteries, solar cells, industrial robots, plus those of --baskets-file, a
//! CSV `basket,revision,code,description`).
//!
//! With --concord, the six-digit CODE of revision --from (default HS2017, or HS2022
//! with `--to HS2017`) and the codes it becomes in --to, one row per link: its kind
//! (one-to-one, one-to-many split, many-to-one merge, many-to-many), the share of the
//! value an equal split gives each target (trade-value weights need data), the other
//! codes linked to the same target, the target's description and the link's source
//! (the MIT `concordance` tables or a link added by the project, with its reason).
//! E.g. `entrepot products --concord 854140 --to HS2022`.
//! ```

use crate::output::{app_error, exit, exit_error, print_rows, Format};
use clap::Args;
use entrepot_core::concordance::Weighting;
use entrepot_core::{Concordance, HsCode, HsRevision, ProductCatalog, ProductItem};
use std::path::PathBuf;

/// Arguments of `entrepot products`.
#[derive(Args, Debug)]
pub struct ProductsArgs {
    /// An HS code or words of a description.
    pub query: Option<String>,
    /// HS revision.
    #[arg(long, default_value = "HS2022")]
    pub hs: String,
    /// List the children of QUERY (or the chapters).
    #[arg(long)]
    pub children: bool,
    /// List the named baskets.
    #[arg(long)]
    pub baskets: bool,
    /// A CSV of user-defined baskets (`basket,revision,code,description`).
    #[arg(long, env = "ENTREPOT_BASKETS_FILE")]
    pub baskets_file: Option<PathBuf>,
    /// Maximum number of HS rows for a search (matching baskets are always shown).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// A six-digit code to follow from one HS revision to another (with --to).
    #[arg(long, requires = "to")]
    pub concord: Option<String>,
    /// The revision to follow --concord into.
    #[arg(long)]
    pub to: Option<String>,
    /// The revision of --concord (default HS2017, or HS2022 with --to HS2017).
    #[arg(long)]
    pub from: Option<String>,
}

fn revision(text: &str) -> anyhow::Result<HsRevision> {
    text.parse()
        .map_err(|e: entrepot_core::CoreError| exit_error(exit::USAGE, e.to_string()))
}

/// `--concord CODE --to REV`: the links of a code from one revision to another.
fn concord(code: &str, args: &ProductsArgs, format: Format) -> anyhow::Result<()> {
    let to = revision(args.to.as_deref().unwrap_or("HS2022"))?;
    let from = match &args.from {
        Some(f) => revision(f)?,
        None if to == HsRevision::Hs2017 => HsRevision::Hs2022,
        None => HsRevision::Hs2017,
    };
    let c = Concordance::builtin(from, to).map_err(|e| exit_error(exit::USAGE, e.to_string()))?;
    let cat = ProductCatalog::builtin();
    let code = code.trim();
    let links = c.links_from(code);
    if links.is_empty() {
        let known = cat.resolve(from, code).is_ok();
        return Err(exit_error(
            exit::NOT_FOUND,
            if known {
                format!("{from} {code} has no link to {to} in the built-in concordance")
            } else {
                format!("{code} is no six-digit {from} code of the built-in concordance")
            },
        ));
    }
    let weights = c.weights(code, &Weighting::Equal);
    let rows: Vec<Vec<String>> = links
        .iter()
        .zip(&weights)
        .map(|(l, w)| {
            let others: Vec<String> = c
                .links_to(&l.to)
                .iter()
                .filter(|o| o.from != l.from)
                .map(|o| o.from.clone())
                .collect();
            vec![
                format!("{from} {}", l.from),
                format!("{to} {}", l.to),
                l.kind.as_str().to_string(),
                format!("{:.4}", w.weight),
                others.join(" "),
                cat.get(to, &l.to)
                    .map(|i| i.description.clone())
                    .unwrap_or_default(),
                l.source.text(),
            ]
        })
        .collect();
    print_rows(
        format,
        &[
            "from",
            "to",
            "kind",
            "equal_split",
            "also_from",
            "description",
            "source",
        ],
        &rows,
    )
}

/// Runs the command.
pub fn run(args: &ProductsArgs, format: Format) -> anyhow::Result<()> {
    if let Some(code) = &args.concord {
        return concord(code, args, format);
    }
    let cat = ProductCatalog::builtin();
    if args.baskets {
        let baskets =
            entrepot_app::reference::load_baskets(args.baskets_file.as_ref()).map_err(app_error)?;
        let mut rows = Vec::new();
        for b in &baskets {
            for (rev, codes) in &b.codes {
                for c in codes {
                    let d = cat
                        .get(*rev, c.as_str())
                        .map(|i| i.description.clone())
                        .unwrap_or_default();
                    rows.push(vec![b.name.clone(), rev.to_string(), c.to_string(), d]);
                }
            }
        }
        return print_rows(
            format,
            &["basket", "revision", "code", "description"],
            &rows,
        );
    }
    let rev: HsRevision = args
        .hs
        .parse()
        .map_err(|e: entrepot_core::CoreError| exit_error(exit::USAGE, e.to_string()))?;
    if !cat.has_revision(rev) {
        return Err(exit_error(
            exit::NOT_FOUND,
            format!("no built-in nomenclature for {rev}; available: HS2012, HS2017, HS2022"),
        ));
    }
    let hs_row = |i: &entrepot_core::ProductInfo| {
        vec![
            i.revision.to_string(),
            i.code.to_string(),
            i.code.level().to_string(),
            i.section.clone(),
            i.description.clone(),
        ]
    };
    let rows: Vec<Vec<String>> = if args.children {
        let code = match &args.query {
            None => None,
            Some(q) => Some(
                cat.resolve(rev, q)
                    .map_err(|e| exit_error(exit::NOT_FOUND, e.to_string()))?,
            ),
        };
        cat.children(rev, code.as_ref())
            .into_iter()
            .map(hs_row)
            .collect()
    } else {
        match &args.query {
            None => cat.children(rev, None).into_iter().map(hs_row).collect(),
            Some(q) => {
                if HsCode::parse(q).is_ok() && q.trim().len() % 2 == 0 {
                    // A full code must exist (the error names its neighbours).
                    cat.resolve(rev, q)
                        .map_err(|e| exit_error(exit::NOT_FOUND, e.to_string()))?;
                }
                let baskets = entrepot_app::reference::load_baskets(args.baskets_file.as_ref())
                    .map_err(app_error)?;
                cat.find(rev, q, &baskets, args.limit)
                    .into_iter()
                    .map(|m| match m.item {
                        ProductItem::Hs(i) => hs_row(i),
                        ProductItem::Basket(b) => {
                            let codes: Vec<String> = b
                                .codes
                                .get(&rev)
                                .map(|cs| cs.iter().map(|c| c.to_string()).collect())
                                .unwrap_or_default();
                            vec![
                                rev.to_string(),
                                b.name.clone(),
                                "basket".to_string(),
                                String::new(),
                                format!("{} (basket of {})", b.description, codes.join(", ")),
                            ]
                        }
                    })
                    .collect()
            }
        }
    };
    if rows.is_empty() {
        return Err(exit_error(exit::NOT_FOUND, "no product matches"));
    }
    print_rows(
        format,
        &["revision", "code", "level", "section", "description"],
        &rows,
    )
}
