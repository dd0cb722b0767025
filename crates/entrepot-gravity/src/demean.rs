//! The fixed-effect demeaning kernel, independent of any estimator.
//!
//! Given `G` fixed-effect dimensions with integer codes and optional weights `w`, the
//! kernel computes the weighted residual of a column `x` after projecting it on the
//! (non-orthogonal) union of the dummy spaces, `x - D α` with
//! `α = argmin Σ_i w_i (x_i - Σ_g α_g[id_g(i)])²`.
//!
//! The coefficients `α` are found by Gauss–Seidel sweeps over the dimensions (the method
//! of alternating projections written in coefficient space: for each dimension in turn,
//! `α_g ← weighted group means of x - Σ_{h≠g} α_h`), accelerated with the Irons–Tuck
//! extrapolation used by fixest. A sweep costs `O(N·G)` and the state is only the `Σ_g L_g`
//! coefficients, which makes warm starts cheap: callers keep `α` between calls (PPML's IRLS
//! iterations, the separation check), which typically cuts the work by an order of
//! magnitude. Convergence: every coefficient satisfies
//! `|Δα| ≤ tol` or `|Δα| / (0.1 + |α|) ≤ tol` between two consecutive sweeps.
//! With one dimension the solution is exact after one sweep.
//!
//! Several columns (PPML's working variable and the regressors) are swept *jointly*: the
//! coefficients are stored interleaved, so one pass over the codes and weights serves all
//! columns, and every sweep is parallelised with rayon over chunks of observations (each
//! thread accumulates its own partial group sums, which are then added). This keeps all
//! cores busy whatever the number of columns (parallelising across columns alone leaves
//! cores idle when there are fewer columns than cores or when one column needs more
//! sweeps). Each column keeps its own Irons–Tuck step and leaves the joint iteration as
//! soon as it has converged.

use rayon::prelude::*;

use crate::error::{GravityError, Result};

/// Below this many observations every kernel runs sequentially: thread hand-offs cost more
/// than they save (and stall when the machine is busy).
pub(crate) const PAR_MIN_OBS: usize = 100_000;

/// Fixed-effect codes for a set of observations: `ids[g][i] < n_levels[g]`.
#[derive(Debug, Clone, Default)]
pub struct FeCodes {
    /// Per dimension, per observation, the level index.
    pub ids: Vec<Vec<u32>>,
    /// Per dimension, the number of levels.
    pub n_levels: Vec<usize>,
}

impl FeCodes {
    /// Number of observations.
    pub fn n_obs(&self) -> usize {
        self.ids.first().map_or(0, Vec::len)
    }

    /// Number of fixed-effect dimensions.
    pub fn n_dims(&self) -> usize {
        self.ids.len()
    }

    /// Total number of fixed-effect coefficients `Σ_g L_g`.
    pub fn n_coef(&self) -> usize {
        self.n_levels.iter().sum()
    }
}

/// Tolerance and iteration cap of the demeaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemeanOptions {
    /// Convergence tolerance on the fixed-effect coefficients (see the module docs).
    pub tol: f64,
    /// Maximum number of Gauss–Seidel sweeps per column.
    pub max_iter: usize,
}

impl Default for DemeanOptions {
    fn default() -> Self {
        DemeanOptions {
            tol: 1e-8,
            max_iter: 10_000,
        }
    }
}

/// Demeans columns with respect to a fixed set of fixed effects and weights.
#[derive(Debug)]
pub struct Demeaner<'a> {
    fe: &'a FeCodes,
    weights: Option<&'a [f64]>,
    /// `1 / Σ_{i in level} w_i` per dimension, concatenated (0 for empty levels).
    inv_wsum: Vec<f64>,
    offsets: Vec<usize>,
    total: usize,
}

/// Statistics of one demeaning call.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemeanStats {
    /// Largest number of sweeps used by a column.
    pub max_sweeps: usize,
}

