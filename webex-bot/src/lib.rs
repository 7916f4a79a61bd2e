//! # webex-bot
//!
//! Write Cisco Webex bots by annotating plain functions. Everything is blocking: no async
//! runtime. See the crate README and the book for a guided tour.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod command;
pub mod models;
mod util;
pub mod webhook;

#[doc(inline)]
pub use client::Client;
