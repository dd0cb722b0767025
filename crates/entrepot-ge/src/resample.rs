//! Resampling of an estimated trade elasticity, for intervals on counterfactual results.
//!
//! An elasticity estimated with standard error `s` (a tariff coefficient `−θ̂`, Yotov et
//! al. 2016 ch. 1 exercise 2) is drawn as `θ_d ~ N(θ̂, s²)`, `d = 1…D`, truncated to the
//! model's domain `θ > 0` (a draw at or below zero is redrawn, and the redraws are
//! counted so the caller can say how much of the normal's mass was cut); each draw is
//! solved and the percentiles of a result over the draws give its interval (the
//! parametric bootstrap of Anderson, Larch and Yotov 2018, sec. 4, with only the
//! elasticity resampled). The generator is SplitMix64 (Steele, Lea and Flood 2014) with
//! Box–Muller normals, so a seed gives the same draws on every platform and release.

use crate::error::{GeError, Result};

/// Draws of `θ`, with how many normal draws fell at or below zero and were redrawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ThetaDraws {
    /// The draws, each `> 0`.
    pub draws: Vec<f64>,
    /// Normal draws at or below zero that were redrawn.
    pub redrawn: usize,
}

/// `draws` values of `θ ~ N(theta, se²)` truncated to `θ > 0`, from `seed`.
///
/// Errors when `theta` is not positive and finite or `se` is negative or not finite. With
/// `θ > 0` at least half of the normal's mass is above zero, so on average fewer than one
/// redraw per kept draw is needed.
pub fn draw_theta(theta: f64, se: f64, draws: usize, seed: u64) -> Result<ThetaDraws> {
    if !(theta.is_finite() && theta > 0.0) {
        return Err(GeError::InvalidOption(format!(
            "the trade elasticity θ must be positive and finite; got {theta}"
        )));
    }
    if !(se.is_finite() && se >= 0.0) {
        return Err(GeError::InvalidOption(format!(
            "the standard error of θ must be finite and non-negative; got {se}"
        )));
    }
    let mut rng = SplitMix64(seed);
    let mut out = Vec::with_capacity(draws);
    let mut redrawn = 0usize;
    while out.len() < draws {
        let d = theta + se * rng.normal();
        if d > 0.0 {
            out.push(d);
        } else {
            redrawn += 1;
        }
    }
    Ok(ThetaDraws {
        draws: out,
        redrawn,
    })
}

/// The `q`-quantile (`0 ≤ q ≤ 1`) of `values` by linear interpolation between order
/// statistics (Hyndman and Fan 1996, type 7, the default of R and NumPy); `None` when
/// no value is finite. Non-finite values are left out.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// SplitMix64: a 64-bit generator with a fixed, documented output sequence.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1): 53 random bits, never 0.
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller, the cosine branch).
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws_and_moments_close_to_the_normal() {
        let a = draw_theta(7.6, 0.5, 20_000, 42).expect("draws");
        let b = draw_theta(7.6, 0.5, 20_000, 42).expect("draws");
        assert_eq!(a, b);
        assert_eq!(a.redrawn, 0);
        let n = a.draws.len() as f64;
        let mean = a.draws.iter().sum::<f64>() / n;
        let var = a.draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0);
        // standard error of the mean 0.5/sqrt(20000) = 0.0035
        assert!((mean - 7.6).abs() < 0.015, "mean {mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.015, "sd {}", var.sqrt());
        let c = draw_theta(7.6, 0.5, 10, 43).expect("draws");
        assert_ne!(a.draws[..10], c.draws[..]);
    }

    #[test]
    fn zero_standard_error_gives_the_estimate() {
        let d = draw_theta(4.0, 0.0, 5, 1).expect("draws");
        assert_eq!(d.draws, vec![4.0; 5]);
    }

    #[test]
    fn truncation_counts_redraws_and_bad_input_is_refused() {
        let d = draw_theta(0.5, 1.0, 2_000, 7).expect("draws");
        assert!(d.draws.iter().all(|&x| x > 0.0));
        // P(N(0.5, 1) ≤ 0) = 0.3085: about 2000·0.3085/0.6915 ≈ 892 redraws
        assert!((700..1100).contains(&d.redrawn), "{}", d.redrawn);
        assert!(draw_theta(0.0, 1.0, 5, 1).is_err());
        assert!(draw_theta(f64::NAN, 1.0, 5, 1).is_err());
        assert!(draw_theta(4.0, -1.0, 5, 1).is_err());
        assert!(draw_theta(4.0, f64::INFINITY, 5, 1).is_err());
        // θ just above zero: about half the normal draws are redrawn, none is kept ≤ 0
        let d = draw_theta(1e-6, 10.0, 400, 1).expect("draws");
        assert!(d.draws.iter().all(|&x| x > 0.0));
        assert!((250..600).contains(&d.redrawn), "{}", d.redrawn);
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [3.0, 1.0, 2.0, 4.0, f64::NAN];
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        // numpy.percentile([1,2,3,4], 5) = 1.15
        assert!((quantile(&v, 0.05).expect("q") - 1.15).abs() < 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[1.0], 1.5), None);
    }
}