impl<'a> Demeaner<'a> {
    /// Prepares the demeaning for the given codes and (optional, non-negative) weights.
    pub fn new(fe: &'a FeCodes, weights: Option<&'a [f64]>) -> Demeaner<'a> {
        let mut offsets = Vec::with_capacity(fe.n_dims());
        let mut total = 0;
        for &l in &fe.n_levels {
            offsets.push(total);
            total += l;
        }
        let inv_sums = |(ids, &l): (&Vec<u32>, &usize)| -> Vec<f64> {
            let mut s = vec![0.0; l];
            match weights {
                Some(w) => {
                    for (&id, &wi) in ids.iter().zip(w) {
                        s[id as usize] += wi;
                    }
                }
                None => {
                    for &id in ids {
                        s[id as usize] += 1.0;
                    }
                }
            }
            s.iter()
                .map(|&v| if v > 0.0 { 1.0 / v } else { 0.0 })
                .collect()
        };
        let parts: Vec<Vec<f64>> = if fe.n_obs() < PAR_MIN_OBS {
            fe.ids.iter().zip(&fe.n_levels).map(inv_sums).collect()
        } else {
            fe.ids
                .par_iter()
                .zip(fe.n_levels.par_iter())
                .map(inv_sums)
                .collect()
        };
        Demeaner {
            fe,
            weights,
            inv_wsum: parts.concat(),
            offsets,
            total,
        }
    }

    /// Number of fixed-effect coefficients (length of the `alpha` vectors).
    pub fn n_coef(&self) -> usize {
        self.total
    }

    /// Observation ranges processed by separate threads (one range for small problems).
    fn chunks(&self) -> Vec<std::ops::Range<usize>> {
        let n = self.fe.n_obs();
        let k = if n < PAR_MIN_OBS {
            1
        } else {
            rayon::current_num_threads().max(1)
        };
        let step = n.div_ceil(k).max(1);
        (0..k)
            .map(|j| (j * step).min(n)..((j + 1) * step).min(n))
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// Runs `f(range, partial)` on every chunk (in parallel) and sums the partial vectors.
    fn par_sum<F>(&self, len: usize, f: F) -> Vec<f64>
    where
        F: Fn(std::ops::Range<usize>, &mut [f64]) + Sync,
    {
        let chunks = self.chunks();
        if chunks.len() <= 1 {
            let mut out = vec![0.0; len];
            if let Some(r) = chunks.into_iter().next() {
                f(r, &mut out);
            }
            return out;
        }
        chunks
            .into_par_iter()
            .map(|r| {
                let mut part = vec![0.0; len];
                f(r, &mut part);
                part
            })
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            })
            .unwrap_or_else(|| vec![0.0; len])
    }

    /// `Σ_i w_i x_ci` per level, interleaved: entry `(offset_g + level) * C + c`.
    fn weighted_sums(&self, cols: &[&[f64]]) -> Vec<f64> {
        let c = cols.len();
        self.par_sum(self.total * c, |range, out| {
            // one column at a time into a contiguous buffer, then interleaved
            let mut tmp = vec![0.0; self.total];
            for (cc, col) in cols.iter().enumerate() {
                tmp.iter_mut().for_each(|v| *v = 0.0);
                let xs = &col[range.clone()];
                for (g, ids) in self.fe.ids.iter().enumerate() {
                    let t = &mut tmp[self.offsets[g]..];
                    let ids = &ids[range.clone()];
                    match self.weights {
                        Some(w) => {
                            for ((&id, &x), &wi) in ids.iter().zip(xs).zip(&w[range.clone()]) {
                                t[id as usize] += wi * x;
                            }
                        }
                        None => {
                            for (&id, &x) in ids.iter().zip(xs) {
                                t[id as usize] += x;
                            }
                        }
                    }
                }
                for (l, &v) in tmp.iter().enumerate() {
                    out[l * c + cc] += v;
                }
            }
        })
    }

    /// One Gauss–Seidel sweep for `c` interleaved columns: `out = F(a)`.
    fn sweep(&self, wx: &[f64], c: usize, a: &[f64], out: &mut [f64]) {
        out.copy_from_slice(a);
        let g_count = self.fe.n_dims();
        for g in 0..g_count {
            let off = self.offsets[g];
            let len = self.fe.n_levels[g];
            let ids_g = &self.fe.ids[g];
            let others: Vec<(&[u32], usize)> = (0..g_count)
                .filter(|&h| h != g)
                .map(|h| (self.fe.ids[h].as_slice(), self.offsets[h]))
                .collect();
            let state: &[f64] = out;
            let acc = self.par_sum(len * c, |range, acc| match self.weights {
                Some(w) => {
                    let wr = w[range.clone()].iter().copied();
                    accumulate_dispatch(c, ids_g, &others, state, wr, range, acc)
                }
                None => {
                    let wr = std::iter::repeat(1.0);
                    accumulate_dispatch(c, ids_g, &others, state, wr, range, acc)
                }
            });
            let inv = &self.inv_wsum[off..off + len];
            let dst = &mut out[off * c..(off + len) * c];
            let src = &wx[off * c..(off + len) * c];
            for (l, &iv) in inv.iter().enumerate() {
                for cc in 0..c {
                    let k = l * c + cc;
                    dst[k] = (src[k] + acc[k]) * iv;
                }
            }
        }
    }

    /// Demeans `x` in place. `alpha` is the warm start (any length other than
    /// [`Demeaner::n_coef`] means "start from zero") and receives the fixed-effect
    /// coefficients, so that `x_original = x_demeaned + Σ_g alpha_g[id_g]`.
    /// Returns the number of sweeps.
    pub fn demean_in_place(
        &self,
        x: &mut [f64],
        alpha: &mut Vec<f64>,
        opts: &DemeanOptions,
    ) -> Result<usize> {
        let mut a = vec![std::mem::take(alpha)];
        let mut cols = vec![x.to_vec()];
        let stats = self.demean_columns(&mut cols, &mut a, opts)?;
        x.copy_from_slice(&cols[0]);
        *alpha = a.pop().unwrap_or_default();
        Ok(stats.max_sweeps)
    }

    /// `x -= Σ_g alpha_g[id_g]`.
    pub fn subtract(&self, x: &mut [f64], alpha: &[f64]) {
        const CH: usize = 1 << 15;
        if x.len() < PAR_MIN_OBS {
            for (g, ids) in self.fe.ids.iter().enumerate() {
                let a = &alpha[self.offsets[g]..];
                for (xi, &id) in x.iter_mut().zip(ids) {
                    *xi -= a[id as usize];
                }
            }
            return;
        }
        x.par_chunks_mut(CH).enumerate().for_each(|(k, xs)| {
            let lo = k * CH;
            let m = xs.len();
            for (g, ids) in self.fe.ids.iter().enumerate() {
                let a = &alpha[self.offsets[g]..];
                for (xi, &id) in xs.iter_mut().zip(&ids[lo..lo + m]) {
                    *xi -= a[id as usize];
                }
            }
        });
    }

    /// Demeans several columns (see [`Demeaner::demean_in_place`]). The columns are swept
    /// jointly (one pass over the codes and weights serves every column) and each sweep is
    /// parallelised over observations; every column keeps its own Irons–Tuck acceleration
    /// and leaves the joint iteration as soon as it has converged.
    pub fn demean_columns(
        &self,
        cols: &mut [Vec<f64>],
        alphas: &mut [Vec<f64>],
        opts: &DemeanOptions,
    ) -> Result<DemeanStats> {
        let n_cols = cols.len();
        if self.fe.n_dims() == 0 || n_cols == 0 {
            alphas.iter_mut().for_each(Vec::clear);
            return Ok(DemeanStats::default());
        }
        let total = self.total;
        let mut active: Vec<usize> = (0..n_cols).collect();
        let wx_all = {
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            self.weighted_sums(&refs)
        };
        // interleaved state of the active columns
        let interleave = |sel: &[usize], src: &dyn Fn(usize, usize) -> f64| -> Vec<f64> {
            let c = sel.len();
            let mut v = vec![0.0; total * c];
            for l in 0..total {
                for (k, &j) in sel.iter().enumerate() {
                    v[l * c + k] = src(j, l);
                }
            }
            v
        };
        let mut wx = interleave(&active, &|j, l| wx_all[l * n_cols + j]);
        let mut x = interleave(&active, &|j, l| {
            alphas[j]
                .get(l)
                .copied()
                .filter(|_| alphas[j].len() == total)
                .unwrap_or(0.0)
        });
        let mut sweeps = 0;
        let mut max_sweeps = 0;
        let mut gx = vec![0.0; x.len()];
        let mut ggx = vec![0.0; x.len()];
        let tol = opts.tol;
        // Writes the finished columns out and shrinks the active set.
        let mut retire = |done: &[bool],
                          state: &mut Vec<f64>,
                          active: &mut Vec<usize>,
                          wx: &mut Vec<f64>,
                          sweeps: usize,
                          max_sweeps: &mut usize| {
            let c = active.len();
            for (k, &j) in active.iter().enumerate() {
                if done[k] {
                    alphas[j] = (0..total).map(|l| state[l * c + k]).collect();
                    *max_sweeps = (*max_sweeps).max(sweeps);
                }
            }
            let keep: Vec<usize> = (0..c).filter(|&k| !done[k]).collect();
            let pick = |v: &[f64]| -> Vec<f64> {
                let mut out = Vec::with_capacity(total * keep.len());
                for l in 0..total {
                    for &k in &keep {
                        out.push(v[l * c + k]);
                    }
                }
                out
            };
            *wx = pick(wx);
            *state = pick(state);
            *active = keep.iter().map(|&k| active[k]).collect();
        };
        if self.fe.n_dims() == 1 {
            self.sweep(&wx, active.len(), &x, &mut gx);
            let done = vec![true; active.len()];
            retire(&done, &mut gx, &mut active, &mut wx, 1, &mut max_sweeps);
        }
        while !active.is_empty() {
            let c = active.len();
            self.sweep(&wx, c, &x, &mut gx);
            sweeps += 1;
            let done = converged(&x, &gx, c, tol);
            if done.iter().any(|&d| d) {
                std::mem::swap(&mut x, &mut gx);
                retire(&done, &mut x, &mut active, &mut wx, sweeps, &mut max_sweeps);
                gx.resize(x.len(), 0.0);
                ggx.resize(x.len(), 0.0);
                continue;
            }
            self.sweep(&wx, c, &gx, &mut ggx);
            sweeps += 1;
            let done = converged(&gx, &ggx, c, tol);
            if done.iter().any(|&d| d) {
                std::mem::swap(&mut x, &mut ggx);
                retire(&done, &mut x, &mut active, &mut wx, sweeps, &mut max_sweeps);
                gx.resize(x.len(), 0.0);
                ggx.resize(x.len(), 0.0);
                continue;
            }
            if sweeps >= opts.max_iter {
                return Err(GravityError::DemeanNotConverged {
                    iterations: sweeps,
                    tol,
                });
            }
            // Irons–Tuck extrapolation, column by column.
            let mut vprod = vec![0.0; c];
            let mut ssq = vec![0.0; c];
            for (k, ((&x0, &g1), &g2)) in x.iter().zip(&gx).zip(&ggx).enumerate() {
                let d1 = g2 - g1;
                let d2 = g2 - 2.0 * g1 + x0;
                vprod[k % c] += d1 * d2;
                ssq[k % c] += d2 * d2;
            }
            for (k, ((a, &g1), &g2)) in x.iter_mut().zip(&gx).zip(&ggx).enumerate() {
                let cc = k % c;
                if ssq[cc] > 0.0 && vprod[cc].is_finite() {
                    *a = g2 - vprod[cc] / ssq[cc] * (g2 - g1);
                } else {
                    *a = g2;
                }
            }
        }
        if self.fe.n_obs() < PAR_MIN_OBS {
            for (col, a) in cols.iter_mut().zip(alphas.iter()) {
                self.subtract(col, a);
            }
        } else {
            cols.par_iter_mut()
                .zip(alphas.par_iter())
                .for_each(|(col, a)| self.subtract(col, a));
        }
        Ok(DemeanStats { max_sweeps })
    }

    /// Splits a concatenated coefficient vector into per-dimension slices.
    pub fn split<'b>(&self, alpha: &'b [f64]) -> Vec<&'b [f64]> {
        self.offsets
            .iter()
            .zip(&self.fe.n_levels)
            .map(|(&o, &l)| &alpha[o..o + l])
            .collect()
    }
}

