//! The emulated Webex: its state and its rules, apart from HTTP. The state and the
//! helpers all resources use are here; each resource's rules are in a file of its own,
//! and the route table in `routes`.
// Resources are filled in field by field, in the order Webex documents their fields.
#![allow(clippy::field_reassign_with_default)]

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::Value;

use crate::models::{
    Application, AttachmentAction, Membership, Message, Person, PersonType, Room, RoomType, Team,
    TeamMembership, Webhook,
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
    /// 302 to this location.
    Redirect(String),
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

/// A stored resource and its place in creation order.
#[derive(Debug, Clone)]
pub(crate) struct Stored<T> {
    pub seq: u64,
    pub item: T,
}

/// A stored message: its place in creation order, and how often it was edited (Webex
/// allows a message a limited number of edits).
#[derive(Debug, Clone)]
pub(crate) struct StoredMessage {
    pub seq: u64,
    pub message: Message,
    pub edits: u32,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    pub base_url: String,
    pub org_id: String,
    pub people: HashMap<String, Person>,
    pub tokens: HashMap<String, String>,
    pub rooms: HashMap<String, Stored<Room>>,
    pub memberships: HashMap<String, Stored<Membership>>,
    pub messages: HashMap<String, StoredMessage>,
    pub teams: HashMap<String, Stored<Team>>,
    pub team_memberships: HashMap<String, Stored<TeamMembership>>,
    pub hooks: HashMap<String, Stored<HookRec>>,
    pub actions: HashMap<String, AttachmentAction>,
    pub contents: HashMap<String, Content>,
    pub applications: HashMap<String, Application>,
    pub seq: u64,
    pub last_ms: u128,
    pub failure_threshold: u32,
    pub notices: Vec<Notice>,
    /// WDM devices by id.
    pub devices: HashMap<String, Stored<devices::DeviceRec>>,
    /// How many devices one user may register.
    pub device_cap: usize,
    /// `ws://host:port` of the websocket service.
    pub mercury_origin: String,
    /// Integrations, codes and grants.
    pub oauth: oauth::OAuth,
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

mod actions;
mod applications;
pub(crate) mod devices;
mod oauth;
pub(crate) use oauth::Integration as OAuthIntegration;
mod memberships;
mod messages;
mod people;
mod rooms;
mod routes;
mod teams;
mod webhooks;

impl World {
    pub(crate) fn new(base_url: String) -> World {
        World {
            base_url,
            org_id: new_id("ORGANIZATION"),
            failure_threshold: 5,
            device_cap: 100,
            oauth: oauth::OAuth {
                // Webex's: 14 days, and 90 for the refresh token.
                access_lifetime: Duration::from_secs(14 * 24 * 3600),
                refresh_lifetime: Duration::from_secs(90 * 24 * 3600),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    pub(super) fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// `item` with the next place in creation order, to store.
    pub(super) fn stored<T>(&mut self, item: T) -> Stored<T> {
        Stored {
            seq: self.next(),
            item,
        }
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
    pub(super) fn person_id_of(&self, id: Option<&str>, email: Option<&str>) -> ApiResult<String> {
        match (id, email) {
            (Some(id), _) => Ok(self.person(id)?.id.clone()),
            (None, Some(e)) => self
                .person_by_email(e)
                .map(|p| p.id.clone())
                .ok_or_else(|| err(404, "The requested person was not found")),
            (None, None) => Err(err(400, "personId or personEmail is required.")),
        }
    }

    pub(super) fn person(&self, id: &str) -> ApiResult<&Person> {
        self.people
            .get(id)
            .ok_or_else(|| err(404, "The requested person was not found"))
    }

    pub(super) fn is_bot(&self, id: &str) -> bool {
        self.people
            .get(id)
            .is_some_and(|p| p.person_type == Some(PersonType::Bot))
    }

    pub(crate) fn is_member(&self, person: &str, room: &str) -> bool {
        self.memberships.values().any(|Stored { item: m, .. }| {
            m.person_id.as_deref() == Some(person) && m.room_id.as_deref() == Some(room)
        })
    }

    pub(super) fn room_for(&self, caller: &str, room_id: &str) -> ApiResult<Room> {
        match self.rooms.get(room_id) {
            Some(Stored { item: r, .. }) if self.is_member(caller, room_id) => {
                Ok(self.room_view(caller, r))
            }
            _ => Err(err(404, "Could not find a room with provided ID.")),
        }
    }

    /// A direct room's title is the other person's name, for each viewer.
    pub(super) fn room_view(&self, caller: &str, r: &Room) -> Room {
        let mut r = r.clone();
        if r.room_type == Some(RoomType::Direct) {
            let other = self
                .memberships
                .values()
                .filter(|Stored { item: m, .. }| m.room_id.as_deref() == Some(r.id.as_str()))
                .filter_map(|Stored { item: m, .. }| m.person_id.clone())
                .find(|p| p != caller);
            r.title = other
                .and_then(|p| self.people.get(&p))
                .and_then(|p| p.display_name.clone());
        }
        r
    }

    pub(super) fn to_value<T: serde::Serialize>(v: &T) -> Value {
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
        let room_type = self
            .rooms
            .get(room_id)
            .and_then(|Stored { item: r, .. }| r.room_type);
        let mut m = Membership::default();
        // As Webex does: the person's and the room's UUIDs.
        m.id = crate::models::RestId::encode(
            "us",
            crate::models::IdKind::Membership,
            &format!(
                "{}:{}",
                devices::uuid_of(person_id),
                devices::uuid_of(room_id)
            ),
        );
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
        let record = self.stored(m.clone());
        self.memberships.insert(m.id.clone(), record);
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

    pub(super) fn notice(
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
            .and_then(|Stored { item: r, .. }| r.room_type)
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
    pub(super) fn direct_room(&mut self, a: &str, b: &str) -> ApiResult<String> {
        let existing = self.rooms.values().find(|Stored { item: r, .. }| {
            r.room_type == Some(RoomType::Direct)
                && self.is_member(a, &r.id)
                && self.is_member(b, &r.id)
        });
        if let Some(Stored { item: r, .. }) = existing {
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
        let record = self.stored(r.clone());
        self.rooms.insert(r.id.clone(), record);
        self.add_member(&r.id, a, false, a)?;
        self.add_member(&r.id, b, false, a)?;
        Ok(r.id)
    }

    /// A page of `rows` in creation order, each shown with `view` (default page size 100).
    pub(super) fn page_in_order<T>(
        mut rows: Vec<&Stored<T>>,
        view: impl Fn(&T) -> Value,
        req: &Req,
    ) -> ApiResult<Answer> {
        rows.sort_by_key(|r| r.seq);
        let items = rows
            .into_iter()
            .map(|Stored { item: r, .. }| view(r))
            .collect();
        Ok(Answer::Page {
            items,
            max: Self::max(req, 100, 1000)?,
        })
    }

    pub(super) fn max(req: &Req, default: usize, cap: usize) -> ApiResult<usize> {
        match req.q("max") {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n.min(cap)),
                _ => Err(err(400, format!("Invalid value for max: {v}"))),
            },
        }
    }

    // people
}
