//! Building and running a bot: configuration, the worker pool, event processing.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use super::commands::{Commands, Dispatcher};
use super::context::{Context, StateMap};
use super::listener::{Listener, Route, RouteHandler, RouteRequest, RouteResponse};
use super::pool::{IDLE_EXIT, Pool};
use super::reply::{IntoReply, Reply};
use super::send::send_reply;
use crate::Client;
use crate::command::{BotIdentity, CommandInput, CommandSpec};
use crate::models::{AttachmentAction, Membership, Message};
use crate::webhook::{EventKind, Secret, WebhookEvent};

/// Why a bot could not start.
///
/// ```
///
/// let e = webex_bot::bot::BotError::Config("no client".into());
/// assert_eq!(e.to_string(), "bot configuration: no client");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BotError {
    /// A setting is missing or wrong.
    Config(String),
    /// Two commands match the same messages.
    Conflict(crate::command::ConflictError),
    /// A call to Webex failed (such as `GET /people/me` at start).
    Client(crate::client::Error),
    /// The listener could not bind its address.
    Listen(String),
}

impl fmt::Display for BotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BotError::Config(m) => write!(f, "bot configuration: {m}"),
            BotError::Conflict(e) => e.fmt(f),
            BotError::Client(e) => write!(f, "webex: {e}"),
            BotError::Listen(m) => write!(f, "listener: {m}"),
        }
    }
}

impl std::error::Error for BotError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BotError::Conflict(e) => Some(e),
            BotError::Client(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::client::Error> for BotError {
    fn from(e: crate::client::Error) -> Self {
        BotError::Client(e)
    }
}

/// Who may use the bot, or one command: people by email, email domains, rooms. Empty lists
/// allow everyone.
///
/// ```
/// use webex_bot::bot::Access;
/// let a = Access::default().domain("example.com").person("contractor@other.org");
/// assert!(a.allows("alice@EXAMPLE.com", "room-1"));
/// assert!(!a.allows("mallory@evil.test", "room-1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    people: HashSet<String>,
    domains: HashSet<String>,
    rooms: HashSet<String>,
}

impl Access {
    /// Allows this email address.
    ///
    /// ```
    ///
    /// use webex_bot::bot::Access;
    /// assert!(Access::default().person("a@b.c").allows("A@b.c", "r"));
    /// ```
    pub fn person(mut self, email: &str) -> Self {
        self.people.insert(email.trim().to_lowercase());
        self
    }

    /// Allows every address of this domain.
    ///
    /// ```
    ///
    /// use webex_bot::bot::Access;
    /// assert!(!Access::default().domain("b.c").allows("a@x.y", "r"));
    /// ```
    pub fn domain(mut self, domain: &str) -> Self {
        self.domains
            .insert(domain.trim().trim_start_matches('@').to_lowercase());
        self
    }

    /// Allows commands in this room (whoever sends them, if no people or domains are set).
    ///
    /// ```
    ///
    /// use webex_bot::bot::Access;
    /// assert!(!Access::default().room("r1").allows("a@b.c", "r2"));
    /// ```
    pub fn room(mut self, room_id: &str) -> Self {
        self.rooms.insert(room_id.to_owned());
        self
    }

    /// Whether a message from `email` in `room_id` passes.
    ///
    /// ```
    ///
    /// use webex_bot::bot::Access;
    /// assert!(Access::default().allows("anyone@any.where", "any-room"));
    /// ```
    pub fn allows(&self, email: &str, room_id: &str) -> bool {
        let email = email.to_lowercase();
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        let person_ok = (self.people.is_empty() && self.domains.is_empty())
            || self.people.contains(&email)
            || self.domains.contains(domain);
        let room_ok = self.rooms.is_empty() || self.rooms.contains(room_id);
        person_ok && room_ok
    }
}

type CardHandler = Arc<dyn Fn(&CardContext, serde_json::Value) -> Reply + Send + Sync>;
type StartHook = Box<dyn FnOnce(Notifier) + Send>;
type MembershipHandler = Arc<dyn Fn(&EventContext) -> Reply + Send + Sync>;

