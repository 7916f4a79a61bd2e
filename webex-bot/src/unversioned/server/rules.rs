//! What a request must be: its head as parsed, and the rules of RFC 9112 and RFC 9110 it
//! is checked against (target and Host, transfer codings, chunk lines, field lines).

use super::message::Fields;

/// Why a request cannot be served: answered with this status, then the connection closes.
pub(super) struct Reject {
    pub(super) status: u16,
    pub(super) why: String,
}

pub(super) fn reject(status: u16, why: impl Into<String>) -> Reject {
    Reject {
        status,
        why: why.into(),
    }
}

/// A parsed request line and headers.
pub(super) struct Head {
    pub(super) method: String,
    pub(super) target: String,
    pub(super) minor: u8,
    pub(super) headers: Fields,
}

impl Head {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// Whether the `Connection` header lists `token`.
    pub(super) fn connection_has(&self, token: &str) -> bool {
        self.headers
            .all("connection")
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    pub(super) fn keep_alive(&self) -> bool {
        if self.minor == 0 {
            self.connection_has("keep-alive")
        } else {
            !self.connection_has("close")
        }
    }
}

/// The longest chunk-size line accepted, extensions included.
const MAX_CHUNK_LINE: usize = 1024;

/// Checks the request's transfer codings: their list, over every `Transfer-Encoding` header
/// in order, must be `chunked` alone, in an HTTP/1.1 request.
///
/// - chunked must be the final coding, or the length cannot be known: 400 (RFC 9112, 6.3);
/// - chunked at most once (RFC 9112, 7);
/// - no other coding is implemented here: 501 (RFC 9112, 6.1), where hyper and h11 refuse
///   such requests too rather than pass a still-encoded body on;
/// - an HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112, 6.1): refused
///   with 400 rather than served, as hyper does.
pub(super) fn check_transfer_coding(head: &Head) -> Result<(), Reject> {
    if head.minor == 0 {
        return Err(reject(400, "transfer-encoding in an HTTP/1.0 request"));
    }
    let codings: Vec<&str> = head
        .headers
        .all("transfer-encoding")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let chunked = |c: &str| c.eq_ignore_ascii_case("chunked");
    if !codings.last().is_some_and(|c| chunked(c)) {
        return Err(reject(400, "transfer-encoding does not end with chunked"));
    }
    if codings.iter().filter(|c| chunked(c)).count() > 1 {
        return Err(reject(400, "chunked applied more than once"));
    }
    if codings.len() > 1 {
        let all = codings.join(", ");
        return Err(reject(
            501,
            format!("transfer-encoding {all:?} is not supported"),
        ));
    }
    Ok(())
}

/// Checks the request target's form (RFC 9112, 3.2) and the Host header (RFC 9112, 3.2 and
/// RFC 9110, 7.2):
///
/// - the target is origin-form (`/path?query`), absolute-form (`http://host/path`, which a
///   server must accept), or `*` for `OPTIONS`; authority-form is for `CONNECT`, which this
///   server does not proxy. Anything else is 400. Stricter than h11, which takes any visible
///   characters as a target: a target such as `foo` names no resource, and passing it on would
///   leave every handler to guess what it means;
/// - an HTTP/1.1 request must carry exactly one Host header (400 without one or with two, as
///   the RFC says a server must answer; h11 refuses both too); HTTP/1.0 may omit it;
/// - the Host value must be `uri-host [ ":" port ]` (RFC 3986 reg-name, IPv4 or a bracketed
///   IP literal; the port digits), or empty (what a client sends when the target has no
///   authority). Userinfo (`user@host`) is not part of Host and is refused.
pub(super) fn check_target_and_host(head: &Head) -> Result<(), Reject> {
    let t = head.target.as_str();
    // httparse lets bytes over 0x7f through; a URI is ASCII (RFC 3986, 2), and hyper refuses
    // them too.
    if !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(reject(400, "request target is not ASCII"));
    }
    let absolute = t.len() > 7
        && (t[..7].eq_ignore_ascii_case("http://")
            || t.len() > 8 && t[..8].eq_ignore_ascii_case("https://"));
    let form_ok = t.starts_with('/') || absolute || (t == "*" && head.method == "OPTIONS");
    if !form_ok {
        return Err(reject(
            400,
            "request target is not a path or an absolute URI",
        ));
    }
    let hosts: Vec<&str> = head.headers.all("host").collect();
    match hosts.as_slice() {
        [] if head.minor == 0 => Ok(()),
        [] => Err(reject(400, "an HTTP/1.1 request without a Host header")),
        [one] if valid_host(one) => Ok(()),
        [_] => Err(reject(400, "the Host header is not a host and port")),
        _ => Err(reject(400, "more than one Host header")),
    }
}

