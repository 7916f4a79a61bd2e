//! Replicas sharing a real `redis-server` (started by the test on a free port): one
//! delivery sent to two replicas is answered once; a conversation's answer reaching
//! another replica; an `ask` that times out and two people answering in one room, in
//! memory and on Redis; Redis unreachable at start is a clear error; Redis going away
//! while running refuses deliveries without acknowledging them, and the bot resumes by
//! itself when it is back.

use std::time::Duration;

use webex_bot::bot::{Events, RunningBot};
use webex_bot::emulator::{Emulator, Fault};
use webex_bot::models::NewMessage;
use webex_bot::testing::{RedisServer, TestBot};
use webex_bot::{Bot, Context, Secret, State, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

/// How long `book` waits for its answer.
#[derive(Clone, Copy)]
struct AskTimeout(Duration);

/// Ask when, and confirm for whom.
#[command("book")]
fn book(ctx: &Context, timeout: State<AskTimeout>) -> Result<String, webex_bot::client::Error> {
    match ctx.ask("At what time?", timeout.0.0)? {
        Some(answer) => Ok(format!(
            "Booked for {} at {}",
            ctx.sender().email,
            answer.text.unwrap_or_default()
        )),
        None => Ok(format!(
            "No answer from {}: nothing booked.",
            ctx.sender().email
        )),
    }
}

fn booking_bot(timeout: Duration) -> webex_bot::BotBuilder {
    Bot::builder(commands![echo, book]).state(AskTimeout(timeout))
}

fn redis() -> RedisServer {
    RedisServer::start().expect("redis-server starts (.ci/run installs it)")
}

/// Another replica of the test bot: same emulator account, same secret, its own
/// listener, sharing `redis` when given.
fn replica(emu: &Emulator, secret: &Secret, redis: Option<&RedisServer>) -> RunningBot {
    replica_of(booking_bot(Duration::from_secs(60)), emu, secret, redis)
}

fn replica_of(
    builder: webex_bot::BotBuilder,
    emu: &Emulator,
    secret: &Secret,
    redis: Option<&RedisServer>,
) -> RunningBot {
    let mut b = builder
        .client(emu.client_for(emu.bot()))
        .secret(secret.clone())
        .listen("127.0.0.1:0");
    if let Some(r) = redis {
        b = b.redis(Secret::new(r.url()));
    }
    b.build().unwrap().start().unwrap()
}

fn post(url: &str, body: &str, signature: &str) -> (u16, String) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    );
    let mut resp = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-Spark-Signature", signature)
        .send(body)
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

/// The emulator's delivery of the message whose text is `text` (its exact body and
/// signature), to send it again elsewhere.
fn delivery_of(emu: &Emulator, text: &str) -> (String, String) {
    let message = emu
        .all_messages()
        .into_iter()
        .find(|m| m.text.as_deref() == Some(text))
        .expect("the message was sent");
    let d = emu
        .deliveries()
        .into_iter()
        .find(|d| d.body.contains(&message.id))
        .expect("the message was delivered");
    (d.body, d.signature.expect("signed"))
}

fn answers(emu: &Emulator, text: &str) -> usize {
    emu.all_messages()
        .iter()
        .filter(|m| m.text.as_deref() == Some(text))
        .count()
}

