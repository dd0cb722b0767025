//! The text of numbers, shared by every renderer (and by producers' sentences), so a
//! number reads the same in the terminal, Markdown, HTML and a statement.

use crate::figure::Figure;
use crate::model::Cell;
use crate::unit::{Currency, Scale, Unit};

/// `v` with `decimals` decimals and thousands separators (`1,080.5`); negative numbers
/// use an ASCII minus sign, and a value that rounds to zero has none (`0.0`).
pub fn number(v: f64, decimals: u8) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
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

/// [`number`] with an explicit sign (`+5.9`, `-28.6`; zero has none).
pub fn signed(v: f64, decimals: u8) -> String {
    let n = number(v, decimals);
    if n.starts_with('-') || n.chars().all(|c| c == '0' || c == '.' || c == ',') || !v.is_finite() {
        n
    } else {
        format!("+{n}")
    }
}

/// A regression estimate: `decimals` decimals, or three significant digits in
/// scientific notation when the value is non-zero but would print as zero
/// (`1.23e-5`). No thousands separators.
pub fn estimate(v: f64, decimals: u8) -> String {
    let half = 0.5 * 10f64.powi(-(decimals as i32));
    if v != 0.0 && v.is_finite() && v.abs() < half {
        format!("{v:.2e}")
    } else {
        format!("{v:.*}", decimals as usize)
    }
}

/// A quantity: the number (signed when `signed`), `~` first when approximate, then the
/// unit: `330.3bn` (money in the document's currency `shown`), `24.46 CNY tn` (money
/// in another currency), `+5.9%`, `-4.95pp`, `49.2` (index, ratio, count, number),
/// `12 tonnes` (other units).
pub fn quantity(
    value: f64,
    unit: &Unit,
    decimals: u8,
    signed_: bool,
    approximate: bool,
    shown: Option<Currency>,
) -> String {
    // Money under one billion reads in millions (`572.3m`, not `0.57bn`), with one
    // decimal fewer than in billions (none for a figure of one decimal).
    if let Unit::Money {
        currency,
        scale: Scale::Billions,
    } = unit
    {
        if value != 0.0 && value.is_finite() && value.abs() < 0.9995 {
            let in_millions = Unit::Money {
                currency: *currency,
                scale: Scale::Millions,
            };
            let d = decimals.max(1) - 1;
            return quantity(value * 1e3, &in_millions, d, signed_, approximate, shown);
        }
    }
    let n = if signed_ {
        signed(value, decimals)
    } else {
        number(value, decimals)
    };
    let approx = if approximate { "~" } else { "" };
    match unit {
        Unit::Money { currency, scale } if Some(*currency) == shown => {
            format!("{approx}{n}{}", scale.suffix())
        }
        Unit::Money { currency, scale } => match scale {
            Scale::Units => format!("{approx}{n} {currency}"),
            s => format!("{approx}{n} {currency} {}", s.suffix()),
        },
        Unit::Percent => format!("{approx}{n}%"),
        Unit::PercentagePoints => format!("{approx}{n}pp"),
        Unit::Index | Unit::Ratio | Unit::Count | Unit::Number => format!("{approx}{n}"),
        Unit::Other { label } if label.is_empty() => format!("{approx}{n}"),
        Unit::Other { label } => format!("{approx}{n} {label}"),
    }
}

/// A figure's text (without its marker): see [`quantity`].
pub fn figure(f: &Figure, shown: Option<Currency>) -> String {
    quantity(f.value, &f.unit, f.decimals, f.signed, f.approximate, shown)
}

/// The stars of a significance level (`***`).
pub fn stars(n: u8) -> String {
    "*".repeat(n.min(3) as usize)
}

/// The text of a cell without markers: text as is, figures and numbers with their
/// unit, an estimate as `-0.841*** (0.032)`, a missing value as `-`.
pub fn cell(c: &Cell, shown: Option<Currency>) -> String {
    match c {
        Cell::Text { text } => text.clone(),
        Cell::Figure { figure: f } => figure(f, shown),
        Cell::Number {
            value,
            unit,
            decimals,
            signed,
        } => quantity(*value, unit, *decimals, *signed, false, shown),
        Cell::Estimate {
            estimate: e,
            std_error,
            stars: s,
            decimals,
            ..
        } => format!(
            "{}{} ({})",
            estimate(*e, *decimals),
            stars(*s),
            estimate(*std_error, *decimals)
        ),
        Cell::Missing { .. } => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_under_a_billion_reads_in_millions() {
        let usd = Unit::money(Currency::USD, Scale::Billions);
        let s = Some(Currency::USD);
        assert_eq!(quantity(0.5723, &usd, 2, false, false, s), "572.3m");
        assert_eq!(quantity(-0.0412, &usd, 2, true, false, s), "-41.2m");
        assert_eq!(quantity(0.5, &usd, 1, false, true, s), "~500m");
        assert_eq!(quantity(1.0, &usd, 2, false, false, s), "1.00bn");
        assert_eq!(quantity(0.99951, &usd, 2, false, false, s), "1.00bn");
        assert_eq!(quantity(0.0, &usd, 2, false, false, s), "0.00bn");
        let eur = Currency::from_str("EUR").expect("EUR");
        assert_eq!(
            quantity(0.25, &Unit::money(eur, Scale::Billions), 2, false, false, s),
            "250.0 EUR m"
        );
    }

    #[test]
    fn numbers_group_thousands_and_sign_changes() {
        assert_eq!(number(1080.0, 0), "1,080");
        assert_eq!(number(1234567.891, 2), "1,234,567.89");
        assert_eq!(number(-28.6, 1), "-28.6");
        assert_eq!(number(-0.001, 1), "0.0");
        assert_eq!(signed(5.9, 1), "+5.9");
        assert_eq!(signed(-28.6, 1), "-28.6");
        assert_eq!(signed(0.0, 1), "0.0");
        assert_eq!(estimate(-0.84096, 3), "-0.841");
        assert_eq!(estimate(0.0000123, 3), "1.23e-5");
        assert_eq!(estimate(0.0, 3), "0.000");
    }

    #[test]
    fn quantities_carry_their_unit() {
        let usd = Unit::money(Currency::USD, Scale::Billions);
        assert_eq!(
            quantity(330.3, &usd, 1, false, false, Some(Currency::USD)),
            "330.3bn"
        );
        assert_eq!(quantity(330.3, &usd, 1, false, false, None), "330.3 USD bn");
        assert_eq!(
            quantity(1080.0, &usd, 0, false, true, Some(Currency::USD)),
            "~1,080bn"
        );
        let cny = Unit::money(Currency::CNY, Scale::Trillions);
        assert_eq!(
            quantity(24.46, &cny, 2, false, false, Some(Currency::USD)),
            "24.46 CNY tn"
        );
        assert_eq!(
            quantity(22.0, &Unit::Percent, 1, true, true, None),
            "~+22.0%"
        );
        assert_eq!(
            quantity(-4.94, &Unit::PercentagePoints, 2, true, false, None),
            "-4.94pp"
        );
        assert_eq!(
            quantity(28152.0, &Unit::Count, 0, false, false, None),
            "28,152"
        );
    }
}
