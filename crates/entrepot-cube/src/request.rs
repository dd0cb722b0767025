//! What a cube is asked for: [`CubeRequest`] (filters, grain, mirror) and its parts.

use crate::error::CubeError;
use entrepot_core::{Basket, CountryRegistry, FlowKind, HsCode, HsRevision, Period, ProductId};
use std::collections::BTreeSet;

/// A flow cube request: which stored rows (filters), at which grain (group-by), and
/// whether absent reported cells are filled from partners' reports (mirror).
///
/// Every filter left empty (`None`, an empty list, [`ProductSelection::All`]) selects
/// everything. Build one with the chained setters:
///
/// ```
/// use entrepot_core::FlowKind;
/// use entrepot_cube::{CubeRequest, Mirror, PeriodGrain};
/// let request = CubeRequest::new()
///     .datasets(["baci"])
///     .reporters(["AFG"])
///     .flows([FlowKind::Export, FlowKind::Import])
///     .by_partner()
///     .by_period(PeriodGrain::Year)
///     .mirror(Mirror::Fill);
/// assert!(request.grain.partner && !request.grain.reporter);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CubeRequest {
    /// Flows datasets to read (every flows dataset when empty). Datasets are never
    /// summed together: the dataset is always a key of the result.
    pub datasets: Vec<String>,
    /// Reporters (any code the country registry resolves); `None`: all.
    pub reporters: Option<Vec<String>>,
    /// Partners (any code the country registry resolves, `WLD` for rows with the
    /// world); `None`: all.
    pub partners: Option<Vec<String>>,
    /// Flow directions (all when empty). The flow is always a key of the result.
    pub flows: Vec<FlowKind>,
    /// Periods (all when empty): a row is kept when any range holds it.
    pub periods: Vec<PeriodRange>,
    /// Products.
    pub products: ProductSelection,
    /// The dimensions kept in the result; the others are summed over.
    pub grain: Grain,
    /// Filling a reporter's absent cells from its partners' reports.
    pub mirror: Mirror,
    /// Whether to sum quantities (on by default). Without them the cube reads two
    /// columns less and has no `quantity`, `quantity_unit` and `quantity_note` columns.
    pub quantity: bool,
}

impl Default for CubeRequest {
    fn default() -> Self {
        CubeRequest {
            datasets: Vec::new(),
            reporters: None,
            partners: None,
            flows: Vec::new(),
            periods: Vec::new(),
            products: ProductSelection::All,
            grain: Grain::default(),
            mirror: Mirror::Off,
            quantity: true,
        }
    }
}

impl CubeRequest {
    /// A request for everything, summed to one cell per dataset and flow.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only these datasets.
    pub fn datasets<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.datasets = names.into_iter().map(Into::into).collect();
        self
    }

    /// Only these reporters.
    pub fn reporters<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reporters = Some(codes.into_iter().map(Into::into).collect());
        self
    }

    /// Only these partners.
    pub fn partners<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.partners = Some(codes.into_iter().map(Into::into).collect());
        self
    }

    /// Only these flow directions.
    pub fn flows(mut self, flows: impl IntoIterator<Item = FlowKind>) -> Self {
        self.flows = flows.into_iter().collect();
        self
    }

    /// Adds a period range (rows in any of the ranges are kept).
    pub fn period_range(mut self, range: PeriodRange) -> Self {
        self.periods.push(range);
        self
    }

    /// Only these products.
    pub fn products(mut self, products: ProductSelection) -> Self {
        self.products = products;
        self
    }

    /// Keeps the reporter in the result.
    pub fn by_reporter(mut self) -> Self {
        self.grain.reporter = true;
        self
    }

    /// Keeps the partner in the result.
    pub fn by_partner(mut self) -> Self {
        self.grain.partner = true;
        self
    }

    /// Keeps the product at this grain.
    pub fn by_product(mut self, grain: ProductGrain) -> Self {
        self.grain.product = grain;
        self
    }

    /// Keeps the period at this grain.
    pub fn by_period(mut self, grain: PeriodGrain) -> Self {
        self.grain.period = grain;
        self
    }

    /// Sets the mirror option.
    pub fn mirror(mut self, mirror: Mirror) -> Self {
        self.mirror = mirror;
        self
    }

    /// Sums quantities too (`true`, the default) or not.
    pub fn quantity(mut self, quantity: bool) -> Self {
        self.quantity = quantity;
        self
    }
}

