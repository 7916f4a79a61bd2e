//! The dispatch table: the commands of a bot, the built-in help, and matching a message to
//! a reply.

use std::fmt;

use super::context::{Context, StateMap};
use super::error::HandlerError;
use super::extract::InjectError;
use super::handler::{BoxedHandler, Handler, check_requirements};
use super::kinds::{HandlerKind, Requirement};
use super::reply::{IntoReply, Reply, SORRY_SETUP};
use crate::args::{ArgError, Args, CommandInput, CommandSpec, ConflictError, Matcher, Outcome};
use crate::markdown::{Markdown, escape};

/// A command: its pattern and the functions `#[command]` generated for it.
///
/// ```
/// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
/// # /// Echo the text.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let table = commands![echo];
/// assert_eq!(table.len(), 1);
/// ```
#[derive(Clone, Copy)]
pub struct Command {
    pub(crate) spec: &'static CommandSpec,
    /// Reads the arguments and drops them: used to pick among several matching commands.
    pub(crate) check: fn(&Context, &Args<'_>) -> Result<(), ArgError>,
    /// Reads the arguments, supplies the other parameters, runs the function.
    pub(crate) call: fn(&Context, &Args<'_>) -> Result<Reply, CommandError>,
    /// What the parameters the runtime supplies need.
    pub(crate) requirements: fn() -> Vec<(Requirement, &'static str)>,
}

impl Command {
    /// The pattern.
    ///
    /// ```
    /// # use webex_bot::{command, commands};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// assert_eq!(table.iter().next().unwrap().spec().name, "echo");
    /// ```
    pub fn spec(&self) -> &'static CommandSpec {
        self.spec
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("name", &self.spec.name)
            .field("pattern", &self.spec.pattern)
            .finish()
    }
}

/// Why a matched command could not run.
///
/// ```
/// use webex_bot::bot::{CommandError, InjectError, InjectErrorKind};
/// let e = CommandError::from(InjectError::new(InjectErrorKind::Failed, "no state"));
/// assert!(matches!(e, CommandError::Inject(_)));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CommandError {
    /// An argument could not be read: the user is told what to type.
    Args(ArgError),
    /// A parameter could not be supplied (a bot set-up mistake).
    Inject(InjectError),
}

impl From<ArgError> for CommandError {
    fn from(e: ArgError) -> Self {
        CommandError::Args(e)
    }
}

impl From<InjectError> for CommandError {
    fn from(e: InjectError) -> Self {
        CommandError::Inject(e)
    }
}

type Fallback = BoxedHandler<Reply>;

/// The commands of a bot, built with [`commands!`](crate::commands).
///
/// ```
/// use webex_bot::{Commands, Reply, command, commands};
///
/// /// Say hello.
/// #[command("hello")]
/// fn hello() -> &'static str { "Hello!" }
///
/// let table: Commands = commands![hello].fallback(|| Reply::text("Try `help`."));
/// assert_eq!(table.len(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Commands {
    list: Vec<Command>,
    fallback: Option<Fallback>,
}

impl fmt::Debug for Commands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Commands")
            .field("list", &self.list)
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

impl Commands {
    /// A table of these commands.
    ///
    /// ```
    /// let again = webex_bot::Commands::new(Vec::new());
    /// assert!(again.is_empty());
    /// ```
    pub fn new(list: Vec<Command>) -> Self {
        Commands {
            list,
            fallback: None,
        }
    }

    /// Answers messages that match no command (instead of "I don't know that command"):
    /// a [handler](crate::bot::Handler) taking what commands may take.
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// let table = table.fallback(|who: webex_bot::Sender| format!("Try `help`, {}.", who.email));
    /// ```
    pub fn fallback<M, H>(mut self, handler: H) -> Self
    where
        H: Handler<M>,
        H::Output: IntoReply,
    {
        self.fallback = Some(BoxedHandler::new(
            "the fallback".into(),
            handler,
            IntoReply::into_reply,
        ));
        self
    }

