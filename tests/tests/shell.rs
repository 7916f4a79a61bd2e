//! Shell mode as a learner meets it: what the bot posts on its own shows without another
//! line typed, says which room it is in, and shows once; a card shows once; `@Alice` is a
//! mention. Input comes from a channel, so the test decides when each line is typed.

use std::io::{BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use webex_bot::{Bot, Card, Context, Mention, Reply, command, commands};

/// Typed lines: each arrives when the test sends it; the input ends when the sender drops.
struct Typed {
    lines: Receiver<String>,
    pending: Vec<u8>,
}

impl Read for Typed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            match self.lines.recv() {
                Ok(line) => self.pending = format!("{line}\n").into_bytes(),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

/// The terminal: what the shell wrote so far.
#[derive(Clone, Default)]
struct Screen(Arc<Mutex<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Screen {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Waits (at most 20 s) until the screen shows `what`.
    fn wait_for(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.text().contains(what) {
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what:?}:\n{}",
                self.text()
            );
            std::thread::yield_now();
        }
    }
}

static RING: Mutex<Option<Receiver<()>>> = Mutex::new(None);

/// Posts in this room when the test says so, and in the group room right away.
#[command("alarm")]
fn alarm(ctx: &Context) -> String {
    let rx = RING.lock().unwrap().take().expect("one alarm per test");
    let notifier = ctx.notifier();
    let room = ctx.room().id.clone();
    std::thread::spawn(move || {
        let _ = rx.recv();
        notifier
            .send(Reply::text("ring ring").to_room(room))
            .unwrap();
    });
    "Alarm set.".into()
}

/// Says hello in the group room, from a direct message.
#[command("announce")]
fn announce(ctx: &Context) -> String {
    let group = GROUP.lock().unwrap().clone().unwrap();
    ctx.notifier()
        .send(Reply::text("Hello, group!").to_room(group))
        .unwrap();
    "Announced.".into()
}

static GROUP: Mutex<Option<String>> = Mutex::new(None);

/// A card.
#[command("form")]
fn form() -> Card {
    Card::new().text("Pick one").submit("OK", "ok")
}

/// Assign to someone.
#[command("assign <who>")]
fn assign(who: Mention) -> String {
    format!("Assigned to {}", who.display_name)
}

/// Remembers the group room's id.
#[command("here")]
fn here(ctx: &Context) -> String {
    *GROUP.lock().unwrap() = Some(ctx.room().id.clone());
    "Noted.".into()
}

#[test]
fn the_shell_shows_what_comes_later_where_it_belongs_and_once() {
    let (ring, rung) = bounded(1);
    *RING.lock().unwrap() = Some(rung);
    let (typed, lines): (Sender<String>, Receiver<String>) = unbounded();
    let screen = Screen::default();
    let out = screen.clone();
    let shell = std::thread::spawn(move || {
        let input = BufReader::new(Typed {
            lines,
            pending: Vec::new(),
        });
        webex_bot::shell::run_with(
            Bot::builder(commands![alarm, announce, form, assign, here]),
            input,
            out,
            std::io::sink(),
        )
    });

    // A message the bot posts later, with no line typed after it: shown when it comes.
    typed.send("alarm".into()).unwrap();
    screen.wait_for("bot> Alarm set.");
    ring.send(()).unwrap();
    screen.wait_for("bot> ring ring");

    // A message posted in another room says which.
    typed.send("/group".into()).unwrap();
    typed.send("here".into()).unwrap();
    screen.wait_for("bot> Noted.");
    typed.send("/direct".into()).unwrap();
    typed.send("announce".into()).unwrap();
    screen.wait_for("bot [in the group room]> Hello, group!");
    screen.wait_for("bot> Announced.");

    // A card once (it was shown twice: its fallback text, then the card).
    typed.send("form".into()).unwrap();
    screen.wait_for("[OK] (submit: ok)");

    // @Alice is a mention.
    typed.send("/group".into()).unwrap();
    typed.send("assign @Alice".into()).unwrap();
    screen.wait_for("bot> Assigned to Alice");

    drop(typed);
    shell.join().unwrap().unwrap();
    let text = screen.text();
    for once in [
        "ring ring",
        "Hello, group!",
        "Pick one",
        "Assigned to Alice",
    ] {
        assert_eq!(text.matches(once).count(), 1, "{once:?} not once:\n{text}");
    }
}
