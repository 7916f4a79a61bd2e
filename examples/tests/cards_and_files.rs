//! The cards and files examples through the harness.

use serde_json::json;
use webex_bot::testing::TestBot;
use webex_bot_examples::{cards, files};

#[test]
fn a_card_is_sent_and_its_submissions_are_read() {
    let b = TestBot::start(cards::bot()).unwrap();
    b.say("results").assert_text("No feedback yet.");
    let r = b.say("feedback");
    let card = r.card().clone();
    r.assert_contains("How was the release?")
        .assert_contains("[rating: Rating] one of 5=Great, 3=Fine, 1=Bad");
    b.submit_card(
        &card,
        json!({"rating": "5", "comment": "smooth", "follow_up": "false"}),
    )
    .assert_text("Thanks for rating 5! You said: \"smooth\".");
    b.submit_card(&card, json!({"rating": "1", "follow_up": "true"}))
        .assert_text("Thanks for rating 1! Someone will get in touch.");
    b.submit_card(&card, json!({}))
        .assert_contains("Sorry, I couldn't read that form");
    b.say("results")
        .assert_text("2 answer(s), average rating 3.0");
}

#[test]
fn files_go_both_ways() {
    let b = TestBot::start(files::bot()).unwrap();
    let r = b.say("report 4");
    assert_eq!(r.messages.len(), 1);
    let m = &r.messages[0];
    assert_eq!(m.text.as_deref(), Some("Here is the report (4 rows)."));
    let mut csv = Vec::new();
    b.user_client()
        .files()
        .download(&m.files[0], &mut csv)
        .unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "id,value\n1,1\n2,4\n3,9\n4,16\n"
    );
    b.say_with_file("inspect", "notes.txt", b"one\ntwo\nthree\n")
        .assert_text("notes.txt: text/plain, 14 bytes, 3 lines");
    b.say("inspect")
        .assert_text("Send me a file with the word `inspect`.");
}
