//! One handler convention: card, membership, route handlers and the fallback take injected
//! parameters the way commands do, and a parameter the bot cannot supply is an error at
//! `build()` that names the handler and the type.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;
use webex_bot::bot::HandlerKind;
use webex_bot::models::{Membership, Message};
use webex_bot::testing::TestBot;
use webex_bot::{
    Bot, BotError, BotIdentity, Card, Client, Commands, Context, Inputs, Notifier, Reply, RoomRef,
    RouteRequest, RouteResponse, Sender, State, command, commands,
};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

/// Send the vote card.
#[command("vote")]
fn vote() -> Card {
    Card::new()
        .input_text("choice", "Your choice")
        .submit("Vote", "vote")
}

#[derive(Default)]
struct Tally {
    votes: Mutex<Vec<(String, String)>>,
}

#[derive(serde::Deserialize)]
struct Choice {
    choice: String,
}

fn on_vote(who: Sender, room: RoomRef, Inputs(c): Inputs<Choice>, tally: State<Tally>) -> String {
    tally
        .votes
        .lock()
        .unwrap()
        .push((who.email.clone(), c.choice.clone()));
    format!("{} voted {} in {}", who.email, c.choice, room.id)
}

fn built(builder: webex_bot::BotBuilder) -> Result<Bot, BotError> {
    builder
        .client(Client::new("t"))
        .identity(BotIdentity::new("bot-id", "Bot"))
        .build()
}

fn handler_error(r: Result<Bot, BotError>) -> webex_bot::bot::HandlerError {
    match r {
        Err(BotError::Handler(e)) => e,
        other => panic!("expected a handler error, got {other:?}"),
    }
}

#[test]
fn a_card_handler_gets_the_sender_room_inputs_and_state() {
    let b = TestBot::start(
        Bot::builder(commands![vote])
            .state(Tally::default())
            .on_card("vote", on_vote),
    )
    .unwrap();
    let card = b.say("vote").card().clone();
    let email = b.user().email.clone();
    let room = card.room_id.clone().unwrap();
    b.submit_card(&card, json!({"choice": "tea"}))
        .assert_text(&format!("{email} voted tea in {room}"));
    // Inputs that do not read into the author's type: the user is told, the handler does
    // not run.
    b.submit_card(&card, json!({"other": 1}))
        .assert_contains("Sorry, I couldn't read that form: please fill in `choice`");
    assert_eq!(b.running().stats().panics, 0);
}

#[test]
fn a_card_handler_may_take_the_context_first() {
    let b = TestBot::start(Bot::builder(commands![vote]).on_card(
        "vote",
        |ctx: &Context, Inputs(c): Inputs<Choice>| {
            let action = ctx
                .card()
                .expect("a card handler's context has the submission");
            assert!(ctx.message().is_none());
            format!("{} chose {}", action.person_id.clone().unwrap(), c.choice)
        },
    ))
    .unwrap();
    let card = b.say("vote").card().clone();
    let me = b.user().id.clone();
    b.submit_card(&card, json!({"choice": "coffee"}))
        .assert_text(&format!("{me} chose coffee"));
}

#[test]
fn membership_handlers_get_the_membership_the_room_and_who_acted() {
    let (tx, rx) = crossbeam_channel::bounded::<String>(4);
    let b = TestBot::start(
        Bot::builder(commands![echo])
            .on_added(|who: Sender, room: RoomRef| format!("Hello {} in {}", who.email, room.id))
            .on_removed(move |m: Membership, who: Sender| {
                let _ = tx.send(format!(
                    "{} by {}",
                    m.room_id.unwrap_or_default(),
                    who.email
                ));
            }),
    )
    .unwrap();
    let email = b.user().email.clone();
    let (room, replies) = b.add_bot_to_new_room("Greetings");
    replies.assert_text(&format!("Hello {email} in {room}"));
    b.remove_bot_from_room(&room).assert_none();
    assert_eq!(rx.try_recv().unwrap(), format!("{room} by {email}"));
}

