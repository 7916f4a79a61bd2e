use serde::{Deserialize, Serialize};

use super::common::PartialErrors;

/// A room (a "space" in Webex clients).
///
/// ```
/// use webex_bot::models::{Room, RoomType};
/// let r: Room = serde_json::from_str(r#"{"id":"r1","title":"Ops","type":"group"}"#).unwrap();
/// assert_eq!(r.room_type, Some(RoomType::Group));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Room {
    /// Unique id of the room.
    pub id: String,
    /// Title; in a direct room, the other person's display name. Absent on KMS errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Direct (1:1) or group.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub room_type: Option<RoomType>,
    /// Whether the room is moderated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_locked: Option<bool>,
    /// The team the room belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// Last activity in the room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity: Option<String>,
    /// Who created the room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator_id: Option<String>,
    /// When the room was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Organization that owns the room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// Data classification id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification_id: Option<String>,
    /// Only moderators may post.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_announcement_only: Option<bool>,
    /// Read-only (compliance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_read_only: Option<bool>,
    /// Public within the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_public: Option<bool>,
    /// When the room was made public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_public: Option<String>,
    /// Description (public rooms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields that could not be filled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<PartialErrors>,
}

/// Whether a room is a 1:1 conversation or a group space.
///
/// ```
/// # use webex_bot::models::RoomType;
/// assert_eq!(RoomType::Direct.as_str(), "direct");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RoomType {
    /// A 1:1 room.
    Direct,
    /// A group space.
    Group,
    /// A value this crate does not know yet.
    #[serde(other)]
    Unknown,
}

impl RoomType {
    /// The wire name (`direct`, `group`).
    ///
    /// ```
    /// # use webex_bot::models::RoomType;
    /// assert_eq!(RoomType::Group.as_str(), "group");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            RoomType::Direct => "direct",
            RoomType::Group => "group",
            RoomType::Unknown => "unknown",
        }
    }
}

/// The body of `POST /rooms`.
///
/// ```
/// use webex_bot::models::NewRoom;
/// let body = NewRoom::new("Release train");
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"title":"Release train"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewRoom {
    /// Title of the room (required).
    pub title: String,
    /// Create the room in this team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// Data classification id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification_id: Option<String>,
    /// Create it moderated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_locked: Option<bool>,
    /// Make it public in the organization (needs a description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_public: Option<bool>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only moderators may post (needs `is_locked`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_announcement_only: Option<bool>,
}

impl NewRoom {
    /// A room with this title and nothing else set.
    ///
    /// ```
    /// # use webex_bot::models::NewRoom;
    /// let mut r = NewRoom::new("Ops");
    /// r.team_id = Some("team-1".into());
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        NewRoom {
            title: title.into(),
            ..Default::default()
        }
    }
}

/// The body of `PUT /rooms/{roomId}`.
///
/// ```
/// use webex_bot::models::UpdateRoom;
/// let body = UpdateRoom::new("Renamed");
/// assert_eq!(serde_json::to_value(&body).unwrap()["title"], "Renamed");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateRoom {
    /// New title (required by Webex).
    pub title: String,
    /// Data classification id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification_id: Option<String>,
    /// Move a room that has no team into this team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// Moderated or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_locked: Option<bool>,
    /// Public or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_public: Option<bool>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only moderators may post.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_announcement_only: Option<bool>,
    /// Read-only (compliance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_read_only: Option<bool>,
}

impl UpdateRoom {
    /// An update that sets the title and leaves the rest unchanged.
    ///
    /// ```
    /// # use webex_bot::models::UpdateRoom;
    /// let u = UpdateRoom::new("New title");
    /// assert!(u.is_locked.is_none());
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        UpdateRoom {
            title: title.into(),
            ..Default::default()
        }
    }
}
