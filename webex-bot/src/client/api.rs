//! One small handle per Webex resource, each a thin typed layer over the request core.

use serde::Serialize;
use ureq::http::Method;

use super::files::Upload;
use super::multipart::Multipart;
use super::query::pairs;
use super::{Body, Client, Error, Pages};
use crate::models::{
    Application, AttachmentAction, Event, License, LicenseAssignment, Membership, Message,
    NewAttachmentAction, NewBotApplication, NewMembership, NewMessage, NewRoom, NewTeam,
    NewWebhook, Organization, Person, Role, Room, RoomType, Team, TeamMembership,
    UpdateApplication, UpdateMembership, UpdateMessage, UpdateRoom, UpdateWebhook, UserLicenses,
    Webhook,
};

/// Declares a list-filter struct: `Option` fields serialized in camelCase (or under the
/// wire name given with `as`), and a builder setter per field.
macro_rules! filters {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[doc = $doc:literal])* $field:ident $(as $wire:literal)? : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $wire)])?
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }

        impl $name {
            $(
                $(#[doc = $doc])*
                pub fn $field(mut self, value: impl Into<$ty>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

fn enc(id: &str) -> String {
    crate::util::encode_path_segment(id)
}

fn json_body<B: Serialize + ?Sized>(b: &B) -> Body<'static> {
    Client::send_json_body(b)
}

// ---- people ---------------------------------------------------------------------------

filters! {
    /// Filters of `GET /people`. Non-admins must give `email` or `display_name`.
    ///
    /// ```
    /// use webex_bot::client::ListPeople;
    /// let f = ListPeople::default().email("alice@example.com");
    /// assert_eq!(f.email.as_deref(), Some("alice@example.com"));
    /// ```
    pub struct ListPeople {
        /// Exact email address.
        email: String,
        /// Display name prefix.
        display_name: String,
        /// Comma-separated ids (up to 85).
        id: String,
        /// Organization.
        org_id: String,
        /// Comma-separated role ids.
        roles: String,
        /// Include calling data.
        calling_data: bool,
        /// Location id.
        location_id: String,
        /// Leave out status.
        exclude_status: bool,
        /// Page size.
        max: u32,
    }
}

filters! {
    /// Options of `GET`, `POST` and `PUT` on `/people`.
    ///
    /// ```
    /// use webex_bot::client::PersonOptions;
    /// let o = PersonOptions::default().calling_data(true);
    /// assert_eq!(o.calling_data, Some(true));
    /// ```
    pub struct PersonOptions {
        /// Include calling data (admins).
        calling_data: bool,
        /// Include every type of person (update).
        show_all_types: bool,
        /// Answer with a minimal body (create, update).
        min_response: bool,
    }
}

/// `/people`: look people up, and (admins) manage them.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::client::ListPeople;
/// let alice = client.people().list(&ListPeople::default().email("alice@example.com")).next();
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PeopleApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> PeopleApi<'c> {
    /// Lists people matching the filters.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let people: Vec<_> = client.people().list(&webex_bot::client::ListPeople::default().display_name("Al")).collect();
    /// ```
    pub fn list(&self, filters: &ListPeople) -> Pages<'c, Person> {
        Pages::new(self.client, "people", pairs(filters))
    }

    /// The person with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let p = client.people().get("person-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, person_id: &str) -> Result<Person, Error> {
        self.get_with(person_id, &PersonOptions::default())
    }

    /// The person with this id, with options (such as calling data).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::client::PersonOptions;
    /// let p = client.people().get_with("person-id", &PersonOptions::default().calling_data(true))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get_with(&self, person_id: &str, options: &PersonOptions) -> Result<Person, Error> {
        self.client
            .get_json(&format!("people/{}", enc(person_id)), &pairs(options))
    }

    /// The caller (a bot gets `type: bot`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let me = client.people().me()?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn me(&self) -> Result<Person, Error> {
        self.me_with(&PersonOptions::default())
    }

    /// The caller, with options (such as calling data).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::client::PersonOptions;
    /// let me = client.people().me_with(&PersonOptions::default().calling_data(true))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn me_with(&self, options: &PersonOptions) -> Result<Person, Error> {
        self.client.get_json("people/me", &pairs(options))
    }

    /// Creates a person (admins). Set `emails` and a name on `person`; `id` is ignored.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let mut p = webex_bot::models::Person::default();
    /// p.emails = vec!["new@example.com".into()];
    /// p.display_name = Some("New Person".into());
    /// let created = client.people().create(&p)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, person: &Person) -> Result<Person, Error> {
        self.create_with(person, &PersonOptions::default())
    }

    /// [`create`](Self::create) with options (`callingData`, `minResponse`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// # let p = webex_bot::models::Person::default();
    /// use webex_bot::client::PersonOptions;
    /// client.people().create_with(&p, &PersonOptions::default().min_response(true))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create_with(&self, person: &Person, options: &PersonOptions) -> Result<Person, Error> {
        let mut body = serde_json::to_value(person).expect("models serialize");
        body.as_object_mut().map(|o| o.remove("id"));
        self.client
            .json(Method::POST, "people", &pairs(options), json_body(&body))
    }

    /// Replaces a person's details (admins): Webex expects every field, not just the
    /// changed ones, so start from [`get`](Self::get).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let mut p = client.people().get("person-id")?;
    /// p.title = Some("Engineer".into());
    /// client.people().update(&p.id.clone(), &p)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, person_id: &str, person: &Person) -> Result<Person, Error> {
        self.update_with(person_id, person, &PersonOptions::default())
    }

    /// [`update`](Self::update) with options (`callingData`, `showAllTypes`, `minResponse`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// # let p = webex_bot::models::Person::default();
    /// use webex_bot::client::PersonOptions;
    /// client.people().update_with("person-id", &p, &PersonOptions::default().show_all_types(true))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update_with(
        &self,
        person_id: &str,
        person: &Person,
        options: &PersonOptions,
    ) -> Result<Person, Error> {
        self.client.json(
            Method::PUT,
            &format!("people/{}", enc(person_id)),
            &pairs(options),
            json_body(person),
        )
    }

    /// Deletes a person (admins).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.people().delete("person-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, person_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("people/{}", enc(person_id)))
    }
}

