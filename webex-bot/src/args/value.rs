//! Parsed arguments and the traits that turn words into typed values.

use std::fmt;
use std::str::FromStr;

use super::input::{CommandInput, MentionSpan};
use super::spec::CommandSpec;
use super::tokenize::{Token, Tokens};

/// The most arguments one pattern may have.
///
/// ```
/// assert_eq!(webex_bot::args::MAX_ARGS, 16);
/// ```
pub const MAX_ARGS: usize = 16;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot {
    Empty,
    One(Token),
    Rest(usize),
}

/// The words a message gave a command's arguments, by position in the pattern's list of
/// arguments. Built by the matcher; read by generated code.
///
/// ```
/// # use webex_bot::args::*; use webex_bot::unversioned::*;
/// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
/// # let matcher = Matcher::new(vec![&S]).unwrap();
/// let input = CommandInput::plain("say bob hello  there");
/// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
/// let args = &found.best().1;
/// assert_eq!(args.get(0).unwrap().as_str(), "bob");
/// ```
#[derive(Debug, Clone)]
pub struct Args<'a> {
    pub(crate) input: &'a CommandInput<'a>,
    pub(crate) slots: [Slot; MAX_ARGS],
    pub(crate) spec: &'static CommandSpec,
}

impl<'a> Args<'a> {
    /// The value of argument `index` (`None` for an optional argument not given).
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(args.get(0).unwrap().as_str(), "bob");
    /// assert!(args.get(1).is_none());
    /// ```
    pub fn get(&self, index: usize) -> Option<ArgValue<'a>> {
        match self.slots.get(index)? {
            Slot::One(t) => Some(self.value(t)),
            _ => None,
        }
    }

    /// The rest argument at `index`.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(args.rest(1).unwrap().as_str(), "hello  there");
    /// ```
    pub fn rest(&self, index: usize) -> Option<RestValue<'a>> {
        match self.slots.get(index)? {
            Slot::Rest(pos) => Some(RestValue {
                text: self.input.text()[*pos..].trim(),
                input: self.input,
                pos: *pos,
            }),
            _ => None,
        }
    }

    /// The command these arguments were matched for.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(args.spec().name, "say");
    /// ```
    pub fn spec(&self) -> &'static CommandSpec {
        self.spec
    }

    fn value(&self, t: &Token) -> ArgValue<'a> {
        let text = self.input.text();
        ArgValue {
            text: &text[t.value_start..t.value_end],
            mention: t.mention.map(|i| &self.input.mentions()[i]),
        }
    }

    /// Turns a problem with argument `name` into the error shown to the user.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// let e = args.error("to", ArgProblem::new("is not on the team"));
    /// assert!(e.to_string().starts_with("I couldn't read `<to>`: is not on the team."));
    /// ```
    pub fn error(&self, name: &'static str, problem: ArgProblem) -> ArgError {
        ArgError {
            spec: self.spec,
            arg: name,
            problem,
        }
    }
}

/// One argument's word, and the person it names when it is a mention.
///
/// ```
/// use webex_bot::args::{ArgValue, FromArg};
/// let v = ArgValue::text("42");
/// assert_eq!(u32::from_arg(v).unwrap(), 42);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ArgValue<'a> {
    text: &'a str,
    mention: Option<&'a MentionSpan>,
}

impl<'a> ArgValue<'a> {
    /// A plain word (for tests and custom parsers).
    ///
    /// ```
    /// assert_eq!(webex_bot::args::ArgValue::text("x").as_str(), "x");
    /// ```
    pub fn text(text: &'a str) -> Self {
        ArgValue {
            text,
            mention: None,
        }
    }

    /// The word (without its quotes).
    ///
    /// ```
    /// assert_eq!(webex_bot::args::ArgValue::text("x").as_str(), "x");
    /// ```
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The person id, when the word is a mention.
    ///
    /// ```
    /// assert_eq!(webex_bot::args::ArgValue::text("x").mentioned_person(), None);
    /// ```
    pub fn mentioned_person(&self) -> Option<&'a str> {
        self.mention.map(|m| m.person_id.as_str())
    }
}

/// Everything after the last single argument, for `<name...>`.
///
/// ```
/// # use webex_bot::args::*; use webex_bot::unversioned::*;
/// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
/// # let matcher = Matcher::new(vec![&S]).unwrap();
/// let input = CommandInput::plain("say bob hello  there");
/// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
/// let args = &found.best().1;
/// assert_eq!(args.rest(1).unwrap().as_str(), "hello  there");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RestValue<'a> {
    text: &'a str,
    input: &'a CommandInput<'a>,
    pos: usize,
}

