//! Every mistake in a `#[command]` is a compile error that says what is wrong.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
