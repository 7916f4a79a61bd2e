//! Configuring a bot: the builder, its defaults and the checks `build` makes.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::access::Access;
use super::configured::{Bot, StartHook};
use super::context::StateMap;
use super::dispatch::Commands;
use super::error::BotError;
use super::handler::{BoxedHandler, Handler};
use super::listener::Route;
use super::notifier::Notifier;
use super::reply::{IntoReply, Reply};
use super::routes::IntoRouteResponse;
use crate::Client;
use crate::args::BotIdentity;
use crate::webhook::Secret;

/// Configures a bot. Start with [`Bot::builder`] or [`BotBuilder::from_env`].
///
/// ```no_run
/// use webex_bot::{Bot, command, commands};
///
/// /// Echo the text back.
/// #[command("echo <text...>")]
/// fn echo(text: String) -> String { text }
///
/// let bot = Bot::builder(commands![echo])
///     .client(webex_bot::Client::new("token"))
///     .listen("127.0.0.1:8080")
///     .workers(4)
///     .build()?;
/// bot.run()?;
/// # Ok::<(), webex_bot::BotError>(())
/// ```
pub struct BotBuilder {
    pub(super) commands: Commands,
    pub(super) client: Option<Client>,
    pub(super) identity: Option<BotIdentity>,
    pub(super) listen: String,
    pub(super) public_url: Option<String>,
    pub(super) secret: Option<Secret>,
    pub(super) workers: usize,
    pub(super) queue: usize,
    pub(super) max_connections: usize,
    pub(super) body_limit: usize,
    pub(super) state: StateMap,
    pub(super) cards: HashMap<String, BoxedHandler<Reply>>,
    pub(super) on_added: Option<BoxedHandler<Reply>>,
    pub(super) on_removed: Option<BoxedHandler<Reply>>,
    pub(super) routes: Vec<Route>,
    pub(super) ignore_bots: bool,
    pub(super) access: Access,
    pub(super) command_access: HashMap<&'static str, Access>,
    pub(super) explain: bool,
    pub(super) manage_webhooks: bool,
    pub(super) remove_webhooks_on_shutdown: bool,
    pub(super) shutdown_deadline: Duration,
    pub(super) webhook_name: String,
    pub(super) on_start: Vec<StartHook>,
    pub(super) jobs: Vec<super::jobs::JobSpec>,
    pub(super) accept_unsigned: bool,
    pub(super) events: Option<super::source::Events>,
    pub(super) websocket: super::source::WebsocketSettings,
    pub(super) redis_url: Option<Secret>,
    pub(super) replicas: super::replicas::ReplicaSettings,
}

impl fmt::Debug for BotBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotBuilder")
            .field("commands", &self.commands.len())
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("secret", &self.secret)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

/// The default address the listener binds.
///
/// ```
/// assert_eq!(webex_bot::bot::DEFAULT_LISTEN, "0.0.0.0:8080");
/// ```
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8080";

impl BotBuilder {
    pub(crate) fn new(commands: Commands) -> Self {
        BotBuilder {
            commands,
            client: None,
            identity: None,
            listen: DEFAULT_LISTEN.into(),
            public_url: None,
            secret: None,
            workers: 8,
            queue: 1024,
            max_connections: 1024,
            body_limit: 1024 * 1024,
            state: StateMap::default(),
            cards: HashMap::new(),
            on_added: None,
            on_removed: None,
            routes: Vec::new(),
            ignore_bots: true,
            access: Access::default(),
            command_access: HashMap::new(),
            explain: false,
            manage_webhooks: true,
            remove_webhooks_on_shutdown: false,
            shutdown_deadline: Duration::from_secs(10),
            webhook_name: "webex-bot".into(),
            on_start: Vec::new(),
            jobs: Vec::new(),
            accept_unsigned: false,
            events: None,
            websocket: Default::default(),
            redis_url: None,
            replicas: Default::default(),
        }
    }

    /// A builder configured from the environment: `WEBEX_ACCESS_TOKEN` (required),
    /// `WEBEX_BASE_URL`, `WEBEX_WEBHOOK_SECRET`, `WEBEX_PUBLIC_URL`, `WEBEX_LISTEN`,
    /// `WEBEX_EVENTS` (`webhook` or `websocket`, see [`events`](Self::events)) and
    /// `WEBEX_U2C_URL`.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// // With WEBEX_ACCESS_TOKEN set:
    /// let result = webex_bot::BotBuilder::from_env(webex_bot::Commands::default());
    /// let _ = (builder, result);
    /// ```
    pub fn from_env(commands: Commands) -> Result<Self, BotError> {
        BotBuilder::new(commands).env()
    }

