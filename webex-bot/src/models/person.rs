use serde::{Deserialize, Serialize};

use super::common::{PartialErrors, is_empty};

/// A person: a user, a bot or an app user (`GET /people/{id}`, `GET /people/me`).
///
/// # Example
/// ```
/// use webex_bot::models::{Person, PersonType};
/// let p: Person = serde_json::from_str(
///     r#"{"id":"p1","emails":["bot@webex.bot"],"displayName":"Bot","type":"bot"}"#,
/// ).unwrap();
/// assert_eq!(p.person_type, Some(PersonType::Bot));
/// assert_eq!(p.primary_email(), Some("bot@webex.bot"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Person {
    /// Unique id of the person.
    pub id: String,
    /// Email addresses (Webex uses the first one).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub emails: Vec<String>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Extension number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Location id (calling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// Full name as shown in clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Nickname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Organization id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Role ids (admins only).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub roles: Vec<String>,
    /// License ids (admins only).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub licenses: Vec<String>,
    /// Department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Manager's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Manager's person id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<String>,
    /// Job title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Postal addresses, as Webex sends them.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub addresses: Vec<serde_json::Value>,
    /// When the person was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the person was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Time zone, such as `America/Denver`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Last activity (presence; own or managed org only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity: Option<String>,
    /// Webex site URLs.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub site_urls: Vec<String>,
    /// SIP addresses, as Webex sends them.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub sip_addresses: Vec<serde_json::Value>,
    /// XMPP federation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xmpp_federation_jid: Option<String>,
    /// Presence status, such as `active` or `DoNotDisturb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `"true"` while the invitation is not accepted (a string on the wire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_pending: Option<String>,
    /// `"true"` when the person may log in (a string on the wire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_enabled: Option<String>,
    /// Person, bot or app user.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub person_type: Option<PersonType>,
    /// Fields that could not be filled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<PartialErrors>,
}

impl Person {
    /// The first email address, the one Webex treats as primary.
    ///
    /// ```
    /// # use webex_bot::models::Person;
    /// assert_eq!(Person::default().primary_email(), None);
    /// ```
    pub fn primary_email(&self) -> Option<&str> {
        self.emails.first().map(String::as_str)
    }
}

/// A phone number of a person.
///
/// ```
/// # use webex_bot::models::PhoneNumber;
/// let n: PhoneNumber = serde_json::from_str(r#"{"type":"work","value":"+1 408 555 1234"}"#).unwrap();
/// assert_eq!(n.value.as_deref(), Some("+1 408 555 1234"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhoneNumber {
    /// `work`, `mobile`, `fax`, ...
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub number_type: Option<String>,
    /// The number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether this is the primary number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// What kind of account a [`Person`] is.
///
/// ```
/// # use webex_bot::models::PersonType;
/// let t: PersonType = serde_json::from_str(r#""appuser""#).unwrap();
/// assert_eq!(t, PersonType::AppUser);
/// let t: PersonType = serde_json::from_str(r#""robot""#).unwrap();
/// assert_eq!(t, PersonType::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PersonType {
    /// A human user.
    Person,
    /// A bot account.
    Bot,
    /// A guest issuer app user.
    AppUser,
    /// A value this crate does not know yet.
    #[serde(other)]
    Unknown,
}
