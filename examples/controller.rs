//! A ticket tracker driven by commands: `open <title...>`, `find <id>`, `list [status]`,
//! `assign <who> <id>`, `close <id> <reason...>`. Tickets are kept in `TICKETS_FILE`
//! (default `tickets.json`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    env_logger::init();
    let path = std::env::var("TICKETS_FILE").unwrap_or_else(|_| "tickets.json".into());
    webex_bot::run(webex_bot_examples::controller::bot(path)?)?;
    Ok(())
}
