//! Handlers that ask a question and wait for the answer: the next message from the same
//! person in the same room goes to the waiting handler instead of the command table.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crossbeam_channel::{Sender, bounded};

use crate::models::Message;
use crate::store::RedisStore;

/// How much longer than its handler's wait a conversation stays registered in Redis (the
/// handler withdraws it when it gives up).
const REGISTERED_MARGIN: Duration = Duration::from_secs(5);

/// The handlers waiting for an answer, by (room, person).
#[derive(Debug, Default)]
pub(crate) struct Conversations {
    waiters: Mutex<HashMap<(String, String), Sender<Message>>>,
    waiting: AtomicU64,
    /// With replicas: the store where waiting conversations are registered, and this
    /// replica's name, so that an answer reaching another replica is handed here.
    shared: OnceLock<(Arc<RedisStore>, String)>,
}

impl Conversations {
    /// Registers conversations in `store` from now on, as the replica `name`.
    pub(crate) fn share(&self, store: Arc<RedisStore>, name: String) {
        let _ = self.shared.set((store, name));
    }

    /// How many handlers wait for an answer now.
    pub(crate) fn waiting(&self) -> u64 {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Hands `slim` to the handler waiting for this room and person, if any. The waiting
    /// count drops before the caller counts the event processed, so that "nothing in
    /// flight" is never seen while the handler resumes.
    pub(crate) fn deliver(&self, slim: &Message) -> bool {
        let (Some(room), Some(person)) = (&slim.room_id, &slim.person_id) else {
            return false;
        };
        let waiter = self
            .waiters
            .lock()
            .expect("waiters")
            .remove(&(room.clone(), person.clone()));
        match waiter {
            Some(tx) => {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                // The receiver is alive: it removes its entry before giving up.
                tx.send(slim.clone()).is_ok()
            }
            None => false,
        }
    }

    /// Waits for the next message of `person` in `room`, at most `timeout`.
    pub(crate) fn wait(&self, room: &str, person: &str, timeout: Duration) -> Option<Message> {
        let (tx, rx) = bounded(1);
        let key = (room.to_owned(), person.to_owned());
        {
            let mut w = self.waiters.lock().expect("waiters");
            if w.insert(key.clone(), tx).is_none() {
                self.waiting.fetch_add(1, Ordering::SeqCst);
            }
        }
        if let Some((store, name)) = self.shared.get()
            && let Err(e) =
                store.register_conversation(room, person, name, timeout + REGISTERED_MARGIN)
        {
            log::warn!(
                "{e}: a conversation could not be registered; only an answer reaching this replica will find it"
            );
        }
        if let Ok(m) = rx.recv_timeout(timeout) {
            return Some(m);
        }
        if let Some((store, name)) = self.shared.get()
            && let Err(e) = store.unregister_conversation(room, person, name)
        {
            log::warn!(
                "{e}: a conversation that ended could not be withdrawn; it expires by itself"
            );
        }
        let removed = self.waiters.lock().expect("waiters").remove(&key).is_some();
        if removed {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            None
        } else {
            // The answer was handed over just as the time ran out.
            rx.try_recv().ok()
        }
    }
}
