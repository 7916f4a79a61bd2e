//! `/memberships`: who is in which room.

use serde::Serialize;
use ureq::http::Method;

use super::{enc, json_body};
use crate::client::query::pairs;
use crate::client::{Client, Error, Pages};
use crate::models::{Membership, NewMembership, UpdateMembership};

filters! {
    /// Filters of `GET /memberships`. The person filters need `room_id`.
    ///
    /// ```
    /// use webex_bot::client::ListMemberships;
    /// let f = ListMemberships::default().room_id("room-1").person_email("a@b.c");
    /// assert!(f.person_email.is_some());
    /// ```
    pub struct ListMemberships {
        /// Members of this room.
        room_id: String,
        /// Memberships of this person.
        person_id: String,
        /// Memberships of this email.
        person_email: String,
        /// Page size.
        max: u32,
    }
}

/// `/memberships`.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::client::ListMemberships;
/// for m in client.memberships().list(&ListMemberships::default().room_id("room-id")) {
///     println!("{:?}", m?.person_display_name);
/// }
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MembershipsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> MembershipsApi<'c> {
    /// Lists memberships (without `room_id`: the caller's own).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let mine = client.memberships().list(&Default::default()).count();
    /// ```
    pub fn list(&self, filters: &ListMemberships) -> Pages<'c, Membership> {
        Pages::new(self.client, "memberships", pairs(filters))
    }

    /// Adds a person to a room (a second time answers 409).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.memberships().create(&webex_bot::models::NewMembership::by_id("room-id", "person-id"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, membership: &NewMembership) -> Result<Membership, Error> {
        self.client
            .json(Method::POST, "memberships", &[], json_body(membership))
    }

    /// The membership with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let m = client.memberships().get("membership-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, membership_id: &str) -> Result<Membership, Error> {
        self.client
            .get_json(&format!("memberships/{}", enc(membership_id)), &[])
    }

    /// Changes moderator and hidden flags.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::UpdateMembership;
    /// client.memberships().update("membership-id", &UpdateMembership { is_moderator: true, is_room_hidden: false })?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(
        &self,
        membership_id: &str,
        update: &UpdateMembership,
    ) -> Result<Membership, Error> {
        self.client.json(
            Method::PUT,
            &format!("memberships/{}", enc(membership_id)),
            &[],
            json_body(update),
        )
    }

    /// Removes a person from a room.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.memberships().delete("membership-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, membership_id: &str) -> Result<(), Error> {
        self.client
            .delete(&format!("memberships/{}", enc(membership_id)))
    }
}
