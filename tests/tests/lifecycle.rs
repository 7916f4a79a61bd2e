//! Webhook lifecycle against the emulator: with a public URL the bot repairs what an earlier
//! run left (re-activates, re-targets and re-keys its own webhooks, creates the missing
//! ones, deletes its stale ones), leaves other applications' webhooks alone, reuses its
//! webhooks on the next start, and removes them at shutdown when asked.

use std::collections::BTreeSet;
use std::time::Duration;

use webex_bot::RunningBot;
use webex_bot::emulator::Emulator;
use webex_bot::models::{NewMessage, NewWebhook, Webhook, WebhookStatus};
use webex_bot::webhook::Secret;
use webex_bot::{Bot, Client, command, commands};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

const WAIT: Duration = Duration::from_secs(30);
/// Where an earlier run of the bot (and another application) listened; nothing does now.
const OLD_TARGET: &str = "http://127.0.0.1:9/old";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_bot(client: &Client, secret: Option<Secret>, remove_at_shutdown: bool) -> RunningBot {
    let port = free_port();
    let mut builder = Bot::builder(commands![echo])
        .client(client.clone())
        .listen(format!("127.0.0.1:{port}"))
        .public_url(format!("http://127.0.0.1:{port}/hooks/webex"))
        .remove_webhooks_on_shutdown(remove_at_shutdown);
    if let Some(s) = secret {
        builder = builder.secret(s);
    }
    builder.build().unwrap().start().unwrap()
}

fn by_id<'a>(hooks: &'a [Webhook], id: &str) -> Option<&'a Webhook> {
    hooks.iter().find(|h| h.id == id)
}

/// The bot's own webhooks: exactly one active webhook per kind it needs, all pointing at its
/// public URL with its secret, and no other webhook of its own.
fn assert_repaired(emulator: &Emulator, running: &RunningBot) {
    let own: Vec<Webhook> = emulator
        .webhooks()
        .into_iter()
        .filter(|h| h.name.starts_with("webex-bot "))
        .collect();
    let kinds: BTreeSet<(String, String)> = own
        .iter()
        .map(|h| (h.resource.clone(), h.event.clone()))
        .collect();
    let wanted: BTreeSet<(String, String)> = [
        ("attachmentActions", "created"),
        ("memberships", "created"),
        ("memberships", "deleted"),
        ("messages", "created"),
    ]
    .iter()
    .map(|(r, e)| (r.to_string(), e.to_string()))
    .collect();
    assert_eq!(kinds, wanted, "{own:?}");
    assert_eq!(own.len(), 4, "one webhook per kind: {own:?}");
    let ids: BTreeSet<&str> = running.webhook_ids().iter().map(String::as_str).collect();
    let secret = running
        .secret()
        .expect("a managed bot has a secret")
        .expose();
    for h in &own {
        assert!(
            ids.contains(h.id.as_str()),
            "{h:?} is not among the bot's ids"
        );
        assert_eq!(h.status, Some(WebhookStatus::Active), "{h:?}");
        assert_eq!(h.target_url, running.webhook_url(), "{h:?}");
        assert_eq!(
            h.secret.as_ref().map(webex_bot::Secret::expose),
            Some(secret),
            "{h:?} has another secret"
        );
    }
}

/// Alice writes to the bot directly and waits for its answer: deliveries reach the bot's
/// listener through its webhooks, signed with the secret it set.
fn assert_answers(emulator: &Emulator, alice: &Client, text: &str) {
    alice
        .messages()
        .create(&NewMessage::to_email("hook-bot@webex.bot").text(format!("echo {text}")))
        .unwrap();
    // The answer's own delivery (the bot sees its messages) is made too, while the bot
    // still listens: one made after it stopped would fail and, with a threshold of one,
    // turn its webhook inactive behind the next start's back.
    let answered = emulator.wait_until(WAIT, |e| {
        e.pending_deliveries() == 0
            && e.all_messages().iter().any(|m| {
                m.person_email.as_deref() == Some("hook-bot@webex.bot")
                    && m.text.as_deref() == Some(text)
            })
    });
    assert!(answered, "the bot did not answer {text:?}");
}

