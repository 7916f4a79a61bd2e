//! The standalone Webex emulator: an in-memory Webex Messaging API that any Webex client
//! (this crate's bots, an SDK, curl) can be pointed at.
//!
//! ```sh
//! cargo install --path tools/webex-emulator   # or: cargo run -p webex-emulator --
//! webex-emulator --listen 127.0.0.1:8900
//! ```
//!
//! It prints `WEBEX_BASE_URL=...` and `WEBEX_U2C_URL=...` (for bots taking events over
//! the websocket), then each account with its token, then `ready`. The same server is
//! `webex-bot emulator` in the command-line tool.

fn main() {
    webex_bot::logging::init();
    let code = match webex_emulator::parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => webex_emulator::serve(options, std::io::stdout()),
        Ok(None) => {
            println!("{}", webex_emulator::USAGE);
            0
        }
        Err(e) => {
            eprintln!("webex-emulator: {e}\n{}", webex_emulator::USAGE);
            2
        }
    };
    std::process::exit(code);
}
