//! Message framing, table-driven: each request is sent with a second one pipelined behind
//! it. A request the server must refuse gets its status and the connection closes, so the
//! second is never read as part of the first or as a request of its own (no smuggling); a
//! request it accepts is answered with the body it framed, then the second is answered too.
//! Each case cites the rule it follows (RFC 9112 unless said otherwise).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use webex_bot::unversioned::server::{Response, Server};

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
    /// Served with this body; what follows it is a request of its own, refused with this
    /// status (the server reads exactly what the framing says, no more, no less).
    ServedThenRefused(&'static str, u16),
    /// `100 Continue`, then served with this body, and the connection goes on.
    Continued(&'static str),
}
use Expect::{Continued, Refused, Served, ServedThenClosed, ServedThenRefused};

const CASES: &[(&str, &str, Expect)] = &[
    // ---- Content-Length (RFC 9110, 8.6: 1*DIGIT; RFC 9112, 6.3) ----
    (
        "plain length",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "zero length",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        Served(""),
    ),
    (
        "leading zeros are digits",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 005\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "a sign is not a digit",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "negative",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "not a number",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: five\r\n\r\nhello",
        Refused(400),
    ),
    (
        "hex is not decimal",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "space inside",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\nhello",
        Refused(400),
    ),
    (
        "empty value",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\nhello",
        Refused(400),
    ),
    (
        "a list (6.3: invalid unless the server accepts identical values; refused here)",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello",
        Refused(400),
    ),
    (
        "two different lengths (6.3)",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        Refused(400),
    ),
    (
        "two equal lengths",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "overflowing length",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        Refused(400),
    ),
    // ---- Transfer-Encoding (6.1, 6.3, 7) ----
    (
        "chunked",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "chunked in any case",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ChUnKeD\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "two chunks",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "upper-case hex size",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
        Served("0123456789"),
    ),
    (
        "not ending in chunked (6.3)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "an unknown coding before chunked (6.1: 501)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(501),
    ),
    (
        "chunked twice (7)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a second header ending in another coding (the list spans headers, 5.3 of RFC 9110)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "chunked split over two headers",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(501),
    ),
    (
        "only an unknown coding",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello",
        Refused(400),
    ),
    (
        "identity is not chunked",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\nhello",
        Refused(400),
    ),
    (
        "empty coding list",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\n\r\nhello",
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
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "size line ended by a bare LF",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "last chunk ended by a bare LF",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\n\r\n",
        Refused(400),
    ),
    (
        "trailer section ended by a bare LF",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\n",
        Refused(400),
    ),
    (
        "a trailer field",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n",
        Served("hello"),
    ),
    (
        "a trailer line ended by a bare LF",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\n\r\n",
        Refused(400),
    ),
    (
        "a chunk extension",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "whitespace before an extension (BWS)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 ;name\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "a bare LF inside an extension",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a bare CR inside an extension",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "garbage after the size",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a signed size",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a 0x prefix",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "chunk data not followed by CRLF",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        Refused(400),
    ),
    (
        "chunk data followed by a bare LF",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a size over 64 bits",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
        Refused(413),
    ),
    // ---- both framings (6.1: Transfer-Encoding wins, the connection closes after) ----
    (
        "length and chunks",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ServedThenClosed("hello"),
    ),
    (
        "a length shorter than the body: the rest is read as the next request (6.3)",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello world",
        ServedThenRefused("hello", 400),
    ),
    (
        "whitespace around the length is not part of it (RFC 9110, 5.5)",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \t 5 \t\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "a tab inside the length",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\t2\r\n\r\nhello",
        Refused(400),
    ),
    (
        "a quoted length",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \"5\"\r\n\r\nhello",
        Refused(400),
    ),
    (
        "a length over the body limit, refused before the body is sent (RFC 9110, 10.1.1)",
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n",
        Refused(413),
    ),
    (
        "field names are case-insensitive (RFC 9110, 5.1)",
        "POST / HTTP/1.1\r\nHost: x\r\nCONTENT-LENGTH: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "a body on a GET is framed like any other (RFC 9110, 9.3.1)",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "a body that looks chunked under a length is data",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        Served("0\r\n\r\n"),
    ),
    // ---- more transfer codings (6.1, 7; lists: RFC 9110, 5.6.1) ----
    (
        "whitespace around chunked",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \t chunked \t\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "empty list elements are allowed (RFC 9110, 5.6.1)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked,\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "a quoted coding is not chunked",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \"chunked\"\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "chunked takes no parameters (7)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;q=1\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a coding that only contains chunked",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "identity before chunked is an unknown coding (501)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(501),
    ),
    (
        "a vertical tab is not whitespace",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \u{b}chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a space before the colon (5.1: must be refused)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "a look-alike name is another field: no body, the chunks are the next request",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer_Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ServedThenRefused("", 400),
    ),
    (
        "chunked with a zero length (6.1: chunked wins, then close)",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ServedThenClosed("hello"),
    ),
    (
        "the length after the coding",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ServedThenClosed("hello"),
    ),
    (
        "chunked on a GET",
        "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    // ---- more chunk lines, trailers (7.1, 7.1.1, 7.1.2) ----
    (
        "leading zeros in a size",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0005\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "lower-case hex size",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n",
        Served("0123456789"),
    ),
    (
        "several extensions, one quoted",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=1;b=\"x y\"\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "a tab before an extension (BWS)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\t;a\r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "whitespace after the size with no extension (as hyper)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
        Served("hello"),
    ),
    (
        "a size line of spaces",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n  \r\nhello\r\n0\r\n\r\n",
        Refused(400),
    ),
    (
        "an extension on the last chunk",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0;end\r\n\r\n",
        Served("hello"),
    ),
    (
        "leading zeros in the last chunk",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n000\r\n\r\n",
        Served("hello"),
    ),
    (
        "only the last chunk",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Served(""),
    ),
    (
        "chunks over the body limit (RFC 9110, 15.5.14)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n",
        Refused(413),
    ),
    (
        "two trailer fields",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
        Served("hello"),
    ),
    (
        "a length in the trailers does not frame anything (RFC 9110, 6.5.1)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n",
        Served("hello"),
    ),
    (
        "a trailer line without a colon (5)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum 1\r\n\r\n",
        Refused(400),
    ),
    (
        "a folded trailer line (5.2)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nA: 1\r\n 2\r\n\r\n",
        Refused(400),
    ),
    (
        "a trailer with a space before the colon (5.1)",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nA : 1\r\n\r\n",
        Refused(400),
    ),
    (
        "a request head where trailers are: not a field line",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nGET /x HTTP/1.1\r\n\r\n",
        Refused(400),
    ),
    // ---- request line (3, 2.2, 2.3) ----
    (
        "an empty line before the request line is ignored (2.2)",
        "\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "lines ended by bare LF (2.2: a recipient may accept them; hyper and h11 do)",
        "POST / HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello",
        Served("hello"),
    ),
    (
        "methods are case-sensitive (RFC 9110, 9.1)",
        "get /line HTTP/1.1\r\nHost: x\r\n\r\n",
        Served("get /line"),
    ),
    (
        "an extension method",
        "PURGE /line HTTP/1.1\r\nHost: x\r\n\r\n",
        Served("PURGE /line"),
    ),
    (
        "a method with a character outside a token",
        "GE(T /line HTTP/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "two spaces after the method (3: single SP; h11 refuses too)",
        "GET  /line HTTP/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "a tab between method and target",
        "GET\t/line HTTP/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "no version (HTTP/0.9 is not served)",
        "GET /line\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "the protocol name is case-sensitive (2.3)",
        "GET /line http/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "HTTP/2.0 in an HTTP/1 request line (refused as by hyper)",
        "GET /line HTTP/2.0\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "HTTP/1.2 (refused as by hyper, where RFC 9110 2.5 would serve it as 1.1)",
        "GET /line HTTP/1.2\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "a control character in the target",
        "GET /li\u{1}ne HTTP/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "a non-ASCII byte in the target (RFC 3986: ASCII only; refused by hyper)",
        "GET /l\u{e9}ne HTTP/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "a target that is neither a path nor a URI (3.2)",
        "GET line HTTP/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "asterisk-form with OPTIONS (3.2.4)",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
        Served("OPTIONS *"),
    ),
    (
        "asterisk-form with another method (3.2.4)",
        "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "authority-form: this server is not a proxy (3.2.3)",
        "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
        Refused(400),
    ),
    (
        "absolute-form (3.2.2: a server must accept it)",
        "GET http://x/line HTTP/1.1\r\nHost: x\r\n\r\n",
        Served("GET /line"),
    ),
    (
        "absolute-form, another Host ignored (3.2.2)",
        "GET https://x:8443/line?q=1 HTTP/1.1\r\nHost: y\r\n\r\n",
        Served("GET /line"),
    ),
    // ---- Host (3.2; RFC 9110, 7.2) ----
    (
        "HTTP/1.1 without Host (3.2: must be refused)",
        "GET /line HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        Refused(400),
    ),
    (
        "absolute-form still needs Host in HTTP/1.1 (3.2)",
        "GET http://x/line HTTP/1.1\r\n\r\n",
        Refused(400),
    ),
    (
        "two Host lines (3.2: must be refused)",
        "GET /line HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        Refused(400),
    ),
    (
        "two equal Host lines (3.2: more than one line is refused)",
        "GET /line HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n",
        Refused(400),
    ),
    (
        "a Host list",
        "GET /line HTTP/1.1\r\nHost: x, y\r\n\r\n",
        Refused(400),
    ),
    (
        "userinfo in Host (RFC 9110, 7.2: uri-host only)",
        "GET /line HTTP/1.1\r\nHost: user@x\r\n\r\n",
        Refused(400),
    ),
    (
        "a path in Host",
        "GET /line HTTP/1.1\r\nHost: x/y\r\n\r\n",
        Refused(400),
    ),
    (
        "a port that is not digits",
        "GET /line HTTP/1.1\r\nHost: x:http\r\n\r\n",
        Refused(400),
    ),
    (
        "an unclosed IP literal",
        "GET /line HTTP/1.1\r\nHost: [::1\r\n\r\n",
        Refused(400),
    ),
    (
        "a host and port",
        "GET /line HTTP/1.1\r\nHost: bot.example.com:8080\r\n\r\n",
        Served("GET /line"),
    ),
    (
        "an IPv4 address and port",
        "GET /line HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        Served("GET /line"),
    ),
    (
        "an IPv6 literal and port",
        "GET /line HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
        Served("GET /line"),
    ),
    (
        "a percent-encoded reg-name (RFC 3986, 3.2.2)",
        "GET /line HTTP/1.1\r\nHost: a%2Db\r\n\r\n",
        Served("GET /line"),
    ),
    (
        "an empty Host (3.2: sent when the target has no authority)",
        "GET /line HTTP/1.1\r\nHost:\r\n\r\n",
        Served("GET /line"),
    ),
    (
        "HTTP/1.0 needs no Host, and closes after",
        "GET /line HTTP/1.0\r\n\r\n",
        ServedThenClosed("GET /line"),
    ),
    // ---- field lines (5, 5.1, 5.2; RFC 9110, 5.5) ----
    (
        "a folded line (5.2: refused, as the RFC allows)",
        "GET /line HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n",
        Refused(400),
    ),
    (
        "a line without a colon",
        "GET /line HTTP/1.1\r\nHost: x\r\nX-A\r\n\r\n",
        Refused(400),
    ),
    (
        "an empty field name",
        "GET /line HTTP/1.1\r\nHost: x\r\n: 1\r\n\r\n",
        Refused(400),
    ),
    (
        "a field name with a character outside a token",
        "GET /line HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n",
        Refused(400),
    ),
    (
        "a NUL in a value (RFC 9110, 5.5: must be refused or replaced)",
        "GET /line HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n",
        Refused(400),
    ),
    (
        "a bare CR in a value (RFC 9110, 5.5)",
        "GET /line HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
        Refused(400),
    ),
    (
        "obs-text in a value (RFC 9110, 5.5: allowed)",
        "GET /line HTTP/1.1\r\nHost: x\r\nX-A: caf\u{e9}\r\n\r\n",
        Served("GET /line"),
    ),
    (
        "a tab inside a value",
        "GET /line HTTP/1.1\r\nHost: x\r\nX-A: a\tb\r\n\r\n",
        Served("GET /line"),
    ),
    // ---- persistence (9.3) ----
    (
        "HTTP/1.0 with keep-alive stays open",
        "POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
    (
        "HTTP/1.0 with a length closes after",
        "POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello",
        ServedThenClosed("hello"),
    ),
    (
        "Connection: close (9.6)",
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
        ServedThenClosed("hello"),
    ),
    (
        "connection options are case-insensitive",
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\nContent-Length: 5\r\n\r\nhello",
        ServedThenClosed("hello"),
    ),
    (
        "close anywhere in the list",
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\nContent-Length: 5\r\n\r\nhello",
        ServedThenClosed("hello"),
    ),
    (
        "an upgrade that is not taken is ignored (RFC 9110, 7.8)",
        "GET /line HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
        Served("GET /line"),
    ),
    // ---- Expect (RFC 9110, 10.1.1) ----
    (
        "100-continue before a body",
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
        Continued("hello"),
    ),
    (
        "100-continue before chunks",
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Continued("hello"),
    ),
    (
        "100-continue without a body: no interim response",
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
        Served(""),
    ),
    (
        "100-continue in HTTP/1.0 is ignored (10.1.1)",
        "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
        ServedThenClosed("hello"),
    ),
    (
        "an unknown expectation is ignored (as hyper and h11)",
        "POST / HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 5\r\n\r\nhello",
        Served("hello"),
    ),
];

fn server() -> Server {
    Server::builder()
        .body_limit(1024)
        .bind("127.0.0.1:0", |req| {
            // `/line` and `*` answer with the method and path they were read as.
            if req.path() == "/line" || req.target() == "*" {
                return Response::text(200, format!("{} {}", req.method(), req.path()));
            }
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
            ServedThenRefused(body, status) => {
                got.len() == 2 && got[0] == (200, (*body).to_owned()) && got[1].0 == *status
            }
            Continued(body) => {
                got == vec![
                    (100, String::new()),
                    (200, (*body).to_owned()),
                    (200, String::new()),
                ]
            }
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
    s.write_all(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let piece = vec![b'x'; 64 * 1024];
    for _ in 0..16 {
        s.write_all(&piece).unwrap();
    }
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert_eq!(responses(&out), vec![(200, "1048576".to_owned())]);
}

#[test]
fn limits_hold_however_the_bytes_arrive() {
    // Found by the http_request fuzz target: a chunk line over its limit was refused when
    // it came in pieces and accepted when it came in one read. The trailer section counts
    // against the head limit the same way.
    let long_ext = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;{}\r\nhello\r\n0\r\n\r\n",
        "a".repeat(1100)
    );
    let long_trailers = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n{}\r\n",
        "X-T: 1234567890\r\n".repeat(2000)
    );
    // A head over its limit with a malformed line past the limit: too large either way
    // (it was a 400 when the whole head came in one read).
    let long_head = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}X-Bad: \u{1}\r\n\r\n",
        "X-A: 1234567890\r\n".repeat(3000)
    );
    for (raw, status) in [(long_ext, 400), (long_trailers, 431), (long_head, 431)] {
        let bytes = raw.as_bytes();
        let one_read: Vec<&[u8]> = vec![bytes];
        let byte_by_byte: Vec<&[u8]> = bytes.chunks(1).collect();
        for reads in [one_read, byte_by_byte] {
            let wire = Server::builder().replay(&reads, |req| {
                Response::text(200, req.body().len().to_string())
            });
            let got = responses(&String::from_utf8_lossy(&wire));
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!(got[0].0, status, "{got:?}");
        }
    }
}
