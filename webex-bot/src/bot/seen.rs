//! Which events were already taken: in this process's memory ([`Dedup`], the default), or
//! on Redis, shared by every replica of the bot.

use std::sync::Mutex;

use super::dedupe::{self, Dedup};
use crate::store::{RedisStore, StoreError};

/// Where the taken events are remembered.
#[derive(Debug)]
pub(crate) enum Seen {
    /// This process only.
    Memory(Mutex<Dedup>),
    /// Every replica, for as long as [`dedupe::WINDOW`].
    Shared(RedisStore),
}

impl Seen {
    /// True the first time `key` is seen (by any replica, when shared). An error means
    /// it is not known: the event must not be acknowledged.
    pub(crate) fn first(&self, key: &str) -> Result<bool, StoreError> {
        match self {
            Seen::Memory(d) => Ok(d.lock().expect("dedup lock").first(key)),
            Seen::Shared(store) => store.first(key, dedupe::WINDOW),
        }
    }

    /// Forgets `key`: its event was not taken after all, and its next delivery must be
    /// handled. Should Redis fail here, the key expires after the window; until then the
    /// redelivery looks like a duplicate, which is logged.
    pub(crate) fn forget(&self, key: &str) {
        match self {
            Seen::Memory(d) => d.lock().expect("dedup lock").forget(key),
            Seen::Shared(store) => {
                if let Err(e) = store.forget(key) {
                    log::warn!(
                        "{e}: could not forget {key}; a redelivery within the next {} minutes will be taken for a duplicate",
                        dedupe::WINDOW.as_secs() / 60
                    );
                }
            }
        }
    }
}
