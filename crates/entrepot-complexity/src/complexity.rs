//! ECI and PCI by the eigenvector method, proximity, density, the complexity outlook
//! index and gain, each as ecomplexity 0.5 (Harvard Growth Lab) computes them.
//!
//! With the presence matrix `M` (countries × products), diversity `k_c = Σ_p M_cp` and
//! ubiquity `k_p = Σ_c M_cp`:
//!
//! * **ECI, PCI** (Hidalgo and Hausmann 2009; Hausmann et al. 2014, *Atlas*, "How do we
//!   measure economic complexity?"): `M̃_pp' = Σ_c M_cp M_cp' / (k_p k_c)`; `K_p` is the
//!   eigenvector of `M̃` for its second largest eigenvalue, of unit Euclidean norm,
//!   and `K_c = Σ_p M_cp K_p / k_c`. The sign makes `corr(K_c, k_c) > 0`. Then
//!   `ECI = (K_c − mean K_c) / sd K_c` and `PCI = (K_p − mean K_c) / sd K_c` (population
//!   standard deviation; the Stata package's normalisation, kept by ecomplexity, under
//!   which a country's ECI is the mean PCI of its products).
//!   ecomplexity takes `K_p` from `numpy.linalg.eig` of the P × P matrix; this crate
//!   solves the same eigenproblem in the smaller of the two spaces, in its symmetric
//!   form (`D^{-1/2} M U^{-1} Mᵀ D^{-1/2}` for countries), then maps the vector across
//!   (`K_p ∝ Σ_c M_cp K_c / k_p`) and normalises it as `eig` does, so every later
//!   figure is the same to rounding. The second eigenvector comes from power iteration
//!   deflated of the first, whose eigenvector `∝ √k_c` is known
//!   ([`second_eigenpair`](crate::second_eigenpair)), with Jacobi as the fallback.
//! * **Proximity** (Hidalgo et al. 2007): `φ_pp' = Σ_c M_cp M_cp' / max(k_p, k_p')`, the
//!   minimum of the two conditional probabilities (ecomplexity's default); asymmetric:
//!   `φ_pp' = Σ_c M_cp M_cp' / k_p`.
//! * **Density** (Hidalgo et al. 2007): `ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'`, for
//!   every cell (present or not).
//! * **COI** (Hausmann et al. 2014, *Atlas*): `COI_c = Σ_p ω_cp (1 − M_cp) K_p`, then
//!   standardised (mean 0, population sd 1). As in ecomplexity, `K_p` is the signed
//!   *unit eigenvector*, not the standardised PCI; standardisation makes COI
//!   independent of that scale.
//! * **COG** (Hausmann et al. 2014, *Atlas*): `COG_cp = (1 − M_cp) Σ_p' φ_p'p / (Σ_p''
//!   φ_p'p'') (1 − M_cp') K_p'`, divided by `sd K_c` (so on the scale of the PCI).

use crate::eigen::{second_eigenpair, symmetric_eigen};

/// Power-iteration steps for the ECI eigenvector before falling back on Jacobi.
const POWER_ITERATIONS: usize = 5_000;
use crate::error::{ComplexityError, Result};
use crate::matrix::{balassa_rca, presence, rpop, world_shares, ExportMatrix};
use crate::product_space::{density_and_cog_by_levels, proximity, row_sums, weighted_column_sums};
use rayon::prelude::*;

/// Which measure decides presence (ecomplexity's `presence_test`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PresenceTest {
    /// Balassa RCA `≥` [`Options::rca_threshold`] (the default).
    #[default]
    Rca,
    /// RPOP `≥` [`Options::rpop_threshold`]; `population` per input country (every
    /// country of the input, positive).
    Rpop {
        /// Population of every input country.
        population: Vec<f64>,
    },
}

/// The options of [`complexity()`]; the defaults are ecomplexity's.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The presence test.
    pub presence_test: PresenceTest,
    /// RCA threshold (ecomplexity's `rca_mcp_threshold`, default 1).
    pub rca_threshold: f64,
    /// RPOP threshold (ecomplexity's `rpop_mcp_threshold`, default 1).
    pub rpop_threshold: f64,
    /// Asymmetric proximity (`φ_pp' = Σ_c M_cp M_cp' / k_p`) instead of the minimum of
    /// the conditional probabilities (ecomplexity's `asymmetric`, default false).
    pub asymmetric_proximity: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            presence_test: PresenceTest::Rca,
            rca_threshold: 1.0,
            rpop_threshold: 1.0,
            asymmetric_proximity: false,
        }
    }
}

