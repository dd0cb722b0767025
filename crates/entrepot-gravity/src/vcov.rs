//! Variance–covariance estimators and small-sample corrections.
//!
//! All estimators are sandwiches built from the *bread* `B = (X̃' W X̃)⁻¹` (regressors
//! with the fixed effects partialled out, `W` the IRLS weights `μ·w` for PPML or the user
//! weights for OLS) and the *scores* `s_i = W_i r_i x̃_i` (`r` the working residual; for
//! PPML at convergence `W_i r_i = w_i (y_i − μ_i)`):
//!
//! * `Iid`: PPML `V = B` (Poisson variance); OLS `V = σ² B` with `σ² = Σ W_i r_i² / (N − 1)`;
//! * `Hetero` (HC1-type): `V = B (Σ s_i s_iᵀ) B`;
//! * `Cluster` (CRV1): `V = B (Σ_g S_g S_gᵀ) B` with `S_g` the within-cluster sum of
//!   scores; with several cluster dimensions, Cameron–Gelbach–Miller inclusion–exclusion
//!   `V = Σ_{∅≠T⊆{1..m}} (−1)^{|T|+1} V_{∩T}` over intersections of the dimensions.
//!
//! The result is multiplied by the small-sample factor of [`SmallSample`]. The default,
//! [`SmallSample::pyfixest`], reproduces pyfixest (0.60) `fepois`/`feols` defaults
//! (`ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")`):
//!
//! * `df_k = k + (Σ_g L_g − (G − 1))`, the regressors plus the fixed-effect levels minus one
//!   redundancy per extra dimension, minus the levels of fixed effects nested in a
//!   cluster dimension (plus one per such nested fixed effect) when clustering;
//! * iid: `(N − 1)/(N − df_k)`; hetero: `N/(N − df_k)`; cluster:
//!   `(N − 1)/(N − df_k) × G/(G − 1)` with `G` the smallest number of clusters across the
//!   dimensions (`G_df = "min"`), used for every inclusion–exclusion term.
//!
//! [`SmallSample::reghdfe`] reproduces Stata's `reghdfe` (Correia 2017, help file section
//! "dofadjustments", default `all` = `firstpair pairwise clusters`): the same
//! `(N − 1)/(N − K)` (iid, cluster) and `N/(N − K)` (hetero) factors, times `G/(G − 1)`
//! with the smallest number of clusters, but `K` counts the redundant fixed-effect levels
//! as reghdfe does ([`FixefK::Reghdfe`], [`redundant_levels`]):
//! `K = k + 1 + Σ_g (L_g − M_g)` (the `+ 1` is reghdfe's reported `_cons`), with `M_1 = 1`
//! (the constant), `M_2` the exact number of connected components of the bipartite graph
//! of the first two dimensions (Abowd, Creecy and Kramarz 2002), and for `g ≥ 3` the
//! conservative `M_g = max_{h<g} components(h, g)`; a dimension nested in a cluster
//! variable has `M_g = L_g` (it costs no degree of freedom). Without fixed effects `K = k`
//! (the intercept is then one of the `k` regressors).
//!
//! [`SmallSample::none`] applies no factor at all (this is what Stata's `ppml` robust
//! standard errors in Yotov et al. 2016 correspond to, see the validation tests), and
//! [`SmallSample::stata`] applies `N/(N−1)` to hetero and `G/(G−1)` to cluster (Stata's
//! default for ML estimators such as `poisson`/`ppmlhdfe`).

use serde::{Deserialize, Serialize};

use crate::linalg::Mat;

/// The type of variance estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VcovKind {
    /// Classical (model-based) standard errors.
    Iid,
    /// Heteroskedasticity-robust (HC1-type sandwich).
    Hetero,
    /// Cluster-robust (CRV1), one- or multi-way over the spec's cluster dimensions.
    Cluster,
}

impl std::fmt::Display for VcovKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VcovKind::Iid => "iid",
            VcovKind::Hetero => "hetero",
            VcovKind::Cluster => "cluster",
        })
    }
}

/// How fixed effects count in the `(N − 1)/(N − K)` correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixefK {
    /// `K` = number of regressors only.
    None,
    /// Fixed-effect levels count, except those nested in a cluster dimension (pyfixest
    /// and fixest default).
    Nonnested,
    /// All fixed-effect levels count.
    Full,
    /// reghdfe's count: the constant plus every level, less the redundant levels found
    /// by connected components (exact for two dimensions, conservative beyond; levels
    /// nested in a cluster dimension do not count). See [`redundant_levels`].
    Reghdfe,
}

