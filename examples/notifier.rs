//! Posts into subscribed spaces when a CI system calls `POST /hooks/ci` (signed with
//! `CI_WEBHOOK_SECRET`) or when `STATUS_FILE` changes. Spaces are kept in
//! `SUBSCRIPTIONS_FILE` (default `subscriptions.json`).

use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    env_logger::init();
    let var = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let bot = webex_bot_examples::notifier::bot(
        var("SUBSCRIPTIONS_FILE", "subscriptions.json"),
        &var("CI_WEBHOOK_SECRET", "change-me"),
        var("STATUS_FILE", "status.txt").into(),
        Duration::from_secs(var("STATUS_EVERY_SECS", "30").parse()?),
    )?;
    webex_bot::run(bot)?;
    Ok(())
}
