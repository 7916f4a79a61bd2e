//! Cross-crate integration tests of webex-bot, and their helpers. The README's code is
//! compiled here:
#![doc = include_str!("../README.md")]

pub mod fake;
