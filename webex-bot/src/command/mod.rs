//! Command parsing support: what `#[command("...")]` compiles a pattern into, and the
//! run-time pieces that match a message against the patterns and read typed arguments.
//!
//! Bot authors use this module through the [`command`](macro@crate::command) attribute; the
//! types here matter when writing an argument type of one's own ([`FromArg`]) or when
//! testing patterns directly.

mod args;
mod input;
pub(crate) mod matcher;
mod spec;
mod tokenize;

pub use args::{
    ArgError, ArgProblem, ArgValue, Args, Email, FromArg, FromRest, MAX_ARGS, Mention, RestValue,
};
pub use input::{BotIdentity, CommandInput, MentionSpan};
pub use matcher::{ConflictError, edit_distance};
pub(crate) use matcher::{Matcher, Outcome};
pub use spec::{ArgKind, CommandSpec, Piece};
