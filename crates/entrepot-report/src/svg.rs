//! Inline SVG charts (no scripts, no external resources).

use entrepot_brief::{fmt, Bar, ShareSeries, TrendPoint};
use entrepot_core::Period;
use std::fmt::Write;

/// Every text and attribute value of a chart goes through this (see [`crate::escape`]).
pub(crate) use crate::escape::html as esc;

const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

fn nice_step(range: f64, ticks: usize) -> f64 {
    let raw = (range / ticks.max(1) as f64).max(1e-12);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let n = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * mag
}

/// Axis bounds and ticks covering `lo..hi`.
fn axis(lo: f64, hi: f64) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if (hi - lo).abs() < 1e-12 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let step = nice_step(hi - lo, 5);
    let a = (lo / step).floor() * step;
    let b = (hi / step).ceil() * step;
    let mut t = Vec::new();
    let mut v = a;
    while v <= b + step * 1e-6 {
        t.push(v);
        v += step;
    }
    (a, b, t)
}

fn tick_label(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        fmt::number(v, 0)
    } else {
        fmt::number(v, 1)
    }
}

fn empty(id: &str, title: &str, msg: &str) -> String {
    format!(
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 900 80\" width=\"900\" height=\"80\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title><text x=\"450\" y=\"45\" text-anchor=\"middle\" class=\"chart-empty\">{m}</text></svg>",
        t = esc(title),
        m = esc(msg)
    )
}

/// Exports and imports as bars, the balance as a line, and the year-to-date balance as
/// a dashed line on the right axis.
pub(crate) fn trend(points: &[TrendPoint]) -> String {
    let id = "chart-monthly";
    let title = "Exports, imports and balance (USD bn)";
    if points.is_empty() {
        return empty(id, title, "No levels held for this chart");
    }
    let (w, h) = (900.0, 360.0);
    let (ml, mr, mt, mb) = (64.0, 70.0, 36.0, 64.0);
    let pw = w - ml - mr;
    let ph = h - mt - mb;
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for p in points {
        for v in [p.exports, p.imports, p.balance].into_iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    let (a, b, ticks) = axis(lo, hi);
    let ytd: Vec<f64> = points.iter().filter_map(|p| p.ytd_balance).collect();
    let (ya, yb, yticks) = if ytd.is_empty() {
        (0.0, 1.0, Vec::new())
    } else {
        axis(
            ytd.iter().copied().fold(0.0, f64::min),
            ytd.iter().copied().fold(0.0, f64::max),
        )
    };
    let y = |v: f64| mt + ph - (v - a) / (b - a) * ph;
    let y2 = |v: f64| mt + ph - (v - ya) / (yb - ya) * ph;
    let n = points.len() as f64;
    let band = pw / n;
    let x = |i: usize| ml + band * (i as f64 + 0.5);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    );
    for t in &ticks {
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{ml}\" x2=\"{x2}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/><text class=\"tick\" x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text>",
            x2 = ml + pw,
            yy = y(*t),
            tx = ml - 6.0,
            ty = y(*t) + 4.0,
            l = tick_label(*t)
        );
    }
    for t in &yticks {
        let _ = write!(
            s,
            "<text class=\"tick tick-ytd\" x=\"{tx}\" y=\"{ty:.1}\">{l}</text>",
            tx = ml + pw + 6.0,
            ty = y2(*t) + 4.0,
            l = tick_label(*t)
        );
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{ml}\" x2=\"{x2}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\"/>",
        x2 = ml + pw,
        y0 = y(0.0)
    );
    let bw = (band * 0.36).max(1.0);
    let every = ((n / 12.0).ceil() as usize).max(1);
    for (i, p) in points.iter().enumerate() {
        let cx = x(i);
        for (v, class, dx) in [
            (p.exports, "bar-exports", -bw),
            (p.imports, "bar-imports", 0.0),
        ] {
            if let Some(v) = v {
                let (top, hgt) = if v >= 0.0 {
                    (y(v), y(0.0) - y(v))
                } else {
                    (y(0.0), y(v) - y(0.0))
                };
                let _ = write!(
                    s,
                    "<rect class=\"{class}\" x=\"{rx:.1}\" y=\"{top:.1}\" width=\"{bw:.1}\" height=\"{hgt:.1}\"><title>{per} {name}: {val}bn</title></rect>",
                    rx = cx + dx,
                    per = p.period,
                    name = if class == "bar-exports" { "exports" } else { "imports" },
                    val = fmt::number(v, 2)
                );
            }
        }
        if i % every == 0 || i + 1 == points.len() {
            let _ = write!(
                s,
                "<text class=\"tick\" x=\"{cx:.1}\" y=\"{ty}\" text-anchor=\"end\" transform=\"rotate(-40 {cx:.1} {ty})\">{l}</text>",
                ty = mt + ph + 14.0,
                l = period_label(&p.period)
            );
        }
    }
    // lines with gaps where a value is missing
    let line = |vals: Vec<Option<f64>>,
                yf: &dyn Fn(f64) -> f64,
                class: &str,
                name: &str,
                restart_yearly: bool|
     -> String {
        let mut out = String::new();
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in vals.iter().enumerate() {
            // a cumulative line starts again each January
            if restart_yearly && i > 0 && points[i].period.year() != points[i - 1].period.year() {
                pen = false;
            }
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen { "L" } else { "M" },
                        x(i),
                        yf(*v)
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        if !d.is_empty() {
            let _ = write!(out, "<path class=\"{class}\" d=\"{}\"/>", d.trim_end());
        }
        for (i, v) in vals.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    out,
                    "<circle class=\"{class}-dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{} {name}: {}bn</title></circle>",
                    x(i),
                    yf(*v),
                    points[i].period,
                    fmt::number(*v, 2)
                );
            }
        }
        out
    };
    s.push_str(&line(
        points.iter().map(|p| p.balance).collect(),
        &y,
        "line-balance",
        "balance",
        false,
    ));
    if !ytd.is_empty() {
        s.push_str(&line(
            points.iter().map(|p| p.ytd_balance).collect(),
            &y2,
            "line-ytd",
            "year-to-date balance",
            true,
        ));
    }
    // legend
    let items: Vec<(&str, &str)> = {
        let mut v = vec![
            ("bar-exports", "Exports"),
            ("bar-imports", "Imports"),
            ("line-balance", "Balance"),
        ];
        if !ytd.is_empty() {
            v.push(("line-ytd", "Year-to-date balance (right axis)"));
        }
        v
    };
    let mut lx = ml;
    for (class, label) in items {
        let _ = write!(
            s,
            "<rect class=\"legend-swatch {class}-swatch\" x=\"{lx}\" y=\"10\" width=\"14\" height=\"10\"/><text class=\"legend\" x=\"{tx}\" y=\"19\">{l}</text>",
            tx = lx + 18.0,
            l = esc(label)
        );
        lx += 30.0 + label.len() as f64 * 6.5;
    }
    s.push_str("</svg>");
    s
}

