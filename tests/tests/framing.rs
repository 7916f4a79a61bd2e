//! Message framing, table-driven: each request is sent with a second one pipelined behind
//! it. A request the server must refuse gets its status and the connection closes, so the
//! second is never read as part of the first or as a request of its own (no smuggling); a
//! request it accepts is answered with the body it framed, then the second is answered too.
//! Each case cites the rule it follows (RFC 9112 unless said otherwise).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use webex_bot::unversioned::server::{Response, Server};

/// The next request on the connection.
/// The next request on the connection; it closes the connection, so a read to the end
/// ends.
const AFTER: &str = "GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// What a case must get: the body served (the handler echoes it), or a refusal's status.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Served with this body, and the connection goes on.
    Served(&'static str),
    /// Served with this body, then the connection closes: nothing after it is trusted.
    ServedThenClosed(&'static str),
    /// Refused with this status, then the connection closes.
    Refused(u16),
}
use Expect::{Refused, Served, ServedThenClosed};

const CASES: &[(&str, &str, Expect)] = &[
    // ---- Content-Length (RFC 9110, 8.6: 1*DIGIT; RFC 9112, 6.3) ----
    (
        "plain length",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "zero length",
        "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        Served(""),
    ),
    (
        "leading zeros are digits",
        "POST / HTTP/1.1\r\nContent-Length: 005\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "a sign is not a digit",
        "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "negative",
        "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "not a number",
        "POST / HTTP/1.1\r\nContent-Length: five\r\n\r\nhello",
        Refused(400),
    ),
    (
        "hex is not decimal",
        "POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "space inside",
        "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\nhello",
        Refused(400),
    ),
    (
        "empty value",
        "POST / HTTP/1.1\r\nContent-Length: \r\n\r\nhello",
        Refused(400),
    ),
    (
        "a list (6.3: invalid unless the server accepts identical values; refused here)",
        "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "two different lengths (6.3)",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        Refused(400),
    ),
    (
        "two equal lengths",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "overflowing length",
        "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        Refused(400),
    ),
    // ---- Transfer-Encoding (6.1, 6.3, 7) ----
    (
        "chunked",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "chunked in any case",
        "POST / HTTP/1.1\r\nTransfer-Encoding: ChUnKeD\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "two chunks",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "upper-case hex size",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
        Served("0123456789"),
    ),
    (
        "not ending in chunked (6.3)",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "an unknown coding before chunked (6.1: 501)",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(501),
    ),
    (
        "chunked twice (7)",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a second header ending in another coding (the list spans headers, 5.3 of RFC 9110)",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "chunked split over two headers",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(501),
    ),
    (
        "only an unknown coding",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nhello",
        Refused(400),
    ),
    (
        "identity is not chunked",
        "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\nhello",
        Refused(400),
    ),
    (
        "empty coding list",
        "POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\nhello",
        Refused(400),
    ),
    (
        "HTTP/1.0 with chunked (6.1: faulty framing)",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    // ---- chunk lines (7.1) ----
    (
        "empty chunk-size line",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "size line ended by a bare LF",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "last chunk ended by a bare LF",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\n\r\n",
        Refused(400),
    ),
    (
        "trailer section ended by a bare LF",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\n",
        Refused(400),
    ),
    (
        "a trailer field",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n",
        Served("hello"),
    ),
    (
        "a trailer line ended by a bare LF",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\n\r\n",
        Refused(400),
    ),
    (
        "a chunk extension",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "whitespace before an extension (BWS)",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 ;name\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "a bare LF inside an extension",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a bare CR inside an extension",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "garbage after the size",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a signed size",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a 0x prefix",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "chunk data not followed by CRLF",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        Refused(400),
    ),
    (
        "chunk data followed by a bare LF",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a size over 64 bits",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
        Refused(413),
    ),
    // ---- both framings (6.1: Transfer-Encoding wins, the connection closes after) ----
    (
        "length and chunks",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ServedThenClosed("hello"),
    ),
];

fn server() -> Server {
    Server::builder()
        .body_limit(1024)
        .bind("127.0.0.1:0", |req| {
            Response::text(200, String::from_utf8_lossy(req.body()).into_owned())
        })
        .unwrap()
}

/// Everything the server sends until it closes the connection (or 10 s pass).
fn exchange(server: &Server, raw: &str) -> String {
    let mut s = TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    s.write_all(AFTER.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The responses in `wire`: (status, body) each.
fn responses(wire: &str) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    let mut rest = wire;
    while let Some(head_end) = rest.find("\r\n\r\n") {
        let head = &rest[..head_end];
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let body_start = head_end + 4;
        let body = rest[body_start..(body_start + len).min(rest.len())].to_owned();
        out.push((status, body));
        rest = &rest[(body_start + len).min(rest.len())..];
    }
    out
}

#[test]
fn framing_cases_are_served_or_refused_and_nothing_is_smuggled() {
    let server = server();
    let mut failures = Vec::new();
    for (name, raw, expect) in CASES {
        let got = responses(&exchange(&server, raw));
        let ok = match expect {
            // Served, then the pipelined request is served on the same connection.
            Served(body) => {
                got.len() == 2
                    && got[0] == (200, (*body).to_owned())
                    && got[1] == (200, String::new())
            }
            ServedThenClosed(body) => got == vec![(200, (*body).to_owned())],
            // Refused with its status, and nothing after it is read.
            Refused(status) => got.len() == 1 && got[0].0 == *status,
        };
        if !ok {
            failures.push(format!("{name}: expected {expect:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
    // The server goes on serving.
    let got = responses(&exchange(&server, ""));
    assert_eq!(got, vec![(200, String::new())]);
}

#[test]
fn a_body_is_held_as_it_arrives_not_as_announced() {
    // A head announcing the whole body limit and a few bytes of it: the request is still
    // waiting, and the server has not reserved the announced size (checked indirectly: a
    // thousand such connections would need a gigabyte; here the request completes once the
    // rest arrives, in small writes).
    let server = Server::builder()
        .body_limit(1 << 20)
        .bind("127.0.0.1:0", |req| {
            Response::text(200, req.body().len().to_string())
        })
        .unwrap();
    let mut s = TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"POST / HTTP/1.1\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n")
        .unwrap();
    let piece = vec![b'x'; 64 * 1024];
    for _ in 0..16 {
        s.write_all(&piece).unwrap();
    }
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert_eq!(responses(&out), vec![(200, "1048576".to_owned())]);
}
