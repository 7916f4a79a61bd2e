//! Replicas sharing a real `redis-server` (started by the test on a free port): one
//! delivery sent to two replicas is answered once; Redis unreachable at start is a clear
//! error; Redis going away while running refuses deliveries without acknowledging them,
//! and the bot resumes by itself when it is back.

use std::time::Duration;

use webex_bot::bot::{Events, RunningBot};
use webex_bot::emulator::Emulator;
use webex_bot::testing::{RedisServer, TestBot};
use webex_bot::{Bot, Secret, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

fn redis() -> RedisServer {
    RedisServer::start().expect("redis-server starts (.ci/run installs it)")
}

/// Another replica of the test bot: same emulator account, same secret, its own
/// listener, sharing `redis` when given.
fn replica(emu: &Emulator, secret: &Secret, redis: Option<&RedisServer>) -> RunningBot {
    let mut b = Bot::builder(commands![echo])
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
