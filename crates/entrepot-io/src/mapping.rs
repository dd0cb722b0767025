//! Column mappings: how the columns of a tidy table (CSV, Parquet, Stata) become the
//! fields of a canonical flow.
//!
//! # Spec strings
//!
//! A mapping can be written as a comma-separated list of `key=value` pairs, e.g.
//!
//! ```text
//! reporter=exp,partner=imp,period=time,value=export,flow=export
//! ```
//!
//! | key | value | required |
//! |---|---|---|
//! | `reporter` | column of reporter codes (ISO3, ISO2, M49/BACI numeric, aliases), or one code for every row | yes |
//! | `partner` | column of partner codes, or one code for every row | yes |
//! | `flow` | a constant flow (`export`, `import`, `re_export`, `re_import`, `X`, `M`, …) or a column of flow codes | with `value` |
//! | `period` | column of periods (`YYYY`, `YYYY-MM`, `YYYY/MM`, `YYYYMM`, `2001M01`, `January 2001`, `Jan 2001`, …; see [`crate::textfmt`]) | `period` or `year` |
//! | `year`, `month` | columns of the year and (optional) month (a number or an English month name); an empty month or month 52 (Comtrade's annual marker) means annual | |
//! | `product` | column of HS codes or `TOTAL`; absent → every row is the total | no |
//! | `hs_revision` (`revision`) | a constant revision (`HS2017`, `H5`, `2017`) or a column | when `product` has HS codes |
//! | `value` | column of trade values | `value`, or `export`/`import` |
//! | `export`, `import` | wide files: a column of export values and/or a column of import values; each row gives up to two flows, and an empty cell gives no flow (not a zero) | instead of `value` and `flow` |
//! | `value_scale` (`scale`) | multiplier to US dollars: a number (`1`, `1000`, `1e6`) or `units`, `thousands`, `millions`, `billions`; default 1 | no |
//! | `quantity` | column of physical quantities | no |
//! | `quantity_unit` (`unit`) | a constant unit (`kg`, `t`, `u`, …) or a column of units | with `quantity` |
//! | `declared_by` | a constant (`reporter`, `mirror`, `reconciled`; default `reporter`) or a column | no |
//!
//! For `flow`, `hs_revision`, `quantity_unit` and `declared_by`, a value that parses as
//! a constant of that kind is taken as a constant; otherwise it names a column. Prefix
//! the value with `col:` to force a column (`flow=col:export` reads a column named
//! `export`). Column names are matched exactly, then case-insensitively.
//!
//! For `reporter` and `partner` the header decides: a value that names a column of the
//! header is that column; a value that is not in the header and is a country code the
//! registry knows (`USA`, `842`, `WLD`, `World`) is a constant, the same country for
//! every row; a value that is both (a column named `USA`) is refused as ambiguous, and
//! one that is neither is a missing column. `col:NAME` forces a column and
//! `const:CODE` a constant (`partner=const:WLD`).
//!
//! A raw official series (one reporter, monthly, wide) reads with e.g.
//!
//! ```text
//! reporter=USA,partner=Partner,period=Period,export=Exports,import=Imports,scale=millions
//! ```

use crate::error::{show_names, IoError, RowError};
use crate::fx::{CurrencyCode, FxTable};
use crate::textfmt::{month_of_name, parse_number, parse_period, DecimalMark};
use crate::validate::{
    check_amount, check_quantity, check_value_usd, check_year, fmt_amount, lossy, trim_bytes, Core,
    FastMap, Prod, Resolved,
};
use entrepot_core::text::display_value;
use entrepot_core::{
    CountryRegistry, Declarant, FlowKind, HsRevision, Period, Quantity, QuantityUnit,
};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Where a field's values come from: a column or a constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Source<T> {
    /// A column of the input, by name.
    Column(String),
    /// The same value for every row.
    Const(T),
}

/// Where the reporter or partner of a row comes from (see the module docs for how a
/// spec value is told apart).
#[derive(Debug, Clone, PartialEq)]
pub enum CountrySource {
    /// A column, by name (`col:NAME`).
    Column(String),
    /// The same country code for every row (`const:CODE`).
    Const(String),
    /// A bare value: the column of that name when the header has one, else the
    /// country of that code; refused when it is both.
    ColumnOrConst(String),
}

impl CountrySource {
    fn parse(s: &str) -> Self {
        if let Some(c) = s.strip_prefix("col:") {
            CountrySource::Column(c.to_string())
        } else if let Some(c) = s.strip_prefix("const:") {
            CountrySource::Const(c.trim().to_string())
        } else {
            CountrySource::ColumnOrConst(s.to_string())
        }
    }
}

impl fmt::Display for CountrySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountrySource::Column(c) => write!(f, "col:{c}"),
            CountrySource::Const(c) => write!(f, "const:{c}"),
            CountrySource::ColumnOrConst(c) => f.write_str(c),
        }
    }
}

/// Where the values (and flows) of a row come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueColumns {
    /// One value column; the flow is a constant or a column (`value=…,flow=…`).
    Long {
        /// Flow column or constant.
        flow: Source<FlowKind>,
        /// Value column.
        value: String,
    },
    /// Wide files: a column of export values and/or a column of import values
    /// (`export=…,import=…`). Each row gives up to two flows; an empty cell gives no
    /// flow.
    Wide {
        /// Export value column.
        export: Option<String>,
        /// Import value column.
        import: Option<String>,
    },
}

/// Where the period of a row comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum PeriodSource {
    /// One column holding `YYYY`, `YYYY-MM` or `YYYYMM`.
    Column(String),
    /// A year column and an optional month column.
    YearMonth {
        /// The year column.
        year: String,
        /// The month column (empty or 52 = annual).
        month: Option<String>,
    },
}

