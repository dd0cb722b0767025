//! Prints a brief: `cargo run -p entrepot-report --example sample_brief -- [PERIOD]
//! [terminal|json|brief-json|markdown|html|csv] [PENPPML_TRADE_CSV]`. Without the third argument
//! the brief is built from the embedded sample (published figures); with it, from the
//! CHN flows of the penppml panel (`exp,imp,time,export`).

use entrepot_brief::{build_brief, BriefInput};
use entrepot_core::{Declarant, FlowKind, FlowSource, GroupRegistry, Period, Product, TradeFlow};

fn penppml(path: &str) -> Vec<TradeFlow> {
    let mut out = Vec::new();
    let Ok(mut rdr) = csv::Reader::from_path(path) else {
        eprintln!("cannot open {path}");
        std::process::exit(1);
    };
    for rec in rdr.records().flatten() {
        let (e, i) = (&rec[0], &rec[1]);
        let (Ok(year), Ok(v)) = (rec[2].parse::<i32>(), rec[3].parse::<f64>()) else {
            continue;
        };
        let (partner, kind) = match (e, i) {
            ("CHN", p) => (p, FlowKind::Export),
            (p, "CHN") => (p, FlowKind::Import),
            _ => continue,
        };
        out.push(TradeFlow {
            reporter: "CHN".into(),
            partner: partner.into(),
            flow: kind,
            period: Period::Year(year),
            product: Product::Total,
            value_usd: v,
            quantity: None,
            provenance: FlowSource {
                dataset: "penppml_trade".into(),
                source_file: Some(path.into()),
                declared_by: Declarant::Reconciled,
            },
        });
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (flows, facts, label) = match args.get(2) {
        Some(path) => (penppml(path), Vec::new(), format!("penppml panel {path}")),
        None => (
            Vec::new(),
            entrepot_io::sample::sample_facts(),
            "embedded sample".to_string(),
        ),
    };
    let mut input = BriefInput::new("CHN", &flows, &facts, GroupRegistry::builtin());
    input.data_label = label;
    if let Some(p) = args.first().filter(|p| *p != "-") {
        match p.parse() {
            Ok(p) => input.period = Some(p),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
    let brief = match build_brief(&input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let doc = entrepot_brief::brief_document(&brief);
    let out = match args.get(1).map(String::as_str).unwrap_or("terminal") {
        "json" => entrepot_report::render_json(&doc),
        "brief-json" => entrepot_report::render_json_value(&brief).unwrap_or_default(),
        "markdown" => entrepot_report::render_markdown(&doc),
        "html" => entrepot_report::render_html(&doc),
        "csv" => entrepot_report::render_csv(
            &doc,
            &entrepot_report::CsvOptions::tables_starting_with("partners-"),
        ),
        _ => entrepot_report::render_terminal(&doc, &entrepot_report::TerminalOptions::default()),
    };
    print!("{out}");
}