/// `acc[id_g(i)·C + c] -= w_i · Σ_{h≠g} state[(off_h + id_h(i))·C + c]` over `range`, for a
/// compile-time number of interleaved columns `C` (the `C` values of a level are one
/// array, so the inner loops vectorise and need one bounds check per level).
fn accumulate<const C: usize, W: Iterator<Item = f64>>(
    ids_g: &[u32],
    others: &[(&[u32], usize)],
    state: &[f64],
    w: W,
    range: std::ops::Range<usize>,
    acc: &mut [f64],
) {
    let (state, _) = state.as_chunks::<C>();
    let (acc, _) = acc.as_chunks_mut::<C>();
    let ids_g = &ids_g[range.clone()];
    match others {
        [(i1, o1)] => {
            let s1 = &state[*o1..];
            for ((&g, &h1), wi) in ids_g.iter().zip(&i1[range]).zip(w) {
                let s = &s1[h1 as usize];
                let a = &mut acc[g as usize];
                for k in 0..C {
                    a[k] -= wi * s[k];
                }
            }
        }
        [(i1, o1), (i2, o2)] => {
            let s1 = &state[*o1..];
            let s2 = &state[*o2..];
            let it = ids_g.iter().zip(&i1[range.clone()]).zip(&i2[range]);
            for (((&g, &h1), &h2), wi) in it.zip(w) {
                let (p, q) = (&s1[h1 as usize], &s2[h2 as usize]);
                let a = &mut acc[g as usize];
                for k in 0..C {
                    a[k] -= wi * (p[k] + q[k]);
                }
            }
        }
        _ => {
            for (i, (&g, wi)) in range.zip(ids_g.iter().zip(w)) {
                let mut t = [0.0f64; C];
                for (ids_h, off_h) in others {
                    let sh = &state[off_h + ids_h[i] as usize];
                    for k in 0..C {
                        t[k] += sh[k];
                    }
                }
                let a = &mut acc[g as usize];
                for k in 0..C {
                    a[k] -= wi * t[k];
                }
            }
        }
    }
}