fn period_label(p: &Period) -> String {
    p.to_string()
}

/// Contributions to growth (pp) as horizontal bars, with total growth last.
pub(crate) fn contributions(bars: &[Bar], total: Option<f64>) -> String {
    let id = "chart-contributions";
    let title = "Contributions to export growth (percentage points)";
    if bars.is_empty() {
        return empty(
            id,
            title,
            "No partner levels held in both periods: contributions cannot be computed",
        );
    }
    let mut all: Vec<(String, f64, &str)> = bars
        .iter()
        .map(|b| {
            let class = if b.value >= 0.0 { "bar-pos" } else { "bar-neg" };
            (b.label.clone(), b.value, class)
        })
        .collect();
    if let Some(t) = total {
        all.push(("Total growth (%)".into(), t, "bar-total"));
    }
    let (w, rowh) = (900.0, 26.0);
    let (ml, mr, mt) = (190.0, 80.0, 34.0);
    let h = mt + rowh * all.len() as f64 + 30.0;
    let pw = w - ml - mr;
    let lo = all.iter().map(|a| a.1).fold(0.0, f64::min);
    let hi = all.iter().map(|a| a.1).fold(0.0, f64::max);
    let (a, b, ticks) = axis(lo, hi);
    let x = |v: f64| ml + (v - a) / (b - a) * pw;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    );
    for t in &ticks {
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{mt}\" y2=\"{y2}\"/><text class=\"tick\" x=\"{xx:.1}\" y=\"{ty}\" text-anchor=\"middle\">{l}</text>",
            xx = x(*t),
            y2 = h - 26.0,
            ty = h - 10.0,
            l = tick_label(*t)
        );
    }
    for (i, (label, v, class)) in all.iter().enumerate() {
        let yy = mt + rowh * i as f64;
        let (x0, x1) = if *v >= 0.0 {
            (x(0.0), x(*v))
        } else {
            (x(*v), x(0.0))
        };
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text><rect class=\"{class}\" x=\"{x0:.1}\" y=\"{ry:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\"><title>{l}: {val}</title></rect><text class=\"value\" x=\"{vx:.1}\" y=\"{ty:.1}\">{val}</text>",
            lx = ml - 8.0,
            ty = yy + rowh * 0.62,
            l = esc(label),
            ry = yy + 4.0,
            bw = (x1 - x0).max(0.5),
            bh = rowh - 8.0,
            vx = x1.max(x0) + 6.0,
            val = fmt::signed(*v, 2)
        );
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{x0:.1}\" x2=\"{x0:.1}\" y1=\"{mt}\" y2=\"{y2}\"/>",
        x0 = x(0.0),
        y2 = h - 26.0
    );
    s.push_str("</svg>");
    s
}

