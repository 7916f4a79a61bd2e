//! What a handler knows about the message it answers, and the values the runtime passes
//! to handler parameters that are not in the pattern.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use super::reply::{IntoReply, Reply};
use crate::Client;
use crate::command::BotIdentity;
use crate::models::{Message, RoomType};

/// Shared application state, keyed by type.
#[derive(Default, Clone)]
pub(crate) struct StateMap(HashMap<TypeId, Arc<dyn Any + Send + Sync>>);

impl StateMap {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: Arc<T>) {
        self.0.insert(TypeId::of::<T>(), value);
    }

    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.0
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|a| a.downcast::<T>().ok())
    }
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateMap({} values)", self.0.len())
    }
}

/// Sends a reply relative to a context's message.
pub(crate) type Outbox =
    Arc<dyn Fn(&Context, Reply) -> Result<Vec<Message>, crate::client::Error> + Send + Sync>;

/// Everything a command handler can know: the message (fetched, with its text), who sent
/// it, the room, the client, shared state.
///
/// ```
/// use webex_bot::{Context, command};
///
/// /// Say who I am talking to.
/// #[command("whoami")]
/// fn whoami(ctx: &Context) -> String {
///     format!("You are {}", ctx.sender().email)
/// }
/// ```
pub struct Context {
    pub(crate) client: Client,
    pub(crate) message: Message,
    pub(crate) bot: Arc<BotIdentity>,
    pub(crate) state: Arc<StateMap>,
    pub(crate) outbox: Outbox,
    pub(crate) conversations: Option<Arc<super::conversation::Conversations>>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("message", &self.message.id)
            .field("room", &self.message.room_id)
            .finish()
    }
}

impl Context {
    /// A context for `message`, outside a running bot: for unit tests of handlers and for
    /// benchmarks. [`say`](Self::say) sends through `client`.
    ///
    /// ```
    /// use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// let mut m = Message::default();
    /// m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.sender().email, "alice@example.com");
    /// ```
    pub fn new(client: Client, message: Message, bot: BotIdentity) -> Context {
        Context {
            client,
            message,
            bot: Arc::new(bot),
            state: Arc::new(StateMap::default()),
            outbox: Arc::new(|ctx: &Context, reply: Reply| {
                super::send::send_reply(&ctx.client, Some(&ctx.message), reply)
            }),
            conversations: None,
        }
    }

    /// The message being answered.
    ///
    /// ```
    /// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.message().id, "m1");
    /// ```
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// Who sent it.
    ///
    /// ```
    /// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.sender().email, "alice@example.com");
    /// ```
    pub fn sender(&self) -> Sender {
        Sender {
            id: self.message.person_id.clone().unwrap_or_default(),
            email: self.message.person_email.clone().unwrap_or_default(),
        }
    }

    /// Where it was sent.
    ///
    /// ```
    /// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.room().id, "r1");
    /// ```
    pub fn room(&self) -> RoomRef {
        RoomRef {
            id: self.message.room_id.clone().unwrap_or_default(),
            room_type: self.message.room_type.unwrap_or(RoomType::Unknown),
        }
    }

    /// The REST client, to call any Webex API.
    ///
    /// ```
    /// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.client().base_url(), "https://webexapis.com/v1");
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Who the bot is.
    ///
    /// ```
    /// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.bot().display_name(), "Bot");
    /// ```
    pub fn bot(&self) -> &BotIdentity {
        &self.bot
    }

    /// Shared state of type `T` given to the bot builder, if any.
    ///
    /// ```
    /// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert!(ctx.state::<u32>().is_none());
    /// ```
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<State<T>> {
        self.state.get::<T>().map(State)
    }

    /// Asks the sender a question and waits, at most `timeout`, for their next message in
    /// this room, which then goes to this handler instead of the command table. Returns the
    /// answer (fetched, with its text), or `None` when the time ran out. Plain blocking code:
    /// the handler's worker waits, the other workers go on.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use webex_bot::{Context, command};
    ///
    /// /// Book a room.
    /// #[command("book")]
    /// fn book(ctx: &Context) -> Result<String, webex_bot::client::Error> {
    ///     match ctx.ask("At what time?", Duration::from_secs(120))? {
    ///         Some(answer) => Ok(format!("Booked for {}", answer.text.unwrap_or_default())),
    ///         None => Ok("No answer: nothing booked.".into()),
    ///     }
    /// }
    /// ```
    pub fn ask(
        &self,
        question: impl IntoReply,
        timeout: std::time::Duration,
    ) -> Result<Option<Message>, crate::client::Error> {
        let conversations = self
            .conversations
            .as_ref()
            .ok_or_else(|| crate::client::Error::Config("ask needs a running bot".into()))?;
        let room = self.message.room_id.clone().unwrap_or_default();
        let person = self.message.person_id.clone().unwrap_or_default();
        self.say(question)?;
        match conversations.wait(&room, &person, timeout) {
            Some(slim) => self.client.messages().get(&slim.id).map(Some),
            None => Ok(None),
        }
    }

