//! # webex-bot
//!
//! Write Cisco Webex bots by annotating plain functions. Everything is blocking: no async
//! runtime. See the crate README and the book for a guided tour.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate self as webex_bot;

pub mod bot;
pub mod card;
pub mod client;
pub mod command;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod markdown;
pub mod models;
mod util;
pub mod webhook;

#[doc(hidden)]
pub mod __private;

#[doc(inline)]
pub use bot::{Bot, BotBuilder, Commands, Context, IntoReply, Reply, State};
#[doc(inline)]
pub use client::Client;
pub use webex_bot_macros::{command, commands};
