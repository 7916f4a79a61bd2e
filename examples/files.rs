//! The files example bot: see `examples/src/files.rs`.

fn main() -> Result<(), webex_bot::BotError> {
    env_logger::init();
    webex_bot::run(webex_bot_examples::files::bot())
}
