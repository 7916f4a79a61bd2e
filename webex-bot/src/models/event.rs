use serde::{Deserialize, Serialize};

/// An entry of the compliance events log (`GET /events`). Unlike a webhook delivery, its
/// `data` is a full snapshot of the resource (a message includes its text).
///
/// ```
/// use webex_bot::models::Event;
/// let e: Event = serde_json::from_str(
///     r#"{"id":"e1","resource":"messages","type":"created","actorId":"p1","orgId":"o1","created":"2026-01-01T00:00:00.000Z","data":{"text":"hi"}}"#,
/// ).unwrap();
/// assert_eq!(e.data["text"], "hi");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// Unique id of the event.
    pub id: String,
    /// The resource, such as `messages` or `memberships`.
    #[serde(default)]
    pub resource: String,
    /// What happened: `created`, `updated`, `deleted`, `ended`.
    #[serde(rename = "type", default)]
    pub event_type: String,
    /// The application that caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The person who caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// The organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// When it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The resource snapshot.
    #[serde(default)]
    pub data: serde_json::Value,
}
