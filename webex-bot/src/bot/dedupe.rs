//! Duplicate suppression: a redelivered event is handled once.

use std::collections::{HashSet, VecDeque};

/// Remembers the most recent event keys, to handle a redelivered event once.
#[derive(Debug)]
pub(crate) struct Dedup {
    seen: HashSet<String>,
    order: VecDeque<String>,
    capacity: usize,
}

impl Dedup {
    pub(crate) fn new(capacity: usize) -> Self {
        Dedup {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// True the first time `key` is seen.
    pub(crate) fn first(&mut self, key: String) -> bool {
        if self.seen.contains(&key) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.seen.insert(key.clone());
        self.order.push_back(key);
        true
    }

    pub(crate) fn forget(&mut self, key: &str) {
        if self.seen.remove(key) {
            self.order.retain(|k| k != key);
        }
    }
}