/// The dimensions a cube keeps. The dataset and the flow are always kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Grain {
    /// One cell per reporter.
    pub reporter: bool,
    /// One cell per partner.
    pub partner: bool,
    /// The product grain.
    pub product: ProductGrain,
    /// The period grain.
    pub period: PeriodGrain,
}

/// How products are kept in a cube.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProductGrain {
    /// Summed over all selected products.
    #[default]
    None,
    /// One cell per HS code truncated to 2, 4 or 6 digits (and revision). Rows stored
    /// at a coarser level (totals, chapters for a heading grain) cannot be split and
    /// are left out.
    Hs(u8),
    /// One cell per basket of the [`ProductSelection::Baskets`] filter; a product in
    /// several baskets counts in each.
    Basket,
}

/// How periods are kept in a cube.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PeriodGrain {
    /// Summed over all selected periods.
    #[default]
    None,
    /// One cell per month; rows of annual data stay whole years.
    Month,
    /// One cell per quarter; rows of annual data stay whole years.
    Quarter,
    /// One cell per calendar year.
    Year,
}

/// Filling absent cells from the partners' side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mirror {
    /// Only the reporters' own rows.
    #[default]
    Off,
    /// A reporter's import (export) cell that its own rows do not give is taken from
    /// the partners' export (import) rows towards it; every cell says which side it
    /// comes from. See the crate docs for the rule.
    Fill,
    /// Both sides, each cell kept apart (the side is a key): for comparing reported
    /// and mirror figures.
    Both,
}

/// Which side of a flow a cell comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The reporter's own rows.
    Reported,
    /// The partners' rows of the opposite direction, seen from the reporter (BACI
    /// holds each flow once, on the exporter's side, so every import from BACI is a
    /// mirror).
    Mirror,
}

impl Side {
    /// `reported` or `mirror`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Reported => "reported",
            Side::Mirror => "mirror",
        }
    }

    /// The code in the `side` column of a cube (0 reported, 1 mirror).
    pub fn code(self) -> u8 {
        match self {
            Side::Reported => 0,
            Side::Mirror => 1,
        }
    }

    /// The side of a code of the `side` column.
    pub fn from_code(code: u8) -> Option<Side> {
        match code {
            0 => Some(Side::Reported),
            1 => Some(Side::Mirror),
            _ => None,
        }
    }
}

/// An inclusive range of periods: years (`2019..=2020` keeps annual and monthly rows
/// of those years) or months (`2020-01..=2020-06` keeps monthly rows only: an annual
/// row cannot be split into months).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRange {
    /// First period.
    pub from: Period,
    /// Last period.
    pub to: Period,
}

impl PeriodRange {
    /// One period (a year or a month).
    pub fn single(p: Period) -> Self {
        PeriodRange { from: p, to: p }
    }

    /// Years `from..=to`.
    pub fn years(from: i32, to: i32) -> Self {
        PeriodRange {
            from: Period::Year(from),
            to: Period::Year(to),
        }
    }

    /// A range; both ends must be years, or both months, in order.
    pub fn new(from: Period, to: Period) -> Result<Self, CubeError> {
        let r = PeriodRange { from, to };
        r.check()?;
        Ok(r)
    }

    /// Parses `2020`, `2020-03`, `2019..2020` or `2020-01..2020-06`.
    pub fn parse(text: &str) -> Result<Self, CubeError> {
        let t = text.trim();
        let (a, b) = t.split_once("..").unwrap_or((t, t));
        let from: Period = a.parse()?;
        let to: Period = b.parse()?;
        PeriodRange::new(from, to)
    }

    /// Checks that both ends are of one kind and in order.
    pub(crate) fn check(&self) -> Result<(), CubeError> {
        let same_kind = self.from.is_monthly() == self.to.is_monthly();
        if !same_kind || self.to < self.from {
            return Err(CubeError::InvalidRequest(format!(
                "period range {}..{}: both ends must be years or both months, in order",
                self.from, self.to
            )));
        }
        Ok(())
    }

    /// The calendar years the range touches.
    pub(crate) fn year_bounds(&self) -> (i32, i32) {
        (self.from.year(), self.to.year())
    }

    /// `year * 100 + month` of each end when the range is of months.
    pub(crate) fn month_ordinals(&self) -> Option<(i32, i32)> {
        let ord = |p: &Period| p.month_of_year().map(|m| p.year() * 100 + i32::from(m));
        Some((ord(&self.from)?, ord(&self.to)?))
    }
}

