//! A local Webex: an in-memory HTTP server on 127.0.0.1 that speaks the Webex Messaging
//! REST API and delivers signed webhooks, so bots run and are tested with no Webex
//! account and no network.
//!
//! ```
//! use webex_bot::emulator::Emulator;
//! use webex_bot::models::NewMessage;
//!
//! let emu = Emulator::builder().bot("Echo", "echo@webex.bot").user("Alice", "alice@example.com").start().unwrap();
//! let alice = emu.client_for(&emu.users()[0]);
//! let sent = alice.messages().create(&NewMessage::to_email("echo@webex.bot").markdown("**hi**")).unwrap();
//! assert_eq!(sent.html.as_deref(), Some("<p><strong>hi</strong></p>"));
//! ```
//!
//! Where Cisco's documents are silent the emulator chooses, and says so here:
//! - a room the caller is not in answers 404 (not 403), for reads and writes;
//! - `max` above an endpoint's cap is lowered to the cap; `max=0` or junk answers 400;
//! - a webhook is made inactive after 5 failed deliveries in a row (configurable);
//!   deliveries are not retried;
//! - the next-page cursor is an opaque `cursor` parameter, and next links keep every filter.

mod builder;
mod fault;
mod http;
mod mercury;
mod multipart;
mod render;
mod world;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::Client;
use crate::client::RetryPolicy;
use crate::models::{Message, PersonType, Webhook};
use world::{Delivery, Stored, StoredMessage, World};

pub use builder::EmulatorBuilder;
pub use fault::Fault;
pub(crate) use fault::Faults;
pub use mercury::{Ack, Websocket};

/// An account of the emulator: the bot or a user.
///
/// ```
/// # use webex_bot::emulator::{Emulator, Fault};
/// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
/// assert!(emu.bot().email.ends_with("@webex.bot"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// Person id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Access token.
    pub token: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// One webhook delivery the emulator attempted.
///
/// ```
/// # use webex_bot::emulator::{Emulator, Fault};
/// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
/// assert!(emu.deliveries().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryRecord {
    /// The webhook.
    pub webhook_id: String,
    /// Where it went.
    pub target_url: String,
    /// The exact body sent.
    pub body: String,
    /// The `X-Spark-Signature` sent, if the webhook has a secret.
    pub signature: Option<String>,
    /// The answer's status, or `None` when no answer came (or the delivery was dropped).
    pub status: Option<u16>,
    /// Dropped by an injected fault.
    pub dropped: bool,
}

pub(crate) struct Inner {
    world: Mutex<World>,
    changed: Condvar,
    version: AtomicU64,
    faults: Mutex<Faults>,
    log: Mutex<Vec<DeliveryRecord>>,
    origin: String,
    base_url: String,
    deliveries: Mutex<Option<Sender<Delivery>>>,
    pending: AtomicU64,
    stopping: AtomicBool,
    mercury: mercury::Hub,
}

impl Inner {
    /// Wakes everyone waiting for a change.
    fn touch(&self) {
        let _guard = self.world.lock().expect("world");
        self.version.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_all();
    }

