//! Number formatting of the brief's statements, on top of `entrepot_doc::format`, so
//! that a number reads the same in a sentence and in every rendering of the brief's
//! document.

use crate::model::{Figure, FigureUnit};

/// Formats `v` with `decimals` decimals and thousands separators (`1,080.5`).
/// Negative numbers use an ASCII minus sign. The same text as every renderer's
/// ([`entrepot_doc::format::number`]).
pub fn number(v: f64, decimals: u8) -> String {
    entrepot_doc::format::number(v, decimals)
}

/// Formats with an explicit sign (`+5.9`, `-28.6`) ([`entrepot_doc::format::signed`]).
pub fn signed(v: f64, decimals: u8) -> String {
    entrepot_doc::format::signed(v, decimals)
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
        FigureUnit::Bn(c) => money_bn(f, c, false),
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
        FigureUnit::Bn(c) => money_bn(f, c, true),
        FigureUnit::Percent => format!("{}{n}%", approx(f)),
        FigureUnit::PercentagePoints => format!("{}{n}pp", approx(f)),
        FigureUnit::Index => format!("{}{n}", approx(f)),
        FigureUnit::Other => format!("{}{n} {}", approx(f), f.unit_label),
    }
}

/// Billions of a currency as every renderer writes them (`330.3bn`; under one
/// billion in millions, `572.3m`): the brief's currency is stated once, in its
/// header, so the figures carry no code.
fn money_bn(f: &Figure, currency: entrepot_doc::Currency, signed: bool) -> String {
    entrepot_doc::format::quantity(
        f.value,
        &entrepot_doc::Unit::money(currency, entrepot_doc::Scale::Billions),
        f.decimals,
        signed,
        f.approximate,
        Some(currency),
    )
}

/// The symbol a reader expects before an amount of `currency`: `$` (the brief of
/// US-dollar data), `¥` for yen, `CN¥` for yuan, `€`, `£`; other currencies their
/// code and a space (`KRW 3tn`).
pub fn symbol(currency: entrepot_doc::Currency) -> String {
    match currency.code() {
        "USD" => "$".into(),
        "JPY" => "¥".into(),
        "CNY" => "CN¥".into(),
        "EUR" => "€".into(),
        "GBP" => "£".into(),
        c => format!("{c} "),
    }
}

/// A threshold in billions of `currency` as words: `$1tn`, `$800bn`, `¥20tn`.
pub fn threshold(bn: f64, currency: entrepot_doc::Currency) -> String {
    let s = symbol(currency);
    if bn >= 1000.0 {
        format!(
            "{s}{}tn",
            number(bn / 1000.0, if bn % 1000.0 == 0.0 { 0 } else { 1 })
        )
    } else {
        format!("{s}{}bn", number(bn, 0))
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
        let usd = entrepot_doc::Currency::USD;
        assert_eq!(threshold(1000.0, usd), "$1tn");
        assert_eq!(threshold(800.0, usd), "$800bn");
        let jpy: entrepot_doc::Currency = "JPY".parse().unwrap();
        assert_eq!(threshold(20000.0, jpy), "¥20tn");
    }
}
