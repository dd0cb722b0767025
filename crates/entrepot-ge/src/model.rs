//! The inputs of a counterfactual: the baseline economy, the shock to trade costs and the
//! options (elasticity, normalisation, deficits, tolerance).
//!
//! The model is the structural gravity system of Anderson and van Wincoop (2003) as
//! written in Yotov, Piermartini, Monteiro and Larch (2016, ch. 2, eqs. (1)–(4)):
//!
//! ```text
//! X_ij = Y_i E_j t_ij / (Π_i P_j)        Π_i = Σ_j t_ij E_j / P_j        P_j = Σ_i t_ij Y_i / Π_i
//! ```
//!
//! where `t_ij = τ_ij^{1−σ}` is the trade-cost term (the exponential of the gravity
//! regression's bilateral part), and `Π_i`, `P_j` stand for the powered resistances
//! `Π_i^{1−σ}`, `P_j^{1−σ}` of the book (world output absorbed, as in the book's
//! `OMR = Y·E_R / exp(FE_i)`, `IMR = E / (exp(FE_j)·E_R)`). The supply side is
//! `Y_i = (β_i p_i)^{1−σ} Π_i`, so a change in the producer (factory-gate) price is
//! `p̂_i^{1−σ} = (Y_i'/Π_i') / (Y_i/Π_i)` (ch. 2, eq. (6)).

use crate::error::{GeError, Result};
use crate::matrix::Matrix;

/// The trade elasticity, as the elasticity of substitution `σ` or as `θ = σ − 1` (the
/// negative of the elasticity of trade to trade costs, Zylkin's `ge_gravity` `theta`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Elasticity {
    /// `σ > 1` (the book uses `σ = 7`).
    Sigma(f64),
    /// `θ = σ − 1 > 0`.
    Theta(f64),
}

impl Elasticity {
    /// `σ`.
    pub fn sigma(&self) -> f64 {
        match *self {
            Elasticity::Sigma(s) => s,
            Elasticity::Theta(t) => t + 1.0,
        }
    }

    pub(crate) fn validated_sigma(&self) -> Result<f64> {
        let s = self.sigma();
        if s.is_finite() && s > 1.0 {
            Ok(s)
        } else {
            Err(GeError::InvalidElasticity(s))
        }
    }
}

/// What stays fixed so that prices are determined (the model is homogeneous of degree
/// one in prices; only relative prices are pinned by the equilibrium conditions).
///
/// The baseline levels are always normalised with the reference country's inward
/// resistance `P_R = 1` (the book's choice: Germany's importer fixed effect is the one
/// left out). The numéraire says what is held fixed in the counterfactuals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numeraire {
    /// The reference country's inward multilateral resistance `P_R` (its consumer price
    /// index) stays at its baseline value: Yotov et al. (2016, ch. 2) with Germany.
    InwardResistance,
    /// The reference country's producer (factory-gate) price `p_R` stays fixed. In the
    /// conditional scenario (all prices fixed) this holds `Π_R` at its baseline value.
    ProducerPrice,
    /// Nominal world output `Σ_i p_i Y_i` stays fixed (Zylkin's `ge_gravity`). In the
    /// conditional scenario it applies to the producer price changes implied by the
    /// outward resistances, `p̃_i^{1−σ} = Π_i / Π_i'`.
    WorldOutput,
}

/// How trade deficits `D_j = E_j − Y_j` of the baseline carry over to the counterfactual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deficits {
    /// Expenditure is a fixed multiple of output, `E_j' = κ φ_j Y_j'` with
    /// `φ_j = E_j / Y_j` (Anderson and Yotov 2016; the book's `phi`). `κ = Σ Y' / Σ φ Y'`
    /// is one world scalar that keeps world expenditure equal to world output (without it
    /// the system has no solution unless all prices move together); it is reported as
    /// [`crate::Counterfactual::expenditure_scale`] and is 1 when trade is balanced.
    Multiplicative,
    /// Deficits stay fixed in units of the numéraire, `E_j' = Y_j' + D_j` (the default of
    /// Zylkin's `ge_gravity`). Results then depend on the numéraire, as with any fixed
    /// nominal deficit.
    Additive,
    /// Trade is balanced, `E_j' = Y_j'`; the baseline must be balanced too.
    Balanced,
}

/// Solver options. [`Options::new`] gives the book's setting: the reference country's
/// inward resistance fixed, multiplicative deficits, tolerance `1e-10`.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `σ` or `θ`.
    pub elasticity: Elasticity,
    /// The reference country (its code as in the baseline): baseline levels are
    /// normalised with its `P_R = 1`, and the numéraire refers to it.
    pub reference: String,
    /// What is held fixed in the counterfactuals.
    pub numeraire: Numeraire,
    /// How deficits carry over.
    pub deficits: Deficits,
    /// Convergence: the largest log gap between demand and supply of any country's
    /// output (and the numéraire's remaining log shift) must fall below it. The inner
    /// fixed-effect (matrix-balancing) fits are solved ten thousand times tighter, but not
    /// below `1e-14`.
    pub tolerance: f64,
    /// The most outer iterations before [`GeError::NotConverged`].
    pub max_iterations: usize,
}