/// How the columns of a tidy table map to the fields of a flow (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMapping {
    /// Reporter column or constant.
    pub reporter: CountrySource,
    /// Partner column or constant.
    pub partner: CountrySource,
    /// Value column(s) and flow.
    pub values: ValueColumns,
    /// Period column(s).
    pub period: PeriodSource,
    /// Product column; `None` means every row is the total.
    pub product: Option<String>,
    /// HS revision of the product codes (constant or column); falls back to the
    /// reader's `hs_revision` option.
    pub hs_revision: Option<Source<HsRevision>>,
    /// Multiplier from the value column(s) to US dollars (1, 1e3, 1e6, …).
    pub value_scale: f64,
    /// Quantity column.
    pub quantity: Option<String>,
    /// Unit of the quantity (constant or column).
    pub quantity_unit: Option<Source<QuantityUnit>>,
    /// Who declared the flows (constant or column).
    pub declared_by: Source<Declarant>,
    /// The currency of the value column(s) (a constant ISO 4217 code or a column);
    /// `None`: US dollars. Values in another currency are converted to US dollars with
    /// [`fx`](Self::fx) when it is given, and otherwise kept in their own currency
    /// (one currency per file: a row in another currency than the earlier rows is a
    /// bad row).
    pub currency: Option<Source<CurrencyCode>>,
    /// The exchange-rate table for values that are not in US dollars (set by the
    /// caller, not by the spec string).
    pub fx: Option<Arc<FxTable>>,
}

impl ColumnMapping {
    /// The mapping of a table in the canonical schema (see [`crate::schema`]).
    pub fn canonical() -> Self {
        ColumnMapping {
            reporter: CountrySource::Column("reporter".into()),
            partner: CountrySource::Column("partner".into()),
            values: ValueColumns::Long {
                flow: Source::Column("flow".into()),
                value: "value_usd".into(),
            },
            period: PeriodSource::Column("period".into()),
            product: Some("product".into()),
            hs_revision: Some(Source::Column("hs_revision".into())),
            value_scale: 1.0,
            quantity: Some("quantity".into()),
            quantity_unit: Some(Source::Column("quantity_unit".into())),
            declared_by: Source::Column("declared_by".into()),
            currency: None,
            fx: None,
        }
    }

    /// Parses a spec string (see the module docs).
    pub fn parse(spec: &str) -> Result<Self, IoError> {
        let bad = |m: String| IoError::Format {
            path: "column mapping".into(),
            message: m,
        };
        const KEYS: [&str; 18] = [
            "currency",
            "reporter",
            "partner",
            "flow",
            "period",
            "year",
            "month",
            "product",
            "hs_revision",
            "revision",
            "value",
            "export",
            "import",
            "value_scale",
            "scale",
            "quantity",
            "quantity_unit",
            "unit",
        ];
        let mut kv: Vec<(String, String)> = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("'{}' is not key=value", display_value(part))))?;
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().to_string();
            if v.is_empty() {
                return Err(bad(format!("empty value for '{}'", display_value(&k))));
            }
            if !KEYS.contains(&k.as_str()) && k != "declared_by" {
                let mut keys: Vec<&str> = KEYS.to_vec();
                keys.push("declared_by");
                let s = entrepot_core::error::closest(&k, keys.iter().copied(), 2);
                let hint = if s.is_empty() {
                    String::new()
                } else {
                    format!(" (did you mean {}?)", s.join(", "))
                };
                return Err(bad(format!("unknown key '{}'{hint}", display_value(&k))));
            }
            if kv.iter().any(|(a, _)| *a == k) {
                return Err(bad(format!("key '{}' given twice", display_value(&k))));
            }
            kv.push((k, v));
        }
        let get = |names: &[&str]| -> Option<String> {
            kv.iter()
                .find(|(k, _)| names.contains(&k.as_str()))
                .map(|(_, v)| v.clone())
        };
        let need =
            |name: &str| get(&[name]).ok_or_else(|| bad(format!("missing required key '{name}'")));
        let period = match (get(&["period"]), get(&["year"])) {
            (Some(p), None) => {
                if get(&["month"]).is_some() {
                    return Err(bad("'month' goes with 'year', not with 'period'".into()));
                }
                PeriodSource::Column(p)
            }
            (None, Some(y)) => PeriodSource::YearMonth {
                year: y,
                month: get(&["month"]),
            },
            (Some(_), Some(_)) => {
                return Err(bad(
                    "give either 'period' or 'year' (+ 'month'), not both".into()
                ))
            }
            (None, None) => return Err(bad("missing required key 'period' (or 'year')".into())),
        };
        let value_scale = match get(&["value_scale", "scale"]) {
            None => 1.0,
            Some(s) => parse_scale(&s).ok_or_else(|| {
                bad(format!(
                    "invalid value_scale '{}': expected a positive number or units/thousands/millions/billions",
                    display_value(&s)
                ))
            })?,
        };
        let quantity = get(&["quantity"]);
        let quantity_unit = get(&["quantity_unit", "unit"]).map(|s| source_of::<QuantityUnit>(&s));
        if quantity.is_some() != quantity_unit.is_some() {
            return Err(bad(if quantity.is_some() {
                "'quantity' needs a 'quantity_unit' (a constant unit or a column)".into()
            } else {
                "'quantity_unit' given without a 'quantity' column".into()
            }));
        }
        let values = match (get(&["export"]), get(&["import"])) {
            (None, None) => ValueColumns::Long {
                flow: source_of::<FlowKind>(&need("flow")?),
                value: need("value")?,
            },
            (export, import) => {
                if get(&["value"]).is_some() || get(&["flow"]).is_some() {
                    return Err(bad(
                        "give either 'value' and 'flow' (one value column) or 'export'/'import' (wide files: a column of export values and/or one of import values), not both".into(),
                    ));
                }
                if quantity.is_some() {
                    return Err(bad(
                        "'quantity' goes with one 'value' column, not with 'export'/'import'"
                            .into(),
                    ));
                }
                ValueColumns::Wide { export, import }
            }
        };
        Ok(ColumnMapping {
            reporter: CountrySource::parse(&need("reporter")?),
            partner: CountrySource::parse(&need("partner")?),
            values,
            period,
            product: get(&["product"]),
            hs_revision: get(&["hs_revision", "revision"]).map(|s| source_of::<HsRevision>(&s)),
            value_scale,
            quantity,
            quantity_unit,
            declared_by: get(&["declared_by"])
                .map(|s| source_of::<Declarant>(&s))
                .unwrap_or(Source::Const(Declarant::Reporter)),
            currency: get(&["currency"]).map(|s| source_of::<CurrencyCode>(&s)),
            fx: None,
        })
    }
}

