//! The bot runtime against the emulator: signatures, duplicates, own messages, guards,
//! retries, shutdown, and the listener's answers to bad requests.

use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded};
use webex_bot::Access;
use webex_bot::Reply;
use webex_bot::bot::Events;
use webex_bot::emulator::Fault;
use webex_bot::markdown::MAX_MESSAGE_BYTES;
use webex_bot::models::NewMembership;
use webex_bot::models::NewMessage;
use webex_bot::testing::TestBot;
use webex_bot::webhook::{Secret, sign};
use webex_bot::{Bot, State, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

/// Wait for the test to let go, then answer.
#[command("slow <n>")]
fn slow(n: u32, gate: State<Receiver<()>>) -> String {
    let _ = gate.recv_timeout(Duration::from_secs(20));
    format!("done {n}")
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    )
}

fn post(url: &str, body: &str, signature: Option<&str>) -> u16 {
    let mut req = agent().post(url).header("Content-Type", "application/json");
    if let Some(s) = signature {
        req = req.header("X-Spark-Signature", s);
    }
    req.send(body).map(|r| r.status().as_u16()).unwrap_or(0)
}

fn echo_bot() -> TestBot {
    TestBot::start(Bot::builder(commands![echo])).expect("bot starts")
}

/// For what only webhooks have: signatures, the listener's webhook path, delivery faults.
fn webhook_bot() -> TestBot {
    TestBot::start_with(Bot::builder(commands![echo]), Events::Webhook).expect("bot starts")
}

#[test]
fn forged_or_missing_signatures_are_rejected_before_any_handler_runs() {
    let b = webhook_bot();
    // A real message the bot could fetch, so only the signature stands in the way.
    let r = b.send(NewMessage::to_email(&b.emulator().bot().email).text("echo x"));
    let m = r.sent.clone().unwrap();
    let before = b.running().stats();
    let body = format!(
        r#"{{"id":"w","resource":"messages","event":"created","data":{{"id":"{}"}}}}"#,
        m.id
    );
    let url = b.running().webhook_url();
    assert_eq!(post(&url, &body, None), 401);
    assert_eq!(
        post(
            &url,
            &body,
            Some(&sign(&Secret::new("wrong"), body.as_bytes()))
        ),
        403
    );
    assert_eq!(post(&url, &body, Some("not-hex")), 403);
    // Signed with the right secret but for other bytes.
    let sig = sign(b.running().secret().unwrap(), body.as_bytes());
    assert_eq!(post(&url, &format!("{body} "), Some(&sig)), 403);
    let after = b.running().stats();
    assert_eq!(after.bad_signature - before.bad_signature, 4);
    assert_eq!(after.accepted, before.accepted);
    assert_eq!(after.processed, before.processed);
}

