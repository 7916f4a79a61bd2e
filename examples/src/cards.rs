//! Cards: a feedback form sent as an adaptive card, and its submissions read into a typed
//! struct.

use std::sync::Mutex;

use serde::Deserialize;
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
