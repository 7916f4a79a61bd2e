//! Support for the code `#[command]` and `commands![]` generate. Not a public API.

pub use crate::args::{ArgError, ArgKind, ArgProblem, Args, CommandSpec, FromArg, FromRest, Piece};
pub use crate::bot::{CommandError, Context, Inject, IntoReply, Reply, Requirement};

use crate::bot::Command;

/// Implemented by the marker struct `#[command]` generates beside the function.
pub trait CommandFn {
    /// The pattern.
    const SPEC: &'static CommandSpec;
    /// Reads the arguments and drops them.
    fn check(ctx: &Context, args: &Args<'_>) -> Result<(), ArgError>;
    /// Runs the command.
    fn call(ctx: &Context, args: &Args<'_>) -> Result<Reply, CommandError>;
    /// What the parameters the runtime supplies need, with their type names.
    fn requirements() -> Vec<(Requirement, &'static str)>;
}

/// The table entry of a command.
pub fn command<C: CommandFn>() -> Command {
    Command {
        spec: C::SPEC,
        check: C::check,
        call: C::call,
        requirements: C::requirements,
    }
}

/// A table entry from its parts, for tables made at run time (benchmarks); the parameters
/// it supplies need nothing.
pub fn command_from(
    spec: &'static CommandSpec,
    check: fn(&Context, &Args<'_>) -> Result<(), ArgError>,
    call: fn(&Context, &Args<'_>) -> Result<Reply, CommandError>,
) -> Command {
    Command {
        spec,
        check,
        call,
        requirements: Vec::new,
    }
}

/// Reads required argument `index`.
pub fn required<T: FromArg>(
    args: &Args<'_>,
    index: usize,
    name: &'static str,
) -> Result<T, ArgError> {
    match args.get(index) {
        Some(v) => T::from_arg(v).map_err(|p| args.error(name, p)),
        None => Err(args.error(name, crate::args::ArgProblem::missing())),
    }
}

/// Reads optional argument `index`.
pub fn optional<T: FromArg>(
    args: &Args<'_>,
    index: usize,
    name: &'static str,
) -> Result<Option<T>, ArgError> {
    args.get(index)
        .map(|v| T::from_arg(v).map_err(|p| args.error(name, p)))
        .transpose()
}

/// Reads rest argument `index`.
pub fn rest<T: FromRest>(args: &Args<'_>, index: usize, name: &'static str) -> Result<T, ArgError> {
    match args.rest(index) {
        Some(v) => T::from_rest(v).map_err(|p| args.error(name, p)),
        None => Err(args.error(name, crate::args::ArgProblem::missing())),
    }
}

/// How a parameter that is not in the pattern is supplied. One function gives both parts,
/// so that a type the runtime cannot supply is reported once.
pub struct Param<'a, T> {
    /// Supplies it.
    pub inject: fn(&'a Context) -> Result<T, crate::bot::InjectError>,
    /// What it needs, with its type name.
    pub requirement: fn() -> (Requirement, &'static str),
}

/// The [`Param`] of type `T`.
pub fn param<'a, T: Inject<'a>>() -> Param<'a, T> {
    Param {
        inject: T::inject,
        requirement: || (T::requirement(), core::any::type_name::<T>()),
    }
}

/// Converts a handler's return value.
pub fn reply<T: IntoReply>(value: T) -> Reply {
    value.into_reply()
}

// ---- compile-time conflict check -------------------------------------------------------

/// Fails compilation when two commands of one `commands![]` match the same messages with
/// the same specificity (the check the bot repeats at start-up, case-insensitively for all
/// of Unicode; this one folds ASCII case only).
pub const fn assert_distinct(specs: &[&CommandSpec]) {
    let mut i = 0;
    while i < specs.len() {
        let mut j = i + 1;
        while j < specs.len() {
            // An empty name is the stand-in of a command whose pattern has mistakes: those
            // are reported where they are, and a conflict between stand-ins is not real.
            let stand_in = specs[i].name.is_empty() || specs[j].name.is_empty();
            if !stand_in && conflict(specs[i], specs[j]) {
                let msg = Msg::new()
                    .push("commands `")
                    .push(specs[i].name)
                    .push("` (\"")
                    .push(specs[i].pattern)
                    .push("\") and `")
                    .push(specs[j].name)
                    .push("` (\"")
                    .push(specs[j].pattern)
                    .push("\") match the same messages; change one pattern or remove one of them");
                panic!("{}", msg.as_str());
            }
            j += 1;
        }
        i += 1;
    }
}

const fn conflict(a: &CommandSpec, b: &CommandSpec) -> bool {
    let mut pa = 0;
    while pa <= a.aliases.len() {
        let mut pb = 0;
        while pb <= b.aliases.len() {
            if same_shape(a, pa, b, pb) {
                return true;
            }
            pb += 1;
        }
        pa += 1;
    }
    false
}

#[derive(Clone, Copy)]
enum Item<'a> {
    Word(&'a [u8]),
    Arg(u8),
    End,
}

const fn prefix_len(s: &CommandSpec) -> usize {
    let mut n = 0;
    while n < s.pieces.len() && matches!(s.pieces[n], Piece::Literal(_)) {
        n += 1;
    }
    n
}

/// Item `k` of the shape of `spec` spelled with prefix `p` (0 = own words, else alias p-1).
const fn item(spec: &CommandSpec, p: usize, k: usize) -> Item<'_> {
    let own = prefix_len(spec);
    let (words, k_after) = if p == 0 {
        if k < own {
            return match spec.pieces[k] {
                Piece::Literal(w) => Item::Word(w.as_bytes()),
                Piece::Arg { .. } => Item::End,
            };
        }
        (own, k - own)
    } else {
        let alias = spec.aliases[p - 1].as_bytes();
        let n = count_words(alias);
        if k < n {
            return Item::Word(nth_word(alias, k));
        }
        (n, k - n)
    };
    let _ = words;
    let idx = own + k_after;
    if idx >= spec.pieces.len() {
        return Item::End;
    }
    match spec.pieces[idx] {
        Piece::Literal(w) => Item::Word(w.as_bytes()),
        Piece::Arg { kind, .. } => Item::Arg(match kind {
            ArgKind::Required => 0,
            ArgKind::Optional => 1,
            ArgKind::Rest => 2,
        }),
    }
}

const fn same_shape(a: &CommandSpec, pa: usize, b: &CommandSpec, pb: usize) -> bool {
    let mut k = 0;
    loop {
        match (item(a, pa, k), item(b, pb, k)) {
            (Item::End, Item::End) => return true,
            (Item::Word(x), Item::Word(y)) => {
                if !eq_ascii_ci(x, y) {
                    return false;
                }
            }
            (Item::Arg(x), Item::Arg(y)) => {
                if x != y {
                    return false;
                }
            }
            _ => return false,
        }
        k += 1;
    }
}

const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

const fn count_words(s: &[u8]) -> usize {
    let (mut i, mut n, mut in_word) = (0, 0, false);
    while i < s.len() {
        let space = is_space(s[i]);
        if !space && !in_word {
            n += 1;
        }
        in_word = !space;
        i += 1;
    }
    n
}

const fn nth_word(s: &[u8], k: usize) -> &[u8] {
    let (mut i, mut n) = (0, 0);
    loop {
        while i < s.len() && is_space(s[i]) {
            i += 1;
        }
        let start = i;
        while i < s.len() && !is_space(s[i]) {
            i += 1;
        }
        if n == k || i >= s.len() {
            let (head, _) = s.split_at(i);
            let (_, word) = head.split_at(start);
            return word;
        }
        n += 1;
    }
}

const fn eq_ascii_ci(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A message built at compile time.
struct Msg {
    buf: [u8; 512],
    len: usize,
}

impl Msg {
    const fn new() -> Self {
        Msg {
            buf: [0; 512],
            len: 0,
        }
    }

    const fn push(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() && self.len < self.buf.len() {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    const fn as_str(&self) -> &str {
        let (head, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(head) {
            Ok(s) => s,
            Err(_) => "two commands match the same messages",
        }
    }
}
