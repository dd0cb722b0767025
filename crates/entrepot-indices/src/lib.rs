//! # entrepot-indices
//!
//! The arithmetic of Entrepôt's trade analyses, one function per measure with its
//! definition and reference in its documentation; every analysis computes them here.
//! The crate is plain arithmetic: no I/O, no Arrow, no DataFusion.
//!
//! **Concentration and diversification**: how concentrated a country's exports (or
//! imports) are across partners or products. Each index is one function over a slice
//! of non-negative values (one value per partner or product).
//!
//! | index | function | range |
//! |---|---|---|
//! | shares `s_i = x_i / Σx` | [`shares`] | each in [0, 1], summing to 1 |
//! | Herfindahl–Hirschman index `Σ s_i²` | [`hhi`] | [1/N, 1] |
//! | normalised HHI `(HHI − 1/N)/(1 − 1/N)` | [`normalised_hhi`] | [0, 1] |
//! | effective number of units `1/HHI` | [`effective_number`] | [1, N] |
//! | Shannon entropy `−Σ s_i ln s_i` | [`entropy`] | [0, ln N] |
//! | share of the k largest units | [`top_k_share`] | (0, 1] |
//! | Theil index with its between (extensive) and within (intensive) parts | [`theil`] | [0, ln N] |
//! | Hummels–Klenow extensive and intensive margins | [`hummels_klenow`] | EM in [0, 1] |
//!
//! Two decompositions of the change in a total between a base and an end period sit
//! beside them, over aligned slices of base and end values:
//!
//! | decomposition | function | adds up to |
//! |---|---|---|
//! | constant-market-share (shift-share): world demand, product mix, market mix, competitiveness (Leamer and Stern 1970) | [`cms::cms`] | the change `X¹ − X⁰` |
//! | contributions to growth (pp), growth without a unit, offset of a loss | [`contributions::contributions`] | the growth of the total |
//! **Dependence and leverage** between a supplier `i` and a buyer `j` (module
//! `dependence`), over scalars: values of one year, overall or for one product.
//!
//! | measure | function | range |
//! |---|---|---|
//! | import share (dependence) `m_ji / M_j` | [`import_share`] | [0, 1] |
//! | export share (absorption) `x_ij / X_i` | [`export_share`] | [0, 1] |
//! | asymmetry `import share − export share` | [`asymmetry`] | [−1, 1] |
//! | trade intensity `(x_ij/X_i) / (m_j/(M_w − M_i))` | [`trade_intensity`] | [0, ∞), 1 = neutral |
//! | chokepoints: products with an import share above a threshold | [`chokepoints`] | indices, by value at stake |
//!
//! **Mirror statistics** (module `mirror`): an exporter's report of a flow against the
//! importer's report of the same flow, [`mirror_gap`]: the gap `M − X`, in percent of
//! `X`, and the ratio `M/X` (against the usual CIF/FOB margin,
//! [`TYPICAL_CIF_FOB_RATIO`]).
//!
//! ## Conventions
//!
//! * **Invalid input is an error** ([`IndexError`]): a negative or non-finite value
//!   (trade values are non-negative amounts), slices of different lengths, `k = 0`, a
//!   part larger than its total, a share or threshold outside [0, 1].
//! * **An index that is not defined is absent, with its reason** ([`Absent`]): no units
//!   at all, units whose values are all zero (no share can be formed), a total or a
//!   base of zero (a buyer with no imports has no import share). Never a zero.
//!   Each function returns `Result<Index<T>, IndexError>`, where [`Index<T>`] is
//!   `Result<T, Absent>`.
//! * `N` is the number of units with a **positive** value (the *active* units) for the
//!   share-based indices ([`hhi`], [`normalised_hhi`], [`effective_number`],
//!   [`entropy`]): a zero adds nothing to them. The Theil index is the exception: it is
//!   taken over a set of *potential* units, the active ones plus the zeros passed in,
//!   and its between part measures how many of them are active.
//! * No rounding; results are computed in the order the definitions are written. The
//!   one allowance: a part may exceed its total by a relative 1e-9 (the same values
//!   summed in another order), and its share is then 1.
//!
//! ```
//! let exports = [60.0, 30.0, 10.0, 0.0];
//! let hhi = entrepot_indices::hhi(&exports)?.expect("defined");
//! assert!((hhi - 0.46).abs() < 1e-12);
//! let t = entrepot_indices::theil(&exports)?.expect("defined");
//! assert!((t.between - (4.0f64 / 3.0).ln()).abs() < 1e-12);
//! # Ok::<(), entrepot_indices::IndexError>(())
//! ```

