//! What a running bot logs, read through a capturing `log` logger: a line per event at
//! debug, the explain mode's reason for each message, a clear line per rejected request and
//! per failed reply, and never the webhook secret or the token.
//!
//! One test only: the logger is global to this test binary.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

use log::{Level, LevelFilter, Log, Metadata, Record};
use webex_bot::bot::Events;
use webex_bot::emulator::Fault;
use webex_bot::testing::TestBot;
use webex_bot::{Bot, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

/// Fails.
#[command("boom")]
fn boom() -> String {
    panic!("the command's own words")
}

/// A card whose handler fails.
#[command("form")]
fn form() -> webex_bot::Card {
    webex_bot::Card::new().submit("Go", "go")
}

static LINES: Mutex<Vec<(Level, String)>> = Mutex::new(Vec::new());

struct Capture;

/// Whether the logger takes the wire dumps too (as a logger that ignores
/// `webex_bot::logging::is_safe` would); they are counted, never kept.
static WIRE: AtomicBool = AtomicBool::new(false);
static WIRE_RECORDS: AtomicUsize = AtomicUsize::new(0);

impl Log for Capture {
    fn enabled(&self, metadata: &Metadata) -> bool {
        WIRE.load(Ordering::SeqCst) || webex_bot::logging::is_safe(metadata)
    }
    fn log(&self, record: &Record) {
        if !webex_bot::logging::is_safe(record.metadata()) {
            WIRE_RECORDS.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let line = record.args().to_string();
        LINES.lock().unwrap().push((record.level(), line));
    }
    fn flush(&self) {}
}

fn capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(LevelFilter::Trace);
    });
}

/// The lines logged since `from` at `level` that contain `text`.
fn logged(from: usize, level: Level, text: &str) -> Vec<String> {
    LINES.lock().unwrap()[from..]
        .iter()
        .filter(|(l, s)| *l == level && s.contains(text))
        .map(|(_, s)| s.clone())
        .collect()
}

fn mark() -> usize {
    LINES.lock().unwrap().len()
}

