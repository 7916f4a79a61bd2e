//! The standalone Webex emulator: `cargo run -p webex-bot-examples --bin webex-emulator --
//! --listen 127.0.0.1:8900`. Point any Webex client at the base URL it prints.

fn main() {
    env_logger::init();
    let code = webex_bot::emulator::cli::run(std::env::args().skip(1), std::io::stdout());
    std::process::exit(code);
}
