//! The notifier example: subscriptions, a signed CI route on the bot's own listener, and a
//! timer, all posting through the bot.

use std::time::Duration;

use webex_bot::testing::TestBot;
use webex_bot::webhook::{Secret, sign};
use webex_bot_examples::notifier;

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
        notifier::bot(
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
        notifier::bot(
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
