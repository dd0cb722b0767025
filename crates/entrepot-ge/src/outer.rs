//! The outer iteration on producer prices, shared by both full endowment solvers.
//!
//! A solver supplies the map `x ↦ z(x)`: at log producer price changes `x = ln p̂`, the
//! log gap between demand and supply of each country's output, `z_i = ln(D_i / (p̂_i Y_i))`
//! (from the exact hat algebra, or read off the GEPPML exporter fixed effects). The
//! equilibrium is `z = 0` with the numéraire holding. Convergence is judged on the
//! merit, the larger of `max |z|` and the common shift the numéraire still asks for;
//! progress on the excess demand in value as a share of world output, `(D_i − S_i)/Σ S`
//! (its entries add up to zero by Walras' law, and it does not grow while a small
//! country's log gap closes more slowly than a large one's), with the numéraire's shift.
//! With deficits that scale with output the iteration pins the reference country's price
//! and applies the requested numéraire once at the end (relative prices do not depend on
//! it); with additive deficits the numéraire is part of the equations throughout.
//!
//! **Fixed point.** The step is `x ← x + z/σ`, moved onto the numéraire: the supply
//! equation `Y_i = (β_i p_i)^{1−σ} Π_i` solved for `p_i` at the current demand
//! (`ge_gravity`'s update; the exponent `1/σ` comes from the model, it is not a tuning
//! knob). It starts from the baseline prices (`x = 0`, where expenditure is positive under
//! every deficit rule). Each iteration first tries the Anderson-accelerated point
//! (Anderson 1965; Walker and Ni 2011: the combination of the last five steps that best
//! cancels the proposed step) and keeps it when it makes progress; otherwise it takes the
//! plain step, the fraction `λ` of the way to the target (`λ = 1` unless refused). A
//! plain step is refused, and `λ` halved, when it is not finite, when it leaves the
//! model's domain (negative expenditure with additive deficits) or when it multiplies the
//! excess demand by ten; `λ` doubles back (up to 1) at each new best.
//!
//! **Levenberg–Marquardt.** The fixed point can crawl along a flat valley (small trade
//! elasticities, countries that trade almost only with themselves or almost only
//! abroad). When 20 steps bring no new best, or the excess demand has not halved over
//! the last 20 steps, or no step length is accepted, the iteration switches for good to
//! Levenberg–Marquardt on the excess demands and the numéraire (forward-difference
//! Jacobian, steps of at most 1 in any log price).
//!
//! It stops when the merit is at most the tolerance and returns the state at the point
//! moved exactly onto the numéraire. It fails with the domain error, or with
//! [`GeError::NotConverged`] saying where prices were heading, when no
//! Levenberg–Marquardt step makes progress or after `max_iterations` steps.

use crate::common::Setup;
use crate::error::{GeError, Result};
use crate::linalg::solve;

/// One evaluation of the outer map at log producer prices `x`.
pub(crate) struct Step<S> {
    /// The log gap between demand and supply of each country's output.
    pub gaps: Vec<f64>,
    /// What the solver needs to build the scenario at `x`.
    pub state: S,
}

/// Smallest step length before a line search gives up.
const MIN_STEP: f64 = 1.0 / 1_048_576.0;

/// A fixed-point trial whose merit exceeds the current one by this factor is refused.
const BLOW_UP: f64 = 10.0;

/// Fixed-point steps without a new best (or without halving the excess demand) before
/// Levenberg–Marquardt.
const STALL_STEPS: usize = 20;

/// Past steps the Anderson acceleration combines.
const AA_DEPTH: usize = 5;

/// The longest Levenberg–Marquardt step on any log price.
const MAX_LM_STEP: f64 = 1.0;

/// Forward-difference step of the Jacobian (on log prices).
const FD_STEP: f64 = 1e-7;