    fn deliver(&self, d: Delivery) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        let sent = self
            .deliveries
            .lock()
            .expect("deliveries")
            .as_ref()
            .is_some_and(|tx| tx.send(d).is_ok());
        if !sent {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A running emulator. Stops when dropped.
///
/// ```
/// # use webex_bot::emulator::{Emulator, Fault};
/// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
/// assert!(!emu.base_url().is_empty());
/// ```
pub struct Emulator {
    inner: Arc<Inner>,
    server: Option<crate::server::Server>,
    threads: Vec<JoinHandle<()>>,
    bots: Vec<Account>,
    users: Mutex<Vec<Account>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert!(emu.base_url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL to give a [`Client`] (`http://127.0.0.1:PORT/v1`).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let client = webex_bot::Client::builder().token(&emu.bot().token).base_url(emu.base_url()).build().unwrap();
    /// assert!(client.people().me().is_ok());
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The first bot account.
    ///
    /// # Panics
    /// When the emulator was built without a bot.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert_eq!(emu.bot().name, "Bot");
    /// ```
    pub fn bot(&self) -> &Account {
        self.bots
            .first()
            .expect("the emulator was built with a bot")
    }

    /// The bot accounts.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert_eq!(emu.bots().len(), 1);
    /// ```
    pub fn bots(&self) -> &[Account] {
        &self.bots
    }

    /// The user accounts.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert_eq!(emu.users().len(), 1);
    /// ```
    pub fn users(&self) -> Vec<Account> {
        self.users.lock().expect("users").clone()
    }

    /// Adds a user while running.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let bob = emu.add_user("Bob", "bob@example.com");
    /// assert!(emu.client_for(&bob).people().me().is_ok());
    /// ```
    pub fn add_user(&self, name: &str, email: &str) -> Account {
        let token = crate::util::random_hex(24);
        let p = self.inner.world.lock().expect("world").add_person(
            name,
            email,
            &token,
            PersonType::Person,
        );
        let a = Account {
            id: p.id,
            name: name.into(),
            email: email.into(),
            token,
        };
        self.users.lock().expect("users").push(a.clone());
        a
    }

    /// A client acting as `account`, retrying nothing (so tests see every answer).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let me = emu.client_for(emu.bot()).people().me().unwrap();
    /// assert_eq!(me.id, emu.bot().id);
    /// ```
    pub fn client_for(&self, account: &Account) -> Client {
        Client::builder()
            .token(&account.token)
            .base_url(self.base_url())
            .retry(RetryPolicy::none())
            .build()
            .expect("the emulator's base URL is valid")
    }

    /// Injects a fault.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::rate_limit(1, 1));
    /// ```
    pub fn inject(&self, fault: Fault) {
        self.inner.faults.lock().expect("faults").list.push(fault);
    }

    /// Adds latency to every API call.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.set_latency(std::time::Duration::from_millis(1));
    /// ```
    pub fn set_latency(&self, latency: Duration) {
        self.inner.faults.lock().expect("faults").latency = latency;
    }

    /// Removes every fault.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::server_error(5, 500));
    /// emu.clear_faults();
    /// assert!(emu.client_for(emu.bot()).people().me().is_ok());
    /// ```
    pub fn clear_faults(&self) {
        *self.inner.faults.lock().expect("faults") = Faults::default();
    }

    /// Every webhook delivery attempted so far.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert!(emu.deliveries().is_empty());
    /// ```
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.inner.log.lock().expect("log").clone()
    }

    /// Deliveries queued but not yet attempted.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert_eq!(emu.pending_deliveries(), 0);
    /// ```
    pub fn pending_deliveries(&self) -> u64 {
        self.inner.pending.load(Ordering::SeqCst)
    }

    /// Events on their way to a bot: webhook deliveries not yet attempted, and websocket
    /// events not yet acknowledged (see [`Websocket::awaiting_ack`]). Zero once the bot
    /// has taken everything it was sent.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert_eq!(emu.events_in_flight(), 0);
    /// ```
    pub fn events_in_flight(&self) -> u64 {
        self.pending_deliveries() + self.websocket().awaiting_ack() as u64
    }

    /// Every webhook, whoever owns it.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert!(emu.webhooks().is_empty());
    /// ```
    pub fn webhooks(&self) -> Vec<Webhook> {
        let w = self.inner.world.lock().expect("world");
        let mut hooks: Vec<_> = w.hooks.values().collect();
        hooks.sort_by_key(|h| h.seq);
        hooks
            .into_iter()
            .map(|Stored { item: h, .. }| h.hook.clone())
            .collect()
    }

    /// The messages of a room, oldest first, whoever may see them.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// use webex_bot::models::NewMessage;
    /// let m = emu.client_for(&emu.users()[0]).messages().create(&NewMessage::to_email("bot@webex.bot").text("hi")).unwrap();
    /// assert_eq!(emu.messages_in(m.room_id.as_deref().unwrap()).len(), 1);
    /// ```
    pub fn messages_in(&self, room_id: &str) -> Vec<Message> {
        let w = self.inner.world.lock().expect("world");
        let mut ms: Vec<_> = w
            .messages
            .values()
            .filter(|StoredMessage { message: m, .. }| m.room_id.as_deref() == Some(room_id))
            .collect();
        ms.sort_by_key(|m| m.seq);
        ms.into_iter()
            .map(|StoredMessage { message: m, .. }| m.clone())
            .collect()
    }

    /// Every message, oldest first.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert!(emu.all_messages().is_empty());
    /// ```
    pub fn all_messages(&self) -> Vec<Message> {
        let w = self.inner.world.lock().expect("world");
        let mut ms: Vec<_> = w.messages.values().collect();
        ms.sort_by_key(|m| m.seq);
        ms.into_iter()
            .map(|StoredMessage { message: m, .. }| m.clone())
            .collect()
    }

    /// Waits until `done` holds (checked after every change: API call or delivery), at
    /// most `timeout`. Returns whether it held.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert!(emu.wait_until(std::time::Duration::from_secs(1), |e| e.pending_deliveries() == 0));
    /// ```
    pub fn wait_until(&self, timeout: Duration, mut done: impl FnMut(&Emulator) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.inner.version.load(Ordering::SeqCst);
            if done(self) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            let guard = self.inner.world.lock().expect("world");
            if self.inner.version.load(Ordering::SeqCst) == seen {
                // Woken by any change; the short cap covers a change that raced the check.
                let wait = (deadline - now).min(Duration::from_millis(50));
                let _ = self.inner.changed.wait_timeout(guard, wait).expect("world");
            }
        }
    }

    /// The U2C catalog service to give a bot (`http://127.0.0.1:PORT/u2c/api/v1`): it
    /// leads to the emulator's device service and websocket.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert!(emu.u2c_url().ends_with("/u2c/api/v1"));
    /// ```
    pub fn u2c_url(&self) -> String {
        format!("{}/u2c/api/v1", self.inner.origin)
    }

    /// The websocket service: what it received, and its faults.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert_eq!(emu.websocket().connected(), 0);
    /// ```
    pub fn websocket(&self) -> Websocket<'_> {
        Websocket { inner: &self.inner }
    }

