//! `/messages`: posting, reading, editing.

use serde::Serialize;
use ureq::http::Method;

use super::{enc, json_body};
use crate::client::files::Upload;
use crate::client::multipart::Multipart;
use crate::client::query::pairs;
use crate::client::{Body, Client, Error, Pages};
use crate::models::{Message, NewMessage, UpdateMessage};

filters! {
    /// Filters of `GET /messages` (newest first). A bot must set
    /// `mentioned_people("me")` to list a group room.
    ///
    /// ```
    /// use webex_bot::client::ListMessages;
    /// let f = ListMessages::in_room("room-1").mentioned_people("me").max(20u32);
    /// assert_eq!(f.room_id.as_deref(), Some("room-1"));
    /// ```
    pub struct ListMessages {
        /// The room (required by Webex).
        room_id: String,
        /// Replies in this thread.
        parent_id: String,
        /// `me` (or the caller's id): only messages mentioning the caller.
        mentioned_people: String,
        /// Messages before this time.
        before: String,
        /// Messages before this message.
        before_message: String,
        /// Page size (default 50).
        max: u32,
    }
}

impl ListMessages {
    /// The messages of a room.
    ///
    /// ```
    /// assert!(webex_bot::client::ListMessages::in_room("r").room_id.is_some());
    /// ```
    pub fn in_room(room_id: impl Into<String>) -> Self {
        ListMessages::default().room_id(room_id)
    }
}

filters! {
    /// Filters of `GET /messages/direct`: the 1:1 conversation with a person.
    ///
    /// ```
    /// use webex_bot::client::ListDirectMessages;
    /// let f = ListDirectMessages::default().person_email("alice@example.com");
    /// assert!(f.person_id.is_none());
    /// ```
    pub struct ListDirectMessages {
        /// The other person's id ...
        person_id: String,
        /// ... or email.
        person_email: String,
        /// Replies in this thread.
        parent_id: String,
    }
}

/// `/messages`: send, read, edit and delete messages.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::models::NewMessage;
/// let sent = client.messages().create(&NewMessage::to_room("room-id").markdown("**deployed**"))?;
/// client.messages().reply(&sent, NewMessage::default().text("details in thread"))?;
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MessagesApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> MessagesApi<'c> {
    /// Lists a room's messages, newest first.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::client::ListMessages;
    /// let last = client.messages().list(&ListMessages::in_room("room-id")).limit(10).count();
    /// ```
    pub fn list(&self, filters: &ListMessages) -> Pages<'c, Message> {
        Pages::new(self.client, "messages", pairs(filters))
    }

    /// Lists the 1:1 messages with a person, newest first.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::client::ListDirectMessages;
    /// let n = client.messages().list_direct(&ListDirectMessages::default().person_email("a@b.c")).count();
    /// ```
    pub fn list_direct(&self, filters: &ListDirectMessages) -> Pages<'c, Message> {
        Pages::new(self.client, "messages/direct", pairs(filters))
    }

    /// Posts a message (text, markdown, a file URL or a card).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewMessage;
    /// client.messages().create(&NewMessage::to_person("person-id").text("hi"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, message: &NewMessage) -> Result<Message, Error> {
        self.create_as(message)
    }

    /// [`create`](Self::create), reading the answer as `T` (`IgnoredAny` when it is not
    /// needed: checked as JSON, nothing kept).
    pub(crate) fn create_as<T: serde::de::DeserializeOwned>(
        &self,
        message: &NewMessage,
    ) -> Result<T, Error> {
        self.client
            .json(Method::POST, "messages", &[], json_body(message))
    }

    /// Posts a message with a local file, sent as `multipart/form-data` and streamed from
    /// disk or the reader. `message.files` and `message.attachments` must be empty.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::{client::Upload, models::NewMessage};
    /// client.messages().create_with_file(
    ///     &NewMessage::to_room("room-id").text("the report"),
    ///     Upload::path("report.pdf")?,
    /// )?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_with_file(
        &self,
        message: &NewMessage,
        file: Upload<'_>,
    ) -> Result<Message, Error> {
        self.create_with_file_as(message, file)
    }

    /// [`create_with_file`](Self::create_with_file), reading the answer as `T`.
    pub(crate) fn create_with_file_as<T: serde::de::DeserializeOwned>(
        &self,
        message: &NewMessage,
        file: Upload<'_>,
    ) -> Result<T, Error> {
        if !message.files.is_empty() || !message.attachments.is_empty() {
            return Err(Error::Config(
                "a message carries one file or card: clear `files` and `attachments` to upload a file".into(),
            ));
        }
        let mut form = Multipart::new();
        for (k, v) in pairs(message) {
            let name: &'static str = match k.as_str() {
                "roomId" => "roomId",
                "toPersonId" => "toPersonId",
                "toPersonEmail" => "toPersonEmail",
                "parentId" => "parentId",
                "text" => "text",
                "markdown" => "markdown",
                _ => continue,
            };
            form = form.text(name, v);
        }
        let form = form.file("files", file);
        self.client
            .json(Method::POST, "messages", &[], Body::Multipart(form))
    }

    /// Replies in the thread of `to`. Webex threads are one level deep, so a reply to a
    /// reply goes to the thread's first message; the room is taken from `to`.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let original = client.messages().get("message-id")?;
    /// client.messages().reply(&original, webex_bot::models::NewMessage::default().text("on it"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn reply(&self, to: &Message, mut message: NewMessage) -> Result<Message, Error> {
        message.parent_id = Some(to.parent_id.clone().unwrap_or_else(|| to.id.clone()));
        if message.room_id.is_none()
            && message.to_person_id.is_none()
            && message.to_person_email.is_none()
        {
            message.room_id.clone_from(&to.room_id);
        }
        self.create(&message)
    }

    /// The message with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let m = client.messages().get("message-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, message_id: &str) -> Result<Message, Error> {
        self.client
            .get_json(&format!("messages/{}", enc(message_id)), &[])
    }

    /// Edits one of the caller's messages (at most 10 times; not messages with files or cards).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::UpdateMessage;
    /// client.messages().update("message-id", &UpdateMessage::text("room-id", "fixed typo"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, message_id: &str, update: &UpdateMessage) -> Result<Message, Error> {
        self.client.json(
            Method::PUT,
            &format!("messages/{}", enc(message_id)),
            &[],
            json_body(update),
        )
    }

    /// Deletes a message.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.messages().delete("message-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, message_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("messages/{}", enc(message_id)))
    }
}