/// Partner shares of exports over time, one line per partner.
pub(crate) fn shares(series: &[ShareSeries]) -> String {
    let id = "chart-shares";
    let title = "Partner shares of exports over time (%)";
    let mut periods: Vec<Period> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.period))
        .collect();
    periods.sort();
    periods.dedup();
    if periods.is_empty() {
        return empty(
            id,
            title,
            "No partner levels held: shares cannot be computed",
        );
    }
    let (w, h) = (900.0, 340.0);
    let (ml, mr, mt, mb) = (64.0, 30.0, 40.0, 60.0);
    let pw = w - ml - mr;
    let ph = h - mt - mb;
    let hi = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.value))
        .fold(0.0, f64::max);
    let (a, b, ticks) = axis(0.0, hi * 1.1);
    let y = |v: f64| mt + ph - (v - a) / (b - a) * ph;
    let n = periods.len();
    let x = |p: &Period| {
        let i = periods.iter().position(|q| q == p).unwrap_or(0);
        if n == 1 {
            ml + pw / 2.0
        } else {
            ml + pw * i as f64 / (n - 1) as f64
        }
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    );
    for t in &ticks {
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{ml}\" x2=\"{x2}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/><text class=\"tick\" x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text>",
            x2 = ml + pw,
            yy = y(*t),
            tx = ml - 6.0,
            ty = y(*t) + 4.0,
            l = tick_label(*t)
        );
    }
    let every = n.div_ceil(12).max(1);
    for (i, p) in periods.iter().enumerate() {
        if i % every == 0 || i + 1 == n {
            let _ = write!(
                s,
                "<text class=\"tick\" x=\"{xx:.1}\" y=\"{ty}\" text-anchor=\"end\" transform=\"rotate(-40 {xx:.1} {ty})\">{p}</text>",
                xx = x(p),
                ty = mt + ph + 16.0
            );
        }
    }
    let mut lx = ml;
    for (k, sr) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let mut d = String::new();
        for (i, p) in sr.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if i == 0 { "M" } else { "L" },
                x(&p.period),
                y(p.value)
            );
        }
        let _ = write!(
            s,
            "<path class=\"share-line\" data-partner=\"{c}\" stroke=\"{colour}\" d=\"{d}\"/>",
            c = esc(&sr.code),
            d = d.trim_end()
        );
        for p in &sr.points {
            let _ = write!(
                s,
                "<circle class=\"share-dot\" fill=\"{colour}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{} {}: {}%</title></circle>",
                x(&p.period),
                y(p.value),
                esc(&sr.label),
                p.period,
                fmt::number(p.value, 2)
            );
        }
        let _ = write!(
            s,
            "<rect class=\"legend-swatch\" fill=\"{colour}\" x=\"{lx}\" y=\"12\" width=\"14\" height=\"10\"/><text class=\"legend\" x=\"{tx}\" y=\"21\">{l}</text>",
            tx = lx + 18.0,
            l = esc(&sr.label)
        );
        lx += 34.0 + sr.label.len() as f64 * 6.5;
    }
    s.push_str("</svg>");
    s
}
