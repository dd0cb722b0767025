//! Tests of [`project`] and [`backtest`]: the promises a report relies on.

use super::*;
use proptest::prelude::*;

/// A share series with noise from a fixed linear congruential generator.
fn noisy(n: usize, start: f64, growth: f64, noise: f64, seed: u64) -> ShareSeries {
    let mut s = seed;
    let shares = (0..n)
        .map(|t| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            start * (growth * t as f64 + noise * u).exp()
        })
        .collect();
    ShareSeries::new((2000..2000 + n as i32).collect(), shares).expect("series")
}

#[test]
fn too_few_years_are_refused_with_the_years_needed() {
    let s = noisy(9, 2.0, 0.03, 0.1, 1);
    let e = project(&s, &Options::new(2015)).expect_err("short");
    assert!(
        matches!(
            e,
            ProjectError::TooFewYears {
                got: 9,
                needed: 10,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("at least 10"), "{e}");
}

#[test]
fn a_target_not_after_the_data_or_a_bad_level_is_refused() {
    let s = noisy(12, 2.0, 0.03, 0.1, 1);
    assert!(matches!(
        project(&s, &Options::new(2011)),
        Err(ProjectError::Target { .. })
    ));
    let mut o = Options::new(2020);
    o.level = 1.0;
    assert_eq!(project(&s, &o), Err(ProjectError::Level(1.0)));
}

#[test]
fn a_constant_series_projects_the_constant_with_no_spread() {
    let s = ShareSeries::new((1990..2005).collect(), vec![7.25; 15]).expect("series");
    let p = project(&s, &Options::new(2010)).expect("projection");
    for m in &p.methods {
        let path = &m.path;
        assert_eq!(path.len(), 6, "{:?}", m.method);
        for f in path {
            assert!((f.share - 7.25).abs() < 1e-9, "{:?} {f:?}", m.method);
            assert!((f.upper - f.lower).abs() < 1e-9, "{:?} {f:?}", m.method);
        }
    }
    for e in &p.backtest.methods {
        assert!(e.score().expect("scored") < 1e-9, "{e:?}");
    }
}

#[test]
fn intervals_widen_with_the_horizon_for_every_method() {
    let s = noisy(20, 3.0, 0.04, 0.3, 7);
    let p = project(&s, &Options::new(2035)).expect("projection");
    for m in &p.methods {
        let widths: Vec<f64> = m
            .path
            .iter()
            .map(|f| {
                let (mean, se) = m.model.as_ref().expect("fit").forecast(f.horizon);
                assert!(f.lower < f.share && f.share < f.upper);
                assert!((inv_logit(mean) - f.share).abs() < 1e-12);
                se
            })
            .collect();
        for w in widths.windows(2) {
            assert!(w[1] > w[0], "{:?}: {widths:?}", m.method);
        }
        // and the bounds in percent move apart too (the shares are small here)
        let first = m.path.first().expect("path");
        let last = m.path.last().expect("path");
        assert!(last.upper - last.lower > first.upper - first.lower);
    }
}

#[test]
fn shares_and_bounds_stay_between_0_and_100() {
    let s = noisy(15, 30.0, 0.05, 0.2, 3);
    let p = project(&s, &Options::new(2050)).expect("projection");
    for f in p.methods.iter().flat_map(|m| &m.path) {
        assert!(f.lower > 0.0 && f.upper < 100.0 + 1e-12, "{f:?}");
    }
}

#[test]
fn an_exact_exponential_trend_is_chosen_as_log_linear_with_no_error() {
    // Odds growing 5% a year: the log-odds is a straight line.
    let z0 = logit(1.5);
    let shares: Vec<f64> = (0..16).map(|t| inv_logit(z0 + 0.05 * t as f64)).collect();
    let s = ShareSeries::new((2000..2016).collect(), shares).expect("series");
    let p = project(&s, &Options::new(2020)).expect("projection");
    assert_eq!(p.chosen, Some(Method::LogLinear));
    let e = p.chosen_errors().expect("errors");
    assert!(e.score().expect("score") < 1e-9);
    let last = p.chosen_projection().expect("chosen").path.last().copied();
    let expect = inv_logit(z0 + 0.05 * 20.0);
    assert!((last.expect("2020").share - expect).abs() < 1e-9);
}

#[test]
fn the_backtest_counts_each_origin_and_horizon_once() {
    let s = noisy(14, 2.0, 0.02, 0.2, 11);
    let bt = backtest(&s, &Method::ALL, 8, 4, 0.8).expect("backtest");
    assert_eq!(bt.origins, (2007..2013).collect::<Vec<_>>());
    for e in &bt.methods {
        for h in &e.horizons {
            // origins o = 8..13 with o + h ≤ 14
            assert_eq!(h.count, 14 - 8 - h.horizon + 1, "{:?}", e.method);
            assert!(h.rmse >= h.mae - 1e-12);
        }
    }
    for f in &bt.forecasts {
        assert_eq!(f.year, f.origin + f.horizon as i32);
        assert!(f.year > f.origin);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Changing the years at or after an origin leaves that origin's forecasts
    /// unchanged: the fit sees only the years before it.
    #[test]
    fn the_backtest_uses_only_years_before_each_origin(
        seed in 0u64..1000,
        origin in 8usize..13,
        bump in 0.5f64..2.0,
    ) {
        let s = noisy(14, 2.0, 0.03, 0.3, seed);
        let mut changed = s.shares().to_vec();
        for v in changed.iter_mut().skip(origin) {
            *v *= bump;
        }
        let t = ShareSeries::new(s.years().to_vec(), changed).expect("series");
        let a = backtest(&s, &Method::ALL, 8, 3, 0.8).expect("backtest");
        let b = backtest(&t, &Method::ALL, 8, 3, 0.8).expect("backtest");
        let origin_year = s.years()[origin - 1];
        let pick = |bt: &Backtest| -> Vec<(f64, f64, f64)> {
            bt.forecasts
                .iter()
                .filter(|f| f.origin == origin_year)
                .map(|f| (f.forecast, f.lower, f.upper))
                .collect()
        };
        prop_assert!(!pick(&a).is_empty());
        prop_assert_eq!(pick(&a), pick(&b));
    }
}
