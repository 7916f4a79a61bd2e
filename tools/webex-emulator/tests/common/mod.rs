//! Helpers shared by the tests that run the emulator as a process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A child process killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `webex-emulator` with these arguments and waits until it is ready; returns the
/// process and its base URL.
pub fn start_emulator(args: &[&str]) -> (Killed, String) {
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_webex-emulator"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the emulator starts"),
    );
    let mut lines = BufReader::new(child.0.stdout.take().expect("piped stdout")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base_url = first
        .strip_prefix("WEBEX_BASE_URL=")
        .expect("the emulator prints its base URL first")
        .to_owned();
    assert!(lines.by_ref().map_while(Result::ok).any(|l| l == "ready"));
    (child, base_url)
}
