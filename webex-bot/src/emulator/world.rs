//! The emulated Webex: its state and its rules, apart from HTTP.
// Resources are filled in field by field, in the order Webex documents their fields.
#![allow(clippy::field_reassign_with_default)]

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{Value, json};

use super::render::{self, MentionRef};
use crate::markdown::MAX_MESSAGE_BYTES;
use crate::models::{
    Attachment, AttachmentAction, Membership, Message, Person, PersonType, Room, RoomType, Team,
    TeamMembership, Webhook, WebhookStatus,
};

/// An error answer: status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub status: u16,
    pub message: String,
}

pub(crate) fn err(status: u16, message: impl Into<String>) -> Rejection {
    Rejection {
        status,
        message: message.into(),
    }
}

pub(crate) type ApiResult<T> = Result<T, Rejection>;

/// A request as the rules see it.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: String,
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub json: Option<Value>,
    pub form: Option<super::multipart::Form>,
}

impl Req {
    pub(crate) fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(qk, _)| qk == k)
            .map(|(_, v)| v.as_str())
    }

    fn field(&self, k: &str) -> Option<Value> {
        if let Some(j) = &self.json {
            return j.get(k).cloned().filter(|v| !v.is_null());
        }
        self.form
            .as_ref()
            .and_then(|f| f.text(k))
            .map(|s| Value::String(s.to_owned()))
    }

    fn str_field(&self, k: &str) -> Option<String> {
        self.field(k).and_then(|v| match v {
            Value::String(s) => Some(s),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }

    fn bool_field(&self, k: &str) -> Option<bool> {
        self.field(k).and_then(|v| match v {
            Value::Bool(b) => Some(b),
            Value::String(s) => s.parse().ok(),
            _ => None,
        })
    }

    fn required(&self, k: &str) -> ApiResult<String> {
        self.str_field(k)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err(400, format!("Missing required field: {k}")))
    }
}

/// What a successful request answers.
#[derive(Debug)]
pub(crate) enum Answer {
    Json(Value),
    Page {
        items: Vec<Value>,
        max: usize,
    },
    Empty,
    Content {
        bytes: Vec<u8>,
        content_type: String,
        name: String,
    },
}

/// An event for webhook delivery.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub resource: &'static str,
    pub event: &'static str,
    pub actor: String,
    pub room_id: String,
    pub data: Value,
    /// For messages: who is mentioned; for others empty.
    pub mentioned: Vec<String>,
    pub room_type: RoomType,
}

/// A delivery to make.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub webhook_id: String,
    pub target_url: String,
    pub secret: Option<crate::Secret>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct Content {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub name: String,
    pub room_id: String,
}

#[derive(Debug, Clone)]
pub(crate) struct HookRec {
    pub hook: Webhook,
    pub owner: String,
    pub failures: u32,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    pub base_url: String,
    pub org_id: String,
    pub people: HashMap<String, Person>,
    pub tokens: HashMap<String, String>,
    pub rooms: HashMap<String, (u64, Room)>,
    pub memberships: HashMap<String, (u64, Membership)>,
    pub messages: HashMap<String, (u64, Message, u32)>,
    pub teams: HashMap<String, (u64, Team)>,
    pub team_memberships: HashMap<String, (u64, TeamMembership)>,
    pub hooks: HashMap<String, (u64, HookRec)>,
    pub actions: HashMap<String, AttachmentAction>,
    pub contents: HashMap<String, Content>,
    pub applications: HashMap<String, Value>,
    pub seq: u64,
    pub last_ms: u128,
    pub failure_threshold: u32,
    pub notices: Vec<Notice>,
}

pub(crate) fn new_id(kind: &str) -> String {
    let r = crate::util::random_hex(16);
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &r[..8],
        &r[8..12],
        &r[12..16],
        &r[16..20],
        &r[20..]
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("ciscospark://us/{kind}/{uuid}"))
}

impl World {
    pub(crate) fn new(base_url: String) -> World {
        World {
            base_url,
            org_id: new_id("ORGANIZATION"),
            failure_threshold: 5,
            ..Default::default()
        }
    }

    fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A timestamp strictly later than the previous one, so ordering by time is total.
    pub(crate) fn now(&mut self) -> String {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            .max(self.last_ms + 1);
        self.last_ms = ms;
        crate::util::iso8601(UNIX_EPOCH + Duration::from_millis(ms as u64))
    }

    pub(crate) fn add_person(
        &mut self,
        name: &str,
        email: &str,
        token: &str,
        kind: PersonType,
    ) -> Person {
        let mut p = Person::default();
        p.id = new_id("PEOPLE");
        p.emails = vec![email.to_owned()];
        p.display_name = Some(name.to_owned());
        let mut parts = name.splitn(2, ' ');
        p.first_name = parts.next().map(str::to_owned);
        p.last_name = parts.next().map(str::to_owned);
        p.org_id = Some(self.org_id.clone());
        p.person_type = Some(kind);
        p.created = Some(self.now());
        p.status = Some("active".into());
        self.tokens.insert(token.to_owned(), p.id.clone());
        self.people.insert(p.id.clone(), p.clone());
        p
    }

