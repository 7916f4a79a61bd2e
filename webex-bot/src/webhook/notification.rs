use serde::{Deserialize, Serialize};

use super::{Secret, WebhookError};
use crate::models::{AttachmentAction, Membership, Message, Room};

/// A webhook delivery as Webex POSTs it. `data` is a slim copy of the resource: a message's
/// text is never in it, and must be fetched.
///
/// ```
/// use webex_bot::webhook::{NotificationKind, Notification};
/// let e: Notification = serde_json::from_str(
///     r#"{"id":"w1","name":"bot","resource":"messages","event":"created","actorId":"p1",
///         "data":{"id":"m1","roomId":"r1","personId":"p1","roomType":"direct"}}"#,
/// ).unwrap();
/// match e.kind() {
///     NotificationKind::MessageCreated(m) => assert_eq!(m.id, "m1"),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Notification {
    /// The webhook's id.
    #[serde(default)]
    pub id: String,
    /// The webhook's name.
    #[serde(default)]
    pub name: String,
    /// The webhook's target URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_url: Option<String>,
    /// The resource: `messages`, `memberships`, `rooms`, `attachmentActions`, ...
    #[serde(default)]
    pub resource: String,
    /// The event: `created`, `updated`, `deleted`, ...
    #[serde(default)]
    pub event: String,
    /// The webhook's filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Organization of the webhook's owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Who created the webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The application that created the webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `creator` or `org`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// The webhook's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When the webhook was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Who caused the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// The slim resource.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// What a delivery is about, with its `data` typed.
///
/// ```
/// use webex_bot::webhook::{NotificationKind, Notification};
/// let e: Notification = serde_json::from_str(r#"{"resource":"memberships","event":"deleted","data":{"id":"m","roomId":"r"}}"#).unwrap();
/// assert!(matches!(e.kind(), NotificationKind::MembershipDeleted(m) if m.room_id.as_deref() == Some("r")));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NotificationKind {
    /// A message was posted (no text: fetch it by id).
    MessageCreated(Message),
    /// A message was edited.
    MessageUpdated(Message),
    /// A message was deleted.
    MessageDeleted(Message),
    /// Someone (perhaps the bot) was added to a room.
    MembershipCreated(Membership),
    /// A membership changed (moderator, hidden).
    MembershipUpdated(Membership),
    /// Someone (perhaps the bot) left or was removed from a room.
    MembershipDeleted(Membership),
    /// A card was submitted (no inputs: fetch the action by id).
    AttachmentActionCreated(AttachmentAction),
    /// A room was created.
    RoomCreated(Room),
    /// A room was changed.
    RoomUpdated(Room),
    /// Anything else, or `data` that did not have the expected shape.
    Other,
}

impl Notification {
    /// Verifies the signature (when a secret is given) and parses the body. The body must
    /// be the exact bytes received.
    ///
    /// ```
    /// use webex_bot::webhook::Notification;
    /// let e = Notification::parse_verified(br#"{"resource":"rooms","event":"created","data":{"id":"r"}}"#, None, None).unwrap();
    /// assert_eq!(e.event, "created");
    /// ```
    pub fn parse_verified(
        body: &[u8],
        signature: Option<&str>,
        secret: Option<&Secret>,
    ) -> Result<Notification, WebhookError> {
        if let Some(secret) = secret {
            super::verify(secret, body, signature).map_err(WebhookError::Signature)?;
        }
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(Box::new(e)))
    }

    /// The typed payload.
    ///
    /// ```
    /// use webex_bot::webhook::{NotificationKind, Notification};
    /// let e = Notification::default();
    /// assert_eq!(e.kind(), NotificationKind::Other);
    /// ```
    pub fn kind(&self) -> NotificationKind {
        fn data<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Option<T> {
            T::deserialize(v).ok()
        }
        let d = &self.data;
        let kind = match (self.resource.as_str(), self.event.as_str()) {
            ("messages", "created") => data(d).map(NotificationKind::MessageCreated),
            ("messages", "updated") => data(d).map(NotificationKind::MessageUpdated),
            ("messages", "deleted") => data(d).map(NotificationKind::MessageDeleted),
            ("memberships", "created") => data(d).map(NotificationKind::MembershipCreated),
            ("memberships", "updated") => data(d).map(NotificationKind::MembershipUpdated),
            ("memberships", "deleted") => data(d).map(NotificationKind::MembershipDeleted),
            ("attachmentActions", "created") => {
                data(d).map(NotificationKind::AttachmentActionCreated)
            }
            ("rooms", "created") => data(d).map(NotificationKind::RoomCreated),
            ("rooms", "updated") => data(d).map(NotificationKind::RoomUpdated),
            _ => None,
        };
        kind.unwrap_or(NotificationKind::Other)
    }
}