/// The results: countries and products with positive exports (input indices), and
/// every figure on them. Matrices are row-major, countries × products (proximity:
/// products × products).
#[derive(Debug, Clone)]
pub struct Complexity {
    /// Input indices of the countries kept (positive total exports), in input order.
    pub countries: Vec<usize>,
    /// Input indices of the products kept (positive total exports), in input order.
    pub products: Vec<usize>,
    /// Balassa RCA of every cell (empty for a given presence matrix).
    pub rca: Vec<f64>,
    /// World market share `x_cp / X_p` of every cell (empty for a given presence
    /// matrix).
    pub world_share: Vec<f64>,
    /// Presence `M_cp` (0 or 1).
    pub presence: Vec<u8>,
    /// Diversity `k_c` of each country.
    pub diversity: Vec<u32>,
    /// Ubiquity `k_p` of each product.
    pub ubiquity: Vec<u32>,
    /// Economic complexity index (standardised).
    pub eci: Vec<f64>,
    /// Product complexity index (on the ECI's scale).
    pub pci: Vec<f64>,
    /// Whether the proximity used is asymmetric (see [`Options::asymmetric_proximity`]).
    pub asymmetric_proximity: bool,
    /// Density `ω_cp` of every cell.
    pub density: Vec<f64>,
    /// Complexity outlook index (standardised).
    pub coi: Vec<f64>,
    /// Complexity outlook gain of every cell (0 where present).
    pub cog: Vec<f64>,
    /// The second largest eigenvalue of `M̃` (the largest is 1).
    pub second_eigenvalue: f64,
}

impl Complexity {
    /// Number of countries kept.
    pub fn n_countries(&self) -> usize {
        self.countries.len()
    }

    /// Number of products kept.
    pub fn n_products(&self) -> usize {
        self.products.len()
    }

    /// Proximity `φ`, products × products (row-major), computed on demand from the
    /// presence matrix (the other figures do not need it formed): co-occurrence over
    /// countries divided by the larger ubiquity, or by the row product's ubiquity when
    /// [`Complexity::asymmetric_proximity`].
    pub fn proximity(&self) -> Vec<f64> {
        let np = self.n_products();
        let by_country: Vec<Vec<usize>> = self
            .presence
            .chunks(np)
            .map(|row| (0..np).filter(|&p| row[p] == 1).collect())
            .collect();
        proximity(&by_country, &self.ubiquity, self.asymmetric_proximity)
    }

    /// Position of cell (country `c`, product `p`), both as positions among those kept.
    pub fn cell(&self, c: usize, p: usize) -> usize {
        c * self.products.len() + p
    }
}

/// Computes every figure of economic complexity of one year's export matrix.
///
/// Countries and products whose total exports are 0 are dropped first, as ecomplexity
/// does (its `create_full_df`); their input indices are absent from
/// [`Complexity::countries`] / [`Complexity::products`]. Refused: fewer than 2 of
/// either ([`ComplexityError::TooSmall`]); a country or product left with no presence
/// ([`ComplexityError::EmptyPresence`], where ecomplexity returns NaN); a disconnected
/// network ([`ComplexityError::Disconnected`]); an ECI without variation
/// ([`ComplexityError::Degenerate`]).
pub fn complexity(matrix: &ExportMatrix, options: &Options) -> Result<Complexity> {
    check_threshold("rca_threshold", options.rca_threshold)?;
    check_threshold("rpop_threshold", options.rpop_threshold)?;
    let (countries, products) = matrix.active();
    let (nc, np) = (countries.len(), products.len());
    if nc < 2 || np < 2 {
        return Err(ComplexityError::TooSmall {
            countries: nc,
            products: np,
        });
    }
    let x = matrix.select(&countries, &products);
    let rca = balassa_rca(&x, nc, np);
    let m = match &options.presence_test {
        PresenceTest::Rca => presence(&rca, options.rca_threshold),
        PresenceTest::Rpop { population } => {
            if population.len() != matrix.countries() {
                return Err(ComplexityError::Shape {
                    what: "population",
                    got: population.len(),
                    expected: matrix.countries(),
                });
            }
            let pop: Vec<f64> = countries.iter().map(|&c| population[c]).collect();
            if let Some(&bad) = pop.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                return Err(ComplexityError::InvalidOption {
                    option: "population",
                    value: bad,
                    requirement: "every population must be positive and finite",
                });
            }
            presence(&rpop(&x, nc, np, &pop), options.rpop_threshold)
        }
    };
    let mut out = from_presence(countries, products, rca, m, options.asymmetric_proximity)?;
    out.world_share = world_shares(&x, nc, np);
    Ok(out)
}

