//! An assistant that books meeting rooms from plain words: "book a room tomorrow", then it
//! asks for what is missing and confirms with a card.
//!
//! The assistant pattern: natural language instead of commands. It recognises intents from
//! free text (keywords and synonyms, forgiving typos, no network), asks for what is missing
//! in a multi-turn conversation, remembers the draft per person and space, and confirms
//! with a card whose submission it handles.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use webex_bot::models::AttachmentAction;
use webex_bot::{Bot, BotBuilder, Card, Context, Inputs, Reply, State, command, commands};

/// How long the assistant waits for an answer to its question.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

const ROOMS: &[(&str, &str)] = &[
    ("aspen", "Aspen (4 people)"),
    ("birch", "Birch (8 people)"),
    ("cedar", "Cedar (20 people)"),
];

// ANCHOR: intents
/// What a message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Book a meeting room.
    Book,
    /// Cancel the last booking.
    Cancel,
    /// List my bookings.
    List,
    /// Say hello.
    Greet,
}

const SYNONYMS: &[(Intent, &[&str])] = &[
    (
        Intent::Book,
        &["book", "reserve", "schedule", "need", "want", "get"],
    ),
    (Intent::Cancel, &["cancel", "delete", "remove", "drop"]),
    (
        Intent::List,
        &["list", "show", "bookings", "booked", "reservations"],
    ),
    (Intent::Greet, &["hello", "hi", "hey", "morning"]),
];

/// Whether `word` is `keyword`, allowing one typo in words of five letters or more and two
/// from eight.
fn close_to(word: &str, keyword: &str) -> bool {
    let allowed = match keyword.len() {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    };
    word == keyword || (allowed > 0 && webex_bot::args::edit_distance(word, keyword) <= allowed)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != ':' && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The intent of a message, if any: the first keyword found wins, cancellations first so
/// that "cancel my booking" is not read as a booking.
pub fn intent(text: &str) -> Option<Intent> {
    let words = words(text);
    let has = |i: Intent| {
        SYNONYMS
            .iter()
            .filter(|(k, _)| *k == i)
            .flat_map(|(_, ws)| ws.iter())
            .any(|k| words.iter().any(|w| close_to(w, k)))
    };
    [Intent::Cancel, Intent::List, Intent::Book, Intent::Greet]
        .into_iter()
        .find(|i| {
            has(*i)
                && (*i != Intent::List
                    || !words
                        .iter()
                        .any(|w| close_to(w, "book") || close_to(w, "reserve")))
        })
}
// ANCHOR_END: intents

// ANCHOR: entities
/// A day: today, tomorrow, a weekday or a `YYYY-MM-DD` date.
pub fn day(text: &str) -> Option<String> {
    const DAYS: &[&str] = &[
        "today",
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    words(text).into_iter().find_map(|w| {
        if let Some(d) = DAYS.iter().find(|d| close_to(&w, d)) {
            return Some((*d).to_owned());
        }
        let parts: Vec<&str> = w.split('-').collect();
        (parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())))
            .then_some(w.clone())
    })
}

/// A time as `HH:MM`: `10`, `10am`, `3 pm`, `14:30`, `noon`.
pub fn time(text: &str) -> Option<String> {
    let ws = words(text);
    for (i, w) in ws.iter().enumerate() {
        if w == "noon" {
            return Some("12:00".into());
        }
        let (digits, suffix) = w.split_at(w.find(|c: char| c.is_alphabetic()).unwrap_or(w.len()));
        let suffix = if suffix.is_empty() {
            ws.get(i + 1).map(String::as_str).unwrap_or("")
        } else {
            suffix
        };
        let (h, m) = match digits.split_once(':') {
            Some((h, m)) => (h.parse::<u32>().ok(), m.parse::<u32>().ok()),
            None => (digits.parse::<u32>().ok(), Some(0)),
        };
        let (Some(mut h), Some(m)) = (h, m) else {
            continue;
        };
        match suffix {
            "pm" if h < 12 => h += 12,
            "am" if h == 12 => h = 0,
            _ => {}
        }
        if h < 24
            && m < 60
            && (digits.contains(':') || matches!(suffix, "am" | "pm") || (7..=19).contains(&h))
        {
            return Some(format!("{h:02}:{m:02}"));
        }
    }
    None
}
// ANCHOR_END: entities

