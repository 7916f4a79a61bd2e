//! Typed state kept per room or per person, for handlers: declared on the builder with a
//! name and an expiry ([`BotBuilder::room_state`](crate::BotBuilder::room_state),
//! [`BotBuilder::person_state`](crate::BotBuilder::person_state)), injected as
//! [`RoomState<T>`] or [`PersonState<T>`]. Values are kept as JSON: in this process's
//! memory, or on Redis when the bot has replicas, so that every replica sees the same.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::context::Context;
use super::extract::{FromContext, InjectError, InjectErrorKind};
use super::kinds::{HandlerKind, Requirement};
use crate::store::RedisStore;

/// Why state could not be read or written.
///
/// ```
/// let e = webex_bot::StateError::new("Redis at 127.0.0.1:6379: connection refused");
/// assert!(e.to_string().contains("connection refused"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError(String);

impl StateError {
    /// An error saying `why`.
    ///
    /// ```
    /// assert_eq!(webex_bot::StateError::new("x").to_string(), "state: x");
    /// ```
    pub fn new(why: impl Into<String>) -> Self {
        StateError(why.into())
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "state: {}", self.0)
    }
}

impl std::error::Error for StateError {}

/// Where scoped state lives: memory, until the bot starts with replicas.
#[derive(Default)]
pub(crate) struct ScopedStore {
    redis: OnceLock<Arc<RedisStore>>,
    memory: Mutex<HashMap<String, (String, Instant)>>,
    /// Writes since expired entries were last swept from memory.
    writes: AtomicU64,
}

impl ScopedStore {
    /// Keeps state on Redis from now on (set at start, before any handler runs).
    pub(crate) fn share(&self, store: Arc<RedisStore>) {
        let _ = self.redis.set(store);
    }

    fn sweep(&self, map: &mut HashMap<String, (String, Instant)>) {
        if self.writes.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            let now = Instant::now();
            map.retain(|_, (_, until)| *until > now);
        }
    }

    fn get(&self, key: &str) -> Result<Option<String>, StateError> {
        if let Some(r) = self.redis.get() {
            return r.state_get(key).map_err(|e| StateError(e.to_string()));
        }
        let map = self.memory.lock().expect("state");
        Ok(map
            .get(key)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(v, _)| v.clone()))
    }

    fn put(&self, key: &str, value: Option<String>, ttl: Duration) -> Result<(), StateError> {
        if let Some(r) = self.redis.get() {
            return r
                .state_put(key, value.as_deref(), ttl)
                .map_err(|e| StateError(e.to_string()));
        }
        let mut map = self.memory.lock().expect("state");
        match value {
            Some(v) => {
                map.insert(key.to_owned(), (v, Instant::now() + ttl));
            }
            None => {
                map.remove(key);
            }
        }
        self.sweep(&mut map);
        Ok(())
    }

    fn update<R>(
        &self,
        key: &str,
        ttl: Duration,
        mut f: impl FnMut(Option<String>) -> (Option<String>, R),
    ) -> Result<R, StateError> {
        if let Some(r) = self.redis.get() {
            return r
                .state_update(key, ttl, f)
                .map_err(|e| StateError(e.to_string()));
        }
        let mut map = self.memory.lock().expect("state");
        let now = Instant::now();
        let old = map
            .remove(key)
            .filter(|(_, until)| *until > now)
            .map(|(v, _)| v);
        let (new, out) = f(old);
        if let Some(v) = new {
            map.insert(key.to_owned(), (v, now + ttl));
        }
        self.sweep(&mut map);
        Ok(out)
    }
}

/// A declaration: the name and expiry of one kind of scoped state.
pub(crate) struct Declared<S, T> {
    pub name: String,
    pub ttl: Duration,
    _t: PhantomData<fn() -> (S, T)>,
}

impl<S, T> Declared<S, T> {
    pub(crate) fn new(name: String, ttl: Duration) -> Self {
        Declared {
            name,
            ttl,
            _t: PhantomData,
        }
    }
}

/// The room scope.
pub(crate) enum RoomScope {}
/// The person scope.
pub(crate) enum PersonScope {}

/// One value of scoped state: its key, expiry and store.
struct Slot<T> {
    store: Arc<ScopedStore>,
    key: String,
    ttl: Duration,
    _t: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned> Slot<T> {
    fn get(&self) -> Result<Option<T>, StateError> {
        match self.store.get(&self.key)? {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
                StateError(format!(
                    "the value at {} does not read as this type: {e}",
                    self.key
                ))
            }),
        }
    }

    fn update<R>(&self, mut f: impl FnMut(&mut Option<T>) -> R) -> Result<R, StateError> {
        let key = &self.key;
        self.store.update(key, self.ttl, |old| {
            // A value that does not read (its type changed) starts again from nothing.
            let mut value: Option<T> = old.and_then(|j| serde_json::from_str(&j).ok());
            let out = f(&mut value);
            let json = value
                .as_ref()
                .map(|v| serde_json::to_string(v).expect("state serializes"));
            (json, out)
        })
    }

    fn set(&self, value: T) -> Result<(), StateError> {
        let json = serde_json::to_string(&value).expect("state serializes");
        self.store.put(&self.key, Some(json), self.ttl)
    }

    fn delete(&self) -> Result<(), StateError> {
        self.store.put(&self.key, None, self.ttl)
    }
}