impl<'a> RestValue<'a> {
    /// The rest of the text as typed (spacing and quotes kept, ends trimmed).
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(args.rest(1).unwrap().as_str(), "hello  there");
    /// ```
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The rest split into words (quoted values and mentions are one word each).
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// let words: Vec<&str> = args.rest(1).unwrap().words().map(|w| w.as_str()).collect();
    /// assert_eq!(words, ["hello", "there"]);
    /// ```
    pub fn words(&self) -> impl Iterator<Item = ArgValue<'a>> + 'a {
        let input = self.input;
        Tokens::new(input.text(), input.mentions(), self.pos).map(move |t| ArgValue {
            text: &input.text()[t.value_start..t.value_end],
            mention: t.mention.map(|i| &input.mentions()[i]),
        })
    }
}

/// What was wrong with one argument's word: the message the user reads.
///
/// ```
/// use webex_bot::args::ArgProblem;
/// let p = ArgProblem::new("must be between 1 and 5");
/// assert_eq!(p.to_string(), "must be between 1 and 5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgProblem(String);

impl ArgProblem {
    /// A problem described by `message` (lowercase, no final period).
    ///
    /// ```
    /// let p = webex_bot::args::ArgProblem::new("is not a colour");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        ArgProblem(message.into())
    }

    /// The argument was not given at all.
    ///
    /// ```
    /// assert_eq!(webex_bot::args::ArgProblem::missing().to_string(), "is missing");
    /// ```
    pub fn missing() -> Self {
        ArgProblem(MISSING.into())
    }

    fn is_missing(&self) -> bool {
        self.0 == MISSING
    }
}

const MISSING: &str = "is missing";

impl fmt::Display for ArgProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A command matched but one argument could not be read. Its `Display` is the reply the
/// user gets: which argument, what was wrong, and the usage line.
///
/// ```
/// use webex_bot::args::{ArgError, ArgProblem, CommandSpec};
/// static SPEC: CommandSpec = CommandSpec::new("find", "find <ticket>", &[]);
/// let e = ArgError::new(&SPEC, "ticket", ArgProblem::new("`abc` is not a whole number"));
/// assert_eq!(e.to_string(), "I couldn't read `<ticket>`: `abc` is not a whole number.\nUsage: `find <ticket>`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    spec: &'static CommandSpec,
    arg: &'static str,
    problem: ArgProblem,
}

impl ArgError {
    /// An error about argument `arg` of `spec`.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// let e = ArgError::new(&S, "to", ArgProblem::new("is missing"));
    /// assert_eq!(e.arg(), "to");
    /// ```
    pub fn new(spec: &'static CommandSpec, arg: &'static str, problem: ArgProblem) -> Self {
        ArgError { spec, arg, problem }
    }

    /// The message went on after the command's last argument: `extra` is what was left.
    /// No argument is to blame, so [`arg`](Self::arg) is empty.
    ///
    /// ```
    /// use webex_bot::args::{ArgError, CommandSpec};
    /// static SPEC: CommandSpec = CommandSpec::new("add", "add <a> <b>", &[]);
    /// let e = ArgError::too_many(&SPEC, "3");
    /// assert_eq!(e.to_string(), "`3` is more than this command takes.\nUsage: `add <a> <b>`");
    /// assert_eq!(e.arg(), "");
    /// ```
    pub fn too_many(spec: &'static CommandSpec, extra: &str) -> Self {
        ArgError {
            spec,
            arg: "",
            problem: ArgProblem(format!("`{extra}` is more than this command takes")),
        }
    }

    /// The argument's name (empty when the message had more than the command takes).
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static SPEC: CommandSpec = CommandSpec::new("f", "f <x>", &[]);
    /// assert_eq!(ArgError::new(&SPEC, "x", ArgProblem::new("bad")).arg(), "x");
    /// ```
    pub fn arg(&self) -> &'static str {
        self.arg
    }

    /// The command.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static SPEC: CommandSpec = CommandSpec::new("f", "f <x>", &[]);
    /// assert_eq!(ArgError::new(&SPEC, "x", ArgProblem::new("bad")).spec().name, "f");
    /// ```
    pub fn spec(&self) -> &'static CommandSpec {
        self.spec
    }

    /// What was wrong.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static SPEC: CommandSpec = CommandSpec::new("f", "f <x>", &[]);
    /// assert_eq!(ArgError::new(&SPEC, "x", ArgProblem::new("bad")).problem().to_string(), "bad");
    /// ```
    pub fn problem(&self) -> &ArgProblem {
        &self.problem
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arg = self
            .spec
            .pieces
            .iter()
            .find_map(|p| match p {
                super::Piece::Arg { name, kind } if *name == self.arg => Some(match kind {
                    super::ArgKind::Required => format!("<{name}>"),
                    super::ArgKind::Optional => format!("[{name}]"),
                    super::ArgKind::Rest => format!("<{name}...>"),
                }),
                _ => None,
            })
            .unwrap_or_else(|| format!("<{}>", self.arg));
        let usage = self.spec.usage();
        if self.arg.is_empty() {
            return write!(f, "{}.\nUsage: `{usage}`", self.problem);
        }
        if self.problem.is_missing() {
            return write!(f, "You left out `{arg}`.\nUsage: `{usage}`");
        }
        write!(
            f,
            "I couldn't read `{arg}`: {}.\nUsage: `{usage}`",
            self.problem
        )
    }
}

