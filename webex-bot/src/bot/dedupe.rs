//! Duplicate suppression: a redelivered event is handled once.
//!
//! Webex redelivers an event it thinks was not received, minutes later at most; a busy bot
//! sees thousands of events in those minutes. So an event is remembered for a time
//! ([`WINDOW`], ten minutes) and, whatever its age, among the last [`MIN_COUNT`]; memory is
//! bounded by [`MAX_COUNT`] keys (about 20 MB at worst, reached only past 200 events a
//! second for ten minutes), past which the oldest go first and the shortened window is
//! logged.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long an event is remembered at least.
pub(crate) const WINDOW: Duration = Duration::from_secs(600);
/// How many of the most recent events are remembered whatever their age.
pub(crate) const MIN_COUNT: usize = 16_384;
/// The most events remembered: the memory bound.
pub(crate) const MAX_COUNT: usize = 131_072;

/// Remembers recent event keys, to handle a redelivered event once.
#[derive(Debug)]
pub(crate) struct Dedup {
    /// Each key remembered, with the number of its entry in `order`.
    seen: HashMap<Arc<str>, u64>,
    /// Keys in the order they were first seen, with when; an entry whose number no longer
    /// matches `seen` was forgotten and is skipped.
    order: VecDeque<(u64, Instant, Arc<str>)>,
    next: u64,
    window: Duration,
    min_count: usize,
    max_count: usize,
    /// When the memory bound last cut the window short (logged once a minute at most).
    warned: Option<Instant>,
}

impl Dedup {
    pub(crate) fn new(window: Duration, min_count: usize, max_count: usize) -> Self {
        Dedup {
            seen: HashMap::new(),
            order: VecDeque::new(),
            next: 0,
            window,
            min_count,
            max_count: max_count.max(min_count).max(1),
            warned: None,
        }
    }

    /// True the first time `key` is seen.
    pub(crate) fn first(&mut self, key: &str) -> bool {
        self.first_at(key, Instant::now())
    }

    pub(crate) fn first_at(&mut self, key: &str, now: Instant) -> bool {
        self.expire(now);
        if self.seen.contains_key(key) {
            return false;
        }
        if self.seen.len() >= self.max_count {
            self.evict_oldest(now);
        }
        let key: Arc<str> = Arc::from(key);
        self.next += 1;
        self.seen.insert(key.clone(), self.next);
        self.order.push_back((self.next, now, key));
        true
    }

    /// Forgets `key`, so that its next delivery is handled (the last one was refused).
    ///
    /// Its entry in `order` goes too: at once when it is the newest (the usual case, a
    /// delivery shed right after it was seen), else when forgotten entries outnumber the
    /// remembered ones. Left behind the live entries, they would pile up for as long as the
    /// window: a storm of shed deliveries grew the bot's memory by 2.4 MB a second.
    pub(crate) fn forget(&mut self, key: &str) {
        let Some(n) = self.seen.remove(key) else {
            return;
        };
        if self.order.back().is_some_and(|(last, _, _)| *last == n) {
            self.order.pop_back();
        }
        if self.order.len() > 2 * self.seen.len() + 1024 {
            let seen = &self.seen;
            self.order.retain(|(n, _, k)| seen.get(k) == Some(n));
        }
    }

