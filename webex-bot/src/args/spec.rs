/// One compiled command pattern, as `#[command("...")]` generates it.
///
/// ```
/// use webex_bot::args::{ArgKind, CommandSpec, Piece};
/// static SPEC: CommandSpec = CommandSpec::new(
///     "find",
///     "find <ticket>",
///     &[Piece::literal("find"), Piece::arg("ticket", ArgKind::Required)],
/// )
/// .aliases(&["lookup"])
/// .help("Look a ticket up.");
/// assert_eq!(SPEC.usage(), "find <ticket>");
/// assert_eq!(SPEC.summary(), "Look a ticket up.");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandSpec {
    /// The function's name.
    pub name: &'static str,
    /// The pattern as written.
    pub pattern: &'static str,
    /// The pattern's pieces.
    pub pieces: &'static [Piece],
    /// Other spellings of the pattern's leading literal words.
    pub aliases: &'static [&'static str],
    /// The help text (the function's doc comment).
    pub help: &'static str,
    /// Left out of the help list.
    pub hidden: bool,
}

impl CommandSpec {
    /// A visible command with no aliases and no help text.
    ///
    /// ```
    /// use webex_bot::args::{CommandSpec, Piece};
    /// const S: CommandSpec = CommandSpec::new("ping", "ping", &[Piece::literal("ping")]);
    /// assert!(!S.hidden && S.aliases.is_empty());
    /// ```
    pub const fn new(name: &'static str, pattern: &'static str, pieces: &'static [Piece]) -> Self {
        CommandSpec {
            name,
            pattern,
            pieces,
            aliases: &[],
            help: "",
            hidden: false,
        }
    }

    /// With these other spellings of the leading words.
    ///
    /// ```
    /// use webex_bot::args::{CommandSpec, Piece};
    /// const S: CommandSpec = CommandSpec::new("ping", "ping", &[Piece::literal("ping")]).aliases(&["p"]);
    /// assert_eq!(S.aliases, &["p"]);
    /// ```
    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    /// With this help text.
    ///
    /// ```
    /// use webex_bot::args::{CommandSpec, Piece};
    /// const S: CommandSpec = CommandSpec::new("ping", "ping", &[Piece::literal("ping")]).help("Pong.");
    /// assert_eq!(S.summary(), "Pong.");
    /// ```
    pub const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }

    /// Left out of the help list, or not.
    ///
    /// ```
    /// use webex_bot::args::{CommandSpec, Piece};
    /// const S: CommandSpec = CommandSpec::new("ping", "ping", &[Piece::literal("ping")]).hidden(true);
    /// assert!(S.hidden);
    /// ```
    pub const fn hidden(mut self, hidden: bool) -> Self {
        self.hidden = hidden;
        self
    }
}

/// A piece of a pattern.
///
/// ```
/// use webex_bot::args::{ArgKind, Piece};
/// assert!(Piece::literal("find").is_literal());
/// assert!(!Piece::arg("id", ArgKind::Required).is_literal());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Piece {
    /// A word that must be typed (any case).
    Literal(&'static str),
    /// An argument.
    #[non_exhaustive]
    Arg {
        /// Its name, the function parameter's.
        name: &'static str,
        /// Required, optional or rest.
        kind: ArgKind,
    },
}

impl Piece {
    /// A word that must be typed.
    ///
    /// ```
    /// assert!(webex_bot::args::Piece::literal("x").is_literal());
    /// ```
    pub const fn literal(word: &'static str) -> Piece {
        Piece::Literal(word)
    }

    /// An argument.
    ///
    /// ```
    /// use webex_bot::args::{ArgKind, Piece};
    /// assert!(!Piece::arg("id", ArgKind::Optional).is_literal());
    /// ```
    pub const fn arg(name: &'static str, kind: ArgKind) -> Piece {
        Piece::Arg { name, kind }
    }

    /// Whether this is a literal word.
    ///
    /// ```
    /// assert!(webex_bot::args::Piece::literal("x").is_literal());
    /// ```
    pub fn is_literal(&self) -> bool {
        matches!(self, Piece::Literal(_))
    }

