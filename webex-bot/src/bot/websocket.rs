//! Events over the websocket: one thread finds the device service, keeps the bot's device,
//! holds the connection open (keepalive, reconnects with backoff, close codes) and hands
//! each activity to the intake, as the listener does with a webhook, acknowledging it
//! once it is taken. The protocol pieces are in [`crate::mercury`]; the choices made are
//! listed on [`BotBuilder::events`](crate::BotBuilder::events).

use std::net::Shutdown;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tungstenite::Message;

use super::error::BotError;
use super::intake::{Accepted, Intake, Take};
use super::link::{CONNECTED, FAILED, Link, RECONNECTING, STOPPED};
use super::source::WebsocketSettings;
use crate::mercury::activity::{Envelope, Meaning};
use crate::mercury::catalog::Catalog;
use crate::mercury::devices::{Device, Devices, Got, is_excessive};
use crate::mercury::socket::{ConnectError, Socket};

/// The websocket event source of a running bot.
pub(crate) struct WebsocketEvents {
    pub(crate) link: Arc<Link>,
    thread: Option<JoinHandle<()>>,
}

impl WebsocketEvents {
    /// Starts the thread and waits for the first connection (at most the start timeout).
    pub(crate) fn start(
        intake: Arc<Intake>,
        settings: WebsocketSettings,
    ) -> Result<WebsocketEvents, BotError> {
        let link = Arc::new(Link::new());
        let _ = intake.websocket.set(link.clone());
        let start_timeout = settings.start_timeout;
        let runner = Runner {
            intake,
            settings,
            link: link.clone(),
            catalog: None,
            device: None,
            refresh: false,
            replaced: false,
        };
        let thread = std::thread::Builder::new()
            .name("webex-bot-websocket".into())
            .spawn(move || runner.run())
            .map_err(|source| BotError::System {
                doing: "starting the websocket thread",
                source,
            })?;
        let mut events = WebsocketEvents {
            link,
            thread: Some(thread),
        };
        let deadline = Instant::now() + start_timeout;
        let outcome = {
            let mut first = events.link.first.0.lock().expect("first");
            loop {
                if let Some(o) = first.clone() {
                    break o;
                }
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    let last = events.link.last_error.lock().expect("last error").clone();
                    break Err(format!(
                        "no websocket connection within {start_timeout:?} (last error: {last})"
                    ));
                };
                first = events
                    .link
                    .first
                    .1
                    .wait_timeout(first, left)
                    .expect("first")
                    .0;
            }
        };
        match outcome {
            Ok(()) => Ok(events),
            Err(why) => {
                events.stop();
                Err(BotError::Websocket(why))
            }
        }
    }

    /// Closes the connection (1000), deletes the device if configured, and ends the
    /// thread.
    pub(crate) fn stop(&mut self) {
        self.link.stop.store(true, Ordering::SeqCst);
        self.link.pause.1.notify_all();
        if let Some(tcp) = self.link.waker.lock().expect("waker").as_ref() {
            // Wakes the blocked read; the write side stays open for the close frame.
            let _ = tcp.shutdown(Shutdown::Read);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for WebsocketEvents {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How a session ended.
enum End {
    /// Shutdown.
    Stopped,
    /// Must not be retried.
    Fatal(String),
    /// Try again after a backoff; `connected` when the session got as far as a working
    /// connection (the backoff starts over).
    Retry { connected: bool },
}

/// What a close code asks for.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Reconnect,
    CheckToken,
    Fatal,
}

fn verdict(code: u16, reason: &str) -> Verdict {
    let reason = reason.trim().to_ascii_lowercase();
    match code {
        1001 | 1005 | 1006 | 1011 | 1012 | 1013 | 1014 => Verdict::Reconnect,
        1000 | 1050
            if reason.is_empty()
                || [
                    "idle",
                    "done",
                    "forced",
                    "pong not received",
                    "pong mismatch",
                ]
                .iter()
                .any(|r| reason.starts_with(r)) =>
        {
            Verdict::Reconnect
        }
        4401 | 1008 => Verdict::CheckToken,
        _ => Verdict::Fatal,
    }
}

struct Runner {
    intake: Arc<Intake>,
    settings: WebsocketSettings,
    link: Arc<Link>,
    catalog: Option<Catalog>,
    device: Option<Device>,
    /// The device must be refreshed before the next connection.
    refresh: bool,
    /// Another connection took the device over (4000): it is not ours to delete.
    replaced: bool,
}

impl Runner {
    fn run(mut self) {
        let mut failures = 0u32;
        let mut fatal = None;
        loop {
            if self.link.stop.load(Ordering::SeqCst) {
                break;
            }
            match self.session() {
                End::Stopped => break,
                End::Fatal(why) => {
                    log::error!("websocket: {why}; no more events will be received");
                    self.link.note_error(&why);
                    self.link.state.store(FAILED, Ordering::SeqCst);
                    self.link.settle_first(Err(why.clone()));
                    fatal = Some(why);
                    break;
                }
                End::Retry { connected } => {
                    failures = if connected { 0 } else { failures + 1 };
                    self.link.state.store(RECONNECTING, Ordering::SeqCst);
                    let wait = self.backoff(failures);
                    log::info!("websocket: reconnecting in {:.1} s", wait.as_secs_f64());
                    if !self.link.pause(wait) {
                        break;
                    }
                    self.link.reconnects.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if self.link.state.load(Ordering::SeqCst) != FAILED {
            self.link.state.store(STOPPED, Ordering::SeqCst);
        }
        if self.settings.delete_device_on_shutdown
            && !self.replaced
            && let (Some(device), Some(catalog)) = (&self.device, &self.catalog)
        {
            match self.devices(catalog).delete(device) {
                Ok(()) => log::info!("websocket: device deleted"),
                Err(e) if e.status() == Some(404) => {}
                Err(e) => log::warn!("websocket: could not delete the device: {e}"),
            }
        }
        self.link.end(fatal);
    }

    /// The wait before attempt `failures + 1`: exponential from the minimum, at most the
    /// maximum, drawn between half and all of it.
    fn backoff(&self, failures: u32) -> Duration {
        let s = &self.settings;
        let exp = s
            .backoff_min
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
            .min(s.backoff_max);
        exp.mul_f64(0.5 + 0.5 * crate::util::random_fraction())
    }

    fn devices<'a>(&'a self, catalog: &'a Catalog) -> Devices<'a> {
        Devices {
            client: &self.intake.engine.client,
            wdm: &catalog.wdm,
            name: &self.settings.device_name,
        }
    }

    /// A failed call to Webex: fatal when the token is refused, to be retried otherwise.
    fn failed_call(&self, doing: &str, e: &crate::client::Error) -> End {
        let why = format!("{doing}: {e}");
        self.link.note_error(&why);
        if e.status() == Some(401) {
            return End::Fatal(format!("{why} (the access token was refused)"));
        }
        log::warn!("websocket: {why}");
        End::Retry { connected: false }
    }

    /// Discovery, the device, one connection and its reads until it ends.
    fn session(&mut self) -> End {
        if self.catalog.is_none() {
            match Catalog::fetch(&self.intake.engine.client, &self.settings.u2c_url) {
                Ok(c) => {
                    log::debug!("websocket: device service {}", c.wdm);
                    self.catalog = Some(c);
                }
                Err(e) => return self.failed_call("reading the U2C catalog", &e),
            }
        }
        let catalog = self.catalog.clone().expect("just set");
        if self.refresh
            && let Some(d) = self.device.clone()
        {
            match self.devices(&catalog).refresh(&d) {
                Ok(fresh) => self.device = Some(fresh),
                Err(e) if e.status() == Some(404) => {
                    log::info!("websocket: the device is gone (404): registering again");
                    self.device = None;
                }
                Err(e) => return self.failed_call("refreshing the device", &e),
            }
            self.refresh = false;
        }
        if self.device.is_none() {
            match self.devices(&catalog).obtain() {
                Ok((d, got)) => {
                    match got {
                        Got::Reused => {
                            log::info!("websocket: device {:?} reused", self.settings.device_name)
                        }
                        Got::Created => log::info!(
                            "websocket: device {:?} registered",
                            self.settings.device_name
                        ),
                        Got::CreatedAfterCleanup(n) => log::info!(
                            "websocket: device {:?} registered after deleting {n} stale ones",
                            self.settings.device_name
                        ),
                    }
                    self.device = Some(d);
                }
                Err(e) if is_excessive(&e) => {
                    return End::Fatal(format!(
                        "Webex refuses a new device even after this bot's stale devices were deleted: {e}"
                    ));
                }
                Err(e) => return self.failed_call("registering the device", &e),
            }
        }
        let url = self
            .device
            .as_ref()
            .expect("just set")
            .web_socket_url
            .clone();
        let client = &self.intake.engine.client;
        let mut socket =
            match Socket::connect(&url, &client.authorization(), self.settings.connect_timeout) {
                Ok(s) => s,
                Err(ConnectError::NotFound) => {
                    self.link.note_error("the websocket answered 404");
                    log::info!("websocket: stale registration (404): refreshing the device");
                    self.refresh = true;
                    return End::Retry { connected: false };
                }
                Err(e) => {
                    let why = e.to_string();
                    self.link.note_error(&why);
                    log::warn!("websocket: {why}");
                    self.refresh = true;
                    return End::Retry { connected: false };
                }
            };
        *self.link.waker.lock().expect("waker") = socket.waker().ok();
        if self.link.stop.load(Ordering::SeqCst) {
            socket.close(1000, "done", Duration::from_secs(1));
            return End::Stopped;
        }
        let end = self.read_loop(&mut socket, &catalog);
        *self.link.waker.lock().expect("waker") = None;
        end
    }

    fn read_loop(&mut self, socket: &mut Socket, catalog: &Catalog) -> End {
        let s = &self.settings;
        let mut connected = false;
        let mut next_ping = Instant::now() + s.ping_interval;
        let mut awaiting: Option<(String, Instant)> = None;
        loop {
            if self.link.stop.load(Ordering::SeqCst) {
                socket.close(1000, "done", Duration::from_secs(1));
                return End::Stopped;
            }
            let until = awaiting.as_ref().map_or(next_ping, |(_, d)| *d);
            let frame = match socket.read(until) {
                Ok(f) => f,
                Err(e) => {
                    if self.link.stop.load(Ordering::SeqCst) {
                        return End::Stopped;
                    }
                    let why = format!("the connection dropped: {e}");
                    log::warn!("websocket: {why}");
                    self.link.note_error(&why);
                    return End::Retry { connected };
                }
            };
            let now = Instant::now();
            let bytes = match frame {
                None => {
                    if awaiting.as_ref().is_some_and(|(_, d)| now >= *d) {
                        log::warn!(
                            "websocket: no pong within {:?}: reconnecting",
                            s.pong_timeout
                        );
                        self.link.note_error("pong not received");
                        socket.close(1000, "pong not received", Duration::from_millis(200));
                        return End::Retry { connected };
                    }
                    if awaiting.is_none() && now >= next_ping {
                        let id = crate::util::uuid4();
                        let ping = serde_json::json!({"id": id, "type": "ping"}).to_string();
                        if let Err(e) = socket.send_text(&ping) {
                            log::warn!("websocket: could not ping: {e}");
                            return End::Retry { connected };
                        }
                        awaiting = Some((id, now + s.pong_timeout));
                    }
                    continue;
                }
                Some(Message::Close(frame)) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    socket.finish();
                    return self.closed(code, &reason, connected);
                }
                Some(Message::Text(t)) => t.as_bytes().to_vec(),
                Some(Message::Binary(b)) => b.to_vec(),
                Some(_) => {
                    // Pings are answered by tungstenite on the next read or write.
                    if !connected {
                        connected = self.on_connected();
                    }
                    continue;
                }
            };
            if !connected {
                connected = self.on_connected();
            }
            let envelope: Envelope = match serde_json::from_slice(&bytes) {
                Ok(e) => e,
                Err(e) => {
                    log::warn!("websocket: unreadable frame ({} bytes): {e}", bytes.len());
                    continue;
                }
            };
            if envelope.kind.as_deref() == Some("pong") {
                match (&awaiting, envelope.id.as_deref()) {
                    (Some((want, _)), Some(got)) if want == got => {
                        awaiting = None;
                        next_ping = now + s.ping_interval;
                    }
                    (Some(_), _) => {
                        log::warn!("websocket: pong mismatch: reconnecting");
                        socket.close(1000, "pong mismatch", Duration::from_millis(200));
                        return End::Retry { connected };
                    }
                    (None, _) => {}
                }
                continue;
            }
            let Some(id) = envelope.id.clone() else {
                continue;
            };
            if let Some(activity) = envelope
                .data
                .filter(|d| d.event_type == "conversation.activity")
                .and_then(|d| d.activity)
            {
                match activity.meaning(catalog) {
                    Meaning::Event(n) => {
                        self.link.last_event_ms.store(unix_ms(), Ordering::Relaxed);
                        if self.intake.accept(*n, Take::Wait) == Accepted::Refused {
                            // Not acknowledged: delivered again to the next connection.
                            log::info!(
                                "websocket: shutting down: activity {} left for redelivery",
                                activity.id
                            );
                            continue;
                        }
                    }
                    Meaning::Ignored(why) => {
                        log::debug!(
                            "websocket: activity {} ({}) ignored: {why}",
                            activity.id,
                            activity.verb
                        );
                    }
                }
            }
            let ack = serde_json::json!({"messageId": id, "type": "ack"}).to_string();
            if let Err(e) = socket.send_text(&ack) {
                log::warn!("websocket: could not acknowledge an event: {e}");
                return End::Retry { connected };
            }
        }
    }

    fn on_connected(&self) -> bool {
        log::info!("websocket: connected");
        self.link.state.store(CONNECTED, Ordering::SeqCst);
        self.link.settle_first(Ok(()));
        true
    }

    fn closed(&mut self, code: u16, reason: &str, connected: bool) -> End {
        let why = format!("the server closed the websocket with {code} {reason:?}");
        self.link.note_error(&why);
        match verdict(code, reason) {
            Verdict::Reconnect => {
                log::info!("websocket: {why}: reconnecting");
                self.refresh = true;
                End::Retry { connected }
            }
            Verdict::CheckToken => match self.intake.engine.client.people().me() {
                Err(e) if e.status() == Some(401) => {
                    End::Fatal(format!("{why}, and Webex refuses the access token: {e}"))
                }
                _ => {
                    log::warn!("websocket: {why}: the token still works, reconnecting");
                    End::Retry { connected }
                }
            },
            Verdict::Fatal => {
                if code == 4000 {
                    self.replaced = true;
                    return End::Fatal(format!(
                        "{why}: another process connected with this device; give each process a device name of its own (BotBuilder::device_name)"
                    ));
                }
                End::Fatal(why)
            }
        }
    }
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes() {
        assert_eq!(verdict(1006, ""), Verdict::Reconnect);
        assert_eq!(verdict(1000, ""), Verdict::Reconnect);
        assert_eq!(verdict(1000, "Pong not received"), Verdict::Reconnect);
        assert_eq!(verdict(1000, "user logged out"), Verdict::Fatal);
        assert_eq!(verdict(4000, "replaced"), Verdict::Fatal);
        assert_eq!(verdict(4401, "authentication failed"), Verdict::CheckToken);
        assert_eq!(verdict(4403, ""), Verdict::Fatal);
        assert_eq!(verdict(1003, ""), Verdict::Fatal);
    }
}
