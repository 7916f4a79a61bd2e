//! What a handler answers, and how its return value becomes that answer.

use std::fmt::Display;
use std::path::PathBuf;

use crate::card::Card;
use crate::markdown::Markdown;

/// The messages a handler sends back. Empty means no reply.
///
/// ```
/// use webex_bot::Reply;
/// let r = Reply::markdown("**Done**").in_thread().and(Reply::text("Details sent to you").direct());
/// assert_eq!(r.messages().len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    messages: Vec<Outgoing>,
}

/// One message of a [`Reply`].
///
/// ```
/// let r = webex_bot::Reply::text("hi").in_thread();
/// assert_eq!(r.messages()[0].target, webex_bot::bot::Target::Thread);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Outgoing {
    /// What it says.
    pub content: Content,
    /// Where it goes.
    pub target: Target,
}

/// The content of an outgoing message.
///
/// ```
/// use webex_bot::bot::Content;
/// assert!(matches!(&webex_bot::Reply::markdown("**x**").messages()[0].content, Content::Markdown(m) if m == "**x**"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Markdown (split into several messages when longer than Webex allows).
    Markdown(String),
    /// An adaptive card with its fallback text.
    Card {
        /// The card JSON.
        card: serde_json::Value,
        /// Text for clients that cannot show cards.
        fallback: String,
    },
    /// A local file, with an optional text.
    File {
        /// The file.
        path: PathBuf,
        /// Text sent with it.
        text: Option<String>,
    },
    /// A file from memory.
    Bytes {
        /// The file name shown.
        name: String,
        /// Its bytes.
        bytes: Vec<u8>,
        /// Text sent with it.
        text: Option<String>,
    },
}

/// Where an outgoing message goes.
///
/// ```
/// use webex_bot::bot::Target;
/// assert_eq!(webex_bot::Reply::text("x").direct().messages()[0].target, Target::Sender);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// The room the command came from.
    SameRoom,
    /// The thread of the command's message.
    Thread,
    /// A direct message to whoever sent the command.
    Sender,
    /// Another room.
    Room(String),
    /// A person by id.
    Person(String),
    /// A person by email.
    Email(String),
}

impl Reply {
    /// No reply.
    ///
    /// ```
    /// assert!(webex_bot::Reply::none().is_empty());
    /// ```
    pub fn none() -> Self {
        Reply::default()
    }

    fn one(content: Content) -> Self {
        Reply {
            messages: vec![Outgoing {
                content,
                target: Target::SameRoom,
            }],
        }
    }

    /// A plain text message.
    ///
    /// ```
    /// let r = webex_bot::Reply::text("hi");
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        Reply::one(Content::Text(text.into()))
    }

    /// A markdown message.
    ///
    /// ```
    /// let r = webex_bot::Reply::markdown("**hi**");
    /// ```
    pub fn markdown(markdown: impl Into<String>) -> Self {
        Reply::one(Content::Markdown(markdown.into()))
    }

    /// A card.
    ///
    /// ```
    /// let r = webex_bot::Reply::card(webex_bot::card::Card::new().text("Pick one"));
    /// ```
    pub fn card(card: Card) -> Self {
        Reply::one(Content::Card {
            fallback: card.fallback_text(),
            card: card.to_json(),
        })
    }

    /// A local file.
    ///
    /// ```
    /// let r = webex_bot::Reply::file("report.pdf");
    /// ```
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Reply::one(Content::File {
            path: path.into(),
            text: None,
        })
    }

    /// A file made in memory.
    ///
    /// ```
    /// let r = webex_bot::Reply::bytes("data.csv", b"a,b\n1,2\n".to_vec());
    /// ```
    pub fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Reply::one(Content::Bytes {
            name: name.into(),
            bytes,
            text: None,
        })
    }

    fn retarget(mut self, target: Target) -> Self {
        for m in &mut self.messages {
            m.target = target.clone();
        }
        self
    }

    /// Sends the messages in the thread of the command's message.
    ///
    /// ```
    /// let r = webex_bot::Reply::text("x").in_thread();
    /// ```
    pub fn in_thread(self) -> Self {
        self.retarget(Target::Thread)
    }

    /// Sends the messages directly to the person who sent the command.
    ///
    /// ```
    /// let r = webex_bot::Reply::text("x").direct();
    /// ```
    pub fn direct(self) -> Self {
        self.retarget(Target::Sender)
    }

    /// Sends the messages to another room.
    ///
    /// ```
    /// let r = webex_bot::Reply::text("x").to_room("room-id");
    /// ```
    pub fn to_room(self, room_id: impl Into<String>) -> Self {
        self.retarget(Target::Room(room_id.into()))
    }

    /// Sends the messages to a person by email.
    ///
    /// ```
    /// let r = webex_bot::Reply::text("x").to_email("a@example.com");
    /// ```
    pub fn to_email(self, email: impl Into<String>) -> Self {
        self.retarget(Target::Email(email.into()))
    }

    /// Adds the messages of `other` after these.
    ///
    /// ```
    /// assert_eq!(webex_bot::Reply::text("a").and(webex_bot::Reply::text("b")).messages().len(), 2);
    /// ```
    pub fn and(mut self, other: impl IntoReply) -> Self {
        self.messages.extend(other.into_reply().messages);
        self
    }

    /// Adds text to a file reply (or a text message after other content).
    ///
    /// ```
    /// let r = webex_bot::Reply::file("a.txt").with_text("here it is");
    /// ```
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        match self.messages.last_mut().map(|m| &mut m.content) {
            Some(Content::File { text: t, .. }) | Some(Content::Bytes { text: t, .. }) => {
                *t = Some(text)
            }
            _ => self.messages.push(Outgoing {
                content: Content::Text(text),
                target: Target::SameRoom,
            }),
        }
        self
    }

    /// The messages.
    ///
    /// ```
    /// assert!(webex_bot::Reply::none().messages().is_empty());
    /// ```
    pub fn messages(&self) -> &[Outgoing] {
        &self.messages
    }

    /// Whether there is nothing to send.
    ///
    /// ```
    /// assert!(!webex_bot::Reply::text("x").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

