use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The body of every Webex list call: `{"items": [...]}`.
///
/// # Example
/// ```
/// use webex_bot::models::{Items, Room};
/// let page: Items<Room> = serde_json::from_str(r#"{"items":[{"id":"r1"}]}"#).unwrap();
/// assert_eq!(page.items[0].id, "r1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Items<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    /// Ids asked for with an `id` filter that were not found (people lists).
    #[serde(
        default,
        rename = "notFoundIds",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_found_ids: Option<Vec<String>>,
}

/// Why one field of a list item could not be filled in (for example a KMS failure on a
/// room's title). Webex puts these in an `errors` object keyed by field name.
///
/// # Example
/// ```
/// use webex_bot::models::Room;
/// let room: Room = serde_json::from_str(
///     r#"{"id":"r1","errors":{"title":{"code":"kms_failure","reason":"Key unavailable"}}}"#,
/// ).unwrap();
/// assert_eq!(room.errors.unwrap()["title"].code.as_deref(), Some("kms_failure"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// A short machine-readable code, such as `kms_failure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A human-readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Per-field errors of a list item, keyed by the field's wire name.
///
/// ```
/// use webex_bot::models::{FieldError, PartialErrors};
/// let mut e = PartialErrors::new();
/// e.insert("title".into(), FieldError::default());
/// assert!(e.contains_key("title"));
/// ```
pub type PartialErrors = BTreeMap<String, FieldError>;

/// Serde helper: a `Vec` that is empty when the field is absent and left out when empty.
pub(crate) fn is_empty<T>(v: &[T]) -> bool {
    v.is_empty()
}
