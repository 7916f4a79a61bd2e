//! Shell mode: the bot runs against an embedded emulator and you chat with it in the
//! terminal. [`run`](crate::run) starts it when `WEBEX_ACCESS_TOKEN` is not set.
//!
//! Each line typed is a message from you to the bot in a direct room. Shell commands:
//!
//! - `/group`: go to a group room; your lines then mention the bot.
//! - `/direct`: back to the direct room.
//! - `/plain TEXT`: in the group room, send TEXT without mentioning the bot.
//! - `/submit [ACTION] [NAME=VALUE ...]`: press a submit button of the last card.
//! - `/file PATH [TEXT]`: send a file (in the direct room), with a text.
//! - `/help`, `/quit` (or end of input).
//!
//! `@Alice` (the first name or full name of a person the emulator knows) is a mention of
//! that person, as the Webex app makes one. What the bot posts on its own, from a timer or a
//! route, is shown when it comes; a message posted in another room than yours says which.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::bot::{BotBuilder, BotError};
use crate::emulator::Emulator;
use crate::models::{Message, NewMessage};
use crate::testing::{Replies, TestBot, TestError, display_text};

const SHELL_HELP: &str = "Shell commands: /group (talk in a group room, mentioning the bot), /direct (back to the direct room), \
/plain TEXT (group message without a mention), /submit [ACTION] [NAME=VALUE ...] (press a card's button), /file PATH [TEXT] (send a file), /help, /quit";

/// Runs shell mode with `input` and `output` (the terminal, or pipes).
///
/// ```
/// use webex_bot::{Bot, command, commands};
///
/// /// Echo.
/// #[command("echo <text...>")]
/// fn echo(text: String) -> String { text }
///
/// let mut out = Vec::new();
/// webex_bot::shell::run_with(Bot::builder(commands![echo]), &b"echo hi\n"[..], &mut out, std::io::sink()).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "bot> hi\n");
/// ```
pub fn run_with(
    builder: BotBuilder,
    input: impl BufRead,
    output: impl Write + Send,
    mut notice: impl Write,
) -> Result<(), BotError> {
    let bot = TestBot::start(builder).map_err(|e| match e {
        TestError::Bot(b) => b,
        TestError::Emulator(source) => BotError::System {
            doing: "starting the embedded emulator",
            source,
        },
        TestError::Client(e) => BotError::from(e),
    })?;
    let _ = writeln!(
        notice,
        "webex-bot shell: running offline against an embedded Webex emulator ({}), events over the {}.\n\
         To run against Webex, set WEBEX_ACCESS_TOKEN (and WEBEX_PUBLIC_URL for webhooks).\n\
         You are {} in a direct room with the bot; write @{} to mention yourself. {SHELL_HELP}",
        bot.emulator().base_url(),
        if bot.running().stats().connection.is_some() {
            "websocket"
        } else {
            "webhook (WEBEX_EVENTS=websocket for the websocket)"
        },
        bot.user().name,
        first_name(&bot.user().name),
    );
    // Nothing shown yet: a message the bot posted at start is shown first, once.
    let screen = Mutex::new(Screen {
        out: output,
        shown: HashSet::new(),
        last_card: None,
        here: None,
        direct_room: None,
    });
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // What the bot posts on its own (timers, notifications, routes) is shown when it
        // comes, not with the next reply.
        scope.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                bot.emulator().wait_until(Duration::from_millis(500), |e| {
                    done.load(Ordering::SeqCst) || has_unseen(e, &screen)
                });
                show_new(&bot, &screen);
            }
        });
        chat(&bot, input, &screen);
        // The watcher sees this within 50 ms: `wait_until` checks at least that often.
        done.store(true, Ordering::SeqCst);
    });
    Ok(())
}

/// The terminal, and what has been shown on it.
struct Screen<W> {
    out: W,
    /// Ids of the bot's messages shown.
    shown: HashSet<String>,
    /// The last card the bot sent, for `/submit`.
    last_card: Option<Message>,
    /// The room the user is writing in, once known.
    here: Option<String>,
    direct_room: Option<String>,
}

fn chat<W: Write>(bot: &TestBot, input: impl BufRead, screen: &Mutex<Screen<W>>) {
    let mut in_group = false;
    let say = |line: &str| writeln_to(screen, line);
    show_new(bot, screen);
    for line in input.lines() {
        let Ok(line) = line else { break };
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        let replies: Option<Replies> = match cmd {
            "/quit" | "/exit" => break,
            "/help" => {
                say(SHELL_HELP);
                None
            }
            "/group" => {
                in_group = true;
                screen.lock().expect("screen").here = Some(bot.group_room().to_owned());
                say("(now in the group room; your messages mention the bot)");
                None
            }
            "/direct" => {
                in_group = false;
                let mut s = screen.lock().expect("screen");
                s.here = s.direct_room.clone();
                drop(s);
                say("(now in the direct room)");
                None
            }
            "/plain" => Some(bot.say_in_group_unmentioned(rest)),
            "/file" => {
                let (path, text) = rest.split_once(' ').unwrap_or((rest, ""));
                match std::fs::read(path) {
                    Ok(bytes) => {
                        let name = std::path::Path::new(path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "file".into());
                        Some(bot.say_with_file(text, &name, &bytes))
                    }
                    Err(e) => {
                        say(&format!("(cannot read {path}: {e})"));
                        None
                    }
                }
            }
            "/submit" => {
                let card = screen.lock().expect("screen").last_card.clone();
                match card {
                    None => {
                        say("(no card to submit yet)");
                        None
                    }
                    Some(card) => Some(bot.submit_card(&card, submit_inputs(rest))),
                }
            }
            _ => Some(send_line(bot, line, in_group)),
        };
        if let Some(r) = &replies
            && !in_group
            && let Some(room) = r.sent.as_ref().and_then(|m| m.room_id.clone())
            && cmd != "/plain"
            && cmd != "/submit"
        {
            let mut s = screen.lock().expect("screen");
            s.direct_room = Some(room.clone());
            s.here = Some(room);
        }
        show_new(bot, screen);
    }
}