/// Dynamic-width fallback of [`accumulate`].
fn accumulate_dyn<W: Iterator<Item = f64>>(
    c: usize,
    ids_g: &[u32],
    others: &[(&[u32], usize)],
    state: &[f64],
    w: W,
    range: std::ops::Range<usize>,
    acc: &mut [f64],
) {
    let mut t = vec![0.0; c];
    for (i, wi) in range.zip(w) {
        t.iter_mut().for_each(|v| *v = 0.0);
        for (ids_h, off_h) in others {
            let b = (off_h + ids_h[i] as usize) * c;
            for (v, s) in t.iter_mut().zip(&state[b..b + c]) {
                *v += s;
            }
        }
        let gb = ids_g[i] as usize * c;
        for (a, v) in acc[gb..gb + c].iter_mut().zip(&t) {
            *a -= wi * v;
        }
    }
}

fn accumulate_dispatch<W: Iterator<Item = f64>>(
    c: usize,
    ids_g: &[u32],
    others: &[(&[u32], usize)],
    state: &[f64],
    w: W,
    range: std::ops::Range<usize>,
    acc: &mut [f64],
) {
    match c {
        1 => accumulate::<1, W>(ids_g, others, state, w, range, acc),
        2 => accumulate::<2, W>(ids_g, others, state, w, range, acc),
        3 => accumulate::<3, W>(ids_g, others, state, w, range, acc),
        4 => accumulate::<4, W>(ids_g, others, state, w, range, acc),
        5 => accumulate::<5, W>(ids_g, others, state, w, range, acc),
        6 => accumulate::<6, W>(ids_g, others, state, w, range, acc),
        7 => accumulate::<7, W>(ids_g, others, state, w, range, acc),
        8 => accumulate::<8, W>(ids_g, others, state, w, range, acc),
        _ => accumulate_dyn(c, ids_g, others, state, w, range, acc),
    }
}