    /// Applies the environment variables (see [`from_env`](Self::from_env)) to this builder.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let result = builder.env(); // Err when WEBEX_ACCESS_TOKEN is not set
    /// let _ = result;
    /// ```
    pub fn env(self) -> Result<Self, BotError> {
        let client = Client::from_env().map_err(|e| BotError::Environment(Box::new(e)))?;
        let mut b = self.client(client);
        let var = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(s) = var("WEBEX_WEBHOOK_SECRET") {
            b = b.secret(Secret::new(s));
        }
        if let Some(u) = var("WEBEX_PUBLIC_URL") {
            b = b.public_url(u);
        }
        if let Some(l) = var("WEBEX_LISTEN") {
            b = b.listen(l);
        }
        if let Some(e) = var("WEBEX_EVENTS") {
            b = b.events(e.parse()?);
        }
        if let Some(u) = var("WEBEX_U2C_URL") {
            b = b.u2c_url(u);
        }
        if let Some(u) = var("WEBEX_REDIS_URL") {
            b = b.redis(Secret::new(u));
        }
        if let Some(t) = var("WEBEX_CLAIM_TIMEOUT") {
            let secs = t
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .ok_or_else(|| {
                    BotError::Redis(format!(
                        "WEBEX_CLAIM_TIMEOUT {t:?} is not a number of seconds"
                    ))
                })?;
            b = b.claim_timeout(Duration::from_secs_f64(secs));
        }
        Ok(b)
    }

    /// The client the bot uses (required unless built with [`from_env`](Self::from_env)).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.client(webex_bot::Client::new("token"));
    /// ```
    pub fn client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The bot's identity, to skip `GET /people/me` at start (tests, benchmarks).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.identity(webex_bot::BotIdentity::new("bot-id", "Bot"));
    /// ```
    pub fn identity(mut self, identity: BotIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// The address the listener binds (default `0.0.0.0:8080`; port 0 picks a free one).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.listen("127.0.0.1:0");
    /// ```
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = addr.into();
        self
    }

    /// Where Webex reaches the listener. Its path is the webhook path (`/` when it has
    /// none); with it set, the bot registers its webhooks at start.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.public_url("https://bot.example.com/webex");
    /// ```
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// The webhook secret (default: a fresh random one when webhooks are managed; none, and
    /// no signature check, otherwise).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.secret(webex_bot::webhook::Secret::new("s3cret"));
    /// ```
    pub fn secret(mut self, secret: Secret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// The most threads running handlers at once (default 8). They start as events
    /// arrive: an idle bot holds one, and a thread idle for a minute ends.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.workers(16);
    /// ```
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// How many accepted events may wait for a worker (default 1024). Past that, deliveries
    /// are refused with 503 so that Webex retries them, and counted as shed.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.queue_capacity(4096);
    /// ```
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.queue = n.max(1);
        self
    }