/// Every figure from a given presence matrix (row-major `countries × products`, 0 or
/// 1), ecomplexity's `presence_test="manual"`; the RCA of the result is empty. Every
/// country and product must have at least one presence.
pub fn complexity_of_presence(
    countries: usize,
    products: usize,
    presence: Vec<u8>,
    asymmetric_proximity: bool,
) -> Result<Complexity> {
    if presence.len() != countries * products {
        return Err(ComplexityError::Shape {
            what: "presence (countries × products)",
            got: presence.len(),
            expected: countries * products,
        });
    }
    if countries < 2 || products < 2 {
        return Err(ComplexityError::TooSmall {
            countries,
            products,
        });
    }
    let m = presence.into_iter().map(|v| u8::from(v > 0)).collect();
    from_presence(
        (0..countries).collect(),
        (0..products).collect(),
        Vec::new(),
        m,
        asymmetric_proximity,
    )
}

fn from_presence(
    countries: Vec<usize>,
    products: Vec<usize>,
    rca: Vec<f64>,
    m: Vec<u8>,
    asymmetric_proximity: bool,
) -> Result<Complexity> {
    let (nc, np) = (countries.len(), products.len());
    // Present products of each country, present countries of each product.
    let by_country: Vec<Vec<usize>> = (0..nc)
        .map(|c| (0..np).filter(|&p| m[c * np + p] == 1).collect())
        .collect();
    let mut by_product: Vec<Vec<usize>> = vec![Vec::new(); np];
    for (c, list) in by_country.iter().enumerate() {
        for &p in list {
            by_product[p].push(c);
        }
    }
    let diversity: Vec<u32> = by_country.iter().map(|l| l.len() as u32).collect();
    let ubiquity: Vec<u32> = by_product.iter().map(|l| l.len() as u32).collect();
    if let Some(c) = diversity.iter().position(|&d| d == 0) {
        return Err(ComplexityError::EmptyPresence {
            what: "country",
            index: countries[c],
            other: "product",
        });
    }
    if let Some(p) = ubiquity.iter().position(|&u| u == 0) {
        return Err(ComplexityError::EmptyPresence {
            what: "product",
            index: products[p],
            other: "country",
        });
    }
    let (kc, kp, second_eigenvalue) = eigenvector_method(
        &by_country,
        &by_product,
        &diversity,
        &ubiquity,
        POWER_ITERATIONS,
    )?;

    // φ itself is not formed (Complexity::proximity computes it on demand): its row
    // sums and the weighted sums below come from the presence lists.
    let phi_rows = row_sums(&by_country, &by_product, &ubiquity, asymmetric_proximity);
    // COG: a_p'p = φ_p'p K_p' / Σ φ_p'·, summed over the absent p' of each country as
    // (sum over all p') − (sum over the present p').
    let weight: Vec<f64> = kp.iter().zip(&phi_rows).map(|(k, s)| k / s).collect();
    let all = weighted_column_sums(
        &by_country,
        &by_product,
        &ubiquity,
        &weight,
        asymmetric_proximity,
    );
    let (density, mut cog) = density_and_cog_by_levels(
        &by_country,
        &by_product,
        &ubiquity,
        &m,
        &phi_rows,
        &weight,
        &all,
        asymmetric_proximity,
    );
    let coi_raw: Vec<f64> = (0..nc)
        .map(|c| {
            (0..np)
                .filter(|&p| m[c * np + p] == 0)
                .map(|p| density[c * np + p] * kp[p])
                .sum()
        })
        .collect();
    let (mean_c, sd_c) = mean_sd(&kc);
    if sd_c == 0.0 || !sd_c.is_finite() {
        return Err(ComplexityError::Degenerate(
            "every country has the same ECI",
        ));
    }
    let eci = kc.iter().map(|k| (k - mean_c) / sd_c).collect();
    let pci = kp.iter().map(|k| (k - mean_c) / sd_c).collect();
    cog.par_iter_mut().for_each(|g| *g /= sd_c);
    let (mean_o, sd_o) = mean_sd(&coi_raw);
    let coi = coi_raw
        .iter()
        .map(|o| if sd_o > 0.0 { (o - mean_o) / sd_o } else { 0.0 })
        .collect();
    Ok(Complexity {
        countries,
        products,
        rca,
        world_share: Vec::new(),
        presence: m,
        diversity,
        ubiquity,
        eci,
        pci,
        asymmetric_proximity,
        density,
        coi,
        cog,
        second_eigenvalue,
    })
}