// ---- rooms ----------------------------------------------------------------------------

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

// ---- memberships ----------------------------------------------------------------------

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

// ---- messages -------------------------------------------------------------------------

filters! {
    /// Filters of `GET /messages` (newest first). A bot must set
    /// `mentioned_people("me")` to list a group room.
    ///
    /// ```
    /// use webex_bot::client::ListMessages;
    /// let f = ListMessages::in_room("room-1").mentioned_people("me").max(20u32);
    /// assert_eq!(f.room_id.as_deref(), Some("room-1"));
    /// ```
    pub struct ListMessages {
        /// The room (required by Webex).
        room_id: String,
        /// Replies in this thread.
        parent_id: String,
        /// `me` (or the caller's id): only messages mentioning the caller.
        mentioned_people: String,
        /// Messages before this time.
        before: String,
        /// Messages before this message.
        before_message: String,
        /// Page size (default 50).
        max: u32,
    }
}

impl ListMessages {
    /// The messages of a room.
    ///
    /// ```
    /// assert!(webex_bot::client::ListMessages::in_room("r").room_id.is_some());
    /// ```
    pub fn in_room(room_id: impl Into<String>) -> Self {
        ListMessages::default().room_id(room_id)
    }
}

filters! {
    /// Filters of `GET /messages/direct`: the 1:1 conversation with a person.
    ///
    /// ```
    /// use webex_bot::client::ListDirectMessages;
    /// let f = ListDirectMessages::default().person_email("alice@example.com");
    /// assert!(f.person_id.is_none());
    /// ```
    pub struct ListDirectMessages {
        /// The other person's id ...
        person_id: String,
        /// ... or email.
        person_email: String,
        /// Replies in this thread.
        parent_id: String,
    }
}