/// Which number of clusters enters `G/(G − 1)` under multi-way clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterDf {
    /// Each inclusion–exclusion term uses its own number of clusters.
    Conventional,
    /// Every term uses the smallest number of clusters among the dimensions.
    Min,
}

/// Small-sample correction settings (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmallSample {
    /// Apply `(N − 1)/(N − K)` (iid, cluster) or `N/(N − K)` (hetero).
    pub k_adj: bool,
    /// How fixed effects enter `K`.
    pub k_fixef: FixefK,
    /// Apply `G/(G − 1)` to clustered variances.
    pub g_adj: bool,
    /// Which `G` under multi-way clustering.
    pub g_df: ClusterDf,
    /// Stata-style ML robust factor: `N/(N − 1)` for hetero (instead of the `k_adj` one).
    pub stata_ml: bool,
}

impl SmallSample {
    /// pyfixest's defaults (also fixest's `ssc()` defaults).
    pub fn pyfixest() -> SmallSample {
        SmallSample {
            k_adj: true,
            k_fixef: FixefK::Nonnested,
            g_adj: true,
            g_df: ClusterDf::Min,
            stata_ml: false,
        }
    }

    /// No small-sample factor at all.
    pub fn none() -> SmallSample {
        SmallSample {
            k_adj: false,
            k_fixef: FixefK::None,
            g_adj: false,
            g_df: ClusterDf::Conventional,
            stata_ml: false,
        }
    }

    /// Stata `reghdfe` (and `regress` with dummies): `(N − 1)/(N − K)` with the exact
    /// redundant-level count of [`FixefK::Reghdfe`], and `G/(G − 1)` with the smallest
    /// number of clusters.
    pub fn reghdfe() -> SmallSample {
        SmallSample {
            k_adj: true,
            k_fixef: FixefK::Reghdfe,
            g_adj: true,
            g_df: ClusterDf::Min,
            stata_ml: false,
        }
    }

    /// Stata ML-estimator conventions (`poisson`, `ppmlhdfe`): hetero `N/(N − 1)`,
    /// cluster `G/(G − 1)`, iid none.
    pub fn stata() -> SmallSample {
        SmallSample {
            k_adj: false,
            k_fixef: FixefK::None,
            g_adj: true,
            g_df: ClusterDf::Conventional,
            stata_ml: true,
        }
    }
}

impl Default for SmallSample {
    fn default() -> Self {
        SmallSample::pyfixest()
    }
}

/// Inputs of the variance computation.
pub(crate) struct VcovInput<'a> {
    pub bread: &'a Mat,
    /// Regressors with the fixed effects partialled out (columns).
    pub xt: &'a [Vec<f64>],
    /// `W_i r_i` per observation.
    pub wr: &'a [f64],
    /// OLS: `Σ W_i r_i²` (for the iid variance); `None` for PPML.
    pub ols_ssr: Option<f64>,
    /// Fixed-effect codes (per dimension) and level counts.
    pub fe_ids: &'a [Vec<u32>],
    pub fe_levels: &'a [usize],
    /// Cluster codes (per dimension).
    pub clusters: &'a [Vec<u32>],
    /// Trailing columns of `xt` that are not regressors of the model (the column of ones
    /// through which the variance of a recovered constant is computed): they do not count
    /// in the small-sample `K`.
    pub extra_columns: usize,
}

/// Whether every level of `fe` lies inside one cluster.
fn nested(fe: &[u32], n_fe: usize, cl: &[u32]) -> bool {
    let mut owner = vec![u32::MAX; n_fe];
    for (&f, &c) in fe.iter().zip(cl) {
        let o = &mut owner[f as usize];
        if *o == u32::MAX {
            *o = c;
        } else if *o != c {
            return false;
        }
    }
    true
}

/// The number of connected components of the bipartite graph whose nodes are the levels
/// of two fixed-effect dimensions and whose edges are the observations (Abowd, Creecy and
/// Kramarz 2002): the number of levels of `b` that are redundant given `a`.
pub fn connected_components(a: &[u32], n_a: usize, b: &[u32], n_b: usize) -> usize {
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut parent: Vec<usize> = (0..n_a + n_b).collect();
    let mut seen = vec![false; n_a + n_b];
    for (&i, &j) in a.iter().zip(b) {
        let (i, j) = (i as usize, n_a + j as usize);
        seen[i] = true;
        seen[j] = true;
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        if ri != rj {
            parent[ri] = rj;
        }
    }
    (0..n_a + n_b)
        .filter(|&x| seen[x] && find(&mut parent, x) == x)
        .count()
}