#[test]
fn the_bot_repairs_reuses_and_removes_its_webhooks() {
    // One failed delivery turns a webhook inactive.
    let emulator = Emulator::builder()
        .bot("Hook Bot", "hook-bot@webex.bot")
        .user("Alice", "alice@example.com")
        .failure_threshold(1)
        .start()
        .unwrap();
    let bot_client = emulator.client_for(emulator.bot());
    let alice = emulator.client_for(&emulator.users()[0]);

    // What an earlier run left behind: its messages webhook twice, one for a resource it no
    // longer uses, all at an address where nothing listens; and another application's.
    let create = |name: &str, resource: &str, secret: &str| {
        bot_client
            .webhooks()
            .create(&NewWebhook::new(name, OLD_TARGET, resource, "created").secret(secret))
            .unwrap()
    };
    let reused = create("webex-bot messages/created", "messages", "old-secret");
    let duplicate = create("webex-bot messages/created", "messages", "old-secret");
    let unused = create("webex-bot rooms/created", "rooms", "old-secret");
    let foreign = create("ci-relay messages/created", "messages", "relay-secret");

    // A message nobody receives: the deliveries fail and the webhooks turn inactive.
    alice
        .messages()
        .create(&NewMessage::to_email("hook-bot@webex.bot").text("anyone there?"))
        .unwrap();
    let inactive = emulator.wait_until(WAIT, |e| {
        let hooks = e.webhooks();
        [&reused.id, &foreign.id]
            .iter()
            .all(|id| by_id(&hooks, id).is_some_and(|h| h.status == Some(WebhookStatus::Inactive)))
    });
    assert!(inactive, "the old webhooks did not turn inactive");

    // First start, no secret configured: a fresh random one.
    let mut first = start_bot(&bot_client, None, false);
    assert_repaired(&emulator, &first);
    let first_ids = first.webhook_ids().to_vec();
    let first_secret = first.secret().unwrap().expose().to_owned();
    assert!(
        first_ids.contains(&reused.id),
        "the existing webhook was not reused"
    );
    let hooks = emulator.webhooks();
    assert!(
        by_id(&hooks, &duplicate.id).is_none(),
        "the duplicate was kept"
    );
    assert!(
        by_id(&hooks, &unused.id).is_none(),
        "the stale webhook was kept"
    );
    let relay = by_id(&hooks, &foreign.id).expect("another application's webhook was deleted");
    assert_eq!(relay.target_url, OLD_TARGET);
    assert_eq!(
        relay.secret.as_ref().map(webex_bot::Secret::expose),
        Some("relay-secret")
    );
    assert_eq!(relay.status, Some(WebhookStatus::Inactive));
    assert!(first_secret.len() >= 32, "a short random secret");
    assert_ne!(first_secret, "old-secret");
    assert_answers(&emulator, &alice, "after the repair");
    first.shutdown();
    // Not asked to remove them: they stay for the next start.
    assert_eq!(
        emulator
            .webhooks()
            .iter()
            .filter(|h| first_ids.contains(&h.id))
            .count(),
        4
    );

    // Second start, with a configured secret: the same webhooks, re-keyed.
    let mut second = start_bot(
        &bot_client,
        Some(Secret::new("configured-secret-for-the-second-run")),
        true,
    );
    assert_repaired(&emulator, &second);
    let mut second_ids = second.webhook_ids().to_vec();
    let mut first_sorted = first_ids.clone();
    second_ids.sort();
    first_sorted.sort();
    assert_eq!(second_ids, first_sorted, "the webhooks were not reused");
    assert_eq!(
        second.secret().unwrap().expose(),
        "configured-secret-for-the-second-run"
    );
    assert_answers(&emulator, &alice, "after the restart");

    // Asked to remove them at shutdown: only the other application's remains.
    second.shutdown();
    let left: Vec<String> = emulator.webhooks().into_iter().map(|h| h.id).collect();
    assert_eq!(left, vec![foreign.id.clone()]);
}
