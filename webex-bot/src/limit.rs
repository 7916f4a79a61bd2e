//! Logging what repeats without a line each time: the first occurrence is logged, the
//! next ones within the interval are counted, and the count goes with the next line.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a repeated warning is logged at most.
pub(crate) const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// One kind of repeated event, such as a forged delivery.
#[derive(Debug)]
pub(crate) struct Summary {
    interval: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl Summary {
    pub(crate) fn new(interval: Duration) -> Self {
        Summary {
            interval,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(n)` when this occurrence is to be logged, `n` those not logged since the last
    /// line; `None` when it is only counted.
    pub(crate) fn occur(&self, now: Instant) -> Option<u64> {
        let mut s = self.state.lock().expect("summary");
        match s.0 {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                s.1 += 1;
                None
            }
            _ => {
                s.0 = Some(now);
                Some(std::mem::take(&mut s.1))
            }
        }
    }

    /// The occurrences counted but not logged yet (at shutdown).
    pub(crate) fn take_unlogged(&self) -> u64 {
        std::mem::take(&mut self.state.lock().expect("summary").1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_is_logged_the_rest_counted_until_the_interval_passes() {
        let s = Summary::new(Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(s.occur(t0), Some(0));
        for i in 1..=99 {
            assert_eq!(s.occur(t0 + Duration::from_millis(i * 10)), None);
        }
        assert_eq!(s.occur(t0 + Duration::from_secs(11)), Some(99));
        assert_eq!(s.occur(t0 + Duration::from_secs(12)), None);
        assert_eq!(s.take_unlogged(), 1);
        assert_eq!(s.take_unlogged(), 0);
    }
}