/// What a handler may return. Implemented for `()`, strings, [`Markdown`], [`Card`],
/// [`Reply`], `Option<T>` (nothing on `None`) and `Result<T, E: Display>` (an error becomes
/// a polite reply that quotes it).
///
/// ```
/// use webex_bot::{IntoReply, Reply};
/// assert_eq!("hi".into_reply(), Reply::text("hi"));
/// assert!(().into_reply().is_empty());
/// let failed: Result<String, std::num::ParseIntError> = "x".parse::<u32>().map(|n| n.to_string());
/// assert!(matches!(&failed.into_reply().messages()[0].content, webex_bot::bot::Content::Text(t) if t.starts_with("Sorry")));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a reply",
    label = "unsupported return type for a bot handler",
    note = "return `()`, `String`, `&str`, `Markdown`, `Card`, `Reply`, `Option<_>` of one of these, or `Result<_, E>` where `E: Display`"
)]
pub trait IntoReply {
    /// Converts the value.
    fn into_reply(self) -> Reply;
}

impl IntoReply for Reply {
    fn into_reply(self) -> Reply {
        self
    }
}

impl IntoReply for () {
    fn into_reply(self) -> Reply {
        Reply::none()
    }
}

impl IntoReply for String {
    fn into_reply(self) -> Reply {
        if self.is_empty() {
            Reply::none()
        } else {
            Reply::text(self)
        }
    }
}

impl IntoReply for &str {
    fn into_reply(self) -> Reply {
        self.to_owned().into_reply()
    }
}

impl IntoReply for Markdown {
    fn into_reply(self) -> Reply {
        Reply::markdown(self.into_string())
    }
}

impl IntoReply for Card {
    fn into_reply(self) -> Reply {
        Reply::card(self)
    }
}

impl<T: IntoReply> IntoReply for Option<T> {
    fn into_reply(self) -> Reply {
        self.map(IntoReply::into_reply).unwrap_or_default()
    }
}

impl<T: IntoReply, E: Display> IntoReply for Result<T, E> {
    fn into_reply(self) -> Reply {
        match self {
            Ok(v) => v.into_reply(),
            Err(e) => Reply::text(format!("Sorry, that didn't work: {e}")),
        }
    }
}

/// What the user is told when a handler panicked.
pub(crate) const SORRY_PANIC: &str =
    "Sorry, something went wrong while handling that. The error was logged; please try again.";

/// What the user is told when a handler's parameter could not be supplied.
pub(crate) const SORRY_SETUP: &str =
    "Sorry, this command is not set up correctly; the bot's owner has been told in the logs.";
