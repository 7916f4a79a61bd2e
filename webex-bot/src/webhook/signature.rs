use hmac::{Hmac, Mac};
use sha1::Sha1;

pub use crate::secret::Secret;

/// The HMAC-SHA1 state keyed by `secret`.
fn mac(secret: &Secret) -> Hmac<Sha1> {
    Hmac::<Sha1>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes keys of any length")
}

/// The `X-Spark-Signature` value for `body`: lowercase hex of HMAC-SHA1(secret, body).
///
/// ```
/// use webex_bot::webhook::{Secret, sign};
/// assert_eq!(sign(&Secret::new("key"), b"The quick brown fox jumps over the lazy dog"),
///            "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9");
/// ```
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(body);
    crate::util::hex(&mac.finalize().into_bytes())
}

/// Checks a signature header against the exact bytes received, in constant time.
/// Upper- or lowercase hex is accepted, as is a `sha1=` prefix.
///
/// ```
/// use webex_bot::webhook::{Secret, SignatureError, sign, verify};
/// let secret = Secret::new("key");
/// let sig = sign(&secret, b"{}");
/// assert!(verify(&secret, b"{}", Some(&sig)).is_ok());
/// assert_eq!(verify(&secret, b"{ }", Some(&sig)), Err(SignatureError::Mismatch));
/// assert_eq!(verify(&secret, b"{}", None), Err(SignatureError::Missing));
/// ```
pub fn verify(secret: &Secret, body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(SignatureError::Missing)?;
    let hex = header.strip_prefix("sha1=").unwrap_or(header);
    let given = decode_hex(hex).ok_or(SignatureError::Malformed)?;
    let mut mac = mac(secret);
    mac.update(body);
    // Hex of any other length than a SHA-1's is well formed and matches nothing.
    let given = given.ok_or(SignatureError::Mismatch)?;
    mac.verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

/// The bytes of a hex string: `None` when it is not hex, `Some(None)` when it is but does
/// not have the 20 bytes of a SHA-1.
fn decode_hex(s: &str) -> Option<Option<[u8; 20]>> {
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) || !s.iter().all(|c| nibble(*c).is_some()) {
        return None;
    }
    if s.len() != 40 {
        return Some(None);
    }
    let mut bytes = [0u8; 20];
    for (b, pair) in bytes.iter_mut().zip(s.chunks_exact(2)) {
        *b = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(Some(bytes))
}

/// Why a signature check failed.
///
/// ```
/// use webex_bot::webhook::SignatureError;
/// assert_eq!(SignatureError::Mismatch.to_string(), "webhook signature does not match the body");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `X-Spark-Signature` header although a secret is set.
    Missing,
    /// The header is not hex.
    Malformed,
    /// The header does not match the body.
    Mismatch,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "webhook signature header is missing",
            SignatureError::Malformed => "webhook signature header is not hex",
            SignatureError::Mismatch => "webhook signature does not match the body",
        })
    }
}

impl std::error::Error for SignatureError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_and_case_and_prefix() {
        // RFC 2202 test case 2.
        let s = Secret::new("Jefe");
        let sig = sign(&s, b"what do ya want for nothing?");
        assert_eq!(sig, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assert!(
            verify(
                &s,
                b"what do ya want for nothing?",
                Some(&sig.to_uppercase())
            )
            .is_ok()
        );
        assert!(
            verify(
                &s,
                b"what do ya want for nothing?",
                Some(&format!("sha1={sig}"))
            )
            .is_ok()
        );
        assert_eq!(
            verify(&s, b"x", Some("abc")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(verify(&s, b"x", Some("zz")), Err(SignatureError::Malformed));
        assert_eq!(verify(&s, b"x", Some("  ")), Err(SignatureError::Missing));
        assert_eq!(
            verify(
                &Secret::new("other"),
                b"what do ya want for nothing?",
                Some(&sig)
            ),
            Err(SignatureError::Mismatch)
        );
        // A truncated signature is a mismatch, not a prefix match.
        assert_eq!(
            verify(&s, b"what do ya want for nothing?", Some(&sig[..38])),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                &s,
                b"what do ya want for nothing?",
                Some(&format!("{sig}00"))
            ),
            Err(SignatureError::Mismatch)
        );
    }
}