    /// The WDM devices of `account`, oldest first, as `GET /devices` lists them.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert!(emu.devices(emu.bot()).is_empty());
    /// ```
    pub fn devices(&self, account: &Account) -> Vec<serde_json::Value> {
        let w = self.inner.world.lock().expect("world");
        let mut ds: Vec<_> = w
            .devices
            .values()
            .filter(|d| d.item.owner == account.id)
            .collect();
        ds.sort_by_key(|d| d.seq);
        ds.into_iter().map(|d| d.item.dto.clone()).collect()
    }

    /// Expires the registrations of `account`'s devices: the next websocket handshake on
    /// each is answered 404, until the device is refreshed (`PUT`), which gives it a new
    /// websocket URL. Open sockets stay open.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.expire_registrations(emu.bot());
    /// ```
    pub fn expire_registrations(&self, account: &Account) {
        let mut w = self.inner.world.lock().expect("world");
        for d in w.devices.values_mut() {
            if d.item.owner == account.id {
                d.item.expired = true;
            }
        }
    }

    /// Deletes `account`'s devices, as Webex does with devices left unused for days.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.forget_devices(emu.bot());
    /// ```
    pub fn forget_devices(&self, account: &Account) {
        self.inner
            .world
            .lock()
            .expect("world")
            .devices
            .retain(|_, d| d.item.owner != account.id);
    }

    /// How many devices one user may register (default 100); past it, `POST /devices` is
    /// answered 403 "User has excessive device registrations".
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.set_device_cap(3);
    /// ```
    pub fn set_device_cap(&self, cap: usize) {
        self.inner.world.lock().expect("world").device_cap = cap;
    }

    /// Registers an integration (an OAuth client) with its secret and redirect URI. The
    /// emulator's `GET /v1/authorize` then approves a request for whoever's token comes
    /// with it (a test's stand-in for the user clicking Accept) and redirects with a code;
    /// `POST /v1/access_token` exchanges codes and refresh tokens.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().user("Alice", "alice@example.com").start().unwrap();
    /// emu.add_integration("client-1", "secret-1", "http://127.0.0.1:9/callback");
    /// ```
    pub fn add_integration(&self, client_id: &str, client_secret: &str, redirect_uri: &str) {
        self.inner
            .world
            .lock()
            .expect("world")
            .oauth
            .integrations
            .insert(
                client_id.to_owned(),
                world::OAuthIntegration {
                    secret: client_secret.to_owned(),
                    redirect_uri: redirect_uri.to_owned(),
                },
            );
    }

    /// How long access tokens and refresh tokens from the token endpoint last (default 14
    /// and 90 days, as Webex's); tokens already handed out keep their expiry.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().start().unwrap();
    /// emu.set_token_lifetimes(std::time::Duration::from_secs(60), std::time::Duration::from_secs(3600));
    /// ```
    pub fn set_token_lifetimes(&self, access: Duration, refresh: Duration) {
        let mut w = self.inner.world.lock().expect("world");
        w.oauth.access_lifetime = access;
        w.oauth.refresh_lifetime = refresh;
    }

    /// Revokes a refresh token: refreshing with it is refused from now on.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().start().unwrap();
    /// emu.revoke_refresh_token("no-such-token");
    /// ```
    pub fn revoke_refresh_token(&self, refresh_token: &str) {
        if let Some(g) = self
            .inner
            .world
            .lock()
            .expect("world")
            .oauth
            .grants
            .get_mut(refresh_token)
        {
            g.revoked = true;
        }
    }

    /// Stops serving.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.shutdown();
    /// ```
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if self.inner.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(server) = self.server.take() {
            server.stop();
        }
        self.inner.mercury.stop();
        // Closing the channel ends the delivery threads once they sent what was queued.
        self.inner.deliveries.lock().expect("deliveries").take();
        for t in std::mem::take(&mut self.threads) {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}
