//! The assistant through the harness: a multi-turn conversation that asks for what is
//! missing, remembers the draft, confirms with a card, and handles the submission.

use serde_json::json;
use webex_bot::testing::TestBot;
use webex_bot_examples::assistant;

#[test]
fn booking_over_several_turns_with_a_card() {
    let b = TestBot::start(assistant::bot()).unwrap();
    b.say("hello").assert_contains("I book meeting rooms");
    b.say("could you resrve a meeting room")
        .assert_text("Which day? (today, tomorrow, a weekday or a date)");
    b.say("tommorow").assert_text("At what time?");
    let card = b.say("3pm");
    let card_msg = card.card().clone();
    card.assert_contains("Day: tomorrow")
        .assert_contains("Time: 15:00")
        .assert_contains("[Book it] (submit: book)");
    b.submit_card(&card_msg, json!({"action": "book", "room": "birch"}))
        .assert_text("Booked birch on tomorrow at 15:00.");
    b.say("show my bookings")
        .assert_contains("- birch on tomorrow at 15:00");
    b.say("bookings").assert_text("You have 1 booking(s).");
    b.say("cancel it")
        .assert_text("Cancelled birch on tomorrow at 15:00.");
    b.say("what is the weather")
        .assert_contains("Sorry, I didn't understand");
}

#[test]
fn what_was_said_is_remembered_and_bad_answers_are_handled() {
    let b = TestBot::start(assistant::bot()).unwrap();
    // Everything at once: straight to the card.
    b.say("book a room on friday at 10:30").card();
    // A day given, then an answer that is not a time: the draft is kept.
    b.say("book a room monday").assert_text("At what time?");
    b.say("whenever").assert_contains("I didn't get a time");
    b.say("book it at 9am")
        .assert_contains("Day: monday")
        .assert_contains("Time: 09:00");
    // In the group space too, mentioning the bot.
    b.say_in_group("book a room today")
        .assert_text("At what time?");
    b.say_in_group("noon").assert_contains("Time: 12:00");
}