#![warn(missing_docs)]

pub mod cms;
pub mod contributions;
mod dependence;
mod mirror;

pub use dependence::{asymmetry, chokepoints, export_share, import_share, trade_intensity};
pub use mirror::{mirror_gap, MirrorGap, TYPICAL_CIF_FOB_RATIO};

use thiserror::Error;

/// Input that no index is computed from.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum IndexError {
    /// A negative value (trade values are non-negative).
    #[error("value {value} at position {position} is negative: indices take non-negative values")]
    Negative {
        /// Its position in the slice (or among the arguments).
        position: usize,
        /// The value.
        value: f64,
    },
    /// A NaN or an infinity.
    #[error("value at position {position} is not finite ({value})")]
    NotFinite {
        /// Its position in the slice (or among the arguments).
        position: usize,
        /// The value.
        value: f64,
    },
    /// Two slices that must be aligned (own and reference values per product) differ
    /// in length.
    #[error("the own values ({own}) and the reference values ({reference}) differ in length")]
    LengthMismatch {
        /// Length of the own values.
        own: usize,
        /// Length of the reference values.
        reference: usize,
    },
    /// A top-k share with `k = 0`.
    #[error("the top-k share needs k of at least 1")]
    ZeroK,
    /// A part larger than its total (beyond rounding): the two come from data that do
    /// not agree (a declared total below the sum of its parts, say).
    #[error("the part {part} exceeds its total {total}")]
    PartExceedsTotal {
        /// The part.
        part: f64,
        /// The total.
        total: f64,
    },
    /// A share outside [0, 1] where one is expected.
    #[error("value {value} at position {position} is not a share in [0, 1]")]
    NotAShare {
        /// Its position among the arguments.
        position: usize,
        /// The value.
        value: f64,
    },
    /// A chokepoint threshold outside [0, 1].
    #[error("the threshold {0} is not a share in [0, 1]")]
    Threshold(f64),
}

/// Why an index is not defined for valid input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// No units at all.
    NoUnits,
    /// Every value is zero: there is no total to take shares of.
    AllZero,
    /// The reference values (world exports) are all zero.
    ZeroReference,
    /// The base of a growth rate or a ratio is zero (a base-period value of zero, a
    /// percent gap against an exporter's report of zero, an intensity against a buyer
    /// with no imports).
    ZeroBase,
    /// A unit that did not lose: no loss for the others to make up.
    NoLoss,
    /// The total a share is taken of is zero (a buyer with no imports, a supplier with
    /// no exports): there is no share, which is not a share of zero.
    ZeroTotal,
}

impl Absent {
    /// The reason in words, for a report's missing cell.
    pub fn reason(self) -> &'static str {
        match self {
            Absent::NoUnits => "no partners or products with trade",
            Absent::AllZero => "every value is zero: no shares can be formed",
            Absent::ZeroReference => "the reference (world) values are all zero",
            Absent::ZeroBase => "the base value is zero: no growth rate or ratio",
            Absent::NoLoss => "no loss: nothing for the others to make up",
            Absent::ZeroTotal => "the total is zero: no share of it can be formed",
        }
    }
}

impl std::fmt::Display for Absent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason())
    }
}

/// An index value, or why it is absent.
pub type Index<T> = Result<T, Absent>;

