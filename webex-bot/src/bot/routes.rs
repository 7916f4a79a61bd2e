//! Extra HTTP routes served beside the webhook path: what their handlers get and answer.

/// A request to an extra route. Route handlers take it as a parameter (or `&Context`, and
/// [`Context::request`](crate::Context::request)).
///
/// ```
/// use webex_bot::{Bot, Commands, RouteRequest, RouteResponse};
/// let builder = Bot::builder(Commands::default()).route("POST", "/hooks/ci", |req: RouteRequest| {
///     RouteResponse::new(202, req.header("x-ci-event").unwrap_or("none"))
/// });
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
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
}

impl RouteRequest {
    /// The first header with this name (any case).
    ///
    /// ```
    /// use webex_bot::{Bot, Commands, RouteRequest, RouteResponse};
    /// let builder = Bot::builder(Commands::default()).route("GET", "/who", |req: RouteRequest| {
    ///     RouteResponse::new(200, req.header("User-Agent").unwrap_or("?"))
    /// });
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::server::message::find_header(&self.headers, name)
    }
}

/// The answer of an extra route.
///
/// ```
/// let r = webex_bot::RouteResponse::new(404, "no such build");
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
    /// let r = webex_bot::RouteResponse::new(200, "{}");
    /// assert_eq!(r.body, "{}");
    /// ```
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        RouteResponse {
            status,
            body: body.into(),
        }
    }
}

/// What a route handler may return: a [`RouteResponse`], or a body (status 200).
///
/// ```
/// use webex_bot::bot::IntoRouteResponse;
/// assert_eq!("ok".into_route_response().status, 200);
/// ```
pub trait IntoRouteResponse {
    /// The response.
    fn into_route_response(self) -> RouteResponse;
}

impl IntoRouteResponse for RouteResponse {
    fn into_route_response(self) -> RouteResponse {
        self
    }
}

impl IntoRouteResponse for String {
    fn into_route_response(self) -> RouteResponse {
        RouteResponse::new(200, self)
    }
}

impl IntoRouteResponse for &str {
    fn into_route_response(self) -> RouteResponse {
        RouteResponse::new(200, self)
    }
}

impl IntoRouteResponse for (u16, String) {
    fn into_route_response(self) -> RouteResponse {
        RouteResponse::new(self.0, self.1)
    }
}
