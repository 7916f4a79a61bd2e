//! The example bots, as library modules so that their tests can drive them through the
//! harness; each has a thin binary in `examples/` that calls `webex_bot::run`.

pub mod admin;
pub mod assistant;
pub mod cards;
pub mod controller;
pub mod files;
pub mod guide;
pub mod notifier;
pub mod register_bot;