pub(crate) fn iterate<S>(
    setup: &Setup<'_>,
    what: &'static str,
    mut eval: impl FnMut(&[f64]) -> Result<Step<S>>,
) -> Result<(S, usize)> {
    let n = setup.baseline.len();
    let tol = setup.options.tolerance;
    let sigma = setup.sigma;
    // A point with any non-finite gap or price (overflow) has infinite merit: f64::max
    // would silently drop a NaN.
    let merit = |x: &[f64], gaps: &[f64]| {
        let shift = setup.iteration_shift(x);
        if !shift.is_finite()
            || gaps.iter().chain(x).any(|v| !v.is_finite())
            || x.iter().any(|v| !v.exp().is_finite())
        {
            return f64::INFINITY;
        }
        gaps.iter().fold(shift.abs(), |m, g| m.max(g.abs()))
    };
    // Progress is measured on excess demand in value, as a share of world output,
    // `(D_i − S_i) / Σ S`: by Walras' law its entries add up to zero, and unlike the log
    // gaps it does not grow while a small country's gap shrinks more slowly than a large
    // one's. With the numéraire's remaining shift it is the system Levenberg–Marquardt
    // solves.
    let y0 = setup.baseline.output();
    let excess = |x: &[f64], gaps: &[f64]| -> Vec<f64> {
        let supply: Vec<f64> = x.iter().zip(y0).map(|(x, y)| x.exp() * y).collect();
        let world: f64 = supply.iter().sum();
        let mut f: Vec<f64> = supply
            .iter()
            .zip(gaps)
            .map(|(s, z)| s * z.exp_m1() / world)
            .collect();
        f.push(setup.iteration_shift(x));
        f
    };
    let progress = |x: &[f64], gaps: &[f64]| {
        let p = norm(&excess(x, gaps));
        if p.is_finite() {
            p
        } else {
            f64::INFINITY
        }
    };
    let mut x = vec![0.0; n];
    let mut cur = eval(&x)?;
    let mut m_cur = merit(&x, &cur.gaps);
    let mut p_cur = progress(&x, &cur.gaps);
    let (mut best, mut since_best) = (p_cur, 0usize);
    let mut history = vec![p_cur];
    let mut lambda = 1.0f64;
    let mut domain: Option<GeError> = None;
    let mut past: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
    let mut lm = false;
    let mut mu = 1e-3f64;
    for it in 0..setup.options.max_iterations {
        if m_cur <= tol {
            let shift = setup.shift(&x);
            if shift != 0.0 {
                x.iter_mut().for_each(|v| *v += shift);
                cur = eval(&x)?;
            }
            return Ok((cur.state, it));
        }
        if lm {
            // Levenberg–Marquardt on the excess demands and the numéraire (F): solve
            // (JᵀJ + μ·diag(JᵀJ)) Δ = −JᵀF, shrink μ after a step that lowers ‖F‖, grow it
            // (towards a short gradient step) after one that does not.
            let f0 = excess(&x, &cur.gaps);
            let jac = jacobian(&x, &f0, &excess, &mut eval)?;
            let (jtj, jtf) = normal_equations(&jac, &f0);
            let norm0 = norm(&f0);
            let mut accepted = false;
            for _ in 0..60 {
                let mut a = jtj.clone();
                for (k, row) in a.iter_mut().enumerate() {
                    row[k] += mu * jtj[k][k].max(1e-300);
                }
                let Some(mut dx) = solve(a, jtf.iter().map(|v| -v).collect()) else {
                    mu *= 4.0;
                    continue;
                };
                let longest = dx.iter().fold(0.0f64, |m, d| m.max(d.abs()));
                if longest > MAX_LM_STEP {
                    dx.iter_mut().for_each(|d| *d *= MAX_LM_STEP / longest);
                }
                let trial: Vec<f64> = x.iter().zip(&dx).map(|(x, d)| x + d).collect();
                match eval(&trial) {
                    Ok(step) => {
                        let m = merit(&trial, &step.gaps);
                        let nf = progress(&trial, &step.gaps);
                        if m.is_finite() && nf < norm0 {
                            (x, cur, m_cur, p_cur, accepted) = (trial, step, m, nf, true);
                            mu = (mu / 3.0).max(1e-12);
                            break;
                        }
                    }
                    Err(e @ GeError::NegativeExpenditure { .. }) => domain = Some(e),
                    Err(_) => {}
                }
                mu *= 4.0;
            }
            if !accepted {
                let why = "no Levenberg–Marquardt step reduces the demand–supply gap";
                return Err(failed(what, it, m_cur, tol, domain, &x, why));
            }
            continue;
        }
        let mut target: Vec<f64> = x
            .iter()
            .zip(&cur.gaps)
            .map(|(x, z)| x + z / sigma)
            .collect();
        let shift = setup.iteration_shift(&target);
        target.iter_mut().for_each(|v| *v += shift);
        let step: Vec<f64> = target.iter().zip(&x).map(|(t, x)| t - x).collect();
        past.push((x.clone(), step));
        if past.len() > AA_DEPTH + 1 {
            past.remove(0);
        }
        let mut moved = false;
        if let Some(xa) = anderson(&past) {
            if let Ok(s) = eval(&xa) {
                let (m, p) = (merit(&xa, &s.gaps), progress(&xa, &s.gaps));
                if m.is_finite() && p < p_cur {
                    (x, cur, m_cur, p_cur, moved) = (xa, s, m, p, true);
                }
            }
            if !moved {
                past.drain(..past.len() - 1);
            }
        }
        while !moved && lambda >= MIN_STEP {
            let trial: Vec<f64> = x
                .iter()
                .zip(&target)
                .map(|(x, t)| x + lambda * (t - x))
                .collect();
            match eval(&trial) {
                Ok(step) => {
                    let (m, p) = (merit(&trial, &step.gaps), progress(&trial, &step.gaps));
                    if m.is_finite() && p <= BLOW_UP * p_cur {
                        (x, cur, m_cur, p_cur, moved) = (trial, step, m, p, true);
                        break;
                    }
                }
                // Outside the domain (negative expenditure, output so far off that it
                // underflows, a fit that fails there): a shorter step.
                Err(e @ GeError::NegativeExpenditure { .. }) => domain = Some(e),
                Err(_) => {}
            }
            lambda /= 2.0;
        }
        history.push(p_cur);
        if p_cur < best {
            (best, since_best) = (p_cur, 0);
            lambda = (2.0 * lambda).min(1.0);
        } else {
            since_best += 1;
        }
        let slow =
            history.len() > STALL_STEPS && p_cur > 0.5 * history[history.len() - 1 - STALL_STEPS];
        lm = !moved || since_best >= STALL_STEPS || slow;
    }
    Err(failed(
        what,
        setup.options.max_iterations,
        m_cur,
        tol,
        None,
        &x,
        "raise max_iterations",
    ))
}

