//! Finding the command a message is for: an index on the first word, then a walk of
//! each candidate's pattern over the message's tokens. No regex, no allocation.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use super::ArgError;
use super::distance::bounded_edit_distance;
use super::input::CommandInput;
use super::spec::{ArgKind, CommandSpec, Piece, Prefix, ShapeItem};
use super::tokenize::Tokens;
use super::value::{ArgProblem, Args, MAX_ARGS, Slot};

/// The most full matches kept for one message (the best are tried first).
const MAX_CANDIDATES: usize = 4;

/// The compiled set of patterns of a bot.
///
/// ```
/// use webex_bot::args::{ArgKind, CommandInput, CommandSpec, Piece};
/// use webex_bot::unversioned::{Matcher, Outcome};
/// static FIND: CommandSpec = CommandSpec::new(
///     "find",
///     "find <ticket>",
///     &[Piece::literal("find"), Piece::arg("ticket", ArgKind::Required)],
/// );
/// let matcher = Matcher::new(vec![&FIND]).unwrap();
/// let input = CommandInput::plain("FIND 42");
/// match matcher.find(&input) {
///     Outcome::Matched(m) => assert_eq!(m.best().1.get(0).unwrap().as_str(), "42"),
///     _ => unreachable!(),
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Matcher {
    specs: Vec<&'static CommandSpec>,
    /// (lowercased first word, spec index, prefix index), sorted by word.
    index: Vec<(String, usize, usize)>,
    /// Specs whose pattern starts with an argument: tried for every message.
    wildcard: Vec<usize>,
}

/// Two commands match the same messages equally well.
///
/// ```
/// # use webex_bot::args::*; use webex_bot::unversioned::*;
/// static A: CommandSpec = CommandSpec::new("a", "find <x>", &[Piece::literal("find"), Piece::arg("x", ArgKind::Required)]);
/// static B: CommandSpec = CommandSpec::new("b", "FIND <y>", &[Piece::literal("FIND"), Piece::arg("y", ArgKind::Required)]);
/// let err = Matcher::new(vec![&A, &B]).unwrap_err();
/// assert_eq!(err.to_string(), "commands `a` (\"find <x>\") and `b` (\"FIND <y>\") match the same messages; change one pattern or remove one of them");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictError {
    /// The first command.
    pub first: &'static CommandSpec,
    /// The second command.
    pub second: &'static CommandSpec,
}

impl fmt::Display for ConflictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "commands `{}` ({:?}) and `{}` ({:?}) match the same messages; change one pattern or remove one of them",
            self.first.name, self.first.pattern, self.second.name, self.second.pattern
        )
    }
}

impl std::error::Error for ConflictError {}

/// What the matcher made of a message.
///
/// ```
/// # use webex_bot::args::*; use webex_bot::unversioned::*;
/// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
/// # let matcher = Matcher::new(vec![&S]).unwrap();
/// let input = CommandInput::plain("say bob hello  there");
/// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
/// let args = &found.best().1;
/// assert_eq!(args.get(0).unwrap().as_str(), "bob");
/// assert!(matches!(matcher.find(&CommandInput::plain("say")), Outcome::BadArgs(_)));
/// ```
///
/// `Matched` is large (its arguments live inline, so matching allocates nothing); an
/// `Outcome` is only ever moved once, out of [`Matcher::find`].
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Outcome<'a> {
    /// One or more commands match; the most specific first.
    Matched(Matches<'a>),
    /// A command's words were typed but its arguments were not right.
    BadArgs(ArgError),
    /// No command matches; perhaps a close one.
    Unknown {
        /// A command whose words are close to what was typed.
        suggestion: Option<&'static CommandSpec>,
    },
    /// The message is empty (just a mention).
    Empty,
}