// ANCHOR: booking
/// A booking in progress or made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Booking {
    /// The meeting room.
    #[serde(default)]
    pub room: String,
    /// The day.
    pub day: String,
    /// The time.
    pub time: String,
}
// ANCHOR_END: booking

/// A booking being put together: the day and time understood so far, by (space, person).
type Draft = (Option<String>, Option<String>);

/// What the assistant remembers: drafts and bookings, per person and space.
#[derive(Debug, Default)]
pub struct Memory {
    drafts: Mutex<HashMap<(String, String), Draft>>,
    bookings: Mutex<HashMap<String, Vec<Booking>>>,
}

// ANCHOR: conversation
/// Everything that is not a command: recognise the intent and hold the conversation.
fn converse(ctx: &Context) -> Reply {
    match try_converse(ctx) {
        Ok(r) => r,
        Err(e) => Reply::text(format!("Sorry, something went wrong: {e}")),
    }
}

fn try_converse(ctx: &Context) -> Result<Reply, webex_bot::client::Error> {
    let memory = ctx
        .state::<Memory>()
        .expect("the assistant is built with its memory");
    let text = ctx
        .message()
        .and_then(|m| m.text.clone())
        .unwrap_or_default();
    let person = ctx.sender();
    let key = (ctx.room().id, person.id.clone());
    Ok(match intent(&text) {
        Some(Intent::Greet) => {
            Reply::text("Hello! I book meeting rooms. Try \"book a room tomorrow at 10\".")
        }
        Some(Intent::List) => {
            let bookings = memory
                .bookings
                .lock()
                .expect("bookings")
                .get(&person.id)
                .cloned()
                .unwrap_or_default();
            if bookings.is_empty() {
                Reply::text("You have no bookings.")
            } else {
                let lines: Vec<String> = bookings
                    .iter()
                    .map(|b| format!("- {} on {} at {}", b.room, b.day, b.time))
                    .collect();
                Reply::markdown(format!("Your bookings:\n{}", lines.join("\n")))
            }
        }
        Some(Intent::Cancel) => match memory
            .bookings
            .lock()
            .expect("bookings")
            .get_mut(&person.id)
            .and_then(Vec::pop)
        {
            Some(b) => Reply::text(format!("Cancelled {} on {} at {}.", b.room, b.day, b.time)),
            None => Reply::text("You have no booking to cancel."),
        },
        Some(Intent::Book) => {
            // Start from what this person already said in this space.
            let (mut d, mut t) = memory
                .drafts
                .lock()
                .expect("drafts")
                .get(&key)
                .cloned()
                .unwrap_or_default();
            d = day(&text).or(d);
            t = time(&text).or(t);
            memory
                .drafts
                .lock()
                .expect("drafts")
                .insert(key.clone(), (d.clone(), t.clone()));
            if d.is_none() {
                match ctx.ask(
                    "Which day? (today, tomorrow, a weekday or a date)",
                    ANSWER_TIMEOUT,
                )? {
                    Some(answer) => d = day(answer.text.as_deref().unwrap_or("")),
                    None => {
                        return Ok(Reply::text(
                            "I'll keep what you told me; say \"book a room\" when you want to go on.",
                        ));
                    }
                }
                let Some(_) = &d else {
                    return Ok(Reply::text(
                        "I didn't get a day. Say \"book a room tomorrow\" to start again.",
                    ));
                };
                memory
                    .drafts
                    .lock()
                    .expect("drafts")
                    .insert(key.clone(), (d.clone(), t.clone()));
            }
            if t.is_none() {
                match ctx.ask("At what time?", ANSWER_TIMEOUT)? {
                    Some(answer) => t = time(answer.text.as_deref().unwrap_or("")),
                    None => {
                        return Ok(Reply::text(
                            "I'll keep what you told me; say \"book a room\" when you want to go on.",
                        ));
                    }
                }
                let Some(_) = &t else {
                    return Ok(Reply::text(
                        "I didn't get a time, such as 10:00 or 3pm. Say \"book a room\" to go on.",
                    ));
                };
                memory
                    .drafts
                    .lock()
                    .expect("drafts")
                    .insert(key.clone(), (d.clone(), t.clone()));
            }
            // The card carries the day and time from here on: the next request starts afresh.
            memory.drafts.lock().expect("drafts").remove(&key);
            let (d, t) = (d.unwrap_or_default(), t.unwrap_or_default());
            let card = Card::new()
                .title("Book a meeting room")
                .facts(&[("Day", &d), ("Time", &t)])
                .choices("room", "Room", ROOMS)
                .submit_with("Book it", "book", serde_json::json!({"day": d, "time": t}));
            Reply::card(card)
        }
        None => Reply::text(
            "Sorry, I didn't understand. Try \"book a meeting room tomorrow at 10\", \"my bookings\" or \"cancel\".",
        ),
    })
}
// ANCHOR_END: conversation

