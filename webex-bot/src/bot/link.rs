//! What the websocket thread shares with the rest of the bot: the connection's state for
//! `stats()` and the health route, the wake-ups for shutdown, and how the first
//! connection and the thread ended.

use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, UNIX_EPOCH};

use super::stats::{Connection, ConnectionState};

/// What the websocket thread shares with the rest of the bot.
pub(crate) struct Link {
    pub(crate) state: AtomicU8,
    pub(crate) reconnects: AtomicU64,
    /// Unix milliseconds of the last activity handed on; 0 before the first.
    pub(crate) last_event_ms: AtomicU64,
    pub(crate) stop: AtomicBool,
    /// The open socket's TCP handle, to wake a blocked read at shutdown.
    pub(crate) waker: Mutex<Option<TcpStream>>,
    /// Backoff waits sleep here, so that shutdown ends them at once.
    pub(crate) pause: (Mutex<()>, Condvar),
    /// How the first connection went: `None` until it is known.
    pub(crate) first: (Mutex<Option<Result<(), String>>>, Condvar),
    /// The last error, for logs and a failed start.
    pub(crate) last_error: Mutex<String>,
    /// Set when the thread ends: `Some(why)` when it gave up, `None` at shutdown.
    pub(crate) ended: (Mutex<Option<Option<String>>>, Condvar),
}

pub(crate) const CONNECTING: u8 = 0;
pub(crate) const CONNECTED: u8 = 1;
pub(crate) const RECONNECTING: u8 = 2;
pub(crate) const STOPPED: u8 = 3;
pub(crate) const FAILED: u8 = 4;

impl Link {
    pub(crate) fn new() -> Link {
        Link {
            state: AtomicU8::new(CONNECTING),
            reconnects: AtomicU64::new(0),
            last_event_ms: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            waker: Mutex::new(None),
            pause: (Mutex::new(()), Condvar::new()),
            first: (Mutex::new(None), Condvar::new()),
            last_error: Mutex::new(String::new()),
            ended: (Mutex::new(None), Condvar::new()),
        }
    }

    /// Blocks until the thread ends; why it gave up, or `None` at shutdown.
    pub(crate) fn wait_end(&self) -> Option<String> {
        let mut ended = self.ended.0.lock().expect("ended");
        loop {
            if let Some(e) = ended.clone() {
                return e;
            }
            ended = self.ended.1.wait(ended).expect("ended");
        }
    }

    /// Why events stopped for good, if they did.
    pub(crate) fn failure(&self) -> Option<String> {
        self.ended.0.lock().expect("ended").clone().flatten()
    }

    pub(crate) fn end(&self, why: Option<String>) {
        *self.ended.0.lock().expect("ended") = Some(why);
        self.ended.1.notify_all();
    }

    /// The connection as `stats()` and the health route report it.
    pub(crate) fn connection(&self) -> Connection {
        let state = match self.state.load(Ordering::SeqCst) {
            CONNECTED => ConnectionState::Connected,
            RECONNECTING => ConnectionState::Reconnecting,
            STOPPED => ConnectionState::Stopped,
            FAILED => ConnectionState::Failed,
            _ => ConnectionState::Connecting,
        };
        let ms = self.last_event_ms.load(Ordering::Relaxed);
        Connection {
            state,
            reconnects: self.reconnects.load(Ordering::Relaxed),
            last_event: (ms > 0).then(|| UNIX_EPOCH + Duration::from_millis(ms)),
        }
    }

    pub(crate) fn settle_first(&self, outcome: Result<(), String>) {
        let mut first = self.first.0.lock().expect("first");
        if first.is_none() {
            *first = Some(outcome);
            self.first.1.notify_all();
        }
    }

    pub(crate) fn note_error(&self, e: &str) {
        *self.last_error.lock().expect("last error") = e.to_owned();
    }

    /// Sleeps `d`, or less when shutdown begins. Whether to go on.
    pub(crate) fn pause(&self, d: Duration) -> bool {
        let until = Instant::now() + d;
        let mut guard = self.pause.0.lock().expect("pause");
        while !self.stop.load(Ordering::SeqCst) {
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                return true;
            };
            guard = self.pause.1.wait_timeout(guard, left).expect("pause").0;
        }
        false
    }
}
