//! Look-up structures over the input: published figures by quantity, flows by partner
//! and period.

use entrepot_core::{FlowKind, Period, PeriodSpan, Product, PublishedFigure, TradeFlow};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The partner code used for the reporter's trade with the world.
pub(crate) const WORLD: &str = "WORLD";

/// A trade quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Ind {
    Export,
    Import,
    Balance,
}

impl Ind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ind::Export => "exports",
            Ind::Import => "imports",
            Ind::Balance => "balance",
        }
    }

    pub(crate) fn flow_name(self) -> &'static str {
        match self {
            Ind::Export => "export",
            Ind::Import => "import",
            Ind::Balance => "balance",
        }
    }

    fn parse(s: &str) -> Option<Ind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "export" | "exports" => Some(Ind::Export),
            "import" | "imports" => Some(Ind::Import),
            "balance" | "trade_balance" => Some(Ind::Balance),
            _ => None,
        }
    }
}

/// Normalises a partner code: upper case, and `WLD`/`WORLD`/empty to [`WORLD`].
pub(crate) fn norm_partner(p: &str) -> String {
    let t = p.trim().to_ascii_uppercase();
    match t.as_str() {
        "" | "WLD" | "WORLD" | "W00" => WORLD.to_string(),
        _ => t,
    }
}

/// Published figures of one reporter, indexed by quantity.
pub(crate) struct FactIndex<'a> {
    trade: HashMap<(String, Ind, PeriodSpan), Vec<&'a PublishedFigure>>,
    /// Figures that are not exports, imports or balances (PMI, CNY totals, …).
    pub(crate) other: Vec<&'a PublishedFigure>,
    /// Number of figures for the reporter.
    pub(crate) count: usize,
}

impl<'a> FactIndex<'a> {
    pub(crate) fn new(facts: &'a [PublishedFigure], reporter: &str) -> Self {
        let mut trade: HashMap<_, Vec<_>> = HashMap::new();
        let mut other = Vec::new();
        let mut count = 0;
        for f in facts {
            if !f.reporter.trim().eq_ignore_ascii_case(reporter) {
                continue;
            }
            count += 1;
            match Ind::parse(&f.indicator) {
                Some(ind) => trade
                    .entry((norm_partner(&f.partner), ind, f.span))
                    .or_default()
                    .push(f),
                None => other.push(f),
            }
        }
        FactIndex {
            trade,
            other,
            count,
        }
    }

    fn get(&self, partner: &str, ind: Ind, span: PeriodSpan) -> &[&'a PublishedFigure] {
        self.trade
            .get(&(partner.to_string(), ind, span))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Published levels in US dollars.
    pub(crate) fn usd_levels(
        &self,
        partner: &str,
        ind: Ind,
        span: PeriodSpan,
    ) -> Vec<&'a PublishedFigure> {
        self.get(partner, ind, span)
            .iter()
            .copied()
            .filter(|f| f.value_usd().is_some())
            .collect()
    }

    /// Published growth rates on a US-dollar basis.
    pub(crate) fn usd_yoys(
        &self,
        partner: &str,
        ind: Ind,
        span: PeriodSpan,
    ) -> Vec<&'a PublishedFigure> {
        self.get(partner, ind, span)
            .iter()
            .copied()
            .filter(|f| f.yoy_pct.is_some() && !f.is_cny_terms())
            .collect()
    }

    /// Trade figures in yuan terms (kept apart from the USD figures).
    pub(crate) fn cny_terms(&self) -> Vec<&'a PublishedFigure> {
        let mut v: Vec<&PublishedFigure> = self
            .trade
            .values()
            .flatten()
            .copied()
            .filter(|f| f.is_cny_terms())
            .collect();
        v.sort_by(|a, b| a.origin.cmp(&b.origin));
        v
    }

    /// All quantities held, sorted.
    pub(crate) fn keys(&self) -> Vec<(String, Ind, PeriodSpan)> {
        let mut k: Vec<_> = self.trade.keys().cloned().collect();
        k.sort_by(|a, b| (a.2, &a.0, a.1).cmp(&(b.2, &b.0, b.1)));
        k
    }

    /// Partners (other than the world) with any figure for the quantity and span.
    pub(crate) fn partners_with(&self, ind: Ind, span: PeriodSpan) -> Vec<String> {
        let mut v: Vec<String> = self
            .trade
            .keys()
            .filter(|(p, i, s)| *i == ind && *s == span && p != WORLD)
            .map(|(p, _, _)| p.clone())
            .collect();
        v.sort();
        v
    }
}

/// Stored flows of one reporter, aggregated to totals by partner and period.
pub(crate) struct FlowIndex {
    values: HashMap<(String, FlowKind, Period), f64>,
    world_rows: HashMap<(FlowKind, Period), f64>,
    sums: HashMap<(FlowKind, Period), f64>,
    periods: BTreeMap<FlowKind, BTreeSet<Period>>,
    partners: BTreeMap<(FlowKind, Period), Vec<String>>,
    pub(crate) datasets: BTreeSet<String>,
    pub(crate) rows: usize,
    pub(crate) product_level: Option<String>,
    /// Years computed from their twelve months ([`FlowIndex::add_years_from_months`]).
    pub(crate) years_from_months: BTreeSet<i32>,
}

