use serde::{Deserialize, Serialize};

/// A card submission (`GET /attachment/actions/{id}`).
///
/// ```
/// use webex_bot::models::AttachmentAction;
/// let a: AttachmentAction = serde_json::from_str(
///     r#"{"id":"a1","type":"submit","messageId":"m1","inputs":{"when":"10:00"}}"#,
/// ).unwrap();
/// assert_eq!(a.inputs["when"], "10:00");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttachmentAction {
    /// Unique id of the action.
    pub id: String,
    /// Always `submit` today.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub action_type: Option<String>,
    /// The message that carries the card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The card's input values, keyed by input id.
    #[serde(default)]
    pub inputs: serde_json::Value,
    /// Who submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// The room of the card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// When it was submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// The body of `POST /attachment/actions`: what a client sends when a user presses Submit.
///
/// ```
/// use webex_bot::models::NewAttachmentAction;
/// let a = NewAttachmentAction::submit("m1", serde_json::json!({"ok": "yes"}));
/// assert_eq!(serde_json::to_value(&a).unwrap()["type"], "submit");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewAttachmentAction {
    /// `submit`.
    #[serde(rename = "type")]
    pub action_type: String,
    /// The card's message.
    pub message_id: String,
    /// The input values.
    pub inputs: serde_json::Value,
}

impl NewAttachmentAction {
    /// A submission of `inputs` on the card in message `message_id`.
    ///
    /// ```
    /// # use webex_bot::models::NewAttachmentAction;
    /// assert_eq!(NewAttachmentAction::submit("m", serde_json::json!({})).message_id, "m");
    /// ```
    pub fn submit(message_id: impl Into<String>, inputs: serde_json::Value) -> Self {
        NewAttachmentAction {
            action_type: "submit".into(),
            message_id: message_id.into(),
            inputs,
        }
    }
}