fn check_threshold(option: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ComplexityError::InvalidOption {
            option,
            value,
            requirement: "must be positive and finite",
        })
    }
}

/// The signed `K_c` (= `Σ_p M_cp K_p / k_c`) and unit `K_p` of the second eigenvalue,
/// and that eigenvalue (see the module doc); at most `power_iterations` steps of power
/// iteration, then Jacobi.
fn eigenvector_method(
    by_country: &[Vec<usize>],
    by_product: &[Vec<usize>],
    diversity: &[u32],
    ubiquity: &[u32],
    power_iterations: usize,
) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let (nc, np) = (by_country.len(), by_product.len());
    // In the smaller space: S = D^{-1/2} M U^{-1} Mᵀ D^{-1/2} (countries) or
    // U^{-1/2} Mᵀ D^{-1} M U^{-1/2} (products); same non-zero eigenvalues as M̃.
    let in_countries = nc <= np;
    let (n, groups, inner, outer) = if in_countries {
        (nc, by_product, ubiquity, diversity)
    } else {
        (np, by_country, diversity, ubiquity)
    };
    let mut s = vec![0.0; n * n];
    for (g, members) in groups.iter().enumerate() {
        let w = 1.0 / f64::from(inner[g]);
        for &i in members {
            for &j in members {
                s[i * n + j] += w;
            }
        }
    }
    for i in 0..n {
        for j in 0..n {
            s[i * n + j] /= (f64::from(outer[i]) * f64::from(outer[j])).sqrt();
        }
    }
    // The largest eigenvalue is 1, with eigenvector ∝ √outer (S √outer = √outer).
    let total: f64 = outer.iter().map(|&k| f64::from(k)).sum();
    let top: Vec<f64> = outer
        .iter()
        .map(|&k| (f64::from(k) / total).sqrt())
        .collect();
    let (second, v) = match second_eigenpair(&s, n, &top, power_iterations) {
        Some(pair) => pair,
        None => {
            let mut eig = symmetric_eigen(&s, n);
            (eig.values[1], eig.vectors.swap_remove(1))
        }
    };
    if second > 1.0 - 1e-9 {
        return Err(ComplexityError::Disconnected { second });
    }
    let mut kp: Vec<f64> = if in_countries {
        let kc0: Vec<f64> = (0..nc)
            .map(|c| v[c] / f64::from(diversity[c]).sqrt())
            .collect();
        by_product
            .iter()
            .zip(ubiquity)
            .map(|(l, &u)| l.iter().map(|&c| kc0[c]).sum::<f64>() / f64::from(u))
            .collect()
    } else {
        (0..np)
            .map(|p| v[p] / f64::from(ubiquity[p]).sqrt())
            .collect()
    };
    let norm = kp.iter().map(|k| k * k).sum::<f64>().sqrt();
    kp.iter_mut().for_each(|k| *k /= norm);
    let mut kc: Vec<f64> = by_country
        .iter()
        .zip(diversity)
        .map(|(l, &d)| l.iter().map(|&p| kp[p]).sum::<f64>() / f64::from(d))
        .collect();
    let div: Vec<f64> = diversity.iter().map(|&d| f64::from(d)).collect();
    let r = correlation(&div, &kc);
    // |r| below 1e-9 is zero to rounding: the sign would be a coin toss (ecomplexity
    // takes whatever `np.sign` gives).
    if r.is_nan() || r.abs() < 1e-9 {
        return Err(ComplexityError::Degenerate(
            "the second eigenvector is uncorrelated with diversity: no sign convention applies",
        ));
    }
    if r < 0.0 {
        kc.iter_mut().for_each(|k| *k = -*k);
        kp.iter_mut().for_each(|k| *k = -*k);
    }
    Ok((kc, kp, second))
}

