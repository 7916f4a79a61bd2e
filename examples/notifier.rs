//! Posts into subscribed spaces when a CI system calls `POST /hooks/ci` (signed with
//! `CI_WEBHOOK_SECRET`) or when `STATUS_FILE` changes. Spaces are kept in
//! `SUBSCRIPTIONS_FILE` (default `subscriptions.json`).
//!
//! The notifier pattern: outside events post into spaces. A CI system calls `POST
//! /hooks/ci` on the bot's own listener with a signed JSON payload; a timer watches a status
//! file; `subscribe` and `unsubscribe` choose the spaces, kept in a file across restarts.

use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use webex_bot::webhook::verify;
use webex_bot::{
    Bot, BotBuilder, Markdown, Notifier, Reply, RouteRequest, RouteResponse, Secret, State,
    command, commands,
};

// ANCHOR: subscriptions
/// The rooms that get notifications, saved to a file after every change.
#[derive(Debug)]
pub struct Subscriptions {
    path: PathBuf,
    rooms: Mutex<BTreeSet<String>>,
}

impl Subscriptions {
    /// Loads the rooms from `path` (none if it does not exist yet).
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Subscriptions> {
        let path = path.as_ref().to_owned();
        let rooms = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(std::io::Error::other)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
            Err(e) => return Err(e),
        };
        Ok(Subscriptions {
            path,
            rooms: Mutex::new(rooms),
        })
    }

    fn update(&self, f: impl FnOnce(&mut BTreeSet<String>) -> bool) -> std::io::Result<bool> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        let changed = f(&mut rooms);
        if changed {
            let tmp = self.path.with_extension("tmp");
            std::fs::write(&tmp, serde_json::to_vec(&*rooms)?)?;
            std::fs::rename(tmp, &self.path)?;
        }
        Ok(changed)
    }

    /// The subscribed rooms.
    pub fn rooms(&self) -> Vec<String> {
        self.rooms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Posts `md` into every subscribed room; returns how many got it.
    pub fn broadcast(&self, notifier: &Notifier, md: &Markdown) -> usize {
        self.rooms()
            .into_iter()
            .filter(
                |room| match notifier.send(Reply::markdown(md.as_str()).to_room(room)) {
                    Ok(_) => true,
                    Err(e) => {
                        log::error!("could not notify room {room}: {e}");
                        false
                    }
                },
            )
            .count()
    }
}
// ANCHOR_END: subscriptions

// ANCHOR: commands
/// Send this space the notifications.
#[command("subscribe")]
fn subscribe(
    subs: State<Subscriptions>,
    ctx: &webex_bot::Context,
) -> Result<&'static str, std::io::Error> {
    let room = ctx.room().id;
    Ok(if subs.update(|r| r.insert(room))? {
        "This space is now subscribed."
    } else {
        "This space was already subscribed."
    })
}

/// Stop sending this space the notifications.
#[command("unsubscribe")]
fn unsubscribe(
    subs: State<Subscriptions>,
    ctx: &webex_bot::Context,
) -> Result<&'static str, std::io::Error> {
    let room = ctx.room().id;
    Ok(if subs.update(|r| r.remove(&room))? {
        "This space is unsubscribed."
    } else {
        "This space was not subscribed."
    })
}

/// How many spaces are subscribed.
#[command("subscriptions")]
fn subscriptions(subs: State<Subscriptions>) -> String {
    format!("{} space(s) subscribed.", subs.rooms().len())
}
// ANCHOR_END: commands

// ANCHOR: route
/// What the CI system posts.
#[derive(Debug, Deserialize)]
pub struct CiEvent {
    /// Pipeline name.
    pub pipeline: String,
    /// `passed` or `failed`.
    pub status: String,
    /// The commit.
    pub commit: String,
    /// Where to see it.
    pub url: String,
}

fn ci_markdown(e: &CiEvent) -> Markdown {
    let icon = if e.status == "passed" { "✅" } else { "❌" };
    Markdown::new()
        .push_raw(icon)
        .text(" ")
        .bold(&e.pipeline)
        .text(&format!(" {} on ", e.status))
        .code(&e.commit)
        .text(" ")
        .link("details", &e.url)
}

/// The `POST /hooks/ci` handler: checks the CI system's signature (HMAC-SHA1 of the body,
/// hex, in `X-CI-Signature`), then posts to every subscribed space.
fn ci_route(
    subs: &Subscriptions,
    secret: &Secret,
    req: &RouteRequest,
    notifier: &Notifier,
) -> RouteResponse {
    if verify(secret, &req.body, req.header("x-ci-signature")).is_err() {
        log::warn!("rejected a CI notification with a bad signature");
        return RouteResponse::new(401, "bad signature");
    }
    let event: CiEvent = match serde_json::from_slice(&req.body) {
        Ok(e) => e,
        Err(e) => return RouteResponse::new(400, format!("bad payload: {e}")),
    };
    let n = subs.broadcast(notifier, &ci_markdown(&event));
    RouteResponse::new(202, format!("{{\"notified\":{n}}}"))
}
// ANCHOR_END: route

