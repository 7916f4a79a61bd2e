//! Turning a [`Reply`] into Webex messages.

use crate::Client;
use crate::client::{Error, Upload};
use crate::markdown::{MAX_MESSAGE_BYTES, split};
use crate::models::{Message, NewMessage};

use super::reply::{Content, Reply, Target};

/// Sends every message of `reply`, relative to `origin` (the message being answered, if
/// any). Long text and markdown are split under Webex's size limit. Stops at the first
/// failure, returning what was sent before it with the error.
pub(crate) fn send_reply(
    client: &Client,
    origin: Option<&Message>,
    reply: Reply,
) -> Result<Vec<Message>, Error> {
    send_reply_as(client, origin, reply)
}

/// [`send_reply`], reading what Webex answers for each message as `T`: the runtime's own
/// replies use `IgnoredAny`, which checks the answer and keeps nothing (a created message
/// is a dozen strings, parsed and dropped otherwise).
pub(crate) fn send_reply_as<T: serde::de::DeserializeOwned>(
    client: &Client,
    origin: Option<&Message>,
    reply: Reply,
) -> Result<Vec<T>, Error> {
    let mut sent = Vec::new();
    for out in reply.messages() {
        let (kind, body) = match &out.content {
            Content::Markdown(md) => ("markdown", md.as_str()),
            Content::Text(t) => ("text", t.as_str()),
            Content::Card { fallback, .. } => ("text", fallback.as_str()),
            Content::File { text, .. } | Content::Bytes { text, .. } => {
                ("text", text.as_deref().unwrap_or_default())
            }
        };
        if !super::answering::before_answering(
            origin.and_then(|o| o.room_id.as_deref()),
            kind,
            body,
        ) {
            // A replica's event that another replica answers (or one left pending at
            // shutdown): nothing more goes from here.
            return Ok(sent);
        }
        let base = destination(origin, &out.target)?;
        match &out.content {
            Content::Text(t) => {
                for chunk in split(t, MAX_MESSAGE_BYTES) {
                    sent.push(client.messages().create_as(&base.clone().text(chunk))?);
                }
            }
            Content::Markdown(md) => {
                for chunk in split(md, MAX_MESSAGE_BYTES) {
                    sent.push(client.messages().create_as(&base.clone().markdown(chunk))?);
                }
            }
            Content::Card { card, fallback } => {
                let mut fallback = fallback.clone();
                if fallback.len() > MAX_MESSAGE_BYTES {
                    fallback = split(&fallback, MAX_MESSAGE_BYTES).swap_remove(0);
                }
                sent.push(
                    client
                        .messages()
                        .create_as(&base.text(fallback).card(card.clone()))?,
                );
            }
            Content::File { path, text } => {
                let upload = Upload::path(path)?;
                sent.push(
                    client
                        .messages()
                        .create_with_file_as(&with_text(base, text), upload)?,
                );
            }
            Content::Bytes { name, bytes, text } => {
                let upload = Upload::reader(name.clone(), &bytes[..]);
                sent.push(
                    client
                        .messages()
                        .create_with_file_as(&with_text(base, text), upload)?,
                );
            }
        }
    }
    Ok(sent)
}

fn with_text(m: NewMessage, text: &Option<String>) -> NewMessage {
    match text {
        Some(t) => m.text(t.clone()),
        None => m,
    }
}

fn destination(origin: Option<&Message>, target: &Target) -> Result<NewMessage, Error> {
    let need = |what: &str| Error::Config(format!("a reply {what} needs a message to answer"));
    Ok(match target {
        Target::SameRoom => NewMessage::to_room(
            origin
                .and_then(|m| m.room_id.clone())
                .ok_or_else(|| need("to the same room"))?,
        ),
        Target::Thread => {
            let m = origin.ok_or_else(|| need("in a thread"))?;
            NewMessage::to_room(m.room_id.clone().unwrap_or_default())
                .parent(m.parent_id.clone().unwrap_or_else(|| m.id.clone()))
        }
        Target::Sender => NewMessage::to_person(
            origin
                .and_then(|m| m.person_id.clone())
                .ok_or_else(|| need("to the sender"))?,
        ),
        Target::Room(id) => NewMessage::to_room(id.clone()),
        Target::Person(id) => NewMessage::to_person(id.clone()),
        Target::Email(e) => NewMessage::to_email(e.clone()),
    })
}
