//! The release brief: which data it reads (dataset selection, the embedded sample,
//! mirror flows through a flow cube) and the brief with its report document.

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::reference::load_groups;
use entrepot_brief::Brief;
use entrepot_core::{FlowKind, Period, PeriodSpan, PublishedFigure, TradeFlow};
use entrepot_cube::{Cube, CubeRequest, Mirror, PeriodGrain, Side};
use entrepot_doc::Document;
use entrepot_store::DatasetKind;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A request for a release brief.
#[derive(Debug, Clone, Default)]
pub struct BriefRequest {
    /// The reporter, as ISO3 or any code the country registry knows.
    pub reporter: String,
    /// The period (`YYYY-MM` or `YYYY`); `None`: the latest period held.
    pub period: Option<String>,
    /// The flows dataset to read when several hold the reporter.
    pub dataset: Option<String>,
    /// Use the embedded sample even when the store holds data for the reporter.
    pub sample: bool,
    /// Partners and groups to show (ISO3 codes or group names); empty: the defaults.
    pub partners: Vec<String>,
    /// A CSV of user-defined groups (`group,iso3,from,to,source`).
    pub groups_file: Option<PathBuf>,
}

/// A brief: the brief's own model (its JSON schema is
/// `crates/entrepot-brief/schema/brief.schema.json`) and its report document, which
/// every renderer takes.
#[derive(Debug, Clone)]
pub struct BriefOutput {
    /// The brief.
    pub brief: Brief,
    /// The brief laid out as a report document.
    pub document: Document,
}

/// The data a brief is built from.
struct Data {
    flows: Vec<TradeFlow>,
    facts: Vec<PublishedFigure>,
    label: String,
    /// Flows whose partner rows are not known to cover every partner.
    partial_flows: Vec<FlowKind>,
    /// The currency of the flows' values.
    currency: entrepot_doc::Currency,
}

/// Builds the brief of a request.
///
/// The data is what the store holds for the reporter: flows from one flows dataset
/// (the one named, or the only one that holds the reporter, or the only one that
/// holds it as a partner), read as a flow cube with mirror filling, plus every stored
/// published figure of the reporter. When the store holds nothing for the reporter,
/// or the request asks for it, the embedded sample is used.
pub fn brief(location: &StoreLocation, req: &BriefRequest) -> AppResult<BriefOutput> {
    let reporter = entrepot_core::CountryRegistry::builtin()
        .resolve(&req.reporter)
        .map_err(|e| AppError::not_found(e.to_string()))?
        .iso3
        .clone();
    let (period, span) = match &req.period {
        Some(p) => parse_brief_period(p)?,
        None => (None, None),
    };
    let groups = load_groups(req.groups_file.as_ref())?;
    let data = load(location, req, &reporter)?;
    if data.flows.is_empty() && data.facts.is_empty() {
        return Err(AppError::not_found(format!("no data for {reporter}")));
    }
    let mut input = entrepot_brief::BriefInput::new(&reporter, &data.flows, &data.facts, &groups);
    input.period = period;
    input.span = span;
    input.data_label = data.label.clone();
    input.partial_flows = data.partial_flows.clone();
    input.currency = data.currency;
    if !req.partners.is_empty() {
        // The partners asked for, and only those (with the rest of the world).
        input.partners_of_interest = req
            .partners
            .iter()
            .map(|p| p.trim().to_ascii_uppercase())
            .collect();
        input.top_partners = 0;
    }
    let brief = entrepot_brief::build_brief(&input).map_err(|e| match e {
        entrepot_brief::BriefError::NotMonthlySpan { .. } => AppError::usage(e.to_string()),
        _ => AppError::not_found(e.to_string()),
    })?;
    let document = entrepot_brief::brief_document(&brief);
    Ok(BriefOutput { brief, document })
}

/// A brief's `--period`: a month (`2025-11`), a year (`2018`, computed from its twelve
/// months on monthly data), a quarter (`2018-Q2`) or a range of months
/// (`2018-04..2018-09`). A range of the twelve months of one calendar year is that
/// year.
pub fn parse_brief_period(text: &str) -> AppResult<(Option<Period>, Option<PeriodSpan>)> {
    parse_period_flag("--period", text)
}

