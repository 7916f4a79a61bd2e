//! Posting through the bot from anywhere: timers, other threads, extra routes.

use super::reply::IntoReply;
use super::send::send_reply;
use crate::Client;
use crate::models::Message;

/// Posts messages through the bot from anywhere: timers, other threads, extra routes.
/// Handlers take one as a parameter; [`BotBuilder::on_start`](crate::BotBuilder::on_start)
/// hands one to start-up code.
///
/// ```no_run
/// # fn f(notifier: webex_bot::Notifier) {
/// use webex_bot::Reply;
/// notifier.send(Reply::markdown("**Deploy finished**").to_room("room-id")).unwrap();
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Notifier {
    client: Client,
}

impl Notifier {
    /// A notifier posting with this client.
    ///
    /// ```
    /// let notifier = webex_bot::Notifier::new(webex_bot::Client::new("t"));
    /// ```
    pub fn new(client: Client) -> Self {
        Notifier { client }
    }

    /// Sends a reply whose targets are absolute (`to_room`, `to_email`, ...).
    ///
    /// ```
    /// # fn f(notifier: webex_bot::Notifier) -> Result<(), webex_bot::client::Error> {
    /// notifier.send(webex_bot::Reply::markdown("**done**").to_email("alice@example.com"))?;
    /// # Ok(()) }
    /// ```
    pub fn send(&self, reply: impl IntoReply) -> Result<Vec<Message>, crate::client::Error> {
        send_reply(&self.client, None, reply.into_reply())
    }

    /// The client.
    ///
    /// ```
    /// let notifier = webex_bot::Notifier::new(webex_bot::Client::new("t"));
    /// assert_eq!(notifier.client().base_url(), "https://webexapis.com/v1");
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }
}
