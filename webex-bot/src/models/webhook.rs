use serde::{Deserialize, Serialize};

/// A webhook registration.
///
/// `secret` is skipped by `Debug`, so printing a webhook never leaks it.
///
/// ```
/// use webex_bot::models::{Webhook, WebhookStatus};
/// let w: Webhook = serde_json::from_str(
///     r#"{"id":"w1","name":"bot","targetUrl":"https://x/","resource":"messages","event":"created","secret":"s3cret","status":"inactive"}"#,
/// ).unwrap();
/// assert_eq!(w.status, Some(WebhookStatus::Inactive));
/// assert!(!format!("{w:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Webhook {
    /// Unique id of the webhook.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Where Webex POSTs events.
    #[serde(default)]
    pub target_url: String,
    /// Resource, such as `messages` or `all`.
    #[serde(default)]
    pub resource: String,
    /// Event, such as `created` or `all`.
    #[serde(default)]
    pub event: String,
    /// Filter, such as `roomId=...&personEmail=...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The signing secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<crate::Secret>,
    /// Active, or disabled after failed deliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WebhookStatus>,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `creator` or `org`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
}

/// Whether Webex delivers to a webhook.
///
/// ```
/// # use webex_bot::models::WebhookStatus;
/// assert_eq!(serde_json::to_string(&WebhookStatus::Active).unwrap(), r#""active""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum WebhookStatus {
    /// Deliveries happen.
    Active,
    /// Disabled after repeated failed deliveries; a PUT with `active` re-enables it.
    Inactive,
    /// A value this crate does not know yet.
    #[serde(other)]
    Unknown,
}

/// The body of `POST /webhooks`.
///
/// ```
/// use webex_bot::models::NewWebhook;
/// let w = NewWebhook::new("bot", "https://bot.example.com/", "messages", "created")
///     .filter("mentionedPeople=me")
///     .secret("s3cret");
/// assert_eq!(w.filter.as_deref(), Some("mentionedPeople=me"));
/// assert!(!format!("{w:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewWebhook {
    /// Name (required).
    pub name: String,
    /// Where to deliver (required).
    pub target_url: String,
    /// Resource (required).
    pub resource: String,
    /// Event (required).
    pub event: String,
    /// Filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Signing secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<crate::Secret>,
    /// `org` for organization-wide webhooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
}

impl NewWebhook {
    /// A webhook for `resource`/`event` delivering to `target_url`.
    ///
    /// ```
    /// # use webex_bot::models::NewWebhook;
    /// let w = NewWebhook::new("n", "https://x/", "all", "all");
    /// assert_eq!(w.resource, "all");
    /// ```
    pub fn new(
        name: impl Into<String>,
        target_url: impl Into<String>,
        resource: impl Into<String>,
        event: impl Into<String>,
    ) -> Self {
        NewWebhook {
            name: name.into(),
            target_url: target_url.into(),
            resource: resource.into(),
            event: event.into(),
            ..Default::default()
        }
    }

    /// Sets the filter (`key=value&key=value`).
    ///
    /// ```
    /// # use webex_bot::models::NewWebhook;
    /// assert!(NewWebhook::new("n", "u", "messages", "created").filter("roomType=direct").filter.is_some());
    /// ```
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Sets the signing secret.
    ///
    /// ```
    /// # use webex_bot::models::NewWebhook;
    /// assert!(NewWebhook::new("n", "u", "messages", "created").secret("s").secret.is_some());
    /// ```
    pub fn secret(mut self, secret: impl Into<crate::Secret>) -> Self {
        self.secret = Some(secret.into());
        self
    }
}

/// The body of `PUT /webhooks/{id}`. Setting `status` to `active` re-enables a webhook
/// that Webex disabled.
///
/// ```
/// use webex_bot::models::{UpdateWebhook, WebhookStatus};
/// let mut u = UpdateWebhook::new("bot", "https://bot.example.com/");
/// u.status = Some(WebhookStatus::Active);
/// assert_eq!(serde_json::to_value(&u).unwrap()["status"], "active");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateWebhook {
    /// Name (required).
    pub name: String,
    /// Where to deliver (required).
    pub target_url: String,
    /// New signing secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<crate::Secret>,
    /// `org` for organization-wide webhooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// Only `active` is accepted by Webex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WebhookStatus>,
}

impl UpdateWebhook {
    /// An update that keeps the name and target URL given.
    ///
    /// ```
    /// # use webex_bot::models::UpdateWebhook;
    /// assert_eq!(UpdateWebhook::new("n", "u").name, "n");
    /// ```
    pub fn new(name: impl Into<String>, target_url: impl Into<String>) -> Self {
        UpdateWebhook {
            name: name.into(),
            target_url: target_url.into(),
            ..Default::default()
        }
    }
}
