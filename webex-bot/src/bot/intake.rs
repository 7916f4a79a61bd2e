//! The intake of webhook deliveries: signature check, duplicate suppression, answers for
//! waiting conversations, and the queue to the workers. The built-in listener calls it;
//! so can another web server, through [`WebhookHandler`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::dedupe::Dedup;
use super::engine::Engine;
use super::pool::{Claim, Pool, Refused};
use super::replicas::Replicas;
use super::stats::{Counters, Stats};
use crate::Notifier;
use crate::limit::Summary;
use crate::webhook::{Notification, Secret, WebhookError};

/// What became of an event handed to the intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// Queued for the workers.
    Queued,
    /// Seen before: not handled again.
    Duplicate,
    /// The answer a waiting conversation asked for, handed to it.
    Answered,
    /// Not taken (queue full, or shutting down): to be delivered again.
    Refused,
}

/// How an event goes to the workers.
pub(crate) enum Take<'a> {
    /// Queued; refused when the queue is full (a webhook is answered 503).
    Queue,
    /// Queued, waiting for room while the queue is full (the websocket can hold back).
    Wait,
    /// Left in the slot for the caller to run once it has acknowledged the event, when
    /// the pool has room for one more running job now; queued otherwise.
    Here(&'a mut Option<Deferred>),
}

/// An accepted event to be processed on the thread that acknowledged it, in a place of the
/// worker pool's (so that no more events are processed at once than the pool's size).
pub(crate) struct Deferred {
    claim: Claim<Box<Notification>>,
    event: Box<Notification>,
}

impl Deferred {
    /// Processes the event here, as a worker would.
    pub(crate) fn run(self) {
        self.claim.run(self.event);
    }
}

/// What the intake shares with the listener and the running bot.
pub(crate) struct Intake {
    pub engine: Arc<Engine>,
    pub secret: Option<Secret>,
    /// Which events were taken, in this process's memory (without replicas).
    pub dedup: Mutex<Dedup>,
    /// With replicas: events go through Redis instead of `dedup` and `pool`.
    pub shared: Option<Arc<Replicas>>,
    /// The periodic jobs, once started.
    pub jobs: OnceLock<super::jobs::Jobs>,
    pub accepting: AtomicBool,
    pub pool: Pool<Box<Notification>>,
    /// The webhooks registered at start, if the bot manages them.
    pub webhooks: OnceLock<Vec<String>>,
    /// Refused deliveries (bad signature or malformed): logged as summaries, since an
    /// attacker controls how many there are.
    pub refused: Summary,
    /// Deliveries shed with 503 (queue full, or shutting down): summaries too, since a
    /// storm would otherwise write a line per event.
    pub shed: Summary,
    /// Whether they are deleted at shutdown (once).
    pub remove_webhooks: AtomicBool,
    /// The websocket, when events come over it.
    pub websocket: OnceLock<Arc<super::link::Link>>,
    /// Whether deliveries are taken (not when events come over the websocket).
    pub takes_webhooks: bool,
}

/// How a delivery was answered: the HTTP status and body to send back to Webex.
///
/// ```
/// # use webex_bot::{Bot, command, commands, testing::TestBot};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
/// let answer = bot.running().handler().handle(b"{}", None);
/// assert_eq!(answer.status(), 401); // unsigned, and the bot has a secret
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    status: u16,
    body: &'static str,
}

impl Delivery {
    const fn new(status: u16, body: &'static str) -> Self {
        Delivery { status, body }
    }

    /// The HTTP status: 200 when accepted (or a duplicate), 400 malformed, 401 unsigned,
    /// 403 wrongly signed, 503 when the bot is busy or stopping (Webex delivers it again).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.running().handler().handle(b"{}", Some("00")).status(), 403);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body: a short JSON object or text saying what happened.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.running().handler().handle(b"{}", Some("00")).body(), "bad signature");
    /// ```
    pub fn body(&self) -> &'static str {
        self.body
    }

    /// Whether the body is JSON (else plain text).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert!(!bot.running().handler().handle(b"{}", Some("00")).is_json());
    /// ```
    pub fn is_json(&self) -> bool {
        self.body.starts_with('{')
    }

    /// Seconds Webex should wait before delivering again (a 503).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.running().handler().handle(b"{}", Some("00")).retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<u32> {
        (self.status == 503).then_some(1)
    }
}

