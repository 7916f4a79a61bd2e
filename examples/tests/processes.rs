//! The echo bot as a process of its own against an emulator, talking over real HTTP: the
//! bot registers its webhooks itself (WEBEX_PUBLIC_URL), answers a user's message, and exits
//! 0 on SIGTERM and SIGINT. The same bot with no public URL takes its events over the
//! emulator's websocket, deletes its device when stopped, and exits with a clear error when
//! the websocket is closed for good.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use webex_bot::emulator::Emulator;

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

use webex_bot::Client;
use webex_bot::client::{ListDirectMessages, RetryPolicy};
use webex_bot::models::NewMessage;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `f` until it returns `Some`, for at most `limit`, backing off from 5 ms.
fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

#[test]
fn the_echo_bot_process_registers_answers_and_stops_on_signals() {
    let emulator = Emulator::builder()
        .bot_with_token("Echo Bot", "echo@webex.bot", Some("BOTTOKEN"))
        .user_with_token("Alice", "alice@example.com", Some("ALICETOKEN"))
        .start()
        .unwrap();
    let base_url = emulator.base_url().to_owned();

    let start_bot = |port: u16| {
        Killed(
            Command::new(env!("CARGO_BIN_EXE_echo"))
                .env("WEBEX_ACCESS_TOKEN", "BOTTOKEN")
                .env("WEBEX_BASE_URL", &base_url)
                .env("WEBEX_PUBLIC_URL", format!("http://127.0.0.1:{port}/webex"))
                .env("WEBEX_LISTEN", format!("127.0.0.1:{port}"))
                .env_remove("WEBEX_WEBHOOK_SECRET")
                .env_remove("WEBEX_EVENTS")
                .stdin(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let bot_port = free_port();
    let mut bot = start_bot(bot_port);
    let bot_client = Client::builder()
        .token("BOTTOKEN")
        .base_url(&base_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let hooks = wait_for(Duration::from_secs(30), || {
        let hooks: Vec<_> = bot_client
            .webhooks()
            .list(&Default::default())
            .filter_map(Result::ok)
            .collect();
        (hooks.len() == 4).then_some(hooks)
    })
    .expect("the bot registered its webhooks");
    assert!(hooks.iter().all(
        |h| h.target_url == format!("http://127.0.0.1:{bot_port}/webex") && h.secret.is_some()
    ));

    let alice = Client::builder()
        .token("ALICETOKEN")
        .base_url(&base_url)
        .build()
        .unwrap();
    alice
        .messages()
        .create(&NewMessage::to_email("echo@webex.bot").text("echo across processes"))
        .unwrap();
    let reply = wait_for(Duration::from_secs(30), || {
        alice
            .messages()
            .list_direct(&ListDirectMessages::default().person_email("echo@webex.bot"))
            .filter_map(Result::ok)
            .find(|m| m.person_email.as_deref() == Some("echo@webex.bot"))
    })
    .expect("the bot answered");
    assert_eq!(reply.text.as_deref(), Some("across processes"));

    // SIGTERM, then SIGINT to a second run: each time the bot stops accepting, finishes,
    // and exits 0.
    let stop = |bot: &mut Killed, signal: &str| {
        let pid = bot.0.id().to_string();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = wait_for(Duration::from_secs(30), || bot.0.try_wait().unwrap())
            .unwrap_or_else(|| panic!("the bot did not exit after {signal}"));
        assert!(status.success(), "exit status after {signal}: {status:?}");
    };
    stop(&mut bot, "-TERM");

    // The second run reuses the webhooks, pointing them at its new address.
    let ids: Vec<String> = hooks.iter().map(|h| h.id.clone()).collect();
    let second_port = free_port();
    let mut second = start_bot(second_port);
    let moved = wait_for(Duration::from_secs(30), || {
        let hooks: Vec<_> = bot_client
            .webhooks()
            .list(&Default::default())
            .filter_map(Result::ok)
            .collect();
        let url = format!("http://127.0.0.1:{second_port}/webex");
        (hooks.len() == 4 && hooks.iter().all(|h| h.target_url == url)).then_some(hooks)
    })
    .expect("the second run took the webhooks over");
    assert!(
        moved.iter().all(|h| ids.contains(&h.id)),
        "new webhooks: {moved:?}"
    );
    stop(&mut second, "-INT");
}

#[test]
fn the_echo_bot_process_takes_events_over_the_websocket_without_a_public_url() {
    let emulator = Emulator::builder()
        .bot_with_token("Echo Bot", "echo@webex.bot", Some("BOTTOKEN"))
        .user_with_token("Alice", "alice@example.com", Some("ALICETOKEN"))
        .start()
        .unwrap();
    // The token from a file only its owner can read.
    let token_file =
        std::env::temp_dir().join(format!("webex-bot-process-token-{}", std::process::id()));
    webex_bot::tokens::write_token_file(&token_file, b"BOTTOKEN\n").unwrap();
    let start_bot = || {
        Killed(
            Command::new(env!("CARGO_BIN_EXE_echo"))
                .env_remove("WEBEX_ACCESS_TOKEN")
                .env("WEBEX_ACCESS_TOKEN_FILE", &token_file)
                .env("WEBEX_BASE_URL", emulator.base_url())
                .env("WEBEX_U2C_URL", emulator.u2c_url())
                .env("WEBEX_LISTEN", "127.0.0.1:0")
                .env_remove("WEBEX_PUBLIC_URL")
                .env_remove("WEBEX_WEBHOOK_SECRET")
                .env_remove("WEBEX_EVENTS")
                .stdin(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        )
    };
    let limit = Duration::from_secs(30);
    let mut bot = start_bot();
    assert!(
        emulator.wait_until(limit, |e| e.websocket().connected() == 1),
        "the bot connected"
    );
    assert_eq!(emulator.devices(emulator.bot()).len(), 1);
    let alice = emulator.client_for(&emulator.users()[0]);
    alice
        .messages()
        .create(&NewMessage::to_email("echo@webex.bot").text("echo no tunnel needed"))
        .unwrap();
    let bot_id = emulator.bot().id.clone();
    assert!(emulator.wait_until(limit, |e| {
        e.all_messages().iter().any(|m| {
            m.person_id.as_deref() == Some(bot_id.as_str())
                && m.text.as_deref() == Some("no tunnel needed")
        })
    }));
    assert!(
        emulator.webhooks().is_empty(),
        "no webhooks over the websocket"
    );

    // SIGTERM: the bot closes the socket, deletes its device and exits 0.
    let pid = bot.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = wait_for(limit, || bot.0.try_wait().unwrap()).expect("the bot exited");
    assert!(status.success(), "{status:?}");
    assert!(
        emulator.devices(emulator.bot()).is_empty(),
        "device deleted"
    );

    // Closed for good (4403): the bot says why and exits non-zero by itself.
    let mut bot = start_bot();
    assert!(emulator.wait_until(limit, |e| e.websocket().connected() == 1));
    emulator.websocket().close_all(4403, "forbidden");
    let (status, stderr) = exited(&mut bot, limit).expect("the bot exited by itself");
    assert!(!status.success(), "{status:?}");
    assert!(
        stderr.contains("4403") && stderr.contains("forbidden"),
        "{stderr}"
    );

    // A token file others can read: the bot refuses to start, and says how to fix it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut bot = start_bot();
        let (status, stderr) = exited(&mut bot, limit).expect("the bot exited");
        assert!(!status.success());
        assert!(stderr.contains("chmod 600"), "{stderr}");
        assert!(!stderr.contains("BOTTOKEN"), "{stderr}");
    }
    let _ = std::fs::remove_file(&token_file);
}

/// Waits for the bot to exit by itself; its status and what it wrote on stderr.
fn exited(bot: &mut Killed, limit: Duration) -> Option<(std::process::ExitStatus, String)> {
    use std::io::Read;
    let status = wait_for(limit, || bot.0.try_wait().unwrap())?;
    let mut stderr = String::new();
    bot.0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Some((status, stderr))
}

#[test]
fn the_oauth_login_example_takes_the_redirect_and_saves_a_working_token() {
    let emulator = Emulator::builder()
        .user_with_token("Alice", "alice@example.com", Some("ALICETOKEN"))
        .start()
        .unwrap();
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    emulator.add_integration("cli-app", "cli-secret", &redirect);
    let dir = std::env::temp_dir().join(format!("oauth-login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("access.token");
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_oauth_login"))
            .env("WEBEX_CLIENT_ID", "cli-app")
            .env("WEBEX_CLIENT_SECRET", "cli-secret")
            .env("WEBEX_REDIRECT_URI", &redirect)
            .env("WEBEX_BASE_URL", emulator.base_url())
            .env("OAUTH_TOKEN_FILE", &token_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The address to open is on standard error; the listener is up before it is shown.
    use std::io::BufRead;
    let stderr = std::io::BufReader::new(child.0.stderr.take().unwrap());
    let url = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.trim().starts_with("http").then(|| l.trim().to_owned()))
        .expect("the example shows the address to open");
    assert!(url.contains("client_id=cli-app"), "{url}");
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build(),
    );
    let resp = agent
        .get(&url)
        .header("Authorization", "Bearer ALICETOKEN")
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let page = agent
        .get(&location)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(page.contains("close this tab"), "{page}");
    let out = child.0.stdout.take().unwrap();
    let mut printed = String::new();
    use std::io::Read;
    std::io::BufReader::new(out)
        .read_to_string(&mut printed)
        .unwrap();
    assert!(
        printed.contains("authorized as Alice <alice@example.com>"),
        "{printed}"
    );
    let token = webex_bot::tokens::read_token_file(&token_file).unwrap();
    let me = Client::builder()
        .token(token.expose())
        .base_url(emulator.base_url())
        .build()
        .unwrap()
        .people()
        .me()
        .unwrap();
    assert_eq!(me.emails, ["alice@example.com"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