#[test]
fn the_listener_answers_bad_requests_with_the_right_status() {
    let b = webhook_bot();
    let url = b.running().webhook_url();
    let secret = b.running().secret().unwrap().clone();
    let garbage = "{not json";
    assert_eq!(
        post(&url, garbage, Some(&sign(&secret, garbage.as_bytes()))),
        400
    );
    let before = b.running().stats();
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    assert_eq!(post(&url, &big, Some(&sign(&secret, big.as_bytes()))), 413);
    // Refused by the server before the listener saw it, and still counted.
    let after = b.running().stats();
    assert_eq!(after.malformed - before.malformed, 1);
    assert_eq!(after.received - before.received, 1);
    let base = format!("http://{}", b.running().addr());
    assert_eq!(agent().get(&url).call().unwrap().status().as_u16(), 405);
    assert_eq!(
        agent()
            .get(&format!("{base}/nope"))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let health = agent().get(&format!("{base}/health")).call().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    // The bot still works afterwards.
    b.say("echo still here").assert_text("still here");
}

#[test]
fn a_duplicated_delivery_is_handled_once() {
    let b = webhook_bot();
    b.emulator().inject(Fault::duplicate_deliveries(1));
    b.say("echo once").assert_text("once");
    assert_eq!(b.running().stats().duplicates, 1);
}

#[test]
fn the_bot_ignores_its_own_messages_and_other_bots() {
    let b = echo_bot();
    let r = b.say("echo echo echo");
    r.assert_text("echo echo");
    // Its own reply was delivered to it as well, and ignored: no loop.
    let emu = b.emulator();
    let known_acks = emu.websocket().acks().iter().filter(|a| a.known).count();
    assert!(emu.deliveries().len() + known_acks >= 2);
    let room = r.messages[0].room_id.clone().unwrap();
    let bot = b.emulator().bot().clone();
    let own = b.emulator().client_for(&bot);
    own.messages()
        .create(&NewMessage::to_room(&room).text("echo from myself"))
        .unwrap();
    let replies = b.emulator().messages_in(&room);
    assert_eq!(
        replies
            .iter()
            .filter(|m| m.text.as_deref() == Some("from myself"))
            .count(),
        0
    );
}

#[test]
fn messages_from_other_bots_are_ignored_unless_the_author_allows_them() {
    for ignore in [true, false] {
        let b = TestBot::start(Bot::builder(commands![echo]).ignore_bots(ignore)).unwrap();
        // Another bot (its address is a bot's) in the group room, mentioning ours.
        let other = b.emulator().add_user("Other Bot", "other-bot@webex.bot");
        b.user_client()
            .memberships()
            .create(&NewMembership::by_id(b.group_room(), &other.id))
            .unwrap();
        let mention = format!("<@personId:{}|Test> echo from a bot", b.emulator().bot().id);
        let replies = b.send_as(
            &other,
            NewMessage::to_room(b.group_room()).markdown(mention.as_str()),
        );
        if ignore {
            // The event reached the bot and was handled (settled), with no reply.
            replies.assert_none();
            assert!(b.running().stats().processed >= 1);
        } else {
            replies.assert_text("from a bot");
        }
        // People are still answered.
        b.say_in_group("echo from a person")
            .assert_text("from a person");
    }
}

#[test]
fn access_rules_refuse_politely() {
    let b =
        TestBot::start(Bot::builder(commands![echo]).access(Access::default().domain("corp.test")))
            .unwrap();
    b.say("echo hi")
        .assert_contains("Sorry, I only take commands from people I was set up to work with.");

    let b = TestBot::start(
        Bot::builder(commands![echo])
            .command_access("echo", Access::default().person("boss@example.com")),
    )
    .unwrap();
    b.say("echo hi")
        .assert_text("Sorry, you are not allowed to use `echo <text...>`.");
    b.say("help").assert_contains("echo <text...>");
}

#[test]
fn a_rate_limited_reply_is_retried_and_arrives_once() {
    let b = echo_bot();
    let bot = b.emulator().bot().clone();
    b.emulator().inject(
        Fault::rate_limit(1, 1)
            .on("POST", "/messages")
            .for_account(&bot),
    );
    b.say("echo patience").assert_text("patience");
    let sent: Vec<_> = b
        .emulator()
        .all_messages()
        .into_iter()
        .filter(|m| m.text.as_deref() == Some("patience"))
        .collect();
    assert_eq!(sent.len(), 1);
}

#[test]
fn shutdown_finishes_the_events_in_flight() {
    let (open, gate): (Sender<()>, Receiver<()>) = bounded(16);
    let mut b = TestBot::start(Bot::builder(commands![slow]).state(gate).workers(4)).unwrap();
    let to_bot = NewMessage::to_email(&b.emulator().bot().email);
    for n in 0..3 {
        b.user_client()
            .messages()
            .create(&to_bot.clone().text(format!("slow {n}")))
            .unwrap();
    }
    let accepted = b
        .emulator()
        .wait_until(Duration::from_secs(10), |e| e.events_in_flight() == 0);
    assert!(accepted);
    // Let the handlers finish only once shutdown has begun: when the listener no longer
    // takes connections.
    let addr = b.running().addr();
    let releaser = std::thread::spawn(move || {
        for _ in 0..200_000 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Ok(s) => {
                    drop(s);
                    std::thread::yield_now();
                }
                Err(_) => break,
            }
        }
        for _ in 0..3 {
            let _ = open.send(());
        }
    });
    let stats = b.shutdown_bot();
    releaser.join().unwrap();
    assert_eq!(
        stats.processed, stats.accepted,
        "every accepted event was processed"
    );
    let done: Vec<_> = b
        .emulator()
        .all_messages()
        .into_iter()
        .filter_map(|m| m.text.filter(|t| t.starts_with("done ")))
        .collect();
    assert_eq!(done.len(), 3, "{done:?}");
}

#[test]
fn greeting_when_added_to_a_room() {
    let b =
        TestBot::start(Bot::builder(commands![echo]).on_added(|| "Hello! Type `help`.")).unwrap();
    let (_room, replies) = b.add_bot_to_new_room("New space");
    replies.assert_text("Hello! Type `help`.");
}

#[test]
fn handlers_run_when_the_bot_is_removed() {
    let (tx, rx) = bounded::<String>(4);
    let b = TestBot::start(Bot::builder(commands![echo]).on_removed(
        move |m: webex_bot::models::Membership| {
            let _ = tx.send(m.room_id.clone().unwrap_or_default());
        },
    ))
    .unwrap();
    let (room, _) = b.add_bot_to_new_room("Temporary");
    b.remove_bot_from_room(&room).assert_none();
    assert_eq!(rx.try_recv().unwrap(), room);
}

