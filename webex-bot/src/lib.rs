//! # webex-bot
//!
//! Write Cisco Webex bots by annotating plain functions. Everything is blocking: no async
//! runtime. See the crate README and the book for a guided tour.
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
pub mod models;
mod secret;
use unversioned::server;
mod limit;
#[cfg(feature = "emulator")]
pub mod shell;
#[cfg(feature = "emulator")]
pub mod testing;
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
    Notifier, Reply, RoomRef, RouteRequest, RouteResponse, RunningBot, Sender, State,
    WebhookHandler,
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

/// Runs a bot the way its binary should: against Webex when `WEBEX_ACCESS_TOKEN` is set
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
    let token = std::env::var("WEBEX_ACCESS_TOKEN").unwrap_or_default();
    if !token.trim().is_empty() {
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
