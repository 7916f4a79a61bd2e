//! Command arguments: how a message's text becomes typed arguments, and what
//! `#[command("...")]` compiles a pattern into.
//!
//! Bot authors use this module through the [`command`](macro@crate::command) attribute;
//! the types here matter when writing an argument type of one's own ([`FromArg`]), taking
//! a mention or an email ([`Mention`], [`Email`], also at the crate root), or testing
//! patterns directly ([`CommandSpec`], [`CommandInput`]).

mod distance;
mod input;
pub(crate) mod matcher;
mod spec;
mod tokenize;
mod value;

pub use distance::edit_distance;
pub use input::{BotIdentity, CommandInput, MentionSpan};
pub use matcher::ConflictError;
pub(crate) use matcher::{Matcher, Outcome};
pub use spec::{ArgKind, CommandSpec, Piece};
pub use value::{
    ArgError, ArgProblem, ArgValue, Args, Email, FromArg, FromRest, MAX_ARGS, Mention, RestValue,
};
