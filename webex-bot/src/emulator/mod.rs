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

mod http;
mod multipart;
mod render;
mod world;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use crate::Client;
use crate::client::RetryPolicy;
use crate::models::{Message, PersonType, Webhook};
use world::{Delivery, World};

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

/// A fault the emulator injects, for tests and benchmarks.
///
/// ```
/// use webex_bot::emulator::Fault;
/// let f = Fault::rate_limit(2, 1).on("POST", "/messages");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    method: Option<String>,
    path: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FaultKind {
    Status {
        count: u32,
        status: u16,
        retry_after: Option<u64>,
    },
    DuplicateDeliveries(u32),
    DropDeliveries(u32),
}

impl Fault {
    /// The next `count` API calls answer 429 with `Retry-After: retry_after` seconds.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::rate_limit(1, 2));
    /// let err = emu.client_for(emu.bot()).people().me().unwrap_err();
    /// assert_eq!(err.status(), Some(429));
    /// ```
    pub fn rate_limit(count: u32, retry_after: u64) -> Self {
        Fault {
            kind: FaultKind::Status {
                count,
                status: 429,
                retry_after: Some(retry_after),
            },
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` API calls answer `status` (a 5xx).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::server_error(1, 502));
    /// assert_eq!(emu.client_for(emu.bot()).people().me().unwrap_err().status(), Some(502));
    /// ```
    pub fn server_error(count: u32, status: u16) -> Self {
        Fault {
            kind: FaultKind::Status {
                count,
                status,
                retry_after: None,
            },
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` webhook deliveries are sent twice.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::duplicate_deliveries(1));
    /// ```
    pub fn duplicate_deliveries(count: u32) -> Self {
        Fault {
            kind: FaultKind::DuplicateDeliveries(count),
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` webhook deliveries are not sent.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::drop_deliveries(1));
    /// ```
    pub fn drop_deliveries(count: u32) -> Self {
        Fault {
            kind: FaultKind::DropDeliveries(count),
            method: None,
            path: None,
            token: None,
        }
    }

    /// Only calls with this method and a path starting with `path` (such as `/messages`).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::server_error(1, 500).on("GET", "/rooms"));
    /// assert!(emu.client_for(emu.bot()).people().me().is_ok());
    /// ```
    pub fn on(mut self, method: &str, path: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self.path = Some(path.to_owned());
        self
    }

    /// Only calls made with this account's token.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let alice = emu.users()[0].clone();
    /// emu.inject(Fault::server_error(1, 500).for_account(&alice));
    /// assert!(emu.client_for(emu.bot()).people().me().is_ok());
    /// assert!(emu.client_for(&alice).people().me().is_err());
    /// ```
    pub fn for_account(mut self, account: &Account) -> Self {
        self.token = Some(account.token.clone());
        self
    }
}

pub(crate) struct ApiFault {
    status: u16,
    retry_after: Option<u64>,
    message: String,
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    list: Vec<Fault>,
    latency: Duration,
}

impl Faults {
    fn take_api_fault(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
    ) -> Option<ApiFault> {
        for f in &mut self.list {
            let FaultKind::Status {
                count,
                status,
                retry_after,
            } = &mut f.kind
            else {
                continue;
            };
            if *count == 0
                || f.method.as_deref().is_some_and(|m| m != method)
                || f.path.as_deref().is_some_and(|p| !path.starts_with(p))
                || f.token.as_deref().is_some_and(|t| Some(t) != token)
            {
                continue;
            }
            *count -= 1;
            let message = if *status == 429 {
                "Too many requests; retry later."
            } else {
                "The server encountered an error; retry later."
            };
            return Some(ApiFault {
                status: *status,
                retry_after: *retry_after,
                message: message.into(),
            });
        }
        None
    }

    fn take_delivery_fault(&mut self, drop: bool) -> bool {
        for f in &mut self.list {
            match &mut f.kind {
                FaultKind::DropDeliveries(n) if drop && *n > 0 => {
                    *n -= 1;
                    return true;
                }
                FaultKind::DuplicateDeliveries(n) if !drop && *n > 0 => {
                    *n -= 1;
                    return true;
                }
                _ => {}
            }
        }
        false
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
    path_prefix: String,
    base_url: String,
    deliveries: Mutex<Option<Sender<Delivery>>>,
    pending: AtomicU64,
    stopping: AtomicBool,
}

impl Inner {
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

/// Configures an [`Emulator`].
///
/// ```
/// # use webex_bot::emulator::{Emulator, Fault};
/// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
/// assert!(!emu.base_url().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    listen: String,
    bots: Vec<(String, String, Option<String>)>,
    users: Vec<(String, String, Option<String>)>,
    failure_threshold: u32,
    max_connections: usize,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: "127.0.0.1:0".into(),
            bots: Vec::new(),
            users: Vec::new(),
            failure_threshold: 5,
            max_connections: 1024,
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`, a free port).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let other = Emulator::builder().listen("127.0.0.1:0").start().unwrap();
    /// assert!(other.base_url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = addr.into();
        self
    }

    /// Adds a bot account (its token is random).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert_eq!(emu.bot().email, "bot@webex.bot");
    /// ```
    pub fn bot(self, name: &str, email: &str) -> Self {
        self.bot_with_token(name, email, None)
    }

    /// Adds a bot account with a given token (`None`: random).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let e = Emulator::builder().bot_with_token("B", "b@webex.bot", Some("T")).start().unwrap();
    /// assert_eq!(e.bot().token, "T");
    /// ```
    pub fn bot_with_token(mut self, name: &str, email: &str, token: Option<&str>) -> Self {
        self.bots
            .push((name.into(), email.into(), token.map(str::to_owned)));
        self
    }

    /// Adds a user account (its token is random).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert_eq!(emu.users()[0].name, "Alice");
    /// ```
    pub fn user(self, name: &str, email: &str) -> Self {
        self.user_with_token(name, email, None)
    }

    /// Adds a user account with a given token (`None`: random).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let e = Emulator::builder().user_with_token("U", "u@example.com", Some("T")).start().unwrap();
    /// assert_eq!(e.users()[0].token, "T");
    /// ```
    pub fn user_with_token(mut self, name: &str, email: &str, token: Option<&str>) -> Self {
        self.users
            .push((name.into(), email.into(), token.map(str::to_owned)));
        self
    }

    /// Failed deliveries in a row after which a webhook turns inactive (default 5).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let e = Emulator::builder().failure_threshold(2).start().unwrap();
    /// ```
    pub fn failure_threshold(mut self, n: u32) -> Self {
        self.failure_threshold = n.max(1);
        self
    }

    /// The most client connections served at once (default 1024), each on a thread of its
    /// own; past it, new connections wait in the kernel's backlog.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let e = Emulator::builder().max_connections(16).start().unwrap();
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Starts the emulator.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// assert!(emu.base_url().ends_with("/v1"));
    /// ```
    pub fn start(self) -> std::io::Result<Emulator> {
        let http_config = crate::server::Server::builder()
            .name("webex-emulator")
            .max_connections(self.max_connections)
            .body_limit(http::MAX_BODY);
        let tcp = http_config.listener(&self.listen)?;
        let addr = tcp.local_addr()?;
        let origin = format!("http://{addr}");
        let path_prefix = "/v1".to_owned();
        let base_url = format!("{origin}{path_prefix}");
        let mut world = World::new(base_url.clone());
        world.failure_threshold = self.failure_threshold;
        let mut make = |list: &[(String, String, Option<String>)], kind| -> Vec<Account> {
            list.iter()
                .map(|(name, email, token)| {
                    let token = token.clone().unwrap_or_else(|| crate::util::random_hex(24));
                    let p = world.add_person(name, email, &token, kind);
                    Account {
                        id: p.id,
                        name: name.clone(),
                        email: email.clone(),
                        token,
                    }
                })
                .collect()
        };
        let bots = make(&self.bots, PersonType::Bot);
        let users = make(&self.users, PersonType::Person);
        let (tx, rx) = crossbeam_channel::unbounded();
        let inner = Arc::new(Inner {
            world: Mutex::new(world),
            changed: Condvar::new(),
            version: AtomicU64::new(0),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(Vec::new()),
            origin,
            path_prefix,
            base_url,
            deliveries: Mutex::new(Some(tx)),
            pending: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
        });
        let server = {
            let inner = inner.clone();
            http_config.serve(tcp, move |r| http::serve(&inner, r))?
        };
        let mut threads = Vec::new();
        for i in 0..4 {
            let inner = inner.clone();
            let rx: Receiver<Delivery> = rx.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("webex-emulator-deliver-{i}"))
                    .spawn(move || deliverer(&inner, rx))
                    .expect("spawn"),
            );
        }
        Ok(Emulator {
            inner,
            server: Some(server),
            threads,
            bots,
            users: Mutex::new(users),
        })
    }
}

fn deliverer(inner: &Inner, rx: Receiver<Delivery>) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            .build(),
    );
    while let Ok(d) = rx.recv() {
        let dropped = inner
            .faults
            .lock()
            .expect("faults")
            .take_delivery_fault(true);
        let twice = !dropped
            && inner
                .faults
                .lock()
                .expect("faults")
                .take_delivery_fault(false);
        let signature = d.secret.as_ref().map(|s| crate::webhook::sign(s, &d.body));
        let attempts = if dropped {
            0
        } else if twice {
            2
        } else {
            1
        };
        let mut status = None;
        for _ in 0..attempts {
            let mut req = agent
                .post(&d.target_url)
                .header("Content-Type", "application/json");
            if let Some(sig) = &signature {
                req = req.header("X-Spark-Signature", sig);
            }
            status = req.send(&d.body[..]).ok().map(|r| r.status().as_u16());
        }
        let ok = dropped || status.is_some_and(|s| (200..300).contains(&s));
        if !dropped {
            let disabled = inner
                .world
                .lock()
                .expect("world")
                .record_delivery(&d.webhook_id, ok);
            if disabled {
                log::warn!(
                    "emulator: webhook {} turned inactive after repeated failed deliveries",
                    d.webhook_id
                );
            }
        }
        inner.log.lock().expect("log").push(DeliveryRecord {
            webhook_id: d.webhook_id,
            target_url: d.target_url,
            body: String::from_utf8_lossy(&d.body).into_owned(),
            signature,
            status,
            dropped,
        });
        inner.pending.fetch_sub(1, Ordering::SeqCst);
        inner.version.fetch_add(1, Ordering::SeqCst);
        inner.changed.notify_all();
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
        hooks.sort_by_key(|h| h.0);
        hooks.into_iter().map(|(_, h)| h.hook.clone()).collect()
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
            .filter(|(_, m, _)| m.room_id.as_deref() == Some(room_id))
            .collect();
        ms.sort_by_key(|m| m.0);
        ms.into_iter().map(|(_, m, _)| m.clone()).collect()
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
        ms.sort_by_key(|m| m.0);
        ms.into_iter().map(|(_, m, _)| m.clone()).collect()
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