/// `/messages`: send, read, edit and delete messages.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::models::NewMessage;
/// let sent = client.messages().create(&NewMessage::to_room("room-id").markdown("**deployed**"))?;
/// client.messages().reply(&sent, NewMessage::default().text("details in thread"))?;
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MessagesApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> MessagesApi<'c> {
    /// Lists a room's messages, newest first.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::client::ListMessages;
    /// let last = client.messages().list(&ListMessages::in_room("room-id")).limit(10).count();
    /// ```
    pub fn list(&self, filters: &ListMessages) -> Pages<'c, Message> {
        Pages::new(self.client, "messages", pairs(filters))
    }

    /// Lists the 1:1 messages with a person, newest first.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::client::ListDirectMessages;
    /// let n = client.messages().list_direct(&ListDirectMessages::default().person_email("a@b.c")).count();
    /// ```
    pub fn list_direct(&self, filters: &ListDirectMessages) -> Pages<'c, Message> {
        Pages::new(self.client, "messages/direct", pairs(filters))
    }

    /// Posts a message (text, markdown, a file URL or a card).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewMessage;
    /// client.messages().create(&NewMessage::to_person("person-id").text("hi"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, message: &NewMessage) -> Result<Message, Error> {
        self.client
            .json(Method::POST, "messages", &[], json_body(message))
    }

    /// Posts a message with a local file, sent as `multipart/form-data` and streamed from
    /// disk or the reader. `message.files` and `message.attachments` must be empty.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::{client::Upload, models::NewMessage};
    /// client.messages().create_with_file(
    ///     &NewMessage::to_room("room-id").text("the report"),
    ///     Upload::path("report.pdf")?,
    /// )?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_with_file(
        &self,
        message: &NewMessage,
        file: Upload<'_>,
    ) -> Result<Message, Error> {
        if !message.files.is_empty() || !message.attachments.is_empty() {
            return Err(Error::Config(
                "a message carries one file or card: clear `files` and `attachments` to upload a file".into(),
            ));
        }
        let mut form = Multipart::new();
        for (k, v) in pairs(message) {
            let name: &'static str = match k.as_str() {
                "roomId" => "roomId",
                "toPersonId" => "toPersonId",
                "toPersonEmail" => "toPersonEmail",
                "parentId" => "parentId",
                "text" => "text",
                "markdown" => "markdown",
                _ => continue,
            };
            form = form.text(name, v);
        }
        let form = form.file("files", file);
        self.client
            .json(Method::POST, "messages", &[], Body::Multipart(form))
    }

    /// Replies in the thread of `to`. Webex threads are one level deep, so a reply to a
    /// reply goes to the thread's first message; the room is taken from `to`.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let original = client.messages().get("message-id")?;
    /// client.messages().reply(&original, webex_bot::models::NewMessage::default().text("on it"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn reply(&self, to: &Message, mut message: NewMessage) -> Result<Message, Error> {
        message.parent_id = Some(to.parent_id.clone().unwrap_or_else(|| to.id.clone()));
        if message.room_id.is_none()
            && message.to_person_id.is_none()
            && message.to_person_email.is_none()
        {
            message.room_id.clone_from(&to.room_id);
        }
        self.create(&message)
    }

    /// The message with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let m = client.messages().get("message-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, message_id: &str) -> Result<Message, Error> {
        self.client
            .get_json(&format!("messages/{}", enc(message_id)), &[])
    }

    /// Edits one of the caller's messages (at most 10 times; not messages with files or cards).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::UpdateMessage;
    /// client.messages().update("message-id", &UpdateMessage::text("room-id", "fixed typo"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, message_id: &str, update: &UpdateMessage) -> Result<Message, Error> {
        self.client.json(
            Method::PUT,
            &format!("messages/{}", enc(message_id)),
            &[],
            json_body(update),
        )
    }

    /// Deletes a message.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.messages().delete("message-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, message_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("messages/{}", enc(message_id)))
    }
}

