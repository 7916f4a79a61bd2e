//! Periodic jobs ([`BotBuilder::every`](crate::BotBuilder::every)): each on a thread of
//! its own, run every period. With replicas, a job runs on one replica at a time: the one
//! holding its lease, renewed at each run; a replica that stops gives it up, and one that
//! dies lets it expire, and another replica takes it at its next tick.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select};

use super::notifier::Notifier;
use super::replicas::Replicas;

/// What a job does.
pub(crate) type JobFn = Arc<dyn Fn(&Notifier) + Send + Sync>;

/// A job as the builder was given it.
pub(crate) struct JobSpec {
    pub name: String,
    pub period: Duration,
    pub run: JobFn,
}

/// The running jobs.
#[derive(Default)]
pub(crate) struct Jobs {
    /// Dropped to stop every job thread.
    stop: Mutex<Option<Sender<()>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Jobs {
    /// Starts a thread for each job.
    pub(crate) fn start(
        specs: Vec<JobSpec>,
        notifier: &Notifier,
        shared: Option<&Arc<Replicas>>,
    ) -> Jobs {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
        let mut threads = Vec::new();
        for spec in specs {
            let (notifier, stopped, shared) = (notifier.clone(), stopped.clone(), shared.cloned());
            let name = spec.name.clone();
            match std::thread::Builder::new()
                .name(format!("webex-bot-job-{name}"))
                .spawn(move || run(&spec, &notifier, &stopped, shared.as_deref()))
            {
                Ok(t) => threads.push(t),
                Err(e) => log::error!("no thread for the job {name:?}: {e}"),
            }
        }
        Jobs {
            stop: Mutex::new(Some(stop)),
            threads: Mutex::new(threads),
        }
    }

    /// Stops every job, waiting for a run in progress until `deadline`.
    pub(crate) fn stop(&self, deadline: Instant) {
        self.stop.lock().expect("jobs").take();
        let threads = std::mem::take(&mut *self.threads.lock().expect("jobs"));
        let left = crate::util::join_until(threads, deadline);
        if left > 0 {
            log::warn!("shutdown: {left} periodic jobs still running; leaving them");
        }
    }
}

/// How long a job's lease lasts: two periods, so that a live holder renews it in time
/// and a dead one loses it within two periods.
fn lease_ttl(period: Duration) -> Duration {
    (period * 2).max(Duration::from_millis(200))
}

fn run(spec: &JobSpec, notifier: &Notifier, stopped: &Receiver<()>, shared: Option<&Replicas>) {
    let ticks = crossbeam_channel::tick(spec.period);
    let lease = format!("job:{}", spec.name);
    let mut held = false;
    loop {
        select! {
            recv(stopped) -> _ => break,
            recv(ticks) -> _ => {}
        }
        if let Some(r) = shared {
            match r.store.acquire(&lease, &r.name, lease_ttl(spec.period)) {
                Ok(true) => {
                    if !held {
                        log::info!(
                            "replica {} runs the job {:?} from now on",
                            r.name,
                            spec.name
                        );
                    }
                    held = true;
                }
                Ok(false) => {
                    held = false;
                    continue;
                }
                Err(e) => {
                    // Not knowing who holds it, this replica does not run it.
                    log::warn!("{e}: the job {:?} is skipped this time", spec.name);
                    held = false;
                    continue;
                }
            }
        }
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (spec.run)(notifier))) {
            log::error!(
                "the job {:?} panicked: {}",
                spec.name,
                crate::util::panic_message(&*panic)
            );
        }
    }
    if let (Some(r), true) = (shared, held)
        && let Err(e) = r.store.release(&lease, &r.name)
    {
        log::warn!("{e}: the job {:?}'s lease expires by itself", spec.name);
    }
}
