//! `/webhooks`: where Webex delivers events.

use serde::Serialize;
use ureq::http::Method;

use super::{enc, json_body};
use crate::client::query::pairs;
use crate::client::{Client, Error, Pages};
use crate::models::{NewWebhook, UpdateWebhook, Webhook};

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
