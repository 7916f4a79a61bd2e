//! An assistant that books meeting rooms from plain words: "book a room tomorrow", then it
//! asks for what is missing and confirms with a card.

fn main() -> Result<(), webex_bot::BotError> {
    env_logger::init();
    webex_bot::run(webex_bot_examples::assistant::bot())
}