/// The commands a message fully matches, most specific first.
///
/// ```
/// # use webex_bot::args::*; use webex_bot::unversioned::*;
/// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
/// # let matcher = Matcher::new(vec![&S]).unwrap();
/// let input = CommandInput::plain("say bob hello  there");
/// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
/// let args = &found.best().1;
/// assert_eq!(found.iter().count(), 1);
/// ```
#[derive(Debug)]
pub struct Matches<'a> {
    items: [Option<(usize, Args<'a>)>; MAX_CANDIDATES],
}

impl<'a> Matches<'a> {
    /// The most specific match: (spec index, args).
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(found.best().0, 0);
    /// ```
    pub fn best(&self) -> &(usize, Args<'a>) {
        self.items[0]
            .as_ref()
            .expect("a match has at least one candidate")
    }

    /// All matches, most specific first.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(found.iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &(usize, Args<'a>)> {
        self.items.iter().map_while(Option::as_ref)
    }
}

enum Miss {
    /// The words do not fit.
    Words,
    /// The words fit; this argument is missing.
    Missing(&'static str),
    /// The words fit; there is more text than the pattern takes.
    TooMany(usize),
}

impl Matcher {
    /// Indexes the specs; fails when two of them match the same messages equally well.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(matcher.specs().len(), 1);
    /// ```
    pub fn new(specs: Vec<&'static CommandSpec>) -> Result<Matcher, ConflictError> {
        let mut shapes: HashMap<Vec<ShapeItem>, usize> = HashMap::new();
        let mut index = Vec::new();
        let mut wildcard = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            for (p, prefix) in spec.prefixes().enumerate() {
                if let Some(&j) = shapes.get(&spec.shape(&prefix))
                    && j != i
                {
                    return Err(ConflictError {
                        first: specs[j],
                        second: spec,
                    });
                }
                shapes.insert(spec.shape(&prefix), i);
                match prefix.first_word() {
                    Some(w) => index.push((w.to_lowercase(), i, p)),
                    None if p == 0 => wildcard.push(i),
                    None => {}
                }
            }
        }
        index.sort();
        Ok(Matcher {
            specs,
            index,
            wildcard,
        })
    }

    /// The specs, in the order given.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert_eq!(matcher.specs()[0].name, "say");
    /// ```
    pub fn specs(&self) -> &[&'static CommandSpec] {
        &self.specs
    }

    /// Matches a message.
    ///
    /// ```
    /// # use webex_bot::args::*; use webex_bot::unversioned::*;
    /// # static S: CommandSpec = CommandSpec::new("say", "say <to> <text...>", &[Piece::literal("say"), Piece::arg("to", ArgKind::Required), Piece::arg("text", ArgKind::Rest)]);
    /// # let matcher = Matcher::new(vec![&S]).unwrap();
    /// let input = CommandInput::plain("say bob hello  there");
    /// let Outcome::Matched(found) = matcher.find(&input) else { unreachable!() };
    /// let args = &found.best().1;
    /// assert!(matches!(matcher.find(&CommandInput::plain("sai")), Outcome::Unknown { suggestion: Some(_) }));
    /// ```
    pub fn find<'a>(&self, input: &'a CommandInput<'a>) -> Outcome<'a> {
        let text = input.text();
        let mentions = input.mentions();
        let mut tokens = Tokens::new(text, mentions, 0);
        let Some(first) = tokens.next() else {
            return Outcome::Empty;
        };
        let n_tokens = 1 + tokens.count();
        let first_word = &text[first.value_start..first.value_end];

        let lo = self
            .index
            .partition_point(|(k, _, _)| cmp_ci(first_word, k) == Ordering::Greater);
        let keyed = self.index[lo..]
            .iter()
            .take_while(|(k, _, _)| cmp_ci(first_word, k) == Ordering::Equal)
            .map(|&(_, i, p)| (i, p));
        let candidates = keyed.chain(self.wildcard.iter().map(|&i| (i, 0)));

        let mut matches: [Option<(usize, Args<'a>)>; MAX_CANDIDATES] = Default::default();
        let mut best_miss: Option<(usize, usize, Miss)> = None; // (words matched, spec, miss)
        for (i, p) in candidates {
            let spec = self.specs[i];
            let prefix = spec.prefixes().nth(p).expect("indexed prefix exists");
            match match_one(spec, &prefix, input, n_tokens) {
                Ok(args) => insert_ranked(&mut matches, (i, args), &prefix, &self.specs),
                Err((words, miss)) if !matches!(miss, Miss::Words) => {
                    if best_miss.as_ref().is_none_or(|(w, _, _)| words > *w) {
                        best_miss = Some((words, i, miss));
                    }
                }
                Err(_) => {}
            }
        }
        if matches[0].is_some() {
            return Outcome::Matched(Matches { items: matches });
        }
        if let Some((_, i, miss)) = best_miss {
            let spec = self.specs[i];
            return Outcome::BadArgs(match miss {
                Miss::Missing(name) => ArgError::new(spec, name, ArgProblem::missing()),
                Miss::TooMany(at) => ArgError::too_many(spec, text[at..].trim()),
                Miss::Words => unreachable!("filtered above"),
            });
        }
        Outcome::Unknown {
            suggestion: self.suggest(first_word),
        }
    }

    /// The command whose first word is closest to `word`, if close enough to be a typo.
    fn suggest(&self, word: &str) -> Option<&'static CommandSpec> {
        let word = word.to_lowercase();
        let len = word.chars().count();
        let limit = (len / 3).max(1);
        self.index
            .iter()
            .filter(|(_, i, _)| !self.specs[*i].hidden)
            .filter(|(k, _, _)| k.chars().count().abs_diff(len) <= limit)
            .map(|(k, i, _)| (bounded_edit_distance(&word, k, limit), *i))
            .filter(|(d, _)| *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, i)| self.specs[i])
    }
}