/// What a card-submission handler knows.
///
/// ```
/// # use webex_bot::{Bot, command, commands};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let builder = Bot::builder(commands![echo]);
/// let builder = builder.on_card("ok", |ctx: &webex_bot::bot::CardContext, _: serde_json::Value| format!("{} pressed OK", ctx.person_id()));
/// ```
#[derive(Debug)]
pub struct CardContext {
    /// The submission, inputs included.
    pub action: AttachmentAction,
    /// The client.
    pub client: Client,
}

impl CardContext {
    /// The person who pressed the button.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.on_card("ok", |ctx: &webex_bot::bot::CardContext, _: serde_json::Value| ctx.person_id().to_owned());
    /// ```
    pub fn person_id(&self) -> &str {
        self.action.person_id.as_deref().unwrap_or("")
    }

    /// The room of the card.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.on_card("ok", |ctx: &webex_bot::bot::CardContext, _: serde_json::Value| ctx.room_id().to_owned());
    /// ```
    pub fn room_id(&self) -> &str {
        self.action.room_id.as_deref().unwrap_or("")
    }
}

/// What a membership handler knows (the bot added to or removed from a room).
///
/// ```
/// # use webex_bot::{Bot, command, commands};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let builder = Bot::builder(commands![echo]);
/// let builder = builder.on_added(|ctx: &webex_bot::bot::EventContext| format!("Hello {:?}", ctx.actor_id));
/// ```
#[derive(Debug)]
pub struct EventContext {
    /// The membership.
    pub membership: Membership,
    /// Who added or removed the bot.
    pub actor_id: Option<String>,
    /// The client.
    pub client: Client,
}

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
    /// Handlers waiting now for an answer ([`Context::ask`]).
    pub waiting: u64,
    /// Accepted events waiting now for a worker.
    pub queued: u64,
    /// Worker threads running now (they start as events arrive, up to
    /// [`BotBuilder::workers`]; one stays when the bot is idle).
    pub workers: u64,
    /// Replies that could not be sent.
    pub failed_replies: u64,
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
}

impl Counters {
    pub(crate) fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> Stats {
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
            failed_replies: g(&self.failed_replies),
        }
    }
}

/// Remembers the most recent event keys, to handle a redelivered event once.
#[derive(Debug)]
pub(crate) struct Dedup {
    seen: HashSet<String>,
    order: VecDeque<String>,
    capacity: usize,
}

