//! A failed assertion of the test harness points at the test's own line, not into the
//! harness (`#[track_caller]`). One test: the panic hook is global to the binary.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use webex_bot::{Bot, command, commands, testing::TestBot};

/// Echo.
#[command("echo <text...>")]
fn echo(text: String) -> String {
    text
}

#[test]
fn harness_failures_point_at_the_test() {
    let b = TestBot::start(Bot::builder(commands![echo])).unwrap();
    let at: Arc<Mutex<Vec<(String, u32)>>> = Arc::default();
    let seen = at.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(l) = info.location() {
            seen.lock().unwrap().push((l.file().to_owned(), l.line()));
        }
    }));
    let checks: Vec<Box<dyn Fn()>> = vec![
        Box::new(|| {
            b.say("echo a").assert_text("b");
        }),
        Box::new(|| {
            b.say("echo a").assert_contains("zzz");
        }),
        Box::new(|| {
            b.say("echo a").assert_none();
        }),
        Box::new(|| {
            b.say("echo a").card();
        }),
    ];
    for check in &checks {
        assert!(catch_unwind(AssertUnwindSafe(check)).is_err());
    }
    std::panic::set_hook(previous);
    let at = at.lock().unwrap();
    assert_eq!(at.len(), 4, "{at:?}");
    // Each at the line of its call, in this file.
    let source: Vec<&str> = include_str!("track_caller.rs").lines().collect();
    let calls = [
        ".assert_text(",
        ".assert_contains(",
        ".assert_none(",
        ".card(",
    ];
    for ((file, line), call) in at.iter().zip(calls) {
        assert!(file.ends_with("track_caller.rs"), "{file}:{line}");
        let text = source[*line as usize - 1];
        assert!(text.contains(call), "{file}:{line} is {text:?}");
    }
}