    /// The most connections the listener keeps open at once (default 1024), each served by
    /// a thread of its own. At the limit, the one that has waited longest for a request is
    /// closed to let a new one in (when all have requests in progress, new ones wait in the
    /// kernel's backlog); idle kept-alive connections close after 30 s.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.max_connections(256);
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The largest webhook body accepted (default 1 MiB).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.body_limit(64 * 1024);
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Shared state handlers take as a [`State<T>`](super::State) parameter.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.state(std::sync::atomic::AtomicU64::new(0));
    /// ```
    pub fn state<T: Send + Sync + 'static>(self, value: T) -> Self {
        self.shared_state(Arc::new(value))
    }

    /// Shared state already in an `Arc`, for state the bot shares with other code (a timer
    /// thread, an extra route).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let shared = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    /// let builder = builder.shared_state(shared.clone());
    /// ```
    pub fn shared_state<T: Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.state.insert(value);
        self
    }

    /// Runs once the bot serves, with a [`Notifier`] to post from other threads: start
    /// timers or watchers here.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.on_start(|notifier| {
    ///     std::thread::spawn(move || { let _ = notifier; });
    /// });
    /// ```
    pub fn on_start(mut self, f: impl FnOnce(Notifier) + Send + 'static) -> Self {
        self.on_start.push(Box::new(f));
        self
    }

    /// Handles submissions of cards whose submit button has `action` (see
    /// [`Card::submit`](crate::card::Card::submit)): a [handler](crate::bot::Handler)
    /// that takes the inputs as [`Inputs<T>`](crate::Inputs) of the author's type, and
    /// whatever else it needs ([`Sender`](crate::Sender), [`RoomRef`](crate::RoomRef),
    /// [`State<T>`](crate::State), ...). Its reply goes to the card's room.
    ///
    /// ```
    /// use webex_bot::{Bot, Commands, Inputs, Sender};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Vote { choice: String }
    ///
    /// let builder = Bot::builder(Commands::default())
    ///     .on_card("vote", |who: Sender, Inputs(v): Inputs<Vote>| format!("{} chose {}", who.email, v.choice));
    /// ```
    pub fn on_card<M, H>(mut self, action: &str, handler: H) -> Self
    where
        H: Handler<M>,
        H::Output: IntoReply,
    {
        let name = format!("card handler {action:?}");
        self.cards.insert(
            action.to_owned(),
            BoxedHandler::new(name, handler, IntoReply::into_reply),
        );
        self
    }

    /// Runs when the bot is added to a room (for example, to greet with help): a
    /// [handler](crate::bot::Handler) that may take the [`Membership`](crate::models::Membership),
    /// the [`RoomRef`](crate::RoomRef), who added the bot as [`Sender`](crate::Sender), and
    /// state. The reply goes to that room.
    ///
    /// ```
    /// # use webex_bot::{Bot, Commands};
    /// let builder = Bot::builder(Commands::default()).on_added(|| "Hello! Type `help`.");
    /// ```
    pub fn on_added<M, H>(mut self, handler: H) -> Self
    where
        H: Handler<M>,
        H::Output: IntoReply,
    {
        let name = "the handler of `on_added`".to_owned();
        self.on_added = Some(BoxedHandler::new(name, handler, IntoReply::into_reply));
        self
    }

    /// Runs when the bot is removed from a room; takes what [`on_added`](Self::on_added)
    /// handlers take.
    ///
    /// ```
    /// # use webex_bot::{Bot, Commands};
    /// use webex_bot::models::Membership;
    /// let builder = Bot::builder(Commands::default())
    ///     .on_removed(|m: Membership| log::info!("removed from {:?}", m.room_id));
    /// ```
    pub fn on_removed<M, H>(mut self, handler: H) -> Self
    where
        H: Handler<M>,
        H::Output: IntoReply,
    {
        let name = "the handler of `on_removed`".to_owned();
        self.on_removed = Some(BoxedHandler::new(name, handler, IntoReply::into_reply));
        self
    }

    /// Serves another HTTP route on the same listener, such as `POST /hooks/ci` for a
    /// notifier: a [handler](crate::bot::Handler) that may take the
    /// [`RouteRequest`](crate::RouteRequest), a [`Notifier`], the client and state, and
    /// returns a [`RouteResponse`](crate::RouteResponse) (or a body, sent with status 200). It runs on the
    /// connection's thread.
    ///
    /// ```
    /// use webex_bot::{Bot, Commands, RouteRequest, RouteResponse};
    /// let builder = Bot::builder(Commands::default())
    ///     .route("POST", "/hooks/ci", |req: RouteRequest| RouteResponse::new(202, format!("{} bytes", req.body.len())));
    /// ```
    pub fn route<M, H>(mut self, method: &str, path: &str, handler: H) -> Self
    where
        H: Handler<M>,
        H::Output: IntoRouteResponse,
    {
        let method = method.to_ascii_uppercase();
        let name = format!("route {method} {path}");
        self.routes.push(Route {
            method,
            path: path.to_owned(),
            handler: BoxedHandler::new(name, handler, IntoRouteResponse::into_route_response),
        });
        self
    }

    /// Whether messages from other bots are ignored (default true; the bot's own messages
    /// are always ignored).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.ignore_bots(false);
    /// ```
    pub fn ignore_bots(mut self, yes: bool) -> Self {
        self.ignore_bots = yes;
        self
    }

    /// Who may use the bot at all.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.access(webex_bot::Access::default().domain("example.com"));
    /// ```
    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// Who may use one command (by function name).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.command_access("echo", webex_bot::Access::default().person("boss@example.com"));
    /// ```
    pub fn command_access(mut self, command: &'static str, access: Access) -> Self {
        self.command_access.insert(command, access);
        self
    }

    /// Logs, at info level, why each message matched a command or not.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.explain(true);
    /// ```
    pub fn explain(mut self, yes: bool) -> Self {
        self.explain = yes;
        self
    }

    /// Whether the bot creates and repairs its webhooks when a public URL is set (default true).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.manage_webhooks(false);
    /// ```
    pub fn manage_webhooks(mut self, yes: bool) -> Self {
        self.manage_webhooks = yes;
        self
    }

    /// Deletes the bot's webhooks at shutdown (default false).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.remove_webhooks_on_shutdown(true);
    /// ```
    pub fn remove_webhooks_on_shutdown(mut self, yes: bool) -> Self {
        self.remove_webhooks_on_shutdown = yes;
        self
    }

    /// How long shutdown waits for in-flight events (default 10 s).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.shutdown_deadline(std::time::Duration::from_secs(30));
    /// ```
    pub fn shutdown_deadline(mut self, d: Duration) -> Self {
        self.shutdown_deadline = d;
        self
    }

    /// Accepts deliveries without a signature check when the bot has no webhook secret
    /// (default false: such a bot does not start, with [`BotError::NoSecret`]). Anyone who
    /// can reach the listener could then make the bot act on a message id of their choice;
    /// only for a listener that nothing but a verifying proxy can reach.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).insecure_accept_unsigned_deliveries(true);
    /// ```
    pub fn insecure_accept_unsigned_deliveries(mut self, yes: bool) -> Self {
        self.accept_unsigned = yes;
        self
    }

    /// The name the bot gives its webhooks, to find its own again (default `webex-bot`).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.webhook_name("ops-bot");
    /// ```
    pub fn webhook_name(mut self, name: impl Into<String>) -> Self {
        self.webhook_name = name.into();
        self
    }
}

impl Bot {
    /// A builder for a bot with these commands.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.workers(4);
    /// ```
    pub fn builder(commands: Commands) -> BotBuilder {
        BotBuilder::new(commands)
    }
}