/// Proximity `φ` by lists of present countries: the reference that the bitset kernel
/// ([`crate::product_space::proximity`]) is tested against.
#[cfg(test)]
pub(crate) fn proximity_by_lists(
    by_country: &[Vec<usize>],
    ubiquity: &[u32],
    asymmetric: bool,
) -> Vec<f64> {
    let np = ubiquity.len();
    let mut by_product: Vec<Vec<usize>> = vec![Vec::new(); np];
    for (c, list) in by_country.iter().enumerate() {
        for &p in list {
            by_product[p].push(c);
        }
    }
    let mut phi = vec![0.0; np * np];
    phi.par_chunks_mut(np).enumerate().for_each(|(p, row)| {
        for &c in &by_product[p] {
            for &q in &by_country[c] {
                row[q] += 1.0;
            }
        }
        let up = f64::from(ubiquity[p]);
        for (q, v) in row.iter_mut().enumerate() {
            let d = if asymmetric {
                up
            } else {
                up.max(f64::from(ubiquity[q]))
            };
            *v /= d;
        }
    });
    phi
}

#[cfg(test)]
pub(crate) fn transpose(a: &[f64], n: usize) -> Vec<f64> {
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            t[j * n + i] = a[i * n + j];
        }
    }
    t
}

/// Mean and population standard deviation (numpy's `std`, `ddof = 0`).
pub fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Pearson correlation.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let (ma, sa) = mean_sd(a);
    let (mb, sb) = mean_sd(b);
    let cov = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / a.len() as f64;
    cov / (sa * sb)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A nested presence matrix, solved by hand: c0 exports p0, p1, p2; c1 p0, p1; c2 p0.
    /// `M̃_cc'` has eigenvalues 1, 1/4, 1/9; for 1/4, `K_c ∝ (2, −1, −4)`, so
    /// `ECI = (3, 0, −3)/√6` and `K_p ∝ (−1, ½, 2)`, `PCI = (−1, 1, 3)·√1.5`.
    fn nested() -> Complexity {
        complexity_of_presence(3, 3, vec![1, 1, 1, 1, 1, 0, 1, 0, 0], false).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn nested_matrix_eci_pci_by_hand() {
        let r = nested();
        let s = 1.5f64.sqrt();
        assert!(close(r.second_eigenvalue, 0.25));
        assert_eq!(
            (r.diversity.clone(), r.ubiquity.clone()),
            (vec![3, 2, 1], vec![3, 2, 1])
        );
        for (got, want) in r.eci.iter().zip([s, 0.0, -s]) {
            assert!(close(*got, want), "{:?}", r.eci);
        }
        for (got, want) in r.pci.iter().zip([-s, s, 3.0 * s]) {
            assert!(close(*got, want), "{:?}", r.pci);
        }
    }

    #[test]
    fn nested_matrix_proximity_density_cog_by_hand() {
        let r = nested();
        // Co-occurrences p0p1 = 2, p0p2 = 1, p1p2 = 1, over the larger ubiquity.
        let phi = r.proximity();
        assert!(close(phi[1], 2.0 / 3.0) && close(phi[2], 1.0 / 3.0));
        assert!(close(phi[5], 0.5) && close(phi[7], 0.5));
        // c2 holds p0: ω(p1) = (2/3)/(13/6), ω(p2) = (1/3)/(11/6).
        assert!(close(r.density[r.cell(2, 1)], 4.0 / 13.0));
        assert!(close(r.density[r.cell(2, 2)], 2.0 / 11.0));
        // COG(c2, p1) = √(2/3)·(6/13 + 2·6/11); zero where present.
        let want = (2.0f64 / 3.0).sqrt() * (6.0 / 13.0 + 12.0 / 11.0);
        assert!(close(r.cog[r.cell(2, 1)], want), "{}", r.cog[r.cell(2, 1)]);
        assert_eq!(r.cog[r.cell(0, 0)], 0.0);
    }

    #[test]
    fn power_iteration_and_jacobi_give_the_same_eci() {
        // A pseudo-random 40 × 90 presence matrix (every row and column used), in both
        // orientations (the eigenproblem is solved on the smaller side).
        let (nc, np) = (40, 90);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut by_country: Vec<Vec<usize>> = (0..nc)
            .map(|c| {
                (0..np)
                    .filter(|&p| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        p % nc == c || x % 100 < 15 + (c as u64 * 40 / nc as u64)
                    })
                    .collect()
            })
            .collect();
        for transposed in [false, true] {
            if transposed {
                let mut t = vec![Vec::new(); np];
                for (c, l) in by_country.iter().enumerate() {
                    for &p in l {
                        t[p].push(c);
                    }
                }
                by_country = t;
            }
            let mut by_product = vec![Vec::new(); if transposed { nc } else { np }];
            for (c, l) in by_country.iter().enumerate() {
                for &p in l {
                    by_product[p].push(c);
                }
            }
            let d: Vec<u32> = by_country.iter().map(|l| l.len() as u32).collect();
            let u: Vec<u32> = by_product.iter().map(|l| l.len() as u32).collect();
            let power = eigenvector_method(&by_country, &by_product, &d, &u, 5_000).unwrap();
            let jacobi = eigenvector_method(&by_country, &by_product, &d, &u, 0).unwrap();
            assert!((power.2 - jacobi.2).abs() < 1e-12);
            for (a, b) in power
                .0
                .iter()
                .zip(&jacobi.0)
                .chain(power.1.iter().zip(&jacobi.1))
            {
                assert!((a - b).abs() < 1e-10, "{a} {b}");
            }
        }
    }

    #[test]
    fn disconnected_network_is_refused() {
        let x = vec![
            1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0,
        ];
        let m = ExportMatrix::dense(4, 4, x).unwrap();
        assert!(matches!(
            complexity(&m, &Options::default()),
            Err(ComplexityError::Disconnected { .. })
        ));
    }

    #[test]
    fn all_zero_country_and_product_are_dropped() {
        let base = [
            5.0, 1.0, 0.5, 0.2, 2.0, 3.0, 0.2, 1.0, 0.1, 0.4, 4.0, 2.0, 1.0, 1.0, 1.0, 1.0, 3.0,
            0.1, 2.0, 0.5, 0.3, 2.5, 0.1, 0.2,
        ];
        let small = ExportMatrix::dense(6, 4, base.to_vec()).unwrap();
        // The same with an all-zero country (row 1) and an all-zero product (column 4).
        let mut wide = Vec::new();
        for (c, row) in base.chunks(4).enumerate() {
            if c == 1 {
                wide.extend([0.0; 5]);
            }
            wide.extend(row);
            wide.push(0.0);
        }
        let big = ExportMatrix::dense(7, 5, wide).unwrap();
        let (a, b) = (
            complexity(&small, &Options::default()).unwrap(),
            complexity(&big, &Options::default()).unwrap(),
        );
        assert_eq!(b.countries, vec![0, 2, 3, 4, 5, 6]);
        assert_eq!(b.products, vec![0, 1, 2, 3]);
        assert_eq!(a.eci, b.eci);
        assert_eq!(a.cog, b.cog);
    }

    #[test]
    fn threshold_leaving_a_country_empty_is_refused() {
        let m = ExportMatrix::dense(2, 2, vec![1.0, 1.0, 1.0, 1.0]).unwrap();
        let options = Options {
            rca_threshold: 1.5,
            ..Options::default()
        };
        assert!(matches!(
            complexity(&m, &options),
            Err(ComplexityError::EmptyPresence { .. })
        ));
        assert!(matches!(
            complexity(
                &m,
                &Options {
                    rca_threshold: f64::NAN,
                    ..Options::default()
                }
            ),
            Err(ComplexityError::InvalidOption { .. })
        ));
    }

    #[test]
    fn too_small_input_is_refused() {
        let m = ExportMatrix::dense(1, 3, vec![1.0, 2.0, 3.0]).unwrap();
        assert!(matches!(
            complexity(&m, &Options::default()),
            Err(ComplexityError::TooSmall { .. })
        ));
    }

    #[test]
    fn rpop_needs_one_population_per_country() {
        let m = ExportMatrix::dense(2, 2, vec![1.0, 2.0, 3.0, 1.0]).unwrap();
        let options = Options {
            presence_test: PresenceTest::Rpop {
                population: vec![1.0],
            },
            ..Options::default()
        };
        assert!(matches!(
            complexity(&m, &options),
            Err(ComplexityError::Shape { .. })
        ));
    }
}