impl FromStr for ColumnMapping {
    type Err = IoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ColumnMapping::parse(s)
    }
}

impl fmt::Display for ColumnMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn src<T: fmt::Display>(s: &Source<T>) -> String {
            match s {
                Source::Column(c) => format!("col:{c}"),
                Source::Const(v) => v.to_string(),
            }
        }
        write!(f, "reporter={},partner={}", self.reporter, self.partner)?;
        match &self.values {
            ValueColumns::Long { flow, value } => write!(f, ",flow={},value={value}", src(flow))?,
            ValueColumns::Wide { export, import } => {
                if let Some(e) = export {
                    write!(f, ",export={e}")?;
                }
                if let Some(i) = import {
                    write!(f, ",import={i}")?;
                }
            }
        }
        match &self.period {
            PeriodSource::Column(c) => write!(f, ",period={c}")?,
            PeriodSource::YearMonth { year, month } => {
                write!(f, ",year={year}")?;
                if let Some(m) = month {
                    write!(f, ",month={m}")?;
                }
            }
        }
        if let Some(p) = &self.product {
            write!(f, ",product={p}")?;
        }
        if let Some(r) = &self.hs_revision {
            write!(f, ",hs_revision={}", src(r))?;
        }
        write!(f, ",value_scale={}", self.value_scale)?;
        if let Some(q) = &self.quantity {
            write!(f, ",quantity={q}")?;
        }
        if let Some(u) = &self.quantity_unit {
            write!(f, ",quantity_unit={}", src(u))?;
        }
        match &self.declared_by {
            Source::Column(c) => write!(f, ",declared_by=col:{c}")?,
            Source::Const(d) => write!(f, ",declared_by={}", d.as_str())?,
        }
        if let Some(c) = &self.currency {
            write!(f, ",currency={}", src(c))?;
        }
        if let Some(t) = &self.fx {
            write!(f, " with {}", t.describe())?;
        }
        Ok(())
    }
}

fn parse_scale(s: &str) -> Option<f64> {
    let v = match s.trim().to_ascii_lowercase().as_str() {
        "units" | "unit" | "usd" => 1.0,
        "thousands" | "thousand" | "k" => 1e3,
        "millions" | "million" | "m" | "mn" => 1e6,
        "billions" | "billion" | "bn" => 1e9,
        t => t.parse::<f64>().ok()?,
    };
    (v.is_finite() && v > 0.0).then_some(v)
}

fn source_of<T: FromStr>(s: &str) -> Source<T> {
    if let Some(c) = s.strip_prefix("col:") {
        return Source::Column(c.to_string());
    }
    match s.parse::<T>() {
        Ok(v) => Source::Const(v),
        Err(_) => Source::Column(s.to_string()),
    }
}

/// One cell of an input row, as seen by the mapper.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    /// Text (CSV field, string column).
    Text(&'a [u8]),
    /// A number (numeric Parquet or Stata column, JSON number).
    Num(f64),
    /// Missing.
    Null,
}

impl Cell<'_> {
    fn is_null(&self) -> bool {
        match self {
            Cell::Null => true,
            Cell::Text(t) => trim_bytes(t).is_empty(),
            Cell::Num(_) => false,
        }
    }

    /// Text for error messages.
    fn show(&self) -> String {
        match self {
            Cell::Text(t) => lossy(t),
            Cell::Num(v) => fmt_num(*v),
            Cell::Null => String::new(),
        }
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        fmt_amount(v)
    }
}

/// Random access to the cells of one input row.
pub(crate) trait RowAccess {
    /// The cell at a column index.
    fn cell(&self, idx: usize) -> Cell<'_>;
    /// The byte offset of a column's text in the file, when known (for UTF-8 errors).
    fn offset_of(&self, _idx: usize) -> Option<u64> {
        None
    }
}

#[derive(Debug, Clone, Copy)]
enum Src<T> {
    Col(usize),
    Const(T),
}

/// What to do with Comtrade rows that are a breakdown (by second partner, mode of
/// transport or customs procedure) rather than the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BreakdownPolicy {
    /// Reject them as bad rows (the default): storing them next to the totals would
    /// double count.
    #[default]
    Reject,
    /// Skip them, counting them (see [`crate::tidy::CsvFlowReader::skipped`]).
    Skip,
    /// Accept them as if they were totals (for files that hold one breakdown only).
    Accept,
}

/// Comtrade-specific column checks.
#[derive(Debug, Clone, Default)]
pub(crate) struct ComtradeChecks {
    /// (column index, column name, the value(s) that mean "total").
    pub checks: Vec<(usize, String, &'static [&'static str])>,
    pub policy: BreakdownPolicy,
}

/// The second flow of a wide row (its import when it has an export too) and its
/// value in US dollars.
type SecondFlow = (FlowKind, f64);

/// A resolved reporter or partner: a column, or one code for every row.
#[derive(Debug, Clone)]
enum CountryCol {
    Col(usize),
    Const(Box<[u8]>),
}

/// Resolved value columns.
#[derive(Debug, Clone, Copy)]
enum Values {
    Long {
        flow: Src<FlowKind>,
        value: usize,
    },
    Wide {
        export: Option<usize>,
        import: Option<usize>,
    },
}

