//! Code shown in the book's chapters on commands and replies: compiled here, tested in
//! `examples/tests/guide.rs`, included in the book by anchor.

use webex_bot::{
    Bot, BotBuilder, Card, Context, Email, Markdown, Mention, Reply, command, commands,
};

// ANCHOR: grammar
/// Show the status of a service.
#[command("status <service>")]
fn status(service: String) -> String {
    format!("{service} is up")
}

/// Deploy a version, optionally to an environment (staging by default).
#[command("deploy <version> [env]", alias = "ship")]
fn deploy(version: String, env: Option<String>) -> String {
    format!(
        "Deploying {version} to {}",
        env.as_deref().unwrap_or("staging")
    )
}

/// Add numbers.
#[command("add <numbers...>")]
fn add(numbers: Vec<f64>) -> String {
    numbers.iter().sum::<f64>().to_string()
}

/// Tell someone something: `tell @Alice the build is green`.
#[command("tell <who> <text...>")]
fn tell(who: Mention, text: String) -> Markdown {
    Markdown::new()
        .mention_person(&who.person_id, &who.display_name)
        .text(": ")
        .text(&text)
}

/// Invite someone by email address.
#[command("invite <email>", hidden)]
fn invite(email: Email, ctx: &Context) -> String {
    format!("{} invited {email}", ctx.sender().email)
}
// ANCHOR_END: grammar

// ANCHOR: replies
/// Markdown, with the sender mentioned.
#[command("hello")]
fn hello(ctx: &Context) -> Markdown {
    let me = ctx.sender();
    Markdown::new()
        .text("Hello ")
        .mention_person(&me.id, "")
        .text("! ")
        .bold("Welcome.")
}

/// Several messages: one in the thread, one sent to the sender directly.
#[command("details")]
fn details() -> Reply {
    Reply::text("The details are in the thread.")
        .and(Reply::markdown("`42` open tickets").in_thread())
        .and(Reply::text("And a private note.").direct())
}

/// A card.
#[command("menu")]
fn menu() -> Card {
    Card::new()
        .title("Lunch")
        .choices("dish", "Dish", &[("soup", "Soup"), ("salad", "Salad")])
        .submit("Order", "order")
}

/// A file made in memory.
#[command("export")]
fn export() -> Reply {
    Reply::bytes("export.txt", b"line 1\nline 2\n".to_vec()).with_text("Your export")
}

/// Nothing to say is fine too: `Option` and `()` send nothing.
#[command("quiet")]
fn quiet() -> Option<String> {
    None
}
// ANCHOR_END: replies

/// The guide's bot.
pub fn bot() -> BotBuilder {
    Bot::builder(commands![
        status, deploy, add, tell, invite, hello, details, menu, export, quiet
    ])
}

// ANCHOR: verify
/// Checks and reads a Webex delivery received by some other web server: `body` is the raw
/// request body, `signature` the `X-Spark-Signature` header.
pub fn read_delivery(
    body: &[u8],
    signature: Option<&str>,
    secret: &webex_bot::webhook::Secret,
) -> Result<webex_bot::webhook::WebhookEvent, webex_bot::webhook::WebhookError> {
    webex_bot::webhook::WebhookEvent::parse_verified(body, signature, Some(secret))
}
// ANCHOR_END: verify
