//! Cards: a feedback form sent as an adaptive card, and its submissions read into a typed
//! struct.

use serde::Deserialize;
use std::sync::Mutex;
use webex_bot::{Bot, BotBuilder, Card, Inputs, State, command, commands};

// ANCHOR: form
/// Ask for feedback with a card.
#[command("feedback")]
fn feedback() -> Card {
    Card::new()
        .title("How was the release?")
        .choices(
            "rating",
            "Rating",
            &[("5", "Great"), ("3", "Fine"), ("1", "Bad")],
        )
        .input_text("comment", "Anything to add?")
        .toggle("follow_up", "I'd like someone to follow up")
        .submit("Send", "feedback")
}

/// What the form submits (the inputs by id; toggles arrive as "true"/"false").
#[derive(Debug, Deserialize)]
pub struct Feedback {
    /// The chosen rating.
    pub rating: String,
    /// The comment, possibly empty.
    #[serde(default)]
    pub comment: String,
    /// Whether to follow up.
    #[serde(default)]
    pub follow_up: String,
}
// ANCHOR_END: form

/// The ratings received.
#[derive(Debug, Default)]
pub struct Ratings {
    scores: Mutex<Vec<u32>>,
}

// ANCHOR: results
/// Show the ratings so far.
#[command("results")]
fn results(ratings: State<Ratings>) -> String {
    let r = ratings.scores.lock().expect("ratings");
    if r.is_empty() {
        return "No feedback yet.".into();
    }
    let avg = r.iter().sum::<u32>() as f64 / r.len() as f64;
    format!("{} answer(s), average rating {avg:.1}", r.len())
}

fn on_feedback(ratings: State<Ratings>, Inputs(f): Inputs<Feedback>) -> String {
    let Ok(rating) = f.rating.parse::<u32>() else {
        return "Please choose a rating.".into();
    };
    ratings.scores.lock().expect("ratings").push(rating);
    let follow = if f.follow_up == "true" {
        " Someone will get in touch."
    } else {
        ""
    };
    let comment = if f.comment.trim().is_empty() {
        String::new()
    } else {
        format!(" You said: \"{}\".", f.comment.trim())
    };
    format!("Thanks for rating {rating}!{comment}{follow}")
}

/// The cards bot.
pub fn bot() -> BotBuilder {
    Bot::builder(commands![feedback, results])
        .state(Ratings::default())
        .on_card("feedback", on_feedback)
}
// ANCHOR_END: results

fn main() -> Result<(), webex_bot::BotError> {
    webex_bot::logging::init();
    webex_bot::run(bot())
}

#[cfg(test)]
mod tests {
    // The cards and files examples through the harness.

    use serde_json::json;
    use webex_bot::testing::TestBot;

    #[test]
    fn a_card_is_sent_and_its_submissions_are_read() {
        let b = TestBot::start(super::bot()).unwrap();
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
            .assert_text("Sorry, I couldn't read that form: please fill in `rating`");
        b.say("results")
            .assert_text("2 answer(s), average rating 3.0");
    }
}