/// A mapping resolved against a header: column indices and caches.
pub(crate) struct Mapper {
    names: Vec<String>,
    reporter: CountryCol,
    partner: CountryCol,
    values: Values,
    period: Option<usize>,
    year: Option<usize>,
    month: Option<usize>,
    product: Option<usize>,
    revision: Option<Src<HsRevision>>,
    scale: f64,
    /// The decimal mark of numbers in text cells.
    pub decimal: DecimalMark,
    quantity: Option<usize>,
    unit: Option<Src<QuantityUnit>>,
    declared: Src<Declarant>,
    /// The currency of the values (`None`: US dollars) and the rates to convert them.
    currency: Option<Src<CurrencyCode>>,
    fx: Option<Arc<FxTable>>,
    currencies: FastMap<Box<[u8]>, Result<CurrencyCode, String>>,
    /// The currency of the values returned so far (US dollars once converted); `None`
    /// before the first row when the currency is a column and no rates are given.
    kept: Option<CurrencyCode>,
    pub comtrade: Option<ComtradeChecks>,
    pub skipped: u64,
    flows: FastMap<Box<[u8]>, Result<FlowKind, String>>,
    periods: FastMap<Box<[u8]>, Result<Period, String>>,
    revisions: FastMap<Box<[u8]>, Result<HsRevision, String>>,
    units: FastMap<Box<[u8]>, Result<ScaledUnit, String>>,
}

/// Finds a column by name: exactly, then case-insensitively.
pub(crate) fn find_column(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
}

/// All the positions of the column [`find_column`] finds: those with exactly its
/// name, else those equal to it ignoring case.
pub(crate) fn column_positions(header: &[String], name: &str) -> Vec<usize> {
    let exact: Vec<usize> = (0..header.len()).filter(|&i| header[i] == name).collect();
    if !exact.is_empty() {
        return exact;
    }
    (0..header.len())
        .filter(|&i| header[i].eq_ignore_ascii_case(name))
        .collect()
}

/// The error for a column that the header holds more than once (`positions` are
/// 0-based; the message gives them 1-based). `role` is the field it is mapped to
/// (`reporter`), or empty.
pub(crate) fn repeated_column(path: &str, role: &str, name: &str, positions: &[usize]) -> IoError {
    let at: Vec<String> = positions.iter().map(|p| (p + 1).to_string()).collect();
    let at = match at.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => at.join(""),
    };
    IoError::Format {
        path: path.to_string(),
        message: format!(
            "the {role}{}column '{}' appears {} times in the header, at columns {at}: rename or remove the extra column(s) so that the mapping is not ambiguous",
            if role.is_empty() { "" } else { " " },
            display_value(name),
            positions.len()
        ),
    }
}

impl Mapper {
    /// Resolves `m` against a header; missing columns are a format error that lists
    /// the columns present.
    pub(crate) fn new(
        path: &str,
        header: &[String],
        m: &ColumnMapping,
        default_revision: Option<HsRevision>,
    ) -> Result<Self, IoError> {
        let col = |role: &str, name: &str| -> Result<usize, IoError> {
            match column_positions(header, name).as_slice() {
                [one] => Ok(*one),
                [] => {
                    let s =
                        entrepot_core::error::closest(name, header.iter().map(String::as_str), 2);
                    let hint = if s.is_empty() {
                        String::new()
                    } else {
                        format!(" (did you mean {}?)", show_names(&s, ", "))
                    };
                    Err(IoError::Format {
                        path: path.to_string(),
                        message: format!(
                            "the {role} column '{}' is not in the header{hint}; columns are: {}",
                            display_value(name),
                            show_names(header, ", ")
                        ),
                    })
                }
                many => Err(repeated_column(path, role, name, many)),
            }
        };
        fn src<T: Copy>(
            s: &Source<T>,
            role: &str,
            col: &dyn Fn(&str, &str) -> Result<usize, IoError>,
        ) -> Result<Src<T>, IoError> {
            Ok(match s {
                Source::Column(c) => Src::Col(col(role, c)?),
                Source::Const(v) => Src::Const(*v),
            })
        }
        let country = |role: &str, s: &CountrySource| -> Result<CountryCol, IoError> {
            Ok(match s {
                CountrySource::Column(c) => CountryCol::Col(col(role, c)?),
                CountrySource::Const(c) => CountryCol::Const(c.as_bytes().into()),
                CountrySource::ColumnOrConst(v) => {
                    let in_header = !column_positions(header, v).is_empty();
                    let is_code = CountryRegistry::builtin().resolve_code(v).is_ok();
                    match (in_header, is_code) {
                        (true, true) => {
                            return Err(IoError::Format {
                                path: path.to_string(),
                                message: format!(
                                    "{role}={v}: ambiguous, '{v}' is both a column of the header and a country code: write {role}=col:{v} for the column or {role}=const:{v} for the same country on every row",
                                    v = display_value(v)
                                ),
                            })
                        }
                        (false, true) => CountryCol::Const(v.as_bytes().into()),
                        (true, false) => CountryCol::Col(col(role, v)?),
                        (false, false) => CountryCol::Col(col(role, v).map_err(|e| match e {
                            IoError::Format { path, message } => IoError::Format {
                                path,
                                message: format!(
                                    "{message}; '{}' is not a known country code either (a code such as {role}=USA gives the same country on every row)",
                                    display_value(v)
                                ),
                            },
                            other => other,
                        })?),
                    }
                }
            })
        };
        let reporter = country("reporter", &m.reporter)?;
        let partner = country("partner", &m.partner)?;
        let values = match &m.values {
            ValueColumns::Long { flow, value } => Values::Long {
                flow: src(flow, "flow", &col)?,
                value: col("value", value)?,
            },
            ValueColumns::Wide { export, import } => Values::Wide {
                export: export.as_deref().map(|c| col("export", c)).transpose()?,
                import: import.as_deref().map(|c| col("import", c)).transpose()?,
            },
        };
        let (period, year, month) = match &m.period {
            PeriodSource::Column(c) => (Some(col("period", c)?), None, None),
            PeriodSource::YearMonth { year, month } => (
                None,
                Some(col("year", year)?),
                month.as_deref().map(|mm| col("month", mm)).transpose()?,
            ),
        };
        Ok(Mapper {
            names: header.to_vec(),
            reporter,
            partner,
            values,
            period,
            year,
            month,
            product: m
                .product
                .as_deref()
                .map(|p| col("product", p))
                .transpose()?,
            revision: match &m.hs_revision {
                Some(s) => Some(src(s, "hs_revision", &col)?),
                None => default_revision.map(Src::Const),
            },
            scale: m.value_scale,
            decimal: DecimalMark::Auto,
            quantity: m
                .quantity
                .as_deref()
                .map(|q| col("quantity", q))
                .transpose()?,
            unit: m
                .quantity_unit
                .as_ref()
                .map(|u| src(u, "quantity_unit", &col))
                .transpose()?,
            declared: src(&m.declared_by, "declared_by", &col)?,
            currency: match &m.currency {
                Some(s) => Some(src(s, "currency", &col)?),
                None => {
                    // A currency column the mapping does not use: its values would be
                    // read as US dollars. Refused: a currency is never assumed.
                    if let Some(i) = header.iter().position(|h| {
                        matches!(
                            h.trim().to_ascii_lowercase().as_str(),
                            "currency" | "currency_code" | "curr" | "ccy"
                        )
                    }) {
                        return Err(IoError::Format {
                            path: path.to_string(),
                            message: format!(
                                "the file has a currency column '{}' that the mapping does not use: map it (currency={}) so that values not in US dollars are converted with an exchange-rate table (--fx), or refused; Entrepôt never assumes a currency",
                                display_value(&header[i]),
                                display_value(&header[i])
                            ),
                        });
                    }
                    None
                }
            },
            kept: match (&m.currency, &m.fx) {
                (None, _) | (Some(Source::Column(_)), Some(_)) => Some(CurrencyCode::USD),
                (Some(Source::Const(c)), None) => Some(*c),
                (Some(Source::Const(_)), Some(_)) => Some(CurrencyCode::USD),
                (Some(Source::Column(_)), None) => None,
            },
            fx: m.fx.clone(),
            currencies: FastMap::default(),
            comtrade: None,
            skipped: 0,
            flows: FastMap::default(),
            periods: FastMap::default(),
            revisions: FastMap::default(),
            units: FastMap::default(),
        })
    }

