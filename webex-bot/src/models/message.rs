use serde::{Deserialize, Serialize};

use super::common::is_empty;
use super::room::RoomType;

/// The content type of an adaptive card attachment.
///
/// ```
/// assert_eq!(webex_bot::models::CARD_CONTENT_TYPE, "application/vnd.microsoft.card.adaptive");
/// ```
pub const CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// A message in a room.
///
/// ```
/// use webex_bot::models::Message;
/// let m: Message = serde_json::from_str(
///     r#"{"id":"m1","roomId":"r1","text":"hi","personId":"p1","mentionedPeople":["b1"]}"#,
/// ).unwrap();
/// assert_eq!(m.text.as_deref(), Some("hi"));
/// assert!(m.mentions("b1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Message {
    /// Unique id of the message.
    pub id: String,
    /// The message this one replies to, in a thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// The room it was posted in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// Type of that room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_type: Option<RoomType>,
    /// Recipient's id, on 1:1 sends only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_person_id: Option<String>,
    /// Recipient's email, on 1:1 sends only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_person_email: Option<String>,
    /// Plain text (mentions appear as the mentioned name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Markdown source, when it was sent as markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// Rendered HTML (read-only; mentions are `<spark-mention>` elements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// Content URLs of the attached file (at most one).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub files: Vec<String>,
    /// Card attachments (at most one).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub attachments: Vec<Attachment>,
    /// Author's person id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// Author's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_email: Option<String>,
    /// Ids of the people mentioned.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub mentioned_people: Vec<String>,
    /// Group mentions, such as `all`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub mentioned_groups: Vec<String>,
    /// When it was posted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When it was last edited (only present after an edit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Whether it is a voice clip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_voice_clip: Option<bool>,
}

impl Message {
    /// Whether `person_id` is among the people this message mentions.
    ///
    /// ```
    /// # use webex_bot::models::Message;
    /// assert!(!Message::default().mentions("p1"));
    /// ```
    pub fn mentions(&self, person_id: &str) -> bool {
        self.mentioned_people.iter().any(|p| p == person_id)
    }
}

/// An attachment of a message; Webex supports adaptive cards.
///
/// ```
/// use webex_bot::models::Attachment;
/// let a = Attachment::card(serde_json::json!({"type": "AdaptiveCard", "version": "1.3"}));
/// assert_eq!(a.content_type, "application/vnd.microsoft.card.adaptive");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The content type; `application/vnd.microsoft.card.adaptive` for cards.
    pub content_type: String,
    /// The card JSON.
    pub content: serde_json::Value,
}

impl Attachment {
    /// An adaptive card attachment with this card JSON.
    ///
    /// ```
    /// # use webex_bot::models::Attachment;
    /// let a = Attachment::card(serde_json::json!({}));
    /// assert!(a.is_card());
    /// ```
    pub fn card(content: serde_json::Value) -> Self {
        Attachment {
            content_type: CARD_CONTENT_TYPE.to_owned(),
            content,
        }
    }

    /// Whether this attachment is an adaptive card.
    ///
    /// ```
    /// # use webex_bot::models::Attachment;
    /// assert!(Attachment::card(serde_json::json!({})).is_card());
    /// ```
    pub fn is_card(&self) -> bool {
        self.content_type == CARD_CONTENT_TYPE
    }
}

/// The JSON body of `POST /messages`: one destination, then text, markdown, a file URL or
/// a card. Local files are sent with [`MessagesApi::create_with_file`](crate::client::MessagesApi::create_with_file).
///
/// ```
/// use webex_bot::models::NewMessage;
/// let m = NewMessage::to_room("room-1").markdown("**done**").parent("msg-9");
/// assert_eq!(
///     serde_json::to_string(&m).unwrap(),
///     r#"{"roomId":"room-1","parentId":"msg-9","markdown":"**done**"}"#,
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewMessage {
    /// Post into this room ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// ... or directly to this person ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_person_id: Option<String>,
    /// ... or directly to this email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_person_email: Option<String>,
    /// Reply in the thread of this message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Plain text (the fallback when markdown is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// One public file URL.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub files: Vec<String>,
    /// One card.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub attachments: Vec<Attachment>,
}

