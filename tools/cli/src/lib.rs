//! The `webex-bot` command's library: what its subcommands do, callable from Rust too.
//! Today: the App Hub listing check ([`listing`]).

pub mod listing;
