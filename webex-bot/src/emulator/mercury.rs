//! The emulator's websocket service ("Mercury"), on a port of its own as Webex's is on a
//! host of its own: the upgrade at a device's registration path, the authorization frame,
//! pings both ways, activities to every authorized socket of the device, acknowledgements
//! recorded, unacknowledged events delivered again on the device's next connection, and
//! the faults tests need.
//!
//! Each socket has a session thread, which owns the websocket, and a reader thread, which
//! only reads the TCP stream and hands the bytes over: the session waits on one channel
//! for bytes, events to send and commands, so it never polls.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use serde_json::{Value, json};
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

use super::Inner;
use super::world::devices::Activity;

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

    /// Queues each activity for its device and sends it to the device's sockets.
    pub(crate) fn publish(&self, inner: &Inner, activities: Vec<Activity>) {
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
        drop(st);
        inner.touch();
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

/// Serves the websocket port until the emulator stops.
pub(crate) fn accept_loop(inner: Arc<Inner>, listener: TcpListener) {
    for conn in listener.incoming() {
        if inner.mercury.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(tcp) = conn else { continue };
        let inner = inner.clone();
        let _ = std::thread::Builder::new()
            .name("webex-emulator-ws".into())
            .spawn(move || {
                if let Err(e) = session(&inner, tcp) {
                    log::debug!("emulator websocket: {e}");
                }
            });
    }
}

/// The stream the websocket runs on: first the TCP stream itself (the handshake), then
/// bytes handed over by the reader thread, so that the session can wait on a channel.
struct Pipe {
    tcp: TcpStream,
    handed: Option<VecDeque<u8>>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.handed {
            None => self.tcp.read(buf),
            Some(q) if q.is_empty() => Err(io::ErrorKind::WouldBlock.into()),
            Some(q) => {
                let n = q.len().min(buf.len());
                for (b, x) in buf.iter_mut().zip(q.drain(..n)) {
                    *b = x;
                }
                Ok(n)
            }
        }
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

fn not_found() -> ErrorResponse {
    let mut r = ErrorResponse::new(Some("registration not found".into()));
    *r.status_mut() = tungstenite::http::StatusCode::NOT_FOUND;
    r
}

fn session(inner: &Arc<Inner>, tcp: TcpStream) -> io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    tcp.set_nodelay(true)?;
    let mut found: Option<(String, String, bool)> = None;
    // The error type is tungstenite's, large as it is.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let path = req.uri().path();
        let reg = path
            .strip_prefix("/v1/apps/wx2/registrations/")
            .and_then(|r| r.strip_suffix("/messages"))
            .ok_or_else(not_found)?;
        let found_reg = inner.world.lock().expect("world").registration(reg);
        let Some((device, owner)) = found_reg else {
            inner.mercury.lock().refused += 1;
            inner.touch();
            return Err(not_found());
        };
        let query = req.uri().query().unwrap_or("");
        let text = query.contains("outboundWireFormat=text");
        let _ = query;
        found = Some((device, owner, text));
        Ok(resp)
    };
    let pipe = Pipe {
        tcp: tcp.try_clone()?,
        handed: None,
    };
    let mut ws = match tungstenite::accept_hdr(pipe, callback) {
        Ok(ws) => ws,
        Err(e) => return Err(io::Error::other(format!("handshake: {e}"))),
    };
    let Some((device, owner, text)) = found else {
        return Ok(());
    };
    inner.mercury.lock().connections += 1;
    inner.touch();
    ws.get_mut().handed = Some(VecDeque::new());
    tcp.set_read_timeout(None)?;
    let (tx, rx) = crossbeam_channel::unbounded();
    let reader = {
        let mut tcp = tcp.try_clone()?;
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("webex-emulator-ws-read".into())
            .spawn(move || {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    match tcp.read(&mut buf) {
                        Ok(0) | Err(_) => {
                            let _ = tx.send(Input::Eof);
                            break;
                        }
                        Ok(n) => {
                            if tx.send(Input::Bytes(buf[..n].to_vec())).is_err() {
                                break;
                            }
                        }
                    }
                }
            })?
    };
    let mut s = Session {
        inner,
        ws,
        tcp,
        device,
        owner,
        text,
        id: inner.mercury.next_socket.fetch_add(1, Ordering::SeqCst),
        seq: 0,
        silent: false,
        registered: false,
    };
    let result = s.run(&tx, &rx);
    s.unregister();
    let _ = s.tcp.shutdown(Shutdown::Both);
    drop(rx);
    let _ = reader.join();
    inner.touch();
    result
}

