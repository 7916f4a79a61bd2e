//! The kinds of handler, and what a handler parameter needs: checked when the bot is
//! built.

use std::any::TypeId;
use std::fmt;

/// The kinds of handler: what event a [`Context`](crate::Context) was made for.
///
/// ```
/// use webex_bot::bot::HandlerKind;
/// assert_eq!(HandlerKind::Card.to_string(), "card handlers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HandlerKind {
    /// Commands and the fallback: a message.
    Message,
    /// Card handlers: a submission.
    Card,
    /// Membership handlers: the bot added to or removed from a room.
    Membership,
    /// Route handlers: an HTTP request.
    Route,
}

impl HandlerKind {
    const fn bit(self) -> u8 {
        match self {
            HandlerKind::Message => 1,
            HandlerKind::Card => 2,
            HandlerKind::Membership => 4,
            HandlerKind::Route => 8,
        }
    }
}

impl fmt::Display for HandlerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandlerKind::Message => "commands",
            HandlerKind::Card => "card handlers",
            HandlerKind::Membership => "membership handlers",
            HandlerKind::Route => "route handlers",
        })
    }
}

/// What a parameter needs to be supplied, checked when the bot is built: state of some
/// type, or an event of some kinds.
///
/// ```
/// use webex_bot::bot::{HandlerKind, Requirement};
/// let r = Requirement::only(&[HandlerKind::Card]);
/// assert!(r.fits(HandlerKind::Card) && !r.fits(HandlerKind::Message));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    kinds: u8,
    state: Option<(TypeId, &'static str)>,
}

impl Requirement {
    /// Supplied in every kind of handler.
    ///
    /// ```
    /// use webex_bot::bot::{HandlerKind, Requirement};
    /// assert!(Requirement::any().fits(HandlerKind::Route));
    /// ```
    pub const fn any() -> Requirement {
        Requirement {
            kinds: 0xf,
            state: None,
        }
    }

    /// Supplied only in these kinds of handler.
    ///
    /// ```
    /// use webex_bot::bot::{HandlerKind, Requirement};
    /// assert!(!Requirement::only(&[HandlerKind::Message]).fits(HandlerKind::Route));
    /// ```
    pub const fn only(kinds: &[HandlerKind]) -> Requirement {
        let mut bits = 0;
        let mut i = 0;
        while i < kinds.len() {
            bits |= kinds[i].bit();
            i += 1;
        }
        Requirement {
            kinds: bits,
            state: None,
        }
    }

    /// Needs state of type `T` (in every kind of handler).
    ///
    /// ```
    /// use webex_bot::bot::Requirement;
    /// assert!(Requirement::state::<u32>().state_type().is_some());
    /// ```
    pub fn state<T: 'static>() -> Requirement {
        Requirement {
            kinds: 0xf,
            state: Some((TypeId::of::<T>(), std::any::type_name::<T>())),
        }
    }

    /// Needs state of type `T` as well (and fits only the kinds it fitted).
    ///
    /// ```
    /// use webex_bot::bot::{HandlerKind, Requirement};
    /// let r = Requirement::only(&[HandlerKind::Message]).with_state::<u32>();
    /// assert!(r.fits(HandlerKind::Message) && !r.fits(HandlerKind::Route));
    /// assert!(r.state_type().is_some());
    /// ```
    pub fn with_state<T: 'static>(self) -> Requirement {
        Requirement {
            kinds: self.kinds,
            state: Some((TypeId::of::<T>(), std::any::type_name::<T>())),
        }
    }

    /// Whether a handler of this kind can be given the parameter.
    ///
    /// ```
    /// use webex_bot::bot::{HandlerKind, Requirement};
    /// assert!(Requirement::any().fits(HandlerKind::Message));
    /// ```
    pub fn fits(&self, kind: HandlerKind) -> bool {
        self.kinds & kind.bit() != 0
    }

    /// The type of state it needs, if any, and its name.
    ///
    /// ```
    /// use webex_bot::bot::Requirement;
    /// assert!(Requirement::any().state_type().is_none());
    /// ```
    pub fn state_type(&self) -> Option<(TypeId, &'static str)> {
        self.state
    }

    /// The kinds of handler it fits, for messages ("card handlers", ...).
    pub(crate) fn kinds_text(&self) -> String {
        [
            HandlerKind::Message,
            HandlerKind::Card,
            HandlerKind::Membership,
            HandlerKind::Route,
        ]
        .iter()
        .filter(|k| self.fits(**k))
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(" and ")
    }
}
