//! Mention stripping: any text and HTML, the bot mentioned or not. Checked: no panic; from
//! plain text the command is a trimmed part of the text; without a mention nothing but
//! whitespace is removed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webex_bot::args::{BotIdentity, CommandInput};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let bot = BotIdentity::new("bot-id", "Ticket Bot");
    // "text \0 html": both parts.
    let (text, html) = match s.split_once('\0') {
        Some((t, h)) => (t, Some(h)),
        None => (s, None),
    };
    for mentioned in [false, true] {
        let input = CommandInput::from_parts(text, html, &bot, mentioned);
        let _ = input.mentions();
        if html.is_none_or(|h| !h.contains("<spark-mention")) {
            let got = input.text();
            assert!(text.contains(got), "{got:?} is not part of {text:?}");
            assert_eq!(got, got.trim());
            if !mentioned {
                assert_eq!(got, text.trim());
            }
        }
    }
});
