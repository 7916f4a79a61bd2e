// ANCHOR: test
use serde_json::json;
use webex_bot::testing::TestBot;

#[test]
fn says_hello_and_takes_an_order() {
    let b = TestBot::start(my_bot::bot()).unwrap();
    b.say("hello").assert_text("Hello, alice@example.com!");

    let card = b.say("lunch").card().clone();
    b.submit_card(&card, json!({"dish": "soup", "note": "no croutons"}))
        .assert_text("alice@example.com ordered soup (no croutons).");
    b.submit_card(&card, json!({"note": "anything"}))
        .assert_text("Sorry, I couldn't read that form: please fill in `dish`");
}
// ANCHOR_END: test
