//! The `webex-bot` command's pieces, as a library so that they are tested on their own:
//! the App Hub listing check, bot registration, tokens, webhooks, and what they share
//! (the API to talk to, the token to act with, output for people or for scripts,
//! progress bars).

pub mod listing;
pub mod output;
pub mod progress;
pub mod register;
pub mod session;
pub mod token;
pub mod webhooks;
