//! Inline SVG charts (no scripts, no external resources): series of bars and lines on
//! one or two axes, horizontal bars, and heat maps. Every text and attribute value
//! from the document goes through [`esc`]; colours come from a fixed palette, never
//! from data.

use entrepot_doc::{format as fmt, Axis, Bar, Chart, Currency, Mark, Plot, Series, Unit};
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
fn axis_bounds(lo: f64, hi: f64) -> (f64, f64, Vec<f64>) {
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

/// A tick's label with as many decimals as the step between ticks needs, so that
/// no two ticks read alike (`0.05`, `0.10`, `0.15` for a step of 0.05).
fn tick_label(v: f64, ticks: &[f64]) -> String {
    let step = match ticks {
        [a, b, ..] => (b - a).abs(),
        _ => 1.0,
    };
    let decimals = if step > 0.0 && step < 1.0 {
        (-step.log10().floor()) as usize
            + usize::from((step / 10f64.powf(step.log10().floor())).fract() > 1e-6)
    } else {
        0
    };
    fmt::number(v, decimals.min(12) as u8)
}

fn empty(id: &str, title: &str, msg: &str) -> String {
    format!(
        "<svg{id} class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 900 80\" width=\"900\" height=\"80\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title><text x=\"450\" y=\"45\" text-anchor=\"middle\" class=\"chart-empty\">{m}</text></svg>",
        t = esc(title),
        m = esc(msg)
    )
}

/// The opening `<svg>` tag of a chart.
fn open(id: &str, title: &str, w: f64, h: f64) -> String {
    format!(
        "<svg{id} class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    )
}

/// A chart as an inline SVG element, with the `id` attribute the page gives it (an
/// anchor checked by the caller, unique in the page), if any.
pub(crate) fn chart(c: &Chart, currency: Option<Currency>, id: Option<&str>) -> String {
    let id = id.map(|a| format!(" id=\"{a}\"")).unwrap_or_default();
    let why = c
        .empty_reason
        .as_deref()
        .unwrap_or("No data for this chart");
    match &c.plot {
        Plot::Series {
            x_labels,
            series,
            right_unit,
        } if !x_labels.is_empty()
            && series.iter().any(|s| s.values.iter().any(Option::is_some)) =>
        {
            series_chart(&id, c, x_labels, series, right_unit.as_ref(), currency)
        }
        Plot::Bars { bars } if !bars.is_empty() => bar_chart(&id, c, bars),
        Plot::HeatMap {
            x_labels,
            y_labels,
            values,
        } if !x_labels.is_empty() && !y_labels.is_empty() => {
            heat_map(&id, c, x_labels, y_labels, values, currency)
        }
        _ => empty(&id, &c.title, why),
    }
}

/// A value with its unit for a tooltip (`330.30bn`, `+1.2pp`).
fn value_text(v: f64, unit: &Unit, currency: Option<Currency>) -> String {
    fmt::quantity(v, unit, 2, false, false, currency)
}

/// Series over categories: bar series side by side in each band, line series as
/// paths with points (gaps where a value is missing, breaks where a series starts
/// again), each on its axis.
fn series_chart(
    id: &str,
    c: &Chart,
    x_labels: &[String],
    series: &[Series],
    right_unit: Option<&Unit>,
    currency: Option<Currency>,
) -> String {
    let (w, h) = (900.0, 360.0);
    let (ml, mr, mt, mb) = (64.0, 70.0, 36.0, 64.0);
    let pw = w - ml - mr;
    let ph = h - mt - mb;
    let range = |axis: Axis| {
        let vals: Vec<f64> = series
            .iter()
            .filter(|s| s.axis == axis)
            .flat_map(|s| s.values.iter().flatten().copied())
            .collect();
        (!vals.is_empty()).then(|| {
            axis_bounds(
                vals.iter().copied().fold(0.0, f64::min),
                vals.iter().copied().fold(0.0, f64::max),
            )
        })
    };
    let (a, b, ticks) = range(Axis::Left).unwrap_or((0.0, 1.0, Vec::new()));
    let right = range(Axis::Right);
    let y = |v: f64| mt + ph - (v - a) / (b - a) * ph;
    let (ra, rb) = right.as_ref().map_or((0.0, 1.0), |r| (r.0, r.1));
    let y2 = |v: f64| mt + ph - (v - ra) / (rb - ra) * ph;
    let n = x_labels.len() as f64;
    let band = pw / n;
    let x = |i: usize| ml + band * (i as f64 + 0.5);
    let mut s = open(id, &c.title, w, h);
    for t in &ticks {
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{ml}\" x2=\"{x2}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/><text class=\"tick\" x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text>",
            x2 = ml + pw,
            yy = y(*t),
            tx = ml - 6.0,
            ty = y(*t) + 4.0,
            l = tick_label(*t, &ticks)
        );
    }
    if let Some((_, _, rticks)) = &right {
        for t in rticks {
            let _ = write!(
                s,
                "<text class=\"tick tick-right\" x=\"{tx}\" y=\"{ty:.1}\">{l}</text>",
                tx = ml + pw + 6.0,
                ty = y2(*t) + 4.0,
                l = tick_label(*t, rticks)
            );
        }
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{ml}\" x2=\"{x2}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\"/>",
        x2 = ml + pw,
        y0 = y(0.0)
    );
    let every = ((n / 12.0).ceil() as usize).max(1);
    for (i, l) in x_labels.iter().enumerate() {
        if i % every == 0 || i + 1 == x_labels.len() {
            let _ = write!(
                s,
                "<text class=\"tick\" x=\"{cx:.1}\" y=\"{ty}\" text-anchor=\"end\" transform=\"rotate(-40 {cx:.1} {ty})\">{l}</text>",
                cx = x(i),
                ty = mt + ph + 14.0,
                l = esc(l)
            );
        }
    }
    let unit_of = |axis: Axis| match axis {
        Axis::Left => c.unit.clone(),
        Axis::Right => right_unit.cloned().unwrap_or_else(|| c.unit.clone()),
    };
    // bars, side by side within each band
    let bar_series: Vec<(usize, &Series)> = series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.mark == Mark::Bar)
        .collect();
    let nb = bar_series.len().max(1) as f64;
    let bw = (band * 0.72 / nb).max(1.0);
    for (k, (si, sr)) in bar_series.iter().enumerate() {
        let colour = PALETTE[si % PALETTE.len()];
        let yf: &dyn Fn(f64) -> f64 = if sr.axis == Axis::Right { &y2 } else { &y };
        let unit = unit_of(sr.axis);
        for (i, v) in sr.values.iter().enumerate() {
            let Some(v) = v else { continue };
            let (top, hgt) = if *v >= 0.0 {
                (yf(*v), yf(0.0) - yf(*v))
            } else {
                (yf(0.0), yf(*v) - yf(0.0))
            };
            let _ = write!(
                s,
                "<rect class=\"bar series-{si}\" fill=\"{colour}\" x=\"{rx:.1}\" y=\"{top:.1}\" width=\"{bw:.1}\" height=\"{hgt:.1}\"><title>{per} {name}: {val}</title></rect>",
                rx = x(i) - band * 0.36 + bw * k as f64,
                per = esc(&x_labels[i]),
                name = esc(&sr.label),
                val = esc(&value_text(*v, &unit, currency))
            );
        }
    }
    // lines with gaps where a value is missing and breaks where a series starts again
    for (si, sr) in series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.mark != Mark::Bar)
    {
        let colour = PALETTE[si % PALETTE.len()];
        let yf: &dyn Fn(f64) -> f64 = if sr.axis == Axis::Right { &y2 } else { &y };
        let unit = unit_of(sr.axis);
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in sr.values.iter().enumerate() {
            if sr.breaks.contains(&i) {
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
        let dashed = if sr.mark == Mark::DashedLine {
            " line-dashed"
        } else {
            ""
        };
        if !d.is_empty() {
            let _ = write!(
                s,
                "<path class=\"line series-{si}{dashed}\" stroke=\"{colour}\" d=\"{}\"/>",
                d.trim_end()
            );
        }
        for (i, v) in sr.values.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    s,
                    "<circle class=\"dot series-{si}\" fill=\"{colour}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{} {}: {}</title></circle>",
                    x(i),
                    yf(*v),
                    esc(&x_labels[i]),
                    esc(&sr.label),
                    esc(&value_text(*v, &unit, currency))
                );
            }
        }
    }
    // legend
    let mut lx = ml;
    for (si, sr) in series.iter().enumerate() {
        let colour = PALETTE[si % PALETTE.len()];
        let _ = write!(
            s,
            "<rect class=\"legend-swatch\" fill=\"{colour}\" x=\"{lx:.1}\" y=\"10\" width=\"14\" height=\"10\"/><text class=\"legend\" x=\"{tx:.1}\" y=\"19\">{l}</text>",
            tx = lx + 18.0,
            l = esc(&sr.label)
        );
        lx += 30.0 + sr.label.chars().count() as f64 * 6.5;
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars: positive and negative bars coloured apart, a total bar in grey.
fn bar_chart(id: &str, c: &Chart, bars: &[Bar]) -> String {
    let (w, rowh) = (900.0, 26.0);
    let (ml, mr, mt) = (190.0, 80.0, 34.0);
    let h = mt + rowh * bars.len() as f64 + 30.0;
    let pw = w - ml - mr;
    let lo = bars.iter().map(|b| b.value).fold(0.0, f64::min);
    let hi = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let (a, b, ticks) = axis_bounds(lo, hi);
    let x = |v: f64| ml + (v - a) / (b - a) * pw;
    let mut s = open(id, &c.title, w, h);
    for t in &ticks {
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{mt}\" y2=\"{y2}\"/><text class=\"tick\" x=\"{xx:.1}\" y=\"{ty}\" text-anchor=\"middle\">{l}</text>",
            xx = x(*t),
            y2 = h - 26.0,
            ty = h - 10.0,
            l = tick_label(*t, &ticks)
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let class = if bar.total {
            "bar-total"
        } else if bar.value >= 0.0 {
            "bar-pos"
        } else {
            "bar-neg"
        };
        let yy = mt + rowh * i as f64;
        let (x0, x1) = if bar.value >= 0.0 {
            (x(0.0), x(bar.value))
        } else {
            (x(bar.value), x(0.0))
        };
        let val = fmt::signed(bar.value, 2);
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text><rect class=\"{class}\" x=\"{x0:.1}\" y=\"{ry:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\"><title>{l}: {val}</title></rect><text class=\"value\" x=\"{vx:.1}\" y=\"{ty:.1}\">{val}</text>",
            lx = ml - 8.0,
            ty = yy + rowh * 0.62,
            l = esc(&bar.label),
            ry = yy + 4.0,
            bw = (x1 - x0).max(0.5),
            bh = rowh - 8.0,
            vx = x1.max(x0) + 6.0,
            val = esc(&val)
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

/// A grid of cells shaded from white (smallest) to blue (largest); empty cells are
/// hatched grey.
fn heat_map(
    id: &str,
    c: &Chart,
    x_labels: &[String],
    y_labels: &[String],
    values: &[Vec<Option<f64>>],
    currency: Option<Currency>,
) -> String {
    let (ml, mt) = (190.0, 90.0);
    let cw = ((900.0 - ml - 20.0) / x_labels.len() as f64).clamp(8.0, 60.0);
    let ch = 22.0;
    let w = ml + cw * x_labels.len() as f64 + 20.0;
    let h = mt + ch * y_labels.len() as f64 + 20.0;
    let all: Vec<f64> = values.iter().flatten().flatten().copied().collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = open(id, &c.title, w, h);
    for (j, l) in x_labels.iter().enumerate() {
        let cx = ml + cw * (j as f64 + 0.5);
        let _ = write!(
            s,
            "<text class=\"tick\" x=\"{cx:.1}\" y=\"{ty}\" text-anchor=\"start\" transform=\"rotate(-45 {cx:.1} {ty})\">{l}</text>",
            ty = mt - 6.0,
            l = esc(l)
        );
    }
    for (i, l) in y_labels.iter().enumerate() {
        let yy = mt + ch * i as f64;
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text>",
            lx = ml - 6.0,
            ty = yy + ch * 0.65,
            l = esc(l)
        );
        for (j, v) in values.get(i).into_iter().flatten().enumerate() {
            let cx = ml + cw * j as f64;
            match v {
                Some(v) => {
                    let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                    // white to #1f5fa8
                    let r = (255.0 - t * (255.0 - 31.0)).round() as u8;
                    let g = (255.0 - t * (255.0 - 95.0)).round() as u8;
                    let b = (255.0 - t * (255.0 - 168.0)).round() as u8;
                    let _ = write!(
                        s,
                        "<rect class=\"cell\" fill=\"#{r:02x}{g:02x}{b:02x}\" x=\"{cx:.1}\" y=\"{yy:.1}\" width=\"{cw:.1}\" height=\"{ch}\"><title>{yl} / {xl}: {val}</title></rect>",
                        yl = esc(l),
                        xl = esc(x_labels.get(j).map_or("", String::as_str)),
                        val = esc(&value_text(*v, &c.unit, currency))
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        "<rect class=\"cell cell-empty\" fill=\"#eeeeee\" x=\"{cx:.1}\" y=\"{yy:.1}\" width=\"{cw:.1}\" height=\"{ch}\"/>"
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tick_tests {
    use super::*;

    #[test]
    fn tick_labels_never_repeat() {
        for (lo, hi) in [
            (0.0, 0.27),
            (0.06, 0.23),
            (0.0, 4.0),
            (-36.6, 418.2),
            (0.8, 0.96),
        ] {
            let (_, _, ticks) = axis_bounds(lo, hi);
            let labels: Vec<String> = ticks.iter().map(|t| tick_label(*t, &ticks)).collect();
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique.len(), labels.len(), "{labels:?}");
        }
        let (_, _, ticks) = axis_bounds(0.0, 0.23);
        assert_eq!(tick_label(ticks[1], &ticks), "0.05");
        let (_, _, ticks) = axis_bounds(0.0, 0.27);
        assert_eq!(tick_label(ticks[1], &ticks), "0.1");
        let (_, _, ticks) = axis_bounds(0.0, 418.0);
        assert_eq!(tick_label(ticks[1], &ticks), "100");
    }
}