/// Whether `v` is a Host value: empty, or `uri-host [ ":" port ]` (RFC 3986, 3.2.2-3.2.3).
fn valid_host(v: &str) -> bool {
    if v.is_empty() {
        return true;
    }
    let (host, port) = if let Some(rest) = v.strip_prefix('[') {
        // IP-literal: IPv6 (or IPvFuture) in brackets, then an optional port.
        let Some(end) = rest.find(']') else {
            return false;
        };
        let inside = &rest[..end];
        let ok = !inside.is_empty()
            && inside
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b":.".contains(&b) || b == b'v');
        if !ok {
            return false;
        }
        match &rest[end + 1..] {
            "" => return true,
            after => ("x", after.strip_prefix(':').unwrap_or("x")),
        }
    } else {
        match v.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => (v, ""),
        }
    };
    let reg_name = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(&b));
    reg_name && port.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `line` is a field line (RFC 9112, 5 and RFC 9110, 5.5): a token name, a colon
/// right after it, then a value of visible characters, spaces, tabs and obs-text. A line
/// starting with whitespace (obs-fold) is refused, as the RFC allows and as in a head.
pub(super) fn is_field_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return false;
    };
    let name = &line[..colon];
    let tchar = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    !name.is_empty()
        && name.iter().all(tchar)
        && line[colon + 1..]
            .iter()
            .all(|b| *b == b'\t' || *b == b' ' || (*b >= 0x21 && *b != 0x7f))
}

/// Reads a chunk-size line (RFC 9112, 7.1): `chunk-size [ chunk-ext ] CRLF`, the size one
/// or more hex digits. `Ok(None)` until the line's CRLF has arrived; the bytes used and the
/// size once it has. Refused: an empty size, a bare LF (the line and every extension end
/// only in CRLF), control characters in an extension, a size over 64 bits.
pub(super) fn parse_chunk_line(buf: &[u8]) -> Result<Option<(usize, usize)>, Reject> {
    // The bound holds however the line arrived: in pieces, or whole in one read.
    let window = &buf[..buf.len().min(MAX_CHUNK_LINE)];
    let Some(lf) = window.iter().position(|b| *b == b'\n') else {
        if buf.len() >= MAX_CHUNK_LINE {
            return Err(reject(400, "chunk size line too long"));
        }
        return Ok(None);
    };
    if lf == 0 || buf[lf - 1] != b'\r' {
        return Err(reject(400, "chunk size line not ended by CRLF"));
    }
    let line = &buf[..lf - 1];
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(reject(400, "chunk size missing"));
    }
    let mut size: u64 = 0;
    for b in &line[..digits] {
        let d = (*b as char).to_digit(16).expect("a hex digit") as u64;
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(d))
            .ok_or_else(|| reject(413, "chunk too large"))?;
    }
    let ext = &line[digits..];
    // Optional whitespace, then `;` extensions of visible characters, spaces and tabs.
    let ext = ext.trim_ascii_start();
    if !ext.is_empty()
        && (ext[0] != b';' || ext.iter().any(|b| b.is_ascii_control() && *b != b'\t'))
    {
        return Err(reject(400, "bad chunk extension"));
    }
    let size = usize::try_from(size).map_err(|_| reject(413, "chunk too large"))?;
    Ok(Some((lf + 1, size)))
}

pub(super) fn expects_continue(head: &Head) -> bool {
    head.minor >= 1
        && head
            .header("expect")
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("100-continue"))
}