/// reghdfe's redundant levels `M_g` of each fixed-effect dimension (help file of
/// `reghdfe`, option `dofadjustments(all)`): `M_1 = 1` (collinear with the constant),
/// `M_2` = the connected components of dimensions 1 and 2 (exact), `M_g` for `g ≥ 3` the
/// largest number of components of `g` with any earlier dimension (a lower bound, so `K`
/// is conservative); a dimension nested in one of `clusters` has `M_g = L_g`.
pub fn redundant_levels(
    fe_ids: &[Vec<u32>],
    fe_levels: &[usize],
    clusters: &[Vec<u32>],
) -> Vec<usize> {
    let mut m = Vec::with_capacity(fe_levels.len());
    for (g, (ids, &l)) in fe_ids.iter().zip(fe_levels).enumerate() {
        if clusters.iter().any(|cl| nested(ids, l, cl)) {
            m.push(l);
        } else if g == 0 {
            m.push(1.min(l));
        } else {
            let best = (0..g)
                .map(|h| connected_components(&fe_ids[h], fe_levels[h], ids, l))
                .max()
                .unwrap_or(0);
            m.push(best.min(l));
        }
    }
    m
}

fn n_distinct(codes: &[u32]) -> usize {
    codes.iter().map(|&c| c as usize + 1).max().unwrap_or(0)
}

/// Meat `Σ_g S_g S_gᵀ` for one clustering (compact codes).
fn cluster_meat(xt: &[Vec<f64>], wr: &[f64], codes: &[u32], g: usize) -> Mat {
    let k = xt.len();
    let mut sums = vec![0.0; g * k];
    for (j, col) in xt.iter().enumerate() {
        for ((&c, &x), &r) in codes.iter().zip(col).zip(wr) {
            sums[c as usize * k + j] += x * r;
        }
    }
    let mut m = Mat::zeros(k);
    for s in sums.chunks_exact(k) {
        for a in 0..k {
            for b in 0..k {
                m.data[a * k + b] += s[a] * s[b];
            }
        }
    }
    m
}

/// Intersection of several cluster codings, compacted.
fn intersect(dims: &[&Vec<u32>]) -> (Vec<u32>, usize) {
    let n = dims[0].len();
    let mut map = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let key: Vec<u32> = dims.iter().map(|d| d[i]).collect();
        let next = map.len() as u32;
        out.push(*map.entry(key).or_insert(next));
    }
    let g = map.len();
    (out, g)
}

