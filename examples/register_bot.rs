//! Registers a bot with the Applications API, changes it, regenerates its token and deletes
//! it: `register_bot [--fedramp] NAME EMAIL`. With `WEBEX_ACCESS_TOKEN` (an administrator's)
//! it uses Webex (`--fedramp`: Webex for Government); without, an embedded emulator.
//!
//! The Applications API: create a bot, change it, regenerate its token, check the token,
//! delete the bot. Run with an administrator's (or a user's) token, never a bot's.

use std::io::Write;
use webex_bot::Client;
use webex_bot::emulator::Emulator;
use webex_bot::models::{NewBotApplication, UpdateApplication};

/// Why the program stopped.
pub type Error = Box<dyn std::error::Error>;

/// Shows the start of a token only.
fn hide(token: &str) -> String {
    format!(
        "{}... ({} characters)",
        token.chars().take(4).collect::<String>(),
        token.len()
    )
}

// ANCHOR: register
/// Registers a bot named `name` with `email` (ending in `@webex.bot`), walks it through its
/// life cycle and deletes it, printing each step to `out`.
pub fn lifecycle(
    admin: &Client,
    name: &str,
    email: &str,
    out: &mut impl Write,
) -> Result<(), Error> {
    let apps = admin.applications();
    let bot = apps.create_bot(&NewBotApplication::new(
        name,
        email,
        "Created by the register_bot example",
        "https://example.com/logo.png",
    ))?;
    let token = bot.bot_token.clone().ok_or("no token in the answer")?;
    writeln!(
        out,
        "created bot {} <{}>, token {}",
        bot.id,
        email,
        hide(token.expose())
    )?;

    let mut change = UpdateApplication::default();
    change.description = Some("Now with a better description".into());
    let changed = apps.update(&bot.id, &change)?;
    writeln!(
        out,
        "description: {}",
        changed.description.unwrap_or_default()
    )?;

    let fresh = apps
        .regenerate_token(&bot.id)?
        .bot_token
        .ok_or("no token in the answer")?;
    writeln!(out, "regenerated the token: {}", hide(fresh.expose()))?;

    // The bot's new token works, on the same base URL.
    let as_bot = Client::builder()
        .token(fresh.expose())
        .base_url(admin.base_url())
        .build()?;
    let me = as_bot.people().me()?;
    let kind = match me.person_type {
        Some(webex_bot::models::PersonType::Bot) => "a bot",
        Some(webex_bot::models::PersonType::Person) => "a person",
        _ => "an account of another type",
    };
    writeln!(
        out,
        "the new token signs in as {}, {kind}",
        me.display_name.unwrap_or_default()
    )?;

    apps.delete(&bot.id)?;
    writeln!(out, "deleted bot {}", bot.id)?;
    Ok(())
}
// ANCHOR_END: register

fn main() -> Result<(), Error> {
    webex_bot::logging::init();
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
        return lifecycle(&admin, &name, &email, &mut out);
    }
    eprintln!("(offline: no WEBEX_ACCESS_TOKEN, using an embedded emulator)");
    let emu = Emulator::builder()
        .user("Ada Admin", "ada@example.com")
        .start()?;
    let admin = emu.client_for(&emu.users()[0]);
    lifecycle(&admin, &name, &email, &mut out)
}

#[cfg(test)]
mod tests {
    // The client-only examples against an emulator.

    use webex_bot::emulator::Emulator;

    #[test]
    fn a_bot_is_registered_changed_and_deleted() {
        let emu = Emulator::builder()
            .user("Ada Admin", "ada@example.com")
            .start()
            .unwrap();
        let ada = emu.client_for(&emu.users()[0]);
        let mut out = Vec::new();
        super::lifecycle(&ada, "Ops Bot", "ops@webex.bot", &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        for want in [
            "created bot ",
            "description: Now with a better description",
            "regenerated the token: ",
            "the new token signs in as Ops Bot, a bot",
            "deleted bot ",
        ] {
            assert!(out.contains(want), "{want:?} missing from:\n{out}");
        }
        // The email must end in @webex.bot.
        assert!(super::lifecycle(&ada, "X", "x@example.com", &mut Vec::new()).is_err());
    }
}