#[test]
fn a_route_handler_gets_the_request_state_and_a_notifier() {
    struct Hits(AtomicU64);
    let b = TestBot::start(
        Bot::builder(commands![echo])
            .state(Hits(AtomicU64::new(0)))
            .route(
                "POST",
                "/hooks/deploy",
                |req: RouteRequest, hits: State<Hits>, notifier: Notifier| {
                    let n = hits.0.0.fetch_add(1, Ordering::SeqCst) + 1;
                    let room = String::from_utf8_lossy(&req.body).into_owned();
                    match notifier.send(Reply::text(format!("deploy #{n}")).to_room(room)) {
                        Ok(_) => RouteResponse::new(202, format!("{{\"deploys\":{n}}}")),
                        Err(e) => RouteResponse::new(502, e.to_string()),
                    }
                },
            )
            .route("GET", "/hooks/ping", || "pong"),
    )
    .unwrap();
    let base = format!("http://{}", b.running().addr());
    let mut resp = ureq::post(&format!("{base}/hooks/deploy"))
        .send(b.group_room())
        .unwrap();
    assert_eq!(resp.status(), 202);
    assert_eq!(
        resp.body_mut().read_to_string().unwrap(),
        r#"{"deploys":1}"#
    );
    let posted: Vec<Message> = b.emulator().messages_in(b.group_room());
    assert!(
        posted
            .iter()
            .any(|m| m.text.as_deref() == Some("deploy #1")),
        "{posted:?}"
    );
    let mut ping = ureq::get(&format!("{base}/hooks/ping")).call().unwrap();
    assert_eq!(ping.body_mut().read_to_string().unwrap(), "pong");
}

#[test]
fn the_fallback_takes_injected_parameters_too() {
    let b = TestBot::start(Bot::builder(
        commands![echo].fallback(|who: Sender| format!("Try `help`, {}.", who.email)),
    ))
    .unwrap();
    let email = b.user().email.clone();
    b.say("what now")
        .assert_text(&format!("Try `help`, {email}."));
}

#[test]
fn state_the_bot_was_not_given_fails_the_build_naming_handler_and_type() {
    /// Count.
    #[command("count")]
    fn count(t: State<Tally>) -> String {
        t.votes.lock().unwrap().len().to_string()
    }
    let e = handler_error(built(Bot::builder(commands![count])));
    assert_eq!(e.handler(), "command `count`");
    assert!(e.parameter().ends_with("Tally"), "{e}");
    assert!(e.to_string().contains("BotBuilder::state"), "{e}");
    // With the state, it builds.
    built(
        Bot::builder(commands![count])
            .state(Tally::default())
            .secret(webex_bot::Secret::new("s")),
    )
    .unwrap();

    let e = handler_error(built(
        Bot::builder(commands![echo]).on_card("vote", on_vote),
    ));
    assert_eq!(e.handler(), "card handler \"vote\"");
    assert!(e.parameter().ends_with("Tally"), "{e}");

    let e = handler_error(built(Bot::builder(commands![echo]).route(
        "GET",
        "/x",
        |_: State<Tally>| "x",
    )));
    assert_eq!(e.handler(), "route GET /x");

    let e = handler_error(built(
        Bot::builder(commands![echo]).on_added(|_: State<Tally>| ()),
    ));
    assert_eq!(e.handler(), "the handler of `on_added`");

    let e = handler_error(built(Bot::builder(
        Commands::default().fallback(|_: State<Tally>| ()),
    )));
    assert_eq!(e.handler(), "the fallback");
}

#[test]
fn a_parameter_only_other_handlers_get_fails_the_build() {
    /// Takes card inputs, which commands never get.
    #[command("odd")]
    fn odd(c: Inputs<serde_json::Value>) -> String {
        c.0.to_string()
    }
    let e = handler_error(built(Bot::builder(commands![odd])));
    assert_eq!(e.handler(), "command `odd`");
    assert!(e.parameter().contains("Inputs"), "{e}");
    assert!(
        e.to_string().contains(&HandlerKind::Card.to_string()),
        "{e}"
    );

    let e = handler_error(built(Bot::builder(commands![echo]).route(
        "GET",
        "/who",
        |who: Sender| who.email,
    )));
    assert_eq!(e.handler(), "route GET /who");
    assert!(e.to_string().contains("Sender"), "{e}");

    let e = handler_error(built(
        Bot::builder(commands![echo]).on_card("x", |m: Message| m.id),
    ));
    assert!(e.to_string().contains("only commands get"), "{e}");
}