    /// Sends messages now, before the handler returns (the return value is sent after).
    /// Targets are relative to this message: [`Reply::in_thread`], [`Reply::direct`], ...
    ///
    /// ```
    /// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// # fn f(ctx: &webex_bot::Context) -> Result<(), webex_bot::client::Error> {
    /// ctx.say("Working on it...")?;
    /// # Ok(()) }
    /// let _ = ctx;
    /// ```
    pub fn say(&self, reply: impl IntoReply) -> Result<Vec<Message>, crate::client::Error> {
        (self.outbox)(self, reply.into_reply())
    }
}

/// The sender of a message.
///
/// ```
/// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
/// # let mut m = Message::default();
/// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
/// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
/// assert_eq!(ctx.sender().id, "p1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sender {
    /// Person id.
    pub id: String,
    /// Email address.
    pub email: String,
}

/// The room of a message.
///
/// ```
/// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
/// # let mut m = Message::default();
/// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
/// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
/// assert!(!ctx.room().is_direct());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoomRef {
    /// Room id.
    pub id: String,
    /// Direct or group.
    pub room_type: RoomType,
}

impl RoomRef {
    /// Whether it is a 1:1 room.
    ///
    /// ```
    /// use webex_bot::{bot::RoomRef, models::RoomType};
    /// assert!(RoomRef { id: "r".into(), room_type: RoomType::Direct }.is_direct());
    /// ```
    pub fn is_direct(&self) -> bool {
        self.room_type == RoomType::Direct
    }
}

/// Shared state given to the bot with [`BotBuilder::state`](crate::BotBuilder::state):
/// take it as a handler parameter.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use webex_bot::{State, command};
///
/// #[derive(Default)]
/// struct Counter {
///     calls: AtomicU64,
/// }
///
/// /// Count the calls.
/// #[command("count")]
/// fn count(counter: State<Counter>) -> String {
///     (counter.calls.fetch_add(1, Ordering::Relaxed) + 1).to_string()
/// }
/// ```
pub struct State<T: ?Sized>(pub Arc<T>);

impl<T: ?Sized> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> Clone for State<T> {
    fn clone(&self) -> Self {
        State(self.0.clone())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why the runtime could not supply a handler parameter.
///
/// ```
/// let e = webex_bot::bot::InjectError("no state".into());
/// assert_eq!(e.to_string(), "no state");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectError(pub String);

impl fmt::Display for InjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InjectError {}

/// A handler parameter the runtime supplies, chosen by its type, for parameters that are
/// not in the pattern: `&Context`, `&Message`, `Message`, [`Sender`], [`RoomRef`],
/// [`Client`], [`BotIdentity`] and [`State<T>`].
///
/// ```
/// # use webex_bot::{Client, Context, command::BotIdentity, models::Message};
/// # let mut m = Message::default();
/// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
/// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
/// use webex_bot::bot::{FromContext, Sender};
/// let who = Sender::from_context(&ctx).unwrap();
/// assert_eq!(who.email, "alice@example.com");
/// ```
#[diagnostic::on_unimplemented(
    message = "parameter of type `{Self}` is neither in the pattern nor supplied by the runtime",
    label = "not an argument of the pattern, and the runtime cannot supply a `{Self}`",
    note = "name the parameter like an argument of the pattern (`<name>`), or take one of `&Context`, `&Message`, `Sender`, `RoomRef`, `Client`, `State<T>`"
)]
pub trait FromContext<'a>: Sized {
    /// Takes the value from the context.
    fn from_context(ctx: &'a Context) -> Result<Self, InjectError>;
}

impl<'a> FromContext<'a> for &'a Context {
    fn from_context(ctx: &'a Context) -> Result<Self, InjectError> {
        Ok(ctx)
    }
}

impl<'a> FromContext<'a> for &'a Message {
    fn from_context(ctx: &'a Context) -> Result<Self, InjectError> {
        Ok(&ctx.message)
    }
}

impl FromContext<'_> for Message {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok(ctx.message.clone())
    }
}

impl FromContext<'_> for Sender {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok(ctx.sender())
    }
}

impl FromContext<'_> for RoomRef {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok(ctx.room())
    }
}

impl FromContext<'_> for Client {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok(ctx.client.clone())
    }
}

impl<'a> FromContext<'a> for &'a BotIdentity {
    fn from_context(ctx: &'a Context) -> Result<Self, InjectError> {
        Ok(&ctx.bot)
    }
}

impl<T: Send + Sync + 'static> FromContext<'_> for State<T> {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        ctx.state::<T>().ok_or_else(|| {
            InjectError(format!(
                "no state of type `{}` was given to the bot (use `BotBuilder::state`)",
                std::any::type_name::<T>()
            ))
        })
    }
}
