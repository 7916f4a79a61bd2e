//! Why a bot could not be built or started.

use std::fmt;
use std::io;

/// Why a bot could not be built or started.
///
/// ```
/// use webex_bot::BotError;
/// let e = BotError::NoClient;
/// assert_eq!(e.to_string(), "bot configuration: no client: call `.client(..)` or use `from_env`");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BotError {
    /// No client was given to the builder.
    NoClient,
    /// The environment does not configure a client (`WEBEX_ACCESS_TOKEN` unset, say).
    Environment(Box<crate::client::Error>),
    /// `WEBEX_PUBLIC_URL` (or [`BotBuilder::public_url`](crate::BotBuilder::public_url))
    /// is not an absolute http(s) URL.
    PublicUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An access rule names a command the bot does not have.
    UnknownCommand(String),
    /// A handler takes a parameter the bot cannot supply.
    Handler(HandlerError),
    /// Two commands match the same messages.
    Conflict(crate::args::ConflictError),
    /// A call to Webex failed (such as `GET /people/me` at start).
    Client(Box<crate::client::Error>),
    /// The listener could not bind its address.
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: io::Error,
    },
    /// The operating system refused a thread or a signal handler.
    System {
        /// What the bot was doing.
        doing: &'static str,
        /// Why.
        source: io::Error,
    },
    /// No token is set, and shell mode needs the `emulator` feature.
    NoShell,
    /// The bot has no webhook secret, so it could not tell Webex's deliveries from forged
    /// ones, and its author did not accept that by name
    /// ([`BotBuilder::insecure_accept_unsigned_deliveries`](crate::BotBuilder::insecure_accept_unsigned_deliveries)).
    NoSecret,
    /// `WEBEX_EVENTS` is neither `webhook` nor `websocket`.
    Events(String),
    /// The websocket could not be opened at start, or was refused for good.
    Websocket(String),
    /// Redis (`WEBEX_REDIS_URL`) could not be reached or used at start.
    Redis(String),
}

impl fmt::Display for BotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BotError::NoClient => f.write_str(
                "bot configuration: no client: call `.client(..)` or use `from_env`",
            ),
            BotError::Environment(e) => write!(f, "bot configuration: {e}"),
            BotError::PublicUrl { url, reason } => {
                write!(f, "bot configuration: WEBEX_PUBLIC_URL {url:?}: {reason}")
            }
            BotError::UnknownCommand(name) => {
                write!(f, "bot configuration: access rule for unknown command `{name}`")
            }
            BotError::Handler(e) => write!(f, "bot configuration: {e}"),
            BotError::Conflict(e) => e.fmt(f),
            BotError::Client(e) => write!(f, "webex: {e}"),
            BotError::Listen { addr, source } => {
                write!(f, "listener: cannot listen on {addr}: {source}")
            }
            BotError::System { doing, source } => write!(f, "{doing}: {source}"),
            BotError::NoShell => f.write_str(
                "bot configuration: WEBEX_ACCESS_TOKEN is not set (and shell mode needs the `emulator` feature)",
            ),
            BotError::Events(why) => write!(f, "bot configuration: {why}"),
            BotError::Redis(why) => write!(f, "shared store: {why}"),
            BotError::Websocket(why) => write!(f, "websocket: {why}"),
            BotError::NoSecret => f.write_str(
                "bot configuration: no webhook secret, so forged deliveries could not be told apart: set WEBEX_WEBHOOK_SECRET (or `BotBuilder::secret`), or WEBEX_PUBLIC_URL so that the bot registers its webhooks with a random one; to accept unsigned deliveries anyway, call `BotBuilder::insecure_accept_unsigned_deliveries(true)`",
            ),
        }
    }
}

impl std::error::Error for BotError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BotError::Environment(e) | BotError::Client(e) => Some(&**e),
            BotError::Handler(e) => Some(e),
            BotError::Conflict(e) => Some(e),
            BotError::Listen { source, .. } | BotError::System { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<crate::client::Error> for BotError {
    fn from(e: crate::client::Error) -> Self {
        BotError::Client(Box::new(e))
    }
}

/// A handler that takes a parameter the bot cannot supply, found by
/// [`BotBuilder::build`](crate::BotBuilder::build).
///
/// ```
/// use webex_bot::{Bot, BotError, Client, State, command, commands};
///
/// struct Tickets;
///
/// /// Count the tickets.
/// #[command("count")]
/// fn count(tickets: State<Tickets>) -> String { let _ = tickets; "0".into() }
///
/// let err = Bot::builder(commands![count])
///     .client(Client::new("t"))
///     .identity(webex_bot::BotIdentity::new("b", "Bot"))
///     .build()
///     .unwrap_err();
/// let BotError::Handler(e) = err else { panic!() };
/// assert_eq!(e.handler(), "command `count`");
/// assert!(e.to_string().contains("Tickets"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError {
    pub(crate) handler: String,
    pub(crate) parameter: &'static str,
    pub(crate) problem: HandlerProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HandlerProblem {
    /// `State<T>` of a type the bot was not given.
    NoState,
    /// A parameter only other kinds of handlers get (the kinds it fits).
    WrongEvent(String),
}

impl HandlerError {
    /// The handler, as `command `name``, `card handler "action"`, `route POST /path`, ...
    ///
    /// ```
    /// # use webex_bot::{Bot, BotError, Client, State, command, commands};
    /// # struct Tickets;
    /// # /// Count.
    /// # #[command("count")]
    /// # fn count(t: State<Tickets>) -> String { let _ = t; String::new() }
    /// # let Err(BotError::Handler(e)) = Bot::builder(commands![count]).client(Client::new("t")).identity(webex_bot::BotIdentity::new("b", "B")).build() else { panic!() };
    /// assert!(e.handler().starts_with("command"));
    /// ```
    pub fn handler(&self) -> &str {
        &self.handler
    }

    /// The type of the parameter it cannot be given.
    ///
    /// ```
    /// # use webex_bot::{Bot, BotError, Client, State, command, commands};
    /// # struct Tickets;
    /// # /// Count.
    /// # #[command("count")]
    /// # fn count(t: State<Tickets>) -> String { let _ = t; String::new() }
    /// # let Err(BotError::Handler(e)) = Bot::builder(commands![count]).client(Client::new("t")).identity(webex_bot::BotIdentity::new("b", "B")).build() else { panic!() };
    /// assert!(e.parameter().contains("Tickets"));
    /// ```
    pub fn parameter(&self) -> &'static str {
        self.parameter
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            HandlerProblem::NoState => write!(
                f,
                "{} takes `State<{}>`, but the bot was given no state of that type (use `BotBuilder::state`)",
                self.handler, self.parameter
            ),
            HandlerProblem::WrongEvent(fits) => write!(
                f,
                "{} takes a `{}`, which only {fits} get",
                self.handler, self.parameter
            ),
        }
    }
}

impl std::error::Error for HandlerError {}
