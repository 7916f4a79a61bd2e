//! One type for every secret the crate holds: webhook signing secrets, bot tokens.

use std::fmt;

use zeroize::Zeroizing;

/// A secret string: a webhook signing secret or an access token. `Debug` never shows it,
/// it has no `Display`, it is wiped from memory when dropped, and two are compared in
/// constant time. Serialized as its value, since that is how it is sent to Webex.
///
/// ```
/// let s = webex_bot::Secret::new("s3cret");
/// assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
/// assert_eq!(s.expose(), "s3cret");
/// ```
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret.
    ///
    /// ```
    /// let s = webex_bot::Secret::new("s3cret");
    /// ```
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(secret.into()))
    }

    /// A fresh random secret: 32 bytes from the operating system, as 64 hex characters.
    ///
    /// ```
    /// let s = webex_bot::Secret::random();
    /// assert_eq!(s.expose().len(), 64);
    /// ```
    pub fn random() -> Secret {
        Secret::new(crate::util::random_hex(32))
    }

    /// The secret itself, to register it with Webex or sign with it. Do not log it.
    ///
    /// ```
    /// assert_eq!(webex_bot::Secret::new("x").expose(), "x");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::new(s)
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}