    pub(crate) fn person_by_email(&self, email: &str) -> Option<&Person> {
        self.people
            .values()
            .find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
    }

    /// The id of the person given by id or, failing that, by email.
    fn person_id_of(&self, id: Option<&str>, email: Option<&str>) -> ApiResult<String> {
        match (id, email) {
            (Some(id), _) => Ok(self.person(id)?.id.clone()),
            (None, Some(e)) => self
                .person_by_email(e)
                .map(|p| p.id.clone())
                .ok_or_else(|| err(404, "The requested person was not found")),
            (None, None) => Err(err(400, "personId or personEmail is required.")),
        }
    }

    fn person(&self, id: &str) -> ApiResult<&Person> {
        self.people
            .get(id)
            .ok_or_else(|| err(404, "The requested person was not found"))
    }

    fn is_bot(&self, id: &str) -> bool {
        self.people
            .get(id)
            .is_some_and(|p| p.person_type == Some(PersonType::Bot))
    }

    pub(crate) fn is_member(&self, person: &str, room: &str) -> bool {
        self.memberships.values().any(|(_, m)| {
            m.person_id.as_deref() == Some(person) && m.room_id.as_deref() == Some(room)
        })
    }

    fn room_for(&self, caller: &str, room_id: &str) -> ApiResult<Room> {
        match self.rooms.get(room_id) {
            Some((_, r)) if self.is_member(caller, room_id) => Ok(self.room_view(caller, r)),
            _ => Err(err(404, "Could not find a room with provided ID.")),
        }
    }

    /// A direct room's title is the other person's name, for each viewer.
    fn room_view(&self, caller: &str, r: &Room) -> Room {
        let mut r = r.clone();
        if r.room_type == Some(RoomType::Direct) {
            let other = self
                .memberships
                .values()
                .filter(|(_, m)| m.room_id.as_deref() == Some(r.id.as_str()))
                .filter_map(|(_, m)| m.person_id.clone())
                .find(|p| p != caller);
            r.title = other
                .and_then(|p| self.people.get(&p))
                .and_then(|p| p.display_name.clone());
        }
        r
    }

    fn to_value<T: serde::Serialize>(v: &T) -> Value {
        serde_json::to_value(v).expect("models serialize")
    }

    // ---- membership helpers ------------------------------------------------------------

    pub(crate) fn add_member(
        &mut self,
        room_id: &str,
        person_id: &str,
        moderator: bool,
        actor: &str,
    ) -> ApiResult<Membership> {
        if self.is_member(person_id, room_id) {
            return Err(err(409, "Person is already in the room."));
        }
        let person = self.person(person_id)?.clone();
        let room_type = self.rooms.get(room_id).and_then(|(_, r)| r.room_type);
        let mut m = Membership::default();
        m.id = new_id("MEMBERSHIP");
        m.room_id = Some(room_id.to_owned());
        m.person_id = Some(person_id.to_owned());
        m.person_email = person.primary_email().map(str::to_owned);
        m.person_display_name = person.display_name.clone();
        m.person_org_id = person.org_id.clone();
        m.is_moderator = Some(moderator);
        m.is_monitor = Some(false);
        m.is_room_hidden = Some(false);
        m.room_type = room_type;
        m.created = Some(self.now());
        let seq = self.next();
        self.memberships.insert(m.id.clone(), (seq, m.clone()));
        self.notice(
            "memberships",
            "created",
            actor,
            room_id,
            Self::to_value(&m),
            Vec::new(),
        );
        Ok(m)
    }

    fn notice(
        &mut self,
        resource: &'static str,
        event: &'static str,
        actor: &str,
        room_id: &str,
        data: Value,
        mentioned: Vec<String>,
    ) {
        let room_type = self
            .rooms
            .get(room_id)
            .and_then(|(_, r)| r.room_type)
            .unwrap_or(RoomType::Group);
        self.notices.push(Notice {
            resource,
            event,
            actor: actor.to_owned(),
            room_id: room_id.to_owned(),
            data,
            mentioned,
            room_type,
        });
    }

