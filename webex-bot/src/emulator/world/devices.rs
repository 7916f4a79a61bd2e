//! The websocket's side of the world: the U2C catalog, WDM devices and their
//! registrations, the conversation service's id lookups, and the activities that notices
//! become for the devices of the people who may see them.

use serde_json::{Value, json};

use super::*;
use crate::models::{IdKind, RestId};

/// The services the catalog lists (every key a strict client expects), beside `wdm`,
/// `conversation` and `hydra`.
const SERVICES: &[&str] = &[
    "atlas",
    "broadworksIdpProxy",
    "clientLogs",
    "ecomm",
    "fms",
    "idbroker",
    "idbroker-guest",
    "identity",
    "identity-guest-cs",
    "license",
    "meetingRegistry",
    "metrics",
    "oauth-helper",
    "settings-service",
    "u2c",
    "web-authentication",
    "webex-appapi-service",
];

/// A registered device.
#[derive(Debug, Clone)]
pub(crate) struct DeviceRec {
    pub owner: String,
    pub dto: Value,
    /// The registration in the websocket URL; a new one after each refresh.
    pub registration: String,
    /// The registration was expired: the next handshake is answered 404.
    pub expired: bool,
}

/// An activity for one device.
#[derive(Debug, Clone)]
pub(crate) struct Activity {
    pub device: String,
    pub data: Value,
}

/// Which of the emulator's services a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Rest,
    U2c,
    Wdm,
    Conversation,
}

impl Service {
    /// The service and the path under it.
    pub(crate) fn split(path: &str) -> Option<(Service, &str)> {
        for (prefix, s) in [
            ("/v1", Service::Rest),
            ("/u2c/api/v1", Service::U2c),
            ("/wdm/api/v1", Service::Wdm),
            ("/conversation/api/v1", Service::Conversation),
        ] {
            if let Some(rest) = path.strip_prefix(prefix)
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return Some((s, rest));
            }
        }
        None
    }
}

pub(crate) fn uuid_of(id: &str) -> String {
    RestId::decode(id).map_or_else(|| id.to_owned(), |d| d.uuid)
}

impl World {
    /// The emulator's one organization.
    pub(super) fn organization(&self) -> Stored<crate::models::Organization> {
        let mut org = crate::models::Organization::default();
        org.id = self.org_id.clone();
        org.display_name = Some("Emulated Organization".into());
        Stored { seq: 0, item: org }
    }

    fn origin(&self) -> &str {
        self.base_url.strip_suffix("/v1").unwrap_or(&self.base_url)
    }

    pub(crate) fn handle_service(
        &mut self,
        service: Service,
        caller: &str,
        req: &Req,
    ) -> ApiResult<Answer> {
        let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        match (service, req.method.as_str(), segs.as_slice()) {
            (Service::Rest, "GET", ["authorize"]) => {
                self.authorize(caller, req).map(Answer::Redirect)
            }
            (Service::Rest, _, _) => self.handle(caller, req),
            (Service::U2c, "GET", ["catalog"] | ["limited", "catalog"]) => Ok(self.catalog()),
            (Service::Wdm, "GET", ["devices"]) => {
                let mut mine: Vec<&Stored<DeviceRec>> = self
                    .devices
                    .values()
                    .filter(|d| d.item.owner == caller)
                    .collect();
                mine.sort_by_key(|d| d.seq);
                let list: Vec<Value> = mine.iter().map(|d| d.item.dto.clone()).collect();
                Ok(Answer::Json(json!({ "devices": list })))
            }
            (Service::Wdm, "POST", ["devices"]) => self.create_device(caller, req),
            (Service::Wdm, "DELETE", ["devices"]) => {
                self.devices.retain(|_, d| d.item.owner != caller);
                Ok(Answer::Empty)
            }
            (Service::Wdm, "PUT", ["devices", id]) => self.refresh_device(caller, id, req),
            (Service::Wdm, "DELETE", ["devices", id]) => match self.devices.get(*id) {
                Some(d) if d.item.owner == caller => {
                    self.devices.remove(*id);
                    Ok(Answer::Empty)
                }
                _ => Err(err(404, "Device not found.")),
            },
            (Service::Conversation, "GET", ["messages", uuid]) => {
                let id = RestId::encode("us", IdKind::Message, uuid);
                match self.messages.get(&id) {
                    Some(m)
                        if m.message
                            .room_id
                            .as_deref()
                            .is_some_and(|r| self.is_member(caller, r)) =>
                    {
                        Ok(Answer::Json(json!({ "id": id })))
                    }
                    _ => Err(err(404, "Activity not found.")),
                }
            }
            (Service::Conversation, "GET", ["attachment", "actions", uuid]) => {
                let id = RestId::encode("us", IdKind::AttachmentAction, uuid);
                match self.actions.contains_key(&id) {
                    true => Ok(Answer::Json(json!({ "id": id }))),
                    false => Err(err(404, "Activity not found.")),
                }
            }
            _ => Err(err(404, "The requested resource could not be found.")),
        }
    }