/// Which products a cube reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ProductSelection {
    /// Every row: the totals when the dataset stores them, else every HS row (see the
    /// crate docs on product levels).
    #[default]
    All,
    /// HS codes (2, 4 or 6 digits) and their descendants, in any revision.
    Prefixes(Vec<HsCode>),
    /// Exact products (a revision and a code of any level).
    Codes(Vec<ProductId>),
    /// The codes of these baskets (and their descendants), each in its revision;
    /// [`ProductGrain::Basket`] keeps one cell per basket.
    Baskets(Vec<Basket>),
}

impl ProductSelection {
    /// HS prefixes parsed from text (`85`, `8541`, `854140`).
    pub fn prefixes<I, S>(codes: I) -> Result<Self, CubeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let v = codes
            .into_iter()
            .map(|c| HsCode::parse(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProductSelection::Prefixes(v))
    }

    /// Exact codes of one revision parsed from text.
    pub fn codes<I, S>(revision: HsRevision, codes: I) -> Result<Self, CubeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let v = codes
            .into_iter()
            .map(|c| ProductId::parse(revision, c.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProductSelection::Codes(v))
    }

    /// Built-in baskets by name (`solar_cells`, `electric_vehicles`, …), or the
    /// baskets of `extra` (user baskets, which win over built-in ones of the same
    /// name).
    pub fn baskets<I, S>(names: I, extra: &[Basket]) -> Result<Self, CubeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let builtin = Basket::builtin();
        let mut out = Vec::new();
        for n in names {
            let n = n.as_ref().trim();
            let found = extra
                .iter()
                .chain(builtin.iter())
                .find(|b| b.name.eq_ignore_ascii_case(n));
            match found {
                Some(b) => out.push(b.clone()),
                None => {
                    let known: BTreeSet<&str> = extra
                        .iter()
                        .chain(builtin.iter())
                        .map(|b| b.name.as_str())
                        .collect();
                    return Err(CubeError::UnknownBasket {
                        name: entrepot_core::text::display_value(n),
                        known: known.into_iter().collect::<Vec<_>>().join(", "),
                    });
                }
            }
        }
        Ok(ProductSelection::Baskets(out))
    }

    /// Whether every row is read (no product filter).
    pub fn is_all(&self) -> bool {
        matches!(self, ProductSelection::All)
    }
}

/// Resolves country codes to the ISO3 codes stored in the tables.
pub(crate) fn resolve_countries(codes: &[String]) -> Result<Vec<String>, CubeError> {
    let reg = CountryRegistry::builtin();
    let mut out = BTreeSet::new();
    for c in codes {
        out.insert(reg.resolve(c)?.iso3.clone());
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_ranges_parse_and_check_their_ends() {
        let r = PeriodRange::parse("2019..2020").unwrap();
        assert_eq!(r, PeriodRange::years(2019, 2020));
        assert_eq!(r.month_ordinals(), None);
        let m = PeriodRange::parse("2020-01..2020-06").unwrap();
        assert_eq!(m.month_ordinals(), Some((202001, 202006)));
        assert_eq!(
            PeriodRange::parse("2020").unwrap().year_bounds(),
            (2020, 2020)
        );
        assert!(PeriodRange::parse("2020..2020-06").is_err());
        assert!(PeriodRange::parse("2021..2020").is_err());
        assert!(PeriodRange::parse("20x0").is_err());
    }

    #[test]
    fn baskets_resolve_by_name_and_unknown_ones_list_the_known() {
        let s = ProductSelection::baskets(["solar_cells"], &[]).unwrap();
        let ProductSelection::Baskets(b) = s else {
            panic!("not baskets")
        };
        assert_eq!(b[0].name, "solar_cells");
        let e = ProductSelection::baskets(["solar"], &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown basket 'solar'"), "{e}");
        assert!(e.contains("solar_cells"), "{e}");
        assert!(ProductSelection::prefixes(["85", "8541"]).is_ok());
        assert!(ProductSelection::prefixes(["85x"]).is_err());
    }

    #[test]
    fn country_codes_resolve_to_stored_iso3() {
        let v = resolve_countries(&["699".into(), "afg".into(), "IND".into()]).unwrap();
        assert_eq!(v, vec!["AFG", "IND"]);
        assert!(resolve_countries(&["QQQ".into()]).is_err());
    }
}
