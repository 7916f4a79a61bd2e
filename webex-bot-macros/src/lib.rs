//! Procedural macros of [webex-bot](https://docs.rs/webex-bot): `#[command]` and
//! `commands![]`. Use them through the `webex-bot` crate, which re-exports them and
//! documents them in full.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attr;
mod commands;
mod expand;
mod pattern;

use proc_macro::TokenStream;

/// Turns a function into a bot command. See `webex_bot::command` for the grammar, the
/// typing requirements and the errors.
#[proc_macro_attribute]
pub fn command(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::command(attr.into(), item.into()).into()
}

/// Builds a bot's command table from `#[command]` functions. See `webex_bot::commands`.
#[proc_macro]
pub fn commands(input: TokenStream) -> TokenStream {
    commands::commands(input.into()).into()
}
