// ANCHOR: main
fn main() -> Result<(), webex_bot::BotError> {
    // Logs to standard error, as RUST_LOG says (default `info`): the listener's address,
    // each webhook registered, each reply that failed.
    webex_bot::logging::init();
    // Against Webex when WEBEX_ACCESS_TOKEN is set; in the terminal otherwise.
    webex_bot::run(my_bot::bot())
}
// ANCHOR_END: main
