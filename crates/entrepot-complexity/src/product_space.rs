//! The product-space kernels behind [`complexity()`](crate::complexity()): proximity
//! from presence bitsets (on demand), and the proximity row sums, density and the
//! complexity outlook gain without forming `φ`. The formulas are in the
//! [`complexity`](mod@crate::complexity) module doc; this module only organises the
//! arithmetic for speed.
//!
//! * **Proximity.** Each product's presence is a bitset over countries (`⌈C/64⌉`
//!   words); the co-occurrence `co_qp = Σ_c M_cq M_cp` of two products is the popcount
//!   of the AND of their bitsets, an exact integer, so `φ` equals the list-based count
//!   to the last bit.
//! * **Sums of `φ` by ubiquity level.** `φ_qp = co_qp / max(u_q, u_p)`: for a given `p`,
//!   the `q` less ubiquitous than `p` are divided by `u_p`, the others by their own
//!   `u_q`. Ubiquities take few distinct values (at most `C`), so a sum over a set of
//!   `q` of `w_q φ_qp` is, over the countries `c'` exporting `p`, a difference of sums
//!   cumulated over ubiquity levels of the `q` that `c'` exports (and, for density and
//!   COG, that country `c` exports too). Reading those tables costs `u_p` per product
//!   instead of a row of `P` values; for 150 × 2,000 this is about 30 times less work
//!   than the sums of rows of `φ` (kept in the tests as the reference,
//!   [`density_and_cog`]), and `φ` (32 MB there) is never formed.

use rayon::prelude::*;

/// Columns of `φ` summed together in the density and COG pass.
#[cfg(test)]
pub(crate) const BLOCK: usize = 32;

/// Proximity `φ` (products × products, row-major): co-occurrence over countries divided
/// by the larger ubiquity (symmetric) or by the row product's ubiquity (asymmetric).
/// `by_country[c]` lists the products present in country `c`; `ubiquity[p]` is the
/// number of countries where `p` is present (positive).
pub(crate) fn proximity(by_country: &[Vec<usize>], ubiquity: &[u32], asymmetric: bool) -> Vec<f64> {
    let np = ubiquity.len();
    let words = by_country.len().div_ceil(64);
    let mut bits = vec![0u64; np * words];
    for (c, list) in by_country.iter().enumerate() {
        for &p in list {
            bits[p * words + c / 64] |= 1 << (c % 64);
        }
    }
    let mut phi = vec![0.0; np * np];
    phi.par_chunks_mut(np).enumerate().for_each(|(p, row)| {
        let bp = &bits[p * words..(p + 1) * words];
        let up = ubiquity[p];
        for ((q, v), bq) in row.iter_mut().enumerate().zip(bits.chunks_exact(words)) {
            let co: u32 = bp.iter().zip(bq).map(|(a, b)| (a & b).count_ones()).sum();
            let d = if asymmetric { up } else { up.max(ubiquity[q]) };
            *v = f64::from(co) / f64::from(d);
        }
    });
    phi
}

/// The ubiquity level of each product (its rank among the distinct ubiquities) and the
/// number of levels.
fn levels(ubiquity: &[u32]) -> (Vec<usize>, usize) {
    let mut values: Vec<u32> = ubiquity.to_vec();
    values.sort_unstable();
    values.dedup();
    let level = ubiquity
        .iter()
        .map(|u| values.partition_point(|v| v < u))
        .collect();
    (level, values.len())
}

