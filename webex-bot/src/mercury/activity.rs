//! The frames the websocket carries, and turning a `conversation.activity` into the same
//! [`Notification`] a webhook would have delivered, with REST ids built from the
//! activity's UUIDs.

use serde::Deserialize;
use serde_json::{Value, json};

use super::catalog::Catalog;
use crate::models::{IdKind, RestId};
use crate::webhook::Notification;

/// A frame from the server, as far as the bot reads it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Envelope {
    /// Present on event envelopes; what the ack names.
    #[serde(default)]
    pub id: Option<String>,
    /// `pong` (an answer to the bot's ping), or absent on events.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub data: Option<EnvelopeData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvelopeData {
    #[serde(default)]
    pub event_type: String,
    #[serde(default)]
    pub activity: Option<Activity>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Activity {
    pub id: String,
    #[serde(default)]
    pub verb: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub actor: Actor,
    #[serde(default)]
    pub object: Object,
    #[serde(default)]
    pub target: Option<Target>,
    #[serde(default)]
    pub parent: Option<Parent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Actor {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, rename = "entryUUID")]
    pub entry_uuid: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
}

impl Actor {
    fn uuid(&self) -> Option<&str> {
        self.entry_uuid.as_deref().or(self.id.as_deref())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Object {
    #[serde(default)]
    pub object_type: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, rename = "entryUUID")]
    pub entry_uuid: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub files: Option<Files>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Files {
    #[serde(default)]
    pub items: Vec<FileItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileItem {
    #[serde(default)]
    pub malware_quarantine_state: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Target {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Parent {
    #[serde(default)]
    pub id: Option<String>,
}

/// What an activity means for the bot.
#[derive(Debug, PartialEq)]
pub(crate) enum Meaning {
    /// The notification a webhook would have carried.
    Event(Box<Notification>),
    /// Nothing to handle (acknowledged all the same), and why.
    Ignored(&'static str),
}

impl Activity {
    /// The notification this activity stands for. Ids are built in the cluster the
    /// catalog gives for the conversation's host.
    pub(crate) fn meaning(&self, catalog: &Catalog) -> Meaning {
        let Some(target) = &self.target else {
            return Meaning::Ignored("no target conversation");
        };
        if target.id.is_empty() {
            return Meaning::Ignored("no target conversation");
        }
        let cluster = catalog.cluster_for(target.url.as_deref());
        let id = |kind, uuid: &str| RestId::encode(&cluster, kind, uuid);
        let room_id = id(IdKind::Room, &target.id);
        let room_type = if target.tags.iter().any(|t| t == "ONE_ON_ONE") {
            "direct"
        } else {
            "group"
        };
        let Some(actor_uuid) = self.actor.uuid() else {
            return Meaning::Ignored("no actor");
        };
        let actor = id(IdKind::People, actor_uuid);
        let object_type = self.object.object_type.as_deref().unwrap_or("");
        let (resource, event, data) = match (self.verb.as_str(), object_type) {
            ("post", _) | ("share", _) => {
                if self.files_pending() {
                    // The message is handled once its files are scanned (`update`).
                    return Meaning::Ignored("a share whose files are still being scanned");
                }
                let data = self.message_data(id(IdKind::Message, &self.id), &room_id, room_type);
                ("messages", "created", data)
            }
            ("update", "content") => {
                let Some(message) = self.object.id.as_deref() else {
                    return Meaning::Ignored("an update without its message");
                };
                if self.files_pending() {
                    return Meaning::Ignored("an update whose files are still being scanned");
                }
                let data = self.message_data(id(IdKind::Message, message), &room_id, room_type);
                ("messages", "created", data)
            }
            ("delete", _) => {
                let Some(message) = self.object.id.as_deref() else {
                    return Meaning::Ignored("a delete without its message");
                };
                let data = json!({
                    "id": id(IdKind::Message, message),
                    "roomId": room_id,
                    "roomType": room_type,
                    "personId": actor,
                });
                ("messages", "deleted", data)
            }
            ("cardAction", _) => {
                let mut data = json!({
                    "id": id(IdKind::AttachmentAction, &self.id),
                    "type": "submit",
                    "roomId": room_id,
                    "personId": actor,
                    "created": self.published,
                });
                if let Some(parent) = self.parent.as_ref().and_then(|p| p.id.as_deref()) {
                    data["messageId"] = json!(id(IdKind::Message, parent));
                }
                ("attachmentActions", "created", data)
            }
            (verb @ ("add" | "leave"), "person") => {
                let Some(person) = self
                    .object
                    .entry_uuid
                    .as_deref()
                    .or(self.object.id.as_deref())
                else {
                    return Meaning::Ignored("a membership change without its person");
                };
                let data = json!({
                    "id": id(IdKind::Membership, &format!("{person}:{}", target.id)),
                    "roomId": room_id,
                    "roomType": room_type,
                    "personId": id(IdKind::People, person),
                    "personEmail": self.object.email_address,
                    "created": self.published,
                });
                let event = if verb == "add" { "created" } else { "deleted" };
                ("memberships", event, data)
            }
            _ => return Meaning::Ignored("a verb the bot does not handle"),
        };
        Meaning::Event(Box::new(Notification {
            resource: resource.into(),
            event: event.into(),
            actor_id: Some(actor),
            data,
            ..Notification::default()
        }))
    }

    fn files_pending(&self) -> bool {
        self.object.files.as_ref().is_some_and(|f| {
            f.items.iter().any(|i| {
                i.malware_quarantine_state
                    .as_deref()
                    .is_some_and(|s| s != "safe")
            })
        })
    }

    fn message_data(&self, message_id: String, room_id: &str, room_type: &str) -> Value {
        let person = self
            .actor
            .uuid()
            .map(|u| RestId::encode("us", IdKind::People, u));
        json!({
            "id": message_id,
            "roomId": room_id,
            "roomType": room_type,
            "personId": person,
            "personEmail": self.actor.email_address,
            "created": self.published,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::NotificationKind;

    fn activity(json: &str) -> Activity {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_post_is_a_created_message_with_rest_ids() {
        let a = activity(
            r#"{"id":"m-uuid","verb":"post","published":"2026-01-01T00:00:00.000Z",
                "actor":{"id":"p-uuid","entryUUID":"p-uuid","emailAddress":"alice@example.com","type":"PERSON"},
                "object":{"objectType":"comment","displayName":"hi"},
                "target":{"id":"r-uuid","objectType":"conversation","tags":["ONE_ON_ONE"]}}"#,
        );
        let Meaning::Event(n) = a.meaning(&Catalog::default()) else {
            panic!()
        };
        let NotificationKind::MessageCreated(m) = n.kind() else {
            panic!("{n:?}")
        };
        assert_eq!(RestId::decode(&m.id).unwrap().uuid, "m-uuid");
        assert_eq!(
            RestId::decode(m.room_id.as_deref().unwrap()).unwrap().kind,
            "ROOM"
        );
        assert_eq!(m.person_email.as_deref(), Some("alice@example.com"));
        assert_eq!(m.room_type.unwrap().as_str(), "direct");
    }

    #[test]
    fn a_card_action_names_its_message_and_a_membership_its_person() {
        let a = activity(
            r#"{"id":"a-uuid","verb":"cardAction","actor":{"entryUUID":"p"},
                "object":{"objectType":"submit"},"parent":{"id":"m","type":"reply"},
                "target":{"id":"r"}}"#,
        );
        let Meaning::Event(n) = a.meaning(&Catalog::default()) else {
            panic!()
        };
        assert_eq!(n.resource, "attachmentActions");
        let mid = n.data["messageId"].as_str().unwrap();
        assert_eq!(RestId::decode(mid).unwrap().uuid, "m");
        let a = activity(
            r#"{"id":"x","verb":"leave","actor":{"entryUUID":"p"},
                "object":{"objectType":"person","entryUUID":"bot"},"target":{"id":"r"}}"#,
        );
        let Meaning::Event(n) = a.meaning(&Catalog::default()) else {
            panic!()
        };
        assert_eq!(
            (n.resource.as_str(), n.event.as_str()),
            ("memberships", "deleted")
        );
        let mid = n.data["id"].as_str().unwrap();
        assert_eq!(RestId::decode(mid).unwrap().uuid, "bot:r");
    }

    #[test]
    fn unscanned_files_wait_and_other_verbs_are_ignored() {
        let a = activity(
            r#"{"id":"m","verb":"share","actor":{"entryUUID":"p"},
                "object":{"objectType":"content","files":{"items":[{"malwareQuarantineState":"scanning"}]}},
                "target":{"id":"r"}}"#,
        );
        assert!(matches!(
            a.meaning(&Catalog::default()),
            Meaning::Ignored(_)
        ));
        let a = activity(
            r#"{"id":"u","verb":"update","actor":{"entryUUID":"p"},
                "object":{"objectType":"content","id":"m","files":{"items":[{"malwareQuarantineState":"safe"}]}},
                "target":{"id":"r"}}"#,
        );
        let Meaning::Event(n) = a.meaning(&Catalog::default()) else {
            panic!()
        };
        assert_eq!(
            RestId::decode(n.data["id"].as_str().unwrap()).unwrap().uuid,
            "m"
        );
        let a = activity(
            r#"{"id":"x","verb":"acknowledge","actor":{"entryUUID":"p"},"target":{"id":"r"}}"#,
        );
        assert!(matches!(
            a.meaning(&Catalog::default()),
            Meaning::Ignored(_)
        ));
    }
}
