use std::fmt;
use std::time::Duration;

/// The underlying error of a [`Error::Transport`] or [`Error::Decode`]: the HTTP stack's or
/// the JSON parser's, kept as a trait object so that neither crate is part of this API.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong in a call to Webex.
///
/// The access token never appears in this type's `Display` or `Debug` output.
///
/// # Example
/// ```no_run
/// use webex_bot::{Client, client::Error};
/// let client = Client::new("token");
/// match client.rooms().get("nope") {
///     Err(Error::Api(e)) if e.status() == 404 => println!("no such room ({e})"),
///     Err(e) => eprintln!("{e}"),
///     Ok(room) => println!("{:?}", room.title),
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Webex answered with a status other than 2xx.
    Api(ApiError),
    /// The request did not get an answer: connection refused, timeout, TLS failure. The
    /// HTTP stack's own error is the source.
    Transport(Cause),
    /// Webex answered 2xx but the body was not the JSON expected.
    Decode {
        /// What was being read, such as `GET /rooms`.
        context: String,
        /// The parse error.
        source: Cause,
    },
    /// Reading a file to upload or writing a download failed.
    Io(std::io::Error),
    /// The client was set up wrongly (missing token, bad base URL, foreign next-page link).
    Config(String),
}

impl Error {
    /// The HTTP status, when Webex answered.
    ///
    /// ```
    /// # use webex_bot::client::Error;
    /// assert_eq!(Error::Config("x".into()).status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The Webex error details, when Webex answered with an error status.
    ///
    /// ```
    /// # use webex_bot::client::Error;
    /// assert!(Error::Config("x".into()).api().is_none());
    /// ```
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Transport(e) => write!(f, "could not reach webex: {e}"),
            Error::Decode { context, source } => {
                write!(f, "unexpected response body for {context}: {source}")
            }
            Error::Io(e) => write!(f, "i/o error: {e}"),
            Error::Config(m) => write!(f, "client configuration: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Api(_) | Error::Config(_) => None,
            Error::Transport(e) => Some(&**e),
            Error::Decode { source, .. } => Some(&**source),
            Error::Io(e) => Some(e),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// An error answer from Webex: the status and what the body and headers said.
///
/// ```
/// use webex_bot::client::ApiError;
/// let e = ApiError::from_parts(
///     404,
///     br#"{"message":"Not found","errors":[{"description":"No room"}],"trackingId":"ROUTER_1"}"#,
///     None,
///     None,
/// );
/// assert_eq!(e.message(), Some("Not found"));
/// assert_eq!(e.descriptions(), ["No room"]);
/// assert_eq!(e.tracking_id(), Some("ROUTER_1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: u16,
    message: Option<String>,
    descriptions: Vec<String>,
    tracking_id: Option<String>,
    retry_after: Option<Duration>,
    body: String,
}

/// The most of an error body kept for [`ApiError::body`].
const MAX_ERROR_BODY: usize = 4096;

impl ApiError {
    /// Builds an error from a status, a body, the `TrackingID` header and a parsed
    /// `Retry-After`. The body's `trackingId` wins over the header, as in Webex's SDKs.
    ///
    /// ```
    /// # use webex_bot::client::ApiError;
    /// let e = ApiError::from_parts(502, b"<html>bad gateway</html>", Some("T1".into()), None);
    /// assert_eq!(e.message(), None);
    /// assert_eq!(e.tracking_id(), Some("T1"));
    /// ```
    pub fn from_parts(
        status: u16,
        body: &[u8],
        tracking_header: Option<String>,
        retry_after: Option<Duration>,
    ) -> ApiError {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Body {
            message: Option<String>,
            #[serde(default)]
            errors: Vec<Described>,
            tracking_id: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Described {
            description: Option<String>,
        }
        let parsed: Option<Body> = serde_json::from_slice(body).ok();
        let (message, descriptions, tracking_body) = match parsed {
            Some(b) => (
                b.message,
                b.errors.into_iter().filter_map(|d| d.description).collect(),
                b.tracking_id,
            ),
            None => (None, Vec::new(), None),
        };
        let mut text = String::from_utf8_lossy(body).into_owned();
        if text.len() > MAX_ERROR_BODY {
            let mut cut = MAX_ERROR_BODY;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        ApiError {
            status,
            message,
            descriptions,
            tracking_id: tracking_body.or(tracking_header),
            retry_after,
            body: text,
        }
    }

    /// The HTTP status code.
    ///
    /// ```
    /// # use webex_bot::client::ApiError;
    /// assert_eq!(ApiError::from_parts(429, b"", None, None).status(), 429);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Webex's `message`, the summary of what went wrong.
    ///
    /// ```
    /// # use webex_bot::client::ApiError;
    /// assert_eq!(ApiError::from_parts(400, br#"{"message":"m"}"#, None, None).message(), Some("m"));
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `errors[].description` details.
    ///
    /// ```
    /// # use webex_bot::client::ApiError;
    /// assert!(ApiError::from_parts(400, b"{}", None, None).descriptions().is_empty());
    /// ```
    pub fn descriptions(&self) -> &[String] {
        &self.descriptions
    }

    /// The tracking id to quote to Webex support.
    ///
    /// ```
    /// # use webex_bot::client::ApiError;
    /// assert_eq!(ApiError::from_parts(500, b"", None, None).tracking_id(), None);
    /// ```
    pub fn tracking_id(&self) -> Option<&str> {
        self.tracking_id.as_deref()
    }

    /// How long Webex asked to wait (`Retry-After`), on 429, 423 and 503.
    ///
    /// ```
    /// # use webex_bot::client::ApiError;
    /// # use std::time::Duration;
    /// let e = ApiError::from_parts(429, b"", None, Some(Duration::from_secs(2)));
    /// assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The raw body (at most 4 KiB of it), for logging.
    ///
    /// ```
    /// # use webex_bot::client::ApiError;
    /// assert_eq!(ApiError::from_parts(500, b"oops", None, None).body(), "oops");
    /// ```
    pub fn body(&self) -> &str {
        &self.body
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "webex answered {}", self.status)?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        let extra: Vec<&str> = self
            .descriptions
            .iter()
            .map(String::as_str)
            .filter(|d| Some(*d) != self.message.as_deref())
            .collect();
        if !extra.is_empty() {
            write!(f, " ({})", extra.join("; "))?;
        }
        if let Some(t) = &self.tracking_id {
            write!(f, " [trackingId {t}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}
