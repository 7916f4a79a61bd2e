//! The command parser: any message against a set of patterns of every kind (words, required,
//! optional and rest arguments, aliases). Checked: no panic; a match's arguments are parts of
//! the message; every argument parses to a value or an error without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webex_bot::args::{ArgKind, ArgValue, CommandInput, CommandSpec, FromArg, FromRest, Piece};
use webex_bot::unversioned::{Matcher, Outcome};

static FIND: CommandSpec = CommandSpec::new(
    "find",
    "find <ticket>",
    &[
        Piece::literal("find"),
        Piece::arg("ticket", ArgKind::Required),
    ],
)
.aliases(&["lookup"]);
static ADD: CommandSpec = CommandSpec::new(
    "add",
    "add <a> <b>",
    &[
        Piece::literal("add"),
        Piece::arg("a", ArgKind::Required),
        Piece::arg("b", ArgKind::Required),
    ],
);
static LIST: CommandSpec = CommandSpec::new(
    "list",
    "list open [who]",
    &[
        Piece::literal("list"),
        Piece::literal("open"),
        Piece::arg("who", ArgKind::Optional),
    ],
);
static SAY: CommandSpec = CommandSpec::new(
    "say",
    "say <to> <text...>",
    &[
        Piece::literal("say"),
        Piece::arg("to", ArgKind::Required),
        Piece::arg("text", ArgKind::Rest),
    ],
);
static SUM: CommandSpec = CommandSpec::new(
    "sum",
    "sum <n...>",
    &[Piece::literal("sum"), Piece::arg("n", ArgKind::Rest)],
);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let matcher = Matcher::new(vec![&FIND, &ADD, &LIST, &SAY, &SUM]).expect("no conflicts");
    let input = CommandInput::plain(text);
    let Outcome::Matched(found) = matcher.find(&input) else {
        return;
    };
    for (_, args) in found.iter() {
        for i in 0..args.spec().pieces.len() {
            if let Some(v) = args.get(i) {
                assert!(text.contains(v.as_str()) || v.as_str().is_empty() || text.contains('"'));
                let _ = u32::from_arg(v);
                let _ = f64::from_arg(v);
                let _ = bool::from_arg(v);
                let _ = char::from_arg(v);
            }
            if let Some(r) = args.rest(i) {
                let _ = String::from_rest(r);
                let _ = Vec::<i64>::from_rest(r);
            }
        }
    }
    let _ = ArgValue::text(text);
});
