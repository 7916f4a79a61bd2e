//! `/attachment/actions`: card submissions.

use ureq::http::Method;

use super::{enc, json_body};
use crate::client::{Client, Error};
use crate::models::{AttachmentAction, NewAttachmentAction};

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
