//! The HTTP request parser and framing, fed whole connections: any bytes, cut into reads at
//! places the input chooses. Checked: no panic; the server's answer does not depend on how
//! the bytes were cut into reads (a request split across packets is the same request); every
//! answer is a well-formed status line; no body served is over the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod wire;
use webex_bot::unversioned::server::{Response, Server};
use wire::undated;

const BODY_LIMIT: usize = 4096;

/// What the server wrote, without the `Date` lines (the clock is not part of the answer).
fn serve(reads: &[&[u8]]) -> Vec<u8> {
    undated(&serve_raw(reads))
}

fn serve_raw(reads: &[&[u8]]) -> Vec<u8> {
    Server::builder()
        .body_limit(BODY_LIMIT)
        .head_limit(2048)
        .replay(reads, |req| {
            assert!(
                req.body().len() <= BODY_LIMIT,
                "a body over the limit was served"
            );
            Response::text(
                200,
                format!("{} {} {}", req.method(), req.path(), req.body().len()),
            )
        })
}

fuzz_target!(|data: &[u8]| {
    // The first byte says how many cuts; the next ones where (as fractions of the rest).
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 8).min(rest.len());
    let (cuts, input) = rest.split_at(n);
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|c| usize::from(*c) * input.len() / 256)
        .collect();
    at.sort_unstable();
    let mut reads = Vec::new();
    let mut from = 0;
    for a in at {
        reads.push(&input[from..a]);
        from = a;
    }
    reads.push(&input[from..]);

    let whole = serve(&[input]);
    let cut = serve(&reads);
    assert_eq!(
        String::from_utf8_lossy(&whole),
        String::from_utf8_lossy(&cut),
        "the answer changed with the reads"
    );
    if !whole.is_empty() {
        assert!(whole.starts_with(b"HTTP/1.1 "), "not a status line");
    }
});
