//! The builder's settings for events: where they come from, and the websocket's.

use std::time::Duration;

use super::builder::BotBuilder;
use super::source::Events;

impl BotBuilder {
    /// Where events come from. Unset, the bot chooses at [`build`](Self::build): webhooks
    /// when a public URL or a webhook secret is configured (a secret is only for
    /// webhooks), the websocket otherwise. `WEBEX_EVENTS=webhook|websocket` sets it from
    /// the environment.
    ///
    /// Over the websocket, handlers, cards, membership events, conversations, access
    /// rules, duplicate suppression, explain mode, stats and shutdown behave as with
    /// webhooks. The protocol is the one Webex's own clients use, and is not documented by
    /// Cisco; this crate follows what the public clients do and chose where they differ:
    /// - discovery through the U2C catalog ([`u2c_url`](Self::u2c_url)), never a fixed
    ///   cluster; the catalog must give the device service over https when it is itself
    ///   https;
    /// - one device per [`device_name`](Self::device_name), found again at each start
    ///   (newest first, refreshed with `PUT`), created when none refreshes; on "excessive
    ///   device registrations" (403) the oldest third of the devices this crate made
    ///   (model `webex-bot-rs`) are deleted and the creation tried once more;
    /// - the socket asks for text frames and a `mercury.buffer_state` event; the first
    ///   frame after the authorization frame means the bot is connected;
    /// - the bot sends `{"type":"ping"}` every [`websocket_keepalive`](Self::websocket_keepalive)
    ///   interval and reconnects when no pong comes in time; it answers the server's pings;
    /// - every event frame is acknowledged with its envelope id once the event is queued
    ///   (or seen to be a duplicate); an event the bot could not take (shutting down) is
    ///   not, so Webex delivers it again to the next connection;
    /// - a handshake answered 404 refreshes the device (and creates one if that is 404
    ///   too); close codes 1001, 1005, 1006, 1011, 1012, 1013, 1014, and 1000 or 1050 with
    ///   no reason or the reasons idle, done, forced, pong not received or pong mismatch,
    ///   reconnect after refreshing the device; 4401 and 1008 reconnect unless the token is
    ///   refused by `GET /people/me`; every other code (4000 replaced, 4400, 4403, 1003, ...)
    ///   stops the bot's events with an error in the log and in [`Stats`](crate::bot::Stats);
    /// - reconnects wait with jittered exponential backoff ([`reconnect_backoff`](Self::reconnect_backoff));
    ///   activities redelivered after a reconnect are handled once, by the duplicate
    ///   suppression webhooks also use;
    /// - activity UUIDs become REST ids in the cluster the catalog gives for the
    ///   conversation's host (`us` when it gives none), and the message, card submission
    ///   or membership is then fetched as for a webhook.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// use webex_bot::bot::Events;
    /// let builder = Bot::builder(commands![echo]).events(Events::Websocket);
    /// ```
    pub fn events(mut self, events: Events) -> Self {
        self.events = Some(events);
        self
    }

    /// The U2C catalog service (default `https://u2c.wbx2.com/u2c/api/v1`, commercial
    /// Webex; `WEBEX_U2C_URL`).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).u2c_url("https://u2c.wbx2.com/u2c/api/v1");
    /// ```
    pub fn u2c_url(mut self, url: impl Into<String>) -> Self {
        self.websocket.u2c_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The name of the bot's websocket device (default `webex-bot`): the device of this
    /// name is used again at the next start. Replicas sharing a token need names of their
    /// own.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).device_name("tickets-bot");
    /// ```
    pub fn device_name(mut self, name: impl Into<String>) -> Self {
        self.websocket.device_name = name.into();
        self
    }

    /// Whether the websocket device is deleted at shutdown (default true). Kept, it is used
    /// again at the next start.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).delete_device_on_shutdown(false);
    /// ```
    pub fn delete_device_on_shutdown(mut self, yes: bool) -> Self {
        self.websocket.delete_device_on_shutdown = yes;
        self
    }

    /// How often the bot pings over the websocket (default 15 s), and how long it waits for
    /// the pong before it takes the connection for dead and reconnects (default 14 s).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// use std::time::Duration;
    /// let builder = Bot::builder(commands![echo])
    ///     .websocket_keepalive(Duration::from_secs(10), Duration::from_secs(5));
    /// ```
    pub fn websocket_keepalive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.websocket.ping_interval = interval.max(Duration::from_millis(1));
        self.websocket.pong_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The wait before a reconnect: from `min` (default 1 s), doubling after each failed
    /// attempt up to `max` (default 32 s), each wait drawn between half and all of it.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// use std::time::Duration;
    /// let builder = Bot::builder(commands![echo])
    ///     .reconnect_backoff(Duration::from_millis(500), Duration::from_secs(60));
    /// ```
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.websocket.backoff_min = min;
        self.websocket.backoff_max = max.max(min);
        self
    }

    /// How long [`start`](crate::Bot::start) waits for the first websocket connection
    /// (default 60 s), retrying as it would later; past it, `start` fails with the last
    /// error.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).websocket_start_timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn websocket_start_timeout(mut self, timeout: Duration) -> Self {
        self.websocket.start_timeout = timeout;
        self
    }
}
