//! Procedural macros of [webex-bot](https://docs.rs/webex-bot): `#[command]` and
//! `commands![]`. Use them through the `webex-bot` crate, which re-exports them and
//! documents them in full.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod arg_enum;
mod attr;
mod commands;
mod expand;
mod pattern;

use proc_macro::TokenStream;

/// Turns a plain function into a bot command: the pattern is parsed when the code
/// compiles, and the function is registered with [`commands!`].
///
/// ```
/// use webex_bot::{command, commands, Context};
///
/// /// Look a ticket up.
/// #[command("find <ticket>", alias = "f")]
/// fn find(ticket: u32) -> String {
///     format!("Ticket {ticket} is open")
/// }
///
/// /// Close a ticket, saying why.
/// #[command("ticket close <id> <reason...>")]
/// fn close(id: u32, reason: String, ctx: &Context) -> String {
///     format!("{} closed {id}: {reason}", ctx.sender().email)
/// }
///
/// let table = commands![find, close];
/// // The function is unchanged and can be unit-tested directly.
/// assert_eq!(find(7), "Ticket 7 is open");
/// ```
///
/// # Grammar
///
/// `#[command("PATTERN", OPTIONS)]`. A pattern is words separated by spaces:
///
/// - a **literal** word, such as `find` or `close`, matched in any case; a pattern has at
///   least one;
/// - a **required argument** `<name>`: one word, or a value in double quotes
///   (`"two words"`, also with typographic quotes), or a mention;
/// - an **optional argument** `[name]`: the same, or nothing; optional arguments come after
///   the required ones;
/// - a **rest argument** `<name...>`: everything that is left (at least one word); last only.
///
/// Options: `alias = "..."` (another spelling of the leading literal words, repeatable),
/// `hidden` (left out of `help`), `help = "..."` (instead of the doc comment). The doc
/// comment's first line is the command's summary in `help`; `help <command>` shows it all.
///
/// When several patterns fit a message, the most specific wins: at each position a literal
/// beats a required argument, which beats an optional one, which beats a rest argument.
/// Two commands that would match the same messages equally are refused by `commands!` at
/// compile time, and by the bot builder when tables are merged at run time.
///
/// The bot's own mention is removed before matching, whether it is at the start, the end or
/// in the middle, and whatever form the client sent.
///
/// # Typing requirements
///
/// - A parameter named like an argument receives it. A required argument's type implements
///   `webex_bot::args::FromArg`: every `FromStr` type whose error is `Display` does, as
///   do `Mention` (a person mentioned in the message) and `Email`. An optional argument's
///   type is `Option<T>` with `T: FromArg`. A rest argument is a `String` (the text as
///   typed) or a `Vec<T>` (each word parsed).
/// - Any other parameter is supplied by the runtime from its type (`FromContext`): `&Context`,
///   `&Message`, `Message`, `Sender`, `RoomRef`, `Client`, `&BotIdentity`, `State<T>`.
/// - The return type implements `IntoReply`: `()`, `String`, `&str`, `Markdown`, `Card`,
///   `Reply`, `Option<T>`, or `Result<T, E>` with `E: Display` (an error is sent as a polite
///   reply that quotes it).
/// - The function is a plain blocking `fn`: not `async`, not generic, not a method.
///
/// # Errors
///
/// Every mistake is a compile error, all of them at once, and the function is still emitted
/// so that no other errors follow: an empty pattern; an unclosed `<` or `[`; an argument
/// name that is not an identifier; a duplicate argument; a rest argument not last; a
/// required argument after an optional one; no literal word; an argument with no parameter
/// of its name (with "did you mean"); a parameter of an argument type that is not in the
/// pattern; an optional argument whose parameter is not an `Option`, or a required one whose
/// parameter is; an argument type that cannot be parsed (reported on the type); a parameter
/// the runtime cannot supply; an unsupported return type; an alias given twice or holding
/// arguments; an unknown option; `async`, generic or method functions.
///
/// At run time, input that does not fit never panics: the user is told which argument was
/// wrong, why, and the usage line; unknown commands get a "did you mean".
#[proc_macro_attribute]
pub fn command(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::command(attr.into(), item.into()).into()
}

/// Builds a bot's command table from `#[command]` functions, by name or path.
///
/// ```
/// use webex_bot::{command, commands};
///
/// mod tickets {
///     use webex_bot::command;
///     /// Look a ticket up.
///     #[command("find <ticket>")]
///     pub fn find(ticket: u32) -> String { ticket.to_string() }
/// }
///
/// /// Say hello.
/// #[command("hello")]
/// fn hello() -> &'static str { "Hello!" }
///
/// let table = commands![hello, tickets::find];
/// assert_eq!(table.len(), 2);
/// ```
///
/// Two commands that match the same messages with the same specificity are a compile error
/// naming both; a command listed twice is too.
#[proc_macro]
pub fn commands(input: TokenStream) -> TokenStream {
    commands::commands(input.into()).into()
}

/// Makes a fieldless enum a command argument: each variant is typed as its name in
/// kebab-case (`InProgress`: `in-progress`, also `in_progress` or `inprogress`), in any
/// case. Other words are refused with the list of choices.
///
/// ```
/// use webex_bot::{ArgEnum, command, commands};
///
/// #[derive(Debug, PartialEq, ArgEnum)]
/// enum Status {
///     Open,
///     InProgress,
///     Closed,
/// }
///
/// /// List tickets with a status.
/// #[command("list <status>")]
/// fn list(status: Status) -> String {
///     format!("{status:?}")
/// }
///
/// assert_eq!("IN-PROGRESS".parse::<Status>(), Ok(Status::InProgress));
/// assert_eq!("in_progress".parse::<Status>(), Ok(Status::InProgress));
/// let err = "done".parse::<Status>().unwrap_err();
/// assert_eq!(err.to_string(), "should be one of: open, in-progress, closed");
/// let _ = commands![list];
/// ```
#[proc_macro_derive(ArgEnum)]
pub fn arg_enum(input: TokenStream) -> TokenStream {
    arg_enum::derive(input.into()).into()
}