/// Many senders at once while other connections sit idle on the listener: every delivery
/// is acknowledged (none refused or reset) and every message is answered exactly once.
#[test]
fn concurrent_senders_are_all_served_and_handled_once() {
    use std::io::{Read, Write};
    let b = webhook_bot();
    let emu = b.emulator();
    let addr = b.running().addr();
    // Kept-alive connections that send nothing more.
    let mut idle: Vec<std::net::TcpStream> = (0..16)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut buf = [0u8; 512];
            assert!(s.read(&mut buf).unwrap() > 0);
            s
        })
        .collect();
    let url = b.running().webhook_url();
    let secret = b.running().secret().unwrap().clone();
    let bot_id = emu.bot().id.clone();
    let mut expected = 0;
    for senders in [64usize, 512] {
        // The messages exist, but the emulator does not deliver them: the senders do.
        emu.inject(Fault::drop_deliveries(senders as u32));
        let bodies: Vec<String> = (0..senders)
            .map(|i| {
                let m = b
                    .user_client()
                    .messages()
                    .create(&NewMessage::to_email(&emu.bot().email).text(format!("echo s{senders}-{i}")))
                    .unwrap();
                format!(
                    r#"{{"id":"w","resource":"messages","event":"created","data":{{"id":"{}","roomId":"{}"}}}}"#,
                    m.id,
                    m.room_id.unwrap_or_default()
                )
            })
            .collect();
        assert!(emu.wait_until(Duration::from_secs(20), |e| e.events_in_flight() == 0));
        let before = b.running().stats();
        let start = std::sync::Arc::new(std::sync::Barrier::new(senders));
        let threads: Vec<_> = bodies
            .into_iter()
            .map(|body| {
                let (url, secret, start) = (url.clone(), secret.clone(), start.clone());
                std::thread::spawn(move || {
                    let sig = sign(&secret, body.as_bytes());
                    start.wait();
                    post(&url, &body, Some(&sig))
                })
            })
            .collect();
        let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(
            statuses.iter().all(|s| *s == 200),
            "at {senders} senders: {:?}",
            statuses.iter().filter(|s| **s != 200).collect::<Vec<_>>()
        );
        expected += senders;
        let answered = |e: &webex_bot::emulator::Emulator| {
            e.all_messages()
                .iter()
                .filter(|m| m.person_id.as_deref() == Some(bot_id.as_str()))
                .filter(|m| m.text.as_deref().is_some_and(|t| t.starts_with('s')))
                .count()
        };
        assert!(emu.wait_until(Duration::from_secs(60), |e| answered(e) >= expected));
        // Exactly once: nothing more arrives once every delivery (the bot's own replies
        // come back as events too, and are ignored) has been processed.
        assert!(emu.wait_until(Duration::from_secs(20), |e| {
            let now = b.running().stats();
            e.events_in_flight() == 0 && now.processed == now.accepted
        }));
        let after = b.running().stats();
        assert!(after.accepted - before.accepted >= senders as u64);
        assert_eq!(after.shed, before.shed);
        assert_eq!(answered(emu), expected);
    }
    // The idle connections were never closed for the others' sake, and still work.
    for s in &mut idle {
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    }
}

/// What `hold` handlers share with the test.
struct Hold {
    started: Sender<u32>,
    release: Receiver<()>,
}

/// Say that it started, wait for the test to let go, then answer.
#[command("hold <n>")]
fn hold(n: u32, hold: State<Hold>) -> String {
    let _ = hold.started.send(n);
    let _ = hold.release.recv_timeout(Duration::from_secs(20));
    format!("held {n}")
}