/// [`parse_brief_period`] for the option `flag` (`--from`), whose name its usage
/// errors quote.
pub fn parse_period_flag(
    flag: &str,
    text: &str,
) -> AppResult<(Option<Period>, Option<PeriodSpan>)> {
    let t = text.trim();
    let bad = |why: String| {
        AppError::usage(format!(
            "{flag} {}: {why} (expected YYYY-MM, YYYY, YYYY-Qn or YYYY-MM..YYYY-MM)",
            entrepot_core::text::display_value(t)
        ))
    };
    let month = |s: &str| -> AppResult<Period> {
        match s.trim().parse::<Period>() {
            Ok(p) if p.is_monthly() => Ok(p),
            Ok(_) => Err(bad(format!("{} is a year, not a month", s.trim()))),
            Err(e) => Err(bad(e.to_string())),
        }
    };
    let span = if let Some((a, b)) = t.split_once("..") {
        let (start, end) = (month(a)?, month(b)?);
        PeriodSpan::new(start, end).map_err(|e| bad(e.to_string()))?
    } else if let Some((y, q)) = t
        .split_once(['-', ' '])
        .filter(|(_, q)| q.len() == 2 && q.to_ascii_uppercase().starts_with('Q'))
    {
        let year: i32 = y.parse().map_err(|_| bad(format!("{y} is not a year")))?;
        let q: u8 = q[1..]
            .parse()
            .ok()
            .filter(|q| (1..=4).contains(q))
            .ok_or_else(|| bad(format!("{q} is not a quarter (Q1 to Q4)")))?;
        let start = Period::month(year, 3 * q - 2).map_err(|e| bad(e.to_string()))?;
        let end = Period::month(year, 3 * q).map_err(|e| bad(e.to_string()))?;
        PeriodSpan::new(start, end).map_err(|e| bad(e.to_string()))?
    } else {
        let p: Period = t
            .parse()
            .map_err(|e: entrepot_core::CoreError| bad(e.to_string()))?;
        return Ok((Some(p), None));
    };
    let whole_year = span.start.year() == span.end.year()
        && span.start.month_of_year() == Some(1)
        && span.end.month_of_year() == Some(12);
    if whole_year {
        return Ok((Some(Period::Year(span.start.year())), None));
    }
    if span.is_single() {
        return Ok((Some(span.start), None));
    }
    Ok((Some(span.end), Some(span)))
}

/// The embedded sample's figures of the reporter.
fn sample(reporter: &str) -> Data {
    let all = entrepot_io::sample::sample_facts();
    let total = all.len();
    let facts: Vec<PublishedFigure> = all.into_iter().filter(|f| f.reporter == reporter).collect();
    Data {
        label: format!(
            "embedded sample (China customs facts, published figures: {} of its {total} rows are of {reporter})",
            facts.len()
        ),
        flows: Vec::new(),
        facts,
        partial_flows: Vec::new(),
        currency: entrepot_doc::Currency::USD,
    }
}