/// Checks that every value is finite and non-negative.
fn check(values: &[f64]) -> Result<(), IndexError> {
    for (position, &value) in values.iter().enumerate() {
        if !value.is_finite() {
            return Err(IndexError::NotFinite { position, value });
        }
        if value < 0.0 {
            return Err(IndexError::Negative { position, value });
        }
    }
    Ok(())
}

/// The total of checked values, or why there is none.
fn positive_total(values: &[f64]) -> Result<Index<f64>, IndexError> {
    check(values)?;
    if values.is_empty() {
        return Ok(Err(Absent::NoUnits));
    }
    let total: f64 = values.iter().sum();
    if total > 0.0 {
        Ok(Ok(total))
    } else {
        Ok(Err(Absent::AllZero))
    }
}

/// The number of units with a positive value.
pub fn active_units(values: &[f64]) -> usize {
    values.iter().filter(|v| **v > 0.0).count()
}

/// Shares of the total: `s_i = x_i / Σ_j x_j`, one per value (zeros have share 0).
///
/// The shares sum to 1 (up to rounding). Absent when `values` is empty or all zero.
pub fn shares(values: &[f64]) -> Result<Index<Vec<f64>>, IndexError> {
    Ok(positive_total(values)?.map(|total| values.iter().map(|x| x / total).collect()))
}

/// Herfindahl–Hirschman index: `HHI = Σ_i s_i²`, the sum of the squared shares.
///
/// Herfindahl (1950), *Concentration in the steel industry*; Hirschman (1945/1964),
/// "The paternity of an index", *American Economic Review* 54(5). Here on shares as
/// fractions, so `1/N ≤ HHI ≤ 1` with `N` the number of units with a positive value:
/// `1/N` when the value is spread equally, 1 when one unit holds everything (competition
/// authorities quote it times 10,000). Absent when `values` is empty or all zero.
pub fn hhi(values: &[f64]) -> Result<Index<f64>, IndexError> {
    Ok(shares(values)?.map(|s| s.iter().map(|s| s * s).sum()))
}

/// Normalised Herfindahl–Hirschman index: `HHI* = (HHI − 1/N) / (1 − 1/N)`, with `N`
/// the number of units with a positive value.
///
/// Rescales [`hhi`] from `[1/N, 1]` to `[0, 1]` so that indices over different numbers
/// of units compare: 0 for equal shares, 1 for one unit holding everything (e.g. Cadot,
/// Carrère and Strauss-Kahn 2011, *REStat* 93(2), table 1; UNCTAD's product
/// concentration index is its square root). **Convention for `N = 1`**: the formula is
/// 0/0; a single active unit holds everything, so `HHI* = 1` (full concentration).
/// Absent when `values` is empty or all zero.
pub fn normalised_hhi(values: &[f64]) -> Result<Index<f64>, IndexError> {
    let h = match hhi(values)? {
        Ok(h) => h,
        Err(a) => return Ok(Err(a)),
    };
    let n = active_units(values);
    if n == 1 {
        return Ok(Ok(1.0));
    }
    let inv_n = 1.0 / n as f64;
    Ok(Ok((h - inv_n) / (1.0 - inv_n)))
}

/// Effective number of units: `1 / HHI` — the number of equal-sized partners (or
/// products) that would give the same [`hhi`].
///
/// Adelman (1969), "Comment on the 'H' concentration measure as a numbers-equivalent",
/// *Review of Economics and Statistics* 51(1). Between 1 and `N` (the number of units
/// with a positive value). Absent when `values` is empty or all zero.
pub fn effective_number(values: &[f64]) -> Result<Index<f64>, IndexError> {
    Ok(hhi(values)?.map(|h| 1.0 / h))
}