#[test]
fn workers_start_as_events_arrive_up_to_the_pool_size() {
    let (started_tx, started) = bounded(16);
    let (release, release_rx) = bounded(16);
    let b = TestBot::start(
        Bot::builder(commands![hold])
            .state(Hold {
                started: started_tx,
                release: release_rx,
            })
            .workers(3),
    )
    .unwrap();
    // A first message opens the direct room, so that the events of its creation (the
    // memberships) are handled before the handlers below take every worker.
    b.say("hello").assert_contains("help");
    assert!((1..=3).contains(&b.running().stats().workers));
    let to_bot = NewMessage::to_email(&b.emulator().bot().email);
    for n in 0..5 {
        b.user_client()
            .messages()
            .create(&to_bot.clone().text(format!("hold {n}")))
            .unwrap();
    }
    // Three handlers run at once, no more (on the workers, or on the listener's threads
    // that acknowledged their events); the other two events wait in the queue.
    for _ in 0..3 {
        started.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    assert!(
        b.emulator()
            .wait_until(Duration::from_secs(10), |e| e.events_in_flight() == 0),
        "all five deliveries acknowledged while the handlers are busy"
    );
    let stats = b.running().stats();
    assert_eq!((stats.running, stats.queued), (3, 2), "{stats:?}");
    assert!((1..=3).contains(&stats.workers), "{stats:?}");
    assert!(started.try_recv().is_err(), "a fourth handler ran at once");
    for _ in 0..5 {
        release.send(()).unwrap();
    }
    for _ in 0..2 {
        started.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    assert!(b.emulator().wait_until(Duration::from_secs(10), |e| {
        e.all_messages()
            .iter()
            .filter(|m| m.text.as_deref().is_some_and(|t| t.starts_with("held ")))
            .count()
            == 5
    }));
}

/// A markdown report of `rows` lines.
#[command("report <rows>")]
fn report(rows: u32) -> Reply {
    let lines: Vec<String> = (1..=rows)
        .map(|n| format!("- row {n}: **ok**, checked against the reference"))
        .collect();
    Reply::markdown(lines.join("\n"))
}

#[test]
fn a_long_reply_is_split_under_the_size_limit_in_order() {
    let b = TestBot::start(Bot::builder(commands![report])).expect("bot starts");
    let r = b.say("report 600");
    assert!(r.messages.len() >= 3, "{} messages", r.messages.len());
    let mut next = 1;
    for m in &r.messages {
        let md = m.markdown.as_deref().expect("a markdown message");
        assert!(md.len() <= MAX_MESSAGE_BYTES, "{} bytes", md.len());
        for line in md.lines().filter(|l| !l.trim().is_empty()) {
            assert_eq!(
                line,
                format!("- row {next}: **ok**, checked against the reference")
            );
            next += 1;
        }
    }
    assert_eq!(next, 601, "every row once, in order");
}

/// Another bot's message mentioning this one: ignored (no fetch, no reply) by default,
/// answered with `ignore_bots(false)`.
#[test]
fn messages_from_other_bots_are_ignored_unless_asked() {
    use webex_bot::models::NewMembership;
    for ignore in [true, false] {
        let b = TestBot::start(Bot::builder(commands![echo]).ignore_bots(ignore)).unwrap();
        let emu = b.emulator();
        let other = emu.add_user("Other Bot", "other@webex.bot");
        b.user_client()
            .memberships()
            .create(&NewMembership::by_id(b.group_room(), &other.id))
            .unwrap();
        let bot = emu.bot().clone();
        let settled = |b: &TestBot, after: u64| {
            b.emulator().wait_until(Duration::from_secs(15), |e| {
                let s = b.running().stats();
                e.events_in_flight() == 0 && s.accepted > after && s.processed == s.accepted
            })
        };
        assert!(settled(&b, 0));
        let accepted = b.running().stats().accepted;
        emu.client_for(&other)
            .messages()
            .create(
                &NewMessage::to_room(b.group_room())
                    .markdown(format!("<@personId:{}|Bot> echo from a bot", bot.id)),
            )
            .unwrap();
        assert!(settled(&b, accepted), "the delivery was not handled");
        let answers = emu
            .messages_in(b.group_room())
            .into_iter()
            .filter(|m| m.person_id.as_deref() == Some(bot.id.as_str()))
            .filter(|m| m.text.as_deref() == Some("from a bot"))
            .count();
        assert_eq!(answers, usize::from(!ignore), "ignore_bots({ignore})");
    }
}

/// A delivery whose request target is in absolute form (RFC 9112, 3.2.2: a server must
/// accept it), as some proxies send it, reaches the webhook path and is answered.
#[test]
fn a_delivery_in_absolute_form_reaches_the_webhook_path() {
    use std::io::{Read, Write};
    let b = webhook_bot();
    let sent = b.say("echo through a proxy");
    sent.assert_text("through a proxy");
    let secret = b.running().secret().unwrap().clone();
    let id = sent.sent.as_ref().unwrap().id.clone();
    // The same message again: acknowledged as a duplicate, which shows the path matched.
    let body =
        format!(r#"{{"id":"w","resource":"messages","event":"created","data":{{"id":"{id}"}}}}"#);
    let addr = b.running().addr();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let request = format!(
        "POST http://{addr}/ HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-Spark-Signature: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        sign(&secret, body.as_bytes()),
        body.len()
    );
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#"{"status":"duplicate"}"#), "{answer}");
}
