//! Events over the websocket Webex's own clients use ("Mercury"), so that a bot needs no
//! public URL: the U2C catalog says where the device service is (`catalog`), the bot keeps
//! one device there (`devices`), opens the device's websocket and authorizes it
//! (`socket`), and turns each activity into the notification a webhook would have
//! carried (`activity`). The runtime's loop over all this is `bot::websocket`.
//!
//! The protocol is not documented by Cisco; what this follows, and where it chose, is in
//! the rustdoc of [`BotBuilder::events`](crate::BotBuilder::events).

pub(crate) mod activity;
pub(crate) mod catalog;
pub(crate) mod devices;
pub(crate) mod socket;

pub(crate) use catalog::COMMERCIAL_U2C_URL;
