//! Quantiles of the standard normal and Student's t distributions, for prediction
//! intervals.
//!
//! The distribution functions are the regularised incomplete gamma and beta functions
//! (series and Lentz continued fractions, Press et al. 2007, *Numerical Recipes*, 3rd
//! ed., §6.2 and §6.4; `ln Γ` by Lanczos' approximation, §6.1):
//!
//! * `Φ(x) = ½ (1 + sign(x) P(½, x²/2))`;
//! * Student's t with `ν` degrees of freedom: `F(t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½)` for
//!   `t ≥ 0`, symmetric below.
//!
//! A quantile is found by bisection on the distribution function to the last bit of
//! a double (the functions are monotone, so bisection cannot fail).

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, nine coefficients; relative error below 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised lower incomplete gamma function `P(a, x)`.
fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        // Series.
        let (mut ap, mut sum, mut del) = (a, 1.0 / a, 1.0 / a);
        for _ in 0..10_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        sum * front
    } else {
        // Continued fraction for Q(a, x) (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-17 {
                break;
            }
        }
        1.0 - front * h
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function `I_x(a, b)`.
fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The standard normal distribution function `Φ(x)`.
pub fn normal_cdf(x: f64) -> f64 {
    let p = gamma_p(0.5, 0.5 * x * x);
    if x >= 0.0 {
        0.5 + 0.5 * p
    } else {
        0.5 - 0.5 * p
    }
}

/// Student's t distribution function with `df > 0` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * beta_i(0.5 * df, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The `p` quantile of a continuous increasing distribution function, by bisection.
fn quantile(p: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (-1.0, 1.0);
    while cdf(lo) > p && lo > -1e12 {
        lo *= 2.0;
    }
    while cdf(hi) < p && hi < 1e12 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The `p` quantile of the standard normal distribution, `0 < p < 1`.
pub fn normal_quantile(p: f64) -> f64 {
    quantile(p, normal_cdf)
}

/// The `p` quantile of Student's t with `df` degrees of freedom, `0 < p < 1`.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    quantile(p, |t| t_cdf(t, df))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values: R 4.x, qnorm / qt (printed to 12 significant digits).
    #[test]
    fn normal_quantiles_match_published_values() {
        assert!((normal_quantile(0.975) - 1.959_963_984_540).abs() < 1e-10);
        assert!((normal_quantile(0.9) - 1.281_551_565_545).abs() < 1e-10);
        assert!((normal_quantile(0.025) + 1.959_963_984_540).abs() < 1e-10);
    }

    #[test]
    fn t_quantiles_match_published_values() {
        assert!((t_quantile(0.975, 10.0) - 2.228_138_851_986).abs() < 1e-9);
        assert!((t_quantile(0.9, 5.0) - 1.475_884_048_824).abs() < 1e-9);
        assert!((t_quantile(0.975, 1.0) - 12.706_204_736_175).abs() < 1e-7);
        // Many degrees of freedom: the normal quantile.
        assert!((t_quantile(0.975, 1e7) - normal_quantile(0.975)).abs() < 1e-6);
    }
}
