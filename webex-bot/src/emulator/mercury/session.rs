//! One websocket connection of the emulator: the upgrade at a registration's path, the
//! authorization frame, then pings, events, acknowledgements and the faults asked for.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use serde_json::{Value, json};
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

use super::super::Inner;
use super::{Command, Input, REDELIVERY_WINDOW, SocketRec};

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
        no_pongs: false,
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
    /// The client's pings go unanswered.
    no_pongs: bool,
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
                    rx,
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
                                self.close(rx, 4401, "authentication failed");
                                return Ok(());
                            }
                        }
                    }
                },
                Input::Eof => return Ok(()),
                Input::Command(Command::Close(code, reason)) => {
                    self.close(rx, code, &reason);
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
                    self.close(rx, code, &reason);
                    return Ok(());
                }
                Input::Command(Command::Silence) => self.silent = true,
                Input::Command(Command::NoPongs) => self.no_pongs = true,
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
            Some("ping") if !self.silent && !self.no_pongs => {
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

    /// Sends a close frame and waits (a little) for the client's: closing the TCP
    /// connection at once could reset it before the client read the close frame.
    fn close(&mut self, rx: &Receiver<Input>, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        };
        if self.ws.close(Some(frame)).is_err() || self.ws.flush().is_err() {
            return;
        }
        let until = Instant::now() + Duration::from_secs(2);
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(Input::Bytes(b)) => {
                    if let Read_::Closed = self.feed(b) {
                        return;
                    }
                }
                Ok(Input::Command(_)) => {}
                Ok(Input::Eof) | Err(_) => return,
            }
        }
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
