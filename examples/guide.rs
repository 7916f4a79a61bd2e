//! Code shown in the book's chapters on commands and replies: compiled here, tested below,
//! included in the book by anchor. Run it to try the snippets in the terminal:
//! `cargo run -p webex-bot-examples --bin guide`.

use webex_bot::{
    ArgEnum, Bot, BotBuilder, Card, Context, Email, Markdown, Mention, Reply, command, commands,
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

// ANCHOR: arg_enum
/// Where a build can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ArgEnum)]
enum Stage {
    Staging,
    PreProd,
    Prod,
}

/// Promote the current build to a stage.
#[command("promote <stage>")]
fn promote(stage: Stage) -> String {
    format!("Promoting to {stage:?}")
}
// ANCHOR_END: arg_enum

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

// ANCHOR: later
/// Remind me of something in a few minutes: `remind 5 stretch`.
#[command("remind <minutes> <text...>")]
fn remind(minutes: u64, text: String, ctx: &Context) -> String {
    // Sent to this room (in this thread, if the command was in one) when the time comes.
    ctx.reply_later(
        std::time::Duration::from_secs(minutes * 60),
        format!("Reminder: {text}"),
    );
    format!("I'll remind you in {minutes} minute(s).")
}
// ANCHOR_END: later

/// The guide's bot.
pub fn bot() -> BotBuilder {
    Bot::builder(commands![
        status, deploy, add, tell, invite, hello, details, menu, export, quiet, remind, promote
    ])
}

// ANCHOR: verify
/// Checks and reads a Webex delivery received by some other web server: `body` is the raw
/// request body, `signature` the `X-Spark-Signature` header.
pub fn read_delivery(
    body: &[u8],
    signature: Option<&str>,
    secret: &webex_bot::webhook::Secret,
) -> Result<webex_bot::webhook::Notification, webex_bot::webhook::WebhookError> {
    webex_bot::webhook::Notification::parse_verified(body, signature, Some(secret))
}
// ANCHOR_END: verify

fn main() -> Result<(), webex_bot::BotError> {
    webex_bot::logging::init();
    webex_bot::run(bot())
}

#[cfg(test)]
mod tests {
    // The book's snippets behave as the book says.

    use webex_bot::models::NewMessage;
    use webex_bot::testing::TestBot;

    // ANCHOR: test
    #[test]
    fn the_guide_bot_answers_as_the_book_says() {
        let bot = TestBot::start(super::bot()).unwrap();
        bot.say("status api").assert_text("api is up");
        bot.say("deploy 1.4")
            .assert_text("Deploying 1.4 to staging");
        bot.say("ship 1.4 prod")
            .assert_text("Deploying 1.4 to prod");
        bot.say("add 1 2 3.5").assert_text("6.5");
        bot.say("deploy")
            .assert_contains("You left out `<version>`.");
        bot.say("add 1 two")
            .assert_contains("`two` is not a number");
        bot.say_in_group("status web").assert_text("web is up");
        bot.say("quiet").assert_none();
        bot.say("promote pre-prod")
            .assert_text("Promoting to PreProd");
        bot.say("promote live")
            .assert_contains("should be one of: staging, pre-prod, prod");
    }
    // ANCHOR_END: test

    // ANCHOR: later_test
    #[test]
    fn a_reminder_comes_later() {
        let bot = TestBot::start(super::bot()).unwrap();
        // Zero minutes: at once, but still from its own thread, after the reply.
        bot.say("remind 0 stretch")
            .assert_contains("I'll remind you in 0 minute(s).");
        bot.expect_later("Reminder:")
            .assert_text("Reminder: stretch");
    }
    // ANCHOR_END: later_test

    // ANCHOR: websocket_test
    #[test]
    fn over_the_websocket_nothing_is_lost() {
        use webex_bot::bot::Events;
        let bot = TestBot::start_with(super::bot(), Events::Websocket).unwrap();
        bot.say("remind 0 stretch")
            .assert_contains("I'll remind you");
        bot.expect_later("Reminder:")
            .assert_text("Reminder: stretch");
        // The connection drops: the bot reconnects, and the next message is answered.
        bot.emulator().websocket().drop_all();
        bot.say("hello").assert_contains("Hello Alice!");
    }
    // ANCHOR_END: websocket_test

    #[test]
    fn replies_of_every_kind() {
        let bot = TestBot::start(super::bot()).unwrap();
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
            super::read_delivery(body, Some(&sig), &secret)
                .unwrap()
                .resource,
            "messages"
        );
        assert!(super::read_delivery(body, None, &secret).is_err());
    }
}
