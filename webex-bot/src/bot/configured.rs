//! A built bot, and starting it: with its own listener, or as a handler another web server
//! calls.

use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::dedupe::{self, Dedup};
use super::dispatch::Dispatcher;
use super::engine::Engine;
use super::error::BotError;
use super::events::process;
use super::intake::{Intake, WebhookHandler};
use super::listener::{Listener, Site};
use super::notifier::Notifier;
use super::pool::{IDLE_EXIT, Pool};
use super::replicas::{ReplicaSettings, Replicas};
use super::running::{RunningBot, serve_until_signal};
use super::source::{Events, WebsocketSettings};
use super::stats::Counters;
use super::websocket::WebsocketEvents;
use crate::args::BotIdentity;
use crate::limit::{LOG_INTERVAL, Summary};
use crate::webhook::{Notification, Secret};

/// Runs once the bot serves.
pub(crate) type StartHook = Box<dyn FnOnce(Notifier) + Send>;

/// How a built bot runs: what `start` needs beyond the engine.
pub(crate) struct Settings {
    pub listen: String,
    pub workers: usize,
    pub queue: usize,
    pub max_connections: usize,
    /// The public URL and webhook name, when the bot manages its webhooks.
    pub managed: Option<(String, String)>,
    pub remove_webhooks_on_shutdown: bool,
    pub shutdown_deadline: Duration,
    pub on_start: Vec<StartHook>,
    pub jobs: Vec<super::jobs::JobSpec>,
    pub events: Events,
    pub websocket: WebsocketSettings,
    /// The shared store, for replicas.
    pub redis_url: Option<crate::Secret>,
    pub replicas: ReplicaSettings,
}

/// A configured bot, ready to start.
///
/// ```
/// use webex_bot::{Bot, BotIdentity, Client, command, commands};
/// /// Echo.
/// #[command("echo <text...>")]
/// fn echo(text: String) -> String { text }
/// let bot = Bot::builder(commands![echo])
///     .client(Client::new("t"))
///     .identity(BotIdentity::new("b", "Bot"))
///     .secret(webex_bot::Secret::new("s3cret"))
///     .build()
///     .unwrap();
/// ```
pub struct Bot {
    pub(crate) engine: Engine,
    pub(crate) secret: Option<Secret>,
    pub(crate) site: Site,
    pub(crate) settings: Settings,
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("identity", &*self.engine.identity)
            .field("webhook_path", &self.site.webhook_path)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// Who the bot is.
    ///
    /// ```
    /// # use webex_bot::{Bot, BotIdentity, Client, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = Bot::builder(commands![echo]).client(Client::new("t")).identity(BotIdentity::new("b", "Bot")).secret(webex_bot::Secret::new("s")).build().unwrap();
    /// assert_eq!(bot.identity().person_id(), "b");
    /// ```
    pub fn identity(&self) -> &BotIdentity {
        &self.engine.identity
    }

