//! A ticket tracker driven by commands: `open <title...>`, `find <id>`, `list [status]`,
//! `assign <who> <id>`, `close <id> <reason...>`. Tickets are kept in `TICKETS_FILE`
//! (default `tickets.json`).
//!
//! The controller pattern: commands drive an outside system, here a small ticket tracker
//! whose state lives in a JSON file, so a restart loses nothing.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use webex_bot::{Bot, BotBuilder, Context, Markdown, Mention, State, command, commands};

// ANCHOR: store
/// A ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Its number.
    pub id: u32,
    /// What it is about.
    pub title: String,
    /// `open` or `closed`.
    pub status: String,
    /// Who works on it: person id and name.
    pub assignee: Option<(String, String)>,
    /// Why it was closed.
    pub resolution: Option<String>,
}

/// The tickets, saved to a file after every change.
#[derive(Debug)]
pub struct Tracker {
    path: PathBuf,
    tickets: Mutex<Vec<Ticket>>,
}

impl Tracker {
    /// Loads the tickets from `path` (none if the file does not exist yet).
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Tracker> {
        let path = path.as_ref().to_owned();
        let tickets = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(std::io::Error::other)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(Tracker {
            path,
            tickets: Mutex::new(tickets),
        })
    }

    /// Runs `f` on the tickets and saves them (written to a temporary file, then renamed,
    /// so a crash never leaves half a file).
    fn change<T>(
        &self,
        f: impl FnOnce(&mut Vec<Ticket>) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut tickets = self
            .tickets
            .lock()
            .map_err(|_| "the tracker is unavailable".to_owned())?;
        let out = f(&mut tickets)?;
        let tmp = self.path.with_extension("tmp");
        let bytes = serde_json::to_vec_pretty(&*tickets).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| format!("could not save: {e}"))?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&[Ticket]) -> T) -> T {
        f(&self.tickets.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
// ANCHOR_END: store

fn line(t: &Ticket) -> Markdown {
    let md = Markdown::new()
        .bold(&format!("#{}", t.id))
        .text(" ")
        .text(&t.title)
        .text(&format!(" ({})", t.status));
    // The name only: a list should not notify everyone it names.
    match &t.assignee {
        Some((_, name)) => md.text(" - ").text(name),
        None => md,
    }
}

// ANCHOR: commands
/// Open a ticket.
#[command("open <title...>", alias = "new")]
fn open(title: String, tracker: State<Tracker>) -> Result<String, String> {
    tracker.change(|tickets| {
        let id = tickets.iter().map(|t| t.id).max().unwrap_or(0) + 1;
        tickets.push(Ticket {
            id,
            title,
            status: "open".into(),
            assignee: None,
            resolution: None,
        });
        Ok(format!("Opened ticket #{id}."))
    })
}

/// Show one ticket.
#[command("find <id>", alias = "show")]
fn find(id: u32, tracker: State<Tracker>) -> Result<Markdown, String> {
    tracker.read(|tickets| {
        tickets
            .iter()
            .find(|t| t.id == id)
            .map(line)
            .ok_or(format!("there is no ticket #{id}"))
    })
}

/// List tickets, all or those with a status (open, closed).
#[command("list [status]")]
fn list(status: Option<String>, tracker: State<Tracker>) -> Markdown {
    tracker.read(|tickets| {
        let shown: Vec<&Ticket> = tickets
            .iter()
            .filter(|t| {
                status
                    .as_deref()
                    .is_none_or(|s| t.status.eq_ignore_ascii_case(s))
            })
            .collect();
        if shown.is_empty() {
            return Markdown::new().text("No tickets.");
        }
        shown.into_iter().fold(Markdown::new(), |md, t| {
            md.push_raw(&format!("- {}\n", line(t)))
        })
    })
}

/// Give a ticket to someone: `assign @Alice 42`.
#[command("assign <who> <id>")]
fn assign(who: Mention, id: u32, tracker: State<Tracker>) -> Result<Markdown, String> {
    tracker.change(|tickets| {
        let t = tickets
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or(format!("there is no ticket #{id}"))?;
        t.assignee = Some((who.person_id.clone(), who.display_name.clone()));
        Ok(Markdown::new()
            .text(&format!("Ticket #{id} is now assigned to "))
            .mention_person(&who.person_id, &who.display_name)
            .text("."))
    })
}

/// Close a ticket, saying why.
#[command("close <id> <reason...>")]
fn close(
    id: u32,
    reason: String,
    tracker: State<Tracker>,
    ctx: &Context,
) -> Result<String, String> {
    tracker.change(|tickets| {
        let t = tickets
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or(format!("there is no ticket #{id}"))?;
        if t.status == "closed" {
            return Err(format!("ticket #{id} is already closed"));
        }
        t.status = "closed".into();
        t.resolution = Some(reason.clone());
        Ok(format!(
            "Ticket #{id} closed by {}: {reason}",
            ctx.sender().email
        ))
    })
}
// ANCHOR_END: commands

// ANCHOR: bot
/// The controller bot, with its tickets in `path`.
pub fn bot(path: impl AsRef<Path>) -> std::io::Result<BotBuilder> {
    Ok(Bot::builder(commands![open, find, list, assign, close]).state(Tracker::open(path)?))
}
// ANCHOR_END: bot

fn main() -> Result<(), Box<dyn std::error::Error>> {
    webex_bot::logging::init();
    let path = std::env::var("TICKETS_FILE").unwrap_or_else(|_| "tickets.json".into());
    webex_bot::run(bot(path)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    // The controller example through the test harness: commands change the tracker, errors
    // are polite, and a restart loses nothing.

    use webex_bot::models::{NewMembership, NewMessage};
    use webex_bot::testing::TestBot;

    fn temp_file(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "webex-bot-controller-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tickets.json");
        let _ = std::fs::remove_file(&path);
        path
    }

    #[test]
    fn tickets_are_opened_listed_assigned_closed_and_kept_across_restarts() {
        let path = temp_file("flow");
        {
            let b = TestBot::start(super::bot(&path).unwrap()).unwrap();
            b.say("open Printer on fire")
                .assert_text("Opened ticket #1.");
            b.say("new VPN drops").assert_text("Opened ticket #2.");
            b.say("find 1").assert_text("#1 Printer on fire (open)");
            b.say("find 9")
                .assert_text("Sorry, that didn't work: there is no ticket #9");
            b.say("find x").assert_contains("I couldn't read `<id>`");
            b.say("close 1 replaced the toner")
                .assert_text("Ticket #1 closed by alice@example.com: replaced the toner");
            b.say("close 1 again")
                .assert_text("Sorry, that didn't work: ticket #1 is already closed");
            let open = b.say("list open").text();
            assert!(
                open.contains("#2 VPN drops (open)") && !open.contains("#1"),
                "{open}"
            );
            // Assign with a mention, in the group room.
            let bob = b.emulator().add_user("Bob Stone", "bob@example.com");
            b.user_client()
                .memberships()
                .create(&NewMembership::by_id(b.group_room(), &bob.id))
                .unwrap();
            let bot = b.emulator().bot().clone();
            let md = format!(
                "<@personId:{}|Test> assign <@personId:{}|Bob Stone> 2",
                bot.id, bob.id
            );
            b.send(NewMessage::to_room(b.group_room()).markdown(md))
                .assert_text("Ticket #2 is now assigned to Bob Stone.");
        }
        // A new bot on the same file sees everything.
        let b = TestBot::start(super::bot(&path).unwrap()).unwrap();
        let all = b.say("list").text();
        assert!(all.contains("#1 Printer on fire (closed)"), "{all}");
        assert!(all.contains("#2 VPN drops (open) - Bob Stone"), "{all}");
        b.say("open third").assert_text("Opened ticket #3.");
    }
}
