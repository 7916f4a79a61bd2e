//! One handler convention: every kind of handler (command, card, membership, route,
//! fallback) is a function whose parameters the runtime supplies by type.

use std::sync::Arc;

use super::context::{Context, StateMap};
use super::error::{HandlerError, HandlerProblem};
use super::extract::{FromContext, InjectError};
use super::kinds::{HandlerKind, Requirement};
use crate::args::BotIdentity;
use crate::models::Message;

/// A function the bot can call for an event: any `Fn` whose parameters all implement
/// [`FromContext`], optionally after a first `&Context`, up to eight of them.
///
/// ```
/// use webex_bot::{Bot, Commands, Inputs, RoomRef, Sender, State};
///
/// #[derive(serde::Deserialize)]
/// struct Vote { choice: String }
/// struct Tally;
///
/// fn vote(who: Sender, Inputs(v): Inputs<Vote>, _tally: State<Tally>) -> String {
///     format!("{} chose {}", who.email, v.choice)
/// }
///
/// let builder = Bot::builder(Commands::default())
///     .state(Tally)
///     .on_card("vote", vote)
///     .on_added(|room: RoomRef| format!("Hello, room {}!", room.id));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler",
    label = "not a function whose parameters the runtime can supply",
    note = "a handler is a function or closure whose parameters all implement `FromContext` (`Sender`, `RoomRef`, `State<T>`, `Inputs<T>`, `Client`, `Notifier`, ...), optionally after a first `&Context`"
)]
pub trait Handler<M>: Send + Sync + 'static {
    /// What the function returns.
    type Output: 'static;

    /// Supplies the parameters from `ctx` and calls the function.
    fn call(&self, ctx: &Context) -> Result<Self::Output, InjectError>;

    /// What each parameter needs, with the parameter's type name.
    fn requirements(&self) -> Vec<(Requirement, &'static str)>;
}

/// Marks handlers whose first parameter is `&Context`.
#[doc(hidden)]
#[derive(Debug)]
pub struct WithContext;

macro_rules! impl_handler {
    ($($t:ident),*) => {
        impl<F, R, $($t,)*> Handler<($($t,)*)> for F
        where
            F: Fn($($t),*) -> R + Send + Sync + 'static,
            R: 'static,
            $($t: FromContext,)*
        {
            type Output = R;

            #[allow(non_snake_case, unused_variables)]
            fn call(&self, ctx: &Context) -> Result<R, InjectError> {
                $(let $t = $t::from_context(ctx)?;)*
                Ok(self($($t),*))
            }

            fn requirements(&self) -> Vec<(Requirement, &'static str)> {
                vec![$(($t::requirement(), std::any::type_name::<$t>()),)*]
            }
        }

        impl<F, R, $($t,)*> Handler<(WithContext, $($t,)*)> for F
        where
            F: Fn(&Context, $($t),*) -> R + Send + Sync + 'static,
            R: 'static,
            $($t: FromContext,)*
        {
            type Output = R;

            #[allow(non_snake_case, unused_variables)]
            fn call(&self, ctx: &Context) -> Result<R, InjectError> {
                $(let $t = $t::from_context(ctx)?;)*
                Ok(self(ctx, $($t),*))
            }

            fn requirements(&self) -> Vec<(Requirement, &'static str)> {
                vec![$(($t::requirement(), std::any::type_name::<$t>()),)*]
            }
        }
    };
}

impl_handler!();
impl_handler!(T1);
impl_handler!(T1, T2);
impl_handler!(T1, T2, T3);
impl_handler!(T1, T2, T3, T4);
impl_handler!(T1, T2, T3, T4, T5);
impl_handler!(T1, T2, T3, T4, T5, T6);
impl_handler!(T1, T2, T3, T4, T5, T6, T7);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8);

type CallFn<O> = dyn Fn(&Context) -> Result<O, InjectError> + Send + Sync;

