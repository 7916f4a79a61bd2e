//! The App Hub listing check: a valid listing passes; each rule broken alone gives its own
//! message; ten broken at once give ten messages; and the `webex-bot` binary says the same
//! with its exit codes and `--json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use webex_bot_cli::listing::{Images, Listing, Problem, check};

/// The first bytes of a PNG of `w` × `h` pixels: as much as a header reader looks at.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b
}

fn images(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("webex-bot-listing-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (file, w, h) in [
        ("logo.png", 512, 512),
        ("small-logo.png", 256, 256),
        ("shot1.png", 600, 600),
        ("shot2.png", 900, 900),
        ("wide.png", 800, 600),
        ("tiny.png", 200, 200),
    ] {
        std::fs::write(d.join(file), png(w, h)).unwrap();
    }
    std::fs::write(d.join("not-an-image.png"), b"hello").unwrap();
    d
}

const VALID: &str = r#"
name = "Ticket Bot"
app_type = "bot"
app_id = "Y2lzY29zcGFyazovL3VzL0FQUExJQ0FUSU9OL2FiYw"
categories = ["Productivity", "Developer Tools"]
bot_email = "tickets@webex.bot"
tagline = "Look tickets up and close them without leaving the space"
description = """
Ticket Bot answers in any space it is added to:

- `find 42` shows a ticket
- `close 42 fixed` closes one

Read [the guide](https://example.com/guide) for more.
"""
logo = "https://example.com/img/logo.png"
developer_website = "https://example.com"
support_url = "https://example.com/support"
privacy_url = "https://example.com/privacy"
company = "Example Ltd"
contact_name = "Ada Lovelace"
contact_email = "ada@example.com"
screenshots = ["https://example.com/img/shot1.png", "https://example.com/img/shot2.png"]
video = "https://www.youtube.com/watch?v=abc"
"#;

fn valid() -> Listing {
    toml::from_str(VALID).unwrap()
}

#[test]
fn a_valid_listing_passes() {
    let dir = images("valid");
    assert_eq!(check(&valid(), &Images::Folder(dir)), Vec::<Problem>::new());
}

#[test]
fn each_rule_broken_alone_gives_its_own_message() {
    let dir = images("alone");
    type Break = fn(&mut Listing);
    let cases: Vec<(Break, &str, &str)> = vec![
        (|l| l.name = None, "name", "is required"),
        (
            |l| l.name = Some("x".repeat(76)),
            "name",
            "at most 75 characters (it has 76)",
        ),
        (|l| l.app_type = None, "app_type", "is required"),
        (
            |l| l.app_type = Some("robot".into()),
            "app_type",
            "must be one of",
        ),
        (|l| l.app_id = Some(" ".into()), "app_id", "is required"),
        (|l| l.categories.clear(), "categories", "one or two"),
        (
            |l| l.categories.push("Social".into()),
            "categories",
            "at most 2 (it has 3)",
        ),
        (|l| l.bot_email = None, "bot_email", "is required for a bot"),
        (
            |l| l.bot_email = Some("tickets@example.com".into()),
            "bot_email",
            "@webex.bot",
        ),
        (
            |l| l.tagline = Some("y".repeat(101)),
            "tagline",
            "at most 100 characters (it has 101)",
        ),
        (
            |l| l.description = Some("z".repeat(1001)),
            "description",
            "at most 1,000 characters",
        ),
        (
            |l| l.description = Some("Read <b>this</b>".into()),
            "description",
            "not HTML",
        ),
        (
            |l| l.description = Some("• one\n• two".into()),
            "description",
            "bullets must be markdown",
        ),
        (
            |l| l.description = Some("See https://example.com now".into()),
            "description",
            "markdown links",
        ),
        (
            |l| l.logo = Some("http://example.com/img/logo.png".into()),
            "logo",
            "https URL",
        ),
        (
            |l| l.logo = Some("https://example.com/img/small-logo.png".into()),
            "logo",
            "512 × 512 pixels (it is 256 × 256)",
        ),
        (
            |l| l.logo = Some("https://example.com/img/not-an-image.png".into()),
            "logo",
            "could not be read",
        ),
        (
            |l| l.developer_website = None,
            "developer_website",
            "is required",
        ),
        (
            |l| l.support_url = Some("example.com/support".into()),
            "support_url",
            "https URL",
        ),
        (
            |l| l.privacy_url = Some("ftp://example.com".into()),
            "privacy_url",
            "https URL",
        ),
        (|l| l.company = None, "company", "is required"),
        (
            |l| l.contact_name = Some("".into()),
            "contact_name",
            "is required",
        ),
        (
            |l| l.contact_email = Some("ada".into()),
            "contact_email",
            "email address",
        ),
        (
            |l| l.screenshots = vec!["https://example.com/img/shot1.png".into(); 4],
            "screenshots",
            "at most 3 (it has 4)",
        ),
        (
            |l| l.screenshots[1] = "https://example.com/img/wide.png".into(),
            "screenshots[2]",
            "square, 300 to 900 pixels a side (it is 800 × 600)",
        ),
        (
            |l| l.screenshots[0] = "https://example.com/img/tiny.png".into(),
            "screenshots[1]",
            "(it is 200 × 200)",
        ),
        (
            |l| l.video = Some("https://example.com/video".into()),
            "video",
            "YouTube or Vimeo",
        ),
    ];
    for (i, (brk, field, rule)) in cases.iter().enumerate() {
        let mut l = valid();
        brk(&mut l);
        let problems = check(&l, &Images::Folder(dir.clone()));
        assert_eq!(problems.len(), 1, "case {i} ({field}): {problems:?}");
        assert_eq!(problems[0].field, *field, "case {i}: {problems:?}");
        assert!(
            problems[0].rule.contains(rule),
            "case {i}: {:?} lacks {rule:?}",
            problems[0].rule
        );
    }
}

