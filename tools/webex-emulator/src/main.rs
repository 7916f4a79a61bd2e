//! The standalone Webex emulator: an in-memory Webex Messaging API that any Webex client
//! (this crate's bots, an SDK, curl) can be pointed at.
//!
//! ```sh
//! cargo install --path tools/webex-emulator   # or: cargo run -p webex-emulator --
//! webex-emulator --listen 127.0.0.1:8900
//! ```
//!
//! It prints `WEBEX_BASE_URL=...` and `WEBEX_U2C_URL=...` (for bots taking events over
//! the websocket), then each account with its token, then `ready`.

use std::io::Write;

use webex_bot::emulator::Emulator;

const USAGE: &str = "usage: webex-emulator [--listen ADDR] [--bot NAME:EMAIL[:TOKEN]]... [--user NAME:EMAIL[:TOKEN]]...

Serves an in-memory Webex Messaging API on ADDR (default 127.0.0.1:8900) until SIGINT or
SIGTERM. Without --bot, a bot \"Bot\" (bot@webex.bot) is created; without --user, a user
\"Alice\" (alice@example.com). Tokens not given are random, or taken from
WEBEX_EMULATOR_BOT_TOKEN and WEBEX_EMULATOR_USER_TOKEN for the first bot and user.
It prints its base URL, its U2C URL (the way to its device service and websocket, for
bots that take events over the websocket) and every account with its token.";

fn account(spec: &str) -> Result<(String, String, Option<String>), String> {
    let mut parts = spec.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(n), Some(e), t) if !n.is_empty() && e.contains('@') => {
            Ok((n.to_owned(), e.to_owned(), t.map(str::to_owned)))
        }
        _ => Err(format!("bad account {spec:?}: expected NAME:EMAIL[:TOKEN]")),
    }
}

/// Runs the emulator process with these arguments (without the program name); returns the
/// exit code. It serves until SIGINT or SIGTERM.
///
/// ```
/// let mut out = Vec::new();
/// assert_eq!(webex_bot::emulator::cli::run(["--help".to_owned()], &mut out), 0);
/// assert!(String::from_utf8(out).unwrap().starts_with("usage: webex-emulator"));
/// ```
fn run(args: impl IntoIterator<Item = String>, mut out: impl Write) -> i32 {
    let mut listen = "127.0.0.1:8900".to_owned();
    let mut bots = Vec::new();
    let mut users = Vec::new();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| {
            args.next().ok_or_else(|| format!("{a} needs a value"))
        };
        let r = match a.as_str() {
            "--listen" => value(&mut args).map(|v| listen = v),
            "--bot" => value(&mut args)
                .and_then(|v| account(&v))
                .map(|acc| bots.push(acc)),
            "--user" => value(&mut args)
                .and_then(|v| account(&v))
                .map(|acc| users.push(acc)),
            "-h" | "--help" => {
                let _ = writeln!(out, "{USAGE}");
                return 0;
            }
            other => Err(format!("unknown argument {other:?}")),
        };
        if let Err(e) = r {
            eprintln!("webex-emulator: {e}\n{USAGE}");
            return 2;
        }
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if bots.is_empty() {
        bots.push(("Bot".into(), "bot@webex.bot".into(), None));
    }
    if users.is_empty() {
        users.push(("Alice".into(), "alice@example.com".into(), None));
    }
    if bots[0].2.is_none() {
        bots[0].2 = env("WEBEX_EMULATOR_BOT_TOKEN");
    }
    if users[0].2.is_none() {
        users[0].2 = env("WEBEX_EMULATOR_USER_TOKEN");
    }
    let mut b = Emulator::builder().listen(listen);
    for (n, e, t) in &bots {
        b = b.bot_with_token(n, e, t.as_deref());
    }
    for (n, e, t) in &users {
        b = b.user_with_token(n, e, t.as_deref());
    }
    let mut signals = match signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("webex-emulator: signal handlers: {e}");
            return 1;
        }
    };
    let emu = match b.start() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("webex-emulator: cannot start: {e}");
            return 1;
        }
    };
    let _ = writeln!(out, "WEBEX_BASE_URL={}", emu.base_url());
    let _ = writeln!(out, "WEBEX_U2C_URL={}", emu.u2c_url());
    for a in emu.bots() {
        let _ = writeln!(
            out,
            "bot {} <{}> id={} token={}",
            a.name, a.email, a.id, a.token
        );
    }
    for a in emu.users() {
        let _ = writeln!(
            out,
            "user {} <{}> id={} token={}",
            a.name, a.email, a.id, a.token
        );
    }
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    if let Some(sig) = signals.forever().next() {
        eprintln!("webex-emulator: signal {sig}: stopping");
    }
    emu.shutdown();
    0
}

fn main() {
    webex_bot::logging::init();
    let code = run(std::env::args().skip(1), std::io::stdout());
    std::process::exit(code);
}
