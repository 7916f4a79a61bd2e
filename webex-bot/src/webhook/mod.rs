//! Webhooks: the `X-Spark-Signature` check, the notifications Webex posts, and (inside
//! the crate) keeping a bot's own webhooks registered.
//!
//! Both work on their own, so a bot that already runs a web server (axum, actix, rouille)
//! can verify and parse Webex deliveries without the rest of this crate's runtime:
//!
//! ```
//! use webex_bot::webhook::{Secret, Notification, sign};
//!
//! let secret = Secret::new("s3cret");
//! let body = br#"{"id":"w1","resource":"messages","event":"created","data":{"id":"m1","roomId":"r1"}}"#;
//! let header = sign(&secret, body); // what Webex sends in X-Spark-Signature
//!
//! let event = Notification::parse_verified(body, Some(&header), Some(&secret)).unwrap();
//! assert_eq!(event.resource, "messages");
//! assert!(Notification::parse_verified(body, Some("00ff"), Some(&secret)).is_err());
//! ```

mod manage;
mod notification;
mod signature;

pub(crate) use manage::ensure_webhooks;
pub use notification::{Notification, NotificationKind};
pub use signature::{Secret, SignatureError, sign, verify};

/// Why a delivery was refused.
///
/// ```
/// use webex_bot::webhook::{WebhookError, Notification};
/// let err = Notification::parse_verified(b"not json", None, None).unwrap_err();
/// assert!(matches!(err, WebhookError::Malformed(_)));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature was missing or wrong.
    Signature(SignatureError),
    /// The body is not a webhook delivery (the JSON parser's error is the source).
    Malformed(Box<dyn std::error::Error + Send + Sync>),
}

impl std::fmt::Display for WebhookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebhookError::Signature(e) => e.fmt(f),
            WebhookError::Malformed(e) => write!(f, "malformed webhook body: {e}"),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::Signature(e) => Some(e),
            WebhookError::Malformed(e) => Some(&**e),
        }
    }
}