    fn catalog(&self) -> Answer {
        let origin = self.origin().to_owned();
        let mut links: serde_json::Map<String, Value> = SERVICES
            .iter()
            .map(|s| ((*s).to_owned(), json!(format!("{origin}/{s}/api/v1"))))
            .collect();
        links.insert("u2c".into(), json!(format!("{origin}/u2c/api/v1")));
        links.insert("wdm".into(), json!(format!("{origin}/wdm/api/v1")));
        links.insert(
            "conversation".into(),
            json!(format!("{origin}/conversation/api/v1")),
        );
        links.insert("hydra".into(), json!(self.base_url));
        let host = origin
            .split_once("://")
            .map_or(origin.as_str(), |(_, h)| h)
            .to_owned();
        let catalog = json!({
            "serviceLinks": links,
            "hostCatalog": {
                host.clone(): [
                    { "host": host, "ttl": -1, "priority": 5, "id": "urn:TEAM:us-east-2_a:conversation" }
                ]
            },
            "format": "hostmap",
        });
        Answer::Json(catalog)
    }

    fn device_dto(
        &self,
        owner: &str,
        id: &str,
        registration: &str,
        body: &Value,
        created: &str,
    ) -> Value {
        let mut dto = match body {
            Value::Object(o) => Value::Object(o.clone()),
            _ => json!({}),
        };
        let now = crate::util::iso8601(std::time::SystemTime::now());
        dto["url"] = json!(format!("{}/wdm/api/v1/devices/{id}", self.origin()));
        dto["webSocketUrl"] = json!(format!(
            "{}/v1/apps/wx2/registrations/{registration}/messages",
            self.mercury_origin
        ));
        dto["creationTime"] = json!(created);
        dto["modificationTime"] = json!(now);
        dto["userId"] = json!(uuid_of(owner));
        dto["orgId"] = json!(uuid_of(&self.org_id));
        dto
    }

    fn create_device(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let owned = self
            .devices
            .values()
            .filter(|d| d.item.owner == caller)
            .count();
        if owned >= self.device_cap {
            return Err(err(403, "User has excessive device registrations"));
        }
        let id = crate::util::uuid4();
        let registration = crate::util::uuid4();
        let body = req.json.clone().unwrap_or_else(|| json!({}));
        let created = self.now();
        let dto = self.device_dto(caller, &id, &registration, &body, &created);
        let rec = self.stored(DeviceRec {
            owner: caller.to_owned(),
            dto: dto.clone(),
            registration,
            expired: false,
        });
        self.devices.insert(id, rec);
        Ok(Answer::Json(dto))
    }

