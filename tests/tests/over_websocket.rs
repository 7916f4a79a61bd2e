//! The behaviour suites once more, with every `TestBot::start` taking its events over the
//! emulator's websocket instead of webhooks: commands, cards, membership handlers,
//! conversations, access rules, duplicate suppression, explain mode, stats, faults and
//! shutdown must behave the same. Tests about what only webhooks have (signatures, the
//! webhook path, delivery faults) choose webhooks themselves and run as they do there.

use webex_bot::bot::Events;

// Before main: every test of this binary starts its bots over the websocket.
#[ctor::ctor(unsafe)]
fn over_the_websocket() {
    webex_bot::testing::set_events(Events::Websocket);
}

#[path = "commands.rs"]
mod commands;
#[path = "handlers.rs"]
mod handlers;
#[path = "lifecycle.rs"]
mod lifecycle;
#[path = "runtime.rs"]
mod runtime;
#[path = "shell.rs"]
mod shell;
#[path = "track_caller.rs"]
mod track_caller;
#[path = "webex_faults.rs"]
mod webex_faults;

#[test]
fn the_bots_here_are_on_the_websocket() {
    use webex_bot::{Bot, command, commands};
    /// Echo.
    #[command("echo <text...>")]
    fn echo(text: String) -> String {
        text
    }
    let bot = webex_bot::testing::TestBot::start(Bot::builder(commands![echo])).unwrap();
    assert!(bot.running().stats().connection.is_some());
    assert!(bot.emulator().webhooks().is_empty());
}
