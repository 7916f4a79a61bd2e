//! REST ids and the UUIDs inside them.
//!
//! A Webex REST id is base64 of `ciscospark://<cluster>/<KIND>/<uuid>`: the websocket
//! speaks in UUIDs, the REST API in these ids. Webex writes them in URL-safe base64
//! without padding; other clients write standard base64 with padding. Both are read.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// What a REST id names.
///
/// ```
/// use webex_bot::models::{IdKind, RestId};
/// let id = RestId::encode("us", IdKind::Message, "9d5e2a60-0000-4000-8000-000000000001");
/// assert_eq!(RestId::decode(&id).unwrap().kind, "MESSAGE");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdKind {
    /// `MESSAGE`.
    Message,
    /// `ROOM`.
    Room,
    /// `PEOPLE` (always in cluster `us`).
    People,
    /// `MEMBERSHIP`: the UUID is `<person uuid>:<room uuid>`.
    Membership,
    /// `ATTACHMENT_ACTION`.
    AttachmentAction,
    /// `ORGANIZATION` (always in cluster `us`).
    Organization,
    /// `TEAM`.
    Team,
}

impl IdKind {
    /// The word in the id.
    ///
    /// ```
    /// assert_eq!(webex_bot::models::IdKind::AttachmentAction.as_str(), "ATTACHMENT_ACTION");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Message => "MESSAGE",
            IdKind::Room => "ROOM",
            IdKind::People => "PEOPLE",
            IdKind::Membership => "MEMBERSHIP",
            IdKind::AttachmentAction => "ATTACHMENT_ACTION",
            IdKind::Organization => "ORGANIZATION",
            IdKind::Team => "TEAM",
        }
    }
}

/// A decoded REST id.
///
/// ```
/// use webex_bot::models::RestId;
/// // base64 of ciscospark://us/PEOPLE/12345, padded or not:
/// for id in ["Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0NQ==", "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0NQ"] {
///     let d = RestId::decode(id).unwrap();
///     assert_eq!((d.cluster.as_str(), d.kind.as_str(), d.uuid.as_str()), ("us", "PEOPLE", "12345"));
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestId {
    /// `us`, or the cluster of a room or message homed elsewhere.
    pub cluster: String,
    /// `MESSAGE`, `ROOM`, ...
    pub kind: String,
    /// The UUID (for a membership, `<person>:<room>`).
    pub uuid: String,
}

impl RestId {
    /// The REST id of `uuid`, as Webex writes it (URL-safe base64, no padding). People and
    /// organizations are always in cluster `us`, whatever `cluster` says.
    ///
    /// ```
    /// use webex_bot::models::{IdKind, RestId};
    /// let id = RestId::encode("eu", IdKind::People, "1234");
    /// assert_eq!(id, "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0");
    /// ```
    pub fn encode(cluster: &str, kind: IdKind, uuid: &str) -> String {
        let cluster = match kind {
            IdKind::People | IdKind::Organization => "us",
            _ => cluster,
        };
        URL_SAFE_NO_PAD.encode(format!("ciscospark://{cluster}/{}/{uuid}", kind.as_str()))
    }

    /// Reads a REST id in any of the base64 forms clients write; `None` when it is not
    /// one.
    ///
    /// ```
    /// use webex_bot::models::RestId;
    /// assert!(RestId::decode("not an id").is_none());
    /// ```
    pub fn decode(id: &str) -> Option<RestId> {
        let trimmed = id.trim_end_matches('=');
        let bytes = URL_SAFE_NO_PAD
            .decode(trimmed)
            .or_else(|_| STANDARD_NO_PAD.decode(trimmed))
            .ok()?;
        let s = String::from_utf8(bytes).ok()?;
        let rest = s.strip_prefix("ciscospark://")?;
        // A cluster holds no slash: `us`, or `urn:TEAM:<data centre>`.
        let mut parts = rest.splitn(3, '/');
        let cluster = parts.next()?.to_owned();
        let kind = parts.next()?.to_owned();
        let uuid = parts.next()?.to_owned();
        if cluster.is_empty() || kind.is_empty() || uuid.is_empty() {
            return None;
        }
        Some(RestId {
            cluster,
            kind,
            uuid,
        })
    }

    /// The id in Webex's own form, whichever form `id` was written in (itself when it is
    /// not a REST id).
    ///
    /// ```
    /// use webex_bot::models::RestId;
    /// let padded = "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0NQ==";
    /// assert_eq!(RestId::canonical(padded), "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0NQ");
    /// ```
    pub fn canonical(id: &str) -> String {
        match Self::decode(id) {
            Some(d) => {
                URL_SAFE_NO_PAD.encode(format!("ciscospark://{}/{}/{}", d.cluster, d.kind, d.uuid))
            }
            None => id.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn every_form_decodes_to_the_same_id() {
        let raw = "ciscospark://us/ATTACHMENT_ACTION/6f2b2c1e-0000-4000-8000-00000000000a";
        let forms = [
            URL_SAFE_NO_PAD.encode(raw),
            STANDARD.encode(raw),
            STANDARD_NO_PAD.encode(raw),
        ];
        for f in &forms {
            let d = RestId::decode(f).unwrap();
            assert_eq!(d.kind, "ATTACHMENT_ACTION");
            assert_eq!(RestId::canonical(f), forms[0]);
        }
    }

    #[test]
    fn membership_and_cluster_ids() {
        let id = RestId::encode("urn:TEAM:eu-central-1_k", IdKind::Membership, "p:r");
        let d = RestId::decode(&id).unwrap();
        assert_eq!(d.cluster, "urn:TEAM:eu-central-1_k");
        assert_eq!(d.uuid, "p:r");
    }
}
