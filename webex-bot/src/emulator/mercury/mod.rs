//! The emulator's websocket service ("Mercury"), on a port of its own as Webex's is on a
//! host of its own: the upgrade at a device's registration path, the authorization frame,
//! pings both ways, activities to every authorized socket of the device, acknowledgements
//! recorded, unacknowledged events delivered again on the device's next connection, and
//! the faults tests need.
//!
//! Each socket has a session thread, which owns the websocket, and a reader thread, which
//! only reads the TCP stream and hands the bytes over: the session waits on one channel
//! for bytes, events to send and commands, so it never polls.

use std::collections::HashMap;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use serde_json::Value;

use super::Inner;
use super::world::devices::Activity;

mod session;
pub(crate) use session::accept_loop;

/// Unacknowledged events older than this are not delivered again.
const REDELIVERY_WINDOW: Duration = Duration::from_secs(15 * 60);

/// An acknowledgement a client sent.
///
/// ```
/// # use webex_bot::emulator::Emulator;
/// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
/// assert!(emu.websocket().acks().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ack {
    /// The device whose socket sent it.
    pub device: String,
    /// The `messageId` acknowledged.
    pub message_id: String,
    /// Whether it named an event the emulator sent to this device.
    pub known: bool,
}

struct Pending {
    id: String,
    data: Value,
    at: Instant,
    /// Its acknowledgement was lost by a fault: no one waits for it until it is sent
    /// again.
    ack_lost: bool,
}

/// What a session is told to do.
enum Command {
    Event(Arc<(String, Value)>),
    Close(u16, String),
    /// Stop writing anything at all (no pongs, no pings, no events).
    Silence,
    /// Stop answering the client's pings; events still go.
    NoPongs,
    /// Drop the TCP connection without a close frame.
    Drop,
}

enum Input {
    Bytes(Vec<u8>),
    Eof,
    Command(Command),
}

struct SocketRec {
    id: u64,
    device: String,
    tx: Sender<Input>,
}

#[derive(Default)]
struct State {
    sockets: Vec<SocketRec>,
    unacked: HashMap<String, Vec<Pending>>,
    acks: Vec<Ack>,
    /// Connections upgraded since start.
    connections: u64,
    /// The next events sent to a socket are cut off half-way, the connection dropped.
    drop_mid_event: u32,
    /// A second socket of a device closes the older one with 4000.
    replace_older: bool,
    /// The next acknowledgements are lost on the way.
    lose_acks: u32,
    /// Upgrades answered 404 (unknown or expired registration).
    refused: u64,
}

/// The websocket service's shared state.
pub(crate) struct Hub {
    state: Mutex<State>,
    next_socket: AtomicU64,
    pub(crate) origin: String,
    pub(crate) ping_interval: Duration,
    pub(crate) auth_timeout: Duration,
    stopping: AtomicBool,
    addr: std::net::SocketAddr,
}

