//! `/events`: the compliance record of activity.

use serde::Serialize;

use super::enc;
use crate::client::query::pairs;
use crate::client::{Client, Error, Pages};
use crate::models::Event;

filters! {
    /// Filters of `GET /events`.
    ///
    /// ```
    /// let f = webex_bot::client::ListEvents::default().resource("messages").event_type("created");
    /// assert_eq!(f.event_type.as_deref(), Some("created"));
    /// ```
    pub struct ListEvents {
        /// Resource, such as `messages`.
        resource: String,
        /// `created`, `updated`, `deleted` or `ended`.
        event_type as "type": String,
        /// Who caused the events.
        actor_id: String,
        /// From this time.
        from: String,
        /// Up to this time.
        to: String,
        /// Page size (1-1000).
        max: u32,
        /// `calling`, with `convergedRecordings` only.
        service_type: String,
    }
}

/// `/events` (compliance officers).
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let n = client.events().list(&Default::default()).count();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EventsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> EventsApi<'c> {
    /// Lists events.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.events().list(&webex_bot::client::ListEvents::default().resource("messages")).count();
    /// ```
    pub fn list(&self, filters: &ListEvents) -> Pages<'c, Event> {
        Pages::new(self.client, "events", pairs(filters))
    }

    /// The event with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let e = client.events().get("event-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, event_id: &str) -> Result<Event, Error> {
        self.client
            .get_json(&format!("events/{}", enc(event_id)), &[])
    }
}
