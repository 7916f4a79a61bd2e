//! The `webex-bot` binary, each subcommand run as a process against the standalone
//! emulator it serves itself (`webex-bot emulator`): registering bots, checking and
//! encrypting tokens, cleaning up webhooks; exit codes, `--json`, and no token ever shown.

use std::time::{Duration, Instant};

use webex_bot::models::{NewMessage, NewWebhook, WebhookStatus};

mod common;
use common::{Emulator, dir, mode, png, run};

const ADMIN: &str = "admin@example.com";

fn emulator() -> Emulator {
    Emulator::start(&[
        "--user",
        "Admin:admin@example.com",
        "--user",
        "Alice:alice@example.com",
        "--webhook-failures",
        "1",
    ])
}

#[test]
fn the_emulator_subcommand_serves_clients_and_stops_on_sigterm() {
    let mut emu = emulator();
    let me = emu.client(ADMIN).people().me().unwrap();
    assert_eq!(me.display_name.as_deref(), Some("Admin"));
    assert_eq!(emu.tokens.len(), 3, "the default bot and two users");
    let status = emu.terminate();
    assert!(status.success(), "{status:?}");
    // Bad arguments: clap's usage error, exit 2.
    let r = run(
        "http://127.0.0.1:1/v1",
        &[],
        &["emulator", "--bot", "no-email"],
        "",
    )
    .expect(2);
    assert!(r.stderr.contains("NAME:EMAIL[:TOKEN]"), "{r:?}");
}