    /// Finds or makes the direct room of two people.
    fn direct_room(&mut self, a: &str, b: &str) -> ApiResult<String> {
        let existing = self.rooms.values().find(|(_, r)| {
            r.room_type == Some(RoomType::Direct)
                && self.is_member(a, &r.id)
                && self.is_member(b, &r.id)
        });
        if let Some((_, r)) = existing {
            return Ok(r.id.clone());
        }
        if a == b {
            return Err(err(400, "Cannot send a direct message to yourself."));
        }
        let mut r = Room::default();
        r.id = new_id("ROOM");
        r.room_type = Some(RoomType::Direct);
        r.is_locked = Some(false);
        r.creator_id = Some(a.to_owned());
        r.owner_id = Some(self.org_id.clone());
        let now = self.now();
        r.created = Some(now.clone());
        r.last_activity = Some(now);
        let seq = self.next();
        self.rooms.insert(r.id.clone(), (seq, r.clone()));
        self.add_member(&r.id, a, false, a)?;
        self.add_member(&r.id, b, false, a)?;
        Ok(r.id)
    }

    // ---- the API -----------------------------------------------------------------------

    pub(crate) fn handle(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let seg: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        let m = req.method.as_str();
        match (m, seg.as_slice()) {
            ("GET", ["people", "me"]) => Ok(Answer::Json(Self::to_value(self.person(caller)?))),
            ("GET", ["people"]) => self.list_people(req),
            ("GET", ["people", id]) => Ok(Answer::Json(Self::to_value(self.person(id)?))),
            ("GET", ["rooms"]) => self.list_rooms(caller, req),
            ("POST", ["rooms"]) => self.create_room(caller, req),
            ("GET", ["rooms", id]) => Ok(Answer::Json(Self::to_value(&self.room_for(caller, id)?))),
            ("PUT", ["rooms", id]) => self.update_room(caller, id, req),
            ("DELETE", ["rooms", id]) => self.delete_room(caller, id),
            ("GET", ["memberships"]) => self.list_memberships(caller, req),
            ("POST", ["memberships"]) => self.create_membership(caller, req),
            ("GET", ["memberships", id]) => self
                .get_membership(caller, id)
                .map(|m| Answer::Json(Self::to_value(&m))),
            ("PUT", ["memberships", id]) => self.update_membership(caller, id, req),
            ("DELETE", ["memberships", id]) => self.delete_membership(caller, id),
            ("GET", ["messages"]) => self.list_messages(caller, req),
            ("GET", ["messages", "direct"]) => self.list_direct(caller, req),
            ("POST", ["messages"]) => self.create_message(caller, req),
            ("GET", ["messages", id]) => self
                .get_message(caller, id)
                .map(|m| Answer::Json(Self::to_value(&m))),
            ("PUT", ["messages", id]) => self.edit_message(caller, id, req),
            ("DELETE", ["messages", id]) => self.delete_message(caller, id),
            ("GET", ["teams"]) => self.list_teams(caller, req),
            ("POST", ["teams"]) => self.create_team(caller, req),
            ("GET", ["teams", id]) => self
                .get_team(caller, id)
                .map(|t| Answer::Json(Self::to_value(&t))),
            ("PUT", ["teams", id]) => self.update_team(caller, id, req),
            ("DELETE", ["teams", id]) => self.delete_team(caller, id),
            ("GET", ["team", "memberships"]) => self.list_team_memberships(caller, req),
            ("POST", ["team", "memberships"]) => self.create_team_membership(caller, req),
            ("GET", ["team", "memberships", id]) => self
                .get_team_membership(caller, id)
                .map(|t| Answer::Json(Self::to_value(&t))),
            ("PUT", ["team", "memberships", id]) => self.update_team_membership(caller, id, req),
            ("DELETE", ["team", "memberships", id]) => self.delete_team_membership(caller, id),
            ("GET", ["webhooks"]) => self.list_webhooks(caller, req),
            ("POST", ["webhooks"]) => self.create_webhook(caller, req),
            ("GET", ["webhooks", id]) => self
                .own_hook(caller, id)
                .map(|h| Answer::Json(Self::to_value(&h.hook))),
            ("PUT", ["webhooks", id]) => self.update_webhook(caller, id, req),
            ("DELETE", ["webhooks", id]) => {
                self.own_hook(caller, id)?;
                self.hooks.remove(*id);
                Ok(Answer::Empty)
            }
            ("POST", ["attachment", "actions"]) => self.create_action(caller, req),
            ("GET", ["attachment", "actions", id]) => self.get_action(caller, id),
            ("GET" | "HEAD", ["contents", id]) => self.get_content(caller, id),
            ("POST", ["applications"]) => self.create_application(caller, req),
            ("PATCH", ["applications", id]) => self.update_application(id, req),
            ("POST", ["applications", id, "logo"]) => self.application_logo(id, req),
            ("DELETE", ["applications", id, "botToken"]) => self.regenerate_token(id),
            ("DELETE", ["applications", id]) => {
                let app = self
                    .applications
                    .remove(*id)
                    .ok_or_else(|| err(404, "Application not found"))?;
                // The deleted bot's tokens stop working.
                let bot_id = app["botPersonId"].as_str().unwrap_or("").to_owned();
                self.tokens.retain(|_, p| *p != bot_id);
                Ok(Answer::Json(json!({})))
            }
            (_, [first, ..]) if KNOWN.contains(first) => {
                Err(err(405, format!("{m} is not supported on this resource")))
            }
            _ => Err(err(404, "The requested resource could not be found.")),
        }
    }

