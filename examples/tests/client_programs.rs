//! The client-only examples against an emulator.

use webex_bot::emulator::Emulator;
use webex_bot::models::{NewMessage, NewRoom};
use webex_bot_examples::{admin, register_bot};

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
    admin::overview(&ada, Some("alice@example.com"), &mut out).unwrap();
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

#[test]
fn a_bot_is_registered_changed_and_deleted() {
    let emu = Emulator::builder()
        .user("Ada Admin", "ada@example.com")
        .start()
        .unwrap();
    let ada = emu.client_for(&emu.users()[0]);
    let mut out = Vec::new();
    register_bot::lifecycle(&ada, "Ops Bot", "ops@webex.bot", &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    for want in [
        "created bot ",
        "description: Now with a better description",
        "regenerated the token: ",
        "the new token signs in as Ops Bot (Some(Bot))",
        "deleted bot ",
    ] {
        assert!(out.contains(want), "{want:?} missing from:\n{out}");
    }
    // The email must end in @webex.bot.
    assert!(register_bot::lifecycle(&ada, "X", "x@example.com", &mut Vec::new()).is_err());
}
