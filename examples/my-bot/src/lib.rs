//! A bot crate of one's own, as the book's "Your own bot" chapter builds it: the bot in
//! the library, so that tests can start it; `main.rs` only runs it.

// ANCHOR: lib
use serde::Deserialize;
use webex_bot::{Bot, BotBuilder, Card, Inputs, Sender, command, commands};

/// Say hello.
#[command("hello")]
fn hello(sender: Sender) -> String {
    format!("Hello, {}!", sender.email)
}

/// Order lunch, with a form.
#[command("lunch")]
fn lunch() -> Card {
    Card::new()
        .text("What would you like?")
        .choices("dish", "Dish", &[("soup", "Soup"), ("salad", "Salad")])
        .input_text("note", "Anything else?")
        .submit("Order", "order")
}

/// What the form sends back: one field per input, by its id. A field that may be left
/// empty is an `Option`.
#[derive(Debug, Deserialize)]
struct Order {
    dish: String,
    note: Option<String>,
}

fn order(Inputs(order): Inputs<Order>, sender: Sender) -> String {
    match order.note.filter(|n| !n.is_empty()) {
        Some(note) => format!("{} ordered {} ({note}).", sender.email, order.dish),
        None => format!("{} ordered {}.", sender.email, order.dish),
    }
}

/// The whole bot: its commands and the form's handler.
pub fn bot() -> BotBuilder {
    Bot::builder(commands![hello, lunch]).on_card("order", order)
}
// ANCHOR_END: lib
