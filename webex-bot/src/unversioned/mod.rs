//! Parts of the crate that other code of this workspace (the emulator, benchmarks, tests)
//! builds on, and that a bot author may use, but that are **not covered by semantic
//! versioning**: they may change in any release. ureq 3 keeps such items apart the same
//! way.
//!
//! - [`server`]: the blocking HTTP/1.1 server the bot's listener and the emulator run on.
//! - [`Matcher`], [`Matches`], [`Outcome`]: the command matcher behind
//!   [`Dispatcher`](crate::bot::Dispatcher), for tools that match text against patterns
//!   without a bot.
//!
//! ```
//! use webex_bot::unversioned::server::{Response, Server};
//! let server = Server::builder().bind("127.0.0.1:0", |_req| Response::text(200, "ok")).unwrap();
//! assert!(server.local_addr().port() > 0);
//! ```

pub mod server;

pub use crate::args::matcher::{Matcher, Matches, Outcome};
