//! The DataFusion side of a cube: for each dataset and side, a filtered, grouped
//! aggregation over the dataset's table, whose result rows are the *candidates* of
//! the cells (one per side, world row or not, annual row or not, stored product
//! level), reduced to cells by [`crate::cells`].
//!
//! Filters on `reporter` and `year` are separate conjuncts, so the tables of
//! `entrepot-query` prune their files (and row groups) on them before reading.

use crate::error::CubeError;
use crate::request::{
    resolve_countries, CubeRequest, Grain, PeriodGrain, PeriodRange, ProductGrain,
    ProductSelection, Side,
};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::functions::string::expr_fn::octet_length;
use datafusion::functions::unicode::expr_fn::left;
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::logical_expr::Expr;
use datafusion::prelude::{col, lit};
use entrepot_core::{Basket, FlowKind, HsCode, HsRevision, ProductId};
use entrepot_store::FlowsContent;
use std::collections::BTreeMap;

/// The partner code of rows with the world.
pub(crate) const WORLD: &str = "WLD";

/// Names of the columns of a candidate batch, in order.
pub(crate) mod k {
    pub const REPORTER: &str = "k_reporter";
    pub const PARTNER: &str = "k_partner";
    pub const FLOW: &str = "k_flow";
    pub const REVISION: &str = "k_rev";
    pub const CODE: &str = "k_code";
    pub const BASKET: &str = "k_basket";
    pub const YEAR: &str = "k_year";
    pub const SUB: &str = "k_sub";
    pub const LEVEL: &str = "k_level";
    pub const WORLD: &str = "k_world";
    pub const ANNUAL: &str = "k_annual";
    pub const VALUE: &str = "v";
    pub const QUANTITY: &str = "q";
    pub const QUANTITY_ROWS: &str = "qn";
    pub const UNIT_MIN: &str = "umin";
    pub const UNIT_MAX: &str = "umax";
    pub const ROWS: &str = "n";
    pub const DECLARED_MIN: &str = "dmin";
    pub const DECLARED_MAX: &str = "dmax";
}

/// A request with its codes resolved, ready to plan.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub reporters: Option<Vec<String>>,
    pub partners: Option<Vec<String>>,
    pub flows: Vec<FlowKind>,
    pub periods: Vec<PeriodRange>,
    pub products: ProductSelection,
    pub grain: Grain,
    pub quantity: bool,
}

impl Resolved {
    /// Resolves and checks a request.
    pub(crate) fn new(r: &CubeRequest) -> Result<Resolved, CubeError> {
        for p in &r.periods {
            p.check()?;
        }
        if let ProductGrain::Hs(l) = r.grain.product {
            if !matches!(l, 2 | 4 | 6) {
                return Err(CubeError::InvalidRequest(format!(
                    "product grain HS{l}: the HS level must be 2, 4 or 6"
                )));
            }
        }
        if r.grain.product == ProductGrain::Basket
            && !matches!(&r.products, ProductSelection::Baskets(b) if !b.is_empty())
        {
            return Err(CubeError::InvalidRequest(
                "a basket grain needs a basket selection (ProductSelection::Baskets)".into(),
            ));
        }
        let countries = |v: &Option<Vec<String>>| -> Result<Option<Vec<String>>, CubeError> {
            v.as_ref().map(|c| resolve_countries(c)).transpose()
        };
        let mut flows = r.flows.clone();
        flows.sort();
        flows.dedup();
        Ok(Resolved {
            reporters: countries(&r.reporters)?,
            partners: countries(&r.partners)?,
            flows,
            periods: r.periods.clone(),
            products: r.products.clone(),
            grain: r.grain,
            quantity: r.quantity,
        })
    }

    /// The flows the side reads (stored directions): all requested ones for the
    /// reported side; for the mirror side, the opposite of the requested exports and
    /// imports. `None`: no filter (every flow).
    pub(crate) fn side_flows(&self, side: Side) -> Option<Vec<FlowKind>> {
        let all = [
            FlowKind::Export,
            FlowKind::Import,
            FlowKind::ReExport,
            FlowKind::ReImport,
        ];
        let wanted: Vec<FlowKind> = if self.flows.is_empty() {
            all.to_vec()
        } else {
            self.flows.clone()
        };
        match side {
            Side::Reported if self.flows.is_empty() => None,
            Side::Reported => Some(wanted),
            Side::Mirror => Some(wanted.into_iter().filter_map(mirror_flow).collect()),
        }
    }
}

