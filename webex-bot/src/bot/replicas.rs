//! The runtime of a bot whose replicas share Redis: events go through the shared stream
//! (see `store::queue`) instead of this process's queue, read by worker threads that
//! block on the stream; a heartbeat keeps this replica's events from being claimed while
//! it works on them, and claims those another replica left; an inbox thread hands this
//! replica's conversations the answers that reached other replicas.

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::answering::{self, AnswerMark, Pauses};
use super::dedupe;
use super::engine::Engine;
use super::events::process;
use super::stats::Counters;
use crate::store::{Entry, RedisStore, StoreError, Taken};
use crate::webhook::Notification;

/// How long a blocking read waits before it looks at shutdown again.
const BLOCK: Duration = Duration::from_secs(1);
/// Entries claimed at once from a replica that died.
const CLAIM_BATCH: usize = 8;

/// Whether the reply a mark describes is in its room (the bot's own message, sent since
/// the mark, starting the same). Unknown (the room cannot be listed) counts as not.
fn reply_went(engine: &Engine, mark: &str) -> bool {
    let Ok(mark) = serde_json::from_str::<AnswerMark>(mark) else {
        return false;
    };
    if mark.room.is_empty() {
        return false;
    }
    let filter = crate::client::ListMessages::in_room(&mark.room).max(50u32);
    engine
        .client
        .messages()
        .list(&filter)
        // Newest first, page after page, back to a little before the reply was sent.
        .take(1000)
        .map_while(Result::ok)
        .take_while(|m| {
            m.created
                .as_deref()
                .is_none_or(|c| c >= mark.since.as_str())
        })
        .any(|m| {
            let body = if mark.kind == "markdown" {
                m.markdown.as_deref()
            } else {
                m.text.as_deref()
            };
            m.person_id
                .as_deref()
                .is_some_and(|p| engine.identity.is(p))
                && body.is_some_and(|b| {
                    if mark.cut {
                        b.starts_with(&mark.start)
                    } else {
                        b == mark.start
                    }
                })
        })
}

/// How a replica shares its work.
#[derive(Debug, Clone)]
pub(crate) struct ReplicaSettings {
    /// An entry pending longer than this with no heartbeat is claimed by another replica.
    pub claim_timeout: Duration,
    /// The most events the stream holds unhandled before deliveries are refused.
    pub backlog: usize,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        ReplicaSettings {
            claim_timeout: Duration::from_secs(30),
            backlog: 100_000,
        }
    }
}

/// The pauses after Redis failed ([`Pauses`]), each logged and ended early by shutdown.
#[derive(Default)]
struct Backoff(Pauses);

