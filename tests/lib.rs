//! Cross-crate integration tests of webex-bot. The README's code is compiled here:
#![doc = include_str!("../README.md")]
