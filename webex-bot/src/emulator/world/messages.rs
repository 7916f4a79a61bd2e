//! Messages: who sees which, posting with markdown and mentions, editing, deleting.

use serde_json::Value;

use super::*;
use crate::emulator::render::{self, MentionRef};
use crate::markdown::MAX_MESSAGE_BYTES;
use crate::models::{Attachment, Message, RoomType};

impl World {
    pub(super) fn visible_message(&self, caller: &str, m: &Message) -> bool {
        let Some(room) = m.room_id.as_deref() else {
            return false;
        };
        if !self.is_member(caller, room) {
            return false;
        }
        if self.is_bot(caller) && m.room_type == Some(RoomType::Group) {
            return m.person_id.as_deref() == Some(caller) || m.mentions(caller);
        }
        true
    }

    pub(super) fn get_message(&self, caller: &str, id: &str) -> ApiResult<Message> {
        match self.messages.get(id) {
            Some(StoredMessage { message: m, .. }) if self.visible_message(caller, m) => {
                Ok(m.clone())
            }
            _ => Err(err(404, "Could not find a message with provided ID.")),
        }
    }

    pub(super) fn list_messages(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let room_id = req
            .q("roomId")
            .ok_or_else(|| err(400, "roomId is required."))?;
        let room = self.room_for(caller, room_id)?;
        let mentioned = req.q("mentionedPeople");
        if let Some(mp) = mentioned
            && mp != "me"
            && mp != caller
        {
            return Err(err(
                400,
                "mentionedPeople may only be 'me' or your own person id.",
            ));
        }
        if self.is_bot(caller) && room.room_type == Some(RoomType::Group) && mentioned.is_none() {
            return Err(err(
                403,
                "Bots may only list messages of group rooms with mentionedPeople=me.",
            ));
        }
        let cap = if mentioned.is_some() { 100 } else { 1000 };
        let max = Self::max(req, 50, cap)?;
        let before = req.q("before");
        let before_seq = match req.q("beforeMessage") {
            Some(id) => Some(
                self.messages
                    .get(id)
                    .map(|m| m.seq)
                    .ok_or_else(|| err(404, "beforeMessage not found."))?,
            ),
            None => None,
        };
        let parent = req.q("parentId");
        let ms: Vec<&StoredMessage> = self
            .messages
            .values()
            .filter(|StoredMessage { message: m, .. }| m.room_id.as_deref() == Some(room_id))
            .filter(|StoredMessage { message: m, .. }| mentioned.is_none() || m.mentions(caller))
            .filter(|StoredMessage { message: m, .. }| self.visible_message(caller, m))
            .filter(|StoredMessage { message: m, .. }| {
                parent.is_none_or(|p| m.parent_id.as_deref() == Some(p))
            })
            .filter(|StoredMessage { message: m, .. }| {
                before.is_none_or(|b| m.created.as_deref().is_some_and(|c| c < b))
            })
            .filter(|m| before_seq.is_none_or(|b| m.seq < b))
            .collect();
        let items = newest_first(ms);
        Ok(Answer::Page { items, max })
    }

    pub(super) fn list_direct(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let other = self.person_id_of(req.q("personId"), req.q("personEmail"))?;
        let room = self.rooms.values().find(|Stored { item: r, .. }| {
            r.room_type == Some(RoomType::Direct)
                && self.is_member(caller, &r.id)
                && self.is_member(&other, &r.id)
        });
        let Some(Stored { item: room, .. }) = room else {
            return Ok(Answer::Page {
                items: Vec::new(),
                max: 50,
            });
        };
        let parent = req.q("parentId");
        let ms: Vec<&StoredMessage> = self
            .messages
            .values()
            .filter(|StoredMessage { message: m, .. }| {
                m.room_id.as_deref() == Some(room.id.as_str())
            })
            .filter(|StoredMessage { message: m, .. }| {
                parent.is_none_or(|p| m.parent_id.as_deref() == Some(p))
            })
            .collect();
        let items = newest_first(ms);
        Ok(Answer::Page {
            items,
            max: Self::max(req, 50, 1000)?,
        })
    }