/// The stored direction whose rows, seen from the partner, give a flow: a reporter's
/// imports are its partners' exports to it, and its exports their imports from it.
pub(crate) fn mirror_flow(f: FlowKind) -> Option<FlowKind> {
    match f {
        FlowKind::Export => Some(FlowKind::Import),
        FlowKind::Import => Some(FlowKind::Export),
        FlowKind::ReExport | FlowKind::ReImport => None,
    }
}

/// The candidates' aggregation of one side of one dataset table: `base` is the
/// table's data frame, `stored_reporters` the reporters its manifest records (sorted;
/// empty when unknown), `content` what its rows hold when the manifest records it.
pub(crate) fn side_frame(
    base: DataFrame,
    value_column: &str,
    stored_reporters: &[String],
    content: Option<&FlowsContent>,
    req: &Resolved,
    side: Side,
) -> Result<Option<DataFrame>, CubeError> {
    let (own, other) = match side {
        Side::Reported => ("reporter", "partner"),
        Side::Mirror => ("partner", "reporter"),
    };
    let mut filters: Vec<Expr> = Vec::new();
    if let Some(r) = &req.reporters {
        match side {
            Side::Reported => filters.extend(reporter_filter(r, stored_reporters)),
            Side::Mirror => filters.push(in_list(own, r)),
        }
    }
    if let Some(p) = &req.partners {
        filters.push(in_list(other, p));
    }
    if side == Side::Mirror {
        // The world reports nothing: its rows cannot mirror a reporter.
        filters.push(col("partner").not_eq(lit(WORLD)));
    }
    if let Some(flows) = req.side_flows(side) {
        if flows.is_empty() {
            return Ok(None);
        }
        let names: Vec<String> = flows.iter().map(|f| f.as_str().to_string()).collect();
        // not when every stored flow is wanted (a BACI dataset holds exports only):
        // the filter would decode the column on every row to keep them all
        let all_wanted = content
            .is_some_and(|c| !c.flows.is_empty() && c.flows.iter().all(|f| names.contains(f)));
        if !all_wanted {
            filters.push(in_list("flow", &names));
        }
    }
    filters.extend(period_filters(&req.periods));
    if let ProductGrain::Hs(l) = req.grain.product {
        let l = i32::from(l);
        // likewise when every stored row is at this level or a finer one
        let all_finer = content.is_some_and(|c| {
            !c.product_levels.is_empty() && c.product_levels.iter().all(|s| *s >= l)
        });
        if !all_finer {
            filters.push(col("product_level").gt_eq(lit(l)));
        }
    }
    let buckets: Vec<(Option<i32>, Option<Expr>)> = match &req.products {
        ProductSelection::All => vec![(None, None)],
        ProductSelection::Prefixes(codes) => vec![(None, Some(prefix_filter(None, codes)))],
        ProductSelection::Codes(ids) => vec![(None, Some(codes_filter(ids)))],
        ProductSelection::Baskets(baskets) if req.grain.product == ProductGrain::Basket => baskets
            .iter()
            .enumerate()
            .map(|(i, b)| (Some(i as i32), Some(basket_filter(b))))
            .collect(),
        ProductSelection::Baskets(baskets) => {
            let any = baskets
                .iter()
                .map(basket_filter)
                .reduce(Expr::or)
                .unwrap_or(lit(false));
            vec![(None, Some(any))]
        }
    };
    let pins = Pins::of(req, side, content);
    let mut out: Option<DataFrame> = None;
    for (basket, product_filter) in buckets {
        let mut df = base.clone();
        for f in filters.iter().cloned().chain(product_filter) {
            df = df.filter(f)?;
        }
        let df = df.aggregate(
            group_exprs(req.grain, own, other, side, basket, &pins),
            aggregates(
                value_column,
                req.quantity,
                side == Side::Reported && pins.declarant.is_none(),
            ),
        )?;
        out = Some(match out {
            None => df,
            Some(u) => u.union(df)?,
        });
    }
    Ok(out)
}

