//! Events over the websocket, against the emulator's U2C, WDM and websocket services: the
//! device's life (discovery, reuse, stale registrations, the device cap, deletion), the
//! connection's (keepalive, drops, close codes) and that no event is lost or handled twice.

use std::time::Duration;

use webex_bot::bot::{ConnectionState, Events};
use webex_bot::emulator::Emulator;
use webex_bot::models::NewMessage;
use webex_bot::testing::TestBot;
use webex_bot::{Bot, BotBuilder, BotIdentity, Client, RunningBot, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

const WAIT: Duration = Duration::from_secs(20);

fn ws_bot(builder: BotBuilder) -> TestBot {
    TestBot::start_with(builder, Events::Websocket).unwrap()
}

fn echo_bot() -> BotBuilder {
    Bot::builder(commands![echo])
}

fn emulator() -> Emulator {
    Emulator::builder()
        .bot("Echo", "echo@webex.bot")
        .user("Alice", "alice@example.com")
        .start()
        .unwrap()
}

/// A bot of our own against `emu`, over the websocket.
fn start(emu: &Emulator, builder: BotBuilder) -> Result<RunningBot, webex_bot::BotError> {
    let bot = emu.bot();
    builder
        .client(
            Client::builder()
                .token(&bot.token)
                .base_url(emu.base_url())
                .build()
                .unwrap(),
        )
        .identity(BotIdentity::new(bot.id.clone(), bot.name.clone()))
        .listen("127.0.0.1:0")
        .u2c_url(emu.u2c_url())
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(100))
        .build()?
        .start()
}

/// Alice says `text` to the bot; waits for the bot's answer containing it.
fn exchange(emu: &Emulator, text: &str) {
    let alice = emu.client_for(&emu.users()[0]);
    alice
        .messages()
        .create(&NewMessage::to_email(&emu.bot().email).text(format!("echo {text}")))
        .unwrap();
    assert!(
        emu.wait_until(WAIT, |e| answers(e, text) >= 1),
        "no answer to {text:?}"
    );
}

/// How many of the bot's messages are `text`.
fn answers(emu: &Emulator, text: &str) -> usize {
    let bot = emu.bot().id.clone();
    emu.all_messages()
        .iter()
        .filter(|m| m.person_id.as_deref() == Some(bot.as_str()) && m.text.as_deref() == Some(text))
        .count()
}

#[test]
fn first_start_discovers_registers_and_answers() {
    let bot = ws_bot(echo_bot());
    let emu = bot.emulator();
    assert_eq!(emu.devices(emu.bot()).len(), 1);
    assert_eq!(emu.websocket().connected(), 1);
    bot.say("echo hello").assert_text("hello");
    bot.say_in_group("echo group").assert_text("group");
    // Not mentioned in the group: the bot does not see it at all.
    bot.say_in_group_unmentioned("echo unseen").assert_none();
    let s = bot.running().stats();
    let c = s.connection.expect("websocket stats");
    assert_eq!(c.state, ConnectionState::Connected);
    assert_eq!(c.reconnects, 0);
    assert!(c.last_event.is_some());
    // Both messages and both replies were acknowledged; no webhook was delivered.
    assert!(emu.websocket().acks().iter().filter(|a| a.known).count() >= 4);
    assert_eq!(emu.websocket().unacknowledged(), 0);
    assert!(emu.deliveries().is_empty());
    assert!(emu.webhooks().is_empty());
}

#[test]
fn health_reports_the_connection() {
    let bot = ws_bot(echo_bot());
    let url = format!("http://{}/health", bot.running().addr());
    let body: serde_json::Value = ureq::get(&url)
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(body["events"], "websocket");
    assert_eq!(body["connection"], "connected");
    assert_eq!(body["reconnects"], 0);
}

#[test]
fn a_restart_reuses_the_device_and_shutdown_deletes_it() {
    let emu = emulator();
    let mut first = start(&emu, echo_bot().delete_device_on_shutdown(false)).unwrap();
    exchange(&emu, "one");
    let device = emu.devices(emu.bot())[0]["url"].clone();
    first.shutdown();
    assert_eq!(emu.devices(emu.bot()).len(), 1, "kept at shutdown");
    let mut second = start(&emu, echo_bot()).unwrap();
    let devices = emu.devices(emu.bot());
    assert_eq!(devices.len(), 1, "reused, not registered again");
    assert_eq!(devices[0]["url"], device);
    exchange(&emu, "two");
    second.shutdown();
    assert!(emu.devices(emu.bot()).is_empty(), "deleted at shutdown");
}