impl Backoff {
    /// Logs the failure (rate-limited), waits the pause unless shutdown comes first, and
    /// doubles it; whether to go on.
    fn failed(&mut self, replicas: &Replicas, doing: &str, e: &StoreError) -> bool {
        replicas.failed(doing, e);
        replicas.pause(self.0.next())
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// This replica's part in the shared work.
pub(crate) struct Replicas {
    pub store: Arc<RedisStore>,
    /// Its name in the consumer group, and for its conversations' inbox.
    pub name: String,
    settings: ReplicaSettings,
    /// The entries its workers handle now (for the heartbeat).
    in_flight: Mutex<HashSet<String>>,
    stopping: AtomicBool,
    /// Dropped to wake every thread at shutdown.
    stop: Mutex<Option<Sender<()>>>,
    stopped: Receiver<()>,
    /// Milliseconds since `epoch` when idle entries are next claimed.
    next_claim: AtomicU64,
    epoch: Instant,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// The server's ids of the connections blocked in reads, by thread, to wake them at
    /// shutdown instead of waiting out their block.
    blocking: Mutex<HashMap<usize, i64>>,
    /// Failures logged once in a while, not one line each.
    failures: crate::limit::Summary,
}

impl Replicas {
    /// Joins the consumer group and starts `workers` worker threads, the heartbeat and
    /// the inbox.
    pub(crate) fn start(
        engine: Arc<Engine>,
        store: RedisStore,
        workers: usize,
        settings: ReplicaSettings,
    ) -> Result<Arc<Replicas>, StoreError> {
        store.ensure_group()?;
        let (stop, stopped) = crossbeam_channel::bounded(0);
        let name = format!("{}-{}", std::process::id(), crate::util::random_hex(4));
        let replicas = Arc::new(Replicas {
            store: Arc::new(store),
            name,
            settings,
            in_flight: Mutex::new(HashSet::new()),
            stopping: AtomicBool::new(false),
            stop: Mutex::new(Some(stop)),
            stopped,
            next_claim: AtomicU64::new(0),
            epoch: Instant::now(),
            threads: Mutex::new(Vec::new()),
            blocking: Mutex::new(HashMap::new()),
            failures: crate::limit::Summary::new(Duration::from_secs(10)),
        });
        engine
            .conversations
            .share(replicas.store.clone(), replicas.name.clone());
        let mut threads = Vec::new();
        for i in 0..workers.max(1) {
            let (r, e) = (replicas.clone(), engine.clone());
            threads.push(spawn(&format!("webex-bot-worker-{i}"), move || {
                r.work(i, &e)
            })?);
        }
        let r = replicas.clone();
        threads.push(spawn("webex-bot-heartbeat", move || r.heartbeat())?);
        let (r, e) = (replicas.clone(), engine);
        threads.push(spawn("webex-bot-inbox", move || r.inbox(usize::MAX, &e))?);
        *replicas.threads.lock().expect("threads") = threads;
        Ok(replicas)
    }

    /// Takes an event for every replica: once only, in Redis before it is acknowledged.
    pub(crate) fn take(
        &self,
        key: &str,
        event: &Notification,
        conversation: Option<(&str, &str)>,
    ) -> Result<Taken, StoreError> {
        let payload = serde_json::to_vec(event).expect("a notification serializes");
        self.store.take(
            key,
            dedupe::WINDOW,
            &payload,
            conversation,
            self.settings.backlog,
        )
    }

    /// Stops reading, lets the workers finish what they hold until `deadline`. What they
    /// did not finish stays pending in Redis, for another replica to claim.
    pub(crate) fn stop(&self, deadline: Instant) {
        self.stopping.store(true, Ordering::SeqCst);
        self.stop.lock().expect("stop").take();
        let blocked: Vec<i64> = self
            .blocking
            .lock()
            .expect("blocking")
            .values()
            .copied()
            .collect();
        for id in blocked {
            // A failure leaves that read to end by itself, within its block.
            let _ = self.store.unblock(id);
        }
        let threads = std::mem::take(&mut *self.threads.lock().expect("threads"));
        if crate::util::join_until(threads, deadline) > 0 {
            let held = self.in_flight.lock().expect("in flight").len();
            log::warn!(
                "shutdown: {held} events still being handled; left pending in Redis for another replica"
            );
        }
    }

    /// Waits `pause` unless shutdown comes first; whether to go on.
    fn pause(&self, pause: Duration) -> bool {
        match self.stopped.recv_timeout(pause) {
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => !self.stopping(),
            _ => false,
        }
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    fn failed(&self, doing: &str, e: &StoreError) {
        if let Some(more) = self.failures.occur(Instant::now()) {
            log::warn!("{doing}: {e} (retrying; {more} more such failures not logged)");
        }
    }

    /// Whether this worker should claim idle entries now (one worker at a time, every
    /// third of the claim timeout).
    fn claim_due(&self) -> bool {
        let now = self.epoch.elapsed().as_millis() as u64;
        let next = self.next_claim.load(Ordering::SeqCst);
        let every = (self.settings.claim_timeout.as_millis() as u64 / 3).max(50);
        now >= next
            && self
                .next_claim
                .compare_exchange(next, now + every, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
    }

    /// A connection for the blocking reads of thread `slot`, its id noted for shutdown.
    fn blocking_connection(&self, slot: usize) -> Result<::redis::Connection, StoreError> {
        let mut c = self.store.connection(BLOCK)?;
        let id = self.store.client_id(&mut c)?;
        self.blocking.lock().expect("blocking").insert(slot, id);
        Ok(c)
    }

    /// A worker: reads the shared stream, handles each entry, acknowledges it.
    fn work(&self, slot: usize, engine: &Engine) {
        let mut conn = None;
        let mut backoff = Backoff::default();
        while !self.stopping() {
            let c = match conn.as_mut() {
                Some(c) => c,
                None => match self.blocking_connection(slot) {
                    Ok(c) => conn.insert(c),
                    Err(e) => {
                        if !backoff.failed(self, "a worker could not reach Redis", &e) {
                            break;
                        }
                        continue;
                    }
                },
            };
            let claiming = self.claim_due();
            let got = if claiming {
                self.store
                    .claim_idle(c, &self.name, self.settings.claim_timeout, CLAIM_BATCH)
                    .inspect(|claimed| {
                        if !claimed.is_empty() {
                            log::warn!(
                                "claimed {} events another replica took and did not finish within {:?} (it stopped or died): handling them here",
                                claimed.len(),
                                self.settings.claim_timeout
                            );
                        }
                    })
            } else {
                self.store
                    .read(c, &self.name, BLOCK)
                    .map(|e| e.into_iter().collect())
            };
            match got {
                Ok(entries) => {
                    backoff.reset();
                    for entry in entries {
                        self.handle(engine, &mut conn, entry, claiming);
                    }
                }
                Err(e) if e.0.contains("NOGROUP") => {
                    // Redis lost the group (restarted empty): made again, and entries
                    // added meanwhile are read from the start.
                    match self.store.ensure_group() {
                        Ok(()) => log::warn!("{e}: the consumer group was made again"),
                        Err(e) => {
                            if !backoff.failed(self, "making the consumer group again", &e) {
                                break;
                            }
                        }
                    }
                }
                Err(e) => {
                    conn = None;
                    if !backoff.failed(self, "a worker's read from Redis failed", &e) {
                        break;
                    }
                }
            }
        }
    }

    fn handle(
        &self,
        engine: &Engine,
        conn: &mut Option<::redis::Connection>,
        entry: Entry,
        claimed: bool,
    ) {
        let fresh = self
            .in_flight
            .lock()
            .expect("in flight")
            .insert(entry.id.clone());
        if !fresh {
            // Claimed back from this replica itself (its heartbeat could not reach Redis
            // for a while): another of its workers has it in hand.
            return;
        }
        // Claimed from a replica that died while answering it: answered again only if
        // that answer is not in the room.
        let mark = if claimed {
            // Not known is not "none": answering without looking could answer twice.
            let mut backoff = Backoff::default();
            loop {
                match self.store.answering_mark(&entry.id) {
                    Ok(mark) => break mark,
                    Err(e) => {
                        if !backoff.failed(self, "reading a claimed event's mark", &e) {
                            // Stopping: left pending, for whoever claims it next.
                            self.in_flight.lock().expect("in flight").remove(&entry.id);
                            return;
                        }
                    }
                }
            }
        } else {
            None
        };
        let answered = mark.as_deref().is_some_and(|m| reply_went(engine, m));
        if let Some(m) = &mark {
            log::warn!(
                "event {}: the replica that died was answering it; its reply {}",
                entry.id,
                if answered {
                    "went: not answered again"
                } else {
                    "is not in the room: answered again"
                }
            );
            let _ = m;
        }
        match serde_json::from_slice::<Notification>(&entry.payload) {
            Ok(_) if answered => {}
            Ok(event) => {
                answering::begin(
                    self.store.clone(),
                    entry.id.clone(),
                    self.name.clone(),
                    self.stopped.clone(),
                );
                let outcome = catch_unwind(AssertUnwindSafe(|| process(engine, event)));
                if !answering::end() {
                    // Another replica has it now (it acknowledges it), or this one is
                    // stopping and leaves it pending.
                    self.in_flight.lock().expect("in flight").remove(&entry.id);
                    return;
                }
                if let Err(panic) = outcome {
                    Counters::bump(&engine.counters.panics);
                    log::error!(
                        "event {} panicked outside a handler: {}",
                        entry.id,
                        crate::util::panic_message(&*panic)
                    );
                }
                Counters::bump(&engine.counters.processed);
            }
            Err(e) => log::error!(
                "entry {} in the shared stream is not an event ({e}): dropped",
                entry.id
            ),
        }
        // Acknowledged on this worker's connection, or on a new one if that broke, for as
        // long as Redis is away (until shutdown): an entry left unacknowledged is claimed
        // by another replica, which then finds its mark and looks for the reply first.
        let mut backoff = Backoff::default();
        loop {
            let attempt = match conn.as_mut() {
                Some(c) => self.store.ack(c, &entry.id),
                None => self
                    .store
                    .connection(BLOCK)
                    .and_then(|c| self.store.ack(conn.insert(c), &entry.id)),
            };
            let Err(e) = attempt else { break };
            *conn = None;
            if !backoff.failed(self, "acknowledging an event", &e) {
                log::warn!(
                    "event {} was handled but could not be acknowledged before shutdown: the replica that claims it checks for its reply",
                    entry.id
                );
                break;
            }
        }
        self.in_flight.lock().expect("in flight").remove(&entry.id);
    }

    /// Keeps this replica's entries its own while they are handled.
    fn heartbeat(&self) {
        let every = (self.settings.claim_timeout / 3).max(Duration::from_millis(50));
        while self.pause(every) {
            let ids: Vec<String> = self
                .in_flight
                .lock()
                .expect("in flight")
                .iter()
                .cloned()
                .collect();
            if let Err(e) = self.store.touch(&self.name, &ids) {
                self.failed("the heartbeat of events being handled", &e);
            }
        }
    }

    /// Hands this replica's conversations the answers other replicas took for them.
    fn inbox(&self, slot: usize, engine: &Engine) {
        let mut conn = None;
        let mut backoff = Backoff::default();
        while !self.stopping() {
            let c = match conn.as_mut() {
                Some(c) => c,
                None => match self.blocking_connection(slot) {
                    Ok(c) => conn.insert(c),
                    Err(e) => {
                        if !backoff.failed(
                            self,
                            "the conversations' inbox could not reach Redis",
                            &e,
                        ) {
                            break;
                        }
                        continue;
                    }
                },
            };
            match self.store.next_answer(c, &self.name, BLOCK) {
                Ok(Some(payload)) => {
                    backoff.reset();
                    self.answer(engine, &payload);
                }
                Ok(None) => backoff.reset(),
                Err(e) => {
                    conn = None;
                    if !backoff.failed(self, "the conversations' inbox", &e) {
                        break;
                    }
                }
            }
        }
    }

    /// An answer for one of this replica's conversations; if that conversation has given
    /// up meanwhile, the message is handled as any other.
    fn answer(&self, engine: &Engine, payload: &[u8]) {
        let delivered = serde_json::from_slice::<Notification>(payload)
            .ok()
            .and_then(|n| serde_json::from_value::<crate::models::Message>(n.data).ok())
            .is_some_and(|slim| engine.conversations.deliver(&slim));
        if delivered {
            Counters::bump(&engine.counters.processed);
            return;
        }
        if let Err(e) = self.store.requeue(payload) {
            log::error!("an answer whose conversation ended could not be queued again: {e}");
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, StoreError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .map_err(|e| StoreError(format!("cannot start a thread: {e}")))
}
