//! `webex-bot webhooks`: list the webhooks a token owns, remove stale ones, re-activate
//! the ones Webex disabled after failed deliveries.
//!
//! A webhook is stale when Webex made it inactive, or, given the URLs to keep, when it
//! points anywhere else (a tunnel from last week, a host that moved).
//!
//! ```
//! use webex_bot::models::{Webhook, WebhookStatus};
//! let mut hook = Webhook::default();
//! hook.target_url = "https://old.example/hook".into();
//! hook.status = Some(WebhookStatus::Active);
//! assert_eq!(webex_bot_cli::webhooks::stale(&hook, &[]), None);
//! assert!(webex_bot_cli::webhooks::stale(&hook, &["https://bot.example/hook".into()]).is_some());
//! ```

use serde_json::{Value, json};
use webex_bot::Client;
use webex_bot::client::ListWebhooks;
use webex_bot::models::{UpdateWebhook, Webhook, WebhookStatus};

use crate::output::{Done, Failure, Outcome};

/// A webhook as output shows it, without its secret.
///
/// ```
/// let mut hook = webex_bot::models::Webhook::default();
/// hook.secret = Some(webex_bot::Secret::new("s3cret"));
/// assert!(!webex_bot_cli::webhooks::public_json(&hook).to_string().contains("s3cret"));
/// ```
pub fn public_json(h: &Webhook) -> Value {
    json!({
        "id": h.id, "name": h.name, "targetUrl": h.target_url, "resource": h.resource,
        "event": h.event, "filter": h.filter, "status": status(h), "created": h.created,
    })
}

fn status(h: &Webhook) -> &'static str {
    match h.status {
        Some(WebhookStatus::Active) => "active",
        Some(WebhookStatus::Inactive) => "inactive",
        _ => "unknown",
    }
}

/// Why `hook` is stale, if it is: inactive, or (when `keep` is not empty) pointing at none
/// of the URLs in `keep`.
pub fn stale(hook: &Webhook, keep: &[String]) -> Option<&'static str> {
    if hook.status == Some(WebhookStatus::Inactive) {
        Some("inactive")
    } else if !keep.is_empty() && !keep.iter().any(|k| k == &hook.target_url) {
        Some("points elsewhere")
    } else {
        None
    }
}

fn all(client: &Client) -> Result<Vec<Webhook>, Failure> {
    client
        .webhooks()
        .list(&ListWebhooks::default())
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::from)
}

fn line(h: &Webhook) -> String {
    format!(
        "{}  {:<8}  {}/{}  {}  {}",
        h.id,
        status(h),
        h.resource,
        h.event,
        h.name,
        h.target_url
    )
}

/// `webhooks list`.
pub fn list(client: &Client) -> Outcome {
    let hooks = all(client)?;
    let mut done =
        Done::new(json!({"webhooks": hooks.iter().map(public_json).collect::<Vec<_>>()}));
    if hooks.is_empty() {
        done = done.line("no webhooks");
    }
    for h in &hooks {
        done = done.line(line(h));
    }
    Ok(done)
}

/// `webhooks remove-stale`: removes (or, with `dry_run`, only names) the stale webhooks.
pub fn remove_stale(client: &Client, keep: &[String], dry_run: bool) -> Outcome {
    let hooks = all(client)?;
    let mut removed = Vec::new();
    let mut lines = Vec::new();
    for h in &hooks {
        let Some(why) = stale(h, keep) else {
            continue;
        };
        if !dry_run {
            match client.webhooks().delete(&h.id) {
                Ok(()) => {}
                // Gone already (another process cleaned up): what was asked holds.
                Err(e) if e.status() == Some(404) => {}
                Err(e) => return Err(e.into()),
            }
        }
        lines.push(format!(
            "{} {} ({why}): {}",
            if dry_run { "would remove" } else { "removed" },
            h.id,
            h.target_url
        ));
        let mut v = public_json(h);
        v["why"] = json!(why);
        removed.push(v);
    }
    let kept = hooks.len() - removed.len();
    let mut done = Done::new(json!({"removed": removed, "kept": kept, "dryRun": dry_run}));
    done.lines = lines;
    done = done.line(format!(
        "{} stale webhook(s) {}, {kept} kept",
        removed.len(),
        if dry_run { "found" } else { "removed" }
    ));
    Ok(done)
}

/// `webhooks reactivate`: the webhooks `ids`, or every inactive one when `ids` is empty.
pub fn reactivate(client: &Client, ids: &[String]) -> Outcome {
    let hooks = all(client)?;
    for id in ids {
        if !hooks.iter().any(|h| &h.id == id) {
            return Err(Failure::failed(format!("no webhook {id} for this token")));
        }
    }
    let mut done = Done::new(json!({}));
    let mut changed = Vec::new();
    for h in hooks.iter().filter(|h| {
        if ids.is_empty() {
            h.status == Some(WebhookStatus::Inactive)
        } else {
            ids.contains(&h.id)
        }
    }) {
        let mut update = UpdateWebhook::new(&h.name, &h.target_url);
        update.status = Some(WebhookStatus::Active);
        let after = client.webhooks().update(&h.id, &update)?;
        done = done.line(format!("re-activated {}", line(&after)));
        changed.push(public_json(&after));
    }
    if changed.is_empty() {
        done = done.line("no inactive webhooks");
    }
    done.json = json!({"reactivated": changed});
    Ok(done)
}