impl Options {
    /// Options with `σ` (or `θ`) and the reference country; the rest as in the book.
    pub fn new(elasticity: Elasticity, reference: impl Into<String>) -> Options {
        Options {
            elasticity,
            reference: reference.into(),
            numeraire: Numeraire::InwardResistance,
            deficits: Deficits::Multiplicative,
            tolerance: 1e-10,
            max_iterations: 10_000,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        self.elasticity.validated_sigma()?;
        if !(self.tolerance.is_finite() && self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(GeError::InvalidOption(format!(
                "tolerance must be in (0, 1); got {}",
                self.tolerance
            )));
        }
        if self.max_iterations == 0 {
            return Err(GeError::InvalidOption(
                "max_iterations must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The tolerance of the inner fixed-effect (matrix-balancing) fits.
    pub(crate) fn inner_tolerance(&self) -> f64 {
        (self.tolerance * 1e-4).max(1e-14)
    }
}

/// The baseline economy: countries, output `Y_i`, expenditure `E_j` (both including
/// domestic sales) and the trade-cost terms `t_ij = τ_ij^{1−σ}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    countries: Vec<String>,
    output: Vec<f64>,
    expenditure: Vec<f64>,
    costs: Matrix,
}

/// Relative gap allowed between world output and world expenditure.
const WORLD_BALANCE_TOL: f64 = 1e-9;

impl Baseline {
    /// A baseline from observed flows (domestic trade on the diagonal) and estimated trade
    /// costs: `Y_i = Σ_j X_ij`, `E_j = Σ_i X_ij`. The flows enter only through these
    /// totals; the baseline flows of the model are the fitted ones,
    /// `X_ij = Y_i E_j t_ij / (Π_i P_j)`, as in the book (`tradehat_BLN`).
    pub fn from_flows(countries: Vec<String>, flows: &Matrix, costs: Matrix) -> Result<Baseline> {
        check_square("flows", flows, countries.len())?;
        check_matrix("flow", flows, &countries)?;
        Baseline::from_totals(countries, flows.row_sums(), flows.col_sums(), costs)
    }

    /// A baseline from output, expenditure and trade costs.
    pub fn from_totals(
        countries: Vec<String>,
        output: Vec<f64>,
        expenditure: Vec<f64>,
        costs: Matrix,
    ) -> Result<Baseline> {
        let n = countries.len();
        if n == 0 {
            return Err(GeError::Empty);
        }
        for (k, c) in countries.iter().enumerate() {
            if countries[..k].contains(c) {
                return Err(GeError::DuplicateCountry(c.clone()));
            }
        }
        for (what, v) in [("output", &output), ("expenditure", &expenditure)] {
            if v.len() != n {
                return Err(GeError::Dimension {
                    what,
                    got: v.len(),
                    expected: n,
                });
            }
            for (c, &x) in countries.iter().zip(v.iter()) {
                if !(x.is_finite() && x >= 0.0) {
                    return Err(GeError::InvalidValue {
                        what,
                        at: c.clone(),
                        value: x,
                    });
                }
                if x == 0.0 {
                    return Err(if what == "output" {
                        GeError::ZeroOutput(c.clone())
                    } else {
                        GeError::ZeroExpenditure(c.clone())
                    });
                }
            }
        }
        check_square("costs", &costs, n)?;
        check_matrix("trade cost", &costs, &countries)?;
        let (wy, we): (f64, f64) = (output.iter().sum(), expenditure.iter().sum());
        if (wy - we).abs() > WORLD_BALANCE_TOL * wy.max(we) {
            return Err(GeError::WorldImbalance {
                output: wy,
                expenditure: we,
            });
        }
        check_pattern(&costs, &countries)?;
        Ok(Baseline {
            countries,
            output,
            expenditure,
            costs,
        })
    }

    /// A baseline calibrated to observed flows: `t_ij = X_ij / (Y_i E_j)`, so that the
    /// model reproduces every observed flow exactly (`Π = P = 1` in the baseline). Only
    /// changes of trade costs then matter, as in the exact hat algebra of Dekle, Eaton
    /// and Kortum (2007) and Zylkin's `ge_gravity`; a zero flow stays zero.
    pub fn calibrated(countries: Vec<String>, flows: &Matrix) -> Result<Baseline> {
        check_square("flows", flows, countries.len())?;
        check_matrix("flow", flows, &countries)?;
        let (y, e) = (flows.row_sums(), flows.col_sums());
        let costs = flows.map(|i, j, x| if x == 0.0 { 0.0 } else { x / (y[i] * e[j]) });
        Baseline::from_totals(countries, y, e, costs)
    }

    /// The country codes, in matrix order.
    pub fn countries(&self) -> &[String] {
        &self.countries
    }

    /// Output `Y_i` (total sales, domestic included).
    pub fn output(&self) -> &[f64] {
        &self.output
    }

    /// Expenditure `E_j` (total purchases, domestic included).
    pub fn expenditure(&self) -> &[f64] {
        &self.expenditure
    }

    /// Trade-cost terms `t_ij = τ_ij^{1−σ}`.
    pub fn costs(&self) -> &Matrix {
        &self.costs
    }

    /// Trade deficits `D_j = E_j − Y_j`.
    pub fn deficits(&self) -> Vec<f64> {
        self.expenditure
            .iter()
            .zip(&self.output)
            .map(|(e, y)| e - y)
            .collect()
    }

    /// The number of countries.
    pub fn len(&self) -> usize {
        self.countries.len()
    }

    /// Whether there are no countries (never true for a constructed baseline).
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
    }

    /// The position of a country code.
    pub fn index_of(&self, code: &str) -> Result<usize> {
        self.countries
            .iter()
            .position(|c| c == code)
            .ok_or_else(|| GeError::UnknownCountry(code.to_string()))
    }

    pub(crate) fn pair_name(&self, i: usize, j: usize) -> String {
        format!("{} → {}", self.countries[i], self.countries[j])
    }
}

fn check_square(what: &'static str, m: &Matrix, n: usize) -> Result<()> {
    if m.size() != n {
        return Err(GeError::Dimension {
            what,
            got: m.size() * m.size(),
            expected: n * n,
        });
    }
    Ok(())
}

fn check_matrix(what: &'static str, m: &Matrix, countries: &[String]) -> Result<()> {
    let n = m.size();
    for (k, &v) in m.as_slice().iter().enumerate() {
        if !(v.is_finite() && v >= 0.0) {
            return Err(GeError::InvalidValue {
                what,
                at: format!("{} → {}", countries[k / n], countries[k % n]),
                value: v,
            });
        }
    }
    Ok(())
}

/// Every country must sell somewhere and buy from somewhere, and the positive entries
/// must link all countries (rows and columns as one bipartite graph).
pub(crate) fn check_pattern(costs: &Matrix, countries: &[String]) -> Result<()> {
    let n = costs.size();
    for (i, country) in countries.iter().enumerate() {
        if costs.row(i).iter().all(|&t| t == 0.0) {
            return Err(GeError::Isolated {
                country: country.clone(),
                side: "exporter",
            });
        }
        if (0..n).all(|k| costs.get(k, i) == 0.0) {
            return Err(GeError::Isolated {
                country: country.clone(),
                side: "importer",
            });
        }
    }
    // Union–find over rows 0..n and columns n..2n.
    let mut parent: Vec<usize> = (0..2 * n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for i in 0..n {
        for j in 0..n {
            if costs.get(i, j) > 0.0 {
                let (a, b) = (find(&mut parent, i), find(&mut parent, n + j));
                if a != b {
                    parent[a] = b;
                }
            }
        }
    }
    let root0 = find(&mut parent, 0);
    let mut roots: Vec<usize> = Vec::new();
    for x in 0..2 * n {
        let r = find(&mut parent, x);
        if !roots.contains(&r) {
            roots.push(r);
        }
    }
    if roots.len() > 1 {
        let other = roots.iter().copied().find(|&r| r != root0).unwrap_or(root0);
        let members: Vec<&str> = (0..n)
            .filter(|&i| find(&mut parent, i) == other || find(&mut parent, n + i) == other)
            .map(|i| countries[i].as_str())
            .take(8)
            .collect();
        return Err(GeError::Disconnected {
            groups: roots.len(),
            example: members.join(", "),
        });
    }
    Ok(())
}

/// The counterfactual change of trade costs.
#[derive(Debug, Clone, PartialEq)]
pub enum Shock {
    /// The counterfactual trade-cost terms `t_ij'` (levels, same scale as the baseline's).
    NewCosts(Matrix),
    /// Multiplicative changes `t̂_ij = t_ij' / t_ij` (for a coefficient change `Δβ` on a
    /// dummy `d_ij`, `t̂_ij = exp(Δβ d_ij)`: Zylkin's `ge_gravity` `beta`).
    Changes(Matrix),
}

impl Shock {
    /// No change at all (`t̂ = 1`): every solver returns the baseline.
    pub fn none(n: usize) -> Shock {
        Shock::Changes(Matrix::filled(n, 1.0))
    }

    /// The counterfactual costs `t'`, checked against the baseline.
    pub(crate) fn new_costs(&self, baseline: &Baseline) -> Result<Matrix> {
        let n = baseline.len();
        let (m, what) = match self {
            Shock::NewCosts(m) => (m, "counterfactual trade cost"),
            Shock::Changes(m) => (m, "trade cost change"),
        };
        check_square("shock", m, n)?;
        check_matrix(what, m, baseline.countries())?;
        let t = match self {
            Shock::NewCosts(m) => m.clone(),
            Shock::Changes(h) => baseline.costs().map(|i, j, t| t * h.get(i, j)),
        };
        for (k, &v) in t.as_slice().iter().enumerate() {
            if !v.is_finite() {
                return Err(GeError::InvalidValue {
                    what: "counterfactual trade cost",
                    at: baseline.pair_name(k / n, k % n),
                    value: v,
                });
            }
        }
        check_pattern(&t, baseline.countries())?;
        Ok(t)
    }
}
