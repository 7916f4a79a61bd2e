//! Posting through the bot from anywhere: timers, other threads, extra routes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use super::reply::{IntoReply, Reply};
use super::send::send_reply;
use crate::Client;
use crate::models::Message;

/// Posts messages through the bot from anywhere: timers, other threads, extra routes.
/// Handlers take one as a parameter; [`BotBuilder::on_start`](crate::BotBuilder::on_start)
/// hands one to start-up code.
///
/// ```no_run
/// # fn f(notifier: webex_bot::Notifier) {
/// use webex_bot::Reply;
/// notifier.send(Reply::markdown("**Deploy finished**").to_room("room-id")).unwrap();
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Notifier {
    client: Client,
}

impl Notifier {
    /// A notifier posting with this client.
    ///
    /// ```
    /// let notifier = webex_bot::Notifier::new(webex_bot::Client::new("t"));
    /// ```
    pub fn new(client: Client) -> Self {
        Notifier { client }
    }

    /// Sends a reply whose targets are absolute (`to_room`, `to_email`, ...).
    ///
    /// ```
    /// # fn f(notifier: webex_bot::Notifier) -> Result<(), webex_bot::client::Error> {
    /// notifier.send(webex_bot::Reply::markdown("**done**").to_email("alice@example.com"))?;
    /// # Ok(()) }
    /// ```
    pub fn send(&self, reply: impl IntoReply) -> Result<Vec<Message>, crate::client::Error> {
        send_reply(&self.client, None, reply.into_reply())
    }

    /// Sends a reply with absolute targets after `delay`, from a thread of its own; a
    /// failure is logged. [`Scheduled::cancel`] stops it. Scheduled messages are kept in
    /// memory only: those still waiting when the process ends are not sent.
    ///
    /// ```no_run
    /// # fn f(notifier: webex_bot::Notifier) {
    /// use std::time::Duration;
    /// use webex_bot::Reply;
    /// let later = notifier.send_later(Duration::from_secs(600), Reply::text("Stand-up!").to_room("room-id"));
    /// later.cancel();
    /// # }
    /// ```
    pub fn send_later(&self, delay: Duration, reply: impl IntoReply) -> Scheduled {
        schedule(self.client.clone(), None, delay, reply.into_reply())
    }

    /// The client.
    ///
    /// ```
    /// let notifier = webex_bot::Notifier::new(webex_bot::Client::new("t"));
    /// assert_eq!(notifier.client().base_url(), "https://webexapis.com/v1");
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// A message waiting to be sent later ([`Notifier::send_later`],
/// [`Context::reply_later`](crate::Context::reply_later)).
///
/// ```no_run
/// # fn f(notifier: webex_bot::Notifier) {
/// let later = notifier.send_later(std::time::Duration::from_secs(60), webex_bot::Reply::text("hi").to_email("a@example.com"));
/// assert!(later.cancel());
/// # }
/// ```
#[derive(Debug)]
pub struct Scheduled {
    state: Arc<AtomicU8>,
    wake: crossbeam_channel::Sender<()>,
}

const WAITING: u8 = 0;
const CANCELLED: u8 = 1;
const SENDING: u8 = 2;

impl Scheduled {
    /// Stops the message if it has not been sent yet; whether it was stopped (false once
    /// its time came: it is then being sent, or was).
    ///
    /// ```no_run
    /// # fn f(later: webex_bot::bot::Scheduled) {
    /// if !later.cancel() { println!("already sent"); }
    /// # }
    /// ```
    pub fn cancel(self) -> bool {
        let stopped = self
            .state
            .compare_exchange(WAITING, CANCELLED, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        let _ = self.wake.try_send(());
        stopped
    }
}

/// Sends `reply` after `delay` (relative to `origin` when given), on a thread of its own.
pub(crate) fn schedule(
    client: Client,
    origin: Option<Message>,
    delay: Duration,
    reply: Reply,
) -> Scheduled {
    let (wake, woken) = crossbeam_channel::bounded::<()>(1);
    let state = Arc::new(AtomicU8::new(WAITING));
    let due = Instant::now() + delay;
    let mine = state.clone();
    let spawned = std::thread::Builder::new()
        .name("webex-bot-later".into())
        .spawn(move || {
            // Woken early only by a cancel; a dropped handle leaves the message due.
            let left = due.saturating_duration_since(Instant::now());
            if let Err(crossbeam_channel::RecvTimeoutError::Disconnected) = woken.recv_timeout(left)
            {
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
            }
            // Sent only if not cancelled first; from here a cancel says it came too late.
            let send = mine
                .compare_exchange(WAITING, SENDING, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok();
            if send && let Err(e) = send_reply(&client, origin.as_ref(), reply) {
                log::error!("a message scheduled {delay:?} earlier could not be sent: {e}");
            }
        });
    if let Err(e) = spawned {
        log::error!("no thread to send a message later: {e}");
    }
    Scheduled { state, wake }
}
