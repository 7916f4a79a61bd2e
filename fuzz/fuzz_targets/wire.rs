//! What the HTTP targets share: the server's answer without its `Date` lines.

/// What the server wrote, without the `Date` lines (the clock is not part of the answer).
pub fn undated(wire: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(wire.len());
    let mut rest = wire;
    while !rest.is_empty() {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(rest.len(), |i| i + 2);
        if !rest.starts_with(b"Date: ") {
            out.extend_from_slice(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out
}
