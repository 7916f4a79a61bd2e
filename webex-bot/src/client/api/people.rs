//! `/people`: who is who.

use serde::Serialize;
use ureq::http::Method;

use super::{enc, json_body};
use crate::client::query::pairs;
use crate::client::{Client, Error, Pages};
use crate::models::Person;

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
