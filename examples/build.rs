//! Hands `symbol-order/order.txt` to the linker for the example binaries: the functions a
//! bot runs to start, wait and answer are placed first and together, so that an idle bot
//! maps a few hundred KiB of its code instead of most of it (see the book's performance
//! page). Only where the linker is known to be lld, which takes `--symbol-ordering-file`:
//! the default of Rust 1.90 and later on x86_64 Linux, unless a linker is configured.

use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=symbol-order/order.txt");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if !default_linker_is_lld() {
        return;
    }
    let dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let order = format!("{dir}/symbol-order/order.txt");
    println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={order}");
    // Functions the file names but a binary lacks (another bot, a changed function) are
    // skipped; the file only orders, it never decides what is linked.
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// Whether rustc will link through its own lld: the target is x86_64 Linux with glibc, the
/// compiler is 1.90 or later, and neither cargo's configuration nor RUSTFLAGS chose a
/// linker.
fn default_linker_is_lld() -> bool {
    if env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || env::var_os("RUSTC_LINKER").is_some()
    {
        return false;
    }
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if ["linker", "link-self-contained", "fuse-ld"]
        .iter()
        .any(|f| flags.contains(f))
    {
        return false;
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let Ok(out) = Command::new(rustc).arg("-vV").output() else {
        return false;
    };
    let version = String::from_utf8_lossy(&out.stdout);
    let minor = version
        .lines()
        .find_map(|l| l.strip_prefix("release: 1."))
        .and_then(|v| v.split('.').next()?.parse::<u32>().ok());
    minor.is_some_and(|m| m >= 90)
}
