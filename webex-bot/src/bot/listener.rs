//! The HTTP listener: webhook deliveries, the health route and the bot's extra routes.
//!
//! Served by [`crate::server`]: each connection is read on a thread of its own, which
//! checks the request and answers it. A webhook is answered as soon as it is checked and
//! taken: handler work never delays the 2xx. The event then goes to the worker pool, or,
//! when the pool has room and the listener holds no more connections than the pool has
//! workers, is processed on the connection's thread once the 2xx is written: a hand-off
//! between threads less per command, and a delivery arriving on that connection meanwhile
//! is served by another thread after a few milliseconds (see the server's `handoff`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::server::{After, Reply, Request, Response, Server};

use super::context::Trigger;
use super::handler::BoxedHandler;
use super::intake::{Delivery, Intake, Take};
use super::routes::{RouteRequest, RouteResponse};
use super::stats::Counters;
use crate::models::Message;

/// An extra HTTP route served by the bot's listener.
#[derive(Clone)]
pub(crate) struct Route {
    pub method: String,
    pub path: String,
    pub handler: BoxedHandler<RouteResponse>,
}

/// What the listener serves beside the intake.
pub(crate) struct Site {
    pub webhook_path: String,
    pub routes: Vec<Route>,
    pub body_limit: usize,
    /// Whether deliveries are taken on the webhook path (not when events come over the
    /// websocket).
    pub webhooks: bool,
}

pub(crate) struct Listener {
    server: Server,
}

impl Listener {
    pub(crate) fn bind(
        addr: &str,
        intake: Arc<Intake>,
        site: Site,
        max_connections: usize,
    ) -> std::io::Result<Listener> {
        let site = Arc::new(site);
        let server = Server::builder()
            .name("webex-bot-http")
            .max_connections(max_connections)
            .body_limit(site.body_limit)
            .on_refused({
                let (intake, site) = (intake.clone(), site.clone());
                move |r| {
                    if r.path.as_deref() == Some(site.webhook_path.as_str()) {
                        let counters = &intake.engine.counters;
                        Counters::bump(&counters.received);
                        Counters::bump(&counters.malformed);
                    }
                }
            })
            .bind_replies(addr, move |request| handle(&intake, &site, request))?;
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

fn handle(intake: &Intake, site: &Site, request: Request) -> Reply {
    let path = request.path();
    let method = request.method();

    if path == site.webhook_path && method == "POST" && site.webhooks {
        let signature = request
            .header("X-Spark-Signature")
            .or_else(|| request.header("X-Webex-Signature"));
        // Processed here only while there are no more connections than workers: each
        // thread that processes an event grows its stack to the handler's depth, and the
        // connection threads that have done so then number no more than the pool's.
        let mut here = None;
        let how = if request.open_connections() <= intake.pool.size() {
            Take::Here(&mut here)
        } else {
            Take::Queue
        };
        let answer = intake.handle_as(request.body(), signature, &request.remote_addr(), how);
        return Reply {
            response: respond(answer),
            after: here.map(|event| Box::new(move || event.run()) as After),
        };
    }
    serve_other(intake, site, request).into()
}

/// The health route, the bot's own routes, and the answers to requests for no route.
fn serve_other(intake: &Intake, site: &Site, request: Request) -> Response {
    let path = request.path();
    let method = request.method();
    if path == "/health" && method == "GET" && (site.webhook_path != "/health" || !site.webhooks) {
        return health(intake);
    }
    if let Some(route) = site
        .routes
        .iter()
        .find(|r| r.path == path && r.method == method)
    {
        let req = RouteRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: request.query().map(str::to_owned),
            headers: request
                .headers()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            body: request.into_body(),
        };
        let engine = &intake.engine;
        let ctx = engine.context(Trigger::Route(req), Message::default());
        let resp = match engine.guarded(&route.handler.name, || route.handler.call(&ctx)) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                log::error!("{} could not run: {e}", route.handler.name);
                RouteResponse::new(500, "internal error")
            }
            None => RouteResponse::new(500, "internal error"),
        };
        return respond_status(resp.status, &resp.body);
    }
    let known_path = (path == site.webhook_path && site.webhooks)
        || site.routes.iter().any(|r| r.path == path)
        || path == "/health";
    if known_path {
        log::info!("rejected {method} {path}: method not allowed");
        respond_status(405, "method not allowed")
    } else {
        log::info!("rejected {method} {path}: no such route");
        respond_status(404, "not found")
    }
}

/// 200 while the bot takes events; 503 while it stops, and over the websocket while it is
/// not connected. Over the websocket the body says the connection's state, its
/// reconnects and the seconds since the last event.
fn health(intake: &Intake) -> Response {
    let ready = intake.accepting.load(Ordering::SeqCst);
    let Some(link) = intake.websocket.get() else {
        return if ready {
            respond_status(200, r#"{"status":"ready"}"#)
        } else {
            respond_status(503, r#"{"status":"stopping"}"#)
        };
    };
    let c = link.connection();
    let connected = c.state == super::stats::ConnectionState::Connected;
    let since = c
        .last_event
        .and_then(|t| t.elapsed().ok())
        .map(|d| serde_json::json!(d.as_secs()));
    let body = serde_json::json!({
        "status": if !ready { "stopping" } else if connected { "ready" } else { "not connected" },
        "events": "websocket",
        "connection": c.state.as_str(),
        "reconnects": c.reconnects,
        "secondsSinceLastEvent": since,
    });
    respond_status(
        if ready && connected { 200 } else { 503 },
        &body.to_string(),
    )
}

fn respond(answer: Delivery) -> Response {
    respond_status(answer.status(), answer.body())
}