/// Per interleaved column: whether every coefficient moved by at most `tol` (absolute) or
/// `tol·(0.1 + |a|)` (relative).
fn converged(a: &[f64], b: &[f64], c: usize, tol: f64) -> Vec<bool> {
    let mut ok = vec![true; c];
    for (k, (&x, &y)) in a.iter().zip(b).enumerate() {
        let d = (x - y).abs();
        if d > tol && d > tol * (0.1 + x.abs()) {
            ok[k % c] = false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_way_balanced_matches_closed_form() {
        // Balanced 3x4 panel: demeaned x = x - row mean - col mean + grand mean.
        let (r, c) = (3usize, 4usize);
        let mut ids0 = Vec::new();
        let mut ids1 = Vec::new();
        let mut x = Vec::new();
        for i in 0..r {
            for j in 0..c {
                ids0.push(i as u32);
                ids1.push(j as u32);
                x.push(((i * 7 + j * 3) % 5) as f64 + 0.1 * (i * j) as f64);
            }
        }
        let fe = FeCodes {
            ids: vec![ids0, ids1],
            n_levels: vec![r, c],
        };
        let d = Demeaner::new(&fe, None);
        let mut y = x.clone();
        let mut a = Vec::new();
        d.demean_in_place(
            &mut y,
            &mut a,
            &DemeanOptions {
                tol: 1e-13,
                max_iter: 10_000,
            },
        )
        .unwrap();
        let grand: f64 = x.iter().sum::<f64>() / (r * c) as f64;
        for i in 0..r {
            for j in 0..c {
                let rm: f64 = (0..c).map(|jj| x[i * c + jj]).sum::<f64>() / c as f64;
                let cm: f64 = (0..r).map(|ii| x[ii * c + j]).sum::<f64>() / r as f64;
                let expect = x[i * c + j] - rm - cm + grand;
                assert!((y[i * c + j] - expect).abs() < 1e-10);
            }
        }
    }
}