/// A handler with its parameters' types erased, its output converted to `O`.
pub(crate) struct BoxedHandler<O: 'static> {
    /// How logs and errors name it (`card handler "vote"`).
    pub name: String,
    call: Arc<CallFn<O>>,
    requirements: Vec<(Requirement, &'static str)>,
}

impl<O: 'static> Clone for BoxedHandler<O> {
    fn clone(&self) -> Self {
        BoxedHandler {
            name: self.name.clone(),
            call: self.call.clone(),
            requirements: self.requirements.clone(),
        }
    }
}

impl<O: 'static> BoxedHandler<O> {
    pub(crate) fn new<M, H>(name: String, handler: H, convert: fn(H::Output) -> O) -> Self
    where
        H: Handler<M>,
    {
        let requirements = handler.requirements();
        BoxedHandler {
            name,
            call: Arc::new(move |ctx| handler.call(ctx).map(convert)),
            requirements,
        }
    }

    pub(crate) fn call(&self, ctx: &Context) -> Result<O, InjectError> {
        (self.call)(ctx)
    }

    pub(crate) fn check(&self, kind: HandlerKind, state: &StateMap) -> Result<(), HandlerError> {
        check_requirements(&self.name, kind, &self.requirements, state)
    }
}

/// Fails when a parameter needs state the bot was not given, or an event of another kind.
pub(crate) fn check_requirements(
    handler: &str,
    kind: HandlerKind,
    requirements: &[(Requirement, &'static str)],
    state: &StateMap,
) -> Result<(), HandlerError> {
    for (req, parameter) in requirements {
        if !req.fits(kind) {
            return Err(HandlerError {
                handler: handler.to_owned(),
                parameter,
                problem: HandlerProblem::WrongEvent(req.kinds_text()),
            });
        }
        if let Some((id, name)) = req.state_type()
            && !state.contains(id)
        {
            return Err(HandlerError {
                handler: handler.to_owned(),
                parameter: name,
                problem: HandlerProblem::NoState,
            });
        }
    }
    Ok(())
}

/// A command parameter the runtime supplies: every [`FromContext`] type, and the borrowed
/// `&Context`, `&Message` and `&BotIdentity`. Used by the code `#[command]` generates.
#[diagnostic::on_unimplemented(
    message = "parameter of type `{Self}` is neither in the pattern nor supplied by the runtime",
    label = "not an argument of the pattern, and the runtime cannot supply a `{Self}`",
    note = "name the parameter like an argument of the pattern (`<name>`), or take one of `&Context`, `&Message`, `Sender`, `RoomRef`, `Client`, `Notifier`, `State<T>`, `RoomState<T>`, `PersonState<T>` (or implement `FromContext`)"
)]
pub trait Inject<'a>: Sized {
    /// Takes the value from the context.
    fn inject(ctx: &'a Context) -> Result<Self, InjectError>;
    /// What it needs.
    fn requirement() -> Requirement;
}

impl<'a, T: FromContext> Inject<'a> for T {
    fn inject(ctx: &'a Context) -> Result<Self, InjectError> {
        T::from_context(ctx)
    }
    fn requirement() -> Requirement {
        T::requirement()
    }
}

impl<'a> Inject<'a> for &'a Context {
    fn inject(ctx: &'a Context) -> Result<Self, InjectError> {
        Ok(ctx)
    }
    fn requirement() -> Requirement {
        Requirement::any()
    }
}

impl<'a> Inject<'a> for &'a Message {
    fn inject(ctx: &'a Context) -> Result<Self, InjectError> {
        ctx.message()
            .ok_or_else(|| Message::from_context(ctx).expect_err("no message"))
    }
    fn requirement() -> Requirement {
        Requirement::only(&[HandlerKind::Message])
    }
}

impl<'a> Inject<'a> for &'a BotIdentity {
    fn inject(ctx: &'a Context) -> Result<Self, InjectError> {
        Ok(&ctx.bot)
    }
    fn requirement() -> Requirement {
        Requirement::any()
    }
}
