//! Typed per-room and per-person state for handlers: a room's value shared by the people
//! in it and not by other rooms, a person's value following them from room to room,
//! expiry, a type that was not declared refused when the bot is built; and on Redis, one
//! counter updated by two replicas at once, every increment counted once.

use std::time::Duration;

use webex_bot::bot::{Events, RunningBot};
use webex_bot::models::NewMessage;
use webex_bot::testing::{RedisServer, TestBot};
use webex_bot::{Bot, PersonState, RoomState, Secret, StateError, command, commands};

// ANCHOR: scoped
/// Count in this room.
#[command("count")]
fn count(seen: RoomState<u64>) -> Result<String, StateError> {
    let n = seen.update(|n| {
        let next = n.unwrap_or(0) + 1;
        *n = Some(next);
        next
    })?;
    Ok(format!("count {n}"))
}

/// Remember a word for me.
#[command("remember <word>")]
fn remember(word: String, mine: PersonState<String>) -> Result<String, StateError> {
    mine.set(word.clone())?;
    Ok(format!("remembered {word}"))
}

/// What did I ask you to remember?
#[command("recall")]
fn recall(mine: PersonState<String>) -> Result<String, StateError> {
    Ok(match mine.get()? {
        Some(w) => format!("you said {w}"),
        None => "nothing remembered".into(),
    })
}

/// Forget it.
#[command("forget")]
fn forget(mine: PersonState<String>) -> Result<String, StateError> {
    mine.delete()?;
    Ok("forgotten".into())
}

fn builder(ttl: Duration) -> webex_bot::BotBuilder {
    Bot::builder(commands![count, remember, recall, forget])
        .room_state::<u64>("count", Duration::from_secs(3600))
        .person_state::<String>("word", ttl)
}
// ANCHOR_END: scoped

fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn rooms_and_people(b: &TestBot) {
    // The direct room and the group room count apart.
    b.say("count").assert_text("count 1");
    b.say("count").assert_text("count 2");
    b.say_in_group("count").assert_text("count 1");
    // A person's word follows them into the group room, and is theirs alone.
    b.say("remember apples").assert_text("remembered apples");
    b.say_in_group("recall").assert_text("you said apples");
    let bob = b.emulator().add_user("Bob", "bob@example.com");
    b.send_as(
        &bob,
        NewMessage::to_email(&b.emulator().bot().email).text("recall"),
    )
    .assert_text("nothing remembered");
    b.say("forget").assert_text("forgotten");
    b.say("recall").assert_text("nothing remembered");
}

#[test]
fn room_and_person_state_in_memory() {
    let b = TestBot::start(builder(Duration::from_secs(3600))).unwrap();
    rooms_and_people(&b);
}

#[test]
fn room_and_person_state_on_redis() {
    let redis = RedisServer::start().expect("redis-server starts");
    let b =
        TestBot::start(builder(Duration::from_secs(3600)).redis(Secret::new(redis.url()))).unwrap();
    rooms_and_people(&b);
}

#[test]
fn a_value_expires_after_its_declared_time() {
    let redis = RedisServer::start().expect("redis-server starts");
    for shared in [None, Some(&redis)] {
        let mut bb = builder(Duration::from_millis(150));
        if let Some(r) = shared {
            bb = bb.redis(Secret::new(r.url()));
        }
        let b = TestBot::start(bb).unwrap();
        b.say("remember pears").assert_text("remembered pears");
        until("the word expires", || {
            b.say("recall").text() == "nothing remembered"
        });
    }
}

#[test]
fn state_that_was_not_declared_is_refused_when_the_bot_is_built() {
    let Err(e) = Bot::builder(commands![count])
        .client(webex_bot::Client::new("t"))
        .identity(webex_bot::BotIdentity::new("b", "Bot"))
        .secret(Secret::new("s"))
        .build()
    else {
        panic!("a handler taking undeclared state must be refused");
    };
    let text = e.to_string();
    assert!(text.contains("count") && text.contains("u64"), "{text}");
}

#[test]
fn two_replicas_updating_one_room_counter_count_every_increment_once() {
    let redis = RedisServer::start().expect("redis-server starts");
    let a = TestBot::start_with(
        builder(Duration::from_secs(3600)).redis(Secret::new(redis.url())),
        Events::Webhook,
    )
    .unwrap();
    let emu = a.emulator();
    let b: RunningBot = builder(Duration::from_secs(3600))
        .client(emu.client_for(emu.bot()))
        .secret(a.running().secret().unwrap().clone())
        .listen("127.0.0.1:0")
        .redis(Secret::new(redis.url()))
        .build()
        .unwrap()
        .start()
        .unwrap();
    // Both replicas' workers take from the shared stream, so both update the counter.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10 {
                    a.user_client()
                        .messages()
                        .create(&NewMessage::to_email(&emu.bot().email).text("count"))
                        .unwrap();
                }
            });
        }
    });
    let counts = || -> Vec<u64> {
        emu.all_messages()
            .iter()
            .filter_map(|m| m.text.as_deref()?.strip_prefix("count ")?.parse().ok())
            .collect()
    };
    until("40 answers", || counts().len() >= 40);
    let mut seen = counts();
    seen.sort_unstable();
    assert_eq!(seen, (1..=40).collect::<Vec<u64>>(), "each increment once");
    let (sa, sb) = (a.running().stats(), b.stats());
    assert!(
        sa.processed > 0 && sb.processed > 0,
        "both replicas worked: {sa:?} {sb:?}"
    );
}
