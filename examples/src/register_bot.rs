//! The Applications API: create a bot, change it, regenerate its token, check the token,
//! delete the bot. Run with an administrator's (or a user's) token, never a bot's.

use std::io::Write;

use webex_bot::Client;
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
        hide(&token)
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
    writeln!(out, "regenerated the token: {}", hide(&fresh))?;

    // The bot's new token works, on the same base URL.
    let as_bot = Client::builder()
        .token(&fresh)
        .base_url(admin.base_url())
        .build()?;
    let me = as_bot.people().me()?;
    writeln!(
        out,
        "the new token signs in as {} ({:?})",
        me.display_name.unwrap_or_default(),
        me.person_type
    )?;

    apps.delete(&bot.id)?;
    writeln!(out, "deleted bot {}", bot.id)?;
    Ok(())
}
// ANCHOR_END: register
