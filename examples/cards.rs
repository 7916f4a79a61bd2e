//! The cards example bot: see `examples/src/cards.rs`.

fn main() -> Result<(), webex_bot::BotError> {
    env_logger::init();
    webex_bot::run(webex_bot_examples::cards::bot())
}
