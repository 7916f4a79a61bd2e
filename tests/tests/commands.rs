//! Commands end to end: a bot against the emulator, driven by the test harness.

use webex_bot::args::{Email, Mention};
use webex_bot::testing::TestBot;
use webex_bot::{Bot, Commands, Context, Reply, State, command, commands};

/// Look a ticket up.
#[command("find <ticket>", alias = "f", alias = "lookup")]
fn find(ticket: u32) -> String {
    format!("Ticket {ticket} is open")
}

/// Show one ticket.
#[command("ticket <id>")]
fn show(id: u32) -> String {
    format!("showing {id}")
}

/// Close a ticket, saying why.
#[command("ticket close <id> <reason...>")]
fn close(id: u32, reason: String, ctx: &Context) -> String {
    format!("{} closed {id}: {reason}", ctx.sender().email)
}

/// List tickets, by count or by status.
#[command("list <count>")]
fn list_count(count: u8) -> String {
    format!("first {count}")
}

/// List tickets by status.
#[command("list [status]")]
fn list_status(status: Option<String>) -> String {
    format!("status {}", status.as_deref().unwrap_or("any"))
}

/// Give a ticket to someone.
#[command("assign <who> <ticket>")]
fn assign(who: Mention, ticket: u32) -> String {
    format!("{ticket} -> {} ({})", who.display_name, who.person_id.len())
}

/// Invite someone by email.
#[command("invite <email>")]
fn invite(email: Email) -> Result<String, String> {
    if email.as_str().ends_with("@example.com") {
        Ok(format!("invited {email}"))
    } else {
        Err(format!("{email} is outside the company"))
    }
}

/// Sum numbers.
#[command("sum <numbers...>")]
fn sum(numbers: Vec<i64>) -> String {
    numbers.iter().sum::<i64>().to_string()
}

/// Crash on purpose.
#[command("boom", hidden)]
fn boom() -> String {
    panic!("kaboom")
}

/// Reply in the thread.
#[command("threaded")]
fn threaded() -> Reply {
    Reply::markdown("**in thread**").in_thread()
}

/// Count calls.
#[command("count")]
fn count(n: State<std::sync::atomic::AtomicU32>) -> String {
    (n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1).to_string()
}

fn table() -> Commands {
    commands![
        find,
        show,
        close,
        list_count,
        list_status,
        assign,
        invite,
        sum,
        boom,
        threaded,
        count
    ]
}

fn bot() -> TestBot {
    TestBot::start(Bot::builder(table()).state(std::sync::atomic::AtomicU32::new(0)))
        .expect("bot starts")
}

#[test]
fn typed_args_literals_aliases_and_specificity() {
    let b = bot();
    b.say("find 42").assert_text("Ticket 42 is open");
    b.say("FIND 7").assert_text("Ticket 7 is open");
    b.say("lookup 8").assert_text("Ticket 8 is open");
    b.say("ticket 5").assert_text("showing 5");
    b.say("ticket close 5 fixed   in  prod")
        .assert_text("alice@example.com closed 5: fixed   in  prod");
    b.say("list 3").assert_text("first 3");
    b.say("list open").assert_text("status open");
    b.say("list").assert_text("status any");
    b.say("sum 1 2 -3 10").assert_text("10");
    b.say("find \"12\"").assert_text("Ticket 12 is open");
}

#[test]
fn bad_input_gets_a_clear_reply() {
    let b = bot();
    b.say("find abc")
        .assert_contains("I couldn't read `<ticket>`: `abc` is not a whole number")
        .assert_contains("Usage: `find <ticket>`");
    b.say("find").assert_contains("You left out `<ticket>`.");
    // Extra words blame no argument (it said "I couldn't read `<ticket>`").
    b.say("find 1 2")
        .assert_text("`2` is more than this command takes.\nUsage: `find <ticket>`");
    b.say("fnd 3").assert_text(
        "I don't know `fnd`. Did you mean `find <ticket>`? Type `help` to see what I can do.",
    );
    b.say("sum 1 x")
        .assert_contains("`x` is not a whole number");
    b.say("invite bob")
        .assert_contains("`bob` is not a valid Email");
    b.say("invite bob@evil.test")
        .assert_text("Sorry, that didn't work: bob@evil.test is outside the company");
    b.say("invite bob@example.com")
        .assert_text("invited bob@example.com");
}

#[test]
fn help_lists_visible_commands_and_details() {
    let b = bot();
    let help = b.say("help").text();
    assert!(help.contains("find <ticket>: Look a ticket up."), "{help}");
    assert!(
        help.contains("ticket close <id> <reason...>: Close a ticket, saying why."),
        "{help}"
    );
    assert!(
        !help.contains("boom"),
        "hidden commands are not listed: {help}"
    );
    b.say("help find").assert_contains("(also: f, lookup)");
}

#[test]
fn mentions_group_rooms_and_threads() {
    let b = bot();
    b.say_in_group("find 9").assert_text("Ticket 9 is open");
    b.say_in_group_unmentioned("find 9").assert_none();
    // A mention of another person is an argument.
    let bob = b.emulator().add_user("Bob Stone", "bob@example.com");
    b.user_client()
        .memberships()
        .create(&webex_bot::models::NewMembership::by_id(
            b.group_room(),
            &bob.id,
        ))
        .unwrap();
    let bot_id = &b.emulator().bot().id;
    let md = format!(
        "<@personId:{bot_id}|Test> assign <@personId:{}|Bob Stone> 42",
        bob.id
    );
    let r = b.send(webex_bot::models::NewMessage::to_room(b.group_room()).markdown(md));
    r.assert_text(&format!("42 -> Bob Stone ({})", bob.id.len()));
    b.say_in_group("assign bob 42")
        .assert_contains("`bob` is not a mention");
    let r = b.say("threaded");
    assert_eq!(
        r.messages[0].parent_id.as_ref(),
        Some(&r.sent.as_ref().unwrap().id)
    );
}

#[test]
fn a_panicking_handler_is_survived_and_state_is_shared() {
    let b = bot();
    b.say("boom").assert_contains("Sorry, something went wrong");
    b.say("count").assert_text("1");
    b.say("count").assert_text("2");
    assert_eq!(b.running().stats().panics, 1);
}

/// Say hi.
#[command("hi")]
fn hi_a() -> &'static str {
    "a"
}

/// Say hi differently.
#[command("HI")]
fn hi_b() -> &'static str {
    "b"
}

#[test]
fn conflicting_commands_are_refused_when_the_bot_is_built() {
    // `commands![hi_a, hi_b]` would not compile (see tests/compile-errors/ui); merged tables are checked
    // at build time.
    let table = commands![hi_a].merge(commands![hi_b]);
    let err = Bot::builder(table)
        .client(webex_bot::Client::new("t"))
        .identity(webex_bot::args::BotIdentity::new("b", "B"))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "commands `hi_a` (\"hi\") and `hi_b` (\"HI\") match the same messages; change one pattern or remove one of them"
    );
}