impl Dedup {
    fn new(capacity: usize) -> Self {
        Dedup {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// True the first time `key` is seen.
    pub(crate) fn first(&mut self, key: String) -> bool {
        if self.seen.contains(&key) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.seen.insert(key.clone());
        self.order.push_back(key);
        true
    }

    pub(crate) fn forget(&mut self, key: &str) {
        if self.seen.remove(key) {
            self.order.retain(|k| k != key);
        }
    }
}

/// Everything the listener and the workers share.
pub(crate) struct Shared {
    pub client: Client,
    pub dispatcher: Dispatcher,
    pub identity: Arc<BotIdentity>,
    pub state: Arc<StateMap>,
    pub secret: Option<Secret>,
    pub webhook_path: String,
    pub body_limit: usize,
    pub counters: Counters,
    pub dedup: Mutex<Dedup>,
    pub routes: Vec<Route>,
    pub ignore_bots: bool,
    pub access: Access,
    pub command_access: HashMap<&'static str, Access>,
    pub cards: HashMap<String, CardHandler>,
    pub on_added: Option<MembershipHandler>,
    pub on_removed: Option<MembershipHandler>,
    pub explain: bool,
    pub accepting: AtomicBool,
    pub conversations: Arc<super::conversation::Conversations>,
}

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
/// # Ok::<(), webex_bot::bot::BotError>(())
/// ```
pub struct BotBuilder {
    commands: Commands,
    client: Option<Client>,
    identity: Option<BotIdentity>,
    listen: String,
    public_url: Option<String>,
    secret: Option<Secret>,
    workers: usize,
    queue: usize,
    max_connections: usize,
    body_limit: usize,
    state: StateMap,
    cards: HashMap<String, CardHandler>,
    on_added: Option<MembershipHandler>,
    on_removed: Option<MembershipHandler>,
    routes: Vec<Route>,
    ignore_bots: bool,
    access: Access,
    command_access: HashMap<&'static str, Access>,
    explain: bool,
    manage_webhooks: bool,
    remove_webhooks_on_shutdown: bool,
    shutdown_deadline: Duration,
    webhook_name: String,
    on_start: Vec<StartHook>,
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
    fn new(commands: Commands) -> Self {
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
        }
    }

    /// A builder configured from the environment: `WEBEX_ACCESS_TOKEN` (required),
    /// `WEBEX_BASE_URL`, `WEBEX_WEBHOOK_SECRET`, `WEBEX_PUBLIC_URL` and `WEBEX_LISTEN`.
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
        let client = Client::from_env().map_err(|e| BotError::Config(e.to_string()))?;
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
    /// let builder = builder.identity(webex_bot::command::BotIdentity::new("bot-id", "Bot"));
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
    /// a thread of its own. Past it, new connections wait in the kernel's backlog until one
    /// closes; idle kept-alive connections close after 30 s.
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
    /// [`Card::submit`](crate::card::Card::submit)); the inputs are deserialized into `T`.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// #[derive(serde::Deserialize)]
    /// struct Vote { choice: String }
    /// let builder = builder.on_card("vote", |_ctx: &webex_bot::bot::CardContext, v: Vote| format!("You chose {}", v.choice));
    /// ```
    pub fn on_card<T, R, F>(mut self, action: &str, handler: F) -> Self
    where
        T: DeserializeOwned,
        R: IntoReply,
        F: Fn(&CardContext, T) -> R + Send + Sync + 'static,
    {
        let h: CardHandler =
            Arc::new(
                move |ctx, inputs| match serde_json::from_value::<T>(inputs) {
                    Ok(v) => handler(ctx, v).into_reply(),
                    Err(e) => Reply::text(format!("Sorry, I couldn't read that form: {e}")),
                },
            );
        self.cards.insert(action.to_owned(), h);
        self
    }

    /// Runs when the bot is added to a room (for example, to greet with help). The reply
    /// goes to that room.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.on_added(|_ctx: &webex_bot::bot::EventContext| "Hello! Type `help`.");
    /// ```
    pub fn on_added<R: IntoReply, F: Fn(&EventContext) -> R + Send + Sync + 'static>(
        mut self,
        f: F,
    ) -> Self {
        self.on_added = Some(Arc::new(move |c| f(c).into_reply()));
        self
    }