    fn name(&self, idx: usize) -> &str {
        self.names.get(idx).map(String::as_str).unwrap_or("")
    }

    /// What to check when a value is implausible after scaling.
    fn scale_hint(&self) -> String {
        if self.scale == 1.0 {
            "check that the value column holds US dollars, or set value_scale in the mapping"
                .to_string()
        } else {
            format!(
                "check value_scale (now {}: the value column is multiplied by it to give US dollars)",
                fmt_amount(self.scale)
            )
        }
    }

    /// Validates one row and hands it to `core` (accepted, or rejected by policy).
    pub(crate) fn process<R: RowAccess + ?Sized>(
        &mut self,
        core: &mut Core,
        row: &R,
        line: u64,
    ) -> Result<(), IoError> {
        match self.resolve(core, row, line) {
            Ok(Some((r, second))) => {
                core.accept(&r, line)?;
                match second {
                    // The import of a wide row: same key but for the flow.
                    Some((flow, value_usd)) => core.accept(
                        &Resolved {
                            flow,
                            value_usd,
                            ..r
                        },
                        line,
                    ),
                    None => Ok(()),
                }
            }
            Ok(None) => Ok(()),
            Err(e) => core.reject(e),
        }
    }

    fn text<'a, R: RowAccess + ?Sized>(
        &self,
        core: &Core,
        row: &'a R,
        idx: usize,
        line: u64,
    ) -> Result<TextCell<'a>, Box<RowError>> {
        match row.cell(idx) {
            Cell::Text(t) => match std::str::from_utf8(t) {
                Ok(_) => Ok(TextCell::Bytes(trim_bytes(t))),
                Err(e) => {
                    let at = row
                        .offset_of(idx)
                        .map(|o| {
                            format!("byte offset {} of the file, ", o + e.valid_up_to() as u64)
                        })
                        .unwrap_or_default();
                    Err(core.err(
                        line,
                        self.name(idx),
                        Some(lossy(t)),
                        format!(
                            "invalid UTF-8 at {at}line {line} (byte {} of the field)",
                            e.valid_up_to()
                        ),
                    ))
                }
            },
            Cell::Num(v) => Ok(TextCell::Owned(fmt_num(v))),
            Cell::Null => Ok(TextCell::Bytes(b"")),
        }
    }

    fn number<R: RowAccess + ?Sized>(
        &self,
        core: &Core,
        row: &R,
        idx: usize,
        line: u64,
    ) -> Result<Option<f64>, Box<RowError>> {
        let c = row.cell(idx);
        let v = match c {
            Cell::Null => return Ok(None),
            Cell::Num(v) => v,
            Cell::Text(t) => {
                let t = trim_bytes(t);
                if t.is_empty() {
                    return Ok(None);
                }
                let s = std::str::from_utf8(t).map_err(|e| {
                    core.err(line, self.name(idx), Some(lossy(t)), format!("invalid UTF-8 at line {line} (byte {} of the field): expected a number", e.valid_up_to()))
                })?;
                parse_number(s, self.decimal)
                    .map_err(|m| core.err(line, self.name(idx), Some(s.to_string()), m))?
            }
        };
        check_amount(v)
            .map(Some)
            .map_err(|m| core.err(line, self.name(idx), Some(c.show()), m))
    }

    /// A row's flow, and for a wide row with both values the second flow and value
    /// (the rest of its key is the first's).
    fn resolve<R: RowAccess + ?Sized>(
        &mut self,
        core: &mut Core,
        row: &R,
        line: u64,
    ) -> Result<Option<(Resolved, Option<SecondFlow>)>, Box<RowError>> {
        if let Some(ct) = &self.comtrade {
            for (idx, name, totals) in &ct.checks {
                let c = row.cell(*idx);
                if c.is_null() {
                    continue;
                }
                let s = c.show();
                let t = s.trim();
                if totals.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                    continue;
                }
                match ct.policy {
                    BreakdownPolicy::Accept => {}
                    BreakdownPolicy::Skip => {
                        self.skipped += 1;
                        return Ok(None);
                    }
                    BreakdownPolicy::Reject => {
                        return Err(core.err(
                            line,
                            name,
                            Some(t.to_string()),
                            format!(
                                "a breakdown row ({name} = {}), not the total: expected {} or empty (allow breakdowns with the Comtrade breakdown option)",
                                display_value(t),
                                totals.join("/")
                            ),
                        ))
                    }
                }
            }
        }
        // reporter, partner
        let cc = |core: &mut Core,
                  c: &CountryCol,
                  role: &str,
                  this: &Self|
         -> Result<u16, Box<RowError>> {
            match c {
                CountryCol::Col(idx) => {
                    let t = this.text(core, row, *idx, line)?;
                    core.country(t.bytes())
                        .map_err(|m| core.err(line, this.name(*idx), Some(t.show()), m.to_string()))
                }
                CountryCol::Const(code) => core.country(code).map_err(|m| {
                    core.err(
                        line,
                        role,
                        Some(lossy(code)),
                        format!("the {role} constant of the mapping: {m}"),
                    )
                }),
            }
        };
        let reporter = cc(core, &self.reporter, "reporter", self)?;
        let partner = cc(core, &self.partner, "partner", self)?;
        // flow and value: one value column, or export and import columns
        let (flow, value, second) = match self.values {
            Values::Long { flow, value } => {
                let flow = match flow {
                    Src::Const(f) => f,
                    Src::Col(i) => {
                        let t = self.text(core, row, i, line)?;
                        cached(&mut self.flows, t.bytes(), |s| {
                            s.parse::<FlowKind>().map_err(|e| e.to_string())
                        })
                        .map_err(|m| core.err(line, self.name(i), Some(t.show()), m))?
                    }
                };
                let v = self.usd(core, row, value, line)?.ok_or_else(|| {
                    core.err(
                        line,
                        self.name(value),
                        None,
                        "missing value: expected a non-negative number",
                    )
                })?;
                (flow, v, None)
            }
            Values::Wide { export, import } => {
                let one = |idx: Option<usize>, flow: FlowKind| {
                    Ok::<_, Box<RowError>>(match idx {
                        Some(i) => self.usd(core, row, i, line)?.map(|v| (flow, v)),
                        None => None,
                    })
                };
                let x = one(export, FlowKind::Export)?;
                let m = one(import, FlowKind::Import)?;
                match (x, m) {
                    (Some((f, v)), second) => (f, v, second),
                    (None, Some((f, v))) => (f, v, None),
                    // Both cells empty: no flow.
                    (None, None) => return Ok(None),
                }
            }
        };
        let period = self.period(core, row, line)?;
        // currency: values not in US dollars are converted with the rate of their
        // period, or refused
        let (value, second) = match self.currency {
            None => (value, second),
            Some(c) => {
                let (cur, col) = match c {
                    Src::Const(c) => (c, "currency".to_string()),
                    Src::Col(i) => {
                        let t = self.text(core, row, i, line)?;
                        let c = cached(&mut self.currencies, t.bytes(), |s| {
                            s.parse::<CurrencyCode>()
                        })
                        .map_err(|m| core.err(line, self.name(i), Some(t.show()), m))?;
                        (c, self.name(i).to_string())
                    }
                };
                if self.fx.is_none() {
                    // Kept in its own currency: one currency per file.
                    match self.kept {
                        Some(k) if k != cur => {
                            return Err(core.err(
                                line,
                                &col,
                                Some(cur.to_string()),
                                format!(
                                    "values in {cur}, but the earlier rows are in {k}: a dataset holds values in one currency and Entrepôt never sums or compares two; convert them to US dollars with an exchange-rate table (--fx FILE: currency,period,per_usd,source), or ingest each currency as a dataset of its own"
                                ),
                            ))
                        }
                        Some(_) => {}
                        None => self.kept = Some(cur),
                    }
                    (value, second)
                } else if cur == CurrencyCode::USD {
                    (value, second)
                } else {
                    let rate = self
                        .rate(cur, period)
                        .map_err(|m| core.err(line, &col, Some(cur.to_string()), m))?;
                    let conv = |v: f64| {
                        check_value_usd(v / rate, 1.0, || {
                            format!("after conversion from {cur} at {rate} per USD")
                        })
                        .map_err(|m| core.err(line, &col, Some(cur.to_string()), m))
                    };
                    let second = match second {
                        Some((f, v)) => Some((f, conv(v)?)),
                        None => None,
                    };
                    (conv(value)?, second)
                }
            }
        };
        // product
        let product = match self.product {
            None => Prod::Total,
            Some(i) => {
                let t = self.text(core, row, i, line)?;
                let b = t.bytes();
                if b.eq_ignore_ascii_case(b"TOTAL") {
                    Prod::Total
                } else if b.is_empty() {
                    return Err(core.err(
                        line,
                        self.name(i),
                        None,
                        "missing product code: expected an HS code or TOTAL",
                    ));
                } else {
                    let rev = match self.revision {
                        None => {
                            return Err(core.err(
                                line,
                                self.name(i),
                                Some(t.show()),
                                "no HS revision for this product code: set the HS revision with --hs REV (e.g. --hs HS2017) or map hs_revision=… (a constant such as HS2017, or a column)",
                            ))
                        }
                        Some(Src::Const(r)) => r,
                        Some(Src::Col(ri)) => {
                            let rt = self.text(core, row, ri, line)?;
                            cached(&mut self.revisions, rt.bytes(), |s| {
                                if s.is_empty() {
                                    Err("missing HS revision: expected HS1992…HS2022 or H0…H6".to_string())
                                } else {
                                    s.parse::<HsRevision>().map_err(|e| e.to_string())
                                }
                            })
                            .map_err(|m| core.err(line, self.name(ri), Some(rt.show()), m))?
                        }
                    };
                    let code = core
                        .product(rev, b)
                        .map_err(|m| core.err(line, self.name(i), Some(t.show()), m.to_string()))?;
                    Prod::Hs(rev, code)
                }
            }
        };
        // quantity
        let quantity = self.quantity(core, row, line)?;
        let declared_by = match self.declared {
            Src::Const(d) => d,
            Src::Col(i) => {
                let t = self.text(core, row, i, line)?;
                let s = t.show();
                s.trim()
                    .parse::<Declarant>()
                    .map_err(|e| core.err(line, self.name(i), Some(s.clone()), e.to_string()))?
            }
        };
        Ok(Some((
            Resolved {
                reporter,
                partner,
                flow,
                period,
                product,
                value_usd: value,
                quantity,
                declared_by,
            },
            second,
        )))
    }

    /// The currency of the values returned so far (see [`crate::FlowReader::currency`]).
    pub(crate) fn currency(&self) -> Option<CurrencyCode> {
        self.kept
    }

    /// ` with exchange rates FILE (…)` when values are converted from another currency,
    /// for the reader's description (kept in the manifest).
    pub(crate) fn fx_note(&self) -> String {
        match &self.fx {
            Some(t) => format!(" with {}", t.describe()),
            None => String::new(),
        }
    }

    /// Units of `cur` per US dollar for `period`, from the exchange-rate table.
    fn rate(&self, cur: CurrencyCode, period: Period) -> Result<f64, String> {
        let Some(t) = &self.fx else {
            return Err(format!(
                "values in {cur}: the store holds US dollars and Entrepôt never assumes an exchange rate; give a table of {cur} rates with --fx FILE (currency,period,per_usd,source)"
            ));
        };
        t.per_usd(cur, period).ok_or_else(|| {
            format!(
                "no {cur} rate for {period} in the exchange-rate table {} (a {} value needs the {} average of its {})",
                t.label,
                if period.is_monthly() { "monthly" } else { "annual" },
                if period.is_monthly() { "monthly" } else { "annual" },
                if period.is_monthly() { "month" } else { "year" }
            )
        })
    }

    /// A value cell in US dollars (scaled and checked), `None` when empty.
    fn usd<R: RowAccess + ?Sized>(
        &self,
        core: &Core,
        row: &R,
        idx: usize,
        line: u64,
    ) -> Result<Option<f64>, Box<RowError>> {
        match self.number(core, row, idx, line)? {
            Some(v) => check_value_usd(v, self.scale, || self.scale_hint())
                .map(Some)
                .map_err(|m| core.err(line, self.name(idx), Some(row.cell(idx).show()), m)),
            None => Ok(None),
        }
    }

    fn period<R: RowAccess + ?Sized>(
        &mut self,
        core: &Core,
        row: &R,
        line: u64,
    ) -> Result<Period, Box<RowError>> {
        if let Some(i) = self.period {
            let t = self.text(core, row, i, line)?;
            return cached(&mut self.periods, t.bytes(), parse_period)
                .map_err(|m| core.err(line, self.name(i), Some(t.show()), m));
        }
        let yi = self.year.unwrap_or(0);
        let int = |idx: usize| -> Result<Option<i64>, Box<RowError>> {
            let c = row.cell(idx);
            let bad = |m: String| core.err(line, self.name(idx), Some(c.show()), m);
            match c {
                Cell::Null => Ok(None),
                Cell::Num(v) if v.fract() == 0.0 && v.abs() < 1e9 => Ok(Some(v as i64)),
                Cell::Num(v) => Err(bad(format!("expected an integer, found {}", fmt_amount(v)))),
                Cell::Text(t) => {
                    let t = trim_bytes(t);
                    if t.is_empty() {
                        return Ok(None);
                    }
                    let s = std::str::from_utf8(t)
                        .map_err(|_| bad("invalid UTF-8: expected an integer".into()))?;
                    if idx != yi {
                        // A month column may spell its months (January, Jan).
                        if let Some(m) = month_of_name(s.trim()) {
                            return Ok(Some(i64::from(m)));
                        }
                    }
                    s.parse::<i64>()
                        .or_else(|e| match s.parse::<f64>() {
                            Ok(f) if f.fract() == 0.0 && f.abs() < 1e9 => Ok(f as i64),
                            _ => Err(e),
                        })
                        .map(Some)
                        .map_err(|_| {
                            bad(format!("expected an integer, found '{}'", display_value(s)))
                        })
                }
            }
        };
        let y = int(yi)?.ok_or_else(|| core.err(line, self.name(yi), None, "missing year"))?;
        let y = check_year(y).map_err(|m| core.err(line, self.name(yi), Some(y.to_string()), m))?;
        let m = match self.month {
            None => None,
            Some(mi) => match int(mi)? {
                None | Some(52) => None,
                Some(m) if (1..=12).contains(&m) => Some(m as u8),
                Some(m) => {
                    return Err(core.err(
                        line,
                        self.name(mi),
                        Some(m.to_string()),
                        "month out of range: expected 1-12, empty or 52 (annual)",
                    ))
                }
            },
        };
        Ok(match m {
            None => Period::Year(y),
            Some(m) => Period::Month { year: y, month: m },
        })
    }

    fn quantity<R: RowAccess + ?Sized>(
        &mut self,
        core: &Core,
        row: &R,
        line: u64,
    ) -> Result<Option<Quantity>, Box<RowError>> {
        let Some(qi) = self.quantity else {
            return Ok(None);
        };
        let q = self.number(core, row, qi, line)?;
        let comtrade = self.comtrade.is_some();
        let unit = match self.unit {
            None => None,
            Some(Src::Const(u)) => Some((u, 1.0)),
            Some(Src::Col(ui)) => {
                let t = self.text(core, row, ui, line)?;
                let b = t.bytes();
                // Comtrade marks "no quantity" with unit N/A (code -1) and quantity 0.
                if b.is_empty() || (comtrade && (b.eq_ignore_ascii_case(b"N/A") || b == b"-1")) {
                    None
                } else {
                    let r = cached(&mut self.units, b, parse_unit)
                        .map_err(|m| core.err(line, self.name(ui), Some(t.show()), m))?;
                    Some(r)
                }
            }
        };
        match (q, unit) {
            (None, None) => Ok(None),
            (Some(v), Some((u, f))) => Ok(Some(Quantity {
                value: check_quantity(v, f)
                    .map_err(|m| core.err(line, self.name(qi), Some(fmt_num(v)), m))?,
                unit: u,
            })),
            (Some(v), None) if comtrade && v == 0.0 => Ok(None),
            (Some(v), None) => Err(core.err(
                line,
                self.name(qi),
                Some(fmt_num(v)),
                "a quantity without a unit: expected a quantity unit",
            )),
            (None, Some((u, _))) => {
                let name = match self.unit {
                    Some(Src::Col(ui)) => self.name(ui).to_string(),
                    _ => self.name(qi).to_string(),
                };
                Err(core.err(
                    line,
                    &name,
                    Some(u.as_str().to_string()),
                    "a unit without a quantity: expected a quantity next to the unit",
                ))
            }
        }
    }
}

