//! The standalone Webex emulator as a library: what the `webex-emulator` binary and the
//! `webex-bot emulator` subcommand both run. It serves an in-memory Webex Messaging API
//! ([`webex_bot::emulator::Emulator`]) until SIGINT or SIGTERM, after printing where it is
//! and every account with its token.
//!
//! ```
//! use webex_emulator::{Account, Options};
//! let options = Options {
//!     bots: vec!["Ops:ops@webex.bot:ops-token".parse::<Account>().unwrap()],
//!     ..Options::default()
//! };
//! assert_eq!(options.listen, "127.0.0.1:8900");
//! assert_eq!(options.bots[0].token.as_deref(), Some("ops-token"));
//! ```

use std::io::Write;
use std::str::FromStr;

use webex_bot::emulator::Emulator;

/// The usage text of the `webex-emulator` binary.
pub const USAGE: &str = "usage: webex-emulator [--listen ADDR] [--bot NAME:EMAIL[:TOKEN]]... [--user NAME:EMAIL[:TOKEN]]... [--webhook-failures N]

Serves an in-memory Webex Messaging API on ADDR (default 127.0.0.1:8900) until SIGINT or
SIGTERM. Without --bot, a bot \"Bot\" (bot@webex.bot) is created; without --user, a user
\"Alice\" (alice@example.com). Tokens not given are random, or taken from
WEBEX_EMULATOR_BOT_TOKEN and WEBEX_EMULATOR_USER_TOKEN for the first bot and user.
A webhook is made inactive after N failed deliveries in a row (default 5).
It prints its base URL, its U2C URL (the way to its device service and websocket, for
bots that take events over the websocket) and every account with its token.";

/// An account to create: `NAME:EMAIL[:TOKEN]`.
///
/// ```
/// let a: webex_emulator::Account = "Alice:alice@example.com".parse().unwrap();
/// assert_eq!((a.name.as_str(), a.token), ("Alice", None));
/// assert!("no-email".parse::<webex_emulator::Account>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its display name.
    pub name: String,
    /// Its email.
    pub email: String,
    /// Its token; random when `None`.
    pub token: Option<String>,
}

impl FromStr for Account {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        let mut parts = spec.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(n), Some(e), t) if !n.is_empty() && e.contains('@') => Ok(Account {
                name: n.to_owned(),
                email: e.to_owned(),
                token: t.filter(|t| !t.is_empty()).map(str::to_owned),
            }),
            _ => Err(format!("bad account {spec:?}: expected NAME:EMAIL[:TOKEN]")),
        }
    }
}

/// What to serve.
///
/// ```
/// let o = webex_emulator::Options::default();
/// assert!(o.bots.is_empty() && o.users.is_empty());
/// assert_eq!(o.webhook_failures, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The address to listen on (port 0: any free port; the real one is printed).
    pub listen: String,
    /// The bots; none means one bot "Bot" (bot@webex.bot).
    pub bots: Vec<Account>,
    /// The users; none means one user "Alice" (alice@example.com).
    pub users: Vec<Account>,
    /// Failed deliveries in a row after which a webhook becomes inactive.
    pub webhook_failures: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: "127.0.0.1:8900".into(),
            bots: Vec::new(),
            users: Vec::new(),
            webhook_failures: 5,
        }
    }
}

/// Parses the `webex-emulator` binary's arguments (without the program name). `Ok(None)`
/// means `--help` was asked for.
///
/// ```
/// let o = webex_emulator::parse_args(["--listen".to_owned(), "127.0.0.1:0".to_owned()]).unwrap().unwrap();
/// assert_eq!(o.listen, "127.0.0.1:0");
/// assert!(webex_emulator::parse_args(["--help".to_owned()]).unwrap().is_none());
/// assert!(webex_emulator::parse_args(["--bot".to_owned()]).unwrap_err().contains("needs a value"));
/// ```
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--listen" => options.listen = value()?,
            "--bot" => options.bots.push(value()?.parse()?),
            "--user" => options.users.push(value()?.parse()?),
            "--webhook-failures" => {
                options.webhook_failures = value()?
                    .parse()
                    .map_err(|_| "--webhook-failures needs a whole number".to_owned())?
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(options))
}

/// Starts the emulator, prints `WEBEX_BASE_URL=...`, `WEBEX_U2C_URL=...`, each account
/// (`bot NAME <EMAIL> id=ID token=TOKEN`) and `ready` to `out`, serves until SIGINT or
/// SIGTERM, and returns the exit code (0 after a signal, 1 when it could not start).
///
/// ```no_run
/// let code = webex_emulator::serve(webex_emulator::Options::default(), std::io::stdout());
/// std::process::exit(code);
/// ```
pub fn serve(options: Options, mut out: impl Write) -> i32 {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let mut bots = options.bots;
    let mut users = options.users;
    if bots.is_empty() {
        bots.push("Bot:bot@webex.bot".parse().expect("valid"));
    }
    if users.is_empty() {
        users.push("Alice:alice@example.com".parse().expect("valid"));
    }
    if bots[0].token.is_none() {
        bots[0].token = env("WEBEX_EMULATOR_BOT_TOKEN");
    }
    if users[0].token.is_none() {
        users[0].token = env("WEBEX_EMULATOR_USER_TOKEN");
    }
    let mut b = Emulator::builder()
        .listen(options.listen)
        .failure_threshold(options.webhook_failures);
    for a in &bots {
        b = b.bot_with_token(&a.name, &a.email, a.token.as_deref());
    }
    for a in &users {
        b = b.user_with_token(&a.name, &a.email, a.token.as_deref());
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
    let users = emu.users();
    let bots = emu.bots().iter().map(|a| ("bot", a));
    for (kind, a) in bots.chain(users.iter().map(|a| ("user", a))) {
        let _ = writeln!(
            out,
            "{kind} {} <{}> id={} token={}",
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
