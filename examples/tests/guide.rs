//! The book's snippets behave as the book says.

use webex_bot::models::NewMessage;
use webex_bot::testing::TestBot;
use webex_bot_examples::guide;

// ANCHOR: test
#[test]
fn the_guide_bot_answers_as_the_book_says() {
    let bot = TestBot::start(guide::bot()).unwrap();
    bot.say("status api").assert_text("api is up");
    bot.say("deploy 1.4")
        .assert_text("Deploying 1.4 to staging");
    bot.say("ship 1.4 prod")
        .assert_text("Deploying 1.4 to prod");
    bot.say("add 1 2 3.5").assert_text("6.5");
    bot.say("deploy")
        .assert_contains("I couldn't read `<version>`: is missing.");
    bot.say("add 1 two")
        .assert_contains("`two` is not a number");
    bot.say_in_group("status web").assert_text("web is up");
    bot.say("quiet").assert_none();
}
// ANCHOR_END: test

#[test]
fn replies_of_every_kind() {
    let bot = TestBot::start(guide::bot()).unwrap();
    bot.say("hello").assert_contains("Hello Alice! Welcome.");
    let r = bot.say("details");
    assert_eq!(r.messages.len(), 3);
    assert_eq!(
        r.messages[1].parent_id.as_deref(),
        Some(r.sent.as_ref().unwrap().id.as_str())
    );
    bot.say("menu").assert_contains("[Order] (submit: order)");
    let export = bot.say("export");
    assert_eq!(export.messages[0].files.len(), 1);
    let bob = bot.emulator().add_user("Bob", "bob@example.com");
    bot.user_client()
        .memberships()
        .create(&webex_bot::models::NewMembership::by_id(
            bot.group_room(),
            &bob.id,
        ))
        .unwrap();
    let me = bot.emulator().bot().clone();
    let md = format!(
        "<@personId:{}|Test> tell <@personId:{}|Bob> the build is green",
        me.id, bob.id
    );
    bot.send(NewMessage::to_room(bot.group_room()).markdown(md))
        .assert_text("Bob: the build is green");
}

#[test]
fn deliveries_are_verified_outside_the_runtime() {
    use webex_bot::webhook::{Secret, sign};
    let secret = Secret::new("s3cret");
    let body = br#"{"resource":"messages","event":"created","data":{"id":"m1"}}"#;
    let sig = sign(&secret, body);
    assert_eq!(
        guide::read_delivery(body, Some(&sig), &secret)
            .unwrap()
            .resource,
        "messages"
    );
    assert!(guide::read_delivery(body, None, &secret).is_err());
}