    pub(super) fn create_message(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let (room_id, to_id, to_email) = (
            req.str_field("roomId"),
            req.str_field("toPersonId"),
            req.str_field("toPersonEmail"),
        );
        let destinations = [&room_id, &to_id, &to_email]
            .iter()
            .filter(|d| d.is_some())
            .count();
        if destinations != 1 {
            return Err(err(
                400,
                "Exactly one of roomId, toPersonId or toPersonEmail is required.",
            ));
        }
        let text = req.str_field("text");
        let markdown = req.str_field("markdown");
        for (name, v) in [("text", &text), ("markdown", &markdown)] {
            if v.as_ref().is_some_and(|v| v.len() > MAX_MESSAGE_BYTES) {
                return Err(err(
                    400,
                    format!("The {name} is longer than {MAX_MESSAGE_BYTES} bytes."),
                ));
            }
        }
        let mut files: Vec<String> = match req.field("files") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(s)) => vec![s],
            _ => Vec::new(),
        };
        let attachments: Vec<Attachment> = match req.field("attachments") {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| err(400, format!("Invalid attachments: {e}")))?,
            None => Vec::new(),
        };
        let upload = req.form.as_ref().and_then(|f| f.file.clone());
        if files.len() + attachments.len() + usize::from(upload.is_some()) > 1 {
            return Err(err(
                400,
                "A message can carry only one file or one attachment.",
            ));
        }
        if let Some(a) = attachments.first()
            && !a.is_card()
        {
            return Err(err(
                400,
                format!("Unsupported attachment content type: {}", a.content_type),
            ));
        }
        if text.is_none()
            && markdown.is_none()
            && files.is_empty()
            && attachments.is_empty()
            && upload.is_none()
        {
            return Err(err(
                400,
                "Message must contain text, markdown, a file or an attachment.",
            ));
        }
        let room_id = match (room_id, to_id, to_email) {
            (Some(r), _, _) => {
                self.room_for(caller, &r)?;
                r
            }
            (_, Some(p), _) => {
                self.person(&p)?;
                self.direct_room(caller, &p)?
            }
            (_, _, Some(e)) => {
                let p = self
                    .person_by_email(&e)
                    .map(|p| p.id.clone())
                    .ok_or_else(|| err(404, "The requested person was not found"))?;
                self.direct_room(caller, &p)?
            }
            _ => unreachable!("one destination"),
        };
        let room_type = self
            .rooms
            .get(&room_id)
            .and_then(|Stored { item: r, .. }| r.room_type);
        let mut parent_id = req.str_field("parentId");
        if let Some(p) = &parent_id {
            let StoredMessage { message: pm, .. } = self
                .messages
                .get(p)
                .ok_or_else(|| err(404, "The parent message was not found."))?;
            if pm.room_id.as_deref() != Some(room_id.as_str()) {
                return Err(err(400, "The parent message is in another room."));
            }
            // Threads are one level deep: a reply to a reply joins the first message's thread.
            if let Some(grand) = &pm.parent_id {
                parent_id = Some(grand.clone());
            }
        }
        if let Some(up) = upload {
            let id = new_id("CONTENT");
            files.push(format!("{}/contents/{id}", self.base_url));
            self.contents.insert(
                id,
                Content {
                    bytes: up.bytes,
                    content_type: up.content_type,
                    name: up.file_name,
                    room_id: room_id.clone(),
                },
            );
        }
        let (rendered_text, html, mentioned_people, mentioned_groups) = match &markdown {
            Some(md) => self.render(md)?,
            None => (
                text.clone().unwrap_or_default(),
                None,
                Vec::new(),
                Vec::new(),
            ),
        };
        let me = self.person(caller)?.clone();
        let mut m = Message::default();
        m.id = new_id("MESSAGE");
        m.parent_id = parent_id;
        m.room_id = Some(room_id.clone());
        m.room_type = room_type;
        m.text = Some(text.unwrap_or(rendered_text)).filter(|t| !t.is_empty());
        m.markdown = markdown;
        m.html = html;
        m.files = files;
        m.attachments = attachments;
        m.person_id = Some(caller.to_owned());
        m.person_email = me.primary_email().map(str::to_owned);
        m.mentioned_people = mentioned_people;
        m.mentioned_groups = mentioned_groups;
        m.created = Some(self.now());
        if room_type == Some(RoomType::Direct) {
            m.to_person_id = req.str_field("toPersonId");
            m.to_person_email = req.str_field("toPersonEmail");
        }
        if let Some(Stored { item: r, .. }) = self.rooms.get_mut(&room_id) {
            r.last_activity = m.created.clone();
        }
        let seq = self.next();
        let record = StoredMessage {
            seq,
            message: m.clone(),
            edits: 0,
        };
        self.messages.insert(m.id.clone(), record);
        let mentioned = m.mentioned_people.clone();
        self.notice(
            "messages",
            "created",
            caller,
            &room_id,
            slim_message(&m),
            mentioned,
        );
        Ok(Answer::Json(Self::to_value(&m)))
    }

    /// Text, HTML, mentioned people and groups of a markdown message.
    pub(super) fn render(&self, md: &str) -> ApiResult<Rendered> {
        let mut html_mentions = Vec::new();
        let mut names = Vec::new();
        let mut people = Vec::new();
        let mut groups = Vec::new();
        for (_, m) in render::mentions(md) {
            let (id, name) = match m {
                MentionRef::All => {
                    html_mentions.push(r#"<spark-mention data-object-type="groupMention" data-group-type="all">All</spark-mention>"#.to_owned());
                    names.push("All".to_owned());
                    if !groups.contains(&"all".to_owned()) {
                        groups.push("all".to_owned());
                    }
                    continue;
                }
                MentionRef::PersonId(id, name) => {
                    let p = self
                        .people
                        .get(&id)
                        .ok_or_else(|| err(400, format!("Invalid mention: unknown person {id}")))?;
                    (
                        p.id.clone(),
                        name.or_else(|| p.display_name.clone()).unwrap_or_default(),
                    )
                }
                MentionRef::PersonEmail(email, name) => {
                    let p = self.person_by_email(&email).ok_or_else(|| {
                        err(400, format!("Invalid mention: unknown person {email}"))
                    })?;
                    (
                        p.id.clone(),
                        name.or_else(|| p.display_name.clone()).unwrap_or_default(),
                    )
                }
            };
            html_mentions.push(format!(
                r#"<spark-mention data-object-type="person" data-object-id="{id}">{}</spark-mention>"#,
                render::escape_html(&name)
            ));
            names.push(name);
            if !people.contains(&id) {
                people.push(id);
            }
        }
        Ok((
            render::to_text(md, &names),
            Some(render::to_html(md, &html_mentions)),
            people,
            groups,
        ))
    }

    pub(super) fn edit_message(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        let m = self.get_message(caller, id)?;
        if m.person_id.as_deref() != Some(caller) {
            return Err(err(403, "You can only edit your own messages."));
        }
        let room = req.required("roomId")?;
        if m.room_id.as_deref() != Some(room.as_str()) {
            return Err(err(400, "roomId does not match the message's room."));
        }
        if !m.files.is_empty() || !m.attachments.is_empty() {
            return Err(err(
                400,
                "Messages with files or attachments cannot be edited.",
            ));
        }
        let text = req.str_field("text");
        let markdown = req.str_field("markdown");
        if text.is_none() && markdown.is_none() {
            return Err(err(400, "text or markdown is required."));
        }
        for v in [&text, &markdown].into_iter().flatten() {
            if v.len() > MAX_MESSAGE_BYTES {
                return Err(err(
                    400,
                    format!("The message is longer than {MAX_MESSAGE_BYTES} bytes."),
                ));
            }
        }
        let edits = self.messages.get(id).map(|e| e.edits).unwrap_or(0);
        if edits >= 10 {
            return Err(err(400, "A message can be edited at most 10 times."));
        }
        let rendered = match &markdown {
            Some(md) => Some(self.render(md)?),
            None => None,
        };
        let now = self.now();
        let entry = self.messages.get_mut(id).expect("checked");
        entry.edits += 1;
        let msg = &mut entry.message;
        match rendered {
            Some((t, html, people, groups)) => {
                msg.text = Some(text.unwrap_or(t));
                msg.markdown = markdown;
                msg.html = html;
                msg.mentioned_people = people;
                msg.mentioned_groups = groups;
            }
            None => {
                msg.text = text;
                msg.markdown = None;
                msg.html = None;
            }
        }
        msg.updated = Some(now);
        let msg = msg.clone();
        let mentioned = msg.mentioned_people.clone();
        self.notice(
            "messages",
            "updated",
            caller,
            &room,
            slim_message(&msg),
            mentioned,
        );
        Ok(Answer::Json(Self::to_value(&msg)))
    }

    pub(super) fn delete_message(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        let m = self.get_message(caller, id)?;
        let room = m.room_id.clone().unwrap_or_default();
        let moderator = self.memberships.values().any(|Stored { item: ms, .. }| {
            ms.room_id.as_deref() == Some(room.as_str())
                && ms.person_id.as_deref() == Some(caller)
                && ms.is_moderator == Some(true)
        });
        if m.person_id.as_deref() != Some(caller) && !moderator {
            return Err(err(403, "You can only delete your own messages."));
        }
        self.messages.remove(id);
        let mentioned = m.mentioned_people.clone();
        self.notice(
            "messages",
            "deleted",
            caller,
            &room,
            slim_message(&m),
            mentioned,
        );
        Ok(Answer::Empty)
    }
}

/// Text, HTML, mentioned people and mentioned groups of a markdown message.
type Rendered = (String, Option<String>, Vec<String>, Vec<String>);

/// The slim message of a webhook delivery: no text, markdown or html.
pub(super) fn slim_message(m: &Message) -> Value {
    let mut v = serde_json::to_value(m).expect("json");
    if let Some(o) = v.as_object_mut() {
        for k in [
            "text",
            "markdown",
            "html",
            "attachments",
            "toPersonId",
            "toPersonEmail",
            "updated",
        ] {
            o.remove(k);
        }
    }
    v
}

/// A page's messages, newest first, as Webex lists them.
fn newest_first(mut ms: Vec<&StoredMessage>) -> Vec<Value> {
    ms.sort_by_key(|m| std::cmp::Reverse(m.seq));
    ms.into_iter()
        .map(|m| World::to_value(&m.message))
        .collect()
}
