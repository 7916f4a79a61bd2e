//! Webhooks: their records, and the deliveries queued notices cause.

use serde_json::{Value, json};

use super::*;
use crate::models::{RoomType, Webhook, WebhookStatus};

impl World {
    pub(super) fn own_hook(&self, caller: &str, id: &str) -> ApiResult<&HookRec> {
        match self.hooks.get(id) {
            Some(Stored { item: h, .. }) if h.owner == caller => Ok(h),
            _ => Err(err(404, "Webhook not found.")),
        }
    }

    pub(super) fn list_webhooks(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let hs: Vec<&Stored<HookRec>> = self
            .hooks
            .values()
            .filter(|Stored { item: h, .. }| h.owner == caller)
            .collect();
        Self::page_in_order(hs, |h| Self::to_value(&h.hook), req)
    }

    pub(super) fn create_webhook(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let name = req.required("name")?;
        let target = req.required("targetUrl")?;
        let resource = req.required("resource")?;
        let event = req.required("event")?;
        if crate::util::HttpUrl::parse(&target).is_err() {
            return Err(err(400, format!("Invalid targetUrl: {target}")));
        }
        const RESOURCES: &[&str] = &[
            "all",
            "messages",
            "memberships",
            "rooms",
            "attachmentActions",
        ];
        const EVENTS: &[&str] = &["all", "created", "updated", "deleted"];
        if !RESOURCES.contains(&resource.as_str()) {
            return Err(err(400, format!("Unsupported resource: {resource}")));
        }
        if !EVENTS.contains(&event.as_str()) {
            return Err(err(400, format!("Unsupported event: {event}")));
        }
        if (resource == "all") != (event == "all") && resource == "all" {
            return Err(err(400, "The firehose webhook needs event all."));
        }
        let filter = req.str_field("filter");
        if let Some(f) = &filter {
            for (k, v) in form_urlencoded::parse(f.as_bytes()) {
                if k == "roomId" && !self.is_member(caller, &v) {
                    return Err(err(400, "invalid value for filter: roomId"));
                }
            }
        }
        let mut hook = Webhook::default();
        hook.id = new_id("WEBHOOK");
        hook.name = name;
        hook.target_url = target;
        hook.resource = resource;
        hook.event = event;
        hook.filter = filter;
        hook.secret = req.str_field("secret").map(crate::Secret::new);
        hook.status = Some(WebhookStatus::Active);
        hook.created = Some(self.now());
        hook.owned_by = Some("creator".into());
        let record = self.stored(HookRec {
            hook: hook.clone(),
            owner: caller.to_owned(),
            failures: 0,
        });
        self.hooks.insert(hook.id.clone(), record);
        Ok(Answer::Json(Self::to_value(&hook)))
    }

    pub(super) fn update_webhook(
        &mut self,
        caller: &str,
        id: &str,
        req: &Req,
    ) -> ApiResult<Answer> {
        self.own_hook(caller, id)?;
        let name = req.required("name")?;
        let target = req.required("targetUrl")?;
        let status = req.str_field("status");
        if status.as_deref().is_some_and(|s| s != "active") {
            return Err(err(400, "status can only be set to active."));
        }
        let Stored { item: rec, .. } = self.hooks.get_mut(id).expect("checked");
        rec.hook.name = name;
        rec.hook.target_url = target;
        if let Some(s) = req.str_field("secret") {
            rec.hook.secret = Some(crate::Secret::new(s));
        }
        if status.is_some() {
            rec.hook.status = Some(WebhookStatus::Active);
            rec.failures = 0;
        }
        Ok(Answer::Json(Self::to_value(&rec.hook.clone())))
    }