// ---- teams ----------------------------------------------------------------------------

filters! {
    /// Filters of `GET /teams`.
    ///
    /// ```
    /// let f = webex_bot::client::ListTeams::default().max(50u32);
    /// assert_eq!(f.max, Some(50));
    /// ```
    pub struct ListTeams {
        /// Page size.
        max: u32,
    }
}

/// `/teams`.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let teams: Vec<_> = client.teams().list(&Default::default()).collect();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TeamsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> TeamsApi<'c> {
    /// Lists the caller's teams.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.teams().list(&webex_bot::client::ListTeams::default().max(50u32)).count();
    /// ```
    pub fn list(&self, filters: &ListTeams) -> Pages<'c, Team> {
        Pages::new(self.client, "teams", pairs(filters))
    }

    /// Creates a team; the caller becomes a member.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let t = client.teams().create(&webex_bot::models::NewTeam::new("Build"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, team: &NewTeam) -> Result<Team, Error> {
        self.client
            .json(Method::POST, "teams", &[], json_body(team))
    }

    /// The team with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let t = client.teams().get("team-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, team_id: &str) -> Result<Team, Error> {
        self.client
            .get_json(&format!("teams/{}", enc(team_id)), &[])
    }

    /// The team with this id, passing the `description` query parameter the spec lists for
    /// this call.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let t = client.teams().get_with_description("team-id", "Build")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get_with_description(&self, team_id: &str, description: &str) -> Result<Team, Error> {
        self.client.get_json(
            &format!("teams/{}", enc(team_id)),
            &[("description".into(), description.into())],
        )
    }

    /// Renames a team or changes its description.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.teams().update("team-id", &webex_bot::models::NewTeam::new("Release"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, team_id: &str, team: &NewTeam) -> Result<Team, Error> {
        self.client.json(
            Method::PUT,
            &format!("teams/{}", enc(team_id)),
            &[],
            json_body(team),
        )
    }

    /// Deletes a team.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.teams().delete("team-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, team_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("teams/{}", enc(team_id)))
    }
}

filters! {
    /// Filters of `GET /team/memberships`.
    ///
    /// ```
    /// let f = webex_bot::client::ListTeamMemberships::new("team-1").max(10u32);
    /// assert_eq!(f.team_id.as_deref(), Some("team-1"));
    /// ```
    pub struct ListTeamMemberships {
        /// The team (required by Webex).
        team_id: String,
        /// Page size.
        max: u32,
    }
}

impl ListTeamMemberships {
    /// The members of a team.
    ///
    /// ```
    /// assert!(webex_bot::client::ListTeamMemberships::new("t").team_id.is_some());
    /// ```
    pub fn new(team_id: impl Into<String>) -> Self {
        ListTeamMemberships::default().team_id(team_id)
    }
}

/// `/team/memberships`.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::client::ListTeamMemberships;
/// let members = client.team_memberships().list(&ListTeamMemberships::new("team-id")).count();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TeamMembershipsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> TeamMembershipsApi<'c> {
    /// Lists a team's members.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.team_memberships().list(&webex_bot::client::ListTeamMemberships::new("t")).count();
    /// ```
    pub fn list(&self, filters: &ListTeamMemberships) -> Pages<'c, TeamMembership> {
        Pages::new(self.client, "team/memberships", pairs(filters))
    }

    /// Adds a person to a team: `team_id` and `person_id` or `person_email`.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.team_memberships().create("team-id", Some("person-id"), None, false)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(
        &self,
        team_id: &str,
        person_id: Option<&str>,
        person_email: Option<&str>,
        is_moderator: bool,
    ) -> Result<TeamMembership, Error> {
        let body = serde_json::json!({
            "teamId": team_id,
            "personId": person_id,
            "personEmail": person_email,
            "isModerator": is_moderator,
        });
        let body: serde_json::Map<String, serde_json::Value> = body
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.client
            .json(Method::POST, "team/memberships", &[], json_body(&body))
    }

    /// The team membership with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let m = client.team_memberships().get("id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, membership_id: &str) -> Result<TeamMembership, Error> {
        self.client
            .get_json(&format!("team/memberships/{}", enc(membership_id)), &[])
    }

    /// Makes a member a moderator or not.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.team_memberships().update("id", true)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, membership_id: &str, is_moderator: bool) -> Result<TeamMembership, Error> {
        let body = serde_json::json!({ "isModerator": is_moderator });
        self.client.json(
            Method::PUT,
            &format!("team/memberships/{}", enc(membership_id)),
            &[],
            json_body(&body),
        )
    }

    /// Removes a person from a team.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.team_memberships().delete("id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, membership_id: &str) -> Result<(), Error> {
        self.client
            .delete(&format!("team/memberships/{}", enc(membership_id)))
    }
}

