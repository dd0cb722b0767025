//! Number formatting shared by the brief's statements and the renderers, so that a
//! number reads the same in a sentence and in a table.

use crate::model::{Figure, FigureUnit};

/// Formats `v` with `decimals` decimals and thousands separators (`1,080.5`).
/// Negative numbers use an ASCII minus sign.
pub fn number(v: f64, decimals: u8) -> String {
    let s = format!("{:.*}", decimals as usize, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let zero = s.chars().all(|c| c == '0' || c == '.');
    let sign = if v < 0.0 && !zero { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Formats with an explicit sign (`+5.9`, `-28.6`).
pub fn signed(v: f64, decimals: u8) -> String {
    let n = number(v, decimals);
    if n.starts_with('-') || n.chars().all(|c| c == '0' || c == '.' || c == ',') {
        n
    } else {
        format!("+{n}")
    }
}

fn approx(f: &Figure) -> &'static str {
    if f.approximate {
        "~"
    } else {
        ""
    }
}

/// A level: `330.3bn` for USD bn, `49.2` for an index, `24.46 trillion CNY` for other
/// units.
pub fn level(f: &Figure) -> String {
    let n = number(f.value, f.decimals);
    match f.unit {
        FigureUnit::UsdBn => format!("{}{n}bn", approx(f)),
        FigureUnit::Percent => format!("{}{n}%", approx(f)),
        FigureUnit::PercentagePoints => format!("{}{n}pp", approx(f)),
        FigureUnit::Index => format!("{}{n}", approx(f)),
        FigureUnit::Other => format!("{}{n} {}", approx(f), f.unit_label),
    }
}

/// A signed change: `+5.9%` for a growth rate, `-4.95pp` for points, `-13.54bn` for a
/// level change.
pub fn change(f: &Figure) -> String {
    let n = signed(f.value, f.decimals);
    match f.unit {
        FigureUnit::UsdBn => format!("{}{n}bn", approx(f)),
        FigureUnit::Percent => format!("{}{n}%", approx(f)),
        FigureUnit::PercentagePoints => format!("{}{n}pp", approx(f)),
        FigureUnit::Index => format!("{}{n}", approx(f)),
        FigureUnit::Other => format!("{}{n} {}", approx(f), f.unit_label),
    }
}

/// A threshold in USD bn as words: `$1tn`, `$800bn`.
pub fn threshold(bn: f64) -> String {
    if bn >= 1000.0 {
        format!(
            "${}tn",
            number(bn / 1000.0, if bn % 1000.0 == 0.0 { 0 } else { 1 })
        )
    } else {
        format!("${}bn", number(bn, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(number(1080.0, 0), "1,080");
        assert_eq!(number(1234567.891, 2), "1,234,567.89");
        assert_eq!(number(-28.6, 1), "-28.6");
        assert_eq!(number(-0.001, 1), "0.0");
        assert_eq!(signed(5.9, 1), "+5.9");
        assert_eq!(signed(-28.6, 1), "-28.6");
        assert_eq!(signed(0.0, 1), "0.0");
        assert_eq!(threshold(1000.0), "$1tn");
        assert_eq!(threshold(800.0), "$800bn");
    }
}