struct Session<'a> {
    inner: &'a Arc<Inner>,
    ws: WebSocket<Pipe>,
    tcp: TcpStream,
    device: String,
    owner: String,
    text: bool,
    id: u64,
    seq: u64,
    silent: bool,
    registered: bool,
}

/// What reading the handed bytes found.
enum Read_ {
    Frames(Vec<Message>),
    Closed,
}

impl Session<'_> {
    fn run(&mut self, tx: &Sender<Input>, rx: &Receiver<Input>) -> io::Result<()> {
        let hub = &self.inner.mercury;
        // The authorization frame first, within the deadline.
        let deadline = Instant::now() + hub.auth_timeout;
        let mut authorized = false;
        while !authorized {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                self.close(
                    1008,
                    "authentication did not happen within the timeout window",
                );
                return Ok(());
            };
            let input = match rx.recv_timeout(left) {
                Ok(i) => i,
                Err(_) => continue,
            };
            match input {
                Input::Bytes(b) => match self.feed(b) {
                    Read_::Closed => return Ok(()),
                    Read_::Frames(frames) => {
                        for m in frames {
                            if self.authorizes(&m) {
                                authorized = true;
                            } else if matches!(m, Message::Text(_) | Message::Binary(_)) {
                                self.close(4401, "authentication failed");
                                return Ok(());
                            }
                        }
                    }
                },
                Input::Eof => return Ok(()),
                Input::Command(Command::Close(code, reason)) => {
                    self.close(code, &reason);
                    return Ok(());
                }
                Input::Command(_) => {}
            }
        }
        // Authorized: register, replace an older socket, ping, buffer state, redeliver.
        let backlog = {
            let mut st = hub.lock();
            if st.replace_older {
                for old in st.sockets.iter().filter(|s| s.device == self.device) {
                    let _ = old
                        .tx
                        .send(Input::Command(Command::Close(4000, "replaced".into())));
                }
            }
            st.sockets.push(SocketRec {
                id: self.id,
                device: self.device.clone(),
                tx: tx.clone(),
            });
            let list = st.unacked.entry(self.device.clone()).or_default();
            list.retain(|p| p.at.elapsed() < REDELIVERY_WINDOW);
            for p in list.iter_mut() {
                p.ack_lost = false;
            }
            list.iter()
                .map(|p| Arc::new((p.id.clone(), p.data.clone())))
                .collect::<Vec<_>>()
        };
        self.registered = true;
        self.inner.touch();
        self.write(Message::Ping(Vec::new().into()))?;
        let state = json!({
            "id": crate::util::uuid4(),
            "data": { "eventType": "mercury.buffer_state" },
            "timestamp": now_ms(),
            "trackingId": format!("emulator_{}", crate::util::uuid4()),
            "headers": {},
            "sequenceNumber": self.next_seq(),
            "filterMessage": false,
        });
        self.write_json(&state)?;
        for e in backlog {
            if !self.send_event(&e)? {
                return Ok(());
            }
        }
        let mut next_ping = Instant::now() + hub.ping_interval;
        loop {
            let left = next_ping
                .checked_duration_since(Instant::now())
                .unwrap_or_default();
            let input = match rx.recv_timeout(left) {
                Ok(i) => i,
                Err(_) => {
                    if !self.silent {
                        self.write(Message::Ping(Vec::new().into()))?;
                    }
                    next_ping = Instant::now() + hub.ping_interval;
                    continue;
                }
            };
            match input {
                Input::Eof => return Ok(()),
                Input::Bytes(b) => match self.feed(b) {
                    Read_::Closed => return Ok(()),
                    Read_::Frames(frames) => {
                        for m in frames {
                            self.on_frame(m)?;
                        }
                    }
                },
                Input::Command(Command::Event(e)) => {
                    if !self.silent && !self.send_event(&e)? {
                        return Ok(());
                    }
                }
                Input::Command(Command::Close(code, reason)) => {
                    self.close(code, &reason);
                    return Ok(());
                }
                Input::Command(Command::Silence) => self.silent = true,
                Input::Command(Command::Drop) => return Ok(()),
            }
        }
    }

    fn unregister(&self) {
        if self.registered {
            self.inner
                .mercury
                .lock()
                .sockets
                .retain(|s| s.id != self.id);
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Hands bytes to the websocket and reads every whole frame they complete.
    fn feed(&mut self, bytes: Vec<u8>) -> Read_ {
        self.ws
            .get_mut()
            .handed
            .get_or_insert_with(VecDeque::new)
            .extend(bytes);
        let mut frames = Vec::new();
        loop {
            match self.ws.read() {
                Ok(Message::Close(_)) => return Read_::Closed,
                Ok(m) => frames.push(m),
                Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                    // Pongs to the client's pings go out unless the socket is silent.
                    if !self.silent {
                        let _ = self.ws.flush();
                    }
                    return Read_::Frames(frames);
                }
                Err(_) => return Read_::Closed,
            }
        }
    }

    fn authorizes(&self, m: &Message) -> bool {
        let bytes: &[u8] = match m {
            Message::Text(t) => t.as_bytes(),
            Message::Binary(b) => b,
            _ => return false,
        };
        let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
            return false;
        };
        if v["type"] != "authorization" {
            return false;
        }
        let Some(token) = v["data"]["token"]
            .as_str()
            .and_then(|t| t.strip_prefix("Bearer "))
        else {
            return false;
        };
        let world = self.inner.world.lock().expect("world");
        world.tokens.get(token.trim()) == Some(&self.owner)
    }

    fn on_frame(&mut self, m: Message) -> io::Result<()> {
        let bytes: Vec<u8> = match m {
            Message::Text(t) => t.as_bytes().to_vec(),
            Message::Binary(b) => b.to_vec(),
            _ => return Ok(()),
        };
        let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
            return Ok(());
        };
        match v["type"].as_str() {
            Some("ack") => {
                if let Some(id) = v["messageId"].as_str() {
                    self.inner.mercury.ack(&self.device, id);
                    self.inner.touch();
                }
            }
            Some("ping") if !self.silent => {
                let pong = json!({ "id": v["id"], "type": "pong" });
                self.write_json(&pong)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Sends an event envelope; `false` when a fault dropped the connection instead.
    fn send_event(&mut self, e: &(String, Value)) -> io::Result<bool> {
        let envelope = json!({
            "id": e.0,
            "data": e.1,
            "timestamp": now_ms(),
            "trackingId": format!("emulator_{}", crate::util::uuid4()),
            "alertType": "none",
            "headers": {},
            "sequenceNumber": self.next_seq(),
            "filterMessage": false,
        });
        let cut = {
            let mut st = self.inner.mercury.lock();
            let cut = st.drop_mid_event > 0;
            if cut {
                st.drop_mid_event -= 1;
            }
            cut
        };
        if cut {
            // A server frame is not masked: write its header and half its payload by hand.
            let payload = serde_json::to_vec(&envelope).expect("json");
            let mut frame = vec![if self.text { 0x81 } else { 0x82 }];
            match payload.len() {
                n if n < 126 => frame.push(n as u8),
                n if n <= 0xffff => {
                    frame.push(126);
                    frame.extend_from_slice(&(n as u16).to_be_bytes());
                }
                n => {
                    frame.push(127);
                    frame.extend_from_slice(&(n as u64).to_be_bytes());
                }
            }
            frame.extend_from_slice(&payload[..payload.len() / 2]);
            let _ = self.tcp.write_all(&frame);
            let _ = self.tcp.shutdown(Shutdown::Both);
            return Ok(false);
        }
        self.write_json(&envelope)?;
        Ok(true)
    }

    fn write_json(&mut self, v: &Value) -> io::Result<()> {
        let s = v.to_string();
        let m = if self.text {
            Message::text(s)
        } else {
            Message::binary(s.into_bytes())
        };
        self.write(m)
    }

    fn write(&mut self, m: Message) -> io::Result<()> {
        if self.silent {
            return Ok(());
        }
        self.ws.send(m).map_err(io::Error::other)
    }

    fn close(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        };
        let _ = self.ws.close(Some(frame));
        let _ = self.ws.flush();
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