    fn refresh_device(&mut self, caller: &str, id: &str, req: &Req) -> ApiResult<Answer> {
        let Some(rec) = self.devices.get(id).filter(|d| d.item.owner == caller) else {
            return Err(err(404, "Device not found."));
        };
        let created = rec.item.dto["creationTime"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let registration = if rec.item.expired {
            crate::util::uuid4()
        } else {
            rec.item.registration.clone()
        };
        let body = req.json.clone().unwrap_or_else(|| rec.item.dto.clone());
        let dto = self.device_dto(caller, id, &registration, &body, &created);
        let rec = self.devices.get_mut(id).expect("checked");
        rec.item.dto = dto.clone();
        rec.item.registration = registration;
        rec.item.expired = false;
        Ok(Answer::Json(dto))
    }

    /// The device and owner of a live registration.
    pub(crate) fn registration(&self, registration: &str) -> Option<(String, String)> {
        self.devices
            .iter()
            .find(|(_, d)| d.item.registration == registration && !d.item.expired)
            .map(|(id, d)| (id.clone(), d.item.owner.clone()))
    }

    /// The activities the queued notices cause, for every device of everyone who may see
    /// them.
    pub(crate) fn activities(&self, notices: &[Notice]) -> Vec<Activity> {
        let mut out = Vec::new();
        if self.devices.is_empty() {
            return out;
        }
        for n in notices {
            let Some(activity) = self.activity_of(n) else {
                continue;
            };
            let mut devices: Vec<(&String, &Stored<DeviceRec>)> = self.devices.iter().collect();
            devices.sort_by_key(|(_, d)| d.seq);
            for (id, d) in devices {
                if self.sees(&d.item.owner, n) {
                    out.push(Activity {
                        device: id.clone(),
                        data: activity.clone(),
                    });
                }
            }
        }
        out
    }

    fn activity_of(&self, n: &Notice) -> Option<Value> {
        let data = |k: &str| n.data.get(k).and_then(Value::as_str);
        let person = |id: &str| {
            let p = self.people.get(id);
            json!({
                "id": uuid_of(id),
                "objectType": "person",
                "entryUUID": uuid_of(id),
                "displayName": p.and_then(|p| p.display_name.clone()),
                "emailAddress": p.and_then(|p| p.primary_email().map(str::to_owned)),
                "orgId": uuid_of(&self.org_id),
                "type": if self.is_bot(id) { "ROBOT" } else { "PERSON" },
            })
        };
        let room = uuid_of(&n.room_id);
        let mut tags = Vec::new();
        if n.room_type == RoomType::Direct {
            tags.push("ONE_ON_ONE");
        }
        let target = json!({
            "id": room,
            "objectType": "conversation",
            "url": format!("{}/conversation/api/v1/conversations/{room}", self.origin()),
            "tags": tags,
        });
        let published = data("created").map(str::to_owned).unwrap_or_default();
        let (id, verb, object, parent) = match (n.resource, n.event) {
            ("messages", "created") => {
                let m = self.messages.get(data("id")?)?;
                let has_files = !m.message.files.is_empty();
                let mentions: Vec<Value> = n
                    .mentioned
                    .iter()
                    .map(|p| json!({ "id": uuid_of(p), "objectType": "person" }))
                    .collect();
                let mut object = json!({
                    "objectType": if has_files { "content" } else { "comment" },
                    "displayName": m.message.text,
                    "mentions": { "items": mentions },
                });
                if has_files {
                    let items: Vec<Value> = m
                        .message
                        .files
                        .iter()
                        .map(|_| json!({ "objectType": "file", "malwareQuarantineState": "safe" }))
                        .collect();
                    object["contentCategory"] = json!("documents");
                    object["files"] = json!({ "items": items });
                }
                let verb = if has_files { "share" } else { "post" };
                (uuid_of(data("id")?), verb, object, None)
            }
            ("messages", "deleted") => (
                crate::util::uuid4(),
                "delete",
                json!({ "objectType": "activity", "id": uuid_of(data("id")?) }),
                None,
            ),
            ("attachmentActions", "created") => (
                uuid_of(data("id")?),
                "cardAction",
                json!({ "objectType": "submit", "inputs": self.actions.get(data("id")?).map(|a| a.inputs.clone()) }),
                data("messageId").map(|m| json!({ "id": uuid_of(m), "type": "reply" })),
            ),
            ("memberships", event @ ("created" | "deleted")) => {
                let mut object = person(data("personId")?);
                object["objectType"] = json!("person");
                let verb = if event == "created" { "add" } else { "leave" };
                (crate::util::uuid4(), verb, object, None)
            }
            _ => return None,
        };
        let mut activity = json!({
            "id": id,
            "objectType": "activity",
            "verb": verb,
            "published": published,
            "actor": person(&n.actor),
            "object": object,
            "target": target,
        });
        if let Some(p) = parent {
            activity["parent"] = p;
        }
        Some(json!({ "eventType": "conversation.activity", "activity": activity }))
    }

    /// Whether `owner` gets `n` over the websocket: the rules of a firehose webhook of
    /// theirs (a bot sees group messages only when mentioned), card submissions included.
    fn sees(&self, owner: &str, n: &Notice) -> bool {
        self.visible_to(owner, n)
    }
}
