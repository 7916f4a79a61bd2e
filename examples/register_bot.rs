//! Registers a bot with the Applications API, changes it, regenerates its token and deletes
//! it: `register_bot [--fedramp] NAME EMAIL`. With `WEBEX_ACCESS_TOKEN` (an administrator's)
//! it uses Webex (`--fedramp`: Webex for Government); without, an embedded emulator.

use webex_bot::Client;
use webex_bot::emulator::Emulator;

fn main() -> Result<(), webex_bot_examples::register_bot::Error> {
    env_logger::init();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let fedramp = args.iter().any(|a| a == "--fedramp");
    args.retain(|a| a != "--fedramp");
    let name = args.first().cloned().unwrap_or_else(|| "Demo Bot".into());
    let email = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "demo-bot@webex.bot".into());
    let mut out = std::io::stdout();
    if let Ok(token) = std::env::var("WEBEX_ACCESS_TOKEN")
        .map(|t| t.trim().to_owned())
        .and_then(|t| {
            if t.is_empty() {
                Err(std::env::VarError::NotPresent)
            } else {
                Ok(t)
            }
        })
    {
        let b = Client::builder().token(token);
        let admin = if fedramp {
            b.fedramp().build()?
        } else {
            Client::from_env()?
        };
        return webex_bot_examples::register_bot::lifecycle(&admin, &name, &email, &mut out);
    }
    eprintln!("(offline: no WEBEX_ACCESS_TOKEN, using an embedded emulator)");
    let emu = Emulator::builder()
        .user("Ada Admin", "ada@example.com")
        .start()?;
    let admin = emu.client_for(&emu.users()[0]);
    webex_bot_examples::register_bot::lifecycle(&admin, &name, &email, &mut out)
}
