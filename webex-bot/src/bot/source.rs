//! Where events come from, webhooks or the websocket, and the websocket's settings.

use std::time::Duration;

use super::error::BotError;

/// Where a bot's events come from.
///
/// ```
/// use webex_bot::bot::Events;
/// assert_eq!("websocket".parse::<Events>().unwrap(), Events::Websocket);
/// assert!("carrier pigeon".parse::<Events>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Events {
    /// Webex POSTs each event to the bot's public URL (Webex's documented path).
    Webhook,
    /// The bot keeps a websocket open to Webex, as Webex's own clients do: no public URL.
    Websocket,
}

impl Events {
    /// `webhook` or `websocket`.
    ///
    /// ```
    /// assert_eq!(webex_bot::bot::Events::Webhook.as_str(), "webhook");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Events::Webhook => "webhook",
            Events::Websocket => "websocket",
        }
    }
}

impl std::str::FromStr for Events {
    type Err = BotError;

    fn from_str(s: &str) -> Result<Self, BotError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "webhook" | "webhooks" => Ok(Events::Webhook),
            "websocket" | "websockets" => Ok(Events::Websocket),
            other => Err(BotError::Events(format!(
                "WEBEX_EVENTS is {other:?}: it must be `webhook` or `websocket`"
            ))),
        }
    }
}

/// The websocket's settings, with the builder's defaults.
#[derive(Debug, Clone)]
pub(crate) struct WebsocketSettings {
    pub u2c_url: String,
    pub device_name: String,
    pub delete_device_on_shutdown: bool,
    pub ping_interval: Duration,
    pub pong_timeout: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    pub connect_timeout: Duration,
    /// How long `start` waits for the first connection.
    pub start_timeout: Duration,
}

impl Default for WebsocketSettings {
    fn default() -> Self {
        WebsocketSettings {
            u2c_url: crate::mercury::COMMERCIAL_U2C_URL.into(),
            device_name: "webex-bot".into(),
            delete_device_on_shutdown: true,
            ping_interval: Duration::from_secs(15),
            pong_timeout: Duration::from_secs(14),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(32),
            connect_timeout: Duration::from_secs(20),
            start_timeout: Duration::from_secs(60),
        }
    }
}