    /// Runs when the bot is removed from a room.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let builder = builder.on_removed(|ctx: &webex_bot::bot::EventContext| { let _ = &ctx.membership; });
    /// ```
    pub fn on_removed<R: IntoReply, F: Fn(&EventContext) -> R + Send + Sync + 'static>(
        mut self,
        f: F,
    ) -> Self {
        self.on_removed = Some(Arc::new(move |c| f(c).into_reply()));
        self
    }

    /// Serves another HTTP route on the same listener, such as `POST /hooks/ci` for a
    /// notifier.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// use webex_bot::bot::RouteResponse;
    /// let builder = builder.route("POST", "/hooks/ci", |req| RouteResponse::new(202, format!("{} bytes", req.body.len())));
    /// ```
    pub fn route<F>(mut self, method: &str, path: &str, handler: F) -> Self
    where
        F: Fn(&RouteRequest) -> RouteResponse + Send + Sync + 'static,
    {
        let handler: RouteHandler = Arc::new(handler);
        self.routes.push(Route {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            handler,
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
    /// let builder = builder.access(webex_bot::bot::Access::default().domain("example.com"));
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
    /// let builder = builder.command_access("echo", webex_bot::bot::Access::default().person("boss@example.com"));
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

    /// Checks the configuration, compiles the commands and learns who the bot is.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let bot = builder
    ///     .client(webex_bot::Client::new("token"))
    ///     .identity(webex_bot::command::BotIdentity::new("bot-id", "Bot"))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(bot.identity().display_name(), "Bot");
    /// ```
    pub fn build(self) -> Result<Bot, BotError> {
        let client = self.client.clone().ok_or_else(|| {
            BotError::Config("no client: call `.client(..)` or use `from_env`".into())
        })?;
        let dispatcher = self
            .commands
            .clone()
            .compile()
            .map_err(BotError::Conflict)?;
        for name in self.command_access.keys() {
            if !dispatcher.specs().any(|s| s.name == *name) {
                return Err(BotError::Config(format!(
                    "access rule for unknown command `{name}`"
                )));
            }
        }
        let identity = match self.identity.clone() {
            Some(i) => i,
            None => {
                let me = client.people().me()?;
                BotIdentity::new(me.id.clone(), me.display_name.clone().unwrap_or_default())
            }
        };
        let webhook_path = match &self.public_url {
            Some(u) => {
                let parsed = crate::util::HttpUrl::parse(u)
                    .map_err(|e| BotError::Config(format!("WEBEX_PUBLIC_URL {u:?}: {e}")))?;
                parsed.path
            }
            None => "/".into(),
        };
        let secret = match (&self.secret, &self.public_url, self.manage_webhooks) {
            (Some(s), _, _) => Some(s.clone()),
            (None, Some(_), true) => Some(Secret::random()),
            _ => None,
        };
        Ok(Bot {
            builder: self,
            client,
            dispatcher,
            identity,
            webhook_path,
            secret,
        })
    }
}

/// A configured bot, ready to start.
///
/// ```
/// # use webex_bot::{Bot, command, commands};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let builder = Bot::builder(commands![echo]);
/// let bot = builder.client(webex_bot::Client::new("t")).identity(webex_bot::command::BotIdentity::new("b", "Bot")).build().unwrap();
/// ```
pub struct Bot {
    builder: BotBuilder,
    client: Client,
    dispatcher: Dispatcher,
    identity: BotIdentity,
    webhook_path: String,
    secret: Option<Secret>,
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("identity", &self.identity)
            .field("webhook_path", &self.webhook_path)
            .finish_non_exhaustive()
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

    /// Who the bot is.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let bot = builder.client(webex_bot::Client::new("t")).identity(webex_bot::command::BotIdentity::new("b", "Bot")).build().unwrap();
    /// assert_eq!(bot.identity().person_id(), "b");
    /// ```
    pub fn identity(&self) -> &BotIdentity {
        &self.identity
    }

    /// The compiled commands.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let bot = builder.client(webex_bot::Client::new("t")).identity(webex_bot::command::BotIdentity::new("b", "Bot")).build().unwrap();
    /// assert_eq!(bot.dispatcher().specs().count(), 1);
    /// ```
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// Starts listening and processing in the background.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let mut running = builder
    ///     .client(webex_bot::Client::new("t"))
    ///     .identity(webex_bot::command::BotIdentity::new("b", "Bot"))
    ///     .listen("127.0.0.1:0")
    ///     .build()
    ///     .unwrap()
    ///     .start()
    ///     .unwrap();
    /// running.shutdown();
    /// ```
    pub fn start(self) -> Result<RunningBot, BotError> {
        let started = Instant::now();
        let b = self.builder;
        let shared = Arc::new(Shared {
            client: self.client.clone(),
            dispatcher: self.dispatcher,
            identity: Arc::new(self.identity),
            state: Arc::new(b.state),
            secret: self.secret.clone(),
            webhook_path: self.webhook_path,
            body_limit: b.body_limit,
            counters: Counters::default(),
            dedup: Mutex::new(Dedup::new(16_384)),
            routes: b.routes,
            ignore_bots: b.ignore_bots,
            access: b.access,
            command_access: b.command_access,
            cards: b.cards,
            on_added: b.on_added,
            on_removed: b.on_removed,
            explain: b.explain,
            accepting: AtomicBool::new(true),
            conversations: Arc::default(),
        });
        // Events are boxed: the queue keeps its capacity after a burst, and 1,024 events
        // inline would hold over half a megabyte from then on.
        let pool = Pool::start("webex-bot-worker", b.queue, b.workers, IDLE_EXIT, {
            let shared = shared.clone();
            move |event: Box<WebhookEvent>| {
                process(&shared, *event);
                Counters::bump(&shared.counters.processed);
            }
        })
        .map_err(|e| BotError::Config(format!("starting a worker thread: {e}")))?;
        let listener =
            match Listener::bind(&b.listen, shared.clone(), pool.clone(), b.max_connections) {
                Ok(l) => l,
                Err(e) => {
                    pool.close();
                    return Err(BotError::Listen(e));
                }
            };
        let mut running = RunningBot {
            shared,
            listener: Some(listener),
            pool,
            webhooks: Vec::new(),
            remove_webhooks: b.remove_webhooks_on_shutdown,
            deadline: b.shutdown_deadline,
        };
        log::info!(
            "bot {:?} listening on http://{} (webhook path {}), ready in {:.1} ms",
            running.shared.identity.display_name(),
            running.addr(),
            running.shared.webhook_path,
            started.elapsed().as_secs_f64() * 1000.0
        );
        if let (Some(url), true) = (&b.public_url, b.manage_webhooks) {
            let secret = running
                .shared
                .secret
                .clone()
                .expect("a managed webhook has a secret");
            match super::lifecycle::ensure_webhooks(
                &running.shared.client,
                &b.webhook_name,
                url,
                &secret,
            ) {
                Ok(ids) => running.webhooks = ids,
                Err(e) => {
                    running.shutdown();
                    return Err(BotError::Client(e));
                }
            }
        }
        for hook in b.on_start {
            hook(running.notifier());
        }
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
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| BotError::Config(format!("signal handlers: {e}")))?;
    let mut running = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("webex-bot-start".into())
            .spawn_scoped(s, start)
            .map_err(|e| BotError::Config(format!("starting: {e}")))?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    if let Some(sig) = signals.forever().next() {
        log::info!("signal {sig} received: shutting down");
    }
    running.shutdown();
    Ok(())
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
    shared: Arc<Shared>,
    listener: Option<Listener>,
    pool: Pool<Box<WebhookEvent>>,
    webhooks: Vec<String>,
    remove_webhooks: bool,
    deadline: Duration,
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
        format!("http://{}{}", self.addr(), self.shared.webhook_path)
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
        self.shared.secret.as_ref()
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
        Notifier {
            client: self.shared.client.clone(),
        }
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
        let mut s = self.shared.counters.snapshot();
        s.waiting = self.shared.conversations.waiting();
        s.queued = self.pool.queued() as u64;
        s.workers = self.pool.workers() as u64;
        s
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
        &self.webhooks
    }

    /// Stops accepting, lets the workers finish every accepted event (within the shutdown
    /// deadline), and removes the webhooks if configured.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let running = bot.running();
    /// let mut bot = bot;
    /// let stats = bot.shutdown_bot(); // calls RunningBot::shutdown
    /// assert_eq!(stats.processed, stats.accepted);
    /// ```
    pub fn shutdown(&mut self) {
        self.shared.accepting.store(false, Ordering::SeqCst);
        let deadline = Instant::now() + self.deadline;
        if let Some(l) = self.listener.take() {
            l.stop(self.deadline);
        }
        // The listener is stopped: nothing more can be queued. The workers finish the
        // queue and end.
        let pending = self.pool.queued();
        if pending > 0 {
            log::info!("shutdown: finishing {pending} queued events");
        }
        self.pool.close();
        if self.pool.wait_workers(0, deadline) > 0 {
            log::warn!(
                "shutdown: workers still busy after {:?}; leaving them",
                self.deadline
            );
        }
        if self.remove_webhooks {
            for id in self.webhooks.drain(..) {
                if let Err(e) = self.shared.client.webhooks().delete(&id) {
                    log::warn!("shutdown: could not delete webhook {id}: {e}");
                }
            }
        }
    }
}

impl Drop for RunningBot {
    fn drop(&mut self) {
        if self.listener.is_some() {
            self.shutdown();
        }
    }
}

/// Posts messages through the bot from anywhere: timers, other threads, extra routes.
///
/// ```no_run
/// # fn f(notifier: webex_bot::bot::Notifier) {
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
    ///
    /// let notifier = webex_bot::bot::Notifier::new(webex_bot::Client::new("t"));
    /// ```
    pub fn new(client: Client) -> Self {
        Notifier { client }
    }

    /// Sends a reply whose targets are absolute (`to_room`, `to_email`, ...).
    ///
    /// ```
    ///
    /// # fn f(notifier: webex_bot::bot::Notifier) -> Result<(), webex_bot::client::Error> {
    /// notifier.send(webex_bot::Reply::markdown("**done**").to_email("alice@example.com"))?;
    /// # Ok(()) }
    /// ```
    pub fn send(&self, reply: impl IntoReply) -> Result<Vec<Message>, crate::client::Error> {
        send_reply(&self.client, None, reply.into_reply())
    }

    /// The client.
    ///
    /// ```
    ///
    /// let notifier = webex_bot::bot::Notifier::new(webex_bot::Client::new("t"));
    /// assert_eq!(notifier.client().base_url(), "https://webexapis.com/v1");
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn process(shared: &Shared, event: WebhookEvent) {
    log::debug!(
        "event {}/{} {} (webhook {})",
        event.resource,
        event.event,
        event.data["id"].as_str().unwrap_or("without an id"),
        event.id
    );
    match event.kind() {
        EventKind::MessageCreated(m) => on_message(shared, m),
        EventKind::MembershipCreated(m) if is_bot(shared, &m) => {
            if let Some(h) = &shared.on_added {
                run_membership(shared, h, m, event.actor_id);
            }
        }
        EventKind::MembershipDeleted(m) if is_bot(shared, &m) => {
            if let Some(h) = &shared.on_removed {
                run_membership(shared, h, m, event.actor_id);
            }
        }
        EventKind::AttachmentActionCreated(a) => on_card(shared, a),
        _ => log::debug!("event {}/{} ignored", event.resource, event.event),
    }
}

fn is_bot(shared: &Shared, m: &Membership) -> bool {
    m.person_id
        .as_deref()
        .is_some_and(|p| shared.identity.is(p))
}

fn on_message(shared: &Shared, slim: Message) {
    if slim
        .person_id
        .as_deref()
        .is_some_and(|p| shared.identity.is(p))
    {
        log::debug!("message {} is the bot's own: ignored", slim.id);
        return;
    }
    if shared.ignore_bots
        && slim
            .person_email
            .as_deref()
            .is_some_and(|e| e.to_ascii_lowercase().ends_with("@webex.bot"))
    {
        log::debug!("message {} is from another bot: ignored", slim.id);
        return;
    }
    let message = match shared.client.messages().get(&slim.id) {
        Ok(m) => m,
        Err(e) => {
            log::error!("message {}: could not fetch it: {e}", slim.id);
            return;
        }
    };
    let email = message.person_email.clone().unwrap_or_default();
    let room = message.room_id.clone().unwrap_or_default();
    let ctx = Context {
        client: shared.client.clone(),
        message,
        bot: shared.identity.clone(),
        state: shared.state.clone(),
        outbox: Arc::new(|ctx: &Context, reply: Reply| {
            send_reply(&ctx.client, Some(&ctx.message), reply)
        }),
        conversations: Some(shared.conversations.clone()),
    };
    if !shared.access.allows(&email, &room) {
        log::info!(
            "message {}: {email} is not allowed to use this bot",
            ctx.message.id
        );
        deliver(
            shared,
            &ctx,
            Reply::text("Sorry, I only take commands from people I was set up to work with."),
        );
        return;
    }
    let input = CommandInput::from_message(&ctx.message, &shared.identity);
    let refusal = |spec: &CommandSpec| -> Option<Reply> {
        let rule = shared.command_access.get(spec.name)?;
        (!rule.allows(&email, &room)).then(|| {
            Reply::text(format!(
                "Sorry, you are not allowed to use `{}`.",
                spec.usage()
            ))
        })
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        shared.dispatcher.dispatch_guarded(&ctx, &input, &refusal)
    }));
    Counters::bump(&shared.counters.commands);
    let reply = match outcome {
        Ok(d) => {
            if shared.explain {
                log::info!("message {} from {email}: {}", ctx.message.id, d.explanation);
            } else {
                log::debug!("message {} from {email}: {}", ctx.message.id, d.explanation);
            }
            d.reply
        }
        Err(panic) => {
            Counters::bump(&shared.counters.panics);
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic".into());
            log::error!("message {}: the handler panicked: {what}", ctx.message.id);
            Reply::text(
                "Sorry, something went wrong while handling that. The error was logged; please try again.",
            )
        }
    };
    deliver(shared, &ctx, reply);
}