#[test]
fn a_stale_registration_is_refreshed_and_a_lost_device_registered_again() {
    let bot = ws_bot(echo_bot());
    let emu = bot.emulator();
    let before = emu.devices(emu.bot())[0]["webSocketUrl"].clone();
    emu.expire_registrations(emu.bot());
    emu.websocket().drop_all();
    bot.say("echo after refresh").assert_text("after refresh");
    assert!(
        emu.websocket().refused_handshakes() >= 1,
        "the stale URL was answered 404"
    );
    let devices = emu.devices(emu.bot());
    assert_eq!(devices.len(), 1);
    assert_ne!(
        devices[0]["webSocketUrl"], before,
        "refreshed: a new registration"
    );
    // The device itself gone: refreshing answers 404 too, so the bot registers anew.
    // Events for a device Webex no longer has go nowhere: wait for the new one.
    emu.forget_devices(emu.bot());
    let seen = emu.websocket().connections();
    emu.websocket().drop_all();
    assert!(emu.wait_until(WAIT, |e| e.websocket().connections() > seen
        && e.websocket().connected() == 1
        && e.devices(e.bot()).len() == 1));
    bot.say("echo after re-registration")
        .assert_text("after re-registration");
    assert_eq!(emu.devices(emu.bot()).len(), 1);
    assert!(bot.running().stats().connection.unwrap().reconnects >= 2);
}

#[test]
fn an_event_cut_off_mid_frame_is_delivered_again_and_answered_once() {
    let bot = ws_bot(echo_bot());
    let emu = bot.emulator();
    emu.websocket().drop_mid_event(1);
    bot.say("echo survived").assert_text("survived");
    assert_eq!(answers(emu, "survived"), 1);
    assert!(bot.running().stats().connection.unwrap().reconnects >= 1);
    assert_eq!(emu.websocket().unacknowledged(), 0);
}

#[test]
fn an_event_whose_ack_was_lost_is_not_handled_twice() {
    let bot = ws_bot(echo_bot());
    let emu = bot.emulator();
    emu.websocket().lose_acks(1);
    bot.say("echo once").assert_text("once");
    assert_eq!(emu.websocket().unacknowledged(), 1, "its ack was lost");
    // The next connection gets it again; the bot acknowledges it and does nothing more.
    emu.websocket().drop_all();
    assert!(emu.wait_until(WAIT, |e| e.websocket().unacknowledged() == 0));
    bot.say("echo later").assert_text("later");
    assert_eq!(answers(emu, "once"), 1);
    assert!(bot.running().stats().duplicates >= 1);
}

#[test]
fn a_dead_connection_is_found_by_keepalive_and_nothing_sent_meanwhile_is_lost() {
    let bot = ws_bot(
        echo_bot().websocket_keepalive(Duration::from_millis(50), Duration::from_millis(200)),
    );
    let emu = bot.emulator();
    emu.websocket().silence_all();
    // Sent while the socket is silent: held by the emulator, delivered after the reconnect.
    bot.say("echo held").assert_text("held");
    assert_eq!(answers(emu, "held"), 1);
    assert!(bot.running().stats().connection.unwrap().reconnects >= 1);
}

#[test]
fn close_codes_that_allow_it_reconnect() {
    let bot = ws_bot(echo_bot());
    let emu = bot.emulator();
    for (code, reason) in [
        (1011, "server error"),
        (1000, "idle"),
        (4401, "authentication failed"),
    ] {
        let seen = emu.websocket().connections();
        emu.websocket().close_all(code, reason);
        assert!(emu.wait_until(WAIT, |e| e.websocket().connections() > seen
            && e.websocket().connected() == 1));
        bot.say(&format!("echo after {code}"))
            .assert_text(&format!("after {code}"));
    }
    assert_eq!(bot.running().events_error(), None);
}

#[test]
fn a_close_code_that_must_not_be_retried_stops_events_with_a_clear_error() {
    let bot = ws_bot(echo_bot());
    let emu = bot.emulator();
    emu.websocket().close_all(4403, "forbidden");
    let running = bot.running();
    assert!(emu.wait_until(WAIT, |_| running.events_error().is_some()));
    let why = running.events_error().unwrap();
    assert!(why.contains("4403") && why.contains("forbidden"), "{why}");
    assert_eq!(
        running.stats().connection.unwrap().state,
        ConnectionState::Failed
    );
    let seen = emu.websocket().connections();
    let url = format!("http://{}/health", running.addr());
    let status = match ureq::get(&url).call() {
        Ok(r) => r.status().as_u16(),
        Err(ureq::Error::StatusCode(s)) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, 503);
    assert_eq!(emu.websocket().connections(), seen, "no reconnect");
}

