//! Webex misbehaving, through the emulator: bursts of 429 with `Retry-After`, 500, 502 and
//! 503, answers slower than the bot's client timeout, and reset connections, on the fetch
//! of each message and on its reply. The bot recovers alone where a retry is safe; where it
//! is not (a `POST` that Webex may have acted on) it gives up and says so; it never sends a
//! reply twice and never drops an acknowledged event without a word. Counts are printed.

use std::time::Duration;

use webex_bot::client::{Client, RetryPolicy};
use webex_bot::emulator::{Account, Emulator, Fault};
use webex_bot::models::NewMessage;
use webex_bot::{Bot, RunningBot, Secret, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

/// The bot's client gives up on an answer after this long.
const CLIENT_TIMEOUT: Duration = Duration::from_millis(800);
/// What a slow answer takes: longer than the client waits.
const SLOW: Duration = Duration::from_millis(1500);

/// What a fault must lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Retried until it worked: answered once, nothing reported.
    Recovered,
    /// Not retried (Webex may have acted): reported, and no reply.
    ReportedReply,
    /// Not retried, reported; Webex acted anyway, so the reply arrives late, once.
    ReportedArrivedLate,
    /// The fetch failed past the retry budget: the event is reported as given up.
    ReportedFetch,
}
use Outcome::*;

fn faults(bot: &Account) -> Vec<(&'static str, Fault, Outcome)> {
    let fetch = |f: Fault| f.on("GET", "/messages").for_account(bot);
    let reply = |f: Fault| f.on("POST", "/messages").for_account(bot);
    vec![
        (
            "two 429s on the fetch",
            fetch(Fault::rate_limit(2, 1)),
            Recovered,
        ),
        (
            "two 429s on the reply",
            reply(Fault::rate_limit(2, 1)),
            Recovered,
        ),
        (
            "500 on the fetch",
            fetch(Fault::server_error(1, 500)),
            Recovered,
        ),
        (
            "two 502s on the fetch",
            fetch(Fault::server_error(2, 502)),
            Recovered,
        ),
        (
            "503 on the fetch",
            fetch(Fault::server_error(1, 503)),
            Recovered,
        ),
        ("slow fetch", fetch(Fault::slow(1, SLOW)), Recovered),
        ("two resets on the fetch", fetch(Fault::reset(2)), Recovered),
        (
            "500 on the reply",
            reply(Fault::server_error(1, 500)),
            ReportedReply,
        ),
        (
            "503 on the reply",
            reply(Fault::server_error(1, 503)),
            ReportedReply,
        ),
        ("reset on the reply", reply(Fault::reset(1)), ReportedReply),
        (
            "slow reply",
            reply(Fault::slow(1, SLOW)),
            ReportedArrivedLate,
        ),
        (
            "fetch failing past the budget",
            fetch(Fault::server_error(50, 502)),
            ReportedFetch,
        ),
    ]
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(emu: &Emulator) -> RunningBot {
    let client = Client::builder()
        .token(&emu.bot().token)
        .base_url(emu.base_url())
        .timeout(CLIENT_TIMEOUT)
        .retry(
            RetryPolicy::default()
                .backoff_base(Duration::from_millis(50))
                .max_retry_after(Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    let port = free_port();
    Bot::builder(commands![echo])
        .client(client)
        .listen(format!("127.0.0.1:{port}"))
        .public_url(format!("http://127.0.0.1:{port}/webex"))
        .secret(Secret::random())
        .build()
        .unwrap()
        .start()
        .unwrap()
}

/// Waits until every delivery is made and every accepted event handled.
fn settle(emu: &Emulator, running: &RunningBot) {
    let done = emu.wait_until(Duration::from_secs(60), |e| {
        let s = running.stats();
        e.pending_deliveries() == 0 && s.processed == s.accepted
    });
    assert!(done, "the bot did not settle: {:?}", running.stats());
}

fn replies_to(emu: &Emulator, bot: &Account, text: &str) -> usize {
    emu.all_messages()
        .iter()
        .filter(|m| m.person_id.as_deref() == Some(bot.id.as_str()))
        .filter(|m| m.text.as_deref() == Some(text))
        .count()
}

#[test]
fn the_bot_rides_out_webex_faults_with_no_duplicate_and_no_silent_loss() {
    let emu = Emulator::builder()
        .bot("Fault Bot", "fault-bot@webex.bot")
        .user("Alice", "alice@example.com")
        .start()
        .unwrap();
    let bot = emu.bot().clone();
    let alice = emu.client_for(&emu.users()[0]);
    let mut running = start(&emu);
    let rounds_per_fault = 3;
    let mut rows = Vec::new();
    for (name, fault, expected) in faults(&bot) {
        let (mut answered, mut late, mut reported, mut duplicates) = (0, 0, 0, 0);
        for round in 0..rounds_per_fault {
            let text = format!("{name} #{round}");
            let before = running.stats();
            emu.inject(fault.clone());
            alice
                .messages()
                .create(&NewMessage::to_email(&bot.email).text(format!("echo {text}")))
                .unwrap();
            settle(&emu, &running);
            emu.clear_faults();
            let after = running.stats();
            let gave_up = (after.failed_replies - before.failed_replies)
                + (after.failed_fetches - before.failed_fetches);
            if expected == ReportedArrivedLate {
                // Webex acts when its slow answer is sent: the reply appears, once.
                assert!(
                    emu.wait_until(SLOW * 4, |e| replies_to(e, &bot, &text) == 1),
                    "{text}: the late reply never arrived"
                );
            }
            let n = replies_to(&emu, &bot, &text);
            duplicates += n.saturating_sub(1);
            match (n, gave_up) {
                (1, 0) => answered += 1,
                (1, _) => late += 1,
                (0, 1..) => reported += 1,
                _ => panic!("{text}: {n} replies and {gave_up} reported: an event was lost"),
            }
            let got = match (n, gave_up, after.failed_fetches > before.failed_fetches) {
                (1, 0, _) => Recovered,
                (1, _, _) => ReportedArrivedLate,
                (0, _, true) => ReportedFetch,
                _ => ReportedReply,
            };
            assert_eq!(got, expected, "{text}");
        }
        rows.push((name, answered, late, reported, duplicates));
    }
    let stats = running.stats();
    running.shutdown();

    println!(
        "{:<32} {:>8} {:>6} {:>9} {:>10}",
        "fault (each 3 times)", "answered", "late", "reported", "duplicates"
    );
    for (name, answered, late, reported, duplicates) in &rows {
        println!("{name:<32} {answered:>8} {late:>6} {reported:>9} {duplicates:>10}");
    }
    println!(
        "events accepted {}, processed {}, replies given up {}, fetches given up {}",
        stats.accepted, stats.processed, stats.failed_replies, stats.failed_fetches
    );
    assert!(rows.iter().all(|r| r.4 == 0), "a reply was sent twice");
    assert_eq!(
        stats.processed, stats.accepted,
        "an acknowledged event was lost"
    );
}
