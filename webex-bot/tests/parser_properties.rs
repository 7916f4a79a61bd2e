//! Property tests of message parsing: nothing a user types makes it panic, and a message
//! built from a pattern and argument values parses back to the same values.

use proptest::prelude::*;
use webex_bot::args::{BotIdentity, CommandInput};
use webex_bot::models::Message;
use webex_bot::{Client, Context, command, commands};

/// Find.
#[command("find <ticket>", alias = "f")]
fn find(ticket: u32) -> String {
    format!("find:{ticket}")
}

/// Say.
#[command("say <to> <text...>")]
fn say(to: String, text: String) -> String {
    format!("say:{to}|{text}")
}

/// List.
#[command("list [status] [owner]")]
fn list(status: Option<String>, owner: Option<i64>) -> String {
    format!("list:{status:?}|{owner:?}")
}

/// Sum.
#[command("sum <numbers...>")]
fn sum(numbers: Vec<i32>) -> String {
    format!("sum:{numbers:?}")
}

fn run(text: &str, html: Option<&str>, mentioned: bool) -> String {
    let bot = BotIdentity::new("Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ib3Q", "Prop Bot");
    let dispatcher = commands![find, say, list, sum].compile().unwrap();
    let ctx = Context::new(Client::new("unused"), Message::default(), bot.clone());
    let input = CommandInput::from_parts(text, html, &bot, mentioned);
    let reply = dispatcher.dispatch(&ctx, &input).reply;
    match reply.messages().first().map(|m| &m.content) {
        Some(webex_bot::bot::Content::Text(t)) | Some(webex_bot::bot::Content::Markdown(t)) => {
            t.clone()
        }
        _ => String::new(),
    }
}

/// Quotes a word when it needs it to stay one argument.
fn quote(s: &str) -> String {
    if s.is_empty() || s.contains(char::is_whitespace) {
        format!("\"{s}\"")
    } else {
        s.to_owned()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_input_panics(text in "\\PC{0,80}", html in proptest::option::of("(<p>|</p>|<spark-mention data-object-type=\"person\" data-object-id=\"[a-zA-Z0-9=]{0,12}\">|</spark-mention>|&amp;|&#[0-9]{0,8};|[ a-z\"“”<>&;])*"), mentioned: bool) {
        let _ = run(&text, html.as_deref(), mentioned);
    }

    #[test]
    fn typed_arguments_round_trip(n: u32, word in "[a-zA-Z0-9_.-]{1,12}", text in "[a-zA-Z0-9 ,.!?]{1,40}", owner in proptest::option::of(any::<i64>()), numbers in proptest::collection::vec(any::<i32>(), 1..8)) {
        prop_assert_eq!(run(&format!("find {n}"), None, false), format!("find:{n}"));
        prop_assert_eq!(run(&format!("F {n}"), None, false), format!("find:{n}"));
        prop_assert_eq!(run(&format!("Prop Bot find {n}"), None, true), format!("find:{n}"));
        let trimmed = text.trim();
        if !trimmed.is_empty() {
            prop_assert_eq!(run(&format!("say {} {trimmed}", quote(&word)), None, false), format!("say:{word}|{trimmed}"));
        }
        let owner_txt = owner.map(|o| format!(" {o}")).unwrap_or_default();
        prop_assert_eq!(run(&format!("list {word}{owner_txt}"), None, false), format!("list:{:?}|{:?}", Some(word.clone()), owner));
        let nums: Vec<String> = numbers.iter().map(i32::to_string).collect();
        prop_assert_eq!(run(&format!("sum {}", nums.join(" ")), None, false), format!("sum:{numbers:?}"));
    }

    #[test]
    fn quoted_values_keep_their_spaces(a in "[a-z]{1,6}( [a-z]{1,6}){0,3}", b in "[a-z]{1,6}") {
        prop_assert_eq!(run(&format!("say \"{a}\" {b}"), None, false), format!("say:{a}|{b}"));
        prop_assert_eq!(run(&format!("say “{a}” {b}"), None, false), format!("say:{a}|{b}"));
    }
}
