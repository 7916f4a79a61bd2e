//! The request a handler receives and the response it returns.

use std::net::SocketAddr;

/// An HTTP request, read whole (body included) before the handler is called.
///
/// ```
/// use webex_bot::unversioned::server::{Response, Server};
/// let server = Server::builder()
///     .bind("127.0.0.1:0", |req| {
///         assert_eq!(req.method(), "POST");
///         assert_eq!(req.header("content-type"), Some("application/json"));
///         Response::json(200, req.body().to_vec())
///     })
///     .unwrap();
/// let url = format!("http://{}/echo", server.local_addr());
/// let mut resp = ureq::post(&url).header("Content-Type", "application/json").send("{}").unwrap();
/// assert_eq!(resp.body_mut().read_to_string().unwrap(), "{}");
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    pub(super) method: String,
    pub(super) target: String,
    pub(super) headers: Fields,
    pub(super) body: Vec<u8>,
    pub(super) remote: SocketAddr,
    /// Connections the server had open when the request was read.
    pub(super) open: usize,
}

impl Request {
    /// A request built by hand, for testing a handler without a server.
    ///
    /// ```
    /// let req = webex_bot::unversioned::server::Request::new("GET", "/health?full=1");
    /// assert_eq!(req.path(), "/health");
    /// assert_eq!(req.query(), Some("full=1"));
    /// ```
    pub fn new(method: &str, target: &str) -> Request {
        Request {
            method: method.to_ascii_uppercase(),
            target: target.to_owned(),
            headers: Fields::default(),
            body: Vec::new(),
            remote: SocketAddr::from(([127, 0, 0, 1], 0)),
            open: 1,
        }
    }

    /// How many connections the server had open when it read the request (1 for a request
    /// built by hand).
    pub(crate) fn open_connections(&self) -> usize {
        self.open
    }

    /// Adds a header (the name is lowercased), for requests built by hand.
    ///
    /// ```
    /// let req = webex_bot::unversioned::server::Request::new("POST", "/").with_header("X-Spark-Signature", "ab");
    /// assert_eq!(req.header("x-spark-signature"), Some("ab"));
    /// ```
    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers.push(name, value);
        self
    }

    /// Sets the body, for requests built by hand.
    ///
    /// ```
    /// let req = webex_bot::unversioned::server::Request::new("POST", "/").with_body("{}");
    /// assert_eq!(req.body(), b"{}");
    /// ```
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    /// The method, uppercase (`GET`, `POST`, ...).
    ///
    /// ```
    /// assert_eq!(webex_bot::unversioned::server::Request::new("get", "/").method(), "GET");
    /// ```
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target as sent: path and query.
    ///
    /// ```
    /// assert_eq!(webex_bot::unversioned::server::Request::new("GET", "/a?b=c").target(), "/a?b=c");
    /// ```
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path, without the query; for a target in absolute form
    /// (`http://host/path`, which RFC 9112 section 3.2.2 has servers accept), the path
    /// part of it (`/` when it has none).
    ///
    /// ```
    /// use webex_bot::unversioned::server::Request;
    /// assert_eq!(Request::new("GET", "/a?b=c").path(), "/a");
    /// assert_eq!(Request::new("POST", "http://bot.example.com/webex?x=1").path(), "/webex");
    /// assert_eq!(Request::new("GET", "HTTPS://bot.example.com").path(), "/");
    /// ```
    pub fn path(&self) -> &str {
        let t = origin_form(&self.target);
        match t.split_once('?').map_or(t, |(p, _)| p) {
            "" => "/",
            p => p,
        }
    }

    /// The query string (after `?`), if any.
    ///
    /// ```
    /// use webex_bot::unversioned::server::Request;
    /// assert_eq!(Request::new("GET", "/a").query(), None);
    /// assert_eq!(Request::new("GET", "http://h?x=1").query(), Some("x=1"));
    /// ```
    pub fn query(&self) -> Option<&str> {
        origin_form(&self.target).split_once('?').map(|(_, q)| q)
    }

    /// The first header with this name, in any case.
    ///
    /// ```
    /// let req = webex_bot::unversioned::server::Request::new("GET", "/").with_header("Accept", "*/*");
    /// assert_eq!(req.header("ACCEPT"), Some("*/*"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// Every header as `(name, value)`, names lowercased, in the order received.
    ///
    /// ```
    /// let req = webex_bot::unversioned::server::Request::new("GET", "/").with_header("A", "1");
    /// assert_eq!(req.headers().collect::<Vec<_>>(), [("a", "1")]);
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.headers.iter()
    }

    /// The body (empty when none was sent).
    ///
    /// ```
    /// assert!(webex_bot::unversioned::server::Request::new("GET", "/").body().is_empty());
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out of the request.
    ///
    /// ```
    /// let body = webex_bot::unversioned::server::Request::new("POST", "/").with_body("x").into_body();
    /// assert_eq!(body, b"x");
    /// ```
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// The peer's address.
    ///
    /// ```
    /// let req = webex_bot::unversioned::server::Request::new("GET", "/");
    /// assert!(req.remote_addr().ip().is_loopback());
    /// ```
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote
    }
}

/// An HTTP response. The server adds `Content-Length`, `Date` and `Connection` itself.
///
/// ```
/// use webex_bot::unversioned::server::Response;
/// let r = Response::text(503, "busy").with_header("Retry-After", "1");
/// assert_eq!(r.status(), 503);
/// assert_eq!(r.header("retry-after"), Some("1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    reset: bool,
}