/// The failure of an iteration: the domain error when one was met, otherwise
/// [`GeError::NotConverged`] saying where prices were heading.
fn failed(
    what: &'static str,
    iterations: usize,
    residual: f64,
    tolerance: f64,
    domain: Option<GeError>,
    x: &[f64],
    why: &str,
) -> GeError {
    if let Some(e) = domain {
        return e;
    }
    let far = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let hint = if far > 50.0 {
        format!(
            "{why}; producer prices had moved by a factor e^{far:.0}: the equilibrium lies \
             beyond the floating-point range or does not exist (a trade elasticity close to \
             zero with a large shock, or deficits that cannot be financed)"
        )
    } else {
        format!("{why}; a residual that no longer falls means the inputs admit no equilibrium")
    };
    GeError::NotConverged {
        what,
        iterations,
        residual,
        tolerance,
        hint,
    }
}

/// `JᵀJ` and `JᵀF` for a Jacobian stored row by row.
fn normal_equations(jac: &[Vec<f64>], f: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = jac.first().map_or(0, Vec::len);
    let mut jtj = vec![vec![0.0; n]; n];
    let mut jtf = vec![0.0; n];
    for (row, fi) in jac.iter().zip(f) {
        for a in 0..n {
            jtf[a] += row[a] * fi;
            for b in 0..n {
                jtj[a][b] += row[a] * row[b];
            }
        }
    }
    (jtj, jtf)
}

