//! Progress of a long computation, shown from Python: the computation runs on a worker
//! thread with the GIL released and reports through an [`entrepot_core::Progress`] hook
//! into a shared slot; the calling thread wakes every [`POLL`], takes the GIL for a
//! moment and hands the latest report to the Python callback (`callback(stage, done,
//! total)`; the package's `progress=` turns it into a `tqdm.auto` bar or a line on
//! stderr).
//!
//! So the callback always runs on the thread that called Entrepôt (a notebook's widgets
//! want that), the computation never waits for the GIL (a report is a store under a
//! mutex), and other Python threads run meanwhile. A report the callback has already
//! seen is not sent again; the last one is always sent. An exception raised by the
//! callback stops the reports and is raised once the computation has finished (it is
//! not cancelled).

use entrepot_core::{Progress, ProgressStep};
use pyo3::prelude::*;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the calling thread looks at the computation's progress.
pub const POLL: Duration = Duration::from_millis(100);

/// The latest report: stage, done, total.
type Report = (String, u64, Option<u64>);

/// Runs `work` with the GIL released, showing its progress as the user's `progress=`
/// asks (`None`, `True`, `False` or a callable, resolved by the package's
/// `entrepot._progress.callback`). Without a callback it runs on this thread with no
/// hook; with one, on a worker thread with a hook whose reports reach the callback as
/// `callback(stage, done, total)` on this thread. A bar the package opened is closed
/// at the end, whatever happens.
pub fn run<R, F>(py: Python<'_>, progress: Option<&Bound<'_, PyAny>>, work: F) -> PyResult<R>
where
    R: Send,
    F: FnOnce(Progress) -> R + Send,
{
    let module = py.import("entrepot._progress")?;
    let callback = module.call_method1("callback", (progress,))?;
    if callback.is_none() {
        return Ok(py.detach(|| work(Progress::none())));
    }
    let out = run_with(py, &callback, work);
    if callback.is_instance(&module.getattr("Bar")?)? {
        callback.call_method0("close")?;
    }
    out
}

/// [`run`] with a callback.
fn run_with<R, F>(py: Python<'_>, callback: &Bound<'_, PyAny>, work: F) -> PyResult<R>
where
    R: Send,
    F: FnOnce(Progress) -> R + Send,
{
    let latest: Arc<Mutex<Option<Report>>> = Arc::new(Mutex::new(None));
    let hook = {
        let latest = Arc::clone(&latest);
        Progress::new(move |step: ProgressStep<'_>| {
            if let Ok(mut slot) = latest.lock() {
                // Parallel draws report out of order: within a stage keep the largest.
                let keep = matches!(&*slot, Some((s, d, _)) if s == step.stage && *d > step.done);
                if !keep {
                    *slot = Some((step.stage.to_string(), step.done, step.total));
                }
            }
        })
    };
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let worker = scope.spawn(move || {
            let out = work(hook);
            let _ = done_tx.send(());
            out
        });
        let mut rx = done_rx;
        let mut shown: Option<Report> = None;
        let mut failed: Option<PyErr> = None;
        loop {
            let (back, waited) = py.detach(move || {
                let r = rx.recv_timeout(POLL);
                (rx, r)
            });
            rx = back;
            let finished = !matches!(waited, Err(RecvTimeoutError::Timeout));
            let now = latest.lock().ok().and_then(|s| s.clone());
            if failed.is_none() && now.is_some() && now != shown {
                if let Some((stage, done, total)) = &now {
                    if let Err(e) = callback.call1((stage.as_str(), *done, *total)) {
                        failed = Some(e);
                    }
                }
                shown = now;
            }
            if finished {
                break;
            }
        }
        let out = py
            .detach(move || worker.join())
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match failed {
            Some(e) => Err(e),
            None => Ok(out),
        }
    })
}
