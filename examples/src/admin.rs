//! A client-only program: who am I, the rooms (page by page), a person looked up by email,
//! and the latest messages of a room.

use std::io::Write;

use webex_bot::Client;
use webex_bot::client::{ListMessages, ListPeople, ListRooms};
use webex_bot::models::RoomType;

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
