//! A progress hook for long computations: a gravity fit's iterations, a scenario's
//! solves and resampling draws, an ingest's bytes.
//!
//! A computation takes a [`Progress`] and calls [`Progress::report`] as it goes with a
//! [`ProgressStep`]: what it is doing (`stage`), how much of it is done and, when known, of how
//! much. Whoever started it decides what to do with the steps: the command line draws a
//! bar, the Python package moves a notebook's progress bar, a server counts. A hook only
//! watches: it never changes a result, and [`Progress::none`] (the default) costs one
//! branch per report.
//!
//! The hook is shared by the threads of a computation (`Send + Sync`): draws solved in
//! parallel report from several threads, so a count is whatever the computation says it
//! has done at that moment (a caller that needs steps in order keeps the largest).

use std::fmt;
use std::sync::Arc;

/// One report of a computation's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressStep<'a> {
    /// What is being done (`PPML iterations`, `draws of θ`, `reading`), the same text
    /// for every report of one stage.
    pub stage: &'a str,
    /// How much of the stage is done (iterations, draws, bytes).
    pub done: u64,
    /// How much there is to do, when known (a fit's iterations are not).
    pub total: Option<u64>,
}

/// The callback of a [`Progress`] hook.
type Callback = dyn Fn(ProgressStep<'_>) + Send + Sync;

/// A progress hook: a callback the computation calls with each [`ProgressStep`], or none.
/// Cloning shares the callback.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Callback>>);

impl Progress {
    /// A hook calling `f` with every step.
    pub fn new(f: impl Fn(ProgressStep<'_>) + Send + Sync + 'static) -> Progress {
        Progress(Some(Arc::new(f)))
    }

    /// No hook: every report is ignored.
    pub fn none() -> Progress {
        Progress(None)
    }

    /// Whether a callback is set (a computation may skip preparing a report otherwise).
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// Reports that `done` of `total` (when known) of `stage` is done.
    pub fn report(&self, stage: &str, done: u64, total: Option<u64>) {
        if let Some(f) = &self.0 {
            f(ProgressStep { stage, done, total });
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_on() {
            "Progress(on)"
        } else {
            "Progress(none)"
        })
    }
}

/// Two hooks are equal when both are none or both share one callback: options that
/// differ only in their hook compute the same result, but they are not the same options.
impl PartialEq for Progress {
    fn eq(&self, other: &Progress) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_hook_receives_every_report_and_none_ignores_them() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = Arc::clone(&seen);
        let p = Progress::new(move |step| {
            s.lock()
                .expect("not poisoned")
                .push((step.stage.to_string(), step.done, step.total))
        });
        assert!(p.is_on());
        p.report("draws", 1, Some(3));
        p.clone().report("draws", 2, Some(3));
        assert_eq!(
            *seen.lock().expect("not poisoned"),
            vec![
                ("draws".to_string(), 1, Some(3)),
                ("draws".to_string(), 2, Some(3))
            ]
        );
        let none = Progress::none();
        assert!(!none.is_on());
        none.report("draws", 1, None);
        assert_eq!(format!("{none:?}"), "Progress(none)");
    }

    #[test]
    fn hooks_are_equal_only_when_they_share_a_callback() {
        let p = Progress::new(|_| {});
        assert_eq!(p, p.clone());
        assert_ne!(p, Progress::new(|_| {}));
        assert_ne!(p, Progress::none());
        assert_eq!(Progress::none(), Progress::default());
    }
}
