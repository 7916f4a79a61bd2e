//! What a handler knows about the event it answers: a message, a card submission, a
//! membership change or a request to an extra route.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use super::conversation::Conversations;
use super::kinds::HandlerKind;
use super::notifier::Notifier;
use super::reply::IntoReply;
use super::routes::RouteRequest;
use super::send::send_reply;
use crate::Client;
use crate::args::BotIdentity;
use crate::models::{AttachmentAction, Membership, Message, RoomType};

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

    pub(crate) fn contains(&self, id: TypeId) -> bool {
        self.0.contains_key(&id)
    }
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateMap({} values)", self.0.len())
    }
}

/// The event a context was made for.
#[derive(Debug)]
pub(crate) enum Trigger {
    Message,
    Card(AttachmentAction),
    Membership {
        membership: Membership,
        actor_id: Option<String>,
    },
    Route(RouteRequest),
}

/// Everything a handler can know: the event (a message with its text, a card submission,
/// a membership change, a route request), who caused it, the room, the client, shared
/// state. Commands, card, membership and route handlers all take it (or the values it
/// supplies, see [`FromContext`](crate::FromContext)) as a parameter.
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
    pub(crate) bot: Arc<BotIdentity>,
    pub(crate) state: Arc<StateMap>,
    pub(crate) conversations: Option<Arc<Conversations>>,
    pub(crate) trigger: Trigger,
    /// What relative replies answer: the message itself, or the room and person of the
    /// other events.
    pub(crate) origin: Message,
    /// The email of the person behind a card submission or membership change (a message
    /// carries its own), fetched the first time it is asked for.
    sender_email: OnceLock<String>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("event", &self.kind())
            .field("message", &self.origin.id)
            .field("room", &self.origin.room_id)
            .finish()
    }
}

impl Context {
    /// A context for `message`, outside a running bot: for unit tests of handlers and for
    /// benchmarks. [`say`](Self::say) sends through `client`.
    ///
    /// ```
    /// use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let mut m = Message::default();
    /// m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.sender().email, "alice@example.com");
    /// ```
    pub fn new(client: Client, message: Message, bot: BotIdentity) -> Context {
        Context::build(
            client,
            Arc::new(bot),
            Arc::default(),
            None,
            Trigger::Message,
            message,
        )
    }

    pub(crate) fn build(
        client: Client,
        bot: Arc<BotIdentity>,
        state: Arc<StateMap>,
        conversations: Option<Arc<Conversations>>,
        trigger: Trigger,
        origin: Message,
    ) -> Context {
        Context {
            client,
            bot,
            state,
            conversations,
            trigger,
            origin,
            sender_email: OnceLock::new(),
        }
    }

    /// The room and person relative replies of an event other than a message go to.
    pub(crate) fn origin_of(trigger: &Trigger) -> Message {
        match trigger {
            Trigger::Message | Trigger::Route(_) => Message::default(),
            Trigger::Card(a) => Message {
                room_id: a.room_id.clone(),
                person_id: a.person_id.clone(),
                ..Message::default()
            },
            Trigger::Membership {
                membership,
                actor_id,
            } => Message {
                room_id: membership.room_id.clone(),
                person_id: actor_id.clone(),
                ..Message::default()
            },
        }
    }

    /// What kind of event this is, as a handler kind.
    pub(crate) fn kind(&self) -> HandlerKind {
        match self.trigger {
            Trigger::Message => HandlerKind::Message,
            Trigger::Card(_) => HandlerKind::Card,
            Trigger::Membership { .. } => HandlerKind::Membership,
            Trigger::Route(_) => HandlerKind::Route,
        }
    }

