//! Results: the baseline, conditional and full endowment scenarios, and the per-country
//! and per-pair tables of levels and changes.

use crate::matrix::Matrix;
use crate::model::Options;

/// One scenario's equilibrium values (the baseline, the conditional or the full endowment
/// counterfactual).
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Output `Y_i` (value, domestic sales included).
    pub output: Vec<f64>,
    /// Expenditure `E_j` (value, domestic purchases included).
    pub expenditure: Vec<f64>,
    /// Producer (factory-gate) price relative to the baseline, `p_i / p_i^{BLN}` (1 in the
    /// baseline and in the conditional scenario).
    pub producer_price: Vec<f64>,
    /// Outward multilateral resistance in the book's units, `Π_i^{1−σ}` (`OMR`).
    pub omr: Vec<f64>,
    /// Inward multilateral resistance in the book's units, `P_j^{1−σ}` (`IMR`).
    pub imr: Vec<f64>,
    /// Bilateral flows `X_ij` (domestic on the diagonal).
    pub flows: Matrix,
}

impl Scenario {
    /// Exports `Σ_{j≠i} X_ij` (international only, as the book's `Xi`).
    pub fn exports(&self) -> Vec<f64> {
        self.flows.row_sums_off_diagonal()
    }

    /// Imports `Σ_{i≠j} X_ij` (international only).
    pub fn imports(&self) -> Vec<f64> {
        self.flows.col_sums_off_diagonal()
    }

    /// The outward resistance `Π_i = OMR_i^{1/(1−σ)}`.
    pub fn outward_resistance(&self, sigma: f64) -> Vec<f64> {
        self.omr
            .iter()
            .map(|v| v.powf(1.0 / (1.0 - sigma)))
            .collect()
    }

    /// The inward resistance `P_j = IMR_j^{1/(1−σ)}` (the consumer price index).
    pub fn inward_resistance(&self, sigma: f64) -> Vec<f64> {
        self.imr
            .iter()
            .map(|v| v.powf(1.0 / (1.0 - sigma)))
            .collect()
    }

    /// Real GDP `Y_i / P_i` (the book's `rGDP`).
    pub fn real_gdp(&self, sigma: f64) -> Vec<f64> {
        self.output
            .iter()
            .zip(self.inward_resistance(sigma))
            .map(|(y, p)| y / p)
            .collect()
    }

    /// Welfare as real expenditure `E_j / P_j` (equal to real GDP under balanced trade;
    /// Zylkin's `ge_gravity` `welfare`).
    pub fn welfare(&self, sigma: f64) -> Vec<f64> {
        self.expenditure
            .iter()
            .zip(self.inward_resistance(sigma))
            .map(|(e, p)| e / p)
            .collect()
    }

    /// The largest relative gap between the flows' totals and output (rows) or
    /// expenditure (columns): zero up to rounding in an equilibrium.
    pub fn adding_up_gap(&self) -> f64 {
        let rows = self.flows.row_sums();
        let cols = self.flows.col_sums();
        let r = rows
            .iter()
            .zip(&self.output)
            .map(|(a, b)| (a / b - 1.0).abs());
        let c = cols
            .iter()
            .zip(&self.expenditure)
            .map(|(a, b)| (a / b - 1.0).abs());
        r.chain(c).fold(0.0, f64::max)
    }
}

/// How a counterfactual was solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// [`crate::solve_hat`]: exact hat algebra fixed point.
    HatAlgebra,
    /// [`crate::solve_geppml`]: GEPPML iterated to the equilibrium.
    Geppml,
    /// [`crate::replicate_yotov2016`]: the book's do-file procedure and stopping rule.
    Yotov2016DoFile,
}

/// A value in the three scenarios, with its ratios to the baseline.
///
/// The ratios are computed from the model's changes, not by dividing the levels: with `σ`
/// close to one a resistance level `P = IMR^{1/(1−σ)}` (and real GDP `Y/P`) can over- or
/// underflow while its change stays finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levels {
    /// Baseline.
    pub baseline: f64,
    /// Conditional general equilibrium (output and expenditure fixed).
    pub conditional: f64,
    /// Full endowment general equilibrium.
    pub full: f64,
    /// `conditional / baseline`.
    pub conditional_ratio: f64,
    /// `full / baseline`.
    pub full_ratio: f64,
}

impl Levels {
    /// Levels whose ratios are their quotients.
    pub fn new(baseline: f64, conditional: f64, full: f64) -> Levels {
        Levels {
            baseline,
            conditional,
            full,
            conditional_ratio: conditional / baseline,
            full_ratio: full / baseline,
        }
    }

    /// `(conditional / baseline − 1) × 100`.
    pub fn conditional_change_pct(&self) -> f64 {
        (self.conditional_ratio - 1.0) * 100.0
    }

    /// `(full / baseline − 1) × 100`.
    pub fn full_change_pct(&self) -> f64 {
        (self.full_ratio - 1.0) * 100.0
    }
}

