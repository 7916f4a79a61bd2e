//! The bot runtime: building a bot, its handlers, the webhook listener, the worker pool,
//! dispatch and replies.
//!
//! A [`Bot`] is built from the environment and a command table, then started: the
//! listener hands each delivery to the intake, which checks its signature, answers at once
//! and queues the event; a bounded pool of workers fetches each message, runs the matching
//! handler and sends the reply through the [`Client`](crate::Client).
//!
//! The files, from the bottom up: what handlers get and give (`context`, `handler`,
//! `reply`, `routes`), the command table (`dispatch`), the engine the rest shares
//! (`engine`, with `access`, `stats`, `conversation`), what workers do with an event
//! (`events`), the intake of deliveries (`intake`, with `dedupe`), the HTTP listener
//! (`listener`), and configuring and running (`builder`, `build`, `configured`, `running`).

mod access;
mod answering;
mod build;
mod builder;
mod configured;
mod context;
mod conversation;
mod dedupe;
mod dispatch;
mod engine;
mod error;
mod events;
mod events_config;
mod extract;
mod form;
mod handler;
mod intake;
mod jobs;
mod kinds;
mod link;
mod listener;
mod notifier;
mod pool;
mod replicas;
mod reply;
mod routes;
mod running;
mod scoped;
mod send;
mod shared_config;
mod source;
mod stats;
mod websocket;

pub use access::Access;
pub use builder::{BotBuilder, DEFAULT_LISTEN};
pub use configured::Bot;
pub use context::{Context, Inputs, RoomRef, Sender, State};
pub use dispatch::{Command, CommandError, Commands, Dispatched, Dispatcher, Explanation};
pub use error::{BotError, HandlerError};
pub use extract::{FromContext, InjectError, InjectErrorKind};
pub use handler::Handler;
pub use intake::{Delivery, WebhookHandler};
pub use kinds::{HandlerKind, Requirement};
pub use notifier::{Notifier, Scheduled};
pub use reply::{Content, IntoReply, Outgoing, Reply, Target};
pub use routes::{IntoRouteResponse, RouteRequest, RouteResponse};
pub use running::RunningBot;
pub use scoped::{PersonState, RoomState, StateError};
pub use source::Events;
pub use stats::{Connection, ConnectionState, Stats};

#[doc(hidden)]
pub use handler::Inject;
pub(crate) use running::serve_until_signal;