impl Intake {
    /// Checks, deduplicates and queues one delivery.
    pub(crate) fn handle(
        &self,
        body: &[u8],
        signature: Option<&str>,
        from: &dyn fmt::Display,
    ) -> Delivery {
        self.handle_as(body, signature, from, Take::Queue)
    }

    /// [`handle`](Self::handle), taking the event as `how` says.
    pub(crate) fn handle_as(
        &self,
        body: &[u8],
        signature: Option<&str>,
        from: &dyn fmt::Display,
        how: Take<'_>,
    ) -> Delivery {
        let counters = &self.engine.counters;
        if !self.takes_webhooks {
            return Delivery::new(404, "webhooks are off: events come over the websocket");
        }
        Counters::bump(&counters.received);
        if !self.accepting.load(Ordering::SeqCst) {
            return Delivery::new(503, "shutting down");
        }
        let event = match Notification::parse_verified(body, signature, self.secret.as_ref()) {
            Ok(e) => e,
            Err(WebhookError::Signature(e)) => {
                Counters::bump(&counters.bad_signature);
                self.log_refused(from, &e);
                let status = if signature.is_none() { 401 } else { 403 };
                return Delivery::new(status, "bad signature");
            }
            Err(e) => {
                Counters::bump(&counters.malformed);
                self.log_refused(from, &e);
                return Delivery::new(400, "malformed webhook");
            }
        };
        match self.accept(event, how) {
            Accepted::Queued => Delivery::new(200, r#"{"status":"accepted"}"#),
            Accepted::Duplicate => Delivery::new(200, r#"{"status":"duplicate"}"#),
            Accepted::Answered => Delivery::new(200, r#"{"status":"answered"}"#),
            Accepted::Refused => Delivery::new(503, "busy, retry later"),
        }
    }

    /// Deduplicates and queues an event, however it arrived, as `how` says. `Refused`
    /// means not taken: the source must deliver it again, and it is not remembered as
    /// seen.
    pub(crate) fn accept(&self, event: Notification, how: Take<'_>) -> Accepted {
        let counters = &self.engine.counters;
        if !self.accepting.load(Ordering::SeqCst) {
            return Accepted::Refused;
        }
        let id = event.data.get("id").and_then(|v| v.as_str()).unwrap_or("");
        let mut key =
            String::with_capacity(event.resource.len() + event.event.len() + id.len() + 2);
        for part in [&event.resource, ":", &event.event, ":", id] {
            key.push_str(part);
        }
        let has_id = event.data.get("id").is_some();
        if let Some(shared) = &self.shared {
            return self.accept_shared(shared, &event, key, has_id);
        }
        if has_id && !self.dedup.lock().expect("dedup lock").first(&key) {
            Counters::bump(&counters.duplicates);
            log::debug!("duplicate delivery of {key}: acknowledged, not handled again");
            return Accepted::Duplicate;
        }
        // The answer a waiting handler asked for goes straight to it (checked only while a
        // handler waits, so the common path does no extra parsing).
        let engine = &self.engine;
        if engine.conversations.waiting() > 0
            && event.resource == "messages"
            && event.event == "created"
            && let Ok(slim) = serde_json::from_value::<crate::models::Message>(event.data.clone())
            && !slim
                .person_id
                .as_deref()
                .is_some_and(|p| engine.identity.is(p))
            && engine.conversations.deliver(&slim)
        {
            Counters::bump(&counters.accepted);
            Counters::bump(&counters.processed);
            return Accepted::Answered;
        }
        let pushed = match how {
            Take::Wait => self.pool.push_wait(Box::new(event)),
            Take::Here(slot) => match self.pool.claim() {
                Some(claim) => {
                    *slot = Some(Deferred {
                        claim,
                        event: Box::new(event),
                    });
                    Ok(())
                }
                None => self.pool.push(Box::new(event)),
            },
            Take::Queue => self.pool.push(Box::new(event)),
        };
        match pushed {
            Ok(()) => {
                Counters::bump(&counters.accepted);
                Accepted::Queued
            }
            Err(refused) => {
                // Not acknowledged: Webex will deliver it again, and then it must not look
                // like a duplicate.
                if has_id {
                    self.dedup.lock().expect("dedup lock").forget(&key);
                }
                Counters::bump(&counters.shed);
                if let Some(unlogged) = self.shed.occur(Instant::now()) {
                    let more = if unlogged > 0 {
                        format!(" ({unlogged} more shed since the last such line)")
                    } else {
                        String::new()
                    };
                    match refused {
                        Refused::Full(_) => log::warn!(
                            "queue full: refused {key} with 503 (Webex will retry){more}"
                        ),
                        Refused::Closed(_) => log::info!(
                            "shutting down: refused {key} (Webex will deliver it again){more}"
                        ),
                    }
                }
                Accepted::Refused
            }
        }
    }

    /// [`accept`](Self::accept) with replicas: the event is taken in Redis (once, and
    /// stored before it is acknowledged) or refused.
    fn accept_shared(
        &self,
        shared: &Replicas,
        event: &Notification,
        key: String,
        has_id: bool,
    ) -> Accepted {
        let counters = &self.engine.counters;
        // An event without an id cannot be recognized again: it gets a key of its own.
        let key = if has_id {
            key
        } else {
            format!("{key}{}", crate::util::random_hex(8))
        };
        let from = event.data.get("personId").and_then(|v| v.as_str());
        let room = event.data.get("roomId").and_then(|v| v.as_str());
        let conversation = match (from, room) {
            (Some(p), Some(r))
                if event.resource == "messages"
                    && event.event == "created"
                    && !self.engine.identity.is(p) =>
            {
                Some((r, p))
            }
            _ => None,
        };
        let why = match shared.take(&key, event, conversation) {
            Ok(crate::store::Taken::Queued) => {
                Counters::bump(&counters.accepted);
                return Accepted::Queued;
            }
            Ok(crate::store::Taken::Duplicate) => {
                Counters::bump(&counters.duplicates);
                log::debug!("duplicate delivery of {key}: acknowledged, not handled again");
                return Accepted::Duplicate;
            }
            Ok(crate::store::Taken::Answered) => {
                Counters::bump(&counters.accepted);
                return Accepted::Answered;
            }
            Ok(crate::store::Taken::Full) => "the shared queue is full".to_owned(),
            // Not knowing whether it was stored, this replica must not acknowledge it:
            // Webex delivers it again, once Redis is back.
            Err(e) => e.to_string(),
        };
        Counters::bump(&counters.shed);
        if let Some(unlogged) = self.shed.occur(Instant::now()) {
            log::warn!(
                "{why}: refused {key}, not acknowledged (Webex will deliver it again; {unlogged} more refused since the last such line)"
            );
        }
        Accepted::Refused
    }

    /// A refused delivery: a warning for the first in an interval, the others counted and
    /// said with the next warning (`Stats` counts each).
    fn log_refused(&self, from: &dyn fmt::Display, why: &dyn fmt::Display) {
        match self.refused.occur(Instant::now()) {
            Some(0) => log::warn!("rejected webhook from {from}: {why}"),
            Some(n) => log::warn!(
                "rejected webhook from {from}: {why} ({n} more rejected since the last such line, not logged one by one)"
            ),
            None => {}
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        let mut s = self.engine.counters.snapshot();
        s.waiting = self.engine.conversations.waiting();
        s.queued = self.pool.queued() as u64;
        s.workers = self.pool.workers() as u64;
        s.running = self.pool.running() as u64;
        s.connection = self.websocket.get().map(|l| l.connection());
        s
    }

    /// Refuses new deliveries, lets the workers finish the queue until `deadline`, then
    /// deletes the webhooks if asked to (once).
    pub(crate) fn drain(&self, deadline: Instant, allowed: Duration) {
        self.accepting.store(false, Ordering::SeqCst);
        if let Some(jobs) = self.jobs.get() {
            jobs.stop(deadline);
        }
        if let Some(shared) = &self.shared {
            shared.stop(deadline);
        }
        let pending = self.pool.queued();
        if pending > 0 {
            log::info!("shutdown: finishing {pending} queued events");
        }
        self.pool.close();
        if self.pool.wait_workers(0, deadline) > 0 {
            log::warn!("shutdown: workers still busy after {allowed:?}; leaving them");
        }
        let unlogged = self.refused.take_unlogged();
        if unlogged > 0 {
            log::warn!(
                "shutdown: {unlogged} more webhook deliveries were rejected than were logged"
            );
        }
        let unlogged = self.shed.take_unlogged();
        if unlogged > 0 {
            log::warn!("shutdown: {unlogged} more deliveries were shed with 503 than were logged");
        }
        if self.remove_webhooks.swap(false, Ordering::SeqCst) {
            if self.shared.is_some() {
                // Other replicas still take deliveries on them.
                log::info!("shutdown: the webhooks are shared by the replicas: left in place");
                return;
            }
            for id in self.webhooks.get().into_iter().flatten() {
                if let Err(e) = self.engine.client.webhooks().delete(id) {
                    log::warn!("shutdown: could not delete webhook {id}: {e}");
                }
            }
        }
    }

    /// Starts the periodic jobs (once the bot serves).
    pub(crate) fn start_jobs(&self, specs: Vec<super::jobs::JobSpec>) {
        if specs.is_empty() {
            return;
        }
        let notifier = crate::Notifier::new(self.engine.client.clone());
        let _ = self.jobs.set(super::jobs::Jobs::start(
            specs,
            &notifier,
            self.shared.as_ref(),
        ));
    }

    /// The ids of the webhooks registered at start.
    pub(crate) fn webhook_ids(&self) -> &[String] {
        self.webhooks.get().map_or(&[], Vec::as_slice)
    }
}

/// A started bot without a listener of its own, for mounting on another web server's
/// route: [`handle`](Self::handle) takes a delivery's raw body and its `X-Spark-Signature`
/// header and runs the same verification, duplicate suppression, queueing, fetch, access
/// rules, dispatch and reply as the built-in listener. Made by
/// [`Bot::start_handler`](crate::Bot::start_handler); clones share the bot.
///
/// ```
/// use webex_bot::{Bot, BotIdentity, Client, command, commands};
///
/// /// Echo.
/// #[command("echo <text...>")]
/// fn echo(text: String) -> String { text }
///
/// let handler = Bot::builder(commands![echo])
///     .client(Client::new("t"))
///     .identity(BotIdentity::new("b", "Bot"))
///     .secret(webex_bot::webhook::Secret::new("s3cret"))
///     .build()?
///     .start_handler()?;
/// // In the other server's route for POST /webex:
/// let answer = handler.handle(b"{}", None);
/// assert_eq!(answer.status(), 401);
/// handler.shutdown();
/// # Ok::<(), webex_bot::BotError>(())
/// ```
#[derive(Clone)]
pub struct WebhookHandler {
    pub(crate) intake: Arc<Intake>,
    pub(crate) deadline: Duration,
}

impl fmt::Debug for WebhookHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookHandler")
            .field("bot", &self.intake.engine.identity.display_name())
            .finish_non_exhaustive()
    }
}

impl WebhookHandler {
    /// Handles one delivery: `body` as received, `signature` the value of the
    /// `X-Spark-Signature` header (or `X-Webex-Signature`). Answer Webex with the
    /// [`Delivery`]'s status and body; the event is handled on the bot's workers.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let handler = bot.running().handler();
    /// assert_eq!(handler.handle(b"not json", None).status(), 401);
    /// ```
    pub fn handle(&self, body: &[u8], signature: Option<&str>) -> Delivery {
        self.intake.handle(body, signature, &"the embedding server")
    }

    /// Counters since start.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let handler = bot.running().handler();
    /// handler.handle(b"{}", None);
    /// assert_eq!(handler.stats().bad_signature, 1);
    /// ```
    pub fn stats(&self) -> Stats {
        self.intake.stats()
    }

    /// Posts through the bot from other threads.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let notifier = bot.running().handler().notifier();
    /// ```
    pub fn notifier(&self) -> Notifier {
        Notifier::new(self.intake.engine.client.clone())
    }

    /// The ids of the webhooks the bot registered at start (none unless a public URL is
    /// set and webhooks are managed).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert!(bot.running().handler().webhook_ids().is_empty());
    /// ```
    pub fn webhook_ids(&self) -> &[String] {
        self.intake.webhook_ids()
    }

    /// Refuses new deliveries (503), lets the workers finish every accepted event within
    /// the bot's shutdown deadline, and deletes the webhooks if
    /// [`remove_webhooks_on_shutdown`](crate::BotBuilder::remove_webhooks_on_shutdown)
    /// was set. Later calls do nothing more.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// # let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let handler = bot.running().handler();
    /// handler.shutdown();
    /// assert_eq!(handler.handle(b"{}", None).status(), 503);
    /// ```
    pub fn shutdown(&self) {
        self.intake
            .drain(Instant::now() + self.deadline, self.deadline);
    }
}