/// `Σ_q weight_q φ_qp` for every product `p`, without `φ`: with `φ_qp = co_qp /
/// max(u_q, u_p)` and `co_qp = Σ_c' M_c'q M_c'p`, it is the sum over the countries `c'`
/// exporting `p` of `Σ_{q ∈ S_c', u_q < u_p} weight_q / u_p + Σ_{q ∈ S_c', u_q ≥ u_p}
/// weight_q / u_q`, read from per-country sums cumulated over ubiquity levels
/// (asymmetric `φ_qp = co_qp / u_q`: `Σ_c' Σ_{q ∈ S_c'} weight_q / u_q`). With weights 1
/// and symmetric proximity, the row sums of `φ`.
pub(crate) fn weighted_column_sums(
    by_country: &[Vec<usize>],
    by_product: &[Vec<usize>],
    ubiquity: &[u32],
    weight: &[f64],
    asymmetric: bool,
) -> Vec<f64> {
    let (level, nl) = levels(ubiquity);
    let stride = nl + 1;
    // t[c' * stride + l]: (Σ w_q, Σ w_q / u_q) over q ∈ S_c' below level l.
    let mut t = vec![[0.0f64; 2]; by_country.len() * stride];
    for (c, list) in by_country.iter().enumerate() {
        let row = &mut t[c * stride..(c + 1) * stride];
        for &q in list {
            let cell = &mut row[level[q] + 1];
            cell[0] += weight[q];
            cell[1] += weight[q] / f64::from(ubiquity[q]);
        }
        for l in 1..stride {
            let prev = row[l - 1];
            row[l][0] += prev[0];
            row[l][1] += prev[1];
        }
    }
    (0..by_product.len())
        .map(|p| {
            let (mut lo, mut tot) = ([0.0f64; 2], [0.0f64; 2]);
            for &c in &by_product[p] {
                let row = &t[c * stride..(c + 1) * stride];
                for k in 0..2 {
                    lo[k] += row[level[p]][k];
                    tot[k] += row[nl][k];
                }
            }
            if asymmetric {
                tot[1]
            } else {
                lo[0] / f64::from(ubiquity[p]) + (tot[1] - lo[1])
            }
        })
        .collect()
}

/// The row sums of `φ`, `Σ_q φ_pq`, without `φ`: [`weighted_column_sums`] with weights
/// 1 when `φ` is symmetric; asymmetric (`φ_pq = co_pq / u_p`): `Σ_{c' ∈ C_p} k_c' / u_p`.
pub(crate) fn row_sums(
    by_country: &[Vec<usize>],
    by_product: &[Vec<usize>],
    ubiquity: &[u32],
    asymmetric: bool,
) -> Vec<f64> {
    if asymmetric {
        by_product
            .iter()
            .zip(ubiquity)
            .map(|(l, &u)| {
                l.iter().map(|&c| by_country[c].len() as f64).sum::<f64>() / f64::from(u)
            })
            .collect()
    } else {
        let ones = vec![1.0; by_product.len()];
        weighted_column_sums(by_country, by_product, ubiquity, &ones, false)
    }
}

/// The reference for [`density_and_cog_by_levels`] in the tests: density
/// `ω_cp = Σ_{q present in c} φᵀ_qp / row_sum_p` and COG before its scaling,
/// `(1 − M_cp) (all_p − Σ_{q present in c} weight_q φ_qp)`, of every cell (row-major,
/// countries × products). `phi_t` is `φᵀ` (`φ` itself when symmetric), `row_sum` the
/// row sums of `φ`, `all_p = Σ_q weight_q φ_qp`.
#[cfg(test)]
pub(crate) fn density_and_cog(
    by_country: &[Vec<usize>],
    phi: &[f64],
    phi_t: &[f64],
    row_sum: &[f64],
    weight: &[f64],
    all: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let (nc, np) = (by_country.len(), row_sum.len());
    let blocks: Vec<(usize, Vec<f64>, Vec<f64>)> = (0..np)
        .step_by(BLOCK)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|b0| {
            let w = BLOCK.min(np - b0);
            let (mut dens, mut cog) = (vec![0.0; nc * w], vec![0.0; nc * w]);
            for (c, list) in by_country.iter().enumerate() {
                let mut d = [0.0f64; BLOCK];
                let mut g = [0.0f64; BLOCK];
                for &q in list {
                    let at = q * np + b0;
                    let wq = weight[q];
                    let (rd, rg) = (&phi_t[at..at + w], &phi[at..at + w]);
                    let acc = d[..w].iter_mut().zip(&mut g[..w]);
                    for ((dj, gj), (x, y)) in acc.zip(rd.iter().zip(rg)) {
                        *dj += x;
                        *gj += wq * y;
                    }
                }
                let (od, og) = (&mut dens[c * w..(c + 1) * w], &mut cog[c * w..(c + 1) * w]);
                for j in 0..w {
                    od[j] = d[j] / row_sum[b0 + j];
                    og[j] = all[b0 + j] - g[j];
                }
                for &q in list {
                    if (b0..b0 + w).contains(&q) {
                        og[q - b0] = 0.0;
                    }
                }
            }
            (b0, dens, cog)
        })
        .collect();
    let (mut density, mut cog) = (vec![0.0; nc * np], vec![0.0; nc * np]);
    for (b0, dens, g) in blocks {
        let w = dens.len() / nc;
        for c in 0..nc {
            density[c * np + b0..c * np + b0 + w].copy_from_slice(&dens[c * w..(c + 1) * w]);
            cog[c * np + b0..c * np + b0 + w].copy_from_slice(&g[c * w..(c + 1) * w]);
        }
    }
    (density, cog)
}