/// Per-country results: levels in the three scenarios (percent changes by
/// [`Levels::conditional_change_pct`] and [`Levels::full_change_pct`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CountryResult {
    /// The country code.
    pub country: String,
    /// Exports (international).
    pub exports: Levels,
    /// Imports (international).
    pub imports: Levels,
    /// Output `Y`.
    pub output: Levels,
    /// Expenditure `E`.
    pub expenditure: Levels,
    /// Producer price relative to the baseline.
    pub producer_price: Levels,
    /// `Π^{1−σ}` (the book's `OMR`).
    pub omr: Levels,
    /// `P^{1−σ}` (the book's `IMR`).
    pub imr: Levels,
    /// `Π` (the book's percent changes of "OMR" are of this).
    pub outward_resistance: Levels,
    /// `P` (the book's percent changes of "IMR" are of this).
    pub inward_resistance: Levels,
    /// Real GDP `Y / P`.
    pub real_gdp: Levels,
    /// Real expenditure `E / P`.
    pub welfare: Levels,
}

/// Per-pair result: the bilateral flow in the three scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct PairResult {
    /// Exporter.
    pub exporter: String,
    /// Importer.
    pub importer: String,
    /// The flow `X_ij`.
    pub flow: Levels,
}

/// A solved counterfactual: the three scenarios and how they were obtained.
#[derive(Debug, Clone, PartialEq)]
pub struct Counterfactual {
    /// Country codes, in matrix order.
    pub countries: Vec<String>,
    /// The elasticity of substitution used.
    pub sigma: f64,
    /// The options it was solved with.
    pub options: Options,
    /// The solver.
    pub method: Method,
    /// The baseline (fitted flows, multilateral resistances with `P_R = 1`).
    pub baseline: Scenario,
    /// The conditional general equilibrium: new trade costs, output and expenditure fixed.
    pub conditional: Scenario,
    /// The full endowment general equilibrium: producer prices, output and expenditure
    /// adjust.
    pub full: Scenario,
    /// Outer iterations of the full endowment solve (0 when the shock changes nothing).
    pub iterations: usize,
    /// The world scalar `κ` of multiplicative deficits (`E_j' = κ φ_j Y_j'`); 1 otherwise
    /// (and for the book's do-file procedure, which does not rescale).
    pub expenditure_scale: f64,
}

impl Counterfactual {
    /// The per-country table.
    pub fn country_results(&self) -> Vec<CountryResult> {
        let s = self.sigma;
        let sc = [&self.baseline, &self.conditional, &self.full];
        let pick = |f: &dyn Fn(&Scenario) -> Vec<f64>| -> Vec<Vec<f64>> {
            sc.iter().map(|x| f(x)).collect()
        };
        let exports = pick(&|x| x.exports());
        let imports = pick(&|x| x.imports());
        let output = pick(&|x| x.output.clone());
        let expenditure = pick(&|x| x.expenditure.clone());
        let price = pick(&|x| x.producer_price.clone());
        let omr = pick(&|x| x.omr.clone());
        let imr = pick(&|x| x.imr.clone());
        let outward = pick(&|x| x.outward_resistance(s));
        let inward = pick(&|x| x.inward_resistance(s));
        let rgdp = pick(&|x| x.real_gdp(s));
        let welfare = pick(&|x| x.welfare(s));
        let lv = |v: &[Vec<f64>], i: usize| Levels::new(v[0][i], v[1][i], v[2][i]);
        // Changes of powered levels from the change of the level: (v'/v)^{1/(1−σ)}.
        let pr = |v: &[Vec<f64>], i: usize, k: usize| (v[k][i] / v[0][i]).powf(1.0 / (1.0 - s));
        let ratio = |v: &[Vec<f64>], i: usize, k: usize| v[k][i] / v[0][i];
        let with = |levels: Levels, c: f64, f: f64| Levels {
            conditional_ratio: c,
            full_ratio: f,
            ..levels
        };
        self.countries
            .iter()
            .enumerate()
            .map(|(i, c)| CountryResult {
                country: c.clone(),
                exports: lv(&exports, i),
                imports: lv(&imports, i),
                output: lv(&output, i),
                expenditure: lv(&expenditure, i),
                producer_price: lv(&price, i),
                omr: lv(&omr, i),
                imr: lv(&imr, i),
                outward_resistance: with(lv(&outward, i), pr(&omr, i, 1), pr(&omr, i, 2)),
                inward_resistance: with(lv(&inward, i), pr(&imr, i, 1), pr(&imr, i, 2)),
                real_gdp: with(
                    lv(&rgdp, i),
                    ratio(&output, i, 1) / pr(&imr, i, 1),
                    ratio(&output, i, 2) / pr(&imr, i, 2),
                ),
                welfare: with(
                    lv(&welfare, i),
                    ratio(&expenditure, i, 1) / pr(&imr, i, 1),
                    ratio(&expenditure, i, 2) / pr(&imr, i, 2),
                ),
            })
            .collect()
    }

    /// The per-pair table (row by row: every importer of the first exporter, then the
    /// next exporter).
    pub fn pair_results(&self) -> Vec<PairResult> {
        let n = self.countries.len();
        let mut out = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                out.push(PairResult {
                    exporter: self.countries[i].clone(),
                    importer: self.countries[j].clone(),
                    flow: Levels::new(
                        self.baseline.flows.get(i, j),
                        self.conditional.flows.get(i, j),
                        self.full.flows.get(i, j),
                    ),
                });
            }
        }
        out
    }

    /// The results of one country.
    pub fn country(&self, code: &str) -> Option<CountryResult> {
        self.country_results()
            .into_iter()
            .find(|c| c.country == code)
    }
}