#[test]
fn ten_broken_rules_give_ten_messages_at_once() {
    let dir = images("ten");
    let mut l = valid();
    l.name = Some("x".repeat(80));
    l.app_type = Some("robot".into());
    l.categories = vec!["a".into(), "b".into(), "c".into()];
    l.tagline = None;
    l.description = Some("<p>hi</p>".into());
    l.logo = Some("https://example.com/img/wide.png".into());
    l.support_url = Some("http://example.com/support".into());
    l.contact_email = Some("nobody".into());
    l.screenshots = vec!["https://example.com/img/tiny.png".into()];
    l.video = Some("https://dailymotion.com/x".into());
    let problems = check(&l, &Images::Folder(dir));
    let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        [
            "name",
            "app_type",
            "categories",
            "tagline",
            "description",
            "support_url",
            "contact_email",
            "logo",
            "screenshots[1]",
            "video"
        ],
        "{problems:#?}"
    );
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_webex-bot"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn the_binary_checks_a_listing_with_exit_codes_and_json() {
    let dir = images("cli");
    let good = write(&dir, "good.toml", VALID);
    let imgs = dir.display().to_string();
    let (code, out, _) = cli(&["listing", "check", &good, "--images", &imgs]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the listing passes"), "{out}");

    let bad = write(
        &dir,
        "bad.toml",
        &VALID
            .replace("tickets@webex.bot", "tickets@example.com")
            .replace("Ada Lovelace", ""),
    );
    let (code, out, _) = cli(&["listing", "check", &bad, "--images", &imgs]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("bot_email: must end with @webex.bot"), "{out}");
    assert!(out.contains("contact_name: is required"), "{out}");
    assert!(out.contains("2 problem(s)"), "{out}");

    let (code, out, _) = cli(&["listing", "check", &bad, "--images", &imgs, "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["sizes_checked"], true);
    assert_eq!(v["problems"].as_array().unwrap().len(), 2);
    assert_eq!(v["problems"][0]["field"], "bot_email");

    // Without images: the sizes are not checked, and it says so.
    let (code, _, err) = cli(&["listing", "check", &good]);
    assert_eq!(code, 0);
    assert!(err.contains("image sizes not checked"), "{err}");

    // A missing file, and a file that is not a listing: exit 2 with the reason.
    let (code, _, err) = cli(&["listing", "check", "/nonexistent/listing.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let junk = write(&dir, "junk.toml", "name = [unclosed");
    let (code, _, err) = cli(&["listing", "check", &junk]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a listing file"), "{err}");
    let typo = write(&dir, "typo.toml", "nmae = \"x\"");
    let (code, _, err) = cli(&["listing", "check", &typo]);
    assert_eq!(code, 2);
    assert!(err.contains("nmae"), "an unknown field is named: {err}");

    // Help for the subcommand.
    let (code, out, _) = cli(&["listing", "check", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--images") && out.contains("--download") && out.contains("--json"),
        "{out}"
    );
}