impl Response {
    /// An empty response with this status.
    ///
    /// ```
    /// assert!(webex_bot::unversioned::server::Response::new(204).body().is_empty());
    /// ```
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            reset: false,
        }
    }

    /// No response: the connection is reset (closed with an RST, nothing written), as by a
    /// peer that failed mid-request. For emulating a failing server.
    ///
    /// ```
    /// use webex_bot::unversioned::server::{Response, Server};
    /// let server = Server::builder().bind("127.0.0.1:0", |_| Response::reset()).unwrap();
    /// let err = ureq::get(&format!("http://{}/", server.local_addr())).call().unwrap_err();
    /// assert!(!matches!(err, ureq::Error::StatusCode(_)));
    /// ```
    pub fn reset() -> Response {
        Response {
            reset: true,
            ..Response::new(500)
        }
    }

    /// Whether this is [`Response::reset`].
    ///
    /// ```
    /// use webex_bot::unversioned::server::Response;
    /// assert!(Response::reset().is_reset());
    /// assert!(!Response::new(200).is_reset());
    /// ```
    pub fn is_reset(&self) -> bool {
        self.reset
    }

    /// A `text/plain` response.
    ///
    /// ```
    /// let r = webex_bot::unversioned::server::Response::text(404, "not found");
    /// assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    /// ```
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response::new(status)
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_body(body.into())
    }

    /// An `application/json` response from already serialized JSON.
    ///
    /// ```
    /// let r = webex_bot::unversioned::server::Response::json(200, r#"{"ok":true}"#);
    /// assert_eq!(r.body(), br#"{"ok":true}"#);
    /// ```
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status)
            .with_header("Content-Type", "application/json")
            .with_body(body)
    }

    /// Adds a header.
    ///
    /// ```
    /// let r = webex_bot::unversioned::server::Response::new(200).with_header("TrackingID", "t-1");
    /// assert_eq!(r.header("trackingid"), Some("t-1"));
    /// ```
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body.
    ///
    /// ```
    /// let r = webex_bot::unversioned::server::Response::new(200).with_body(vec![1, 2, 3]);
    /// assert_eq!(r.body(), &[1, 2, 3]);
    /// ```
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// The status code.
    ///
    /// ```
    /// assert_eq!(webex_bot::unversioned::server::Response::new(202).status(), 202);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first header with this name, in any case.
    ///
    /// ```
    /// assert_eq!(webex_bot::unversioned::server::Response::new(200).header("x"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Every header, as given.
    ///
    /// ```
    /// let r = webex_bot::unversioned::server::Response::new(200).with_header("A", "1");
    /// assert_eq!(r.headers().len(), 1);
    /// ```
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    ///
    /// ```
    /// assert_eq!(webex_bot::unversioned::server::Response::text(200, "hi").body(), b"hi");
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A request's header fields in one buffer, in the order received: names lowercased,
/// values as sent (bytes that are not UTF-8 replaced by U+FFFD). One allocation for all
/// of them, where a `String` each would be two per field.
#[derive(Clone, Default)]
pub(super) struct Fields {
    text: String,
    /// For each field: where its name starts, where its value starts, where it ends.
    spans: Vec<[u32; 3]>,
}

impl Fields {
    /// Room for `fields` fields of `bytes` bytes in all.
    pub(super) fn with_capacity(fields: usize, bytes: usize) -> Fields {
        Fields {
            text: String::with_capacity(bytes),
            spans: Vec::with_capacity(fields),
        }
    }

    /// Adds a field; the name is lowercased.
    pub(super) fn push(&mut self, name: &str, value: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        let value_start = self.text.len();
        self.text[start..value_start].make_ascii_lowercase();
        self.text.push_str(value);
        // A head is bounded far below 4 GiB (the server's head limit).
        let at = |n: usize| u32::try_from(n).expect("header fields under 4 GiB");
        self.spans
            .push([at(start), at(value_start), at(self.text.len())]);
    }

    /// Every field as `(name, value)`.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.spans
            .iter()
            .map(|&[n, v, e]| (&self.text[n as usize..v as usize], self.value(v, e)))
    }

    /// The first value of `name`, in any case.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.spans
            .iter()
            .find(|&&[n, v, _]| self.name(n, v).eq_ignore_ascii_case(name.as_bytes()))
            .map(|&[_, v, e]| self.value(v, e))
    }

    /// Every value of `name`, which must be lowercase, in order.
    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.spans
            .iter()
            .filter(move |&&[n, v, _]| self.name(n, v) == name.as_bytes())
            .map(|&[_, v, e]| self.value(v, e))
    }

    /// A name, as bytes: names are compared before any value is sliced out as text.
    fn name(&self, start: u32, end: u32) -> &[u8] {
        &self.text.as_bytes()[start as usize..end as usize]
    }

    fn value(&self, start: u32, end: u32) -> &str {
        &self.text[start as usize..end as usize]
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The first value of the header `name` (any case) in `headers`.
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The reason phrase of a status code.
pub(super) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        423 => "Locked",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// The path and query of a request target: the target itself in origin form (`/path?q`),
/// what follows the authority in absolute form (`http://host:port/path?q`).
fn origin_form(target: &str) -> &str {
    let scheme_len = ["http://", "https://"]
        .iter()
        .find(|s| {
            target.len() >= s.len()
                && target.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
        })
        .map(|s| s.len());
    match scheme_len {
        Some(n) => {
            let rest = &target[n..];
            &rest[rest.find(['/', '?']).unwrap_or(rest.len())..]
        }
        None => target,
    }
}