// ---- webhooks -------------------------------------------------------------------------

filters! {
    /// Filters of `GET /webhooks`.
    ///
    /// ```
    /// let f = webex_bot::client::ListWebhooks::default().owned_by("org");
    /// assert_eq!(f.owned_by.as_deref(), Some("org"));
    /// ```
    pub struct ListWebhooks {
        /// Page size.
        max: u32,
        /// `org`: organization-wide webhooks only.
        owned_by: String,
    }
}

/// `/webhooks`.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::models::NewWebhook;
/// client.webhooks().create(&NewWebhook::new("bot", "https://bot.example.com/", "messages", "created").secret("s3cret"))?;
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WebhooksApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> WebhooksApi<'c> {
    /// Lists the caller's webhooks.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let hooks: Vec<_> = client.webhooks().list(&Default::default()).collect();
    /// ```
    pub fn list(&self, filters: &ListWebhooks) -> Pages<'c, Webhook> {
        Pages::new(self.client, "webhooks", pairs(filters))
    }

    /// Registers a webhook.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewWebhook;
    /// client.webhooks().create(&NewWebhook::new("cards", "https://bot.example.com/", "attachmentActions", "created"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, webhook: &NewWebhook) -> Result<Webhook, Error> {
        self.client
            .json(Method::POST, "webhooks", &[], json_body(webhook))
    }

    /// The webhook with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let w = client.webhooks().get("webhook-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, webhook_id: &str) -> Result<Webhook, Error> {
        self.client
            .get_json(&format!("webhooks/{}", enc(webhook_id)), &[])
    }

    /// Updates a webhook; set `status` to `active` to re-enable a disabled one.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::{UpdateWebhook, WebhookStatus};
    /// let mut u = UpdateWebhook::new("bot", "https://bot.example.com/");
    /// u.status = Some(WebhookStatus::Active);
    /// client.webhooks().update("webhook-id", &u)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, webhook_id: &str, update: &UpdateWebhook) -> Result<Webhook, Error> {
        self.client.json(
            Method::PUT,
            &format!("webhooks/{}", enc(webhook_id)),
            &[],
            json_body(update),
        )
    }

    /// Deletes a webhook.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.webhooks().delete("webhook-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, webhook_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("webhooks/{}", enc(webhook_id)))
    }
}

// ---- attachment actions -----------------------------------------------------------------

/// `/attachment/actions`: card submissions.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let submitted = client.attachment_actions().get("action-id")?;
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AttachmentActionsApi<'c> {
    pub(crate) client: &'c Client,
}

impl AttachmentActionsApi<'_> {
    /// Submits a card, as a Webex client does when a user presses a submit button.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewAttachmentAction;
    /// client.attachment_actions().create(&NewAttachmentAction::submit("message-id", serde_json::json!({"ok": true})))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create(&self, action: &NewAttachmentAction) -> Result<AttachmentAction, Error> {
        self.client
            .json(Method::POST, "attachment/actions", &[], json_body(action))
    }

    /// The submission with this id, with its `inputs`.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let a = client.attachment_actions().get("action-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, action_id: &str) -> Result<AttachmentAction, Error> {
        self.client
            .get_json(&format!("attachment/actions/{}", enc(action_id)), &[])
    }
}