/// Shannon entropy of the shares, natural logarithm: `E = −Σ_{i: s_i > 0} s_i ln s_i`.
///
/// Shannon (1948), "A mathematical theory of communication", *Bell System Technical
/// Journal* 27. Zero shares add nothing (`0 ln 0 = 0`). Between 0 (one unit) and
/// `ln N` (equal shares over `N` active units); `exp(E)` is another numbers-equivalent.
/// Absent when `values` is empty or all zero.
pub fn entropy(values: &[f64]) -> Result<Index<f64>, IndexError> {
    // `0.0 − Σ`, not `−Σ`: one unit gives +0, never −0.
    Ok(shares(values)?.map(|s| {
        0.0 - s
            .iter()
            .filter(|s| **s > 0.0)
            .map(|s| s * s.ln())
            .sum::<f64>()
    }))
}

/// Share of the `k` largest units: `Σ_{i ∈ top k} x_i / Σ_j x_j` (a concentration
/// ratio, `CR_k`, as in industrial-organisation texts, e.g. Tirole 1988).
///
/// With `k ≥ N` it is 1. Absent when `values` is empty or all zero; `k = 0` is an error.
pub fn top_k_share(values: &[f64], k: usize) -> Result<Index<f64>, IndexError> {
    if k == 0 {
        return Err(IndexError::ZeroK);
    }
    let total = match positive_total(values)? {
        Ok(t) => t,
        Err(a) => return Ok(Err(a)),
    };
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let top: f64 = sorted.iter().take(k).sum();
    Ok(Ok(top / total))
}

/// The Theil index over a set of potential units and its two parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theil {
    /// `T = (1/N) Σ_i (x_i/μ) ln(x_i/μ)` over the `N` potential units.
    pub total: f64,
    /// The between-groups (extensive) part, `ln(N / N_active)`: concentration from
    /// units with no trade at all.
    pub between: f64,
    /// The within-group (intensive) part: the Theil index over the active units only.
    pub within: f64,
    /// `N`, the potential units (the length of the slice).
    pub units: usize,
    /// `N_active`, the units with a positive value.
    pub active: usize,
}

/// Theil index `T = (1/N) Σ_i (x_i/μ) ln(x_i/μ)`, `μ = (1/N) Σ_i x_i`, over `N`
/// *potential* units (every value passed in, zeros included; `0 ln 0 = 0`), split into
/// a between (extensive) and a within (intensive) part.
///
/// Theil (1967), *Economics and Information Theory*; the decomposition is that of
/// Cadot, Carrère and Strauss-Kahn (2011), "Export diversification: what's behind the
/// hump?", *Review of Economics and Statistics* 93(2), 590–605, eq. (2)–(4): with the
/// units split into the `N_active` with positive value and the `N − N_active` zeros,
///
/// * between = `ln(N / N_active)` — the extensive margin (how many potential units are
///   traded at all);
/// * within = `(1/N_active) Σ_{i active} (x_i/μ_a) ln(x_i/μ_a)`, `μ_a` the mean over the
///   active units — the intensive margin (how unequal the traded units are);
///
/// and `T = between + within` exactly in exact arithmetic (here up to rounding, about
/// 1e-15 relative). `T = ln N − E` with `E` the [`entropy`] of the shares, so
/// `0 ≤ T ≤ ln N`. Each part is computed from its own definition, so their sum checks
/// the total. Absent when `values` is empty or all zero.
pub fn theil(values: &[f64]) -> Result<Index<Theil>, IndexError> {
    let total = match positive_total(values)? {
        Ok(t) => t,
        Err(a) => return Ok(Err(a)),
    };
    let units = values.len();
    let active = active_units(values);
    let mean = total / units as f64;
    let mean_active = total / active as f64;
    let part = |mu: f64, n: usize| -> f64 {
        values
            .iter()
            .filter(|x| **x > 0.0)
            .map(|x| (x / mu) * (x / mu).ln())
            .sum::<f64>()
            / n as f64
    };
    Ok(Ok(Theil {
        total: part(mean, units),
        between: (units as f64 / active as f64).ln(),
        within: part(mean_active, active),
        units,
        active,
    }))
}