/// Keeps `matches` sorted by specificity, most specific first.
fn insert_ranked<'a>(
    matches: &mut [Option<(usize, Args<'a>)>; MAX_CANDIDATES],
    new: (usize, Args<'a>),
    prefix: &Prefix,
    specs: &[&'static CommandSpec],
) {
    let new_rank = |other: &(usize, Args<'a>)| {
        let o = specs[other.0];
        // Compare with the other's own prefix; aliases rank like the words they replace.
        let op = o.prefixes().next().expect("own prefix");
        specs[new.0].rank(prefix).cmp(o.rank(&op))
    };
    let pos = matches
        .iter()
        .position(|m| m.as_ref().is_none_or(|m| new_rank(m) == Ordering::Greater));
    if let Some(pos) = pos {
        matches[pos..].rotate_right(1);
        matches[pos] = Some(new);
    }
}

/// Walks `spec` (spelled with `prefix`) over the message.
fn match_one<'a>(
    spec: &'static CommandSpec,
    prefix: &Prefix,
    input: &'a CommandInput<'a>,
    n_tokens: usize,
) -> Result<Args<'a>, (usize, Miss)> {
    let text = input.text();
    let mut tokens = Tokens::new(text, input.mentions(), 0);
    let mut words = 0;
    let word_ok = |tokens: &mut Tokens<'_>, w: &str| {
        tokens
            .next()
            .is_some_and(|t| t.mention.is_none() && eq_ci(&text[t.value_start..t.value_end], w))
    };
    match *prefix {
        Prefix::Pieces(pieces) => {
            for p in pieces {
                let Piece::Literal(w) = p else {
                    unreachable!("a prefix holds literals")
                };
                if !word_ok(&mut tokens, w) {
                    return Err((words, Miss::Words));
                }
                words += 1;
            }
        }
        Prefix::Alias(alias) => {
            for w in alias.split_whitespace() {
                if !word_ok(&mut tokens, w) {
                    return Err((words, Miss::Words));
                }
                words += 1;
            }
        }
    }
    let mut consumed = words;
    let mut slots = [Slot::Empty; MAX_ARGS];
    let mut arg = 0;
    let rest_pieces = spec.after_prefix();
    for (pi, piece) in rest_pieces.iter().enumerate() {
        match *piece {
            Piece::Literal(w) => {
                if !word_ok(&mut tokens, w) {
                    return Err((words, Miss::Words));
                }
                words += 1;
                consumed += 1;
            }
            Piece::Arg { name, kind } => {
                if arg >= MAX_ARGS {
                    break;
                }
                match kind {
                    ArgKind::Required => match tokens.next() {
                        Some(t) => {
                            slots[arg] = Slot::One(t);
                            consumed += 1;
                        }
                        None => return Err((words, Miss::Missing(name))),
                    },
                    ArgKind::Optional => {
                        let needed = rest_pieces[pi + 1..]
                            .iter()
                            .filter(|p| {
                                !matches!(
                                    p,
                                    Piece::Arg {
                                        kind: ArgKind::Optional,
                                        ..
                                    }
                                )
                            })
                            .count();
                        if n_tokens - consumed > needed {
                            slots[arg] = Slot::One(tokens.next().expect("counted"));
                            consumed += 1;
                        }
                    }
                    ArgKind::Rest => {
                        let pos = tokens.position();
                        if tokens.next().is_none() {
                            return Err((words, Miss::Missing(name)));
                        }
                        slots[arg] = Slot::Rest(pos);
                        tokens.by_ref().for_each(drop);
                        consumed = n_tokens;
                    }
                }
                arg += 1;
            }
        }
    }
    if let Some(extra) = tokens.next() {
        return Err((words, Miss::TooMany(extra.start)));
    }
    Ok(Args { input, slots, spec })
}