fn load(location: &StoreLocation, req: &BriefRequest, reporter: &str) -> AppResult<Data> {
    if req.sample {
        return Ok(sample(reporter));
    }
    // A missing default store means "no data yet" (the sample is shown); a store that
    // exists but cannot be used, or a named store that does not exist, is an error.
    let store = location.open_read()?;
    let flows_datasets: Vec<String> = store
        .datasets()
        .iter()
        .filter(|d| d.kind == DatasetKind::Flows)
        .map(|d| d.name.clone())
        .collect();
    let own_sets: Vec<String> = store
        .datasets()
        .iter()
        .filter(|d| d.kind == DatasetKind::Flows && d.reporters.iter().any(|r| r == reporter))
        .map(|d| d.name.clone())
        .collect();
    let dataset = match &req.dataset {
        Some(d) => {
            if store.dataset(d).is_none() {
                return Err(AppError::not_found(format!(
                    "no dataset '{d}' in the store"
                )));
            }
            Some(d.clone())
        }
        None if own_sets.len() > 1 => {
            return Err(AppError::usage(format!(
                "several datasets hold flows of {reporter}: {}; choose one with --dataset",
                own_sets.join(", ")
            )))
        }
        None => own_sets.first().cloned(),
    };
    let cubes = location.cubes(&store)?;
    let (dataset, cube) = match dataset {
        Some(d) => {
            let cube = cubes.run(&reporter_request(Some(d.as_str()), reporter))?;
            (Some(d), Some(cube))
        }
        None if flows_datasets.is_empty() => (None, None),
        // A reporter that no dataset holds as a reporter may still be a partner in
        // one: its flows are then all mirror figures.
        None => {
            let held = cubes.run(&reporter_request(None, reporter))?;
            let names: BTreeSet<String> =
                held.cells().iter().map(|c| c.dataset.to_string()).collect();
            if names.len() > 1 {
                return Err(AppError::usage(format!(
                    "several datasets hold flows with {reporter}: {}; choose one with --dataset",
                    names.into_iter().collect::<Vec<_>>().join(", ")
                )));
            }
            match names.into_iter().next() {
                Some(d) => (Some(d), Some(held)),
                None => (None, None),
            }
        }
    };
    let (flows, mirror_note, detail, partial_flows) = match (&cube, &dataset) {
        (Some(cube), Some(d)) => {
            let info = store.dataset(d);
            (
                cube.to_trade_flows()?,
                mirror_note(cube, reporter),
                summed_levels(cube),
                partial_flows(
                    cube,
                    info.map(|i| i.reporters.as_slice()).unwrap_or_default(),
                    info.is_some_and(|i| i.readers.iter().any(|r| r.starts_with("BACI "))),
                ),
            )
        }
        _ => (Vec::new(), None, None, Vec::new()),
    };
    let currency = match &cube {
        Some(c) if !c.is_empty() => crate::money::cube_currency(c)?,
        _ => entrepot_doc::Currency::USD,
    };
    let mut facts: Vec<PublishedFigure> = store
        .load_facts(None)?
        .into_iter()
        .filter(|f| f.reporter == reporter)
        .collect();
    // Published figures are in US dollars (or state their own currency): beside flows
    // kept in another currency they would be compared across currencies, so they
    // are left out, and the brief says so.
    let mut set_aside = 0;
    if currency != entrepot_doc::Currency::USD && !flows.is_empty() {
        set_aside = facts.len();
        facts.clear();
    }
    if flows.is_empty() && facts.is_empty() {
        if req.dataset.is_some() {
            return Err(AppError::not_found(format!(
                "dataset has no flows of {reporter}"
            )));
        }
        return Ok(sample(reporter));
    }
    let label = match &dataset {
        Some(d) => {
            let mut l = format!("store {} (flows dataset '{d}'", location.dir().display());
            if let Some(level) = detail {
                l.push_str(&format!(", partner totals summed from {level} rows"));
            }
            l.push(')');
            if let Some(note) = mirror_note {
                l.push_str("; ");
                l.push_str(&note);
            }
            // Values converted from another currency say with which rates.
            let fx: BTreeSet<&str> = store
                .dataset(d)
                .map(|i| {
                    i.readers
                        .iter()
                        .filter_map(|r| r.split_once(" with exchange rates ").map(|(_, t)| t))
                        .collect()
                })
                .unwrap_or_default();
            for t in fx {
                l.push_str(&format!(
                    "; values converted to US dollars with the exchange rates {t}"
                ));
            }
            if currency != entrepot_doc::Currency::USD {
                l.push_str(&format!(
                    "; values in {currency} as stored (not converted: no exchange-rate table was given at ingest)"
                ));
            }
            if set_aside > 0 {
                l.push_str(&format!(
                    "; {set_aside} published figures of {reporter} left out: they are not in {currency}, and figures in two currencies are never compared"
                ));
            }
            l
        }
        None => format!("store {} (published figures)", location.dir().display()),
    };
    Ok(Data {
        flows,
        facts,
        label,
        partial_flows,
        currency,
    })
}

/// The flows of the reporter whose partner rows are not known to cover every partner
/// (the brief then names the partners held instead of calling their sum a total; a
/// world row, when the data holds one, overrides this in the brief):
///
/// * **reported** cells cover every partner when the dataset is CEPII BACI (each
///   exporter's row set lists all its destinations); other sources without a world
///   row are taken to hold only the partners they list;
/// * **mirror** cells (partners' reports of their trade with the reporter) cover every
///   partner when every country the reporter itself reports trade with is a reporter
///   of the dataset — a full BACI release, not an extract of a few exporters.
fn partial_flows(cube: &Cube, dataset_reporters: &[String], baci: bool) -> Vec<FlowKind> {
    let reported_partners: BTreeSet<&str> = cube
        .cells()
        .iter()
        .filter(|c| c.side == Side::Reported)
        .filter_map(|c| c.partner)
        .filter(|p| !matches!(*p, "WLD" | "WORLD" | "W00"))
        .collect();
    let reporters: BTreeSet<&str> = dataset_reporters.iter().map(String::as_str).collect();
    let mirror_complete = !reported_partners.is_empty() && reported_partners.is_subset(&reporters);
    [FlowKind::Export, FlowKind::Import]
        .into_iter()
        .filter(|&flow| {
            let sides: BTreeSet<Side> = cube
                .cells()
                .iter()
                .filter(|c| c.flow == flow)
                .map(|c| c.side)
                .collect();
            (sides.contains(&Side::Reported) && !baci)
                || (sides.contains(&Side::Mirror) && !mirror_complete)
        })
        .collect()
}