fn slot<S: 'static, T: Send + Sync + 'static>(
    ctx: &Context,
    scope: &str,
    id: Option<&str>,
) -> Result<Slot<T>, InjectError> {
    let declared = ctx.state::<Declared<S, T>>().ok_or_else(|| {
        InjectError::new(
            InjectErrorKind::Failed,
            format!(
                "no {scope} state of type `{}` was declared (use `BotBuilder::{scope}_state`)",
                std::any::type_name::<T>()
            ),
        )
    })?;
    let store = ctx
        .state::<ScopedStore>()
        .expect("declared state comes with its store");
    let id = id.filter(|i| !i.is_empty()).ok_or_else(|| {
        InjectError::new(
            InjectErrorKind::Failed,
            format!("this event has no {scope} for its {scope} state"),
        )
    })?;
    Ok(Slot {
        store: store.0.clone(),
        key: format!("{}:{scope}:{id}", declared.name),
        ttl: declared.ttl,
        _t: PhantomData,
    })
}

const SCOPED_EVENTS: &[HandlerKind] = &[
    HandlerKind::Message,
    HandlerKind::Card,
    HandlerKind::Membership,
];

macro_rules! scoped_state {
    ($(#[$doc:meta])* $name:ident, $scope:ty, $word:literal, $id:expr) => {
        $(#[$doc])*
        pub struct $name<T> {
            slot: Slot<T>,
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("key", &self.slot.key).finish()
            }
        }

        impl<T: Serialize + DeserializeOwned> $name<T> {
            /// The value, if one was set and has not expired.
            ///
            /// ```no_run
            #[doc = concat!("# fn f(state: webex_bot::", stringify!($name), "<u32>) -> Result<(), webex_bot::StateError> {")]
            /// let n: Option<u32> = state.get()?;
            /// # Ok(()) }
            /// ```
            pub fn get(&self) -> Result<Option<T>, StateError> {
                self.slot.get()
            }

            /// Sets the value; it expires after the declared time.
            ///
            /// ```no_run
            #[doc = concat!("# fn f(state: webex_bot::", stringify!($name), "<u32>) -> Result<(), webex_bot::StateError> {")]
            /// state.set(3)?;
            /// # Ok(()) }
            /// ```
            pub fn set(&self, value: T) -> Result<(), StateError> {
                self.slot.set(value)
            }

            /// Deletes the value.
            ///
            /// ```no_run
            #[doc = concat!("# fn f(state: webex_bot::", stringify!($name), "<u32>) -> Result<(), webex_bot::StateError> {")]
            /// state.delete()?;
            /// # Ok(()) }
            /// ```
            pub fn delete(&self) -> Result<(), StateError> {
                self.slot.delete()
            }

            /// Changes the value atomically: `f` gets it (`None` when unset) and may change
            /// or clear it; with replicas, if another replica wrote it meanwhile, `f` runs
            /// again on the new value. Returns what `f` returned; the expiry starts again.
            ///
            /// ```no_run
            #[doc = concat!("# fn f(state: webex_bot::", stringify!($name), "<u32>) -> Result<(), webex_bot::StateError> {")]
            /// let count = state.update(|n| {
            ///     let next = n.unwrap_or(0) + 1;
            ///     *n = Some(next);
            ///     next
            /// })?;
            /// # Ok(()) }
            /// ```
            pub fn update<R>(&self, f: impl FnMut(&mut Option<T>) -> R) -> Result<R, StateError> {
                self.slot.update(f)
            }
        }

        impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> FromContext for $name<T> {
            fn from_context(ctx: &Context) -> Result<Self, InjectError> {
                let id: Option<String> = $id(ctx);
                slot::<$scope, T>(ctx, $word, id.as_deref()).map(|slot| $name { slot })
            }

            fn requirement() -> Requirement {
                Requirement::only(SCOPED_EVENTS).with_state::<Declared<$scope, T>>()
            }
        }
    };
}

scoped_state!(
    /// State of the author's type `T` for the event's room (a cart shared by a space, a
    /// room's settings), declared with
    /// [`BotBuilder::room_state`](crate::BotBuilder::room_state). In command, card and
    /// membership handlers.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webex_bot::{Bot, RoomState, StateError, command, commands};
    ///
    /// /// Count the messages of this room.
    /// #[command("count")]
    /// fn count(seen: RoomState<u64>) -> Result<String, StateError> {
    ///     let n = seen.update(|n| { *n = Some(n.unwrap_or(0) + 1); n.unwrap() })?;
    ///     Ok(format!("{n} so far"))
    /// }
    ///
    /// let builder = Bot::builder(commands![count]).room_state::<u64>("count", Duration::from_secs(86_400));
    /// ```
    RoomState,
    RoomScope,
    "room",
    |ctx: &Context| ctx.origin.room_id.clone()
);

scoped_state!(
    /// State of the author's type `T` for the person behind the event (preferences, a
    /// draft in progress), whichever room they write in, declared with
    /// [`BotBuilder::person_state`](crate::BotBuilder::person_state). In command, card and
    /// membership handlers.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webex_bot::{Bot, PersonState, StateError, command, commands};
    ///
    /// /// Remember a language.
    /// #[command("speak <language>")]
    /// fn speak(language: String, prefs: PersonState<String>) -> Result<String, StateError> {
    ///     prefs.set(language.clone())?;
    ///     Ok(format!("I'll remember {language}"))
    /// }
    ///
    /// let builder = Bot::builder(commands![speak]).person_state::<String>("language", Duration::from_secs(30 * 86_400));
    /// ```
    PersonState,
    PersonScope,
    "person",
    |ctx: &Context| ctx.origin.person_id.clone()
);
