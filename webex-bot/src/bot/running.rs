//! A bot serving in the background, and serving until a signal.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::error::BotError;
use super::intake::WebhookHandler;
use super::listener::Listener;
use super::notifier::Notifier;
use super::stats::Stats;
use crate::webhook::Secret;

/// Runs `start` (on a thread of its own), then serves until SIGINT or SIGTERM, then shuts
/// down gracefully.
///
/// Startup runs on a short-lived thread so that its deep stack (client calls, webhook
/// registration) is given back when it ends, instead of staying resident on the main
/// thread, which only waits for a signal.
pub(crate) fn serve_until_signal(
    start: impl FnOnce() -> Result<RunningBot, BotError> + Send,
) -> Result<(), BotError> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]).map_err(|source| {
        BotError::System {
            doing: "installing signal handlers",
            source,
        }
    })?;
    let running = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("webex-bot-start".into())
            .spawn_scoped(s, start)
            .map_err(|source| BotError::System {
                doing: "starting",
                source,
            })?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    let mut running = running;
    // Events over the websocket that stop for good end the wait for a signal.
    let watcher = running.events.as_ref().map(|e| {
        let link = e.link.clone();
        let handle = signals.handle();
        std::thread::spawn(move || {
            if link.wait_end().is_some() {
                handle.close();
            }
        })
    });
    if let Some(sig) = signals.forever().next() {
        log::info!("signal {sig} received: shutting down");
    }
    let failure = running.events_error();
    running.shutdown();
    if let Some(w) = watcher {
        let _ = w.join();
    }
    match failure {
        Some(why) => Err(BotError::Websocket(why)),
        None => Ok(()),
    }
}

/// A bot serving in the background.
///
/// ```
/// # use webex_bot::{Bot, command, commands, testing::TestBot};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
/// let running = bot.running();
/// assert!(running.addr().port() > 0);
/// ```
pub struct RunningBot {
    pub(crate) handler: WebhookHandler,
    pub(crate) listener: Option<Listener>,
    /// The websocket, when events come over it.
    pub(crate) events: Option<super::websocket::WebsocketEvents>,
    pub(crate) webhook_path: String,
    pub(crate) deadline: Duration,
}

impl fmt::Debug for RunningBot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningBot")
            .field("addr", &self.listener.as_ref().map(|l| l.addr()))
            .finish_non_exhaustive()
    }
}

impl RunningBot {
    /// The address the listener is bound to.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let running = bot.running();
    /// assert!(running.addr().ip().is_loopback());
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.listener
            .as_ref()
            .map(Listener::addr)
            .expect("the listener runs until shutdown")
    }

    /// The URL of the webhook path on the listener.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let running = bot.running();
    /// assert!(running.webhook_url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn webhook_url(&self) -> String {
        format!("http://{}{}", self.addr(), self.webhook_path)
    }

    /// The secret deliveries must be signed with, if any.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let running = bot.running();
    /// assert!(running.secret().is_some());
    /// ```
    pub fn secret(&self) -> Option<&Secret> {
        self.handler.intake.secret.as_ref()
    }

    /// Posts through the bot from other threads (the notifier pattern).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let running = bot.running();
    /// use webex_bot::Reply;
    /// let notifier = running.notifier();
    /// notifier.send(Reply::text("hello").to_room(bot.group_room())).unwrap();
    /// ```
    pub fn notifier(&self) -> Notifier {
        self.handler.notifier()
    }

    /// The intake behind the listener, to hand deliveries to directly (as the listener
    /// does with each request on the webhook path).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.running().handler().handle(b"{}", None).status(), 401);
    /// ```
    pub fn handler(&self) -> &WebhookHandler {
        &self.handler
    }

    /// Counters since start.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let running = bot.running();
    /// bot.say("echo hi");
    /// assert_eq!(running.stats().panics, 0);
    /// ```
    pub fn stats(&self) -> Stats {
        self.handler.stats()
    }

    /// The ids of the webhooks the bot registered.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let running = bot.running();
    /// assert!(running.webhook_ids().is_empty()); // the harness registers them itself
    /// ```
    pub fn webhook_ids(&self) -> &[String] {
        self.handler.webhook_ids()
    }

    /// Why events over the websocket stopped for good (a close code or an answer that
    /// must not be retried), if they did; `None` with webhooks. [`crate::run`] then
    /// shuts the bot down and returns the error.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.running().events_error(), None);
    /// ```
    pub fn events_error(&self) -> Option<String> {
        self.events.as_ref().and_then(|e| e.link.failure())
    }

    /// Stops accepting, lets the workers finish every accepted event (within the shutdown
    /// deadline), and removes the webhooks if configured.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let mut bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let stats = bot.shutdown_bot(); // calls RunningBot::shutdown
    /// assert_eq!(stats.processed, stats.accepted);
    /// ```
    pub fn shutdown(&mut self) {
        let intake = &self.handler.intake;
        intake
            .accepting
            .store(false, std::sync::atomic::Ordering::SeqCst);
        let deadline = Instant::now() + self.deadline;
        // The websocket first: what it has not acknowledged is delivered again to the
        // next connection.
        if let Some(mut events) = self.events.take() {
            events.stop();
        }
        if let Some(l) = self.listener.take() {
            l.stop(self.deadline);
        }
        // The listener is stopped: nothing more can be queued. The workers finish the
        // queue and end; the webhooks go if asked.
        intake.drain(deadline, self.deadline);
    }
}

impl Drop for RunningBot {
    fn drop(&mut self) {
        if self.listener.is_some() {
            self.shutdown();
        }
    }
}