fn deliver(shared: &Shared, ctx: &Context, reply: Reply) {
    if reply.is_empty() {
        return;
    }
    if let Err(e) = send_reply(&ctx.client, Some(&ctx.message), reply) {
        Counters::bump(&shared.counters.failed_replies);
        log::error!(
            "message {}: the reply could not be sent: {e}",
            ctx.message.id
        );
    }
}

fn run_membership(
    shared: &Shared,
    h: &MembershipHandler,
    membership: Membership,
    actor_id: Option<String>,
) {
    let room = membership.room_id.clone();
    let ctx = EventContext {
        membership,
        actor_id,
        client: shared.client.clone(),
    };
    let reply = match catch_unwind(AssertUnwindSafe(|| h(&ctx))) {
        Ok(r) => r,
        Err(_) => {
            Counters::bump(&shared.counters.panics);
            log::error!("membership handler panicked");
            return;
        }
    };
    if reply.is_empty() {
        return;
    }
    let origin = Message {
        room_id: room,
        ..Message::default()
    };
    if let Err(e) = send_reply(&shared.client, Some(&origin), reply) {
        Counters::bump(&shared.counters.failed_replies);
        log::error!("membership reply could not be sent: {e}");
    }
}

fn on_card(shared: &Shared, slim: AttachmentAction) {
    if slim
        .person_id
        .as_deref()
        .is_some_and(|p| shared.identity.is(p))
    {
        return;
    }
    let action = match shared.client.attachment_actions().get(&slim.id) {
        Ok(a) => a,
        Err(e) => {
            log::error!("card submission {}: could not fetch it: {e}", slim.id);
            return;
        }
    };
    let key = action
        .inputs
        .get("action")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    let Some(handler) = shared.cards.get(&key) else {
        log::warn!(
            "card submission {}: no handler for action {key:?}",
            action.id
        );
        return;
    };
    let inputs = action.inputs.clone();
    let origin = Message {
        room_id: action.room_id.clone(),
        person_id: action.person_id.clone(),
        ..Message::default()
    };
    let ctx = CardContext {
        action,
        client: shared.client.clone(),
    };
    let reply = match catch_unwind(AssertUnwindSafe(|| handler(&ctx, inputs))) {
        Ok(r) => r,
        Err(_) => {
            Counters::bump(&shared.counters.panics);
            log::error!("card handler for {key:?} panicked");
            Reply::text("Sorry, something went wrong while handling that form.")
        }
    };
    if !reply.is_empty()
        && let Err(e) = send_reply(&shared.client, Some(&origin), reply)
    {
        Counters::bump(&shared.counters.failed_replies);
        log::error!("card reply could not be sent: {e}");
    }
}