    /// The compiled commands.
    ///
    /// ```
    /// # use webex_bot::{Bot, BotIdentity, Client, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = Bot::builder(commands![echo]).client(Client::new("t")).identity(BotIdentity::new("b", "Bot")).secret(webex_bot::Secret::new("s")).build().unwrap();
    /// assert_eq!(bot.dispatcher().specs().count(), 1);
    /// ```
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.engine.dispatcher
    }

    /// Starts the workers, without a listener: deliveries come from another web server
    /// through the returned [`WebhookHandler`]. With a public URL set (the other server's
    /// route, as Webex reaches it), the bot registers or repairs its webhooks there, as
    /// [`start`](Self::start) does; then the [`on_start`](crate::BotBuilder::on_start)
    /// hooks run.
    ///
    /// ```
    /// # use webex_bot::{Bot, BotIdentity, Client, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let handler = Bot::builder(commands![echo])
    ///     .client(Client::new("t"))
    ///     .identity(BotIdentity::new("b", "Bot"))
    ///     .secret(webex_bot::Secret::new("s3cret"))
    ///     .build()?
    ///     .start_handler()?;
    /// handler.shutdown();
    /// # Ok::<(), webex_bot::BotError>(())
    /// ```
    pub fn start_handler(self) -> Result<WebhookHandler, BotError> {
        if self.settings.events == Events::Websocket {
            return Err(BotError::Websocket(
                "a handler for another web server takes webhooks: configure a webhook secret or a public URL, or use `start` for events over the websocket".into(),
            ));
        }
        let (handler, _site, settings) = self.start_workers()?;
        if let Err(e) = register(&handler, &settings) {
            handler.shutdown();
            return Err(e);
        }
        for hook in settings.on_start {
            hook(handler.notifier());
        }
        handler.intake.start_jobs(settings.jobs);
        Ok(handler)
    }

    fn start_workers(self) -> Result<(WebhookHandler, Site, Settings), BotError> {
        let engine = Arc::new(self.engine);
        let s = &self.settings;
        // Events are boxed: the queue keeps its capacity after a burst, and 1,024 events
        // inline would hold over half a megabyte from then on.
        let pool = Pool::start("webex-bot-worker", s.queue, s.workers, IDLE_EXIT, {
            let engine = engine.clone();
            move |event: Box<Notification>| {
                process(&engine, *event);
                Counters::bump(&engine.counters.processed);
            }
        })
        .map_err(|source| BotError::System {
            doing: "starting a worker thread",
            source,
        })?;
        let shared = match &s.redis_url {
            None => None,
            Some(url) => {
                let prefix = format!("webex-bot:{}", engine.identity.person_id());
                let store = crate::store::RedisStore::connect(url, &prefix)
                    .map_err(|e| BotError::Redis(e.to_string()))?;
                let server = store.server().to_owned();
                let replicas =
                    Replicas::start(engine.clone(), store, s.workers, s.replicas.clone())
                        .map_err(|e| BotError::Redis(e.to_string()))?;
                log::info!(
                    "replica {} shares its events through Redis at {server}",
                    replicas.name
                );
                if let Some(scoped) = engine.state.get::<super::scoped::ScopedStore>() {
                    scoped.share(replicas.store.clone());
                }
                Some(replicas)
            }
        };
        let intake = Arc::new(Intake {
            engine,
            secret: self.secret,
            dedup: Mutex::new(Dedup::new(
                dedupe::WINDOW,
                dedupe::MIN_COUNT,
                dedupe::MAX_COUNT,
            )),
            shared,
            jobs: OnceLock::new(),
            accepting: AtomicBool::new(true),
            pool,
            webhooks: OnceLock::new(),
            refused: Summary::new(LOG_INTERVAL),
            shed: Summary::new(LOG_INTERVAL),
            remove_webhooks: AtomicBool::new(s.remove_webhooks_on_shutdown),
            websocket: OnceLock::new(),
            takes_webhooks: s.events == Events::Webhook,
        });
        let handler = WebhookHandler {
            intake,
            deadline: s.shutdown_deadline,
        };
        Ok((handler, self.site, self.settings))
    }

    /// Starts listening and processing in the background, registering (or repairing) the
    /// bot's webhooks when a public URL is set.
    ///
    /// ```
    /// # use webex_bot::{Bot, BotIdentity, Client, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let mut running = Bot::builder(commands![echo])
    ///     .client(Client::new("t"))
    ///     .identity(BotIdentity::new("b", "Bot"))
    ///     .secret(webex_bot::Secret::new("s3cret"))
    ///     .listen("127.0.0.1:0")
    ///     .build()
    ///     .unwrap()
    ///     .start()
    ///     .unwrap();
    /// running.shutdown();
    /// ```
    pub fn start(self) -> Result<RunningBot, BotError> {
        let started = Instant::now();
        raise_descriptor_limit();
        let (handler, site, settings) = self.start_workers()?;
        let webhook_path = site.webhook_path.clone();
        let listener = match Listener::bind(
            &settings.listen,
            handler.intake.clone(),
            site,
            settings.max_connections,
        ) {
            Ok(l) => l,
            Err(source) => {
                handler.shutdown();
                return Err(BotError::Listen {
                    addr: settings.listen,
                    source,
                });
            }
        };
        let mut running = RunningBot {
            handler,
            listener: Some(listener),
            events: None,
            webhook_path,
            deadline: settings.shutdown_deadline,
        };
        match settings.events {
            Events::Webhook => log::info!(
                "bot {:?} listening on http://{} (webhook path {}), ready in {:.1} ms",
                running.handler.intake.engine.identity.display_name(),
                running.addr(),
                running.webhook_path,
                started.elapsed().as_secs_f64() * 1000.0
            ),
            Events::Websocket => {
                match WebsocketEvents::start(
                    running.handler.intake.clone(),
                    settings.websocket.clone(),
                ) {
                    Ok(events) => running.events = Some(events),
                    Err(e) => {
                        running.shutdown();
                        return Err(e);
                    }
                }
                log::info!(
                    "bot {:?} receiving events over the websocket; health and routes on http://{}; ready in {:.1} ms",
                    running.handler.intake.engine.identity.display_name(),
                    running.addr(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
        }
        if let Err(e) = register(&running.handler, &settings) {
            running.shutdown();
            return Err(e);
        }
        for hook in settings.on_start {
            hook(running.notifier());
        }
        running.handler.intake.start_jobs(settings.jobs);
        Ok(running)
    }

    /// Starts, then serves until SIGINT or SIGTERM, then shuts down gracefully.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// // Blocks until SIGINT or SIGTERM:
    /// // builder.env()?.build()?.run()?;
    /// let _ = builder;
    /// ```
    pub fn run(self) -> Result<(), BotError> {
        serve_until_signal(|| self.start())
    }
}

/// Registers or repairs the bot's webhooks when it manages them.
fn register(handler: &WebhookHandler, settings: &Settings) -> Result<(), BotError> {
    let Some((url, name)) = &settings.managed else {
        return Ok(());
    };
    let intake = &handler.intake;
    let secret = intake
        .secret
        .as_ref()
        .expect("a managed webhook has a secret");
    // Replicas register one at a time, under a lease: each finds what the one before
    // made, and none makes a second set.
    let lease = intake
        .shared
        .as_ref()
        .map(|r| (r, Lease::take(r, "webhooks")));
    let ids = crate::webhook::ensure_webhooks(&intake.engine.client, name, url, secret);
    if let Some((r, true)) = lease
        && let Err(e) = r.store.release("webhooks", &r.name)
    {
        log::warn!("{e}: the webhooks' lease was not given up; it expires by itself");
    }
    let _ = intake.webhooks.set(ids?);
    Ok(())
}

/// Waiting for a lease held by another replica.
struct Lease;

impl Lease {
    /// How long a lease taken here lasts unless given up.
    const TTL: Duration = Duration::from_secs(30);

    /// Takes the lease `name` for this replica, waiting while another holds it (at most
    /// its lifetime: a holder that died lets it expire); whether it was had.
    fn take(replicas: &Replicas, name: &str) -> bool {
        let deadline = Instant::now() + Self::TTL;
        let mut pause = Duration::from_millis(20);
        loop {
            match replicas.store.acquire(name, &replicas.name, Self::TTL) {
                Ok(true) => return true,
                Ok(false) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                Ok(false) => {
                    log::warn!(
                        "the lease {name:?} stayed with another replica for {:?}; going on without it",
                        Self::TTL
                    );
                    return false;
                }
                Err(e) => {
                    log::warn!("{e}: the lease {name:?} could not be taken; going on without it");
                    return false;
                }
            }
        }
    }
}

/// Raises the soft limit on open files to the hard limit, where the system allows: each
/// connection costs a descriptor, and the usual soft limit of 1,024 is the listener's
/// default connection limit. A failure only logs.
fn raise_descriptor_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => log::debug!("open files limit: {n}"),
        Err(e) => log::debug!("open files limit not raised: {e}"),
    }
}
