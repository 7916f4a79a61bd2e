//! Counters of what a running bot did.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of what the bot did since it started.
///
/// ```
/// # use webex_bot::{Bot, command, commands, testing::TestBot};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
/// let running = bot.running();
/// bot.say("echo hi");
/// let s = running.stats();
/// assert_eq!(s.processed + s.waiting, s.accepted);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Webhook requests received on the webhook path.
    pub received: u64,
    /// Events accepted (answered 2xx) and queued.
    pub accepted: u64,
    /// Deliveries refused for a missing or wrong signature.
    pub bad_signature: u64,
    /// Deliveries refused as malformed or too large.
    pub malformed: u64,
    /// Deliveries refused with 503 because the queue was full.
    pub shed: u64,
    /// Deliveries answered 2xx but skipped as duplicates.
    pub duplicates: u64,
    /// Events processed by the workers.
    pub processed: u64,
    /// Commands dispatched.
    pub commands: u64,
    /// Handlers that panicked.
    pub panics: u64,
    /// Handlers waiting now for an answer ([`Context::ask`](crate::Context::ask)).
    pub waiting: u64,
    /// Accepted events waiting now for a worker.
    pub queued: u64,
    /// Worker threads running now (they start as events arrive, up to
    /// [`BotBuilder::workers`](crate::BotBuilder::workers); one stays when the bot is idle).
    pub workers: u64,
    /// Events being processed now: on the workers, or on the listener's threads, which
    /// process an event themselves once they have acknowledged it when the workers have
    /// room (at most [`BotBuilder::workers`](crate::BotBuilder::workers) in all).
    pub running: u64,
    /// Replies that could not be sent.
    pub failed_replies: u64,
    /// Events given up on because what they point at could not be fetched from Webex
    /// (the message or card submission), after the client's retries; each is logged.
    pub failed_fetches: u64,
    /// The websocket, when events come over it (`None` with webhooks).
    pub connection: Option<Connection>,
}

/// The state of the websocket events come over.
///
/// ```
/// use webex_bot::bot::ConnectionState;
/// assert_eq!(ConnectionState::Connected.as_str(), "connected");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Before the first connection.
    Connecting,
    /// Open and authorized.
    Connected,
    /// Lost, or refused for now: waiting to connect again.
    Reconnecting,
    /// Closed at shutdown.
    Stopped,
    /// Given up on: a close code or an answer that must not be retried (see the log).
    Failed,
}

impl ConnectionState {
    /// The state as the health route writes it.
    ///
    /// ```
    /// assert_eq!(webex_bot::bot::ConnectionState::Reconnecting.as_str(), "reconnecting");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Stopped => "stopped",
            ConnectionState::Failed => "failed",
        }
    }
}

/// The websocket's state, reconnects and last event.
///
/// ```
/// use webex_bot::bot::{Connection, ConnectionState};
/// let c = Connection { state: ConnectionState::Connected, reconnects: 0, last_event: None };
/// assert_eq!(c.reconnects, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    /// Now.
    pub state: ConnectionState,
    /// Connections opened again after the first.
    pub reconnects: u64,
    /// When the last activity was handed to the workers.
    pub last_event: Option<std::time::SystemTime>,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub received: AtomicU64,
    pub accepted: AtomicU64,
    pub bad_signature: AtomicU64,
    pub malformed: AtomicU64,
    pub shed: AtomicU64,
    pub duplicates: AtomicU64,
    pub processed: AtomicU64,
    pub commands: AtomicU64,
    pub panics: AtomicU64,
    pub failed_replies: AtomicU64,
    pub failed_fetches: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            received: g(&self.received),
            accepted: g(&self.accepted),
            bad_signature: g(&self.bad_signature),
            malformed: g(&self.malformed),
            shed: g(&self.shed),
            duplicates: g(&self.duplicates),
            processed: g(&self.processed),
            commands: g(&self.commands),
            panics: g(&self.panics),
            waiting: 0,
            queued: 0,
            workers: 0,
            running: 0,
            failed_replies: g(&self.failed_replies),
            failed_fetches: g(&self.failed_fetches),
            connection: None,
        }
    }
}
