//! Faults the emulator injects on purpose: rate limits, server errors, slow answers, reset
//! connections, latency, and duplicated or dropped webhook deliveries.

use std::time::Duration;

use super::*;

/// A fault the emulator injects, for tests and benchmarks.
///
/// ```
/// use webex_bot::emulator::Fault;
/// let f = Fault::rate_limit(2, 1).on("POST", "/messages");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    method: Option<String>,
    path: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FaultKind {
    Status {
        count: u32,
        status: u16,
        retry_after: Option<u64>,
    },
    /// Answered after a delay (the call takes effect when the answer is sent).
    Slow {
        count: u32,
        delay: Duration,
    },
    /// The connection is reset, the call not acted on.
    Reset(u32),
    DuplicateDeliveries(u32),
    DropDeliveries(u32),
}

impl Fault {
    /// The next `count` API calls answer 429 with `Retry-After: retry_after` seconds.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::rate_limit(1, 2));
    /// let err = emu.client_for(emu.bot()).people().me().unwrap_err();
    /// assert_eq!(err.status(), Some(429));
    /// ```
    pub fn rate_limit(count: u32, retry_after: u64) -> Self {
        Fault {
            kind: FaultKind::Status {
                count,
                status: 429,
                retry_after: Some(retry_after),
            },
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` API calls answer `status` (a 5xx).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::server_error(1, 502));
    /// assert_eq!(emu.client_for(emu.bot()).people().me().unwrap_err().status(), Some(502));
    /// ```
    pub fn server_error(count: u32, status: u16) -> Self {
        Fault {
            kind: FaultKind::Status {
                count,
                status,
                retry_after: None,
            },
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` API calls are answered after `delay` (longer than a client's timeout,
    /// say), and act only then: a client that gave up on a `POST` may find it done anyway.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// # use std::time::{Duration, Instant};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::slow(1, Duration::from_millis(50)));
    /// let t = Instant::now();
    /// assert!(emu.client_for(emu.bot()).people().me().is_ok());
    /// assert!(t.elapsed() >= Duration::from_millis(50));
    /// ```
    pub fn slow(count: u32, delay: Duration) -> Self {
        Fault {
            kind: FaultKind::Slow { count, delay },
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` API calls get no answer: the connection is reset, the call not acted
    /// on (the client cannot know that).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::reset(1));
    /// let err = emu.client_for(emu.bot()).people().me().unwrap_err();
    /// assert_eq!(err.status(), None);
    /// assert!(emu.client_for(emu.bot()).people().me().is_ok());
    /// ```
    pub fn reset(count: u32) -> Self {
        Fault {
            kind: FaultKind::Reset(count),
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` webhook deliveries are sent twice.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::duplicate_deliveries(1));
    /// ```
    pub fn duplicate_deliveries(count: u32) -> Self {
        Fault {
            kind: FaultKind::DuplicateDeliveries(count),
            method: None,
            path: None,
            token: None,
        }
    }

    /// The next `count` webhook deliveries are not sent.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::drop_deliveries(1));
    /// ```
    pub fn drop_deliveries(count: u32) -> Self {
        Fault {
            kind: FaultKind::DropDeliveries(count),
            method: None,
            path: None,
            token: None,
        }
    }

    /// Only calls with this method and a path starting with `path` (such as `/messages`).
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// emu.inject(Fault::server_error(1, 500).on("GET", "/rooms"));
    /// assert!(emu.client_for(emu.bot()).people().me().is_ok());
    /// ```
    pub fn on(mut self, method: &str, path: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self.path = Some(path.to_owned());
        self
    }

    /// Only calls made with this account's token.
    ///
    /// ```
    /// # use webex_bot::emulator::{Emulator, Fault};
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").user("Alice", "alice@example.com").start().unwrap();
    /// let alice = emu.users()[0].clone();
    /// emu.inject(Fault::server_error(1, 500).for_account(&alice));
    /// assert!(emu.client_for(emu.bot()).people().me().is_ok());
    /// assert!(emu.client_for(&alice).people().me().is_err());
    /// ```
    pub fn for_account(mut self, account: &Account) -> Self {
        self.token = Some(account.token.clone());
        self
    }
}

pub(crate) struct ApiFault {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<u64>,
    pub(crate) message: String,
}

/// What a fault does to an API call.
pub(crate) enum Injected {
    /// Answered with this error.
    Error(ApiFault),
    /// Answered after this delay.
    Slow(Duration),
    /// No answer: the connection is reset.
    Reset,
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    pub(crate) list: Vec<Fault>,
    pub(crate) latency: Duration,
}

impl Faults {
    /// The first fault that applies to this call, used up by one.
    pub(crate) fn take_api_fault(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
    ) -> Option<Injected> {
        for f in &mut self.list {
            if f.method.as_deref().is_some_and(|m| m != method)
                || f.path.as_deref().is_some_and(|p| !path.starts_with(p))
                || f.token.as_deref().is_some_and(|t| Some(t) != token)
            {
                continue;
            }
            let count = match &mut f.kind {
                FaultKind::Status { count, .. }
                | FaultKind::Slow { count, .. }
                | FaultKind::Reset(count) => count,
                FaultKind::DuplicateDeliveries(_) | FaultKind::DropDeliveries(_) => continue,
            };
            if *count == 0 {
                continue;
            }
            *count -= 1;
            return Some(match &f.kind {
                FaultKind::Status {
                    status,
                    retry_after,
                    ..
                } => Injected::Error(ApiFault {
                    status: *status,
                    retry_after: *retry_after,
                    message: if *status == 429 {
                        "Too many requests; retry later."
                    } else {
                        "The server encountered an error; retry later."
                    }
                    .into(),
                }),
                FaultKind::Slow { delay, .. } => Injected::Slow(*delay),
                _ => Injected::Reset,
            });
        }
        None
    }

    pub(crate) fn take_delivery_fault(&mut self, drop: bool) -> bool {
        for f in &mut self.list {
            match &mut f.kind {
                FaultKind::DropDeliveries(n) if drop && *n > 0 => {
                    *n -= 1;
                    return true;
                }
                FaultKind::DuplicateDeliveries(n) if !drop && *n > 0 => {
                    *n -= 1;
                    return true;
                }
                _ => {}
            }
        }
        false
    }
}
