//! # entrepot-pe
//!
//! Product-level partial equilibrium: the effect of a tariff change on the imports of one
//! HS6 product in one importing market, supplier by supplier, with the logic of the World
//! Bank's SMART (WITS): Armington demand, where the same product from different
//! suppliers is an imperfect substitute, and perfectly elastic export supply (Laird and
//! Yeats 1986; Jammes and Olarreaga 2005, "Explaining SMART and GSIM"). Per supplier:
//! trade creation, trade diversion, total change, new import value; per market: total
//! creation, total diversion (zero), the price effect, tariff revenue before and after,
//! consumer surplus and welfare. The elasticities come from the caller or from the CEPII
//! product-level trade elasticities (ProTEE; Fontagné, Guimbard and Orefice 2022), and
//! the markets of a whole trade matrix (BACI at world scale) are solved and summed per
//! basket of products and per supplier.
//!
//! ## Which function serves which case
//!
//! | case | function | notes |
//! |---|---|---|
//! | one market (one importer, one HS6 product) | [`smart()`] | suppliers as [`SupplierFlow`]s, results as a [`SmartResult`] |
//! | one market, columns, no allocation | [`smart_columns`] | writes into the caller's `&mut [SupplierEffect]` |
//! | read the CEPII ProTEE table | [`ElasticityTable::from_path`], [`ElasticityTable::from_reader`] | HS 2007 codes ([`HS_REVISION`]); look up with [`ElasticityTable::get`] |
//! | parameters of a product from the table | [`ElasticityTable::parameters`] with a [`MappingRule`] | the fallback used, if any, is recorded in [`MappedParameters::source`] |
//! | many markets: every (importer, product) of a flow table, totals per basket and supplier | [`simulate_markets`] | integer ids, columns ([`FlowColumns`]), parallel |
//!
//! The formulas, each with its reference, are in the [`smart`](mod@smart) module; the
//! elasticity mapping and its honest limits in [`elasticity`]; the aggregation's
//! conventions (skipped markets, baskets that overlap) in [`aggregate`].
//!
//! ## Conventions
//!
//! * **Values at world prices** (CIF import values, as in BACI and SMART), world prices
//!   normalised to 1, so a value is also a quantity. Tariffs are **ad valorem fractions**
//!   (`0.1` is 10 %; WITS shows percent), levied on the world-price value; the domestic,
//!   **tariff-inclusive** price of supplier `s` is `1 + t_s`.
//! * Elasticities: the import demand elasticity `ε_m` is **negative** (`≤ 0`); the
//!   substitution elasticity `σ` is **positive**; export supply is perfectly elastic
//!   (a finite export supply elasticity is refused with [`PeError::FiniteExportSupply`]).
//! * A supplier with **zero baseline imports stays at zero** whatever its tariff (as in
//!   SMART: Armington demand does not open new trade relationships).
//! * A scenario that changes no tariff returns the baseline **exactly**; one that moves
//!   every supplier's tariff-inclusive price by the same factor diverts nothing; diversion
//!   sums to zero over a market's suppliers (to rounding).
//! * Where this crate departs from SMART's published formulas it says so: diversion is
//!   the exact CES reallocation of the imports after creation (SMART's formula is its
//!   first-order form on the baseline), so no supplier goes below zero; a tariff rise
//!   beyond the linear range of the trade-creation term is refused
//!   ([`PeError::NegativeImports`]), not clamped.
//!
//! ## Example
//!
//! ```
//! use entrepot_pe::{smart, Parameters, SupplierFlow};
//! // Two suppliers of one product; the first one's 10 % tariff is removed.
//! let market = [
//!     SupplierFlow { value: 100.0, tariff_before: 0.1, tariff_after: 0.0 },
//!     SupplierFlow { value: 50.0, tariff_before: 0.1, tariff_after: 0.1 },
//! ];
//! let r = smart(&market, &Parameters::new(-1.0, 2.0))?;
//! assert!(r.suppliers[0].trade_creation > 0.0 && r.suppliers[0].trade_diversion > 0.0);
//! assert!(r.suppliers[1].new_value < 50.0);
//! assert!(r.market.trade_diversion.abs() < 1e-12);
//! assert!(r.market.tariff_revenue_change < 0.0 && r.market.consumer_surplus_change > 0.0);
//! # Ok::<(), entrepot_pe::PeError>(())
//! ```
//!
//! ## References
//!
//! * Laird, S. and A. Yeats (1986), "The UNCTAD trade policy simulation model", UNCTAD
//!   Discussion Paper 19.
//! * Jammes, O. and M. Olarreaga (2005), "Explaining SMART and GSIM", World Bank.
//! * World Bank, WITS online help, SMART ("Theoretical framework", "Trade creation",
//!   "Trade diversion", "Input requirements and output results").
//! * Fontagné, L., H. Guimbard and G. Orefice (2022), "Product-level trade elasticities",
//!   *Journal of International Economics* 137, 103593 (CEPII ProTEE).

#![warn(missing_docs)]

pub mod aggregate;
pub mod elasticity;
pub mod error;
pub mod smart;

pub use aggregate::{
    simulate_markets, Basket, BasketTotals, FlowColumns, MarketSummary, RowEffect, Simulation,
    SkippedMarket, SupplierTotals,
};
pub use elasticity::{
    format_hs6, parse_hs6, ElasticityRow, ElasticityTable, EstimateStatus, FallbackReason,
    MappedParameters, MappingRule, NotSignificantPolicy, SubstitutionSource, HS_REVISION,
};
pub use error::{PeError, Result};
pub use smart::{
    smart, smart_columns, ExportSupply, MarketEffect, Parameters, SmartResult, SupplierEffect,
    SupplierFlow, SMART_SUBSTITUTION_ELASTICITY,
};