// ---- events ---------------------------------------------------------------------------

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

// ---- admin: organizations, licenses, roles ------------------------------------------------

filters! {
    /// Filters of `GET /organizations` (it takes none today; the struct keeps the list
    /// calls alike and leaves room for them).
    ///
    /// ```
    /// let f = webex_bot::client::ListOrganizations::default();
    /// # let _ = f;
    /// ```
    pub struct ListOrganizations {}
}

/// `/organizations` (admins).
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let orgs: Vec<_> = client.organizations().list(&Default::default()).collect();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OrganizationsApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> OrganizationsApi<'c> {
    /// The organizations the caller manages (one page today; followed like any other).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// for org in client.organizations().list(&Default::default()) {
    ///     println!("{:?}", org?.display_name);
    /// }
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn list(&self, filters: &ListOrganizations) -> Pages<'c, Organization> {
        Pages::new(self.client, "organizations", pairs(filters))
    }

    /// The organization with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let org = client.organizations().get("org-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, org_id: &str) -> Result<Organization, Error> {
        self.client
            .get_json(&format!("organizations/{}", enc(org_id)), &[])
    }

    /// Deletes an organization (takes Webex up to 10 minutes).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.organizations().delete("org-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, org_id: &str) -> Result<(), Error> {
        self.client
            .delete(&format!("organizations/{}", enc(org_id)))
    }
}

filters! {
    /// Filters of `GET /licenses`.
    ///
    /// ```
    /// let f = webex_bot::client::ListLicenses::default().org_id("org-1");
    /// assert!(f.org_id.is_some());
    /// ```
    pub struct ListLicenses {
        /// Organization (default the caller's).
        org_id: String,
    }
}

/// `/licenses` (admins).
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let n = client.licenses().list(&Default::default()).count();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LicensesApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> LicensesApi<'c> {
    /// Lists licenses.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.licenses().list(&Default::default()).count();
    /// ```
    pub fn list(&self, filters: &ListLicenses) -> Pages<'c, License> {
        Pages::new(self.client, "licenses", pairs(filters))
    }

    /// The license with this id; with `include_users`, its assignees (`includeAssignedTo=user`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let l = client.licenses().get("license-id", true)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, license_id: &str, include_users: bool) -> Result<License, Error> {
        let q: Vec<(String, String)> = if include_users {
            vec![("includeAssignedTo".into(), "user".into())]
        } else {
            Vec::new()
        };
        self.client
            .get_json(&format!("licenses/{}", enc(license_id)), &q)
    }

    /// The license with this id and one page of its assignees: `next` is the cursor of the
    /// previous answer, `limit` the page size (at most 300).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let l = client.licenses().get_assignees("license-id", None, Some(100))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get_assignees(
        &self,
        license_id: &str,
        next: Option<&str>,
        limit: Option<u32>,
    ) -> Result<License, Error> {
        let mut q: Vec<(String, String)> = vec![("includeAssignedTo".into(), "user".into())];
        if let Some(n) = next {
            q.push(("next".into(), n.into()));
        }
        if let Some(l) = limit {
            q.push(("limit".into(), l.to_string()));
        }
        self.client
            .get_json(&format!("licenses/{}", enc(license_id)), &q)
    }

    /// Adds or removes licenses (and Webex sites) of a person (`PATCH /licenses/users`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::LicenseAssignment;
    /// let now = client.licenses().assign(&LicenseAssignment::for_email("alice@example.com").add_license("license-id"))?;
    /// println!("{} licenses", now.licenses.len());
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn assign(&self, change: &LicenseAssignment) -> Result<UserLicenses, Error> {
        self.client
            .json(Method::PATCH, "licenses/users", &[], json_body(change))
    }
}

filters! {
    /// Filters of `GET /roles` (it takes none today; the struct keeps the list calls alike).
    ///
    /// ```
    /// let f = webex_bot::client::ListRoles::default();
    /// # let _ = f;
    /// ```
    pub struct ListRoles {}
}