// ANCHOR: timer
/// Every `every`, reads `watched` and posts its content to the subscribed spaces when it
/// changed. Stops when the bot's state is gone.
fn watch(subs: Weak<Subscriptions>, notifier: Notifier, watched: PathBuf, every: Duration) {
    std::thread::spawn(move || {
        let mut last = std::fs::read_to_string(&watched).ok();
        let ticks = crossbeam_channel::tick(every);
        while ticks.recv().is_ok() {
            let Some(subs) = subs.upgrade() else { return };
            let now = std::fs::read_to_string(&watched).ok();
            if now != last {
                if let Some(text) = &now {
                    subs.broadcast(
                        &notifier,
                        &Markdown::new().bold("Status changed: ").text(text.trim()),
                    );
                }
                last = now;
            }
        }
    });
}
// ANCHOR_END: timer

// ANCHOR: bot
/// The notifier bot: subscriptions in `subs_path`, the CI route signed with `ci_secret`,
/// and `watched` checked every `every`.
pub fn bot(
    subs_path: impl AsRef<Path>,
    ci_secret: &str,
    watched: PathBuf,
    every: Duration,
) -> std::io::Result<BotBuilder> {
    let subs = Arc::new(Subscriptions::open(subs_path)?);
    let secret = Secret::new(ci_secret);
    let for_route = subs.clone();
    let for_timer = Arc::downgrade(&subs);
    Ok(
        Bot::builder(commands![subscribe, unsubscribe, subscriptions])
            .shared_state(subs)
            .route(
                "POST",
                "/hooks/ci",
                move |req: RouteRequest, notifier: Notifier| {
                    ci_route(&for_route, &secret, &req, &notifier)
                },
            )
            .on_start(move |notifier| watch(for_timer, notifier, watched, every)),
    )
}
// ANCHOR_END: bot

fn main() -> Result<(), Box<dyn std::error::Error>> {
    webex_bot::logging::init();
    let var = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let bot = bot(
        var("SUBSCRIPTIONS_FILE", "subscriptions.json"),
        &var("CI_WEBHOOK_SECRET", "change-me"),
        var("STATUS_FILE", "status.txt").into(),
        Duration::from_secs(var("STATUS_EVERY_SECS", "30").parse()?),
    )?;
    webex_bot::run(bot)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    // The notifier example: subscriptions, a signed CI route on the bot's own listener, and a
    // timer, all posting through the bot.

    use std::time::Duration;

    use webex_bot::testing::TestBot;
    use webex_bot::webhook::{Secret, sign};

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("webex-bot-notifier-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn post(url: &str, body: &str, signature: &str) -> u16 {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build(),
        );
        agent
            .post(url)
            .header("X-CI-Signature", signature)
            .send(body)
            .unwrap()
            .status()
            .as_u16()
    }

    #[test]
    fn subscribed_spaces_get_ci_and_timer_notifications() {
        let dir = temp_dir("flow");
        let (subs_file, status_file) = (dir.join("subs.json"), dir.join("status.txt"));
        std::fs::write(&status_file, "all good").unwrap();
        let b = TestBot::start(
            super::bot(
                &subs_file,
                "ci-secret",
                status_file.clone(),
                Duration::from_millis(20),
            )
            .unwrap(),
        )
        .unwrap();
        b.say_in_group("subscribe")
            .assert_text("This space is now subscribed.");
        b.say_in_group("subscribe")
            .assert_text("This space was already subscribed.");
        b.say("subscriptions").assert_text("1 space(s) subscribed.");
        let saved = std::fs::read_to_string(&subs_file).unwrap();
        assert!(saved.contains(b.group_room()), "{saved}");

        // The CI route: signed requests post, others are refused.
        let url = format!("http://{}/hooks/ci", b.running().addr());
        let body = r#"{"pipeline":"release","status":"failed","commit":"abc123","url":"https://ci.example.com/1"}"#;
        assert_eq!(
            post(&url, body, &sign(&Secret::new("wrong"), body.as_bytes())),
            401
        );
        assert_eq!(
            post(
                &url,
                body,
                &sign(&Secret::new("ci-secret"), body.as_bytes())
            ),
            202
        );
        let in_group = |needle: &str| {
            b.emulator()
                .messages_in(b.group_room())
                .iter()
                .filter(|m| m.markdown.as_deref().is_some_and(|t| t.contains(needle)))
                .count()
        };
        assert_eq!(in_group("**release**"), 1);
        let md = b
            .emulator()
            .messages_in(b.group_room())
            .into_iter()
            .rev()
            .find_map(|m| m.markdown)
            .unwrap();
        assert_eq!(
            md,
            "❌ **release** failed on `abc123` [details](https://ci.example.com/1)"
        );

        // The timer notices a change of the status file.
        std::fs::write(&status_file, "database degraded").unwrap();
        assert!(
            b.emulator()
                .wait_until(Duration::from_secs(10), |_| in_group("database degraded")
                    == 1)
        );

        // A bot started again on the same file still knows the subscription.
        let again = TestBot::start(
            super::bot(
                &subs_file,
                "ci-secret",
                status_file.clone(),
                Duration::from_secs(3600),
            )
            .unwrap(),
        )
        .unwrap();
        again
            .say("subscriptions")
            .assert_text("1 space(s) subscribed.");
        b.say_in_group("unsubscribe")
            .assert_text("This space is unsubscribed.");
        assert_eq!(
            post(
                &url,
                body,
                &sign(&Secret::new("ci-secret"), body.as_bytes())
            ),
            202
        );
        assert_eq!(
            in_group("**release**"),
            1,
            "an unsubscribed space gets nothing more"
        );
    }
}
