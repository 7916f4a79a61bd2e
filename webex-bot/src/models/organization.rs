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