impl Hub {
    pub(crate) fn bind(
        listen: &str,
        ping_interval: Duration,
        auth_timeout: Duration,
    ) -> io::Result<(Hub, TcpListener)> {
        let listener = TcpListener::bind(listen)?;
        let addr = listener.local_addr()?;
        Ok((
            Hub {
                state: Mutex::new(State {
                    replace_older: true,
                    ..State::default()
                }),
                next_socket: AtomicU64::new(1),
                origin: format!("ws://{addr}"),
                ping_interval,
                auth_timeout,
                stopping: AtomicBool::new(false),
                addr,
            },
            listener,
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("mercury state")
    }

    /// Queues each activity for its device and sends it to the device's sockets. Called
    /// with the world locked, so that the events are in flight before the change shows.
    pub(crate) fn publish(&self, activities: Vec<Activity>) {
        if activities.is_empty() {
            return;
        }
        let mut st = self.lock();
        for a in activities {
            let id = crate::util::uuid4();
            let event = Arc::new((id.clone(), a.data.clone()));
            st.unacked
                .entry(a.device.clone())
                .or_default()
                .push(Pending {
                    id,
                    data: a.data,
                    at: Instant::now(),
                    ack_lost: false,
                });
            for s in st.sockets.iter().filter(|s| s.device == a.device) {
                let _ = s.tx.send(Input::Command(Command::Event(event.clone())));
            }
        }
    }

    fn ack(&self, device: &str, message_id: &str) {
        let mut st = self.lock();
        if st.lose_acks > 0 {
            st.lose_acks -= 1;
            if let Some(p) = st
                .unacked
                .get_mut(device)
                .and_then(|l| l.iter_mut().find(|p| p.id == message_id))
            {
                p.ack_lost = true;
            }
            return;
        }
        let mut known = false;
        if let Some(list) = st.unacked.get_mut(device) {
            let before = list.len();
            list.retain(|p| p.id != message_id);
            known = list.len() < before;
        }
        st.acks.push(Ack {
            device: device.to_owned(),
            message_id: message_id.to_owned(),
            known,
        });
    }

    fn command_all(&self, make: impl Fn() -> Command) {
        for s in &self.lock().sockets {
            let _ = s.tx.send(Input::Command(make()));
        }
    }

    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.command_all(|| Command::Close(1001, "going away".into()));
        // Wakes the accept loop.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Faults and records of the emulator's websocket service, from
/// [`Emulator::websocket`](super::Emulator::websocket).
///
/// ```
/// # use webex_bot::emulator::Emulator;
/// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
/// let ws = emu.websocket();
/// assert_eq!(ws.connected(), 0);
/// ```
pub struct Websocket<'a> {
    pub(crate) inner: &'a Arc<Inner>,
}

impl Websocket<'_> {
    fn hub(&self) -> &Hub {
        &self.inner.mercury
    }

    /// Every acknowledgement received so far.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert!(emu.websocket().acks().is_empty());
    /// ```
    pub fn acks(&self) -> Vec<Ack> {
        self.hub().lock().acks.clone()
    }

    /// Events sent and not acknowledged, over all devices.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert_eq!(emu.websocket().unacknowledged(), 0);
    /// ```
    pub fn unacknowledged(&self) -> usize {
        self.hub().lock().unacked.values().map(Vec::len).sum()
    }

    /// Events a client is expected to acknowledge still: those not acknowledged, less
    /// those whose acknowledgement a fault lost (until they are sent again).
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert_eq!(emu.websocket().awaiting_ack(), 0);
    /// ```
    pub fn awaiting_ack(&self) -> usize {
        self.hub()
            .lock()
            .unacked
            .values()
            .flatten()
            .filter(|p| !p.ack_lost)
            .count()
    }

    /// Sockets authorized and open now.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert_eq!(emu.websocket().connected(), 0);
    /// ```
    pub fn connected(&self) -> usize {
        self.hub().lock().sockets.len()
    }

    /// Connections upgraded since start (authorized or not).
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert_eq!(emu.websocket().connections(), 0);
    /// ```
    pub fn connections(&self) -> u64 {
        self.hub().lock().connections
    }

    /// Closes every open socket with `code` and `reason`.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.websocket().close_all(1011, "server error");
    /// ```
    pub fn close_all(&self, code: u16, reason: &str) {
        let reason = reason.to_owned();
        self.hub()
            .command_all(|| Command::Close(code, reason.clone()));
    }

    /// The open sockets stop writing anything: no pongs, no pings, no events (which stay
    /// unacknowledged), as a connection that died without a close would.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.websocket().silence_all();
    /// ```
    pub fn silence_all(&self) {
        self.hub().command_all(|| Command::Silence);
    }

    /// The open sockets stop answering the client's pings (`{"type":"ping"}`), while
    /// events still go out: a connection whose keepalive broke.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.websocket().stop_answering_pings();
    /// ```
    pub fn stop_answering_pings(&self) {
        self.hub().command_all(|| Command::NoPongs);
    }

    /// Every open socket's TCP connection is dropped, without a close frame.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.websocket().drop_all();
    /// ```
    pub fn drop_all(&self) {
        self.hub().command_all(|| Command::Drop);
    }

    /// The next `count` acknowledgements are lost: their events stay unacknowledged and
    /// are delivered again on the device's next connection.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.websocket().lose_acks(1);
    /// ```
    pub fn lose_acks(&self, count: u32) {
        self.hub().lock().lose_acks += count;
    }

    /// Upgrades answered 404 so far (unknown or expired registrations).
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// assert_eq!(emu.websocket().refused_handshakes(), 0);
    /// ```
    pub fn refused_handshakes(&self) -> u64 {
        self.hub().lock().refused
    }

    /// The next `count` events are cut off half-way through their frame, and the
    /// connection dropped.
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.websocket().drop_mid_event(1);
    /// ```
    pub fn drop_mid_event(&self, count: u32) {
        self.hub().lock().drop_mid_event += count;
    }

    /// Whether a second socket on a device closes the first with 4000 "replaced" (default
    /// true; Webex's behaviour here is not documented).
    ///
    /// ```
    /// # use webex_bot::emulator::Emulator;
    /// let emu = Emulator::builder().bot("Bot", "bot@webex.bot").start().unwrap();
    /// emu.websocket().replace_older_sockets(false);
    /// ```
    pub fn replace_older_sockets(&self, yes: bool) {
        self.hub().lock().replace_older = yes;
    }
}
