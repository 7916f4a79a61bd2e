//! The HTTP listener: webhook deliveries, the health route and the bot's extra routes.
//!
//! tiny_http reads each connection on a thread of its own; a few acceptor threads take
//! the parsed requests and answer them. A webhook is answered as soon as it is checked and
//! queued: handler work never delays the 2xx.

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;

use tiny_http::{Header, Request, Response, Server};

use super::runtime::{Counters, Notifier, Shared, enqueue};
use crate::webhook::{WebhookError, WebhookEvent};

pub(crate) type RouteHandler = Arc<dyn Fn(&RouteRequest) -> RouteResponse + Send + Sync>;

/// An extra HTTP route served by the bot's listener.
#[derive(Clone)]
pub(crate) struct Route {
    pub method: String,
    pub path: String,
    pub handler: RouteHandler,
}

/// A request to an extra route.
///
/// ```
/// # use webex_bot::Bot;
/// let builder = Bot::builder(webex_bot::Commands::default());
/// let builder = builder.route("POST", "/hooks/ci", |req| {
///     webex_bot::bot::RouteResponse::new(202, req.header("x-ci-event").unwrap_or("none"))
/// });
/// ```
#[derive(Debug)]
pub struct RouteRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (at most the bot's body limit).
    pub body: Vec<u8>,
    /// Posts through the bot.
    pub notifier: Notifier,
}

impl RouteRequest {
    ///
    /// ```
    /// # use webex_bot::Bot;
    /// let builder = Bot::builder(webex_bot::Commands::default());
    /// let builder = builder.route("GET", "/who", |req| webex_bot::bot::RouteResponse::new(200, req.header("User-Agent").unwrap_or("?")));
    /// ```
    /// The first header with this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The answer of an extra route.
///
/// ```
/// let r = webex_bot::bot::RouteResponse::new(404, "no such build");
/// assert_eq!(r.status, 404);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteResponse {
    /// HTTP status.
    pub status: u16,
    /// Body (sent as `text/plain`, or JSON when it starts with `{` or `[`).
    pub body: String,
}

impl RouteResponse {
    ///
    /// ```
    /// let r = webex_bot::bot::RouteResponse::new(200, "{}");
    /// assert_eq!(r.body, "{}");
    /// ```
    /// A response with this status and body.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        RouteResponse {
            status,
            body: body.into(),
        }
    }
}

pub(crate) struct Listener {
    server: Arc<Server>,
    addr: SocketAddr,
    acceptors: Vec<JoinHandle<()>>,
}

impl Listener {
    pub(crate) fn bind(
        addr: &str,
        shared: Arc<Shared>,
        acceptors: usize,
    ) -> Result<Listener, String> {
        let tcp = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = tcp.local_addr().map_err(|e| e.to_string())?;
        let server = Arc::new(
            Server::from_listener(tcp, None).map_err(|e| format!("cannot serve on {addr}: {e}"))?,
        );
        let acceptors = (0..acceptors)
            .map(|i| {
                let server = server.clone();
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name(format!("webex-bot-http-{i}"))
                    .spawn(move || {
                        while let Ok(request) = server.recv() {
                            handle(&shared, request);
                        }
                    })
                    .expect("spawning an acceptor thread")
            })
            .collect();
        Ok(Listener {
            server,
            addr: local,
            acceptors,
        })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops taking requests and waits for the acceptors to finish the ones they hold;
    /// requests already read but not taken are answered 503, so no sender hangs and Webex
    /// delivers them again later.
    pub(crate) fn stop(self) {
        for _ in 0..self.acceptors.len() {
            self.server.unblock();
        }
        for a in self.acceptors {
            let _ = a.join();
        }
        while let Ok(Some(request)) = self.server.try_recv() {
            respond_status(request, 503, "shutting down");
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names are valid")
}

pub(crate) fn respond_status(request: Request, status: u16, body: &str) {
    let ct = if body.starts_with('{') || body.starts_with('[') {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let resp = Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", ct));
    let resp = if status == 503 {
        resp.with_header(header("Retry-After", "1"))
    } else {
        resp
    };
    if let Err(e) = request.respond(resp) {
        log::debug!("could not send the response: {e}");
    }
}

fn handle(shared: &Shared, mut request: Request) {
    let url = request.url().to_owned();
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (url.clone(), None),
    };
    let method = request.method().as_str().to_ascii_uppercase();

    if path == shared.webhook_path && method == "POST" {
        return webhook(shared, request);
    }
    if path == "/health" && method == "GET" && shared.webhook_path != "/health" {
        let ready = shared.accepting.load(Ordering::SeqCst);
        return respond_status(
            request,
            if ready { 200 } else { 503 },
            if ready {
                r#"{"status":"ready"}"#
            } else {
                r#"{"status":"stopping"}"#
            },
        );
    }
    if let Some(route) = shared
        .routes
        .iter()
        .find(|r| r.path == path && r.method == method)
    {
        let body = match read_body(&mut request, shared.body_limit) {
            Ok(b) => b,
            Err(status) => return respond_status(request, status, "request body too large"),
        };
        let req = RouteRequest {
            method,
            path,
            query,
            headers: request
                .headers()
                .iter()
                .map(|h| {
                    (
                        h.field.as_str().as_str().to_ascii_lowercase(),
                        h.value.as_str().to_owned(),
                    )
                })
                .collect(),
            body,
            notifier: Notifier::new(shared.client.clone()),
        };
        let resp = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (route.handler)(&req)
        })) {
            Ok(r) => r,
            Err(_) => {
                Counters::bump(&shared.counters.panics);
                log::error!("route {} {} panicked", req.method, req.path);
                RouteResponse::new(500, "internal error")
            }
        };
        return respond_status(request, resp.status, &resp.body);
    }
    let known_path = path == shared.webhook_path
        || shared.routes.iter().any(|r| r.path == path)
        || path == "/health";
    if known_path {
        log::info!("rejected {method} {path}: method not allowed");
        respond_status(request, 405, "method not allowed")
    } else {
        log::info!("rejected {method} {path}: no such route");
        respond_status(request, 404, "not found")
    }
}

