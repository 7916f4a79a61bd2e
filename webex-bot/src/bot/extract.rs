//! The values the runtime supplies to handler parameters, by type.

use std::fmt;

use super::context::{Context, Inputs, RoomRef, Sender, State, Trigger};
use super::kinds::{HandlerKind, Requirement};
use super::notifier::Notifier;
use super::routes::RouteRequest;
use crate::Client;
use crate::args::BotIdentity;
use crate::models::{AttachmentAction, Membership, Message};

/// Why the runtime could not supply a handler parameter.
///
/// ```
/// use webex_bot::bot::{InjectError, InjectErrorKind};
/// let e = InjectError::new(InjectErrorKind::Failed, "the ticket store is closed");
/// assert_eq!(e.to_string(), "the ticket store is closed");
/// ```
#[derive(Debug)]
pub struct InjectError {
    kind: InjectErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The kinds of [`InjectError`].
///
/// ```
/// use webex_bot::bot::InjectErrorKind;
/// assert_ne!(InjectErrorKind::BadInput, InjectErrorKind::Failed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InjectErrorKind {
    /// What the user sent does not read (a card's inputs): the user is told.
    BadInput,
    /// The value is not there for this event, or could not be had (a set-up mistake, or
    /// Webex failing): logged, and the user told something went wrong.
    Failed,
}

impl InjectError {
    /// An error of this kind.
    ///
    /// ```
    /// use webex_bot::bot::{InjectError, InjectErrorKind};
    /// assert_eq!(InjectError::new(InjectErrorKind::BadInput, "no").kind(), InjectErrorKind::BadInput);
    /// ```
    pub fn new(kind: InjectErrorKind, message: impl Into<String>) -> Self {
        InjectError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// An error of this kind with its cause (its message is shown after `message`).
    ///
    /// ```
    /// use webex_bot::bot::{InjectError, InjectErrorKind};
    /// let io = std::io::Error::other("disk full");
    /// let e = InjectError::with_source(InjectErrorKind::Failed, "the store", io);
    /// assert_eq!(e.to_string(), "the store: disk full");
    /// ```
    pub fn with_source(
        kind: InjectErrorKind,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        InjectError {
            kind,
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// Its kind.
    ///
    /// ```
    /// use webex_bot::bot::{InjectError, InjectErrorKind};
    /// assert_eq!(InjectError::new(InjectErrorKind::Failed, "x").kind(), InjectErrorKind::Failed);
    /// ```
    pub fn kind(&self) -> InjectErrorKind {
        self.kind
    }
}

impl fmt::Display for InjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(s) => write!(f, "{}: {s}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for InjectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

fn not_here<T>(ctx: &Context) -> InjectError {
    InjectError::new(
        InjectErrorKind::Failed,
        format!(
            "`{}` is not supplied to {}",
            std::any::type_name::<T>(),
            ctx.kind()
        ),
    )
}

/// A handler parameter the runtime supplies, chosen by its type: [`Sender`], [`RoomRef`],
/// [`Client`], [`Notifier`](crate::Notifier), [`BotIdentity`], [`State<T>`], [`Message`]
/// (commands), [`Inputs<T>`] and [`AttachmentAction`] (card handlers), [`Membership`]
/// (membership handlers) and [`RouteRequest`] (route handlers). Commands may also take
/// `&Context`, `&Message` and `&BotIdentity`; other handlers may take `&Context` first.
///
/// Implement it for values of your own that handlers should be given.
///
/// ```
/// use webex_bot::{BotIdentity, Client, Context, FromContext, Sender, models::Message};
/// # let mut m = Message::default();
/// # m.id = "m1".into(); m.room_id = Some("r1".into()); m.person_id = Some("p1".into()); m.person_email = Some("alice@example.com".into());
/// let ctx = Context::new(Client::new("t"), m, BotIdentity::new("bot-id", "Bot"));
/// let who = Sender::from_context(&ctx).unwrap();
/// assert_eq!(who.email, "alice@example.com");
/// ```
pub trait FromContext: Sized {
    /// Takes the value from the context.
    fn from_context(ctx: &Context) -> Result<Self, InjectError>;

    /// What it needs, checked when the bot is built (default: nothing, in any handler).
    fn requirement() -> Requirement {
        Requirement::any()
    }
}

const PERSON_EVENTS: &[HandlerKind] = &[
    HandlerKind::Message,
    HandlerKind::Card,
    HandlerKind::Membership,
];

impl FromContext for Message {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        ctx.message().cloned().ok_or_else(|| not_here::<Self>(ctx))
    }
    fn requirement() -> Requirement {
        Requirement::only(&[HandlerKind::Message])
    }
}

impl FromContext for Sender {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        if matches!(ctx.trigger, Trigger::Route(_)) {
            return Err(not_here::<Self>(ctx));
        }
        let email = ctx.sender_email().map_err(|e| {
            InjectError::with_source(InjectErrorKind::Failed, "looking up who sent it", e)
        })?;
        Ok(Sender {
            id: ctx.origin.person_id.clone().unwrap_or_default(),
            email: email.to_owned(),
        })
    }
    fn requirement() -> Requirement {
        Requirement::only(PERSON_EVENTS)
    }
}

impl FromContext for RoomRef {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        match ctx.trigger {
            Trigger::Route(_) => Err(not_here::<Self>(ctx)),
            _ => Ok(ctx.room()),
        }
    }
    fn requirement() -> Requirement {
        Requirement::only(PERSON_EVENTS)
    }
}

impl FromContext for Client {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok(ctx.client.clone())
    }
}

impl FromContext for Notifier {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok(ctx.notifier())
    }
}

impl FromContext for BotIdentity {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok((*ctx.bot).clone())
    }
}

impl<T: Send + Sync + 'static> FromContext for State<T> {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        ctx.state::<T>().ok_or_else(|| {
            InjectError::new(
                InjectErrorKind::Failed,
                format!(
                    "no state of type `{}` was given to the bot (use `BotBuilder::state`)",
                    std::any::type_name::<T>()
                ),
            )
        })
    }
    fn requirement() -> Requirement {
        Requirement::state::<T>()
    }
}

impl<T: serde::de::DeserializeOwned> FromContext for Inputs<T> {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        let action = ctx.card().ok_or_else(|| not_here::<Self>(ctx))?;
        super::form::read(&action.inputs)
            .map(Inputs)
            .map_err(|e| InjectError::with_source(InjectErrorKind::BadInput, "the form", e))
    }
    fn requirement() -> Requirement {
        Requirement::only(&[HandlerKind::Card])
    }
}

impl FromContext for AttachmentAction {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        ctx.card().cloned().ok_or_else(|| not_here::<Self>(ctx))
    }
    fn requirement() -> Requirement {
        Requirement::only(&[HandlerKind::Card])
    }
}

impl FromContext for Membership {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        ctx.membership()
            .cloned()
            .ok_or_else(|| not_here::<Self>(ctx))
    }
    fn requirement() -> Requirement {
        Requirement::only(&[HandlerKind::Membership])
    }
}

impl FromContext for RouteRequest {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        ctx.request().cloned().ok_or_else(|| not_here::<Self>(ctx))
    }
    fn requirement() -> Requirement {
        Requirement::only(&[HandlerKind::Route])
    }
}

impl<T: FromContext> FromContext for Option<T> {
    fn from_context(ctx: &Context) -> Result<Self, InjectError> {
        Ok(T::from_context(ctx).ok())
    }
}
