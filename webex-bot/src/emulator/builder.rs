//! Configuring and starting an emulator, and the thread that makes its webhook
//! deliveries.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crossbeam_channel::Receiver;

use super::*;
use crate::models::PersonType;

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
    websocket_ping_interval: Duration,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: "127.0.0.1:0".into(),
            bots: Vec::new(),
            users: Vec::new(),
            failure_threshold: 5,
            max_connections: 1024,
            websocket_ping_interval: Duration::from_secs(10),
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

    /// How often the websocket service pings each socket (default 10 s; Webex's interval
    /// is not documented, and must be under the 20 s some clients allow).
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let e = Emulator::builder().websocket_ping_interval(std::time::Duration::from_secs(1)).start().unwrap();
    /// ```
    pub fn websocket_ping_interval(mut self, every: Duration) -> Self {
        self.websocket_ping_interval = every.max(Duration::from_millis(1));
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
        // The websocket service listens on the same address, on a free port.
        let ws_addr = std::net::SocketAddr::new(addr.ip(), 0).to_string();
        let (hub, ws_listener) = mercury::Hub::bind(
            &ws_addr,
            self.websocket_ping_interval,
            Duration::from_secs(30),
        )?;
        world.mercury_origin = hub.origin.clone();
        let (tx, rx) = crossbeam_channel::unbounded();
        let inner = Arc::new(Inner {
            world: Mutex::new(world),
            changed: Condvar::new(),
            version: AtomicU64::new(0),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(Vec::new()),
            origin,
            base_url,
            deliveries: Mutex::new(Some(tx)),
            pending: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
            mercury: hub,
        });
        let server = {
            let inner = inner.clone();
            http_config.serve(tcp, move |r| http::serve(&inner, r))?
        };
        let mut threads = Vec::new();
        {
            let inner = inner.clone();
            threads.push(
                std::thread::Builder::new()
                    .name("webex-emulator-ws-accept".into())
                    .spawn(move || mercury::accept_loop(inner, ws_listener))
                    .expect("spawn"),
            );
        }
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