    /// The commands, in the order they were given.
    ///
    /// ```
    /// # use webex_bot::{command, commands};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// assert_eq!(commands![echo].iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &Command> + '_ {
        self.list.iter()
    }

    /// Adds the commands of `other` (a bot built from several modules).
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// let both = table.merge(webex_bot::Commands::default());
    /// assert_eq!(both.len(), 1);
    /// ```
    pub fn merge(mut self, other: Commands) -> Self {
        self.list.extend(other.list);
        if self.fallback.is_none() {
            self.fallback = other.fallback;
        }
        self
    }

    /// The number of commands.
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// assert_eq!(table.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// assert!(!table.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Checks the table and indexes it: fails when two commands match the same messages.
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// let dispatcher = table.compile().unwrap();
    /// ```
    pub fn compile(self) -> Result<Dispatcher, ConflictError> {
        let matcher = Matcher::new(self.list.iter().map(|c| c.spec).collect())?;
        let own_help = self
            .list
            .iter()
            .any(|c| c.spec.pieces.first() == Some(&crate::args::Piece::Literal("help")));
        Ok(Dispatcher {
            commands: self.list,
            matcher,
            fallback: self.fallback,
            builtin_help: !own_help,
        })
    }
}

/// A compiled command table.
///
/// ```
/// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
/// # /// Echo the text.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let table = commands![echo];
/// let dispatcher = table.compile().unwrap();
/// # let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("b", "Bot"));
/// assert_eq!(dispatcher.specs().count(), 1);
/// ```
#[derive(Clone)]
pub struct Dispatcher {
    commands: Vec<Command>,
    matcher: Matcher,
    fallback: Option<Fallback>,
    builtin_help: bool,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("commands", &self.commands)
            .finish_non_exhaustive()
    }
}

/// What dispatching a message did, for logs and explain mode.
///
/// ```
/// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
/// # /// Echo the text.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let table = commands![echo];
/// let dispatcher = table.compile().unwrap();
/// # let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("b", "Bot"));
/// let d = dispatcher.dispatch(&ctx, &CommandInput::plain("echo hi"));
/// assert_eq!(d.command, Some("echo"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dispatched {
    /// What to send back.
    pub reply: Reply,
    /// The command that ran, if any.
    pub command: Option<&'static str>,
    /// Why this command (or none) was chosen.
    pub explanation: Explanation,
}

