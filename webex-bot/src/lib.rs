//! # webex-bot
//!
//! Write Cisco Webex bots by annotating plain functions with the command they answer; the
//! crate parses messages into typed arguments, answers `help`, receives Webex's events
//! (signed webhooks, or the websocket Webex's own apps use, so that no public URL is
//! needed), dispatches and replies. Everything is blocking: no async runtime.
//! A local Webex emulator lets a bot run in the terminal and be tested with no account.
//!
//! ```
//! use webex_bot::{Bot, command, commands, testing::TestBot};
//!
//! /// Look a ticket up.
//! #[command("find <ticket>")]
//! fn find(ticket: u32) -> String {
//!     format!("Ticket {ticket} is open")
//! }
//!
//! // In `main`: `webex_bot::run(Bot::builder(commands![find]))` serves Webex when
//! // WEBEX_ACCESS_TOKEN is set, and chats in the terminal otherwise. In a test:
//! let bot = TestBot::start(Bot::builder(commands![find])).unwrap();
//! bot.say("find 42").assert_text("Ticket 42 is open");
//! bot.say("find abc").assert_contains("`abc` is not a whole number");
//! ```
//!
//! ## Where to go next
//!
//! - **The book**, in `book/` of the repository (`mdbook serve book` opens it): a quick
//!   start, the three patterns (notifier, controller, assistant), conversations, testing,
//!   events without a public URL, going live, performance and reliability.
//! - [`command`] for patterns (`<arg>`, `[optional]`, `<rest...>`, aliases, help text) and
//!   [`ArgEnum`] for arguments that are one of a few words.
//! - [`BotBuilder`] for everything a bot is made of: commands, cards, membership events,
//!   routes, state, access rules; [`Context`] and [`FromContext`] for what a handler may
//!   take; [`Reply`], [`Markdown`] and [`Card`] for what it may answer.
//! - [`testing::TestBot`] and the [`emulator`] for tests; [`shell`] for the terminal.
//! - [`Client`] for the REST API on its own; [`webhook`] for signatures and webhook
//!   management; [`logging`] for logs that keep secrets out.
//!
//! Configuration comes from the environment (`WEBEX_ACCESS_TOKEN`, `WEBEX_BASE_URL`,
//! `WEBEX_WEBHOOK_SECRET`, `WEBEX_PUBLIC_URL`, `WEBEX_LISTEN`, `WEBEX_EVENTS`,
//! `WEBEX_U2C_URL`): see [`BotBuilder::env`] and, for events without a public URL,
//! [`BotBuilder::events`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate self as webex_bot;

pub mod args;
pub mod bot;
pub mod card;
pub mod client;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod logging;
pub mod markdown;
mod mercury;
pub mod models;
pub mod oauth;
mod secret;
mod store;
use unversioned::server;
mod limit;
#[cfg(feature = "emulator")]
pub mod shell;
#[cfg(feature = "emulator")]
pub mod testing;
pub mod tokens;
mod util;
pub mod webhook;

#[doc(hidden)]
pub mod __private;

pub mod unversioned;

// What a bot author uses every day, at the root.
#[doc(inline)]
pub use args::{BotIdentity, Email, Mention};
#[doc(inline)]
pub use bot::{
    Access, Bot, BotBuilder, BotError, Commands, Context, Delivery, FromContext, Inputs, IntoReply,
    Notifier, PersonState, Reply, RoomRef, RoomState, RouteRequest, RouteResponse, RunningBot,
    Sender, State, StateError, WebhookHandler,
};
#[doc(inline)]
pub use card::Card;
#[doc(inline)]
pub use client::Client;
#[doc(inline)]
pub use markdown::Markdown;
#[doc(inline)]
pub use secret::Secret;
pub use webex_bot_macros::{ArgEnum, command, commands};

/// Runs a bot the way its binary should: against Webex when `WEBEX_ACCESS_TOKEN` (or
/// `WEBEX_ACCESS_TOKEN_FILE`, see [`tokens`]) is set
/// (configured from the environment, serving until SIGINT or SIGTERM), otherwise in
/// [shell mode](crate::shell) against an embedded emulator, reading the terminal.
///
/// ```no_run
/// use webex_bot::{Bot, command, commands};
///
/// /// Repeat the text back.
/// #[command("echo <text...>")]
/// fn echo(text: String) -> String { text }
///
/// fn main() -> Result<(), webex_bot::BotError> {
///     webex_bot::run(Bot::builder(commands![echo]))
/// }
/// ```
pub fn run(builder: BotBuilder) -> Result<(), bot::BotError> {
    if tokens::configured_in_env() {
        return bot::serve_until_signal(|| builder.env()?.build()?.start());
    }
    #[cfg(feature = "emulator")]
    {
        let stdin = std::io::stdin();
        shell::run_with(builder, stdin.lock(), std::io::stdout(), std::io::stderr())
    }
    #[cfg(not(feature = "emulator"))]
    {
        Err(bot::BotError::NoShell)
    }
}
