//! The markdown splitter: any text, any limit. Checked: no panic; every piece within the
//! limit (at least 64 bytes); nothing lost: the text's visible characters appear, in order,
//! in the pieces (which may add code fences).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webex_bot::markdown::split;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let limit = usize::from(u16::from_le_bytes([data[0], data[1]]) % 2048);
    let text = String::from_utf8_lossy(&data[2..]);
    let parts = split(&text, limit);
    let limit = limit.max(64);
    for p in &parts {
        assert!(
            p.len() <= limit,
            "a piece of {} bytes over {limit}",
            p.len()
        );
    }
    let mut out = parts
        .iter()
        .flat_map(|p| p.chars())
        .filter(|c| !c.is_whitespace());
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        assert!(out.any(|o| o == c), "{c:?} lost");
    }
});