/// Sends a typed line as the user: `@Name` of a person the emulator knows becomes a
/// mention of them, as the Webex app makes one.
fn send_line(bot: &TestBot, line: &str, in_group: bool) -> Replies {
    let users = bot.emulator().users();
    let mut mentioned = false;
    let words: Vec<String> = line
        .split(' ')
        .map(|w| {
            let who = w.strip_prefix('@').and_then(|name| {
                users.iter().find(|u| {
                    first_name(&u.name).eq_ignore_ascii_case(name)
                        || u.name.eq_ignore_ascii_case(name)
                })
            });
            match who {
                Some(u) => {
                    mentioned = true;
                    format!("<@personId:{}|{}>", u.id, first_name(&u.name))
                }
                None => crate::markdown::escape(w),
            }
        })
        .collect();
    if !mentioned {
        return if in_group {
            bot.say_in_group(line)
        } else {
            bot.say(line)
        };
    }
    let md = words.join(" ");
    let b = bot.emulator().bot();
    if in_group {
        let md = format!("<@personId:{}|{}> {md}", b.id, first_name(&b.name));
        bot.send(NewMessage::to_room(bot.group_room()).markdown(md))
    } else {
        bot.send(NewMessage::to_email(&b.email).markdown(md))
    }
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

fn writeln_to<W: Write>(screen: &Mutex<Screen<W>>, line: &str) {
    let mut s = screen.lock().expect("screen");
    let _ = writeln!(s.out, "{line}");
    let _ = s.out.flush();
}

/// Whether the bot has posted a message not shown yet.
fn has_unseen<W>(emulator: &Emulator, screen: &Mutex<Screen<W>>) -> bool {
    let bot_id = &emulator.bot().id;
    let s = screen.lock().expect("screen");
    emulator
        .all_messages()
        .iter()
        .any(|m| m.person_id.as_deref() == Some(bot_id.as_str()) && !s.shown.contains(&m.id))
}

/// Shows the bot's messages not shown yet, in order, each once; one posted in another room
/// than the user's says which.
fn show_new<W: Write>(bot: &TestBot, screen: &Mutex<Screen<W>>) {
    let bot_id = &bot.emulator().bot().id;
    let mut s = screen.lock().expect("screen");
    for m in bot.emulator().all_messages() {
        if m.person_id.as_deref() != Some(bot_id.as_str()) || !s.shown.insert(m.id.clone()) {
            continue;
        }
        if !m.attachments.is_empty() {
            s.last_card = Some(m.clone());
        }
        let room = m.room_id.as_deref().unwrap_or("");
        let label = if s.here.as_deref().is_none_or(|h| h == room) {
            String::new()
        } else if room == bot.group_room() {
            " [in the group room]".to_owned()
        } else if s.direct_room.as_deref() == Some(room) {
            " [in the direct room]".to_owned()
        } else {
            let title = bot
                .user_client()
                .rooms()
                .get(room)
                .ok()
                .and_then(|r| r.title)
                .unwrap_or_else(|| "another room".into());
            format!(" [in {title}]")
        };
        print_message(&mut s.out, &m, &label);
    }
    let _ = s.out.flush();
}

fn print_message(out: &mut impl Write, m: &Message, label: &str) {
    let text = display_text(m);
    let thread = if m.parent_id.is_some() {
        " (in thread)"
    } else {
        ""
    };
    let mut lines = text.lines();
    let _ = writeln!(out, "bot{thread}{label}> {}", lines.next().unwrap_or(""));
    for l in lines {
        let _ = writeln!(out, "     {l}");
    }
}

/// `[ACTION] NAME=VALUE ...` into the inputs of a submission (the harness adds the pressed
/// button's data).
fn submit_inputs(args: &str) -> Value {
    let mut inputs = Map::new();
    let mut action = None;
    for word in args.split_whitespace() {
        match word.split_once('=') {
            Some((k, v)) => {
                inputs.insert(k.to_owned(), Value::String(v.to_owned()));
            }
            None if action.is_none() => action = Some(word.to_owned()),
            None => {}
        }
    }
    if let Some(a) = action {
        inputs.insert("action".into(), Value::String(a));
    }
    Value::Object(inputs)
}