// ANCHOR: card
/// The card's "Book it" button: records the booking and forgets the draft.
fn book(memory: State<Memory>, card: AttachmentAction, Inputs(booking): Inputs<Booking>) -> String {
    if !ROOMS.iter().any(|(id, _)| *id == booking.room) {
        return "Please pick a room on the card.".into();
    }
    let person = card.person_id.clone().unwrap_or_default();
    let done = format!(
        "Booked {} on {} at {}.",
        booking.room, booking.day, booking.time
    );
    memory
        .bookings
        .lock()
        .expect("bookings")
        .entry(person.clone())
        .or_default()
        .push(booking);
    memory
        .drafts
        .lock()
        .expect("drafts")
        .remove(&(card.room_id.unwrap_or_default(), person));
    done
}
// ANCHOR_END: card

/// My bookings (also understood in plain words).
#[command("bookings")]
fn bookings(memory: State<Memory>, ctx: &Context) -> String {
    let n = memory
        .bookings
        .lock()
        .expect("bookings")
        .get(&ctx.sender().id)
        .map_or(0, Vec::len);
    format!("You have {n} booking(s).")
}

// ANCHOR: bot
/// The assistant bot.
pub fn bot() -> BotBuilder {
    Bot::builder(commands![bookings].fallback(converse))
        .state(Memory::default())
        .on_card("book", book)
}
// ANCHOR_END: bot

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_and_entities() {
        assert_eq!(
            intent("Could you book a meeting room tomorrow?"),
            Some(Intent::Book)
        );
        assert_eq!(intent("pls resrve a room"), Some(Intent::Book));
        assert_eq!(intent("cancel my booking"), Some(Intent::Cancel));
        assert_eq!(intent("show my bookings"), Some(Intent::List));
        assert_eq!(intent("hey there"), Some(Intent::Greet));
        assert_eq!(intent("what is the weather"), None);
        assert_eq!(day("book for tommorow please").as_deref(), Some("tomorrow"));
        assert_eq!(day("on 2026-12-01").as_deref(), Some("2026-12-01"));
        assert_eq!(time("at 3pm").as_deref(), Some("15:00"));
        assert_eq!(time("at 3 pm").as_deref(), Some("15:00"));
        assert_eq!(time("14:30").as_deref(), Some("14:30"));
        assert_eq!(time("10").as_deref(), Some("10:00"));
        assert_eq!(time("noon").as_deref(), Some("12:00"));
        assert_eq!(time("room for 4 people"), None);
    }
}

fn main() -> Result<(), webex_bot::BotError> {
    webex_bot::logging::init();
    webex_bot::run(bot())
}

#[cfg(test)]
mod through_the_harness {
    // The assistant through the harness: a multi-turn conversation that asks for what is
    // missing, remembers the draft, confirms with a card, and handles the submission.

    use serde_json::json;
    use webex_bot::testing::TestBot;

    #[test]
    fn booking_over_several_turns_with_a_card() {
        let b = TestBot::start(super::bot()).unwrap();
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
        let b = TestBot::start(super::bot()).unwrap();
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
}