/// Why a message went where it went (explain mode).
///
/// ```
/// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
/// # /// Echo the text.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let table = commands![echo];
/// let dispatcher = table.compile().unwrap();
/// # let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("b", "Bot"));
/// let d = dispatcher.dispatch(&ctx, &CommandInput::plain("ech hi"));
/// assert_eq!(d.explanation.to_string(), "no command starts with the first word; the closest is `echo`");
/// ```
///
/// Formatting happens only when it is shown, so dispatching a message allocates nothing for
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Explanation {
    /// The built-in help answered.
    Help,
    /// The command matched and ran.
    Matched(&'static CommandSpec),
    /// The command matched but the sender may not use it.
    Refused(&'static CommandSpec),
    /// The command matched but an argument did not read.
    BadArgument(&'static CommandSpec, &'static str),
    /// The command's words were typed but not the right number of arguments.
    WordsOnly(&'static CommandSpec),
    /// The command matched but a parameter could not be supplied.
    NotSupplied(&'static CommandSpec),
    /// No command matched: the fallback handler answered.
    Fallback,
    /// No command starts with the first word; perhaps a close one.
    NoCommand(Option<&'static CommandSpec>),
    /// The message was empty (just a mention).
    Empty,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::Help => f.write_str("built-in help"),
            Explanation::Matched(s) => write!(f, "matched `{}` (pattern {:?})", s.name, s.pattern),
            Explanation::Refused(s) => write!(
                f,
                "matched `{}` (pattern {:?}), but the sender may not use it",
                s.name, s.pattern
            ),
            Explanation::BadArgument(s, arg) => write!(
                f,
                "matched `{}` (pattern {:?}), but argument `{arg}` was wrong",
                s.name, s.pattern
            ),
            Explanation::WordsOnly(s) => {
                write!(f, "the words of `{}` fit, but not its arguments", s.name)
            }
            Explanation::NotSupplied(s) => write!(
                f,
                "matched `{}`, but a parameter could not be supplied",
                s.name
            ),
            Explanation::Fallback => f.write_str("no command matched; the fallback answered"),
            Explanation::NoCommand(Some(s)) => write!(
                f,
                "no command starts with the first word; the closest is `{}`",
                s.name
            ),
            Explanation::NoCommand(None) => f.write_str("no command starts with the first word"),
            Explanation::Empty => f.write_str("empty message"),
        }
    }
}

impl Dispatcher {
    /// Finds the command for `input` and runs it. A panic in the handler is not caught
    /// here (the runtime catches it around this call).
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// let dispatcher = table.compile().unwrap();
    /// # let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("b", "Bot"));
    /// let d = dispatcher.dispatch(&ctx, &CommandInput::plain("echo hi"));
    /// assert_eq!(d.reply, webex_bot::Reply::text("hi"));
    /// ```
    pub fn dispatch(&self, ctx: &Context, input: &CommandInput<'_>) -> Dispatched {
        self.dispatch_guarded(ctx, input, &|_| None)
    }

    /// [`dispatch`](Self::dispatch), asking `refusal` before running a command: a
    /// `Some(reply)` is sent instead of running it.
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// let dispatcher = table.compile().unwrap();
    /// # let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("b", "Bot"));
    /// let refuse = |_: &webex_bot::args::CommandSpec| Some(webex_bot::Reply::text("no"));
    /// let d = dispatcher.dispatch_guarded(&ctx, &CommandInput::plain("echo hi"), &refuse);
    /// assert_eq!(d.reply, webex_bot::Reply::text("no"));
    /// ```
    pub fn dispatch_guarded(
        &self,
        ctx: &Context,
        input: &CommandInput<'_>,
        refusal: &dyn Fn(&CommandSpec) -> Option<Reply>,
    ) -> Dispatched {
        let text = input.text();
        if self.builtin_help {
            let mut words = text.split_whitespace();
            if words.next().is_some_and(|w| w.eq_ignore_ascii_case("help")) {
                let topic: Vec<&str> = words.collect();
                return Dispatched {
                    reply: Reply::markdown(self.help(&topic.join(" "))),
                    command: Some("help"),
                    explanation: Explanation::Help,
                };
            }
        }
        match self.matcher.find(input) {
            Outcome::Matched(matches) => {
                // Several patterns can fit ("list <n>" and "list [status]"): the most
                // specific whose arguments read wins; else its error is shown.
                let mut first_error = None;
                let many = matches.iter().nth(1).is_some();
                for (i, args) in matches.iter() {
                    let cmd = &self.commands[*i];
                    if many && let Err(e) = (cmd.check)(ctx, args) {
                        first_error.get_or_insert(e);
                        continue;
                    }
                    if let Some(reply) = refusal(cmd.spec) {
                        return Dispatched {
                            reply,
                            command: Some(cmd.spec.name),
                            explanation: Explanation::Refused(cmd.spec),
                        };
                    }
                    return match (cmd.call)(ctx, args) {
                        Ok(reply) => Dispatched {
                            reply,
                            command: Some(cmd.spec.name),
                            explanation: Explanation::Matched(cmd.spec),
                        },
                        Err(CommandError::Args(e)) => Dispatched {
                            reply: Reply::text(e.to_string()),
                            command: Some(cmd.spec.name),
                            explanation: Explanation::BadArgument(cmd.spec, e.arg()),
                        },
                        Err(CommandError::Inject(e)) => {
                            log::error!("command `{}` could not run: {e}", cmd.spec.name);
                            Dispatched {
                                reply: Reply::text(SORRY_SETUP),
                                command: Some(cmd.spec.name),
                                explanation: Explanation::NotSupplied(cmd.spec),
                            }
                        }
                    };
                }
                let e = first_error.expect("a failed candidate left an error");
                Dispatched {
                    explanation: Explanation::BadArgument(e.spec(), e.arg()),
                    command: Some(e.spec().name),
                    reply: Reply::text(e.to_string()),
                }
            }
            Outcome::BadArgs(e) => Dispatched {
                explanation: Explanation::WordsOnly(e.spec()),
                command: Some(e.spec().name),
                reply: Reply::text(e.to_string()),
            },
            Outcome::Unknown { suggestion } => {
                if let Some(f) = &self.fallback {
                    return Dispatched {
                        reply: fallback(f, ctx),
                        command: None,
                        explanation: Explanation::Fallback,
                    };
                }
                let first = text.split_whitespace().next().unwrap_or("");
                let reply = match suggestion {
                    Some(s) => format!(
                        "I don't know `{first}`. Did you mean `{}`? Type `help` to see what I can do.",
                        s.usage()
                    ),
                    None => format!("I don't know `{first}`. Type `help` to see what I can do."),
                };
                Dispatched {
                    reply: Reply::text(reply),
                    command: None,
                    explanation: Explanation::NoCommand(suggestion),
                }
            }
            Outcome::Empty => {
                if let Some(f) = &self.fallback {
                    return Dispatched {
                        reply: fallback(f, ctx),
                        command: None,
                        explanation: Explanation::Fallback,
                    };
                }
                Dispatched {
                    reply: Reply::markdown(self.help("")),
                    command: None,
                    explanation: Explanation::Empty,
                }
            }
        }
    }

    /// The help text: every visible command with its summary, or one command in full.
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// let dispatcher = table.compile().unwrap();
    /// # let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("b", "Bot"));
    /// assert!(dispatcher.help("").contains("echo <text...>"));
    /// assert!(dispatcher.help("echo").contains("Echo the text."));
    /// ```
    pub fn help(&self, topic: &str) -> String {
        let topic = topic.trim();
        if !topic.is_empty() {
            let lower = topic.to_lowercase();
            let found = self.commands.iter().map(|c| c.spec).find(|s| {
                s.name.eq_ignore_ascii_case(&lower)
                    || s.usage().to_lowercase().starts_with(&lower)
                    || s.aliases.iter().any(|a| a.eq_ignore_ascii_case(&lower))
            });
            return match found {
                Some(s) => {
                    let mut md = Markdown::new().code(&s.usage());
                    if !s.aliases.is_empty() {
                        md = md
                            .text(" (also: ")
                            .push_raw(
                                &s.aliases
                                    .iter()
                                    .map(|a| format!("`{a}`"))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            )
                            .text(")");
                    }
                    let help = s.help.trim();
                    if !help.is_empty() {
                        md = md.newline().newline().text(help);
                    }
                    md.into_string()
                }
                None => format!(
                    "I have no command `{}`. Type `help` to see them all.",
                    escape(topic)
                ),
            };
        }
        let mut md = Markdown::new().bold("Commands").newline();
        for s in self.commands.iter().map(|c| c.spec).filter(|s| !s.hidden) {
            let line = Markdown::new().code(&s.usage());
            let line = if s.summary().is_empty() {
                line
            } else {
                line.text(": ").text(s.summary())
            };
            md = md.push_raw(&format!("- {line}\n"));
        }
        if self.builtin_help {
            md = md.push_raw("- `help [command]`: show this list, or one command in full\n");
        }
        md.into_string()
    }

    /// Fails when a command or the fallback takes state the bot was not given, or a
    /// parameter only other handlers get.
    pub(crate) fn check(&self, state: &StateMap) -> Result<(), HandlerError> {
        for c in &self.commands {
            let name = format!("command `{}`", c.spec.name);
            check_requirements(&name, HandlerKind::Message, &(c.requirements)(), state)?;
        }
        match &self.fallback {
            Some(f) => f.check(HandlerKind::Message, state),
            None => Ok(()),
        }
    }

    /// The commands' patterns.
    ///
    /// ```
    /// # use webex_bot::{command, commands, Client, Context, args::{BotIdentity, CommandInput}, models::Message};
    /// # /// Echo the text.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let table = commands![echo];
    /// let dispatcher = table.compile().unwrap();
    /// # let ctx = Context::new(Client::new("t"), Message::default(), BotIdentity::new("b", "Bot"));
    /// assert_eq!(dispatcher.specs().next().unwrap().name, "echo");
    /// ```
    pub fn specs(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.commands.iter().map(|c| c.spec)
    }
}

fn fallback(f: &Fallback, ctx: &Context) -> Reply {
    f.call(ctx).unwrap_or_else(|e| {
        log::error!("the fallback could not run: {e}");
        Reply::text(SORRY_SETUP)
    })
}
