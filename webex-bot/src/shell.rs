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

use std::io::{BufRead, Write};

use serde_json::{Map, Value};

use crate::bot::{BotBuilder, BotError};
use crate::models::Message;
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
    mut output: impl Write,
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
        "webex-bot shell: running offline against an embedded Webex emulator ({}).\n\
         To run against Webex, set WEBEX_ACCESS_TOKEN (and WEBEX_PUBLIC_URL for webhooks).\n\
         You are {} in a direct room with the bot. {SHELL_HELP}",
        bot.emulator().base_url(),
        bot.user().name
    );
    let mut in_group = false;
    let mut last_card: Option<Message> = None;
    // Messages already shown: the bot may also post on its own (timers, routes), and those
    // are shown with the next reply.
    let mut shown: std::collections::HashSet<String> = bot
        .emulator()
        .all_messages()
        .into_iter()
        .map(|m| m.id)
        .collect();
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
                let _ = writeln!(output, "{SHELL_HELP}");
                None
            }
            "/group" => {
                in_group = true;
                let _ = writeln!(
                    output,
                    "(now in the group room; your messages mention the bot)"
                );
                None
            }
            "/direct" => {
                in_group = false;
                let _ = writeln!(output, "(now in the direct room)");
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
                        let _ = writeln!(output, "(cannot read {path}: {e})");
                        None
                    }
                }
            }
            "/submit" => match &last_card {
                None => {
                    let _ = writeln!(output, "(no card to submit yet)");
                    None
                }
                Some(card) => Some(bot.submit_card(card, submit_inputs(rest))),
            },
            _ if in_group => Some(bot.say_in_group(line)),
            _ => Some(bot.say(line)),
        };
        if replies.is_some() {
            let bot_id = &bot.emulator().bot().id;
            for m in bot.emulator().all_messages() {
                if m.person_id.as_deref() != Some(bot_id.as_str()) || !shown.insert(m.id.clone()) {
                    shown.insert(m.id.clone());
                    continue;
                }
                if !m.attachments.is_empty() {
                    last_card = Some(m.clone());
                }
                print_message(&mut output, &m);
            }
            let _ = output.flush();
        }
    }
    Ok(())
}

fn print_message(out: &mut impl Write, m: &Message) {
    let text = display_text(m);
    let thread = if m.parent_id.is_some() {
        " (in thread)"
    } else {
        ""
    };
    let mut lines = text.lines();
    let _ = writeln!(out, "bot{thread}> {}", lines.next().unwrap_or(""));
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
