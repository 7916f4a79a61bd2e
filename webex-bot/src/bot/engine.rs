//! What the intake of deliveries, the listener and the workers share: the handlers, the
//! rules, the counters, and the two ways the runtime calls a handler and sends what it
//! answers.

use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::access::Access;
use super::context::{Context, StateMap, Trigger};
use super::conversation::Conversations;
use super::dispatch::Dispatcher;
use super::extract::InjectErrorKind;
use super::handler::BoxedHandler;
use super::reply::{Reply, SORRY_SETUP};
use super::send::send_reply_as;
use super::stats::Counters;
use crate::Client;
use crate::args::BotIdentity;
use crate::models::Message;

/// The bot's handlers and rules, built once by [`BotBuilder::build`](crate::BotBuilder::build).
pub(crate) struct Engine {
    pub client: Client,
    pub dispatcher: Dispatcher,
    pub identity: Arc<BotIdentity>,
    pub state: Arc<StateMap>,
    pub counters: Counters,
    pub ignore_bots: bool,
    pub access: Access,
    pub command_access: HashMap<&'static str, Access>,
    pub cards: HashMap<String, BoxedHandler<Reply>>,
    pub on_added: Option<BoxedHandler<Reply>>,
    pub on_removed: Option<BoxedHandler<Reply>>,
    pub explain: bool,
    pub conversations: Arc<Conversations>,
}

impl Engine {
    /// A context for an event, with the bot's state and conversations.
    pub(crate) fn context(&self, trigger: Trigger, origin: Message) -> Context {
        Context::build(
            self.client.clone(),
            self.identity.clone(),
            self.state.clone(),
            Some(self.conversations.clone()),
            trigger,
            origin,
        )
    }

    /// Runs `f`, the handler called `handler`, under the panic guard: a panic is counted
    /// and logged with its message and the handler's name, and gives `None`.
    pub(crate) fn guarded<T>(
        &self,
        handler: &dyn fmt::Display,
        f: impl FnOnce() -> T,
    ) -> Option<T> {
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(v) => Some(v),
            Err(panic) => {
                Counters::bump(&self.counters.panics);
                let what = crate::util::panic_message(&*panic);
                log::error!("{handler} panicked: {what}");
                None
            }
        }
    }

    /// Calls a card or membership handler: under the guard (`None` when it panicked), a
    /// parameter that could not be supplied told to the user (a form that does not read)
    /// or logged (a set-up mistake).
    pub(crate) fn call(&self, handler: &BoxedHandler<Reply>, ctx: &Context) -> Option<Reply> {
        Some(match self.guarded(&handler.name, || handler.call(ctx))? {
            Ok(reply) => reply,
            Err(e) if e.kind() == InjectErrorKind::BadInput => {
                let why =
                    std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
                Reply::text(format!("Sorry, I couldn't read that form: {why}"))
            }
            Err(e) => {
                log::error!("{} could not run: {e}", handler.name);
                Reply::text(SORRY_SETUP)
            }
        })
    }

    /// Sends `reply` relative to `ctx`'s event; a failure is counted and logged with
    /// `what` (`message <id>`, `card submission <id>`, ...).
    pub(crate) fn deliver(&self, ctx: &Context, reply: Reply, what: &dyn fmt::Display) {
        if reply.is_empty() {
            return;
        }
        let sent = send_reply_as::<serde::de::IgnoredAny>(&self.client, Some(&ctx.origin), reply);
        if let Err(e) = sent {
            Counters::bump(&self.counters.failed_replies);
            log::error!("{what}: the reply could not be sent: {e}");
        }
    }
}

/// Names an event in logs (`message <id>`) without formatting it until a line is written.
pub(crate) struct EventName<'a>(pub &'static str, pub &'a str);

impl fmt::Display for EventName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}
