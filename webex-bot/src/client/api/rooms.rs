//! `/rooms`: spaces.

use serde::Serialize;
use ureq::http::Method;

use super::{enc, json_body};
use crate::client::query::pairs;
use crate::client::{Client, Error, Pages};
use crate::models::{NewRoom, Room, RoomType, UpdateRoom};

filters! {
    /// Filters of `GET /rooms`.
    ///
    /// ```
    /// use webex_bot::{client::ListRooms, models::RoomType};
    /// let f = ListRooms::default().room_type(RoomType::Group).sort_by("lastactivity").max(50u32);
    /// assert_eq!(f.max, Some(50));
    /// ```
    pub struct ListRooms {
        /// Rooms of this team.
        team_id: String,
        /// Direct or group rooms.
        room_type as "type": RoomType,
        /// `id`, `lastactivity` or `created`.
        sort_by: String,
        /// Public rooms of the organization.
        org_public_spaces: bool,
        /// Made public after this time.
        from: String,
        /// Made public before this time.
        to: String,
        /// Page size (1-1000).
        max: u32,
    }
}

/// `/rooms`.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let room = client.rooms().create(&webex_bot::models::NewRoom::new("Incidents"))?;
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RoomsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> RoomsApi<'c> {
    /// Lists the rooms the caller belongs to.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.rooms().list(&Default::default()).count();
    /// ```
    pub fn list(&self, filters: &ListRooms) -> Pages<'c, Room> {
        Pages::new(self.client, "rooms", pairs(filters))
    }

    /// Creates a room; the caller becomes a member.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let room = client.rooms().create(&webex_bot::models::NewRoom::new("Ops"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, room: &NewRoom) -> Result<Room, Error> {
        self.client
            .json(Method::POST, "rooms", &[], json_body(room))
    }

    /// The room with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let room = client.rooms().get("room-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, room_id: &str) -> Result<Room, Error> {
        self.client
            .get_json(&format!("rooms/{}", enc(room_id)), &[])
    }

    /// Updates a room.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.rooms().update("room-id", &webex_bot::models::UpdateRoom::new("Renamed"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, room_id: &str, room: &UpdateRoom) -> Result<Room, Error> {
        self.client.json(
            Method::PUT,
            &format!("rooms/{}", enc(room_id)),
            &[],
            json_body(room),
        )
    }

    /// Deletes a room (for a non-moderator: leaves it).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.rooms().delete("room-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, room_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("rooms/{}", enc(room_id)))
    }

    /// Meeting details of a room (deprecated by Webex), as Webex sends them.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let info = client.rooms().meeting_info("room-id")?;
    /// println!("{}", info["meetingLink"]);
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn meeting_info(&self, room_id: &str) -> Result<serde_json::Value, Error> {
        self.client
            .get_json(&format!("rooms/{}/meetingInfo", enc(room_id)), &[])
    }
}