/// Computes the variance matrix and returns it with the small-sample factor used (for
/// multi-way clustering: the factor of the first term).
pub(crate) fn compute_vcov(
    kind: VcovKind,
    ssc: &SmallSample,
    is_poisson: bool,
    input: &VcovInput<'_>,
) -> (Mat, f64) {
    let n = input.wr.len() as f64;
    let dim = input.xt.len();
    let k = dim - input.extra_columns;
    let n_fe = input.fe_levels.len();
    let k_fe: usize = input.fe_levels.iter().sum();
    let k_fe_adj = if n_fe > 1 { k_fe - (n_fe - 1) } else { k_fe };
    let df_k = match ssc.k_fixef {
        FixefK::None => k,
        FixefK::Full => k + if n_fe > 0 { k_fe_adj } else { 0 },
        FixefK::Reghdfe => {
            if n_fe == 0 {
                k
            } else {
                let m: usize = redundant_levels(input.fe_ids, input.fe_levels, input.clusters)
                    .iter()
                    .sum();
                (k + 1 + k_fe).saturating_sub(m)
            }
        }
        FixefK::Nonnested => {
            if n_fe == 0 {
                k
            } else if kind == VcovKind::Cluster {
                let mut k_nested = 0;
                let mut n_nested = 0;
                for (ids, &l) in input.fe_ids.iter().zip(input.fe_levels) {
                    if input.clusters.iter().any(|cl| nested(ids, l, cl)) {
                        k_nested += l;
                        n_nested += 1;
                    }
                }
                (k + k_fe_adj + n_nested).saturating_sub(k_nested)
            } else {
                k + k_fe_adj
            }
        }
    } as f64;
    let sandwich = |meat: &Mat| input.bread.mul(meat).mul(input.bread);
    match kind {
        VcovKind::Iid => {
            let adj = if ssc.k_adj {
                (n - 1.0) / (n - df_k)
            } else {
                1.0
            };
            let scale = match input.ols_ssr {
                Some(ssr) if !is_poisson => ssr / (n - 1.0),
                _ => 1.0,
            };
            let mut v = input.bread.clone();
            v.data.iter_mut().for_each(|x| *x *= scale * adj);
            (v, adj)
        }
        VcovKind::Hetero => {
            let mut meat = Mat::zeros(dim);
            for a in 0..dim {
                for b in 0..=a {
                    let s: f64 = input.xt[a]
                        .iter()
                        .zip(&input.xt[b])
                        .zip(input.wr)
                        .map(|((p, q), r)| p * q * r * r)
                        .sum();
                    meat.set(a, b, s);
                    meat.set(b, a, s);
                }
            }
            let adj = if ssc.stata_ml {
                n / (n - 1.0)
            } else if ssc.k_adj {
                n / (n - df_k)
            } else {
                1.0
            };
            let mut v = sandwich(&meat);
            v.data.iter_mut().for_each(|x| *x *= adj);
            (v, adj)
        }
        VcovKind::Cluster => {
            let m = input.clusters.len();
            let g_single: Vec<usize> = input.clusters.iter().map(|c| n_distinct(c)).collect();
            let g_min = g_single.iter().copied().min().unwrap_or(1);
            let mut total = Mat::zeros(dim);
            let mut first_adj = f64::NAN;
            for mask in 1u32..(1u32 << m) {
                let dims: Vec<&Vec<u32>> = (0..m)
                    .filter(|d| mask & (1 << d) != 0)
                    .map(|d| &input.clusters[d])
                    .collect();
                let (codes, g) = if dims.len() == 1 {
                    (dims[0].clone(), n_distinct(dims[0]))
                } else {
                    intersect(&dims)
                };
                let sign = if dims.len() % 2 == 1 { 1.0 } else { -1.0 };
                let g_used = match ssc.g_df {
                    ClusterDf::Conventional => g,
                    ClusterDf::Min => g_min,
                } as f64;
                let mut adj = 1.0;
                if ssc.k_adj {
                    adj *= (n - 1.0) / (n - df_k);
                }
                if ssc.g_adj {
                    adj *= g_used / (g_used - 1.0);
                }
                if first_adj.is_nan() {
                    first_adj = adj;
                }
                let v = sandwich(&cluster_meat(input.xt, input.wr, &codes, g));
                for (t, x) in total.data.iter_mut().zip(&v.data) {
                    *t += sign * adj * x;
                }
            }
            (total, first_adj)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connected_components_count_the_separate_groups_of_two_dimensions() {
        // a0,a1 linked through b0; a2,a3 through b1: two components
        assert_eq!(connected_components(&[0, 1, 2, 3], 4, &[0, 0, 1, 1], 2), 2);
        // a0-b0, a1-b0, a1-b1: one component
        assert_eq!(connected_components(&[0, 1, 1], 2, &[0, 0, 1], 2), 1);
        // no observations: no components
        assert_eq!(connected_components(&[], 0, &[], 0), 0);
    }

    #[test]
    fn reghdfe_redundant_levels_first_one_then_components_then_nested_clusters() {
        let fe = vec![vec![0, 1, 2, 3], vec![0, 0, 1, 1], vec![0, 1, 0, 1]];
        let levels = [4, 2, 2];
        // dim 3 vs dim 1: 1 component (all a's link to c0 or c1... a0-c0, a1-c1, a2-c0,
        // a3-c1 -> 2 components); vs dim 2: b0-c0, b0-c1, b1-c0, b1-c1 -> 1; max = 2
        assert_eq!(redundant_levels(&fe, &levels, &[]), vec![1, 2, 2]);
        // a dimension nested in the cluster costs nothing: the first (one observation per
        // level) and the second lie inside clusters 0 and 1, the third does not
        let cl = vec![vec![0, 0, 1, 1]];
        assert_eq!(redundant_levels(&fe, &levels, &cl), vec![4, 2, 2]);
        // only the first dimension nested
        let cl = vec![vec![0, 0, 0, 1]];
        assert_eq!(redundant_levels(&fe, &levels, &cl)[0], 4);
    }
}
