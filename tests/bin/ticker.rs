//! A bot with one periodic job, for the test of a job's lease passing when its holder
//! dies: every `TICK_MS` (default 100) it posts `tick from PID` into `TICK_ROOM`.
//! Configured like any bot (`WEBEX_ACCESS_TOKEN`, `WEBEX_BASE_URL`, `WEBEX_REDIS_URL`,
//! `WEBEX_LISTEN`, `WEBEX_WEBHOOK_SECRET`).

use std::time::Duration;

use webex_bot::{Bot, Reply, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

fn main() -> Result<(), webex_bot::BotError> {
    webex_bot::logging::init();
    let room = std::env::var("TICK_ROOM").unwrap_or_default();
    let every = std::env::var("TICK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_millis(100), Duration::from_millis);
    let me = std::process::id();
    webex_bot::run(
        Bot::builder(commands![echo]).every("tick", every, move |notifier| {
            let _ = notifier.send(Reply::text(format!("tick from {me}")).to_room(&room));
        }),
    )
}
