//! Chunked decoding (RFC 9112, 7.1): a fixed head, then any bytes as the chunked body, cut
//! into reads at places the input chooses. Checked: no panic; the same answer however the
//! bytes were cut; a served body is never longer than the bytes sent, nor over the limit;
//! and a body the target encodes itself is decoded to exactly what it encoded.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod wire;
use webex_bot::unversioned::server::{Response, Server};
use wire::undated;

const HEAD: &[u8] = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
const BODY_LIMIT: usize = 4096;

/// What the server wrote, without the `Date` lines (the clock is not part of the answer).
fn serve(reads: &[&[u8]]) -> Vec<u8> {
    undated(&serve_raw(reads))
}

fn serve_raw(reads: &[&[u8]]) -> Vec<u8> {
    Server::builder()
        .body_limit(BODY_LIMIT)
        .replay(reads, |req| Response::new(200).with_body(req.into_body()))
}

/// The body of the first response in `wire`, if it is a 200.
fn served_body(wire: &[u8]) -> Option<&[u8]> {
    let head_end = wire.windows(4).position(|w| w == b"\r\n\r\n")?;
    if !wire.starts_with(b"HTTP/1.1 200 ") {
        return None;
    }
    let head = std::str::from_utf8(&wire[..head_end]).ok()?;
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })?
        .parse()
        .ok()?;
    wire.get(head_end + 4..head_end + 4 + len)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        // Arbitrary bytes as chunks.
        let mut input = HEAD.to_vec();
        input.extend_from_slice(body);
        let split = HEAD.len() + usize::from(mode >> 1) * body.len() / 128;
        let split = split.min(input.len());
        let whole = serve(&[&input]);
        let cut = serve(&[&input[..split], &input[split..]]);
        assert_eq!(whole, cut, "the answer changed with the reads");
        if let Some(b) = served_body(&whole) {
            assert!(b.len() <= body.len() && b.len() <= BODY_LIMIT);
        }
    } else {
        // The data encoded as chunks of sizes the input chooses: decoded exactly.
        let payload = &body[..body.len().min(BODY_LIMIT)];
        let mut input = HEAD.to_vec();
        let mut rest = payload;
        let mut size = usize::from(mode >> 1) + 1;
        while !rest.is_empty() {
            let n = size.min(rest.len());
            input.extend_from_slice(format!("{n:x}\r\n").as_bytes());
            input.extend_from_slice(&rest[..n]);
            input.extend_from_slice(b"\r\n");
            rest = &rest[n..];
            size = size * 3 % 61 + 1;
        }
        input.extend_from_slice(b"0\r\n\r\n");
        let wire = serve(&[&input]);
        assert_eq!(served_body(&wire), Some(payload), "chunks decoded wrongly");
    }
});
