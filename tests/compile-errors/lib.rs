//! Nothing here: the crate holds `tests/ui.rs`, trybuild's compile-fail cases in `ui/`.