impl FlowIndex {
    pub(crate) fn new(flows: &[TradeFlow], reporter: &str) -> Self {
        let mine: Vec<&TradeFlow> = flows
            .iter()
            .filter(|f| f.reporter.trim().eq_ignore_ascii_case(reporter))
            .filter(|f| matches!(f.flow, FlowKind::Export | FlowKind::Import))
            .collect();
        // Product level: totals when there are any, otherwise the most detailed HS level
        // present (HS6 normally), so that nothing is counted twice.
        let has_total = mine.iter().any(|f| f.product == Product::Total);
        let level = if has_total {
            0
        } else {
            mine.iter().map(|f| f.product.level()).max().unwrap_or(0)
        };
        let mut idx = FlowIndex {
            values: HashMap::new(),
            world_rows: HashMap::new(),
            sums: HashMap::new(),
            periods: BTreeMap::new(),
            partners: BTreeMap::new(),
            datasets: BTreeSet::new(),
            rows: 0,
            product_level: None,
            years_from_months: BTreeSet::new(),
        };
        for f in mine.into_iter().filter(|f| f.product.level() == level) {
            idx.rows += 1;
            idx.datasets.insert(f.provenance.dataset.clone());
            idx.periods.entry(f.flow).or_default().insert(f.period);
            let partner = norm_partner(&f.partner);
            if partner == WORLD {
                *idx.world_rows.entry((f.flow, f.period)).or_insert(0.0) += f.value_usd;
            } else if !partner.eq_ignore_ascii_case(reporter) {
                *idx.sums.entry((f.flow, f.period)).or_insert(0.0) += f.value_usd;
                let e = idx.values.entry((partner.clone(), f.flow, f.period));
                if let std::collections::hash_map::Entry::Vacant(_) = e {
                    idx.partners
                        .entry((f.flow, f.period))
                        .or_default()
                        .push(partner);
                }
                *e.or_insert(0.0) += f.value_usd;
            }
        }
        if idx.rows > 0 {
            idx.product_level = Some(if level == 0 {
                "TOTAL".to_string()
            } else {
                format!("HS{level}")
            });
        }
        idx
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Adds calendar years computed from months: for each flow, every year whose
    /// twelve months are all held (and that no annual row holds) gets the sums of its
    /// months — partner values, world rows where all twelve months have one, and the
    /// partner sums. Returns, for every year with some months of a flow but not all
    /// twelve, the months held, so that a brief for such a year can say which are
    /// missing instead of presenting part of a year as the year.
    pub(crate) fn add_years_from_months(&mut self) -> BTreeMap<(FlowKind, i32), Vec<u8>> {
        let mut incomplete = BTreeMap::new();
        let kinds: Vec<FlowKind> = self.periods.keys().copied().collect();
        for k in kinds {
            let held = self.periods.get(&k).cloned().unwrap_or_default();
            let mut by_year: BTreeMap<i32, Vec<u8>> = BTreeMap::new();
            for p in &held {
                if let Some(m) = p.month_of_year() {
                    by_year.entry(p.year()).or_default().push(m);
                }
            }
            for (y, months) in by_year {
                if held.contains(&Period::Year(y)) {
                    continue; // annual rows of their own
                }
                if months.len() != 12 {
                    incomplete.insert((k, y), months);
                    continue;
                }
                let year = Period::Year(y);
                let months_of = |y: i32| (1..=12u8).filter_map(move |m| Period::month(y, m).ok());
                let mut partners: Vec<String> = Vec::new();
                let mut values: HashMap<String, f64> = HashMap::new();
                let mut sum = 0.0;
                let mut world = 0.0;
                let mut world_months = 0;
                for m in months_of(y) {
                    for c in self.partners_at(k, m) {
                        let v = self.values.get(&(c.clone(), k, m)).copied().unwrap_or(0.0);
                        if !values.contains_key(c) {
                            partners.push(c.clone());
                        }
                        *values.entry(c.clone()).or_insert(0.0) += v;
                    }
                    sum += self.sums.get(&(k, m)).copied().unwrap_or(0.0);
                    if let Some(w) = self.world_rows.get(&(k, m)) {
                        world += w;
                        world_months += 1;
                    }
                }
                for (c, v) in values {
                    self.values.insert((c, k, year), v);
                }
                self.partners.insert((k, year), partners);
                self.sums.insert((k, year), sum);
                if world_months == 12 {
                    self.world_rows.insert((k, year), world);
                }
                self.periods.entry(k).or_default().insert(year);
                self.years_from_months.insert(y);
            }
        }
        incomplete
    }

    pub(crate) fn covers(&self, k: FlowKind, p: Period) -> bool {
        self.periods.get(&k).is_some_and(|s| s.contains(&p))
    }

    /// Whether a row with the world as partner (a reported total) is held.
    pub(crate) fn has_world_row(&self, k: FlowKind, p: Period) -> bool {
        self.world_rows.contains_key(&(k, p))
    }

    /// The reporter's total with the world (USD).
    pub(crate) fn world(&self, k: FlowKind, p: Period) -> Option<f64> {
        if !self.covers(k, p) {
            return None;
        }
        Some(
            self.world_rows
                .get(&(k, p))
                .or_else(|| self.sums.get(&(k, p)))
                .copied()
                .unwrap_or(0.0),
        )
    }

    /// The flow with one partner (USD); zero when the period is held but the partner
    /// has no row.
    pub(crate) fn partner(&self, code: &str, k: FlowKind, p: Period) -> Option<f64> {
        if !self.covers(k, p) {
            return None;
        }
        Some(
            self.values
                .get(&(code.to_string(), k, p))
                .copied()
                .unwrap_or(0.0),
        )
    }

    /// Partners with a row in the period.
    pub(crate) fn partners_at(&self, k: FlowKind, p: Period) -> &[String] {
        self.partners.get(&(k, p)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// All periods held (any flow).
    pub(crate) fn all_periods(&self) -> BTreeSet<Period> {
        self.periods.values().flatten().copied().collect()
    }

    /// The input tag of computed figures (`flows:<dataset>`).
    pub(crate) fn tag(&self) -> String {
        let d: Vec<&str> = self.datasets.iter().map(String::as_str).collect();
        format!("flows:{}", d.join("+"))
    }
}
