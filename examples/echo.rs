//! The smallest bot: `echo <text...>` replies with the text.
//!
//! Run it with `cargo run -p webex-bot-examples --bin echo`: with no `WEBEX_ACCESS_TOKEN`
//! it opens a chat with the bot in the terminal.

// ANCHOR: bot
use webex_bot::{Bot, command, commands};

/// Repeat the text back.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

fn main() -> Result<(), webex_bot::BotError> {
    webex_bot::logging::init();
    webex_bot::run(Bot::builder(commands![echo]))
}
// ANCHOR_END: bot
