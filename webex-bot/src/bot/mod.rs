//! The bot runtime: the webhook listener, the worker pool, dispatch and replies.
//!
//! A [`Bot`] is built from the environment and a command table, then started: the
//! [listener](crate::server) checks each delivery's signature, answers at once and queues
//! the event; a
//! bounded pool of workers fetches each message, runs the matching command and sends the
//! reply through the [`Client`](crate::Client).

mod commands;
mod context;
mod conversation;
mod lifecycle;
mod listener;
mod pool;
mod reply;
mod runtime;
mod send;

pub use commands::{Command, CommandError, Commands, Dispatched, Dispatcher, Explanation};
pub use context::{Context, FromContext, InjectError, RoomRef, Sender, State};
pub use listener::{RouteRequest, RouteResponse};
pub use reply::{Content, IntoReply, Outgoing, Reply, Target};
pub(crate) use runtime::serve_until_signal;
pub use runtime::{
    Access, Bot, BotBuilder, BotError, CardContext, DEFAULT_LISTEN, EventContext, Notifier,
    RunningBot, Stats,
};

#[cfg(feature = "emulator")]
pub(crate) use lifecycle::ensure_webhooks as register_webhooks;