#[test]
fn register_creates_changes_and_deletes_a_bot_and_keeps_its_token_private() {
    let emu = emulator();
    let d = dir("register");
    let admin = [("WEBEX_ACCESS_TOKEN", emu.token(ADMIN))];
    let at = |args: &[&str]| run(&emu.base_url, &admin, args, "");

    // A new token must go somewhere: refused before Webex is asked.
    let r = at(&[
        "register",
        "create",
        "--name",
        "Ops",
        "--email",
        "ops@webex.bot",
        "--description",
        "Runs ops",
        "--logo-url",
        "https://example.com/ops.png",
    ])
    .expect(2);
    assert!(
        r.stderr.contains("--save PATH") && r.stderr.contains("--print-token"),
        "{r:?}"
    );
    let r = at(&[
        "register",
        "create",
        "--name",
        "Ops",
        "--email",
        "ops@example.com",
        "--description",
        "d",
        "--logo-url",
        "https://example.com/ops.png",
        "--print-token",
    ])
    .expect(2);
    assert!(r.stderr.contains("@webex.bot"), "{r:?}");

    // Created with a logo URL, the token saved to a private file and not shown.
    let token_file = d.join("ops.token");
    let r = at(&[
        "--json",
        "register",
        "create",
        "--name",
        "Ops",
        "--email",
        "ops@webex.bot",
        "--description",
        "Runs ops",
        "--logo-url",
        "https://example.com/ops.png",
        "--save",
        token_file.to_str().unwrap(),
    ])
    .expect(0);
    let created = r.json();
    let id = created["created"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["created"]["botEmail"], "ops@webex.bot");
    assert_eq!(created["token"]["saved"], token_file.to_str().unwrap());
    assert_eq!(mode(&token_file), 0o600);
    let token = webex_bot::tokens::read_token_file(&token_file).unwrap();
    r.never_shows(token.expose());
    let bot = webex_bot::Client::builder()
        .token(token.expose())
        .base_url(&emu.base_url)
        .build()
        .unwrap();
    assert_eq!(bot.people().me().unwrap().emails, ["ops@webex.bot"]);

    // Changed, and a logo uploaded from a file.
    let r = at(&[
        "--json",
        "register",
        "update",
        &id,
        "--description",
        "Runs ops, with cards",
    ])
    .expect(0);
    assert_eq!(r.json()["updated"]["description"], "Runs ops, with cards");
    let r = at(&["register", "update", &id]).expect(2);
    assert!(r.stderr.contains("nothing to change"), "{r:?}");
    let logo = d.join("ops.png");
    std::fs::write(&logo, png()).unwrap();
    let r = at(&["--json", "register", "logo", &id, logo.to_str().unwrap()]).expect(0);
    let url = r.json()["updated"]["logo"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&emu.base_url) && url.contains("/contents/"),
        "{url}"
    );
    let text = d.join("notes.txt");
    std::fs::write(&text, "not an image").unwrap();
    let r = at(&["register", "logo", &id, text.to_str().unwrap()]).expect(2);
    assert!(r.stderr.contains("not an image"), "{r:?}");

    // A new token, encrypted with a passphrase: the old one stops working.
    let encrypted = d.join("ops.token.age");
    let r = run(
        &emu.base_url,
        &[admin[0], ("WEBEX_TOKEN_PASSPHRASE", "a long passphrase")],
        &[
            "register",
            "regenerate-token",
            &id,
            "--save",
            encrypted.to_str().unwrap(),
            "--encrypt",
        ],
        "",
    )
    .expect(0);
    assert!(r.stdout.contains("the old one no longer works"), "{r:?}");
    assert!(
        std::fs::read_to_string(&encrypted)
            .unwrap()
            .starts_with("-----BEGIN AGE")
    );
    assert_eq!(bot.people().me().unwrap_err().status(), Some(401));
    let file_env = [
        ("WEBEX_ACCESS_TOKEN_FILE", encrypted.to_str().unwrap()),
        ("WEBEX_TOKEN_PASSPHRASE", "a long passphrase"),
    ];
    let r = run(&emu.base_url, &file_env, &["--json", "token", "check"], "").expect(0);
    assert_eq!(r.json()["email"], "ops@webex.bot");
    let r = at(&["register", "regenerate-token", &id, "--print-token"]).expect(0);
    let printed = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap();
    assert_eq!(
        webex_bot::Client::builder()
            .token(printed)
            .base_url(&emu.base_url)
            .build()
            .unwrap()
            .people()
            .me()
            .unwrap()
            .emails,
        ["ops@webex.bot"]
    );

    // A second bot with an uploaded logo at creation, then both deleted.
    let r = at(&[
        "--json",
        "register",
        "create",
        "--name",
        "Ops Two",
        "--email",
        "ops2@webex.bot",
        "--description",
        "d",
        "--logo",
        logo.to_str().unwrap(),
        "--print-token",
    ])
    .expect(0);
    let second = r.json();
    assert!(
        second["created"]["logo"]
            .as_str()
            .unwrap()
            .contains("/contents/")
    );
    assert!(
        second["token"]["token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    for app in [id.as_str(), second["created"]["id"].as_str().unwrap()] {
        let r = at(&["--json", "register", "delete", app]).expect(0);
        assert_eq!(r.json()["deleted"], app);
    }
    let r = run(&emu.base_url, &file_env, &["token", "check"], "").expect(1);
    assert!(r.stderr.contains("refused"), "{r:?}");
    let r = at(&["register", "delete", &id]).expect(1);
    assert!(r.stderr.contains("404"), "{r:?}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn register_talks_to_the_api_asked_for_and_fails_clearly() {
    let r = run(
        "http://127.0.0.1:1/v1",
        &[("WEBEX_ACCESS_TOKEN", "admin-token-xyz")],
        &["register", "delete", "some-id"],
        "",
    )
    .expect(1);
    assert!(r.stderr.contains("127.0.0.1:1"), "{r:?}");
    r.never_shows("admin-token-xyz");
    let r = run(
        "http://127.0.0.1:1/v1",
        &[("WEBEX_ACCESS_TOKEN", "t")],
        &[
            "--fedramp",
            "--base-url",
            "http://127.0.0.1:1/v1",
            "register",
            "delete",
            "x",
        ],
        "",
    )
    .expect(2);
    assert!(r.stderr.contains("not both"), "{r:?}");
    let r = run(
        "http://127.0.0.1:1/v1",
        &[],
        &["register", "delete", "x"],
        "",
    )
    .expect(2);
    assert!(r.stderr.contains("WEBEX_ACCESS_TOKEN"), "{r:?}");
}

#[test]
fn token_check_says_where_and_whose_and_encrypt_makes_a_file_it_reads() {
    let emu = emulator();
    let d = dir("token");
    let bot_token = emu.token("bot@webex.bot").to_owned();

    let r = run(
        &emu.base_url,
        &[("WEBEX_ACCESS_TOKEN", &bot_token)],
        &["token", "check"],
        "",
    )
    .expect(0);
    assert!(
        r.stdout
            .contains("the environment variable WEBEX_ACCESS_TOKEN")
            && r.stdout.contains("bot Bot <bot@webex.bot>"),
        "{r:?}"
    );
    r.never_shows(&bot_token);

    // Encrypted from standard input with a passphrase; checked from the file.
    let file = d.join("bot.age");
    let pass = ("WEBEX_TOKEN_PASSPHRASE", "correct horse battery");
    let r = run(
        &emu.base_url,
        &[pass],
        &["token", "encrypt", "--out", file.to_str().unwrap()],
        &format!("{bot_token}\n"),
    )
    .expect(0);
    r.never_shows(&bot_token);
    assert_eq!(mode(&file), 0o600);
    let sealed = std::fs::read_to_string(&file).unwrap();
    assert!(
        sealed.starts_with("-----BEGIN AGE ENCRYPTED FILE-----") && !sealed.contains(&bot_token)
    );
    let from_file = [("WEBEX_ACCESS_TOKEN_FILE", file.to_str().unwrap()), pass];
    let r = run(&emu.base_url, &from_file, &["--json", "token", "check"], "").expect(0);
    let v = r.json();
    assert_eq!(v["source"]["kind"], "encrypted-file");
    assert_eq!(v["type"], "bot");
    r.never_shows(&bot_token);
    let r = run(
        &emu.base_url,
        &[pass],
        &["token", "check", "--token-file", file.to_str().unwrap()],
        "",
    )
    .expect(0);
    assert!(r.stdout.contains("the encrypted file"), "{r:?}");

    // A wrong passphrase, a readable plain file, a refused token, none at all.
    let wrong = [
        ("WEBEX_ACCESS_TOKEN_FILE", file.to_str().unwrap()),
        ("WEBEX_TOKEN_PASSPHRASE", "not it"),
    ];
    let r = run(&emu.base_url, &wrong, &["token", "check"], "").expect(2);
    assert!(r.stderr.contains("does not open"), "{r:?}");
    let plain = d.join("plain");
    std::fs::write(&plain, &bot_token).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let r = run(
        &emu.base_url,
        &[],
        &["token", "check", "--token-file", plain.to_str().unwrap()],
        "",
    )
    .expect(2);
    assert!(
        r.stderr.contains(&format!("chmod 600 {}", plain.display())),
        "{r:?}"
    );
    r.never_shows(&bot_token);
    let r = run(
        &emu.base_url,
        &[pass],
        &[
            "token",
            "encrypt",
            "--out",
            d.join("x.age").to_str().unwrap(),
            "--from",
            plain.to_str().unwrap(),
        ],
        "",
    )
    .expect(2);
    assert!(r.stderr.contains("chmod 600"), "{r:?}");
    let r = run(
        &emu.base_url,
        &[("WEBEX_ACCESS_TOKEN", "not-a-token")],
        &["--json", "token", "check"],
        "",
    )
    .expect(1);
    assert!(
        r.json()["error"].as_str().unwrap().contains("refused"),
        "{r:?}"
    );
    r.never_shows("not-a-token");
    let r = run(&emu.base_url, &[], &["token", "check"], "").expect(2);
    assert!(r.stderr.contains("WEBEX_ACCESS_TOKEN"), "{r:?}");
    // No passphrase and no terminal to type one at.
    let r = run(
        &emu.base_url,
        &[],
        &[
            "token",
            "encrypt",
            "--out",
            d.join("y.age").to_str().unwrap(),
        ],
        "t\n",
    )
    .expect(2);
    assert!(r.stderr.contains("WEBEX_TOKEN_PASSPHRASE"), "{r:?}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Waits (bounded) until the webhook `id` is inactive.
fn until_inactive(client: &webex_bot::Client, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.webhooks().get(id).unwrap().status != Some(WebhookStatus::Inactive) {
        assert!(
            Instant::now() < deadline,
            "webhook {id} never became inactive"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn webhooks_are_listed_cleaned_up_and_reactivated() {
    let emu = emulator();
    let bot = emu.client("bot@webex.bot");
    let alice = emu.client("alice@example.com");
    let token = emu.token("bot@webex.bot").to_owned();
    let env = [("WEBEX_ACCESS_TOKEN", token.as_str())];
    let cli = |args: &[&str]| run(&emu.base_url, &env, args, "");

    // One in use, one pointing at an old address, one whose deliveries fail.
    let hook = |name: &str, url: &str, resource: &str| {
        bot.webhooks()
            .create(&NewWebhook::new(name, url, resource, "created").secret("hook-secret-123"))
            .unwrap()
    };
    let keep = hook("current", "https://bot.example/hook", "attachmentActions");
    let old = hook(
        "old tunnel",
        "https://old.example/hook",
        "attachmentActions",
    );
    let failing = hook("messages", "http://127.0.0.1:9/gone", "messages");
    alice
        .messages()
        .create(&NewMessage::to_email("bot@webex.bot").text("hi"))
        .unwrap();
    until_inactive(&bot, &failing.id);

    let r = cli(&["--json", "webhooks", "list"]).expect(0);
    r.never_shows("hook-secret-123");
    let listed = r.json()["webhooks"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 3);
    let status_of = |id: &str| {
        listed.iter().find(|h| h["id"] == id).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(status_of(&failing.id), "inactive");
    assert_eq!(status_of(&keep.id), "active");
    let r = cli(&["webhooks", "list"]).expect(0);
    assert!(
        r.stdout.contains(&failing.id) && r.stdout.contains("inactive"),
        "{r:?}"
    );

    // Re-activated (every inactive one), then failing again.
    let r = cli(&["--json", "webhooks", "reactivate"]).expect(0);
    assert_eq!(r.json()["reactivated"].as_array().unwrap().len(), 1);
    assert_eq!(
        bot.webhooks().get(&failing.id).unwrap().status,
        Some(WebhookStatus::Active)
    );
    let r = cli(&["webhooks", "reactivate", "no-such-webhook"]).expect(1);
    assert!(r.stderr.contains("no-such-webhook"), "{r:?}");
    alice
        .messages()
        .create(&NewMessage::to_email("bot@webex.bot").text("again"))
        .unwrap();
    until_inactive(&bot, &failing.id);

    // Stale: the inactive one, and with --keep-url the one pointing elsewhere.
    let r = cli(&["--json", "webhooks", "remove-stale", "--dry-run"]).expect(0);
    assert_eq!(r.json()["removed"].as_array().unwrap().len(), 1);
    let r = cli(&[
        "--json",
        "webhooks",
        "remove-stale",
        "--keep-url",
        "https://bot.example/hook",
        "--dry-run",
    ])
    .expect(0);
    let v = r.json();
    let named: Vec<&str> = v["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(
        named.contains(&failing.id.as_str()) && named.contains(&old.id.as_str()),
        "{v}"
    );
    assert_eq!(v["kept"], 1);
    assert_eq!(
        bot.webhooks().list(&Default::default()).count(),
        3,
        "a dry run removes nothing"
    );
    let r = cli(&[
        "webhooks",
        "remove-stale",
        "--keep-url",
        "https://bot.example/hook",
    ])
    .expect(0);
    assert!(
        r.stdout.contains("2 stale webhook(s) removed, 1 kept"),
        "{r:?}"
    );
    let left: Vec<String> = bot
        .webhooks()
        .list(&Default::default())
        .map(|h| h.unwrap().id)
        .collect();
    assert_eq!(left, std::slice::from_ref(&keep.id));
    let r = cli(&["webhooks", "reactivate"]).expect(0);
    assert!(r.stdout.contains("no inactive webhooks"), "{r:?}");
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["register", "--help"],
        &["register", "create", "--help"],
        &["register", "update", "--help"],
        &["register", "logo", "--help"],
        &["register", "regenerate-token", "--help"],
        &["register", "delete", "--help"],
        &["token", "check", "--help"],
        &["token", "encrypt", "--help"],
        &["webhooks", "list", "--help"],
        &["webhooks", "remove-stale", "--help"],
        &["webhooks", "reactivate", "--help"],
        &["listing", "check", "--help"],
        &["emulator", "--help"],
    ] {
        let r = run("http://127.0.0.1:1/v1", &[], args, "").expect(0);
        assert!(r.stdout.contains("Usage: webex-bot"), "{args:?}: {r:?}");
    }
}
