use serde::{Deserialize, Serialize};

/// An organization (admin API).
///
/// ```
/// use webex_bot::models::Organization;
/// let o: Organization = serde_json::from_str(r#"{"id":"o1","displayName":"Acme"}"#).unwrap();
/// assert_eq!(o.display_name.as_deref(), Some("Acme"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Organization {
    /// Unique id.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// A license of an organization (admin API).
///
/// ```
/// use webex_bot::models::License;
/// let l: License = serde_json::from_str(r#"{"id":"l1","name":"Messaging","totalUnits":50,"consumedUnits":3}"#).unwrap();
/// assert_eq!(l.total_units, Some(50));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct License {
    /// Unique id.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Units bought.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_units: Option<i64>,
    /// Units in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_units: Option<i64>,
    /// Units in use by users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_by_users: Option<i64>,
    /// Units in use by workspaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_by_workspaces: Option<i64>,
    /// Subscription id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// Webex site URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
    /// Webex site type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_type: Option<String>,
    /// Assignees, with `includeAssignedTo=user`, as Webex sends them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<serde_json::Value>,
}

/// An administrator role (admin API).
///
/// ```
/// use webex_bot::models::Role;
/// let r: Role = serde_json::from_str(r#"{"id":"r1","name":"Full Administrator"}"#).unwrap();
/// assert_eq!(r.name.as_deref(), Some("Full Administrator"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Role {
    /// Unique id.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The body of `PATCH /licenses/users`: add or remove licenses (and Webex sites) of a person,
/// given by email or id.
///
/// ```
/// use webex_bot::models::LicenseAssignment;
/// let a = LicenseAssignment::for_email("alice@example.com").add_license("lic-1").remove_license("lic-2");
/// assert_eq!(serde_json::to_value(&a).unwrap()["licenses"][1]["operation"], "remove");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LicenseAssignment {
    /// The person's email ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// ... or id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// The organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The changes: `{"id", "operation": "add"|"remove", "properties"?}`.
    #[serde(default)]
    pub licenses: Vec<serde_json::Value>,
    /// Webex site changes: `{"siteUrl", "accountType", "operation"}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub site_urls: Vec<serde_json::Value>,
}

impl LicenseAssignment {
    /// Changes for the person with this email.
    ///
    /// ```
    /// # use webex_bot::models::LicenseAssignment;
    /// assert!(LicenseAssignment::for_email("a@b.c").email.is_some());
    /// ```
    pub fn for_email(email: impl Into<String>) -> Self {
        LicenseAssignment {
            email: Some(email.into()),
            ..Default::default()
        }
    }

    /// Changes for the person with this id.
    ///
    /// ```
    /// # use webex_bot::models::LicenseAssignment;
    /// assert!(LicenseAssignment::for_person("p1").person_id.is_some());
    /// ```
    pub fn for_person(person_id: impl Into<String>) -> Self {
        LicenseAssignment {
            person_id: Some(person_id.into()),
            ..Default::default()
        }
    }

    /// Adds a license.
    ///
    /// ```
    /// # use webex_bot::models::LicenseAssignment;
    /// assert_eq!(LicenseAssignment::for_person("p").add_license("l").licenses.len(), 1);
    /// ```
    pub fn add_license(mut self, license_id: &str) -> Self {
        self.licenses
            .push(serde_json::json!({"id": license_id, "operation": "add"}));
        self
    }

    /// Removes a license.
    ///
    /// ```
    /// # use webex_bot::models::LicenseAssignment;
    /// assert_eq!(LicenseAssignment::for_person("p").remove_license("l").licenses.len(), 1);
    /// ```
    pub fn remove_license(mut self, license_id: &str) -> Self {
        self.licenses
            .push(serde_json::json!({"id": license_id, "operation": "remove"}));
        self
    }
}

/// The answer of `PATCH /licenses/users`: the person's licenses and sites now.
///
/// ```
/// use webex_bot::models::UserLicenses;
/// let u: UserLicenses = serde_json::from_str(r#"{"personId":"p","licenses":["l1"]}"#).unwrap();
/// assert_eq!(u.licenses, ["l1"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserLicenses {
    /// The organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// The person's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// License ids.
    #[serde(default)]
    pub licenses: Vec<String>,
    /// Webex sites, as Webex sends them.
    #[serde(default)]
    pub site_urls: Vec<serde_json::Value>,
}