impl std::error::Error for ArgError {}

/// Turns one argument's word into a value. Every [`FromStr`] type whose error is
/// [`Display`](fmt::Display) has it; implement it for types that need more than the word,
/// such as [`Mention`].
///
/// ```
/// use webex_bot::args::{ArgProblem, ArgValue, FromArg};
///
/// struct Percent(u8);
///
/// impl FromArg for Percent {
///     fn from_arg(arg: ArgValue<'_>) -> Result<Self, ArgProblem> {
///         let digits = arg.as_str().trim_end_matches('%');
///         match digits.parse::<u8>() {
///             Ok(n) if n <= 100 => Ok(Percent(n)),
///             _ => Err(ArgProblem::new(format!("`{}` is not a percentage", arg.as_str()))),
///         }
///     }
/// }
/// assert_eq!(Percent::from_arg(ArgValue::text("40%")).unwrap().0, 40);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be parsed from a command argument",
    label = "this type has no `FromArg` implementation",
    note = "implement `std::str::FromStr` (with an error that implements `Display`) or `webex_bot::args::FromArg` for `{Self}`"
)]
pub trait FromArg: Sized {
    /// Parses the word, or says what is wrong with it.
    fn from_arg(arg: ArgValue<'_>) -> Result<Self, ArgProblem>;
}

impl<T> FromArg for T
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn from_arg(arg: ArgValue<'_>) -> Result<Self, ArgProblem> {
        T::from_str(arg.as_str()).map_err(|e| {
            let what = friendly_type_name::<T>();
            let detail = e.to_string();
            if detail.is_empty() {
                ArgProblem(format!("`{}` is not {what}", arg.as_str()))
            } else {
                ArgProblem(format!("`{}` is not {what} ({detail})", arg.as_str()))
            }
        })
    }
}

/// "a whole number", "a number", "true or false", or "a valid Foo".
fn friendly_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    match full {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number of 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "bool" => "`true` or `false`".into(),
        "char" => "a single character".into(),
        _ => {
            let base = full.split('<').next().unwrap_or(full);
            format!("a valid {}", base.rsplit("::").next().unwrap_or(base))
        }
    }
}

/// Turns the rest of a message into a value, for `<name...>`: a [`String`] gets the text as
/// typed, a `Vec<T>` each word parsed with [`FromArg`].
///
/// ```
/// use webex_bot::args::{FromRest, CommandInput, Args};
/// // See the `command` macro for how rest arguments are declared.
/// fn takes<T: FromRest>() {}
/// takes::<String>();
/// takes::<Vec<u32>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot take the rest of a message",
    label = "a rest argument `<name...>` must be a `String` or a `Vec<T>`",
    note = "use `String` for the text as typed, or `Vec<T>` to parse each word"
)]
pub trait FromRest: Sized {
    /// Parses the rest.
    fn from_rest(rest: RestValue<'_>) -> Result<Self, ArgProblem>;
}

impl FromRest for String {
    fn from_rest(rest: RestValue<'_>) -> Result<Self, ArgProblem> {
        Ok(rest.as_str().to_owned())
    }
}

impl<T: FromArg> FromRest for Vec<T> {
    fn from_rest(rest: RestValue<'_>) -> Result<Self, ArgProblem> {
        rest.words().map(T::from_arg).collect()
    }
}

/// A person mentioned in the message ("assign @Alice 42"): resolved from the
/// `<spark-mention>` Webex put in the message.
///
/// ```
/// use webex_bot::args::{ArgValue, FromArg, Mention};
/// assert!(Mention::from_arg(ArgValue::text("alice")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mention {
    /// The person's id.
    pub person_id: String,
    /// The name as it appeared in the message.
    pub display_name: String,
}

impl FromArg for Mention {
    fn from_arg(arg: ArgValue<'_>) -> Result<Self, ArgProblem> {
        match arg.mentioned_person() {
            Some(id) => Ok(Mention {
                person_id: id.to_owned(),
                display_name: arg.as_str().to_owned(),
            }),
            None => Err(ArgProblem(format!(
                "`{}` is not a mention: type @ and pick the person from the list",
                arg.as_str()
            ))),
        }
    }
}

/// An email address argument (checked for one `@` and a dotted domain).
///
/// ```
/// use webex_bot::args::Email;
/// let e: Email = "alice@example.com".parse().unwrap();
/// assert_eq!(e.as_str(), "alice@example.com");
/// assert!("alice".parse::<Email>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// The address.
    ///
    /// ```
    /// let e: webex_bot::args::Email = "a@b.co".parse().unwrap();
    /// assert_eq!(e.as_str(), "a@b.co");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Email {
    type Err = ArgProblem;

    fn from_str(s: &str) -> Result<Self, ArgProblem> {
        let s = s.trim_start_matches("mailto:");
        let valid = s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        });
        if valid {
            Ok(Email(s.to_owned()))
        } else {
            Err(ArgProblem("should look like name@example.com".into()))
        }
    }
}