    /// The message being answered (commands and the fallback).
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.message().unwrap().id, "m1");
    /// ```
    pub fn message(&self) -> Option<&Message> {
        matches!(self.trigger, Trigger::Message).then_some(&self.origin)
    }

    /// The card submission being handled, inputs included (card handlers).
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
    /// assert!(ctx.card().is_none());
    /// ```
    pub fn card(&self) -> Option<&AttachmentAction> {
        match &self.trigger {
            Trigger::Card(a) => Some(a),
            _ => None,
        }
    }

    /// The bot's membership that was created or deleted (membership handlers).
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
    /// assert!(ctx.membership().is_none());
    /// ```
    pub fn membership(&self) -> Option<&Membership> {
        match &self.trigger {
            Trigger::Membership { membership, .. } => Some(membership),
            _ => None,
        }
    }

    /// The request to an extra route (route handlers).
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
    /// assert!(ctx.request().is_none());
    /// ```
    pub fn request(&self) -> Option<&RouteRequest> {
        match &self.trigger {
            Trigger::Route(r) => Some(r),
            _ => None,
        }
    }

    /// Who sent the message, pressed the card's button, or added or removed the bot. For
    /// the last two the email is looked up the first time it is asked for (empty when
    /// that fails or for a route request).
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.sender().email, "alice@example.com");
    /// ```
    pub fn sender(&self) -> Sender {
        let email = match self.sender_email() {
            Ok(e) => e.to_owned(),
            Err(e) => {
                log::warn!("could not look up who sent the event: {e}");
                String::new()
            }
        };
        Sender {
            id: self.origin.person_id.clone().unwrap_or_default(),
            email,
        }
    }

    pub(crate) fn sender_email(&self) -> Result<&str, crate::client::Error> {
        // A message names its sender's email itself: no copy, no lookup.
        if let Some(e) = &self.origin.person_email {
            return Ok(e);
        }
        if let Some(e) = self.sender_email.get() {
            return Ok(e);
        }
        let email = match (&self.trigger, &self.origin.person_id) {
            (Trigger::Card(_) | Trigger::Membership { .. }, Some(id)) => self
                .client
                .people()
                .get(id)?
                .emails
                .into_iter()
                .next()
                .unwrap_or_default(),
            _ => String::new(),
        };
        Ok(self.sender_email.get_or_init(|| email))
    }

    /// Where the event happened.
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// # let mut m = Message::default();
    /// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
    /// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.room().id, "r1");
    /// ```
    pub fn room(&self) -> RoomRef {
        RoomRef {
            id: self.origin.room_id.clone().unwrap_or_default(),
            room_type: self.origin.room_type.unwrap_or(RoomType::Unknown),
        }
    }

    /// The REST client, to call any Webex API.
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.client().base_url(), "https://webexapis.com/v1");
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A notifier, to post later or elsewhere from another thread (a reminder).
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
    /// let notifier = ctx.notifier();
    /// ```
    pub fn notifier(&self) -> Notifier {
        Notifier::new(self.client.clone())
    }

    /// Replies to this event's room after `delay` (a reminder), as a reply returned by the
    /// handler would be sent now (in its thread, if it was in one); a failure is logged.
    /// [`Scheduled::cancel`](super::Scheduled::cancel) stops it. Kept in memory only: what
    /// is still waiting when the process ends is not sent. Tests wait for it with
    /// [`TestBot::expect_later`](crate::testing::TestBot::expect_later).
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
    /// let later = ctx.reply_later(std::time::Duration::from_secs(600), "Time for a break!");
    /// assert!(later.cancel());
    /// ```
    pub fn reply_later(
        &self,
        delay: std::time::Duration,
        reply: impl super::reply::IntoReply,
    ) -> super::Scheduled {
        super::notifier::schedule(
            self.client.clone(),
            Some(self.origin.clone()),
            delay,
            reply.into_reply(),
        )
    }

    /// Who the bot is.
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
    /// assert_eq!(ctx.bot().display_name(), "Bot");
    /// ```
    pub fn bot(&self) -> &BotIdentity {
        &self.bot
    }

    /// Shared state of type `T` given to the bot builder, if any.
    ///
    /// ```
    /// # use webex_bot::{BotIdentity, Client, Context, models::Message};
    /// let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("bot-id", "Bot"));
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
        let room = self.origin.room_id.clone().unwrap_or_default();
        let person = self.origin.person_id.clone().unwrap_or_default();
        self.say(question)?;
        match conversations.wait(&room, &person, timeout) {
            Some(slim) => self.client.messages().get(&slim.id).map(Some),
            None => Ok(None),
        }
    }

    /// Sends messages now, before the handler returns (the return value is sent after).
    /// Targets are relative to this event: [`Reply::in_thread`](crate::Reply::in_thread),
    /// [`Reply::direct`](crate::Reply::direct), ...
    ///
    /// ```
    /// # fn f(ctx: &webex_bot::Context) -> Result<(), webex_bot::client::Error> {
    /// ctx.say("Working on it...")?;
    /// # Ok(()) }
    /// ```
    pub fn say(&self, reply: impl IntoReply) -> Result<Vec<Message>, crate::client::Error> {
        send_reply(&self.client, Some(&self.origin), reply.into_reply())
    }
}

/// The person behind an event: who sent the message, pressed the card's button, or added
/// or removed the bot.
///
/// ```
/// # use webex_bot::{BotIdentity, Client, Context, models::Message};
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

/// The room of an event.
///
/// ```
/// # use webex_bot::{BotIdentity, Client, Context, models::Message};
/// # let mut m = Message::default();
/// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
/// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
/// assert!(!ctx.room().is_direct());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoomRef {
    /// Room id.
    pub id: String,
    /// Direct or group (unknown for card submissions and membership changes).
    pub room_type: RoomType,
}

impl RoomRef {
    /// Whether it is a 1:1 room.
    ///
    /// ```
    /// use webex_bot::{RoomRef, models::RoomType};
    /// assert!(RoomRef { id: "r".into(), room_type: RoomType::Direct }.is_direct());
    /// ```
    pub fn is_direct(&self) -> bool {
        self.room_type == RoomType::Direct
    }
}

/// Shared state given to the bot with [`BotBuilder::state`](crate::BotBuilder::state):
/// take it as a handler parameter. A handler that takes state of a type the bot was not
/// given makes [`BotBuilder::build`](crate::BotBuilder::build) fail, naming both.
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

impl<T: ?Sized> std::ops::Deref for State<T> {
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

/// The inputs of a card submission, read into the author's type (card handlers). A
/// submission that does not read is answered with what was wrong, and the handler does
/// not run.
///
/// ```
/// use webex_bot::{Bot, Commands, Inputs};
///
/// #[derive(serde::Deserialize)]
/// struct Vote { choice: String }
///
/// let builder = Bot::builder(Commands::default())
///     .on_card("vote", |Inputs(v): Inputs<Vote>| format!("You chose {}", v.choice));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs<T>(pub T);

impl<T> std::ops::Deref for Inputs<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