/// Density and COG as [`density_and_cog`] gives them, computed without reading `φ`:
/// `φ_qp = co_qp / max(u_q, u_p)` with `co_qp = Σ_c' M_c'q M_c'p`, so for a country `c`
/// the sum over its present products `q` splits by ubiquity into the `q` less ubiquitous
/// than `p` (divided by `u_p`) and the others (each divided by `u_q`), and each part is
/// a sum over the countries `c'` exporting `p` of a table `T_c[level][c']` of the
/// products shared by `c` and `c'` (counts, `Σ 1/u_q`, `Σ w_q`, `Σ w_q/u_q`),
/// cumulated over ubiquity levels. Per country this costs `Σ_{q∈S_c} u_q` to fill the
/// table and `Σ_p u_p` to read it, instead of `|S_c| × P` for the sums of rows of `φ`.
/// Asymmetric proximity (`φ_qp = co_qp / u_q`): density is `Σ_c' |S_c ∩ S_c'| / u_p`
/// over `c' ∈ C_p`, COG's sum `Σ_c' Σ_{q ∈ S_c ∩ S_c'} w_q / u_q`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn density_and_cog_by_levels(
    by_country: &[Vec<usize>],
    by_product: &[Vec<usize>],
    ubiquity: &[u32],
    presence: &[u8],
    row_sum: &[f64],
    weight: &[f64],
    all: &[f64],
    asymmetric: bool,
) -> (Vec<f64>, Vec<f64>) {
    let (nc, np) = (by_country.len(), by_product.len());
    let (level, nl) = levels(ubiquity);
    let mut density = vec![0.0; nc * np];
    let mut cog = vec![0.0; nc * np];
    density
        .par_chunks_mut(np)
        .zip(cog.par_chunks_mut(np))
        .enumerate()
        .for_each(|(c, (drow, grow))| {
            // t[l * nc + c']: over the q in S_c ∩ S_c' at level l, (1, 1/u_q, w_q, w_q/u_q);
            // then cumulated so that row l holds the levels below l (row nl: all).
            let mut t = vec![[0.0f64; 4]; (nl + 1) * nc];
            for &q in &by_country[c] {
                let inv = 1.0 / f64::from(ubiquity[q]);
                let add = [1.0, inv, weight[q], weight[q] * inv];
                let row = &mut t[(level[q] + 1) * nc..(level[q] + 2) * nc];
                for &c2 in &by_product[q] {
                    for (a, b) in row[c2].iter_mut().zip(add) {
                        *a += b;
                    }
                }
            }
            for l in 1..=nl {
                let (below, rest) = t.split_at_mut(l * nc);
                let prev = &below[(l - 1) * nc..];
                for (cur, p) in rest[..nc].iter_mut().zip(prev) {
                    for (a, b) in cur.iter_mut().zip(p) {
                        *a += b;
                    }
                }
            }
            let total = &t[nl * nc..];
            for p in 0..np {
                let lo_row = &t[level[p] * nc..(level[p] + 1) * nc];
                let (mut lo, mut tot) = ([0.0f64; 4], [0.0f64; 4]);
                for &c2 in &by_product[p] {
                    for k in 0..4 {
                        lo[k] += lo_row[c2][k];
                        tot[k] += total[c2][k];
                    }
                }
                let up = f64::from(ubiquity[p]);
                let (d, g) = if asymmetric {
                    (tot[0] / up, tot[3])
                } else {
                    (lo[0] / up + (tot[1] - lo[1]), lo[2] / up + (tot[3] - lo[3]))
                };
                drow[p] = d / row_sum[p];
                grow[p] = if presence[c * np + p] == 1 {
                    0.0
                } else {
                    all[p] - g
                };
            }
        });
    (density, cog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::complexity::{proximity_by_lists, transpose};

    /// A random presence matrix (xorshift, fixed seed) with every row and column used.
    fn random_lists(nc: usize, np: usize, density: f64, seed: u64) -> Vec<Vec<usize>> {
        let mut x = seed;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut lists: Vec<Vec<usize>> = (0..nc)
            .map(|_| (0..np).filter(|_| next() < density).collect())
            .collect();
        for p in 0..np {
            lists[p % nc].push(p);
        }
        for l in &mut lists {
            l.sort_unstable();
            l.dedup();
        }
        lists
    }

    #[test]
    fn bitset_and_level_kernels_equal_the_direct_sums() {
        for (nc, np, share, seed) in [(7, 40, 0.3, 1), (70, 130, 0.25, 2), (130, 90, 0.5, 3)] {
            let by_country = random_lists(nc, np, share, seed);
            let mut by_product = vec![Vec::new(); np];
            for (c, l) in by_country.iter().enumerate() {
                for &p in l {
                    by_product[p].push(c);
                }
            }
            let ubiquity: Vec<u32> = by_product.iter().map(|l| l.len() as u32).collect();
            let mut m = vec![0u8; nc * np];
            for (c, l) in by_country.iter().enumerate() {
                for &p in l {
                    m[c * np + p] = 1;
                }
            }
            let weight: Vec<f64> = (0..np)
                .map(|p| ((p * 7 % 11) as f64 - 5.0) / 13.0)
                .collect();
            for asymmetric in [false, true] {
                let phi = proximity(&by_country, &ubiquity, asymmetric);
                assert_eq!(phi, proximity_by_lists(&by_country, &ubiquity, asymmetric));
                let row_sum: Vec<f64> = phi.chunks(np).map(|r| r.iter().sum()).collect();
                let mut all = vec![0.0; np];
                for (q, w) in weight.iter().enumerate() {
                    for (a, f) in all.iter_mut().zip(&phi[q * np..(q + 1) * np]) {
                        *a += w * f;
                    }
                }
                let rows = row_sums(&by_country, &by_product, &ubiquity, asymmetric);
                let sums =
                    weighted_column_sums(&by_country, &by_product, &ubiquity, &weight, asymmetric);
                for (a, b) in row_sum.iter().zip(&rows).chain(all.iter().zip(&sums)) {
                    assert!((a - b).abs() < 1e-12, "{a} {b} ({nc} x {np}, {asymmetric})");
                }
                let phi_t = if asymmetric {
                    transpose(&phi, np)
                } else {
                    phi.clone()
                };
                let (d0, g0) = density_and_cog(&by_country, &phi, &phi_t, &row_sum, &weight, &all);
                let (d1, g1) = density_and_cog_by_levels(
                    &by_country,
                    &by_product,
                    &ubiquity,
                    &m,
                    &row_sum,
                    &weight,
                    &all,
                    asymmetric,
                );
                for (a, b) in d0.iter().zip(&d1).chain(g0.iter().zip(&g1)) {
                    assert!((a - b).abs() < 1e-12, "{a} {b} ({nc} x {np}, {asymmetric})");
                }
            }
        }
    }
}