#[test]
fn a_refused_token_fails_the_start_clearly() {
    let emu = emulator();
    let err = Bot::builder(commands![echo])
        .client(
            Client::builder()
                .token("wrong")
                .base_url(emu.base_url())
                .build()
                .unwrap(),
        )
        .identity(BotIdentity::new("b", "Bot"))
        .listen("127.0.0.1:0")
        .u2c_url(emu.u2c_url())
        .build()
        .unwrap()
        .start()
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("U2C") && msg.contains("refused"), "{msg}");
    assert!(!msg.contains("wrong"), "the token is not shown: {msg}");
}

#[test]
fn at_the_device_cap_the_bots_stale_devices_make_room() {
    let emu = emulator();
    emu.set_device_cap(3);
    // Three devices left behind by earlier runs of this crate under other names.
    let wdm = format!(
        "{}/wdm/api/v1/devices",
        emu.base_url().trim_end_matches("/v1")
    );
    for i in 0..3 {
        let status = ureq::post(&wdm)
            .header("Authorization", &format!("Bearer {}", emu.bot().token))
            .send_json(serde_json::json!({"name": format!("old-{i}"), "model": "webex-bot-rs"}))
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    let mut running = start(&emu, echo_bot().device_name("tickets")).unwrap();
    exchange(&emu, "room made");
    let names: Vec<String> = emu
        .devices(emu.bot())
        .iter()
        .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        !names.contains(&"old-0".to_owned()),
        "the oldest went: {names:?}"
    );
    assert!(names.contains(&"tickets".to_owned()));
    running.shutdown();
}

#[test]
fn a_keepalive_that_goes_unanswered_reconnects_and_loses_nothing() {
    let bot = ws_bot(
        echo_bot().websocket_keepalive(Duration::from_millis(50), Duration::from_millis(200)),
    );
    let emu = bot.emulator();
    let seen = emu.websocket().connections();
    emu.websocket().stop_answering_pings();
    assert!(emu.wait_until(WAIT, |e| e.websocket().connections() > seen));
    bot.say("echo still here").assert_text("still here");
    assert_eq!(answers(emu, "still here"), 1);
}

#[test]
fn a_second_process_on_the_same_device_replaces_the_first() {
    let emu = emulator();
    let first = start(&emu, echo_bot()).unwrap();
    let mut second = start(&emu, echo_bot()).unwrap();
    assert!(emu.wait_until(WAIT, |_| first.events_error().is_some()));
    let why = first.events_error().unwrap();
    assert!(why.contains("4000") && why.contains("replaced"), "{why}");
    exchange(&emu, "from the second");
    assert_eq!(answers(&emu, "from the second"), 1);
    second.shutdown();
    // With names of their own, two processes keep a connection each.
    let emu = emulator();
    let mut a = start(&emu, echo_bot().device_name("replica-a")).unwrap();
    let mut b = start(&emu, echo_bot().device_name("replica-b")).unwrap();
    assert_eq!(emu.websocket().connected(), 2);
    assert!(a.events_error().is_none() && b.events_error().is_none());
    a.shutdown();
    b.shutdown();
}

#[test]
fn rest_ids_are_taken_in_every_base64_form_and_the_organization_is_listed() {
    use webex_bot::models::RestId;
    let emu = emulator();
    let alice = emu.client_for(&emu.users()[0]);
    // A person id is 59 bytes long: its base64 has padding.
    let id = emu.bot().id.clone();
    let d = RestId::decode(&id).unwrap();
    let raw = format!("ciscospark://{}/{}/{}", d.cluster, d.kind, d.uuid);
    // Standard base64 with padding, as some clients write ids.
    let padded = {
        use std::fmt::Write;
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for chunk in raw.as_bytes().chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    s.write_char(A[((n >> (18 - 6 * i)) & 63) as usize] as char)
                        .unwrap();
                } else {
                    s.push('=');
                }
            }
        }
        s
    };
    assert!(padded.ends_with('='), "{padded}");
    assert_eq!(alice.people().get(&padded).unwrap().id, id);
    let orgs: Vec<_> = alice.organizations().list(&Default::default()).collect();
    assert_eq!(orgs.len(), 1);
}