impl NewMessage {
    /// A message to a room.
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// assert_eq!(NewMessage::to_room("r").room_id.as_deref(), Some("r"));
    /// ```
    pub fn to_room(room_id: impl Into<String>) -> Self {
        NewMessage {
            room_id: Some(room_id.into()),
            ..Default::default()
        }
    }

    /// A direct message to a person by id.
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// assert_eq!(NewMessage::to_person("p").to_person_id.as_deref(), Some("p"));
    /// ```
    pub fn to_person(person_id: impl Into<String>) -> Self {
        NewMessage {
            to_person_id: Some(person_id.into()),
            ..Default::default()
        }
    }

    /// A direct message to a person by email.
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// assert_eq!(NewMessage::to_email("a@b.c").to_person_email.as_deref(), Some("a@b.c"));
    /// ```
    pub fn to_email(email: impl Into<String>) -> Self {
        NewMessage {
            to_person_email: Some(email.into()),
            ..Default::default()
        }
    }

    /// Sets the plain text.
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// assert_eq!(NewMessage::to_room("r").text("hi").text.as_deref(), Some("hi"));
    /// ```
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the markdown.
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// assert_eq!(NewMessage::to_room("r").markdown("*hi*").markdown.as_deref(), Some("*hi*"));
    /// ```
    pub fn markdown(mut self, markdown: impl Into<String>) -> Self {
        self.markdown = Some(markdown.into());
        self
    }

    /// Replies in the thread of `parent_id`.
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// assert_eq!(NewMessage::to_room("r").parent("m").parent_id.as_deref(), Some("m"));
    /// ```
    pub fn parent(mut self, parent_id: impl Into<String>) -> Self {
        self.parent_id = Some(parent_id.into());
        self
    }

    /// Attaches the file at this public URL (Webex allows one file per message).
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// let m = NewMessage::to_room("r").file_url("https://example.com/a.png");
    /// assert_eq!(m.files.len(), 1);
    /// ```
    pub fn file_url(mut self, url: impl Into<String>) -> Self {
        self.files = vec![url.into()];
        self
    }

    /// Attaches an adaptive card (Webex allows one per message). Set a text or markdown
    /// fallback too, for clients that cannot show cards.
    ///
    /// ```
    /// # use webex_bot::models::NewMessage;
    /// let m = NewMessage::to_room("r").text("fallback").card(serde_json::json!({"type":"AdaptiveCard"}));
    /// assert!(m.attachments[0].is_card());
    /// ```
    pub fn card(mut self, card: serde_json::Value) -> Self {
        self.attachments = vec![Attachment::card(card)];
        self
    }
}

/// The body of `PUT /messages/{id}` (edit): the room and the new text or markdown.
///
/// ```
/// use webex_bot::models::UpdateMessage;
/// let u = UpdateMessage::markdown("room-1", "**edited**");
/// assert_eq!(serde_json::to_string(&u).unwrap(), r#"{"roomId":"room-1","markdown":"**edited**"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateMessage {
    /// The room of the message (required by Webex).
    pub room_id: String,
    /// New plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// New markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl UpdateMessage {
    /// Replaces the text.
    ///
    /// ```
    /// # use webex_bot::models::UpdateMessage;
    /// assert_eq!(UpdateMessage::text("r", "t").text.as_deref(), Some("t"));
    /// ```
    pub fn text(room_id: impl Into<String>, text: impl Into<String>) -> Self {
        UpdateMessage {
            room_id: room_id.into(),
            text: Some(text.into()),
            markdown: None,
        }
    }

    /// Replaces the markdown.
    ///
    /// ```
    /// # use webex_bot::models::UpdateMessage;
    /// assert_eq!(UpdateMessage::markdown("r", "*t*").markdown.as_deref(), Some("*t*"));
    /// ```
    pub fn markdown(room_id: impl Into<String>, markdown: impl Into<String>) -> Self {
        UpdateMessage {
            room_id: room_id.into(),
            text: None,
            markdown: Some(markdown.into()),
        }
    }
}
