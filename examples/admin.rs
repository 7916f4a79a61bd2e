//! A client-only program over the REST API: `admin [EMAIL]`. With `WEBEX_ACCESS_TOKEN` it
//! uses Webex; without, an embedded emulator filled with a few rooms.
//!
//! A client-only program: who am I, the rooms (page by page), a person looked up by email,
//! and the latest messages of a room.

use std::io::Write;
use webex_bot::Client;
use webex_bot::client::{ListMessages, ListPeople, ListRooms};
use webex_bot::emulator::Emulator;
use webex_bot::models::RoomType;
use webex_bot::models::{NewMembership, NewMessage, NewRoom};

/// Why the program stopped.
pub type Error = Box<dyn std::error::Error>;

// ANCHOR: admin
/// Prints an overview with `client` to `out`; looks `email` up if given.
pub fn overview(client: &Client, email: Option<&str>, out: &mut impl Write) -> Result<(), Error> {
    let me = client.people().me()?;
    writeln!(
        out,
        "Signed in as {} <{}>",
        me.display_name.as_deref().unwrap_or(""),
        me.primary_email().unwrap_or("")
    )?;

    // Rooms, 2 per page to show the paging; the iterator fetches pages as it goes.
    let mut rooms = client.rooms().list(
        &ListRooms::default()
            .room_type(RoomType::Group)
            .sort_by("lastactivity")
            .max(2u32),
    );
    let mut titles = Vec::new();
    for room in rooms.by_ref() {
        let room = room?;
        titles.push((room.id, room.title.unwrap_or_else(|| "(no title)".into())));
    }
    writeln!(
        out,
        "{} group rooms in {} pages:",
        titles.len(),
        rooms.pages_fetched()
    )?;
    for (_, t) in &titles {
        writeln!(out, "  {t}")?;
    }

    if let Some(email) = email {
        match client
            .people()
            .list(&ListPeople::default().email(email))
            .next()
            .transpose()?
        {
            Some(p) => writeln!(out, "{email} is {}", p.display_name.unwrap_or_default())?,
            None => writeln!(out, "nobody has the address {email}")?,
        }
    }

    if let Some((id, title)) = titles.first() {
        writeln!(out, "Latest messages in {title}:")?;
        for m in client.messages().list(&ListMessages::in_room(id)).limit(5) {
            let m = m?;
            writeln!(
                out,
                "  {}: {}",
                m.person_email.unwrap_or_default(),
                m.text.unwrap_or_default()
            )?;
        }
    }
    Ok(())
}
// ANCHOR_END: admin

fn main() -> Result<(), Error> {
    webex_bot::logging::init();
    let email = std::env::args().nth(1);
    let mut out = std::io::stdout();
    if std::env::var("WEBEX_ACCESS_TOKEN").is_ok_and(|t| !t.trim().is_empty()) {
        return overview(&Client::from_env()?, email.as_deref(), &mut out);
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
    overview(
        &ada,
        email.as_deref().or(Some("alice@example.com")),
        &mut out,
    )
}

#[cfg(test)]
mod tests {
    // The client-only examples against an emulator.

    use webex_bot::emulator::Emulator;
    use webex_bot::models::{NewMessage, NewRoom};

    #[test]
    fn admin_overview_pages_through_rooms() {
        let emu = Emulator::builder()
            .user("Ada Admin", "ada@example.com")
            .user("Alice Smith", "alice@example.com")
            .start()
            .unwrap();
        let ada = emu.client_for(&emu.users()[0]);
        for t in ["A", "B", "C"] {
            let r = ada.rooms().create(&NewRoom::new(t)).unwrap();
            ada.messages()
                .create(&NewMessage::to_room(&r.id).text(format!("hi {t}")))
                .unwrap();
        }
        let mut out = Vec::new();
        super::overview(&ada, Some("alice@example.com"), &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("Signed in as Ada Admin <ada@example.com>"),
            "{out}"
        );
        assert!(out.contains("3 group rooms in 2 pages:"), "{out}");
        assert!(out.contains("alice@example.com is Alice Smith"), "{out}");
        assert!(
            out.contains("Latest messages in C:\n  ada@example.com: hi C"),
            "{out}"
        );
    }
}
