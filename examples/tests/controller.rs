//! The controller example through the test harness: commands change the tracker, errors
//! are polite, and a restart loses nothing.

use webex_bot::models::{NewMembership, NewMessage};
use webex_bot::testing::TestBot;
use webex_bot_examples::controller;

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "webex-bot-controller-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tickets.json");
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn tickets_are_opened_listed_assigned_closed_and_kept_across_restarts() {
    let path = temp_file("flow");
    {
        let b = TestBot::start(controller::bot(&path).unwrap()).unwrap();
        b.say("open Printer on fire")
            .assert_text("Opened ticket #1.");
        b.say("new VPN drops").assert_text("Opened ticket #2.");
        b.say("find 1").assert_text("#1 Printer on fire (open)");
        b.say("find 9")
            .assert_text("Sorry, that didn't work: there is no ticket #9");
        b.say("find x").assert_contains("I couldn't read `<id>`");
        b.say("close 1 replaced the toner")
            .assert_text("Ticket #1 closed by alice@example.com: replaced the toner");
        b.say("close 1 again")
            .assert_text("Sorry, that didn't work: ticket #1 is already closed");
        let open = b.say("list open").text();
        assert!(
            open.contains("#2 VPN drops (open)") && !open.contains("#1"),
            "{open}"
        );
        // Assign with a mention, in the group room.
        let bob = b.emulator().add_user("Bob Stone", "bob@example.com");
        b.user_client()
            .memberships()
            .create(&NewMembership::by_id(b.group_room(), &bob.id))
            .unwrap();
        let bot = b.emulator().bot().clone();
        let md = format!(
            "<@personId:{}|Test> assign <@personId:{}|Bob Stone> 2",
            bot.id, bob.id
        );
        b.send(NewMessage::to_room(b.group_room()).markdown(md))
            .assert_text("Ticket #2 is now assigned to Bob Stone.");
    }
    // A new bot on the same file sees everything.
    let b = TestBot::start(controller::bot(&path).unwrap()).unwrap();
    let all = b.say("list").text();
    assert!(all.contains("#1 Printer on fire (closed)"), "{all}");
    assert!(all.contains("#2 VPN drops (open) - Bob Stone"), "{all}");
    b.say("open third").assert_text("Opened ticket #3.");
}
