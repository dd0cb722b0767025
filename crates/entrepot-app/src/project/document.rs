//! The report document of a projection: the lead (the chosen method's projection
//! beside its backtest error), the projection table and chart, the backtest tables,
//! the fitted models, method notes and the data basis.

use super::SeriesData;
use crate::pair::{count_cell, percent_decimals};
use entrepot_doc::{
    Basis, Block, Cell, Chart, Citations, Column, Document, Row, Section, Series, Table, Unit,
};
use entrepot_project::{Projection, ShareSeries};

fn column(key: &str, label: &str, detail: bool) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        detail,
    }
}

fn num(value: f64, unit: Unit, decimals: u8) -> Cell {
    if value.is_finite() {
        Cell::Number {
            value,
            unit,
            decimals,
            signed: false,
        }
    } else {
        Cell::missing("not finite")
    }
}

fn pct_text(v: f64, d: u8) -> String {
    format!("{}%", entrepot_doc::format::number(v, d))
}

fn pp_text(v: f64, d: u8) -> String {
    format!("{} pp", entrepot_doc::format::number(v, d))
}

/// The report of a projection.
pub(super) fn document(
    data: &SeriesData,
    used: &ShareSeries,
    left_out: &[(i32, String)],
    p: &Projection,
) -> Document {
    let r = &data.reporter;
    let what = match &data.basket {
        Some(b) => format!("{r}'s share of world exports of basket {b}"),
        None => format!("{r}'s share of world exports"),
    };
    let first = used.years().first().copied().unwrap_or(p.last_year);
    let mut doc = Document::new(
        super::DOCUMENT_KIND,
        format!(
            "Projection of {what} to {} (data {first}–{})",
            p.target, p.last_year
        ),
    );
    doc.currency = Some(data.currency);
    let last_share = used.shares().last().copied().unwrap_or(1.0);
    // Enough decimals for two more significant digits than a share's own.
    let d = (percent_decimals(last_share) + 2).min(9);
    let level = (100.0 * p.level).round();
    let mut cite = Citations::new();
    let source = cite.method(
        Basis::Flows,
        &format!(
            "{what} by year, projected to {} by a log-linear trend and damped-trend exponential smoothing of its log-odds (and a no-change benchmark), {level}% prediction intervals; the method chosen by a rolling-origin backtest",
            p.target
        ),
        &[format!("flows:{}", data.dataset)],
    );
    doc.lead.push(lead(p, &what, last_share, d, level));
    if let Some(line) = comparison(p, d) {
        doc.lead.push(line);
    }
    if !data.coverage.values().all(|c| c.covers_world()) {
        doc.lead.push(format!(
            "The dataset does not cover world trade: 'world' means the {} exporters it holds.",
            data.exporters.values().max().copied().unwrap_or(0)
        ));
    }
    doc.sections.push(Section {
        id: "projection".into(),
        title: format!("Projection to {}", p.target),
        blocks: vec![
            Block::Table(projection_table(data, used, p, d, source)),
            Block::Chart(projection_chart(used, p, level)),
        ],
    });
    doc.sections.push(Section {
        id: "backtest".into(),
        title: format!(
            "Backtest: errors on held-back years ({} origins, {}–{})",
            p.backtest.origins.len(),
            p.backtest.origins.first().copied().unwrap_or_default(),
            p.backtest.origins.last().copied().unwrap_or_default()
        ),
        blocks: vec![
            Block::Table(backtest_table(p, d, source)),
            Block::Table(horizons_table(p, d, source)),
        ],
    });
    doc.sections.push(Section {
        id: "models".into(),
        title: "Fitted models (all years)".into(),
        blocks: vec![Block::Table(models_table(p, source))],
    });
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(method_notes(p)),
    });
    doc.sections.push(Section {
        id: "data".into(),
        title: "Data basis".into(),
        blocks: Block::notes(data_notes(data, used, left_out)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

/// The chosen method's projection with its interval and its backtest error.
fn lead(p: &Projection, what: &str, last_share: f64, d: u8, level: f64) -> String {
    let (Some(chosen), Some(errors)) = (p.chosen_projection(), p.chosen_errors()) else {
        return format!(
            "No method could be scored on held-back years, so no projection of {what} is given; the tables show why."
        );
    };
    let Some(end) = chosen.path.last() else {
        return format!("{}: no projection ({what}).", chosen.method.name());
    };
    let h = p.horizon();
    let far = errors.horizons.last();
    let far_text = match far {
        Some(e) if e.horizon == h => format!(
            "{} years ahead (the projection's horizon): {}",
            e.horizon,
            pp_text(e.mae, d)
        ),
        Some(e) => format!(
            "{} years ahead, the longest the data allow ({h} are projected): {}",
            e.horizon,
            pp_text(e.mae, d)
        ),
        None => "no horizon evaluated".into(),
    };
    format!(
        "{what}: {} in {} by the {} ({level}% interval {}–{}), from {} in {}. Chosen by the backtest: mean absolute error {} over {} origins (1 year ahead: {}; {far_text}).",
        pct_text(end.share, d),
        end.year,
        chosen.method.name(),
        pct_text(end.lower, d),
        pct_text(end.upper, d),
        pct_text(last_share, d),
        p.last_year,
        errors.score().map_or("absent".into(), |s| pp_text(s, d)),
        p.backtest.origins.len(),
        errors.at(1).map_or("absent".into(), |e| pp_text(e.mae, d)),
    )
}

/// The other methods' projections and errors, in one line.
fn comparison(p: &Projection, d: u8) -> Option<String> {
    let others: Vec<String> = p
        .methods
        .iter()
        .filter(|m| Some(m.method) != p.chosen)
        .map(|m| {
            let err = p
                .backtest
                .methods
                .iter()
                .find(|e| e.method == m.method)
                .and_then(|e| e.score());
            match (m.path.last(), err, &m.model) {
                (Some(f), Some(e), _) => format!(
                    "{} {} (backtest error {})",
                    m.method.name(),
                    pct_text(f.share, d),
                    pp_text(e, d)
                ),
                (_, _, Err(e)) => format!("{}: not fitted ({e})", m.method.name()),
                _ => format!("{}: not scored", m.method.name()),
            }
        })
        .collect();
    (!others.is_empty()).then(|| format!("Other methods in {}: {}.", p.target, others.join("; ")))
}

fn projection_table(
    data: &SeriesData,
    used: &ShareSeries,
    p: &Projection,
    d: u8,
    source: entrepot_doc::SourceId,
) -> Table {
    let chosen = p.chosen_projection();
    let level = (100.0 * p.level).round();
    let mut columns = vec![
        column("year", "Year", false),
        column("kind", "Data or projection", false),
        column("share", "Share (%)", false),
        column("lower", &format!("Lower {level}% (%)"), false),
        column("upper", &format!("Upper {level}% (%)"), false),
    ];
    for m in &p.methods {
        let k = m.method.key();
        columns.push(column(k, &format!("{} (%)", m.method.name()), true));
        columns.push(column(
            &format!("{k}_lower"),
            &format!("{k} lower (%)"),
            true,
        ));
        columns.push(column(
            &format!("{k}_upper"),
            &format!("{k} upper (%)"),
            true,
        ));
    }
    let mut rows = Vec::new();
    for (y, s) in used.years().iter().zip(used.shares()) {
        let mut cells = vec![
            Cell::text(y.to_string()),
            Cell::text("data"),
            num(*s, Unit::Percent, d),
            Cell::missing("data year"),
            Cell::missing("data year"),
        ];
        for _ in &p.methods {
            for _ in 0..3 {
                cells.push(Cell::missing("data year"));
            }
        }
        rows.push(Row::new(cells));
    }
    for h in 1..=p.horizon() {
        let year = p.last_year + h as i32;
        let mut cells = vec![
            Cell::text(year.to_string()),
            Cell::text(chosen.map_or("projection".into(), |c| {
                format!("projection ({})", c.method.name())
            })),
        ];
        match chosen.and_then(|c| c.path.get(h - 1)) {
            Some(f) => cells.extend([
                num(f.share, Unit::Percent, d),
                num(f.lower, Unit::Percent, d),
                num(f.upper, Unit::Percent, d),
            ]),
            None => cells.extend(
                (0..3).map(|_| Cell::missing("no method could be scored on held-back years")),
            ),
        }
        for m in &p.methods {
            match (m.path.get(h - 1), &m.model) {
                (Some(f), _) => cells.extend([
                    num(f.share, Unit::Percent, d),
                    num(f.lower, Unit::Percent, d),
                    num(f.upper, Unit::Percent, d),
                ]),
                (None, Err(e)) => cells.extend((0..3).map(|_| Cell::missing(e.to_string()))),
                (None, Ok(_)) => cells.extend((0..3).map(|_| Cell::missing("not projected"))),
            }
        }
        rows.push(Row::new(cells));
    }
    Table {
        id: "projection".into(),
        title: format!(
            "{}'s share by year: data, then the chosen method's projection with its interval",
            data.reporter
        ),
        source: Some(source),
        columns,
        rows,
        footer: Vec::new(),
    }
}

fn projection_chart(used: &ShareSeries, p: &Projection, level: f64) -> Chart {
    let n = used.len();
    let h = p.horizon();
    let years: Vec<String> = used
        .years()
        .iter()
        .copied()
        .chain((1..=h).map(|i| p.last_year + i as i32))
        .map(|y| y.to_string())
        .collect();
    let mut data: Vec<Option<f64>> = used.shares().iter().map(|s| Some(*s)).collect();
    data.extend((0..h).map(|_| None));
    let mut series = vec![Series::line("Data", data)];
    if let Some(c) = p.chosen_projection() {
        let path = |f: fn(&entrepot_project::ShareForecast) -> f64| {
            let mut v: Vec<Option<f64>> = vec![None; n];
            // The projection starts from the last data point, so the lines join.
            if let Some(last) = v.last_mut() {
                *last = used.shares().last().copied();
            }
            v.extend(c.path.iter().map(|x| Some(f(x))));
            v
        };
        series.push(Series::line(
            format!("Projection ({})", c.method.name()),
            path(|f| f.share),
        ));
        series.push(Series::line(format!("Lower {level}%"), path(|f| f.lower)));
        series.push(Series::line(format!("Upper {level}%"), path(|f| f.upper)));
    }
    Chart::series(
        "chart-projection",
        "Share of world exports (%): data and projection",
        Unit::Percent,
        years,
        series,
        "no share computable",
    )
}

fn backtest_table(p: &Projection, d: u8, source: entrepot_doc::SourceId) -> Table {
    let columns = vec![
        column("method", "Method", false),
        column("chosen", "Chosen", false),
        column("mae", "Mean MAE (pp)", false),
        column("mae_1", "MAE 1 year (pp)", false),
        column("mae_last", "MAE longest (pp)", false),
        column("horizon_last", "Longest (years)", false),
        column("rmse", "Mean RMSE (pp)", true),
        column("mape", "Mean MAPE (%)", true),
        column("coverage", "Coverage (%)", false),
        column("failures", "Failed fits", true),
    ];
    let rows = p
        .backtest
        .methods
        .iter()
        .map(|e| {
            let n = e.horizons.len().max(1) as f64;
            let mean = |f: fn(&entrepot_project::HorizonError) -> f64| {
                e.horizons.iter().map(f).sum::<f64>() / n
            };
            let missing = || Cell::missing("no held-back year forecast");
            let cells = if e.horizons.is_empty() {
                vec![missing(); 7]
            } else {
                let last = e.horizons.last();
                vec![
                    e.score()
                        .map_or_else(missing, |s| num(s, Unit::PercentagePoints, d)),
                    e.at(1)
                        .map_or_else(missing, |h| num(h.mae, Unit::PercentagePoints, d)),
                    last.map_or_else(missing, |h| num(h.mae, Unit::PercentagePoints, d)),
                    last.map_or_else(missing, |h| count_cell(h.horizon)),
                    num(mean(|h| h.rmse), Unit::PercentagePoints, d),
                    num(mean(|h| h.mape), Unit::Percent, 2),
                    num(100.0 * mean(|h| h.coverage), Unit::Percent, 1),
                ]
            };
            let mut row = vec![
                Cell::text(e.method.name()),
                Cell::text(if Some(e.method) == p.chosen {
                    "yes"
                } else {
                    ""
                }),
            ];
            row.extend(cells);
            row.push(if e.failures.is_empty() {
                count_cell(0)
            } else {
                Cell::text(
                    e.failures
                        .iter()
                        .map(|(y, why)| format!("{y}: {why}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            });
            Row::new(row)
        })
        .collect();
    Table {
        id: "backtest".into(),
        title: format!(
            "Rolling-origin backtest: each method fitted on the years up to each origin, errors on the years after (mean over horizons 1–{})",
            p.backtest.max_horizon
        ),
        source: Some(source),
        columns,
        rows,
        footer: Vec::new(),
    }
}

fn horizons_table(p: &Projection, d: u8, source: entrepot_doc::SourceId) -> Table {
    let columns = vec![
        column("method", "Method", false),
        column("horizon", "Years ahead", false),
        column("forecasts", "Forecasts", false),
        column("mae", "MAE (pp)", false),
        column("rmse", "RMSE (pp)", false),
        column("mape", "MAPE (%)", false),
        column("coverage", "Interval coverage (%)", false),
    ];
    let rows = p
        .backtest
        .methods
        .iter()
        .flat_map(|e| {
            e.horizons.iter().map(move |h| {
                Row::new(vec![
                    Cell::text(e.method.name()),
                    count_cell(h.horizon),
                    count_cell(h.count),
                    num(h.mae, Unit::PercentagePoints, d),
                    num(h.rmse, Unit::PercentagePoints, d),
                    num(h.mape, Unit::Percent, 2),
                    num(100.0 * h.coverage, Unit::Percent, 1),
                ])
            })
        })
        .collect();
    Table {
        id: "backtest_horizons".into(),
        title: "Backtest errors by method and horizon".into(),
        source: Some(source),
        columns,
        rows,
        footer: Vec::new(),
    }
}

fn models_table(p: &Projection, source: entrepot_doc::SourceId) -> Table {
    let rows = p
        .methods
        .iter()
        .map(|m| {
            let params = match &m.model {
                Ok(model) => Cell::text(
                    model
                        .parameters()
                        .iter()
                        .map(|(k, v)| format!("{k} {v:.6}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Err(e) => Cell::missing(e.to_string()),
            };
            Row::new(vec![Cell::text(m.method.name()), params])
        })
        .collect();
    Table {
        id: "models".into(),
        title: "Parameters fitted to every year (log-odds scale)".into(),
        source: Some(source),
        columns: vec![
            column("method", "Method", false),
            column("parameters", "Parameters", false),
        ],
        rows,
        footer: Vec::new(),
    }
}

fn method_notes(p: &Projection) -> Vec<String> {
    let level = (100.0 * p.level).round();
    vec![
        "Every method works on the log-odds of the share, z = ln(s / (100 − s)), and maps its forecast and interval back with s = 100 / (1 + e^(−z)): projected shares and bounds stay between 0 and 100%, and for a small share a straight line in z is a constant growth rate of the share. The projected share is the median of its distribution.".into(),
        format!("Log-linear trend: ordinary least squares of z on the year; the {level}% prediction interval ẑ ± t(n−2) · s · √(1 + 1/n + (x₀ − x̄)²/Sxx) (Student's t; it widens with the distance from the middle of the data)."),
        "Damped trend: exponential smoothing ETS(A,Ad,N) in the state-space form of Hyndman, Koehler, Ord & Snyder (2008, Forecasting with Exponential Smoothing, Springer): level ℓ and trend b updated by α and β, the trend damped by φ each year, so the projection levels off (Gardner & McKenzie 1985). α, β, φ and the initial state minimise the sum of squared one-step errors (the Gaussian likelihood), within α ∈ [0.0001, 0.9999], β ∈ [0.0001, α], φ ∈ [0.8, 0.98] (R's forecast::ets bounds); the interval uses the state-space variance σ²[1 + Σⱼ (α + β φⱼ)²], φⱼ = φ + … + φʲ. Its point forecasts equal statsmodels' with the same parameters (validation/project_check.py).".into(),
        "No change (random walk): the last share, with interval ±z·σ√h, σ the standard deviation of the yearly changes in z; the benchmark a trend must beat.".into(),
        format!(
            "Rolling-origin backtest (Tashman 2000, International Journal of Forecasting 16(4)): at each origin every method is refitted on the years up to it only (the first window has {} years) and forecasts the following years, up to {} ahead; the errors are in percentage points of the share (MAE, RMSE), in percent of the share (MAPE), and the coverage is the share of held-back years inside the {level}% interval. The method with the lowest mean MAE over the horizons is chosen.",
            p.backtest.min_train, p.backtest.max_horizon
        ),
        "A projection extrapolates the past path of the share: it assumes no break (a new trade policy, a price swing, a change in the dataset's coverage). The interval covers the model's uncertainty, not that of the model choice; the backtest coverage shows how well it did on this series.".into(),
    ]
}

fn data_notes(data: &SeriesData, used: &ShareSeries, left_out: &[(i32, String)]) -> Vec<String> {
    let mut notes = vec![match &data.basket {
        Some(b) => format!(
            "Flows dataset '{}': {}'s share of every exporter's reported HS6 exports of basket {b}, as `entrepot edge --basket {b}` computes it.",
            data.dataset, data.reporter
        ),
        None => format!(
            "Flows dataset '{}': {}'s share of every exporter's reported exports (each exporter's declared world total when it has one, else the sum over its partners, its own country left out), no mirror figures.",
            data.dataset, data.reporter
        ),
    }];
    if let (Some(a), Some(b)) = (used.years().first(), used.last_year()) {
        notes.push(format!(
            "Years projected from: {a}–{b} ({} years).",
            used.len()
        ));
    }
    if !left_out.is_empty() {
        let ys: Vec<String> = left_out
            .iter()
            .map(|(y, why)| format!("{y} ({why})"))
            .collect();
        notes.push(format!(
            "Years left out (only the last run of consecutive years with a share is projected): {}.",
            ys.join(", ")
        ));
    }
    let exporters: Vec<String> = data
        .exporters
        .iter()
        .map(|(y, n)| format!("{y}: {n}"))
        .collect();
    notes.push(format!(
        "Exporters in the dataset by year (the world reference): {}.",
        exporters.join(", ")
    ));
    let not: Vec<String> = data
        .coverage
        .iter()
        .filter(|(_, c)| !c.covers_world())
        .map(|(y, _)| y.to_string())
        .collect();
    if !not.is_empty() {
        notes.push(format!(
            "The dataset does not cover world trade in {}: 'world' there means the exporters the dataset holds.",
            not.join(", ")
        ));
    }
    notes
}
