use serde::{Deserialize, Serialize};

use super::common::PartialErrors;
use super::room::RoomType;

/// A person's membership of a room.
///
/// ```
/// use webex_bot::models::Membership;
/// let m: Membership = serde_json::from_str(
///     r#"{"id":"m1","roomId":"r1","personId":"p1","isModerator":false}"#,
/// ).unwrap();
/// assert_eq!(m.room_id.as_deref(), Some("r1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Membership {
    /// Unique id of the membership.
    pub id: String,
    /// The room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// The member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// The member's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_email: Option<String>,
    /// The member's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_display_name: Option<String>,
    /// The member's organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_org_id: Option<String>,
    /// Moderator of the room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_moderator: Option<bool>,
    /// The direct room is hidden in the member's client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_room_hidden: Option<bool>,
    /// Type of the room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_type: Option<RoomType>,
    /// Monitoring (deprecated by Webex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_monitor: Option<bool>,
    /// When the membership was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Fields that could not be filled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<PartialErrors>,
}

/// The body of `POST /memberships`.
///
/// ```
/// use webex_bot::models::NewMembership;
/// let m = NewMembership::by_email("room-1", "alice@example.com");
/// assert_eq!(
///     serde_json::to_string(&m).unwrap(),
///     r#"{"roomId":"room-1","personEmail":"alice@example.com"}"#,
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewMembership {
    /// The room (required).
    pub room_id: String,
    /// Add this person by id ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// ... or by email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_email: Option<String>,
    /// Make the person a moderator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_moderator: Option<bool>,
}

impl NewMembership {
    /// Adds the person with this id to the room.
    ///
    /// ```
    /// # use webex_bot::models::NewMembership;
    /// assert_eq!(NewMembership::by_id("r", "p").person_id.as_deref(), Some("p"));
    /// ```
    pub fn by_id(room_id: impl Into<String>, person_id: impl Into<String>) -> Self {
        NewMembership {
            room_id: room_id.into(),
            person_id: Some(person_id.into()),
            ..Default::default()
        }
    }

    /// Adds the person with this email to the room.
    ///
    /// ```
    /// # use webex_bot::models::NewMembership;
    /// assert_eq!(NewMembership::by_email("r", "a@b.c").person_email.as_deref(), Some("a@b.c"));
    /// ```
    pub fn by_email(room_id: impl Into<String>, email: impl Into<String>) -> Self {
        NewMembership {
            room_id: room_id.into(),
            person_email: Some(email.into()),
            ..Default::default()
        }
    }

    /// Makes the new member a moderator (or not).
    ///
    /// ```
    /// # use webex_bot::models::NewMembership;
    /// assert_eq!(NewMembership::by_id("r", "p").moderator(true).is_moderator, Some(true));
    /// ```
    pub fn moderator(mut self, yes: bool) -> Self {
        self.is_moderator = Some(yes);
        self
    }
}

/// The body of `PUT /memberships/{id}`; Webex requires both fields.
///
/// ```
/// use webex_bot::models::UpdateMembership;
/// let u = UpdateMembership { is_moderator: true, is_room_hidden: false };
/// assert_eq!(serde_json::to_string(&u).unwrap(), r#"{"isModerator":true,"isRoomHidden":false}"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMembership {
    /// Moderator of the room.
    pub is_moderator: bool,
    /// Hide the direct room until the next message.
    pub is_room_hidden: bool,
}

/// A person's membership of a team (`/team/memberships`).
///
/// ```
/// use webex_bot::models::TeamMembership;
/// let m: TeamMembership = serde_json::from_str(r#"{"id":"tm1","teamId":"t1"}"#).unwrap();
/// assert_eq!(m.team_id.as_deref(), Some("t1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TeamMembership {
    /// Unique id of the team membership.
    pub id: String,
    /// The team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// The member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// The member's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_email: Option<String>,
    /// The member's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_display_name: Option<String>,
    /// The member's organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_org_id: Option<String>,
    /// Moderator of the team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_moderator: Option<bool>,
    /// When the membership was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}