/// The filter on the reporter column for the `wanted` reporters of a dataset that
/// holds `stored` (sorted; empty when unknown): none when every stored reporter is
/// wanted; `reporter NOT IN (the others)` when fewer are left out than wanted (a
/// reference group of "every exporter but one" is then one comparison per row, not a
/// lookup in a list of two hundred); else `reporter IN (wanted)`.
fn reporter_filter(wanted: &[String], stored: &[String]) -> Option<Expr> {
    if stored.is_empty() {
        return Some(in_list("reporter", wanted));
    }
    let wanted_set: std::collections::HashSet<&str> = wanted.iter().map(String::as_str).collect();
    let left_out: Vec<String> = stored
        .iter()
        .filter(|r| !wanted_set.contains(r.as_str()))
        .cloned()
        .collect();
    if left_out.is_empty() {
        None
    } else if left_out.len() < wanted.len() {
        Some(match left_out.as_slice() {
            [one] => col("reporter").not_eq(lit(one.as_str())),
            _ => col("reporter").in_list(left_out.iter().map(|v| lit(v.as_str())).collect(), true),
        })
    } else {
        Some(in_list("reporter", wanted))
    }
}

/// `column IN (values)`.
fn in_list(column: &str, values: &[String]) -> Expr {
    col(column).in_list(values.iter().map(|v| lit(v.as_str())).collect(), false)
}

/// The period filters: the years touched by any range (on the partition column, so
/// files are pruned), and, when some range is of months, the exact months.
fn period_filters(ranges: &[PeriodRange]) -> Vec<Expr> {
    if ranges.is_empty() {
        return Vec::new();
    }
    let years = ranges
        .iter()
        .map(|r| {
            let (a, b) = r.year_bounds();
            col("year").between(lit(a), lit(b))
        })
        .reduce(Expr::or);
    let mut out: Vec<Expr> = years.into_iter().collect();
    if ranges.iter().any(|r| r.month_ordinals().is_some()) {
        let exact = ranges
            .iter()
            .map(|r| match r.month_ordinals() {
                None => {
                    let (a, b) = r.year_bounds();
                    col("year").between(lit(a), lit(b))
                }
                Some((a, b)) => col("month")
                    .is_not_null()
                    .and((col("year") * lit(100i32) + col("month")).between(lit(a), lit(b))),
            })
            .reduce(Expr::or);
        out.extend(exact);
    }
    out
}

/// Rows whose code starts with one of `codes` (in `revision`, or in any revision).
fn prefix_filter(revision: Option<HsRevision>, codes: &[HsCode]) -> Expr {
    let mut by_len: BTreeMap<u8, Vec<String>> = BTreeMap::new();
    for c in codes {
        by_len
            .entry(c.level())
            .or_default()
            .push(c.as_str().to_string());
    }
    let any = by_len
        .into_iter()
        .map(|(l, v)| {
            col("product_level").gt_eq(lit(i32::from(l))).and(
                left(col("product"), lit(i64::from(l)))
                    .in_list(v.iter().map(|c| lit(c.as_str())).collect(), false),
            )
        })
        .reduce(Expr::or)
        .unwrap_or(lit(false));
    match revision {
        None => any,
        Some(r) => col("hs_revision").eq(lit(r.to_string())).and(any),
    }
}

/// Rows of exactly these products.
fn codes_filter(ids: &[ProductId]) -> Expr {
    let mut by_rev: BTreeMap<HsRevision, Vec<String>> = BTreeMap::new();
    let mut total = false;
    for id in ids {
        match id.revision() {
            Some(r) => by_rev.entry(r).or_default().push(id.code_string()),
            None => total = true,
        }
    }
    let mut terms: Vec<Expr> = by_rev
        .into_iter()
        .map(|(r, codes)| {
            col("hs_revision")
                .eq(lit(r.to_string()))
                .and(in_list("product", &codes))
        })
        .collect();
    if total {
        terms.push(col("product_level").eq(lit(0i32)));
    }
    terms.into_iter().reduce(Expr::or).unwrap_or(lit(false))
}

/// Rows inside one of the basket's codes, each in its revision.
fn basket_filter(b: &Basket) -> Expr {
    b.codes
        .iter()
        .map(|(rev, codes)| prefix_filter(Some(*rev), codes))
        .reduce(Expr::or)
        .unwrap_or(lit(false))
}

