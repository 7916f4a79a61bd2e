//! What the HTTP targets share: the server's answer without its `Date` lines.

/// What the server wrote, without the `Date` header lines (the clock is not part of the
/// answer). Only heads are looked at: each body (its `Content-Length` bytes) is kept as
/// it is, so that a body holding a line `Date: ...` (echoed back by a target) is not cut.
pub fn undated(wire: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(head_end) = rest
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
    {
        let mut body_len = 0usize;
        for line in rest[..head_end].split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b"Date: ") {
                continue;
            }
            if line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
                body_len = std::str::from_utf8(&line[15..])
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
            }
            out.extend_from_slice(line);
        }
        let body_end = head_end.saturating_add(body_len).min(rest.len());
        out.extend_from_slice(&rest[head_end..body_end]);
        rest = &rest[body_end..];
    }
    out.extend_from_slice(rest);
    out
}
