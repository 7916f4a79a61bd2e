//! A client-only program over the REST API: `admin [EMAIL]`. With `WEBEX_ACCESS_TOKEN` it
//! uses Webex; without, an embedded emulator filled with a few rooms.

use webex_bot::Client;
use webex_bot::emulator::Emulator;
use webex_bot::models::{NewMembership, NewMessage, NewRoom};

fn main() -> Result<(), webex_bot_examples::admin::Error> {
    env_logger::init();
    let email = std::env::args().nth(1);
    let mut out = std::io::stdout();
    if std::env::var("WEBEX_ACCESS_TOKEN").is_ok_and(|t| !t.trim().is_empty()) {
        return webex_bot_examples::admin::overview(
            &Client::from_env()?,
            email.as_deref(),
            &mut out,
        );
    }
    eprintln!("(offline: no WEBEX_ACCESS_TOKEN, using an embedded emulator with demo rooms)");
    let emu = Emulator::builder()
        .user("Ada Admin", "ada@example.com")
        .user("Alice Smith", "alice@example.com")
        .bot("Bot", "bot@webex.bot")
        .start()?;
    let users = emu.users();
    let (ada, alice) = (emu.client_for(&users[0]), &users[1]);
    for title in ["Ops", "Release", "Support", "Design", "Lunch"] {
        let room = ada.rooms().create(&NewRoom::new(title))?;
        ada.memberships()
            .create(&NewMembership::by_id(&room.id, &alice.id))?;
        ada.messages()
            .create(&NewMessage::to_room(&room.id).text(format!("Welcome to {title}")))?;
    }
    webex_bot_examples::admin::overview(
        &ada,
        email.as_deref().or(Some("alice@example.com")),
        &mut out,
    )
}