/// Forward-difference Jacobian of the residual `f` (backward where the forward point
/// cannot be evaluated), column by column.
fn jacobian<S>(
    x: &[f64],
    f0: &[f64],
    f: &impl Fn(&[f64], &[f64]) -> Vec<f64>,
    eval: &mut impl FnMut(&[f64]) -> Result<Step<S>>,
) -> Result<Vec<Vec<f64>>> {
    let n = x.len();
    let mut jac = vec![vec![0.0; n]; f0.len()];
    for j in 0..n {
        let mut h = FD_STEP;
        let mut xp = x.to_vec();
        xp[j] += h;
        let step = match eval(&xp) {
            Ok(s) => s,
            Err(_) => {
                h = -FD_STEP;
                xp[j] = x[j] + h;
                eval(&xp)?
            }
        };
        let fp = f(&xp, &step.gaps);
        for (row, (a, b)) in jac.iter_mut().zip(fp.iter().zip(f0)) {
            row[j] = (a - b) / h;
        }
    }
    Ok(jac)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// The Anderson-accelerated point from past `(x_k, f_k)` pairs (`f_k` the step proposed
/// at `x_k`, the last pair the current one): `x + f − (ΔX + ΔF) γ` with `γ` minimising
/// `‖f − ΔF γ‖₂` (`ΔX`, `ΔF` the differences of successive `x` and `f`). `None` with
/// fewer than two pairs or a degenerate least-squares problem.
fn anderson(past: &[(Vec<f64>, Vec<f64>)]) -> Option<Vec<f64>> {
    let k = past.len();
    if k < 2 {
        return None;
    }
    let (x, f) = &past[k - 1];
    let m = k - 1;
    let diff = |a: &[f64], b: &[f64]| -> Vec<f64> { a.iter().zip(b).map(|(u, v)| u - v).collect() };
    let df: Vec<Vec<f64>> = (0..m).map(|j| diff(&past[j + 1].1, &past[j].1)).collect();
    let dx: Vec<Vec<f64>> = (0..m).map(|j| diff(&past[j + 1].0, &past[j].0)).collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
    let mut gram: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| dot(&df[i], &df[j])).collect())
        .collect();
    // A touch of ridge keeps nearly collinear differences solvable.
    let trace: f64 = (0..m).map(|i| gram[i][i]).sum();
    if !(trace.is_finite() && trace > 0.0) {
        return None;
    }
    for (i, row) in gram.iter_mut().enumerate() {
        row[i] += 1e-10 * trace;
    }
    let rhs: Vec<f64> = (0..m).map(|i| dot(&df[i], f)).collect();
    let gamma = solve(gram, rhs)?;
    let xa: Vec<f64> = (0..x.len())
        .map(|i| {
            x[i] + f[i]
                - (0..m)
                    .map(|j| gamma[j] * (dx[j][i] + df[j][i]))
                    .sum::<f64>()
        })
        .collect();
    xa.iter().all(|v| v.is_finite()).then_some(xa)
}

#[cfg(test)]
mod tests {
    use super::anderson;

    #[test]
    fn anderson_solves_a_linear_fixed_point_in_one_step() {
        // G(x) = 0.5 x + 1 in one dimension: fixed point 2, step f = G(x) − x.
        let f = |x: f64| 1.0 - 0.5 * x;
        let past = vec![(vec![0.0], vec![f(0.0)]), (vec![1.0], vec![f(1.0)])];
        let xa = anderson(&past).expect("accelerated point");
        assert!((xa[0] - 2.0).abs() < 1e-8, "{xa:?}");
    }
}