/// Case-insensitive equality, ASCII fast path.
fn eq_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Compares `word` (any case) with an already lowercased key.
fn cmp_ci(word: &str, key: &str) -> Ordering {
    if word.is_ascii() {
        return word
            .bytes()
            .map(|b| b.to_ascii_lowercase())
            .cmp(key.bytes());
    }
    word.chars().flat_map(char::to_lowercase).cmp(key.chars())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArgKind::*;
    use Piece::{Arg, Literal};

    macro_rules! spec {
        ($name:literal, $pattern:literal, [$($p:expr),*] $(, aliases = [$($a:literal),*])?) => {{
            static S: CommandSpec = CommandSpec {
                name: $name, pattern: $pattern, pieces: &[$($p),*],
                aliases: &[$($($a),*)?], help: "", hidden: false,
            };
            &S
        }};
    }

    fn matcher() -> Matcher {
        Matcher::new(vec![
            spec!(
                "find",
                "find <ticket>",
                [
                    Literal("find"),
                    Arg {
                        name: "ticket",
                        kind: Required
                    }
                ],
                aliases = ["lookup", "f"]
            ),
            spec!(
                "close",
                "ticket close <id> <reason...>",
                [
                    Literal("ticket"),
                    Literal("close"),
                    Arg {
                        name: "id",
                        kind: Required
                    },
                    Arg {
                        name: "reason",
                        kind: Rest
                    }
                ]
            ),
            spec!(
                "show",
                "ticket <id>",
                [
                    Literal("ticket"),
                    Arg {
                        name: "id",
                        kind: Required
                    }
                ]
            ),
            spec!(
                "list",
                "list [status] [owner]",
                [
                    Literal("list"),
                    Arg {
                        name: "status",
                        kind: Optional
                    },
                    Arg {
                        name: "owner",
                        kind: Optional
                    }
                ]
            ),
            spec!(
                "assign",
                "assign <who> <id>",
                [
                    Literal("assign"),
                    Arg {
                        name: "who",
                        kind: Required
                    },
                    Arg {
                        name: "id",
                        kind: Required
                    }
                ]
            ),
            spec!(
                "move",
                "move <id> to <column>",
                [
                    Literal("move"),
                    Arg {
                        name: "id",
                        kind: Required
                    },
                    Literal("to"),
                    Arg {
                        name: "column",
                        kind: Required
                    }
                ]
            ),
        ])
        .unwrap()
    }

    fn run(m: &Matcher, text: &str) -> Result<(&'static str, Vec<String>), String> {
        let input = CommandInput::plain(text);
        match m.find(&input) {
            Outcome::Matched(ms) => {
                let (i, args) = ms.best();
                let mut vals = Vec::new();
                for a in 0..MAX_ARGS {
                    if let Some(v) = args.get(a) {
                        vals.push(v.as_str().to_owned());
                    } else if let Some(r) = args.rest(a) {
                        vals.push(r.as_str().to_owned());
                    }
                }
                Ok((m.specs()[*i].name, vals))
            }
            Outcome::BadArgs(e) => Err(e.to_string()),
            Outcome::Unknown { suggestion } => Err(format!(
                "unknown; suggestion {:?}",
                suggestion.map(|s| s.name)
            )),
            Outcome::Empty => Err("empty".into()),
        }
    }

    #[test]
    fn grammar_forms() {
        let m = matcher();
        assert_eq!(run(&m, "find 42"), Ok(("find", vec!["42".into()])));
        assert_eq!(run(&m, "Find 42"), Ok(("find", vec!["42".into()])));
        assert_eq!(run(&m, "LOOKUP 42"), Ok(("find", vec!["42".into()])));
        assert_eq!(run(&m, "f \"a b\""), Ok(("find", vec!["a b".into()])));
        assert_eq!(
            run(&m, "ticket close 7 it was  fixed "),
            Ok(("close", vec!["7".into(), "it was  fixed".into()]))
        );
        assert_eq!(run(&m, "ticket 7"), Ok(("show", vec!["7".into()])));
        // A literal beats an argument: "close" is not a ticket id.
        assert_eq!(run(&m, "ticket close 7 done").unwrap().0, "close");
        assert_eq!(run(&m, "list"), Ok(("list", vec![])));
        assert_eq!(run(&m, "list open"), Ok(("list", vec!["open".into()])));
        assert_eq!(
            run(&m, "list open bob"),
            Ok(("list", vec!["open".into(), "bob".into()]))
        );
        assert_eq!(
            run(&m, "move 4 TO done"),
            Ok(("move", vec!["4".into(), "done".into()]))
        );
    }

    #[test]
    fn errors_name_the_argument_and_show_usage() {
        let m = matcher();
        assert_eq!(
            run(&m, "find"),
            Err("You left out `<ticket>`.\nUsage: `find <ticket>`".into())
        );
        assert_eq!(
            run(&m, "find 1 2"),
            Err("`2` is more than this command takes.\nUsage: `find <ticket>`".into())
        );
        assert_eq!(
            run(&m, "ticket close 7").unwrap_err(),
            "You left out `<reason...>`.\nUsage: `ticket close <id> <reason...>`"
        );
        assert_eq!(
            run(&m, "fnd 4"),
            Err("unknown; suggestion Some(\"find\")".into())
        );
        assert_eq!(run(&m, "weather"), Err("unknown; suggestion None".into()));
        assert_eq!(run(&m, "   "), Err("empty".into()));
    }

    #[test]
    fn conflicts_are_found_through_aliases_too() {
        let a = spec!(
            "a",
            "show <x>",
            [
                Literal("show"),
                Arg {
                    name: "x",
                    kind: Required
                }
            ],
            aliases = ["s"]
        );
        let b = spec!(
            "b",
            "s <y>",
            [
                Literal("s"),
                Arg {
                    name: "y",
                    kind: Required
                }
            ]
        );
        let err = Matcher::new(vec![a, b]).unwrap_err();
        assert_eq!((err.first.name, err.second.name), ("a", "b"));
        // Different kinds are not a conflict: the more specific wins.
        let c = spec!(
            "c",
            "show [x]",
            [
                Literal("show"),
                Arg {
                    name: "x",
                    kind: Optional
                }
            ]
        );
        assert!(Matcher::new(vec![a, c]).is_ok());
    }
}
