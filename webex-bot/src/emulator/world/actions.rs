//! Attachment actions (card submissions) and file contents.

use super::*;
use crate::models::AttachmentAction;

impl World {
    pub(super) fn create_action(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let kind = req.required("type")?;
        if kind != "submit" {
            return Err(err(400, "type must be submit."));
        }
        let message_id = req.required("messageId")?;
        let inputs = req
            .field("inputs")
            .ok_or_else(|| err(400, "Missing required field: inputs"))?;
        let m = self.get_message(caller, &message_id)?;
        if m.attachments.is_empty() {
            return Err(err(400, "The message has no card."));
        }
        let mut a = AttachmentAction::default();
        a.id = new_id("ATTACHMENT_ACTION");
        a.action_type = Some("submit".into());
        a.message_id = Some(message_id);
        a.inputs = inputs;
        a.person_id = Some(caller.to_owned());
        a.room_id = m.room_id.clone();
        a.created = Some(self.now());
        self.actions.insert(a.id.clone(), a.clone());
        let mut slim = Self::to_value(&a);
        if let Some(o) = slim.as_object_mut() {
            o.remove("inputs");
        }
        self.notice(
            "attachmentActions",
            "created",
            caller,
            m.room_id.as_deref().unwrap_or(""),
            slim,
            Vec::new(),
        );
        Ok(Answer::Json(Self::to_value(&a)))
    }

    pub(super) fn get_action(&self, caller: &str, id: &str) -> ApiResult<Answer> {
        match self.actions.get(id) {
            Some(a)
                if a.room_id
                    .as_deref()
                    .is_some_and(|r| self.is_member(caller, r)) =>
            {
                Ok(Answer::Json(Self::to_value(a)))
            }
            _ => Err(err(404, "Attachment action not found.")),
        }
    }

    pub(super) fn get_content(&self, caller: &str, id: &str) -> ApiResult<Answer> {
        match self.contents.get(id) {
            Some(c) if self.is_member(caller, &c.room_id) => Ok(Answer::Content {
                bytes: c.bytes.clone(),
                content_type: c.content_type.clone(),
                name: c.name.clone(),
            }),
            _ => Err(err(404, "File not found.")),
        }
    }
}
