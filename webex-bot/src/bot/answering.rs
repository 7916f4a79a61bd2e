//! Marks of events being answered, for replicas: the worker handling a shared event sets
//! it as this thread's current one; the first reply to it notes in Redis where it goes
//! and how it starts, so that a replica claiming the event after a crash can look for that
//! reply before answering again. Below the reply path and the replicas' runtime alike.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::Receiver;

use super::dedupe;
use crate::store::{Mark, RedisStore};

/// The shared entry a worker thread handles.
struct Current {
    store: Arc<RedisStore>,
    id: String,
    /// This replica's name in the consumer group.
    consumer: String,
    /// Disconnected when the replica stops (ends the waits for Redis).
    stopped: Receiver<()>,
    /// Whether its answering was marked yet (or found not to be this replica's).
    decided: Option<bool>,
}

thread_local! {
    /// The shared entry this worker thread handles now ([`before_answering`]).
    static ANSWERING: std::cell::RefCell<Option<Current>> =
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

/// The first pause after Redis failed, doubled up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// The pauses between attempts while Redis fails: [`FIRST_PAUSE`], doubled at each
/// failure in a row up to [`MAX_PAUSE`], back to the first after a success. Shared by the
/// answer mark here and the replicas' workers, inbox and acknowledgements.
pub(crate) struct Pauses(Duration);

impl Default for Pauses {
    fn default() -> Self {
        Pauses(FIRST_PAUSE)
    }
}

impl Pauses {
    /// The pause to wait now; the next one is twice as long (up to the most).
    pub(crate) fn next(&mut self) -> Duration {
        let now = self.0;
        self.0 = (self.0 * 2).min(MAX_PAUSE);
        now
    }

    /// After a success: the next pause is the first again.
    pub(crate) fn reset(&mut self) {
        self.0 = FIRST_PAUSE;
    }
}

/// Called before a reply to the event being handled goes to Webex; whether it may go.
///
/// With replicas, the first time for an event, notes in Redis what is about to be sent,
/// so that the replica claiming the event should this one die looks for that reply in the
/// room and answers again only if it is not there (Webex has no idempotency keys). No
/// reply goes without that mark: while Redis cannot be reached, this waits for it (until
/// the replica stops; the event stays pending in Redis for whoever claims it). And a
/// reply does not go if the event is no longer this replica's (claimed by another while
/// Redis was away), which answers it itself.
pub(crate) fn before_answering(room: Option<&str>, kind: &str, body: &str) -> bool {
    ANSWERING.with(|a| {
        let mut current = a.borrow_mut();
        let Some(c) = current.as_mut() else {
            return true;
        };
        if let Some(go) = c.decided {
            return go;
        }
        let since = std::time::SystemTime::now() - Duration::from_secs(5);
        let mark = AnswerMark {
            room: room.unwrap_or_default().to_owned(),
            kind: kind.to_owned(),
            start: body.chars().take(MARK_CHARS).collect(),
            cut: body.chars().nth(MARK_CHARS).is_some(),
            since: crate::util::iso8601(since),
        };
        let json = serde_json::to_string(&mark).expect("a mark serializes");
        let mut pauses = Pauses::default();
        let go = loop {
            match c
                .store
                .mark_if_mine(&c.consumer, &c.id, &json, dedupe::WINDOW)
            {
                Ok(Mark::Marked) => break true,
                Ok(Mark::NotMine) => {
                    log::warn!(
                        "event {}: another replica claimed it while Redis could not be reached; it answers, this one does not",
                        c.id
                    );
                    break false;
                }
                Ok(Mark::NoGroup) => {
                    log::warn!(
                        "event {}: Redis lost the shared queue (restarted without its data); answered without a mark",
                        c.id
                    );
                    break true;
                }
                Err(e) => {
                    let pause = pauses.next();
                    log::warn!(
                        "{e}: event {} waits for Redis before it is answered (retrying in {pause:?})",
                        c.id
                    );
                    if !matches!(
                        c.stopped.recv_timeout(pause),
                        Err(crossbeam_channel::RecvTimeoutError::Timeout)
                    ) {
                        log::warn!(
                            "event {}: stopping before Redis came back; left pending for another replica",
                            c.id
                        );
                        break false;
                    }
                }
            }
        };
        c.decided = Some(go);
        go
    })
}

/// This thread handles the shared entry `id` from now on, as `consumer`.
pub(crate) fn begin(store: Arc<RedisStore>, id: String, consumer: String, stopped: Receiver<()>) {
    ANSWERING.with(|a| {
        *a.borrow_mut() = Some(Current {
            store,
            id,
            consumer,
            stopped,
            decided: None,
        })
    });
}

/// This thread's entry is handled; whether it was answered here (`false`: another
/// replica has it, or the replica stopped first).
pub(crate) fn end() -> bool {
    ANSWERING.with(|a| {
        a.borrow_mut()
            .take()
            .is_none_or(|c| c.decided != Some(false))
    })
}
