//! Currencies and exchange-rate tables: the store holds US dollars, and a value in
//! another currency is converted only with a rate the user gives, never an assumed
//! one.
//!
//! A table is a CSV with a header `currency,period,per_usd,source`: the ISO 4217 code,
//! a month (`2019-05`) or a year (`2019`), the average number of units of the
//! currency per US dollar over that period (the convention of the IMF's
//! International Financial Statistics "rf" series and of national central banks'
//! "average of period" rates), and where the rate comes from. A monthly flow is
//! converted with the monthly average of its month, an annual flow with the annual
//! average of its year: an annual average is never used for a month, nor a month for a
//! year. Every value converted names the table in the dataset's reader description.

use crate::error::IoError;
use entrepot_core::text::display_value;
use entrepot_core::Period;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code: three ASCII letters, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    /// The US dollar.
    pub const USD: CurrencyCode = CurrencyCode(*b"USD");

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CurrencyCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        match t.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_alphabetic()) => Ok(CurrencyCode([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(format!(
                "invalid currency '{}': expected an ISO 4217 code of three letters (USD, JPY, EUR)",
                display_value(t)
            )),
        }
    }
}

/// Average exchange rates by currency and period (see the module docs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FxTable {
    /// The table's file (or label), for messages and provenance.
    pub label: String,
    rates: HashMap<(CurrencyCode, Period), f64>,
    sources: BTreeSet<String>,
}

/// The most rows an exchange-rate table may hold (a century of monthly rates for
/// every currency is far less).
const MAX_FX_ROWS: usize = 1_000_000;

impl FxTable {
    /// Parses a table (`currency,period,per_usd,source`; the `source` column may be
    /// empty only if the file says where its rates come from in no row — it is then
    /// an error: every rate needs a source). Errors name the line and the field.
    pub fn from_csv(label: &str, text: &str) -> Result<FxTable, IoError> {
        let bad = |line: usize, m: String| IoError::Format {
            path: label.to_string(),
            message: format!("line {line}: {m}"),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| bad(1, e.to_string()))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let pos = |name: &str| header.iter().position(|h| h == name);
        let (Some(ic), Some(ip), Some(ir), Some(is)) = (
            pos("currency"),
            pos("period"),
            pos("per_usd"),
            pos("source"),
        ) else {
            return Err(bad(
                1,
                format!(
                    "expected the columns currency,period,per_usd,source; found {}",
                    display_value(&header.join(","))
                ),
            ));
        };
        let mut t = FxTable {
            label: label.to_string(),
            ..FxTable::default()
        };
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            if i >= MAX_FX_ROWS {
                return Err(bad(line, format!("more than {MAX_FX_ROWS} rates")));
            }
            let rec = rec.map_err(|e| bad(line, e.to_string()))?;
            let field = |j: usize| rec.get(j).unwrap_or("").trim();
            let currency: CurrencyCode = field(ic)
                .parse()
                .map_err(|m: String| bad(line, format!("currency: {m}")))?;
            let period: Period = field(ip)
                .parse()
                .map_err(|e: entrepot_core::CoreError| bad(line, format!("period: {e}")))?;
            let rate: f64 = field(ir).parse().map_err(|_| {
                bad(
                    line,
                    format!(
                        "per_usd '{}': expected a number of {currency} per US dollar",
                        display_value(field(ir))
                    ),
                )
            })?;
            if !(rate.is_finite() && rate > 0.0) {
                return Err(bad(
                    line,
                    format!("per_usd {rate}: a rate must be a positive number"),
                ));
            }
            let source = field(is);
            if source.is_empty() {
                return Err(bad(
                    line,
                    "source: empty; every rate needs its source (a URL or a publication)".into(),
                ));
            }
            if t.rates.insert((currency, period), rate).is_some() {
                return Err(bad(line, format!("a second {currency} rate for {period}")));
            }
            t.sources.insert(source.to_string());
        }
        if t.rates.is_empty() {
            return Err(bad(2, "no rates".into()));
        }
        Ok(t)
    }

    /// Units of `currency` per US dollar, averaged over `period` (a month's rate for a
    /// month, a year's for a year); `None` when the table has no such rate.
    pub fn per_usd(&self, currency: CurrencyCode, period: Period) -> Option<f64> {
        self.rates.get(&(currency, period)).copied()
    }

    /// The currencies the table holds.
    pub fn currencies(&self) -> BTreeSet<CurrencyCode> {
        self.rates.keys().map(|(c, _)| *c).collect()
    }

    /// One line for provenance: the file, its rates and their sources.
    pub fn describe(&self) -> String {
        let cur: Vec<String> = self.currencies().iter().map(|c| c.to_string()).collect();
        format!(
            "exchange rates {} ({} period averages of {} per USD; source: {})",
            self.label,
            self.rates.len(),
            cur.join("/"),
            self.sources.iter().cloned().collect::<Vec<_>>().join("; ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "currency,period,per_usd,source
JPY,2019-01,108.97,BoJ monthly average
JPY,2019,109.01,IMF IFS rf
EUR,2019-01,0.8737,ECB
";

    #[test]
    fn rates_by_currency_and_exact_period() {
        let t = FxTable::from_csv("fx.csv", TABLE).expect("table");
        let jpy: CurrencyCode = "jpy".parse().expect("code");
        assert_eq!(jpy.as_str(), "JPY");
        assert_eq!(t.per_usd(jpy, "2019-01".parse().expect("p")), Some(108.97));
        assert_eq!(t.per_usd(jpy, Period::Year(2019)), Some(109.01));
        // no annual rate stands in for a month, nor a month for a year
        assert_eq!(t.per_usd(jpy, "2019-02".parse().expect("p")), None);
        let eur: CurrencyCode = "EUR".parse().expect("code");
        assert_eq!(t.per_usd(eur, Period::Year(2019)), None);
        assert!(
            t.describe()
                .contains("3 period averages of EUR/JPY per USD"),
            "{}",
            t.describe()
        );
    }

    #[test]
    fn bad_tables_name_the_line_and_field() {
        for (text, want) in [
            (
                "currency,period,rate\nJPY,2019,1,x\n",
                "expected the columns",
            ),
            (
                "currency,period,per_usd,source\nYEN,2019,1,x\nXXXX,2019,1,x\n",
                "line 3: currency",
            ),
            (
                "currency,period,per_usd,source\nJPY,2019,0,x\n",
                "line 2: per_usd 0",
            ),
            (
                "currency,period,per_usd,source\nJPY,2019,-1,x\n",
                "positive",
            ),
            (
                "currency,period,per_usd,source\nJPY,2019,abc,x\n",
                "per_usd 'abc'",
            ),
            (
                "currency,period,per_usd,source\nJPY,20x9,1,x\n",
                "line 2: period",
            ),
            (
                "currency,period,per_usd,source\nJPY,2019,1,\n",
                "every rate needs its source",
            ),
            (
                "currency,period,per_usd,source\nJPY,2019,1,a\nJPY,2019,2,b\n",
                "a second JPY rate for 2019",
            ),
            ("currency,period,per_usd,source\n", "no rates"),
        ] {
            let e = FxTable::from_csv("fx.csv", text)
                .expect_err(text)
                .to_string();
            assert!(e.contains(want), "{text}: {e}");
            assert!(e.contains("fx.csv"), "{e}");
        }
    }
}
