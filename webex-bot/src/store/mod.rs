//! What replicas of one bot share, on Redis: which events were already taken (so that an
//! event is handled once whichever replica receives it). The in-memory default lives with
//! the runtime (`bot::dedupe`); this layer knows nothing of bots, only keys.

mod lease;
mod queue;
pub(crate) mod redis;
mod state;

pub(crate) use self::queue::{Entry, Mark, Taken};
pub(crate) use self::redis::{RedisStore, StoreError};