/// The group keys that the side's filters pin to one value: the reporter (its own
/// column) or the partner when one is asked for, the stored flow when the side reads
/// one, the year when every period range lies in one; and those that the dataset's
/// rows hold one value of (its [`FlowsContent`], recorded at ingest): the product
/// level, the HS revision, whether a row is annual.
///
/// Such a key is grouped on as a literal, not as its column. The values are the same
/// (the filter keeps no other), but DataFusion takes a column held constant by an
/// equality filter for a sorted one and aggregates in its ordered mode, which on a
/// world year at HS6 (11 million rows, a million groups) is about twice as slow as its
/// hash mode (measured with `entrepot sql`, `GROUP BY reporter, product, year` with
/// `year = 2022`: 2.2 s against 1.1 s with the literal; `bench/world/analyses.sh`).
///
/// The content's keys matter at world scale: without them a reference cube at HS6
/// groups 22 million rows on six columns instead of three.
#[derive(Debug, Default)]
struct Pins {
    own: Option<String>,
    other: Option<String>,
    flow: Option<&'static str>,
    year: Option<i32>,
    /// The one product level of the rows the side reads.
    level: Option<i32>,
    /// The one HS revision of the product rows.
    revision: Option<String>,
    /// Whether every row is annual (`Some(true)`) or every row monthly.
    annual: Option<bool>,
    /// On the reported side, the length of the name of the rows' one declarant (see
    /// [`aggregates`]).
    declarant: Option<i32>,
}

impl Pins {
    fn of(req: &Resolved, side: Side, content: Option<&FlowsContent>) -> Pins {
        let one = |v: &Option<Vec<String>>| match v.as_deref() {
            Some([c]) => Some(c.clone()),
            _ => None,
        };
        let flow = match req.side_flows(side).as_deref() {
            Some([f]) => Some(f.as_str()),
            _ => None,
        };
        let mut years = req.periods.iter().map(PeriodRange::year_bounds);
        let year = match years.next() {
            Some((a, b)) if a == b && years.all(|y| y == (a, a)) => Some(a),
            _ => None,
        };
        // the rows read: those at the HS grain's level or above, else every row
        let min_level = match req.grain.product {
            ProductGrain::Hs(l) => i32::from(l),
            _ => 0,
        };
        Pins {
            own: one(&req.reporters),
            other: one(&req.partners),
            flow,
            year,
            level: content.and_then(|c| c.single_level_from(min_level)),
            revision: content
                .and_then(FlowsContent::single_revision)
                .map(str::to_string),
            annual: content.and_then(|c| match (c.annual, c.monthly) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            }),
            declarant: content.filter(|_| side == Side::Reported).and_then(|c| {
                match c.declarants.as_slice() {
                    [d] => i32::try_from(d.len()).ok(),
                    _ => None,
                }
            }),
        }
    }
}

/// A text key: the pinned value, else the column.
fn text_key(column: &str, pinned: Option<&str>) -> Expr {
    match pinned {
        Some(v) => lit(v),
        None => col(column),
    }
}