    /// A page of `rows` in creation order, each shown with `view` (default page size 100).
    fn page_in_order<T>(
        mut rows: Vec<&(u64, T)>,
        view: impl Fn(&T) -> Value,
        req: &Req,
    ) -> ApiResult<Answer> {
        rows.sort_by_key(|r| r.0);
        let items = rows.into_iter().map(|(_, r)| view(r)).collect();
        Ok(Answer::Page {
            items,
            max: Self::max(req, 100, 1000)?,
        })
    }

    fn max(req: &Req, default: usize, cap: usize) -> ApiResult<usize> {
        match req.q("max") {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n.min(cap)),
                _ => Err(err(400, format!("Invalid value for max: {v}"))),
            },
        }
    }

    // people

    fn list_people(&self, req: &Req) -> ApiResult<Answer> {
        let (email, name, ids) = (req.q("email"), req.q("displayName"), req.q("id"));
        if email.is_none() && name.is_none() && ids.is_none() {
            return Err(err(
                400,
                "Email, displayName, or id list should be specified.",
            ));
        }
        let ids: Option<Vec<&str>> = ids.map(|i| i.split(',').collect());
        let mut people: Vec<&Person> = self
            .people
            .values()
            .filter(|p| email.is_none_or(|e| p.emails.iter().any(|pe| pe.eq_ignore_ascii_case(e))))
            .filter(|p| {
                name.is_none_or(|n| {
                    p.display_name
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().starts_with(&n.to_lowercase()))
                })
            })
            .filter(|p| ids.as_ref().is_none_or(|ids| ids.contains(&p.id.as_str())))
            .collect();
        people.sort_by(|a, b| a.created.cmp(&b.created));
        let items = people.into_iter().map(Self::to_value).collect();
        Ok(Answer::Page {
            items,
            max: Self::max(req, 100, 1000)?,
        })
    }

    // rooms

    fn list_rooms(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let t = req.q("type");
        let team = req.q("teamId");
        let mut rooms: Vec<&(u64, Room)> = self
            .rooms
            .values()
            .filter(|(_, r)| self.is_member(caller, &r.id))
            .filter(|(_, r)| t.is_none_or(|t| r.room_type.map(RoomType::as_str) == Some(t)))
            .filter(|(_, r)| team.is_none_or(|tm| r.team_id.as_deref() == Some(tm)))
            .collect();
        match req.q("sortBy") {
            Some("lastactivity") => rooms.sort_by(|a, b| b.1.last_activity.cmp(&a.1.last_activity)),
            Some("created") => rooms.sort_by(|a, b| b.1.created.cmp(&a.1.created)),
            Some("id") | None => rooms.sort_by_key(|r| r.0),
            Some(other) => return Err(err(400, format!("Invalid sortBy value: {other}"))),
        }
        let items = rooms
            .into_iter()
            .map(|(_, r)| Self::to_value(&self.room_view(caller, r)))
            .collect();
        Ok(Answer::Page {
            items,
            max: Self::max(req, 100, 1000)?,
        })
    }

    fn create_room(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let title = req.required("title")?;
        let mut r = Room::default();
        r.id = new_id("ROOM");
        r.title = Some(title);
        r.room_type = Some(RoomType::Group);
        r.is_locked = Some(req.bool_field("isLocked").unwrap_or(false));
        r.team_id = req.str_field("teamId");
        r.description = req.str_field("description");
        r.creator_id = Some(caller.to_owned());
        r.owner_id = Some(self.org_id.clone());
        let now = self.now();
        r.created = Some(now.clone());
        r.last_activity = Some(now);
        if let Some(team) = &r.team_id {
            self.get_team(caller, team)?;
        }
        let seq = self.next();
        self.rooms.insert(r.id.clone(), (seq, r.clone()));
        let locked = r.is_locked == Some(true);
        self.add_member(&r.id, caller, locked, caller)?;
        self.notice(
            "rooms",
            "created",
            caller,
            &r.id,
            Self::to_value(&r),
            Vec::new(),
        );
        Ok(Answer::Json(Self::to_value(&r)))
    }

    fn update_room(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        self.room_for(caller, id)?;
        let title = req.required("title")?;
        let (_, r) = self.rooms.get_mut(id).expect("checked");
        r.title = Some(title);
        if let Some(l) = req.bool_field("isLocked") {
            r.is_locked = Some(l);
        }
        if let Some(d) = req.str_field("description") {
            r.description = Some(d);
        }
        let r = r.clone();
        self.notice(
            "rooms",
            "updated",
            caller,
            id,
            Self::to_value(&r),
            Vec::new(),
        );
        Ok(Answer::Json(Self::to_value(&r)))
    }

    fn delete_room(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        self.room_for(caller, id)?;
        self.rooms.remove(id);
        self.memberships
            .retain(|_, (_, m)| m.room_id.as_deref() != Some(id));
        self.messages
            .retain(|_, (_, m, _)| m.room_id.as_deref() != Some(id));
        Ok(Answer::Empty)
    }

    // memberships

    fn list_memberships(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let room = req.q("roomId");
        let (pid, pemail) = (req.q("personId"), req.q("personEmail"));
        if room.is_none() && (pid.is_some() || pemail.is_some()) {
            return Err(err(400, "roomId is required when filtering by person."));
        }
        if let Some(room) = room {
            self.room_for(caller, room)?;
        }
        let ms: Vec<&(u64, Membership)> = self
            .memberships
            .values()
            .filter(|(_, m)| match room {
                Some(r) => m.room_id.as_deref() == Some(r),
                None => m.person_id.as_deref() == Some(caller),
            })
            .filter(|(_, m)| pid.is_none_or(|p| m.person_id.as_deref() == Some(p)))
            .filter(|(_, m)| {
                pemail.is_none_or(|e| {
                    m.person_email
                        .as_deref()
                        .is_some_and(|me| me.eq_ignore_ascii_case(e))
                })
            })
            .collect();
        Self::page_in_order(ms, Self::to_value, req)
    }

    fn create_membership(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let room = req.required("roomId")?;
        let r = self.room_for(caller, &room)?;
        if r.room_type == Some(RoomType::Direct) {
            return Err(err(409, "Cannot add people to a direct room."));
        }
        let person = self.person_id_of(
            req.str_field("personId").as_deref(),
            req.str_field("personEmail").as_deref(),
        )?;
        let m = self.add_member(
            &room,
            &person,
            req.bool_field("isModerator").unwrap_or(false),
            caller,
        )?;
        Ok(Answer::Json(Self::to_value(&m)))
    }

    fn get_membership(&self, caller: &str, id: &str) -> ApiResult<Membership> {
        match self.memberships.get(id) {
            Some((_, m))
                if m.room_id
                    .as_deref()
                    .is_some_and(|r| self.is_member(caller, r)) =>
            {
                Ok(m.clone())
            }
            _ => Err(err(404, "Membership not found.")),
        }
    }

    fn update_membership(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        self.get_membership(caller, id)?;
        let (_, m) = self.memberships.get_mut(id).expect("checked");
        if let Some(v) = req.bool_field("isModerator") {
            m.is_moderator = Some(v);
        }
        if let Some(v) = req.bool_field("isRoomHidden") {
            m.is_room_hidden = Some(v);
        }
        let m = m.clone();
        let room = m.room_id.clone().unwrap_or_default();
        self.notice(
            "memberships",
            "updated",
            caller,
            &room,
            Self::to_value(&m),
            Vec::new(),
        );
        Ok(Answer::Json(Self::to_value(&m)))
    }

    fn delete_membership(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        let m = self.get_membership(caller, id)?;
        let room = m.room_id.clone().unwrap_or_default();
        if m.room_type == Some(RoomType::Direct) {
            return Err(err(409, "Cannot leave a direct room."));
        }
        // The removed person still gets the event, so it is computed before the removal.
        self.notice(
            "memberships",
            "deleted",
            caller,
            &room,
            Self::to_value(&m),
            Vec::new(),
        );
        self.memberships.remove(id);
        Ok(Answer::Empty)
    }

    // messages

    fn visible_message(&self, caller: &str, m: &Message) -> bool {
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

    fn get_message(&self, caller: &str, id: &str) -> ApiResult<Message> {
        match self.messages.get(id) {
            Some((_, m, _)) if self.visible_message(caller, m) => Ok(m.clone()),
            _ => Err(err(404, "Could not find a message with provided ID.")),
        }
    }

    fn list_messages(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
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
                    .map(|(s, _, _)| *s)
                    .ok_or_else(|| err(404, "beforeMessage not found."))?,
            ),
            None => None,
        };
        let parent = req.q("parentId");
        let mut ms: Vec<&(u64, Message, u32)> = self
            .messages
            .values()
            .filter(|(_, m, _)| m.room_id.as_deref() == Some(room_id))
            .filter(|(_, m, _)| mentioned.is_none() || m.mentions(caller))
            .filter(|(_, m, _)| self.visible_message(caller, m))
            .filter(|(_, m, _)| parent.is_none_or(|p| m.parent_id.as_deref() == Some(p)))
            .filter(|(_, m, _)| before.is_none_or(|b| m.created.as_deref().is_some_and(|c| c < b)))
            .filter(|(s, _, _)| before_seq.is_none_or(|b| *s < b))
            .collect();
        ms.sort_by_key(|m| std::cmp::Reverse(m.0));
        let items = ms.into_iter().map(|(_, m, _)| Self::to_value(m)).collect();
        Ok(Answer::Page { items, max })
    }

    fn list_direct(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let other = self.person_id_of(req.q("personId"), req.q("personEmail"))?;
        let room = self.rooms.values().find(|(_, r)| {
            r.room_type == Some(RoomType::Direct)
                && self.is_member(caller, &r.id)
                && self.is_member(&other, &r.id)
        });
        let Some((_, room)) = room else {
            return Ok(Answer::Page {
                items: Vec::new(),
                max: 50,
            });
        };
        let parent = req.q("parentId");
        let mut ms: Vec<&(u64, Message, u32)> = self
            .messages
            .values()
            .filter(|(_, m, _)| m.room_id.as_deref() == Some(room.id.as_str()))
            .filter(|(_, m, _)| parent.is_none_or(|p| m.parent_id.as_deref() == Some(p)))
            .collect();
        ms.sort_by_key(|m| std::cmp::Reverse(m.0));
        let items = ms.into_iter().map(|(_, m, _)| Self::to_value(m)).collect();
        Ok(Answer::Page {
            items,
            max: Self::max(req, 50, 1000)?,
        })
    }

    fn create_message(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
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
        let room_type = self.rooms.get(&room_id).and_then(|(_, r)| r.room_type);
        let mut parent_id = req.str_field("parentId");
        if let Some(p) = &parent_id {
            let (_, pm, _) = self
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
        if let Some((_, r)) = self.rooms.get_mut(&room_id) {
            r.last_activity = m.created.clone();
        }
        let seq = self.next();
        self.messages.insert(m.id.clone(), (seq, m.clone(), 0));
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
    fn render(&self, md: &str) -> ApiResult<Rendered> {
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

    fn edit_message(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
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
        let edits = self.messages.get(id).map(|e| e.2).unwrap_or(0);
        if edits >= 10 {
            return Err(err(400, "A message can be edited at most 10 times."));
        }
        let rendered = match &markdown {
            Some(md) => Some(self.render(md)?),
            None => None,
        };
        let now = self.now();
        let entry = self.messages.get_mut(id).expect("checked");
        entry.2 += 1;
        let msg = &mut entry.1;
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

    fn delete_message(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        let m = self.get_message(caller, id)?;
        let room = m.room_id.clone().unwrap_or_default();
        let moderator = self.memberships.values().any(|(_, ms)| {
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

    // teams

    fn is_team_member(&self, person: &str, team: &str) -> bool {
        self.team_memberships.values().any(|(_, m)| {
            m.person_id.as_deref() == Some(person) && m.team_id.as_deref() == Some(team)
        })
    }

    fn get_team(&self, caller: &str, id: &str) -> ApiResult<Team> {
        match self.teams.get(id) {
            Some((_, t)) if self.is_team_member(caller, id) => Ok(t.clone()),
            _ => Err(err(404, "Team not found.")),
        }
    }

    fn list_teams(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let ts: Vec<&(u64, Team)> = self
            .teams
            .values()
            .filter(|(_, t)| self.is_team_member(caller, &t.id))
            .collect();
        Self::page_in_order(ts, Self::to_value, req)
    }

    fn create_team(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let mut t = Team::default();
        t.id = new_id("TEAM");
        t.name = Some(req.required("name")?);
        t.description = req.str_field("description");
        t.created = Some(self.now());
        let seq = self.next();
        self.teams.insert(t.id.clone(), (seq, t.clone()));
        self.add_team_member(&t.id, caller, true)?;
        Ok(Answer::Json(Self::to_value(&t)))
    }

    fn update_team(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        self.get_team(caller, id)?;
        let name = req.required("name")?;
        let (_, t) = self.teams.get_mut(id).expect("checked");
        t.name = Some(name);
        if let Some(d) = req.str_field("description") {
            t.description = Some(d);
        }
        Ok(Answer::Json(Self::to_value(&t.clone())))
    }

    fn delete_team(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        self.get_team(caller, id)?;
        self.teams.remove(id);
        self.team_memberships
            .retain(|_, (_, m)| m.team_id.as_deref() != Some(id));
        Ok(Answer::Empty)
    }

    fn add_team_member(
        &mut self,
        team: &str,
        person: &str,
        moderator: bool,
    ) -> ApiResult<TeamMembership> {
        if self.is_team_member(person, team) {
            return Err(err(409, "Person is already in the team."));
        }
        let p = self.person(person)?.clone();
        let mut m = TeamMembership::default();
        m.id = new_id("TEAM_MEMBERSHIP");
        m.team_id = Some(team.to_owned());
        m.person_id = Some(person.to_owned());
        m.person_email = p.primary_email().map(str::to_owned);
        m.person_display_name = p.display_name.clone();
        m.person_org_id = p.org_id.clone();
        m.is_moderator = Some(moderator);
        m.created = Some(self.now());
        let seq = self.next();
        self.team_memberships.insert(m.id.clone(), (seq, m.clone()));
        Ok(m)
    }

    fn list_team_memberships(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let team = req
            .q("teamId")
            .ok_or_else(|| err(400, "teamId is required."))?;
        self.get_team(caller, team)?;
        let ms: Vec<&(u64, TeamMembership)> = self
            .team_memberships
            .values()
            .filter(|(_, m)| m.team_id.as_deref() == Some(team))
            .collect();
        Self::page_in_order(ms, Self::to_value, req)
    }

    fn create_team_membership(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let team = req.required("teamId")?;
        self.get_team(caller, &team)?;
        let person = self.person_id_of(
            req.str_field("personId").as_deref(),
            req.str_field("personEmail").as_deref(),
        )?;
        let m = self.add_team_member(
            &team,
            &person,
            req.bool_field("isModerator").unwrap_or(false),
        )?;
        Ok(Answer::Json(Self::to_value(&m)))
    }

    fn get_team_membership(&self, caller: &str, id: &str) -> ApiResult<TeamMembership> {
        match self.team_memberships.get(id) {
            Some((_, m))
                if m.team_id
                    .as_deref()
                    .is_some_and(|t| self.is_team_member(caller, t)) =>
            {
                Ok(m.clone())
            }
            _ => Err(err(404, "Team membership not found.")),
        }
    }

    fn update_team_membership(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        self.get_team_membership(caller, id)?;
        let v = req
            .bool_field("isModerator")
            .ok_or_else(|| err(400, "Missing required field: isModerator"))?;
        let (_, m) = self.team_memberships.get_mut(id).expect("checked");
        m.is_moderator = Some(v);
        Ok(Answer::Json(Self::to_value(&m.clone())))
    }

    fn delete_team_membership(&mut self, caller: &str, id: &str) -> ApiResult<Answer> {
        let m = self.get_team_membership(caller, id)?;
        let team = m.team_id.clone().unwrap_or_default();
        let moderators = self
            .team_memberships
            .values()
            .filter(|(_, tm)| {
                tm.team_id.as_deref() == Some(team.as_str()) && tm.is_moderator == Some(true)
            })
            .count();
        if m.is_moderator == Some(true) && moderators == 1 {
            return Err(err(409, "The last moderator of a team cannot be removed."));
        }
        self.team_memberships.remove(id);
        Ok(Answer::Empty)
    }

    // webhooks

    fn own_hook(&self, caller: &str, id: &str) -> ApiResult<&HookRec> {
        match self.hooks.get(id) {
            Some((_, h)) if h.owner == caller => Ok(h),
            _ => Err(err(404, "Webhook not found.")),
        }
    }

    fn list_webhooks(&self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let hs: Vec<&(u64, HookRec)> = self
            .hooks
            .values()
            .filter(|(_, h)| h.owner == caller)
            .collect();
        Self::page_in_order(hs, |h| Self::to_value(&h.hook), req)
    }

    fn create_webhook(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
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
        let seq = self.next();
        self.hooks.insert(
            hook.id.clone(),
            (
                seq,
                HookRec {
                    hook: hook.clone(),
                    owner: caller.to_owned(),
                    failures: 0,
                },
            ),
        );
        Ok(Answer::Json(Self::to_value(&hook)))
    }

    fn update_webhook(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        self.own_hook(caller, id)?;
        let name = req.required("name")?;
        let target = req.required("targetUrl")?;
        let status = req.str_field("status");
        if status.as_deref().is_some_and(|s| s != "active") {
            return Err(err(400, "status can only be set to active."));
        }
        let (_, rec) = self.hooks.get_mut(id).expect("checked");
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

    // attachment actions

    fn create_action(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
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

    fn get_action(&self, caller: &str, id: &str) -> ApiResult<Answer> {
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

    fn get_content(&self, caller: &str, id: &str) -> ApiResult<Answer> {
        match self.contents.get(id) {
            Some(c) if self.is_member(caller, &c.room_id) => Ok(Answer::Content {
                bytes: c.bytes.clone(),
                content_type: c.content_type.clone(),
                name: c.name.clone(),
            }),
            _ => Err(err(404, "File not found.")),
        }
    }

    // applications

    fn create_application(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let kind = req.required("type")?;
        if kind != "bot" {
            return Err(err(400, "Only bots can be created here."));
        }
        let name = req.required("name")?;
        let email = req.required("botEmail")?;
        let description = req.required("description")?;
        if !email.to_ascii_lowercase().ends_with("@webex.bot") {
            return Err(err(400, "botEmail must end with @webex.bot"));
        }
        if self.person_by_email(&email).is_some() {
            return Err(err(409, "botEmail is already taken."));
        }
        let logo = match (
            req.form.as_ref().and_then(|f| f.file.clone()),
            req.str_field("logo"),
        ) {
            (Some(file), _) => {
                let id = new_id("CONTENT");
                self.contents.insert(
                    id.clone(),
                    Content {
                        bytes: file.bytes,
                        content_type: file.content_type,
                        name: file.file_name,
                        room_id: String::new(),
                    },
                );
                format!("{}/contents/{id}", self.base_url)
            }
            (None, Some(url)) => url,
            (None, None) => {
                return Err(err(400, "A logo is required: a URL or an uploaded image."));
            }
        };
        let token = crate::util::random_hex(24);
        let bot = self.add_person(&name, &email, &token, PersonType::Bot);
        let id = new_id("APPLICATION");
        let now = self.now();
        let app = json!({
            "id": id, "friendlyId": format!("{}-{}", name.to_lowercase().replace(' ', "-"), &crate::util::random_hex(2)),
            "type": "bot", "name": name, "logo": logo, "description": description, "orgId": self.org_id,
            "botEmail": email, "botPersonId": bot.id, "isNative": false, "isFeatured": false,
            "submissionStatus": "none", "createdBy": caller, "created": now,
        });
        self.applications.insert(id, app.clone());
        let mut answer = app;
        answer["botToken"] = json!(token);
        Ok(Answer::Json(answer))
    }

    fn update_application(&mut self, id: &str, req: &Req) -> ApiResult<Answer> {
        let app = self
            .applications
            .get_mut(id)
            .ok_or_else(|| err(404, "Application not found"))?;
        for k in ["name", "description", "logo"] {
            if let Some(v) = req.str_field(k) {
                app[k] = json!(v);
            }
        }
        Ok(Answer::Json(app.clone()))
    }

    fn application_logo(&mut self, id: &str, req: &Req) -> ApiResult<Answer> {
        let file = req
            .form
            .as_ref()
            .and_then(|f| f.file.clone())
            .ok_or_else(|| err(400, "Upload the image in the part `logo`."))?;
        if !self.applications.contains_key(id) {
            return Err(err(404, "Application not found"));
        }
        let cid = new_id("CONTENT");
        self.contents.insert(
            cid.clone(),
            Content {
                bytes: file.bytes,
                content_type: file.content_type,
                name: file.file_name,
                room_id: String::new(),
            },
        );
        let url = format!("{}/contents/{cid}", self.base_url);
        let app = self.applications.get_mut(id).expect("checked");
        app["logo"] = json!(url);
        Ok(Answer::Json(app.clone()))
    }

    fn regenerate_token(&mut self, id: &str) -> ApiResult<Answer> {
        let app = self
            .applications
            .get(id)
            .ok_or_else(|| err(404, "Application not found"))?
            .clone();
        let bot_id = app["botPersonId"].as_str().unwrap_or("").to_owned();
        self.tokens.retain(|_, p| *p != bot_id);
        let token = crate::util::random_hex(24);
        self.tokens.insert(token.clone(), bot_id);
        let mut answer = app;
        answer["botToken"] = json!(token);
        Ok(Answer::Json(answer))
    }

    // ---- webhook deliveries ------------------------------------------------------------

    /// The deliveries the queued notices cause, as Webex would make them.
    pub(crate) fn take_deliveries(&mut self) -> Vec<Delivery> {
        let notices = std::mem::take(&mut self.notices);
        let mut out = Vec::new();
        for n in &notices {
            let mut hooks: Vec<&(u64, HookRec)> = self.hooks.values().collect();
            hooks.sort_by_key(|h| h.0);
            for (_, rec) in hooks {
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
        out
    }

    fn hook_wants(&self, rec: &HookRec, n: &Notice) -> bool {
        let h = &rec.hook;
        let resource_ok =
            h.resource == n.resource || (h.resource == "all" && n.resource != "attachmentActions");
        let event_ok = h.event == "all" || h.event == n.event;
        if !resource_ok || !event_ok {
            return false;
        }
        // The owner must be able to see the event.
        let owner = rec.owner.as_str();
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
        match &h.filter {
            None => true,
            Some(f) => {
                form_urlencoded::parse(f.as_bytes()).all(|(k, v)| filter_matches(&k, &v, n, owner))
            }
        }
    }

    pub(crate) fn record_delivery(&mut self, webhook_id: &str, ok: bool) -> bool {
        let threshold = self.failure_threshold;
        if let Some((_, rec)) = self.hooks.get_mut(webhook_id) {
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

const KNOWN: &[&str] = &[
    "people",
    "rooms",
    "memberships",
    "messages",
    "teams",
    "team",
    "webhooks",
    "attachment",
    "contents",
    "applications",
];

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

/// Text, HTML, mentioned people and mentioned groups of a markdown message.
type Rendered = (String, Option<String>, Vec<String>, Vec<String>);

/// The slim message of a webhook delivery: no text, markdown or html.
fn slim_message(m: &Message) -> Value {
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