    /// How many entries `order` holds, forgotten ones included.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> usize {
        self.order.len()
    }

    /// How many keys are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    /// Drops what is both older than the window and beyond the last `min_count`.
    fn expire(&mut self, now: Instant) {
        while let Some((_, at, _)) = self.order.front() {
            let old = now.saturating_duration_since(*at) > self.window;
            let expired = old && self.seen.len() > self.min_count;
            if !expired && !self.stale_front() {
                break;
            }
            self.pop_front();
        }
    }

    /// Whether the oldest entry of `order` was forgotten already.
    fn stale_front(&self) -> bool {
        self.order
            .front()
            .is_some_and(|(n, _, k)| self.seen.get(k) != Some(n))
    }

    fn pop_front(&mut self) -> Option<Instant> {
        let (n, at, key) = self.order.pop_front()?;
        if self.seen.get(&key) == Some(&n) {
            self.seen.remove(&key);
        }
        Some(at)
    }

    fn evict_oldest(&mut self, now: Instant) {
        while self.seen.len() >= self.max_count {
            let stale = self.stale_front();
            let Some(at) = self.pop_front() else { break };
            if stale {
                continue;
            }
            let kept = now.saturating_duration_since(at);
            if self
                .warned
                .is_none_or(|w| now.saturating_duration_since(w) >= Duration::from_secs(60))
            {
                self.warned = Some(now);
                log::warn!(
                    "duplicate suppression is at its bound of {} events: it remembers the last {:.0} s instead of {} s",
                    self.max_count,
                    kept.as_secs_f64(),
                    self.window.as_secs()
                );
            }
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgotten_keys_do_not_pile_up() {
        let mut d = Dedup::new(WINDOW, 100, 1_000_000);
        let t0 = Instant::now();
        // Some remembered, then a storm of keys seen and forgotten (shed), some out of
        // order (another delivery seen in between).
        for i in 0..50 {
            assert!(d.first_at(&format!("kept-{i}"), t0));
        }
        for i in 0..200_000 {
            assert!(d.first_at(&format!("shed-{i}"), t0));
            if i % 3 == 0 {
                assert!(d.first_at(&format!("kept-x{i}"), t0));
            }
            d.forget(&format!("shed-{i}"));
        }
        assert_eq!(d.len(), 50 + 66_667);
        assert!(d.entries() <= 2 * d.len() + 1024, "{} entries", d.entries());
        // What was remembered still is; what was forgotten is seen again as new.
        assert!(!d.first_at("kept-7", t0));
        assert!(d.first_at("shed-7", t0));
    }

    #[test]
    fn a_recent_event_is_remembered_past_the_count() {
        let mut d = Dedup::new(WINDOW, 100, 10_000);
        let t0 = Instant::now();
        assert!(d.first_at("first", t0));
        for i in 0..5_000 {
            assert!(d.first_at(&format!("e{i}"), t0 + Duration::from_millis(i)));
        }
        // 5,000 later events within seconds: still a duplicate.
        assert!(!d.first_at("first", t0 + Duration::from_secs(30)));
    }

    #[test]
    fn an_old_event_is_forgotten_once_enough_newer_ones_came() {
        let mut d = Dedup::new(Duration::from_secs(600), 3, 100);
        let t0 = Instant::now();
        d.first_at("old", t0);
        let later = t0 + Duration::from_secs(700);
        // Past the window, but among the last three: still remembered.
        d.first_at("a", later);
        d.first_at("b", later);
        assert!(!d.first_at("old", later));
        d.first_at("c", later);
        d.first_at("d", later);
        assert!(
            d.first_at("old", later),
            "old and beyond the last three: forgotten"
        );
        assert!(!d.first_at("a", later), "a is recent: remembered");
    }

    #[test]
    fn memory_is_bounded_oldest_first() {
        let mut d = Dedup::new(WINDOW, 10, 50);
        let t0 = Instant::now();
        for i in 0..200 {
            d.first_at(&format!("e{i}"), t0);
        }
        assert_eq!(d.len(), 50);
        assert!(d.first_at("e0", t0), "the oldest went first");
        assert!(!d.first_at("e199", t0));
    }

    #[test]
    fn a_forgotten_event_counts_again_and_stale_entries_do_no_harm() {
        let mut d = Dedup::new(Duration::from_secs(1), 1, 100);
        let t0 = Instant::now();
        assert!(d.first_at("k", t0));
        d.forget("k");
        let t1 = t0 + Duration::from_secs(5);
        assert!(d.first_at("k", t1));
        // The first entry of "k" expires; the second must stay.
        d.first_at("x", t1);
        d.first_at("y", t1);
        assert!(!d.first_at("k", t1));
    }
}