#[test]
fn a_panicking_card_membership_or_route_handler_is_survived_and_counted() {
    let b = TestBot::start(
        Bot::builder(commands![vote])
            .on_card("vote", |_: Inputs<Choice>| -> String {
                panic!("card boom")
            })
            .on_removed(|| -> String { panic!("membership boom") })
            .route("GET", "/boom", || -> String { panic!("route boom") }),
    )
    .unwrap();
    let card = b.say("vote").card().clone();
    b.submit_card(&card, json!({"choice": "x"}))
        .assert_text("Sorry, something went wrong while handling that form.");
    let (room, _) = b.add_bot_to_new_room("Boom");
    b.remove_bot_from_room(&room).assert_none();
    let err = ureq::get(&format!("http://{}/boom", b.running().addr()))
        .call()
        .unwrap_err();
    assert!(matches!(err, ureq::Error::StatusCode(500)), "{err}");
    assert_eq!(b.running().stats().panics, 3);
    b.say("vote").assert_contains("Your choice");
}

#[test]
fn a_bot_that_cannot_verify_deliveries_does_not_start_unless_told_by_name() {
    // Webhooks, with no secret and no public URL (so no managed webhooks with a random
    // secret): refused.
    let err =
        built(Bot::builder(commands![echo]).events(webex_bot::bot::Events::Webhook)).unwrap_err();
    assert!(matches!(err, BotError::NoSecret), "{err:?}");
    assert!(
        err.to_string()
            .contains("insecure_accept_unsigned_deliveries"),
        "{err}"
    );
    // Nothing said: events come over the websocket, which needs no secret.
    built(Bot::builder(commands![echo])).unwrap();
    // A secret, or a public URL with managed webhooks: it builds.
    built(Bot::builder(commands![echo]).secret(webex_bot::Secret::new("s"))).unwrap();
    built(Bot::builder(commands![echo]).public_url("https://bot.example.com/webex")).unwrap();
    // Opted in by name: it builds and takes an unsigned delivery.
    let handler = built(Bot::builder(commands![echo]).insecure_accept_unsigned_deliveries(true))
        .unwrap()
        .start_handler()
        .unwrap();
    let body = br#"{"id":"w","resource":"rooms","event":"created","data":{"id":"r1"}}"#;
    assert_eq!(handler.handle(body, None).status(), 200);
    handler.shutdown();
}

/// Remind me.
#[command("remind <text...>")]
fn remind(text: String, ctx: &Context) -> String {
    ctx.reply_later(
        std::time::Duration::from_millis(20),
        format!("Reminder: {text}"),
    );
    "I'll remind you.".into()
}

/// Schedules a reminder in an hour and cancels it.
#[command("never")]
fn never(ctx: &Context) -> String {
    let later = ctx.reply_later(std::time::Duration::from_secs(3600), "too late");
    format!("cancelled: {}", later.cancel())
}

#[test]
fn a_command_replies_later_and_a_cancelled_reply_is_not_sent() {
    let b = TestBot::start(Bot::builder(commands![remind, never])).unwrap();
    // The reminder may come while the harness still waits for the first reply: the first
    // is checked with assert_contains, the reminder found wherever it came.
    b.say("remind stretch").assert_contains("I'll remind you.");
    b.expect_later("Reminder:").assert_text("Reminder: stretch");
    // In a group room too, in that room.
    b.say_in_group("remind drink water")
        .assert_contains("I'll remind you.");
    let later = b.expect_later("Reminder:");
    later.assert_text("Reminder: drink water");
    assert_eq!(later.messages[0].room_id.as_deref(), Some(b.group_room()));
    b.say("never").assert_text("cancelled: true");
}