#[test]
fn the_log_says_what_happened_and_never_a_secret() {
    capture();
    // A logger that would write the HTTP client's wire dumps (the token is in them): the
    // bot says so when it is built.
    WIRE.store(true, Ordering::SeqCst);
    let from = mark();
    drop(TestBot::start(Bot::builder(commands![echo])).unwrap());
    let warned = logged(from, Level::Warn, "trace logging is on for `ureq_proto`");
    assert!(!warned.is_empty(), "{:?}", &LINES);
    assert!(WIRE_RECORDS.load(Ordering::SeqCst) > 0);
    WIRE.store(false, Ordering::SeqCst);
    let from = mark();
    drop(TestBot::start(Bot::builder(commands![echo])).unwrap());
    assert!(logged(from, Level::Warn, "trace logging is on").is_empty());

    let b = TestBot::start_with(
        Bot::builder(commands![echo, boom, form])
            .explain(true)
            .on_card("go", || -> String { panic!("the card's own words") })
            .route("GET", "/boom", || -> String {
                panic!("the route's own words")
            }),
        Events::Webhook,
    )
    .unwrap();

    // Explain mode: why each message matched a command or not, at info.
    let from = mark();
    let sent = b.say("echo hi").sent.unwrap();
    let why = format!(
        "message {} from alice@example.com: matched `echo` (pattern \"echo <text...>\")",
        sent.id
    );
    assert_eq!(logged(from, Level::Info, &why).len(), 1, "{:?}", &LINES);
    // A line per event at debug, the bot's own reply (ignored) included.
    let event = format!("event messages/created {} (webhook ", sent.id);
    assert_eq!(logged(from, Level::Debug, &event).len(), 1);
    assert_eq!(
        logged(from, Level::Debug, "event messages/created").len(),
        2
    );
    assert_eq!(
        logged(from, Level::Debug, "is the bot's own: ignored").len(),
        1
    );

    let from = mark();
    let sent = b.say("ech").sent.unwrap();
    let why = format!(
        "message {} from alice@example.com: no command starts with the first word; the closest is `echo`",
        sent.id
    );
    assert_eq!(logged(from, Level::Info, &why).len(), 1);

    // A forged delivery: rejected with a warning that says from where and why.
    let from = mark();
    let status = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    )
    .post(&b.running().webhook_url())
    .header("Content-Type", "application/json")
    .header("X-Spark-Signature", "0".repeat(40))
    .send(r#"{"resource":"messages","event":"created","data":{"id":"forged"}}"#)
    .unwrap()
    .status()
    .as_u16();
    assert_eq!(status, 403);
    let rejected = logged(from, Level::Warn, "rejected webhook from 127.0.0.1:");
    assert_eq!(rejected.len(), 1, "{:?}", &LINES);
    assert!(rejected[0].contains("signature"), "{rejected:?}");
    // A flood of them: counted each, but not a line each (an attacker would choose the
    // size of the log); the next line, ten seconds on, says how many went unlogged.
    let flood = mark();
    for _ in 0..500 {
        let answer = b.running().handler().handle(b"{}", Some("00"));
        assert_eq!(answer.status(), 403);
    }
    assert!(
        logged(flood, Level::Warn, "rejected webhook").is_empty(),
        "{:?}",
        &LINES
    );
    assert_eq!(b.running().stats().bad_signature, 501);

    // A reply Webex refuses on every attempt: an error line naming the message.
    let bot = b.emulator().bot().clone();
    b.emulator().inject(
        Fault::server_error(100, 503)
            .on("POST", "/messages")
            .for_account(&bot),
    );
    let from = mark();
    let sent = b.say("echo lost").sent.unwrap();
    b.emulator().clear_faults();
    let failed = logged(
        from,
        Level::Error,
        &format!("message {}: the reply could not be sent", sent.id),
    );
    assert_eq!(failed.len(), 1, "{:?}", &LINES);
    assert!(failed[0].contains("503"), "{failed:?}");
    assert_eq!(b.running().stats().failed_replies, 1);

    // Every caught panic: an error line with the handler's name and the panic's message.
    let from = mark();
    let sent = b.say("boom").sent.unwrap();
    let line = format!(
        "the handler of message {} panicked: the command's own words",
        sent.id
    );
    assert_eq!(logged(from, Level::Error, &line).len(), 1, "{:?}", &LINES);
    let card = b.say("form").card().clone();
    b.submit_card(&card, serde_json::json!({}));
    let line = "card handler \"go\" panicked: the card's own words";
    assert_eq!(logged(from, Level::Error, line).len(), 1, "{:?}", &LINES);
    let _ = ureq::get(&format!("http://{}/boom", b.running().addr())).call();
    let line = "route GET /boom panicked: the route's own words";
    assert_eq!(logged(from, Level::Error, line).len(), 1, "{:?}", &LINES);
    assert_eq!(b.running().stats().panics, 3);

    // Retries: a 429 with Retry-After and two 502s on the fetch, then success; a warning
    // per retry.
    b.emulator().inject(
        Fault::rate_limit(1, 1)
            .on("GET", "/messages")
            .for_account(&bot),
    );
    b.emulator().inject(
        Fault::server_error(2, 502)
            .on("GET", "/messages")
            .for_account(&bot),
    );
    let from = mark();
    b.say("echo retried").assert_text("retried");
    assert_eq!(
        logged(from, Level::Warn, "retrying in").len(),
        3,
        "{:?}",
        &LINES
    );

    // Debug forms of what holds the secrets.
    let secret = b.running().secret().unwrap().expose().to_owned();
    let token = bot.token.clone();
    let client = b.emulator().client_for(&bot);
    for shown in [
        format!("{client:?}"),
        format!("{:?}", b.running().secret()),
        format!("{:?}", webex_bot::Secret::new(token.as_str())),
    ] {
        log::trace!("debug form: {shown}");
    }

    // Shutdown, with its own lines.
    let from = mark();
    let mut b = b;
    let stats = b.shutdown_bot();
    assert!(stats.processed >= 1);
    assert!(mark() > from, "shutdown logged nothing");

    // Over the websocket too, whose authorization frame holds the token.
    let from = mark();
    let mut ws = TestBot::start_with(Bot::builder(commands![echo]), Events::Websocket).unwrap();
    let ws_token = ws.emulator().bot().token.clone();
    ws.say("echo over the socket")
        .assert_text("over the socket");
    ws.emulator().websocket().drop_all();
    ws.say("echo again").assert_text("again");
    ws.shutdown_bot();
    assert_eq!(
        logged(from, Level::Info, "websocket: connected").len(),
        2,
        "{:?}",
        &LINES
    );
    assert_eq!(
        logged(from, Level::Info, "websocket: device deleted").len(),
        1
    );

    // Nothing logged, at any level and by any crate, holds the secret or the bot's token,
    // whole or in part (any 12 characters of them; both are random hex, so 12 characters
    // found elsewhere by chance would be a one in 10^14 event per place).
    let lines = LINES.lock().unwrap();
    assert!(lines.len() > 10, "{lines:?}");
    let parts = |s: &str| -> Vec<String> {
        let c: Vec<char> = s.chars().collect();
        c.windows(12).map(|w| w.iter().collect()).collect()
    };
    let secret_parts = parts(&secret);
    let mut token_parts = parts(&token);
    token_parts.extend(parts(&ws_token));
    assert!(!secret_parts.is_empty() && !token_parts.is_empty());
    for (_, line) in lines.iter() {
        for p in &secret_parts {
            assert!(
                !line.contains(p.as_str()),
                "part of the secret was logged: {line}"
            );
        }
        for p in &token_parts {
            assert!(
                !line.contains(p.as_str()),
                "part of the token was logged: {line}"
            );
        }
    }
}