// ANCHOR: two_replicas
#[test]
fn one_delivery_sent_to_two_replicas_is_answered_once() {
    let redis = redis();
    let a = TestBot::start_with(
        Bot::builder(commands![echo]).redis(Secret::new(redis.url())),
        Events::Webhook,
    )
    .unwrap();
    let secret = a.running().secret().unwrap().clone();
    let b = replica(a.emulator(), &secret, Some(&redis));
    a.say("echo once").assert_text("once");
    let (body, signature) = delivery_of(a.emulator(), "echo once");
    let (status, said) = post(&b.webhook_url(), &body, &signature);
    assert_eq!((status, said.as_str()), (200, r#"{"status":"duplicate"}"#));
    assert_eq!(b.stats().duplicates, 1);
    assert_eq!(answers(a.emulator(), "once"), 1, "answered once in all");

    // The control: a replica remembering in its own memory answers it again.
    let c = replica(a.emulator(), &secret, None);
    let (status, said) = post(&c.webhook_url(), &body, &signature);
    assert_eq!((status, said.as_str()), (200, r#"{"status":"accepted"}"#));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while answers(a.emulator(), "once") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the control replica never answered"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
// ANCHOR_END: two_replicas

#[test]
fn redis_unreachable_at_start_is_a_clear_error_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://:hunter2-password@127.0.0.1:{port}");
    let Err(e) = TestBot::start_with(
        Bot::builder(commands![echo]).redis(Secret::new(url)),
        Events::Webhook,
    ) else {
        panic!("no Redis, no start");
    };
    let text = e.to_string();
    assert!(
        text.contains("Redis") && text.contains(&format!("127.0.0.1:{port}")),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!format!("{e:?}").contains("hunter2"));
    let Err(e) = TestBot::start_with(
        Bot::builder(commands![echo]).redis(Secret::new("not a url")),
        Events::Webhook,
    ) else {
        panic!("a bad URL, no start");
    };
    assert!(e.to_string().contains("WEBEX_REDIS_URL"), "{e}");
}

#[test]
fn redis_going_away_refuses_deliveries_unacknowledged_and_the_bot_resumes() {
    let mut redis = redis();
    let a = TestBot::start_with(
        Bot::builder(commands![echo]).redis(Secret::new(redis.url())),
        Events::Webhook,
    )
    .unwrap();
    a.say("echo before").assert_text("before");
    redis.kill();
    // The emulator's delivery is refused with 503: not acknowledged, so Webex retries.
    a.user_client()
        .messages()
        .create(
            &webex_bot::models::NewMessage::to_email(&a.emulator().bot().email).text("echo during"),
        )
        .unwrap();
    let (body, signature) = {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let refused = a
                .emulator()
                .deliveries()
                .into_iter()
                .find(|d| d.body.contains("\"messages\"") && d.status == Some(503));
            if let Some(d) = refused {
                break (d.body, d.signature.unwrap());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no 503: {:?}",
                a.emulator().deliveries()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    assert!(a.running().stats().shed >= 1);
    assert_eq!(answers(a.emulator(), "during"), 0);
    // Redis back (empty): the same delivery, sent again as Webex would, is answered.
    redis.restart().unwrap();
    let (status, _) = post(&a.running().webhook_url(), &body, &signature);
    assert_eq!(status, 200);
    a.expect_later("during");
    a.say("echo after").assert_text("after");
}

/// Waits (bounded) until `f` holds.
fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The delivery the emulator made for the next message, dropped before it reached the
/// bot (to hand it to a replica of the test's choosing): sends `text` as `as_user` to
/// the bot directly, or in `room` when given, and returns the delivery.
fn intercepted(
    a: &TestBot,
    sender: &webex_bot::Client,
    room: Option<&str>,
    text: &str,
) -> (String, String) {
    let emu = a.emulator();
    emu.inject(Fault::drop_deliveries(1));
    let msg = match room {
        Some(r) => {
            NewMessage::to_room(r).markdown(format!("<@personId:{}|Bot> {text}", emu.bot().id))
        }
        None => NewMessage::to_email(&emu.bot().email).text(text),
    };
    let sent = sender.messages().create(&msg).unwrap();
    let mut found = None;
    until("the delivery is dropped", || {
        found = emu
            .deliveries()
            .into_iter()
            .find(|d| d.dropped && d.body.contains(&sent.id))
            .map(|d| (d.body, d.signature.unwrap()));
        found.is_some()
    });
    found.unwrap()
}

#[test]
fn a_conversation_whose_answer_reaches_another_replica_gets_it() {
    let redis = redis();
    let a = TestBot::start_with(
        booking_bot(Duration::from_secs(60)).redis(Secret::new(redis.url())),
        Events::Webhook,
    )
    .unwrap();
    let secret = a.running().secret().unwrap().clone();
    let b = replica(a.emulator(), &secret, Some(&redis));
    a.say("book").assert_text("At what time?");
    // Either replica's worker may have taken it: the one whose conversation waits.
    let waiting = |r: &RunningBot| r.stats().waiting;
    until("a conversation waits", || {
        waiting(a.running()) + waiting(&b) == 1
    });
    let (owner, other) = if waiting(&b) == 1 {
        (&b, a.running())
    } else {
        (a.running(), &b)
    };
    // The answer lands on the replica whose conversation does not wait for it.
    let (body, signature) = intercepted(&a, a.user_client(), None, "10:00");
    let (status, said) = post(&other.webhook_url(), &body, &signature);
    assert_eq!((status, said.as_str()), (200, r#"{"status":"answered"}"#));
    a.expect_later("Booked for alice@example.com at 10:00");
    assert_eq!(owner.stats().waiting, 0);
    assert_eq!(
        answers(a.emulator(), "Booked for alice@example.com at 10:00"),
        1
    );
}

fn two_people_in_one_room(redis: Option<&RedisServer>) {
    let mut builder = booking_bot(Duration::from_secs(60));
    if let Some(r) = redis {
        builder = builder.redis(Secret::new(r.url()));
    }
    let a = TestBot::start_with(builder, Events::Webhook).unwrap();
    let secret = a.running().secret().unwrap().clone();
    let b = redis.map(|r| replica(a.emulator(), &secret, Some(r)));
    let bob = a.emulator().add_user("Bob", "bob@example.com");
    a.user_client()
        .memberships()
        .create(&webex_bot::models::NewMembership::by_id(
            a.group_room(),
            &bob.id,
        ))
        .unwrap();
    let bob_client = a.emulator().client_for(&bob);
    a.say_in_group("book").assert_text("At what time?");
    let mention = |text: &str| {
        NewMessage::to_room(a.group_room())
            .markdown(format!("<@personId:{}|Bot> {text}", a.emulator().bot().id))
    };
    bob_client.messages().create(&mention("book")).unwrap();
    let waiting = || a.running().stats().waiting + b.as_ref().map_or(0, |b| b.stats().waiting);
    until("both conversations wait", || waiting() == 2);
    // Both answer at once: each answer goes to its own person's conversation.
    let (alice, bob_answer) = std::thread::scope(|s| {
        let one = s.spawn(|| a.user_client().messages().create(&mention("9:00")).unwrap());
        let two = s.spawn(|| bob_client.messages().create(&mention("16:00")).unwrap());
        (one.join().unwrap(), two.join().unwrap())
    });
    assert!(!alice.id.is_empty() && !bob_answer.id.is_empty());
    a.expect_later("Booked for bob@example.com at");
    a.expect_later("Booked for alice@example.com at");
    let texts: Vec<String> = a
        .emulator()
        .messages_in(a.group_room())
        .into_iter()
        .filter_map(|m| m.text)
        .filter(|t| t.starts_with("Booked"))
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Booked for alice@example.com") && t.ends_with("9:00")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Booked for bob@example.com") && t.ends_with("16:00")),
        "{texts:?}"
    );
}

#[test]
fn two_people_answering_in_one_room_each_get_their_own_conversation() {
    two_people_in_one_room(None);
    let redis = redis();
    two_people_in_one_room(Some(&redis));
}

fn ask_times_out(redis: Option<&RedisServer>) {
    let mut builder = booking_bot(Duration::from_millis(300));
    if let Some(r) = redis {
        builder = builder.redis(Secret::new(r.url()));
    }
    let a = TestBot::start_with(builder, Events::Webhook).unwrap();
    a.say("book").assert_text("At what time?");
    a.expect_later("No answer from alice@example.com: nothing booked.");
    until("the conversation ended", || {
        a.running().stats().waiting == 0
    });
    // What comes next is a command again, not an answer.
    a.say("echo still here").assert_text("still here");
}

#[test]
fn an_ask_that_times_out_says_so_and_the_next_message_is_a_command() {
    ask_times_out(None);
    let redis = redis();
    ask_times_out(Some(&redis));
}

#[test]
fn two_replicas_on_the_websocket_answer_every_event_once() {
    let redis = redis();
    let a = TestBot::start_with(
        booking_bot(Duration::from_secs(60)).redis(Secret::new(redis.url())),
        Events::Websocket,
    )
    .unwrap();
    let emu = a.emulator();
    // The second replica: a websocket device of its own, the same Redis.
    let b = Bot::builder(commands![echo, book])
        .state(AskTimeout(Duration::from_secs(60)))
        .client(emu.client_for(emu.bot()))
        .events(Events::Websocket)
        .u2c_url(emu.u2c_url())
        .device_name("replica-b")
        .listen("127.0.0.1:0")
        .redis(Secret::new(redis.url()))
        .build()
        .unwrap()
        .start()
        .unwrap();
    until("both replicas are connected", || {
        emu.websocket().connected() >= 2
    });
    for i in 0..20 {
        a.user_client()
            .messages()
            .create(&NewMessage::to_email(&emu.bot().email).text(format!("echo number {i}")))
            .unwrap();
    }
    until("every message is answered", || {
        (0..20).all(|i| answers(emu, &format!("number {i}")) >= 1)
    });
    // Both received every event; Redis let one of them take each.
    let (sa, sb) = (a.running().stats(), b.stats());
    for i in 0..20 {
        assert_eq!(answers(emu, &format!("number {i}")), 1, "number {i}");
    }
    assert!(sa.duplicates + sb.duplicates >= 20, "{sa:?} {sb:?}");
    until("every event acknowledged", || {
        emu.websocket().unacknowledged() == 0
    });
}

/// A replica with a job `tick` every 150 ms (lease 300 ms: a loaded machine may delay a tick by tens of milliseconds, not by a whole period) that reports `tag` on `runs`.
fn ticking(
    emu: &Emulator,
    secret: &Secret,
    redis: Option<&RedisServer>,
    tag: &'static str,
    runs: crossbeam_channel::Sender<&'static str>,
) -> RunningBot {
    let builder =
        booking_bot(Duration::from_secs(60)).every("tick", Duration::from_millis(150), move |_| {
            let _ = runs.send(tag);
        });
    replica_of(builder, emu, secret, redis)
}

/// The next `n` runs of the job, in order.
fn next_runs(runs: &crossbeam_channel::Receiver<&'static str>, n: usize) -> Vec<&'static str> {
    (0..n)
        .map(|_| {
            runs.recv_timeout(Duration::from_secs(30))
                .expect("the job runs")
        })
        .collect()
}

#[test]
fn a_periodic_job_runs_on_one_replica_and_its_lease_passes_on() {
    let redis = redis();
    let emu = Emulator::builder()
        .bot("Bot", "bot@webex.bot")
        .user("Alice", "alice@example.com")
        .start()
        .unwrap();
    let secret = Secret::new("shared");
    // A holder that died: it took the lease and stopped renewing it.
    let lease = format!("webex-bot:{}:lease:job:tick", emu.bot().id);
    let set = std::process::Command::new("redis-cli")
        .args([
            "-p",
            &redis.port().to_string(),
            "SET",
            &lease,
            "a-replica-that-died",
            "PX",
            "400",
        ])
        .output()
        .expect("redis-cli (installed with redis-server)");
    assert_eq!(String::from_utf8_lossy(&set.stdout).trim(), "OK");
    let (tx, runs) = crossbeam_channel::unbounded();
    let started = std::time::Instant::now();
    let mut a = ticking(&emu, &secret, Some(&redis), "a", tx.clone());
    let mut b = ticking(&emu, &secret, Some(&redis), "b", tx);
    // Nobody runs it while the dead holder's lease lasts; then one replica does, alone.
    let first = next_runs(&runs, 1)[0];
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "ran under another's lease"
    );
    let runs_now = next_runs(&runs, 8);
    assert!(
        runs_now.iter().all(|r| *r == first),
        "one replica at a time: {first} then {runs_now:?}"
    );
    // Its holder stops: the other takes it over.
    let (holder, other) = if first == "a" {
        (&mut a, "b")
    } else {
        (&mut b, "a")
    };
    holder.shutdown();
    while runs.try_recv().is_ok() {}
    let after = next_runs(&runs, 5);
    assert!(after.iter().all(|r| *r == other), "{after:?}");
}

#[test]
fn a_periodic_job_without_replicas_runs_until_shutdown_and_survives_a_panic() {
    let emu = Emulator::builder()
        .bot("Bot", "bot@webex.bot")
        .user("Alice", "alice@example.com")
        .start()
        .unwrap();
    let (tx, runs) = crossbeam_channel::unbounded();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let builder =
        booking_bot(Duration::from_secs(60)).every("flaky", Duration::from_millis(20), move |_| {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = tx.send(n);
            if n == 1 {
                panic!("the second run fails");
            }
        });
    let mut bot = replica_of(builder, &emu, &Secret::new("s"), None);
    let seen: Vec<usize> = (0..4)
        .map(|_| runs.recv_timeout(Duration::from_secs(30)).unwrap())
        .collect();
    assert_eq!(seen, [0, 1, 2, 3], "runs go on after the panic");
    bot.shutdown();
    while runs.try_recv().is_ok() {}
    assert!(
        runs.recv_timeout(Duration::from_millis(200)).is_err(),
        "no run after shutdown"
    );
}

/// Where `hold` tells it started, and what lets it finish.
#[derive(Clone)]
struct Gate {
    started: crossbeam_channel::Sender<()>,
    release: crossbeam_channel::Receiver<()>,
}

/// Holds until released, then answers.
#[command("hold")]
fn hold(gate: State<Gate>) -> &'static str {
    let _ = gate.started.send(());
    let _ = gate.release.recv_timeout(Duration::from_secs(60));
    "held and answered"
}

#[test]
fn redis_away_while_an_event_is_handled_it_is_answered_once_when_back() {
    let mut redis = RedisServer::start_persistent().expect("redis-server starts");
    let (started_tx, started) = crossbeam_channel::unbounded();
    let (release, release_rx) = crossbeam_channel::unbounded::<()>();
    let gate = Gate {
        started: started_tx,
        release: release_rx,
    };
    let builder = || {
        Bot::builder(commands![hold])
            .state(gate.clone())
            .redis(Secret::new(redis.url()))
            // Short, so that the other replica claims the event while its holder waits
            // for Redis: exactly one of them must answer.
            .claim_timeout(Duration::from_millis(600))
    };
    let a = TestBot::start_with(builder(), Events::Webhook).unwrap();
    let secret = a.running().secret().unwrap().clone();
    let b = replica_of(builder(), a.emulator(), &secret, None);
    a.user_client()
        .messages()
        .create(&NewMessage::to_email(&a.emulator().bot().email).text("hold"))
        .unwrap();
    started
        .recv_timeout(Duration::from_secs(30))
        .expect("a replica took the event");
    // Redis stops (persistent: it keeps the queue) while the handler runs: the answer's
    // mark cannot be written, so the answer waits; the holder's heartbeat fails too, and
    // the event goes idle past the claim timeout.
    redis.stop();
    // Released for good: a replica that claims the event runs `hold` again, at once.
    drop(release);
    // An outage of a few claim timeouts (a scenario's length, not a wait for a result):
    // longer than any retry that gives up, so that the event is claimed when Redis is back.
    let back = std::time::Instant::now() + Duration::from_millis(1500);
    until("the outage lasts", || std::time::Instant::now() >= back);
    redis.restart().unwrap();
    a.expect_later("held and answered");
    // A few claim timeouts more: no second answer from the replica that did not answer.
    let quiet = std::time::Instant::now() + Duration::from_secs(3);
    until("the claim timeouts pass", || {
        std::time::Instant::now() >= quiet
    });
    assert_eq!(answers(a.emulator(), "held and answered"), 1);
    assert_eq!(a.running().stats().panics + b.stats().panics, 0);
}