/// Reads at most `limit` bytes; `Err(413)` past it, `Err(400)` on a broken body.
fn read_body(request: &mut Request, limit: usize) -> Result<Vec<u8>, u16> {
    if request.body_length().is_some_and(|n| n > limit) {
        return Err(413);
    }
    let mut body = Vec::with_capacity(request.body_length().unwrap_or(0).min(limit));
    match request
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
    {
        Ok(_) if body.len() > limit => Err(413),
        Ok(_) => Ok(body),
        Err(_) => Err(400),
    }
}

fn webhook(shared: &Shared, mut request: Request) {
    Counters::bump(&shared.counters.received);
    let from = request
        .remote_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    if !shared.accepting.load(Ordering::SeqCst) {
        return respond_status(request, 503, "shutting down");
    }
    let body = match read_body(&mut request, shared.body_limit) {
        Ok(b) => b,
        Err(status) => {
            Counters::bump(&shared.counters.malformed);
            log::warn!(
                "rejected webhook from {from}: {}",
                if status == 413 {
                    "body over the limit"
                } else {
                    "unreadable body"
                }
            );
            return respond_status(
                request,
                status,
                if status == 413 {
                    "body too large"
                } else {
                    "unreadable body"
                },
            );
        }
    };
    let signature = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("X-Spark-Signature") || h.field.equiv("X-Webex-Signature"))
        .map(|h| h.value.as_str().to_owned());
    let event =
        match WebhookEvent::parse_verified(&body, signature.as_deref(), shared.secret.as_ref()) {
            Ok(e) => e,
            Err(WebhookError::Signature(e)) => {
                Counters::bump(&shared.counters.bad_signature);
                log::warn!("rejected webhook from {from}: {e}");
                let status = if signature.is_none() { 401 } else { 403 };
                return respond_status(request, status, "bad signature");
            }
            Err(e) => {
                Counters::bump(&shared.counters.malformed);
                log::warn!("rejected webhook from {from}: {e}");
                return respond_status(request, 400, "malformed webhook");
            }
        };
    let key = format!(
        "{}:{}:{}",
        event.resource,
        event.event,
        event.data.get("id").and_then(|v| v.as_str()).unwrap_or("")
    );
    let has_id = event.data.get("id").is_some();
    if has_id && !shared.dedup.lock().expect("dedup lock").first(key.clone()) {
        Counters::bump(&shared.counters.duplicates);
        log::debug!("duplicate delivery of {key}: acknowledged, not handled again");
        return respond_status(request, 200, r#"{"status":"duplicate"}"#);
    }
    // The answer a waiting handler asked for goes straight to it (checked only while a
    // handler waits, so the common path does no extra parsing).
    if shared.conversations.waiting() > 0
        && event.resource == "messages"
        && event.event == "created"
        && let Ok(slim) = serde_json::from_value::<crate::models::Message>(event.data.clone())
        && !slim
            .person_id
            .as_deref()
            .is_some_and(|p| shared.identity.is(p))
        && shared.conversations.deliver(&slim)
    {
        Counters::bump(&shared.counters.accepted);
        Counters::bump(&shared.counters.processed);
        return respond_status(request, 200, r#"{"status":"answered"}"#);
    }
    match enqueue(shared, event) {
        true => {
            Counters::bump(&shared.counters.accepted);
            respond_status(request, 200, r#"{"status":"accepted"}"#)
        }
        false => {
            // Not acknowledged: Webex will deliver it again, and then it must not look
            // like a duplicate.
            if has_id {
                shared.dedup.lock().expect("dedup lock").forget(&key);
            }
            Counters::bump(&shared.counters.shed);
            log::warn!("queue full: refused {key} with 503 (Webex will retry)");
            respond_status(request, 503, "busy, retry later")
        }
    }
}
