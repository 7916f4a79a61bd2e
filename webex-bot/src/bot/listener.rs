//! The HTTP listener: webhook deliveries, the health route and the bot's extra routes.
//!
//! Served by [`crate::server`]: each connection is read on a thread of its own, which
//! checks the request and answers it. A webhook is answered as soon as it is checked and
//! queued: handler work never delays the 2xx.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::server::{Request, Response, Server};

use super::pool::{Pool, Refused};
use super::runtime::{Counters, Notifier, Shared};
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
    /// The first header with this name (any case).
    ///
    /// ```
    /// # use webex_bot::Bot;
    /// let builder = Bot::builder(webex_bot::Commands::default());
    /// let builder = builder.route("GET", "/who", |req| webex_bot::bot::RouteResponse::new(200, req.header("User-Agent").unwrap_or("?")));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::server::message::find_header(&self.headers, name)
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
    /// A response with this status and body.
    ///
    /// ```
    /// let r = webex_bot::bot::RouteResponse::new(200, "{}");
    /// assert_eq!(r.body, "{}");
    /// ```
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        RouteResponse {
            status,
            body: body.into(),
        }
    }
}

pub(crate) struct Listener {
    server: Server,
}

impl Listener {
    pub(crate) fn bind(
        addr: &str,
        shared: Arc<Shared>,
        pool: Pool<Box<WebhookEvent>>,
        max_connections: usize,
    ) -> Result<Listener, String> {
        let server = Server::builder()
            .name("webex-bot-http")
            .max_connections(max_connections)
            .body_limit(shared.body_limit)
            .on_refused({
                let shared = shared.clone();
                move |r| {
                    if r.path.as_deref() == Some(shared.webhook_path.as_str()) {
                        Counters::bump(&shared.counters.received);
                        Counters::bump(&shared.counters.malformed);
                    }
                }
            })
            .bind(addr, move |request| handle(&shared, &pool, request))
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        Ok(Listener { server })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// Stops accepting connections, closes idle ones and waits for the requests in progress
    /// to be answered (a webhook arriving now is answered 503, so Webex delivers it again
    /// later).
    pub(crate) fn stop(mut self, deadline: Duration) {
        self.server.stop_within(deadline);
    }
}

pub(crate) fn respond_status(status: u16, body: &str) -> Response {
    let resp = if body.starts_with('{') || body.starts_with('[') {
        Response::json(status, body)
    } else {
        Response::text(status, body)
    };
    if status == 503 {
        resp.with_header("Retry-After", "1")
    } else {
        resp
    }
}

fn handle(shared: &Shared, pool: &Pool<Box<WebhookEvent>>, request: Request) -> Response {
    let path = request.path();
    let method = request.method();

    if path == shared.webhook_path && method == "POST" {
        return webhook(shared, pool, request);
    }
    if path == "/health" && method == "GET" && shared.webhook_path != "/health" {
        let ready = shared.accepting.load(Ordering::SeqCst);
        return respond_status(
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
        let req = RouteRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: request.query().map(str::to_owned),
            headers: request.headers().to_vec(),
            body: request.into_body(),
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
        return respond_status(resp.status, &resp.body);
    }
    let known_path = path == shared.webhook_path
        || shared.routes.iter().any(|r| r.path == path)
        || path == "/health";
    if known_path {
        log::info!("rejected {method} {path}: method not allowed");
        respond_status(405, "method not allowed")
    } else {
        log::info!("rejected {method} {path}: no such route");
        respond_status(404, "not found")
    }
}

fn webhook(shared: &Shared, pool: &Pool<Box<WebhookEvent>>, request: Request) -> Response {
    Counters::bump(&shared.counters.received);
    let from = request.remote_addr();
    if !shared.accepting.load(Ordering::SeqCst) {
        return respond_status(503, "shutting down");
    }
    let body = request.body();
    let signature = request
        .header("X-Spark-Signature")
        .or_else(|| request.header("X-Webex-Signature"));
    let event = match WebhookEvent::parse_verified(body, signature, shared.secret.as_ref()) {
        Ok(e) => e,
        Err(WebhookError::Signature(e)) => {
            Counters::bump(&shared.counters.bad_signature);
            log::warn!("rejected webhook from {from}: {e}");
            let status = if signature.is_none() { 401 } else { 403 };
            return respond_status(status, "bad signature");
        }
        Err(e) => {
            Counters::bump(&shared.counters.malformed);
            log::warn!("rejected webhook from {from}: {e}");
            return respond_status(400, "malformed webhook");
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
        return respond_status(200, r#"{"status":"duplicate"}"#);
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
        return respond_status(200, r#"{"status":"answered"}"#);
    }
    match pool.push(Box::new(event)) {
        Ok(()) => {
            Counters::bump(&shared.counters.accepted);
            respond_status(200, r#"{"status":"accepted"}"#)
        }
        Err(refused) => {
            // Not acknowledged: Webex will deliver it again, and then it must not look
            // like a duplicate.
            if has_id {
                shared.dedup.lock().expect("dedup lock").forget(&key);
            }
            Counters::bump(&shared.counters.shed);
            match refused {
                Refused::Full(_) => {
                    log::warn!("queue full: refused {key} with 503 (Webex will retry)")
                }
                Refused::Closed(_) => {
                    log::info!("shutting down: refused {key} with 503 (Webex will retry)")
                }
            }
            respond_status(503, "busy, retry later")
        }
    }
}
