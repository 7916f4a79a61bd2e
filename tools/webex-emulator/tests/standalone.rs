//! The emulator as a process: it prints its base URL and accounts, serves a client with the
//! tokens it was given, refuses bad arguments with the usage, and exits 0 on SIGTERM.

use std::process::Command;
use std::time::{Duration, Instant};

use webex_bot::Client;
use webex_bot::models::NewMessage;

mod common;

#[test]
fn it_serves_clients_with_the_given_tokens_and_stops_on_sigterm() {
    let (mut emulator, base_url) = common::start_emulator(&[
        "--listen",
        "127.0.0.1:0",
        "--bot",
        "Echo Bot:echo@webex.bot:BOTTOKEN",
        "--user",
        "Alice:alice@example.com:ALICETOKEN",
    ]);
    let alice = Client::builder()
        .token("ALICETOKEN")
        .base_url(&base_url)
        .build()
        .unwrap();
    assert_eq!(
        alice.people().me().unwrap().display_name.as_deref(),
        Some("Alice")
    );
    let sent = alice
        .messages()
        .create(&NewMessage::to_email("echo@webex.bot").text("hi"))
        .unwrap();
    let bot = Client::builder()
        .token("BOTTOKEN")
        .base_url(&base_url)
        .build()
        .unwrap();
    assert_eq!(
        bot.messages().get(&sent.id).unwrap().text.as_deref(),
        Some("hi")
    );

    let pid = emulator.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = emulator.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the emulator did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn bad_arguments_get_the_usage_and_status_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_webex-emulator"))
        .args(["--bot", "no-email"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expected NAME:EMAIL[:TOKEN]") && err.contains("usage:"),
        "{err}"
    );
}

#[test]
fn it_serves_the_websocket_a_bot_takes_its_events_from() {
    use webex_bot::{Bot, BotIdentity, State, command, commands};
    let (_emulator, base_url) = common::start_emulator(&[
        "--listen",
        "127.0.0.1:0",
        "--bot",
        "Echo Bot:echo@webex.bot:BOTTOKEN",
        "--user",
        "Alice:alice@example.com:ALICETOKEN",
    ]);
    let u2c = format!("{}/u2c/api/v1", base_url.trim_end_matches("/v1"));
    type Seen = crossbeam_channel::Sender<String>;
    /// Report.
    #[command("echo <text...>")]
    fn echo(text: String, seen: State<Seen>) -> String {
        let _ = seen.send(text.clone());
        text
    }
    let (tx, rx) = crossbeam_channel::unbounded::<String>();
    let bot_client = Client::builder()
        .token("BOTTOKEN")
        .base_url(&base_url)
        .build()
        .unwrap();
    let me = bot_client.people().me().unwrap();
    let mut running = Bot::builder(commands![echo])
        .state(tx)
        .client(bot_client)
        .identity(BotIdentity::new(me.id, "Echo Bot"))
        .listen("127.0.0.1:0")
        .u2c_url(&u2c)
        .build()
        .unwrap()
        .start()
        .unwrap();
    let alice = Client::builder()
        .token("ALICETOKEN")
        .base_url(&base_url)
        .build()
        .unwrap();
    alice
        .messages()
        .create(&NewMessage::to_email("echo@webex.bot").text("echo over the socket"))
        .unwrap();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(30)).unwrap(),
        "over the socket"
    );
    running.shutdown();
}