    /// How specific the piece is: a literal beats a required arg, which beats an optional
    /// one, which beats a rest arg.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Piece::Literal(_) => 3,
            Piece::Arg {
                kind: ArgKind::Required,
                ..
            } => 2,
            Piece::Arg {
                kind: ArgKind::Optional,
                ..
            } => 1,
            Piece::Arg {
                kind: ArgKind::Rest,
                ..
            } => 0,
        }
    }
}

/// The kinds of argument.
///
/// ```
/// use webex_bot::args::ArgKind;
/// assert_ne!(ArgKind::Required, ArgKind::Rest);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArgKind {
    /// `<name>`: one word or quoted value.
    Required,
    /// `[name]`: one word or quoted value, or nothing.
    Optional,
    /// `<name...>`: everything that is left (at least one word).
    Rest,
}

impl CommandSpec {
    /// The usage line, such as `find <ticket>`.
    ///
    /// ```
    /// # use webex_bot::args::*;
    /// let s = CommandSpec::new("n", "a  <b>", &[]);
    /// assert_eq!(s.usage(), "a <b>");
    /// ```
    pub fn usage(&self) -> String {
        self.pattern
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The first line of the help text.
    ///
    /// ```
    /// # use webex_bot::args::*;
    /// let s = CommandSpec::new("n", "a", &[]).help("One.\nTwo.");
    /// assert_eq!(s.summary(), "One.");
    /// ```
    pub fn summary(&self) -> &'static str {
        self.help
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }

    /// The number of leading literal words.
    pub(crate) fn literal_prefix_len(&self) -> usize {
        self.pieces.iter().take_while(|p| p.is_literal()).count()
    }

    /// The pieces after the leading literals.
    pub(crate) fn after_prefix(&self) -> &'static [Piece] {
        &self.pieces[self.literal_prefix_len()..]
    }

    /// Every spelling of the leading literals: the pattern's own, then each alias.
    pub(crate) fn prefixes(&self) -> impl Iterator<Item = Prefix> + '_ {
        let own = Prefix::Pieces(&self.pieces[..self.literal_prefix_len()]);
        std::iter::once(own).chain(self.aliases.iter().map(|a| Prefix::Alias(a)))
    }

    /// Specificity key, compared lexicographically (higher is more specific).
    pub(crate) fn rank(&self, prefix: &Prefix) -> impl Iterator<Item = u8> + '_ {
        std::iter::repeat_n(3u8, prefix.len()).chain(self.after_prefix().iter().map(Piece::rank))
    }

    /// Lowercased words and arg kinds of one spelling: two commands with the same shape
    /// match the same messages with the same specificity.
    pub(crate) fn shape(&self, prefix: &Prefix) -> Vec<ShapeItem> {
        prefix
            .words()
            .map(|w| ShapeItem::Word(w.to_lowercase()))
            .chain(self.after_prefix().iter().map(|p| match p {
                Piece::Literal(w) => ShapeItem::Word(w.to_lowercase()),
                Piece::Arg { kind, .. } => ShapeItem::Arg(*kind),
            }))
            .collect()
    }
}

/// One spelling of a command's leading literal words.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Prefix {
    Pieces(&'static [Piece]),
    Alias(&'static str),
}

impl Prefix {
    pub(crate) fn words(&self) -> Box<dyn Iterator<Item = &'static str>> {
        match *self {
            Prefix::Pieces(p) => Box::new(p.iter().filter_map(|p| match p {
                Piece::Literal(w) => Some(*w),
                Piece::Arg { .. } => None,
            })),
            Prefix::Alias(a) => Box::new(a.split_whitespace()),
        }
    }

    pub(crate) fn first_word(&self) -> Option<&'static str> {
        match *self {
            Prefix::Pieces(p) => p.first().and_then(|p| match p {
                Piece::Literal(w) => Some(*w),
                Piece::Arg { .. } => None,
            }),
            Prefix::Alias(a) => a.split_whitespace().next(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match *self {
            Prefix::Pieces(p) => p.len(),
            Prefix::Alias(a) => a.split_whitespace().count(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ShapeItem {
    Word(String),
    Arg(ArgKind),
}