/// The Hummels–Klenow margins of one exporter against a reference (world) exporter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    /// Extensive margin `EM = Σ_{k ∈ K_j} X_wk / Σ_k X_wk`.
    pub extensive: f64,
    /// Intensive margin `IM = Σ_{k ∈ K_j} X_jk / Σ_{k ∈ K_j} X_wk`.
    pub intensive: f64,
    /// The exporter's share of the reference, `X_j / X_w = EM · IM`.
    pub share: f64,
    /// `|K_j|`, the units the exporter exports.
    pub active: usize,
}

/// Hummels–Klenow extensive and intensive margins of an exporter `j` against the world
/// `w`, over the same units `k` (products, or partners): `own[k] = X_jk`,
/// `world[k] = X_wk`, `K_j = {k : X_jk > 0}`,
///
/// * `EM = Σ_{k ∈ K_j} X_wk / Σ_k X_wk` — the weight, in world trade, of the units the
///   exporter trades at all;
/// * `IM = Σ_{k ∈ K_j} X_jk / Σ_{k ∈ K_j} X_wk` — the exporter's share of world trade
///   in those units;
///
/// so that `EM · IM = X_j / X_w`, the exporter's share of the world. Hummels and Klenow
/// (2005), "The variety and quality of a nation's exports", *American Economic Review*
/// 95(3), 704–723, eq. (1)–(3), with the world as reference country (their `m` is the
/// rest of the world; both are used in the literature). The world values should
/// include the exporter's own. Absent when there are no units, the reference is all
/// zero, or the exporter exports nothing (`IM` is 0/0).
pub fn hummels_klenow(own: &[f64], world: &[f64]) -> Result<Index<Margins>, IndexError> {
    if own.len() != world.len() {
        return Err(IndexError::LengthMismatch {
            own: own.len(),
            reference: world.len(),
        });
    }
    check(own)?;
    let world_total = match positive_total(world)? {
        Ok(t) => t,
        Err(Absent::AllZero) => return Ok(Err(Absent::ZeroReference)),
        Err(a) => return Ok(Err(a)),
    };
    let own_total: f64 = own.iter().sum();
    if own_total <= 0.0 {
        return Ok(Err(Absent::AllZero));
    }
    let world_in_kj: f64 = own
        .iter()
        .zip(world)
        .filter(|(x, _)| **x > 0.0)
        .map(|(_, w)| w)
        .sum();
    if world_in_kj <= 0.0 {
        return Ok(Err(Absent::ZeroReference));
    }
    Ok(Ok(Margins {
        extensive: world_in_kj / world_total,
        intensive: own_total / world_in_kj,
        share: own_total / world_total,
        active: active_units(own),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn a_known_distribution_gives_the_hand_computed_indices() {
        let x = [60.0, 30.0, 10.0, 0.0];
        assert_eq!(shares(&x).unwrap().unwrap(), vec![0.6, 0.3, 0.1, 0.0]);
        let h = hhi(&x).unwrap().unwrap();
        assert!(close(h, 0.46), "{h}");
        // N = 3 active units
        assert!(close(
            normalised_hhi(&x).unwrap().unwrap(),
            (0.46 - 1.0 / 3.0) / (2.0 / 3.0)
        ));
        assert!(close(effective_number(&x).unwrap().unwrap(), 1.0 / 0.46));
        let e = -(0.6f64 * 0.6f64.ln() + 0.3 * 0.3f64.ln() + 0.1 * 0.1f64.ln());
        assert!(close(entropy(&x).unwrap().unwrap(), e));
        assert!(close(top_k_share(&x, 1).unwrap().unwrap(), 0.6));
        assert!(close(top_k_share(&x, 2).unwrap().unwrap(), 0.9));
        assert_eq!(top_k_share(&x, 10).unwrap().unwrap(), 1.0);
        let t = theil(&x).unwrap().unwrap();
        assert_eq!((t.units, t.active), (4, 3));
        assert!(close(t.between, (4.0f64 / 3.0).ln()));
        assert!(close(t.total, 4.0f64.ln() - e), "T = ln N − E");
        assert!(close(t.within, 3.0f64.ln() - e), "within: ln N_a − E");
        assert!(close(t.total, t.between + t.within));
    }

    #[test]
    fn equal_values_are_least_concentrated() {
        let x = [5.0; 8];
        assert!(close(hhi(&x).unwrap().unwrap(), 1.0 / 8.0));
        assert!(normalised_hhi(&x).unwrap().unwrap().abs() < 1e-12);
        assert!(close(effective_number(&x).unwrap().unwrap(), 8.0));
        assert!(close(entropy(&x).unwrap().unwrap(), 8.0f64.ln()));
        let t = theil(&x).unwrap().unwrap();
        assert!(t.total.abs() < 1e-12 && t.between == 0.0 && t.within.abs() < 1e-12);
    }

    #[test]
    fn one_value_is_full_concentration_and_the_n_equals_1_convention_holds() {
        for x in [vec![7.0], vec![0.0, 7.0, 0.0]] {
            assert_eq!(hhi(&x).unwrap().unwrap(), 1.0);
            assert_eq!(
                normalised_hhi(&x).unwrap().unwrap(),
                1.0,
                "convention N = 1"
            );
            assert_eq!(effective_number(&x).unwrap().unwrap(), 1.0);
            let e = entropy(&x).unwrap().unwrap();
            assert!(e == 0.0 && e.is_sign_positive(), "{e}");
            assert_eq!(top_k_share(&x, 1).unwrap().unwrap(), 1.0);
            let t = theil(&x).unwrap().unwrap();
            assert_eq!(t.within, 0.0);
            assert!(close(t.total, (x.len() as f64).ln()));
            assert!(close(t.between, (x.len() as f64).ln()));
        }
    }

    #[test]
    fn empty_and_all_zero_input_is_absent_with_its_reason_never_zero() {
        let empty: [f64; 0] = [];
        assert_eq!(hhi(&empty).unwrap(), Err(Absent::NoUnits));
        assert_eq!(shares(&empty).unwrap(), Err(Absent::NoUnits));
        assert_eq!(theil(&empty).unwrap(), Err(Absent::NoUnits));
        let zeros = [0.0, 0.0];
        for f in [hhi, normalised_hhi, effective_number, entropy] {
            assert_eq!(f(&zeros).unwrap(), Err(Absent::AllZero));
            assert_eq!(f(&empty).unwrap(), Err(Absent::NoUnits));
        }
        assert_eq!(top_k_share(&zeros, 3).unwrap(), Err(Absent::AllZero));
        assert_eq!(theil(&zeros).unwrap(), Err(Absent::AllZero));
        assert!(Absent::AllZero.reason().contains("zero"));
        assert_eq!(
            hummels_klenow(&empty, &empty).unwrap(),
            Err(Absent::NoUnits)
        );
        assert_eq!(
            hummels_klenow(&[0.0, 0.0], &[1.0, 2.0]).unwrap(),
            Err(Absent::AllZero)
        );
        assert_eq!(
            hummels_klenow(&[0.0, 0.0], &[0.0, 0.0]).unwrap(),
            Err(Absent::ZeroReference)
        );
    }

    #[test]
    fn negative_or_non_finite_input_is_an_error_naming_its_position() {
        assert_eq!(
            hhi(&[1.0, -2.0]),
            Err(IndexError::Negative {
                position: 1,
                value: -2.0
            })
        );
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for f in [hhi, normalised_hhi, effective_number, entropy, shares_len] {
                assert!(
                    matches!(
                        f(&[1.0, bad]),
                        Err(IndexError::NotFinite { position: 1, .. })
                    ),
                    "{bad}"
                );
            }
            assert!(theil(&[bad]).is_err());
            assert!(top_k_share(&[bad], 1).is_err());
            assert!(hummels_klenow(&[bad], &[1.0]).is_err());
            assert!(hummels_klenow(&[1.0], &[bad]).is_err());
        }
        assert_eq!(top_k_share(&[1.0], 0), Err(IndexError::ZeroK));
        assert_eq!(
            hummels_klenow(&[1.0], &[1.0, 2.0]),
            Err(IndexError::LengthMismatch {
                own: 1,
                reference: 2
            })
        );
    }

    fn shares_len(values: &[f64]) -> Result<Index<f64>, IndexError> {
        Ok(shares(values)?.map(|s| s.len() as f64))
    }

    #[test]
    fn hummels_klenow_margins_of_a_worked_example() {
        // world exports of products a, b, c = 50, 30, 20; the exporter sells a and c.
        let own = [10.0, 0.0, 5.0];
        let world = [50.0, 30.0, 20.0];
        let m = hummels_klenow(&own, &world).unwrap().unwrap();
        assert!(close(m.extensive, 0.7));
        assert!(close(m.intensive, 15.0 / 70.0));
        assert!(close(m.share, 0.15));
        assert!(close(m.extensive * m.intensive, m.share));
        assert_eq!(m.active, 2);
    }

    fn values() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(prop_oneof![Just(0.0), 1e-3f64..1e12, 0.0f64..1.0], 1..60)
            .prop_filter("some positive value", |v| v.iter().any(|x| *x > 0.0))
    }

    proptest! {
        #[test]
        fn shares_sum_to_one(x in values()) {
            let s = shares(&x).unwrap().unwrap();
            prop_assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }

        #[test]
        fn hhi_lies_between_one_over_n_and_one(x in values()) {
            let h = hhi(&x).unwrap().unwrap();
            let n = active_units(&x) as f64;
            prop_assert!(h >= 1.0 / n - 1e-12 && h <= 1.0 + 1e-12, "{h} with N = {n}");
            let e = effective_number(&x).unwrap().unwrap();
            prop_assert!(e >= 1.0 - 1e-9 && e <= n * (1.0 + 1e-9));
            let nh = normalised_hhi(&x).unwrap().unwrap();
            prop_assert!((-1e-9..=1.0 + 1e-9).contains(&nh));
        }

        #[test]
        fn theil_parts_add_to_the_total_and_the_total_is_ln_n_minus_entropy(x in values()) {
            let t = theil(&x).unwrap().unwrap();
            let tol = 1e-10 * t.total.abs().max(1.0);
            prop_assert!((t.total - (t.between + t.within)).abs() <= tol,
                "{} vs {} + {}", t.total, t.between, t.within);
            let e = entropy(&x).unwrap().unwrap();
            prop_assert!((t.total - ((x.len() as f64).ln() - e)).abs() <= tol);
            prop_assert!(t.within >= -1e-12 && t.between >= 0.0);
        }

        #[test]
        fn em_times_im_is_the_exporters_share(
            pairs in prop::collection::vec((prop_oneof![Just(0.0), 0.0f64..1e9], 0.0f64..1e9), 1..60)
        ) {
            let own: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            // the world includes the exporter
            let world: Vec<f64> = pairs.iter().map(|p| p.0 + p.1).collect();
            prop_assume!(own.iter().any(|x| *x > 0.0));
            let m = hummels_klenow(&own, &world).unwrap().unwrap();
            let share = own.iter().sum::<f64>() / world.iter().sum::<f64>();
            prop_assert!((m.extensive * m.intensive - share).abs() <= 1e-12 * share.max(1e-300));
            prop_assert!(m.extensive <= 1.0 + 1e-12 && m.intensive <= 1.0 + 1e-12);
        }

        #[test]
        fn top_k_shares_grow_with_k_up_to_one(x in values()) {
            let mut last = 0.0;
            for k in 1..=x.len() {
                let s = top_k_share(&x, k).unwrap().unwrap();
                prop_assert!(s >= last - 1e-15);
                last = s;
            }
            prop_assert!((last - 1.0).abs() < 1e-12);
        }
    }
}
