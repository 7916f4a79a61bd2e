//! Managing a bot's own webhooks: created, repaired or removed at start.

use crate::Client;
use crate::Secret;
use crate::client::Error;
use crate::models::{NewWebhook, UpdateWebhook, Webhook, WebhookStatus};

/// The webhooks a bot needs.
pub(crate) const WANTED: &[(&str, &str)] = &[
    ("messages", "created"),
    ("attachmentActions", "created"),
    ("memberships", "created"),
    ("memberships", "deleted"),
];

/// Creates or repairs the bot's webhooks so that exactly one of each kind points at
/// `target` with `secret` and is active; deletes the bot's other webhooks (those named
/// `"{name} ..."`). Returns the ids in use.
pub(crate) fn ensure_webhooks(
    client: &Client,
    name: &str,
    target: &str,
    secret: &Secret,
) -> Result<Vec<String>, Error> {
    let prefix = format!("{name} ");
    let own: Vec<Webhook> = client
        .webhooks()
        .list(&Default::default())
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|w| w.name.starts_with(&prefix))
        .collect();
    let mut keep = Vec::new();
    for (resource, event) in WANTED {
        let hook_name = format!("{prefix}{resource}/{event}");
        let mut same = own
            .iter()
            .filter(|w| w.resource == *resource && w.event == *event);
        match same.next() {
            Some(existing) => {
                let mut u = UpdateWebhook::new(hook_name, target);
                u.secret = Some(secret.clone());
                u.status = Some(WebhookStatus::Active);
                if existing.status == Some(WebhookStatus::Inactive) {
                    log::info!("re-activating webhook {} ({resource}/{event})", existing.id);
                }
                keep.push(client.webhooks().update(&existing.id, &u)?.id);
            }
            None => {
                let w =
                    NewWebhook::new(hook_name, target, *resource, *event).secret(secret.clone());
                let created = client.webhooks().create(&w)?;
                log::info!(
                    "created webhook {} ({resource}/{event}) -> {target}",
                    created.id
                );
                keep.push(created.id);
            }
        }
    }
    for stale in own.iter().filter(|w| !keep.contains(&w.id)) {
        log::info!(
            "deleting stale webhook {} ({}/{})",
            stale.id,
            stale.resource,
            stale.event
        );
        client.webhooks().delete(&stale.id)?;
    }
    Ok(keep)
}
