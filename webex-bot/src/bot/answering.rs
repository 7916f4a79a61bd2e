//! Marks of events being answered, for replicas: the worker handling a shared event sets
//! it as this thread's current one; the first reply to it notes in Redis where it goes
//! and how it starts, so that a replica claiming the event after a crash can look for that
//! reply before answering again. Below the reply path and the replicas' runtime alike.

use std::sync::Arc;
use std::time::Duration;

use super::dedupe;
use crate::store::RedisStore;

thread_local! {
    /// The shared entry this worker thread handles now, and whether its answering was
    /// marked yet ([`before_answering`]).
    static ANSWERING: std::cell::RefCell<Option<(Arc<RedisStore>, String, bool)>> =
        const { std::cell::RefCell::new(None) };
}

/// What a replica notes before an event's first reply goes: where, and its start, so
/// that the replica claiming the event after a crash can tell whether it went.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct AnswerMark {
    pub room: String,
    /// `text` or `markdown`: which field of the reply holds `start`.
    pub kind: String,
    /// The reply's first characters.
    pub start: String,
    /// Whether `start` is only the beginning of the reply.
    pub cut: bool,
    /// A little before the reply was sent (ISO 8601, as Webex's `created`).
    pub since: String,
}

/// Characters of a reply's start kept in its mark.
const MARK_CHARS: usize = 256;

/// Called before a reply to the event being handled goes to Webex: with replicas, the
/// first time for an event, notes in Redis what is about to be sent. Should this replica
/// die after that, the replica that claims the event looks for that reply in the room and
/// answers again only if it is not there (Webex has no idempotency keys).
pub(crate) fn before_answering(room: Option<&str>, kind: &str, body: &str) {
    ANSWERING.with(|a| {
        if let Some((store, id, marked)) = &mut *a.borrow_mut()
            && !*marked
        {
            *marked = true;
            let since = std::time::SystemTime::now() - Duration::from_secs(5);
            let mark = AnswerMark {
                room: room.unwrap_or_default().to_owned(),
                kind: kind.to_owned(),
                start: body.chars().take(MARK_CHARS).collect(),
                cut: body.chars().nth(MARK_CHARS).is_some(),
                since: crate::util::iso8601(since),
            };
            let json = serde_json::to_string(&mark).expect("a mark serializes");
            if let Err(e) = store.mark_answering(id, &json, dedupe::WINDOW) {
                log::warn!("{e}: event {id} is answered without its mark");
            }
        }
    });
}

/// This thread handles the shared entry `id` from now on.
pub(crate) fn begin(store: Arc<RedisStore>, id: String) {
    ANSWERING.with(|a| *a.borrow_mut() = Some((store, id, false)));
}

/// This thread's entry is handled.
pub(crate) fn end() {
    ANSWERING.with(|a| *a.borrow_mut() = None);
}