/// `/roles` (admins).
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let roles: Vec<_> = client.roles().list(&Default::default()).collect();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RolesApi<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> RolesApi<'c> {
    /// Lists roles.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.roles().list(&Default::default()).count();
    /// ```
    pub fn list(&self, filters: &ListRoles) -> Pages<'c, Role> {
        Pages::new(self.client, "roles", pairs(filters))
    }

    /// The role with this id.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let r = client.roles().get("role-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn get(&self, role_id: &str) -> Result<Role, Error> {
        self.client
            .get_json(&format!("roles/{}", enc(role_id)), &[])
    }
}

// ---- applications ---------------------------------------------------------------------

/// `/applications`: register bots, change them, regenerate their token, delete them.
/// Call it with an administrator's (or the bot owner's) token, never the bot's own.
///
/// ```no_run
/// # let client = webex_bot::Client::builder().token("admin").fedramp().build().unwrap();
/// use webex_bot::models::NewBotApplication;
/// let bot = client.applications().create_bot(&NewBotApplication::new(
///     "Ops", "ops-bot@webex.bot", "Runs ops", "https://example.com/logo.png",
/// ))?;
/// let token = bot.bot_token.expect("returned on create");
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ApplicationsApi<'c> {
    pub(crate) client: &'c Client,
}

impl ApplicationsApi<'_> {
    /// Creates a bot whose logo is a public URL; the answer carries its `bot_token`.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewBotApplication;
    /// let bot = client.applications().create_bot(&NewBotApplication::new("n", "n@webex.bot", "d", "https://x/l.png"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create_bot(&self, bot: &NewBotApplication) -> Result<Application, Error> {
        self.client
            .json(Method::POST, "applications", &[], json_body(bot))
    }

    /// Creates a bot with an uploaded logo image (`multipart/form-data`); `bot.logo` is ignored.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::{client::Upload, models::NewBotApplication};
    /// let bot = client.applications().create_bot_with_logo(
    ///     &NewBotApplication::new("n", "n@webex.bot", "d", ""),
    ///     Upload::path("logo.png")?,
    /// )?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_bot_with_logo(
        &self,
        bot: &NewBotApplication,
        logo: Upload<'_>,
    ) -> Result<Application, Error> {
        let form = Multipart::new()
            .text("type", bot.app_type.clone())
            .text("name", bot.name.clone())
            .text("botEmail", bot.bot_email.clone())
            .text("description", bot.description.clone())
            .file("logo", logo);
        self.client
            .json(Method::POST, "applications", &[], Body::Multipart(form))
    }

    /// Changes a bot's name, description or logo URL.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let mut u = webex_bot::models::UpdateApplication::default();
    /// u.description = Some("Now with cards".into());
    /// client.applications().update("bot-id", &u)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, bot_id: &str, update: &UpdateApplication) -> Result<Application, Error> {
        self.client.json(
            Method::PATCH,
            &format!("applications/{}", enc(bot_id)),
            &[],
            json_body(update),
        )
    }

    /// Uploads a new logo image for a bot.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.applications().upload_logo("bot-id", webex_bot::client::Upload::path("logo.png")?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upload_logo(&self, bot_id: &str, logo: Upload<'_>) -> Result<Application, Error> {
        let form = Multipart::new().file("logo", logo);
        self.client.json(
            Method::POST,
            &format!("applications/{}/logo", enc(bot_id)),
            &[],
            Body::Multipart(form),
        )
    }

    /// Regenerates a bot's access token; the answer carries the new `bot_token`, and the
    /// old one stops working.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let fresh = client.applications().regenerate_token("bot-id")?.bot_token;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn regenerate_token(&self, bot_id: &str) -> Result<Application, Error> {
        self.client.json(
            Method::DELETE,
            &format!("applications/{}/botToken", enc(bot_id)),
            &[],
            Body::Empty,
        )
    }

    /// Deletes a bot.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.applications().delete("bot-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, bot_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("applications/{}", enc(bot_id)))
    }
}