/// The group-by expressions (see [`k`]); keys outside the grain are typed nulls so
/// that every frame has the same schema; keys pinned by the filters are literals (see
/// [`Pins`]).
fn group_exprs(
    grain: Grain,
    own: &str,
    other: &str,
    side: Side,
    basket: Option<i32>,
    pins: &Pins,
) -> Vec<Expr> {
    let null_str = || lit(ScalarValue::Utf8(None));
    let null_int = || lit(ScalarValue::Int32(None));
    let year_key = || match pins.year {
        Some(y) => lit(y),
        None => col("year"),
    };
    let mut g = vec![
        if grain.reporter {
            text_key(own, pins.own.as_deref())
        } else {
            null_str()
        }
        .alias(k::REPORTER),
        if grain.partner {
            text_key(other, pins.other.as_deref())
        } else {
            null_str()
        }
        .alias(k::PARTNER),
        text_key("flow", pins.flow).alias(k::FLOW),
    ];
    match grain.product {
        ProductGrain::Hs(l) => {
            // every row read is a product row (level 2 or above): the revision is
            // the dataset's one revision when it holds one
            g.push(text_key("hs_revision", pins.revision.as_deref()).alias(k::REVISION));
            // Stored codes have at most six digits (`product_level` 0, 2, 4 or 6): at
            // level 6 the code is the column itself, grouped without computing a new
            // string per row.
            let code = if l >= 6 {
                col("product")
            } else {
                left(col("product"), lit(i64::from(l)))
            };
            g.push(code.alias(k::CODE));
        }
        _ => {
            g.push(null_str().alias(k::REVISION));
            g.push(null_str().alias(k::CODE));
        }
    }
    g.push(lit(ScalarValue::Int32(basket)).alias(k::BASKET));
    let (year, sub) = match grain.period {
        PeriodGrain::None => (null_int(), null_int()),
        PeriodGrain::Year => (year_key(), null_int()),
        PeriodGrain::Month => (year_key(), col("month")),
        PeriodGrain::Quarter => (year_key(), (col("month") + lit(2i32)) / lit(3i32)),
    };
    g.push(year.alias(k::YEAR));
    g.push(sub.alias(k::SUB));
    g.push(
        match pins.level {
            Some(l) => lit(l),
            None => col("product_level"),
        }
        .alias(k::LEVEL),
    );
    let world = if grain.partner || side == Side::Mirror {
        lit(false)
    } else {
        // On the reported side the partner is the `other` column.
        match pins.other.as_deref() {
            Some(p) => lit(p == WORLD),
            None => col("partner").eq(lit(WORLD)),
        }
    };
    g.push(world.alias(k::WORLD));
    let annual = match (grain.period, pins.annual) {
        (PeriodGrain::Month | PeriodGrain::Quarter, _) => lit(false),
        (PeriodGrain::None | PeriodGrain::Year, Some(a)) => lit(a),
        (PeriodGrain::None | PeriodGrain::Year, None) => col("month").is_null(),
    };
    g.push(annual.alias(k::ANNUAL));
    // the declarants' aggregates as constants when the rows have one declarant
    if let Some(d) = pins.declarant {
        g.push(lit(d).alias(k::DECLARED_MIN));
        g.push(lit(d).alias(k::DECLARED_MAX));
    }
    g
}

/// The aggregates of a candidate: the value and the rows always, the quantity when
/// asked for, the declarants of the stored rows on the reported side (a mirror cell
/// is declared `mirror` whatever the partner's rows say). Columns not aggregated are
/// never read.
///
/// The declarants are aggregated as the least and greatest byte length of their
/// names: the three names have distinct lengths ([`crate::cells::declarant_of_length`]),
/// and an integer minimum and maximum cost far less than a text comparison per row
/// (which took 5% of a world-scale decompose). When the dataset's rows have one
/// declarant ([`FlowsContent::declarants`]), they are not aggregated: its length is
/// a constant key of the same names ([`group_exprs`]), and the column is not read.
fn aggregates(value_column: &str, quantity: bool, declarants: bool) -> Vec<Expr> {
    let mut a = vec![
        sum(col(value_column)).alias(k::VALUE),
        count_all().alias(k::ROWS),
    ];
    if quantity {
        a.extend([
            sum(col("quantity")).alias(k::QUANTITY),
            count(col("quantity")).alias(k::QUANTITY_ROWS),
            min(col("quantity_unit")).alias(k::UNIT_MIN),
            max(col("quantity_unit")).alias(k::UNIT_MAX),
        ]);
    }
    if declarants {
        a.extend([
            min(octet_length(col("declared_by"))).alias(k::DECLARED_MIN),
            max(octet_length(col("declared_by"))).alias(k::DECLARED_MAX),
        ]);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reporter_filters_name_the_smaller_side() {
        let stored = codes(&["AFG", "CHN", "DEU", "USA", "ZAF"]);
        // every stored reporter wanted: no filter
        assert_eq!(reporter_filter(&stored, &stored), None);
        // all but one: one inequality
        let f = reporter_filter(&codes(&["AFG", "DEU", "USA", "ZAF"]), &stored);
        assert_eq!(f, Some(col("reporter").not_eq(lit("CHN"))));
        // all but two: NOT IN
        let f = reporter_filter(&codes(&["AFG", "DEU", "ZAF"]), &stored);
        assert_eq!(
            f,
            Some(col("reporter").in_list(vec![lit("CHN"), lit("USA")], true))
        );
        // a few: IN, including codes the dataset does not hold
        let f = reporter_filter(&codes(&["CHN", "FRA"]), &stored);
        assert_eq!(f, Some(in_list("reporter", &codes(&["CHN", "FRA"]))));
        // reporters unknown: IN
        let f = reporter_filter(&codes(&["CHN"]), &[]);
        assert_eq!(f, Some(in_list("reporter", &codes(&["CHN"]))));
    }
}