    /// The webhook deliveries and websocket activities the queued notices cause, as
    /// Webex would make them.
    pub(crate) fn take_deliveries(&mut self) -> (Vec<Delivery>, Vec<devices::Activity>) {
        let notices = std::mem::take(&mut self.notices);
        let activities = self.activities(&notices);
        let mut out = Vec::new();
        for n in &notices {
            let mut hooks: Vec<&Stored<HookRec>> = self.hooks.values().collect();
            hooks.sort_by_key(|h| h.seq);
            for Stored { item: rec, .. } in hooks {
                if rec.hook.status != Some(WebhookStatus::Active) || !self.hook_wants(rec, n) {
                    continue;
                }
                let h = &rec.hook;
                let payload = json!({
                    "id": h.id, "name": h.name, "targetUrl": h.target_url, "resource": n.resource, "event": n.event,
                    "filter": h.filter, "orgId": self.org_id, "createdBy": rec.owner, "appId": "emulator",
                    "ownedBy": "creator", "status": "active", "created": h.created, "actorId": n.actor, "data": n.data,
                });
                let mut payload = payload;
                if h.filter.is_none() {
                    payload.as_object_mut().map(|o| o.remove("filter"));
                }
                out.push(Delivery {
                    webhook_id: h.id.clone(),
                    target_url: h.target_url.clone(),
                    secret: h.secret.clone(),
                    body: serde_json::to_vec(&payload).expect("json"),
                });
            }
        }
        (out, activities)
    }

    pub(super) fn hook_wants(&self, rec: &HookRec, n: &Notice) -> bool {
        let h = &rec.hook;
        let resource_ok =
            h.resource == n.resource || (h.resource == "all" && n.resource != "attachmentActions");
        let event_ok = h.event == "all" || h.event == n.event;
        if !resource_ok || !event_ok {
            return false;
        }
        let owner = rec.owner.as_str();
        if !self.visible_to(owner, n) {
            return false;
        }
        match &h.filter {
            None => true,
            Some(f) => {
                form_urlencoded::parse(f.as_bytes()).all(|(k, v)| filter_matches(&k, &v, n, owner))
            }
        }
    }

    /// Whether `owner` may be told of `n`: a member of its room (or the subject of a
    /// membership); a bot sees a group message only when mentioned in it.
    pub(super) fn visible_to(&self, owner: &str, n: &Notice) -> bool {
        let subject = n.data.get("personId").and_then(Value::as_str);
        let visible = self.is_member(owner, &n.room_id)
            || (n.resource == "memberships" && subject == Some(owner));
        if !visible {
            return false;
        }
        if n.resource == "memberships" && n.event == "deleted" && n.room_type != RoomType::Group {
            return false;
        }
        if n.resource == "messages"
            && self.is_bot(owner)
            && n.room_type == RoomType::Group
            && n.actor != owner
            && !n.mentioned.iter().any(|m| m == owner)
        {
            return false;
        }
        true
    }

    pub(crate) fn record_delivery(&mut self, webhook_id: &str, ok: bool) -> bool {
        let threshold = self.failure_threshold;
        if let Some(Stored { item: rec, .. }) = self.hooks.get_mut(webhook_id) {
            if ok {
                rec.failures = 0;
            } else {
                rec.failures += 1;
                if rec.failures >= threshold && rec.hook.status == Some(WebhookStatus::Active) {
                    rec.hook.status = Some(WebhookStatus::Inactive);
                    return true;
                }
            }
        }
        false
    }
}

fn filter_matches(key: &str, value: &str, n: &Notice, owner: &str) -> bool {
    let data = |k: &str| n.data.get(k).and_then(Value::as_str);
    match key {
        "roomId" => n.room_id == value,
        "roomType" | "type" => n.room_type.as_str() == value,
        "personId" => data("personId") == Some(value),
        "personEmail" => data("personEmail").is_some_and(|e| e.eq_ignore_ascii_case(value)),
        "mentionedPeople" => {
            let who = if value == "me" { owner } else { value };
            n.mentioned.iter().any(|m| m == who)
        }
        "hasFiles" => {
            n.data
                .get("files")
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty())
                == (value == "true")
        }
        "isModerator" => {
            n.data
                .get("isModerator")
                .and_then(Value::as_bool)
                .map(|b| b.to_string())
                .as_deref()
                == Some(value)
        }
        "messageId" => data("messageId") == Some(value),
        _ => true,
    }
}