/// A unit and the factor that converts quantities into it.
type ScaledUnit = (QuantityUnit, f64);

/// Parses a quantity unit, with Comtrade's scaled units (`1000u`, `1000 kWh`, `1000l`…).
pub(crate) fn parse_unit(s: &str) -> Result<(QuantityUnit, f64), String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("1000") {
        let rest = rest.trim();
        if !rest.is_empty() {
            if let Ok(u) = rest.parse::<QuantityUnit>() {
                return Ok((u, 1000.0));
            }
        }
    }
    t.parse::<QuantityUnit>()
        .map(|u| (u, 1.0))
        .map_err(|e| e.to_string())
}

enum TextCell<'a> {
    Bytes(&'a [u8]),
    Owned(String),
}

impl TextCell<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            TextCell::Bytes(b) => b,
            TextCell::Owned(s) => s.as_bytes(),
        }
    }
    fn show(&self) -> String {
        lossy(self.bytes())
    }
}

fn cached<T: Clone>(
    map: &mut FastMap<Box<[u8]>, Result<T, String>>,
    key: &[u8],
    f: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, String> {
    if let Some(v) = map.get(key) {
        return v.clone();
    }
    let r = match std::str::from_utf8(key) {
        Ok(s) => f(s),
        Err(_) => Err("invalid UTF-8".to_string()),
    };
    // Codes are short: long text is not kept, so the cache stays small whatever
    // the input (10,000 keys of at most 64 bytes).
    if map.len() < 10_000 && key.len() <= 64 {
        map.insert(key.into(), r.clone());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spec() {
        let m =
            ColumnMapping::parse("reporter=exp,partner=imp,period=time,value=export,flow=export")
                .unwrap();
        assert_eq!(
            m.values,
            ValueColumns::Long {
                flow: Source::Const(FlowKind::Export),
                value: "export".into()
            }
        );
        assert_eq!(m.reporter, CountrySource::ColumnOrConst("exp".into()));
        assert_eq!(m.period, PeriodSource::Column("time".into()));
        assert_eq!(m.product, None);
        let m = ColumnMapping::parse(
            "reporter=r,partner=p,flow=col:export,year=y,month=mo,product=k,revision=H5,value=v,scale=thousands,quantity=q,unit=t",
        )
        .unwrap();
        assert_eq!(
            m.values,
            ValueColumns::Long {
                flow: Source::Column("export".into()),
                value: "v".into()
            }
        );
        assert_eq!(m.hs_revision, Some(Source::Const(HsRevision::Hs2017)));
        assert_eq!(m.value_scale, 1e3);
        assert_eq!(m.quantity_unit, Some(Source::Const(QuantityUnit::Tonnes)));
        let again = ColumnMapping::parse(&m.to_string()).unwrap();
        assert_eq!(again, m);
        let e = ColumnMapping::parse("reporter=a,partner=b,flow=x,period=p")
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing required key 'value'"), "{e}");
        let e = ColumnMapping::parse("reportr=a").unwrap_err().to_string();
        assert!(e.contains("did you mean reporter"), "{e}");
        let e = ColumnMapping::parse("reporter=a,partner=b,flow=x,period=p,value=v,quantity=q")
            .unwrap_err()
            .to_string();
        assert!(e.contains("quantity_unit"), "{e}");
        assert_eq!(parse_unit("1000u").unwrap(), (QuantityUnit::Items, 1000.0));
    }

    #[test]
    fn parses_constants_and_wide_values() {
        let m = ColumnMapping::parse(
            "reporter=USA,partner=col:Partner,period=Period,export=Exports,import=Imports,scale=millions",
        )
        .unwrap();
        assert_eq!(m.reporter, CountrySource::ColumnOrConst("USA".into()));
        assert_eq!(m.partner, CountrySource::Column("Partner".into()));
        assert_eq!(
            m.values,
            ValueColumns::Wide {
                export: Some("Exports".into()),
                import: Some("Imports".into())
            }
        );
        assert_eq!(ColumnMapping::parse(&m.to_string()).unwrap(), m);
        let m = ColumnMapping::parse("reporter=r,partner=const:WLD,period=p,import=M").unwrap();
        assert_eq!(m.partner, CountrySource::Const("WLD".into()));
        assert_eq!(ColumnMapping::parse(&m.to_string()).unwrap(), m);
        let e = ColumnMapping::parse("reporter=r,partner=p,period=p,export=X,value=v,flow=export")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not both"), "{e}");
        let e = ColumnMapping::parse("reporter=r,partner=p,period=p,export=X,quantity=q,unit=kg")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'quantity' goes with one 'value' column"), "{e}");
    }

    #[test]
    fn a_bare_country_is_a_column_of_the_header_else_a_constant() {
        let header: Vec<String> = ["Partner", "Period", "Exports", "USA"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mapper =
            |spec: &str| Mapper::new("f.csv", &header, &ColumnMapping::parse(spec).unwrap(), None);
        let m = mapper("reporter=DEU,partner=Partner,period=Period,export=Exports").unwrap();
        assert!(matches!(&m.reporter, CountryCol::Const(c) if &**c == b"DEU"));
        assert!(matches!(m.partner, CountryCol::Col(0)));
        let e = mapper("reporter=USA,partner=Partner,period=Period,export=Exports")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("reporter=USA: ambiguous"), "{e}");
        assert!(
            e.contains("reporter=col:USA") && e.contains("reporter=const:USA"),
            "{e}"
        );
        let m = mapper("reporter=col:USA,partner=Partner,period=Period,export=Exports").unwrap();
        assert!(matches!(m.reporter, CountryCol::Col(3)));
        let e = mapper("reporter=Reporter,partner=Partner,period=Period,export=Exports")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("the reporter column 'Reporter' is not in the header")
                && e.contains("not a known country code either"),
            "{e}"
        );
    }
}