/// The cube the brief reads: the reporter's exports and imports by partner and
/// period (months, or years for annual data), with imports (exports) the reporter
/// does not report filled from its partners' exports (imports) — mirror cells,
/// declared `mirror`. One flow per partner, period and direction.
fn reporter_request(dataset: Option<&str>, reporter: &str) -> CubeRequest {
    let r = CubeRequest::new()
        .reporters([reporter])
        .flows([FlowKind::Export, FlowKind::Import])
        .by_partner()
        .by_period(PeriodGrain::Month)
        .mirror(Mirror::Fill)
        .quantity(false);
    match dataset {
        Some(d) => r.datasets([d]),
        None => r,
    }
}

/// Says which flows of the brief are mirror figures, for the brief's data basis.
fn mirror_note(cube: &Cube, reporter: &str) -> Option<String> {
    let summary = cube.summary();
    let cells = |side: Side, flow: FlowKind| {
        summary
            .iter()
            .filter(|(s, f, _, _)| *s == side && *f == flow)
            .map(|(_, _, n, _)| *n)
            .sum::<usize>()
    };
    let mut parts = Vec::new();
    for (flow, name, other) in [
        (FlowKind::Import, "imports", "exports to"),
        (FlowKind::Export, "exports", "imports from"),
    ] {
        let mirror = cells(Side::Mirror, flow);
        if mirror == 0 {
            continue;
        }
        let all = mirror + cells(Side::Reported, flow);
        let scope = if mirror == all {
            "all".to_string()
        } else {
            format!("{mirror} of {all} partner-period values")
        };
        parts.push(format!(
            "{name} of {reporter} are mirror figures ({scope}): the partners' reported {other} {reporter}, where {reporter} reports none"
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The HS levels the cube summed (`HS6`), when it summed product detail rather
/// than stored totals.
fn summed_levels(cube: &Cube) -> Option<String> {
    let levels: BTreeSet<u8> = cube
        .cells()
        .iter()
        .map(|c| c.product_level)
        .filter(|l| *l > 0)
        .collect();
    (!levels.is_empty()).then(|| {
        levels
            .iter()
            .map(|l| format!("HS{l}"))
            .collect::<Vec<_>>()
            .join("/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u8) -> Period {
        Period::month(y, mo).expect("month")
    }

    #[test]
    fn periods_years_quarters_and_ranges() {
        assert_eq!(
            parse_brief_period("2025-11").unwrap(),
            (Some(m(2025, 11)), None)
        );
        assert_eq!(
            parse_brief_period("2018").unwrap(),
            (Some(Period::Year(2018)), None)
        );
        let q2 = PeriodSpan::new(m(2018, 4), m(2018, 6)).unwrap();
        assert_eq!(
            parse_brief_period("2018-Q2").unwrap(),
            (Some(m(2018, 6)), Some(q2))
        );
        assert_eq!(parse_brief_period("2018-q2").unwrap().1, Some(q2));
        let r = PeriodSpan::new(m(2018, 4), m(2019, 3)).unwrap();
        assert_eq!(
            parse_brief_period("2018-04..2019-03").unwrap(),
            (Some(m(2019, 3)), Some(r))
        );
        // the twelve months of one year are that year
        assert_eq!(
            parse_brief_period("2018-01..2018-12").unwrap(),
            (Some(Period::Year(2018)), None)
        );
        assert_eq!(
            parse_brief_period("2018-05..2018-05").unwrap(),
            (Some(m(2018, 5)), None)
        );
    }

    #[test]
    fn bad_periods_are_usage_errors_that_say_what_is_expected() {
        for bad in [
            "2018-Q5",
            "2018-13",
            "2019-03..2018-04",
            "2017..2018",
            "soon",
        ] {
            let e = parse_brief_period(bad).expect_err(bad);
            assert_eq!(e.class, crate::ErrorClass::Usage, "{bad}");
            assert!(e.message.contains("expected YYYY-MM"), "{bad}: {e}");
        }
    }
}
